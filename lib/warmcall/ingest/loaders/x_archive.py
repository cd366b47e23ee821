"""X/Twitter account archive (``twitter-<date>-<hash>.zip`` or its unpacked folder), read in
place (docs/export-formats.md §1), in the layouts of every year: 2018 GDPR archives (unwrapped
items), 2019–20 (``tweet.js``, compact ``= [ {``, singular ``direct-message.js``), 2022+
(``tweets.js``, plural DMs), 2023–25 (``tweets-partN.js``, ``note-tweet.js``,
``deleted-tweets.js``, group DMs in their own files).

Files read (found through ``data/manifest.js`` ``dataTypes.*.files[].fileName`` and, for
anything the manifest does not list, by base name anywhere in the tree; old and new names;
a file the manifest lists but the archive lacks is noted):

=====================  =========================================================  ==========
file(s)                canonical rows                                             record
=====================  =========================================================  ==========
``account.js``         accounts: ``x:<username>``, counts of the lists below       account
``follower.js``        connections: contact_id = accountId, follows_me             item
``following.js``       connections: contact_id = accountId, i_follow               item
``tweets.js``          posts; replies, mentions, retweets -> interactions (out)    tweet
``tweet.js``, parts
``deleted-tweets.js``  the same as tweets (posts you deleted; they happened)       tweet
``note-tweet.js``      the full text of long posts, matched to a tweet by time     note
``direct-message(s)``  one dm interaction per ``messageCreate``; reactions         message
``(-group)(-partN).js``
``like.js``            set aside: a like names the post, not its author            item
``manifest.js``        generation date, account fallback; no records of its own    -
=====================  =========================================================  ==========

Format rules implemented (docs/export-formats.md §1.2): each file is ``window.YTD.<name>.partN =
[ … ]`` (the manifest ``window.__THAR_CONFIG = { … }``), optionally ending in ``;``; empty
types are ``= [ ]``; layouts are pretty (``" : "``) or compact (2019). A missing or wrong
wrapper, or truncated JSON, makes the file unusable (``InputError`` naming it). Items are
wrapped per type (``{"tweet": {…}}``) except in the earliest archives, so unwrapping happens
only when the key is present. Numbers are strings.

Names: the archive names the people you interacted with in your own tweets
(``entities.user_mentions`` id/screen_name/name, ``in_reply_to_user_id_str`` with
``in_reply_to_screen_name``, the ``RT @name:`` prefix once that name's id is known, note-tweet
mentions). Every contact of the archive (follower, followed, or counterpart of an
interaction) whose id appears with a screen name gets that handle (the most recent
evidence wins) and display name (the most recent one given) on a connections row
(``_name_contacts``). Ids of deleted accounts (``"-1"``) name no one.

Signals declared (``FileReport.carries``), from the files present: follower.js ->
followers, following.js -> following, tweets/deleted tweets/likes -> outbound, DMs ->
messages_in and messages_out. The archive has no inbound engagement, no impressions, and
names contacts only from your own tweets, so it never declares inbound, impressions or
profiles.

What the format does not carry (so it is null): follow dates, follower/following handles and
names, DM participant handles, likes' authors and times, impressions/reach/saves/clicks,
replies and mentions written by others. Quote tweets give only a handle in a URL, not an id,
so they produce no interaction (their own mentions still count).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import PurePosixPath
from typing import Any

import polars as pl

from warmcall.core.errors import InputError
from warmcall.core.handles import display_handle, display_handle_py, handle_key
from warmcall.core.schema import DUPKEY
from warmcall.ingest.loaders.base import FileReport, LoadResult
from warmcall.ingest.sources import Member, Source

FORMAT = "x-archive"
PLATFORM = "x"

_WRAPPER = re.compile(r"\s*window\.(?:YTD\.(\w+)\.part(\d+)|(__THAR_CONFIG))\s*=\s*")
_DECODER = json.JSONDecoder()

# Base names (lower case) of the data files this loader reads, by data type. The headers-only
# twins (``direct-message-headers.js``, ``deleted-tweet-headers.js``…) deliberately do not match.
FILE_KINDS: dict[str, re.Pattern[str]] = {
    "account": re.compile(r"account\.js"),
    "follower": re.compile(r"follower(?:-part\d+)?\.js"),
    "following": re.compile(r"following(?:-part\d+)?\.js"),
    "tweets": re.compile(r"tweets?(?:-part\d+)?\.js"),
    "deleted": re.compile(r"deleted-tweets?(?:-part\d+)?\.js"),
    "note": re.compile(r"note-tweet(?:-part\d+)?\.js"),
    "like": re.compile(r"like(?:-part\d+)?\.js"),
    "dm": re.compile(r"direct-messages?(?:-group)?(?:-part\d+)?\.js"),
}
_PART = re.compile(r"-part(\d+)\.js$", re.IGNORECASE)
_RT = re.compile(r"RT @(\w+)")
# Month abbreviations of ``created_at`` (English whatever the locale; docs/export-formats.md §1.4).
_MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS = {name: f"{i:02d}" for i, name in enumerate(_MONTH_NAMES, 1)}
_CREATED_AT = r"^[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{2}:\d{2}:\d{2}) ([+-]\d{4}) (\d{4})$"
NOTE_MATCH_SECONDS = 2  # a note's createdAt is within this many seconds of its tweet's created_at

LIKE_ASIDE = "like given; its author is not in the export"
LIKE_ACTIVITY = "likes given"
GROUP_REASON = "group DM: no single counterpart"


# -- reading the wrapper --------------------------------------------------------------------
def _family(name: str) -> str:
    """``direct-messages`` / ``direct_message`` -> ``direct_message``: the data-type name a
    file stem or YTD global name stands for (case, ``-``/``_`` and plural ``s`` ignored)."""
    return "_".join(t.removesuffix("s") for t in name.lower().replace("-", "_").split("_"))


def read_js(m: Member) -> tuple[Any, list[str]]:
    """Parse one archive ``.js`` file (docs/export-formats.md §1.2).

    Data files must start with ``window.YTD.<name>.partN =`` where ``<name>`` is the file's
    data type (``tweets.js`` -> ``tweets`` or ``tweet``; compared ignoring ``-``/``_`` and a
    plural ``s``) and hold a JSON array; ``manifest.js`` must start with
    ``window.__THAR_CONFIG =`` and hold an object. A trailing ``;`` and any whitespace are
    accepted. Returns ``(data, notes)``. Raises ``InputError`` for a missing or wrong wrapper
    and for truncated or invalid JSON.
    """
    text = m.read_text()
    notes: list[str] = []
    is_manifest = m.basename.lower() == "manifest.js"
    mt = _WRAPPER.match(text)
    if mt is None:
        if not text.strip():
            return ({} if is_manifest else []), ["empty file"]
        want = "window.__THAR_CONFIG =" if is_manifest else "window.YTD.<name>.partN ="
        raise InputError(m.display, f"not an X archive data file: missing the '{want}' wrapper")
    name = mt.group(1)
    if is_manifest != (name is None):
        got = f"window.YTD.{name}.part{mt.group(2)}" if name else "window.__THAR_CONFIG"
        raise InputError(m.display, f"wrong wrapper '{got} =' for this file")
    if name is not None:
        stem = _PART.sub(".js", m.basename)[:-3]
        if _family(name) != _family(stem):
            raise InputError(
                m.display,
                f"wrong wrapper 'window.YTD.{name}.part{mt.group(2)} =': the file name says {stem}",
            )
    start = mt.end()
    if not text[start:].strip(" \t\r\n;"):
        return ({} if is_manifest else []), ["nothing after the wrapper; read as empty"]
    try:
        data, end = _DECODER.raw_decode(text, start)
    except json.JSONDecodeError as e:
        raise InputError(
            m.display, f"truncated or invalid JSON ({e.msg} at line {e.lineno} column {e.colno})"
        ) from None
    except RecursionError:
        raise InputError(m.display, "JSON nested too deeply to parse") from None
    if text[end:].strip(" \t\r\n;"):
        raise InputError(m.display, "unexpected text after the JSON data")
    if is_manifest and not isinstance(data, dict):
        raise InputError(m.display, "manifest is not a JSON object")
    if not is_manifest and not isinstance(data, list):
        raise InputError(m.display, "data is not a JSON array")
    return data, notes


def _unwrap(item: Any, key: str) -> dict | None:
    """The payload of a wrapped item (``{"tweet": {…}}``), or the item itself when it is not
    wrapped (earliest GDPR archives); ``None`` when the item is not an object."""
    if not isinstance(item, dict):
        return None
    inner = item.get(key)
    return inner if isinstance(inner, dict) else item


# -- finding files --------------------------------------------------------------------------
def _kind_of(basename: str) -> str | None:
    low = basename.lower()
    for kind, pat in FILE_KINDS.items():
        if pat.fullmatch(low):
            return kind
    return None


def _part_key(m: Member) -> tuple[str, int, str]:
    mt = _PART.search(m.basename)
    stem = _PART.sub(".js", m.basename).lower()
    return (stem, int(mt.group(1)) if mt else 0, m.name)


def _manifest(src: Source) -> Member | None:
    for m in src.find("manifest.js"):
        head = m.read_head(64).decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
        if head.startswith("window.__THAR_CONFIG"):
            return m
    return None


def _files(
    src: Source, manifest: dict, manifest_member: Member | None
) -> tuple[dict[str, list[Member]], dict[str, int], list[str]]:
    """Data files by kind: every file the manifest lists (paths relative to the archive root,
    the folder above ``data/``; by base name when the path drifted), plus any file with a
    known name that it does not list (noted). Parts are ordered by part number. Also returns
    the manifest's item ``count`` per member name."""
    notes: list[str] = []
    found: dict[str, dict[str, Member]] = {k: {} for k in FILE_KINDS}
    counts: dict[str, int] = {}
    if manifest_member is not None:
        root = PurePosixPath(manifest_member.name).parent.parent
        dtypes = manifest.get("dataTypes")
        for dtype, spec in dtypes.items() if isinstance(dtypes, dict) else []:
            entries = spec.get("files") if isinstance(spec, dict) else None
            for f in entries if isinstance(entries, list) else []:
                fname = _s(f.get("fileName")) if isinstance(f, dict) else None
                kind = _kind_of(PurePosixPath(fname).name) if fname else None
                if not fname or not kind:
                    continue
                m = src.get((root / fname).as_posix().removeprefix("./"))
                if m is None:
                    same = src.find(PurePosixPath(fname).name)
                    m = same[0] if same else None
                if m is None:
                    notes.append(
                        f"manifest lists {fname} ({dtype}) but the archive has no such file"
                    )
                    continue
                found[kind][m.name] = m
                n = _s(f.get("count"))
                if n is not None and n.isdigit():
                    counts[m.name] = int(n)
    for m in src.find("*.js"):
        kind = _kind_of(m.basename)
        if kind and m.name not in found[kind]:
            found[kind][m.name] = m
            if manifest_member is not None:
                notes.append(f"{m.name} is not listed in manifest.js; loaded anyway")
    return {k: sorted(v.values(), key=_part_key) for k, v in found.items()}, counts, notes


