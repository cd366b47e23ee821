"""LinkedIn "Get a copy of your data" export (a zip as downloaded or its folder).

Rules from docs/export-formats.md §3 (fixtures §8 "LinkedIn export"), with the layouts of every
year seen in real exports (2018 to 2026):

Files read (matched by normalised base name, §3.1 ``li_key``: member-id suffix dropped,
spaces/underscores unified, case ignored; found anywhere in the tree):

============================  ==============================================================
``connections``               ``Connections.csv`` -> connections (§3.2)
``member_follows``            ``Member_Follows.csv`` -> connections with ``i_follow`` (§3.2)
``messages``                  ``messages.csv`` / 2018 ``Messages.csv`` -> ``dm`` in/out (§3.3)
``invitations``               ``Invitations.csv`` -> ``invitation`` in/out (§3.4)
``endorsement_received_info`` ``Endorsement_Received_Info.csv`` -> ``endorsement`` in (§3.6)
``recommendations_received``  ``Recommendations_Received.csv`` -> ``endorsement`` in (§3.6;
                              a written recommendation is an endorsement of the person)
``shares``                    ``Shares.csv`` -> posts (§3.5)
``comments``, ``reactions``   own comments and reactions: read and *set aside* (valid, but
                              the export does not say whose post it was, §3.5)
``profile``                   ``Profile.csv`` -> the accounts row (§3.6)
============================  ==============================================================

Every other file of the export (``Ad_Targeting.csv``, ``Email Addresses.csv``,
``Rich Media.csv``, ``coach_messages.csv``, ``Positions.csv``, …) is not about relationships
or own posts and is not read or registered at all. The creator analytics ``.xlsx`` (§4) is
read by ``linkedin_analytics``.

Layouts of every year:

- Text: UTF-8 (BOM stripped); UTF-16 (with or without BOM, as the 2018 ``Shares.csv``).
  Fields are comma-separated, or tab-separated (2018 ``Shares.csv``): the header row
  decides. The header is the first record holding the file's required columns, so the
  ``Notes:`` preamble (2022+) and a missing one both work.
- Dates: one format per file (§3.6 "Date formats by file"), chosen among that file's
  known formats by the file's first non-empty date: ``Connections.csv`` ``08 Feb 2023``
  (``%d %b %Y``, English month names mapped here, so locale independent; an unknown month
  such as a localized ``mrt`` rejects the row with the value in the reason) or, in 2018,
  ``1/8/18, 6:14 PM`` (``%m/%d/%y, %I:%M %p``); ``messages.csv`` ``%Y-%m-%d %H:%M:%S UTC``
  (the only one with a zone) or the 2018 ``%m/%d/%y, %I:%M %p``; ``Shares.csv`` etc.
  ``%Y-%m-%d %H:%M:%S`` or the 2018 form. All but ``messages.csv`` are taken as UTC.
- ``messages.csv`` without ``CONVERSATION ID`` (2018): a conversation is the set of
  participants plus the subject (without ``Re:``/``Fwd:``); a ``DIRECTION`` column
  (``INCOMING``/``OUTGOING``) gives the direction directly.

A file that cannot be read (no header row with its columns, undecodable) is reported with
the reason (read 0 and a note) and the rest of the export loads; when that leaves nothing
to load, ``InputError`` names the export.

One person, one contact (contact_id): every key the export gives for a person resolves to
one contact.

- A profile URL ``…/in/<slug>`` gives the slug, percent-decoded and lower-cased. A member-id
  URL (``/in/ACoAA…``, as messages sometimes give) becomes the vanity slug that the same
  name has elsewhere in the export when there is exactly one.
- A connection listed without a profile URL (``Connections.csv`` of 2018–2022 has no URL
  column) takes the one profile URL that the other files (messages, invitations,
  endorsements) give for its name, when the name is held by one connection only and by one
  profile URL only: *linked by name*. Each such link is named in a note on
  ``Connections.csv`` (the name, the slug and the files that gave it). Otherwise it is
  ``name:<lower-cased full name>``; a name shared by several URL-less connections keeps them
  apart by company (``name:<name>|<company>``).
- A person named without a URL elsewhere (2018 messages, recommendations, follows, older
  invitations) is the connection of that name when one connection holds it (with several,
  the one at the same company, the display name plus company being all there is), else the
  one profile URL seen with the name, else ``name:<name>``.
- Names that could not be linked because they match several connections or several
  profile URLs are kept apart and counted in a note.

``_dupkey`` (see ``warmcall.core.schema``): a message's ``MESSAGE ID`` when the export has one,
else the whole raw row, so two messages sent in the same second both load; an
endorsement's skill; a share's ``ShareLink`` and ``MediaUrl``; the whole raw row for every
other file.

The own account (``linkedin:<handle>``): the handle comes from a profile-URL column in
``Profile.csv`` if the export has one, else from ``Invitations.csv`` (the inviter of
OUTGOING / invitee of INCOMING invitations), else from ``messages.csv`` (``DIRECTION``
when present, else the participant present in every conversation, own connections
excluded), else ``linkedin:me`` with a note. The display name comes from ``Profile.csv``.
Followers, following and post counts are not in the export (§3 "Not available"), so they
are null (the follower total comes from the creator analytics workbook when it is loaded
with the export).

Signals (``FileReport.carries``), from the files read: ``Connections.csv`` -> followers and
following (a LinkedIn connection is both) and profiles (names, companies, positions);
``Member_Follows.csv`` -> following; ``messages.csv`` -> messages_in, messages_out;
invitations, endorsements and recommendations received -> inbound; shares, comments and
reactions -> outbound.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import unquote

import polars as pl

from warmcall.core.errors import InputError
from warmcall.ingest.loaders.base import FileReport, LoadResult
from warmcall.ingest.loaders.csvutil import read_csv_text
from warmcall.ingest.sources import Member, Source, decode

FORMAT = "linkedin"
PLATFORM = "linkedin"

# li_key -> columns (lower-case) that identify the header row and must all be present.
REQUIRED: dict[str, tuple[str, ...]] = {
    "connections": ("first name", "last name", "connected on"),
    "messages": ("from", "to", "date"),
    "invitations": ("from", "to", "sent at"),
    "shares": ("date", "sharelink"),
    "comments": ("date", "link"),
    "reactions": ("date", "type", "link"),
    "member_follows": ("date",),
    "endorsement_received_info": ("endorsement date", "endorser first name", "endorser last name"),
    "recommendations_received": ("first name", "last name", "creation date"),
    "profile": ("first name", "last name"),
}
# li_key -> columns of which the header must hold at least one.
ANY_OF: dict[str, tuple[str, ...]] = {"member_follows": ("fullname", "full name")}
# Files that make a source a LinkedIn export (Profile.csv alone does not).
CLAIMING = ("connections", "messages", "invitations", "shares", "comments", "reactions",
            "member_follows", "endorsement_received_info", "recommendations_received")  # fmt: skip
# Date formats (docs/export-formats.md §3.6); FMT_US is also the 2018 form of every file.
FMT_CONNECTIONS = "%d %b %Y"
FMT_MESSAGES = "%Y-%m-%d %H:%M:%S UTC"
FMT_US = "%m/%d/%y, %I:%M %p"
FMT_INVITATIONS = FMT_US
FMT_ACTIVITY = "%Y-%m-%d %H:%M:%S"  # Comments, Reactions, Shares
FMT_ENDORSEMENTS = "%Y/%m/%d %H:%M:%S UTC"
# Per file, the formats its date column has had, newest first; one is chosen per file.
FORMATS: dict[str, tuple[str, ...]] = {
    "messages": (FMT_MESSAGES, FMT_US),
    "shares": (FMT_ACTIVITY, FMT_US),
    "recommendations_received": (FMT_US, FMT_ACTIVITY),
}
_US_DATE = r"^\d{1,2}/\d{1,2}/\d{2}, \d{1,2}:\d{2}\s?[AaPp][Mm]$"
MONTH_ABBR = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTHS = {m: i for i, m in enumerate(MONTH_ABBR, 1)}
HIDDEN_MEMBER = "linkedin member"  # deleted or hidden senders (§3.3)
HIDDEN_REASON = "sender 'LinkedIn Member' (deleted or hidden) has no profile URL"
COMMENT_ASIDE = "own comment: the export does not say whose post it was"
REACTION_ASIDE = "own reaction: the export does not say whose post it was"
_SLUG = r"(?i)linkedin\.com/in/([^/?#\s,]+)"
_MEMBER_ID = r"^acoa[a-z0-9_-]{8,}$"  # member-id URLs (/in/ACoAA…), lower-cased
_URN = r"(urn:li:[A-Za-z]+:[0-9]+)"
_HEADER_SCAN = 40  # records scanned for a header row
_HEADER_CHARS = 1 << 18  # characters scanned for a header row
_EXAMPLES = 5  # names quoted in a note


def li_key(name: str) -> str:
    """Normalised LinkedIn file key (docs/export-formats.md §3.1): ``Comments_1111111.csv`` ->
    ``comments``, ``Rich Media.csv`` -> ``rich_media``."""
    stem = re.sub(r"_\d+$", "", PurePosixPath(name).stem)
    return re.sub(r"[\s_]+", "_", stem).lower()


def _members(src: Source) -> dict[str, list[Member]]:
    out: dict[str, list[Member]] = {}
    for m in src.find("*.csv"):
        k = li_key(m.basename)
        if k in REQUIRED:
            out.setdefault(k, []).append(m)
    return out


def _utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` when ``data`` (no BOM) has NUL bytes in every other position of
    its start, as UTF-16 text of mostly ASCII characters does; else None."""
    head = data[:512]
    if len(head) < 4 or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd >= len(head) // 2 * 0.9 and even == 0:
        return "utf-16-le"
    if even >= len(head) // 2 * 0.9 and odd == 0:
        return "utf-16-be"
    return None


