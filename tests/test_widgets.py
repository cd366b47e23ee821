"""The what-if panel driven headlessly: set ``.value``, read ``panel.state`` and the HTML
(docs/notebook-stack.md §3.3: observers fire synchronously without a kernel)."""

from __future__ import annotations

from datetime import date

import ipywidgets as W
import polars as pl
import pytest
import warmcall as wc
from helpers import conn, inter, workbook
from traitlets import TraitError
from warmcall.act import projection
from warmcall.act import whatif as wf
from warmcall.present.widgets import WhatIfPanel

T = date(2026, 6, 30)
EVIL = "<script>alert(1)</script>"
P = {
    "as_of": "2026-06-30",
    "window_days": 90,
    "segments": [
        {"name": EVIL, "keywords": ["research"]},
        {"name": "peers", "keywords": ["analyst"]},
    ],
}


def wb():
    """x: a (conversant, 40 days ago: in the 90-day window, not the 30-day one), b (engaged),
    c (silent, research); linkedin: d (trusted by a call), e (silent analyst)."""
    return workbook(
        connections=[
            conn("a", follows_me=True, bio="analyst"), conn("b", follows_me=True, bio="research"),
            conn("c", follows_me=True, bio="research"),
            conn("d", account="li:me", platform="linkedin", follows_me=True, i_follow=True,
                 bio="analyst"),
            conn("e", account="li:me", platform="linkedin", follows_me=True, bio="analyst"),
        ],
        interactions=[
            inter("a", "2026-05-21", "reply", "in"), inter("a", "2026-05-22", "reply", "out"),
            inter("b", "2026-06-20", "comment", "in"),
            inter("d", "2026-06-01", "call", "out", account="li:me", platform="linkedin"),
        ],
    )  # fmt: skip


def test_initial_state_matches_pure_functions() -> None:
    w = wb()
    panel = WhatIfPanel(w, P)
    f = wf.features_for_window(w, P, T)
    expect = wf.summary(wf.rescore(f, None, T, base=wc.Params.model_validate(P)))
    assert panel.state["summary"] == expect
    assert expect["stages"] == {
        "connection": 2,
        "reached": 0,
        "aware": 0,
        "engaged": 1,
        "conversant": 1,
        "trusted": 1,
    }
    assert panel.state["platforms"] is None and panel.state["segments"] is None
    assert (
        panel.state["window_days"] == 90
        and panel.state["calls_per_day"] == 2
        and panel.state["days"] == 5  # params default outreach.days
    )
    assert all(not c.continuous_update for c in panel.controls() if hasattr(c, "continuous_update"))
    assert (
        "Of your 5 followers, 2 people engaged in the window; 2 relationships are two-way, "
        "1 of them trusted" in panel.summary_html.value
    )
    assert "2 people a working day for 5 working days (1 week," in panel.summary_html.value
    assert panel.chart is not None


def test_window_slider_recomputes_stages() -> None:
    panel = WhatIfPanel(wb(), P)
    panel.window.value = 30  # a's exchange (40 days ago) leaves the window
    assert panel.state["window_days"] == 30
    assert panel.state["summary"]["stages"]["conversant"] == 0
    assert panel.state["summary"]["two_way"] == 1  # only d (call within 365 days)
    panel.window.value = 999
    assert panel.window.value == 365  # clamped by the slider


def test_weights_half_life_and_filters() -> None:
    w = wb()
    panel = WhatIfPanel(w, P)
    before = panel.state["summary"]["mean_quality"]
    for c, s in panel.weights.items():
        s.value = 1.0 if c == "recency" else 0.0
    panel.half_life.value = 10
    f = wf.features_for_window(w, P, T)
    only = {c: (1.0 if c == "recency" else 0.0) for c in panel.weights}
    r = wf.rescore(f, {"half_life_days": 10, "weights": only}, T, base=wc.Params.model_validate(P))
    assert panel.state["weights"] == only and panel.state["half_life_days"] == 10
    assert panel.state["summary"] == wf.summary(r) != before
    assert panel.scores["quality"].to_list() == r["quality"].to_list()
    panel.platforms.value = ("linkedin",)
    assert panel.state["platforms"] == ["linkedin"] and panel.state["summary"]["contacts"] == 2
    panel.segments.value = ("peers",)
    assert panel.state["summary"]["contacts"] == 2  # d and e are analysts
    panel.platforms.value = ()  # empty selection = all platforms
    assert panel.state["platforms"] is None and panel.state["summary"]["contacts"] == 3  # a, d, e


def test_prune_and_projection_sliders() -> None:
    panel = WhatIfPanel(wb(), P)
    assert panel.state["prune"]["pruned"] == 0 and panel.state["prune"]["remaining_followers"] == 5
    panel.min_quality.value = 1  # c and e never interacted: quality of duration 0 -> 0
    q = dict(zip(panel.scores["contact_id"], panel.scores["quality"], strict=True))
    below = sum(1 for v in q.values() if v < 1)
    assert (
        below == 2
        and panel.state["prune"]["pruned"] == 2
        and panel.state["prune"]["remaining_followers"] == 3
    )
    assert "5 followers → 3" in panel.summary_html.value
    panel.calls_per_day.value = 3
    panel.days.value = 7
    pj = panel.state["projection"]
    assert pj["attempts"] == 21 and pj["assumptions"]["referral_uplift"] == 10.0
    assert pj == projection.project_outreach(panel.scores, 3, 7, wc.Params.model_validate(P), T)
    assert "3 people a working day for 7 working days (1.4 weeks," in panel.summary_html.value
    assert "projection under stated assumptions" in panel.summary_html.value


