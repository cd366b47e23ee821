"""Layout contracts: environment.yml mirrors pyproject, notebooks carry no outputs,
lib/ is not ignored, the CI script calls the README's test command."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _norm(req: str) -> str:
    return re.sub(r"\s+", "", req).lower()


def test_environment_yml_mirrors_pyproject() -> None:
    py = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = py["optional-dependencies"]
    want = {_norm(r) for r in py["dependencies"] + [r for e in extras.values() for r in e]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    have = {_norm(r) for r in pip if not r.startswith("-e")}
    assert have == want, f"only in environment.yml: {have - want}; only in pyproject: {want - have}"
    assert any(d.startswith("python>=3.11") for d in env["dependencies"] if isinstance(d, str))
    editable = next(r for r in pip if r.startswith("-e"))
    assert editable == f"-e .[{','.join(extras)}]", "the conda env installs every extra"


def test_notebooks_committed_without_outputs() -> None:
    nbs = sorted((ROOT / "notebooks").glob("*.ipynb"))
    assert nbs
    for nb in nbs:
        cells = json.loads(nb.read_text())["cells"]
        dirty = [
            i
            for i, c in enumerate(cells)
            if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))
        ]
        assert not dirty, f"{nb.name}: cells {dirty} have outputs"
        tagged = [c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, f"{nb.name} needs exactly one cell tagged 'parameters'"


def test_lib_is_not_git_ignored() -> None:
    r = subprocess.run(
        ["git", "check-ignore", "-v", "lib/warmcall/__init__.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert r.returncode == 1, f"lib/ is ignored: {r.stdout}"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    # the two commands come first: in the first section after the introduction
    first_sections = readme.split("\n## ")[:2]
    assert "make report" in "".join(first_sections) and "make test" in "".join(first_sections)
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)
