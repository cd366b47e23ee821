# ruff: noqa: E501  (fixture CSV lines reproduce the exports' exact headers)
"""X/Twitter analytics CSV loader (docs/export-formats.md §2; fixtures per §8 "X analytics").

Every expected count below is worked out by hand from the fixture text next to it.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
import warmcall
from warmcall.core.errors import InputError
from warmcall.ingest.accounting import finalize
from warmcall.ingest.loaders import LOADERS, x_analytics
from warmcall.ingest.sources import Source

# -- legacy (§2.1) ---------------------------------------------------------------------------
LEGACY_HEADER = [
    "Tweet id", "Tweet permalink", "Tweet text", "time", "impressions", "engagements",
    "engagement rate", "retweets", "replies", "likes", "user profile clicks", "url clicks",
    "hashtag clicks", "detail expands", "permalink clicks", "app opens", "app installs",
    "follows", "email tweet", "dial phone", "media views", "media engagements",
    "promoted impressions", "promoted engagements", "promoted engagement rate",
    "promoted retweets", "promoted replies", "promoted likes", "promoted user profile clicks",
    "promoted url clicks", "promoted hashtag clicks", "promoted detail expands",
    "promoted permalink clicks", "promoted app opens", "promoted app installs",
    "promoted follows", "promoted email tweet", "promoted dial phone", "promoted media views",
    "promoted media engagements",
]  # fmt: skip
NO_PROMO = ["-"] * 18  # the 18 "promoted …" cells of a tweet that was not promoted
PROMO = ["12000", "300", "0.025", "10", "5", "40", "7", "200", "0", "30", "8", "0", "0", "2",
         "0", "0", "0", "0"]  # fmt: skip


def q(cells: list[str]) -> str:
    """One legacy record: every field quoted (``"`` doubled)."""
    return ",".join('"' + c.replace('"', '""') + '"' for c in cells)


def organic(imp, eng, rate, rt, rep, like, upc, url, tag, det, perm) -> list[str]:
    """impressions … permalink clicks as floats, then 7 integer cells (app opens … media eng.)."""
    return [
        imp,
        eng,
        rate,
        rt,
        rep,
        like,
        upc,
        url,
        tag,
        det,
        perm,
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
    ]


A_TEXT = "New post &amp; link\nsecond line https://t.co/AbCdEf1234"
# legacy 1: exact 40-col header, LF. 4 records -> 3 loaded, 1 rejected (row D: empty permalink).
LEGACY_1 = "\n".join([
    q(LEGACY_HEADER),  # line 1
    # line 2-3, row A: multi-line text with &amp;, "15.0" floats, ratio, 18 "-"
    q(["1111111111111111111", "https://twitter.com/alice/status/1111111111111111111", A_TEXT,
       "2016-12-23 18:50 +0000",
       *organic("1938.0", "18.0", "0.009287925696594427", "0.0", "0.0", "1.0", "0.0", "15.0",
                "0.0", "2.0", "0.0"), *NO_PROMO]),
    # line 4, row B: the promoted row
    q(["1111111111111111112", "https://twitter.com/alice/status/1111111111111111112",
       "Promoted &lt;sale&gt;", "2016-12-24 09:05 +0000",
       *organic("500.0", "20.0", "0.04", "2.0", "3.0", "4.0", "1.0", "5.0", "0.0", "1.0", "0.0"),
       *PROMO]),
    # line 5, row C: a retweet
    q(["1111111111111111113", "https://twitter.com/alice/status/1111111111111111113",
       "RT @bob: a truncated retweet \u2026", "2016-12-25 10:00 +0000",
       *organic("0.0", "0.0", "0.0", "0.0", "0.0", "0.0", "0.0", "0.0", "0.0", "0.0", "0.0"),
       *NO_PROMO]),
    # line 6, row D: no permalink -> no account named (the load attaches it to the one X account)
    q(["1111111111111111114", "", "no link", "2016-12-26 11:00 +0000",
       *organic("10.0", "1.0", "0.1", "0.0", "0.0", "1.0", "0.0", "0.0", "0.0", "0.0", "0.0"),
       *NO_PROMO]),
]) + "\n"  # fmt: skip

# legacy 2: BOM variant (localized export). 2 records -> 1 loaded, 1 rejected (line 3 time).
LEGACY_2 = "\ufeff" + "\n".join([
    q(LEGACY_HEADER),
    q(["1111111111111111121", "https://twitter.com/alice/status/1111111111111111121",
       "日本語のツイート", "2017-01-05 03:04 +0000",
       *organic("100.0", "5.0", "0.05", "1.0", "0.0", "3.0", "0.0", "0.0", "0.0", "1.0", "0.0"),
       *NO_PROMO]),
    q(["1111111111111111122", "https://twitter.com/alice/status/1111111111111111122",
       "bad time", "05/01/2017 03:04",
       *organic("1.0", "0.0", "0.0", "0.0", "0.0", "0.0", "0.0", "0.0", "0.0", "0.0", "0.0"),
       *NO_PROMO]),
]) + "\n"  # fmt: skip

# legacy 3: pre-2015 header (favorites). 2 records -> 1 loaded, 1 rejected (line 3 "2.5").
OLD_HEADER = [
    {"likes": "favorites", "promoted likes": "promoted favorites"}.get(h, h) for h in LEGACY_HEADER
]
LEGACY_3 = "\n".join([
    q(OLD_HEADER),
    q(["1111111111111111131", "https://twitter.com/alice/status/1111111111111111131",
       "old tweet", "2014-10-02 12:00 +0000",
       *organic("70.0", "9.0", "0.13", "1.0", "1.0", "7.0", "0.0", "0.0", "0.0", "0.0", "0.0"),
       *NO_PROMO]),
    q(["1111111111111111132", "https://twitter.com/alice/status/1111111111111111132",
       "half a favorite", "2014-10-03 12:00 +0000",
       *organic("70.0", "9.0", "0.13", "1.0", "1.0", "2.5", "0.0", "0.0", "0.0", "0.0", "0.0"),
       *NO_PROMO]),
]) + "\n"  # fmt: skip

# -- current per post (§2.2) -----------------------------------------------------------------
# English, unquoted header. 3 records -> 2 loaded, 1 rejected (line 4: Jul 14 2026 is a Tue).
CONTENT_EN = """\
Post id,Date,Post text,Post Link,Impressions,Likes,Engagements,Bookmarks,Shares,New follows,Replies,Reposts,Profile visits,Detail Expands,URL Clicks,Hashtag Clicks,Permalink Clicks
2222222222222222221,"Tue, Jul 14, 2026",Some post text,https://x.com/alice/status/2222222222222222221,122978,12,300,4,1,0,2,3,129,200,66,0,0
2222222222222222222,"Wed, Jul 15, 2026",@bob thanks for this,https://x.com/alice/status/2222222222222222222,"1,234",5,"1,001",0,0,0,1,0,3,7,0,0,0
2222222222222222223,"Wed, Jul 14, 2026",Wrong weekday,https://x.com/alice/status/2222222222222222223,10,1,1,0,0,0,0,0,0,0,0,0,0
"""
# Reordered, extra unknown column, multi-line text. 2 records (lines 2-3 and 4):
# without the handle option -> 1 loaded, 1 rejected (line 4 has no Post Link).
CONTENT_REORDERED = """\
Date,Post Link,Impressions,Post text,Reposts,Likes,Post id,Replies,URL Clicks,Engagements,Bookmarks,Monetized impressions
"Sat, Aug 1, 2026",https://x.com/alice/status/2222222222222222231,500,"multi-line
text, with comma",4,9,2222222222222222231,1,2,20,3,88
"Sun, Aug 2, 2026",,40,no link row,0,1,2222222222222222232,0,0,1,0,0
"""
# Localized (Japanese-UI header). 2 records -> 2 loaded.
CONTENT_JA = """\
ポストID,日付,ポスト本文,ポストのリンク,インプレッション数,いいね,エンゲージメント,ブックマーク,共有された回数,新しいフォロー,返信,リポスト,プロフィールへのアクセス数,詳細のクリック数,URLのクリック数,ハッシュタグのクリック数,パーマリンクのクリック数
2222222222222222241,"Mon, Sep 7, 2026",日本語のポスト,https://x.com/alice/status/2222222222222222241,"2,000",10,30,1,0,0,2,3,4,5,6,0,0
2222222222222222242,"Tue, Sep 8, 2026",RT @bob: 再投稿,https://x.com/alice/status/2222222222222222242,0,0,0,0,0,0,0,0,0,0,0,0,0
"""
# Korean header as shown in §2.2 plus a column we cannot map (답글): no id / link -> fatal.
CONTENT_KO = """\
포스트 텍스트,날짜,노출수,좋아요,답글
안녕하세요,"Tue, Jul 14, 2026",100,2,0
"""

# -- overview and video (§2.2) ---------------------------------------------------------------
# 2 records; new follows 3+5 = 8, unfollows 1+2 = 3.
OVERVIEW = """\
Date,Impressions,Likes,Engagements,Bookmarks,Shares,New follows,Unfollows,Replies,Reposts,Profile visits,Create Post,Video views,Media views
"Fri, Apr 26, 2024",100,2,10,0,0,3,1,0,0,0,0,0,0
"Sat, Apr 27, 2024","1,500",20,90,1,0,5,2,1,1,4,1,0,0
"""
# Swapped columns (Engagements before Likes, Unfollows before New follows). 3 records; line 4
# has no weekday -> unparsable. Loaded rows: new follows 6+2 = 8, unfollows 4+0 = 4.
OVERVIEW_SWAPPED = """\
Date,Impressions,Engagements,Likes,Bookmarks,Shares,Unfollows,New follows,Replies,Reposts,Profile visits,Create Post,Video views,Media views
"Wed, May 1, 2024",200,12,3,0,0,4,6,0,0,0,0,0,0
"Thu, May 2, 2024",300,15,5,0,0,0,2,0,0,0,0,0,0
"May 3, 2024",1,1,1,0,0,50,100,0,0,0,0,0,0
"""
# Title row, header, 2 records (lines 3 and 4) -> both rejected (no canonical table).
VIDEO = """\
Video overview,,,,,
Date,Views,Watch Time (ms),Completion Rate,Average Watch Time (ms),Estimated Revenue
"Fri, Apr 26, 2024",10,12000,0.5,1200,0
"Sat, Apr 27, 2024",20,30000,0.4,1500,0
"""

FILES = {
    "legacy/tweet_activity_metrics_alice_20161201_20170101_en.csv": LEGACY_1,
    "legacy/tweet_activity_metrics_alice_20170101_20170201_ja.csv": LEGACY_2,
    "legacy/tweet_activity_metrics_alice_20141001_20141101_en.csv": LEGACY_3,
    "x/account_analytics_content_2026-07-01_2026-07-31.csv": CONTENT_EN,
    "x/account_analytics_content_2026-08-01_2026-08-31.csv": CONTENT_REORDERED,
    "x/ja/account_analytics_content_2026-09-01_2026-09-30.csv": CONTENT_JA,
    "x/account_overview_analytics.csv": OVERVIEW,
    "x/account_overview_analytics_2024-05-01_2024-05-31.csv": OVERVIEW_SWAPPED,
    "x/video_overview_analytics.csv": VIDEO,
    "x/notes.csv": "Date,Title,Body\n2026-01-01,hello,not an X file\n",  # not claimed
}
# (read, loaded, rejected) per file, without / with the handle option "alice"
EXPECTED = {
    "tweet_activity_metrics_alice_20161201_20170101_en.csv": ((4, 3, 1), (4, 4, 0)),
    "tweet_activity_metrics_alice_20170101_20170201_ja.csv": ((2, 1, 1), (2, 1, 1)),
    "tweet_activity_metrics_alice_20141001_20141101_en.csv": ((2, 1, 1), (2, 1, 1)),
    "account_analytics_content_2026-07-01_2026-07-31.csv": ((3, 2, 1), (3, 2, 1)),
    "account_analytics_content_2026-08-01_2026-08-31.csv": ((2, 1, 1), (2, 2, 0)),
    "account_analytics_content_2026-09-01_2026-09-30.csv": ((2, 2, 0), (2, 2, 0)),
    "account_overview_analytics.csv": ((2, 0, 2), (2, 2, 0)),
    "account_overview_analytics_2024-05-01_2024-05-31.csv": ((3, 0, 3), (3, 2, 1)),
    "video_overview_analytics.csv": ((2, 0, 2), (2, 0, 2)),
}


def write_folder(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(text.encode("utf-8"))
    return root


def write_zip(path: Path, files: dict[str, str]) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in sorted(files.items()):
            zf.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), text.encode("utf-8"))
    path.write_bytes(buf.getvalue())
    return path