def _js_candidates(src: Source) -> list[Member]:
    out = []
    for m in src.find("*.js"):
        if _kind_of(m.basename) or "data" in PurePosixPath(m.name).parts[:-1]:
            out.append(m)
    return sorted(out, key=lambda m: (m.size, m.name))


def detect(src: Source) -> bool:
    """True if the source holds ``manifest.js`` starting ``window.__THAR_CONFIG`` or an
    archive data file (known name or under ``data/``) starting ``window.YTD.`` (reads only
    the manifest or the few smallest candidate files; docs/export-formats.md §1.2)."""
    if _manifest(src) is not None:
        return True
    for m in _js_candidates(src)[:5]:
        head = m.read_head(64).decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
        if head.startswith("window.YTD."):
            return True
    return False


# -- helpers ----------------------------------------------------------------------------------
def _s(v: Any) -> str | None:
    """An id or number as text (archives write them as strings; tolerate ints)."""
    if v is None or isinstance(v, (dict, list, bool)):
        return None
    s = str(v).strip()
    return s or None


def parse_created_at(col: str | pl.Expr) -> pl.Expr:
    """Parse the classic ``created_at`` (``Sat Aug 12 16:10:37 +0000 2023``, i.e.
    ``%a %b %d %H:%M:%S %z %Y``; docs/export-formats.md §1.4) to UTC without the C locale: the
    English month name is mapped with ``MONTHS``; the weekday is ignored. Unparsable -> null.
    The result is named after ``col`` when it is a column name."""
    e = pl.col(col) if isinstance(col, str) else col
    g = e.str.strip_chars().str.extract_groups(_CREATED_AT)
    month = g.struct.field("1").str.to_titlecase().replace_strict(MONTHS, default=None)
    iso = pl.concat_str(
        [g.struct.field("5"), pl.lit("-"), month, pl.lit("-"), g.struct.field("2").str.zfill(2),
         pl.lit("T"), g.struct.field("3"), g.struct.field("4")]
    )  # fmt: skip
    out = iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%z", strict=False, time_unit="us")
    out = out.dt.convert_time_zone("UTC")
    return out.alias(col) if isinstance(col, str) else out


