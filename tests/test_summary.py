"""Account overview and engagement rates on a tiny fixture counted by hand."""

from __future__ import annotations

from datetime import date

import warmcall.model.scoring as sc
from helpers import conn, inter, workbook
from warmcall.model.observability import account_signals
from warmcall.model.summary import account_overview, headline


def test_overview_by_hand() -> None:
    wb = workbook(
        accounts=[{"account_id": "x:me", "platform": "x", "snapshot_date": "2026-06-01", "followers": 200},
                  {"account_id": "x:me", "platform": "x", "snapshot_date": "2026-07-15", "followers": 999}],
        connections=[conn("a", follows_me=True), conn("b", follows_me=True), conn("c", follows_me=True)],
        interactions=[inter("a", "2026-06-01", "like", "in"), inter("b", "2026-06-02", "dm", "in"),
                      inter("b", "2026-06-03", "dm", "out"), inter("d", "2026-06-04", "reply", "in")],
        posts=[
            {"account_id": "x:me", "platform": "x", "post_id": "1", "ts": "2026-06-10", "impressions": 1000,
             "engagements": 30},
            {"account_id": "x:me", "platform": "x", "post_id": "2", "ts": "2026-06-11", "likes": 8, "comments": 2},
            {"account_id": "x:me", "platform": "x", "post_id": "3", "ts": "2026-01-01", "engagements": 500},
        ],
    )  # fmt: skip
    as_of = date(2026, 6, 30)
    s = sc.score(wb, {"as_of": "2026-06-30"})
    row = account_overview(wb.accounts, wb.posts, s, as_of, 90).row(0, named=True)
    assert row["followers"] == 200  # the 2026-07-15 snapshot is after as_of
    assert row["engaged"] == 3  # a, b, d had inbound interactions in the window
    assert row["two_way"] == 1 and row["trusted"] == 1  # b: dm both ways
    assert row["posts"] == 2  # post 3 is outside the window
    # by followers: (30 + (8+2)) / 2 posts / 200 followers
    assert row["er_followers"] == (40 / 2) / 200
    # by impressions: only post 1 reports impressions: 30 / 1000
    assert row["er_impressions"] == 30 / 1000
    ov = account_overview(wb.accounts, wb.posts, s, as_of, 90)
    assert headline(ov, 90) == (
        "Of your 200 followers, 3 (1.5%) engaged in the last 90 days, and you have 1 two-way "
        "relationship (1 trusted). Across 1 post with impressions (2026-06-10 to 2026-06-10), "
        "1,000 impressions and 30 engagements: 3.0% engagement by impressions."
    )


def _outbound_archive(n_reached: int, dm_both: int):
    """An X-archive-like workbook: followers listed, only your own activity (replies out)
    and DMs (``dm_both`` contacts with DMs both ways)."""
    conns = [conn(f"f{i}", follows_me=True) for i in range(5)]
    ints = [inter(f"r{i}", "2026-06-01", "reply", "out") for i in range(n_reached)]
    for i in range(dm_both):
        ints += [
            inter(f"d{i}", "2026-06-02", "dm", "in"),
            inter(f"d{i}", "2026-06-03", "dm", "out"),
        ]
    return workbook(connections=conns, interactions=ints)


def _overview(wb):
    s = sc.score(wb, {"as_of": "2026-06-30"})
    return account_overview(wb.accounts, wb.posts, s, date(2026, 6, 30), 90, account_signals(wb))


def test_no_inbound_signal_is_never_zero() -> None:
    ov = _overview(_outbound_archive(2, 1))
    row = ov.row(0, named=True)
    assert row["engaged"] is None  # not in this export, not 0
    assert row["followers"] == 5 and row["reached"] == 2 and row["two_way"] == 1
    text = headline(ov, 90)
    assert "0 (" not in text and " 0 " not in text
    assert text == (
        "You have 5 followers. Your X export does not show who engaged with your posts (it has "
        "no likes, replies, mentions or reposts by others), so engagement is not in this export. "
        "In the last 90 "
        "days you reached 2 people, and you have 1 two-way relationship (1 trusted); two-way "
        "there means messages both ways, or a logged call or meeting."
    )


def test_headline_agrees_with_zero_one_two() -> None:
    for n, people in ((0, "0 people"), (1, "1 person"), (2, "2 people")):
        text = headline(_overview(_outbound_archive(n, 2)), 90)
        assert f"you reached {people}, and" in text
        assert "you have 2 two-way relationships (2 trusted); two-way there means" in text


def test_analytics_only_headline_sums_the_posts() -> None:
    posts = [
        {"account_id": "x:analytics", "platform": "x", "post_id": str(i), "ts": "2026-06-10",
         "impressions": 1000 * (i + 1), "engagements": 10 * (i + 1)}
        for i in range(3)
    ]  # fmt: skip
    ov = _overview(workbook(posts=posts))
    row = ov.row(0, named=True)
    assert row["impressions"] == 6000 and row["followers"] is None and row["engaged"] is None
    assert headline(ov, 90).endswith(
        "Across 3 posts with impressions (2026-06-10 to 2026-06-10), 6,000 impressions and 60 "
        "engagements: 1.0% engagement by impressions."
    )


