"""The table cache: the canonical tables of a load, kept as Parquet and reused while the
inputs are unchanged (issue "Fast at brand scale"; docs/architecture.md "Scale").

Rule. An entry is keyed by the SHA-256 of: every input path as given; for each, every regular
file it holds (a folder is walked like ``Source.open`` walks it: symlinks and special files
skipped) with its relative name, size and the SHA-256 of its full content; the mapping and
each input's own mapping (the mapping file's name and bytes, or the dict) and encoding; the environment the loaders read
(``WARMCALL_MAX_UNZIP_MB``); the polars version; and the SHA-256 of warmcall's own source
files (a changed loader never reuses old tables). File times are not used: a file whose
bytes change misses even when its name, size and mtime are restored.

Hit: a ``LazyWorkbook`` over the entry's Parquet files (scanned, read only as far as a query
needs) and its load report. Miss: the ordinary load, served from memory as the same
``LazyWorkbook`` while the entry is written in a thread (into a temporary folder, renamed
into place: readers never see half an entry); a later load of the same inputs in this
process waits for that write, and so does the end of the process (``wait_writes``).

Healing. Every entry carries ``manifest.json``: the size and SHA-256 of each of its files.
Before an entry is served, every file is checked against it (SHA-256 reads at ~1.5 GB/s, a
fraction of fingerprinting the inputs), its tables' schemas are checked, and its load report
must add up (per source: rows_read = rows_loaded + rows_set_aside + rows_rejected). An entry
that fails any check, or cannot be read, is removed and the inputs are loaded again, with
one line on stderr (``warmcall: table cache: ...``). A cache that cannot be written (disk
full, read-only, no permission; polars reports I/O failures as ``ComputeError``) gives the
ordinary tables with one line on stderr, never a failed load. A temporary folder of a write
that was killed (``.<key>.<host>.<pid>.*``) is removed by the next ``prune`` once its writer
is gone (same host) or it is older than ``STALE_TEMP_S``.
Interactions are stored with a dense integer contact key ``_ck`` instead of their three key
columns (account_id, platform, contact_id: in the key table, joined back when the canonical
table is read), so the per-contact feature pass groups by one integer
(``features.contact_features``) and the entry is written without 3 × 10M strings at scale L;
and connections, interactions and posts carry ``_fid``/``_line`` instead of ``source``, which
the scan builds when it is read (``accounting.keyed_source``; the "<file>:<line>" text of
every row is the largest part of a cold load's memory: 2 GB for the connections and posts
at 10× scale L).

A miss whose input holds a huge canonical ``interactions.parquet`` (``WARMCALL_STREAM_ROWS``,
default 20M rows) fills the entry in chunks instead (``warmcall.ingest.stream``: the same
tables and load report, memory bounded by the chunk and the contacts, not the rows).

Where: ``$WARMCALL_CACHE_DIR/tables``, else ``$XDG_CACHE_HOME/warmcall/tables``, else
``~/.cache/warmcall/tables`` (folders created private, 0700: entries hold copies of your
data). Inputs smaller than ``WARMCALL_CACHE_MIN_BYTES`` (default 1 MiB) are not cached (they
load in well under a second). Least recently used entries are removed when the cache grows
beyond ``WARMCALL_CACHE_MAX_MB`` (default 4096). ``warmcall.load(..., cache=False)`` bypasses
the cache entirely.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import json
import os
import secrets
import shutil
import socket
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import numpy as np
import polars as pl

from warmcall.core import schema
from warmcall.core.chunks import aligned
from warmcall.core.inputs import Input, as_entries
from warmcall.core.sanitize import terminal
from warmcall.core.schema import CONTACT_KEY, KEYS
from warmcall.ingest import stream
from warmcall.ingest.accounting import KEYED_TABLES, LoadReport, keyed_columns, keyed_source
from warmcall.ingest.workbook import LazyWorkbook, Workbook

FORMAT = 4  # 2: manifest.json; 3: interactions keyed by _ck; 4: no source text stored
DEFAULT_MIN_BYTES = 1 << 20
DEFAULT_MAX_MB = 4096
KEY_FILE = "contact_keys.parquet"
FILES_FILE = "source_files.parquet"
REPORT_FILE = "load-report.json"
USED_FILE = ".used"
MANIFEST_FILE = "manifest.json"
#: A temporary folder in the cache older than this (seconds) is a leftover, whoever wrote it.
STALE_TEMP_S = 3600
_ENV = ("WARMCALL_MAX_UNZIP_MB",)


def cache_dir() -> Path:
    """warmcall's user cache folder: ``$WARMCALL_CACHE_DIR``, else ``$XDG_CACHE_HOME/warmcall``,
    else ``~/.cache/warmcall`` (the table cache lives in it)."""
    if env := os.environ.get("WARMCALL_CACHE_DIR"):
        return Path(env)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "warmcall"


def cache_root() -> Path:
    """The table cache: ``cache_dir() / "tables"``."""
    return cache_dir() / "tables"


def _note(message: str) -> None:
    """One line on stderr about the cache (it never changes what a load returns)."""
    print(f"warmcall: table cache: {terminal(' '.join(message.split()))}", file=sys.stderr)


def _why(e: BaseException) -> str:
    text = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
    return f"{type(e).__name__}: {' '.join(text.split())[:200]}"


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
    root = Path(__file__).parents[1]  # the whole package, every layer
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.py")):
        h.update(p.relative_to(root).as_posix().encode() + b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()


def fingerprint(
    paths: Sequence[Input],
    mapping: str | os.PathLike[str] | dict | None = None,
    encoding: str | None = None,
) -> tuple[str, int] | None:
    """(cache key, total input bytes) by the rule in the module docstring; ``None`` when an
    input cannot be fingerprinted (missing, not a regular file or folder, unreadable)."""
    listing: list[tuple[int, str, Path, int]] = []
    entries = as_entries(list(paths))
    for i, e in enumerate(entries):
        files = _files(Path(e.path))
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
        "paths": [str(e.path) for e in entries],
        "files": [[i, n, s, d] for (i, n, _, s), d in zip(listing, digests, strict=True)],
        "encoding": encoding,
        "env": {k: os.environ.get(k) for k in _ENV},
        "polars": pl.__version__,
        "code": code_digest(),
    }
    try:
        if mapping is not None:
            parts["mapping"] = _mapping_part(mapping)
        if any(e.mapping is not None for e in entries):
            parts["entry_mappings"] = [_mapping_part(e.mapping) for e in entries]
    except OSError:
        return None
    key = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
    return key, sum(s for *_, s in listing)


def _mapping_part(mapping: str | os.PathLike[str] | dict | None) -> object:
    """A mapping as it enters the key: the dict as JSON, or the file's name and SHA-256."""
    if mapping is None or isinstance(mapping, dict):
        return None if mapping is None else json.dumps(mapping, sort_keys=True, default=str)
    return [str(mapping), _sha256(Path(mapping))]


