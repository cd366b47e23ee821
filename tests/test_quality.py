"""Stages at their boundaries, Dunbar layers, quality components by hand, properties."""

from __future__ import annotations

import math
import random
from datetime import date

import polars as pl
import warmcall.model.scoring as sc
from helpers import conn, inter, workbook
from hypothesis import given, settings
from hypothesis import strategies as st
from warmcall.model.quality import STAGES

T = "2026-06-30"  # as_of; window 90 days -> first window day is 2026-04-02 (T - 89)
P = {"as_of": T, "window_days": 90}


def stages(interactions: list[dict], connections: list[dict] = ()) -> dict[str, str]:
    s = sc.score(workbook(connections=connections, interactions=interactions), P)
    return dict(zip(s["contact_id"], s["stage"].cast(pl.String), strict=True))


def test_stage_rules_at_boundaries() -> None:
    got = stages(
        [
            inter("call_364", "2025-07-01", "call", "out"),  # T-364: inside the 365 days
            inter("call_365", "2025-06-30", "meeting", "out"),  # T-365: outside -> connection
            inter("dm_both", "2026-04-02", "dm", "in"),  # first window day
            inter("dm_both", "2026-06-30", "dm", "out"),  # last window day
            inter("dm_edge", "2026-04-01", "dm", "in"),  # day before the window
            inter("dm_edge", "2026-06-30", "dm", "out"),  # -> only out in window: reached
            inter("conv", "2026-05-01", "like", "in"),
            inter("conv", "2026-05-02", "reply", "out"),
            inter("eng", "2026-05-01", "comment", "in"),
            inter("eng", "2026-05-01", "like", "in"),
            inter("aware", "2026-06-01", "reaction", "in"),
            inter("future", "2026-07-01", "call", "out"),  # after T: ignored
            inter("future", "2026-07-01", "reply", "in"),
            inter("out_only", "2026-06-01", "reply", "out"),
            inter("out_first_day", "2026-04-02", "like", "out"),  # first window day: reached
            inter("out_before", "2026-04-01", "mention", "out"),  # day before: connection
            inter("out_in_old", "2026-06-01", "share", "out"),  # in before the window: reached
            inter("out_in_old", "2026-03-01", "reply", "in"),
            inter("like_out_like_in", "2026-06-01", "like", "out"),  # both ways: conversant
            inter("like_out_like_in", "2026-06-02", "like", "in"),
        ],
        [conn("silent")],
    )
    assert got == {
        "call_364": "trusted",
        "call_365": "connection",
        "dm_both": "trusted",
        "dm_edge": "reached",
        "conv": "conversant",
        "eng": "engaged",
        "aware": "aware",
        "out_only": "reached",
        "out_first_day": "reached",
        "out_before": "connection",
        "out_in_old": "reached",
        "like_out_like_in": "conversant",
        "silent": "connection",
    }  # fmt: skip  (future has no interactions up to T and is no connection: not a contact)


def test_contacts_not_connected_are_kept_and_marked() -> None:
    s = sc.score(
        workbook(
            connections=[conn("a"), conn("f", follows_me=True, i_follow=False),
                         conn("named_dm", handle="nd", follows_me=False, i_follow=False)],
            interactions=[inter("b", "2026-06-01", "like", "in"),
                          inter("named_dm", "2026-06-01", "dm", "in")],
        ),
        P,
    )  # fmt: skip
    assert dict(zip(s["contact_id"], s["is_connection"], strict=True)) == {
        "a": True, "f": True, "named_dm": False, "b": False}  # fmt: skip


def test_components_by_hand() -> None:
    # one contact: connected 365 days before T, mutual follow, 2 interactions in the year:
    # a dm in (weight 3) 30 days before T and a like out (weight 0.5) 60 days before T.
    wb = workbook(
        connections=[
            conn("c", follows_me=True, i_follow=True, connected_at="2025-06-30T00:00:00Z")
        ],
        interactions=[
            inter("c", "2026-05-31", "dm", "in"),
            inter("c", "2026-05-01", "like", "out"),
        ],
    )
    row = sc.score(wb, P).row(0, named=True)
    assert math.isclose(row["intensity"], 1 - math.exp(-3.5 / 12), rel_tol=1e-9)
    assert row["reciprocity"] == 1.0  # both directions + mutual follow
    assert math.isclose(row["recency"], 0.5 ** (30 / 60), rel_tol=1e-9)
    assert math.isclose(row["duration"], 365 / 730, rel_tol=1e-9)
    assert row["intimacy"] == 0.5  # 1 of 2 private
    assert math.isclose(row["multiplexity"], 1 / 3, rel_tol=1e-9)  # 2 kinds: (2-1)/(4-1)
    w = {"intensity": 0.25, "reciprocity": 0.2, "recency": 0.25, "duration": 0.1, "intimacy": 0.15,
         "multiplexity": 0.05}  # fmt: skip
    expected = 100 * sum(row[k] * v for k, v in w.items())
    assert row["quality"] == round(expected, 1)


