"""Report sets on a Dask cluster (``warmcall report --scheduler``): one task per report set.

``DaskExecutor`` is an executor of ``warmcall.run.executors`` (read its docstring first). It
connects to a running scheduler (``tcp://host:8786``) or starts a ``LocalCluster`` of worker
processes on this machine (``--scheduler local``), and submits each report set as one task
that runs ``run_set_on_worker`` on a worker:

- **What goes to the worker**: the set's notebook tasks, the notebooks themselves (bytes) and
  the set's earlier runs' small files (``metrics.json``, ``plan.csv``, ``stages.parquet``...:
  the files beside the pages in ``<out>/<other date>/<set>/``, for the history sections).
  The worker needs the same warmcall (and notebook stack) installed and read access to the
  exports the params name, at the same paths; it needs no access to the out folder.
- **On the worker** the notebooks run with papermill, one after the other, into a scratch
  folder laid out like the out folder (``<scratch>/<date>/<set>``), exactly as a local worker
  runs them (``warmcall.run.report._run_one``: same limits per cell, same HTML). The task
  returns the results and every file of the set folder; the scratch folder is removed.
- **Back on the client** the runner puts the files in place, then writes failure pages,
  ``run.json`` and the index as for a local run.
- **Limits**: at most as many sets run as the cluster has worker threads (the rest wait
  here, not on the scheduler), so a set's limit counts from its start: ``report.timeout_s``
  per notebook × notebooks + ``limits.SET_MARGIN_S`` (``limits.set_limit_s``). A set over its
  limit, or whose task failed (the worker was killed: ``KilledWorker``; the connection was
  lost: the task cancelled), ends with every notebook failed and a page saying which limit
  or what happened. Reaching the scheduler and its first worker waits at most
  ``limits.CONNECT_TIMEOUT_S``. On a LocalCluster a task whose worker dies is not retried
  (``distributed.scheduler.allowed-failures = 0``): it fails at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from warmcall.core.errors import ParamsError
from warmcall.core.words import count
from warmcall.run.executors import SetDone
from warmcall.run.limits import CONNECT_TIMEOUT_S, SHUTDOWN_S, set_limit_s

__all__ = ["DaskExecutor", "history_files", "run_set_on_worker"]

_PAGE_SUFFIXES = (".html", ".ipynb", ".log")


def history_files(set_dir: Path) -> dict[str, bytes]:
    """The small files of the set's runs on other dates, by path relative to the out folder
    (``<date>/<set>/<name>``): every file directly in ``<out>/<date>/<set>/`` except the pages,
    executed notebooks, logs and ``run.json``. The history sections of the notebooks read
    them (``warmcall.present.history``)."""
    from warmcall.run.pages import RUN_FILE

    out, name = set_dir.parents[1], set_dir.name
    files: dict[str, bytes] = {}
    if not out.is_dir():
        return files
    for day in sorted(p for p in out.iterdir() if p.is_dir() and p != set_dir.parent):
        d = day / name
        if not d.is_dir():
            continue
        for f in sorted(d.iterdir()):
            if f.is_file() and f.suffix not in _PAGE_SUFFIXES and f.name != RUN_FILE:
                with contextlib.suppress(OSError):
                    files[f"{day.name}/{name}/{f.name}"] = f.read_bytes()
    return files


def _inside(base: Path, rel: str) -> Path:
    p = (base / rel).resolve()
    if not p.is_relative_to(base.resolve()) or p == base.resolve():
        raise ValueError(f"refusing a path outside the folder: {rel!r}")
    return p


def run_set_on_worker(set_task: dict[str, Any]) -> dict[str, Any]:
    """Run one report set on a Dask worker (module docstring); returns ``{"results": [...],
    "files": {relative path: bytes}}``. Never raises for a notebook's failure (that is a
    failed result); raises only when the worker itself cannot run the set."""
    from warmcall.run.kernels import SetKernel
    from warmcall.run.report import _init_worker, _run_one

    threads = set_task.get("polars_threads")
    if not threads:
        with contextlib.suppress(Exception):
            from distributed import get_worker

            threads = max(1, (os.cpu_count() or 1) // max(1, get_worker().state.nthreads))
    _init_worker(int(threads or 1))
    with tempfile.TemporaryDirectory(prefix="warmcall-set-") as tmp:
        base = Path(tmp)
        first = set_task["notebooks"][0]
        out = base / "out"
        set_dir = out / first["as_of"] / first["report_set"]
        set_dir.mkdir(parents=True)
        for rel, data in set_task.get("history", {}).items():
            p = _inside(out, rel)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
        (base / "notebooks").mkdir()
        results = []
        kernel = SetKernel()  # the set's notebooks share one kernel (warmcall.run.kernels)
        try:
            for t in set_task["notebooks"]:
                nb = base / "notebooks" / Path(t["notebook"]).name
                nb.write_bytes(set_task["notebook_files"][t["notebook"]])
                root = t["root"] if Path(t["root"]).is_dir() else str(base)
                here = {
                    **t,
                    "notebook": str(nb),
                    "set_dir": str(set_dir),
                    "root": root,
                    "parameters": {**t["parameters"], "output_dir": str(set_dir)},
                }
                results.append(_run_one(here, kernel=kernel))
        finally:
            kernel.close()
        files = {
            str(f.relative_to(set_dir)): f.read_bytes()
            for f in sorted(set_dir.rglob("*"))
            if f.is_file()
        }
    return {"results": results, "files": files}


def _set_failure(set_task: dict[str, Any], error: dict[str, Any], seconds: float) -> SetDone:
    """Every notebook of a set whose task did not come back, failed with ``error``."""
    from warmcall.run.report import _fail_in_parent

    results = [_fail_in_parent(t, dict(error), seconds) for t in set_task["notebooks"]]
    return SetDone(set_task["report_set"], results, seconds=seconds)


class DaskExecutor:
    """Report sets as Dask tasks (module docstring). ``address``: a scheduler's address, or
    None for a ``LocalCluster`` of ``local_workers`` processes (one thread each) with
    ``polars_threads`` as ``POLARS_MAX_THREADS`` in each set. ``on_notebook(report_set,
    result)`` hears of each notebook's result when its set comes back (progress)."""

    fills_local_cache = False
    where = "a Dask cluster"

    def __init__(
        self,
        address: str | None,
        *,
        local_workers: int = 1,
        polars_threads: int | None = None,
    ) -> None:
        import dask
        from distributed import Client, LocalCluster

        self._cluster: Any = None
        self._threads = polars_threads
        self.on_notebook: Callable[[str, dict[str, Any]], None] = lambda name, res: None
        self._queue: list[dict[str, Any]] = []
        self._running: dict[Any, tuple[dict[str, Any], float]] = {}
        self._ended: list[SetDone] = []
        try:
            if address is None:
                self.where = f"a local Dask cluster of {local_workers} worker processes"
                with (
                    dask.config.set({"distributed.scheduler.allowed-failures": 0}),
                    warnings.catch_warnings(),
                ):  # its HTTP server takes another port when 8787 is busy: no news
                    warnings.filterwarnings("ignore", message="Port .* is already in use")
                    self._cluster = LocalCluster(
                        n_workers=local_workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        silence_logs=logging.ERROR,
                    )
                self._client = Client(self._cluster, timeout=CONNECT_TIMEOUT_S)
            else:
                self.where = f"the Dask scheduler at {address}"
                self._client = Client(address, timeout=CONNECT_TIMEOUT_S)
            self._client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_S)
        except Exception as e:  # noqa: BLE001 - unreachable scheduler, no worker, bad address
            self.shutdown()
            what = address or "local"
            raise ParamsError(
                "--scheduler",
                f"{what}: no Dask scheduler with a worker within {CONNECT_TIMEOUT_S} s "
                f"({type(e).__name__}: {e})",
            ) from None

    def _slots(self) -> int:
        try:
            return max(1, sum(self._client.nthreads().values()))
        except Exception:  # noqa: BLE001 - the scheduler is gone: the waits below fail it
            return 1

    def submit(self, set_task: dict[str, Any]) -> str:
        task = dict(set_task)
        task["notebook_files"] = {
            t["notebook"]: Path(t["notebook"]).read_bytes() for t in task["notebooks"]
        }
        task["history"] = history_files(Path(task["notebooks"][0]["set_dir"]))
        task["polars_threads"] = self._threads
        self._queue.append(task)
        self._start()
        return str(task["report_set"])

    def _start(self) -> None:
        while self._queue and len(self._running) < self._slots():
            task = self._queue.pop(0)
            try:
                fut = self._client.submit(run_set_on_worker, task, pure=False, retries=0)
            except Exception as e:  # noqa: BLE001 - the client is closed or disconnected
                self._ended.append(_set_failure(task, _runner_error(e), 0.0))
                continue
            self._running[fut] = (task, time.monotonic())

    def pending(self) -> int:
        return len(self._queue) + len(self._running) + len(self._ended)

    def as_completed(self, timeout_s: float) -> list[SetDone]:
        from distributed import wait

        if self._running and not self._ended:
            with contextlib.suppress(Exception):  # TimeoutError: nothing ended in time
                wait(list(self._running), timeout=timeout_s, return_when="FIRST_COMPLETED")
        now = time.monotonic()
        for fut, (task, started) in list(self._running.items()):
            seconds = now - started
            limit = set_limit_s(task["timeout"], len(task["notebooks"]))
            if fut.done():
                del self._running[fut]
                self._ended.append(self._collect(fut, task, seconds))
            elif seconds > limit:
                del self._running[fut]
                with contextlib.suppress(Exception):
                    fut.cancel()
                self._ended.append(_set_failure(task, _over_time(task, limit), seconds))
        self._start()
        out, self._ended = self._ended, []
        for done in out:
            for res in done.results:
                self.on_notebook(done.report_set, res)
        return out

    def _collect(self, fut: Any, task: dict[str, Any], seconds: float) -> SetDone:
        try:
            got = fut.result(timeout=CONNECT_TIMEOUT_S)
        except Exception as e:  # noqa: BLE001 - KilledWorker, cancelled, the task raised
            return _set_failure(task, _task_error(e, fut), seconds)
        return SetDone(task["report_set"], got["results"], files=got["files"], seconds=seconds)

    def prestart(self) -> None:
        """Nothing to start ahead: the cluster's workers are running."""

    def warm(self, set_tasks: list[dict[str, Any]]) -> None:
        """Nothing to start ahead: each set's task starts its kernel on its worker."""

    def shutdown(self) -> None:
        for fut in list(self._running):
            with contextlib.suppress(Exception):
                fut.cancel()
        self._running.clear()
        client = getattr(self, "_client", None)
        if client is not None:
            with contextlib.suppress(Exception):
                client.close(timeout=SHUTDOWN_S)
        if self._cluster is not None:
            with contextlib.suppress(Exception):
                self._cluster.close(timeout=SHUTDOWN_S)
            self._cluster = None


