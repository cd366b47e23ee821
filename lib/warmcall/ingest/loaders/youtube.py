"""YouTube, from Google Takeout ("YouTube and YouTube Music"): subscriptions, comments and
the channel file. CSVs are found by their header wherever they sit (Takeout localises folder
and file names: ``subscriptions/subscriptions.csv`` is ``abonnementen/abonnementen.csv`` in
Dutch). Platform ``youtube``; ids are channel ids (``UC`` + 22 characters, case-sensitive).

- ``subscriptions.csv``, header ``Channel Id,Channel Url,Channel Title`` (or a localised
  three-column file whose rows are a channel id and a ``youtube.com/channel/`` URL): one
  channel you follow per row -> connections ``i_follow`` true, ``display_name`` = the
  title; ``follows_me`` and ``connected_at`` are unknown (Takeout gives no dates, and your
  channel's subscribers are not in it).
- ``comments.csv``, both formats: before June 2024 ``Comment ID,Channel ID,Comment Create
  Timestamp,Price,Parent Comment ID,Video ID,Comment Text`` with the text as
  ``{"takeoutSegments":[{"text":…}]}``; from June 2024 the columns reordered (``Channel
  ID,Comment Create Timestamp,Price,Comment ID,Parent Comment ID,Video ID,Comment Text``,
  later also ``Post ID`` and lower-case names) with the text as JSON segments
  ``{"text":…},{"text":…}``; columns are found by name (English and Dutch). ``Channel ID``
  is the channel that *wrote* the comment (yours); the video's channel is not in the file.
  So a comment cannot be attributed to anyone: each valid one is set aside ("comments
  given", on the writing channel's account); one without a parsable timestamp is rejected.
- ``channel.csv`` (``Channel ID,Channel Title (Original),…``): one ``accounts`` row per
  channel (``display_name`` = the title).

Own account ``youtube:<channel id>``: the one channel of ``channel.csv``, else the one
channel that wrote the comments, else ``youtube:me`` with a note. Signals: following (from
the subscriptions); not outbound, since no comment names its counterpart; not followers
(the subscriber count is only in YouTube Studio, whose exports give net subscriber changes
per day or per video, not a total).
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from warmcall.core.errors import InputError
from warmcall.core.schema import parse_iso_datetime
from warmcall.ingest.loaders.base import FileReport, LoadResult
from warmcall.ingest.loaders.csvutil import header_of, read_csv_text
from warmcall.ingest.sources import Member, Source

FORMAT = "youtube"
PLATFORM = "youtube"
FALLBACK_ACCOUNT = "youtube:me"
SNIFF_MAX_BYTES = 256 << 20  # CSVs above this are not looked at
COMMENT_REASON = "comment given; YouTube's comment history does not name the video's channel"
COMMENTS_NOTE = (
    "YouTube's comment history names the video, not its channel: your comments are counted "
    "as your activity, not as interactions with anyone"
)
_CHANNEL_ID = re.compile(r"^UC[A-Za-z0-9_-]{22}$")
# comments.csv columns by language (lower-case header) -> role
_COMMENT_COLS = {
    "comment id": "id", "reactie-id": "id",
    "channel id": "channel", "kanaal-id": "channel",
    "comment create timestamp": "ts", "aanmaaktijdstempel reactie": "ts",
    "video id": "video", "video-id": "video",
    "post id": "post",
    "comment text": "text", "reactietekst": "text",
}  # fmt: skip
SUBSCRIPTION_HEADER = ["channel id", "channel url", "channel title"]


def _kind(m: Member, enc: str | None) -> tuple[str, list[str]] | None:
    """("subscriptions" | "comments" | "channel", header) for a Takeout CSV, else None."""
    if m.size > SNIFF_MAX_BYTES:
        return None
    try:
        head = m.head_text(1 << 16, enc)
    except InputError:
        return None
    row = header_of(head)
    low = [c.lower() for c in row]
    roles = {_COMMENT_COLS[c] for c in low if c in _COMMENT_COLS}
    if {"id", "channel", "video", "ts"} <= roles:
        return "comments", row
    if low[:3] == SUBSCRIPTION_HEADER:
        return "subscriptions", row
    if "channel id" in low and any(c.startswith("channel title") for c in low):
        return "channel", row
    if len(row) == 3:  # a localised subscriptions file: check its first data row
        lines = head.splitlines()
        first = header_of("\n".join(lines[1:3])) if len(lines) > 1 else []
        if (len(first) == 3 and _CHANNEL_ID.match(first[0])
                and "youtube.com/channel/" in first[1]):  # fmt: skip
            return "subscriptions", row
    return None


def _files(src: Source, enc: str | None) -> list[tuple[str, Member]]:
    out = []
    for m in src.find("*.csv"):
        k = _kind(m, enc)
        if k:
            out.append((k[0], m))
    return out


def detect(src: Source) -> bool:
    """True if ``src`` holds a Takeout YouTube subscriptions or comments CSV (by header)."""
    return any(k in ("subscriptions", "comments") for k, _m in _files(src, None))


def load(src: Source, **opts: Any) -> LoadResult:
    """Load the YouTube Takeout CSVs in ``src`` (rules in the module docstring). Option:
    ``encoding`` of the CSVs."""
    enc = opts.get("encoding") if isinstance(opts.get("encoding"), str) else None
    res = LoadResult()
    files = [(k, m, read_csv_text(m.read_text(enc))) for k, m in _files(src, enc)]
    channels: list[str] = []
    for k, m, df in files:
        if k == "channel":
            channels += _load_channel(m, df, res)
    writers: set[str] = set()
    for k, m, df in files:
        if k == "comments":
            writers |= _load_comments(m, df, res)
    own = sorted(set(channels)) or sorted(writers)
    acct = f"{PLATFORM}:{own[0]}" if len(own) == 1 else FALLBACK_ACCOUNT
    for k, m, df in files:
        if k == "subscriptions":
            rep = _load_subscriptions(m, df, acct, res)
            if acct == FALLBACK_ACCOUNT:
                why = "several channels" if own else "no channel.csv or comments name your channel"
                rep.notes.append(f"{why}: account_id set to '{FALLBACK_ACCOUNT}'")
    return res


def _col(df: pl.DataFrame, i: int) -> pl.Expr:
    """The ``i``-th data column (``_line`` aside), stripped."""
    return pl.col([c for c in df.columns if c != "_line"][i]).str.strip_chars()


def _load_subscriptions(m: Member, df: pl.DataFrame, acct: str, res: LoadResult) -> FileReport:
    rep = res.file(m.display, FORMAT, df.height)
    if df.height == 0:
        rep.carries(PLATFORM, "following", account_id=acct)
        return rep
    if df.width < 4:  # three data columns and _line
        raise InputError(m.display, "a subscriptions file needs three columns (id, URL, title)")
    d = df.select(_col(df, 0).alias("contact_id"), _col(df, 2).alias("display_name"), "_line")
    ok = pl.col("contact_id").str.contains(_CHANNEL_ID.pattern).fill_null(False)
    for line, cid in d.filter(~ok).select("_line", "contact_id").iter_rows():
        rep.reject(line, "not a channel id" if cid else "missing channel id")
    res.add("connections", d.filter(ok).with_columns(
        pl.lit(acct).alias("account_id"), pl.lit(PLATFORM).alias("platform"),
        pl.lit(True).alias("i_follow"), pl.lit(None, pl.Boolean).alias("follows_me"),
        pl.lit(m.display).alias("_file")))  # fmt: skip
    rep.carries(PLATFORM, "following", account_id=acct)
    return rep


def _load_comments(m: Member, df: pl.DataFrame, res: LoadResult) -> set[str]:
    """Count every comment: rejected without a parsable timestamp, else set aside on the
    writing channel's account. Returns the writing channels."""
    rep = res.file(m.display, FORMAT, df.height)
    rep.notes.append(COMMENTS_NOTE)
    if df.height == 0:
        return set()
    role = {c: _COMMENT_COLS[c.lower()] for c in df.columns if c.lower() in _COMMENT_COLS}
    col = {r: c for c, r in reversed(list(role.items()))}
    d = df.select(
        pl.col(col["channel"]).str.strip_chars().alias("channel"),
        parse_iso_datetime(col["ts"]).alias("ts"), pl.col(col["ts"]).alias("raw"), "_line",
    )  # fmt: skip
    for line, raw in d.filter(pl.col("ts").is_null()).select("_line", "raw").iter_rows():
        rep.reject(line, "unparsable comment timestamp" if raw else "missing comment timestamp")
    good = d.filter(pl.col("ts").is_not_null())
    writers = {c for c in good["channel"].to_list() if c and _CHANNEL_ID.match(c)}
    for ch, n in good.group_by("channel").len().iter_rows():
        acct = f"{PLATFORM}:{ch}" if ch and _CHANNEL_ID.match(ch) else None
        rep.set_aside(n, COMMENT_REASON, activity="comments given", account_id=acct)
    return writers


def _load_channel(m: Member, df: pl.DataFrame, res: LoadResult) -> list[str]:
    rep = res.file(m.display, FORMAT, df.height)
    low = {c.lower(): c for c in df.columns}
    title = next((c for lc, c in low.items() if lc.startswith("channel title")), None)
    rows, ids = [], []
    for r in df.iter_rows(named=True):
        cid = (r.get(low["channel id"]) or "").strip()
        if not _CHANNEL_ID.match(cid):
            rep.reject(r["_line"], "not a channel id")
            continue
        ids.append(cid)
        rows.append({"account_id": f"{PLATFORM}:{cid}", "platform": PLATFORM,
                     "display_name": ((r.get(title) or "").strip() or None) if title else None,
                     "_file": m.display, "_line": r["_line"]})  # fmt: skip
    res.add("accounts", rows)
    return ids
