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

The cell and TEXT sanitisers (``neutralize_formulas``, ``ics_escape``) live in
``warmcall.core.sanitize`` with the other outputs' ones; they are re-exported here.

Every file is written atomically: to a temporary file in the same folder, then
``os.replace`` (readers see the old or the complete new file, never half of one). A set of
files that belong together is written as a set (``write_files_atomic``: every temporary file
first, then the renames) or as a whole folder (``replace_folder``: a temporary sibling folder
swapped in whole, for ``load --out``), under the lock of its path (``warmcall.core.locks``).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
import tempfile
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import BinaryIO

import polars as pl

from warmcall.core.errors import OutputError, writing_to
from warmcall.core.locks import locked
from warmcall.core.sanitize import FORMULA_PREFIXES, formula_start, ics_escape, neutralize_formulas

__all__ = ["FORMULA_PREFIXES", "csv_safe_text", "ics_escape", "ics_fold", "neutralize_formulas",
           "check_out_folder", "replace_folder", "to_ics", "write_csv_safe", "write_files_atomic",
           "write_text_atomic"]  # fmt: skip

PRODID = "-//warmcall//outreach plan//EN"


def write_text_atomic(path: str | os.PathLike[str], data: str | bytes) -> Path:
    """Write ``data`` (str as UTF-8) to ``path`` via a temporary file and ``os.replace``."""
    return write_files_atomic({path: data})[0]


def write_files_atomic(files: Mapping[str | os.PathLike[str], str | bytes]) -> list[Path]:
    """Write a set of files (str as UTF-8), each via a temporary file beside it: every file
    is written and synced first, then each is moved into place with ``os.replace``. A failure
    while writing leaves every old file as it was and no temporary file behind. Returns the
    paths. (Locking against a concurrent writer of the same set is the caller's:
    ``warmcall.core.locks.locked``.)"""
    staged: list[tuple[str, Path]] = []
    try:
        for target, data in files.items():
            path = Path(target)
            path.parent.mkdir(parents=True, exist_ok=True)
            raw = data.encode("utf-8") if isinstance(data, str) else data
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
            staged.append((tmp, path))
            with os.fdopen(fd, "wb") as f:
                f.write(raw)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o644)
        for tmp, path in staged:
            os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    return [path for _, path in staged]


def check_out_folder(
    out: str | os.PathLike[str],
    inputs: Sequence[str | os.PathLike[str]] = (),
    keep: Collection[str] | None = None,
) -> None:
    """Raise ``OutputError`` (one line naming ``out``) when ``out`` cannot be a folder that
    ``replace_folder`` replaces whole: it is one of the ``inputs``, lies inside one or holds
    one (compared after resolving symlinks; a run would read its own output next time, or
    replace its input); it is a file; it exists but is not writable; with ``keep``, it holds
    an entry that is not one of ``keep`` (or ``<keep>.part``, or ``JUNK_FILES``), which would
    be lost with the old folder. Cheap: the CLI calls it before a long load."""
    o = Path(os.path.realpath(out))
    for p in inputs:
        i = Path(os.path.realpath(p))
        if o == i or i in o.parents:
            raise OutputError(out, f"--out is inside the input {p}; choose a folder outside it")
        if o in i.parents:
            raise OutputError(out, f"--out holds the input {p}; choose another folder")
    if o.parent == o:
        raise OutputError(out, "cannot replace the root folder; choose a folder inside it")
    if o.exists() and not o.is_dir():
        raise OutputError(out, "not a folder (it is a file); choose a folder for --out")
    if not o.is_dir():
        return
    if not os.access(o, os.W_OK | os.X_OK):
        raise OutputError(out, "not writable (permission denied)")
    if keep is None:
        return
    with writing_to(out):
        names = sorted(os.listdir(o))
    for name in names:
        if name.removesuffix(".part") not in keep and name not in JUNK_FILES:
            raise OutputError(
                out,
                f"holds {name!r}, which is not part of what is written here; the folder is "
                "replaced whole, so give an empty or new folder",
            )


#: Files of no value that may sit in an output folder that is replaced whole.
JUNK_FILES = frozenset({".DS_Store", "Thumbs.db", "desktop.ini"})