def test_metrics_json_has_null_with_a_reason() -> None:
    import json

    from warmcall.core.params import Params
    from warmcall.model.pipeline import analyse
    from warmcall.present import overview

    wb = _outbound_archive(2, 1)
    p = Params(as_of=date(2026, 6, 30))
    a = analyse(p, wb)
    m = json.loads(json.dumps(overview.metrics(a)))
    assert m["engaged"] is None and m["two_way"] == 1 and m["reached"] == 2
    assert m["unavailable"]["engaged"].startswith("not in this export: ")
    (acct,) = m["accounts"]
    assert acct["engaged"] is None and "engaged" in acct["unavailable"]
    assert "two_way" not in acct["unavailable"]
    table = overview.platform_table(a).row(0, named=True)
    assert table["engaged"] == "not in this export" and table["two-way"] == "1"


def test_signals_are_the_union_of_declared_and_shown_by_rows() -> None:
    from warmcall.ingest.accounting import LoadReport, SourceReport

    wb = workbook(interactions=[inter("a", "2026-06-01", "comment", "in")])
    wb.report = LoadReport([SourceReport("a.zip!follower.js", "x-archive", 0, 0, 0,
                                         signals=[{"account_id": "x:me", "platform": "x",
                                                   "signal": "followers"}])])  # fmt: skip
    row = account_signals(wb).row(0, named=True)
    assert row["followers"] and row["inbound"]  # declared (an empty list) + shown by a row
    assert not row["outbound"] and not row["impressions"]


def test_headline_of_mixed_accounts_names_where_engagement_is_missing() -> None:
    li = workbook(
        connections=[conn("a", account="linkedin:me", platform="linkedin", follows_me=True),
                     conn("b", account="linkedin:me", platform="linkedin", follows_me=True)],
        interactions=[inter("a", "2026-06-01", "comment", "in", account="linkedin:me",
                            platform="linkedin")],
    )  # fmt: skip
    x = _outbound_archive(1, 1)
    import polars as pl

    wb = workbook(
        connections=pl.concat([li.connections, x.connections], how="diagonal_relaxed").to_dicts(),
        interactions=pl.concat([li.interactions, x.interactions]).to_dicts(),
    )
    text = headline(_overview(wb), 90)
    assert text == (
        "Of your 2 followers on LinkedIn, 1 (50.0%) engaged in the last 90 days, and you have 1 "
        "two-way relationship (1 trusted). Your X export does not show who engaged with your "
        "posts (it has no likes, replies, mentions or reposts by others), so engagement there is "
        "not in this export. "
        "In the last 90 days you reached 1 person there, and 1 of your two-way relationships is "
        "there; two-way there means messages both ways, or a logged call or meeting."
    )


def test_analytics_totals_cover_the_files_not_only_the_window() -> None:
    days = ["2025-03-01", "2025-12-31", "2026-05-01", "2026-06-29", "2026-07-05"]  # last: after T
    posts = [
        {"account_id": "x:analytics", "platform": "x", "post_id": str(i), "ts": d,
         "impressions": 100 * (i + 1), "engagements": 3 * (i + 1)}
        for i, d in enumerate(days)
    ]  # fmt: skip
    row = _overview(workbook(posts=posts)).row(0, named=True)
    upto = [p for p in posts if p["ts"] <= "2026-06-30"]  # every post up to as_of, any age
    assert row["analytics_posts"] == len(upto) == 4
    assert row["analytics_impressions"] == sum(p["impressions"] for p in upto)
    assert row["analytics_engagements"] == sum(p["engagements"] for p in upto)
    assert row["impressions"] == 300 + 400  # the window's (90 days) figure stays the window's


def test_analytics_table_sums_the_files() -> None:
    from warmcall.core.params import Params
    from warmcall.model.pipeline import analyse
    from warmcall.present import overview

    posts = [
        {"account_id": "x:analytics", "platform": "x", "post_id": str(i), "ts": d,
         "impressions": 1000 + i, "engagements": 10 + i}
        for i, d in enumerate(["2025-01-05", "2025-09-09", "2026-06-01"])
    ]  # fmt: skip
    wb = workbook(posts=posts)
    a = analyse(Params(as_of=date(2026, 6, 30)), wb)
    row = overview.analytics_table(a).row(0, named=True)
    assert row["posts with impressions"] == 3
    assert row["impressions"] == sum(p["impressions"] for p in posts)
    assert row["engagements"] == sum(p["engagements"] for p in posts)
    assert row["dates"] == "2025-01-05 to 2026-06-01" and row["followers"] is None
