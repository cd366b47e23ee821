"""``warmcall report --scheduler``: report sets as tasks on a Dask cluster give the same pages,
index, statuses and exit code as the local workers; a killed worker is a failure page, not a
hang; without the ``dask`` extra the option is one line and exit 2 (warmcall.run.executors,
warmcall.run.dask_executor).

The cluster tests need the extra (``pip install 'warmcall[dask]'``); they skip without it,
except where ``WARMCALL_REQUIRE_DASK`` is set (CI, ``.ci/run``): there a missing Dask is an
error, never a skip. They use the fixture notebooks (one kernel start each, 2-4 s).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path

import pytest
from browser import AS_OF, make_project
from warmcall.run import cli, executors

HAVE_DASK = all(importlib.util.find_spec(m) for m in ("dask", "distributed"))
if not HAVE_DASK and os.environ.get("WARMCALL_REQUIRE_DASK"):
    raise RuntimeError("dask/distributed are missing but WARMCALL_REQUIRE_DASK is set")
needs_dask = pytest.mark.skipif(
    not HAVE_DASK, reason="the dask extra is not installed (pip install 'warmcall[dask]')"
)

# three report sets: two good ones (the chart fixture), one broken (a notebook that raises
# ValueError). What each notebook does is read off the fixtures themselves.
SETS = {
    "alpha": f'title: alpha\nas_of: "{AS_OF}"\nnotebooks: ["01_chart"]\n',
    "beta": f'title: beta\nas_of: "{AS_OF}"\nnotebooks: ["01_chart"]\n',
    "broken": f'title: broken\nas_of: "{AS_OF}"\nnotebooks: ["02_fails"]\n',
}
EXPECTED = {  # (set, notebook) -> status, from the fixtures: 02_fails raises, 01_chart does not
    ("alpha", "01_chart"): "ok",
    ("beta", "01_chart"): "ok",
    ("broken", "02_fails"): "failed",
}


def _report(root: Path, out: Path, *extra: str) -> int:
    params = [str(root / "params" / f"{n}.yaml") for n in SETS]
    return cli.main(["report", "-p", *params, "-o", str(out), "--no-progress", *extra])


def _files(out: Path) -> list[str]:
    return sorted(
        str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and ".lock" not in p.name
    )


def _index_rows(out: Path) -> tuple[list[tuple[str, str, str]], list[str]]:
    html = (out / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr><td>(\w+)</td><td>(\w+)</td><td class=\"(\w+)\">", html)
    return sorted(rows), sorted(re.findall(r'href="([^"]+)"', html))


def _statuses(out: Path) -> dict[tuple[str, str], tuple[str, str | None]]:
    got = {}
    for run in sorted(out.glob(f"{AS_OF}/*/run.json")):
        for nb in json.loads(run.read_text())["notebooks"]:
            got[(nb["report_set"], nb["notebook"])] = (nb["status"], nb["error_type"])
    return got


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of 2 worker processes, the test's own (reached by its address)."""
    if not HAVE_DASK:
        pytest.skip("the dask extra is not installed (pip install 'warmcall[dask]')")
    from distributed import LocalCluster

    c = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    yield c
    c.close(timeout=30)


@needs_dask
def test_scheduler_gives_the_same_pages_index_and_exit_code(tmp_path, monkeypatch, capsys, cluster):
    root = tmp_path / "proj"
    make_project(root, SETS)
    monkeypatch.chdir(root)
    rc_local = _report(root, tmp_path / "local", "--jobs", "2")
    local_out = capsys.readouterr().out
    rc_dask = _report(root, tmp_path / "dask", "--scheduler", cluster.scheduler_address)
    dask_out = capsys.readouterr().out

    assert rc_local == rc_dask == 1  # one report failed
    want = {k: (v, "ValueError" if v == "failed" else None) for k, v in EXPECTED.items()}
    assert _statuses(tmp_path / "local") == _statuses(tmp_path / "dask") == want
    assert _files(tmp_path / "local") == _files(tmp_path / "dask")
    for n in SETS:  # every notebook's page, executed notebook and log came back
        for nb in (nb for (s, nb) in EXPECTED if s == n):
            for ext in ("html", "ipynb", "log"):
                assert f"{AS_OF}/{n}/{nb}.{ext}" in _files(tmp_path / "dask")
    assert _index_rows(tmp_path / "local") == _index_rows(tmp_path / "dask")
    rows, _ = _index_rows(tmp_path / "dask")
    assert {(s, nb): st for s, nb, st in rows} == EXPECTED
    # the OK/FAIL lines agree but for the paths and durations
    norm = lambda text: sorted(re.sub(r"\S+\.html|\(\d+\.\d s\)", "", text).splitlines())  # noqa: E731
    assert norm(local_out) == norm(dask_out)

    dask_set = tmp_path / "dask" / AS_OF / "broken"
    page = (dask_set / "02_fails.html").read_text(encoding="utf-8")  # written by the client
    assert "<th>Error</th><td>ValueError</td>" in page and "<script>alert(2)" not in page
    run = json.loads((dask_set / "run.json").read_text())
    assert run["status"] == "finished" and "error_detail" not in run["notebooks"][0]
    # the notebooks' own files came back: 01_chart writes the fixture's 5 rows
    alpha = tmp_path / "dask" / AS_OF / "alpha"
    assert json.loads((alpha / "metrics.json").read_text())["rows"] == 5
    ok = (tmp_path / "dask" / AS_OF / "alpha" / "01_chart.html").read_text(encoding="utf-8")
    assert 'data-run="' in ok or 'name="warmcall-run"' in ok


