"""Earlier runs of a report set, as the reports read and write them.

Layout (written by the batch runner, ``warmcall.run.report``): ``<out>/<YYYY-MM-DD>/<set>/``
holds the pages, ``metrics.json`` (the headline numbers, merged by every notebook of the
set), ``run.json`` and artifacts such as ``plan.csv`` and ``stages.parquet``. A report reads
the earlier runs of its own set to show the change since the last run, the follow-through
of the previous plan and who moved stage.

The notebooks call one function per section (``change_since_last_run``,
``follow_through_since_last_run``, ``stage_moves_since_last_run``; ``save_metrics`` and
``save_plan`` write this run's files) with their papermill parameters ``output_dir`` and
``report_set``. An empty ``output_dir`` (a live notebook, nbval) means no history: nothing is
read or written.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from warmcall.core.outputs import write_csv_safe, write_ics, write_text_atomic
from warmcall.core.vcard import write_vcf
from warmcall.core.words import count
from warmcall.present import outreach, overview
from warmcall.present.vcards import PLAN_VCF, plan_cards

if TYPE_CHECKING:
    from warmcall.act.plan import PlanResult
    from warmcall.model.pipeline import Analysis

METRICS_FILE = "metrics.json"
PLAN_CSV, PLAN_ICS, STAGES_FILE = "plan.csv", "plan.ics", "stages.parquet"
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def jsonable(o: Any) -> Any:
    """Plain JSON-able value for papermill: dates as ISO strings, paths as strings."""
    if hasattr(o, "model_dump"):
        return jsonable(o.model_dump(mode="json"))
    if isinstance(o, dict):
        return {str(k): jsonable(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [jsonable(v) for v in o]
    if isinstance(o, set | frozenset):
        return sorted(jsonable(v) for v in o)
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
    current.update(jsonable(metrics))
    write_text_atomic(path, json.dumps(current, indent=2, sort_keys=True, allow_nan=False) + "\n")
    return path


def read_json_object(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``; None when it is unreadable or not an object."""
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
        m = read_json_object(d / report_set / METRICS_FILE)
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


# --- one call per notebook section ---------------------------------------------------------


def runs_root(output_dir: str | os.PathLike[str] | None) -> Path | None:
    """The folder that holds the dated runs: ``output_dir`` is ``<out>/<YYYY-MM-DD>/<set>``
    (the runner's layout above), so its grandparent; None when ``output_dir`` is empty."""
    return Path(output_dir).parents[1] if output_dir else None


def change_since_last_run(
    a: Analysis, output_dir: str | os.PathLike[str] | None, report_set: str
) -> pl.DataFrame:
    """``overview.change_table`` of this run's ``overview.metrics`` against the set's earlier
    ``metrics.json`` snapshots (``metrics_history``): empty when there is no earlier run or
    no ``output_dir``."""
    root = runs_root(output_dir)
    history = metrics_history(root, report_set) if root else []
    return overview.change_table(overview.metrics(a), history)


def save_metrics(a: Analysis, output_dir: str | os.PathLike[str] | None) -> Path | None:
    """``overview.metrics(a)`` merged into ``<output_dir>/metrics.json`` (``write_metrics``), for
    the next run's change; nothing (None) without an ``output_dir``."""
    return write_metrics(output_dir, overview.metrics(a)) if output_dir else None


def _previous(
    a: Analysis, output_dir: str | os.PathLike[str] | None, report_set: str, name: str
) -> Path | None:
    root = runs_root(output_dir)
    return previous_artifact(root, report_set, a.as_of.isoformat(), name) if root else None


def previous_plan(
    a: Analysis, output_dir: str | os.PathLike[str] | None, report_set: str
) -> pl.DataFrame | None:
    """The ``plan.csv`` of the set's latest run dated before ``a.as_of`` (all columns as
    text, as written); None when there is none."""
    f = _previous(a, output_dir, report_set, PLAN_CSV)
    return pl.read_csv(f, infer_schema=False) if f else None


def previous_stages(
    a: Analysis, output_dir: str | os.PathLike[str] | None, report_set: str
) -> pl.DataFrame | None:
    """The ``stages.parquet`` (``outreach.stages_snapshot``) of the set's latest run dated
    before ``a.as_of``; None when there is none."""
    f = _previous(a, output_dir, report_set, STAGES_FILE)
    return pl.read_parquet(f) if f else None


def follow_through_since_last_run(
    a: Analysis, output_dir: str | os.PathLike[str] | None, report_set: str
) -> pl.DataFrame:
    """``outreach.follow_through`` of the previous run's plan (``previous_plan``): each planned
    call and whether an outbound contact was logged on or after its day; empty without one."""
    return outreach.follow_through(a, previous_plan(a, output_dir, report_set))


def stage_moves_since_last_run(
    a: Analysis, output_dir: str | os.PathLike[str] | None, report_set: str
) -> pl.DataFrame | None:
    """``outreach.stage_moves`` against the previous run's stages (``previous_stages``); None
    when there is no earlier run to compare with (an empty frame: nobody moved)."""
    prev = previous_stages(a, output_dir, report_set)
    return None if prev is None else outreach.stage_moves(a, prev)


def stage_moves_sentence(moves: pl.DataFrame | None) -> str:
    """One sentence for ``stage_moves_since_last_run``: no earlier run, or how many moved."""
    if moves is None:
        return "No earlier run to compare with yet."
    return f"{count(moves.height, 'contact')} changed stage."


def save_plan(
    a: Analysis, result: PlanResult, output_dir: str | os.PathLike[str] | None
) -> list[Path]:
    """Write this run's ``plan.csv`` (formula-safe, ``write_csv_safe``), ``plan.ics`` (for the
    calendar, ``write_ics``), ``plan.vcf`` (the planned people as vCards, ``vcards.plan_cards``)
    and ``stages.parquet`` (``outreach.stages_snapshot``, for the next
    run's stage moves) into ``output_dir``; nothing (an empty list) without one."""
    if not output_dir:
        return []
    out = Path(output_dir)
    title = a.params.title
    written = [
        write_csv_safe(result.plan, out / PLAN_CSV),
        write_ics(result.plan, out / PLAN_ICS, calendar_name=f"{title}: calls", as_of=a.as_of),
        write_vcf(plan_cards(result.plan, a.scores, a.params.redact), out / PLAN_VCF),
    ]
    outreach.stages_snapshot(a).write_parquet(out / STAGES_FILE)
    return [*written, out / STAGES_FILE]
