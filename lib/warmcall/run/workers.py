"""Supervised worker processes for batch runs: a watchdog, no orphans, a bounded stop.

``Supervisor(fn, workers, stall_s=...)`` runs ``fn(task, beat)`` for each submitted task in
at most ``workers`` processes (started with ``spawn`` from the calling thread) and hands back
an ``Outcome`` per task from ``wait()``. It exists because ``ProcessPoolExecutor`` can neither
stop one stuck task nor keep its workers from outliving a killed parent.

- **Progress and the watchdog.** ``beat(**info)`` (called by ``fn`` in the worker) tells the
  parent the task is moving; ``info`` is kept as the task's last known state (e.g. which
  cell runs). A busy worker whose last beat (or task start) is older than ``stall_s(task)``
  seconds (plus ``STARTUP_S`` while a new worker has not yet reported ready) is *stalled*:
  the parent kills it and every process below it (SIGKILL), reports
  ``Outcome(status="stalled")`` and starts a fresh worker for the next task.
- **A worker that dies** while busy gives ``status="died"`` with its exit code; ``fn``
  raising gives ``status="error"`` with the traceback. Other tasks go on.
- **Dying with the parent.** A worker ends when its parent does, however the parent ends
  (SIGKILL included): on Linux through ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` (ctypes); on every
  platform a thread polls the parent pid every ``PARENT_POLL_S`` and exits the process when it
  changed; and a broken pipe to the parent ends the worker loop. A Jupyter kernel started in
  a worker watches *its* parent the same way (ipykernel's parent poller, ``JPY_PARENT_PID``),
  so it follows within a second.
- **Signals.** Workers ignore SIGINT (Ctrl-C reaches the whole process group; the parent
  decides) and turn SIGTERM into ``SystemExit``, so ``finally`` blocks run (a notebook client
  shuts its kernel down). ``close()`` asks idle workers to stop, sends SIGTERM to busy ones,
  waits at most ``grace_s`` and then kills whatever is left of every worker's process tree.

Processes below a worker are found with ``psutil`` (a dependency of ipykernel).
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait as mp_wait
from typing import Any

__all__ = [
    "GRACE_S",
    "PARENT_POLL_S",
    "STARTUP_S",
    "Outcome",
    "Supervisor",
    "die_with_parent",
    "kill_tree",
]

#: seconds between two checks of the parent pid in a worker
PARENT_POLL_S = 0.5
#: seconds ``close()`` gives busy workers to end cleanly before killing them
GRACE_S = 10.0
#: seconds a new worker may take to start (imports, initializer) on top of its first task's
#: stall limit
STARTUP_S = 60.0
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@dataclass
class Outcome:
    """What became of one task."""

    task: Any
    status: str  # "done" | "error" | "stalled" | "died"
    result: Any = None  # fn's return value ("done")
    info: dict[str, Any] = field(default_factory=dict)  # the task's last beat
    seconds: float = 0.0  # from the task's start to this outcome
    silent_s: float = 0.0  # seconds without a beat when the watchdog fired ("stalled")
    exitcode: int | None = None  # the worker's ("died")
    detail: str = ""  # the traceback ("error")


# --------------------------------------------------------------------------- in the worker


def die_with_parent(parent_pid: int) -> None:
    """Make this process end when ``parent_pid`` (its parent) ends: PR_SET_PDEATHSIG on Linux,
    and a daemon thread polling ``os.getppid()`` everywhere (exits with ``os._exit(1)``)."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent_pid:  # the parent ended before the line above
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_S)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="warmcall-parent-watch", daemon=True).start()


def _sigterm(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _worker_main(
    conn: Any,
    parent_pid: int,
    fn: Callable[[Any, Callable[..., None]], Any],
    initializer: Callable[..., None] | None,
    initargs: tuple[Any, ...],
) -> None:
    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _sigterm)
    if initializer is not None:
        initializer(*initargs)
    try:
        conn.send(("ready", None))
    except (BrokenPipeError, EOFError, OSError):
        return

    def beat(**info: Any) -> None:
        try:
            conn.send(("beat", info))
        except (BrokenPipeError, EOFError, OSError):
            os._exit(1)  # the parent is gone

    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            msg = ("done", fn(task, beat))
        except Exception:  # noqa: BLE001 - reported to the parent as an outcome
            msg = ("error", traceback.format_exc())
        try:
            conn.send(msg)
        except (BrokenPipeError, EOFError, OSError):
            return


