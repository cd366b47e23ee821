"""Build step: ship what the commands need inside the package.

Everything else about the package is declared in pyproject.toml. This file adds one step to
``build_py``: it copies the repository's ``notebooks/NN_*.ipynb``, ``data/sample/`` and
``params/sample.yaml`` into the built package as ``warmcall/bundled/`` (the same layout
below that folder), so an installed wheel runs ``warmcall report`` and ``warmcall
quickstart`` from any folder.

Why a build step and not a second tracked copy: the repository keeps one copy of each file
(the notebooks' sources are their ``.py`` jupytext pairs; the sample is written by ``warmcall
sample``), nothing can drift, and branches that change the notebooks never conflict on a copy.
Editable installs and ``PYTHONPATH=lib`` skip the step: they read the same files from the
source checkout (``warmcall.resources``). ``python -m build`` goes through the sdist, which
carries these folders (MANIFEST.in), so the wheel built from it gets them too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
#: folder in the source tree -> file patterns copied from it into warmcall/bundled/<folder>
BUNDLE = {
    "notebooks": ("[0-9][0-9]_*.ipynb",),
    "data/sample": ("*.zip", "*.csv", "*.jsonl", "*.car", "*.json"),
    "params": ("sample.yaml",),
}


class BuildWithBundle(build_py):
    """``build_py`` that also copies the notebooks, the sample and its params (see above)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # editable: warmcall.resources reads the source checkout
        target = Path(self.build_lib) / "warmcall" / "bundled"
        for folder, patterns in BUNDLE.items():
            files = sorted({f for p in patterns for f in (HERE / folder).glob(p) if f.is_file()})
            if not files:
                raise SystemExit(f"build: no {' or '.join(patterns)} in {HERE / folder}")
            dest = target / folder
            dest.mkdir(parents=True, exist_ok=True)
            for f in files:
                shutil.copy2(f, dest / f.name)


setup(cmdclass={"build_py": BuildWithBundle})
