"""One Jupyter kernel for the notebooks of one report set.

papermill starts a fresh kernel per notebook; a report set of four notebooks then paid four
kernel starts, four imports of polars/altair/warmcall and four reads of the same analysis
(about 4 s a notebook at the L benchmark scale). ``SetKernel`` runs a set's notebooks, one
after the other, in one kernel instead:

- the kernel starts with the set's first notebook (papermill's nbclient engine, the same
  limits: ``start_timeout``, ``execution_timeout``, ``iopub_timeout``) in the set's
  working folder, or ahead of it with ``start()`` (the local runner does that while it fills
  the table cache: the kernel's start, the notebooks' imports, ``WARM_MODULES``, and the
  chart engine's start are then off the critical path), and ends with ``close()``, after
  the set's last notebook;
- after each notebook the data files it queued are written (``present.datafiles.
  finish_writes``, within the notebook's ``execution_timeout``), then the kernel's
  namespace is emptied and its execution count reset
  (``InteractiveShell.reset(new_session=True)``): a notebook sees none of the previous
  one's variables, its cells count from ``In [1]``; imported modules stay, and with them
  ``warmcall.model.pipeline``'s last analysis (``analyse`` of the same tables and params
  returns it without reading it again);
- a notebook that fails in any way (an error in a cell, a timeout, a dead kernel) ends the
  kernel: the next notebook starts a fresh one, so no failure carries over.

papermill runs the notebook through the engine registered here as ``ENGINE`` (nbclient's
client with the kept kernel manager; it stops each notebook's client channels and keeps
the kernel). Used by ``warmcall.run.report._run_one`` (local workers keep one ``SetKernel``
per process, ``held_kernel``) and ``warmcall.run.dask_executor`` (one per set task).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import tempfile
import time
from typing import Any

__all__ = ["ENGINE", "SetKernel", "held_kernel"]

#: papermill engine name of ``SetKernel`` runs
ENGINE = "warmcall-set-kernel"
#: between notebooks: the data files the notebook queued are written
#: (``present.datafiles.finish_writes``), then the namespace is emptied
_RESET = (
    "import sys as _s\n"
    "_d = _s.modules.get('warmcall.present.datafiles')\n"
    "_d is None or _d.finish_writes()\n"
    "get_ipython().reset(new_session=True)"
)


#: what the report notebooks import, imported by ``SetKernel.start`` in a kernel started ahead
WARM_MODULES = (
    "polars",
    "altair",
    "IPython.display",
    "warmcall",
    "warmcall.present.audit",
    "warmcall.present.cards",
    "warmcall.present.charts",
    "warmcall.present.datafiles",
    "warmcall.present.display",
    "warmcall.present.history",
    "warmcall.present.outreach",
    "warmcall.present.overview",
    "warmcall.present.whatif_page",
)
#: imports without a name bound in the namespace (and, run silent, no history entry), then
#: the chart engine's start (``present.svgchart.warm_up``)
_WARM = (
    "import importlib as _wc_i\n"
    f"for _wc_m in {WARM_MODULES!r}:\n"
    "    _wc_i.import_module(_wc_m)\n"
    "_wc_i.import_module('warmcall.present.svgchart').warm_up()\n"
    "del _wc_i, _wc_m"
)
#: nbclient's default (``NotebookClient.ipython_hist_file``): no history file on disk
_KERNEL_ARGS = ["--HistoryManager.hist_file=:memory:"]


class SetKernel:
    """The kernel one report set's notebooks share (module docstring)."""

    def __init__(self, key: str = "") -> None:
        self.key = key
        self._km: Any = None  # the kernel manager, once a notebook started the kernel
        self._err: int | None = None  # read end of the stderr of a kernel started by ``start``
        self._err_pos = 0
        self._err_tail = b""

    @property
    def alive(self) -> bool:
        """Whether a kernel is held (started and not ended)."""
        return self._km is not None

    def execute(self, input_path: str, output_path: str, **papermill_kwargs: Any) -> Any:
        """``papermill.execute_notebook(input_path, output_path, **papermill_kwargs)`` in this
        kernel (started by this call when none is held); raises what papermill raises, after
        ending the kernel."""
        import papermill as pm

        _register()
        try:
            return pm.execute_notebook(
                input_path, output_path, engine_name=ENGINE, set_kernel=self, **papermill_kwargs
            )
        except BaseException:
            self.close()
            raise

    def start(self, cwd: str, timeout_s: float) -> bool:
        """Start the kernel now, in ``cwd``, and import ``WARM_MODULES`` in it (silently: no
        name, no history, ``In [1]`` is still the first notebook's first cell); within
        ``timeout_s``. Its stderr goes to a nameless temporary file, handed out by
        ``take_stderr`` (the runner appends it to each notebook's log). Returns whether a
        kernel is held; any failure ends the kernel it started (the first notebook then
        starts its own). Nothing is done when a kernel is held already."""
        if self._km is not None:
            return True
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        try:
            self._km = AsyncKernelManager(kernel_name="python3")
            # a temporary file with no name (removed at once: nothing is left behind however
            # the process ends), read through a descriptor of its own
            fd, path = tempfile.mkstemp(prefix="warmcall-kernel-", suffix=".log")
            try:
                self._err = os.open(path, os.O_RDONLY)
            finally:
                os.unlink(path)
            with os.fdopen(fd, "ab") as err:  # the kernel keeps its own descriptor
                run_sync(self._km.start_kernel)(
                    cwd=cwd, stderr=err, extra_arguments=list(_KERNEL_ARGS)
                )
            kc = self._km.client()
            kc.start_channels()
            try:
                run_sync(kc.wait_for_ready)(timeout=timeout_s)
                msg_id = kc.execute(_WARM, silent=True, store_history=False)
                deadline = time.monotonic() + timeout_s
                while True:  # (the only request on this client: its reply comes next)
                    left = max(0.1, deadline - time.monotonic())
                    reply = run_sync(kc.get_shell_msg)(timeout=left)
                    if reply.get("parent_header", {}).get("msg_id") == msg_id:
                        break
                if reply.get("content", {}).get("status") != "ok":
                    raise RuntimeError("the kernel could not import the notebooks' modules")
            finally:
                kc.stop_channels()
        except Exception:  # noqa: BLE001 - a kernel started ahead is an optimisation only
            self.close()
            return False
        return True

    def _run(self, nb_man: Any, client_kwargs: dict[str, Any]) -> Any:
        """Run the notebook with an nbclient client on the held kernel manager (called by
        the engine)."""
        from papermill.clientwrap import PapermillNotebookClient

        _save_before_code_cells(nb_man)
        client = PapermillNotebookClient(nb_man, km=self._km, **client_kwargs)
        try:
            nb = client.execute(cleanup_kc=False)
        except BaseException:
            self._km = self._km or client.km
            raise
        else:
            self._km = client.km
            try:
                self._reset(client)
            except Exception:  # noqa: BLE001 - the notebook is done; the next one starts afresh
                self.close()
            return nb
        finally:
            atexit.unregister(client._cleanup_kernel)
            if client.kc is not None:
                with contextlib.suppress(Exception):
                    client.kc.stop_channels()
                client.kc = None

    def _reset(self, client: Any) -> None:
        """Wait for the notebook's data files, then empty the namespace for the next notebook
        (module docstring); like a cell, within the notebook's ``execution_timeout``. Raises
        when the reset fails or does not answer in time (the caller ends the kernel)."""
        msg_id = client.kc.execute(_RESET, silent=True, store_history=False)
        reply = client.wait_for_reply(msg_id)
        if not reply or reply.get("content", {}).get("status") != "ok":
            raise RuntimeError("the kernel did not reset its namespace between notebooks")

    def take_stderr(self) -> bytes:
        """What a kernel started by ``start`` wrote on its stderr since the last call (b""
        for a kernel a notebook started: its stderr is that notebook's log)."""
        out, self._err_tail = self._err_tail, b""
        while self._err is not None:
            try:
                more = os.pread(self._err, 1 << 20, self._err_pos)
            except OSError:
                break
            if not more:
                break
            self._err_pos += len(more)
            out += more
        return out

    def close(self) -> None:
        """End the kernel, if one is held (at once: its notebooks are done)."""
        km, self._km = self._km, None
        if km is not None:
            from jupyter_core.utils import run_sync

            with contextlib.suppress(Exception):
                run_sync(km.shutdown_kernel)(now=True)
            with contextlib.suppress(Exception):
                run_sync(km.cleanup_resources)()
        if self._err is not None:  # what is left, kept for the next ``take_stderr``
            self._err_tail = self.take_stderr()
            with contextlib.suppress(OSError):
                os.close(self._err)
            self._err, self._err_pos = None, 0


