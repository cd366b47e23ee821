"""Huge canonical interactions files into the table cache in chunks (issue "Fast at brand
scale", 10× L: 10M contacts, 100M interactions on a 24 GB machine).

When. A ``load`` through the table cache of one input folder holding a canonical
``interactions.parquet`` of at least ``WARMCALL_STREAM_ROWS`` rows (default 20,000,000)
with a timestamp column ``ts`` stored as a datetime. Everything else (the other tables, the
touchpoints log, other files) loads the ordinary way.

How, with the ordinary load's rules and results (``accounting.finalize``,
``schema.validate``):

1. Exact duplicates are rows equal in every column, so also in ``ts`` (a datetime: equal
   instants stay equal when cast to UTC). Only the ``ts`` column is read whole (8 bytes a
   row); the rows whose ``ts`` occurs more than once (or is null) are validated together,
   and of those the later duplicates of valid rows are the file's duplicate rejects.
2. The file is read in chunks of ``WARMCALL_STREAM_CHUNK_ROWS`` rows (default 5,000,000),
   each validated on its own (every other rule looks at one row); the duplicates from 1.
   are taken out; the accepted rows are written to a part file of the cache entry being
   built, with their line (the row number, from 1) and file id.
3. The ordinary load runs for everything else, the file counted (rows read) but not read
   (``loaders.canonical.STREAMED``), with the file's rejects and loaded rows and its
   accounts (``finalize(streamed=...)``).
4. ``cache.write_entry`` gives the part files and the other interactions their integer
   contact key and writes the entry with polars' streaming engine (``sink_parquet``).

The streamed rows come first in the interactions table, as in the ordinary load (the
canonical loader reads ``interactions.parquet`` before ``touchpoints.csv``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from warmcall.core import schema
from warmcall.core.inputs import Input, as_entries
from warmcall.ingest.accounting import Streamed
from warmcall.ingest.loaders import canonical
from warmcall.ingest.workbook import Workbook, load_exports

DEFAULT_ROWS = 20_000_000
DEFAULT_CHUNK_ROWS = 5_000_000
FILE = "interactions.parquet"


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else default


def streamable(paths: Sequence[Input], mapping: object) -> Path | None:
    """The interactions file to stream by the module's rule (``When``), else ``None``."""
    entries = as_entries(list(paths))
    if len(entries) != 1 or entries[0].mapping is not None:
        return None
    folder = Path(entries[0].path)
    f = folder / FILE
    if not (folder.is_dir() and f.is_file()):
        return None
    try:
        have = pl.read_parquet_schema(f)
        n = pl.scan_parquet(f).select(pl.len()).collect().item()
    except Exception:  # noqa: BLE001 - the ordinary load reports an unreadable file
        return None
    if n < _env_int("WARMCALL_STREAM_ROWS", DEFAULT_ROWS):
        return None
    if not isinstance(have.get("ts"), pl.Datetime):
        return None
    if any(c not in have for c in schema.REQUIRED["interactions"]):
        return None  # the ordinary load names the missing column
    return f


def _scan(f: Path) -> pl.LazyFrame:
    return pl.scan_parquet(f, row_index_name="_line", row_index_offset=1).with_columns(
        pl.col("_line").cast(pl.Int64)
    )


def _utc(ts: pl.Expr) -> pl.Expr:
    return ts.dt.convert_time_zone("UTC").dt.cast_time_unit("us")


