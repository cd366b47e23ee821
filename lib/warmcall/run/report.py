"""Batch reports: papermill runs of the notebooks per params set, offline HTML, an index page.

``warmcall report --params params/<name>.yaml`` (docs/notebook-stack.md §2.4, §4.4-§4.6, §8).
What it does, in order:

1. Every params file is loaded and validated with ``warmcall.core.params.load_params`` **before any
   notebook runs**; one invalid file aborts the whole run with ``InputError`` (one line naming
   the file). Each params file is one *report set*, named after the file's stem.
2. The notebooks: the ``notebooks`` argument if given, else the set's ``notebooks:`` param, else
   every ``notebooks/NN_*.ipynb`` of the project that has a cell tagged ``parameters``
   (the project: the nearest folder at or above the current one with ``notebooks/``; elsewhere,
   the notebooks that ship with warmcall, ``find_project_root``).
3. Each set's output folder ``<out_dir>/<date>/<set>`` is **locked** (``warmcall.core.locks``)
   for the whole run: a second run of the same set, as_of and out folder waits at most
   ``WARMCALL_LOCK_TIMEOUT_S`` (default 120 s) and otherwise refuses with one line
   (``locks.Busy``, an ``OutputError``: exit 2), before anything runs or is written; sets
   are locked in path order, so two runs never wait on each other crosswise. With the lock held the previous run's pages, ``run.json`` and
   ``metrics.json`` are removed, so the folder only ever holds one run's pages; ``run.json``
   and the metrics are written only by the run holding the lock. Every page, executed
   notebook and ``run.json`` carries the run's id (``data-run`` / ``<meta name=
   "warmcall-run">`` / ``metadata.warmcall.run_id`` / ``run_id``).
4. Sets run in parallel in supervised worker processes (``warmcall.run.workers.Supervisor``:
   ``jobs`` workers, default ``os.cpu_count()``, never more than the number of sets); the
   notebooks of one set run one after the other, in name order, so they may build on each
   other's ``output_dir`` files. ``POLARS_MAX_THREADS = max(1, cores // workers)`` and
   ``WARMCALL_BATCH=1`` are set in each worker before its kernels start (kernels inherit
   them; the what-if notebook builds no widget in batch). papermill runs with
   ``kernel_name="python3"`` and ``cwd`` = the project root.
5. Limits: every wait is bounded and going over one is a failure, never an OK: a cell's
   execution by the set's ``report.timeout_s`` (default 600 s), its last output after its
   reply by ``IOPUB_TIMEOUT_S`` (at most ``timeout_s``), the kernel start by
   ``START_TIMEOUT_S``; a **watchdog** ends a worker (and its kernel) that reports no
   progress (a cell starting or ending) for ``timeout_s + WATCHDOG_GRACE_S``.
6. Layout: ``<out_dir>/<YYYY-MM-DD>/<set>/<notebook>.{html,ipynb,log}`` plus ``run.json``
   (status of the set's last run) and the optional ``metrics.json``. The date is the params'
   ``as_of`` when set (re-running the same inputs overwrites the same folder), else the local
   date of the run. ``<notebook>.log`` holds what the kernel and papermill wrote to stderr.
7. Success: the executed notebook becomes HTML through the offline template (no code cells,
   no parameters cells, the Vega bundle inlined once, nothing loaded from the network).
   Failure (any exception: ``PapermillExecutionError``, ``CellTimeoutError``,
   ``DeadKernelError``, a failing HTML conversion, the watchdog, a dead worker; a timeout is a
   failure even though the executed notebook shows none, §4.4): a readable failure page
   instead, naming the notebook, the cell, the error type and message and, for a timeout,
   the limit, with the traceback folded away. Other notebooks and sets go on.
8. ``<out_dir>/index.html`` is regenerated from what is on disk after every set (with the
   out folder locked briefly), so history accumulates across runs.
9. Signals: Ctrl-C (SIGINT), SIGTERM and SIGHUP stop the workers and their kernels (at most
   ``warmcall.run.workers.GRACE_S`` for a clean stop, then SIGKILL), mark unfinished sets
   ``interrupted`` in run.json and end the command. If the command itself is killed
   (SIGKILL), its workers end with it (``PR_SET_PDEATHSIG`` on Linux, a parent-pid watch
   elsewhere) and their kernels follow (ipykernel's parent poller): nothing is left running.

Every file is written under a temporary name in its final folder and moved into place with
``os.replace`` (papermill's staging notebook is ``<notebook>.part.ipynb``), so readers never
see half-written files.

Notebook parameter contract (the runner injects exactly these; declare them all in the
notebook's ``parameters`` cell so ``papermill --help-notebook`` lists them):

- ``params_file: str``: absolute path of the params YAML of this report set;
- ``params: dict``: the validated params (``Params.to_papermill()``: paths absolute, dates ISO
  strings); rebuild the typed object with ``warmcall.core.params.parse_params(params)``;
- ``report_set: str``: the set's name (the params file's stem);
- ``output_dir: str``: absolute path of the set's output folder (``<out_dir>/<date>/<set>``);
- ``renderer: str``: ``"default"``; pass it to ``warmcall.present.display.setup(renderer)``.

Metrics snapshot: a notebook may record headline numbers for week-over-week comparison with
``history.write_metrics(output_dir, {...})``, which merges the keys into ``<output_dir>/metrics.json``
(JSON object, atomic write). The runner deletes a stale ``metrics.json`` when a set starts,
copies the file's content into ``run.json`` and into each ``RunResult.metrics`` when the set
ends; ``history.metrics_history(out_dir, report_set)`` reads every dated snapshot back.

Worker processes are started with the ``spawn`` method: a script calling ``run_reports``
needs the usual ``if __name__ == "__main__":`` guard.

Exit codes of ``warmcall report``: 0 every report ok, 1 any failed, 2 unusable input or a
report set another run holds (nothing run), 128 + N when ended by signal N (130 for Ctrl-C).
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import logging
import os
import re
import signal
import sys
import time
import traceback as _tb
import uuid
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from warmcall.core.errors import InputError
from warmcall.core.outputs import write_text_atomic
from warmcall.core.resources import BATCH_ENV
from warmcall.core.sanitize import terminal
from warmcall.ingest.cache import cache_dir, needs_fill, private_temp_dir
from warmcall.present.display import escape
from warmcall.present.history import METRICS_FILE, jsonable, read_json_object

__all__ = [
    "NOTEBOOK_PARAMETERS",
    "RunResult",
    "add_arguments",
    "discover_notebooks",
    "ensure_vega_bundle",
    "find_project_root",
    "main_report",
    "notebook_to_html",
    "offline_exporter",
    "run_reports",
    "write_atomic",
    "write_index",
]

#: The parameters the runner injects into every notebook (see the module docstring).
NOTEBOOK_PARAMETERS = ("params_file", "params", "report_set", "output_dir", "renderer")
#: environment variable set in the workers (kernels inherit it): "this notebook runs in a
#: batch report" (``warmcall.present.whatif_view.is_live`` reads it: no widgets in batch)
#: seconds papermill waits for a kernel to start
START_TIMEOUT_S = 60
#: seconds to wait for a cell's last output after its reply (never more than report.timeout_s)
IOPUB_TIMEOUT_S = 20
#: the watchdog ends a notebook run with no progress for report.timeout_s + this many seconds
WATCHDOG_GRACE_S = 60
#: seconds to wait for another run's index write into the same out folder
INDEX_LOCK_S = 30
#: seconds between two looks at the workers (progress, watchdog, signals)
POLL_S = 0.5
ERROR_KEYS = ("error_type", "error_message", "error_cell", "error_limit")
RUN_FILE = "run.json"
INDEX_FILE = "index.html"
#: Cells with these tags are dropped from the HTML (TagRemovePreprocessor).
REMOVE_CELL_TAGS = ("parameters", "injected-parameters", "papermill-error-cell-tag", "remove-cell")
TEMPLATES_DIR = Path(__file__).parents[1] / "templates"
_NOTEBOOK_RE = re.compile(r"^\d{2}[_-].*\.ipynb$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STEM_RE = re.compile(r"^\d{2}[_-]")
_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class RunResult:
    """Outcome of one notebook of one report set."""

    report_set: str
    notebook: str  # the notebook's stem, e.g. "01_overview"
    status: str  # "ok" | "failed"
    html: Path  # the report, or the failure page
    ipynb: Path | None  # the executed notebook (partial on failure; None if never written)
    params_file: Path
    as_of: str  # the date folder, YYYY-MM-DD
    duration_s: float
    error_type: str | None = None
    error_message: str | None = None  # first line of the error message
    error_cell: str | None = None  # e.g. "cell 4 of 6 (In [3]): time.sleep(30)"
    error_limit: str | None = None  # the limit a timeout or the watchdog hit, in words
    metrics: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# --------------------------------------------------------------------------- small helpers


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and ``os.replace``:
    readers see either the old file or the complete new one (§4.4, §8)."""
    write_text_atomic(path, text)


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: cwd) with a ``notebooks/`` folder
    and a ``pyproject.toml`` or ``params/``; when there is none, the folder of the notebooks
    that ship with warmcall (``warmcall.core.resources.resource_root()``), so the reports run from
    any folder; ``start`` itself only if those are missing too (a broken install)."""
    from warmcall.core.resources import resource_root

    start = (start or Path.cwd()).resolve()
    for d in (start, *start.parents):
        if (d / "notebooks").is_dir() and (
            (d / "pyproject.toml").is_file() or (d / "params").is_dir()
        ):
            return d
    try:
        return resource_root()
    except FileNotFoundError:
        return start


def _has_parameters_cell(path: Path) -> bool:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return any(
        "parameters" in (c.get("metadata", {}).get("tags") or []) for c in nb.get("cells", [])
    )


def discover_notebooks(root: Path) -> list[Path]:
    """``<root>/notebooks/NN_*.ipynb`` (or ``NN-*``) that have a cell tagged ``parameters``,
    sorted by name."""
    nb_dir = Path(root) / "notebooks"
    if not nb_dir.is_dir():
        return []
    return sorted(
        p.resolve()
        for p in nb_dir.iterdir()
        if p.is_file() and _NOTEBOOK_RE.match(p.name) and _has_parameters_cell(p)
    )


def _select(available: list[Path], wanted: Sequence[str], where: str) -> list[Path]:
    """Pick notebooks by stem, file name or the ``NN`` number prefix, keeping the given order."""
    out: list[Path] = []
    for w in wanted:
        w = str(w)
        hits = [
            p
            for p in available
            if w in (p.stem, p.name) or (w.isdigit() and p.name[:2] == w.zfill(2))
        ]
        if len(hits) != 1:
            names = ", ".join(p.stem for p in available) or "none"
            what = "no notebook" if not hits else "more than one notebook"
            raise InputError(where, f"notebooks: {what} matches {w!r} (available: {names})")
        if hits[0] not in out:
            out.append(hits[0])
    return out


def _set_name(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip(".-") or "set"


# --------------------------------------------------------------------------- offline HTML


def ensure_vega_bundle() -> Path:
    """Path of ``vega-offline.js``, generated on first use (docs/notebook-stack.md §2.4).

    ``vl_convert.javascript_bundle`` for Altair's Vega-Lite minor version, followed by a line
    that pre-sets ``VEGA_DEBUG`` to Altair's Vega / Vega-Lite / vega-embed versions, so each
    chart's loader takes the "already loaded" path. Cached (~0.9 MB, never committed, never in
    site-packages) in ``cache_dir()/vega-offline/altair-<v>_vl-convert-<v>/`` so an upgrade of
    either package regenerates it; in ``cache.private_temp_dir()`` when the cache folder
    cannot be written. Raises ``RuntimeError`` if the bundle could break out of its
    ``<script>`` element.
    """
    from importlib.metadata import version

    # versions from the metadata: importing altair costs ~1-2 s, only needed to generate
    key = f"altair-{version('altair')}_vl-convert-{version('vl-convert-python')}"
    path = cache_dir() / "vega-offline" / key / "vega-offline.js"
    if path.is_file():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        writable = os.access(path.parent, os.W_OK)
    except OSError:
        writable = False
    if not writable and (tmp := private_temp_dir()) is not None:  # a read-only cache folder
        path = tmp / "vega-offline" / key / "vega-offline.js"
        if path.is_file():
            return path
    import altair as alt
    import vl_convert as vlc

    vl_minor = ".".join(alt.VEGALITE_VERSION.split(".")[:2])
    marker = {
        "vega_version": alt.VEGA_VERSION,
        "vegalite_version": alt.VEGALITE_VERSION,
        "vegaembed_version": alt.VEGAEMBED_VERSION,
    }
    js = vlc.javascript_bundle(vl_version=vl_minor)
    if re.search(r"</script|<!--|<script", js, re.IGNORECASE):
        raise RuntimeError("vl-convert's bundle contains '</script', '<script' or '<!--'")
    js += f"\nvar VEGA_DEBUG = {json.dumps(marker)};\n"
    write_atomic(path, js)
    return path


@lru_cache(maxsize=4)
def _exporter(bundle_dir: str) -> Any:
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_CELL_TAGS)
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    return HTMLExporter(
        config=c,
        template_name="offline",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
        extra_template_paths=[bundle_dir],
    )


def offline_exporter() -> Any:
    """An nbconvert ``HTMLExporter`` with warmcall's offline template (§2.4): no code cells
    (``exclude_input``), parameters / injected-parameters / papermill error cells removed
    (``TagRemovePreprocessor``), the Vega bundle inlined once, no CDN. Cached per process."""
    return _exporter(str(ensure_vega_bundle().parent))


def notebook_to_html(nb: Any, *, title: str, header: dict[str, str] | None = None) -> str:
    """Convert an executed notebook (``NotebookNode``) to one self-contained offline HTML page.

    ``header`` (keys ``set``, ``notebook``, ``as_of``, optional ``run``: the run id, kept in a
    ``data-run`` attribute) adds a small escaped header line with a link to the index two
    folders up.
    """
    resources: dict[str, Any] = {"metadata": {"name": title}}
    if header:
        resources["warmcall"] = header
    body, _ = offline_exporter().from_notebook_node(nb, resources=resources)
    return body


# --------------------------------------------------------------------------- failure pages

_PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#fafafa;
color:#222;line-height:1.5}
main{max-width:1100px;margin:0 auto;padding:1.5rem 2rem 3rem;background:#fff;min-height:100vh}
h1{font-size:1.6em;margin:.2em 0 .6em}
table{border-collapse:collapse;font-size:14px;margin:.5em 0}
th,td{border:1px solid #ddd;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f3f3f3}
.ok{color:#11712b;font-weight:600}.failed{color:#b00020;font-weight:600}
.muted{color:#666;font-size:13px}
pre{background:#f6f6f6;padding:.8em;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
code{background:#f3f3f3;padding:0 3px}
details{margin-top:1em}summary{cursor:pointer}
"""


