"""Every outreach and quality param reaches every consumer: for each param in turn, the plan
(act/plan.py), the what-if projection (act/projection.py) and the live panel's numbers
(present/whatif_view.py, what the widgets show) count the same fading and promising people,
and the outreach params move them (issue "One pipeline, visible layers")."""

from __future__ import annotations

import pytest
import warmcall as wc
from test_plan import P as PLAN_P
from test_plan import T, fixture_wb
from warmcall.act.plan import candidates
from warmcall.act.projection import project_outreach
from warmcall.core.params import Params
from warmcall.present.whatif_view import WhatIfModel

BIG = 50  # calls a day: enough that the projection calls everyone in both pools


def _params(over: dict) -> Params:
    raw = {**PLAN_P, **{k: v for k, v in over.items() if k not in ("outreach", "quality")}}
    for section in ("outreach", "quality"):
        if section in over:
            raw[section] = over[section]
    return Params.model_validate(raw)


def _three_ways(p: Params) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
    wb = fixture_wb()
    scores = wc.score(wb, p)
    c = candidates(scores, T, p.outreach)
    plan = (int((c["pool"] == "fading").sum()), int((c["pool"] == "promising").sum()))
    pj = project_outreach(scores, BIG, 4, p, T)
    projection = (pj["fading_calls"], pj["promising_calls"])
    live = WhatIfModel(wb, p, as_of=T).state(calls_per_day=BIG, weeks=4)["projection"]
    panel = (live["fading_calls"], live["promising_calls"])
    return plan, projection, panel


BASE = _params({})

OUTREACH = [
    {"cooldown_days": 0},
    {"fading_after_days": 200},
    {"min_quality": 100},
    {"min_quality": 34},  # between fade_hi (33.1) and fade_tr (35.3): one fading tie left
    {"large_followers": 100_000},
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


@pytest.mark.parametrize("over", OUTREACH, ids=lambda o: next(iter(o)))
def test_each_outreach_param_moves_plan_projection_and_panel_together(over: dict) -> None:
    base = _three_ways(BASE)
    got = _three_ways(_params({"outreach": over}))
    plan, projection, panel = got
    assert plan == projection == panel  # the three agree ...
    assert plan != base[0]  # ... and the param moved them


@pytest.mark.parametrize("over", QUALITY, ids=lambda o: next(iter(o)))
def test_each_quality_param_reaches_plan_projection_and_panel(over: dict) -> None:
    plan, projection, panel = _three_ways(_params({"quality": over}))
    assert plan == projection == panel


def test_baseline_agrees_and_has_both_pools() -> None:
    plan, projection, panel = _three_ways(BASE)
    assert plan == projection == panel and plan[0] > 0 and plan[1] > 0
