"""One kernel per report set (``warmcall.run.kernels``): a set's notebooks run in one kernel
process, each starting with an empty namespace and ``In [1]``; a failed notebook ends the
kernel and the next one starts afresh; two sets never share a kernel; no kernel outlives the
run. The same through the Dask executor's per-set loop (``run_set_on_worker``)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import psutil
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from warmcall.run import report

PARAMS_CELL = 'params_file = ""\nparams = {}\nreport_set = ""\noutput_dir = ""\nrenderer = "static"'

#: each notebook records, under its own name: its kernel's pid, and whether the previous
#: notebook's variable is visible
RECORD = """
import os, sys
os.write(2, f"stderr of {NAME}\\n".encode())  # the kernel process's own stderr
warm = "warmcall.present.whatif_page" in sys.modules  # not imported by these notebooks
stray = [n for n in dir() if n.startswith("_wc_")]
from warmcall.present.history import write_metrics
write_metrics(output_dir, {NAME: {"pid": os.getpid(), "sees_left_over": "left_over" in dir(),
                                  "warm": warm, "stray": stray,
                                  "malloc": os.environ.get("_RJEM_MALLOC_CONF", "")}})
left_over = NAME
"""


def _notebook(path: Path, name: str, *, fails: bool = False) -> None:
    cells = [new_code_cell(PARAMS_CELL, metadata={"tags": ["parameters"]})]
    cells.append(new_code_cell(f"NAME = {name!r}"))
    cells.append(new_code_cell(RECORD))
    if fails:
        cells.append(new_code_cell('raise RuntimeError("this notebook fails")'))
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = tmp_path_factory.mktemp("kernels")
    (root / "notebooks").mkdir()
    (root / "params").mkdir()
    (root / "pyproject.toml").write_text("# fixture project\n")
    _notebook(root / "notebooks" / "01_first.ipynb", "01")
    _notebook(root / "notebooks" / "02_second.ipynb", "02")
    _notebook(root / "notebooks" / "03_fails.ipynb", "03", fails=True)
    _notebook(root / "notebooks" / "04_after.ipynb", "04")
    files = []
    for name in ("one", "two"):
        f = root / "params" / f"{name}.yaml"
        f.write_text(f'title: {name}\nas_of: "2026-11-02"\n', encoding="utf-8")
        files.append(f)
    return root, files


def _recorded(set_dir: Path) -> dict:
    return json.loads((set_dir / "metrics.json").read_text(encoding="utf-8"))


def _first_count(ipynb: Path) -> int:
    nb = nbformat.read(ipynb, as_version=4)
    return min(c.execution_count for c in nb.cells if c.cell_type == "code" and c.execution_count)


@pytest.fixture(scope="module")
def local_run(project):
    root, files = project
    out = root / "out"
    results = report.run_reports(files, out, jobs=1, progress=False, root=root)
    return out, results


def test_notebooks_of_a_set_share_one_kernel_with_a_clean_namespace(local_run):
    out, results = local_run
    assert [r.status for r in results] == ["ok", "ok", "failed", "ok"] * 2
    for name in ("one", "two"):
        set_dir = out / "2026-11-02" / name
        rec = _recorded(set_dir)
        assert rec["01"]["pid"] == rec["02"]["pid"] == rec["03"]["pid"], "one kernel"
        assert not any(r["sees_left_over"] for r in rec.values()), "namespace emptied"
        for nb in ("01_first", "02_second", "04_after"):
            assert _first_count(set_dir / f"{nb}.ipynb") == 1, f"{nb} counts from In [1]"
        assert rec["04"]["pid"] != rec["03"]["pid"], "after a failure: a fresh kernel"
        assert not any(r["stray"] for r in rec.values()), "the warm-up left no names"


def test_the_first_sets_kernel_is_started_ahead_with_the_notebooks_imports(local_run):
    """``jobs=1``: the first set's kernel was started (and its modules imported) while the
    runner prepared, before its first notebook; the second set's kernel starts with its
    first notebook; both first notebooks still count from ``In [1]``."""
    out, _ = local_run
    one, two = (_recorded(out / "2026-11-02" / n) for n in ("one", "two"))
    assert one["01"]["warm"] is True
    assert two["01"]["warm"] is False


def test_every_kernel_keeps_freed_pages_longer_than_polars_default(local_run):
    """The kernels' allocator options end with KERNEL_MALLOC_CONF (jemalloc: the last
    setting wins over the 0.5 s decay polars sets on import): the kernel started ahead and
    the one started after a failed notebook."""
    out, _ = local_run
    rec = _recorded(next(out.glob("*/one")))
    assert {"01", "04"} <= rec.keys()
    for name in ("01", "04"):
        conf = rec[name]["malloc"]
        assert conf.endswith("," + report.KERNEL_MALLOC_CONF), conf
        assert "dirty_decay_ms:500" in conf  # polars' own, overridden by what follows


def test_a_kernel_started_ahead_writes_its_stderr_into_each_notebooks_log(local_run):
    """The first set's kernel (started ahead): what it writes on its stderr while a notebook
    runs is in that notebook's log, and only there."""
    out, _ = local_run
    logs = {nb: (out / "2026-11-02" / "one" / f"{nb}.log").read_text(encoding="utf-8")
            for nb in ("01_first", "02_second", "04_after")}  # fmt: skip
    assert "stderr of 01" in logs["01_first"] and "stderr of 02" not in logs["01_first"]
    assert "stderr of 02" in logs["02_second"] and "stderr of 01" not in logs["02_second"]
    assert "stderr of 04" in logs["04_after"]  # a fresh kernel after the failure