def _page(title: str, body: str, run_id: str | None = None) -> str:
    meta = f'<meta name="warmcall-run" content="{escape(run_id)}">\n' if run_id else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{meta}<title>{escape(title)}</title>\n<style>{_PAGE_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _href(rel: str) -> str:
    """A relative URL for an ``href``: percent-encoded (no scheme can survive: ``:`` is
    encoded), then attribute-escaped."""
    return html.escape(quote(rel, safe="/"), quote=True)


def render_failure_page(info: dict[str, Any]) -> str:
    """A readable, self-contained, fully escaped failure page for one notebook run: the set,
    the notebook, the error and its message, the failing cell, the limit that was exceeded
    (for timeouts and the watchdog) and the traceback, folded away."""
    rows = [
        ("Report set", info["report_set"]),
        ("Notebook", info["notebook_path"]),
        ("As of", info["as_of"]),
        ("Params file", info["params_file"]),
        ("Error", info["error_type"]),
        ("Message", info["error_message"] or ""),
        ("Failed cell", info.get("error_cell") or "not identified"),
    ]
    if info.get("error_limit"):
        rows.append(("Limit", info["error_limit"]))
    rows.append(("Duration", f"{info['duration_s']:.1f} s"))
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    links = ['<a href="../../index.html">all reports</a>']
    if info.get("ipynb"):
        links.append(f'<a href="{_href(Path(info["ipynb"]).name)}">executed notebook</a>')
    if info.get("log"):
        links.append(f'<a href="{_href(Path(info["log"]).name)}">kernel log</a>')
    detail = info.get("error_detail") or ""
    body = (
        f'<h1><span class="failed">FAILED</span> {escape(info["report_set"])} / '
        f"{escape(info['notebook'])}</h1>\n"
        f"<table>{table}</table>\n"
        f"<p>{' &middot; '.join(links)}</p>\n"
        f"<details><summary>Traceback</summary><pre>{escape(detail)}</pre></details>"
    )
    return _page(f"FAILED {info['report_set']} / {info['notebook']}", body, info.get("run_id"))


def _first_line(text: str, limit: int = 200) -> str:
    for line in str(text).splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 1] + "\u2026"
    return ""