def test_html_escapes_names_from_params_and_data() -> None:
    panel = WhatIfPanel(wb(), P)
    assert EVIL in panel.segments.options
    panel.segments.value = (EVIL,)
    html = panel.summary_html.value
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_panel_from_a_frame_fixes_the_window() -> None:
    s = wc.score(wb(), P)
    panel = WhatIfPanel(s, P, as_of=T)
    assert panel.window.disabled
    assert panel.state["summary"]["stages"] == wf.summary(s)["stages"]
    panel.half_life.value = 30
    assert panel.state["half_life_days"] == 30.0
    with pytest.raises(TraitError):  # not an option
        panel.platforms.value = ("mars",)


def test_state_is_plain_data() -> None:
    import json

    panel = WhatIfPanel(wb(), P)
    json.dumps(panel.state, default=str)  # the state can be printed or stored by a notebook
    assert isinstance(panel.widget, W.VBox)
    assert pl.DataFrame(panel.state["prune"]["by_account"]).height == 2


def test_count_ticks_are_whole_and_sparse() -> None:
    from warmcall.present.whatif_view import count_ticks

    assert count_ticks(0) == [0, 1] and count_ticks(3) == [0, 1, 2, 3]
    assert count_ticks(4) == [0, 1] and count_ticks(9) == [0, 1, 5]
    assert count_ticks(10) == [0, 10] and count_ticks(99) == [0, 10]
    assert count_ticks(16_678) == [0, 10, 100, 1_000, 10_000]


def test_chart_axes_have_units_and_integer_ticks() -> None:
    panel = WhatIfPanel(wb(), P)
    spec = panel.chart.to_dict()
    stage, hist = spec["hconcat"]
    people = [stage["encoding"]["x"], hist["encoding"]["y"]]
    for enc in people:
        assert enc["title"] == "contacts (people, log scale)"
        assert all(type(v) is int for v in enc["axis"]["values"]) and enc["axis"]["format"] == ",d"
    # the fixture: 2 contacts at stage connection, 1 engaged, 1 conversant, 1 trusted
    assert stage["encoding"]["x"]["axis"]["values"] == [0, 1, 2]
    assert "0–100" in hist["encoding"]["x"]["title"] and stage["encoding"]["y"]["title"]


def test_people_on_the_page_are_whole_and_agree() -> None:
    """Every "about N ..." of the projection is the expected value rounded half to even
    (decimal's ROUND_HALF_EVEN, independently of the code's round()), and no count of
    people on the page has a fraction."""
    import re
    from decimal import ROUND_HALF_EVEN, Decimal

    panel = WhatIfPanel(wb(), P)
    shown_names = {
        "new_conversant": "new conversant tie",
        "new_trusted": "new trusted tie",
        "rewarmed": "fading tie",
        "expected_referrals": "referral",
        "cold_approaches_equivalent": "cold approach",
    }
    seen = set()
    for calls, days in [(1, 1), (3, 7), (5, 9), (20, 60)]:
        panel.calls_per_day.value, panel.days.value = calls, days
        html, pj = panel.summary_html.value, panel.state["projection"]
        for key, name in shown_names.items():
            want = int(Decimal(repr(pj[key])).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
            noun = name if want == 1 else ("cold approaches" if "approach" in name else name + "s")
            assert f"about {want:,} {noun}" in html, (key, pj[key], html)
            seen.add(pj[key] != int(pj[key]))
        assert not re.search(r"\d\.\d+ (?:people|person|ties?|referrals?|followers?|calls?)", html)
    assert True in seen  # some expectation was fractional: the rounding was exercised


def test_engaged_sentence_counts_only_accounts_that_can_show_it() -> None:
    """An overview saying li:me's export cannot show engagement by others (engaged null):
    the sentence counts x:me alone. By hand from wb(): x:me has 3 followers (a, b, c);
    inbound in the 90-day window: a (2026-05-21), b (2026-06-20) -> 2 people."""
    ov = pl.DataFrame(
        {"account_id": ["li:me", "x:me"], "followers": [2, 3], "engaged": [None, 2]},
        schema={"account_id": pl.String, "followers": pl.Int64, "engaged": pl.UInt32},
    )
    panel = WhatIfPanel(wb(), P, overview=ov)
    html = panel.summary_html.value
    assert (
        "Of your 3 followers, 2 people engaged in the window (the exports of 1 other account "
        "cannot show engagement by others)" in html
    )
    li = next(r for r in panel.state["prune"]["by_account"] if r["account_id"] == "li:me")
    assert li["engaged"] is None and li["engaged_rate_before"] is None
    assert "<td>li:me</td><td>2</td><td>not in this export</td>" in html
    panel.segments.value = ("peers",)  # a segment: listed followers, the same accounts masked
    li = next(r for r in panel.state["prune"]["by_account"] if r["account_id"] == "li:me")
    assert li["engaged"] is None and li["followers"] == 2  # d and e are analysts, both follow