def test_layers_cut_offs() -> None:
    # 20 contacts with strictly decreasing activity -> ranks 1..20 -> layers 5 / 15 / 50
    ints = [
        inter(f"c{i:02d}", "2026-06-30", "like", "in", post_id=f"p{j}")
        for i in range(20)
        for j in range(20 - i)
    ]
    s = sc.score(workbook(interactions=ints, connections=[conn("zero_quality_no")]), P)
    layer = dict(zip(s["contact_id"], s["layer"].cast(pl.String), strict=True))
    assert [layer[f"c{i:02d}"] for i in (0, 4, 5, 14, 15, 19)] == ["5", "5", "15", "15", "50", "50"]
    assert layer["zero_quality_no"] is None  # quality 0: in no layer


def test_only_live_ties_have_a_layer() -> None:
    # a strong old friend (mutual, long-known, many DMs, but none in the last 365 days) must
    # not take a place in the five closest; a weak live tie does
    old = [inter("old_friend", "2025-06-29", "dm", d, post_id=f"o{i}{d}") for i in range(30)
           for d in ("in", "out")]  # fmt: skip
    wb = workbook(
        connections=[conn("old_friend", follows_me=True, i_follow=True,
                          connected_at="2015-01-01T00:00:00Z")],
        interactions=[*old, inter("weak", "2026-06-01", "like", "in")],
    )  # fmt: skip
    s = sc.score(wb, P)
    layer = dict(zip(s["contact_id"], s["layer"].cast(pl.String), strict=True))
    q = dict(zip(s["contact_id"], s["quality"], strict=True))
    assert q["old_friend"] > q["weak"] > 0  # the old tie scores higher ...
    assert layer == {"old_friend": None, "weak": "5"}  # ... but only the live one is layered


def _reference_stage(events: list[tuple[str, int, str, str]], who: str) -> str:
    """The stage rules written independently over (contact, days before T, kind, direction)
    events: window W = 90 days (days_ago 0..89), year = days_ago 0..364."""
    mine = [(d, k, r) for c, d, k, r in events if c == who and d >= 0]
    win = [(k, r) for d, k, r in mine if d <= 89]
    year = [(k, r) for d, k, r in mine if d <= 364]
    ins = [k for k, r in win if r == "in"]
    outs = [k for k, r in win if r == "out"]
    if any(k in ("call", "meeting", "event") for k, _ in year) or ("dm" in ins and "dm" in outs):
        return "trusted"
    if ins and outs:
        return "conversant"
    if any(k not in ("like", "reaction") for k in ins):
        return "engaged"
    if ins:
        return "aware"
    if outs:
        return "reached"
    return "connection"


def test_score_accepts_params_object_dict_and_path(tmp_path) -> None:
    from warmcall.core.params import Params

    wb = workbook(interactions=[inter("a", "2026-06-01", "dm", "in")])
    p = tmp_path / "p.yaml"
    p.write_text(f'as_of: "{T}"\nwindow_days: 90\n')
    outs = [
        sc.score(wb, x)["quality"].to_list() for x in (P, Params(as_of=date(2026, 6, 30)), str(p))
    ]
    assert outs[0] == outs[1] == outs[2]


KIND = st.sampled_from(
    ["like", "reaction", "comment", "reply", "mention", "share", "dm", "call", "meeting"]
)
EVENT = st.tuples(
    st.sampled_from(["a", "b", "c"]), st.integers(0, 500), KIND, st.sampled_from(["in", "out"])
)


def _rows(events: list[tuple], tag: str = "p") -> list[dict]:
    day0 = date(2026, 6, 30).toordinal()
    return [
        inter(c, str(date.fromordinal(day0 - d)), k, dr, post_id=f"{tag}{i}")
        for i, (c, d, k, dr) in enumerate(events)
    ]


@settings(max_examples=40, deadline=None)
@given(st.lists(EVENT, min_size=1, max_size=25), st.randoms(use_true_random=False))
def test_quality_bounds_and_row_order_invariance(events: list[tuple], rnd: random.Random) -> None:
    rows = _rows(events)
    a = sc.score(
        workbook(interactions=rows, connections=[conn("a", follows_me=True, i_follow=True)]), P
    )
    rnd.shuffle(rows)
    b = sc.score(
        workbook(interactions=rows, connections=[conn("a", follows_me=True, i_follow=True)]), P
    )
    assert a["quality"].is_between(0, 100).all()
    cols = ["contact_id", "quality", "stage", "layer"]
    assert a.select(cols).sort("contact_id").equals(b.select(cols).sort("contact_id"))


@settings(max_examples=40, deadline=None)
@given(st.lists(EVENT, max_size=20), st.integers(0, 200), KIND)
def test_adding_inbound_never_lowers_stage(events: list[tuple], days_ago: int, kind: str) -> None:
    base = _rows(events) + [inter("a", "2025-01-01", "like", "in")]
    before = stages(base)
    after = stages(base + _rows([("a", days_ago, kind, "in")], tag="new"))
    assert STAGES.index(after["a"]) >= STAGES.index(before["a"])


@settings(max_examples=60, deadline=None)
@given(st.lists(EVENT, min_size=1, max_size=30))
def test_stages_equal_an_independent_implementation(events: list[tuple]) -> None:
    got = stages(_rows(events), [conn(c) for c in ("a", "b", "c")])
    expected = {c: _reference_stage(events, c) for c in ("a", "b", "c")}
    assert got == expected
    counts = pl.Series(list(got.values())).value_counts()
    assert dict(counts.iter_rows()) == {
        k: list(expected.values()).count(k) for k in set(expected.values())
    }