_SKIP_TAGS = {"injected-parameters", "papermill-error-cell-tag"}


def _source_cells(nb: Any) -> list[Any]:
    """The cells of the *source* notebook: papermill's injected and error-banner cells left out."""
    return [c for c in nb.cells if not _SKIP_TAGS & set(c.get("metadata", {}).get("tags") or [])]


def _cell_label(cell: Any, i: int, n: int) -> str:
    count = cell.get("execution_count")
    prompt = f" (In [{count}])" if count else ""
    return f"cell {i} of {n}{prompt}: {_first_line(cell.get('source', ''))}"


def _locate_cell(nb: Any, match: Any) -> str | None:
    """Describe the first cell of ``nb`` for which ``match(cell)`` holds, counting positions in
    the *source* notebook (papermill's injected and error-banner cells are skipped)."""
    if nb is None:
        return None
    cells = _source_cells(nb)
    for i, c in enumerate(cells, 1):
        if match(c):
            return _cell_label(c, i, len(cells))
    return None


def _timeout_limit(e: BaseException, timeout: int | None, iopub: int | None) -> str | None:
    """The limit a ``CellTimeoutError`` hit, in words (None for other errors)."""
    from nbclient.exceptions import CellTimeoutError

    if not isinstance(e, CellTimeoutError):
        return None
    if "IOPub" in str(e):
        return f"{iopub} s for the cell's output to end after its reply (IOPub)"
    return f"report.timeout_s = {timeout} s per cell"


