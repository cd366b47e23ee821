"""Safe file outputs: CSV that spreadsheets cannot execute, and iCalendar for the call plan.

CSV (``write_csv_safe``). Names, bios and starters come from strangers. A spreadsheet that
opens a CSV treats a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula (and some
also after a leading tab or carriage return): "CSV injection" / formula injection. The OWASP
rule (OWASP, "CSV Injection") is applied to every text cell: if it begins with ``=``, ``+``,
``-``, ``@``, tab (0x09) or carriage return (0x0D), a single quote ``'`` is prepended, so the
spreadsheet shows it as text; cells are quoted and embedded double quotes doubled (RFC 4180,
by polars' writer). Numbers, dates and booleans are typed values, not text, and are left as
they are (a negative number is not a formula). Lists are joined with ``"; "`` first, structs
written as JSON, timestamps as ISO 8601 (``...Z`` for UTC).

iCalendar (``to_ics``), RFC 5545: CRLF line endings; content lines folded at 75 octets
(continuation lines start with one space, never splitting a UTF-8 sequence); TEXT values
escape backslash, semicolon, comma and newline (``\\\\ \\; \\, \\n``) and other control
characters become spaces; times are written **in UTC with a trailing Z** (``DTSTART:
20261116T093000Z``) — a form every client reads the same way, with no VTIMEZONE to get wrong;
the client shows them in the user's own zone. DTSTAMP is fixed (the plan's as-of date at
00:00 UTC) so that the same plan always gives the same file; UID comes from the plan (stable
per person and day, so re-importing updates events instead of duplicating them). There is
never an ATTENDEE or ORGANIZER: warmcall never contacts anyone, the events are reminders
for the user only. An empty plan gives a calendar with no VEVENT (RFC 5545 asks for at
least one component; clients import it as an empty calendar, replacing an old plan).

Every file is written atomically: to a temporary file in the same folder, then
``os.replace`` (readers see the old or the complete new file, never half of one).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl

__all__ = ["FORMULA_PREFIXES", "ics_escape", "ics_fold", "neutralize_formulas", "to_ics",
           "write_csv_safe", "write_text_atomic"]  # fmt: skip

#: OWASP "CSV Injection": cells starting with one of these get a leading apostrophe.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

PRODID = "-//warmcall//outreach plan//EN"


def write_text_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (str as UTF-8) to ``path`` via a temporary file and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def neutralize_formulas(e: pl.Expr) -> pl.Expr:
    """Prepend ``'`` to a text cell that starts with one of ``FORMULA_PREFIXES`` (OWASP)."""
    starts = pl.any_horizontal([e.str.starts_with(p) for p in FORMULA_PREFIXES])
    return pl.when(starts).then(pl.lit("'") + e).otherwise(e)


def _as_text(name: str, dtype: pl.DataType) -> pl.Expr | None:
    """Text form of a non-scalar column (None: leave the column as a typed value)."""
    c = pl.col(name)
    if dtype == pl.String:
        return c
    if isinstance(dtype, pl.Categorical | pl.Enum):
        return c.cast(pl.String)
    if isinstance(dtype, pl.List | pl.Array):
        inner = (
            c.cast(pl.List(pl.String))
            if isinstance(dtype, pl.List)
            else c.arr.to_list().cast(pl.List(pl.String))
        )
        return inner.list.join("; ")
    if isinstance(dtype, pl.Struct):
        return c.struct.json_encode()
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is not None:
            return c.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        return c.dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dtype == pl.Object or dtype == pl.Binary:
        return c.cast(pl.String)
    return None


def safe_frame(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with every text cell neutralised (see module docstring); other types kept."""
    exprs = []
    for name, dtype in df.schema.items():
        t = _as_text(name, dtype)
        exprs.append(pl.col(name) if t is None else neutralize_formulas(t).alias(name))
    return df.select(exprs)


def write_csv_safe(df: pl.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` as UTF-8 CSV (header, RFC 4180 quoting) with formula-injection
    neutralisation (OWASP rule, module docstring), atomically. Returns the path."""
    text = safe_frame(df).write_csv(quote_style="non_numeric", date_format="%Y-%m-%d")
    return write_text_atomic(path, text)


# --------------------------------------------------------------------------- iCalendar


def ics_escape(value: object) -> str:
    """RFC 5545 §3.3.11 TEXT escaping: ``\\`` ``;`` ``,`` and newlines (CRLF, LF, CR → ``\\n``);
    other control characters (not allowed in TEXT) become spaces."""
    s = "" if value is None else str(value)
    s = s.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    s = s.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return "".join(" " if (ord(ch) < 32 and ch != "\t") or ord(ch) == 127 else ch for ch in s)


def ics_fold(line: str, limit: int = 75) -> str:
    """RFC 5545 §3.1 folding: lines longer than ``limit`` octets are split into chunks joined
    by CRLF + one space (the space counts towards the next line's octets); a UTF-8 character
    is never split."""
    out: list[str] = []
    cur: list[str] = []
    size = 0
    room = limit
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > room:
            out.append("".join(cur))
            cur, size, room = [], 0, limit - 1
        cur.append(ch)
        size += n
    out.append("".join(cur))
    return "\r\n ".join(out)


def _utc(v: datetime) -> str:
    if v.tzinfo is None:
        v = v.replace(tzinfo=UTC)
    return v.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _description(row: dict) -> str:
    parts = [row.get("reason"), row.get("starter")]
    where = ", ".join(
        x for x in (row.get("platforms"), f"@{row['handle']}" if row.get("handle") else None) if x
    )
    if where:
        parts.append(f"Where: {where}")
    parts.append("Reminder from warmcall: you make the call yourself; nobody has been contacted.")
    return "\n".join(str(p) for p in parts if p)


def to_ics(
    plan_df: pl.DataFrame, calendar_name: str = "warmcall outreach", as_of: date | None = None
) -> str:
    """The plan as an RFC 5545 calendar (see module docstring): one VEVENT per row with
    UID = ``uid``, DTSTART/DTEND = ``start_utc``/``end_utc`` in UTC (Z), SUMMARY
    "Call <person>", DESCRIPTION = reason, conversation starter and where to find them;
    DTSTAMP = ``as_of`` (default: the first event's date) at 00:00:00Z. No ATTENDEE."""
    rows = plan_df.sort("start_utc", "uid").to_dicts() if plan_df.height else []
    stamp_day = as_of or (rows[0]["start_utc"].date() if rows else date(1970, 1, 1))
    dtstamp = _utc(datetime(stamp_day.year, stamp_day.month, stamp_day.day, tzinfo=UTC))
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"NAME:{ics_escape(calendar_name)}",
        f"X-WR-CALNAME:{ics_escape(calendar_name)}",
    ]
    for r in rows:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{ics_escape(r['uid'])}",
            f"DTSTAMP:{dtstamp}",
            f"DTSTART:{_utc(r['start_utc'])}",
            f"DTEND:{_utc(r['end_utc'])}",
            f"SUMMARY:{ics_escape('Call ' + str(r['person']))}",
            f"DESCRIPTION:{ics_escape(_description(r))}",
            "TRANSP:OPAQUE",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(x) + "\r\n" for x in lines)


def write_ics(
    plan_df: pl.DataFrame,
    path: str | os.PathLike[str],
    calendar_name: str = "warmcall outreach",
    as_of: date | None = None,
) -> Path:
    """``to_ics`` written atomically to ``path`` (UTF-8, CRLF as RFC 5545 requires)."""
    return write_text_atomic(path, to_ics(plan_df, calendar_name, as_of))
