"""LinkedIn creator (post) analytics workbook ``Content_<from>_<to>_<Name>.xlsx``
(docs/export-formats.md §4: Profile → Show all analytics → Post impressions → Export).

Detected by content: an ``.xlsx`` whose sheet names include ``ENGAGEMENT`` and
``FOLLOWERS`` (every era has both; ``DISCOVERY`` and ``TOP POSTS`` appear from 2024). Read
in place with openpyxl (``read_only``, ``data_only``); each sheet is reported as its own
source (``Content_….xlsx:FOLLOWERS``), its spreadsheet row numbers as lines.

Sheets → canonical tables:

- ``FOLLOWERS``: the ``Total followers on M/D/YYYY: | N`` row → one ``accounts`` snapshot
  (snapshot_date = that date, followers = N): the LinkedIn follower count, which the data
  export does not have. The daily ``Date | New followers`` rows are read and rejected: daily
  gains have no canonical table (the total is what is loaded).
- ``TOP POSTS``: each row holds up to two posts side by side (top by engagements | top by
  impressions) → ``posts`` (post_id = the ``urn:li:activity:…`` of the URL, as for
  ``Shares.csv``, so the two describe one post; ts = publish date at 12:00 UTC;
  engagements or impressions). A post in both lists is merged into one row.
- ``ENGAGEMENT`` (daily impressions and engagements), ``DEMOGRAPHICS`` (audience shares) and
  ``DISCOVERY`` (a key/value block): read and rejected with the reason (account-level or
  audience figures have no canonical table).

Signals (``FileReport.carries``, for the load's one LinkedIn account): ``FOLLOWERS`` with a
total -> followers; ``TOP POSTS`` with impressions -> impressions.

Dates are ``%m/%d/%Y`` text (or real spreadsheet dates). The workbook names no account
(only a display name in the file name), so its rows are ``NEEDS_ACCOUNT``: they go to the
one LinkedIn account of the load (the LinkedIn data export loaded with it); loaded alone,
to the placeholder account ``linkedin:analytics`` (with its follower total); with several
LinkedIn accounts they are rejected with the reason (``warmcall.ingest.resolve``).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import polars as pl

from warmcall.core.errors import InputError
from warmcall.ingest.loaders.base import NEEDS_ACCOUNT, FileReport, LoadResult
from warmcall.ingest.sources import Member, Source, max_unzip_bytes

FORMAT = "linkedin-analytics"
PLATFORM = "linkedin"
SHEETS = ("DISCOVERY", "ENGAGEMENT", "TOP POSTS", "FOLLOWERS", "DEMOGRAPHICS")
#: An analytics workbook is a few hundred kB; more than this (uncompressed) is refused.
MAX_XLSX_BYTES = 256 * 1024 * 1024
_URN = re.compile(r"(urn:li:[A-Za-z]+:[0-9]+)")
_TOTAL = re.compile(r"total followers on\s*(\d{1,2}/\d{1,2}/\d{4})", re.IGNORECASE)
_NO_TABLE = {
    "ENGAGEMENT": "daily impressions and engagements of the account have no canonical table",
    "DEMOGRAPHICS": "audience demographics have no canonical table",
    "DISCOVERY": "account-level totals (impressions, members reached) have no canonical table",
}


def _candidates(src: Source) -> list[Member]:
    return [m for m in src.members() if m.basename.lower().endswith((".xlsx", ".xlsm"))]


def _open(m: Member, data: bytes | None = None):
    """The workbook (openpyxl, read-only); ``InputError`` naming the file when it is not a
    readable workbook or decompresses to more than the cap."""
    from openpyxl import load_workbook  # imported here: only analytics workbooks need it

    raw = m.read_bytes() if data is None else data
    cap = min(MAX_XLSX_BYTES, max_unzip_bytes())
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            if sum(i.file_size for i in zf.infolist()) > cap:
                raise InputError(m.display, f"workbook decompresses to more than {cap >> 20} MiB")
        return load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - openpyxl and zipfile raise many types
        raise InputError(m.display, f"not a readable .xlsx workbook ({type(e).__name__})") from None


def _is_analytics(names: list[str]) -> bool:
    upper = {n.strip().upper() for n in names}
    return {"ENGAGEMENT", "FOLLOWERS"} <= upper


def detect(src: Source) -> bool:
    """True if the source holds an ``.xlsx`` with the analytics sheets (module docstring)."""
    for m in _candidates(src):
        try:
            wb = _open(m)
        except InputError:
            if src.kind == "file":  # the one workbook given is unusable: ``load`` says why
                return True
            continue
        try:
            if _is_analytics(wb.sheetnames):
                return True
        finally:
            wb.close()
    return False


# -- cell values ------------------------------------------------------------------------------
def _text(v: object) -> str | None:
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def _day(v: object) -> date | None:
    """``M/D/YYYY`` text or a spreadsheet date; None when neither."""
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    s = _text(v)
    if s is None:
        return None
    try:
        return datetime.strptime(s, "%m/%d/%Y").date()
    except ValueError:
        return None


def _count(v: object) -> int | None:
    """A whole non-negative count from a number or text (``1,234``); None otherwise."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v if v >= 0 else None
    if isinstance(v, float):
        return int(v) if v.is_integer() and v >= 0 else None
    s = _text(v)
    if s is None:
        return None
    s = s.replace(",", "")
    return int(s) if s.isdigit() else None


# -- sheets -----------------------------------------------------------------------------------
def _rows(ws) -> list[tuple[int, tuple]]:
    """(spreadsheet row number, values) of the non-empty rows."""
    out = []
    for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if any(_text(v) is not None for v in row):
            out.append((i, tuple(row)))
    return out