@needs_dask
def test_a_killed_worker_is_a_failure_page_not_a_hang(tmp_path, monkeypatch, capsys):
    # a notebook that kills the process running its kernel (the Dask worker); --scheduler
    # local starts its own cluster (here of 1 worker), where a lost task is not retried
    root = tmp_path / "proj"
    make_project(root, {"doomed": SETS["alpha"].replace("01_chart", "09_kill")})
    src = json.loads((root / "notebooks" / "01_chart.ipynb").read_text())
    src["cells"] = [src["cells"][0]] + [
        {"cell_type": "code", "id": "kill", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"}
    ]  # fmt: skip
    (root / "notebooks" / "09_kill.ipynb").write_text(json.dumps(src))
    monkeypatch.chdir(root)
    args = ["report", "-p", str(root / "params" / "doomed.yaml"), "-o", str(tmp_path / "out")]
    rc = cli.main([*args, "--no-progress", "--scheduler", "local", "--jobs", "1"])
    out = capsys.readouterr().out
    assert rc == 1
    assert _statuses(tmp_path / "out") == {("doomed", "09_kill"): ("failed", "WorkerDied")}
    page = (tmp_path / "out" / AS_OF / "doomed" / "09_kill.html").read_text(encoding="utf-8")
    assert "<th>Error</th><td>WorkerDied</td>" in page
    assert "FAIL doomed/09_kill  WorkerDied" in out


@needs_dask
def test_a_set_over_its_limit_fails_loudly_and_the_run_ends(tmp_path, monkeypatch, cluster):
    # report.timeout_s 2 s × 1 notebook + no margin: the kernel start alone takes longer
    from warmcall.run import limits, report

    monkeypatch.setattr(limits, "SET_MARGIN_S", 0)
    root = tmp_path / "proj"
    files = make_project(
        root, {"slow": f'as_of: "{AS_OF}"\nreport: {{timeout_s: 2}}\nnotebooks: ["03_slow"]\n'}
    )
    [r] = report.run_reports(
        files, tmp_path / "out", progress=False, root=root, scheduler=cluster.scheduler_address
    )
    assert (r.status, r.error_type) == ("failed", "SetTimeout")
    assert r.error_limit == "report.timeout_s = 2 s × 1 notebook + 0 s"
    page = r.html.read_text(encoding="utf-8")
    assert "<th>Limit</th><td>report.timeout_s = 2 s × 1 notebook + 0 s</td>" in page


@needs_dask
def test_an_unreachable_scheduler_is_one_line_and_leaves_the_last_run(
    tmp_path, monkeypatch, capsys
):
    from warmcall.run import dask_executor

    monkeypatch.setattr(dask_executor, "CONNECT_TIMEOUT_S", 2)
    root = tmp_path / "proj"
    make_project(root, {"alpha": SETS["alpha"]})
    last = tmp_path / "out" / AS_OF / "alpha"  # the previous run's page
    last.mkdir(parents=True)
    (last / "01_chart.html").write_text("last week")
    monkeypatch.chdir(root)
    args = ["report", "-p", str(root / "params" / "alpha.yaml"), "-o", str(tmp_path / "out")]
    rc = cli.main([*args, "--no-progress", "--scheduler", "tcp://127.0.0.1:1"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1
    assert err.startswith("warmcall: error: --scheduler: tcp://127.0.0.1:1: no Dask scheduler")
    assert (last / "01_chart.html").read_text() == "last week"  # nothing cleared or written
    assert sorted(p.name for p in last.iterdir()) == ["01_chart.html"]


def test_scheduler_without_dask_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    root = tmp_path / "proj"
    make_project(root, {"alpha": SETS["alpha"]})
    monkeypatch.chdir(root)
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda m, *a: None if m in ("dask", "distributed") else real(m, *a),
    )
    params = str(root / "params" / "alpha.yaml")
    out = tmp_path / "out"
    rc = cli.main(["report", "-p", params, "-o", str(out), "--no-progress", "--scheduler", "local"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err == f"warmcall: error: --scheduler: {executors.DASK_HINT}\n"
    assert "pip install 'warmcall[dask]'" in err
    assert not out.exists()  # nothing ran, nothing written


def test_earlier_runs_files_go_to_the_worker_for_the_history_sections(tmp_path):
    from warmcall.run.dask_executor import history_files

    out = tmp_path / "reports"
    for day in ("2026-10-19", "2026-10-26", AS_OF):
        d = out / day / "alpha"
        d.mkdir(parents=True)
        for name in ("metrics.json", "plan.csv", "01_chart.html", "01_chart.ipynb",
                     "01_chart.log", "run.json"):  # fmt: skip
            (d / name).write_text(f"{day}/{name}")
    (out / "2026-10-26" / "other").mkdir()
    (out / "2026-10-26" / "other" / "metrics.json").write_text("{}")
    got = history_files(out / AS_OF / "alpha")
    want = {
        f"{day}/alpha/{name}": f"{day}/{name}".encode()
        for day in ("2026-10-19", "2026-10-26")
        for name in ("metrics.json", "plan.csv")
    }
    assert got == want
