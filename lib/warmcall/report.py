"""Batch reports: papermill runs of the notebooks per params set, offline HTML, an index page.

``warmcall report --params params/<name>.yaml`` (DESIGN.md "Reports"; notebook-stack.md §2.4,
§4.4-§4.6, §8). What it does, in order:

1. Every params file is loaded and validated with ``warmcall.params.load_params`` **before any
   notebook runs**; one invalid file aborts the whole run with ``InputError`` (one line naming
   the file). Each params file is one *report set*, named after the file's stem.
2. The notebooks: the ``notebooks`` argument if given, else the set's ``notebooks:`` param, else
   every ``notebooks/NN_*.ipynb`` of the project that has a cell tagged ``parameters``
   (the project: the nearest folder at or above the current one with ``notebooks/``; elsewhere,
   the notebooks that ship with warmcall, ``find_project_root``).
3. Sets run in parallel in a ``ProcessPoolExecutor`` (``jobs`` workers, default
   ``os.cpu_count()``, never more than the number of sets); the notebooks of one set run one
   after the other, in name order, so they may build on each other's ``output_dir`` files.
   ``POLARS_MAX_THREADS = max(1, cores // workers)`` is set in each worker before its kernels
   start (kernels inherit it). papermill runs with ``kernel_name="python3"``, the set's
   ``execution_timeout`` (default 600 s) and ``cwd`` = the project root.
4. Layout: ``<out_dir>/<YYYY-MM-DD>/<set>/<notebook>.{html,ipynb,log}`` plus ``run.json``
   (status of the set's last run) and the optional ``metrics.json``. The date is the params'
   ``as_of`` when set (re-running the same inputs overwrites the same folder), else the local
   date of the run. ``<notebook>.log`` holds what the kernel and papermill wrote to stderr.
5. Success: the executed notebook becomes HTML through the offline template (no code cells,
   no parameters cells, the Vega bundle inlined once, nothing loaded from the network).
   Failure (any exception: ``PapermillExecutionError``, ``CellTimeoutError``,
   ``DeadKernelError``, a failing HTML conversion; a timeout is a failure even though the
   executed notebook shows none, §4.4): a readable failure page instead, naming the cell, the
   error type and message, with the traceback folded away. Other notebooks and sets go on.
6. ``<out_dir>/index.html`` is regenerated from what is on disk after every set, so history
   accumulates across runs.

Every file is written under a temporary name in its final folder and moved into place with
``os.replace`` (papermill's staging notebook is ``<notebook>.part.ipynb``), so readers never
see half-written files.

Notebook parameter contract (the runner injects exactly these; declare them all in the
notebook's ``parameters`` cell so ``papermill --help-notebook`` lists them):

- ``params_file: str``: absolute path of the params YAML of this report set;
- ``params: dict``: the validated params (``Params.to_papermill()``: paths absolute, dates ISO
  strings); rebuild the typed object with ``warmcall.params.parse_params(params)``;
- ``report_set: str``: the set's name (the params file's stem);
- ``output_dir: str``: absolute path of the set's output folder (``<out_dir>/<date>/<set>``);
- ``renderer: str``: ``"default"``; pass it to ``warmcall.display.setup(renderer)``.

Metrics snapshot: a notebook may record headline numbers for week-over-week comparison with
``write_metrics(output_dir, {...})``, which merges the keys into ``<output_dir>/metrics.json``
(JSON object, atomic write). The runner deletes a stale ``metrics.json`` when a set starts,
copies the file's content into ``run.json`` and into each ``RunResult.metrics`` when the set
ends; ``metrics_history(out_dir, report_set)`` reads every dated snapshot back.

Worker processes are started with the ``spawn`` method: a script calling ``run_reports``
needs the usual ``if __name__ == "__main__":`` guard.
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import logging
import multiprocessing
import os
import re
import sys
import time
import traceback as _tb
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .cache import cache_dir, needs_fill, private_temp_dir
from .display import escape
from .errors import InputError
from .outputs import write_text_atomic
from .sanitize import terminal

__all__ = [
    "NOTEBOOK_PARAMETERS",
    "RunResult",
    "add_arguments",
    "discover_notebooks",
    "ensure_vega_bundle",
    "find_project_root",
    "main_report",
    "metrics_history",
    "notebook_to_html",
    "offline_exporter",
    "run_reports",
    "write_atomic",
    "write_index",
    "write_metrics",
]

#: The parameters the runner injects into every notebook (see the module docstring).
NOTEBOOK_PARAMETERS = ("params_file", "params", "report_set", "output_dir", "renderer")
DEFAULT_TIMEOUT = 600
METRICS_FILE = "metrics.json"
RUN_FILE = "run.json"
INDEX_FILE = "index.html"
#: Cells with these tags are dropped from the HTML (TagRemovePreprocessor).
REMOVE_CELL_TAGS = ("parameters", "injected-parameters", "papermill-error-cell-tag", "remove-cell")
TEMPLATES_DIR = Path(__file__).parent / "templates"
_NOTEBOOK_RE = re.compile(r"^\d{2}[_-].*\.ipynb$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
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
    metrics: dict[str, Any] | None = field(default=None, compare=False)

    @property
    def ok(self) -> bool:
        return self.status == "ok"


# --------------------------------------------------------------------------- small helpers


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder and ``os.replace``:
    readers see either the old file or the complete new one (§4.4, §8)."""
    write_text_atomic(path, text)


