"""What-if functions against hand computations on tiny frames."""

from __future__ import annotations

import math
from datetime import date

import polars as pl
import pytest
import warmcall as wc
from helpers import conn, inter, workbook
from warmcall.act import projection as pj
from warmcall.act import whatif as wf
from warmcall.model.quality import STAGES

T = date(2026, 6, 30)
P = {"as_of": "2026-06-30", "window_days": 90}


def one_contact_wb():
    # as in test_quality.test_components_by_hand: connected 365 days before T, mutual follow,
    # a dm in (weight 3) 30 days before T and a like out (weight 0.5) 60 days before T.
    return workbook(
        connections=[
            conn("c", follows_me=True, i_follow=True, connected_at="2025-06-30T00:00:00Z")
        ],
        interactions=[
            inter("c", "2026-05-31", "dm", "in"),
            inter("c", "2026-05-01", "like", "out"),
        ],
    )


def test_rescore_with_params_reproduces_score() -> None:
    wb = workbook(
        connections=[conn("a", follows_me=True, bio="x"), conn("b", i_follow=True), conn("d")],
        interactions=[
            inter("a", "2026-06-01", "reply", "in"), inter("a", "2026-06-02", "reply", "out"),
            inter("b", "2026-03-01", "call", "out"), inter("e", "2026-06-20", "like", "in"),
        ],
    )  # fmt: skip
    s = wc.score(wb, P)
    for feats in (wf.features_for_window(wb, P, T), s):  # features frame and a score output
        r = wf.rescore(feats, wc.Params.model_validate(P), T)
        m = s.select("contact_id", "quality", "recency").join(
            r.select("contact_id", "quality", "recency"), on="contact_id"
        )
        assert m.height == 4
        assert m["quality"].to_list() == m["quality_right"].to_list()
        assert m["recency"].to_list() == m["recency_right"].to_list()


def test_rescore_overrides_by_hand() -> None:
    f = wf.features_for_window(one_contact_wb(), P, T)
    # only recency counts, half-life 30 days: last contact 30 days ago -> 0.5 -> quality 50.0
    only_recency = {
        k: 0.0 for k in ("intensity", "reciprocity", "duration", "intimacy", "multiplexity")
    }
    r = wf.rescore(f, {"half_life_days": 30, "weights": {**only_recency, "recency": 1.0}}, T)
    assert r["recency"][0] == pytest.approx(0.5) and r["quality"][0] == 50.0
    # kind weight of dm 9: weighted_365 = 9 + 0.5 -> intensity 1 - exp(-9.5/12)
    r = wf.rescore(f, {"kind_weights": {"dm": 9}}, T)
    assert r["weighted_365"][0] == pytest.approx(9.5)
    assert r["intensity"][0] == pytest.approx(1 - math.exp(-9.5 / 12))
    # back to the defaults: intensity from 3.5 again (the registry must not keep 9.5)
    r2 = wf.rescore(r, None, T)
    assert r2["intensity"][0] == pytest.approx(1 - math.exp(-3.5 / 12))
    # duration: 365 days known, full at 365 -> 1.0
    assert wf.rescore(f, {"duration_full_days": 365}, T)["duration"][0] == 1.0


def test_rescore_params_shaped_dict_and_layers() -> None:
    f = wf.features_for_window(one_contact_wb(), P, T)
    r = wf.rescore(f, {"quality": {"half_life_days": 15}}, T)
    assert r["recency"][0] == pytest.approx(0.25)  # 30 days at half-life 15
    assert "layer" not in r.columns
    assert wf.rescore(f, None, T, with_layers=True)["layer"].cast(pl.String).to_list() == ["5"]


def test_kind_weights_need_kind_counts() -> None:
    s = wc.score(one_contact_wb(), P)  # no k365_* columns
    with pytest.raises(ValueError, match="features_for_window"):
        wf.rescore(s, {"kind_weights": {"dm": 9}}, T)


