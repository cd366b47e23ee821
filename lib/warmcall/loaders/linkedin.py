"""LinkedIn "Get a copy of your data" export (a zip as downloaded or its folder).

Rules from export-formats.md §3 (fixtures §8 "LinkedIn export"):

Files read (matched by normalised base name, §3.1 ``li_key``: member-id suffix dropped,
spaces/underscores unified, case ignored; found anywhere in the tree):

=================  ==============================================================
``connections``    ``Connections.csv`` -> connections (§3.2)
``member_follows`` ``Member_Follows.csv`` -> connections with ``i_follow`` (§3.2 end)
``messages``       ``messages.csv`` -> interactions ``dm`` in/out (§3.3)
``invitations``    ``Invitations.csv`` -> interactions ``invitation`` in/out (§3.4)
``endorsement_``   ``Endorsement_Received_Info.csv`` -> interactions ``endorsement`` in
``received_info``  (§3.6; date ``%Y/%m/%d %H:%M:%S UTC``, URL without scheme)
``shares``         ``Shares.csv`` -> posts (§3.5)
``comments``       ``Comments.csv`` -> read, every record rejected (no counterpart, §3.5)
``reactions``      ``Reactions.csv`` -> read, every record rejected (no counterpart, §3.5)
``profile``        ``Profile.csv`` -> the accounts row (§3.6)
=================  ==============================================================

Every other file of the export (``Ad_Targeting.csv``, ``Email Addresses.csv``,
``Rich Media.csv``, ``coach_messages.csv``, ``Positions.csv``, …) is not about relationships
or own posts and is not read or registered at all. The creator analytics ``.xlsx`` (§4) is
read by ``linkedin_analytics``.

Each file is parsed with its own single date format (§3.6 "Date formats by file"); none
but ``messages.csv`` states a time zone, so the others are taken as UTC. English month
names are mapped by this module (locale independent); an unknown month name (e.g. a
localized ``mrt``, §9) rejects the row with the value in the reason.

contact_id: the profile slug of a ``…/in/<slug>`` URL, percent-decoded and lower-cased;
without a URL, a name that matches exactly one connection (or one name seen with a URL in
the same export) takes that slug, otherwise ``name:<lower-cased full name>``.

The own account (``linkedin:<handle>``): the handle comes from a profile-URL column in
``Profile.csv`` if the export has one, else from ``Invitations.csv`` (the inviter of
OUTGOING / invitee of INCOMING invitations), else from ``messages.csv`` (the participant
present in every conversation, own connections excluded), else ``linkedin:me`` with a
note. The display name comes from ``Profile.csv``. Followers, following and post counts
are not in the export (§3 "Not available"), so they are null (the follower total comes from
the creator analytics workbook when it is loaded with the export).
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath
from urllib.parse import unquote

import polars as pl

from ..errors import InputError
from ..sources import Member, Source
from .base import FileReport, LoadResult
from .csvutil import read_csv_text

FORMAT = "linkedin"
PLATFORM = "linkedin"

# li_key -> columns (lower-case) that identify the header row and must all be present.
REQUIRED: dict[str, tuple[str, ...]] = {
    "connections": ("first name", "last name", "connected on"),
    "messages": ("conversation id", "from", "to", "date"),
    "invitations": ("from", "to", "sent at"),
    "shares": ("date", "sharelink"),
    "comments": ("date", "link"),
    "reactions": ("date", "type", "link"),
    "member_follows": ("date",),
    "endorsement_received_info": ("endorsement date", "endorser first name", "endorser last name"),
    "profile": ("first name", "last name"),
}
# li_key -> columns of which the header must hold at least one.
ANY_OF: dict[str, tuple[str, ...]] = {"member_follows": ("fullname", "full name")}
# Files that make a source a LinkedIn export (Profile.csv alone does not).
CLAIMING = ("connections", "messages", "invitations", "shares", "comments", "reactions",
            "member_follows", "endorsement_received_info")  # fmt: skip
# One strptime pattern per file (export-formats.md §3.6); Connections is parsed by hand.
FMT_CONNECTIONS = "%d %b %Y"
FMT_MESSAGES = "%Y-%m-%d %H:%M:%S UTC"
FMT_INVITATIONS = "%m/%d/%y, %I:%M %p"
FMT_ACTIVITY = "%Y-%m-%d %H:%M:%S"  # Comments, Reactions, Shares
FMT_ENDORSEMENTS = "%Y/%m/%d %H:%M:%S UTC"
MONTH_ABBR = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
MONTHS = {m: i for i, m in enumerate(MONTH_ABBR, 1)}
HIDDEN_MEMBER = "linkedin member"  # deleted or hidden senders (§3.3)
HIDDEN_REASON = "sender 'LinkedIn Member' (deleted or hidden) has no profile URL"
_SLUG = r"(?i)linkedin\.com/in/([^/?#\s,]+)"
_URN = r"(urn:li:[A-Za-z]+:[0-9]+)"
_HEADER_SCAN = 40  # records scanned for a header row
_HEADER_CHARS = 1 << 18  # characters scanned for a header row


def li_key(name: str) -> str:
    """Normalised LinkedIn file key (export-formats.md §3.1): ``Comments_1111111.csv`` ->
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


