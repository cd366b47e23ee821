"""What every loader returns: candidate frames plus per-file accounting.

A loader module has ``FORMAT`` (a short name), ``detect(source) -> bool`` (by content)
and ``load(source, **options) -> LoadResult``. It adds candidate rows with ``_file`` and
``_line`` (line or record number) and registers every file it reads with ``rows_read``;
records it cannot use are rejected with a reason (``FileReport.reject``). Validation and
the final accounting happen once, in ``warmcall.accounting``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

#: Bookkeeping column: True on candidate rows whose file names no account; they get the one
#: account of their platform in the load (``warmcall.resolve.resolve_accounts``).
NEEDS_ACCOUNT = "_needs_account"


@dataclass
class FileReport:
    """Accounting for one input file: ``rows_read`` records, some rejected with reasons."""

    path: str
    format: str
    rows_read: int = 0
    rejects: list[tuple[int | None, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def reject(self, line: int | None, reason: str) -> None:
        self.rejects.append((line, reason))


@dataclass
class LoadResult:
    """Candidate frames by table (several per table allowed) and the file reports."""

    tables: dict[str, list[pl.DataFrame]] = field(default_factory=dict)
    files: list[FileReport] = field(default_factory=list)

    def add(self, table: str, frame: pl.DataFrame | list[dict]) -> None:
        """Add candidate rows (a frame, or a list of row dicts) to ``table``."""
        if isinstance(frame, list):
            if not frame:
                return
            frame = pl.DataFrame(frame, infer_schema_length=None)
        if frame.height:
            self.tables.setdefault(table, []).append(frame)

    def file(self, path: str, format: str, rows_read: int = 0) -> FileReport:
        rep = FileReport(path, format, rows_read)
        self.files.append(rep)
        return rep

    def extend(self, other: LoadResult) -> None:
        for t, frames in other.tables.items():
            self.tables.setdefault(t, []).extend(frames)
        self.files.extend(other.files)