def test_features_for_window_cached_and_window_changes_stage() -> None:
    wb = workbook(
        interactions=[
            inter("c", "2026-05-21", "reply", "in"),
            inter("c", "2026-05-22", "reply", "out"),
        ]
    )
    f90 = wf.features_for_window(wb, P, T, 90)
    assert wf.features_for_window(wb, P, T, 90) is f90  # cached: same object
    f30 = wf.features_for_window(wb, P, T, 30)  # 2026-05-21 is 40 days before T: outside
    assert str(f90["stage"][0]) == "conversant" and str(f30["stage"][0]) == "connection"
    assert (
        f90["k365_reply"][0] == 2 and f90["days_since_last"][0] == 39 and f90["days_known"][0] == 40
    )
    other = workbook(interactions=[inter("c", "2026-06-29", "like", "in")])
    assert (
        wf.features_for_window(other, P, T, 90)["k365_like"][0] == 1
    )  # another workbook, not the cache


def scores_frame() -> pl.DataFrame:
    """A hand-written scores-like frame (only the columns the functions read)."""
    return pl.DataFrame(
        {
            "account_id": ["x:me", "x:me", "x:me", "x:me", "li:me"],
            "platform": ["x", "x", "x", "x", "linkedin"],
            "contact_id": ["a", "b", "c", "d", "e"],
            "segment": ["peers", "clients", "peers", "unsegmented", "peers"],
            "stage": ["trusted", "engaged", "connection", "aware", "conversant"],
            "follows_me": [True, True, True, False, None],
            "in_w": [1, 3, 0, 4, 2],
            "quality": [10.0, 40.0, 60.0, 5.0, 55.0],
            "flagged": [False, False, True, False, False],
            "last_ts": ["2026-06-01T00:00:00Z", "2026-05-01T00:00:00Z", None,
                        "2026-06-30T10:00:00Z", "2026-01-01T00:00:00Z"],
        }
    ).with_columns(
        pl.col("stage").cast(pl.Enum(STAGES)),
        pl.col("last_ts").str.to_datetime(time_zone="UTC"),
    )  # fmt: skip


def test_filter_contacts() -> None:
    s = scores_frame()
    ids = lambda df: sorted(df["contact_id"])  # noqa: E731
    assert ids(wf.filter_contacts(s, platforms=["x"])) == ["a", "b", "c", "d"]
    assert ids(wf.filter_contacts(s, segments=["peers"], platforms=["x"])) == ["a", "c"]
    assert ids(wf.filter_contacts(s, stages=["trusted", "conversant"])) == ["a", "e"]
    assert ids(wf.filter_contacts(s, date_range=(date(2026, 5, 1), date(2026, 6, 1)))) == ["a", "b"]
    assert ids(wf.filter_contacts(s, date_range=(date(2026, 6, 2), None))) == ["d"]
    assert ids(wf.filter_contacts(s, platforms=[])) == []


def test_summary_and_counts() -> None:
    s = scores_frame()
    got = wf.summary(s)
    assert (
        got["contacts"] == 5 and got["followers"] == 3 and got["engaged"] == 4
    )  # in_w > 0: a, b, d, e
    assert got["stages"] == {
        "connection": 1,
        "reached": 0,
        "aware": 1,
        "engaged": 1,
        "conversant": 1,
        "trusted": 1,
    }
    assert got["two_way"] == 2 and got["trusted"] == 1 and got["flagged"] == 1
    assert got["strong"] == 2  # c 60, e 55
    assert got["mean_quality"] == 34.0 and got["median_quality"] == 40.0  # (10+40+60+5+55)/5
    assert wf.stage_counts(s.filter(pl.col("contact_id") != "c")).to_dicts() == [
        {"stage": "connection", "contacts": 0}, {"stage": "reached", "contacts": 0},
        {"stage": "aware", "contacts": 1},
        {"stage": "engaged", "contacts": 1}, {"stage": "conversant", "contacts": 1},
        {"stage": "trusted", "contacts": 1},
    ]  # fmt: skip
    h = dict(wf.quality_histogram(s).iter_rows())
    # 5 -> 0, 10 -> 10, 40 -> 40, 55 -> 50, 60 -> 60
    assert h == {0: 1, 10: 1, 20: 0, 30: 0, 40: 1, 50: 1, 60: 1, 70: 0, 80: 0, 90: 0}
    assert dict(wf.quality_histogram(pl.DataFrame({"quality": [100.0]})).iter_rows())[90] == 1
    assert wf.summary(s.head(0))["median_quality"] is None