@pytest.fixture(params=["folder", "zip"])
def export(request, tmp_path: Path) -> Path:
    if request.param == "folder":
        return write_folder(tmp_path / "export", FILES)
    return write_zip(tmp_path / "export.zip", FILES)


def by_name(report) -> dict[str, object]:
    return {s.path.replace("!", "/").rsplit("/", 1)[-1]: s for s in report.sources}


def load_direct(path: Path, **opts):
    return finalize(x_analytics.load(Source.open(path), **opts))


# -- tests -----------------------------------------------------------------------------------
def test_fixture_header_is_the_exact_40_columns():
    assert len(LEGACY_HEADER) == 40 and tuple(LEGACY_HEADER) == x_analytics.LEGACY_COLUMNS
    assert (
        sum(h.startswith("promoted ") for h in LEGACY_HEADER) == 18 == len(NO_PROMO) == len(PROMO)
    )
    assert LEGACY_1.count('"-"') == 3 * 18  # rows A, C, D unpromoted; row B promoted


def test_registered():
    assert x_analytics in LOADERS


def test_detect_by_content_not_name(tmp_path: Path):
    renamed = write_folder(tmp_path / "a", {"export (1).csv": LEGACY_2, "stats.csv": OVERVIEW})
    assert x_analytics.detect(Source.open(renamed))
    kinds = {m.basename: k for m, k in x_analytics._members(Source.open(renamed), None)}
    assert kinds == {"export (1).csv": "legacy", "stats.csv": "overview"}
    # right name, wrong content: not claimed
    fake = write_folder(
        tmp_path / "b",
        {
            "account_overview_analytics.csv": "Date,Title,Body\n2026-01-01,a,b\n",
            "posts.csv": "post_id,ts,impressions,likes\n1,2026-01-01,3,4\n",
        },
    )
    assert not x_analytics.detect(Source.open(fake))