# --------------------------------------------------------------------------- in the parent


def kill_tree(pid: int, *, include_self: bool = True) -> list[int]:
    """SIGKILL ``pid`` and every process below it (children first collected, so none is
    reparented out of sight); returns the pids signalled. Missing processes are ignored."""
    import psutil

    try:
        root = psutil.Process(pid)
        below = root.children(recursive=True)
    except psutil.Error:
        return []
    procs = ([root] if include_self else []) + below
    for p in procs:
        with contextlib.suppress(psutil.Error):
            p.kill()
    psutil.wait_procs(procs, timeout=5)
    return [p.pid for p in procs]


class _Worker:
    def __init__(self, ctx: Any, target_args: tuple[Any, ...]) -> None:
        self.conn, child = ctx.Pipe(duplex=True)
        self.proc = ctx.Process(
            target=_worker_main, args=(child, os.getpid(), *target_args), daemon=True
        )
        self.proc.start()
        child.close()
        self.task: Any = None
        self.ready = False  # started up (imports, initializer done)
        self.busy = False
        self.started = self.last = 0.0
        self.info: dict[str, Any] = {}
        self.affinity: Any = None  # the affinity of the last task it ran

    def assign(self, task: Any) -> None:
        self.conn.send(task)
        self.task, self.busy = task, True
        self.started = self.last = time.monotonic()
        self.info = {}

    def release(self) -> None:
        self.task, self.busy, self.info = None, False, {}


