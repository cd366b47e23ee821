"""X/Twitter analytics CSVs (docs/export-formats.md §2): the legacy analytics.twitter.com
per-tweet export and the current x.com "Account analytics" exports.

Files are recognised by their header, never by name alone (users rename downloads):

* **legacy** (§2.1) ``tweet_activity_metrics_*.csv``: header begins with ``"Tweet id"``
  (possibly after a BOM), 40 quoted columns (``LEGACY_COLUMNS``), ``favorites`` instead of
  ``likes`` before Nov 2015. ``time`` is ``%Y-%m-%d %H:%M %z``; counts are floats written
  ``"1938.0"``; every ``promoted …`` cell is ``"-"`` unless the tweet was promoted.
* **content** (§2.2) ``account_analytics_content_*.csv``: one row per post, columns mapped by
  name (``Post id``, ``Date``, ``Post text``, ``Post Link``, ``Impressions``…; order varies;
  localized headers in ``ALIASES``). ``Date`` is ``%a, %b %d, %Y`` (day only); numbers may
  carry thousands separators (``"1,234"``).
* **overview** (§2.2) ``account_overview_analytics*.csv``: one row per day, header begins with
  ``Date``; daily totals including ``New follows`` and ``Unfollows``.
* **video** (§2.2): a ``Video overview`` title row, then ``Date,Views,Watch Time (ms),…``.

Mapping to canonical tables:

* legacy and content rows -> ``posts``: post_id (``Tweet id`` / ``Post id``, else the id in the
  post URL), ts, text (legacy text is HTML-unescaped; current text is kept verbatim),
  impressions, engagements, likes (``likes``/``favorites``/``Likes``), comments (``replies`` /
  ``Replies``), shares (``retweets`` / ``Reposts``; the current ``Shares`` column counts shares
  via DM/link, not reposts, and is not loaded), saves (``Bookmarks``, current only), clicks =
  the single ``url clicks`` / ``URL Clicks`` column (link clicks; profile, hashtag, detail and
  permalink clicks are not added), is_repost = text starts with ``RT @``. Legacy counts are the
  organic columns; ``promoted …`` columns are not added (a note says how many rows were
  promoted). A current ``Date`` has no time or zone: it is taken as 12:00 UTC of that day
  (the same rule as day-only touchpoints, so it stays on its calendar day within ±11 h).
* overview rows -> ``accounts`` snapshot rows (snapshot_date = ``Date``). The usual file gives
  new follows and unfollows but no follower total, so ``followers`` stays null and a note on
  the file report says so (with the summed follows/unfollows); a file with a ``Followers``
  (or ``Total followers``) column gives each day's follower total.
* video rows have no canonical counterpart: each is rejected with the reason.

``account_id`` is ``x:<handle>``, lower-cased as the archive's (X handles are
case-insensitive). The handle comes from the row's post URL
(``https://twitter.com/<handle>/status/<id>`` or ``x.com``), else from the ``handle`` load
option, else the row is marked ``NEEDS_ACCOUNT`` and gets the one X account of the load
(``warmcall.ingest.resolve``: the archive loaded with it, or the handle in another analytics file's
URLs; with no X account at all, the placeholder ``x:analytics``), else (several X accounts)
it is rejected with the reason. Overview files carry no URL at all. Every row carries the
``NEEDS_ACCOUNT`` column: the files describe the own account, which gets an accounts row
from them when the load has none (``warmcall.ingest.resolve``).

Signals (``FileReport.carries``): a per-post file (legacy or current) -> impressions (its
engagement figures are per-post totals, not per person, so never ``inbound``); an overview
with a followers column -> followers.

Fatal (``InputError`` naming the file): a claimed file without its required columns (legacy:
``Tweet id``, ``time``; content: ``Date`` and ``Post id`` or ``Post Link``; overview: ``Date``);
the message lists the headers this loader does not know. Unknown extra columns are ignored.
"""

from __future__ import annotations

import codecs
import csv
import html

import polars as pl

