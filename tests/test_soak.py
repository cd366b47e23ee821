"""bench/soak.py's checks find mixed output, and its section of BENCHMARKS.md survives
``bench/run.py --write`` (the soak itself is ``make soak``: minutes, not a unit test)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import run as bench_run  # noqa: E402
import soak  # noqa: E402


def _set(d: Path, rid: str, pages: dict[str, str], metrics: dict | None) -> None:
    """A report-set folder as the runner leaves it: run.json of run ``rid`` listing
    ``pages`` (name -> the run id the page carries)."""
    d.mkdir(parents=True)
    listed = []
    for name, page_rid in pages.items():
        (d / f"{name}.html").write_text(f'<div class="wc-header" data-run="{page_rid}">')
        nb = {"cells": [], "metadata": {"warmcall": {"run_id": page_rid}}}
        (d / f"{name}.ipynb").write_text(json.dumps(nb))
        listed.append({"notebook": name, "status": "ok", "html": f"{name}.html"})
    run = {"run_id": rid, "status": "finished", "notebooks": listed, "metrics": metrics}
    (d / "run.json").write_text(json.dumps(run))
    if metrics is not None:
        (d / "metrics.json").write_text(json.dumps(metrics))


def test_check_set_accepts_one_run_and_finds_every_kind_of_mix(tmp_path):
    _set(tmp_path / "ok", "R1", {"01_a": "R1", "02_b": "R1"}, {"x": 1})
    assert soak.check_set(tmp_path / "ok") == []

    _set(tmp_path / "mixed", "R1", {"01_a": "R1", "02_b": "R2"}, {"x": 1})
    (tmp_path / "mixed" / "metrics.json").write_text('{"x": 2}')  # the other run's metrics
    (tmp_path / "mixed" / "03_c.html").write_text('data-run="R2"')  # a page run.json lacks
    problems = soak.check_set(tmp_path / "mixed")
    assert any("02_b.html: not from run R1" in p for p in problems)
    assert any("02_b.ipynb: from run R2, run.json R1" in p for p in problems)
    assert any("metrics.json differs" in p for p in problems)
    assert any("pages ['01_a.html', '02_b.html', '03_c.html']" in p for p in problems)

    (tmp_path / "none").mkdir()
    expect = f"{tmp_path.name}/none: no readable run.json (FileNotFoundError)"
    assert soak.check_set(tmp_path / "none") == [expect]


def test_soak_section_is_replaced_and_survives_the_bench(tmp_path):
    md = tmp_path / "BENCHMARKS.md"
    md.write_text("# Benchmarks\n\nold figures\n\n## Notes\n\nby hand\n")
    soak.write_section(md, f"{soak.BEGIN}\n## Soak\n\nfirst\n{soak.END}\n")
    soak.write_section(md, f"{soak.BEGIN}\n## Soak\n\nsecond\n{soak.END}\n")
    text = md.read_text()
    assert text.count(soak.BEGIN) == 1 and "second" in text and "first" not in text
    res = {
        "S": {**dict.fromkeys(bench_run.KEYS, 1.0), "sets_per_minute": {"local": 1.0, "dask": None}}
    }
    bench_run.write_markdown(md, res, {"S": {}}, bench_run.machine())
    text = md.read_text()
    assert "old figures" not in text and "by hand" in text
    assert text.count(soak.BEGIN) == 1 and "second" in text
    # a soak section placed before the notes is kept too
    md.write_text(f"# B\n\n{soak.BEGIN}\n## Soak\nthird\n{soak.END}\n\n## Notes\nn\n")
    bench_run.write_markdown(md, res, {"S": {}}, bench_run.machine())
    text = md.read_text()
    assert "third" in text and "\n## Notes\nn" in text and text.count(soak.END) == 1