def _find_header(text: str, key: str) -> int | None:
    """0-based physical line index of the first record holding every required column of
    file ``key`` (case-insensitive), scanning past preambles (§3.2 "Robust rule");
    None if absent."""
    esc = "\\" if key == "comments" else None
    # The header sits within the first few records: scan a bounded prefix only.
    reader = csv.reader(io.StringIO(text[:_HEADER_CHARS], newline=""), escapechar=esc)
    start = 0
    for i, rec in enumerate(reader):
        cells = {c.strip().lower() for c in rec}
        if all(r in cells for r in REQUIRED[key]) and (
            key not in ANY_OF or cells & set(ANY_OF[key])
        ):
            return start
        start = reader.line_num
        if i >= _HEADER_SCAN:
            break
    return None


def detect(src: Source) -> bool:
    """True if the source holds a LinkedIn export file: a ``Connections.csv`` (with its
    header, or starting with the ``Notes:`` preamble), or ``messages.csv``,
    ``Invitations.csv``, ``Shares.csv``, ``Comments.csv``, ``Reactions.csv`` or
    ``Member_Follows.csv`` or ``Endorsement_Received_Info.csv`` whose header has the
    LinkedIn columns (§3)."""
    found = _members(src)
    for key in CLAIMING:
        for m in found.get(key, []):
            head = m.read_bytes()[:_HEADER_CHARS].decode("utf-8-sig", errors="replace")
            if key == "connections" and head.lstrip().startswith("Notes:"):
                return True
            if _find_header(head, key) is not None:
                return True
    return False


# -- reading ---------------------------------------------------------------------------


def _read(m: Member, key: str, encoding: str | None) -> pl.DataFrame | None:
    """The file's records as an all-string frame with lower-cased column names and the
    physical ``_line``; None for an empty file (no header at all, or just
    ``No conversations found``). Missing header -> InputError."""
    text = m.read_text(encoding)
    if not text.strip() or text.strip().lower() == "no conversations found":
        return None
    at = _find_header(text, key)
    if at is None:
        need = ", ".join(REQUIRED[key] + ANY_OF.get(key, ())[:1])
        raise InputError(m.display, f"no header row with the columns {need} (LinkedIn {key})")
    df = _read_escaped(text, at) if key == "comments" else read_csv_text(text, skip_lines=at)
    return df.rename({c: c.strip().lower() for c in df.columns if c != "_line"})


def _read_escaped(text: str, skip_lines: int) -> pl.DataFrame:
    """Comments.csv: quotes escaped with a backslash (``\\"``, ``\\""`` at a field's end) as
    well as doubled (§3.5); read with ``escapechar='\\\\', doublequote=True``. A literal
    backslash is lost (no way around it). Returns all-string columns plus ``_line``."""
    body = "".join(text.splitlines(keepends=True)[skip_lines:])
    reader = csv.reader(io.StringIO(body, newline=""), escapechar="\\", doublequote=True)
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


def _name_key(e: pl.Expr) -> pl.Expr:
    """Lower-cased name with whitespace collapsed (for matching names across files)."""
    k = e.str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()
    return pl.when(k != "").then(k)


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