def parse_iso_z(col: str | pl.Expr) -> pl.Expr:
    """Parse the archive's ISO ``createdAt`` (``2023-08-30T23:20:03.000Z``,
    ``%Y-%m-%dT%H:%M:%S%.fZ``, UTC; docs/export-formats.md §1.2). Unparsable -> null."""
    e = pl.col(col) if isinstance(col, str) else col
    return (
        e.str.strip_chars()
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%.fZ", strict=False, time_unit="us")
        .dt.replace_time_zone("UTC")
    )


def _record_key(df: pl.DataFrame) -> pl.Expr:
    """One integer per record: ``_line``, or ``_fid`` and ``_line`` when ``df`` holds the
    records of several files (``_fid``: index into the list of their reports)."""
    if "_fid" in df.columns:
        return pl.col("_fid").cast(pl.Int64) * (1 << 32) + pl.col("_line")
    return pl.col("_line")


def _rep(rep: FileReport | list[FileReport], fid: int | None) -> FileReport:
    return rep[fid or 0] if isinstance(rep, list) else rep


def _reject_bad(
    df: pl.DataFrame, rep: FileReport | list[FileReport], parsed: str, raw: str, what: str
) -> pl.DataFrame:
    """Reject the records (``_line``; with ``_fid``, of the file ``rep[_fid]``) whose ``raw``
    value is present but ``parsed`` is null; return ``df`` without every row of those
    records."""
    bad = df.filter(pl.col(parsed).is_null() & pl.col(raw).is_not_null())
    if bad.height == 0:
        return df
    bad = bad.with_columns(_key=_record_key(df)).unique("_key", keep="first", maintain_order=True)
    fids = bad["_fid"] if "_fid" in bad.columns else pl.repeat(None, bad.height, eager=True)
    for fid, line, value in zip(fids, bad["_line"], bad[raw], strict=True):
        _rep(rep, fid).reject(line, f"unparsable {what} '{value}'")
    return df.filter(~_record_key(df).is_in(bad["_key"].implode()))


def _reject_missing(
    df: pl.DataFrame, rep: FileReport | list[FileReport], col: str, reason: str
) -> pl.DataFrame:
    """Reject the records whose ``col`` is null (``_fid`` as in ``_reject_bad``)."""
    bad = df.filter(pl.col(col).is_null())
    if bad.height == 0:
        return df
    bad = bad.with_columns(_key=_record_key(df)).unique("_key", keep="first", maintain_order=True)
    fids = bad["_fid"] if "_fid" in bad.columns else pl.repeat(None, bad.height, eager=True)
    for fid, line in zip(fids, bad["_line"], strict=True):
        _rep(rep, fid).reject(line, reason)
    return df.filter(~_record_key(df).is_in(bad["_key"].implode()))


class _Ctx:
    """State shared by the per-file readers of one archive; each file is parsed once."""

    def __init__(self, res: LoadResult, account_id: str, own_id: str | None) -> None:
        self.res = res
        self.account_id = account_id
        self.own_id = own_id
        self.cache: dict[str, tuple[Any, list[str]]] = {}

    def data(self, m: Member) -> list:
        if m.name not in self.cache:
            self.cache[m.name] = read_js(m)
        return self.cache[m.name][0]

    def items(
        self, m: Member, kind_label: str, count: Callable[[list], int] = len
    ) -> tuple[list, FileReport]:
        """Parse ``m`` and register it with ``count(items)`` records read."""
        data = self.data(m)
        rep = self.res.file(m.display, f"{FORMAT}-{kind_label}", count(data))
        rep.notes.extend(self.cache[m.name][1])
        return data, rep


# -- loaders per file type --------------------------------------------------------------------
def _load_account(ctx: _Ctx, m: Member) -> tuple[dict, FileReport]:
    """account.js: the first entry with a username; any further entry is rejected."""
    data, rep = ctx.items(m, "account")
    acct: dict = {}
    for i, item in enumerate(data, 1):
        a = _unwrap(item, "account")
        if not acct and a and _s(a.get("username")):
            acct = {**a, "_line": i}
        else:
            rep.reject(i, "not the (first) account entry of account.js")
    return acct, rep


def _load_follow(ctx: _Ctx, files: list[Member], key: str, other: set[str] | None) -> int:
    """follower.js / following.js items -> connections (ids only; docs/export-formats.md §1.3).

    ``key`` is ``follower`` (sets follows_me) or ``following`` (sets i_follow). The other flag
    is True/False from the other list when the archive has it (``other``), else null."""
    n = 0
    for m in files:
        data, rep = ctx.items(m, key)
        rep.carries(PLATFORM, "followers" if key == "follower" else "following",
                    account_id=ctx.account_id)  # fmt: skip
        n += len(data)
        ids = [_s((_unwrap(it, key) or {}).get("accountId")) for it in data]
        df = pl.DataFrame(
            {"contact_id": ids, "_line": range(1, len(ids) + 1)},
            schema={"contact_id": pl.String, "_line": pl.Int64},
        )
        df = _reject_missing(df, rep, "contact_id", f"{key} entry without accountId")
        mine = pl.lit(True)
        theirs = pl.lit(None, pl.Boolean)
        if other is not None:
            theirs = pl.col("contact_id").is_in(list(other))
        flags = (mine.alias("follows_me"), theirs.alias("i_follow"))
        if key == "following":
            flags = (theirs.alias("follows_me"), mine.alias("i_follow"))
        ctx.res.add(
            "connections",
            df.select(
                pl.lit(ctx.account_id).alias("account_id"),
                pl.lit(PLATFORM).alias("platform"),
                "contact_id",
                pl.lit(None, pl.String).alias("handle"),
                pl.lit(None, pl.String).alias("display_name"),
                *flags,
                pl.lit(m.display).alias("_file"),
                "_line",
            ),
        )
    return n