def _jsonable(o: Any) -> Any:
    """Plain JSON-able value for papermill: dates as ISO strings, paths as strings."""
    if hasattr(o, "model_dump"):
        return _jsonable(o.model_dump(mode="json"))
    if isinstance(o, dict):
        return {str(k): _jsonable(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_jsonable(v) for v in o]
    if isinstance(o, set | frozenset):
        return sorted(_jsonable(v) for v in o)
    if isinstance(o, datetime | date):
        return o.isoformat()
    if isinstance(o, Path):
        return str(o)
    return o


def write_metrics(output_dir: str | os.PathLike[str], metrics: dict[str, Any]) -> Path:
    """Merge ``metrics`` into ``<output_dir>/metrics.json`` (for notebooks; atomic write).

    The file is one JSON object; later keys overwrite earlier ones, so several notebooks of a
    set can each add their headline numbers. Values must be JSON-able (dates become ISO).
    """
    path = Path(output_dir) / METRICS_FILE
    current: dict[str, Any] = {}
    if path.exists():
        with contextlib.suppress(ValueError, OSError):
            loaded = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                current = loaded
    current.update(_jsonable(metrics))
    write_atomic(path, json.dumps(current, indent=2, sort_keys=True, allow_nan=False) + "\n")
    return path


def _read_json_object(path: Path) -> dict[str, Any] | None:
    try:
        v = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return v if isinstance(v, dict) else None


def metrics_history(out_dir: str | os.PathLike[str], report_set: str) -> list[tuple[str, dict]]:
    """Every ``metrics.json`` snapshot of one report set, oldest first, as ``(date, metrics)``.

    Reads ``<out_dir>/<YYYY-MM-DD>/<report_set>/metrics.json``; unreadable files are skipped.
    """
    out = []
    base = Path(out_dir)
    if not base.is_dir():
        return out
    for d in sorted(p for p in base.iterdir() if p.is_dir() and _DATE_RE.match(p.name)):
        m = _read_json_object(d / report_set / METRICS_FILE)
        if m is not None:
            out.append((d.name, m))
    return out


def previous_artifact(
    out_dir: str | os.PathLike[str], report_set: str, before: str, name: str
) -> Path | None:
    """``<out_dir>/<date>/<report_set>/<name>`` of the latest run dated before ``before``
    (ISO date) that has that file; None when there is none."""
    base = Path(out_dir)
    if not base.is_dir():
        return None
    dated = sorted(
        (p for p in base.iterdir() if p.is_dir() and _DATE_RE.match(p.name) and p.name < before),
        reverse=True,
    )
    for d in dated:
        f = d / report_set / name
        if f.is_file():
            return f
    return None


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: cwd) with a ``notebooks/`` folder
    and a ``pyproject.toml`` or ``params/``; when there is none, the folder of the notebooks
    that ship with warmcall (``warmcall.resources.resource_root()``), so the reports run from
    any folder; ``start`` itself only if those are missing too (a broken install)."""
    from .resources import resource_root

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
    """Path of ``vega-offline.js``, generated on first use (notebook-stack.md §2.4).

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

    ``header`` (keys ``set``, ``notebook``, ``as_of``) adds a small escaped header line with a
    link to the index two folders up.
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


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_PAGE_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _href(rel: str) -> str:
    """A relative URL for an ``href``: percent-encoded (no scheme can survive: ``:`` is
    encoded), then attribute-escaped."""
    return html.escape(quote(rel, safe="/"), quote=True)