_held: SetKernel | None = None


def held_kernel(key: str) -> SetKernel:
    """This process's kernel for the set ``key`` (``"<run id>/<set>"``): the one held when
    it is that set's, else a new one (the held kernel of another set is ended first)."""
    global _held
    if _held is None or _held.key != key:
        if _held is not None:
            _held.close()
        _held = SetKernel(key)
    return _held


def _close_held() -> None:
    if _held is not None:
        _held.close()


atexit.register(_close_held)


def _save_before_code_cells(nb_man: Any) -> None:
    """papermill writes the whole executed notebook at the start and at the end of every
    cell (72 writes for the audit page's 36 cells, each while the kernel waits). Keep the
    write at the start of each code cell, which holds every output before it (what a run
    that stalls in that cell leaves behind), and papermill's other writes (a long cell's
    autosave, the notebook's end); drop those at a cell's end and a markdown cell's start."""
    save = nb_man.save
    quiet = [False]

    def maybe_save(**kwargs: Any) -> None:
        if not quiet[0]:
            save(**kwargs)

    def without_save(step: Any, skip: Any) -> Any:
        def run(cell: Any, *args: Any, **kwargs: Any) -> Any:
            quiet[0] = skip(cell)
            try:
                return step(cell, *args, **kwargs)
            finally:
                quiet[0] = False

        return run

    nb_man.save = maybe_save
    nb_man.cell_start = without_save(nb_man.cell_start, lambda c: c.get("cell_type") != "code")
    nb_man.cell_complete = without_save(nb_man.cell_complete, lambda c: True)


_registered = False


def _register() -> None:
    global _registered
    if _registered:
        return
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class _Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(
            cls,
            nb_man: Any,
            kernel_name: str,
            log_output: bool = False,
            stdout_file: Any = None,
            stderr_file: Any = None,
            start_timeout: int = 60,
            execution_timeout: int | None = None,
            **kwargs: Any,
        ) -> Any:
            """papermill's nbclient engine, the same client arguments, on a ``SetKernel``."""
            set_kernel: SetKernel = kwargs.pop("set_kernel")
            kwargs = remove_args(["input_path"], **kwargs)
            client_kwargs = merge_kwargs(
                remove_args(["timeout", "startup_timeout"], **kwargs),
                timeout=execution_timeout or kwargs.get("timeout"),
                startup_timeout=start_timeout,
                kernel_name=kernel_name,
                log=logger,
                log_output=log_output,
                stdout_file=stdout_file,
                stderr_file=stderr_file,
            )
            return set_kernel._run(nb_man, client_kwargs)

    papermill_engines.register(ENGINE, _Engine)
    _registered = True