def test_classify_each_format():
    rows = x_analytics._first_rows
    assert x_analytics.classify(rows(LEGACY_2)) == "legacy"  # BOM
    assert x_analytics.classify(rows(LEGACY_3)) == "legacy"
    assert x_analytics.classify(rows(CONTENT_REORDERED)) == "content"
    assert x_analytics.classify(rows(CONTENT_JA)) == "content"
    assert x_analytics.classify(rows(CONTENT_KO)) == "content"
    assert x_analytics.classify(rows(OVERVIEW_SWAPPED)) == "overview"
    assert x_analytics.classify(rows(VIDEO)) == "video"
    assert x_analytics.classify(rows("Date,Title\n1,2\n")) is None


def test_loader_alone_counts(export: Path):
    """The loader by itself: rows that name no account are rejected at validation."""
    _, rep = load_direct(export)
    got = by_name(rep)
    assert set(got) == set(EXPECTED)  # notes.csv is not an X file and is not read
    for name, (want, _) in EXPECTED.items():
        s = got[name]
        assert (s.rows_read, s.rows_loaded, s.rows_rejected) == want, name
        assert s.rows_read == s.rows_loaded + s.rows_rejected
    # totals: read 4+2+2+3+2+2+2+3+2 = 22, loaded 3+1+1+2+1+2 = 10, rejected 12
    assert (rep.rows_read, rep.rows_loaded, rep.rows_rejected) == (22, 10, 12)


