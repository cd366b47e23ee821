"""Where report sets run: the executor interface and the local process pool.

The runner (``warmcall.run.report``) hands each report set to an executor as one *set task*
and takes the results back as the sets end; the client side (failure pages, ``run.json``,
the index, history) is the same whichever executor ran them. An executor:

- ``prestart()``: get ready to run sets (start workers) while the caller goes on;
- ``submit(set_task)``: queue one report set; ``set_task`` is ``{"report_set": name,
  "timeout": report.timeout_s, "notebooks": [notebook task, ...]}`` (the notebook tasks of
  ``warmcall.run.sets._task``, run one after the other, in order);
- ``as_completed(timeout_s)``: wait at most ``timeout_s`` seconds and return the sets that
  ended since the last call (``SetDone``, possibly none); the executor's ``on_notebook(
  report_set, result)`` attribute (a callable, for progress; a no-op by default) hears of
  each notebook's result as soon as the executor knows it, before the set is returned. Every set ends: an executor turns a
  stalled, lost or over-time run into failed notebook results, never a wait without end;
- ``pending()``: sets submitted whose ``SetDone`` has not been returned yet;
- ``shutdown()``: stop everything it started, within a bounded time.

Two implementations: ``LocalExecutor`` (the default, ``--jobs`` supervised processes on this
machine, ``warmcall.run.workers``: a watchdog per notebook, the next notebook of a set runs
after a stalled one) and ``warmcall.run.dask_executor.DaskExecutor`` (``--scheduler``: each set is
one task on a Dask cluster, its pages come back to this process).

A notebook result is the dict of ``warmcall.run.report._result``; a failed one carries
``error_detail`` (the traceback) for its failure page, which the runner writes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from warmcall.core.errors import ParamsError

__all__ = ["DASK_HINT", "Executor", "LocalExecutor", "SetDone", "make_executor"]

#: the one line ``--scheduler`` prints when Dask is not installed
DASK_HINT = "needs Dask: pip install 'warmcall[dask]'"


@dataclass
class SetDone:
    """One report set that ended: a result per notebook, in the set's order.

    ``files`` (remote executors): the set folder's files as written on the worker, by path
    relative to the set folder, for the runner to put in place before it reads the results;
    the results' ``html``/``ipynb``/``log`` then name files of that folder by their names."""

    report_set: str
    results: list[dict[str, Any]]
    files: dict[str, bytes] | None = None
    seconds: float = 0.0


class Executor(Protocol):
    """Runs report sets (module docstring)."""

    #: whether the table cache of this machine is the one the notebooks read (local runs)
    fills_local_cache: bool
    #: what the progress line calls the place the sets run
    where: str
    #: called with (report set, notebook result) as each notebook's result is known
    on_notebook: Callable[[str, dict[str, Any]], None]

    def prestart(self) -> None: ...

    def warm(self, set_tasks: list[dict[str, Any]]) -> None: ...

    def submit(self, set_task: dict[str, Any]) -> str: ...

    def as_completed(self, timeout_s: float) -> list[SetDone]: ...

    def pending(self) -> int: ...

    def shutdown(self) -> None: ...


@dataclass
class _LocalSet:
    task: dict[str, Any]
    queue: deque[dict[str, Any]]
    results: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


class LocalExecutor:
    """Report sets on this machine: the notebooks of ``workers`` sets at a time in
    supervised processes (``warmcall.run.workers.Supervisor``), each set's notebooks one after
    the other; ``polars_threads`` is ``POLARS_MAX_THREADS`` in each worker. A stalled or dead
    worker fails its notebook (``report._fail_in_parent``) and the set goes on with the next.
    ``on_notebook(report_set, result)`` is called as each notebook ends (progress)."""

    fills_local_cache = True
    where = "this machine"

    def __init__(self, workers: int, polars_threads: int) -> None:
        from warmcall.run.report import _init_worker, _run_one
        from warmcall.run.sets import _stall_limit
        from warmcall.run.workers import Supervisor

        self._sup = Supervisor(
            _run_one,
            workers,
            stall_s=_stall_limit,
            initializer=_init_worker,
            initargs=(polars_threads,),
            affinity=lambda task: task.get("kernel_key"),
        )
        self._sets: dict[str, _LocalSet] = {}
        self._workers = workers
        self.on_notebook: Callable[[str, dict[str, Any]], None] = lambda name, res: None

    def prestart(self) -> None:
        """Start the worker processes: their imports and the page exporter's warm-up
        (``report._init_worker``) overlap the table cache fill."""
        self._sup.prestart(self._workers)

    def warm(self, set_tasks: list[dict[str, Any]]) -> None:
        """Start the kernels of the first sets (one per worker) now, while the caller checks
        and caches the exports: each worker gets a copy of a set's first notebook task
        marked ``warm`` (``report._run_one``) and keeps that kernel for the set's notebooks
        (affinity). Nothing comes of it in ``as_completed``."""
        for set_task in set_tasks[: self._workers]:
            if set_task["notebooks"]:
                self._sup.submit({**set_task["notebooks"][0], "warm": True})

    def submit(self, set_task: dict[str, Any]) -> str:
        name = set_task["report_set"]
        s = _LocalSet(set_task, deque(set_task["notebooks"]))
        self._sets[name] = s
        self._sup.submit(s.queue.popleft())
        return name

    def pending(self) -> int:
        return len(self._sets)

    def as_completed(self, timeout_s: float) -> list[SetDone]:
        from warmcall.run.report import _fail_in_parent, _outcome_error

        done: list[SetDone] = []
        for o in self._sup.wait(timeout_s):
            if o.task.get("warm"):  # a kernel started ahead; its failure only costs time
                continue
            s = self._sets[o.task["report_set"]]
            if o.status == "done":
                res = o.result
            else:  # stalled, died, or the runner itself failed
                res = _fail_in_parent(o.task, _outcome_error(o), o.seconds)
            s.results.append(res)
            s.seconds += o.seconds
            self.on_notebook(o.task["report_set"], res)
            if s.queue:
                self._sup.submit(s.queue.popleft())
            else:
                name = o.task["report_set"]
                del self._sets[name]
                done.append(SetDone(name, s.results, seconds=s.seconds))
        return done

    def shutdown(self) -> None:
        self._sup.close()


def make_executor(
    scheduler: str | None,
    jobs: int | None,
    sets: int,
    polars_threads: Callable[[int], int],
) -> Executor:
    """The executor for a run: ``LocalExecutor`` without ``scheduler``; with one, a
    ``DaskExecutor`` (``"local"``: a LocalCluster of ``jobs`` worker processes here, never
    more than the sets; else the
    address of a running scheduler, e.g. ``tcp://host:8786``). ``polars_threads(workers)`` is
    the ``POLARS_MAX_THREADS`` for that many workers on this machine. Raises ``ParamsError``
    (exit 2) when Dask is not installed or the scheduler cannot be reached."""
    import os

    cores = os.cpu_count() or 1
    workers = max(1, min(jobs or cores, sets))
    if scheduler is None:
        return LocalExecutor(workers, polars_threads(workers))
    require_dask()
    from warmcall.run.dask_executor import DaskExecutor

    if scheduler == "local":
        return DaskExecutor(None, local_workers=workers, polars_threads=polars_threads(workers))
    return DaskExecutor(scheduler)


def require_dask() -> None:
    """``ParamsError`` naming ``--scheduler`` (one line, exit 2) when Dask and distributed
    are not installed (the ``dask`` extra)."""
    import importlib.util

    if not all(importlib.util.find_spec(m) for m in ("dask", "distributed")):
        raise ParamsError("--scheduler", DASK_HINT)
