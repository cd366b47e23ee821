"""The one-call sections the notebooks display (warmcall.present.history, outreach.plan_sentence):
earlier runs of a report set are read from the runner's layout ``<out>/<date>/<set>/``,
written here by hand; with no ``output_dir`` nothing is read or written."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import pytest
from warmcall.core.params import Params
from warmcall.model.pipeline import analyse
from warmcall.present import history, outreach

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def a():
    return analyse(ROOT / "params" / "sample.yaml")


@pytest.fixture
def dirs(a, tmp_path):
    """This run's output_dir and the one of the same set a week earlier."""
    day = a.as_of
    now = tmp_path / "out" / day.isoformat() / "weekly"
    before = tmp_path / "out" / (day - timedelta(days=7)).isoformat() / "weekly"
    for d in (now, before):
        d.mkdir(parents=True)
    return now, before


def test_no_output_dir_reads_and_writes_nothing(a, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert history.runs_root("") is None
    assert history.change_since_last_run(a, "", "weekly").height == 0
    assert history.save_metrics(a, "") is None
    assert history.save_plan(a, outreach.outreach_plan(a), "") == []
    assert history.follow_through_since_last_run(a, "", "weekly").height == 0
    assert history.stage_moves_since_last_run(a, "", "weekly") is None
    assert list(tmp_path.iterdir()) == []


def test_change_reads_the_latest_earlier_run_of_the_same_set(a, dirs) -> None:
    now, before = dirs
    out = now.parents[1]
    (before / "metrics.json").write_text(json.dumps({"followers": 5, "two_way": 1}))
    older = out / "2001-01-01" / "weekly"
    older.mkdir(parents=True)
    (older / "metrics.json").write_text(json.dumps({"followers": 1}))
    other = out / before.parent.name / "other-set"
    other.mkdir()
    (other / "metrics.json").write_text(json.dumps({"followers": 999}))
    (now / "metrics.json").write_text(json.dumps({"followers": 777}))  # same day: not "previous"

    change = history.change_since_last_run(a, now, "weekly")
    rows = {r["metric"]: r for r in change.iter_rows(named=True)}
    assert set(change["since"]) == {before.parent.name}
    assert rows["followers"]["previous"] == 5 and rows["two-way"]["previous"] == 1
    assert set(rows) == {"followers", "two-way"}  # the earlier run had only these two


def test_save_metrics_is_read_back_as_history(a, dirs) -> None:
    now, before = dirs
    path = history.save_metrics(a, before)
    assert path == before / "metrics.json"
    saved = json.loads(path.read_text())
    assert saved["as_of"] == a.as_of.isoformat()
    change = history.change_since_last_run(a, now, "weekly")
    assert change.height and set(change["change"]) == {0.0}  # same data a week later


def test_previous_plan_gives_the_follow_through(a, dirs) -> None:
    now, before = dirs
    result = outreach.outreach_plan(a)
    written = history.save_plan(a, result, before)
    assert [p.name for p in written] == ["plan.csv", "plan.ics", "plan.vcf", "stages.parquet"]
    with (before / "plan.csv").open(newline="", encoding="utf-8") as f:
        planned = list(csv.DictReader(f))
    assert planned and "BEGIN:VCALENDAR" in (before / "plan.ics").read_text()

    ft = history.follow_through_since_last_run(a, now, "weekly")
    assert ft.height == len(planned)
    assert ft["date"].to_list() == [r["date"] for r in planned]
    assert outreach.follow_through_sentence(ft).startswith(f"Of the {len(planned)} calls planned")


def test_stage_moves_against_the_previous_stages(a, dirs) -> None:
    now, before = dirs
    assert history.stage_moves_since_last_run(a, now, "weekly") is None
    assert history.stage_moves_sentence(None) == "No earlier run to compare with yet."

    trusted = a.scores.filter(pl.col("stage") == "trusted").head(2)
    prev = trusted.select("account_id", "contact_id", stage=pl.lit("engaged"))
    prev.write_parquet(before / "stages.parquet")
    moves = history.stage_moves_since_last_run(a, now, "weekly")
    assert moves is not None and moves.height == 2
    assert set(moves["from"]) == {"engaged"} and set(moves["to"]) == {"trusted"}
    assert set(moves["direction"]) == {"up"}
    assert history.stage_moves_sentence(moves) == "2 contacts changed stage."
    assert history.stage_moves_sentence(moves.head(1)) == "1 contact changed stage."
    assert history.stage_moves_sentence(moves.clear()) == "0 contacts changed stage."


def test_plan_sentence_counts_and_escapes() -> None:
    o = Params.model_validate({"outreach": {"timezone": "<b>UTC</b>", "days": 1}}).outreach
    one = SimpleNamespace(plan=pl.DataFrame({"x": [1]}), start="2026-11-16", note="")
    assert outreach.plan_sentence(one, o) == (
        f"**1 call** from 2026-11-16 ({o.per_day} a day for 1 working day, "
        f"{o.slot_minutes}-minute slots from {o.start_time} &lt;b&gt;UTC&lt;/b&gt;)."
    )
    short = SimpleNamespace(plan=pl.DataFrame({"x": [1, 2]}), start="2026-11-16", note="<i>")
    assert outreach.plan_sentence(short, o).startswith("**2 calls** from")
    assert outreach.plan_sentence(short, o).endswith("). &lt;i&gt;")
