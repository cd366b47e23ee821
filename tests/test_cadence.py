"""Keep-in-touch cadence: people.csv (read through the one handle normaliser, bad rows set
aside with a reason), who is overdue and by how much, and overdue people first in the plan.
Expected values are worked out from the fixture's dates with plain ``datetime``."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
import warmcall as wc
from helpers import conn, inter, workbook
from warmcall.act.plan import candidates, plan_outreach_result
from warmcall.core.errors import InputError, ParamsError
from warmcall.core.params import load_params, parse_params
from warmcall.ingest.people import read_people
from warmcall.model.cadence import overdue
from warmcall.present import datafiles

T = date(2026, 11, 13)
PEOPLE_CSV = (
    "handle,platform,cadence_days,tag\n"
    "https://x.com/Tight,x,14,client\n"  # 2: the URL form of @tight
    "@TIGHT,x,7,again\n"  # 3: the same handle again
    ",x,10,\n"  # 4: no handle
    "someone,myspace,10,\n"  # 5: not a platform
    "other,x,soon,\n"  # 6: not a number
    "zero,x,0,\n"  # 7: below 1
    "warm,x,,friend\n"  # 8: a tag only: the stage cadence still applies
)


def _wb():
    """tight: one reply out on 10-20 (24 days before T), stage reached (no stage cadence);
    warm: replies both ways on 10-01 and 10-02 (42 days), conversant (cadence 60: not
    overdue), stronger than tight; old: a call on 09-01 (73 days), trusted (cadence 30)."""
    conns = [conn("tight", handle="tight"), conn("warm", handle="warm"), conn("old", handle="old")]
    ints = [
        inter("tight", "2026-10-20", "reply", "out"),
        inter("warm", "2026-10-01", "reply", "in"),
        inter("warm", "2026-10-01", "dm", "in"),
        inter("warm", "2026-10-02", "reply", "out"),
        inter("old", "2026-09-01", "call", "out"),
    ]
    return workbook(connections=conns, interactions=ints)


@pytest.fixture()
def people_params(tmp_path: Path) -> dict:
    (tmp_path / "people.csv").write_text(PEOPLE_CSV, encoding="utf-8")
    return {"as_of": T.isoformat(), "people": str(tmp_path / "people.csv"),
            "outreach": {"min_quality": 0}}  # fmt: skip


def test_people_csv_rows_loaded_or_set_aside(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(PEOPLE_CSV, encoding="utf-8")
    pf = read_people(tmp_path / "people.csv")
    assert pf.rows.select("platform", "_h", "person_cadence_days", "tag").rows() == [
        ("x", "tight", 14, "client"),
        ("x", "warm", None, "friend"),
    ]
    reasons = dict(pf.set_aside.rows())
    assert reasons[3] == "duplicate of line 2"
    assert reasons[4] == "no handle"
    assert reasons[5].startswith("unknown platform")
    assert reasons[6] == reasons[7] == "cadence_days is not a whole number of days from 1 to 3650"
    # every data row (lines 2..8) is loaded or set aside
    assert len(pf.rows) + len(reasons) == PEOPLE_CSV.count("\n") - 1


def test_people_csv_without_columns_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("name,cadence_days\nbob,3\n", encoding="utf-8")
    with pytest.raises(InputError, match="missing column.*handle, platform"):
        read_people(tmp_path / "people.csv")


def test_overdue_by_people_csv_and_by_stage(people_params: dict) -> None:
    scores = wc.score(_wb(), people_params)
    got = {r["person_key"]: r for r in overdue(scores, T).iter_rows(named=True)}
    tight_days = (T - date(2026, 10, 20)).days  # 24
    old_days = (T - date(2026, 9, 1)).days  # 73
    assert set(got) == {"x:me/tight", "x:me/old"}  # warm: 42 days < 60, not overdue
    assert got["x:me/tight"]["overdue_days"] == tight_days - 14
    assert got["x:me/tight"]["cadence_from"] == "people.csv"
    assert got["x:me/tight"]["tag"] == "client"
    assert got["x:me/old"]["overdue_days"] == old_days - 30  # trusted: 30 by default
    assert got["x:me/old"]["cadence_from"] == "stage"
    # most overdue first
    assert overdue(scores, T)["person_key"].to_list() == ["x:me/old", "x:me/tight"]


def test_stage_cadence_is_a_param(people_params: dict) -> None:
    p = {**people_params, "outreach": {"min_quality": 0, "cadence_days": {"conversant": 30}}}
    got = overdue(wc.score(_wb(), p), T, parse_params(p).outreach)
    by = dict(zip(got["person_key"], got["overdue_days"], strict=True))
    # conversant now every 30 days: warm, silent 42 days, is 12 over; trusted has no cadence
    assert by == {"x:me/warm": 42 - 30, "x:me/tight": 24 - 14}


def test_overdue_person_is_planned_before_a_stronger_fading_tie(people_params: dict) -> None:
    """Without people.csv, warm (stronger) leads the fading ties ahead of tight; with it,
    tight is overdue and comes first."""
    outreach = parse_params(people_params).outreach
    without = {k: v for k, v in people_params.items() if k != "people"}
    base = wc.score(_wb(), without)
    fading = candidates(base, T, outreach).filter(pl.col("pool") == "fading")
    keys = fading["person_key"].to_list()
    assert keys.index("x:me/warm") < keys.index("x:me/tight")  # by quality, the control
    scores = wc.score(_wb(), people_params)
    fading = candidates(scores, T, outreach).filter(pl.col("pool") == "fading")
    # both overdue ones first, most overdue first (old 43, tight 10), then warm
    assert fading["person_key"].to_list() == ["x:me/old", "x:me/tight", "x:me/warm"]
    plan = plan_outreach_result(scores, per_day=3, days=1, params=people_params, as_of=T).plan
    assert plan["person_key"].to_list().index("x:me/tight") < plan["person_key"].to_list().index(
        "x:me/warm"
    )
    tight = plan.filter(pl.col("person_key") == "x:me/tight").row(0, named=True)
    assert tight["reason"].startswith(
        "overdue by 10 days (keep in touch every 14 days, people.csv)"
    )


def test_people_param_is_a_path_relative_to_the_params_file(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("people: lists/people.csv\n", encoding="utf-8")
    assert load_params(tmp_path / "p.yaml").people == (tmp_path / "lists" / "people.csv").resolve()
    with pytest.raises(ParamsError, match="cadence_days"):
        parse_params({"outreach": {"cadence_days": {"best friends": 7}}})


def test_overdue_list_saved_beside_the_report(people_params: dict, tmp_path: Path) -> None:
    """The outreach page's overdue table, saved with datafiles.save_table, reads back with
    the same people and numbers (data/overdue.csv)."""
    from warmcall.present import outreach

    scores = wc.score(_wb(), people_params)
    table = outreach.overdue_table(overdue(scores, T))
    link = datafiles.save_table(tmp_path, "overdue", table)
    datafiles.finish_writes()
    assert link == "data/overdue.csv"
    back = pl.read_csv(tmp_path / "data" / "overdue.csv")
    assert back["overdue_days"].to_list() == [73 - 30, 24 - 14]
    assert back["tag"].to_list() == [None, "client"]
