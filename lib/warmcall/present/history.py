"""Earlier runs of a report set, as the reports read and write them.

Layout (written by the batch runner, ``warmcall.run.report``): ``<out>/<YYYY-MM-DD>/<set>/``
holds the pages, ``metrics.json`` (the headline numbers, merged by every notebook of the
set), ``run.json`` and artifacts such as ``plan.csv`` and ``stages.parquet``. A report reads
the earlier runs of its own set to show the change since the last run, the follow-through
of the previous plan and who moved stage.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from warmcall.core.outputs import write_text_atomic

METRICS_FILE = "metrics.json"
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