def _describe_error(
    e: BaseException, nb: Any, timeout: int | None = None, iopub: int | None = None
) -> dict[str, Any]:
    """Error type, first line of the message, the failing cell, the limit that was exceeded
    (timeouts) and a plain-text traceback."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(e, PapermillExecutionError):
        cell = _locate_cell(
            nb,
            lambda c: (
                c.get("cell_type") == "code"
                and c.get("source") == e.source
                and c.get("execution_count") == e.exec_count
            ),
        )
        detail = "\n".join(_ANSI_RE.sub("", t) for t in (e.traceback or []))
        return {
            "error_type": e.ename,
            "error_message": _first_line(e.evalue, 500) or e.ename,
            "error_cell": cell,
            "error_limit": None,
            "error_detail": detail or f"{e.ename}: {e.evalue}",
        }

    def running(c: Any) -> bool:  # started (execute_input seen) but never replied
        ex = c.get("metadata", {}).get("execution", {})
        return (
            c.get("cell_type") == "code"
            and "iopub.execute_input" in ex
            and "shell.execute_reply" not in ex
        )

    limit = _timeout_limit(e, timeout, iopub)
    cell = _locate_cell(nb, running)
    if cell is None and "preview of the cell contents" in str(e):
        preview = str(e).split("-------------------\n")
        if len(preview) >= 2:
            src = preview[1].rstrip("\n")
            cell = _locate_cell(nb, lambda c: c.get("source", "").rstrip("\n") == src)
    msg = _first_line(str(e), 500) or type(e).__name__
    if limit is not None:
        msg = f"over the limit: {limit}; the kernel was stopped ({msg})"
    return {
        "error_type": type(e).__name__,
        "error_message": msg,
        "error_cell": cell,
        "error_limit": limit,
        "error_detail": "".join(_tb.format_exception(e)),
    }


# --------------------------------------------------------------------------- one notebook


@contextlib.contextmanager
def _stderr_to(path: Path) -> Iterator[None]:
    """Point file descriptor 2 at ``path`` (kernels inherit it): keeps the kernel's and
    papermill's noise (§4.4) out of the terminal and in the report folder."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "wb") as f:
        os.dup2(f.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


def _init_worker(polars_threads: int) -> None:
    os.environ["POLARS_MAX_THREADS"] = str(polars_threads)
    # kernels run in the project root: relative PYTHONPATH entries (PYTHONPATH=lib) would
    # point elsewhere there, and the kernel would import another warmcall than this one
    if os.environ.get("PYTHONPATH"):
        os.environ["PYTHONPATH"] = os.pathsep.join(
            str(Path(p).resolve()) for p in os.environ["PYTHONPATH"].split(os.pathsep) if p
        )
    os.environ[BATCH_ENV] = "1"  # kernels inherit it: notebooks know they run in batch
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s: %(message)s")


def _cell_hooks(nb_path: Path, beat: Any) -> dict[str, Any]:
    """nbclient hooks that report each cell's start and end to the supervisor (the watchdog's
    sign of progress), naming the cell as in the source notebook."""
    import nbformat

    src = nbformat.read(nb_path, as_version=4)
    n = len(src.cells)
    params_at = next(
        (i for i, c in enumerate(src.cells) if "parameters" in (c.metadata.get("tags") or [])),
        None,
    )

    def label(cell: Any, cell_index: int) -> str:
        # index in the parameterized notebook: papermill put one injected cell right after
        # the parameters cell, or first when there is none
        i = cell_index
        if cell_index > (params_at if params_at is not None else -1):
            i -= 1
        return f"cell {min(i, n - 1) + 1} of {n}: {_first_line(cell.get('source', ''))}"

    def start(cell: Any, cell_index: int, **_: Any) -> None:
        beat(cell=label(cell, cell_index), phase="cell running")

    def done(cell: Any, cell_index: int, **_: Any) -> None:
        beat(cell=label(cell, cell_index), phase="cell done")

    return {"on_cell_start": start, "on_cell_executed": done}


def _stamp(nb: Any, task: dict[str, Any], error: dict[str, Any] | None) -> None:
    """Record the run (and a failure: papermill leaves no trace of a timeout, §4.4) in the
    executed notebook's metadata."""
    meta: dict[str, Any] = {"run_id": task["run_id"]}
    if error is not None:
        meta["status"] = "failed"
        meta.update({k: error.get(k) for k in ("error_type", "error_message", "error_cell")})
        if error.get("error_limit"):
            meta["error_limit"] = error["error_limit"]
    nb.metadata["warmcall"] = meta


def _paths(task: dict[str, Any]) -> dict[str, Path]:
    set_dir = Path(task["set_dir"])
    stem = Path(task["notebook"]).stem
    return {
        "staging": set_dir / f"{stem}.part.ipynb",
        "ipynb": set_dir / f"{stem}.ipynb",
        "html": set_dir / f"{stem}.html",
        "log": set_dir / f"{stem}.log",
    }


def _result(task: dict[str, Any], error: dict[str, Any] | None, seconds: float) -> dict[str, Any]:
    """The result dict of one notebook run; writes the failure page when ``error``."""
    p = _paths(task)
    result = {
        "report_set": task["report_set"],
        "notebook": Path(task["notebook"]).stem,
        "notebook_path": task["notebook_display"],
        "status": "ok" if error is None else "failed",
        "html": str(p["html"]),
        "ipynb": str(p["ipynb"]) if p["ipynb"].exists() else None,
        "log": str(p["log"]) if p["log"].exists() else None,
        "params_file": task["params_file"],
        "as_of": task["as_of"],
        "duration_s": round(seconds, 3),
        "error_type": None,
        "error_message": None,
        "error_cell": None,
        "error_limit": None,
    }
    if error is not None:
        result.update({k: error.get(k) for k in ERROR_KEYS})
        page = render_failure_page(
            {**result, "error_detail": error.get("error_detail"), "run_id": task["run_id"]}
        )
        write_atomic(p["html"], page)
    return result


def _run_one(task: dict[str, Any], beat: Any = None) -> dict[str, Any]:
    """Run one notebook of one set (in a supervised worker process); never raises.

    ``beat(**info)`` reports progress (task start, each cell's start and end, the HTML
    conversion) to the supervisor's watchdog."""
    import nbformat
    import papermill as pm

    beat = beat or (lambda **info: None)
    beat(phase="starting the kernel", cell=None)
    t0 = time.monotonic()
    p = _paths(task)
    nb_path = Path(task["notebook"])
    for stale in (p["staging"], p["ipynb"]):
        stale.unlink(missing_ok=True)

    timeout, iopub = int(task["timeout"]), int(task["iopub_timeout"])
    error: dict[str, Any] | None = None
    nb = None
    with _stderr_to(p["log"]):
        try:
            pm.execute_notebook(
                str(nb_path),
                str(p["staging"]),
                parameters=task["parameters"],
                kernel_name="python3",
                progress_bar=False,
                execution_timeout=timeout,
                start_timeout=START_TIMEOUT_S,
                iopub_timeout=iopub,
                raise_on_iopub_timeout=True,
                store_widget_state=False,
                cwd=task["root"],
                **_cell_hooks(nb_path, beat),
            )
        except Exception as e:  # PapermillExecutionError, CellTimeoutError, DeadKernelError...
            exc: Exception | None = e
        else:
            exc = None
        if p["staging"].exists():
            try:
                nb = nbformat.read(p["staging"], as_version=4)
            except Exception:  # noqa: BLE001 - a broken partial notebook is still a failure
                nb = None
        if exc is not None:
            error = _describe_error(exc, nb, timeout, iopub)
        if nb is not None:
            _stamp(nb, task, error)
            with contextlib.suppress(Exception):
                nbformat.write(nb, p["staging"])
            os.replace(p["staging"], p["ipynb"])
        else:
            p["staging"].unlink(missing_ok=True)
        if error is None:
            beat(phase="writing the HTML page", cell=None)
            try:
                page = notebook_to_html(
                    nb,
                    title=f"{task['title']} \u00b7 {task['report_set']} \u00b7 {nb_path.stem}",
                    header={
                        "set": task["report_set"],
                        "notebook": nb_path.stem,
                        "as_of": task["as_of"],
                        "run": task["run_id"],
                    },
                )
                write_atomic(p["html"], page)
            except Exception as e:
                error = _describe_error(e, None)
                error["error_type"] = f"HTML export failed: {error['error_type']}"
    return _result(task, error, time.monotonic() - t0)


def _fail_in_parent(task: dict[str, Any], error: dict[str, Any], seconds: float) -> dict[str, Any]:
    """Result for a task whose worker stalled, died or could not run it: the partial executed
    notebook (if any) is kept with the failure in its metadata, and a failure page written."""
    import nbformat

    p = _paths(task)
    if p["staging"].exists():
        try:
            nb = nbformat.read(p["staging"], as_version=4)
            _stamp(nb, task, error)
            nbformat.write(nb, p["staging"])
            os.replace(p["staging"], p["ipynb"])
        except Exception:  # noqa: BLE001 - an unreadable partial notebook is dropped
            p["staging"].unlink(missing_ok=True)
    return _result(task, error, seconds)


def _outcome_error(o: Any) -> dict[str, Any]:
    """The failure of a task the supervisor reports as stalled, died or error."""
    task = o.task
    cell = o.info.get("cell")
    if o.status == "stalled":
        limit = f"report.timeout_s = {task['timeout']} s + {WATCHDOG_GRACE_S} s without progress"
        phase = o.info.get("phase") or "starting"
        return {
            "error_type": "WatchdogTimeout",
            "error_message": f"no progress for {o.silent_s:.0f} s while {phase}; over the "
            f"limit: {limit}; the worker process and its kernel were stopped",
            "error_cell": cell,
            "error_limit": limit,
            "error_detail": f"last progress report from the worker: {o.info}",
        }
    if o.status == "died":
        return {
            "error_type": "WorkerDied",
            "error_message": f"the worker process ended unexpectedly (exit code {o.exitcode})",
            "error_cell": cell,
            "error_limit": None,
            "error_detail": f"last progress report from the worker: {o.info}",
        }
    return {
        "error_type": "RunnerError",
        "error_message": _first_line(o.detail, 500) or "the runner failed",
        "error_cell": cell,
        "error_limit": None,
        "error_detail": o.detail,
    }


# --------------------------------------------------------------------------- index page


def _load_run(set_dir: Path) -> list[dict[str, Any]]:
    run = read_json_object(set_dir / RUN_FILE)
    if run and isinstance(run.get("notebooks"), list):
        return [n for n in run["notebooks"] if isinstance(n, dict)]
    # no run.json (a run in progress or interrupted, or copied by hand): list the pages found
    return [
        {"notebook": p.stem, "status": "unknown", "html": p.name}
        for p in sorted(set_dir.glob("*.html"))
    ]


def write_index(out_dir: str | os.PathLike[str]) -> Path:
    """Regenerate ``<out_dir>/index.html`` from what is on disk: every date folder (newest
    first), every report set, every notebook with its status and relative links. One
    self-contained page, every string escaped."""
    base = Path(out_dir)
    dates = sorted(
        (p for p in base.iterdir() if p.is_dir() and _DATE_RE.match(p.name))
        if base.is_dir()
        else [],
        key=lambda p: p.name,
        reverse=True,
    )
    sections = []
    n_ok = n_failed = 0
    for d in dates:
        rows = []
        for s in sorted(p for p in d.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for n in _load_run(s):
                status = str(n.get("status", "unknown"))
                n_ok += status == "ok"
                n_failed += status == "failed"
                name = str(n.get("notebook", "?"))
                html_name = Path(str(n.get("html") or f"{name}.html")).name
                links = [f'<a href="{_href(f"{d.name}/{s.name}/{html_name}")}">report</a>']
                if n.get("ipynb"):
                    nb_name = Path(str(n["ipynb"])).name
                    links.append(f'<a href="{_href(f"{d.name}/{s.name}/{nb_name}")}">ipynb</a>')
                note = ""
                if status == "failed":
                    note = f"{n.get('error_type') or ''}: {n.get('error_message') or ''}"
                rows.append(
                    f"<tr><td>{escape(s.name)}</td><td>{escape(name)}</td>"
                    f'<td class="{escape(status)}">{escape(status)}</td>'
                    f"<td>{' '.join(links)}</td><td>{escape(note)}</td></tr>"
                )
        if rows:
            sections.append(
                f"<h2>{escape(d.name)}</h2>\n<table><thead><tr><th>Report set</th>"
                "<th>Notebook</th><th>Status</th><th>Files</th><th>Error</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>"
            )
    summary = f"{n_ok} ok, {n_failed} failed, {len(dates)} run date(s)"
    body = (
        "<h1>warmcall reports</h1>\n"
        f'<p class="muted">{escape(summary)}. Regenerated '
        f"{escape(datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC'))}.</p>\n"
        + ("\n".join(sections) or "<p>No reports yet.</p>")
    )
    path = base / INDEX_FILE
    write_atomic(path, _page("warmcall reports", body))
    return path


# --------------------------------------------------------------------------- the runner


def _fill_one(data: list[str], mapping: Any, encoding: str | None) -> None:
    from warmcall.ingest.workbook import load

    with contextlib.suppress(Exception):  # reported by the notebooks (see below)
        load(*data, mapping=mapping, encoding=encoding)


def _fill_table_cache(sets: list[_Set], progress: bool) -> None:
    """Load each set's exports into the table cache (``warmcall.ingest.cache``) in a short-lived
    process before the notebooks run, when the inputs are large enough to be cached and are
    not yet: every notebook then opens the cached Parquet instead of the first one loading
    the exports inside its kernel, where the memory of that load (3.7 GB at 10M
    interactions) would stay held while the notebook goes on. The process dies with this
    one and gets the set's ``report.timeout_s``; a failure or an overrun is not fatal (the
    notebooks load again, under their own limits, and report any error on their page)."""
    from warmcall.run.workers import run_child

    for s in sets:
        data, mapping, enc = (
            s.params.get("data") or [],
            s.params.get("mapping"),
            s.params.get("encoding"),
        )
        if not data or not needs_fill(data, mapping, enc):
            continue
        if progress:
            print(
                f"{terminal(s.name)}: loading the exports into the table cache ...", file=sys.stderr
            )
        _, in_time = run_child(_fill_one, (data, mapping, enc), s.timeout)
        if not in_time:
            print(
                f"{terminal(s.name)}: filling the table cache took over report.timeout_s = {s.timeout} s;"
                " stopped (the notebooks load the exports themselves)",
                file=sys.stderr,
            )


@dataclass
class _Set:
    name: str
    params_file: Path
    params: dict[str, Any]
    as_of: str
    title: str
    timeout: int
    notebooks: list[Path]
    dir: Path
    results: list[dict[str, Any]] = field(default_factory=list)
    started: str = ""
    waited_s: float = 0.0
    finished: bool = False


def _load_set(
    path: Path, out_dir: Path, available: list[Path], notebooks: list[Path] | None
) -> _Set:
    from warmcall.core.params import load_params

    p = load_params(path)
    as_of = getattr(p, "as_of", None)
    day = as_of.isoformat() if isinstance(as_of, date) else date.today().isoformat()
    if notebooks is not None:
        chosen = notebooks
    elif getattr(p, "notebooks", None):
        chosen = _select(available, p.notebooks, str(path))
    else:
        chosen = available
    if not chosen:
        raise InputError(
            path, "no notebook to run (no notebooks/NN_*.ipynb with a parameters cell)"
        )
    params = p.to_papermill() if hasattr(p, "to_papermill") else jsonable(p)
    name = _set_name(path)
    return _Set(
        name=name,
        params_file=path.resolve(),
        params=jsonable(params),
        as_of=day,
        title=str(getattr(p, "title", "warmcall report")),
        timeout=int(p.report.timeout_s),
        notebooks=list(chosen),
        dir=(out_dir / day / name).resolve(),
    )


def _task(s: _Set, nb: Path, root: Path, run_id: str) -> dict[str, Any]:
    try:
        display = str(nb.relative_to(root))
    except ValueError:
        display = str(nb)
    return {
        "notebook": str(nb),
        "notebook_display": display,
        "report_set": s.name,
        "set_dir": str(s.dir),
        "params_file": str(s.params_file),
        "as_of": s.as_of,
        "title": s.title,
        "timeout": s.timeout,
        "iopub_timeout": min(IOPUB_TIMEOUT_S, s.timeout),
        "root": str(root),
        "run_id": run_id,
        "parameters": {
            "params_file": str(s.params_file),
            "params": s.params,
            "report_set": s.name,
            "output_dir": str(s.dir),
            "renderer": "default",
        },
    }


def _stall_limit(task: dict[str, Any]) -> float:
    """Seconds without progress after which the watchdog ends a notebook run."""
    return float(task["timeout"]) + WATCHDOG_GRACE_S


def _clear_set(s: _Set) -> None:
    """Remove the previous run's files of the set (its pages, executed notebooks, logs,
    run.json, metrics.json) before this run writes any: the folder then only ever holds one
    run's pages. Called with the set's lock held. Files the notebooks write themselves
    (plan.csv, ...) are overwritten by them."""
    for f in s.dir.iterdir():
        if f.is_file() and (
            f.name in (RUN_FILE, METRICS_FILE)
            or (_STEM_RE.match(f.name) and f.suffix in (".html", ".ipynb", ".log"))
        ):
            f.unlink(missing_ok=True)


def _write_index_locked(out_dir: Path) -> None:
    """``write_index`` with the out folder locked, so two runs into one folder do not
    overwrite each other's newer index with an older view; skipped (with a line) if the
    other run holds it past ``INDEX_LOCK_S`` (its own index write follows anyway)."""
    from warmcall.core.locks import Busy, locked

    try:
        with locked(out_dir / INDEX_FILE, INDEX_LOCK_S):
            write_index(out_dir)
    except Busy as e:
        print(f"index not rewritten: {e}", file=sys.stderr)


def _finish_set(s: _Set, out_dir: Path, run_id: str, status: str = "finished") -> None:
    metrics = read_json_object(s.dir / METRICS_FILE)
    run = {
        "run_id": run_id,
        "status": status,
        "report_set": s.name,
        "as_of": s.as_of,
        "params_file": str(s.params_file),
        "pid": os.getpid(),
        "started": s.started,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "waited_for_lock_s": round(s.waited_s, 1),
        "notebooks": [
            {
                **r,
                "html": Path(r["html"]).name,
                "ipynb": r["ipynb"] and Path(r["ipynb"]).name,
                "log": r["log"] and Path(r["log"]).name,
            }
            for r in s.results
        ],
        "metrics": metrics,
    }
    write_atomic(s.dir / RUN_FILE, json.dumps(run, indent=2) + "\n")
    for r in s.results:
        r["metrics"] = metrics
    s.finished = True
    _write_index_locked(out_dir)


def _lock_sets(stack: contextlib.ExitStack, sets: list[_Set]) -> None:
    """Hold each set's folder lock (``warmcall.core.locks``) for the whole run, waiting at most
    ``WARMCALL_LOCK_TIMEOUT_S`` for each; in path order, so two runs never wait on each other
    crosswise. ``locks.Busy`` (nothing run, nothing written) when one stays taken."""
    from warmcall.core.locks import Busy, locked

    for s in sorted(sets, key=lambda s: str(s.dir)):
        s.dir.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        try:
            stack.enter_context(locked(s.dir))
        except Busy as e:
            raise Busy(e.path, f"report set {s.name!r}: {e.problem}; nothing was run") from None
        s.waited_s = time.monotonic() - t0
        s.started = datetime.now(UTC).isoformat(timespec="seconds")


def run_reports(
    params_files: list[Path],
    out_dir: Path,
    jobs: int | None = None,
    notebooks: list[Path] | None = None,
    progress: bool = True,
    *,
    root: Path | None = None,
) -> list[RunResult]:
    """Run every notebook for every params file (report set); see the module docstring.

    ``root`` is the project root (papermill's cwd and where ``notebooks/`` is found; default:
    ``find_project_root()``). Raises ``InputError`` (before anything runs) for an invalid or
    duplicate params file or an unknown notebook, and ``locks.Busy`` (an ``InputError``,
    before anything runs) when another run holds one of the sets; notebook failures never raise, they are results
    with ``status == "failed"``. Results are ordered by params file, then notebook.
    ``KeyboardInterrupt`` / ``SystemExit`` (SIGINT, SIGTERM) stop the workers and kernels
    (bounded), mark unfinished sets ``interrupted`` in their run.json, and propagate.
    """
    root = (root or find_project_root()).resolve()
    out_dir = Path(out_dir).resolve()
    paths = [Path(p) for p in params_files]
    if not paths:
        raise InputError("params", "no params file given")
    explicit: list[Path] | None = None
    if notebooks is not None:
        available = discover_notebooks(root)
        explicit = []
        for nb in notebooks:
            p = Path(nb)
            if p.suffix == ".ipynb" and p.is_file():
                explicit.append(p.resolve())
            else:
                explicit.extend(_select(available, [str(nb)], "--notebook"))
    available = discover_notebooks(root)

    sets = [_load_set(p, out_dir, available, explicit) for p in paths]  # validate all first
    seen: dict[str, Path] = {}
    for s in sets:
        if s.name in seen:
            raise InputError(
                s.params_file, f"report set name {s.name!r} already used by {seen[s.name]}"
            )
        seen[s.name] = s.params_file
    from warmcall.ingest.workbook import check_exports

    for s in sets:  # an export that yields nothing: one line, before any notebook runs
        check_exports(s.params)

    ensure_vega_bundle()  # once, before the workers (they only read it)
    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    with contextlib.ExitStack() as locks:
        _lock_sets(locks, sets)
        for s in sets:
            if s.waited_s >= 1:
                print(f"{terminal(s.name)}: waited {s.waited_s:.1f} s for another run of this set",
                      file=sys.stderr)  # fmt: skip
            _clear_set(s)
        try:
            _run_sets(sets, out_dir, root, run_id, jobs, progress)
        except BaseException:
            for s in sets:
                if not s.finished:
                    with contextlib.suppress(Exception):
                        _finish_set(s, out_dir, run_id, status="interrupted")
            raise

    fields = {f for f in RunResult.__dataclass_fields__}
    out = []
    for s in sets:
        for r in s.results:
            kw = {k: v for k, v in r.items() if k in fields}
            kw.update(
                html=Path(r["html"]),
                ipynb=Path(r["ipynb"]) if r["ipynb"] else None,
                params_file=Path(r["params_file"]),
            )
            out.append(RunResult(**kw))
    return out


def _run_sets(
    sets: list[_Set], out_dir: Path, root: Path, run_id: str, jobs: int | None, progress: bool
) -> None:
    """The notebooks of every set, sets in parallel in supervised workers (``warmcall.run.workers``),
    the notebooks of one set one after the other."""
    from tqdm import tqdm

    from warmcall.run.workers import Supervisor

    _fill_table_cache(sets, progress)
    cores = os.cpu_count() or 1
    workers = max(1, min(jobs or cores, len(sets)))
    threads = max(1, cores // workers)
    total = sum(len(s.notebooks) for s in sets)
    bar = tqdm(total=total, unit="nb", desc="reports", file=sys.stderr, disable=not progress)
    queues = {s.name: deque(s.notebooks) for s in sets}
    by_name = {s.name: s for s in sets}

    with Supervisor(
        _run_one, workers, stall_s=_stall_limit, initializer=_init_worker, initargs=(threads,)
    ) as sup:

        def submit_next(s: _Set) -> None:
            if queues[s.name]:
                sup.submit(_task(s, queues[s.name].popleft(), root, run_id))
            else:
                _finish_set(s, out_dir, run_id)

        for s in sets:
            submit_next(s)
        while sup.pending():
            for o in sup.wait(POLL_S):
                task = o.task
                s = by_name[task["report_set"]]
                if o.status == "done":
                    res = o.result
                else:  # stalled, died, or the runner itself failed
                    res = _fail_in_parent(task, _outcome_error(o), o.seconds)
                s.results.append(res)
                bar.set_postfix_str(
                    terminal(f"{s.name}/{res['notebook']} {res['status']}"), refresh=False
                )
                bar.update(1)
                submit_next(s)
    bar.close()


# --------------------------------------------------------------------------- CLI


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``report`` command's options to ``parser`` (for ``warmcall.run.cli``)."""
    parser.add_argument(
        "-p", "--params", nargs="+", action="extend", type=Path, metavar="FILE",
        help="params YAML file(s), one report set each (default: params/*.yaml)",
    )  # fmt: skip
    parser.add_argument(
        "-o", "--out", type=Path, default=Path("reports"), metavar="DIR",
        help="output folder (default: reports)",
    )  # fmt: skip
    parser.add_argument(
        "-j", "--jobs", type=int, default=None, metavar="N",
        help="parallel report sets (default: number of cores)",
    )  # fmt: skip
    parser.add_argument(
        "-n", "--notebook", dest="notebooks", nargs="+", action="extend", metavar="NB",
        help="only these notebooks (path, name, stem or NN number; default: params' notebooks)",
    )  # fmt: skip
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    return parser


@contextlib.contextmanager
def _signals_end_the_run() -> Iterator[None]:
    """SIGTERM and SIGHUP raise ``SystemExit(128 + signal)`` in the main thread for the
    block, so the runner's cleanup runs (workers, kernels, run.json) as for Ctrl-C; the
    previous handlers are restored after. A no-op outside the main thread."""

    def end(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    wanted = [signal.SIGTERM, *([signal.SIGHUP] if hasattr(signal, "SIGHUP") else [])]
    saved = {}
    try:
        for sig in wanted:
            saved[sig] = signal.signal(sig, end)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for sig, old in saved.items():
            signal.signal(sig, old)


def main_report(args: argparse.Namespace | Sequence[str] | None = None) -> int:
    """``warmcall report``: run the reports, print one ``OK``/``FAIL`` line per report.

    Returns 0 when every report succeeded, 1 when any failed, 2 for unusable input (invalid
    params, unknown notebook, a report set another run holds past ``WARMCALL_LOCK_TIMEOUT_S``;
    printed as one line on stderr, no traceback; nothing was run). SIGTERM
    and SIGHUP end the run like Ctrl-C: workers and kernels are stopped, unfinished sets are
    marked ``interrupted``; the exit status is then 128 + the signal number.
    """
    if not isinstance(args, argparse.Namespace):
        parser = add_arguments(argparse.ArgumentParser(prog="warmcall report"))
        args = parser.parse_args(list(args) if args is not None else None)
    root = find_project_root()
    params = list(getattr(args, "params", None) or [])
    if not params:
        params = sorted([*(root / "params").glob("*.yaml"), *(root / "params").glob("*.yml")])
    nbs = getattr(args, "notebooks", None)
    try:
        with _signals_end_the_run():
            results = run_reports(
                params,
                Path(getattr(args, "out", None) or "reports"),
                jobs=getattr(args, "jobs", None),
                notebooks=[Path(n) for n in nbs] if nbs else None,
                progress=not getattr(args, "no_progress", False),
                root=root,
            )
    except InputError as e:  # also locks.Busy: another run holds a report set
        print(f"error: {terminal(e)}", file=sys.stderr)
        return 2
    cwd = Path.cwd()

    def show(p: Path) -> str:
        try:
            return str(p.relative_to(cwd))
        except ValueError:
            return str(p)

    for r in results:
        if r.ok:
            line = f"OK   {r.report_set}/{r.notebook}  {show(r.html)}  ({r.duration_s:.1f} s)"
        else:
            where = f" at {r.error_cell}" if r.error_cell else ""
            line = f"FAIL {r.report_set}/{r.notebook}  {r.error_type}: {r.error_message}{where}"
            line += f"  {show(r.html)}"
        print(terminal(line))
    if results:
        print(f"index: {terminal(show(results[0].html.parents[2] / INDEX_FILE))}")
    return 1 if any(not r.ok for r in results) else 0


if __name__ == "__main__":
    sys.exit(main_report())
