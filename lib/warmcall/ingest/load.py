"""``warmcall.load``: read exports into a ``Workbook``, through the table cache.

The cache wraps loading from above: ``warmcall.ingest.workbook.load_exports`` reads the
exports, ``warmcall.ingest.cache`` keeps and reuses its tables, and this module chooses
between them (and checks a report set's exports before any notebook runs).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from pathlib import Path

from warmcall.core.errors import InputError
from warmcall.core.inputs import Input, as_entries
from warmcall.core.sanitize import terminal
from warmcall.ingest.cache import load_cached, needs_fill, wait_writes
from warmcall.ingest.workbook import Workbook, input_sources, load_exports


def load(
    *paths: Input,
    mapping: str | os.PathLike[str] | dict | None = None,
    encoding: str | None = None,
    cache: bool = True,
) -> Workbook:
    """Load exports (folders, zips as downloaded, tar.gz, single files) into a Workbook.

    Each path is detected by content; every loader that recognises something in it loads
    its files. A path may carry its own mapping (a ``warmcall.core.inputs.DataEntry``, or its
    dict form ``{"path": ..., "mapping": ...}``): it is then read as CSV through that
    mapping, without detection. ``mapping`` (a YAML path or dict in the mapping format of
    ``warmcall.ingest.loaders.mapped``) is the default for the other inputs: it is applied only
    to an input that no loader recognises, never to a recognised export (whose report
    notes that the mapping was not applied). Raises ``InputError`` (one line, naming the
    file) for unusable input; row-level problems are rejects in ``report``.

    Unrecognised input: a path named in ``paths`` (file, archive or folder) in which
    nothing is recognised stops the load (``InputError`` naming it). Inside a folder, an
    archive, or the folder's other files, that nothing recognises is reported as a file
    of format ``unrecognised`` (0 rows, a note naming it) and the rest loads.

    ``cache``: reuse the tables of an earlier load of the same inputs (same paths, same
    bytes, same mappings/encoding, same warmcall code) from the table cache, as Parquet
    scans (``warmcall.ingest.cache``: rule, location, ``WARMCALL_CACHE_DIR``); ``False`` always
    loads from the inputs and writes nothing.
    """
    if not paths:
        raise InputError("warmcall load", "no input paths given")
    for entry in as_entries(paths):  # size caps and archive safety first, before the cache reads
        input_sources(Path(entry.path))
    if cache:
        return load_cached(paths, mapping, encoding, load_exports)
    return load_exports(paths, mapping, encoding)


def check_exports(
    params: dict,
    then: Callable[[Workbook], object] | None = None,
    timeout_s: float | None = None,
    progress: str | None = None,
) -> None:
    """Raise ``InputError`` (one line naming the export) when the exports a report set
    names cannot be loaded: a path that is not an export, or an export of which nothing
    could be read. Called by ``warmcall report`` before any notebook runs. ``params``: the
    report set's parameters (``data``, ``mapping``, ``encoding``).

    The check is a load: here when it is cheap (small inputs, or already in the table cache),
    else in a short-lived process (``warmcall.ingest.cache.needs_fill``), which also fills the
    table cache for the notebooks, so the memory of a large load is not held by the report
    runner. There, ``then(workbook)`` runs after a successful load, on the tables in memory
    while the entry is written (the report runner scores the set: a picklable callable),
    and the process ends once the entry is written. A process that runs past ``timeout_s``
    is stopped, with one line on stderr: the notebooks load for themselves (nothing loads
    the exports again before them: this is the report's one cache fill). Failures other
    than ``InputError`` are left for the notebooks to report. ``progress``: the report
    set's name, to say on stderr when the (slow) fill starts."""
    data = params.get("data") or []
    if not data:
        return
    mapping, encoding = params.get("mapping"), params.get("encoding")
    if not needs_fill(data, mapping, encoding):
        load(*data, mapping=mapping, encoding=encoding)
        return
    import multiprocessing

    if progress is not None:
        print(
            f"{terminal(progress)}: loading the exports into the table cache ...", file=sys.stderr
        )
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.SimpleQueue()
    proc = ctx.Process(
        target=_check_child, args=(data, mapping, encoding, queue, then), daemon=True
    )
    proc.start()
    proc.join(timeout_s)
    if proc.is_alive():
        proc.kill()
        proc.join(5)
        first = as_entries(list(data))[0].path
        print(f"warmcall: checking {terminal(str(first))} took over {timeout_s:.0f} s; "
              "stopped (the notebooks load the exports themselves)", file=sys.stderr)  # fmt: skip
    found = None if queue.empty() else queue.get()
    if found:
        raise InputError(*found)


def _check_child(
    data: list,
    mapping: object,
    encoding: str | None,
    queue: object,
    then: Callable[[Workbook], object] | None = None,
) -> None:
    """``check_exports`` in its own process: put (path, problem) of an ``InputError``, or
    None, on ``queue``; then ``then(workbook)``; end once the table cache entry is written."""
    try:
        try:
            wb = load(*data, mapping=mapping, encoding=encoding)  # type: ignore[arg-type]
        except InputError as e:
            queue.put((e.path, e.problem))  # type: ignore[attr-defined]
            return
        except Exception:  # noqa: BLE001 - reported by the notebooks
            queue.put(None)  # type: ignore[attr-defined]
            return
        queue.put(None)  # type: ignore[attr-defined]
        if then is not None:
            with contextlib.suppress(Exception):  # the notebooks do it again and report it
                then(wb)
    finally:
        wait_writes()