def render_failure_page(info: dict[str, Any]) -> str:
    """A readable, self-contained, fully escaped failure page for one notebook run."""
    rows = [
        ("Report set", info["report_set"]),
        ("Notebook", info["notebook_path"]),
        ("As of", info["as_of"]),
        ("Params file", info["params_file"]),
        ("Error", info["error_type"]),
        ("Message", info["error_message"] or ""),
        ("Failed cell", info.get("error_cell") or "not identified"),
        ("Duration", f"{info['duration_s']:.1f} s"),
    ]
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
    return _page(f"FAILED {info['report_set']} / {info['notebook']}", body)


def _first_line(text: str, limit: int = 200) -> str:
    for line in str(text).splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 1] + "\u2026"
    return ""


def _locate_cell(nb: Any, match: Any) -> str | None:
    """Describe the first cell of ``nb`` for which ``match(cell)`` holds, counting positions in
    the *source* notebook (papermill's injected and error-banner cells are skipped)."""
    if nb is None:
        return None
    cells = [
        c
        for c in nb.cells
        if not {"injected-parameters", "papermill-error-cell-tag"}
        & set(c.get("metadata", {}).get("tags") or [])
    ]
    for i, c in enumerate(cells, 1):
        if match(c):
            count = c.get("execution_count")
            prompt = f" (In [{count}])" if count else ""
            return f"cell {i} of {len(cells)}{prompt}: {_first_line(c.get('source', ''))}"
    return None


