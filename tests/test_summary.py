"""Account overview and engagement rates on a tiny fixture counted by hand."""

from __future__ import annotations

from datetime import date

import warmcall.scoring as sc
from helpers import conn, inter, workbook
from warmcall.summary import account_overview, headline


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
        "Of your 200 followers, 3 (1.5%) engaged in the last 90 days, 1 are two-way relationships "
        "and 1 are trusted."
    )