def _report_from_dict(d: dict) -> LoadReport:
    return LoadReport.from_dict(d)


def _table_files(entry: Path) -> dict[str, Path]:
    return {t: entry / f"{t}.parquet" for t in schema.TABLES}


_T = TypeVar("_T")


def _in_threads(calls: list[Callable[[], _T]]) -> list[_T]:
    """Run ``calls`` at once, each in a thread of its own (a few: files of one entry; polars
    and hashlib work outside the GIL); their results in order, or the first exception.
    Plain threads, not an executor: an entry may be written while the interpreter shuts
    down (``_write_soon``), when executors refuse new work."""
    results: list = [None] * len(calls)
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            results[i] = calls[i]()
        except BaseException as e:  # noqa: BLE001 - handed to the caller
            errors.append(e)

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(1, len(calls))]
    for t in threads:
        t.start()
    if calls:
        one(0)
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return results


def _manifest(folder: Path) -> dict[str, list]:
    """{file name: [size, SHA-256]} of every file of an entry folder but ``USED_FILE``."""
    files = sorted(f for f in folder.iterdir() if f.name not in (USED_FILE, MANIFEST_FILE))
    digests = _in_threads([functools.partial(_sha256, f) for f in files])
    return {f.name: [f.stat().st_size, d] for f, d in zip(files, digests, strict=True)}