def _describe_error(e: BaseException, nb: Any) -> dict[str, Any]:
    """Error type, first line of the message, the failing cell and a plain-text traceback."""
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
            "error_detail": detail or f"{e.ename}: {e.evalue}",
        }

    def running(c: Any) -> bool:  # started (execute_input seen) but never replied
        ex = c.get("metadata", {}).get("execution", {})
        return (
            c.get("cell_type") == "code"
            and "iopub.execute_input" in ex
            and "shell.execute_reply" not in ex
        )

    cell = _locate_cell(nb, running)
    if cell is None and "preview of the cell contents" in str(e):
        preview = str(e).split("-------------------\n")
        if len(preview) >= 2:
            src = preview[1].rstrip("\n")
            cell = _locate_cell(nb, lambda c: c.get("source", "").rstrip("\n") == src)
    msg = str(e)
    return {
        "error_type": type(e).__name__,
        "error_message": _first_line(msg, 500) or type(e).__name__,
        "error_cell": cell,
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
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s: %(message)s")


def _run_one(task: dict[str, Any]) -> dict[str, Any]:
    """Run one notebook of one set (in a worker process); never raises."""
    import nbformat
    import papermill as pm

    t0 = time.monotonic()
    set_dir = Path(task["set_dir"])
    nb_path = Path(task["notebook"])
    stem = nb_path.stem
    staging = set_dir / f"{stem}.part.ipynb"
    ipynb = set_dir / f"{stem}.ipynb"
    html_path = set_dir / f"{stem}.html"
    log = set_dir / f"{stem}.log"
    for stale in (staging, ipynb):
        stale.unlink(missing_ok=True)

    error: dict[str, Any] | None = None
    nb = None
    with _stderr_to(log):
        try:
            pm.execute_notebook(
                str(nb_path),
                str(staging),
                parameters=task["parameters"],
                kernel_name="python3",
                progress_bar=False,
                execution_timeout=task["timeout"],
                cwd=task["root"],
            )
        except Exception as e:  # PapermillExecutionError, CellTimeoutError, DeadKernelError...
            exc: Exception | None = e
        else:
            exc = None
        if staging.exists():
            try:
                nb = nbformat.read(staging, as_version=4)
            except Exception:  # noqa: BLE001 - a broken partial notebook is still a failure
                nb = None
        if exc is not None:
            error = _describe_error(exc, nb)
        if nb is not None:
            if error is not None:  # a timeout leaves no trace in the notebook itself (§4.4)
                nb.metadata["warmcall"] = {
                    "status": "failed",
                    **{k: error[k] for k in ("error_type", "error_message", "error_cell")},
                }
                with contextlib.suppress(Exception):
                    nbformat.write(nb, staging)
            os.replace(staging, ipynb)
        else:
            staging.unlink(missing_ok=True)
        if error is None:
            try:
                page = notebook_to_html(
                    nb,
                    title=f"{task['title']} \u00b7 {task['report_set']} \u00b7 {stem}",
                    header={"set": task["report_set"], "notebook": stem, "as_of": task["as_of"]},
                )
                write_atomic(html_path, page)
            except Exception as e:
                error = _describe_error(e, None)
                error["error_type"] = f"HTML export failed: {error['error_type']}"

    result = {
        "report_set": task["report_set"],
        "notebook": stem,
        "notebook_path": task["notebook_display"],
        "status": "ok" if error is None else "failed",
        "html": str(html_path),
        "ipynb": str(ipynb) if ipynb.exists() else None,
        "log": str(log),
        "params_file": task["params_file"],
        "as_of": task["as_of"],
        "duration_s": round(time.monotonic() - t0, 3),
        "error_type": None,
        "error_message": None,
        "error_cell": None,
    }
    if error is not None:
        result.update({k: error[k] for k in ("error_type", "error_message", "error_cell")})
        write_atomic(
            html_path, render_failure_page({**result, "error_detail": error["error_detail"]})
        )
    return result


def _fail_in_parent(task: dict[str, Any], e: BaseException) -> dict[str, Any]:
    """Result for a task whose worker died or could not be started (broken pool)."""
    set_dir = Path(task["set_dir"])
    stem = Path(task["notebook"]).stem
    err = _describe_error(e, None)
    result = {
        "report_set": task["report_set"],
        "notebook": stem,
        "notebook_path": task["notebook_display"],
        "status": "failed",
        "html": str(set_dir / f"{stem}.html"),
        "ipynb": None,
        "log": None,
        "params_file": task["params_file"],
        "as_of": task["as_of"],
        "duration_s": 0.0,
        **{k: err[k] for k in ("error_type", "error_message", "error_cell")},
    }
    write_atomic(set_dir / f"{stem}.html", render_failure_page({**result, **err}))
    return result


# --------------------------------------------------------------------------- index page


def _load_run(set_dir: Path) -> list[dict[str, Any]]:
    run = _read_json_object(set_dir / RUN_FILE)
    if run and isinstance(run.get("notebooks"), list):
        return [n for n in run["notebooks"] if isinstance(n, dict)]
    # no run.json (e.g. copied by hand): list the pages found, status unknown
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
    from .workbook import load

    with contextlib.suppress(Exception):  # reported by the notebooks (see below)
        load(*data, mapping=mapping, encoding=encoding)


def _fill_table_cache(sets: list[_Set], ctx: Any, progress: bool) -> None:
    """Load each set's exports into the table cache (``warmcall.cache``) in a short-lived
    process before the notebooks run, when the inputs are large enough to be cached and are
    not yet: every notebook then opens the cached Parquet instead of the first one loading
    the exports inside its kernel, where the memory of that load (3.7 GB at 10M
    interactions) would stay held while the notebook goes on. A failure here is ignored:
    the notebooks load again and report it on their failure page."""
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
        proc = ctx.Process(target=_fill_one, args=(data, mapping, enc), daemon=True)
        proc.start()
        proc.join()


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


def _load_set(
    path: Path, out_dir: Path, available: list[Path], notebooks: list[Path] | None
) -> _Set:
    from .params import load_params  # validated, relative paths resolved (the lead's loader)

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
    params = p.to_papermill() if hasattr(p, "to_papermill") else _jsonable(p)
    name = _set_name(path)
    return _Set(
        name=name,
        params_file=path.resolve(),
        params=_jsonable(params),
        as_of=day,
        title=str(getattr(p, "title", "warmcall report")),
        timeout=int(getattr(p, "execution_timeout", None) or DEFAULT_TIMEOUT),
        notebooks=list(chosen),
        dir=(out_dir / day / name).resolve(),
    )


def _task(s: _Set, nb: Path, root: Path) -> dict[str, Any]:
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
        "root": str(root),
        "parameters": {
            "params_file": str(s.params_file),
            "params": s.params,
            "report_set": s.name,
            "output_dir": str(s.dir),
            "renderer": "default",
        },
    }