def test_warmcall_load_attaches_rows_without_handle_to_the_one_x_account(export: Path):
    """Every URL in the export names alice: the rows without one (legacy row D, the Aug
    content row, both overview files) go to x:alice as with the handle option, with a note."""
    wb = warmcall.load(export)
    got = by_name(wb.report)
    for name, (_, want) in EXPECTED.items():
        s = got[name]
        assert (s.rows_read, s.rows_loaded, s.rows_rejected) == want, name
    assert (wb.report.rows_read, wb.report.rows_loaded, wb.report.rows_rejected) == (22, 16, 6)
    assert wb.posts.height == 12 and wb.accounts.height == 4
    assert set(wb.posts["account_id"]) == set(wb.accounts["account_id"]) == {"x:alice"}
    notes = got["account_overview_analytics.csv"].notes
    assert "2 row(s) name no account: attached to x:alice, the only x account in this load" in notes
    assert any("1 row(s) name no account: attached to x:alice" in n
               for n in got["tweet_activity_metrics_alice_20161201_20170101_en.csv"].notes)  # fmt: skip


def test_rows_without_handle_and_no_account_go_to_a_placeholder_several_are_rejected(
    tmp_path: Path,
):
    alone = write_folder(tmp_path / "alone", {"account_overview_analytics.csv": OVERVIEW})
    wb = warmcall.load(alone)
    s = wb.report.sources[0]
    assert (s.rows_read, s.rows_loaded, s.rows_rejected) == (2, 2, 0)
    assert any("attached to x:analytics, a placeholder for your X account" in n for n in s.notes)
    assert set(wb.accounts["account_id"]) == {"x:analytics"}
    assert set(wb.accounts["display_name"]) == {"your X account (analytics files)"}
    bob = LEGACY_3.replace("twitter.com/alice/", "twitter.com/bob/")
    two = write_folder(tmp_path / "two", {"a/account_overview_analytics.csv": OVERVIEW,
                                          "b/tweet_activity_metrics_alice_x_en.csv": LEGACY_1,
                                          "c/tweet_activity_metrics_bob_x_en.csv": bob})  # fmt: skip
    got = by_name(warmcall.load(two).report)
    ov = got["account_overview_analytics.csv"]
    assert (ov.rows_loaded, ov.rows_rejected) == (0, 2)
    assert all("2 x accounts are loaded" in r["reason"] for r in ov.rejects)
    row_d = got["tweet_activity_metrics_alice_x_en.csv"].rejects
    assert [(r["line"], "cannot tell which" in r["reason"]) for r in row_d] == [(6, True)]