def test_prune_by_hand() -> None:
    s = scores_frame().filter(pl.col("account_id") == "x:me")
    # followers a (q10, in_w 1), b (q40, 3), c (q60, 0); d is no follower (q5, in_w 4)
    r = wf.prune(s, 30).row(0, named=True)
    assert (r["followers"], r["listed"], r["unlisted"], r["pruned"], r["remaining_followers"]) == (
        3,
        3,
        0,
        1,
        2,
    )
    assert r["engagement_kept"] == pytest.approx(7 / 8)  # d is kept: only followers are pruned
    # engaged (in_w > 0): a, b, d; a is pruned, so b and d are kept
    assert (r["engaged"], r["engaged_kept"]) == (3, 2)
    assert r["engaged_rate_before"] == pytest.approx(3 / 3)
    assert r["engaged_rate_after"] == pytest.approx(2 / 2)
    assert r["interactions_per_follower_after"] == pytest.approx(7 / 2)
    ov = pl.DataFrame({"account_id": ["x:me"], "followers": [10]})
    r = wf.prune(s, 30, ov).row(0, named=True)
    # 7 unlisted followers count as quality 0: pruned 1 + 7 = 8, remaining 2
    assert (r["followers"], r["unlisted"], r["pruned"], r["remaining_followers"]) == (10, 7, 8, 2)
    assert r["engaged_rate_before"] == pytest.approx(3 / 10)
    assert r["engaged_rate_after"] == pytest.approx(2 / 2)
    assert r["interactions_per_follower_before"] == pytest.approx(8 / 10)
    r0 = wf.prune(s, 0, ov).row(0, named=True)  # threshold 0 prunes nobody, unlisted included
    assert (r0["pruned"], r0["remaining_followers"], r0["engagement_kept"]) == (0, 10, 1.0)
    assert r0["engaged_rate_after"] == pytest.approx(r0["engaged_rate_before"])
    # an export that cannot show followers or engagement by others: null, never 0
    ov_none = pl.DataFrame(
        {"account_id": ["x:me"], "followers": [None], "engaged": [None]},
        schema={"account_id": pl.String, "followers": pl.Int64, "engaged": pl.UInt32},
    )
    rn = wf.prune(s, 30, ov_none).row(0, named=True)
    assert rn["followers"] is None and rn["engaged"] is None and rn["engaged_kept"] is None
    assert rn["engaged_rate_before"] is None and rn["engaged_rate_after"] is None


# inbound (contact, day) pairs of the window-following fixture; every contact follows you
WINDOW_IN = [("a", "2026-06-25"), ("b", "2026-05-21"), ("c", "2026-02-10"), ("c", "2026-06-29")]
WINDOW_FOLLOWERS = ["a", "b", "c", "d", "e"]


def _engaged_by_hand(window: int) -> set[str]:
    """Contacts with an inbound interaction on T - window + 1 .. T, counted in plain Python."""
    first = date.fromordinal(T.toordinal() - window + 1)
    return {c for c, d in WINDOW_IN if first <= date.fromisoformat(d) <= T}