def _duplicates(f: Path, display: str) -> pl.DataFrame:
    """(_line) of the file's later exact duplicates (module docstring, step 1)."""
    have = pl.read_parquet_schema(f)["ts"]
    ts = pl.col("ts") if have.time_zone else pl.col("ts").dt.replace_time_zone("UTC")
    col = pl.scan_parquet(f).select(_utc(ts).alias("ts")).collect()["ts"]
    s = col.drop_nulls().sort()
    repeated = s.filter(s.to_physical().diff() == 0).unique()
    del s, col
    if not repeated.len():
        cand = _scan(f).filter(pl.col("ts").is_null())
    else:
        cand = _scan(f).filter(_utc(ts).is_in(repeated.implode()) | pl.col("ts").is_null())
    rows = cand.collect().with_columns(_file=pl.lit(display))
    if not rows.height:
        return pl.DataFrame(schema={"_line": pl.Int64})
    _, bad = schema.validate("interactions", rows)
    return bad.filter(pl.col("reason") == "exact duplicate row").select("_line")


def load_streamed(
    f: Path,
    paths: Sequence[Input],
    mapping: object,
    encoding: str | None,
    parts: Path,
) -> Workbook:
    """The ``_load(..., keep_keys=True)`` workbook of ``paths`` with ``f`` streamed (module
    docstring): its ``interactions`` a LazyFrame over the part files written into
    ``parts`` followed by the other interactions, for ``cache.write_entry``."""
    from warmcall.ingest.sources import Source

    src = Source.open(f.parent)
    display = src.display_name(f.name)
    dups = _duplicates(f, display)
    n = pl.scan_parquet(f).select(pl.len()).collect().item()
    size = _env_int("WARMCALL_STREAM_CHUNK_ROWS", DEFAULT_CHUNK_ROWS)
    cols = schema.canonical_columns("interactions", with_source=False)
    rejects: list[pl.DataFrame] = []
    raw_pairs: list[pl.DataFrame] = []
    pairs: list[pl.DataFrame] = []
    loaded = 0
    files = []
    for i, start in enumerate(range(0, n, size)):
        chunk = _scan(f).slice(start, size).collect().with_columns(_file=pl.lit(display))
        raw_pairs.append(
            chunk.select(pl.col("account_id").cast(pl.String), pl.col("platform").cast(pl.String))
            .drop_nulls()
            .unique()
        )
        ok, bad = schema.validate("interactions", chunk)
        del chunk
        if dups.height:
            gone = pl.col("_line").is_in(dups["_line"].implode())
            rejects.append(
                ok.filter(gone).select(
                    "_file", "_line", pl.lit("exact duplicate row").alias("reason")
                )
            )
            ok = ok.filter(~gone)
        rejects.append(bad.select("_file", "_line", "reason"))
        loaded += ok.height
        pairs.append(ok.select("platform", "account_id").unique())
        part = parts / f"part-{i:05d}.parquet"
        ok.select(*cols, pl.lit(0, pl.UInt32).alias("_fid"), "_line").write_parquet(
            part, compression_level=1
        )
        files.append(part)
        del ok, bad
    streamed = {
        display: Streamed(
            loaded,
            pl.concat(rejects),
            pl.concat(raw_pairs).unique(),
            pl.concat(pairs).unique(),
        )
    }
    token = canonical.STREAMED.set(frozenset({str(f)}))
    try:
        wb = load_exports(tuple(paths), mapping, encoding, True, streamed=streamed)
    finally:
        canonical.STREAMED.reset(token)
    # the streamed file is the first of the interactions files (``_fid`` 0)
    others = wb.interactions
    old = wb.source_files
    n_old = old.height
    remap = dict(zip(old["_fid"].to_list(), range(1, n_old + 1), strict=True))
    fid = pl.col("_fid").replace_strict(remap, default=None, return_dtype=pl.UInt32)
    others = others.with_columns(fid)
    wb.connections = wb.connections.with_columns(fid)
    wb.posts = wb.posts.with_columns(fid)
    wb.source_files = pl.concat(
        [
            pl.DataFrame({"_fid": [0], "_file": [display]}, schema=old.schema),
            old.with_columns(fid),
        ]
    )
    wb.interactions = pl.concat(  # type: ignore[assignment]
        [pl.scan_parquet(files), others.lazy()], how="vertical"
    )
    return wb
