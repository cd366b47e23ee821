"""Tests of warmcall.run.report (batch runner, offline HTML, failure pages, index) and
warmcall.present.display (Altair setup, escaping, HTML tables).

The papermill run happens once per session (tests/browser.py ``fixture_run``): 3 notebook
runs in 2 report sets with jobs=2. Everything else is cheap.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import polars as pl
import pytest
from browser import (
    AS_OF,
    FIXTURE_DIR,
    HOSTILE_TITLE,
    TIMEOUT_S,
    external_refs,
    fixture_run,
    make_project,
)
from warmcall.core.errors import InputError
from warmcall.core.outputs import write_text_atomic
from warmcall.present import display, history
from warmcall.run import cli, notebooks, pages, report, report_command

# --------------------------------------------------------------------------- the run


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return fixture_run(tmp_path_factory)


def test_statuses_per_set_and_notebook(run):
    # good: 01_chart ok; bad: 02_fails raises, 03_slow times out -> 3 results, 1 ok
    assert sorted(run.by_name) == ["bad/02_fails", "bad/03_slow", "good/01_chart"]
    assert [r.status for r in run.results] == ["ok", "failed", "failed"]  # params order, then nb
    ok = run.by_name["good/01_chart"]
    assert ok.ok and ok.error_type is None and ok.as_of == AS_OF

    raised = run.by_name["bad/02_fails"]
    assert raised.error_type == "ValueError"
    assert raised.error_message.startswith("boom <b>not bold</b>")
    # 02_fails: parameters, markdown, x = 1 + 1, raise, print -> the raise is cell 4 of 5
    assert raised.error_cell.startswith("cell 4 of 5 (In [")
    assert raised.error_cell.endswith('raise ValueError("boom <b>not bold</b> </script>'
                                      '<script>alert(2)</script>")')  # fmt: skip

    slow = run.by_name["bad/03_slow"]
    assert slow.error_type == "CellTimeoutError"
    assert slow.error_limit == f"report.timeout_s = {TIMEOUT_S} s per cell"
    assert slow.error_message.startswith(f"over the limit: report.timeout_s = {TIMEOUT_S} s")
    assert f"after {TIMEOUT_S} seconds" in slow.error_message
    # 03_slow: parameters, markdown, sleep, print -> the sleep is cell 3 of 4
    assert slow.error_cell.startswith("cell 3 of 4") and slow.error_cell.endswith("import time")


def test_layout_and_no_partial_files(run):
    for name in ("good/01_chart", "bad/02_fails", "bad/03_slow"):
        r = run.by_name[name]
        assert r.html == run.out / AS_OF / f"{name}.html" and r.html.is_file()
        assert r.ipynb == run.out / AS_OF / f"{name}.ipynb" and r.ipynb.is_file()
    assert (run.out / "index.html").is_file()
    assert (run.set_dir("good") / "run.json").is_file()
    leftovers = [p for p in run.out.rglob("*") if ".part" in p.name or p.name.startswith(".")]
    assert leftovers == []


def test_timeout_is_recorded_in_the_executed_notebook(run):
    # papermill leaves no trace of a timeout in the notebook (§4.4); the runner adds one
    nb = nbformat.read(run.by_name["bad/03_slow"].ipynb, as_version=4)
    run_id = json.loads((run.set_dir("bad") / "run.json").read_text())["run_id"]
    assert nb.metadata["warmcall"]["status"] == "failed"
    assert nb.metadata["warmcall"]["error_type"] == "CellTimeoutError"
    assert nb.metadata["warmcall"]["error_limit"] == f"report.timeout_s = {TIMEOUT_S} s per cell"
    assert nb.metadata["warmcall"]["run_id"] == run_id
    good = nbformat.read(run.by_name["good/01_chart"].ipynb, 4).metadata["warmcall"]
    assert good == {"run_id": run_id}  # one run wrote both sets: one id


def test_offline_html_has_no_network_and_no_chart_javascript(run):
    html = run.by_name["good/01_chart"].html.read_text(encoding="utf-8")
    assert external_refs(html) == []
    assert "vegaEmbed" not in html and "VEGA_DEBUG" not in html  # no Vega runtime
    assert html.count('class="wc-chart"') == 1  # the chart is there, as a static figure
    assert "require.js" not in html and "mathjax" not in html.lower()
    assert len(html) < 500_000


def test_offline_html_escapes_hostile_data(run):
    html = run.by_name["good/01_chart"].html.read_text(encoding="utf-8")
    assert "</script><script>alert" not in html
    assert "<img src=x" not in html
    assert "\u202e" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html  # the table shows it as text
    assert "{{7*7}}" in html  # never evaluated by a template engine (would be 49)
    # the params title is hostile too: escaped in <title>, the header and the notebook output
    assert "<script>alert('title')" not in html
    assert html.count("&lt;script&gt;alert(") >= 2


def test_code_and_parameters_cells_are_not_in_the_html(run):
    html = run.by_name["good/01_chart"].html.read_text(encoding="utf-8")
    assert "display.setup(renderer)" not in html  # exclude_input
    assert "params_file" not in html and "injected-parameters" not in html  # TagRemove
    assert "metrics written" in html  # outputs stay


def test_failure_pages_are_readable_and_escaped(run):
    page = run.by_name["bad/02_fails"].html.read_text(encoding="utf-8")
    assert external_refs(page) == [] and "<script" not in page
    assert "FAILED" in page and "ValueError" in page
    assert "boom &lt;b&gt;not bold&lt;/b&gt;" in page and "<b>not bold" not in page
    assert "cell 4 of 5" in page
    assert re.search(r"<details><summary>Traceback</summary><pre>.*ValueError", page, re.S)
    assert 'href="02_fails.ipynb"' in page and 'href="../../index.html"' in page

    slow = run.by_name["bad/03_slow"].html.read_text(encoding="utf-8")
    assert "CellTimeoutError" in slow and "cell 3 of 4" in slow and "<script" not in slow
    # the page names the notebook, the cell and the limit
    assert "<th>Notebook</th><td>notebooks/03_slow.ipynb</td>" in slow
    assert f"<th>Limit</th><td>report.timeout_s = {TIMEOUT_S} s per cell</td>" in slow


def test_index_lists_every_report_with_status_and_working_links(run):
    index = (run.out / "index.html").read_text(encoding="utf-8")
    assert external_refs(index) == [] and "<script" not in index
    assert "1 ok, 2 failed" in index
    rows = re.findall(r"<tr><td>(\w+)</td><td>(\w+)</td><td class=\"(\w+)\">", index)
    assert sorted(rows) == [
        ("bad", "02_fails", "failed"),
        ("bad", "03_slow", "failed"),
        ("good", "01_chart", "ok"),
    ]
    hrefs = re.findall(r'href="([^"]+)"', index)
    # report + ipynb for each of the 3; the report sets' sections above link the same pages
    assert len(set(hrefs)) == 6
    for h in hrefs:
        assert not h.startswith(("/", "http")) and (run.out / h).is_file(), h


def test_metrics_snapshot_threads_and_cwd(run):
    r = run.by_name["good/01_chart"]
    m = json.loads((run.set_dir("good") / "metrics.json").read_text())
    cores = os.cpu_count() or 1
    threads = max(1, cores // 2)  # 2 sets, jobs=2 -> 2 workers
    assert m == {
        "rows": 5,
        "as_of": AS_OF,
        "polars_threads": threads,
        "POLARS_MAX_THREADS": str(threads),
        "cwd": str(run.root.resolve()),
    }
    assert r.metrics == m
    assert json.loads((run.set_dir("good") / "run.json").read_text())["metrics"] == m
    assert run.by_name["bad/02_fails"].metrics is None  # bad writes none
    assert history.metrics_history(run.out, "good") == [(AS_OF, m)]


def test_parameters_injected(run):
    nb = nbformat.read(run.by_name["good/01_chart"].ipynb, as_version=4)
    injected = nb.metadata["papermill"]["parameters"]
    assert sorted(injected) == sorted(notebooks.NOTEBOOK_PARAMETERS)
    assert injected["output_dir"] == str(run.set_dir("good"))
    assert injected["report_set"] == "good" and injected["renderer"] == "static"
    assert injected["params_file"] == str(run.params[0].resolve())
    assert injected["params"]["as_of"] == AS_OF and injected["params"]["title"] == HOSTILE_TITLE


# --------------------------------------------------------------------------- no papermill


def test_params_validated_before_anything_runs(tmp_path):
    files = make_project(tmp_path, {"a": "title: a\n", "b": "title: b\nbogus_key: 1\n"})
    out = tmp_path / "reports"
    with pytest.raises(InputError, match=r"b\.yaml: bogus_key: unknown key"):
        report.run_reports(files, out, progress=False, root=tmp_path)
    assert not out.exists()  # nothing ran, nothing written


def test_unknown_or_duplicate_names_are_input_errors(tmp_path):
    files = make_project(tmp_path, {"a": 'notebooks: ["99_nope"]\n'})
    with pytest.raises(InputError, match="no notebook matches '99_nope'"):
        report.run_reports(files, tmp_path / "r", progress=False, root=tmp_path)
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "a.yaml").write_text("title: x\n")
    good = make_project(tmp_path / "p2", {"a": "title: a\n"})
    with pytest.raises(InputError, match="report set name 'a' already used"):
        report.run_reports([*good, other / "a.yaml"], tmp_path / "r", root=tmp_path / "p2")


def _declared_in_parameters_cell(path: Path) -> list[str]:
    """The names assigned in a notebook's parameters cell, read with Python's ast (not with
    papermill, which the runner uses)."""
    import ast

    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    names = []
    for cell in cells:
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.Assign):
                names += [t.id for t in node.targets if isinstance(t, ast.Name)]
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
                names.append(node.target.id)
    return names


def test_project_notebooks_declare_what_the_runner_passes():
    root = Path(__file__).parents[1]
    found = notebooks.discover_notebooks(root)
    assert [p.name for p in found] == sorted(p.name for p in (root / "notebooks").glob("*.ipynb"))
    for nb in found:
        declared = _declared_in_parameters_cell(nb)
        assert set(notebooks.NOTEBOOK_PARAMETERS) <= set(declared), nb.name
        read = notebooks.notebook_parameters(nb)  # papermill's reading of the same cell
        assert set(notebooks.NOTEBOOK_PARAMETERS) <= set(read) <= set(declared), nb.name
    notebooks.check_parameters(found)  # the runner's check agrees: no error


def test_a_parameters_cell_missing_a_runner_name_stops_the_run(tmp_path):
    files = make_project(tmp_path, {"a": f'as_of: "{AS_OF}"\nnotebooks: ["01", "02"]\n'})
    path = tmp_path / "notebooks" / "02_fails.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = "\n".join(ln for ln in cell.source.splitlines() if "renderer" not in ln)
    nbformat.write(nb, path)
    assert "renderer" not in _declared_in_parameters_cell(path)
    out = tmp_path / "reports"
    with pytest.raises(InputError) as e:
        report.run_reports(files, out, progress=False, root=tmp_path)
    assert str(e.value).startswith(
        f"{path.resolve()}: the parameters cell does not declare renderer"
    )
    assert not out.exists()  # nothing ran, nothing written
    # a notebook without a parameters cell passes (papermill puts its cell first)
    notebooks.check_parameters([FIXTURE_DIR / "04_no_parameters.ipynb"])


def test_discover_and_select_notebooks(tmp_path):
    make_project(tmp_path, {})
    found = notebooks.discover_notebooks(tmp_path)
    # 04_no_parameters has no parameters cell -> not a report
    assert [p.name for p in found] == ["01_chart.ipynb", "02_fails.ipynb", "03_slow.ipynb",
                                      "05_nap.ipynb"]  # fmt: skip
    picked = notebooks.select_notebooks(found, ["03", "01_chart", "02_fails.ipynb"], "x")
    assert [p.stem for p in picked] == ["03_slow", "01_chart", "02_fails"]
    assert notebooks.find_project_root(tmp_path / "notebooks") == tmp_path.resolve()


def test_main_report_lines_and_exit_codes(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    ok = report.RunResult("s", "01_a", "ok", tmp_path / "r/2026-01-01/s/01_a.html", None,
                          tmp_path / "p.yaml", "2026-01-01", 1.0)  # fmt: skip
    bad = report.RunResult("s", "02_b", "failed", tmp_path / "r/2026-01-01/s/02_b.html", None,
                           tmp_path / "p.yaml", "2026-01-01", 1.0, "ValueError",
                           "bad \x1b[31mred\u202e", "cell 2 of 3 (In [1]): x")  # fmt: skip
    seen = {}

    def fake(
        params, out, jobs=None, notebooks=None, progress=True, root=None, scheduler=None, xlsx=False
    ):
        seen.update(params=params, out=out, jobs=jobs, notebooks=notebooks, progress=progress,
                    xlsx=xlsx)  # fmt: skip
        seen.update({"scheduler": scheduler} if scheduler else {})
        return fake.results

    monkeypatch.setattr(report_command, "run_reports", fake)
    fake.results = [ok]
    assert cli.main(["report", "-p", "x.yaml", "-j", "3", "--no-progress", "-o", "out"]) == 0
    assert seen == {"params": [Path("x.yaml")], "out": Path("out"), "jobs": 3,
                    "notebooks": None, "progress": False, "xlsx": False}  # fmt: skip
    assert capsys.readouterr().out.startswith("OK   s/01_a  r/2026-01-01/s/01_a.html")
    assert cli.main(["report", "-p", "x.yaml", "--xlsx", "--no-progress"]) == 0
    assert seen["xlsx"] is True
    capsys.readouterr()

    fake.results = [ok, bad]
    assert cli.main(["report", "-p", "x.yaml"]) == 1
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[1] == (
        "FAIL s/02_b  ValueError: bad \\x1b[31mred[U+202E] at cell 2 of 3 (In [1]): x"
        "  r/2026-01-01/s/02_b.html"
    )  # escape sequences from data never reach the terminal
    assert lines[2] == "index: r/index.html"
    # the failure is a RunError: one line on stderr, exit 1 (warmcall.core.errors)
    assert captured.err == "warmcall: error: r/index.html: 1 of 2 reports failed\n"
    fake.results = [bad]
    assert cli.main(["report", "-p", "x.yaml"]) == 1
    assert capsys.readouterr().err.endswith(": 1 of 1 report failed\n")


def test_main_report_input_error_is_one_line(tmp_path, monkeypatch, capsys):
    make_project(tmp_path, {"broken": "title: [unclosed\n"})
    monkeypatch.chdir(tmp_path)
    assert cli.main(["report", "--no-progress"]) == 2  # default: params/*.yaml
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "broken.yaml: not valid YAML" in err
    assert not (tmp_path / "reports").exists()


def test_write_atomic_replaces_or_leaves_old_file(tmp_path, monkeypatch):
    target = tmp_path / "a.html"
    write_text_atomic(target, "one")
    write_text_atomic(target, "two")
    assert target.read_text() == "two"

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("os.replace", boom)
    with pytest.raises(OSError):
        write_text_atomic(target, "three")
    assert target.read_text() == "two" and sorted(tmp_path.iterdir()) == [target]


def test_index_accumulates_history_and_escapes(tmp_path):
    for day, status in (("2026-10-26", "ok"), ("2026-11-02", "failed")):
        d = tmp_path / day / "acme"
        d.mkdir(parents=True)
        (d / "01_x.html").write_text("x")
        entry = {"notebook": "01_x", "status": status, "html": "01_x.html", "ipynb": None}
        run = {"notebooks": [{**entry, "error_type": "E", "error_message": "<b>m</b>"}]}
        (d / "run.json").write_text(json.dumps(run))
    (tmp_path / "not-a-date").mkdir()
    html = pages.write_index(tmp_path).read_text()
    assert html.index("2026-11-02") < html.index("2026-10-26")  # newest first
    assert "1 ok, 1 failed, 2 run date(s)" in html
    assert "&lt;b&gt;m&lt;/b&gt;" in html and "<b>m" not in html
    assert 'href="2026-10-26/acme/01_x.html"' in html and "not-a-date" not in html


def test_write_metrics_merges(tmp_path):
    history.write_metrics(tmp_path, {"a": 1, "when": __import__("datetime").date(2026, 1, 2)})
    history.write_metrics(tmp_path, {"b": 2, "a": 3})
    assert json.loads((tmp_path / "metrics.json").read_text()) == {
        "a": 3,
        "b": 2,
        "when": "2026-01-02",
    }


def test_template_ships_inside_the_package():
    from importlib.resources import files

    tdir = files("warmcall") / "templates" / "offline"
    assert json.loads((tdir / "conf.json").read_text())["base_template"] == "lab"
    j2 = (tdir / "index.html.j2").read_text()
    assert "include_js" not in j2 and "vega-offline" not in j2  # no JavaScript bundle
    assert '{% include "charts.css" %}' in j2 and (tdir / "charts.css").is_file()


# --------------------------------------------------------------------------- display


def _chart_html(df: pl.DataFrame) -> str:
    import altair as alt

    bundle = alt.Chart(df).mark_bar().encode(x="n:Q", y="name:N")._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    return data["text/html"]


def test_setup_escapes_script_breakers_in_chart_json():
    display.setup("default")
    names = ["</script><script>alert(1)</script>", "a & b > c", "x\u2028y", "evil\u202etxt"]
    html = _chart_html(pl.DataFrame({"name": names, "n": [1, 2, 3, 4]}))
    assert "</script><script>" not in html and "a & b" not in html and "\u2028" not in html
    spec = json.loads(re.search(r"\}\)\((\{.*\}), \{", html, re.S).group(1))
    shown = [r["name"] for r in next(iter(spec["datasets"].values()))]
    assert shown == [names[0], names[1], names[2], "evil[U+202E]txt"]  # same data, bidi visible


def test_setup_refuses_mime_and_cdn_renderers():
    for bad in ("mimetype", "jupyterlab", "nteract", "browser", "olli"):
        with pytest.raises(ValueError, match="not allowed"):
            display.setup(bad)
    with pytest.raises(ValueError, match="template"):
        display.setup("default", template="standard")
    with pytest.raises(ValueError, match="offline=True"):
        display.setup("jupyter", offline=False)
    with pytest.raises(ValueError, match="ScriptSafeJSON"):
        display.setup("default", json_kwds={"cls": __import__("json").JSONEncoder})
    display.setup("svg")
    display.setup("default")


def test_script_safe_json_round_trips():
    obj = {"k<": ["</script>", "&amp;", "\u2028\u2029", 1.5, None, True], "n": {"x": ">"}}
    text = display.ScriptSafeJSON().encode(obj)
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == obj
    assert "".join(display.ScriptSafeJSON(indent=1).iterencode(obj)) == display.ScriptSafeJSON(
        indent=1
    ).encode(obj)


def test_html_table_escapes_every_cell_and_shows_bidi_controls():
    df = pl.DataFrame(
        {
            "<th>": ["<img src=x onerror=alert(1)>", "a\u202eb\u2066c", None],
            "n": [1234, None, 3],
            "rate": [0.01234, 12.5, float("nan")],
        }
    )
    out = display.html_table(df, max_rows=2)
    s = out.data
    assert "<img" not in s and "&lt;img src=x onerror=alert(1)&gt;" in s
    assert "&lt;th&gt;" in s and "\u202e" not in s and "\u2066" not in s
    assert '<span class="wc-ctl">[U+202E]</span>' in s and "[U+2066]" in s
    # one format per column: the float column gets 3 decimals for all its values
    assert "1,234" in s and ">0.012<" in s and ">12.500<" in s and "\u2014" in s  # null: —
    assert '<td class="num"><bdi>\u2014</bdi></td>' in s  # null in a numeric column: aligned
    assert "showing 2 of 3 rows" in s and "dtype" not in s and "str" not in s
    assert s.count("<tr>") == 3  # header + 2 rows
    assert s.count("<bdi>") == 3 + 6


def test_escape():
    assert display.escape("<a href=\"x\">'&'</a>") == (
        "&lt;a href=&quot;x&quot;&gt;&#x27;&amp;&#x27;&lt;/a&gt;"
    )
    assert display.escape("ab\u202ecd") == "ab[U+202E]cd"
    assert display.escape(3) == "3"
