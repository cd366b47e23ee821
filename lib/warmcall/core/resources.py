"""Where the files the commands need live: the notebooks, the sample exports, the sample params.

Two places, one layout (``notebooks/``, ``data/sample/``, ``params/sample.yaml``):

- an installed package carries copies in ``warmcall/bundled/`` (setup.py's build step puts
  them there; a wheel runs from any folder with nothing else);
- a source checkout (an editable install, or ``PYTHONPATH=lib``) reads the repository itself,
  two folders above the package.

``resource_root()`` is the first of the two that holds notebooks. The repository's files are
the ones edited; the bundled ones are what an installed ``warmcall`` runs.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1]
#: the copies an installed wheel carries (absent in a source checkout)
BUNDLED = PACKAGE_DIR / "bundled"
#: the repository root, when the package is imported from ``<repo>/lib/warmcall``
SOURCE_ROOT = PACKAGE_DIR.parents[1]


def _has_notebooks(root: Path) -> bool:
    d = root / "notebooks"
    return d.is_dir() and any(d.glob("[0-9][0-9]_*.ipynb"))


def resource_root() -> Path:
    """The folder with ``notebooks/``, ``data/sample/`` and ``params/sample.yaml``: the
    package's bundled copies if present, else the source checkout. Raises ``FileNotFoundError``
    (naming both places) when neither has notebooks: a broken install."""
    for root in (BUNDLED, SOURCE_ROOT):
        if _has_notebooks(root):
            return root
    raise FileNotFoundError(
        f"warmcall's notebooks are missing: neither {BUNDLED / 'notebooks'} nor "
        f"{SOURCE_ROOT / 'notebooks'} has NN_*.ipynb files (reinstall the package)"
    )


def sample_dir() -> Path:
    """The Northwind Research sample exports (``data/sample``) that ship with warmcall."""
    return resource_root() / "data" / "sample"


def sample_params() -> Path:
    """The sample's params file (``params/sample.yaml``; its ``data`` points at
    ``sample_dir()``)."""
    return resource_root() / "params" / "sample.yaml"


#: Set (to "1") by the batch runner in the environment its notebook kernels inherit: a
#: notebook knows it runs in a scheduled report, not live in JupyterLab.
BATCH_ENV = "WARMCALL_BATCH"


def package_version() -> str:
    """The installed distribution's version (package metadata); for a source checkout that
    was never installed, ``warmcall.__version__``."""
    try:
        return version("warmcall")
    except PackageNotFoundError:  # a source checkout that was never installed
        return _source_version()


def _source_version() -> str:
    """The version in the source checkout's pyproject.toml ("unknown" without one)."""
    import tomllib

    try:
        meta = tomllib.loads((PACKAGE_DIR.parents[1] / "pyproject.toml").read_text("utf-8"))
    except (OSError, ValueError):
        return "unknown"
    return str(meta.get("project", {}).get("version", "unknown"))
