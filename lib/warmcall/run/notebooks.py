"""Which notebooks a report set runs: the project's ``notebooks/NN_*.ipynb`` (or the
installed package's copies), each with a papermill ``parameters`` cell whose names match
what the runner passes (``NOTEBOOK_PARAMETERS``, read with ``papermill.inspect_notebook``).

The parameters contract: the runner injects every name of ``NOTEBOOK_PARAMETERS`` into
every notebook; a notebook's ``parameters`` cell declares each of them (with its default
for a live session) and may declare more of its own (they keep their defaults in batch
runs). A parameters cell that lacks one of the runner's names stops the run before
anything runs (``check_parameters``): papermill would inject the value anyway, where the
notebook never reads it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path

from warmcall.core.errors import InputError, ParamsError

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
            raise ParamsError(where, f"notebooks: {what} matches {w!r} (available: {names})")
        if hits[0] not in out:
            out.append(hits[0])
    return out


def notebook_parameters(path: Path) -> list[str]:
    """The names the ``parameters`` cell of the notebook at ``path`` declares, in order, as
    ``papermill.inspect_notebook`` reads them (``[]`` when there is no parameters cell)."""
    import papermill

    return list(papermill.inspect_notebook(str(path)))


def check_parameters(paths: Sequence[Path]) -> None:
    """Raise ``InputError`` naming the notebook and the missing names when a notebook's
    ``parameters`` cell does not declare every name in ``NOTEBOOK_PARAMETERS`` (module
    docstring). A notebook without a parameters cell (given by path with ``--notebook``)
    passes: papermill puts the injected cell first."""
    for path in dict.fromkeys(paths):
        declared = notebook_parameters(path)
        missing = [n for n in NOTEBOOK_PARAMETERS if n not in declared]
        if declared and missing:
            raise InputError(
                path,
                f"the parameters cell does not declare {', '.join(missing)} "
                f"(the report runner passes {', '.join(NOTEBOOK_PARAMETERS)})",
            )


def set_name(path: Path) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip(".-") or "set"
