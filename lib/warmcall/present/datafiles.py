"""The full data beside a report: every table a page shows (and every list it offers) as a
file in ``<output_dir>/data/``, so a truncated table is one click from all its rows.

``save_table(output_dir, name, df)`` writes ``data/<name>.csv`` (formula-safe,
``core.outputs.write_csv_safe``: a cell starting with ``= + - @`` is prefixed so spreadsheets
show it as text, OWASP CSV-injection rule) and ``data/<name>.parquet`` (typed, for code), and
returns the CSV's path relative to the page (``data/<name>.csv``) for the page to link. An
empty ``output_dir`` (a live notebook, nbval) writes nothing and returns None.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import polars as pl

from warmcall.core.outputs import write_csv_safe

DATA_DIR = "data"
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")


def data_dir(output_dir: str | os.PathLike[str]) -> Path:
    """``<output_dir>/data``: the folder of a report set's data files."""
    return Path(output_dir) / DATA_DIR


def save_table(
    output_dir: str | os.PathLike[str] | None, name: str, df: pl.DataFrame
) -> str | None:
    """Write ``df`` as ``<output_dir>/data/<name>.csv`` (formula-safe) and ``.parquet``.

    ``name`` is a fixed identifier chosen by the code (lowercase letters, digits and ``_``,
    at most 64 characters; anything else is a ``ValueError``), never a string from data.
    Both files are written atomically (a reader never sees half a file). Returns the link
    ``data/<name>.csv`` relative to the report pages, or None when ``output_dir`` is empty
    (no batch run: nothing is written).
    """
    if not _NAME_RE.match(name):
        raise ValueError(f"data file name {name!r} must match {_NAME_RE.pattern}")
    if not output_dir:
        return None
    folder = data_dir(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    write_csv_safe(df, folder / f"{name}.csv")
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".parquet.tmp")
    os.close(fd)
    try:
        df.write_parquet(tmp)
        os.replace(tmp, folder / f"{name}.parquet")
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return f"{DATA_DIR}/{name}.csv"


def saved_tables(output_dir: str | os.PathLike[str]) -> list[str]:
    """Names of the tables saved in ``<output_dir>/data`` (sorted), from the Parquet files."""
    folder = data_dir(output_dir)
    if not folder.is_dir():
        return []
    return sorted(p.name[: -len(".parquet")] for p in folder.glob("*.parquet"))