def _ids(ctx: _Ctx, files: list[Member], key: str) -> set[str] | None:
    """Every accountId in follower.js / following.js files; None when there is no such file."""
    if not files:
        return None
    out: set[str] = set()
    for m in files:
        ids = (_s((_unwrap(it, key) or {}).get("accountId")) for it in ctx.data(m))
        out.update(i for i in ids if i)
    return out


def _unescape(e: pl.Expr) -> pl.Expr:
    """Undo X's HTML escaping of ``full_text`` (``&lt;`` ``&gt;`` ``&amp;``, the three it
    writes; ``&amp;`` last so ``&amp;lt;`` stays ``&lt;``)."""
    return (
        e.str.replace_all("&lt;", "<", literal=True)
        .str.replace_all("&gt;", ">", literal=True)
        .str.replace_all("&amp;", "&", literal=True)
    )


#: Evidence that names a contact (``_name_contacts``): the record it is in, its time, the
#: contact's id, the screen name and display name given there, and its order in the archive.
_EVIDENCE = {
    "_file": pl.String, "_line": pl.Int64, "ts": pl.Datetime("us", "UTC"), "_seq": pl.Int64,
    "contact_id": pl.String, "handle": pl.String, "display_name": pl.String,
}  # fmt: skip


def _handle(v: Any) -> str | None:
    """A screen name as written, without a leading ``@``; None when empty or not text."""
    if type(v) is not str:
        return None
    return display_handle_py(v)


def _blank_null(col: str) -> pl.Expr:
    """Text with surrounding white space removed; empty -> null."""
    t = pl.col(col).str.strip_chars()
    return pl.when(t != "").then(t)


def _clean_handle(col: str) -> pl.Expr:
    """A screen name as ``_handle`` gives it (no ``@``, trimmed, empty -> null)."""
    return display_handle(col)


