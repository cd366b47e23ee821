"""Batch reports: papermill runs of the notebooks per params set, offline HTML, an index page.

``warmcall report --params params/<name>.yaml`` (docs/notebook-stack.md §2.4, §4.4-§4.6, §8).
What it does, in order:

1. Every params file is loaded and validated with ``warmcall.core.params.load_params`` **before any
   notebook runs**; one invalid file aborts the whole run with ``ParamsError`` (one line naming
   the file). Each params file is one *report set*, named after the file's stem.
2. The notebooks: the ``notebooks`` argument if given, else the set's ``notebooks:`` param, else
   every ``notebooks/NN_*.ipynb`` of the project that has a cell tagged ``parameters``
   (the project: the nearest folder at or above the current one with ``notebooks/``; elsewhere,
   the notebooks that ship with warmcall, ``find_project_root``). Each notebook's parameters
   cell declares every name the runner passes (``notebooks.check_parameters``).
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
   other's ``output_dir`` files, and in **one kernel** (``warmcall.run.kernels``: the
   namespace emptied between notebooks, a fresh kernel after a failed one; a worker runs a
   set's next notebook when it ran the previous one).
   ``POLARS_MAX_THREADS = max(1, cores // workers)``, ``WARMCALL_BATCH=1`` and the
   allocator's ``KERNEL_MALLOC_CONF`` are set in each worker before its kernels start
   (kernels inherit them; the what-if notebook builds no widget in batch). papermill runs with
   ``kernel_name="python3"`` and ``cwd`` = the project root. Sets reach the workers through
   an executor (``warmcall.run.executors``): these local workers by default, or with
   ``scheduler`` a Dask cluster, one task per set (``warmcall.run.dask_executor``: the pages
   come back here). Failure pages, ``run.json`` and the index are written here either way.
5. Limits: every wait is bounded and going over one is a failure, never an OK: a cell's
   execution by the set's ``report.timeout_s`` (default 600 s), its last output after its
   reply by ``IOPUB_TIMEOUT_S`` (at most ``timeout_s``), the kernel start by
   ``START_TIMEOUT_S``; a **watchdog** ends a worker (and its kernel) that reports no
   progress (a cell starting or ending) for ``timeout_s + WATCHDOG_GRACE_S``.
6. Layout: ``<out_dir>/<YYYY-MM-DD>/<set>/<notebook>.{html,ipynb,log}`` plus ``run.json``
   (status of the set's last run) and the optional ``metrics.json``. The date is the params'
   ``as_of`` when set (re-running the same inputs overwrites the same folder), else the local
   date of the run. ``<notebook>.log`` holds what papermill wrote to stderr while the
   notebook ran; the kernel's own stderr goes to the log of the notebook that started it.
7. Success: the executed notebook becomes HTML through the offline template (no code cells,
   no parameters cells, charts as static SVG, nothing loaded from the network).
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
- ``renderer: str``: ``"static"`` (``warmcall.present.svgchart``); pass it to ``warmcall.present.display.setup(renderer)``.

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

import contextlib
import functools
import logging
import os
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from warmcall.core.errors import ParamsError
from warmcall.core.outputs import write_text_atomic
from warmcall.core.resources import BATCH_ENV
from warmcall.core.sanitize import terminal
from warmcall.core.words import count
from warmcall.run.executors import Executor, SetDone, make_executor, require_dask
from warmcall.run.failures import ERROR_KEYS, describe_error, first_line
from warmcall.run.kernels import SetKernel, held_kernel
from warmcall.run.limits import POLL_S, START_TIMEOUT_S, WATCHDOG_GRACE_S
from warmcall.run.notebooks import (
    check_parameters,
    discover_notebooks,
    find_project_root,
    select_notebooks,
)
from warmcall.run.pages import notebook_to_html, render_failure_page
from warmcall.run.sets import (
    _clear_set,
    _finish_set,
    _load_set,
    _lock_sets,
    _Set,
    _task,
    score_set,
)

__all__ = ["RunResult", "run_reports"]


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


# --------------------------------------------------------------------------- offline HTML


# --------------------------------------------------------------------------- failure pages


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


#: jemalloc options for the kernels (appended to ``_RJEM_MALLOC_CONF``, after the ones
#: polars sets on import, so these win): freed pages are kept 3 s before they go back to the
#: system, not polars' 0.5 s / 1 s. A notebook frees and allocates frames of the same sizes
#: cell after cell; with the short decay it page-faults them in again each time. At L the
#: four notebooks took 1.2 s less (the kernel's system time 7 s → 5 s) for 0.3 GB more peak
#: RSS in the kernel (3.4 → 3.7 GB, still below the exports check's 3.9 GB). Not for the
#: exports check: there it was 0.4 s for 0.2 GB, over the 4 GB of the benchmark's target.
KERNEL_MALLOC_CONF = "dirty_decay_ms:3000,muzzy_decay_ms:3000"


def _init_worker(polars_threads: int) -> None:
    """A worker's set-up: the kernels' environment (below), then the page exporter made
    ready (``pages.warm_up``: nbconvert's import and template, about 1 s, done while the
    runner checks and caches the exports)."""
    os.environ["POLARS_MAX_THREADS"] = str(polars_threads)
    conf = os.environ.get("_RJEM_MALLOC_CONF", "")
    if not conf.endswith(KERNEL_MALLOC_CONF):  # a Dask worker sets up once per set
        os.environ["_RJEM_MALLOC_CONF"] = f"{conf},{KERNEL_MALLOC_CONF}".lstrip(",")
    # kernels run in the project root: relative PYTHONPATH entries (PYTHONPATH=lib) would
    # point elsewhere there, and the kernel would import another warmcall than this one
    if os.environ.get("PYTHONPATH"):
        os.environ["PYTHONPATH"] = os.pathsep.join(
            str(Path(p).resolve()) for p in os.environ["PYTHONPATH"].split(os.pathsep) if p
        )
    os.environ[BATCH_ENV] = "1"  # kernels inherit it: notebooks know they run in batch
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s: %(message)s")
    import papermill  # noqa: F401 - imported here, once, not by the first notebook's run

    from warmcall.run.pages import warm_up

    warm_up()


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
        return f"cell {min(i, n - 1) + 1} of {n}: {first_line(cell.get('source', ''))}"

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
        result["error_detail"] = error.get("error_detail")  # for the page (_record), not run.json
    return result


def _record(s: _Set, res: dict[str, Any], run_id: str) -> None:
    """Add one notebook's result to its set, on the client whichever executor ran it; a
    failed one gets its failure page here (``pages.render_failure_page``)."""
    detail = res.pop("error_detail", None)
    if res["status"] != "ok":
        page = render_failure_page({**res, "error_detail": detail, "run_id": run_id})
        write_text_atomic(Path(res["html"]), page)
    s.results.append(res)


def _place_files(s: _Set, done: SetDone) -> None:
    """Put the files a remote executor brought back into the set folder (each atomically,
    none outside it) and point the set's results at them."""
    base = s.dir.resolve()
    for rel, data in (done.files or {}).items():
        target = (base / rel).resolve()
        if not target.is_relative_to(base) or target == base:
            continue  # a name that climbs out of the set folder: never written
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(target, data)
    for r in done.results:
        r["html"] = str(base / Path(r["html"]).name)
        for key in ("ipynb", "log"):
            r[key] = str(base / Path(r[key]).name) if r.get(key) else None