def _finish_set(s: _Set, out_dir: Path) -> None:
    metrics = _read_json_object(s.dir / METRICS_FILE)
    run = {
        "report_set": s.name,
        "as_of": s.as_of,
        "params_file": str(s.params_file),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
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
    write_index(out_dir)


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
    duplicate params file or an unknown notebook; notebook failures never raise, they are
    results with ``status == "failed"``. Results are ordered by params file, then notebook.
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
    from .workbook import check_exports

    for s in sets:  # an export that yields nothing: one line, before any notebook runs
        check_exports(s.params)

    ensure_vega_bundle()  # once, before the workers (they only read it)
    for s in sets:
        s.dir.mkdir(parents=True, exist_ok=True)
        (s.dir / METRICS_FILE).unlink(missing_ok=True)

    ctx = multiprocessing.get_context("spawn")
    _fill_table_cache(sets, ctx, progress)
    cores = os.cpu_count() or 1
    workers = max(1, min(jobs or cores, len(sets)))
    threads = max(1, cores // workers)
    total = sum(len(s.notebooks) for s in sets)

    from tqdm import tqdm

    bar = tqdm(total=total, unit="nb", desc="reports", file=sys.stderr, disable=not progress)
    queues = {s.name: deque(s.notebooks) for s in sets}
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(threads,)
    ) as pool:
        pending: dict[Future[dict[str, Any]], tuple[_Set, dict[str, Any]]] = {}

        def submit_next(s: _Set) -> None:
            while queues[s.name]:
                task = _task(s, queues[s.name].popleft(), root)
                try:
                    pending[pool.submit(_run_one, task)] = (s, task)
                    return
                except Exception as e:  # broken pool: record and go on with the next one
                    s.results.append(_fail_in_parent(task, e))
                    bar.update(1)
            _finish_set(s, out_dir)

        for s in sets:
            submit_next(s)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in done:
                s, task = pending.pop(fut)
                try:
                    res = fut.result()
                except Exception as e:  # the worker process died
                    res = _fail_in_parent(task, e)
                s.results.append(res)
                bar.set_postfix_str(
                    terminal(f"{s.name}/{res['notebook']} {res['status']}"), refresh=False
                )
                bar.update(1)
                submit_next(s)
    bar.close()

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


# --------------------------------------------------------------------------- CLI


def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the ``report`` command's options to ``parser`` (for ``warmcall.cli``)."""
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


def main_report(args: argparse.Namespace | Sequence[str] | None = None) -> int:
    """``warmcall report``: run the reports, print one ``OK``/``FAIL`` line per report.

    Returns 0 when every report succeeded, 1 when any failed, 2 for unusable input (invalid
    params, unknown notebook; printed as one line on stderr, no traceback).
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
        results = run_reports(
            params,
            Path(getattr(args, "out", None) or "reports"),
            jobs=getattr(args, "jobs", None),
            notebooks=[Path(n) for n in nbs] if nbs else None,
            progress=not getattr(args, "no_progress", False),
            root=root,
        )
    except InputError as e:
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