def _load_tweets(
    ctx: _Ctx, files: list[tuple[Member, str]], notes_files: list[Member]
) -> tuple[int, pl.DataFrame]:
    """tweets.js (+ parts) and deleted-tweets.js -> posts and outbound interactions
    (docs/export-formats.md §1.4); also the naming evidence of these tweets and their notes.

    ``files`` are (member, label) with label ``tweets`` or ``deleted-tweets`` (a deleted
    tweet is read the same way: it was posted, and its replies and mentions happened).
    Per tweet: post_id = id_str, ts = created_at, text = HTML-unescaped full_text (replaced
    by the matching note-tweet's full text), likes = favorite_count, shares = retweet_count,
    is_repost = text starts with ``RT @``. Interactions (direction out, post_id = the
    tweet): a reply to someone else -> reply to in_reply_to_user_id_str; each other
    user_mentions id -> mention (not the replied-to person again, never oneself); a retweet
    -> one share to the id of the ``RT @user`` in user_mentions (its other mentions are the
    original author's, not ours), else (the author's id missing, or ``"-1"`` for a deleted
    account) to the id that screen name has elsewhere in the archive (the most recent
    evidence), else none. Returns the number of tweets read in ``tweets`` files and the
    evidence frame (``_EVIDENCE``)."""
    own = ctx.own_id
    # One frame for all the files (parts): per-file frames cost a fixed overhead each, in
    # polars and in validation, which made 20,000 small parts 60 times slower per byte than
    # one file. ``_fid`` indexes ``reps``/``displays``; a record is (_fid, _line).
    reps: list[FileReport] = []
    displays: list[str] = []
    n_read = 0
    seq = 0
    fids: list[int] = []
    lines: list[int] = []
    pid: list[str] = []
    created: list[Any] = []  # raw values; made text (non-strict) by polars below
    texts: list[Any] = []
    favs: list[Any] = []
    rts: list[Any] = []
    i_fid: list[int] = []
    i_line: list[int] = []
    i_kind: list[str] = []
    i_contact: list[str] = []
    e_fid: list[int] = []
    e_line: list[int] = []
    e_id: list[str] = []
    e_sn: list[str] = []
    e_name: list[str | None] = []
    e_seq: list[int] = []
    p_fid: list[int] = []
    p_line: list[int] = []
    p_who: list[str] = []
    p_seq: list[int] = []
    for fid, (m, label) in enumerate(files):
        data, rep = ctx.items(m, label)
        reps.append(rep)
        displays.append(m.display)
        rep.carries(PLATFORM, "outbound", account_id=ctx.account_id)
        if label == "tweets":
            n_read += len(data)
        n_e, n_p = len(e_line), len(p_line)
        for i, item in enumerate(data, 1):
            if type(item) is not dict:
                rep.reject(i, "tweet entry is not a JSON object")
                continue
            t = item.get("tweet")
            if type(t) is not dict:
                t = item  # unwrapped (earliest GDPR archives)
            tid = t.get("id_str") or t.get("id")
            if tid is None or type(tid) is not str:
                tid = _s(tid)
                if tid is None:
                    rep.reject(i, "tweet without id_str")
                    continue
            text = t.get("full_text")
            if text is None:
                text = t.get("text")
            if type(text) is not str:
                text = None
            fids.append(fid)
            lines.append(i)
            pid.append(tid)
            created.append(t.get("created_at"))
            texts.append(text)
            favs.append(t.get("favorite_count"))
            rts.append(t.get("retweet_count"))
            ents = t.get("entities")
            mentions = ents.get("user_mentions") if type(ents) is dict else None
            # (id usable as a contact or None, screen name or None) per mention; each one
            # with both names its contact
            ms: list[tuple[str | None, str | None]] = []
            if type(mentions) is list:
                for um in mentions:
                    if type(um) is not dict:
                        continue
                    cid = _s(um.get("id_str")) or _s(um.get("id"))
                    if not (cid and cid.isdigit() and cid != own):
                        cid = None  # missing, "-1" (a deleted account) or oneself
                    sn = um.get("screen_name")
                    if type(sn) is not str:
                        sn = None
                    ms.append((cid, sn))
                    if cid and sn:  # (cleaned, blanks dropped, in polars below)
                        e_fid.append(fid)
                        e_line.append(i)
                        e_id.append(cid)
                        e_sn.append(sn)
                        e_name.append(um.get("name"))
            if text is not None and text.startswith("RT @"):
                rt = _RT.match(text)
                who = rt.group(1) if rt else ""
                low = who.lower()
                for cid, sn in ms:
                    if sn is not None and sn.strip().lstrip("@").lower() == low:
                        if cid:
                            i_fid.append(fid)
                            i_line.append(i)
                            i_kind.append("share")
                            i_contact.append(cid)
                            who = ""  # resolved here
                        break
                if who:
                    p_fid.append(fid)
                    p_line.append(i)
                    p_who.append(who)
                continue
            to = t.get("in_reply_to_user_id_str") or t.get("in_reply_to_user_id")
            if to is not None:
                to = _s(to)
                if to and to.isdigit() and to != own:
                    i_fid.append(fid)
                    i_line.append(i)
                    i_kind.append("reply")
                    i_contact.append(to)
                    sn = t.get("in_reply_to_screen_name")
                    if type(sn) is str and sn:
                        e_fid.append(fid)
                        e_line.append(i)
                        e_id.append(to)
                        e_sn.append(sn)
                        e_name.append(None)
            if not ms:
                continue
            seen = {own, to}
            for cid, _ in ms:
                if cid and cid not in seen:
                    seen.add(cid)
                    i_fid.append(fid)
                    i_line.append(i)
                    i_kind.append("mention")
                    i_contact.append(cid)

        # evidence of a file first, then its pending retweets (the order of ``_seq``)
        e_seq.extend(range(seq, seq + len(e_line) - n_e))
        seq += len(e_line) - n_e
        p_seq.extend(range(seq, seq + len(p_line) - n_p))
        seq += len(p_line) - n_p

    def text_col(name: str, values: list) -> pl.Series:
        return pl.Series(name, values, dtype=pl.String, strict=False)

    def fid_col(values: list[int]) -> pl.Series:
        return pl.Series("_fid", values, dtype=pl.UInt32)

    file_of = pl.col("_fid").replace_strict(dict(enumerate(displays)), return_dtype=pl.String)
    keys = ["_fid", "_line"]
    df = pl.DataFrame(
        [fid_col(fids), pl.Series("_line", lines, dtype=pl.Int64),
         pl.Series("post_id", pid, dtype=pl.String),
         text_col("_created", created), text_col("_text", texts),
         text_col("_fav", favs).str.strip_chars(), text_col("_rt", rts).str.strip_chars()]
    )  # fmt: skip
    df = df.with_columns(
        ts=parse_created_at("_created"),
        likes=pl.col("_fav").cast(pl.Int64, strict=False),
        shares=pl.col("_rt").cast(pl.Int64, strict=False),
    )
    df = _reject_missing(df, reps, "_created", "tweet without created_at")
    df = _reject_bad(df, reps, "ts", "_created", "created_at")
    df = _reject_bad(df, reps, "likes", "_fav", "favorite_count")
    df = _reject_bad(df, reps, "shares", "_rt", "retweet_count")
    df = df.with_columns(
        text=_unescape(pl.col("_text")),
        is_repost=pl.col("_text").str.starts_with("RT @").fill_null(False),
        _file=file_of,
    )
    inter = pl.DataFrame(
        [fid_col(i_fid), pl.Series("_line", i_line, dtype=pl.Int64),
         pl.Series("kind", i_kind, dtype=pl.String),
         pl.Series("contact_id", i_contact, dtype=pl.String)]
    )  # fmt: skip
    inter = inter.join(
        df.select(*keys, "ts", "post_id"), on=keys, how="inner", maintain_order="left"
    )
    ctx.res.add("interactions", _out_frame(ctx, inter, file_of))
    ev = pl.DataFrame(
        [fid_col(e_fid), pl.Series("_line", e_line, dtype=pl.Int64),
         pl.Series("contact_id", e_id, pl.String),
         text_col("handle", e_sn), text_col("display_name", e_name),
         pl.Series("_seq", e_seq, dtype=pl.Int64)]
    ).with_columns(handle=_clean_handle("handle"), display_name=_blank_null("display_name"))  # fmt: skip
    ev = ev.filter(pl.col("handle").is_not_null())
    ev = ev.join(df.select(*keys, "ts"), on=keys, how="inner", maintain_order="left")
    evidence = [ev.with_columns(_file=file_of).select(list(_EVIDENCE))] if files else []
    pending: list[pl.DataFrame] = []  # retweets whose author id is not in the tweet
    if p_line:
        pend = pl.DataFrame(
            [fid_col(p_fid), pl.Series("_line", p_line, dtype=pl.Int64),
             pl.Series("handle", p_who, dtype=pl.String), pl.Series("_seq", p_seq, dtype=pl.Int64)]
        )  # fmt: skip
        pend = pend.join(
            df.select(*keys, "ts", "post_id"), on=keys, how="inner", maintain_order="left"
        )
        pending.append(pend.with_columns(_file=file_of).drop("_fid"))
    posts = (
        df.select("post_id", "ts", "text", "is_repost", "likes", "shares", "_file", "_line")
        if files
        else None
    )
    note_rows, note_mentions = _match_notes(ctx, notes_files, posts)
    if posts is not None:
        if note_rows is not None and note_rows.height:
            full = note_rows.select("post_id", pl.col("text").alias("_note"))
            posts = posts.join(full, on="post_id", how="left", maintain_order="left").with_columns(
                text=pl.coalesce("_note", "text")
            )
        ctx.res.add("posts", _post_frame(ctx, posts))
    if note_rows is not None:
        ctx.res.add("posts", _post_frame(ctx, note_rows))

    # Screen names without an id (retweeted authors, note mentions): the id that screen name
    # has in the rest of the archive, by its most recent evidence.
    known = pl.concat([*evidence, note_mentions.filter(pl.col("contact_id").is_not_null())])
    by_name = (
        known.sort("ts", "_seq")
        .group_by(handle_key("handle").alias("_h"))
        .agg(pl.col("contact_id").last().alias("_id"))
    )

    def named(df: pl.DataFrame) -> pl.DataFrame:
        return df.with_columns(_h=handle_key("handle")).join(
            by_name, on="_h", how="inner", maintain_order="left"
        )

    if pending:
        rt = named(pl.concat(pending)).with_columns(contact_id=pl.col("_id"), kind=pl.lit("share"))
        for (file,), g in rt.group_by("_file", maintain_order=True):
            ctx.res.add("interactions", _out_frame(ctx, g, str(file)))
        known = pl.concat(
            [known, rt.with_columns(display_name=pl.lit(None, pl.String)).select(list(_EVIDENCE))]
        )
    resolved = named(note_mentions.filter(pl.col("contact_id").is_null())).with_columns(
        contact_id=pl.col("_id")
    )
    return n_read, pl.concat([known, resolved.select(list(_EVIDENCE))])


