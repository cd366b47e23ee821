"""The full data beside a report: every table a page shows (and every list it offers) as a
file in ``<output_dir>/data/``, so a truncated table is one click from all its rows.

``save_table(output_dir, name, df)`` writes ``data/<name>.csv`` (formula-safe,
``core.outputs.write_csv_safe``: a cell starting with ``= + - @`` is prefixed so spreadsheets
show it as text, OWASP CSV-injection rule) and ``data/<name>.parquet`` (typed, for code), and
returns the CSV's path relative to the page (``data/<name>.csv``) for the page to link. An
empty ``output_dir`` (a live notebook, nbval) writes nothing and returns None.

The files are written by one background thread, in the order saved, while the notebook goes
on drawing (polars writes outside the GIL: at scale L the 770 MB of CSV took 4-5 s of the
audit page, now mostly hidden behind its rendering); so are the lists' vCards
(``present.vcards``, ``write_soon``). ``finish_writes()`` waits for them and
raises the first failure; ``data_list_html`` (every page's last cell) calls it, so a page
is complete only when its files are, and the report runner's kernel calls it between
notebooks (``warmcall.run.kernels``).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import polars as pl

from warmcall.core.outputs import atomic_file, write_csv_safe

DATA_DIR = "data"
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_]{0,63}$")


def data_dir(output_dir: str | os.PathLike[str]) -> Path:
    """``<output_dir>/data``: the folder of a report set's data files."""
    return Path(output_dir) / DATA_DIR


def table_link(output_dir: str | os.PathLike[str] | None, name: str) -> str | None:
    """The link from a page to table ``name`` saved beside it (``data/<name>.csv``), or None
    without an output folder (what :func:`save_table` returns)."""
    return f"{DATA_DIR}/{name}.csv" if output_dir else None


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
    write_soon(_write_table, df, folder, name)
    return table_link(output_dir, name)


def write_soon(write: Callable[..., object], *args: object) -> None:
    """Queue ``write(*args)`` on the data files' background thread (module docstring), after
    the writes queued before it; its failure is raised by :func:`finish_writes`. For a file
    beside the report whose link the page shows before the file is complete."""
    with _lock:
        global _writer
        if _writer is None:
            _writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warmcall-data")
        _pending.append(_writer.submit(write, *args))


_lock = threading.Lock()
_writer: ThreadPoolExecutor | None = None
_pending: list[Future[None]] = []


def _write_table(df: pl.DataFrame, folder: Path, name: str) -> None:
    write_csv_safe(df, folder / f"{name}.csv")
    with atomic_file(folder / f"{name}.parquet") as f:
        df.write_parquet(f)


def finish_writes() -> None:
    """Wait until every table :func:`save_table` queued is written; raise the first
    failure (OS or polars error) after all have ended."""
    with _lock:
        pending = list(_pending)
        _pending.clear()
    errors = [e for e in (f.exception() for f in pending) if e is not None]
    if errors:
        raise errors[0]


def saved_tables(output_dir: str | os.PathLike[str]) -> list[str]:
    """Names of the tables saved in ``<output_dir>/data`` (sorted), from the Parquet files
    (after this process's queued writes, :func:`finish_writes`)."""
    finish_writes()
    folder = data_dir(output_dir)
    if not folder.is_dir():
        return []
    return sorted(p.name[: -len(".parquet")] for p in folder.glob("*.parquet"))


def data_list_html(files: Mapping[str, str | None]) -> str:
    """The "Data" list at the end of a page: for each ``title -> link`` (a link from
    :func:`save_table`), the CSV and the Parquet file, in the order given. Titles are
    escaped; a None link (no batch run) is left out, and with none at all the list says that
    data files are written beside batch reports. Waits for the files first
    (:func:`finish_writes`)."""
    from warmcall.core.sanitize import html as escape

    finish_writes()
    items = []
    for title, link in files.items():
        if not link:
            continue
        csv_href = escape(link)
        pq_href = escape(link[: -len(".csv")] + ".parquet")
        items.append(
            f'<li>{escape(title)}: <a href="{csv_href}" download>CSV</a> \u00b7 '
            f'<a href="{pq_href}" download>Parquet</a></li>'
        )
    if not items:
        return (
            '<p class="wc-data">The full tables are written beside batch reports '
            "(<code>warmcall report</code>), in the folder <code>data/</code>.</p>"
        )
    return (
        '<div class="wc-data"><p>Every table of this page in full, in the folder '
        f"<code>{DATA_DIR}/</code> beside it (CSV for spreadsheets, Parquet for code):</p>"
        f"<ul>{''.join(items)}</ul></div>"
    )


WORKBOOK_FILE = "data.xlsx"
SHEET_NAME_MAX = 31  # Excel's limit on a worksheet name


def write_workbook(output_dir: str | os.PathLike[str]) -> Path | None:
    """One Excel workbook ``<output_dir>/data.xlsx`` with a sheet per saved table (from
    ``data/<name>.parquet``, in name order; sheet names cut to 31 characters, Excel's limit,
    and made unique). Formula-safe like the CSV: text cells go through
    ``core.outputs.safe_frame`` (OWASP rule) and xlsxwriter is told never to turn a string
    into a formula or a link. Written atomically; returns the path, or None when no table
    was saved."""
    import xlsxwriter

    from warmcall.core.outputs import safe_frame

    names = saved_tables(output_dir)
    if not names:
        return None
    target = Path(output_dir) / WORKBOOK_FILE
    used: set[str] = set()
    with (
        atomic_file(target) as f,
        xlsxwriter.Workbook(
            f,
            {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
        ) as wb,
    ):
        for name in names:
            sheet = name[:SHEET_NAME_MAX]
            i = 2
            while sheet in used:
                suffix = f"_{i}"
                sheet = name[: SHEET_NAME_MAX - len(suffix)] + suffix
                i += 1
            used.add(sheet)
            df = safe_frame(pl.read_parquet(data_dir(output_dir) / f"{name}.parquet"))
            df.write_excel(wb, worksheet=sheet, autofit=True)
    return target