def check_entry(entry: Path) -> str | None:
    """What is wrong with the cache entry ``entry`` (a short phrase), or ``None`` when it may
    be served: every file matches ``manifest.json`` (size and SHA-256), the required files
    are there, and each source of its load report adds up (rows_read = rows_loaded +
    rows_set_aside + rows_rejected; a report without rows_set_aside counts 0)."""
    try:
        want = json.loads((entry / MANIFEST_FILE).read_text(encoding="utf-8"))["files"]
        required = {*(f.name for f in _table_files(entry).values()), KEY_FILE, FILES_FILE,
                    REPORT_FILE}  # fmt: skip
        if missing := sorted(required - set(want)):
            return f"has no checksum for {missing[0]}"
        have = _manifest(entry)
        for name, (size, digest) in sorted(want.items()):
            if name not in have:
                return f"lacks {name}"
            if have[name] != [size, digest]:
                return f"is damaged ({name} does not match its checksum)"
        report = _report_from_dict(json.loads((entry / REPORT_FILE).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as e:
        return f"cannot be read ({_why(e)})"
    for src in report.sources:
        parts = (src.rows_loaded, getattr(src, "rows_set_aside", 0), src.rows_rejected)
        if min(parts) < 0 or src.rows_read != sum(parts):
            return (
                f"has a load report that does not add up for {src.path} (read {src.rows_read} "
                f"≠ loaded {parts[0]} + set aside {parts[1]} + rejected {parts[2]})"
            )
    return None


def open_entry(entry: Path, verify: bool = True) -> LazyWorkbook | None:
    """The ``LazyWorkbook`` of a complete cache entry, or ``None`` if it is missing,
    unreadable or fails ``check_entry`` (then it is rebuilt). ``verify=False`` skips the
    checksums (for an entry this process has just written and summed)."""
    if verify and check_entry(entry) is not None:
        return None
    files = _table_files(entry)
    try:
        report = _report_from_dict(json.loads((entry / REPORT_FILE).read_text(encoding="utf-8")))
        for t, f in files.items():  # footers only: cheap, catches truncated files
            have = pl.read_parquet_schema(f)
            if any(have.get(c) != dt for c, dt in _stored_schema(t).items()):
                return None
        pl.read_parquet_schema(entry / KEY_FILE)
        source_files = pl.read_parquet(entry / FILES_FILE)
    except Exception:  # noqa: BLE001 - any damage: rebuild the entry
        return None
    with contextlib.suppress(OSError):
        (entry / USED_FILE).touch()
    return _entry_workbook(
        {t: pl.scan_parquet(f) for t, f in files.items()},
        pl.scan_parquet(entry / KEY_FILE),
        source_files.lazy(),
        report,
        entry.name,
    )


def _entry_workbook(
    stored: dict[str, pl.LazyFrame],
    keys: pl.LazyFrame,
    files: pl.LazyFrame,
    report: LoadReport,
    key: str,
) -> LazyWorkbook:
    """The ``LazyWorkbook`` of an entry's tables as stored (``_stored_schema``: interactions
    keyed by ``_ck``, ``keys`` the key table; ``_fid``/``_line`` for ``files``): canonical
    tables (``with_source``, the key columns joined back) and the per-contact frames."""
    frames = {}
    for t, lf in stored.items():
        if t == "interactions":
            lf = lf.join(keys, on=CONTACT_KEY, how="left", maintain_order="left")
        frames[t] = with_source(t, lf, files)
    per_contact = (
        stored["interactions"].select(CONTACT_KEY, "ts", "kind", "direction", "post_id"),
        keys,
    )
    return LazyWorkbook(frames, report, per_contact, cache_key=key)


def _stored_schema(table: str) -> dict[str, pl.DataType]:
    """{column: dtype} of a table as an entry stores it: ``accounting.keyed_columns`` for
    the keyed tables (interactions with ``_ck`` for their three key columns)."""
    want = dict(schema.TABLES[table])
    if table not in KEYED_TABLES:
        return want
    want.update(_fid=pl.UInt32(), _line=pl.Int64(), _src=pl.String())
    out = {c: want[c] for c in keyed_columns(table)}
    if table == "interactions":
        for c in KEYS:
            del out[c]
        out[CONTACT_KEY] = pl.UInt32()
    return out


_Frame = TypeVar("_Frame", pl.DataFrame, pl.LazyFrame)


def with_source(table: str, df: _Frame, files: _Frame) -> _Frame:
    """A table of an entry (or of ``finalize(keep_keys=True)``) as the canonical table:
    ``source`` built from ``_fid``/``_line`` (``accounting.keyed_source``), canonical columns."""
    if table in KEYED_TABLES:
        df = df.join(files, on="_fid", how="left", maintain_order="left").with_columns(
            keyed_source(table)
        )
    return df.select(schema.canonical_columns(table))


def _host_tag() -> str:
    return hashlib.sha256(socket.gethostname().encode()).hexdigest()[:8]


def _temp_prefix(key: str) -> str:
    """``.<key>.<host>.<pid>.``: whose temporary folder it is (``prune`` reads it back)."""
    return f".{key}.{_host_tag()}.{os.getpid()}."


def drop_entry(entry: Path, inode: int | None = None) -> None:
    """Remove a cache entry: renamed away first (one step; a reader that opens it after
    this sees no entry), then deleted. With ``inode`` (of the entry that was found damaged),
    an entry that another process has meanwhile dropped and written anew is put back, not
    removed. What cannot be deleted is left to ``prune``."""
    away = entry.with_name(_temp_prefix(entry.name) + secrets.token_hex(4))
    try:
        os.rename(entry, away)
    except OSError:  # gone already, or the cache is read-only
        return
    if inode is not None and away.stat().st_ino != inode:
        with contextlib.suppress(OSError):
            os.rename(away, entry)
            return
    shutil.rmtree(away, ignore_errors=True)


def write_entry(
    entry: Path, wb: Workbook, keyed: tuple[pl.DataFrame, pl.DataFrame] | None = None
) -> bool:
    """Write ``wb`` (a ``_load(..., keep_keys=True)`` workbook: interactions with ``_fid`` and
    ``_line``, and ``wb.source_files``) as the cache entry ``entry`` (temporary folder, then
    one rename), with its ``manifest.json``. Returns False when another process wrote it
    first or the cache cannot be written: any OS error (disk full, read-only, permission)
    or polars error (polars reports I/O failures as ``ComputeError``), said in one line on
    stderr; the caller then uses the tables it has. ``keyed``: ``key_rows`` of the
    interactions, already computed (then ``wb.interactions`` is not read)."""
    if getattr(wb, "source_files", None) is None:  # not from ``_load(..., keep_keys=True)``
        return False
    root = entry.parent
    tmp = None
    try:
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = Path(tempfile.mkdtemp(prefix=_temp_prefix(entry.name), dir=root))
        files = _table_files(tmp)
        # the other tables are written in a thread while the interactions are keyed (polars
        # works outside the GIL): 0.5 s of a 7 s first load at scale L
        interactions = (
            functools.partial(_write_keyed, keyed, files["interactions"], tmp / KEY_FILE)
            if keyed is not None
            else functools.partial(
                _write_interactions, wb.interactions, files["interactions"], tmp / KEY_FILE
            )
        )
        _in_threads([functools.partial(_write_plain, wb, files), interactions])
        wb.source_files.write_parquet(tmp / FILES_FILE)
        (tmp / REPORT_FILE).write_text(wb.report.to_json(), encoding="utf-8")
        manifest = {"format": FORMAT, "files": _manifest(tmp)}
        (tmp / MANIFEST_FILE).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        (tmp / USED_FILE).touch()
        os.replace(tmp, entry)
        return True
    except (OSError, pl.exceptions.PolarsError) as e:
        if not entry.is_dir():  # not "another process wrote it first"
            _note(f"cannot write to {root} ({_why(e)}); loaded without the cache")
        return False
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


#: compression of an entry's tables: written once per input, read by every audit; lz4 is
#: faster both ways than zstd, at about 1.5× the size
ENTRY_COMPRESSION = "lz4"


def _write_plain(wb: Workbook, files: dict[str, Path]) -> None:
    """``write_entry``'s tables but interactions, as they are."""
    for t, f in files.items():
        if t != "interactions":
            getattr(wb, t).write_parquet(f, compression=ENTRY_COMPRESSION)


def _write_interactions(df: pl.DataFrame | pl.LazyFrame, out: Path, key_file: Path) -> None:
    """``write_entry``'s interactions keyed by ``_ck``: the key text is written once per
    contact, in ``key_file``."""
    if isinstance(df, pl.LazyFrame):  # streamed (``warmcall.ingest.stream``)
        _write_keyed_streaming(df, out, key_file)
        return
    _write_keyed(key_rows(df), out, key_file)


def _write_keyed(keyed: tuple[pl.DataFrame, pl.DataFrame], out: Path, key_file: Path) -> None:
    rows, keys = keyed
    keys.write_parquet(key_file, compression=ENTRY_COMPRESSION)
    rows.write_parquet(out, compression=ENTRY_COMPRESSION)


_CHECK_ROWS = 1 << 20


def key_rows(df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the interactions with ``_ck`` instead of their three key columns, the key table:
    ``_ck`` and the key columns, one row per contact, ``_ck`` = 0, 1, ... in the order of
    each contact's first row). Rule: rows with equal (account_id, platform, contact_id),
    nulls equal, get the same ``_ck``; joined back on ``_ck`` they are the input rows, in
    order.

    The rows are grouped by a 64-bit hash of their three columns (one pass over the text,
    then integers: 0.75 s -> 0.5 s at 10M rows, 43k contacts); every row is then compared
    with its key's row, and should two contacts share a hash (a collision), the rows are
    grouped by the text itself (``_key_rows_exact``)."""
    text = df.select(KEYS)
    h = text.hash_rows()
    first = (
        pl.DataFrame({"_h": h})
        .with_row_index("_r")
        .group_by("_h", maintain_order=True)
        .agg(pl.col("_r").first())
    )
    ck = h.replace_strict(
        first["_h"], pl.int_range(first.height, dtype=pl.UInt32, eager=True),
        return_dtype=pl.UInt32,
    ).alias(CONTACT_KEY)  # fmt: skip
    keys = text[first["_r"]]
    # compared a slice at a time: the gathered text of 10M rows at once is 0.5 GB
    for at in range(0, df.height, _CHECK_ROWS):
        if not keys[ck.slice(at, _CHECK_ROWS)].equals(text.slice(at, _CHECK_ROWS)):
            return _key_rows_exact(df)
    return aligned(df.drop(*KEYS).with_columns(ck)), keys.with_row_index(CONTACT_KEY)


def _key_rows_exact(df: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``key_rows`` by a group-by on the key text (no hash to trust): the same rule, the
    same order."""
    groups = (
        df.select(KEYS).with_row_index("_r").group_by(KEYS, maintain_order=True).agg(pl.col("_r"))
    )
    keys = groups.select(KEYS).with_row_index(CONTACT_KEY)
    rows = groups.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias(CONTACT_KEY), "_r").explode(
        "_r"
    )
    ck = np.empty(df.height, dtype=np.uint32)
    ck[rows["_r"].to_numpy()] = rows[CONTACT_KEY].to_numpy()
    return aligned(df.drop(*KEYS).with_columns(pl.Series(CONTACT_KEY, ck))), keys


def _write_keyed_streaming(lf: pl.LazyFrame, out: Path, key_file: Path) -> None:
    """``write_entry``'s interactions from a LazyFrame, on polars' streaming engine: the key
    table (one row per contact), then the rows with ``_ck`` for their three key columns."""
    keys = lf.select(KEYS).unique().collect(engine="streaming").with_row_index(CONTACT_KEY)
    keys.write_parquet(key_file, compression=ENTRY_COMPRESSION)
    lf.join(keys.lazy(), on=list(KEYS), how="left", nulls_equal=True, maintain_order="left").drop(
        *KEYS
    ).sink_parquet(out, compression=ENTRY_COMPRESSION, engine="streaming")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, not ours
        return True
    return True


def _stale_temp(d: Path, now: float) -> bool:
    """A hidden folder of the cache root is a write in progress or a leftover: a leftover
    when the writer its name gives (``_temp_prefix``) ran on this host and is gone, or when
    it is older than ``STALE_TEMP_S`` (any name, any host)."""
    parts = d.name.split(".")
    ours = len(parts) == 5 and parts[2] == _host_tag() and parts[3].isdigit()
    if ours and not _alive(int(parts[3])):
        return True
    try:
        return now - d.stat().st_mtime > STALE_TEMP_S
    except OSError:
        return False


def prune(root: Path | None = None, max_bytes: int | None = None) -> None:
    """Remove the temporary folders of killed writes (``_stale_temp``), then the least
    recently used entries until the cache holds at most ``max_bytes`` (default
    ``WARMCALL_CACHE_MAX_MB``)."""
    root = root or cache_root()
    cap = (
        max_bytes
        if max_bytes is not None
        else _env_int("WARMCALL_CACHE_MAX_MB", DEFAULT_MAX_MB) << 20
    )
    entries = []
    now = time.time()
    try:
        for d in root.iterdir():
            if d.is_dir() and d.name.startswith("."):
                if _stale_temp(d, now):  # a killed write's leftover
                    shutil.rmtree(d, ignore_errors=True)
            elif d.is_dir():
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
    paths: Sequence[Input],
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
    _wait(root / fp[0])  # this process is writing it
    if (root / fp[0]).is_dir():
        return False
    try:  # an unwritable cache would make a fill a wasted load
        root.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return False
    return os.access(root, os.W_OK)


def load_cached(
    paths: Sequence[Input],
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
    _wait(entry)  # this process is writing it: served once written
    try:
        inode = entry.stat().st_ino if entry.is_dir() else None
    except OSError:
        inode = None
    if inode is not None:
        problem = check_entry(entry)
        if problem is None and (wb := open_entry(entry, verify=False)) is not None:
            return wb
        _note(f"entry {key[:12]} {problem or 'cannot be opened'}; removed it and loaded "
              "from the exports")  # fmt: skip
        drop_entry(entry, inode)
    big = stream.streamable(paths, mapping)
    if big is None:  # the usual miss: served from memory, the entry written in a thread
        wb = load(paths, mapping, encoding, True)  # interactions with _fid/_line
        if not isinstance(wb.interactions, pl.DataFrame):  # (a loader that streams itself)
            return _fill_and_open(entry, wb, paths, mapping, encoding, load)
        keyed = key_rows(wb.interactions)
        served = memory_workbook(wb, keyed, key)
        _write_soon(entry, wb, keyed)
        return served
    parts = None
    try:  # a huge interactions file: validated and written in chunks, then read back
        entry.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        parts = Path(tempfile.mkdtemp(prefix=_temp_prefix(key), dir=entry.parent))
    except OSError:
        parts = None
    try:
        if parts is not None:
            wb = stream.load_streamed(big, paths, mapping, encoding, parts)
        else:
            wb = load(paths, mapping, encoding, True)
        return _fill_and_open(entry, wb, paths, mapping, encoding, load)
    finally:
        if parts is not None:
            shutil.rmtree(parts, ignore_errors=True)


def _fill_and_open(
    entry: Path,
    wb: Workbook,
    paths: Sequence[Input],
    mapping: str | os.PathLike[str] | dict | None,
    encoding: str | None,
    load: Callable[..., Workbook],
) -> Workbook:
    """Write the entry now and read it back (the streamed fill); the eager canonical tables
    when it cannot be written."""
    written = write_entry(entry, wb)
    prune(entry.parent)
    if written or entry.is_dir():
        cached = open_entry(entry, verify=not written)  # ours was summed as it was written
        if cached is not None:
            return cached
    if isinstance(wb.interactions, pl.LazyFrame):  # streamed, and the entry was not written
        wb = load(paths, mapping, encoding, True)
    files = wb.source_files  # the cache is not usable: eager canonical tables
    return Workbook(
        **{t: with_source(t, getattr(wb, t), files) for t in schema.TABLES}, report=wb.report
    )


def memory_workbook(
    wb: Workbook, keyed: tuple[pl.DataFrame, pl.DataFrame], key: str
) -> LazyWorkbook:
    """The ``LazyWorkbook`` that ``open_entry`` gives for the entry ``key`` once ``wb`` (a
    ``_load(..., keep_keys=True)`` workbook) is written with ``keyed`` (``key_rows`` of its
    interactions), over the frames in memory: the same tables, columns and types (Parquet
    keeps them), without reading back what was just loaded."""
    rows, keys = keyed
    stored = {t: (rows if t == "interactions" else getattr(wb, t)).lazy() for t in schema.TABLES}
    return _entry_workbook(stored, keys.lazy(), wb.source_files.lazy(), wb.report, key)


#: the entry writes in flight (``_write_soon``), and the longest ``wait_writes`` waits for them
_writes: dict[Path, threading.Thread] = {}
_writes_lock = threading.Lock()
WRITE_WAIT_S = 900


def _write_soon(entry: Path, wb: Workbook, keyed: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    """``write_entry`` then ``prune`` in a thread (polars writes outside the GIL, so the
    caller scores while the entry is written); ``wait_writes`` joins it, and so does the
    end of the process."""
    tables = {t: getattr(wb, t) for t in schema.TABLES if t != "interactions"}
    # without the raw interactions: their key text is 700 MB at scale L
    plain = Workbook(**tables, report=wb.report, source_files=wb.source_files)

    def run() -> None:
        try:
            write_entry(entry, plain, keyed)
            prune(entry.parent)
        except Exception as e:  # noqa: BLE001 - the tables were served; one line, no traceback
            _note(f"cannot write to {entry.parent} ({_why(e)}); loaded without the cache")

    t = threading.Thread(target=run, name="warmcall-cache-write", daemon=True)
    with _writes_lock:
        _writes[entry] = t
    t.start()


def wait_writes(limit_s: float = WRITE_WAIT_S) -> None:
    """Wait until every entry this process started writing is in place (or given up, with
    its note on stderr). Raises ``TimeoutError`` naming the cache folder when a write takes
    longer than ``limit_s`` seconds."""
    _wait(None, limit_s)


def _wait(entry: Path | None, limit_s: float = WRITE_WAIT_S) -> None:
    """``wait_writes`` for the write of ``entry`` only (None: all)."""
    deadline = time.monotonic() + limit_s
    while True:
        with _writes_lock:
            for e in [e for e, t in _writes.items() if not t.is_alive()]:
                del _writes[e]
            alive = [t for e, t in _writes.items() if entry is None or e == entry]
        if not alive:
            return
        alive[0].join(max(0.0, deadline - time.monotonic()))
        if alive[0].is_alive():
            raise TimeoutError(
                f"writing the table cache in {cache_root()} took over {limit_s:.0f} s"
            )


def _wait_at_exit() -> None:
    try:
        wait_writes()
    except TimeoutError as e:
        _note(f"{e}; stopped (the next load writes it again)")


atexit.register(_wait_at_exit)