def _out_frame(ctx: _Ctx, inter: pl.DataFrame, file: str | pl.Expr) -> pl.DataFrame:
    """Outbound tweet interactions (``_line``, ``contact_id``, ``ts``, ``kind``,
    ``post_id``) as candidate rows of ``file`` (a name, or an expression giving each row's)."""
    return inter.select(
        pl.lit(ctx.account_id).alias("account_id"),
        pl.lit(PLATFORM).alias("platform"),
        "contact_id",
        "ts",
        "kind",
        pl.lit("out").alias("direction"),
        "post_id",
        (pl.lit(file) if isinstance(file, str) else file).alias("_file"),
        "_line",
    )


def _post_frame(ctx: _Ctx, df: pl.DataFrame) -> pl.DataFrame:
    cols = [c for c in ("post_id", "ts", "text", "is_repost", "likes", "shares") if c in df.columns]
    return df.select(
        pl.lit(ctx.account_id).alias("account_id"),
        pl.lit(PLATFORM).alias("platform"),
        *cols,
        "_file",
        "_line",
    )


def _note_mentions(n: dict) -> list[tuple[str | None, str]]:
    """(id or None, screen name) of a note's ``core.mentions`` (``screenName``; an id when
    the entry has one)."""
    core = n.get("core")
    ms = core.get("mentions") if isinstance(core, dict) else None
    out = []
    for um in ms if isinstance(ms, list) else []:
        if not isinstance(um, dict):
            continue
        sn = _handle(um.get("screenName")) or _handle(um.get("screen_name"))
        cid = _s(um.get("id_str")) or _s(um.get("userId")) or _s(um.get("id"))
        if sn:
            out.append((cid if cid and cid.isdigit() else None, sn))
    return out


def _match_notes(
    ctx: _Ctx, files: list[Member], posts: pl.DataFrame | None
) -> tuple[pl.DataFrame | None, pl.DataFrame]:
    """note-tweet.js -> the full text of long posts (docs/export-formats.md §1.5). ``noteTweetId``
    is not the tweet id: a note belongs to the tweet whose created_at is nearest its
    createdAt, within ``NOTE_MATCH_SECONDS``; one note per tweet (the nearest). A matched
    note is a posts row (post_id and ts of its tweet, text = ``core.text``, verbatim) that
    merges with the tweet's row; an unmatched note is rejected. Also returns the mentions of
    matched notes as naming evidence (``_EVIDENCE``; contact_id null where the note gives
    only the screen name)."""
    mentions: list[pl.DataFrame] = [pl.DataFrame(schema=_EVIDENCE)]
    if not files:
        return None, mentions[0]
    out = []
    own = ctx.own_id
    for m in files:
        data, rep = ctx.items(m, "note-tweet")
        lines, created, texts = [], [], []
        m_line: list[int] = []
        m_id: list[str | None] = []
        m_sn: list[str] = []
        for i, item in enumerate(data, 1):
            n = _unwrap(item, "noteTweet")
            core = n.get("core") if n else None
            text = core.get("text") if isinstance(core, dict) else None
            if not isinstance(text, str):
                rep.reject(i, "note-tweet without core.text")
                continue
            lines.append(i)
            created.append(_s(n.get("createdAt")) if n else None)
            texts.append(text)
            for cid, sn in _note_mentions(n) if n else []:
                m_line.append(i)
                m_id.append(cid if cid != own else None)
                m_sn.append(sn)
        df = pl.DataFrame(
            {"_line": lines, "_created": created, "text": texts},
            schema={"_line": pl.Int64, "_created": pl.String, "text": pl.String},
        ).with_columns(_nts=parse_iso_z("_created"))
        df = _reject_missing(df, rep, "_created", "note-tweet without createdAt")
        df = _reject_bad(df, rep, "_nts", "_created", "createdAt")
        if posts is not None and posts.height and df.height:
            right = posts.select("post_id", pl.col("ts").alias("_tts"), pl.col("ts")).sort("_tts")
            df = (
                df.sort("_nts")
                .join_asof(
                    right,
                    left_on="_nts",
                    right_on="_tts",
                    strategy="nearest",
                    tolerance=f"{NOTE_MATCH_SECONDS}s",
                )
                .with_columns(_gap=(pl.col("_nts") - pl.col("_tts")).abs())
                .sort("_line")
            )
        else:
            df = df.with_columns(
                post_id=pl.lit(None, pl.String), ts=pl.lit(None, pl.Datetime("us", "UTC")),
                _gap=pl.lit(None, pl.Duration("us")),
            )  # fmt: skip
        best = pl.col("_gap").rank("ordinal").over("post_id") == 1
        df = df.with_columns(_best=pl.when(pl.col("post_id").is_not_null()).then(best))
        for line in df.filter(pl.col("post_id").is_null())["_line"].to_list():
            rep.reject(line, f"note-tweet has no tweet within {NOTE_MATCH_SECONDS} s of it")
        for line in df.filter(pl.col("_best").not_())["_line"].to_list():
            rep.reject(line, "note-tweet matches a tweet already matched by a nearer note")
        ok = df.filter(pl.col("_best"))
        out.append(ok.select("post_id", "ts", "text", pl.lit(m.display).alias("_file"), "_line"))
        if m_line:
            ev = pl.DataFrame(
                {"_line": m_line, "contact_id": m_id, "handle": m_sn},
                schema={"_line": pl.Int64, "contact_id": pl.String, "handle": pl.String},
            ).join(ok.select("_line", pl.col("_nts").alias("ts")), on="_line", how="inner")
            mentions.append(
                ev.with_columns(
                    _file=pl.lit(m.display),
                    _seq=pl.lit(None, pl.Int64),
                    display_name=pl.lit(None, pl.String),
                ).select(list(_EVIDENCE))
            )
    return (pl.concat(out) if out else None), pl.concat(mentions)