class Supervisor:
    """Run ``fn(task, beat)`` in up to ``workers`` supervised processes (module docstring).

    ``stall_s``: seconds without a beat after which a task is stalled (a number, or a
    function of the task). ``initializer(*initargs)`` runs once in each worker. ``fn`` and
    ``initializer`` must be importable module-level functions; tasks and results picklable.
    ``affinity(task)``: a task goes to an idle worker whose last task had the same affinity
    when there is one (the report runner keeps a set's kernel in the worker that ran the
    set's previous notebook). Use as a context manager (``close()`` on exit) and from one
    thread.
    """

    def __init__(
        self,
        fn: Callable[[Any, Callable[..., None]], Any],
        workers: int,
        *,
        stall_s: float | Callable[[Any], float],
        initializer: Callable[..., None] | None = None,
        initargs: tuple[Any, ...] = (),
        grace_s: float = GRACE_S,
        affinity: Callable[[Any], Any] | None = None,
    ) -> None:
        self._ctx = multiprocessing.get_context("spawn")
        self._args = (fn, initializer, initargs)
        self._max = max(1, int(workers))
        self._stall = stall_s if callable(stall_s) else (lambda task, s=float(stall_s): s)
        self._grace = grace_s
        self._affinity = affinity or (lambda task: None)
        self._workers: list[_Worker] = []
        self._queue: deque[Any] = deque()
        self._done: list[Outcome] = []

    # ---- submitting

    def submit(self, task: Any) -> None:
        """Queue ``task``; it starts as soon as a worker is free."""
        self._queue.append(task)
        self._dispatch()

    def prestart(self, n: int) -> None:
        """Start up to ``n`` workers now (at most ``workers`` in all), before any task: their
        start-up (imports, initializer) overlaps what the caller does next."""
        while len(self._workers) < min(n, self._max):
            self._workers.append(_Worker(self._ctx, self._args))

    def pending(self) -> int:
        """Tasks queued or running whose outcome ``wait()`` has not returned yet."""
        return len(self._queue) + sum(w.busy for w in self._workers) + len(self._done)

    def _dispatch(self) -> None:
        while self._queue:
            idle = [w for w in self._workers if not w.busy]
            picked = self._pick(idle)
            if picked is None:
                return
            i, w = picked
            if w is None:
                w = _Worker(self._ctx, self._args)
                self._workers.append(w)
            task = self._queue[i]
            del self._queue[i]
            w.affinity = self._affinity(task)
            try:
                w.assign(task)
            except (BrokenPipeError, EOFError, OSError):  # died while idle: replace it
                self._drop(w)
                self._queue.appendleft(task)

    def _pick(self, idle: list[_Worker]) -> tuple[int, _Worker | None] | None:
        """The queued task (its index) and the idle worker for it (None: start a new one),
        or None when no task can start now. A task waits while a busy worker has its
        affinity (that worker holds what it needs, e.g. a kernel started ahead); else the
        first task whose affinity an idle worker shares goes to that worker; else the first
        task goes to the first idle worker, or to a new one while there are fewer than
        ``workers``."""
        busy = {w.affinity for w in self._workers if w.busy and w.affinity is not None}
        ready = [(i, t) for i, t in enumerate(self._queue) if self._affinity(t) not in busy]
        for i, task in ready:
            want = self._affinity(task)
            if want is not None:
                for w in idle:
                    if w.affinity == want:
                        return i, w
        if not ready:
            return None
        if idle:
            return ready[0][0], idle[0]
        if len(self._workers) < self._max:
            return ready[0][0], None
        return None

    def _drop(self, w: _Worker) -> None:
        if w.proc.is_alive():
            kill_tree(w.proc.pid)
        w.proc.join(5)
        with contextlib.suppress(OSError):
            w.conn.close()
        if w in self._workers:
            self._workers.remove(w)

    # ---- waiting

    def wait(self, timeout: float) -> list[Outcome]:
        """Wait at most ``timeout`` seconds for news; return the tasks that ended (completed,
        failed, stalled or died) since the last call, possibly none. Queued tasks start
        here, before the wait, not after it: the caller first hears of the ended tasks and
        may queue their follow-ups, which then go to the worker of the same affinity."""
        self._dispatch()
        busy = [w for w in self._workers if w.busy]
        if busy and not self._done:
            waitables: list[Any] = [w.conn for w in busy] + [w.proc.sentinel for w in busy]
            mp_wait(waitables, timeout)
        now = time.monotonic()
        for w in busy:
            self._drain(w, now)
        for w in [w for w in self._workers if w.busy]:
            silent = now - w.last
            if silent > self._stall(w.task) + (0.0 if w.ready else STARTUP_S):
                self._done.append(self._end(w, "stalled", silent_s=silent))
                self._drop(w)
        out, self._done = self._done, []
        return out

    def _end(self, w: _Worker, status: str, **kw: Any) -> Outcome:
        o = Outcome(w.task, status, info=dict(w.info), seconds=time.monotonic() - w.started, **kw)
        w.release()
        return o

    def _drain(self, w: _Worker, now: float) -> None:
        try:
            while w.busy and w.conn.poll():
                kind, payload = w.conn.recv()
                if kind == "ready":
                    w.ready, w.last = True, now
                elif kind == "beat":
                    w.last = now
                    w.info.update(payload)
                elif kind == "done":
                    self._done.append(self._end(w, "done", result=payload))
                else:
                    self._done.append(self._end(w, "error", detail=str(payload)))
        except (EOFError, OSError):
            pass
        if w.busy and not w.proc.is_alive():
            w.proc.join(1)
            self._done.append(self._end(w, "died", exitcode=w.proc.exitcode))
            self._drop(w)

    # ---- stopping

    def close(self) -> None:
        """Stop every worker: a stop message to idle ones, SIGTERM to busy ones, at most
        ``grace_s`` to end, then SIGKILL to whatever is left of each worker's process tree."""
        import psutil

        below: list[psutil.Process] = []
        for w in self._workers:
            with contextlib.suppress(psutil.Error):
                below += psutil.Process(w.proc.pid).children(recursive=True)
        for w in self._workers:
            if w.busy:
                with contextlib.suppress(OSError):
                    w.proc.terminate()
            else:
                with contextlib.suppress(OSError):
                    w.conn.send(None)
        deadline = time.monotonic() + self._grace
        for w in self._workers:
            w.proc.join(max(0.0, deadline - time.monotonic()))
        for w in list(self._workers):
            self._drop(w)
        for p in below:
            with contextlib.suppress(psutil.Error):
                p.kill()
        psutil.wait_procs(below, timeout=5)
        self._queue.clear()

    def __enter__(self) -> Supervisor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