#: the first cell of each table sheet's header row (rows above it are a preamble)
HEADERS = {"FOLLOWERS": "date", "TOP POSTS": "post url", "ENGAGEMENT": "date",
           "DEMOGRAPHICS": "top demographics"}  # fmt: skip


def _records(key: str, rows: list[tuple[int, tuple]]) -> list[tuple[int, tuple]]:
    """The sheet's records: the rows below its header row (``HEADERS``), plus, on
    ``FOLLOWERS``, the ``Total followers on …`` row above it; every row of ``DISCOVERY`` (a
    key/value block) and of an unknown sheet."""
    first = HEADERS.get(key)
    at = next((k for k, (_, r) in enumerate(rows) if (_text(r[0]) or "").lower() == first), None)
    if first is None or at is None:
        return rows
    above = [r for r in rows[:at] if key == "FOLLOWERS" and _TOTAL.search(_text(r[1][0]) or "")]
    return above + rows[at + 1 :]


def _followers(rows: list[tuple[int, tuple]], rep: FileReport) -> list[dict]:
    out = []
    for line, row in rows:
        label = _text(row[0]) or ""
        total = _TOTAL.search(label)
        if not total:
            rep.reject(line, "daily new followers have no canonical table (the total is loaded)")
            continue
        day, n = _day(total.group(1)), _count(row[1] if len(row) > 1 else None)
        if day is None or n is None:
            rep.reject(line, f"unreadable follower total: {label[:60]!r}")
            continue
        out.append({"snapshot_date": day, "followers": n, "_line": line})
    if not out:
        rep.notes.append("no 'Total followers on …' row: no follower count loaded")
    return out


def _top_posts(rows: list[tuple[int, tuple]], rep: FileReport) -> list[dict]:
    """Each record holds up to two posts side by side (top by engagements | top by
    impressions: ``Post URL, Post publish date, Engagements, , Post URL, Post publish date,
    Impressions``)."""
    out = []
    for line, row in rows:
        cells = list(row) + [None] * 7
        posts, problem = [], None
        for url, day, value, metric in (
            (cells[0], cells[1], cells[2], "engagements"),
            (cells[4], cells[5], cells[6], "impressions"),
        ):
            if _text(url) is None and _text(day) is None and _text(value) is None:
                continue  # this side is empty (the two lists can differ in length)
            urn = _URN.search((_text(url) or "").replace("%3A", ":").replace("%3a", ":"))
            d, n = _day(day), _count(value)
            if urn is None:
                problem = f"no urn:li:… post id in Post URL {(_text(url) or '')[:80]!r}"
            elif d is None:
                problem = (
                    f"unparsable Post publish date {(_text(day) or '')[:40]!r} (expected M/D/YYYY)"
                )
            elif n is None:
                problem = f"not a count in {metric}: {(_text(value) or '')[:40]!r}"
            else:
                posts.append({"post_id": urn.group(1), "_day": d, metric: n, "_line": line})
        if problem:
            rep.reject(line, problem)
        else:  # (a record always has a non-empty cell: ``_rows`` drops empty rows)
            out += posts
    return out


def load_workbook_file(m: Member) -> LoadResult:
    """One analytics workbook → accounts (follower total) and posts (top posts); nothing for
    a workbook without the analytics sheets. ``InputError`` when it cannot be read."""
    res = LoadResult()
    wb = _open(m)
    try:
        by_name = {n.strip().upper(): n for n in wb.sheetnames}
        if not _is_analytics(wb.sheetnames):
            return res
        accounts: list[dict] = []
        posts: list[dict] = []
        for key, name in by_name.items():
            rows = _records(key, _rows(wb[name]))
            where = f"{m.display}:{name}"
            rep = res.file(where, f"{FORMAT}-{key.lower().replace(' ', '-')}", len(rows))
            # signals (the export's one LinkedIn account): the follower total, impressions
            if key == "FOLLOWERS":
                got = [{**r, "_file": where} for r in _followers(rows, rep)]
                accounts += got
                if got:
                    rep.carries(PLATFORM, "followers")
            elif key == "TOP POSTS":
                got = [{**r, "_file": where} for r in _top_posts(rows, rep)]
                posts += got
                if any(r.get("impressions") is not None for r in got):
                    rep.carries(PLATFORM, "impressions")
            else:
                why = _NO_TABLE.get(key, f"sheet {name!r} is not part of the analytics export")
                for line, _ in rows:
                    rep.reject(line, why)
    finally:
        wb.close()
    common = [
        pl.lit(None, pl.String).alias("account_id"),
        pl.lit(True).alias(NEEDS_ACCOUNT),
        pl.lit(PLATFORM).alias("platform"),
    ]
    if accounts:
        df = pl.DataFrame(accounts, schema={"snapshot_date": pl.Date, "followers": pl.Int64,
                                            "_line": pl.Int64, "_file": pl.String})  # fmt: skip
        res.add("accounts", df.with_columns(common))
    if posts:
        schema = {"post_id": pl.String, "_day": pl.Date, "engagements": pl.Int64,
                  "impressions": pl.Int64, "_line": pl.Int64, "_file": pl.String}  # fmt: skip
        df = pl.DataFrame(posts, schema=schema)
        ts = (pl.col("_day").cast(pl.Datetime("us")) + pl.duration(hours=12)).dt.replace_time_zone(
            "UTC"
        )
        res.add("posts", df.with_columns(*common, ts.alias("ts")).drop("_day"))
    return res


def load(src: Source, **_: object) -> LoadResult:
    """Every analytics workbook in ``src`` (module docstring)."""
    res = LoadResult()
    for m in _candidates(src):
        try:
            res.extend(load_workbook_file(m))  # (another workbook gives nothing)
        except InputError:
            if src.kind == "file":
                raise  # the one file given is unusable: say so
    return res