def _load_dms(ctx: _Ctx, files: list[Member]) -> None:
    """direct-message(s)(-group)(-partN).js -> dm and reaction interactions
    (docs/export-formats.md §1.6). Records are the messages of the file in file order (1-based,
    across conversations; a conversation split over entries or files needs no merging since
    each message stands alone).

    - ``messageCreate``: a dm, direction out when senderId is the own accountId, else in.
      Counterpart: one-to-one (``conversationId`` ``"<a>-<b>"``) -> the other id; group ->
      the sender for inbound, ``recipientId`` for outbound when it names one person (it is
      usually missing or ``"0"``: then the message has no single counterpart; it is rejected
      with ``GROUP_REASON`` unless reactions to it by others give rows).
    - reactions in ``messageCreate.reactions[]`` and ``reactionCreate`` items: kind reaction;
      by someone else -> in from them; by me -> out to the message's sender (or the other
      one-to-one participant; none for a group ``reactionCreate``).
    - every other entry (``joinConversation``, ``participantsJoin``, ``participantsLeave``,
      ``conversationNameUpdate``, ``welcomeMessageCreate``, …) is rejected as a system event.

    Each row carries ``_dupkey`` (``warmcall.core.schema.DUPKEY``), its identity in the archive:
    the message ``id`` for a dm, the reaction's ``eventId`` (else ``<message id>:<sender>``)
    for a reaction. Two messages in the same second are two events; the same message twice
    (overlapping parts) is a duplicate.
    """
    own = ctx.own_id
    for m in files:
        data, rep = ctx.items(m, "dm", _count_messages)
        rep.carries(PLATFORM, "messages_in", "messages_out", account_id=ctx.account_id)
        is_group_file = "group" in m.basename.lower()
        # line, contact, ts, kind, direction, identity
        rows: list[tuple[int, str, str | None, str, str, str | None]] = []
        line = 0
        for conv in data:
            c = _unwrap(conv, "dmConversation") or {}
            msgs = c.get("messages")
            if not isinstance(msgs, list):
                continue
            pair = (_s(c.get("conversationId")) or "").split("-")
            other = None
            if not is_group_file and len(pair) == 2 and own in pair:
                other = pair[1] if pair[0] == own else pair[0]
            for msg in msgs:
                line += 1
                if own is None:
                    rep.reject(line, "own accountId unknown: cannot tell DM direction")
                    continue
                if not isinstance(msg, dict) or not msg:
                    rep.reject(line, "DM entry is not a JSON object")
                    continue
                typ = next(iter(msg))
                body = msg[typ]
                if not isinstance(body, dict):
                    rep.reject(line, f"DM entry {typ} is not a JSON object")
                    continue
                sender = _s(body.get("senderId"))
                ts = _s(body.get("createdAt"))
                mid = _s(body.get("id"))
                if typ == "messageCreate":
                    if sender is None:
                        rep.reject(line, "DM without senderId")
                        continue
                    n0 = len(rows)
                    if sender != own:
                        rows.append((line, sender, ts, "dm", "in", mid))
                    else:
                        to = other
                        if to is None:
                            r = _s(body.get("recipientId"))
                            to = r if r and r != "0" and r != own else None
                        if to is not None:
                            rows.append((line, to, ts, "dm", "out", mid))
                    reactions = body.get("reactions")
                    for r in reactions if isinstance(reactions, list) else []:
                        who = _s(r.get("senderId")) if isinstance(r, dict) else None
                        if who is None:
                            continue
                        rts = _s(r.get("createdAt"))
                        rid = _s(r.get("eventId")) or f"{mid}:{who}"
                        if who != own:
                            rows.append((line, who, rts, "reaction", "in", rid))
                        else:
                            target = sender if sender != own else other
                            if target is not None and target != own:
                                rows.append((line, target, rts, "reaction", "out", rid))
                    if len(rows) == n0:
                        rep.reject(line, GROUP_REASON)
                elif typ == "reactionCreate":
                    rid = _s(body.get("eventId"))
                    if sender is None:
                        rep.reject(line, "DM reaction without senderId")
                    elif sender != own:
                        rows.append((line, sender, ts, "reaction", "in", rid))
                    elif other is not None:
                        rows.append((line, other, ts, "reaction", "out", rid))
                    else:
                        rep.reject(line, GROUP_REASON)
                else:
                    rep.reject(line, f"DM system event: {typ}")
        cols = list(zip(*rows, strict=True)) if rows else [[], [], [], [], [], []]
        lines, contact, raw_ts, kinds, dirs, keys = (list(c) for c in cols)
        df = pl.DataFrame(
            {"_line": lines, "contact_id": contact, "_raw": raw_ts, "kind": kinds,
             "direction": dirs, DUPKEY: keys},
            schema={"_line": pl.Int64, "contact_id": pl.String, "_raw": pl.String,
                    "kind": pl.String, "direction": pl.String, DUPKEY: pl.String},
        ).with_columns(ts=parse_iso_z("_raw"))  # fmt: skip
        df = _reject_missing(df, rep, "_raw", "DM without createdAt")
        df = _reject_bad(df, rep, "ts", "_raw", "createdAt")
        ctx.res.add(
            "interactions",
            df.select(
                pl.lit(ctx.account_id).alias("account_id"),
                pl.lit(PLATFORM).alias("platform"),
                "contact_id",
                "ts",
                "kind",
                "direction",
                pl.lit(None, pl.String).alias("post_id"),
                pl.lit(m.display).alias("_file"),
                "_line",
                DUPKEY,
            ),
        )


def _count_messages(data: list) -> int:
    n = 0
    for conv in data:
        c = _unwrap(conv, "dmConversation") or {}
        msgs = c.get("messages")
        n += len(msgs) if isinstance(msgs, list) else 0
    return n


def _load_likes(ctx: _Ctx, files: list[Member]) -> None:
    """like.js items: set aside, not loaded (docs/export-formats.md §1.5): a like names the post
    (``tweetId``) but neither its author nor its time, so it has no counterpart. They count
    in the owner's activity as ``LIKE_ACTIVITY``; an item without a tweetId is rejected."""
    for m in files:
        data, rep = ctx.items(m, "like")
        rep.carries(PLATFORM, "outbound", account_id=ctx.account_id)
        n = 0
        for i, item in enumerate(data, 1):
            like = _unwrap(item, "like")
            if like is None or _s(like.get("tweetId")) is None:
                rep.reject(i, "like entry without tweetId")
            else:
                n += 1
        rep.set_aside(n, LIKE_ASIDE, activity=LIKE_ACTIVITY, account_id=ctx.account_id)