def _run_one(
    task: dict[str, Any], beat: Any = None, kernel: SetKernel | None = None
) -> dict[str, Any]:
    """Run one notebook of one set (in a supervised worker process); never raises.

    ``beat(**info)`` reports progress (task start, each cell's start and end, the HTML
    conversion) to the supervisor's watchdog. The notebook runs in ``kernel``, else in this
    process's kernel for the task's set (``kernels.held_kernel``), which ends after the
    set's last notebook (``task["last"]``). A task marked ``warm`` (a copy of the set's first
    notebook task) only starts that kernel (``SetKernel.start``) and returns
    ``{"warm": True, "started": bool}``."""
    if kernel is None:
        kernel = held_kernel(task["kernel_key"])
    if task.get("warm"):  # the set's kernel, started ahead (``LocalExecutor.warm``)
        return {"warm": True, "started": kernel.start(task["root"], START_TIMEOUT_S)}
    try:
        return _run_in(kernel, task, beat)
    finally:
        if task.get("last"):
            kernel.close()


def _run_in(kernel: SetKernel, task: dict[str, Any], beat: Any) -> dict[str, Any]:
    import nbformat

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
            kernel.execute(
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
            error = describe_error(exc, nb, timeout, iopub)
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
                        # the folder's date is the params' as_of, else the day of the run
                        "dated": "as of" if task["parameters"]["params"].get("as_of") else "run of",
                        "run": task["run_id"],
                    },
                )
                write_text_atomic(p["html"], page)
            except Exception as e:
                error = describe_error(e, None)
                error["error_type"] = f"HTML export failed: {error['error_type']}"
    if err := kernel.take_stderr():  # a kernel started ahead: its stderr of this notebook
        with contextlib.suppress(OSError), open(p["log"], "ab") as log:
            log.write(err)
    return _result(task, error, time.monotonic() - t0)


