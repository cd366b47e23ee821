"""Which notebooks a report set runs: the project's ``notebooks/NN_*.ipynb`` (or the
installed package's copies), each with a papermill ``parameters`` cell whose names match
what the runner passes (``NOTEBOOK_PARAMETERS``, read with ``papermill.inspect_notebook``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from warmcall.core.errors import InputError

#: The parameters the runner injects into every notebook (see the module docstring).
NOTEBOOK_PARAMETERS = ("params_file", "params", "report_set", "output_dir", "renderer")


_NOTEBOOK_RE = re.compile(r"^\d{2}[_-].*\.ipynb$")


NOTEBOOK_STEM_RE = re.compile(r"^\d{2}[_-]")


def find_project_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: cwd) with a ``notebooks/`` folder
    and a ``pyproject.toml`` or ``params/``; when there is none, the folder of the notebooks
    that ship with warmcall (``warmcall.core.resources.resource_root()``), so the reports run from
    any folder; ``start`` itself only if those are missing too (a broken install)."""
    from warmcall.core.resources import resource_root

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


def select_notebooks(available: list[Path], wanted: Sequence[str], where: str) -> list[Path]:
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


def set_name(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip(".-") or "set"