def _text(m: Member, encoding: str | None) -> str:
    """The member's text: ``encoding`` if given, else UTF-8 or UTF-16 (BOM or not)."""
    if encoding:
        return m.read_text(encoding)
    data = m.read_bytes()
    return decode(data, m.display, _utf16_without_bom(data))


def _head(m: Member) -> str:
    """The start of the member as text, for detection (undecodable bytes replaced)."""
    data = m.read_head(_HEADER_CHARS)
    enc = _utf16_without_bom(data)
    if enc:
        return data[: len(data) // 2 * 2].decode(enc, errors="replace")
    return m.head_text(_HEADER_CHARS)


def _find_header(text: str, key: str) -> tuple[int, str] | None:
    """(0-based physical line index, delimiter) of the first record holding every required
    column of file ``key`` (case-insensitive), scanning past preambles (§3.2 "Robust
    rule"); commas first, then tabs (2018 ``Shares.csv``). None if absent."""
    esc = "\\" if key == "comments" else None
    for delim in (",", "\t"):
        # The header sits within the first few records: scan a bounded prefix only.
        reader = csv.reader(
            io.StringIO(text[:_HEADER_CHARS], newline=""), escapechar=esc, delimiter=delim
        )
        start = 0
        try:
            for i, rec in enumerate(reader):
                cells = {c.strip().lower() for c in rec}
                if all(r in cells for r in REQUIRED[key]) and (
                    key not in ANY_OF or cells & set(ANY_OF[key])
                ):
                    return start, delim
                start = reader.line_num
                if i >= _HEADER_SCAN:
                    break
        except csv.Error:
            continue
    return None


def detect(src: Source) -> bool:
    """True if the source holds a LinkedIn export file: a ``Connections.csv`` (with its
    header, or starting with the ``Notes:`` preamble), or one of the other ``CLAIMING``
    files whose header has the LinkedIn columns (§3)."""
    found = _members(src)
    for key in CLAIMING:
        for m in found.get(key, []):
            head = _head(m)
            if key == "connections" and head.lstrip().startswith("Notes:"):
                return True
            if _find_header(head, key) is not None:
                return True
    return False


# -- reading ---------------------------------------------------------------------------


def _read(m: Member, key: str, encoding: str | None) -> pl.DataFrame | None:
    """The file's records as an all-string frame with lower-cased column names and the
    physical ``_line``; None for an empty file (no header at all, or just
    ``No conversations found``). Missing header or undecodable text -> InputError."""
    text = _text(m, encoding)
    if not text.strip() or text.strip().lower() == "no conversations found":
        return None
    found = _find_header(text, key)
    if found is None:
        need = ", ".join(REQUIRED[key] + ANY_OF.get(key, ())[:1])
        raise InputError(m.display, f"no header row with the columns {need} (LinkedIn {key})")
    at, delim = found
    if key == "comments":
        df = _read_escaped(text, at, delim)
    else:
        df = read_csv_text(text, skip_lines=at, separator=delim)
    return df.rename({c: c.strip().lower() for c in df.columns if c != "_line"})


def _read_escaped(text: str, skip_lines: int, delim: str = ",") -> pl.DataFrame:
    """Comments.csv: quotes escaped with a backslash (``\\"``, ``\\""`` at a field's end) as
    well as doubled (§3.5); read with ``escapechar='\\\\', doublequote=True``. A literal
    backslash is lost (no way around it). Returns all-string columns plus ``_line``."""
    body = "".join(text.splitlines(keepends=True)[skip_lines:])
    reader = csv.reader(
        io.StringIO(body, newline=""), escapechar="\\", doublequote=True, delimiter=delim
    )
    cols: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1
    for rec in reader:
        line = skip_lines + start
        start = reader.line_num + 1
        if not any(f.strip() for f in rec):
            continue
        if cols is None:
            cols = [c.strip() for c in rec]
            continue
        rows.append(rec)
        lines.append(line)
    cols = cols or []
    data = {
        c: [r[i] if i < len(r) and r[i] != "" else None for r in rows]
        for i, c in enumerate(cols)
        if c not in cols[:i]
    }
    return pl.DataFrame(
        {**data, "_line": lines}, schema={**dict.fromkeys(data, pl.String), "_line": pl.Int64}
    )


def _col(df: pl.DataFrame, name: str) -> pl.Expr:
    """Column ``name`` (lower-case), stripped, empty -> null; a null literal if absent."""
    if name not in df.columns:
        return pl.lit(None, pl.String)
    e = pl.col(name).str.strip_chars()
    return pl.when(e != "").then(e)


def _row_key(df: pl.DataFrame) -> pl.Expr:
    """The whole raw row as one value (``_dupkey`` where the file has no record id)."""
    cols = [c for c in df.columns if c != "_line"]
    if not cols:
        return pl.lit(None, pl.String)
    return (
        pl.concat_str([pl.col(c).fill_null("") for c in cols], separator="\x1f")
        .hash(seed=0)
        .cast(pl.String)
    )


def _name_key(e: pl.Expr) -> pl.Expr:
    """Lower-cased name with whitespace collapsed (for matching names across files)."""
    k = e.str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()
    return pl.when(k != "").then(k)


def _full_name(df: pl.DataFrame, first: str, last: str) -> pl.Expr:
    n = pl.concat_str([_col(df, first), _col(df, last)], separator=" ", ignore_nulls=True)
    n = n.str.strip_chars()
    return pl.when(n != "").then(n)


def _with_slug(df: pl.DataFrame, url: str, out: str) -> pl.DataFrame:
    """Add ``out``: the ``/in/<slug>`` of column ``url``, percent-decoded, lower-case."""
    df = df.with_columns(pl.col(url).str.extract(_SLUG, 1).alias(out))
    enc = df.filter(pl.col(out).str.contains("%", literal=True))[out].unique().to_list()
    if enc:
        df = df.with_columns(pl.col(out).replace({s: unquote(s) for s in enc}))
    return df.with_columns(pl.col(out).str.to_lowercase())


def _post_id(e: pl.Expr) -> pl.Expr:
    """A LinkedIn URN (``urn:li:activity:111…``) from a feed link, ``%3A`` decoded."""
    return e.str.replace_all("(?i)%3A", ":").str.extract(_URN, 1)


def _ts(raw: pl.Expr, fmt: str) -> pl.Expr:
    return (
        raw.str.strip_chars()
        .str.to_datetime(fmt, strict=False, time_unit="us")
        .dt.replace_time_zone("UTC")
    )


def _pick_format(raw: pl.Series, formats: tuple[str, ...]) -> str:
    """The one date format of a file: the first of ``formats`` (the file's known layouts)
    that parses the file's first non-empty date that any of them parses; ``formats[0]``
    when none does (every row is then rejected naming it)."""
    vals = raw.drop_nulls().str.strip_chars()
    vals = vals.filter(vals != "").head(50)
    if vals.len() == 0:
        return formats[0]
    frame = pl.DataFrame({"v": vals})
    parsed = frame.select(
        [pl.col("v").str.to_datetime(f, strict=False).is_not_null().alias(str(i))
         for i, f in enumerate(formats)]
    )  # fmt: skip
    for row in parsed.iter_rows():
        for i, ok in enumerate(row):
            if ok:
                return formats[i]
    return formats[0]


def _reject_rows(rep: FileReport, df: pl.DataFrame, reason: str = "_reason") -> None:
    for line, why in df.filter(pl.col(reason).is_not_null()).select("_line", reason).iter_rows():
        rep.reject(line, why)


def _short(path: str) -> str:
    return PurePosixPath(path.split("!")[-1]).name


@dataclass
class _Own:
    """What the export says about its own account."""

    slug: str | None = None
    name: str | None = None  # display name as given
    how: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def name_key(self) -> str | None:
        return " ".join(self.name.split()).lower() if self.name else None

    @property
    def handle(self) -> str:
        return self.slug or "me"


# -- per-file parsers ------------------------------------------------------------------


def _connections(df: pl.DataFrame) -> pl.DataFrame:
    """Connections.csv rows -> candidate columns plus ``_reason`` (null when usable).

    ``Connected On`` is ``%d %b %Y`` (``08 Feb 2023``), English month abbreviations mapped
    here, or in 2018 exports ``%m/%d/%y, %I:%M %p`` (``1/8/18, 6:14 PM``); one format per
    file, chosen by its first date; no zone, so UTC. No name and no URL (a member who left
    or hid the profile): rejected."""
    df = df.select(
        "_line",
        _full_name(df, "first name", "last name").alias("display_name"),
        _col(df, "url").alias("_url"),
        _col(df, "company").alias("company"),
        _col(df, "position").alias("position"),
        _col(df, "connected on").alias("_raw_date"),
        _row_key(df).alias("_dupkey"),
    )
    df = _with_slug(df, "_url", "_slug")
    first = df["_raw_date"].drop_nulls().head(1).to_list()
    us = bool(first) and re.match(_US_DATE, first[0]) is not None
    if us:
        df = df.with_columns(
            _ts(pl.col("_raw_date"), FMT_US).alias("connected_at"),
            pl.lit(None, pl.String).alias("_mon"),
            pl.lit(None, pl.Int64).alias("_m"),
        )
        month_name = pl.lit(None, pl.String)
        fmt = FMT_US
    else:
        parts = pl.col("_raw_date").str.extract_groups(r"^(\d{1,2}) ([A-Za-z]+) (\d{4})$")
        month_name = parts.struct.field("2")
        df = df.with_columns(
            parts.struct.field("1").alias("_d"),
            month_name.str.to_lowercase().alias("_mon"),
            parts.struct.field("3").alias("_y"),
        ).with_columns(
            pl.col("_mon").replace_strict(MONTHS, default=None, return_dtype=pl.Int64).alias("_m"),
        )
        iso = pl.format(
            "{}-{}-{}", "_y", pl.col("_m").cast(pl.String).str.zfill(2), pl.col("_d").str.zfill(2)
        )
        df = df.with_columns(
            iso.str.to_datetime("%Y-%m-%d", strict=False, time_unit="us")
            .dt.replace_time_zone("UTC")
            .alias("connected_at")
        )
        fmt = FMT_CONNECTIONS
    df = df.with_columns(_name_key(pl.col("display_name")).alias("_nkey"))
    reason = (
        pl.when(
            pl.col("_slug").is_null() & pl.col("display_name").is_null() & pl.col("_url").is_null()
        )
        .then(pl.lit("no name and no profile URL (member left LinkedIn or hid the profile)"))
        .when(pl.col("_slug").is_null() & pl.col("display_name").is_null())
        .then(pl.format("unrecognised profile URL '{}' and no name", "_url"))
        .when(pl.col("_mon").is_not_null() & pl.col("_m").is_null())
        .then(pl.format("unknown month name '{}' in Connected On '{}'", month_name, "_raw_date"))
        .when(pl.col("_raw_date").is_not_null() & pl.col("connected_at").is_null())
        .then(pl.format("unparsable Connected On '{}' (expected {})", "_raw_date", pl.lit(fmt)))
    )
    return df.with_columns(reason.alias("_reason"))


def _messages_long(df: pl.DataFrame) -> pl.DataFrame:
    """messages.csv -> one row per (message, participant): ``_line``, ``_conv``, ``_role``
    (from/to), ``_name``, ``_nkey``, ``_slug``. ``TO`` and ``RECIPIENT PROFILE URLS`` may
    hold several comma-separated values (§3.3): names and URLs are paired when their counts
    match, else only the URLs are used (names may contain commas). Without a
    ``CONVERSATION ID`` (2018) the conversation is the participants plus the subject."""
    conv = _col(df, "conversation id")
    if "conversation id" not in df.columns:
        people = (
            pl.concat_list(
                [pl.col("from").fill_null(""), pl.col("to").fill_null("").str.split(",")]
            )
            .list.eval(_name_key(pl.element()))
            .list.drop_nulls()
            .list.unique()
            .list.sort()
            .list.join("|")
        )
        subject = (
            _col(df, "subject")
            .fill_null("")
            .str.to_lowercase()
            .str.replace(r"^(?:\s*(?:re|fwd?|aw|wg)\s*:)+", "")
            .str.strip_chars()
        )
        conv = pl.concat_str([people, subject], separator="#")
    base = df.select(
        "_line",
        conv.alias("_conv"),
        _col(df, "from").alias("_from"),
        _col(df, "sender profile url").alias("_from_url"),
        _col(df, "to").alias("_to"),
        _col(df, "recipient profile urls").alias("_to_urls"),
    )
    sender = base.select(
        "_line", "_conv", pl.lit("from").alias("_role"), pl.col("_from").alias("_name"),
        pl.col("_from_url").alias("_url"),
    )  # fmt: skip
    rec = base.select(
        "_line",
        "_conv",
        pl.col("_to").str.split(",").alias("_names"),
        pl.col("_to_urls").str.split(",").alias("_urls"),
    ).with_columns(
        pl.col("_urls").list.eval(pl.element().filter(pl.element().str.strip_chars() != ""))
    )
    paired = rec.filter(
        pl.col("_urls").list.len().fill_null(0).gt(0)
        & (pl.col("_urls").list.len() == pl.col("_names").list.len())
    )
    urls_only = rec.filter(
        pl.col("_urls").list.len().fill_null(0).gt(0)
        & (pl.col("_urls").list.len() != pl.col("_names").list.len().fill_null(-1))
    )
    names_only = rec.filter(pl.col("_urls").list.len().fill_null(0) == 0)
    to = pl.lit("to").alias("_role")
    parts = [
        sender,
        paired.explode(["_names", "_urls"]).select(
            "_line", "_conv", to, pl.col("_names").alias("_name"), pl.col("_urls").alias("_url")
        ),
        urls_only.explode("_urls").select(
            "_line",
            "_conv",
            to,
            pl.lit(None, pl.String).alias("_name"),
            pl.col("_urls").alias("_url"),
        ),  # fmt: skip
        names_only.explode("_names").select(
            "_line",
            "_conv",
            to,
            pl.col("_names").alias("_name"),
            pl.lit(None, pl.String).alias("_url"),
        ),  # fmt: skip
    ]
    long = pl.concat(parts, how="vertical").with_columns(
        pl.col("_name").str.strip_chars(), pl.col("_url").str.strip_chars()
    )
    long = long.with_columns(
        pl.when(pl.col("_name") != "").then("_name").alias("_name"),
        pl.when(pl.col("_url") != "").then("_url").alias("_url"),
    )
    long = _with_slug(long, "_url", "_slug")
    return long.with_columns(_name_key(pl.col("_name")).alias("_nkey"))


def _own_from_direction(df: pl.DataFrame, long: pl.DataFrame) -> tuple[str | None, str | None]:
    """(slug, name) of the own side of messages with a ``DIRECTION`` column: the sender of
    OUTGOING messages and the single recipient of INCOMING ones (the most frequent)."""
    if "direction" not in df.columns:
        return None, None
    d = df.select("_line", _col(df, "direction").str.to_uppercase().alias("_d"))
    lg = long.join(d, on="_line", how="inner")
    n_to = lg.filter(pl.col("_role") == "to").group_by("_line").agg(pl.len().alias("_n"))
    lg = lg.join(n_to, on="_line", how="left")
    own = lg.filter(
        ((pl.col("_d") == "OUTGOING") & (pl.col("_role") == "from"))
        | ((pl.col("_d") == "INCOMING") & (pl.col("_role") == "to") & (pl.col("_n") == 1))
    )
    slugs = Counter(own["_slug"].drop_nulls().to_list())
    names = Counter(own["_name"].drop_nulls().to_list())
    return (
        slugs.most_common(1)[0][0] if slugs else None,
        names.most_common(1)[0][0] if names else None,
    )


def _own_from_messages(long: pl.DataFrame, own: _Own, exclude: set[str]) -> _Own:
    """The participant present in every conversation, by slug, else by name; slugs in
    ``exclude`` (own connections) are not candidates; the Profile name breaks ties (§3.3)."""
    long = long.filter(pl.col("_conv").is_not_null())
    n_conv = long["_conv"].n_unique()
    if n_conv == 0:
        return own

    def everywhere(col: str) -> list[str]:
        g = (
            long.drop_nulls(col)
            .filter(pl.col("_nkey").fill_null("") != HIDDEN_MEMBER)
            .group_by(col)
            .agg(pl.col("_conv").n_unique().alias("n"))
            .filter(pl.col("n") == n_conv)
        )
        return sorted(g[col].to_list())

    slugs = [s for s in everywhere("_slug") if s not in exclude]
    if len(slugs) > 1 and own.name_key:
        slugs = [
            s for s in slugs if own.name_key in long.filter(pl.col("_slug") == s)["_nkey"].to_list()
        ]
    if len(slugs) == 1:
        names = long.filter(pl.col("_slug") == slugs[0]).drop_nulls("_name")["_name"].to_list()
        name = own.name or (Counter(names).most_common(1)[0][0] if names else None)
        return _Own(slugs[0], name, "messages.csv (the participant in every conversation)")
    names = everywhere("_nkey")
    if len(names) > 1 and own.name_key:
        names = [n for n in names if n == own.name_key]
    if len(names) == 1:
        rows = long.filter(pl.col("_nkey") == names[0])
        slug_c = Counter(rows.drop_nulls("_slug")["_slug"].to_list())
        slug = slug_c.most_common(1)[0][0] if slug_c else None
        name = own.name or rows.drop_nulls("_name")["_name"][0]
        return _Own(slug, name, "messages.csv (the name in every conversation)")
    return own


def _invitations(df: pl.DataFrame) -> pl.DataFrame:
    """Invitations.csv -> ``_dir`` (out/in from ``Direction``, null if absent), names and
    slugs of both sides, ``ts`` (``%m/%d/%y, %I:%M %p``, no zone: UTC)."""
    out = df.select(
        "_line",
        _col(df, "from").alias("_from"),
        _col(df, "to").alias("_to"),
        _col(df, "sent at").alias("_raw_ts"),
        _col(df, "direction").str.to_uppercase().alias("_direction"),
        _col(df, "inviterprofileurl").alias("_from_url"),
        _col(df, "inviteeprofileurl").alias("_to_url"),
        _row_key(df).alias("_dupkey"),
    )
    out = _with_slug(out, "_from_url", "_from_slug")
    out = _with_slug(out, "_to_url", "_to_slug")
    return out.with_columns(
        pl.col("_direction")
        .replace_strict({"OUTGOING": "out", "INCOMING": "in"}, default=None)
        .alias("_dir"),
        _ts(pl.col("_raw_ts"), FMT_INVITATIONS).alias("ts"),
        _name_key(pl.col("_from")).alias("_from_key"),
        _name_key(pl.col("_to")).alias("_to_key"),
    )


def _own_from_invitations(inv: pl.DataFrame) -> tuple[str | None, str | None]:
    own_side = inv.filter(pl.col("_dir").is_not_null()).select(
        pl.when(pl.col("_dir") == "out").then("_from_slug").otherwise("_to_slug").alias("s"),
        pl.when(pl.col("_dir") == "out").then("_from").otherwise("_to").alias("n"),
    )
    slugs = Counter(own_side.drop_nulls("s")["s"].to_list())
    names = Counter(own_side.drop_nulls("n")["n"].to_list())
    return (
        slugs.most_common(1)[0][0] if slugs else None,
        names.most_common(1)[0][0] if names else None,
    )


def _endorsements(df: pl.DataFrame) -> pl.DataFrame:
    e = df.select(
        "_line",
        _col(df, "endorsement date").alias("_raw_ts"),
        _col(df, "endorser public url").alias("_url"),
        _full_name(df, "endorser first name", "endorser last name").alias("_name"),
        _col(df, "skill name").alias("_dupkey"),
    )
    return _with_slug(e, "_url", "_slug").with_columns(
        _ts(pl.col("_raw_ts"), FMT_ENDORSEMENTS).alias("ts"),
        _name_key(pl.col("_name")).alias("_nkey"),
    )


def _profile_slug(df: pl.DataFrame) -> str | None:
    for c in df.columns:
        if c in ("url", "profile url", "public profile url", "publicprofileurl", "linkedin url"):
            s = _with_slug(df.select(pl.col(c).alias("_u")), "_u", "_s").drop_nulls("_s")
            if s.height:
                return s["_s"][0]
    return None


def _snapshot_date(src: Source) -> date | None:
    """The export date in ``Basic_/Complete_LinkedInDataExport_MM-DD-YYYY`` (§3.1)."""
    m = re.search(r"LinkedInDataExport_(\d{2})-(\d{2})-(\d{4})", src.path.name, re.I)
    if not m:
        return None
    try:
        return date(int(m[3]), int(m[1]), int(m[2]))
    except ValueError:
        return None


# -- one person, one contact -----------------------------------------------------------


def _is_member_id(slug: str) -> bool:
    return re.match(_MEMBER_ID, slug) is not None


@dataclass
class _People:
    """Who is who in one export (module docstring, "One person, one contact")."""

    conn_of_name: dict[str, str] = field(default_factory=dict)  # name held by one connection
    conn_by_company: dict[tuple[str, str], str] = field(default_factory=dict)
    shared_names: set[str] = field(default_factory=set)  # held by several connections
    slug_of_name: dict[str, str] = field(default_factory=dict)  # name with one profile URL
    multi_slug: set[str] = field(default_factory=set)  # names seen with several URLs
    alias: dict[str, str] = field(default_factory=dict)  # member id -> vanity slug
    linked: list[tuple[str, str, str]] = field(default_factory=list)  # (name, slug, files)
    ambiguous: set[str] = field(default_factory=set)  # names kept apart
    conn_ids: dict[int, pl.DataFrame] = field(default_factory=dict)  # frame -> _line, id

    def slug(self, e: pl.Expr) -> pl.Expr:
        """A slug with member ids replaced by their vanity slug (when known)."""
        if not self.alias:
            return e
        return e.replace(self.alias)

    def contact(self, slug: pl.Expr, nkey: pl.Expr, company: pl.Expr | None = None) -> pl.Expr:
        """contact_id of a person named by ``slug`` and/or name key ``nkey`` in a file other
        than Connections.csv; null for no one (no URL and no name, or the hidden
        ``LinkedIn Member``)."""
        by_name = pl.lit("name:") + nkey
        if self.slug_of_name:
            by_name = nkey.replace_strict(
                self.slug_of_name, default=by_name, return_dtype=pl.String
            )
        if company is not None and self.conn_by_company:
            keys = {f"{n}\x1f{c}": cid for (n, c), cid in self.conn_by_company.items()}
            at = pl.concat_str([nkey, _name_key(company)], separator="\x1f")
            by_name = at.replace_strict(keys, default=by_name, return_dtype=pl.String)
        if self.conn_of_name:
            by_name = nkey.replace_strict(
                self.conn_of_name, default=by_name, return_dtype=pl.String
            )
        named = pl.when(nkey.is_not_null() & (nkey != HIDDEN_MEMBER)).then(by_name)
        return pl.coalesce(self.slug(slug), named)

    def note_unknown_names(self, names: pl.Series) -> None:
        """Count name-only references that match several connections (kept apart)."""
        for n in names.drop_nulls().unique().to_list():
            if n in self.shared_names:
                self.ambiguous.add(n)


def _people(conns: list[pl.DataFrame], pairs: pl.DataFrame) -> _People:
    """Resolve the export's people: ``conns`` are the usable Connections.csv rows
    (``_nkey``, ``_slug``, ``company``, ``display_name``, ``_line``, ``_frame``), ``pairs``
    every (``_nkey``, ``_slug``, ``_src``) seen together in the other files. Python loops
    run over distinct names only; rows are handled by expressions."""
    p = _People()
    pairs = pairs.drop_nulls(["_nkey", "_slug"]).filter(pl.col("_nkey") != HIDDEN_MEMBER)
    conn = pl.concat(conns) if conns else pl.DataFrame(
        schema={"_nkey": pl.String, "_slug": pl.String, "company": pl.String,
                "display_name": pl.String, "_line": pl.Int64, "_frame": pl.Int32}
    )  # fmt: skip
    conn_pairs = conn.drop_nulls(["_nkey", "_slug"]).select(
        "_nkey", "_slug", pl.lit("Connections.csv").alias("_src")
    )
    allp = pl.concat([pairs.select("_nkey", "_slug", "_src"), conn_pairs])
    # name -> its profile slugs: the vanity ones when the name has any, else member ids
    by_name = allp.group_by("_nkey").agg(pl.col("_slug").unique())
    for n, slugs in by_name.iter_rows():
        vanity = [s for s in slugs if not _is_member_id(s)]
        pick = vanity or slugs
        if len(pick) == 1:
            p.slug_of_name[n] = pick[0]
            if vanity:
                p.alias.update({s: pick[0] for s in slugs if _is_member_id(s)})
        else:
            p.multi_slug.add(n)
    # connections: one name held by several -> kept apart by company
    counts = conn.drop_nulls("_nkey").group_by("_nkey").len()
    p.shared_names = set(counts.filter(pl.col("len") > 1)["_nkey"])
    nkey, slug = pl.col("_nkey"), pl.col("_slug")
    shared = nkey.is_in(list(p.shared_names))
    co = _name_key(pl.col("company"))
    linked = slug.is_null() & ~shared & nkey.is_in(list(p.slug_of_name))
    cid = (
        pl.when(slug.is_not_null())
        .then(slug)
        .when(nkey.is_null())
        .then(pl.lit(None, pl.String))
        .when(shared)
        .then(pl.concat_str([pl.lit("name:"), nkey, pl.lit("|") + co], ignore_nulls=True))
        .when(linked)
        .then(nkey.replace_strict(p.slug_of_name, default=None, return_dtype=pl.String))
        .otherwise(pl.lit("name:") + nkey)
    )
    conn = conn.with_columns(cid.alias("contact_id"), linked.alias("_linked"), co.alias("_co"))
    for n, c, i in (
        conn.filter(shared & co.is_not_null()).select("_nkey", "_co", "contact_id").iter_rows()
    ):
        p.conn_by_company[(n, c)] = i
    one = conn.filter(~shared & nkey.is_not_null()).select("_nkey", "contact_id")
    p.conn_of_name = dict(zip(one["_nkey"], one["contact_id"], strict=True))
    # the evidence of each link: the name, the slug and the files that gave it
    srcs = allp.group_by("_nkey", "_slug").agg(pl.col("_src").unique().sort().str.join(", "))
    links = conn.filter(pl.col("_linked")).join(
        srcs, left_on=["_nkey", "contact_id"], right_on=["_nkey", "_slug"], how="left"
    )
    p.linked = list(
        links.select(pl.coalesce("display_name", "_nkey"), "contact_id", "_src").iter_rows()
    )
    # kept apart: a URL-less connection whose name has several URLs; a URL-keyed partner
    # whose name several connections hold (none with that URL)
    p.ambiguous |= set(
        conn.filter(slug.is_null() & ~shared & nkey.is_in(list(p.multi_slug)))["_nkey"]
    )
    conn_slugs = set(conn["_slug"].drop_nulls())
    for n, s in (
        pairs.filter(pl.col("_nkey").is_in(list(p.shared_names)))
        .select("_nkey", "_slug")
        .unique()
        .iter_rows()
    ):
        if p.alias.get(s, s) not in conn_slugs:
            p.ambiguous.add(n)
    for (frame,), g in conn.group_by("_frame"):
        p.conn_ids[frame] = g.select("_line", "contact_id")
    return p


def _examples(items: list[str]) -> str:
    shown = ", ".join(items[:_EXAMPLES])
    return shown + (f" and {len(items) - _EXAMPLES} more" if len(items) > _EXAMPLES else "")


# -- load ------------------------------------------------------------------------------


def load(src: Source, encoding: str | None = None, **_: object) -> LoadResult:
    """Load a LinkedIn export: connections, follows, DMs, invitations, endorsements,
    recommendations and own posts; own comments and reactions are read and set aside (no
    counterpart). See the module docstring for the rules (docs/export-formats.md §3)."""
    res = LoadResult()
    found = _members(src)
    frames: dict[str, list[tuple[Member, pl.DataFrame]]] = {}
    reports: dict[str, FileReport] = {}
    read_keys: dict[str, list[str]] = {}  # key -> displays of the files read (empty or not)
    for key in REQUIRED:
        for m in found.get(key, []):
            fmt = f"{FORMAT}-{key}"
            try:
                df = _read(m, key, encoding)
            except InputError as e:
                res.unreadable(m.display, fmt, e.problem)
                continue
            except csv.Error as e:
                res.unreadable(m.display, fmt, f"not readable as CSV ({e})")
                continue
            read_keys.setdefault(key, []).append(m.display)
            if df is None:
                reports[m.display] = res.file(m.display, fmt, 0)
                reports[m.display].notes.append("empty file (no records)")
                continue
            reports[m.display] = res.file(m.display, fmt, df.height)
            frames.setdefault(key, []).append((m, df))

    # 1. own account, as far as Profile.csv tells
    own = _Own()
    profile_at: tuple[str, int] | None = None
    for m, df in frames.get("profile", []):
        rows = df.select("_line", _full_name(df, "first name", "last name").alias("n"))
        rep = reports[m.display]
        for i, (line, name) in enumerate(rows.iter_rows()):
            if profile_at is None and i == 0:
                own.name = name or None
                own.slug = _profile_slug(df.head(1))
                own.how = "Profile.csv" if own.slug else ""
                profile_at = (m.display, line)
            else:
                rep.reject(line, "extra profile row (only the first one describes the account)")

    # 2. parse every file about people
    conns = [
        (m, _connections(df).with_columns(pl.lit(i, pl.Int32).alias("_frame")))
        for i, (m, df) in enumerate(frames.get("connections", []))
    ]
    ok_conns = [c.filter(pl.col("_reason").is_null()) for _m, c in conns]
    invs = [(m, _invitations(df)) for m, df in frames.get("invitations", [])]
    msgs = [(m, df, _messages_long(df)) for m, df in frames.get("messages", [])]
    ends = [(m, _endorsements(df)) for m, df in frames.get("endorsement_received_info", [])]
    pair_schema = {"_nkey": pl.String, "_slug": pl.String, "_src": pl.String}
    pairs = [pl.DataFrame(schema=pair_schema)]
    for m, inv in invs:
        f = pl.lit(_short(m.display))
        pairs += [
            inv.select(pl.col("_from_key").alias("_nkey"), pl.col("_from_slug").alias("_slug"),
                       f.alias("_src")),
            inv.select(pl.col("_to_key").alias("_nkey"), pl.col("_to_slug").alias("_slug"),
                       f.alias("_src")),
        ]  # fmt: skip
    pairs += [lg.select("_nkey", "_slug", pl.lit(_short(m.display)).alias("_src"))
              for m, _d, lg in msgs]  # fmt: skip
    pairs += [e.select("_nkey", "_slug", pl.lit(_short(m.display)).alias("_src")) for m, e in ends]
    pair_frame = pl.concat(pairs).drop_nulls(["_nkey", "_slug"])

    # 3. the own account from invitations and messages
    if not own.slug:
        for _m, inv in invs:
            slug, name = _own_from_invitations(inv)
            if slug:
                own = _Own(slug, own.name or name, "Invitations.csv (own side of the invitations)")
                break
            own.name = own.name or name
    if not own.slug:
        for _m, df, lg in msgs:
            slug, name = _own_from_direction(df, lg)
            if slug or name:
                own = _Own(slug or own.slug, own.name or name,
                           "messages.csv (DIRECTION: the sender of outgoing messages)")  # fmt: skip
                break
    if not own.slug and msgs:
        conn_names = {n for c in ok_conns for n in c["_nkey"].drop_nulls().to_list()}
        exclude = {s for c in ok_conns for s in c["_slug"].drop_nulls().to_list()}
        exclude |= set(pair_frame.filter(pl.col("_nkey").is_in(list(conn_names)))["_slug"])
        own = _own_from_messages(pl.concat([lg for _m, _d, lg in msgs]), own, exclude)

    # 4. who is who
    people = _people(
        [
            c.select("_nkey", "_slug", "company", "display_name", "_line", "_frame")
            for c in ok_conns
        ],
        pair_frame,
    )
    account_id = f"{PLATFORM}:{own.handle}"
    notes = [
        f"own account {account_id}: handle from {own.how}" if own.slug
        else f"own account {account_id}: no own profile URL in Profile.csv, Invitations.csv or "
        "messages.csv, so the handle 'me' is used",
        "followers, following and posts_count are null: the LinkedIn export has no follower "
        "count or list (docs/export-formats.md §3)",
    ]  # fmt: skip
    common = [pl.lit(account_id).alias("account_id"), pl.lit(PLATFORM).alias("platform")]

    def handle_of(cid: str) -> pl.Expr:
        return pl.when(~pl.col(cid).str.starts_with("name:")).then(pl.col(cid)).alias("handle")

    # 5. connections
    for (m, c), ok in zip(conns, ok_conns, strict=True):
        _reject_rows(reports[m.display], c)
        frame = ok["_frame"][0] if ok.height else None
        if frame is None:
            continue
        ok = ok.join(people.conn_ids[frame], on="_line", how="left")
        res.add(
            "connections",
            ok.select(
                *common, "contact_id", handle_of("contact_id"), "display_name",
                pl.lit(None, pl.String).alias("bio"), "company", "position", "connected_at",
                pl.lit(True).alias("follows_me"), pl.lit(True).alias("i_follow"),
                pl.lit(m.display).alias("_file"), "_line", "_dupkey",
            ),
        )  # fmt: skip

    for m, df in frames.get("member_follows", []):
        name_col = "fullname" if "fullname" in df.columns else "full name"
        fol = df.select(
            "_line",
            _col(df, name_col).alias("display_name"),
            _col(df, "status").alias("_status"),
            _row_key(df).alias("_dupkey"),
        ).with_columns(_name_key(pl.col("display_name")).alias("_nkey"))
        people.note_unknown_names(fol["_nkey"])
        fol = fol.with_columns(
            people.contact(pl.lit(None, pl.String), pl.col("_nkey")).alias("contact_id")
        ).with_columns(
            pl.when(pl.col("contact_id").is_null())
            .then(pl.lit("no name: followed member not identifiable"))
            .when(
                pl.col("_status").is_not_null() & (pl.col("_status").str.to_lowercase() != "active")
            )
            .then(pl.format("status '{}' is not an active follow", "_status"))
            .alias("_reason")
        )
        _reject_rows(reports[m.display], fol)
        res.add(
            "connections",
            fol.filter(pl.col("_reason").is_null()).select(
                *common, "contact_id", handle_of("contact_id"), "display_name",
                pl.lit(True).alias("i_follow"), pl.lit(m.display).alias("_file"), "_line",
                "_dupkey",
            ),
        )  # fmt: skip
        reports[m.display].notes.append(
            "Date is not read (its format is not documented); follows give i_follow only"
        )

    # 6. invitations -> interactions
    own_key = own.name_key
    for m, inv in invs:
        people.note_unknown_names(
            pl.concat([inv.filter(pl.col("_from_slug").is_null())["_from_key"],
                       inv.filter(pl.col("_to_slug").is_null())["_to_key"]])
        )  # fmt: skip
        d = pl.col("_dir")
        if own_key:
            d = pl.coalesce(
                d,
                pl.when(pl.col("_from_key") == own_key).then(pl.lit("out"))
                .when(pl.col("_to_key") == own_key).then(pl.lit("in")),
            )  # fmt: skip
        inv2 = inv.with_columns(d.alias("direction")).with_columns(
            pl.when(pl.col("direction") == "out")
            .then(people.contact(pl.col("_to_slug"), pl.col("_to_key")))
            .otherwise(people.contact(pl.col("_from_slug"), pl.col("_from_key")))
            .alias("contact_id")
        )
        inv2 = inv2.with_columns(
            pl.when(pl.col("_direction").is_not_null() & pl.col("_dir").is_null())
            .then(pl.format("unknown Direction '{}'", "_direction"))
            .when(pl.col("direction").is_null())
            .then(
                pl.lit("cannot tell the direction (no Direction column and no own name in From/To)")
            )
            .when(pl.col("_raw_ts").is_null())
            .then(pl.lit("missing Sent At"))
            .when(pl.col("ts").is_null())
            .then(
                pl.format(
                    "unparsable Sent At '{}' (expected {})", "_raw_ts", pl.lit(FMT_INVITATIONS)
                )
            )
            .when(pl.col("contact_id").is_null())
            .then(pl.lit("no counterpart (no name or profile URL on the other side)"))
            .alias("_reason")
        )
        _reject_rows(reports[m.display], inv2)
        res.add(
            "interactions",
            inv2.filter(pl.col("_reason").is_null()).select(
                *common, "contact_id", "ts", pl.lit("invitation").alias("kind"), "direction",
                pl.lit(m.display).alias("_file"), "_line", "_dupkey",
            ),
        )  # fmt: skip

    # 7. messages -> dm interactions
    for m, df, long in msgs:
        rep = reports[m.display]
        fmt = _pick_format(df.select(_col(df, "date"))[:, 0], FORMATS["messages"])
        ident = _col(df, "message id") if "message id" in df.columns else _row_key(df)
        meta = df.select(
            "_line",
            _col(df, "date").alias("_raw_ts"),
            _col(df, "is message draft").str.to_lowercase().alias("_draft"),
            _col(df, "direction")
            .str.to_uppercase()
            .replace_strict({"OUTGOING": "out", "INCOMING": "in"}, default=None)
            .alias("_dir"),
            ident.alias("_dupkey"),
        ).with_columns(_ts(pl.col("_raw_ts"), fmt).alias("ts"))
        own_known = own.slug is not None or own_key is not None
        is_own = pl.lit(False)
        if own.slug:
            is_own = is_own | (pl.col("_slug") == own.slug).fill_null(False)
        if own_key:
            no_url_or_no_own_url = pl.col("_slug").is_null() | pl.lit(own.slug is None)
            is_own = is_own | (no_url_or_no_own_url & (pl.col("_nkey") == own_key)).fill_null(False)
        people.note_unknown_names(long.filter(pl.col("_slug").is_null())["_nkey"])
        calc = (pl.col("_is_own") & (pl.col("_role") == "from")).any().over("_line")
        long = (
            long.with_columns(is_own.alias("_is_own"))
            .join(meta.select("_line", "_dir"), on="_line", how="left")
            .with_columns(
                pl.coalesce(
                    pl.col("_dir") == "out", calc if own_known else pl.lit(None, pl.Boolean)
                ).alias("_out"),
                people.contact(pl.col("_slug"), pl.col("_nkey")).alias("contact_id"),
            )
        )
        counterpart_role = pl.when(pl.col("_out")).then(pl.lit("to")).otherwise(pl.lit("from"))
        cand = long.filter(
            ~pl.col("_is_own")
            & (pl.col("_role") == counterpart_role)
            & pl.col("contact_id").is_not_null()
        ).select(
            "_line",
            "contact_id",
            pl.when(pl.col("_out")).then(pl.lit("out")).otherwise(pl.lit("in")).alias("direction"),
        )
        senders = long.filter(pl.col("_role") == "from").select(
            "_line", pl.col("_name").fill_null("").alias("_sender"), "_out"
        )
        has = cand.group_by("_line").agg(pl.len().alias("_n"))
        meta = meta.join(senders, on="_line", how="left").join(has, on="_line", how="left")
        no_one = (
            pl.when(pl.col("_out"))
            .then(pl.lit("no counterpart: no recipient with a profile URL or a name"))
            .when(_name_key(pl.col("_sender")) == HIDDEN_MEMBER)
            .then(pl.lit(f"no counterpart: {HIDDEN_REASON}"))
            .otherwise(pl.lit("no counterpart: the sender has no profile URL and no name"))
        )
        meta = meta.with_columns(
            pl.when(pl.col("_draft") == "yes")
            .then(pl.lit("draft message (never sent)"))
            .when(pl.col("_raw_ts").is_null())
            .then(pl.lit("missing DATE"))
            .when(pl.col("ts").is_null())
            .then(pl.format("unparsable DATE '{}' (expected {})", "_raw_ts", pl.lit(fmt)))
            .when(pl.col("_dir").is_null() & pl.lit(not own_known))
            .then(pl.lit("own profile not identifiable, so the direction is unknown"))
            .when(pl.col("_n").is_null())
            .then(no_one)
            .alias("_reason")
        )
        _reject_rows(rep, meta)
        good = meta.filter(pl.col("_reason").is_null()).select("_line", "ts", "_dupkey")
        res.add(
            "interactions",
            cand.join(good, on="_line", how="inner").select(
                *common, "contact_id", "ts", pl.lit("dm").alias("kind"), "direction",
                pl.lit(m.display).alias("_file"), "_line", "_dupkey",
            ),
        )  # fmt: skip

    # 8. endorsements and recommendations received -> interactions
    for m, end in ends:
        people.note_unknown_names(end.filter(pl.col("_slug").is_null())["_nkey"])
        end = end.with_columns(people.contact(pl.col("_slug"), pl.col("_nkey")).alias("contact_id"))
        end = end.with_columns(
            pl.when(pl.col("_raw_ts").is_null())
            .then(pl.lit("missing Endorsement Date"))
            .when(pl.col("ts").is_null())
            .then(
                pl.format(
                    "unparsable Endorsement Date '{}' (expected {})",
                    "_raw_ts",
                    pl.lit(FMT_ENDORSEMENTS),
                )
            )
            .when(pl.col("contact_id").is_null())
            .then(pl.lit("no counterpart (endorser has no name and no profile URL)"))
            .alias("_reason")
        )
        _reject_rows(reports[m.display], end)
        res.add(
            "interactions",
            end.filter(pl.col("_reason").is_null()).select(
                *common, "contact_id", "ts", pl.lit("endorsement").alias("kind"),
                pl.lit("in").alias("direction"), pl.lit(m.display).alias("_file"), "_line",
                "_dupkey",
            ),
        )  # fmt: skip
    for m, df in frames.get("recommendations_received", []):
        r = df.select(
            "_line",
            _full_name(df, "first name", "last name").alias("_name"),
            _col(df, "company").alias("_company"),
            _col(df, "creation date").alias("_raw_ts"),
            _row_key(df).alias("_dupkey"),
        )
        fmt = _pick_format(r["_raw_ts"], FORMATS["recommendations_received"])
        r = r.with_columns(
            _ts(pl.col("_raw_ts"), fmt).alias("ts"), _name_key(pl.col("_name")).alias("_nkey")
        )
        people.note_unknown_names(r["_nkey"])
        r = r.with_columns(
            people.contact(pl.lit(None, pl.String), pl.col("_nkey"), pl.col("_company")).alias(
                "contact_id"
            )
        ).with_columns(
            pl.when(pl.col("_raw_ts").is_null())
            .then(pl.lit("missing Creation Date"))
            .when(pl.col("ts").is_null())
            .then(pl.format("unparsable Creation Date '{}' (expected {})", "_raw_ts", pl.lit(fmt)))
            .when(pl.col("contact_id").is_null())
            .then(pl.lit("no counterpart (recommender has no name)"))
            .alias("_reason")
        )
        _reject_rows(reports[m.display], r)
        res.add(
            "interactions",
            r.filter(pl.col("_reason").is_null()).select(
                *common, "contact_id", "ts", pl.lit("endorsement").alias("kind"),
                pl.lit("in").alias("direction"), pl.lit(m.display).alias("_file"), "_line",
                "_dupkey",
            ),
        )  # fmt: skip

    # 9. shares -> posts
    for m, df in frames.get("shares", []):
        fmt = _pick_format(df.select(_col(df, "date"))[:, 0], FORMATS["shares"])
        s = df.select(
            "_line",
            _col(df, "date").alias("_raw_ts"),
            _col(df, "sharelink").alias("_link"),
            pl.col("sharecommentary").alias("text")
            if "sharecommentary" in df.columns
            else pl.lit(None, pl.String).alias("text"),
            pl.concat_str(
                [_col(df, "sharelink").fill_null(""), _col(df, "mediaurl").fill_null("")],
                separator=" ",
            ).alias("_dupkey"),
        ).with_columns(
            _ts(pl.col("_raw_ts"), fmt).alias("ts"),
            pl.coalesce(_post_id(pl.col("_link")), pl.col("_link")).alias("post_id"),
            pl.when(pl.col("text").str.strip_chars() != "").then("text").alias("text"),
        )
        s = s.with_columns(
            pl.when(pl.col("_link").is_null())
            .then(pl.lit("missing ShareLink (no post id)"))
            .when(pl.col("_raw_ts").is_null())
            .then(pl.lit("missing Date"))
            .when(pl.col("ts").is_null())
            .then(pl.format("unparsable Date '{}' (expected {})", "_raw_ts", pl.lit(fmt)))
            .alias("_reason")
        )
        _reject_rows(reports[m.display], s)
        res.add(
            "posts",
            s.filter(pl.col("_reason").is_null()).select(
                *common, "post_id", "ts", "text", pl.lit(False).alias("is_repost"),
                pl.lit(m.display).alias("_file"), "_line", "_dupkey",
            ),
        )  # fmt: skip

    # 10. own comments and reactions: valid records of own activity, set aside (the export
    # does not say whose post they were on, §3.5)
    for key, reason, activity in (
        ("comments", COMMENT_ASIDE, "comments given"),
        ("reactions", REACTION_ASIDE, "reactions given"),
    ):
        for m, df in frames.get(key, []):
            reports[m.display].set_aside(df.height, reason, activity, account_id)

    # 11. the accounts row
    snap = _snapshot_date(src)
    if snap is None:
        notes.append(
            "snapshot_date unknown: the source name has no LinkedInDataExport_MM-DD-YYYY date"
        )
    # Without Profile.csv the row is tied to no file record (a name no file report uses).
    acc_file, acc_line = profile_at or (f"{src.path} (account)", 0)
    acc = {
        "account_id": (account_id, pl.String), "platform": (PLATFORM, pl.String),
        "handle": (own.handle, pl.String), "display_name": (own.name, pl.String),
        "snapshot_date": (snap, pl.Date), "followers": (None, pl.Int64),
        "following": (None, pl.Int64), "posts_count": (None, pl.Int64),
        "_file": (acc_file, pl.String), "_line": (acc_line, pl.Int64),
    }  # fmt: skip
    res.add(
        "accounts",
        pl.DataFrame(
            {k: [v] for k, (v, _t) in acc.items()}, schema={k: t for k, (_v, t) in acc.items()}
        ),
    )
    target = (reports.get(profile_at[0]) if profile_at else None) or next(
        (reports[m.display] for k in ("connections", "messages") for m, _ in frames.get(k, [])),
        None,
    )
    if target is None and res.files:
        target = res.files[0]
    if target is not None:
        target.notes.extend(notes)

    # 12. identity evidence: who was linked by name alone, and who could not be
    who = next((reports[m.display] for k in ("connections", "messages", "invitations")
                for m, _ in frames.get(k, [])), target)  # fmt: skip
    if who is not None and people.linked:
        links = [f"'{n}' = {slug} (from {files})" for n, slug, files in people.linked]
        who.notes.append(
            f"{len(links)} connection(s) listed without a profile URL linked by name to the "
            "one profile URL another file gives for that name (the name is held by one "
            f"connection only): {_examples(links)}"
        )
    if who is not None and people.ambiguous:
        names = [f"'{n}'" for n in sorted(people.ambiguous)]
        who.notes.append(
            f"{len(names)} name(s) match several connections or several profile URLs, so the "
            f"people with that name are kept apart (not linked by name): {_examples(names)}"
        )

    # 13. what this export can show (from the files read)
    def carries(key: str, *signals: str) -> None:
        for disp in read_keys.get(key, []):
            reports[disp].carries(PLATFORM, *signals, account_id=account_id)

    carries("connections", "followers", "following", "profiles")
    carries("member_follows", "following")
    carries("messages", "messages_in", "messages_out")
    for key in ("invitations", "endorsement_received_info", "recommendations_received"):
        carries(key, "inbound")
    for key in ("shares", "comments", "reactions"):
        carries(key, "outbound")
    res.check_yield(src.path, "LinkedIn export")
    return res
