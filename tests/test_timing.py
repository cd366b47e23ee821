"""When posts do best: the weekday × hour cells equal a plain-Python computation (zoneinfo,
sums per cell), the basis is named, and the sentence refuses to conclude from too few posts
or says "not in this export"."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from helpers import table
from warmcall.model.timing import best_time
from warmcall.present import charts, overview

T = date(2026, 11, 13)
TZ = "America/New_York"  # crosses the 2026-11-01 daylight-saving change


def _posts(n: int, impressions: bool, seed: int = 1) -> list[dict]:
    rng = random.Random(seed)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    rows = []
    for i in range(n):
        ts = start + timedelta(minutes=rng.randrange(0, 70 * 24 * 60))
        rows.append({
            "account_id": "x:me", "platform": "x", "post_id": f"p{i}",
            "ts": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "likes": rng.randrange(0, 40), "comments": rng.randrange(0, 5),
            "impressions": rng.randrange(100, 5000) if impressions else None,
            "is_repost": i % 10 == 0,  # every tenth a repost: left out
        })  # fmt: skip
    return rows


def _by_hand(rows: list[dict], denominator) -> dict[tuple[int, int], tuple[int, float, float]]:
    cells: dict = defaultdict(lambda: [0, 0.0, 0.0])
    for r in rows:
        if r["is_repost"]:
            continue
        local = datetime.strptime(r["ts"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        local = local.astimezone(ZoneInfo(TZ))
        c = cells[(local.isoweekday(), local.hour)]
        c[0] += 1
        c[1] += r["likes"] + r["comments"]
        c[2] += denominator(r)
    return {k: (n, e, d) for k, (n, e, d) in cells.items()}


def _same(got: dict, want: dict) -> None:
    assert got.keys() == want.keys()
    for k, (n, e, d) in want.items():
        assert got[k][0] == n and got[k][1:] == pytest.approx((e, d)), k


def _cells(bt) -> dict[tuple[int, int], tuple[int, float, float]]:
    got = bt.cells.filter(bt.cells["posts"] > 0)
    return {(w, h): (n, e, d) for w, h, n, e, d in got.select(
        "weekday", "hour", "posts", "engagements", "denominator").iter_rows()}  # fmt: skip


def test_cells_per_impression_equal_a_plain_computation() -> None:
    rows = _posts(300, impressions=True)
    bt = best_time(table("posts", rows), table("accounts", []), T, TZ)
    want = _by_hand(rows, lambda r: r["impressions"])
    assert bt.basis == "impressions" and bt.timezone == TZ
    _same(_cells(bt), want)
    assert bt.cells.height == 7 * 24 and bt.n_posts == sum(n for n, _, _ in want.values())
    for (w, h), (_n, e, d) in want.items():
        rate = bt.cells.filter((bt.cells["weekday"] == w) & (bt.cells["hour"] == h))["rate"][0]
        assert rate == pytest.approx(e / d)
    assert bt.overall == pytest.approx(
        sum(e for _, e, _ in want.values()) / sum(d for _, _, d in want.values())
    )


def test_cells_per_follower_without_impressions() -> None:
    rows = _posts(120, impressions=False, seed=2)
    accounts = [{"account_id": "x:me", "platform": "x", "handle": "me", "followers": 2500,
                 "snapshot_date": "2026-11-01"}]  # fmt: skip
    bt = best_time(table("posts", rows), table("accounts", accounts), T, TZ)
    assert bt.basis == "followers"
    _same(_cells(bt), _by_hand(rows, lambda r: 2500))


def test_per_follower_with_followers_counted_from_the_list() -> None:
    # no snapshot gives a count (an X archive): the overview's followers, from the list
    rows = _posts(120, impressions=False, seed=3)
    followers = pl.DataFrame({"account_id": ["x:me"], "followers": [40]})
    assert best_time(table("posts", rows), table("accounts", []), T, TZ).missing == (
        "no denominator"
    )
    bt = best_time(table("posts", rows), table("accounts", []), T, TZ, followers=followers)
    assert bt.basis == "followers"
    _same(_cells(bt), _by_hand(rows, lambda r: 40))


def test_sentence_refuses_to_conclude_below_the_minimum() -> None:
    rows = _posts(300, impressions=True)
    bt = best_time(table("posts", rows), table("accounts", []), T, TZ)
    most = max(n for n, _, _ in _by_hand(rows, lambda r: 1).values())
    text = overview.best_time_sentence(bt, most + 1)
    assert text.startswith("Cannot conclude when your posts do best")
    assert f"the most is {most}" in text and "report.min_posts_per_cell" in text
    assert "too few posts" in overview.best_time_title(bt, most + 1).lower()
    # at the minimum, the best cell of those with enough posts is named, per impression
    text = overview.best_time_sentence(bt, most)
    assert "did best" in text and "engagement per impression" in text and TZ in text
    best = max(
        ((e / d, -w, -h) for (w, h), (n, e, d) in _by_hand(rows, lambda r: r["impressions"]).items()
         if n >= most)
    )  # fmt: skip
    assert f"{best[0]:.2%} engagement per impression" in text


def test_not_in_this_export() -> None:
    none = best_time(table("posts", []), table("accounts", []), T)
    assert overview.best_time_sentence(none, 5).startswith(
        "When your posts do best: not in this export"
    )
    bare = [{**r, "likes": None, "comments": None} for r in _posts(10, impressions=False)]
    bt = best_time(table("posts", bare), table("accounts", []), T)
    assert bt.missing == "no engagement counts"
    assert "not in this export" in overview.best_time_sentence(bt, 5)
    no_den = best_time(table("posts", _posts(10, impressions=False)), table("accounts", []), T)
    assert no_den.missing == "no denominator" and no_den.basis is None


def test_heatmap_names_its_finding_and_counts() -> None:
    bt = best_time(table("posts", _posts(300, impressions=True)), table("accounts", []), T, TZ)
    title = overview.best_time_title(bt, 3)
    spec = charts.best_time_heatmap(
        overview.best_time_frame(bt, 3), title, overview.BASIS_LABEL["impressions"], TZ
    ).to_dict()
    assert spec["title"] == title and "did best" in title
    assert "number of posts" in spec["description"]
    marks = [layer["mark"]["type"] for layer in spec["layer"]]
    assert marks == ["rect", "text"]
