"""Analytics files loaded without their platform's archive still make an account: the handle
in the post links, else the placeholder ``<platform>:analytics``; followers when a file has
them; posts whose impressions and engagements sum to the files' own sums (counted here with
the ``csv`` module and openpyxl, independently of the loaders)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import warmcall
from openpyxl import Workbook, load_workbook

# per-post, current layout, links name "Alice" (X handles are case-insensitive)
CONTENT = """\
Post id,Date,Post text,Post Link,Impressions,Likes,Engagements,Bookmarks,Shares,New follows,Replies,Reposts,Profile visits,Detail Expands,URL Clicks,Hashtag Clicks,Permalink Clicks
4000000000000000001,"Tue, Jul 14, 2026",one,https://x.com/Alice/status/4000000000000000001,"1,500",12,300,4,1,0,2,3,129,200,66,0,0
4000000000000000002,"Wed, Jul 15, 2026",two,https://x.com/Alice/status/4000000000000000002,250,5,41,0,0,0,1,0,3,7,0,0,0
4000000000000000003,"Thu, Jul 16, 2026",three,https://x.com/Alice/status/4000000000000000003,90,1,7,0,0,0,0,0,0,0,0,0,0
"""
# the same shape without links: nothing names the account
NO_LINKS = """\
Post id,Date,Post text,Impressions,Likes,Engagements,Replies,Reposts
4000000000000000011,"Mon, Aug 3, 2026",a,800,9,60,1,2
4000000000000000012,"Tue, Aug 4, 2026",b,"2,200",30,150,4,5
"""
# a daily overview with a follower total, and one without
OVERVIEW_FOLLOWERS = """\
Date,Impressions,Likes,Engagements,New follows,Unfollows,Followers
"Tue, Jul 14, 2026",1000,10,100,3,1,"1,204"
"Wed, Jul 15, 2026",900,8,80,5,2,1207
"""
OVERVIEW = """\
Date,Impressions,Likes,Engagements,New follows,Unfollows,Replies
"Mon, Aug 3, 2026",1000,10,100,3,1,0
"""


def _write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _sums(text: str) -> dict[str, int]:
    rows = list(csv.DictReader(io.StringIO(text)))
    return {
        c: sum(int(r[c].replace(",", "")) for r in rows) for c in ("Impressions", "Engagements")
    }


def _loaded_sums(wb: warmcall.Workbook) -> dict[str, dict[str, int]]:
    g = wb.posts.group_by("account_id").agg(
        pl.col("impressions").sum(), pl.col("engagements").sum()
    )
    return {a: {"Impressions": i, "Engagements": e} for a, i, e in g.iter_rows()}


def test_x_files_alone_make_the_account_their_links_name(tmp_path: Path) -> None:
    d = _write(tmp_path / "x", {"account_analytics_content_2026-07.csv": CONTENT,
                                "account_overview_analytics.csv": OVERVIEW_FOLLOWERS})  # fmt: skip
    wb = warmcall.load(d, cache=False)
    assert wb.report.rows_rejected == 0 and all(s.balanced for s in wb.report.sources)
    assert _loaded_sums(wb) == {"x:alice": _sums(CONTENT)}
    acc = wb.accounts.sort("snapshot_date")
    want = [int(r["Followers"].replace(",", ""))
            for r in csv.DictReader(io.StringIO(OVERVIEW_FOLLOWERS))]  # fmt: skip
    assert set(acc["account_id"]) == {"x:alice"}
    assert acc["followers"].to_list() == want
    sig = set(wb.report.signals().select("account_id", "signal").iter_rows())
    assert sig == {("x:alice", "impressions"), ("x:alice", "followers")}


def test_x_content_alone_gets_an_accounts_row_without_followers(tmp_path: Path) -> None:
    wb = warmcall.load(_write(tmp_path / "x", {"account_analytics_content.csv": CONTENT}),
                       cache=False)  # fmt: skip
    assert wb.accounts.select("account_id", "handle", "display_name", "followers").rows() == [
        ("x:alice", "alice", None, None)
    ]
    assert _loaded_sums(wb) == {"x:alice": _sums(CONTENT)}


def test_x_files_naming_no_account_go_to_the_placeholder(tmp_path: Path) -> None:
    d = _write(tmp_path / "x", {"account_analytics_content_2026-08.csv": NO_LINKS,
                                "account_overview_analytics.csv": OVERVIEW})  # fmt: skip
    wb = warmcall.load(d, cache=False)
    assert wb.report.rows_rejected == 0
    assert _loaded_sums(wb) == {"x:analytics": _sums(NO_LINKS)}
    assert wb.accounts.select("account_id", "display_name", "followers").rows() == [
        ("x:analytics", "your X account (analytics files)", None)
    ]
    notes = [n for s in wb.report.sources for n in s.notes]
    assert any("attached to x:analytics, a placeholder" in n for n in notes)
    assert set(wb.report.signals()["signal"]) == {"impressions"}  # no follower column


def _workbook(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "ENGAGEMENT"
    ws.append(["Date", "Impressions", "Engagements"])
    ws.append(["3/1/2024", 120, 4])
    ws = wb.create_sheet("TOP POSTS")
    ws.append(["Post URL", "Post publish date", "Engagements", None, "Post URL",
               "Post publish date", "Impressions"])  # fmt: skip
    url = "https://www.linkedin.com/feed/update/urn:li:activity:{}"
    ws.append([url.format(1), "3/5/2024", 40, None, url.format(3), "3/9/2024", 3000])
    ws.append([url.format(2), "3/9/2024", 12, None, url.format(4), "3/7/2024", 900])
    ws = wb.create_sheet("FOLLOWERS")
    ws.append(["Total followers on 3/31/2024:", 1234])
    ws.append(["Date", "New followers"])
    ws.append(["3/31/2024", 5])
    wb.save(path)
    return path


def test_linkedin_workbook_alone(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "Content_2024-03-01_2024-03-31_Me.xlsx")
    ws = load_workbook(path, read_only=True)["TOP POSTS"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    want = {"Impressions": sum(r[6] for r in rows), "Engagements": sum(r[2] for r in rows)}
    wb = warmcall.load(path, cache=False)
    assert _loaded_sums(wb) == {"linkedin:analytics": want}
    assert wb.accounts.select("account_id", "display_name", "followers").rows() == [
        ("linkedin:analytics", "your LinkedIn account (analytics files)", 1234)
    ]
    sig = set(wb.report.signals().select("account_id", "signal").iter_rows())
    assert sig == {("linkedin:analytics", "impressions"), ("linkedin:analytics", "followers")}