from warmcall.core.errors import InputError
from warmcall.ingest.loaders.base import NEEDS_ACCOUNT, FileReport, LoadResult
from warmcall.ingest.loaders.csvutil import read_csv_text
from warmcall.ingest.sources import Member, Source

FORMAT = "x-analytics"
PLATFORM = "x"

# docs/export-formats.md §2.1: the Dec 2016 – Jan 2022 header, exactly 40 columns.
LEGACY_COLUMNS: tuple[str, ...] = (
    "Tweet id", "Tweet permalink", "Tweet text", "time", "impressions", "engagements",
    "engagement rate", "retweets", "replies", "likes", "user profile clicks", "url clicks",
    "hashtag clicks", "detail expands", "permalink clicks", "app opens", "app installs",
    "follows", "email tweet", "dial phone", "media views", "media engagements",
    "promoted impressions", "promoted engagements", "promoted engagement rate",
    "promoted retweets", "promoted replies", "promoted likes", "promoted user profile clicks",
    "promoted url clicks", "promoted hashtag clicks", "promoted detail expands",
    "promoted permalink clicks", "promoted app opens", "promoted app installs",
    "promoted follows", "promoted email tweet", "promoted dial phone", "promoted media views",
    "promoted media engagements",
)  # fmt: skip
# Before Nov 2015 (§2.1): favorites / promoted favorites instead of likes / promoted likes.
LEGACY_RENAMES = {"favorites": "likes", "promoted favorites": "promoted likes"}
LEGACY_TIME_FORMAT = "%Y-%m-%d %H:%M %z"
# legacy column -> canonical posts column (§2.1; clicks = url clicks only)
LEGACY_COUNTS = {
    "impressions": "impressions",
    "engagements": "engagements",
    "likes": "likes",
    "replies": "comments",
    "retweets": "shares",
    "url clicks": "clicks",
}

CURRENT_DATE_FORMAT = "%a, %b %d, %Y"  # "Tue, Jul 14, 2026" (§2.2), parsed in the C locale
VIDEO_TITLE = "video overview"

# Current x.com header (lower-cased) -> key. English names are from docs/export-formats.md §2.2;
# Korean names are the ones §2.2 shows (포스트 텍스트, 날짜, 노출수, 좋아요); Japanese names are
# the header of Japanese-UI exports as read by public tools that consume them (e.g. a test
# fixture with the full 17-column header "ポストID,日付,ポスト本文,ポストのリンク,…").
ALIASES: dict[str, str] = {
    "post id": "post_id", "ポストid": "post_id",
    "date": "date", "날짜": "date", "日付": "date",
    "post text": "text", "포스트 텍스트": "text", "ポスト本文": "text",
    "post link": "link", "ポストのリンク": "link",
    "impressions": "impressions", "노출수": "impressions", "インプレッション数": "impressions",
    "likes": "likes", "좋아요": "likes", "いいね": "likes",
    "engagements": "engagements", "エンゲージメント": "engagements",
    "bookmarks": "bookmarks", "ブックマーク": "bookmarks",
    "shares": "shares_via", "共有された回数": "shares_via",
    "new follows": "new_follows", "新しいフォロー": "new_follows",
    "unfollows": "unfollows",
    "followers": "followers", "total followers": "followers",
    "replies": "replies", "返信": "replies",
    "reposts": "reposts", "リポスト": "reposts",
    "profile visits": "profile_visits", "プロフィールへのアクセス数": "profile_visits",
    "detail expands": "detail_expands", "詳細のクリック数": "detail_expands",
    "url clicks": "url_clicks", "urlのクリック数": "url_clicks",
    "hashtag clicks": "hashtag_clicks", "ハッシュタグのクリック数": "hashtag_clicks",
    "permalink clicks": "permalink_clicks", "パーマリンクのクリック数": "permalink_clicks",
    "create post": "create_post", "video views": "video_views", "media views": "media_views",
    "views": "views", "watch time (ms)": "watch_time", "completion rate": "completion_rate",
    "average watch time (ms)": "avg_watch_time", "estimated revenue": "revenue",
}  # fmt: skip
# key -> canonical posts column, for the per-post (content) file
CURRENT_COUNTS = {
    "impressions": "impressions",
    "engagements": "engagements",
    "likes": "likes",
    "replies": "comments",
    "reposts": "shares",
    "bookmarks": "saves",
    "url_clicks": "clicks",
}
_METRICS = {
    "impressions", "likes", "engagements", "bookmarks", "shares_via", "new_follows",
    "unfollows", "followers", "replies", "reposts", "profile_visits", "detail_expands", "url_clicks",
    "hashtag_clicks", "permalink_clicks",
}  # fmt: skip

