"""The built wheel, installed as a user would: a fresh venv, no source checkout, any folder.

One slow test (about a minute and a half: the build, a venv with every dependency from pip's
cache or index, two report runs). It builds the sdist and the wheel with ``python -m build``
(the wheel comes from the sdist, so MANIFEST.in is tested too), installs the wheel into a
new venv, then, from empty folders outside the repository and without PYTHONPATH:
``warmcall quickstart`` on a sample zip taken from the installed package, ``warmcall report
--params`` on the file it wrote from another folder, and ``--version`` both ways.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _run(cmd: list[str], cwd: Path, env: dict[str, str], timeout: int) -> str:
    r = subprocess.run(
        cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert r.returncode == 0, f"{' '.join(cmd)} -> {r.returncode}\n{r.stdout}\n{r.stderr}"
    return r.stdout


def test_built_wheel_runs_quickstart_and_report_from_any_folder(tmp_path: Path) -> None:
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["WARMCALL_CACHE_DIR"] = str(tmp_path / "cache")  # no tables cached by earlier runs
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"

    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], ROOT, env, 900)
    (wheel,) = dist.glob(f"warmcall-{version}-py3-none-any.whl")
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    shipped = {f"warmcall/bundled/notebooks/{n}.ipynb" for n in NOTEBOOKS}
    shipped |= {f"warmcall/bundled/data/sample/{p.name}" for p in (ROOT / "data/sample").iterdir()}
    shipped |= {"warmcall/bundled/params/sample.yaml", "warmcall/py.typed"}
    assert shipped <= names, f"missing from the wheel: {sorted(shipped - names)}"

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path, env, 300)
    bin_ = venv / "bin"
    _run([str(bin_ / "python"), "-m", "pip", "install", "-q", str(wheel)], tmp_path, env, 1800)
    env["PATH"] = f"{bin_}{os.pathsep}{env.get('PATH', '')}"

    # the installed package reads its own copies, not this repository
    where = _run(
        [str(bin_ / "python"), "-c", "import warmcall.core.resources as r; print(r.sample_dir())"],
        tmp_path, env, 120,
    ).strip()  # fmt: skip
    sample = Path(where)
    assert sample.is_relative_to(venv) and not sample.is_relative_to(ROOT)

    first = tmp_path / "first"
    first.mkdir()
    zip_name = next(p.name for p in sample.glob("twitter-*.zip"))
    (first / zip_name).write_bytes((sample / zip_name).read_bytes())
    out = _run([str(bin_ / "warmcall"), "quickstart", zip_name, "--no-progress"], first, env, 1200)
    params = first / "warmcall.yaml"
    assert yaml.safe_load(params.read_text(encoding="utf-8"))["data"] == [zip_name]
    assert re.search(r"^index: reports/index\.html$", out, re.M), out
    for nb in NOTEBOOKS:
        assert re.search(rf"^OK +warmcall/{nb} ", out, re.M), out
    pages = list((first / "reports").glob("*/warmcall/*.html"))
    assert sorted(p.stem for p in pages) == NOTEBOOKS
    for page in pages:  # offline: no script loaded from the network
        assert not re.search(r"<script[^>]+src=[\"']?https?:", page.read_text(encoding="utf-8"))

    second = tmp_path / "second"
    second.mkdir()
    out = _run(
        [str(bin_ / "warmcall"), "report", "--params", str(params), "--out", "out",
         "--no-progress"], second, env, 1200,
    )  # fmt: skip
    assert (second / "out" / "index.html").is_file()
    assert sum(line.startswith("OK ") for line in out.splitlines()) == len(NOTEBOOKS), out

    script = _run([str(bin_ / "warmcall"), "--version"], second, env, 120).strip()
    module = _run([str(bin_ / "python"), "-m", "warmcall", "--version"], second, env, 120).strip()
    assert script == module == f"warmcall {version}"