def test_reject_reasons(export: Path):
    got = by_name(warmcall.load(export).report)

    def rejects(name):
        return [(r["line"], r["reason"]) for r in got[name].rejects]

    assert rejects("tweet_activity_metrics_alice_20161201_20170101_en.csv") == []  # row D: alice's
    [(line, why)] = rejects("tweet_activity_metrics_alice_20170101_20170201_ja.csv")
    assert line == 3 and "unparsable time '05/01/2017 03:04'" in why
    assert rejects("tweet_activity_metrics_alice_20141001_20141101_en.csv") == [
        (3, "not a count in column 'favorites': '2.5'")
    ]
    [(line, why)] = rejects("account_analytics_content_2026-07-01_2026-07-31.csv")
    assert line == 4 and "unparsable Date 'Wed, Jul 14, 2026'" in why
    assert rejects("account_analytics_content_2026-08-01_2026-08-31.csv") == []
    assert rejects("account_overview_analytics.csv") == []
    vid = rejects("video_overview_analytics.csv")
    assert [ln for ln, _ in vid] == [3, 4] and all("no canonical table" in w for _, w in vid)


def test_legacy_values(export: Path):
    posts = warmcall.load(export).posts
    a = posts.filter(pl.col("post_id") == "1111111111111111111").row(0, named=True)
    assert a["text"] == "New post & link\nsecond line https://t.co/AbCdEf1234"
    assert a["ts"] == datetime(2016, 12, 23, 18, 50, tzinfo=UTC)
    assert (a["impressions"], a["engagements"], a["likes"], a["comments"], a["shares"]) == (
        1938, 18, 1, 0, 0,
    )  # fmt: skip
    assert a["clicks"] == 15 and a["is_repost"] is False
    assert a["saves"] is None and a["reach"] is None  # not in the legacy file: unknown
    assert a["source"].endswith(":2")
    b = posts.filter(pl.col("post_id") == "1111111111111111112").row(0, named=True)
    assert b["text"] == "Promoted <sale>"
    # organic columns only: 500 impressions, not 500 + 12000
    assert (b["impressions"], b["shares"], b["comments"], b["likes"], b["clicks"]) == (
        500,
        2,
        3,
        4,
        5,
    )
    c = posts.filter(pl.col("post_id") == "1111111111111111113").row(0, named=True)
    assert c["is_repost"] is True and c["impressions"] == 0
    old = posts.filter(pl.col("post_id") == "1111111111111111131").row(0, named=True)
    assert old["likes"] == 7 and old["ts"] == datetime(2014, 10, 2, 12, 0, tzinfo=UTC)
    bom = posts.filter(pl.col("post_id") == "1111111111111111121").row(0, named=True)
    assert bom["text"] == "日本語のツイート" and bom["impressions"] == 100