def _fail_in_parent(task: dict[str, Any], error: dict[str, Any], seconds: float) -> dict[str, Any]:
    """Result for a task whose worker stalled, died or could not run it: the partial executed
    notebook (if any) is kept with the failure in its metadata (the runner writes the failure
    page, ``_record``)."""
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
        "error_message": first_line(o.detail, 500) or "the runner failed",
        "error_cell": cell,
        "error_limit": None,
        "error_detail": o.detail,
    }


# --------------------------------------------------------------------------- index page


# --------------------------------------------------------------------------- the runner


def run_reports(
    params_files: list[Path],
    out_dir: Path,
    jobs: int | None = None,
    notebooks: list[Path] | None = None,
    progress: bool = True,
    *,
    root: Path | None = None,
    scheduler: str | None = None,
    xlsx: bool = False,
) -> list[RunResult]:
    """Run every notebook for every params file (report set); see the module docstring.

    ``root`` is the project root (papermill's cwd and where ``notebooks/`` is found; default:
    ``find_project_root()``). ``xlsx``: when a set ends, its saved tables (``data/``) are
    also written as one Excel workbook ``data.xlsx`` (``present.datafiles.write_workbook``). Raises ``InputError`` (before anything runs) for an invalid or
    duplicate params file, an unknown notebook or one whose parameters cell lacks a name the
    runner passes (``notebooks.check_parameters``), and ``locks.Busy`` (an ``InputError``,
    before anything runs) when another run holds one of the sets; notebook failures never raise, they are results
    with ``status == "failed"``. Results are ordered by params file, then notebook.
    ``scheduler``: run each set as one task on a Dask cluster (``"local"``: a LocalCluster of
    ``jobs`` processes here; else a scheduler address, ``tcp://host:8786``;
    ``warmcall.run.dask_executor``); ``ParamsError`` (exit 2) when Dask is not installed or
    no scheduler with a worker answers.
    ``KeyboardInterrupt`` / ``SystemExit`` (SIGINT, SIGTERM) stop the workers and kernels
    (bounded), mark unfinished sets ``interrupted`` in their run.json, and propagate.
    """
    if scheduler is not None:
        require_dask()  # one line, before anything is read or run
    root = (root or find_project_root()).resolve()
    out_dir = Path(out_dir).resolve()
    paths = [Path(p) for p in params_files]
    if not paths:
        raise ParamsError("params", "no params file given")
    explicit: list[Path] | None = None
    if notebooks is not None:
        available = discover_notebooks(root)
        explicit = []
        for nb in notebooks:
            p = Path(nb)
            if p.suffix == ".ipynb" and p.is_file():
                explicit.append(p.resolve())
            else:
                explicit.extend(select_notebooks(available, [str(nb)], "--notebook"))
    available = discover_notebooks(root)

    sets = [_load_set(p, out_dir, available, explicit) for p in paths]  # validate all first
    seen: dict[str, Path] = {}
    for s in sets:
        if s.name in seen:
            raise ParamsError(
                s.params_file, f"report set name {s.name!r} already used by {seen[s.name]}"
            )
        seen[s.name] = s.params_file
    check_parameters([nb for s in sets for nb in s.notebooks])
    from warmcall.ingest.load import check_exports

    run_id = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    cores = os.cpu_count() or 1
    # before any set is locked or cleared: an unreachable scheduler changes nothing on disk
    executor = make_executor(scheduler, jobs, len(sets), lambda n: max(1, cores // n))
    try:
        executor.prestart()  # workers start up while the exports are checked (and cached)
        if executor.fills_local_cache:  # and the first sets' kernels start meanwhile
            executor.warm([_set_task(s, root, run_id) for s in sets])
        for s in sets:  # an export that yields nothing: one line, before any notebook runs
            # a check that loads the exports into this machine's table cache also scores
            # the set there (its notebooks then read the scores)
            score = functools.partial(score_set, s.params) if executor.fills_local_cache else None
            check_exports(s.params, score, s.timeout, s.name if progress else None)
        with contextlib.ExitStack() as locks:
            _lock_sets(locks, sets)
            for s in sets:
                if s.waited_s >= 1:
                    print(f"{terminal(s.name)}: waited {s.waited_s:.1f} s for another run of this set",
                          file=sys.stderr)  # fmt: skip
                _clear_set(s)
            try:
                _run_sets(sets, out_dir, root, run_id, executor, progress, xlsx)
            except BaseException:
                executor.shutdown()  # workers and kernels stopped before the sets are marked
                for s in sets:
                    if not s.finished:
                        with contextlib.suppress(Exception):
                            _finish_set(s, out_dir, run_id, status="interrupted")
                raise
            executor.shutdown()  # before the locks are released
    finally:
        executor.shutdown()  # a set another run holds (Busy): stop what was started

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


def _write_workbook(s: _Set) -> None:
    """``data.xlsx`` of a finished set; a failure is one line on stderr (the pages and the
    CSV / Parquet files are written already)."""
    from warmcall.present.datafiles import write_workbook

    try:
        write_workbook(s.dir)
    except Exception as e:  # noqa: BLE001 - reported, the set's pages stand
        print(f"{terminal(s.name)}: data.xlsx not written: {terminal(first_line(str(e)))}",
              file=sys.stderr)  # fmt: skip


def _run_sets(
    sets: list[_Set],
    out_dir: Path,
    root: Path,
    run_id: str,
    executor: Executor,
    progress: bool,
    xlsx: bool = False,
) -> None:
    """Every set through ``executor`` (``warmcall.run.executors``: the local supervised
    workers, or Dask with ``--scheduler``), the notebooks of one set one after the other;
    the results, failure pages, ``run.json`` and the index are written here as each set
    ends. The caller shuts the executor down."""
    from tqdm import tqdm

    total = sum(len(s.notebooks) for s in sets)
    bar = tqdm(total=total, unit="nb", desc="reports", file=sys.stderr, disable=not progress)
    by_name = {s.name: s for s in sets}

    def tick(name: str, res: dict[str, Any]) -> None:
        bar.set_postfix_str(terminal(f"{name}/{res['notebook']} {res['status']}"), refresh=False)
        bar.update(1)

    executor.on_notebook = tick
    try:
        if not executor.fills_local_cache and progress:
            print(
                f"{count(len(sets), 'report set')} on {terminal(executor.where)}", file=sys.stderr
            )
        for s in sets:
            executor.submit(_set_task(s, root, run_id))
        while executor.pending():
            for done in executor.as_completed(POLL_S):
                s = by_name[done.report_set]
                if done.files is not None:
                    _place_files(s, done)
                for res in done.results:
                    _record(s, res, run_id)
                if xlsx:
                    _write_workbook(s)
                _finish_set(s, out_dir, run_id)
    finally:
        bar.close()


def _set_task(s: _Set, root: Path, run_id: str) -> dict[str, Any]:
    """One report set for an executor: its notebook tasks, in order (``executors``)."""
    return {
        "report_set": s.name,
        "timeout": s.timeout,
        "notebooks": [_task(s, nb, root, run_id) for nb in s.notebooks],
    }
