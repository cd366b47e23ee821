"""The layer contract (pyproject's [tool.importlinter], run by `make lint`) holds, and an
upward import breaks it: a metrics module importing a loader fails the check."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {"PYTHONPATH": str(root / "lib"), "PATH": "/usr/bin:/bin"}
    return subprocess.run([str(LINT), "--no-cache"], cwd=root, env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "lib", root / "lib", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root / "pyproject.toml")
    return root


def test_the_layers_hold(tmp_path: Path) -> None:
    r = _lint(_copy(tmp_path))
    assert r.returncode == 0, r.stdout[-2000:]
    assert "0 broken" in r.stdout


def test_a_metrics_module_importing_a_loader_breaks_the_contract(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    quality = root / "lib" / "warmcall" / "model" / "quality.py"
    quality.write_text(
        quality.read_text() + "\nfrom warmcall.ingest.loaders import x_archive  # noqa\n"
    )
    r = _lint(root)
    assert r.returncode != 0
    assert "Metrics never import loaders BROKEN" in r.stdout
    assert "warmcall.model.quality -> warmcall.ingest.loaders.x_archive" in r.stdout


def test_computation_importing_presentation_breaks_the_contract(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    scoring = root / "lib" / "warmcall" / "model" / "scoring.py"
    scoring.write_text(scoring.read_text() + "\nfrom warmcall.present import charts  # noqa\n")
    r = _lint(root)
    assert r.returncode != 0 and "BROKEN" in r.stdout