@pytest.mark.parametrize("window", [7, 30, 45, 365])
def test_engaged_rate_follows_the_window(window: int) -> None:
    wb = workbook(
        connections=[conn(c, follows_me=True) for c in WINDOW_FOLLOWERS],
        interactions=[inter(c, d, "reply", "in") for c, d in WINDOW_IN],
    )
    f = wf.features_for_window(wb, P, T, window)
    r = wf.prune(wf.rescore(f, None, T, base=wc.Params.model_validate(P)), 0).row(0, named=True)
    engaged = _engaged_by_hand(window)  # 7: {c}; 30: {a, c}; 45: {a, b, c}; 365: {a, b, c}
    assert r["engaged"] == len(engaged)
    assert r["engaged_rate_before"] == pytest.approx(len(engaged) / len(WINDOW_FOLLOWERS))
    # the panel's model shows the same rate for that window
    from warmcall.present.whatif_view import WhatIfModel

    st = WhatIfModel(wb, P, as_of=T).state(window_days=window)
    [row] = st["prune"]["by_account"]
    assert row["engaged_rate_before"] == pytest.approx(len(engaged) / len(WINDOW_FOLLOWERS))


def test_whole_people_rounds_half_to_even() -> None:
    # halves go to the even neighbour (no upward bias); everything else to the nearest
    cases = {0.5: 0, 1.5: 2, 2.5: 2, 3.5: 4, 6.7: 7, 12.0: 12, 0.49: 0, 0.51: 1, 0.0: 0}
    assert {x: pj.whole_people(x) for x in cases} == cases
    assert all(isinstance(pj.whole_people(x), int) for x in cases)
    assert pj.whole_people(None) is None


def test_split_calls() -> None:
    assert pj.split_calls(10, 2, 100) == (2, 8)
    assert pj.split_calls(10, 100, 3) == (7, 3)
    assert pj.split_calls(9, 100, 100) == (5, 4)  # fading first
    assert pj.split_calls(5, 0, 0) == (0, 0)


def test_project_outreach_by_hand() -> None:
    # fading ranked by quality: f1 trusted (90), f2 conversant (80), f3 conversant (70)
    pools = pl.DataFrame(
        {
            "pool": ["fading"] * 3 + ["promising"] * 10,
            "person_key": [f"f{i}" for i in (3, 1, 2)] + [f"p{i}" for i in range(10)],
            "quality": [70.0, 90.0, 80.0] + [10.0] * 10,
            "days_since_last": [30] * 13,
            "stage": ["conversant", "trusted", "conversant"] + ["engaged"] * 10,
        }
    )
    r = pj.project_outreach(
        pl.DataFrame(), calls_per_day=1, days=5, params=None, as_of=T, pools=pools
    )
    # N = 1 a day x 5 days = 5: fading min(3, max(3, 5 - 10)) = 3, promising 2
    assert (r["attempts"], r["fading_calls"], r["promising_calls"], r["unfilled"]) == (5, 3, 2, 0)
    assert r["new_conversant"] == pytest.approx(2 * 0.3 * 0.6)  # 0.36
    assert r["new_trusted"] == pytest.approx(2 * 0.3 * 0.4 + 2 * 0.6 * 0.4)  # 0.72
    assert r["rewarmed"] == pytest.approx(3 * 0.6)
    assert r["expected_referrals"] == pytest.approx((0.72 + 1 * 0.6) * 0.5)  # 0.66
    assert r["referral_conversion"] == pytest.approx(0.2)  # 0.02 x 10
    assert r["expected_referral_wins"] == pytest.approx(0.132)
    assert r["cold_approaches_equivalent"] == pytest.approx(6.6)
    assert r["assumptions"]["referral_uplift"] == 10.0 and "assumption" in r["label"]
    # shown as whole people, round half to even: 0.36 -> 0, 0.72 -> 1, 1.8 -> 2, 0.66 -> 1,
    # 0.132 -> 0, 6.6 -> 7
    assert r["people"] == {
        "new_conversant": 0,
        "new_trusted": 1,
        "rewarmed": 2,
        "expected_referrals": 1,
        "expected_referral_wins": 0,
        "cold_approaches_equivalent": 7,
    }
    r = pj.project_outreach(
        pl.DataFrame(), 1, 5, {"outreach": {"referral_uplift": 100}}, T, pools=pools
    )
    assert r["referral_conversion"] == 1.0  # capped
    r = pj.project_outreach(
        pl.DataFrame(), 2, 10, None, T, assumptions={"deepen_rate": 0.0}, pools=pools
    )
    assert r["attempts"] == 20 and r["unfilled"] == 7 and r["new_trusted"] == 0.0
    # one call in all (1 a day for 1 day): fading first, to the top-ranked f1 (trusted),
    # so no new trusted tie; f3 (first in the frame, conversant) would have given 0.24
    fading_only = pools.filter(pl.col("pool") == "fading")
    r = pj.project_outreach(pl.DataFrame(), 1, 1, None, T, pools=fading_only)
    assert (r["attempts"], r["fading_calls"], r["promising_calls"]) == (1, 1, 0)
    assert r["new_trusted"] == 0.0 and r["rewarmed"] == pytest.approx(0.6)