def test_promoted_note(tmp_path: Path):
    _, rep = load_direct(write_folder(tmp_path / "e", {"t.csv": LEGACY_1}))
    [s] = rep.sources
    assert any(n.startswith("1 promoted row(s)") for n in s.notes)


def test_content_values(export: Path):
    posts = warmcall.load(export).posts
    p = posts.filter(pl.col("post_id") == "2222222222222222221").row(0, named=True)
    assert p["ts"] == datetime(2026, 7, 14, 12, 0, tzinfo=UTC)  # day only -> 12:00 UTC
    assert (p["impressions"], p["likes"], p["engagements"], p["saves"]) == (122978, 12, 300, 4)
    assert (p["comments"], p["shares"], p["clicks"]) == (2, 3, 66)
    r = posts.filter(pl.col("post_id") == "2222222222222222222").row(0, named=True)
    assert r["text"] == "@bob thanks for this" and r["is_repost"] is False  # a reply is a post
    assert (r["impressions"], r["engagements"]) == (1234, 1001)
    m = posts.filter(pl.col("post_id") == "2222222222222222231").row(0, named=True)
    assert m["text"] == "multi-line\ntext, with comma"
    assert (m["impressions"], m["shares"], m["likes"], m["comments"], m["clicks"]) == (
        500,
        4,
        9,
        1,
        2,
    )
    assert (m["engagements"], m["saves"]) == (20, 3)
    assert m["source"].endswith(":2")
    ja = posts.filter(pl.col("post_id") == "2222222222222222241").row(0, named=True)
    assert ja["text"] == "日本語のポスト" and ja["ts"] == datetime(2026, 9, 7, 12, 0, tzinfo=UTC)
    assert (ja["impressions"], ja["likes"], ja["engagements"], ja["saves"]) == (2000, 10, 30, 1)
    assert (ja["comments"], ja["shares"], ja["clicks"]) == (2, 3, 6)
    rt = posts.filter(pl.col("post_id") == "2222222222222222242").row(0, named=True)
    assert rt["is_repost"] is True


