"""Notebooks are jupytext pairs: ``notebooks/NN_name.py`` (percent format, the source) and
``NN_name.ipynb`` (what JupyterLab, the report runner and nbval open). Every pair agrees,
the committed ``.ipynb`` carry no outputs, and editing a ``.py`` then syncing (``make
notebooks``) changes its ``.ipynb``."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jupytext
import pytest
from jupytext.cli import jupytext as jupytext_cli

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
IPYNB = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
SOURCES = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def _cells(path: Path) -> list[tuple[str, str, list[str]]]:
    """(cell type, source, tags) of every cell, as jupytext reads the file."""
    nb = jupytext.read(path)
    return [(c.cell_type, c.source, list(c.metadata.get("tags", []))) for c in nb.cells]


def disagreements(py: Path, ipynb: Path) -> list[str]:
    """Where a pair differs: missing side, cell count, or the first differing cell."""
    if not py.is_file() or not ipynb.is_file():
        return [f"{py.stem}: {'no .py' if not py.is_file() else 'no .ipynb'}"]
    a, b = _cells(py), _cells(ipynb)
    if len(a) != len(b):
        return [f"{py.stem}: {len(a)} cells in the .py, {len(b)} in the .ipynb"]
    return [
        f"{py.stem}: cell {i} differs (.py {x[0]} {x[2]} {x[1][:60]!r}; "
        f".ipynb {y[0]} {y[2]} {y[1][:60]!r})"
        for i, (x, y) in enumerate(zip(a, b, strict=True))
        if x != y
    ][:1]


def test_every_notebook_has_a_percent_format_source() -> None:
    assert [p.stem for p in IPYNB] == [p.stem for p in SOURCES] and len(IPYNB) >= 4
    for py in SOURCES:
        head = py.read_text(encoding="utf-8")
        assert "format_name: percent" in head and "\n# %%" in head, py.name
    config = (NOTEBOOKS / "jupytext.toml").read_text()
    assert 'formats = "ipynb,py:percent"' in config


@pytest.mark.parametrize("ipynb", IPYNB, ids=lambda p: p.stem)
def test_pair_agrees(ipynb: Path) -> None:
    problems = disagreements(ipynb.with_suffix(".py"), ipynb)
    assert not problems, f"{problems[0]}: run `make notebooks`"
    py, nb = jupytext.read(ipynb.with_suffix(".py")), jupytext.read(ipynb)
    assert py.metadata["kernelspec"] == nb.metadata["kernelspec"]
    assert sum("parameters" in t for _, _, t in _cells(ipynb)) == 1


@pytest.mark.parametrize("ipynb", IPYNB, ids=lambda p: p.stem)
def test_committed_notebook_has_no_outputs(ipynb: Path) -> None:
    raw = json.loads(ipynb.read_text(encoding="utf-8"))
    dirty = [
        i
        for i, c in enumerate(raw["cells"])
        if c.get("outputs") or c.get("execution_count") is not None
        or {"papermill", "execution", "ExecuteTime"} & set(c.get("metadata", {}))
    ]  # fmt: skip
    assert not dirty, f"{ipynb.name}: cells {dirty} carry outputs or execution data"
    assert not {"papermill", "widgets"} & set(raw["metadata"]), ipynb.name


def test_editing_the_py_and_syncing_changes_the_ipynb(tmp_path: Path) -> None:
    src = SOURCES[0]
    for f in (src, src.with_suffix(".ipynb"), NOTEBOOKS / "jupytext.toml"):
        shutil.copy(f, tmp_path / f.name)
    py, ipynb = tmp_path / src.name, tmp_path / src.with_suffix(".ipynb").name
    before = jupytext.read(ipynb)
    assert disagreements(py, ipynb) == []

    text = py.read_text(encoding="utf-8")
    py.write_text(
        text + '\n# %% [markdown]\n# A new closing note.\n\n# %% tags=["remove-cell"]\nx = 1\n',
        encoding="utf-8",
    )
    os.utime(py, (ipynb.stat().st_mtime + 10,) * 2)  # the .py is the newer side
    drift = disagreements(py, ipynb)
    assert drift and "cells in the .py" in drift[0]  # the pair test would fail here

    jupytext_cli(["--sync", "--quiet", str(py)])
    assert disagreements(py, ipynb) == []
    after = jupytext.read(ipynb)
    assert len(after.cells) == len(before.cells) + 2
    assert after.cells[-2].source == "A new closing note."
    assert after.cells[-1].metadata["tags"] == ["remove-cell"] and after.cells[-1].source == "x = 1"
    # cells that did not change keep their ids, tags and empty outputs
    assert [c.id for c in after.cells[:-2]] == [c.id for c in before.cells]
    assert [c.metadata for c in after.cells[:-2]] == [c.metadata for c in before.cells]
    assert not any(c.get("outputs") for c in after.cells)


def test_a_changed_line_is_drift(tmp_path: Path) -> None:
    src = SOURCES[0]
    shutil.copy(src.with_suffix(".ipynb"), tmp_path / "n.ipynb")
    text = src.read_text(encoding="utf-8")
    assert "analysis = wc.analyse(" in text
    (tmp_path / "n.py").write_text(
        text.replace("analysis = wc.analyse(", "analysis = wc.analyse(  ")
    )
    assert "cell 2 differs" in disagreements(tmp_path / "n.py", tmp_path / "n.ipynb")[0]
