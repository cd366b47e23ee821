"""CSV reading shared by loaders: a real CSV parser, UTF-8 with BOM, CRLF, line numbers.

Field size: Python's ``csv`` module refuses a field over 131,072 characters by default
(``csv.field_size_limit``), which made a long bio or post an error. The limit is lifted for
the whole process when this module is imported (every loader that parses CSV imports it):
a field is bounded by its file, and files by the size caps of ``warmcall.ingest.sources``.
"""

from __future__ import annotations

import csv
import io
import sys

import polars as pl

try:
    csv.field_size_limit(sys.maxsize)
except OverflowError:  # a C long of 32 bits (Windows)
    csv.field_size_limit(2**31 - 1)


def read_csv_text(
    text: str, *, skip_lines: int = 0, header: bool = True, separator: str = ","
) -> pl.DataFrame:
    """Parse CSV text into an all-string frame plus ``_line``, the physical line number
    (1-based) where each record starts. ``skip_lines`` lines (a preamble) are skipped
    before the header. Blank records are dropped (they are not rows). ``separator``: the
    field delimiter (``"\t"`` for tab-separated files).

    Fast path: polars' parser, valid when no field spans lines (then record i starts on
    line ``skip_lines + header + i``). Otherwise Python's ``csv`` module gives exact lines.
    """
    body = text
    if skip_lines:
        body = "".join(text.splitlines(keepends=True)[skip_lines:])
    first = 1 + skip_lines + (1 if header else 0)
    n_lines = body.count("\n") + (0 if body.endswith("\n") or not body else 1)
    try:
        df = pl.read_csv(
            io.StringIO(body),
            has_header=header,
            separator=separator,
            infer_schema=False,
            empty_string_is_null=True,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except pl.exceptions.ComputeError:
        df = None
    # fast path valid only when every record is one line and no line is blank
    if df is not None and _blank_lines(body) == 0 and df.height + (1 if header else 0) == n_lines:
        return df.with_row_index("_line", offset=first).with_columns(pl.col("_line").cast(pl.Int64))
    return _read_csv_slow(body, first - (1 if header else 0), header, separator)


def _blank_lines(body: str) -> int:
    return sum(1 for ln in body.splitlines() if not ln.strip())


def _read_csv_slow(body: str, first_line: int, header: bool, separator: str = ",") -> pl.DataFrame:
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=separator)
    rows: list[list[str]] = []
    lines: list[int] = []
    cols: list[str] | None = None
    start = 1
    for rec in reader:
        line = first_line + start - 1
        start = reader.line_num + 1
        if not any(f.strip() for f in rec):
            continue
        if header and cols is None:
            cols = _dedupe([c.strip() for c in rec])
            continue
        rows.append(rec)
        lines.append(line)
    if cols is None:
        width = max((len(r) for r in rows), default=0)
        cols = [f"column_{i + 1}" for i in range(width)]
    data = {
        c: [r[i] if i < len(r) and r[i] != "" else None for r in rows] for i, c in enumerate(cols)
    }
    return pl.DataFrame(
        {**data, "_line": lines}, schema={**{c: pl.String for c in cols}, "_line": pl.Int64}
    )


def _dedupe(cols: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for c in cols:
        if c in seen:
            seen[c] += 1
            out.append(f"{c}_duplicated_{seen[c]}")
        else:
            seen[c] = 0
            out.append(c)
    return out


def header_of(text: str, skip_lines: int = 0) -> list[str]:
    """The header row's cells (stripped), read with a real CSV parser."""
    lines = text.splitlines()[skip_lines : skip_lines + 50]
    for row in csv.reader(lines):
        if any(c.strip() for c in row):
            return [c.strip() for c in row]
    return []


_OTHER_DELIMITERS = {";": "';'", "\t": "tabs", "|": "'|'"}


def single_column_hint(header: list[str]) -> str | None:
    """Why a header parsed as a single column probably is not one (``None`` when the header
    has more than one column), described without quoting the file's content: a comma inside
    the lone cell means every line is one quoted field (a whole row wrapped in quotes); a
    ``;``, tab or ``|`` means another delimiter. Used to explain "missing columns"."""
    if len(header) != 1:
        return None
    cell = header[0]
    if "," in cell:
        return "every line is one quoted field (whole rows wrapped in quotes), not comma-separated"
    for sep, name in _OTHER_DELIMITERS.items():
        if sep in cell:
            return f"its fields look separated by {name}, not by commas"
    return "it is not comma-separated as expected"