# https://twitter.com/<handle>/status/<id> (also x.com, www./mobile., /statuses/)
_URL_RE = r"(?i)^\s*https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/([A-Za-z0-9_]{1,15})/status(?:es)?/(\d+)"
_HEAD_BYTES = 64 * 1024


# -- detection -------------------------------------------------------------------------------
def _head(m: Member, encoding: str | None = None) -> str:
    """The first ``_HEAD_BYTES`` of a member as text (for detection: only the header is
    needed), read in place by ``Member.read_head``."""
    data = m.read_head(_HEAD_BYTES)  # the source reads only the head, with its caps
    if encoding:
        return data.decode(encoding, errors="ignore")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data[: len(data) // 2 * 2].decode("utf-16", errors="ignore")
    return data.decode("utf-8-sig", errors="ignore")


def _first_rows(text: str, n: int = 2) -> list[list[str]]:
    """The first ``n`` non-blank CSV records of ``text`` (cells stripped, BOM removed)."""
    out: list[list[str]] = []
    reader = csv.reader(text.lstrip("\ufeff").splitlines()[:50])
    try:
        for row in reader:
            if any(c.strip() for c in row):
                out.append([c.strip().lstrip("\ufeff").strip() for c in row])
                if len(out) == n:
                    break
    except csv.Error:
        pass
    return out


def _keys(header: list[str]) -> list[str | None]:
    return [ALIASES.get(h.lower()) for h in header]


def classify(rows: list[list[str]]) -> str | None:
    """Which X analytics file a CSV is, from its first records (docs/export-formats.md §2.2,
    "Telling the formats apart"): ``legacy`` (header begins with ``Tweet id``), ``video``
    (``Video overview`` title row, then ``Date`` and ``Views``), ``content`` (a date column,
    a post id / link / text column and at least two X metric columns), ``overview`` (header
    begins with ``Date``, at least three X metric columns, no post columns), else None."""
    if not rows:
        return None
    header = rows[0]
    low = [h.lower() for h in header]
    if low and low[0] == "tweet id":
        return "legacy"
    if low and low[0] == VIDEO_TITLE and len(rows) > 1:
        keys2 = set(_keys(rows[1]))
        if {"date", "views"} <= keys2:
            return "video"
        return None
    keys = _keys(header)
    kset = set(keys)
    n_metrics = len(kset & _METRICS)
    if "date" in kset and kset & {"post_id", "link", "text"} and n_metrics >= 2:
        return "content"
    if keys and keys[0] == "date" and n_metrics >= 3:
        return "overview"
    return None


def _members(src: Source, encoding: str | None) -> list[tuple[Member, str]]:
    out = []
    for m in src.find("*.csv"):
        kind = classify(_first_rows(_head(m, encoding)))
        if kind:
            out.append((m, kind))
    return out


def detect(src: Source) -> bool:
    """True if any CSV in ``src`` has the header of an X analytics export (by content)."""
    return bool(_members(src, None))


# -- shared expressions ----------------------------------------------------------------------
def parse_count(col: str) -> pl.Expr:
    """A count cell as Int64: ``"1938.0"`` and ``"1,234"`` are whole numbers; ``"-"`` and empty
    are null (unknown). Anything else (fractions, negatives, text) gives null; see
    ``_count_problem`` for the reject reason (docs/export-formats.md §2.1, §2.2)."""
    return _whole(_as_float(col))


def _as_float(col: str) -> pl.Expr:
    # "-" and "" do not cast: null
    t = pl.col(col).cast(pl.String).str.strip_chars().str.replace_all(",", "", literal=True)
    return t.cast(pl.Float64, strict=False)


def _whole(f: pl.Expr) -> pl.Expr:
    # below 2**53 every whole float is exact: a larger cell would be a guess, so it is null
    exact = f.is_finite() & (f == f.floor()) & (f >= 0) & (f < 2.0**53)
    return pl.when(exact).then(f.cast(pl.Int64, strict=False))


def _with_counts(df: pl.DataFrame, cols: dict[str, str]) -> pl.DataFrame:
    """Add ``_n_<dst>`` = ``parse_count(src)`` for each ``src -> dst``, in two passes (float,
    then whole) so that each cell is parsed once."""
    df = df.with_columns([_as_float(src).alias(f"_f_{dst}") for src, dst in cols.items()])
    return df.with_columns(
        [_whole(pl.col(f"_f_{dst}")).alias(f"_n_{dst}") for dst in cols.values()]
    )


def _count_problem(col: str, parsed: str, label: str) -> pl.Expr:
    """Reject reason for a count cell (``col``) that is present but whose parsed value
    (column ``parsed``) is null: not a whole, non-negative number. ``label`` is the column
    name as the file spells it."""
    t = pl.col(col).cast(pl.String).str.strip_chars()
    present = t.is_not_null() & ~t.is_in(["", "-"])
    return pl.when(present & pl.col(parsed).is_null()).then(
        pl.format("not a count in column '{}': '{}'", pl.lit(label), t.str.slice(0, 40))
    )


def _url_handle(col: str) -> pl.Expr:
    return pl.col(col).str.extract(_URL_RE, 1)


def _clean_handle(handle: object) -> str | None:
    if handle is None:
        return None
    h = str(handle).strip().lstrip("@").strip()
    return h or None


def _unescape(s: pl.Series) -> pl.Series:
    """HTML-unescape text (the legacy export writes ``&amp;``); only cells with ``&``."""
    return pl.Series(
        s.name,
        [html.unescape(t) if t is not None and "&" in t else t for t in s.to_list()],
        dtype=pl.String,
    )


def _split(rep: FileReport, df: pl.DataFrame, problems: list[pl.Expr]) -> pl.DataFrame:
    """Reject every row with a problem (the first one is the reason); return the rest."""
    df = df.with_columns(_problem=pl.coalesce(problems) if problems else pl.lit(None, pl.String))
    for line, why in (
        df.filter(pl.col("_problem").is_not_null()).select("_line", "_problem").iter_rows()
    ):
        rep.reject(line, why)
    return df.filter(pl.col("_problem").is_null()).drop("_problem")


def _missing_error(
    m: Member, what: str, missing: list[str], header: list[str], known: set[str]
) -> InputError:
    unknown = [h for h in header if h and h.lower() not in known]
    msg = f"{what}: missing required column(s) {', '.join(missing)}"
    if unknown:
        msg += f"; unknown header(s): {', '.join(unknown[:10])}"
    return InputError(m.display, msg)


def _read(m: Member, encoding: str | None, skip_lines: int = 0) -> pl.DataFrame:
    df = read_csv_text(m.read_text(encoding), skip_lines=skip_lines)
    return df.rename({c: c.strip().lstrip("\ufeff").strip() for c in df.columns if c != "_line"})


# -- legacy ----------------------------------------------------------------------------------
def load_legacy(m: Member, handle: str | None = None, encoding: str | None = None) -> LoadResult:
    """Legacy ``tweet_activity_metrics_*.csv`` (docs/export-formats.md §2.1) -> posts.

    Columns by (case-insensitive) name; ``favorites`` is read as ``likes``. ``time`` is
    ``%Y-%m-%d %H:%M %z``; ``"-"`` is null; ``"15.0"`` is 15. The handle is the
    ``Tweet permalink`` URL's, else ``handle``, else the load's one X account.
    """
    res = LoadResult()
    df = _read(m, encoding)
    lower = {c: LEGACY_RENAMES.get(c.lower(), c.lower()) for c in df.columns if c != "_line"}
    df = df.rename(lower)
    orig = {new: old for old, new in lower.items()}  # labels for reasons: the file's own names
    rep = res.file(m.display, f"{FORMAT}-legacy", df.height)
    missing = [c for c in ("tweet id", "time") if c not in df.columns]
    if missing:
        known = set(LEGACY_COLUMNS) | set(LEGACY_RENAMES)
        raise _missing_error(
            m, "legacy X analytics CSV", missing, list(lower), {k.lower() for k in known}
        )
    for c in ("tweet permalink", "tweet text", *LEGACY_COUNTS, "promoted impressions"):
        if c not in df.columns:
            df = df.with_columns(pl.lit(None, pl.String).alias(c))

    # derived columns, computed once
    df = df.with_columns(
        pl.col("time")
        .str.strip_chars()
        .str.to_datetime(LEGACY_TIME_FORMAT, strict=False, time_unit="us")
        .dt.convert_time_zone("UTC")
        .alias("_ts"),
        pl.coalesce(_url_handle("tweet permalink"), pl.lit(handle, pl.String)).alias("_acct"),
    )
    df = _with_counts(df, LEGACY_COUNTS)
    problems = [
        pl.when(pl.col("tweet id").is_null()).then(pl.lit("missing Tweet id")),
        pl.when(pl.col("time").is_null()).then(pl.lit("missing time")),
        pl.when(pl.col("_ts").is_null() & pl.col("time").is_not_null()).then(
            pl.format(
                "unparsable time '{}' (expected {})",
                pl.col("time").str.slice(0, 40),
                pl.lit(LEGACY_TIME_FORMAT),
            )
        ),
        *[_count_problem(c, f"_n_{dst}", orig.get(c, c)) for c, dst in LEGACY_COUNTS.items()],
    ]
    df = _split(rep, df, problems)
    promoted = df.select(parse_count("promoted impressions").is_not_null().sum()).item()
    if promoted:
        rep.notes.append(
            f"{promoted} promoted row(s): counts are the organic columns; "
            "the 'promoted …' columns are not added"
        )
    text = _unescape(df["tweet text"])
    out = df.with_columns(text.alias("_text")).select(
        pl.format("x:{}", pl.col("_acct").str.to_lowercase()).alias("account_id"),
        pl.col("_acct").is_null().alias(NEEDS_ACCOUNT),
        pl.lit(PLATFORM).alias("platform"),
        pl.col("tweet id").str.strip_chars().alias("post_id"),
        pl.col("_ts").alias("ts"),
        pl.col("_text").alias("text"),
        pl.col("_text").str.starts_with("RT @").fill_null(False).alias("is_repost"),
        *[pl.col(f"_n_{dst}").alias(dst) for dst in LEGACY_COUNTS.values()],
        pl.lit(m.display).alias("_file"),
        "_line",
    )
    res.add("posts", out)
    _carries_impressions(rep, out)
    return res


def _carries_impressions(rep: FileReport, out: pl.DataFrame) -> None:
    """A per-post file shows impressions for each account its rows name, and for the load's
    X account when some rows (or, in an empty file, all) name none."""
    accts = out["account_id"].drop_nulls().unique().sort().to_list()
    for a in accts:
        rep.carries(PLATFORM, "impressions", account_id=a)
    if not accts or out["account_id"].null_count():
        rep.carries(PLATFORM, "impressions")


# -- current: per post -----------------------------------------------------------------------
def _by_key(df: pl.DataFrame) -> dict[str, str]:
    """key -> first source column with that key."""
    out: dict[str, str] = {}
    for c in df.columns:
        k = ALIASES.get(c.lower())
        if k and k not in out:
            out[k] = c
    return out


def _current_date(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars().str.to_date(CURRENT_DATE_FORMAT, strict=False)


def _date_problem(col: str, parsed: str) -> pl.Expr:
    return pl.when(pl.col(col).is_not_null() & pl.col(parsed).is_null()).then(
        pl.format(
            "unparsable Date '{}' (expected {})",
            pl.col(col).str.slice(0, 40),
            pl.lit(CURRENT_DATE_FORMAT),
        )
    )


def load_content(m: Member, handle: str | None = None, encoding: str | None = None) -> LoadResult:
    """Current ``account_analytics_content_*.csv`` (docs/export-formats.md §2.2) -> posts.

    Columns by name (English, or the localized names in ``ALIASES``); unknown columns are
    ignored. ``Date`` is ``%a, %b %d, %Y`` and becomes 12:00 UTC of that day. post_id is
    ``Post id``, else the id in ``Post Link``; the handle is ``Post Link``'s, else ``handle``,
    else the load's one X account (``NEEDS_ACCOUNT``, module docstring).
    """
    res = LoadResult()
    df = _read(m, encoding)
    rep = res.file(m.display, f"{FORMAT}-content", df.height)
    cols = _by_key(df)
    missing = []
    if "date" not in cols:
        missing.append("Date")
    if "post_id" not in cols and "link" not in cols:
        missing.append("Post id or Post Link")
    if missing:
        header = [c for c in df.columns if c != "_line"]
        raise _missing_error(m, "X analytics per-post CSV", missing, header, set(ALIASES))
    tmp = {k: f"_k_{k}" for k in ("post_id", "link", "text", *CURRENT_COUNTS)}
    df = df.with_columns(
        [
            (pl.col(cols[k]) if k in cols else pl.lit(None, pl.String)).alias(name)
            for k, name in tmp.items()
        ]
    )
    date = cols["date"]
    url = pl.col(tmp["link"]).str.extract_groups(_URL_RE)
    # derived columns, computed once
    df = df.with_columns(
        _current_date(date).alias("_day"),
        pl.coalesce(url.struct.field("1"), pl.lit(handle, pl.String)).alias("_acct"),
        pl.coalesce(pl.col(tmp["post_id"]).str.strip_chars(), url.struct.field("2")).alias("_pid"),
    )
    df = _with_counts(df, {tmp[k]: dst for k, dst in CURRENT_COUNTS.items()})
    problems = [
        pl.when(pl.col("_pid").is_null()).then(
            pl.lit("missing post id (no Post id, no id in Post Link)")
        ),
        pl.when(pl.col(date).is_null()).then(pl.lit("missing Date")),
        _date_problem(date, "_day"),
        *[
            _count_problem(tmp[k], f"_n_{dst}", cols[k])
            for k, dst in CURRENT_COUNTS.items()
            if k in cols
        ],
    ]
    df = _split(rep, df, problems)
    ts = (pl.col("_day").cast(pl.Datetime("us")) + pl.duration(hours=12)).dt.replace_time_zone(
        "UTC"
    )
    out = df.select(
        pl.format("x:{}", pl.col("_acct").str.to_lowercase()).alias("account_id"),
        pl.col("_acct").is_null().alias(NEEDS_ACCOUNT),
        pl.lit(PLATFORM).alias("platform"),
        pl.col("_pid").alias("post_id"),
        ts.alias("ts"),
        pl.col(tmp["text"]).alias("text"),
        pl.col(tmp["text"]).str.starts_with("RT @").fill_null(False).alias("is_repost"),
        *[pl.col(f"_n_{dst}").alias(dst) for dst in CURRENT_COUNTS.values()],
        pl.lit(m.display).alias("_file"),
        "_line",
    )
    res.add("posts", out)
    _carries_impressions(rep, out)
    return res


# -- current: daily overview and video -------------------------------------------------------
def load_overview(m: Member, handle: str | None = None, encoding: str | None = None) -> LoadResult:
    """``account_overview_analytics*.csv`` (docs/export-formats.md §2.2) -> accounts snapshots.

    One accounts row per day (snapshot_date = ``Date``, ``%a, %b %d, %Y``). followers = the
    ``Followers`` column when the file has one (a whole count, else the row is rejected);
    without it (the usual file: only ``New follows`` / ``Unfollows``) followers is left null
    and a note records the summed follows and unfollows. No URL column: the account comes
    from the ``handle`` option, else from the load (``NEEDS_ACCOUNT``, module docstring).
    """
    res = LoadResult()
    df = _read(m, encoding)
    rep = res.file(m.display, f"{FORMAT}-overview", df.height)
    cols = _by_key(df)
    if "date" not in cols:
        header = [c for c in df.columns if c != "_line"]
        raise _missing_error(m, "X analytics overview CSV", ["Date"], header, set(ALIASES))
    date = cols["date"]
    fcol = cols.get("followers")
    df = df.with_columns(
        _current_date(date).alias("_day"),
        (parse_count(fcol) if fcol else pl.lit(None, pl.Int64)).alias("_followers"),
    )
    problems = [
        pl.when(pl.col(date).is_null()).then(pl.lit("missing Date")),
        _date_problem(date, "_day"),
    ]
    if fcol:
        problems.append(_count_problem(fcol, "_followers", fcol))
    df = _split(rep, df, problems)
    account = f"x:{handle.lower()}" if handle else None
    if fcol:
        rep.carries(PLATFORM, "followers", account_id=account)
    else:
        follows = {
            k: int(df.select(parse_count(cols[k]).sum()).item() or 0) if k in cols else None
            for k in ("new_follows", "unfollows")
        }
        rep.notes.append(
            "no follower total in this file, so followers is left null (loaded rows: new "
            f"follows {_fmt(follows['new_follows'])}, unfollows {_fmt(follows['unfollows'])})"
        )
    out = df.select(
        pl.lit(account, pl.String).alias("account_id"),
        pl.lit(handle is None).alias(NEEDS_ACCOUNT),
        pl.lit(PLATFORM).alias("platform"),
        pl.lit(handle, pl.String).alias("handle"),
        pl.col("_day").alias("snapshot_date"),
        pl.col("_followers").alias("followers"),
        pl.lit(m.display).alias("_file"),
        "_line",
    )
    res.add("accounts", out)
    return res


def _fmt(n: int | None) -> str:
    return "not in file" if n is None else f"{n:,}"


def load_video(m: Member, encoding: str | None = None) -> LoadResult:
    """Video overview CSV (docs/export-formats.md §2.2): a ``Video overview`` title row, then
    ``Date,Views,Watch Time (ms),…``. Daily video totals have no canonical table: every
    row is read and rejected with that reason."""
    res = LoadResult()
    df = _read(m, encoding, skip_lines=_title_lines(m, encoding))
    rep = res.file(m.display, f"{FORMAT}-video", df.height)
    for line in df["_line"].to_list():
        rep.reject(line, "daily video totals (views, watch time) have no canonical table")
    return res


def _title_lines(m: Member, encoding: str | None) -> int:
    """Physical lines up to and including the ``Video overview`` title row."""
    for i, line in enumerate(m.read_text(encoding).splitlines()):
        if line.strip().lstrip("\ufeff").lower().startswith(VIDEO_TITLE):
            return i + 1
    return 0


# -- entry point -----------------------------------------------------------------------------
def load(src: Source, **opts: object) -> LoadResult:
    """Load every X analytics CSV in ``src`` (detected by header). Options: ``handle`` (the
    account's handle, for files or rows without a post URL), ``encoding``."""
    handle = _clean_handle(opts.get("handle"))
    enc = opts.get("encoding")
    encoding = str(enc) if enc else None
    res = LoadResult()
    for m, kind in _members(src, encoding):
        if kind == "legacy":
            res.extend(load_legacy(m, handle, encoding))
        elif kind == "content":
            res.extend(load_content(m, handle, encoding))
        elif kind == "overview":
            res.extend(load_overview(m, handle, encoding))
        else:
            res.extend(load_video(m, encoding))
    return res


__all__ = [
    "FORMAT", "LEGACY_COLUMNS", "ALIASES", "classify", "detect", "load", "load_legacy",
    "load_content", "load_overview", "load_video", "parse_count",
]  # fmt: skip