def test_handle_option(tmp_path: Path):
    tables, rep = load_direct(write_folder(tmp_path / "e", FILES), handle="@alice")
    got = by_name(rep)
    for name, (_, want) in EXPECTED.items():
        s = got[name]
        assert (s.rows_read, s.rows_loaded, s.rows_rejected) == want, name
    # loaded 4+1+1+2+2+2+2+2 = 16 of 22; rejected 6
    assert (rep.rows_read, rep.rows_loaded, rep.rows_rejected) == (22, 16, 6)
    acc = tables["accounts"].sort("snapshot_date")
    assert acc["snapshot_date"].to_list() == [
        date(2024, 4, 26), date(2024, 4, 27), date(2024, 5, 1), date(2024, 5, 2),
    ]  # fmt: skip
    assert set(acc["account_id"]) == {"x:alice"} and set(acc["handle"]) == {"alice"}
    assert acc["followers"].null_count() == 4  # never invented
    notes = got["account_overview_analytics.csv"].notes
    assert any("no follower total" in n and "new follows 8, unfollows 3" in n for n in notes)
    notes2 = got["account_overview_analytics_2024-05-01_2024-05-31.csv"].notes
    assert any(
        "new follows 8, unfollows 4" in n for n in notes2
    )  # swapped columns, rejected row excluded
    [(line, why)] = [
        (r["line"], r["reason"])
        for r in got["account_overview_analytics_2024-05-01_2024-05-31.csv"].rejects
    ]
    assert line == 4 and "unparsable Date 'May 3, 2024'" in why
    row_d = tables["posts"].filter(pl.col("post_id") == "1111111111111111114")
    assert row_d["account_id"].to_list() == ["x:alice"]


def test_localized_unknown_header_is_fatal(tmp_path: Path):
    path = write_folder(tmp_path / "ko", {"account_analytics_content_2026.csv": CONTENT_KO})
    with pytest.raises(InputError) as e:
        warmcall.load(path)
    msg = str(e.value)
    assert "account_analytics_content_2026.csv" in msg
    assert "Post id or Post Link" in msg and "답글" in msg
    assert "\n" not in msg


def test_legacy_missing_time_is_fatal(tmp_path: Path):
    header = [h for h in LEGACY_HEADER if h != "time"]
    text = (
        q(header) + "\n" + q(["1", "https://twitter.com/alice/status/1", "x", *["0"] * 37]) + "\n"
    )
    path = write_folder(tmp_path / "t", {"tweet_activity_metrics_alice.csv": text})
    with pytest.raises(
        InputError, match=r"tweet_activity_metrics_alice\.csv: .*missing required column\(s\) time"
    ):
        warmcall.load(path)


def test_parse_count():
    s = pl.DataFrame({"v": ["15.0", "1,234", "-", "", None, "2.5", "abc", "-3", "0"]})
    got = s.select(x_analytics.parse_count("v").alias("n"))["n"].to_list()
    assert got == [15, 1234, None, None, None, None, None, None, 0]


def test_handle_case_does_not_split_the_account(tmp_path: Path):
    """X handles are case-insensitive: ``/Alice/`` URLs and a lower-case handle option are
    one account, so the overview rows still have exactly one X account to go to."""
    shouty = LEGACY_3.replace("twitter.com/alice/", "twitter.com/Alice/")
    d = write_folder(tmp_path / "e", {"a/tweet_activity_metrics_x_en.csv": shouty,
                                      "b/tweet_activity_metrics_y_en.csv": LEGACY_2,
                                      "account_overview_analytics.csv": OVERVIEW})  # fmt: skip
    wb = warmcall.load(d, cache=False)
    assert set(wb.posts["account_id"]) == set(wb.accounts["account_id"]) == {"x:alice"}
    assert by_name(wb.report)["account_overview_analytics.csv"].rows_loaded == 2
