"""``make lab``: the JupyterLab command line the Makefile builds for PORT, BROWSER and the
user id (``make -n`` prints the command without running it; ``LAB_UID`` stands in for
``id -u`` so both the root and the non-root line are checked on any machine)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def _lab_line(*args: str) -> list[str]:
    out = subprocess.run(
        ["make", "-n", "--no-print-directory", "lab", *args],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    [line] = [ln for ln in out.splitlines() if "jupyter lab" in ln]
    return line.split()


def test_defaults_port_8888_a_browser_and_root_by_uid() -> None:
    argv = _lab_line()
    assert argv[argv.index("notebooks/") + 1] == "--port=8888" and "--no-browser" not in argv
    assert ("--allow-root" in argv) == (os.getuid() == 0)  # Jupyter refuses root without it


def test_port_and_browser_no_for_a_user() -> None:
    argv = _lab_line("PORT=9123", "BROWSER=no", "LAB_UID=1000")
    assert argv[-3:] == ["notebooks/", "--port=9123", "--no-browser"]