def test_sets_never_share_a_kernel_and_none_outlives_the_run(local_run):
    out, _ = local_run
    one, two = (_recorded(out / "2026-11-02" / n) for n in ("one", "two"))
    pids = {r["pid"] for r in one.values()} | {r["pid"] for r in two.values()}
    assert not {r["pid"] for r in one.values()} & {r["pid"] for r in two.values()}
    alive = [p for p in pids if psutil.pid_exists(p) and psutil.Process(p).status() != "zombie"]
    assert alive == []


def test_dask_worker_loop_shares_one_kernel_per_set(project, tmp_path):
    """``run_set_on_worker`` without Dask itself: the per-set loop and its kernel."""
    from warmcall.run.dask_executor import run_set_on_worker
    from warmcall.run.notebooks import discover_notebooks
    from warmcall.run.report import _set_task
    from warmcall.run.sets import _load_set

    root, files = project
    s = _load_set(files[0], tmp_path / "out", discover_notebooks(root), None)
    task = _set_task(s, root, "run-1")
    task["notebook_files"] = {
        t["notebook"]: Path(t["notebook"]).read_bytes() for t in task["notebooks"]
    }
    done = run_set_on_worker(task)
    assert [r["status"] for r in done["results"]] == ["ok", "ok", "failed", "ok"]
    rec = json.loads(done["files"]["metrics.json"])
    assert rec["01"]["pid"] == rec["02"]["pid"] == rec["03"]["pid"] != rec["04"]["pid"]
    assert not any(r["sees_left_over"] for r in rec.values())
    assert not any(psutil.pid_exists(r["pid"]) for r in rec.values())


def test_page_header_dates_a_run_without_as_of_by_its_day(project, tmp_path):
    """The header's date is the set's folder date: "as of" it when the params give as_of,
    else "run of" it (the analysis' own as-of date is the last day with data, not today)."""
    import datetime as dt

    root, files = project
    undated = root / "params" / "undated.yaml"
    undated.write_text("title: undated\n", encoding="utf-8")
    out = tmp_path / "out"
    report.run_reports([files[0], undated], out, jobs=1, progress=False, root=root,
                       notebooks=["01_first"])  # fmt: skip
    today = dt.date.today().isoformat()
    dated = (out / "2026-11-02" / "one" / "01_first.html").read_text(encoding="utf-8")
    assert "as of 2026-11-02" in dated and "run of" not in dated
    page = (out / today / "undated" / "01_first.html").read_text(encoding="utf-8")
    assert f"run of {today}" in page and "as of" not in page


def test_the_notebook_is_written_before_each_code_cell_and_at_the_end_only():
    """papermill's own manager, wrapped: a write as a code cell starts (every output before
    it is on disk: what a stalled cell leaves behind) and at the notebook's end; none as a
    cell ends or a markdown cell starts."""
    from nbformat.v4 import new_markdown_cell
    from papermill.engines import NotebookExecutionManager
    from warmcall.run import kernels

    nb = new_notebook(cells=[new_markdown_cell("# t"), new_code_cell("1"), new_code_cell("2")])
    nb.metadata["papermill"] = {}  # as papermill's execute_notebook prepares it
    man = NotebookExecutionManager(nb, output_path=None, progress_bar=False)
    writes: list[str] = []
    man.save = lambda **kw: writes.append("w")  # papermill's save, as the wrapper finds it
    man.notebook_start()
    writes.clear()
    kernels._save_before_code_cells(man)
    steps = []
    for i, cell in enumerate(man.nb.cells):
        man.cell_start(cell, i)
        steps.append((cell.cell_type, "start", len(writes)))
        man.cell_complete(cell, cell_index=i)
        steps.append((cell.cell_type, "end", len(writes)))
    man.notebook_complete()
    assert steps == [("markdown", "start", 0), ("markdown", "end", 0), ("code", "start", 1),
                     ("code", "end", 1), ("code", "start", 2), ("code", "end", 2)]  # fmt: skip
    assert len(writes) == 3  # and the final one
    assert all(c.metadata.papermill["status"] == "completed" for c in man.nb.cells)


def test_a_worker_set_up_again_does_not_repeat_the_allocator_options(monkeypatch):
    """A Dask worker runs ``_init_worker`` once per set: the kernels' allocator options are
    appended once, after what was there."""
    import os

    from warmcall.core.resources import BATCH_ENV

    for key in ("POLARS_MAX_THREADS", BATCH_ENV, "PYDEVD_DISABLE_FILE_VALIDATION", "PYTHONPATH"):
        monkeypatch.setenv(key, os.environ.get(key, ""))  # restored after the test
    monkeypatch.setenv("_RJEM_MALLOC_CONF", "dirty_decay_ms:500")
    report._init_worker(1)
    report._init_worker(1)
    assert os.environ["_RJEM_MALLOC_CONF"] == f"dirty_decay_ms:500,{report.KERNEL_MALLOC_CONF}"