def _name_contacts(
    ctx: _Ctx, evidence: pl.DataFrame, followers: set[str] | None, following: set[str] | None
) -> None:
    """Name the archive's contacts from its own evidence (module docstring, "Names").

    Contacts are the ids in follower.js and following.js and the counterparts of the
    interactions loaded from this archive. Each contact with evidence gets one connections
    row: handle = the screen name of its most recent evidence (by tweet time, then archive
    order), display_name = the most recent name given (mentions give one, replies do not),
    follows_me / i_follow from the lists as for follower.js rows (null without the list),
    ``_file``/``_line`` = the record of the winning evidence. It merges with the contact's
    follower/following row (``accounting._merge``)."""
    lists = {k: pl.Series("contact_id", list(ids or ()), dtype=pl.String)
             for k, ids in (("follower", followers), ("following", following))}  # fmt: skip
    parts = [*lists.values(), *(f["contact_id"] for f in ctx.res.tables.get("interactions", []))]
    contacts = pl.concat(parts)
    names = (
        evidence.filter(pl.col("contact_id").is_in(contacts.implode()))
        .sort("ts", "_seq", nulls_last=False)
        .group_by("contact_id", maintain_order=True)
        .agg(
            pl.col("handle").last(),
            pl.col("display_name").drop_nulls().last(),
            pl.col("_file").last(),
            pl.col("_line").last(),
        )
    )

    def flag(key: str, ids: set[str] | None) -> pl.Expr:
        if ids is None:
            return pl.lit(None, pl.Boolean)
        return pl.col("contact_id").is_in(lists[key].implode())

    ctx.res.add(
        "connections",
        names.select(
            pl.lit(ctx.account_id).alias("account_id"),
            pl.lit(PLATFORM).alias("platform"),
            "contact_id",
            "handle",
            "display_name",
            flag("follower", followers).alias("follows_me"),
            flag("following", following).alias("i_follow"),
            "_file",
            "_line",
        ),
    )


def _generation_date(manifest: dict, rep: FileReport | None) -> date | None:
    info = manifest.get("archiveInfo") if manifest else None
    raw = _s(info.get("generationDate")) if isinstance(info, dict) else None
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw[:10])
    except ValueError:
        if rep is not None:
            rep.notes.append(f"unparsable generationDate '{raw}'; snapshot_date left empty")
        return None


# -- entry point ------------------------------------------------------------------------------
def load(src: Source, **_: object) -> LoadResult:
    """Load an X archive (zip or folder) into canonical candidate rows (docs/export-formats.md §1).

    accounts: one row, account_id ``x:<username>`` (lower-cased: X handles are
    case-insensitive, and analytics URLs may spell them otherwise) from account.js (else the manifest's
    userInfo), handle, display_name, snapshot_date = the manifest's generationDate (null
    without a manifest); followers / following / posts_count = the number of items in
    follower.js / following.js / tweets.js (all parts), i.e. counts at export time (null when
    the archive has no such file). See the module docstring for the other files.
    """
    res = LoadResult()
    man_m = _manifest(src)
    manifest: dict = {}
    man_rep = None
    if man_m is not None:
        manifest, notes = read_js(man_m)
        man_rep = res.file(man_m.display, f"{FORMAT}-manifest", 0)
        man_rep.notes.extend(notes)
    files, counts, notes = _files(src, manifest, man_m)
    if man_rep is not None:
        man_rep.notes.extend(notes)

    ctx = _Ctx(res, "", None)
    acct: dict = {}
    acct_src: tuple[str, int] = ("", 0)
    for m in files["account"]:
        a, rep = _load_account(ctx, m)
        if a and not acct:
            acct, acct_src = a, (m.display, a["_line"])
        elif a:
            rep.reject(a["_line"], "a second account.js in the archive; the first is used")
    if not acct:
        info = manifest.get("userInfo")
        if (
            man_m is not None
            and man_rep is not None
            and isinstance(info, dict)
            and _s(info.get("userName"))
        ):
            acct = {"username": info.get("userName"), "accountId": info.get("accountId"),
                    "accountDisplayName": info.get("displayName")}  # fmt: skip
            man_rep.rows_read = 1
            acct_src = (man_m.display, 1)
        else:
            raise InputError(
                src.path,
                "X archive without account.js or manifest userInfo: whose archive is it?",
            )
    username = str(acct["username"]).strip().lstrip("@")
    ctx.account_id = f"{PLATFORM}:{username.lower()}"  # X handles are case-insensitive
    info = manifest.get("userInfo")
    ctx.own_id = _s(acct.get("accountId")) or (
        _s(info.get("accountId")) if isinstance(info, dict) else None
    )

    followers = _ids(ctx, files["follower"], "follower")
    following = _ids(ctx, files["following"], "following")
    n_followers = _load_follow(ctx, files["follower"], "follower", following)
    n_following = _load_follow(ctx, files["following"], "following", followers)
    tweet_files = [(m, "tweets") for m in files["tweets"]]
    tweet_files += [(m, "deleted-tweets") for m in files["deleted"]]
    n_tweets, evidence = _load_tweets(ctx, tweet_files, files["note"])
    _load_dms(ctx, files["dm"])
    _load_likes(ctx, files["like"])
    _name_contacts(ctx, evidence, followers, following)

    if man_rep is not None:
        for name, n in counts.items():
            if name in ctx.cache and len(ctx.cache[name][0]) != n:
                have = len(ctx.cache[name][0])
                man_rep.notes.append(f"manifest count for {name} is {n}, the file has {have}")
    res.add(
        "accounts",
        pl.DataFrame(
            {
                "account_id": [ctx.account_id],
                "platform": [PLATFORM],
                "handle": [username],
                "display_name": [_s(acct.get("accountDisplayName"))],
                "snapshot_date": [_generation_date(manifest, man_rep)],
                "followers": [n_followers if files["follower"] else None],
                "following": [n_following if files["following"] else None],
                "posts_count": [n_tweets if files["tweets"] else None],
                "_file": [acct_src[0]],
                "_line": [acct_src[1]],
            },
            schema={
                "account_id": pl.String,
                "platform": pl.String,
                "handle": pl.String,
                "display_name": pl.String,
                "snapshot_date": pl.Date,
                "followers": pl.Int64,
                "following": pl.Int64,
                "posts_count": pl.Int64,
                "_file": pl.String,
                "_line": pl.Int64,
            },
        ),  # fmt: skip
    )
    return res
