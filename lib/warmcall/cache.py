"""The table cache: the canonical tables of a load, kept as Parquet and reused while the
inputs are unchanged (issue "Fast at brand scale"; DESIGN.md "Scale").

Rule. An entry is keyed by the SHA-256 of: every input path as given; for each, every regular
file it holds (a folder is walked like ``Source.open`` walks it: symlinks and special files
skipped) with its relative name, size and the SHA-256 of its full content; the mapping (the
mapping file's bytes, or the dict) and encoding; the environment the loaders read
(``WARMCALL_MAX_UNZIP_MB``); the polars version; and the SHA-256 of warmcall's own source
files (a changed loader never reuses old tables). File times are not used: a file whose
bytes change misses even when its name, size and mtime are restored.

Hit: a ``LazyWorkbook`` over the entry's Parquet files (scanned, read only as far as a query
needs) and its load report. Miss: the ordinary load, then the entry is written (into a
temporary folder, renamed into place: readers never see half an entry) and read back lazily.
Interactions are stored with a dense integer contact key ``_ck`` and a key table, so the
per-contact feature pass groups by one integer (``features.contact_features``), and with
``_file``/``_line`` instead of ``source``, which the scan builds when it is read (10M rows'
``source`` text is the largest part of a cold load's memory).

Where: ``$WARMCALL_CACHE_DIR/tables``, else ``$XDG_CACHE_HOME/warmcall/tables``, else
``~/.cache/warmcall/tables`` (folders created private, 0700: entries hold copies of your
data). Inputs smaller than ``WARMCALL_CACHE_MIN_BYTES`` (default 1 MiB) are not cached (they
load in well under a second). Least recently used entries are removed when the cache grows
beyond ``WARMCALL_CACHE_MAX_MB`` (default 4096). ``warmcall.load(..., cache=False)`` bypasses
the cache entirely.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import polars as pl

from . import schema
from .accounting import SOURCE_EXPR, LoadReport
from .features import CONTACT_KEY, KEYS
from .workbook import LazyWorkbook, Workbook

FORMAT = 1
DEFAULT_MIN_BYTES = 1 << 20
DEFAULT_MAX_MB = 4096
KEY_FILE = "contact_keys.parquet"
FILES_FILE = "source_files.parquet"
REPORT_FILE = "load-report.json"
USED_FILE = ".used"
_ENV = ("WARMCALL_MAX_UNZIP_MB",)


def cache_dir() -> Path:
    """warmcall's user cache folder: ``$WARMCALL_CACHE_DIR``, else ``$XDG_CACHE_HOME/warmcall``,
    else ``~/.cache/warmcall`` (the table cache and the report's Vega bundle live in it)."""
    if env := os.environ.get("WARMCALL_CACHE_DIR"):
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "warmcall"


def cache_root() -> Path:
    """The table cache: ``cache_dir() / "tables"``."""
    return cache_dir() / "tables"


def _cacheable(fp: tuple[str, int] | None) -> bool:
    """A fingerprinted input goes through the cache when it is at least
    ``WARMCALL_CACHE_MIN_BYTES`` (default 1 MiB)."""
    return fp is not None and fp[1] >= _env_int("WARMCALL_CACHE_MIN_BYTES", DEFAULT_MIN_BYTES)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() else default


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _files(path: Path) -> list[tuple[str, Path]] | None:
    """(relative name, path) of every regular file of an input, as ``Source.open`` sees
    them; ``None`` when the input is missing or not a regular file or folder (the ordinary
    load reports that)."""
    try:
        if path.is_dir():
            out = []
            for root, _dirs, names in os.walk(path):
                for n in names:
                    full = Path(root) / n
                    try:
                        if stat.S_ISREG(full.lstat().st_mode):
                            out.append((full.relative_to(path).as_posix(), full))
                    except OSError:
                        continue
            return sorted(out)
        if path.is_file():
            return [(path.name, path)]
    except OSError:
        return None
    return None


@lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 over warmcall's own ``.py`` files (relative name and bytes)."""
    root = Path(__file__).parent
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        h.update(p.relative_to(root).as_posix().encode() + b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()


def fingerprint(
    paths: Sequence[str | os.PathLike[str]],
    mapping: str | os.PathLike[str] | dict | None = None,
    encoding: str | None = None,
) -> tuple[str, int] | None:
    """(cache key, total input bytes) by the rule in the module docstring; ``None`` when an
    input cannot be fingerprinted (missing, not a regular file or folder, unreadable)."""
    listing: list[tuple[int, str, Path, int]] = []
    for i, p in enumerate(paths):
        files = _files(Path(p))
        if files is None:
            return None
        for name, full in files:
            try:
                listing.append((i, name, full, full.stat().st_size))
            except OSError:
                return None
    try:
        with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as ex:
            digests = list(ex.map(_sha256, [f for _, _, f, _ in listing]))
    except OSError:
        return None
    parts: dict = {
        "format": FORMAT,
        "paths": [str(p) for p in paths],
        "files": [[i, n, s, d] for (i, n, _, s), d in zip(listing, digests, strict=True)],
        "encoding": encoding,
        "env": {k: os.environ.get(k) for k in _ENV},
        "polars": pl.__version__,
        "code": code_digest(),
    }
    if isinstance(mapping, dict):
        parts["mapping"] = json.dumps(mapping, sort_keys=True, default=str)
    elif mapping is not None:
        mp = Path(mapping)
        try:
            parts["mapping"] = [str(mapping), _sha256(mp)]
        except OSError:
            return None
    key = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return key, sum(s for *_, s in listing)


def _report_from_dict(d: dict) -> LoadReport:
    return LoadReport.from_dict(d)


def _table_files(entry: Path) -> dict[str, Path]:
    return {t: entry / f"{t}.parquet" for t in schema.TABLES}


def open_entry(entry: Path) -> LazyWorkbook | None:
    """The ``LazyWorkbook`` of a complete cache entry, or ``None`` if it is missing or
    unreadable (then it is rebuilt)."""
    files = _table_files(entry)
    try:
        report = _report_from_dict(json.loads((entry / REPORT_FILE).read_text(encoding="utf-8")))
        for t, f in files.items():  # footers only: cheap, catches truncated files
            have = pl.read_parquet_schema(f)
            want = dict(schema.TABLES[t])
            if t == "interactions":
                del want["source"]
                want.update(_fid=pl.UInt32(), _line=pl.Int64(), **{CONTACT_KEY: pl.UInt32()})
            if any(have.get(c) != dt for c, dt in want.items()):
                return None
        pl.read_parquet_schema(entry / KEY_FILE)
        source_files = pl.read_parquet(entry / FILES_FILE)
    except Exception:  # noqa: BLE001 - any damage: rebuild the entry
        return None
    frames = {t: pl.scan_parquet(f).select(schema.canonical_columns(t)) for t, f in files.items()}
    frames["interactions"] = (
        pl.scan_parquet(files["interactions"])
        .join(source_files.lazy(), on="_fid", how="left", maintain_order="left")
        .with_columns(SOURCE_EXPR)
        .select(schema.canonical_columns("interactions"))
    )
    keyed = (
        pl.scan_parquet(files["interactions"]).select(
            CONTACT_KEY, "ts", "kind", "direction", "post_id"
        ),
        pl.scan_parquet(entry / KEY_FILE),
    )
    with contextlib.suppress(OSError):
        (entry / USED_FILE).touch()
    return LazyWorkbook(frames, report, keyed)


def write_entry(entry: Path, wb: Workbook) -> bool:
    """Write ``wb`` (a ``_load(..., keep_keys=True)`` workbook: interactions with ``_fid`` and
    ``_line``, and ``wb.source_files``) as the cache entry ``entry`` (temporary folder, then
    one rename). Returns False when another process wrote it first or the cache is not
    writable."""
    if getattr(wb, "source_files", None) is None:  # not from ``_load(..., keep_keys=True)``
        return False
    root = entry.parent
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = Path(tempfile.mkdtemp(prefix=f".{entry.name}.", dir=root))
    except OSError:
        return False
    try:
        files = _table_files(tmp)
        for t, f in files.items():
            df = getattr(wb, t)
            if t == "interactions":
                keys = df.select(KEYS).unique(maintain_order=True).with_row_index(CONTACT_KEY)
                keys.write_parquet(tmp / KEY_FILE, compression_level=1)
                df = df.join(
                    keys, on=list(KEYS), how="left", nulls_equal=True, maintain_order="left"
                )
            df.write_parquet(f, compression_level=1)  # zstd 1: written once per input, fast
        wb.source_files.write_parquet(tmp / FILES_FILE)
        (tmp / REPORT_FILE).write_text(wb.report.to_json(), encoding="utf-8")
        (tmp / USED_FILE).touch()
        os.replace(tmp, entry)
        return True
    except OSError:
        return False
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def prune(root: Path | None = None, max_bytes: int | None = None) -> None:
    """Remove least recently used entries until the cache holds at most ``max_bytes``
    (default ``WARMCALL_CACHE_MAX_MB``)."""
    root = root or cache_root()
    cap = (
        max_bytes
        if max_bytes is not None
        else _env_int("WARMCALL_CACHE_MAX_MB", DEFAULT_MAX_MB) << 20
    )
    entries = []
    try:
        for d in root.iterdir():
            if d.is_dir() and not d.name.startswith("."):
                size = sum(f.stat().st_size for f in d.iterdir() if f.is_file())
                used = (d / USED_FILE).stat().st_mtime if (d / USED_FILE).exists() else 0.0
                entries.append((used, size, d))
    except OSError:
        return
    total = sum(s for _, s, _ in entries)
    for _, size, d in sorted(entries, key=lambda e: e[0]):
        if total <= cap:
            break
        shutil.rmtree(d, ignore_errors=True)
        total -= size


def needs_fill(
    paths: Sequence[str | os.PathLike[str]],
    mapping: str | os.PathLike[str] | dict | None,
    encoding: str | None,
) -> bool:
    """True when a ``load`` of these inputs would go through the cache (large enough, see
    ``WARMCALL_CACHE_MIN_BYTES``) and finds no entry yet: a miss that would load and write.
    Unreadable inputs give False (the load itself reports them)."""
    try:
        fp = fingerprint(paths, mapping, encoding)
    except Exception:  # noqa: BLE001 - the load reports unusable input, one line per file
        return False
    if not _cacheable(fp):
        return False
    root = cache_root()
    if (root / fp[0]).is_dir():
        return False
    try:  # an unwritable cache would make a fill a wasted load
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return False
    return os.access(root, os.W_OK)


def load_cached(
    paths: Sequence[str | os.PathLike[str]],
    mapping: str | os.PathLike[str] | dict | None,
    encoding: str | None,
    load: Callable[..., Workbook],
) -> Workbook:
    """``load(paths, mapping, encoding)`` through the cache (module docstring)."""
    fp = fingerprint(paths, mapping, encoding)
    if not _cacheable(fp):
        return load(paths, mapping, encoding)
    key, _ = fp
    entry = cache_root() / key
    if entry.is_dir() and (wb := open_entry(entry)) is not None:
        return wb
    wb = load(paths, mapping, encoding, True)  # interactions with _file/_line, no source
    if entry.is_dir():  # damaged: replace it
        shutil.rmtree(entry, ignore_errors=True)
    if write_entry(entry, wb) or entry.is_dir():
        prune(entry.parent)
        cached = open_entry(entry)
        if cached is not None:
            return cached
    inter = wb.interactions.join(  # the cache is not usable: eager canonical tables
        wb.source_files, on="_fid", how="left", maintain_order="left"
    ).with_columns(SOURCE_EXPR)
    return Workbook(
        wb.accounts, wb.connections, inter.select(schema.canonical_columns("interactions")),
        wb.posts, wb.report,
    )  # fmt: skip
