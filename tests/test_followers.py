"""model/followers.py: follower count vs engagement and quality, checked against scipy's
Spearman (an independent implementation) on frames written here; the per-account panel by
hand."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl
from scipy import stats as sps
from warmcall.model import followers, stats

CONTACTS = pl.DataFrame(
    {
        "platform": ["x"] * 6 + ["linkedin"] * 5,
        "contact_followers": [10, 200, 30, 4000, None, 50, 7, 90, 600, 80, 1000],
        "engagement": [1, 5, 0, 2, 9, 3, None, None, None, None, None],
        "quality": [5.0, 40.0, 12.0, 33.0, 80.0, 20.0, 1.0, 60.0, 30.0, 10.0, 45.0],
    }
)


def _rho(x: list, y: list) -> float:
    return sps.spearmanr(x, y).statistic


def test_contact_correlations_all_then_each_group() -> None:
    t = followers.contact_correlations(CONTACTS, by=("platform",), seed=0)
    assert t["group"].to_list() == ["all", "all", "x", "x", "linkedin", "linkedin"]
    assert t["followers vs"].to_list() == ["engagement", "quality"] * 3
    by = {(r["group"], r["followers vs"]): r for r in t.iter_rows(named=True)}
    # x: the row with unknown followers is left out (5 contacts)
    xf, xe, xq = [10, 200, 30, 4000, 50], [1, 5, 0, 2, 3], [5.0, 40.0, 12.0, 33.0, 20.0]
    lf, lq = [7, 90, 600, 80, 1000], [1.0, 60.0, 30.0, 10.0, 45.0]
    assert math.isclose(by["x", "engagement"]["rho"], _rho(xf, xe), abs_tol=1e-12)
    assert math.isclose(by["x", "quality"]["rho"], _rho(xf, xq), abs_tol=1e-12)
    assert math.isclose(by["linkedin", "quality"]["rho"], _rho(lf, lq), abs_tol=1e-12)
    assert math.isclose(by["all", "quality"]["rho"], _rho(xf + lf, xq + lq), abs_tol=1e-12)
    assert math.isclose(by["all", "engagement"]["rho"], _rho(xf, xe), abs_tol=1e-12)
    # LinkedIn's exports do not show engagement by others: no pairs, ρ unknown (not 0)
    assert by["linkedin", "engagement"]["n"] == 0 and by["linkedin", "engagement"]["rho"] is None
    assert (by["all", "quality"]["n"], by["all", "engagement"]["n"]) == (10, 5)


def test_large_groups_take_rho_from_one_query_and_the_fisher_interval() -> None:
    """Groups over BOOTSTRAP_MAX_N pairs: rho as scipy's Spearman of the group, the Fisher z
    interval (tanh(atanh rho ± 1.96 · 1.03 / √(n − 3))); a small group keeps its bootstrap."""
    rng = np.random.default_rng(7)
    n = 2 * stats.BOOTSTRAP_MAX_N + 500
    f = rng.integers(0, 5_000, n)
    big = pl.DataFrame(
        {
            "platform": ["x"] * n + ["bluesky"] * 40,
            "contact_followers": list(f) + list(range(40)),
            "engagement": list(f // 100 + rng.integers(0, 9, n)) + [None] * 40,
            "quality": list(rng.random(n) * 100) + list(rng.random(40) * 100),
        }
    )
    t = followers.contact_correlations(big, by=("platform",), seed=0)
    by = {(r["group"], r["followers vs"]): r for r in t.iter_rows(named=True)}
    x = big.filter(pl.col("platform") == "x")
    for what in ("engagement", "quality"):
        r = by["x", what]
        rho = sps.spearmanr(x["contact_followers"], x[what]).statistic
        assert math.isclose(r["rho"], rho, abs_tol=1e-12) and r["n"] == n
        z, se = math.atanh(rho), 1.03 / math.sqrt(n - 3)
        assert math.isclose(r["ci_low"], math.tanh(z - 1.959963984540054 * se), abs_tol=1e-9)
        assert r["method"].startswith("Fisher")
    assert by["bluesky", "quality"]["method"].startswith("bootstrap")
    assert by["bluesky", "engagement"]["n"] == 0 and by["bluesky", "engagement"]["rho"] is None
    reading = followers.follower_reading(big)
    assert math.isclose(
        reading.quality.rho,
        sps.spearmanr(big["contact_followers"], big["quality"]).statistic,
        abs_tol=1e-12,
    )
    assert reading.engagement.n == n and reading.contacts == n + 40


def test_follower_reading_counts_contacts_with_known_followers() -> None:
    r = followers.follower_reading(CONTACTS)
    assert r.contacts == 10 and r.engagement.n == 5 and r.quality.n == 10
    none = followers.follower_reading(CONTACTS.with_columns(engagement=pl.lit(None, pl.Int64)))
    assert none.engagement.n == 0 and none.engagement.rho is None


def test_account_panel_latest_known_values_then_own_figures() -> None:
    accounts = pl.DataFrame(
        {
            "account_id": ["a", "a", "b", "c"],
            "snapshot_date": [
                date(2026, 1, 1),
                date(2026, 2, 1),
                date(2026, 1, 1),
                date(2026, 1, 1),
            ],
            "followers": [100, None, 2000, 50],
            "avg_likes": [3.0, 4.0, None, 1.0],
            "avg_comments": [1.0, None, None, 2.0],
            "engagement_rate": [0.01, None, None, None],
        }
    )
    overview = pl.DataFrame(
        {
            "account_id": ["a", "b", "c"],
            "engagements": [10, 30, 0],
            "posts": [5, 10, 0],
            "er_followers": [0.5, 0.002, None],
        }
    )
    p = followers.account_panel(accounts, overview).sort("account_id")
    assert p.columns == ["account_id", "followers", "avg_eng", "engagement_rate"]
    # a: followers 100 (Feb is unknown), avg 4 likes (Feb, comments unknown) + 0, rate 0.01
    # b: no stated averages: own 30 / 10 posts = 3, rate = er_followers
    # c: 1 + 2 = 3, no rate anywhere
    assert p.rows() == [("a", 100, 4.0, 0.01), ("b", 2000, 3.0, 0.002), ("c", 50, 3.0, None)]
    t = followers.panel_correlations(p)
    assert t["followers vs"].to_list() == ["average engagement per post", "engagement rate"]
    assert t["n"].to_list() == [3, 2]
    assert math.isclose(t["rho"][0], _rho([100, 2000, 50], [4.0, 3.0, 3.0]), abs_tol=1e-12)


def test_all_contacts_correlation_is_shared_by_frame_never_across_frames() -> None:
    """follower_reading and contact_correlations of one frame give the same "all" figures;
    another frame (even right after) gets its own."""
    r = followers.follower_reading(CONTACTS)
    t = followers.contact_correlations(CONTACTS, by=("platform",), seed=0)
    whole = {
        row["followers vs"]: row for row in t.filter(pl.col("group") == "all").iter_rows(named=True)
    }
    assert whole["quality"]["rho"] == r.quality.rho and whole["quality"]["n"] == r.quality.n
    assert whole["engagement"]["n"] == r.engagement.n
    flipped = CONTACTS.with_columns(quality=-pl.col("quality"))
    again = followers.follower_reading(flipped)
    assert math.isclose(again.quality.rho, -r.quality.rho, abs_tol=1e-12)
    assert followers.follower_reading(CONTACTS).quality.rho == r.quality.rho


def test_with_engagement_is_in_w_only_where_the_account_shows_engagement() -> None:
    """engagement = in_w for an account whose signals show engagement by others, null for
    one whose do not and for one without signals; the scores' rows, order and columns
    kept."""
    from warmcall.model.observability import FIGURE_NEEDS, SIGNALS

    shows = set(FIGURE_NEEDS["engaged"])
    signals = pl.DataFrame(
        [
            {"account_id": "a", "platform": "x", **{s: s in shows for s in SIGNALS}},
            {"account_id": "b", "platform": "linkedin", **{s: False for s in SIGNALS}},
        ]
    )
    scores = pl.DataFrame(
        {
            "account_id": ["b", "a", "c", "a"],
            "contact_id": ["1", "2", "3", "4"],
            "in_w": [5, 0, 7, 3],
        }  # fmt: skip
    )
    out = followers.with_engagement(scores, signals)
    assert out.columns == [*scores.columns, "engagement"]
    assert out.drop("engagement").equals(scores)
    assert out["engagement"].to_list() == [None, 0, None, 3]
