"""``Workbook``: the four canonical tables of one load plus its accounting, and ``load``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from warmcall.core import schema
from warmcall.core.errors import InputError
from warmcall.core.inputs import Input, as_entries
from warmcall.ingest.accounting import SOURCE_FILES, LoadReport, Streamed, finalize
from warmcall.ingest.enrich import enrich_profiles
from warmcall.ingest.loaders import LOADERS
from warmcall.ingest.loaders.base import LoadResult
from warmcall.ingest.resolve import EXTRA_ACCOUNTS, resolve_accounts, resolve_handles
from warmcall.ingest.sources import Source

ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz")
REPORT_FILE = "load-report.json"
#: What ``Workbook.write`` puts in its folder: one Parquet file per table and the load report.
SET_FILES = (*(f"{t}.parquet" for t in schema.TABLES), REPORT_FILE)


@dataclass
class Workbook:
    """Canonical tables (polars DataFrames, columns as in docs/architecture.md) and the load report."""

    accounts: pl.DataFrame = field(default_factory=lambda: schema.empty("accounts"))
    connections: pl.DataFrame = field(default_factory=lambda: schema.empty("connections"))
    interactions: pl.DataFrame = field(default_factory=lambda: schema.empty("interactions"))
    posts: pl.DataFrame = field(default_factory=lambda: schema.empty("posts"))
    report: LoadReport = field(default_factory=LoadReport)
    #: the load's file index, kept only for the table cache (``warmcall.ingest.cache``)
    source_files: pl.DataFrame | None = field(default=None, repr=False, compare=False)

    def tables(self) -> dict[str, pl.DataFrame]:
        return {
            "accounts": self.accounts,
            "connections": self.connections,
            "interactions": self.interactions,
            "posts": self.posts,
        }

    @property
    def signals(self) -> pl.DataFrame:
        """What each account's exports can show: one row per (account_id, signal) that a
        loaded file carries (``LoadReport.signals``; vocabulary ``loaders.base.SIGNALS``)."""
        return self.report.signals()

    def scan(self, table: str) -> pl.LazyFrame:
        """``table`` as a LazyFrame (a ``LazyWorkbook`` scans its Parquet file instead of
        loading it, so a query reads only the columns and rows it needs)."""
        return getattr(self, table).lazy()

    def keyed_interactions(self) -> tuple[pl.LazyFrame, pl.LazyFrame] | None:
        """Interactions with a dense integer contact key ``_ck`` instead of the three key
        columns, and the key table (``_ck``, account_id, platform, contact_id); ``None``
        when not available (only the table cache stores them, see ``warmcall.ingest.cache``)."""
        return None

    def write(self, out_dir: str | os.PathLike[str], timeout_s: float | None = None) -> list[Path]:
        """Write ``<table>.parquet`` for each table and ``load-report.json`` as one set: into
        a temporary folder beside ``out_dir``, swapped in whole under the folder's lock
        (``outputs.replace_folder``; ``timeout_s`` bounds the wait for another run). A failure
        leaves the previous set as it was; problems with the folder or the disk raise
        ``OutputError`` (one line naming ``out_dir``)."""
        from warmcall.core.outputs import replace_folder

        with replace_folder(out_dir, keep=SET_FILES, timeout_s=timeout_s) as tmp:
            for name, df in self.tables().items():
                df.write_parquet(tmp / f"{name}.parquet")
            (tmp / REPORT_FILE).write_text(self.report.to_json(), encoding="utf-8")
        return [Path(out_dir) / n for n in SET_FILES]


class LazyWorkbook(Workbook):
    """A ``Workbook`` whose tables are LazyFrames (scans of the table cache's Parquet files),
    each collected on first attribute access (``wb.interactions``) and kept; ``scan`` and
    ``keyed_interactions`` never collect. Equal to the eager workbook it stands for."""

    def __init__(
        self,
        frames: dict[str, pl.LazyFrame],
        report: LoadReport,
        keyed: tuple[pl.LazyFrame, pl.LazyFrame] | None = None,
        cache_key: str | None = None,
    ) -> None:
        self._lazy = dict(frames)
        self._keyed = keyed
        self.report = report
        #: the table cache entry these tables are read from (``warmcall.ingest.cache``)
        self.cache_key = cache_key

    def __getattr__(self, name: str) -> pl.DataFrame:  # only for attributes not yet set
        lazy = self.__dict__.get("_lazy")
        if lazy is None or name not in lazy:
            raise AttributeError(name)
        df = lazy[name].collect()
        setattr(self, name, df)
        return df

    def __repr__(self) -> str:  # without collecting anything
        parts = [
            f"{t}={self.__dict__[t].shape if t in self.__dict__ else 'lazy'}" for t in self._lazy
        ]
        return f"LazyWorkbook({', '.join(parts)}, rows_read={self.report.rows_read})"

    def scan(self, table: str) -> pl.LazyFrame:
        if table in self.__dict__:
            return self.__dict__[table].lazy()
        return self._lazy[table]

    def keyed_interactions(self) -> tuple[pl.LazyFrame, pl.LazyFrame] | None:
        return self._keyed


def input_sources(path: Path) -> list[Source]:
    """A path and, for a folder, every archive inside it as a source of its own (the
    folder's other files form one source, left out when there are none)."""
    src = Source.open(path)
    if src.kind != "dir":
        return [src]
    archives = [m for m in src.members() if m.name.lower().endswith(ARCHIVE_SUFFIXES)]
    for m in archives:
        src._members.pop(m.name)
    inner = [Source.open(path / m.name) for m in archives]
    return [src, *inner] if src._members or not inner else inner


def load_exports(
    paths: tuple[Input, ...],
    mapping: str | os.PathLike[str] | dict | None,
    encoding: str | None,
    keep_keys: bool = False,
    streamed: dict[str, Streamed] | None = None,
) -> Workbook:
    """The ordinary load (rules in ``warmcall.ingest.load.load``). ``keep_keys`` and
    ``streamed``: for the table cache (``finalize``; ``warmcall.ingest.stream``)."""
    from warmcall.ingest.loaders import mapped

    if mapping is not None:
        mapped.read_mapping(mapping)  # a bad mapping is an error even when nothing uses it
    res = LoadResult()
    for entry in as_entries(paths):
        if entry.mapping is not None:
            src = Source.open(entry.path)
            _report_duplicates(res, src)
            res.extend(_noted(src, mapped.load_mapped(src, entry.mapping, encoding=encoding)))
        else:
            res.extend(_load_input(Path(entry.path), mapping, encoding))
    if streamed:  # accounts named only in the streamed rows are accounts of the load too
        res.tables[EXTRA_ACCOUNTS] = [pl.concat([st.raw_accounts for st in streamed.values()])]
    resolve_accounts(res)
    resolve_handles(res)
    enrich_profiles(res)
    res.tables.pop(EXTRA_ACCOUNTS, None)
    tables, report = finalize(res, keep_keys=keep_keys, streamed=streamed)
    files = tables.pop(SOURCE_FILES, None)
    wb = Workbook(**tables, report=report)
    if files is not None:  # for the table cache (``finalize(keep_keys=True)``)
        wb.source_files = files
    return wb


def _load_input(
    path: Path, mapping: str | os.PathLike[str] | dict | None, encoding: str | None
) -> LoadResult:
    """One input without a mapping of its own (rules in ``load``)."""
    res = LoadResult()
    sources = input_sources(path)
    skipped = []
    for src in sources:
        _report_duplicates(res, src)
        part = _load_source(src, mapping, encoding)
        if part is None:
            skipped.append(src)
        else:
            res.extend(part)
    if len(skipped) == len(sources):
        raise InputError(path, _not_recognised(skipped[0]))
    for src in skipped:
        if src.kind == "dir":
            names = [m.name for m in src.members()]
            shown = ", ".join(names[:10]) + (
                f" and {len(names) - 10} more" if len(names) > 10 else ""
            )
            note = f"not recognised, skipped: {shown}"
        else:
            note = f"{src.path.name}: not a recognised export, skipped"
        res.file(str(src.path), "unrecognised").notes.append(
            note + " (a CSV in another layout needs a mapping)"
        )
    return res


def _load_source(
    src: Source, mapping: str | os.PathLike[str] | dict | None, encoding: str | None
) -> LoadResult | None:
    """What the loaders that recognise ``src`` load; else, with a top-level ``mapping``
    and CSV files in ``src``, those files through it; else ``None`` (not recognised)."""
    res = LoadResult()
    found = False
    for loader in LOADERS:
        if loader.detect(src):
            found = True
            res.extend(loader.load(src, encoding=encoding))
    if found:
        if mapping is not None:
            for f in res.files:
                f.notes.append(
                    "recognised as a known export: the top-level mapping was not applied"
                )
        return _noted(src, res)
    if mapping is not None and (
        src.kind == "file" or any(m.basename.lower().endswith(".csv") for m in src.members())
    ):
        from warmcall.ingest.loaders import mapped

        return _noted(src, mapped.load_mapped(src, mapping, encoding=encoding))
    return None


def _noted(src: Source, res: LoadResult) -> LoadResult:
    """Attach the source's reading notes (``Source.notes``) to the reports of the files
    they are about, or to its first file report."""
    for name, note in src.notes.items():
        display = src.display_name(name)
        for f in [f for f in res.files if f.path == display] or res.files[:1]:
            if note not in f.notes:
                f.notes.append(note)
    return res


def _report_duplicates(res: LoadResult, src: Source) -> None:
    """A later archive member with the name of an earlier one is not read (``Source``): it
    is listed in the load report (format ``duplicate-member``, 0 rows, the reason as a note)
    under a display name of its own, never silently ignored."""
    seen: dict[str, int] = {}
    for name, reason in src.duplicates:
        seen[name] = seen.get(name, 1) + 1
        rep = res.file(f"{src.display_name(name)} (copy {seen[name]})", "duplicate-member", 0)
        rep.notes.append(f"{name} (copy {seen[name]}): not read: {reason}")


def _not_recognised(src: Source) -> str:
    names = [m.basename for m in src.members()[:200]]
    if any(n.lower().endswith((".html", ".htm")) for n in names) and not any(
        n.lower().endswith((".json", ".js", ".csv")) for n in names
    ):
        return (
            "looks like an HTML-format export; request your data again in JSON format "
            "(Meta: 'Download your information' → Format: JSON)"
        )
    return (
        "not a recognised export (expected an X/Twitter archive, LinkedIn, Instagram (with "
        "Threads), Facebook, Mastodon, TikTok or YouTube (Takeout) export, a Bluesky .car, a "
        "Substack subscriber CSV, an X analytics CSV, a LinkedIn analytics .xlsx, canonical "
        "tables or touchpoints.csv; "
        "use --mapping FILE for other CSVs)"
    )
