"""The batch runner never hangs, never mixes, never loses (warmcall.run.report, .workers, .locks,
.whatif_view): timeouts and the watchdog fail loudly, one run per report set at a time,
no widget in a batch kernel, no process left behind when the command is killed.

Report runs use the fixture notebooks (tests/notebooks_fixture) or the sample project with
small limits; each costs a kernel start (2-4 s).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import fixtures_workers
import nbformat
import psutil
import pytest
import warmcall
from browser import make_project
from warmcall.core import locks, resources
from warmcall.present import whatif_page, whatif_view
from warmcall.run import cli, limits, notebooks, report, sets, workers

ROOT = Path(__file__).resolve().parents[1]
LIB = str(Path(warmcall.__file__).resolve().parents[1])  # the warmcall under test
AS_OF = "2026-11-02"


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": LIB, **extra}


def _report_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "warmcall.run.cli", "report", "--no-progress", *args]


def _wait_for(cond, limit_s: float, what: str) -> None:
    deadline = time.monotonic() + limit_s
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {limit_s} s: {what}")
        time.sleep(0.1)


# --------------------------------------------------------------------------- supervisor


def _outcomes(sup: workers.Supervisor, n: int) -> list[workers.Outcome]:
    got: list[workers.Outcome] = []
    _wait_for(lambda: got.extend(sup.wait(0.2)) or len(got) >= n, 60, f"{n} outcome(s)")
    return got


def test_watchdog_ends_a_silent_task_and_everything_below_it():
    with workers.Supervisor(fixtures_workers.task, 1, stall_s=1.5) as sup:
        sup.submit({"kind": "silent"})
        [o] = _outcomes(sup, 1)
        assert o.status == "stalled" and o.silent_s > 1.5 and o.info["phase"] == "napping"
        child = o.info["pids"][0]
        assert not psutil.pid_exists(child) or psutil.Process(child).status() == "zombie"
        sup.submit({"kind": "beating", "beats": 1})  # a fresh worker takes the next task
        assert [(o.status, o.result) for o in _outcomes(sup, 1)] == [("done", 1)]


def test_progress_keeps_the_watchdog_away_and_deaths_are_outcomes():
    with workers.Supervisor(fixtures_workers.task, 2, stall_s=1.0) as sup:
        sup.submit({"kind": "beating", "beats": 8})  # ~2.4 s, over stall_s, but beating
        sup.submit({"kind": "dies"})
        sup.submit({"kind": "raises"})
        got = {o.task["kind"]: o for o in _outcomes(sup, 3)}
    assert (got["beating"].status, got["beating"].result) == ("done", 8)
    assert (got["dies"].status, got["dies"].exitcode) == ("died", 3)
    assert got["raises"].status == "error" and "ValueError: no good" in got["raises"].detail


def test_a_task_waits_for_the_busy_worker_of_its_affinity():
    """A task whose affinity a busy worker has (it holds, e.g., a kernel started ahead) waits
    for that worker, though another is idle; a task of no affinity is not held up by it."""
    with workers.Supervisor(fixtures_workers.task, 2, stall_s=30,
                            affinity=lambda t: t.get("key")) as sup:  # fmt: skip
        sup.prestart(2)
        sup.submit({"kind": "pid", "sleep": 1.5, "key": "set-a"})
        sup.submit({"kind": "pid", "key": "set-a", "n": 2})
        sup.submit({"kind": "pid", "n": 3})
        got = _outcomes(sup, 3)
    pids = {o.task.get("n", 1): o.result for o in got}
    assert pids[2] == pids[1], "the follow-up ran in the worker of its affinity"
    assert pids[3] != pids[1], "the other task took the idle worker"
    order = [o.task.get("n", 1) for o in got]
    assert order.index(3) < order.index(2), "the other task did not wait"


def test_progress_beats_name_the_cell_as_in_the_source_notebook():
    beats: list[dict] = []
    fixtures = Path(__file__).parent / "notebooks_fixture"
    # 03_slow: parameters, markdown, sleep, print; papermill injects a cell after parameters
    hooks = report._cell_hooks(fixtures / "03_slow.ipynb", lambda **i: beats.append(i))
    hooks["on_cell_start"](cell={"source": "import time\ntime.sleep(120)"}, cell_index=3)
    hooks["on_cell_executed"](cell={"source": "import time"}, cell_index=3, execute_reply={})
    assert beats == [{"cell": "cell 3 of 4: import time", "phase": "cell running"},
                     {"cell": "cell 3 of 4: import time", "phase": "cell done"}]  # fmt: skip
    # no parameters cell: papermill puts the injected cell first
    hooks = report._cell_hooks(fixtures / "04_no_parameters.ipynb", lambda **i: beats.append(i))
    hooks["on_cell_start"](cell={"source": 'print("not a report")'}, cell_index=1)
    assert beats[-1]["cell"] == 'cell 1 of 1: print("not a report")'


def test_stalled_notebook_becomes_a_failure_page(tmp_path):
    # the parent's view of a stalled worker: page names notebook, cell and limit
    files = make_project(tmp_path, {"s": f'as_of: "{AS_OF}"\nreport: {{timeout_s: 5}}\n'})
    s = sets._load_set(files[0], tmp_path / "out", notebooks.discover_notebooks(tmp_path), None)
    s.dir.mkdir(parents=True)
    task = sets._task(s, tmp_path / "notebooks" / "03_slow.ipynb", tmp_path, "RUN-1")
    o = workers.Outcome(task, "stalled", info={"cell": "cell 3 of 4: import time",
                        "phase": "cell running"}, seconds=70.0, silent_s=66.0)  # fmt: skip
    res = report._fail_in_parent(task, report._outcome_error(o), o.seconds)
    report._record(s, res, "RUN-1")  # the runner writes the page, whichever executor ran it
    assert res["status"] == "failed" and res["error_type"] == "WatchdogTimeout"
    assert (
        res["error_limit"]
        == f"report.timeout_s = 5 s + {limits.WATCHDOG_GRACE_S} s without progress"
    )
    page = (s.dir / "03_slow.html").read_text()
    assert "<th>Notebook</th><td>notebooks/03_slow.ipynb</td>" in page
    assert "<th>Failed cell</th><td>cell 3 of 4: import time</td>" in page
    assert "report.timeout_s = 5 s + 60 s without progress" in page
    assert '<meta name="warmcall-run" content="RUN-1">' in page


# --------------------------------------------------------------------------- timeouts


def test_cell_over_the_limit_fails_loudly_with_a_nonzero_exit(tmp_path, monkeypatch, capsys):
    make_project(
        tmp_path, {"t": f'as_of: "{AS_OF}"\nnotebooks: ["03"]\nreport: {{timeout_s: 1}}\n'}
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONPATH", LIB)
    assert cli.main(["report", "--no-progress", "-o", "out"]) == 1
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith(
        "FAIL t/03_slow  CellTimeoutError: over the limit: report.timeout_s = 1 s"
    )
    assert " at cell 3 of 4 (In [" in line and line.endswith("out/2026-11-02/t/03_slow.html")
    page = (tmp_path / "out" / AS_OF / "t" / "03_slow.html").read_text()
    assert "<th>Limit</th><td>report.timeout_s = 1 s per cell</td>" in page
    run = json.loads((tmp_path / "out" / AS_OF / "t" / "run.json").read_text())
    assert [n["status"] for n in run["notebooks"]] == ["failed"]


# --------------------------------------------------------------------------- no widgets in batch


def test_is_live_rules(monkeypatch):
    import IPython

    class Shell:
        kernel = object()

    for name in (resources.BATCH_ENV, whatif_page.LIVE_ENV, whatif_page.SESSION_ENV):
        monkeypatch.delenv(name, raising=False)
    assert not whatif_page.is_live()  # no kernel at all (pytest)
    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    assert not whatif_page.is_live()  # a kernel nobody renders (papermill, nbval)
    monkeypatch.setenv(whatif_page.SESSION_ENV, "notebooks/04_what_if.ipynb")
    assert whatif_page.is_live()  # JupyterLab
    assert not whatif_page.is_live("/reports/2026-11-02/s")  # the runner's output_dir
    monkeypatch.setenv(resources.BATCH_ENV, "1")
    assert not whatif_page.is_live()  # the runner's workers
    monkeypatch.delenv(whatif_page.SESSION_ENV)
    monkeypatch.setenv(resources.BATCH_ENV, "0")
    monkeypatch.setenv(whatif_page.LIVE_ENV, "1")
    assert whatif_page.is_live()


def test_batch_show_builds_no_widget(monkeypatch):
    import ipywidgets

    def refuse(self, *a, **k):
        raise AssertionError("a widget was built in batch")

    monkeypatch.setattr(ipywidgets.Widget, "__init__", refuse)
    analysis = warmcall.analyse(ROOT / "params" / "sample.yaml")
    st = whatif_page.show(analysis, output_dir="/tmp/x", min_quality=20, calls_per_day=3, days=10)
    model = whatif_view.WhatIfModel(analysis.workbook, analysis.params, analysis.as_of,
                                    analysis.overview)  # fmt: skip
    expect = model.state(min_quality=20, calls_per_day=3, days=10)
    assert st["summary"] == expect["summary"] and st["projection"] == expect["projection"]
    assert st["min_quality"] == 20 and st["projection"]["attempts"] == 3 * 10


def test_what_if_notebook_in_a_batch_run_has_no_widget(tmp_path):
    out = tmp_path / "out"
    [r] = report.run_reports([ROOT / "params" / "sample.yaml"], out, notebooks=[Path("04")],
                             progress=False, root=ROOT)  # fmt: skip
    assert r.ok, r
    nb = nbformat.read(r.ipynb, as_version=4)
    mimes = {
        m for c in nb.cells if c.cell_type == "code" for o in c.outputs for m in o.get("data", {})
    }
    assert "application/vnd.jupyter.widget-view+json" not in mimes
    assert "widgets" not in nb.metadata and "text/html" in mimes
    page = r.html.read_text(encoding="utf-8")
    assert "Ignoring followers with quality below 20" in page  # the notebook's parameter
    assert "Static snapshot for this notebook" in page and "widget-view" not in page


# --------------------------------------------------------------------------- one run per set


def _set_params(folder: Path, title: str) -> Path:
    folder.mkdir(parents=True)
    f = folder / "s.yaml"  # the same stem: the same report set
    f.write_text(f'title: "{title}"\nas_of: "{AS_OF}"\nnotebooks: ["05_nap"]\n')
    return f


def _held(path: Path) -> bool:
    if not path.is_dir():  # not made yet: nobody holds it
        return False
    try:
        with locks.locked(path, timeout_s=0):
            return False
    except locks.Busy:
        return True


def test_concurrent_runs_of_one_set_wait_or_refuse_and_never_mix(tmp_path):
    make_project(tmp_path, {})
    a = _set_params(tmp_path / "a", "title-A")
    b = _set_params(tmp_path / "b", "title-B")
    c = _set_params(tmp_path / "c", "title-C")
    set_dir = tmp_path / "out" / AS_OF / "s"
    wait, no_wait = _env(WARMCALL_LOCK_TIMEOUT_S="120"), _env(WARMCALL_LOCK_TIMEOUT_S="0")
    run_a = subprocess.Popen(_report_cmd("-p", str(a), "-o", "out"), cwd=tmp_path, env=wait,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        _wait_for(lambda: _held(set_dir), 60, "run A holds the set")
        run_c = subprocess.Popen(_report_cmd("-p", str(c), "-o", "out"), cwd=tmp_path,
                                 env=wait, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 text=True)  # fmt: skip
        run_b = subprocess.run(_report_cmd("-p", str(b), "-o", "out"), cwd=tmp_path, env=no_wait,
                               capture_output=True, text=True, timeout=60)  # fmt: skip
        out_a, _ = run_a.communicate(timeout=120)
        out_c, err_c = run_c.communicate(timeout=120)
    finally:
        run_a.kill()
        if "run_c" in locals():
            run_c.kill()
    # B refused at once with one line, wrote nothing
    assert run_b.returncode == 2 and run_b.stdout == ""
    assert run_b.stderr.count("\n") == 1, run_b.stderr
    assert run_b.stderr.startswith(
        f"warmcall: error: {set_dir.resolve()}: report set 's': busy: another"
    )
    assert run_b.stderr.rstrip().endswith("; nothing was run")
    # A ran; C waited for A, then ran: the folder holds C's run, and only C's
    assert run_a.returncode == 0 and out_a.startswith("OK   s/05_nap")
    assert run_c.returncode == 0 and "waited" in err_c and out_c.startswith("OK   s/05_nap")
    run = json.loads((set_dir / "run.json").read_text())
    assert run["params_file"] == str(c.resolve()) and run["waited_for_lock_s"] > 0
    assert run["metrics"] == {"title": "title-C"}
    assert json.loads((set_dir / "metrics.json").read_text()) == {"title": "title-C"}
    nb = nbformat.read(set_dir / "05_nap.ipynb", as_version=4)
    assert nb.metadata["warmcall"]["run_id"] == run["run_id"]
    page = (set_dir / "05_nap.html").read_text()
    assert f'data-run="{run["run_id"]}"' in page and "written by title-C" in page
    assert sorted(p.name for p in set_dir.iterdir()) == [
        "05_nap.html", "05_nap.ipynb", "05_nap.log", "metrics.json", "run.json"]  # fmt: skip
    everything = "".join(
        p.read_text(errors="replace") for p in tmp_path.joinpath("out").rglob("*") if p.is_file()
    )
    assert "title-B" not in everything and "title-A" not in everything


# --------------------------------------------------------------------------- signals


def _tagged(tag: str) -> list[psutil.Process]:
    """Live processes whose environment carries ``tag`` (every descendant inherits it)."""
    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get("WARMCALL_TEST_TAG") == tag and p.status() != psutil.STATUS_ZOMBIE:
                found.append(p)
        except psutil.Error:
            continue
    return found


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM, signal.SIGINT],
                         ids=["SIGKILL", "SIGTERM", "SIGINT"])  # fmt: skip
def test_a_signal_to_report_leaves_no_process_behind(tmp_path, sig):
    tag = uuid.uuid4().hex
    out = tmp_path / "out"
    proc = subprocess.Popen(
        _report_cmd("-p", str(ROOT / "params" / "sample.yaml"), "-o", str(out), "-n", "01"),
        cwd=ROOT, env=_env(WARMCALL_TEST_TAG=tag),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:

        def kernel_up() -> bool:
            return any("ipykernel" in " ".join(p.cmdline()) for p in _tagged(tag))

        _wait_for(kernel_up, 90, "a kernel runs")
        seen = [" ".join(p.cmdline())[:60] for p in _tagged(tag)]
        assert len(seen) >= 3, seen  # report, its worker, the kernel (and a resource tracker)
        proc.send_signal(sig)
        code = proc.wait(30)
        _wait_for(lambda: not _tagged(tag), 15, "every child of report has ended")
    finally:
        for p in _tagged(tag):
            p.kill()
        proc.kill()
    if sig == signal.SIGKILL:
        assert code == -signal.SIGKILL
        return
    assert code == (130 if sig == signal.SIGINT else 128 + sig)
    run = json.loads((out / "2026-11-13" / "sample" / "run.json").read_text())
    assert run["status"] == "interrupted"