def test_project_outreach_uses_planner_pools() -> None:
    wb = workbook(
        connections=[conn("f", bio="x"), conn("p", bio="research")],
        interactions=[inter("f", "2026-05-01", "dm", "in"), inter("f", "2026-05-02", "dm", "out")],
    )
    s = wc.score(wb, {**P, "relevance": {"research": 1}})
    r = pj.project_outreach(
        s, 1, 5, P, T
    )  # f: trusted (dm both ways), 59 days silent; p: relevance
    assert (r["fading_calls"], r["promising_calls"], r["unfilled"]) == (1, 1, 3)
    assert r["new_trusted"] == pytest.approx(
        1 * 0.3 * 0.4
    )  # f already trusted: no new trusted from it


def test_features_for_window_reuses_the_analysis_features() -> None:
    """The analysis' own features (params' window) give the frame computing them gives; for
    another window they are not used."""
    wb = one_contact_wb()
    a = wc.analyse(P, workbook=wb)
    wf.clear_cache()
    fresh = wf.features_for_window(a.workbook, P, T)
    wf.clear_cache()
    seeded = wf.features_for_window(a.workbook, P, T, features=a.features)
    assert seeded.equals(fresh)
    wf.clear_cache()
    wrong = a.features.with_columns(pl.lit(0, pl.UInt32).alias("n_365"))  # not for 30 days
    assert wf.features_for_window(a.workbook, P, T, 30, features=wrong)["n_365"][0] == 2


def test_scored_columns_and_keyed_counts_give_the_same_window_features(tmp_path, monkeypatch):
    """The sample (segments, hygiene flags, several platforms) through the table cache: the
    what-if base frame from features + the scores' static columns (``with_scored_columns``)
    and kind counts grouped by the integer contact key equals the one computed from
    scratch by the plain rules; with redaction the features come back untouched."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("WARMCALL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WARMCALL_CACHE_MIN_BYTES", "0")
    monkeypatch.chdir(root / "params")
    a = wc.analyse(str(root / "params" / "sample.yaml"))
    keyed = a.workbook.keyed_interactions()
    assert keyed is not None, "the sample came through the table cache"
    keys = ["account_id", "platform", "contact_id"]
    by_key = wf.kind_counts(keyed[0], a.as_of, keyed[1]).collect().sort(keys)
    plain = wf.kind_counts(a.workbook.scan("interactions"), a.as_of).collect().sort(keys)
    assert by_key.select(plain.columns).equals(plain) and plain.height > 0
    wf.clear_cache()
    fresh = wf.features_for_window(a.workbook, a.params, a.as_of)
    seeded = wf.with_scored_columns(a.features, a.scores, a.params)
    assert set(wf.STATIC_COLUMNS) - set(seeded.columns) == {"days_known"}
    wf.clear_cache()
    fast = wf.features_for_window(a.workbook, a.params, a.as_of, features=seeded)
    wf.clear_cache()
    assert fast.select(fresh.columns).sort(keys).equals(fresh.sort(keys))
    assert fresh["flagged"].any() and fresh["segment"].n_unique() > 1  # the rules mattered
    red = a.params.model_copy(update={"redact": True})
    assert wf.with_scored_columns(a.features, a.scores, red) is a.features
