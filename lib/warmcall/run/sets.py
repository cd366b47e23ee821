"""Report sets: one params file each, its notebooks, its folder for the run (locked, cleared,
finished with ``run.json``), and the scoring of a set where the exports check has just
loaded its exports (``score_set``).
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from warmcall.core.errors import InputError
from warmcall.core.outputs import write_text_atomic
from warmcall.present.datafiles import WORKBOOK_FILE, data_dir
from warmcall.present.history import METRICS_FILE, jsonable, read_json_object
from warmcall.run.limits import INDEX_LOCK_S, IOPUB_TIMEOUT_S, WATCHDOG_GRACE_S
from warmcall.run.notebooks import NOTEBOOK_STEM_RE, select_notebooks, set_name
from warmcall.run.pages import INDEX_FILE, RUN_FILE, write_index


def score_set(params: dict[str, Any], wb: Any) -> None:
    """The set's analysis (``pipeline.analyse(params, workbook=wb)``) from the tables the
    exports check (``warmcall.ingest.load.check_exports``) has just loaded, in memory while
    the table cache entry is written; kept by its memo (written before this returns), so the
    set's first notebook reads the scores instead of computing them."""
    from warmcall.model import memo, pipeline

    try:
        pipeline.analyse(params, workbook=wb)
    finally:
        memo.wait()


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
        chosen = select_notebooks(available, p.notebooks, str(path))
    else:
        chosen = available
    if not chosen:
        raise InputError(
            path, "no notebook to run (no notebooks/NN_*.ipynb with a parameters cell)"
        )
    params = p.to_papermill() if hasattr(p, "to_papermill") else jsonable(p)
    name = set_name(path)
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
        "kernel_key": f"{run_id}/{s.name}",
        "last": nb == s.notebooks[-1],
        "parameters": {
            "params_file": str(s.params_file),
            "params": s.params,
            "report_set": s.name,
            "output_dir": str(s.dir),
            "renderer": "static",
        },
    }


def _stall_limit(task: dict[str, Any]) -> float:
    """Seconds without progress after which the watchdog ends a notebook run."""
    return float(task["timeout"]) + WATCHDOG_GRACE_S


def _clear_set(s: _Set) -> None:
    """Remove the previous run's files of the set (its pages, executed notebooks, logs,
    run.json, metrics.json) before this run writes any: the folder then only ever holds one
    run's pages. Called with the set's lock held. Files the notebooks write themselves
    (plan.csv, ...) are overwritten by them; the saved tables (``data/``) and ``data.xlsx``
    are removed, so the data beside the pages is this run's only."""
    for f in data_dir(s.dir).glob("*"):
        if f.is_file():
            f.unlink(missing_ok=True)
    for f in s.dir.iterdir():
        if f.is_file() and (
            f.name in (RUN_FILE, METRICS_FILE, WORKBOOK_FILE)
            or (NOTEBOOK_STEM_RE.match(f.name) and f.suffix in (".html", ".ipynb", ".log"))
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
    write_text_atomic(s.dir / RUN_FILE, json.dumps(run, indent=2) + "\n")
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
