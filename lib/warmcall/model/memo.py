"""Scored results kept beside the table cache, so the notebooks of one report set score once.

A report runs four notebooks, each calling ``warmcall.analyse`` on the same params; at scale
L (1M contacts, 10M interactions) each would re-score for ≈ 4 s (BENCHMARKS.md). ``analyse``
therefore keeps what it computed (features with persons, identity evidence, scores: before
redaction, which is applied on every use; what each export can show, ``signals``: a
pass over every interaction, 1.4 s at L; and the per-account ``overview``, which reads every
post, 0.6 s at L) as Parquet and reuses it.

Rule. An entry is keyed by the SHA-256 of: the table cache entry the workbook came from
(its key already covers every input byte, the mappings and warmcall's own code); the params
(``Params.to_papermill``, every field); the as-of date used; and the bytes of the
identities file when one is named (the only file scoring reads beyond the workbook). Only
workbooks from the table cache (``LazyWorkbook.cache_key``) are memoised: an in-memory
workbook has no key for its content.

Where: ``cache_dir() / "analyses" / <key>`` (folders private, written into a temporary folder
and renamed into place, by a background thread: ``write_soon``). An entry lives only while
its table cache entry does (removed by ``prune`` otherwise); each file's size and SHA-256
are in its ``manifest.json`` and checked before it is served; an entry that fails the check is removed and the analysis recomputed.
Nothing here ever fails an analysis: a cache that cannot be read or written is skipped.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import polars as pl

from warmcall.core.params import Params
from warmcall.ingest.cache import ENTRY_COMPRESSION, cache_dir, cache_root

FRAMES = ("features", "evidence", "scores", "signals", "overview")
MANIFEST = "manifest.json"
OWNER = "table-entry"  # the table cache entry's key


def root() -> Path:
    """``cache_dir() / "analyses"``."""
    return cache_dir() / "analyses"


def _sha(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def key(table_key: str, p: Params, as_of: date) -> str | None:
    """The entry key by the module's rule; ``None`` when the identities file cannot be read
    (then nothing is memoised: the analysis reports the problem itself)."""
    parts: dict = {"table": table_key, "params": p.to_papermill(), "as_of": as_of.isoformat()}
    if p.identities:
        try:
            parts["identities"] = _sha(Path(p.identities))
        except OSError:
            return None
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()


def _manifest(folder: Path) -> dict[str, list]:
    return {
        f.name: [f.stat().st_size, _sha(f)]
        for f in sorted(folder.iterdir())
        if f.name != MANIFEST and f.is_file()
    }


def read(k: str) -> dict[str, pl.DataFrame] | None:
    """The frames of entry ``k`` (``FRAMES``), or ``None`` (missing or damaged: removed);
    waits for this process's own write of ``k`` (``write_soon``) first."""
    pending = _pending.pop(k, None)
    if pending is not None:
        pending.join()
    entry = root() / k
    if not entry.is_dir():
        return None
    try:
        want = json.loads((entry / MANIFEST).read_text(encoding="utf-8"))["files"]
        if _manifest(entry) != want or set(want) != {OWNER, *(f"{n}.parquet" for n in FRAMES)}:
            raise ValueError("does not match its manifest")
        return {n: pl.read_parquet(entry / f"{n}.parquet") for n in FRAMES}
    except Exception:  # noqa: BLE001 - any damage: recompute
        shutil.rmtree(entry, ignore_errors=True)
        return None


def write(
    k: str,
    table_key: str,
    frames: dict[str, pl.DataFrame],
    base: Path | None = None,
    tables: Path | None = None,
) -> None:
    """Store ``frames`` as entry ``k`` of the table cache entry ``table_key`` (temporary
    folder, one rename) in ``base`` (default ``root()``); entries whose table cache entry
    is gone from ``tables`` (default ``cache_root()``) are removed first. Failures are
    ignored (the analysis is returned either way)."""
    base = base or root()
    tmp = None
    try:
        base.mkdir(parents=True, exist_ok=True, mode=0o700)
        _drop_orphans(base, tables or cache_root())
        tmp = Path(tempfile.mkdtemp(prefix=f".{k}.", dir=base))
        for n in FRAMES:
            # as the table cache's: written once, read by each notebook; lz4 reads the scores
            # and features of 1M contacts in 0.2 s (zstd: 0.33 s) at 1.4× the size
            frames[n].write_parquet(tmp / f"{n}.parquet", compression=ENTRY_COMPRESSION)
        (tmp / OWNER).write_text(table_key, encoding="utf-8")
        (tmp / MANIFEST).write_text(json.dumps({"files": _manifest(tmp)}), encoding="utf-8")
        os.replace(tmp, base / k)
    except (OSError, pl.exceptions.PolarsError):
        pass
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


#: this process's writes still running (``write_soon``), by entry key
_pending: dict[str, threading.Thread] = {}


def write_soon(k: str, table_key: str, frames: dict[str, pl.DataFrame]) -> None:
    """``write`` in a background thread, so the caller goes on while the Parquet files are
    written (0.9 s at 1M contacts; the notebook that scored meanwhile draws its charts).
    The folders are resolved now (the cache's environment at the call); the thread is not
    a daemon (a process ending waits for it); ``read(k)`` and ``wait()`` wait for it."""
    t = threading.Thread(
        target=write,
        args=(k, table_key, dict(frames), root(), cache_root()),
        name=f"warmcall-memo-{k[:8]}",
    )
    _pending[k] = t
    t.start()


def wait() -> None:
    """Wait for every ``write_soon`` of this process to end."""
    while _pending:
        _pending.pop(next(iter(_pending))).join()


def _drop_orphans(base: Path, tables: Path) -> None:
    """Remove entries whose table cache entry no longer exists, and leftover temporary
    folders of writes that were killed (older than an hour)."""
    now = time.time()
    for d in base.iterdir():
        with contextlib.suppress(OSError):
            if d.name.startswith("."):
                if now - d.stat().st_mtime > 3600:
                    shutil.rmtree(d, ignore_errors=True)
                continue
            owner = (d / OWNER).read_text(encoding="utf-8").strip()
            if not owner or not (tables / owner).is_dir():
                shutil.rmtree(d, ignore_errors=True)
