"""Every outreach and quality param reaches every consumer: for each param in turn, the plan
(act/plan.py: ``plan_outreach_result``), the what-if projection (act/projection.py) and the
live panel (present/whatif_view.py, what the widgets show) see the same people in the same
pools with the same quality, and each param moves what it should (issue "One pipeline,
visible layers")."""

from __future__ import annotations

import functools

import polars as pl
import pytest
import warmcall as wc
from test_plan import P as PLAN_P
from test_plan import T, fixture_wb
from warmcall.act.plan import eligible_people, plan_outreach_result
from warmcall.act.projection import project_outreach
from warmcall.core.params import Params
from warmcall.present.whatif_view import WhatIfModel

Pools = dict[str, frozenset[str]]


def _params(over: dict) -> Params:
    raw = {**PLAN_P, **{k: v for k, v in over.items() if k not in ("outreach", "quality")}}
    for section in ("outreach", "quality"):
        if section in over:
            raw[section] = over[section]
    return Params.model_validate(raw)


def _pools(frame: pl.DataFrame) -> Pools:
    return {
        k: frozenset(frame.filter(pl.col("pool") == k)["person_key"].to_list())
        for k in ("fading", "promising")
    }


def _quality(scores: pl.DataFrame) -> dict[tuple[str, str], float]:
    rows = scores.select("account_id", "contact_id", "quality").iter_rows()
    return {(a, c): round(q, 9) for a, c, q in rows}


def _three_ways(p: Params) -> dict:
    """The plan (10 calls a day for 5 days: room for everyone eligible in the fixture), the
    projection at that rate for a week, and the panel likewise; each one's own pools and
    counts, and the quality each one scored."""
    wb = fixture_wb()
    scores = wc.score(wb, p)
    res = plan_outreach_result(scores, per_day=10, days=5, params=p, as_of=T)
    assert res.shortfall > 0  # every eligible person is in the plan
    plan_pools = _pools(res.plan)
    pj = project_outreach(scores, 10, 5, p, T)  # 10 a day x 5 working days = 50 calls
    model = WhatIfModel(wb, p, as_of=T)
    live = model.state(calls_per_day=10, days=5)["projection"]
    assert model.scores is not None
    return {
        "plan": (plan_pools, {k: len(v) for k, v in plan_pools.items()}),
        "projection": (None, {"fading": pj["fading_calls"], "promising": pj["promising_calls"]}),
        "panel": (
            _pools(eligible_people(model.scores, T, p.outreach)),
            {"fading": live["fading_calls"], "promising": live["promising_calls"]},
        ),
        "quality": (_quality(scores), _quality(model.scores)),
        "plan_quality": dict(zip(res.plan["person_key"], res.plan["quality"], strict=True)),
    }


def _assert_agree(got: dict) -> None:
    plan_pools, plan_n = got["plan"]
    panel_pools, panel_n = got["panel"]
    assert plan_pools == panel_pools  # the same people in the same pools ...
    assert plan_n == got["projection"][1] == panel_n  # ... and the same counts
    scored, rescored = got["quality"]
    assert scored == pytest.approx(rescored, abs=1e-9)  # the panel scores as the pipeline does


@functools.cache
def _base() -> dict:
    return _three_ways(_params({}))


# Each value moves the pools of the fixture (tests/test_plan.py, worked out there by hand):
OUTREACH = [
    {"cooldown_days": 0},  # cool and cool13 (outbound 3 and 13 days ago) become promising
    {"fading_after_days": 200},  # nobody is silent that long: fade_tr, fade_hi leave fading
    {"min_quality": 100},  # no fading tie is that strong
    {"min_quality": 34},  # between fade_hi (33.1) and fade_tr (35.3): fade_tr alone
    {"large_followers": 100_000},  # big (50,000 followers, no other promise) drops out
]
QUALITY = [
    {"half_life_days": 5},
    {"intensity_scale": 1},
    {"duration_full_days": 30},
    {"multiplexity_full": 2},
    {"weights": {"intensity": 1, "reciprocity": 0, "recency": 0, "duration": 0, "intimacy": 0,
                 "multiplexity": 0}},
    {"kind_weights": {"call": 50.0}},
]  # fmt: skip


def test_baseline_agrees_and_has_both_pools() -> None:
    _assert_agree(_base())
    n = _base()["plan"][1]
    assert n == {"fading": 2, "promising": 6}  # tests/test_plan.py, by hand


@pytest.mark.parametrize(
    "over", OUTREACH, ids=lambda o: f"{next(iter(o))}={next(iter(o.values()))}"
)
def test_each_outreach_param_moves_plan_projection_and_panel_together(over: dict) -> None:
    got = _three_ways(_params({"outreach": over}))
    _assert_agree(got)
    assert got["plan"][0] != _base()["plan"][0]  # the param moved who is eligible


@pytest.mark.parametrize("over", QUALITY, ids=lambda o: next(iter(o)))
def test_each_quality_param_reaches_plan_projection_and_panel(over: dict) -> None:
    got = _three_ways(_params({"quality": over}))
    _assert_agree(got)
    # the param reached the scorer: some contact's quality changed, in the panel as well as
    # in the pipeline (checked equal above), and in the plan's rows
    assert got["quality"][0] != _base()["quality"][0]
    shared = got["plan_quality"].keys() & _base()["plan_quality"].keys()
    assert any(got["plan_quality"][k] != _base()["plan_quality"][k] for k in shared)


@pytest.mark.parametrize(("per_day", "days"), [(1, 5), (3, 5), (1, 10), (2, 10), (1, 7), (1, 3)])
def test_per_day_and_days_reach_plan_projection_and_panel_defaults(per_day: int, days: int) -> None:
    """The plan's calls per pool for ``outreach.per_day`` x ``outreach.days`` equal the
    projection's for that rate over the same working days (also when days is not a
    multiple of 5: 7 and 3), and the panel, with no control moved,
    starts from those params (fading first, alternating, the other pool filling in)."""
    p = _params({"outreach": {"per_day": per_day, "days": days}})
    scores = wc.score(fixture_wb(), p)
    res = plan_outreach_result(scores, params=p, as_of=T)
    plan = res.plan
    # by hand from the pool sizes (2 fading, 6 promising): F P F P then promising only
    slots = per_day * days
    want_f = min(2, (slots + 1) // 2)
    want = {"fading": want_f, "promising": min(6, slots - want_f)}
    assert {k: plan.filter(pl.col("pool") == k).height for k in ("fading", "promising")} == want
    pj = project_outreach(scores, per_day, days, p, T)
    assert {"fading": pj["fading_calls"], "promising": pj["promising_calls"]} == want
    model = WhatIfModel(fixture_wb(), p, as_of=T)
    st = model.state()
    assert (st["calls_per_day"], st["days"]) == (per_day, days)
    live = st["projection"]
    assert {"fading": live["fading_calls"], "promising": live["promising_calls"]} == want
    assert live["attempts"] == pj["attempts"] == slots == res.slots  # the plan's own slots
    assert live["unfilled"] == pj["unfilled"] == res.shortfall