def _fsync_tree(folder: Path) -> None:
    for p in folder.iterdir():
        if p.is_file():
            fd = os.open(p, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system syncs folders
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _siblings(out: Path) -> list[tuple[str, Path]]:
    """(``new``/``old``, path) of the temporary folders of earlier runs of ``replace_folder``
    on ``out`` (``.<name>.new-<pid>-<hex>``, ``.<name>.old-<pid>-<hex>``)."""
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(new|old)-\d+-[0-9a-f]{{8}}")
    try:
        names = sorted(os.listdir(out.parent))
    except OSError:
        return []
    return [(m.group(1), out.parent / n) for n in names if (m := pattern.fullmatch(n))]


@contextlib.contextmanager
def replace_folder(
    out: str | os.PathLike[str], keep: Collection[str], timeout_s: float | None = None
) -> Iterator[Path]:
    """Replace the folder ``out`` whole with the files written in the ``with`` block.

    Yields a new empty folder beside ``out`` (``.<name>.new-<pid>-<random>``). When the block
    ends without error, its files are synced and it is swapped in: the old ``out`` is renamed
    away, the new one renamed to ``out``, the old one removed. When the block (or the swap)
    fails, the new folder is removed and ``out`` is left exactly as it was. All of it runs
    under ``locked(out, timeout_s)``, so two runs never write into one folder at once.

    Refused with ``OutputError`` (one line naming ``out``) before anything is written when
    ``check_out_folder(out, keep=keep)`` refuses it (a file, not writable, holds other things).
    OS errors (disk full, permission denied, file too large; polars I/O errors too) become
    ``OutputError("<out>: cannot write: <reason>")``. A run that died between the two renames
    left the old set as ``.<name>.old-*``: it is put back first.
    """
    target = Path(os.path.realpath(out))  # a symlinked folder: replace what it points to
    check_out_folder(out)
    with writing_to(out):
        target.parent.mkdir(parents=True, exist_ok=True)
    with locked(target, timeout_s), writing_to(out):
        for kind, stale in _siblings(target):  # left by a run that died: we hold the lock
            if kind == "old" and not target.exists():
                os.rename(stale, target)
            else:
                shutil.rmtree(stale, ignore_errors=True)
        check_out_folder(out, keep=keep)
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else None
        token = f"{os.getpid()}-{secrets.token_hex(4)}"
        new = target.with_name(f".{target.name}.new-{token}")
        os.mkdir(new)
        try:
            yield new
            if mode is not None:
                os.chmod(new, mode)
            _fsync_tree(new)
            if target.exists():
                old = target.with_name(f".{target.name}.old-{token}")
                os.rename(target, old)
                try:
                    os.rename(new, target)
                except BaseException:
                    os.rename(old, target)
                    raise
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.rename(new, target)
            _fsync_dir(target.parent)
        finally:
            shutil.rmtree(new, ignore_errors=True)


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
    """``df`` with every text cell neutralised (see module docstring); other types kept.
    Non-scalar columns become text first; a text column none of whose cells starts like a
    formula is left as it is (the rewrite copies every cell: 1 s over 1M contacts' scores)."""
    text = {n: t for n, dt in df.schema.items() if (t := _as_text(n, dt)) is not None}
    if not text or not df.height:
        return df.with_columns(t.alias(n) for n, t in text.items())
    df = df.with_columns(t.alias(n) for n, t in text.items())
    risky = df.select(formula_start(pl.col(n)).any().alias(n) for n in text).row(0, named=True)
    return df.with_columns(neutralize_formulas(pl.col(n)).alias(n) for n in text if risky[n])


_CSV = {"quote_style": "non_numeric", "date_format": "%Y-%m-%d"}


def csv_safe_text(df: pl.DataFrame) -> str:
    """``df`` as UTF-8 CSV text (header, RFC 4180 quoting) with formula-injection
    neutralisation (OWASP rule, module docstring)."""
    return safe_frame(df).write_csv(**_CSV)  # type: ignore[arg-type]


def write_csv_safe(df: pl.DataFrame, path: str | os.PathLike[str]) -> Path:
    """``csv_safe_text(df)`` written atomically to ``path`` (``atomic_file``; by polars
    straight to the file, not through one string: 300 MB for 1M contacts' scores). Returns
    the path."""
    with atomic_file(path) as f:
        safe_frame(df).write_csv(f, **_CSV)  # type: ignore[arg-type]
    return Path(path)


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """A binary file that becomes ``path`` when the block ends: written as a temporary file
    beside it, synced, made 0644 and moved into place (``os.replace``); removed, and
    ``path`` left as it was, when the block raises."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


# --------------------------------------------------------------------------- iCalendar


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