def _over_time(task: dict[str, Any], limit: float) -> dict[str, Any]:
    n = len(task["notebooks"])
    words = (
        f"report.timeout_s = {task['timeout']} s × {count(n, 'notebook')} "
        f"+ {limit - float(task['timeout']) * n:.0f} s"
    )
    return {
        "error_type": "SetTimeout",
        "error_message": f"the report set did not come back from the Dask cluster within "
        f"{limit:.0f} s (over the limit: {words}); its task was cancelled",
        "error_cell": None,
        "error_limit": words,
        "error_detail": None,
    }


def _task_error(e: BaseException, fut: Any) -> dict[str, Any]:
    name = type(e).__name__
    if name == "KilledWorker":
        return {
            "error_type": "WorkerDied",
            "error_message": "the Dask worker running this report set ended unexpectedly "
            "(killed, or out of memory)",
            "error_cell": None,
            "error_limit": None,
            "error_detail": str(e),
        }
    if name in ("CancelledError", "FutureCancelledError"):
        return {
            "error_type": "TaskLost",
            "error_message": "the report set's task was cancelled by the Dask cluster "
            "(the connection to the scheduler was lost?)",
            "error_cell": None,
            "error_limit": None,
            "error_detail": str(e),
        }
    return _runner_error(e, fut)


def _runner_error(e: BaseException, fut: Any = None) -> dict[str, Any]:
    import traceback

    from warmcall.run.failures import first_line

    detail = "".join(traceback.format_exception(type(e), e, e.__traceback__))
    with contextlib.suppress(Exception):
        if fut is not None and (tb := fut.traceback()) is not None:
            detail = "".join(traceback.format_tb(tb)) + f"{type(e).__name__}: {e}"
    return {
        "error_type": "RunnerError",
        "error_message": first_line(f"{type(e).__name__}: {e}", 500),
        "error_cell": None,
        "error_limit": None,
        "error_detail": detail,
    }