def _reject_rows(rep: FileReport, df: pl.DataFrame, reason: str = "_reason") -> None:
    for line, why in df.filter(pl.col(reason).is_not_null()).select("_line", reason).iter_rows():
        rep.reject(line, why)


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
    here, taken as midnight UTC. No name and no URL (a member who left or hid the
    profile): rejected. A name without URL: ``name:<lower name>``."""
    df = df.select(
        "_line",
        pl.concat_str(
            [_col(df, "first name"), _col(df, "last name")], separator=" ", ignore_nulls=True
        )
        .str.strip_chars()
        .alias("display_name"),
        _col(df, "url").alias("_url"),
        _col(df, "company").alias("company"),
        _col(df, "position").alias("position"),
        _col(df, "connected on").alias("_raw_date"),
    ).with_columns(pl.when(pl.col("display_name") != "").then("display_name").alias("display_name"))
    df = _with_slug(df, "_url", "handle")
    parts = pl.col("_raw_date").str.extract_groups(r"^(\d{1,2}) ([A-Za-z]+) (\d{4})$")
    df = df.with_columns(
        parts.struct.field("1").alias("_d"),
        parts.struct.field("2").str.to_lowercase().alias("_mon"),
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
        .alias("connected_at"),
        _name_key(pl.col("display_name")).alias("_nkey"),
    )
    reason = (
        pl.when(
            pl.col("handle").is_null() & pl.col("display_name").is_null() & pl.col("_url").is_null()
        )
        .then(pl.lit("no name and no profile URL (member left LinkedIn or hid the profile)"))
        .when(pl.col("handle").is_null() & pl.col("display_name").is_null())
        .then(pl.format("unrecognised profile URL '{}' and no name", "_url"))
        .when(pl.col("_mon").is_not_null() & pl.col("_m").is_null())
        .then(
            pl.format(
                "unknown month name '{}' in Connected On '{}'", parts.struct.field("2"), "_raw_date"
            )
        )
        .when(pl.col("_raw_date").is_not_null() & pl.col("connected_at").is_null())
        .then(
            pl.format(
                "unparsable Connected On '{}' (expected {})", "_raw_date", pl.lit(FMT_CONNECTIONS)
            )
        )
    )
    return df.with_columns(reason.alias("_reason"))


def _name_map(pairs: pl.DataFrame) -> dict[str, str]:
    """name key -> slug, for names seen with exactly one slug (``_nkey``, ``handle``)."""
    p = pairs.drop_nulls(["_nkey", "handle"]).unique(["_nkey", "handle"])
    p = p.filter(pl.col("_nkey") != HIDDEN_MEMBER)
    one = (
        p.group_by("_nkey")
        .agg(pl.col("handle").first(), pl.len().alias("n"))
        .filter(pl.col("n") == 1)
    )
    return dict(zip(one["_nkey"], one["handle"], strict=True))


def _contact_id(slug: pl.Expr, nkey: pl.Expr, names: dict[str, str]) -> pl.Expr:
    """slug, else the slug a name uniquely maps to, else ``name:<key>``; null for no one
    (no URL and no name, or the hidden ``LinkedIn Member``)."""
    by_name = pl.lit("name:") + nkey
    if names:
        by_name = nkey.replace_strict(names, default=by_name, return_dtype=pl.String)
    named = pl.when(nkey.is_not_null() & (nkey != HIDDEN_MEMBER)).then(by_name)
    return pl.coalesce(slug, named)


def _messages_long(df: pl.DataFrame) -> pl.DataFrame:
    """messages.csv -> one row per (message, participant): ``_line``, ``_conv``, ``_role``
    (from/to), ``_name``, ``_nkey``, ``handle`` (slug). ``TO`` and ``RECIPIENT PROFILE URLS``
    may hold several comma-separated values (§3.3): names and URLs are paired when their
    counts match, else only the URLs are used (names may contain commas)."""
    base = df.select(
        "_line",
        _col(df, "conversation id").alias("_conv"),
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
    parts = [
        sender,
        paired.explode(["_names", "_urls"]).select(
            "_line",
            "_conv",
            pl.lit("to").alias("_role"),
            pl.col("_names").alias("_name"),
            pl.col("_urls").alias("_url"),
        ),  # fmt: skip
        urls_only.explode("_urls").select(
            "_line",
            "_conv",
            pl.lit("to").alias("_role"),
            pl.lit(None, pl.String).alias("_name"),
            pl.col("_urls").alias("_url"),
        ),  # fmt: skip
        names_only.explode("_names").select(
            "_line",
            "_conv",
            pl.lit("to").alias("_role"),
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
    long = _with_slug(long, "_url", "handle")
    return long.with_columns(_name_key(pl.col("_name")).alias("_nkey"))


def _own_from_messages(long: pl.DataFrame, own: _Own, connection_slugs: set[str]) -> _Own:
    """The participant present in every conversation, by slug, else by name; own
    connections are excluded; the Profile name breaks ties (§3.3)."""
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

    slugs = [s for s in everywhere("handle") if s not in connection_slugs]
    if len(slugs) > 1 and own.name_key:
        slugs = [
            s
            for s in slugs
            if own.name_key in long.filter(pl.col("handle") == s)["_nkey"].to_list()
        ]
    if len(slugs) == 1:
        names = long.filter(pl.col("handle") == slugs[0]).drop_nulls("_name")["_name"].to_list()
        name = own.name or (Counter(names).most_common(1)[0][0] if names else None)
        return _Own(slugs[0], name, "messages.csv (the participant in every conversation)")
    names = everywhere("_nkey")
    if len(names) > 1 and own.name_key:
        names = [n for n in names if n == own.name_key]
    if len(names) == 1:
        rows = long.filter(pl.col("_nkey") == names[0])
        slug_c = Counter(rows.drop_nulls("handle")["handle"].to_list())
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


# -- load ------------------------------------------------------------------------------


def load(src: Source, encoding: str | None = None, **_: object) -> LoadResult:
    """Load a LinkedIn export: connections, follows, DMs, invitations and own posts;
    own comments and reactions are read and rejected (no counterpart). See the module
    docstring for the rules (export-formats.md §3)."""
    res = LoadResult()
    found = _members(src)
    frames: dict[str, list[tuple[Member, pl.DataFrame]]] = {}
    reports: dict[str, FileReport] = {}
    for key in REQUIRED:
        for m in found.get(key, []):
            df = _read(m, key, encoding)
            if df is None:
                reports[m.display] = res.file(m.display, f"{FORMAT}-{key}", 0)
                reports[m.display].notes.append("empty file (no records)")
                continue
            reports[m.display] = res.file(m.display, f"{FORMAT}-{key}", df.height)
            frames.setdefault(key, []).append((m, df))

    # 1. own account, as far as Profile.csv tells
    own = _Own()
    profile_at: tuple[str, int] | None = None
    for m, df in frames.get("profile", []):
        rows = df.select(
            "_line",
            pl.concat_str(
                [_col(df, "first name"), _col(df, "last name")], separator=" ", ignore_nulls=True
            )
            .str.strip_chars()
            .alias("n"),
        )
        rep = reports[m.display]
        for i, (line, name) in enumerate(rows.iter_rows()):
            if profile_at is None and i == 0:
                own.name = name or None
                own.slug = _profile_slug(df.head(1))
                own.how = "Profile.csv" if own.slug else ""
                profile_at = (m.display, line)
            else:
                rep.reject(line, "extra profile row (only the first one describes the account)")

    # 2. connections
    conns: list[tuple[Member, pl.DataFrame]] = [
        (m, _connections(df)) for m, df in frames.get("connections", [])
    ]
    connection_slugs: set[str] = set()
    empty_pairs = pl.DataFrame(schema={"_nkey": pl.String, "handle": pl.String})
    conn_pairs = [empty_pairs]
    for _m, c in conns:
        ok = c.filter(pl.col("_reason").is_null())
        connection_slugs |= set(ok["handle"].drop_nulls().to_list())
        conn_pairs.append(ok.select("_nkey", "handle"))

    # 3. invitations and messages (also tell who the own account is)
    invs = [(m, _invitations(df)) for m, df in frames.get("invitations", [])]
    msgs = [(m, df, _messages_long(df)) for m, df in frames.get("messages", [])]
    if not own.slug:
        for _m, inv in invs:
            slug, name = _own_from_invitations(inv)
            if slug:
                own = _Own(slug, own.name or name, "Invitations.csv (own side of the invitations)")
                break
            own.name = own.name or name
    if not own.slug and msgs:
        own = _own_from_messages(pl.concat([lg for _m, _d, lg in msgs]), own, connection_slugs)
    other_pairs = [empty_pairs]
    for _m, inv in invs:
        other_pairs += [
            inv.select(pl.col("_from_key").alias("_nkey"), pl.col("_from_slug").alias("handle")),
            inv.select(pl.col("_to_key").alias("_nkey"), pl.col("_to_slug").alias("handle")),
        ]
    other_pairs += [lg.select("_nkey", "handle") for _m, _d, lg in msgs]
    # Names resolve to slugs through connections first, then through the other files.
    conn_names = _name_map(pl.concat(conn_pairs))
    names = {**_name_map(pl.concat(conn_pairs + other_pairs)), **conn_names}

    account_id = f"{PLATFORM}:{own.handle}"
    notes = [
        f"own account {account_id}: handle from {own.how}" if own.slug
        else f"own account {account_id}: no own profile URL in Profile.csv, Invitations.csv or "
        "messages.csv, so the handle 'me' is used",
        "followers, following and posts_count are null: the LinkedIn export has no follower "
        "count or list (export-formats.md §3)",
    ]  # fmt: skip
    common = [pl.lit(account_id).alias("account_id"), pl.lit(PLATFORM).alias("platform")]

    # 4. emit connections
    for m, c in conns:
        _reject_rows(reports[m.display], c)
        ok = c.filter(pl.col("_reason").is_null()).with_columns(
            _contact_id(pl.col("handle"), pl.col("_nkey"), {}).alias("contact_id")
        )
        res.add(
            "connections",
            ok.select(
                *common, "contact_id", "handle", "display_name",
                pl.lit(None, pl.String).alias("bio"), "company", "position", "connected_at",
                pl.lit(True).alias("follows_me"), pl.lit(True).alias("i_follow"),
                pl.lit(m.display).alias("_file"), "_line",
            ),
        )  # fmt: skip

    for m, df in frames.get("member_follows", []):
        name_col = "fullname" if "fullname" in df.columns else "full name"
        f = df.select(
            "_line",
            _col(df, name_col).alias("display_name"),
            _col(df, "status").alias("_status"),
        ).with_columns(_name_key(pl.col("display_name")).alias("_nkey"))
        f = f.with_columns(
            _contact_id(pl.lit(None, pl.String), pl.col("_nkey"), conn_names).alias("contact_id")
        ).with_columns(
            pl.when(pl.col("contact_id").is_null())
            .then(pl.lit("no name: followed member not identifiable"))
            .when(
                pl.col("_status").is_not_null() & (pl.col("_status").str.to_lowercase() != "active")
            )
            .then(pl.format("status '{}' is not an active follow", "_status"))
            .alias("_reason")
        )
        _reject_rows(reports[m.display], f)
        res.add(
            "connections",
            f.filter(pl.col("_reason").is_null()).select(
                *common, "contact_id",
                pl.when(pl.col("contact_id").str.starts_with("name:").not_()).then("contact_id").alias("handle"),
                "display_name", pl.lit(True).alias("i_follow"),
                pl.lit(m.display).alias("_file"), "_line",
            ),
        )  # fmt: skip
        reports[m.display].notes.append(
            "Date is not read (its format is not documented); follows give i_follow only"
        )

    # 5. invitations -> interactions
    own_key = own.name_key
    for m, inv in invs:
        d = pl.col("_dir")
        if own_key:
            d = pl.coalesce(
                d,
                pl.when(pl.col("_from_key") == own_key).then(pl.lit("out"))
                .when(pl.col("_to_key") == own_key).then(pl.lit("in")),
            )  # fmt: skip
        inv2 = inv.with_columns(d.alias("direction")).with_columns(
            pl.when(pl.col("direction") == "out")
            .then(_contact_id(pl.col("_to_slug"), pl.col("_to_key"), names))
            .otherwise(_contact_id(pl.col("_from_slug"), pl.col("_from_key"), names))
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
                pl.lit(m.display).alias("_file"), "_line",
            ),
        )  # fmt: skip

    # 6. messages -> dm interactions
    for m, df, long in msgs:
        rep = reports[m.display]
        meta = df.select(
            "_line",
            _col(df, "date").alias("_raw_ts"),
            _col(df, "is message draft").str.to_lowercase().alias("_draft"),
        ).with_columns(_ts(pl.col("_raw_ts"), FMT_MESSAGES).alias("ts"))
        if own.slug is None and own_key is None:
            meta = meta.with_columns(
                pl.lit("own profile not identifiable, so the direction is unknown").alias("_own")
            )
        else:
            meta = meta.with_columns(pl.lit(None, pl.String).alias("_own"))
        is_own = pl.lit(False)
        if own.slug:
            is_own = is_own | (pl.col("handle") == own.slug).fill_null(False)
        if own_key:
            no_url_or_no_own_url = pl.col("handle").is_null() | pl.lit(own.slug is None)
            is_own = is_own | (no_url_or_no_own_url & (pl.col("_nkey") == own_key)).fill_null(False)
        long = long.with_columns(is_own.alias("_is_own"))
        long = long.with_columns(
            (pl.col("_is_own") & (pl.col("_role") == "from")).any().over("_line").alias("_out"),
            _contact_id(pl.col("handle"), pl.col("_nkey"), names).alias("contact_id"),
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
            .then(pl.format("unparsable DATE '{}' (expected {})", "_raw_ts", pl.lit(FMT_MESSAGES)))
            .when(pl.col("_own").is_not_null())
            .then("_own")
            .when(pl.col("_n").is_null())
            .then(no_one)
            .alias("_reason")
        )
        _reject_rows(rep, meta)
        good = meta.filter(pl.col("_reason").is_null()).select("_line", "ts")
        res.add(
            "interactions",
            cand.join(good, on="_line", how="inner").select(
                *common, "contact_id", "ts", pl.lit("dm").alias("kind"), "direction",
                pl.lit(m.display).alias("_file"), "_line",
            ),
        )  # fmt: skip

    # 6b. endorsements received -> interactions
    for m, df in frames.get("endorsement_received_info", []):
        e = df.select(
            "_line",
            _col(df, "endorsement date").alias("_raw_ts"),
            _col(df, "endorser public url").alias("_url"),
            pl.concat_str(
                [_col(df, "endorser first name"), _col(df, "endorser last name")],
                separator=" ",
                ignore_nulls=True,
            ).alias("_name"),
        )
        e = _with_slug(e, "_url", "handle").with_columns(
            _ts(pl.col("_raw_ts"), FMT_ENDORSEMENTS).alias("ts"),
            _name_key(pl.col("_name")).alias("_nkey"),
        )
        e = e.with_columns(
            _contact_id(pl.col("handle"), pl.col("_nkey"), names).alias("contact_id")
        )
        e = e.with_columns(
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
        _reject_rows(reports[m.display], e)
        res.add(
            "interactions",
            e.filter(pl.col("_reason").is_null()).select(
                *common, "contact_id", "ts", pl.lit("endorsement").alias("kind"),
                pl.lit("in").alias("direction"), pl.lit(m.display).alias("_file"), "_line",
            ),
        )  # fmt: skip

    # 7. shares -> posts
    for m, df in frames.get("shares", []):
        s = df.select(
            "_line",
            _col(df, "date").alias("_raw_ts"),
            _col(df, "sharelink").alias("_link"),
            pl.col("sharecommentary").alias("text")
            if "sharecommentary" in df.columns
            else pl.lit(None, pl.String).alias("text"),
        ).with_columns(
            _ts(pl.col("_raw_ts"), FMT_ACTIVITY).alias("ts"),
            pl.coalesce(_post_id(pl.col("_link")), pl.col("_link")).alias("post_id"),
            pl.when(pl.col("text").str.strip_chars() != "").then("text").alias("text"),
        )
        s = s.with_columns(
            pl.when(pl.col("_link").is_null())
            .then(pl.lit("missing ShareLink (no post id)"))
            .when(pl.col("_raw_ts").is_null())
            .then(pl.lit("missing Date"))
            .when(pl.col("ts").is_null())
            .then(pl.format("unparsable Date '{}' (expected {})", "_raw_ts", pl.lit(FMT_ACTIVITY)))
            .alias("_reason")
        )
        _reject_rows(reports[m.display], s)
        res.add(
            "posts",
            s.filter(pl.col("_reason").is_null()).select(
                *common, "post_id", "ts", "text", pl.lit(False).alias("is_repost"),
                pl.lit(m.display).alias("_file"), "_line",
            ),
        )  # fmt: skip

    # 8. own comments and reactions: read, rejected (no counterpart in the export)
    for key, what in (("comments", "own comment"), ("reactions", "own reaction")):
        for m, df in frames.get(key, []):
            r = df.select(
                "_line", _post_id(_col(df, "link")).alias("_pid"), _col(df, "type").alias("_type")
            )
            label = pl.lit(what)
            if key == "reactions":
                label = pl.format("{} {}", pl.lit(what), pl.col("_type").fill_null("?"))
            r = r.with_columns(
                pl.when(pl.col("_pid").is_not_null())
                .then(pl.format("{}: counterpart not identifiable (post {})", label, "_pid"))
                .otherwise(pl.format("{}: counterpart not identifiable", label))
                .alias("_reason")
            )
            _reject_rows(reports[m.display], r)

    # 9. the accounts row
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
    return res
