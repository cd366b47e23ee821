"""``warmcall report``: the command line of the batch runner (arguments, signals, the
``OK``/``FAIL`` lines). Errors are raised, never printed here: ``warmcall.run.cli.main``
turns them into one line and the exit code (``warmcall.core.errors``).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from warmcall.core.errors import RunError
from warmcall.core.sanitize import terminal
from warmcall.core.words import count
from warmcall.run.notebooks import find_project_root
from warmcall.run.pages import INDEX_FILE
from warmcall.run.report import run_reports


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
    parser.add_argument(
        "--scheduler", metavar="ADDRESS",
        help="run each report set as one task on a Dask cluster: a scheduler's address "
        "(tcp://host:8786), or 'local' for a local cluster of --jobs worker processes "
        "(needs: pip install 'warmcall[dask]')",
    )  # fmt: skip
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.add_argument(
        "--xlsx", action="store_true",
        help="also write each set's tables as one Excel workbook, data.xlsx (a sheet per table)",
    )  # fmt: skip
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


def main_report(args: argparse.Namespace) -> int:
    """``warmcall report``: run the reports, print one ``OK``/``FAIL`` line per report.

    Returns 0 when every report succeeded; raises ``RunError`` (exit 1) naming the index when
    any failed, after the lines. Unusable input (invalid params, unknown notebook, a report
    set another run holds past ``WARMCALL_LOCK_TIMEOUT_S``) raises ``InputError`` (exit 2)
    before anything runs. SIGTERM and SIGHUP end the run like Ctrl-C: workers and kernels
    are stopped, unfinished sets are marked ``interrupted``; the exit status is then 128 +
    the signal number.
    """
    root = find_project_root()
    params = list(getattr(args, "params", None) or [])
    if not params:
        params = sorted([*(root / "params").glob("*.yaml"), *(root / "params").glob("*.yml")])
    nbs = getattr(args, "notebooks", None)
    with _signals_end_the_run():
        results = run_reports(
            params,
            Path(getattr(args, "out", None) or "reports"),
            jobs=getattr(args, "jobs", None),
            notebooks=[Path(n) for n in nbs] if nbs else None,
            progress=not getattr(args, "no_progress", False),
            root=root,
            scheduler=getattr(args, "scheduler", None),
            xlsx=bool(getattr(args, "xlsx", False)),
        )
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
    if not results:
        return 0
    index = show(results[0].html.parents[2] / INDEX_FILE)
    print(f"index: {terminal(index)}")
    failed = sum(not r.ok for r in results)
    if failed:
        raise RunError(index, f"{failed} of {count(len(results), 'report')} failed")
    return 0
