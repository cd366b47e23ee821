"""X/Twitter archive loader (docs/export-formats.md §1) and its sample writer.

Fixtures: tests/fixtures_x_archive.py (expected counts worked out by hand there and below).
"""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
import warmcall
from fixtures_x_archive import (
    BOB,
    CAROL,
    DAVE,
    EXPECTED_FILES,
    FIVE,
    FRANK,
    LIKES,
    LONG_TEXT,
    OWN,
    TWEETS,
    archive_files,
    pretty,
    tweet,
    write_folder,
    write_zip,
)
from warmcall.core.errors import InputError
from warmcall.ingest.loaders import LOADERS
from warmcall.ingest.loaders import x_archive as xa
from warmcall.ingest.sources import Source
from warmcall.sample import x_archive as writer


def _utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=UTC)


@pytest.fixture(params=["zip", "folder"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "zip":
        return write_zip(tmp_path / "twitter-2023-08-31-abc123.zip")
    return write_folder(tmp_path / "twitter-2023-08-31-abc123")


def _by_file(wb: warmcall.Workbook) -> dict[str, object]:
    out = {}
    for s in wb.report.sources:
        rel = s.path.split("!", 1)[1] if "!" in s.path else s.path.split("abc123/", 1)[1]
        out[rel] = s
    return out


def test_registered_and_detected(archive: Path) -> None:
    assert xa in LOADERS
    assert xa.detect(Source.open(archive))


def test_accounting_per_file(archive: Path) -> None:
    wb = warmcall.load(archive)
    files = _by_file(wb)
    assert set(files) == set(EXPECTED_FILES)  # media, assets, headers twin, block.js not read
    for name, want in EXPECTED_FILES.items():
        s = files[name]
        assert (s.rows_read, s.rows_loaded, s.rows_set_aside, s.rows_rejected) == want, name
        assert s.balanced
    assert wb.report.rows_read == 27  # 1+3+2+6+1+2+2+0+3+1+6
    assert wb.report.rows_set_aside == 2  # 2 likes
    assert wb.report.rows_rejected == 4  # 1 note + 3 group DM entries


def test_likes_are_set_aside_as_the_owners_activity(archive: Path) -> None:
    wb = warmcall.load(archive)
    assert wb.report.set_aside_frame().to_dicts() == [
        {"account_id": "x:alice", "activity": "likes given",
         "reason": "like given; its author is not in the export", "rows": 2}
    ]  # fmt: skip
    assert "set aside: 2 × like given; its author is not in the export" in wb.report.text()


def test_a_like_without_tweet_id_is_rejected(tmp_path: Path) -> None:
    likes = [*LIKES, {"like": {"fullText": "no id"}}, "not an object"]
    wb = warmcall.load(_with(tmp_path, like=pretty("window.YTD.like.part0", likes)))
    s = _by_file(wb)["data/like.js"]
    assert (s.rows_read, s.rows_set_aside, s.rows_rejected) == (4, 2, 2)
    assert [r["reason"] for r in s.rejects] == ["like entry without tweetId"] * 2


def test_reject_reasons(archive: Path) -> None:
    files = _by_file(warmcall.load(archive))
    reasons = lambda n: [(r["line"], r["reason"]) for r in files[n].rejects]  # noqa: E731
    assert reasons("data/like.js") == []  # set aside, not rejected
    assert reasons("data/note-tweet.js") == [(2, "note-tweet has no tweet within 2 s of it")]
    assert reasons("data/direct-message-group.js") == [
        (2, "group DM: no single counterpart"),
        (5, "DM system event: participantsLeave"),
        (6, "DM system event: joinConversation"),
    ]
    notes = files["data/manifest.js"].notes
    assert any("direct-messages-part1.js is not listed in manifest.js" in n for n in notes)
    assert any("manifest count for data/follower.js is 4, the file has 3" in n for n in notes)


def test_account_row(archive: Path) -> None:
    acc = warmcall.load(archive).accounts
    assert acc.height == 1
    row = acc.row(0, named=True)
    assert row["account_id"] == "x:alice" and row["platform"] == "x"
    assert (row["handle"], row["display_name"]) == ("alice", "Alice")
    assert row["snapshot_date"] == date(2023, 8, 31)  # manifest generationDate
    assert (row["followers"], row["following"], row["posts_count"]) == (3, 2, 7)
    assert row["avg_likes"] is None and row["engagement_rate"] is None


def test_connections(archive: Path) -> None:
    con = warmcall.load(archive).connections.sort("contact_id")
    # followers 2222, 3333, 4444; following 2222, 5555 -> 4 contacts; frank (mentioned in
    # tweet 7, a counterpart) gets a row for his name, following neither way. erin is named
    # only inside bob's retweet: not a contact, no row.
    got = {
        r[0]: r[1:]
        for r in con.select(
            "contact_id", "follows_me", "i_follow", "handle", "display_name"
        ).iter_rows()
    }
    assert got == {
        BOB: (True, True, "bob", "Bob"),  # mention (tweet 1) and retweet (tweet 3)
        CAROL: (True, False, "carol", "Carol"),
        DAVE: (True, False, "dave", "Dave"),
        FIVE: (False, True, None, None),  # never named in the archive
        FRANK: (False, False, "frank", "Frank"),
    }
    assert con["connected_at"].null_count() == 5  # no follow dates in the format
    bob = con.filter(pl.col("contact_id") == BOB)["source"][0]
    # the most recent evidence: the retweet (tweet 3, Aug 14) after the reply (Aug 12)
    assert "follower.js:1" in bob and "following.js:1" in bob and "tweets.js:3" in bob


def test_posts(archive: Path) -> None:
    posts = warmcall.load(archive).posts.sort("post_id")
    assert posts.height == 7
    p = {r["post_id"][-1]: r for r in posts.iter_rows(named=True)}
    assert p["1"]["text"] == "@bob to answer your question & more: https://t.co/AbCdEf1234"
    assert p["1"]["ts"] == _utc(2023, 8, 12, 16, 10, 37)
    assert (p["1"]["likes"], p["1"]["shares"]) == (3, 1)
    assert p["2"]["text"] == "Thanks @carol and @dave <3"
    assert p["3"]["is_repost"] is True and p["3"]["shares"] == 12
    assert [p[k]["is_repost"] for k in "124567"] == [False] * 6
    assert p["5"]["text"] == LONG_TEXT  # replaced by the note-tweet matched by time
    assert "note-tweet.js:1" in p["5"]["source"] and "tweets.js:5" in p["5"]["source"]
    assert p["6"]["text"] == "Hello world" and p["6"]["ts"] == _utc(2018, 1, 1)  # unwrapped item
    assert p["7"]["source"].endswith("tweets-part1.js:1")
    assert posts["impressions"].null_count() == 7 and posts["comments"].null_count() == 7


def test_interactions(archive: Path) -> None:
    it = warmcall.load(archive).interactions
    got = sorted(
        (r["contact_id"], r["kind"], r["direction"], r["post_id"] or "", r["ts"])
        for r in it.iter_rows(named=True)
    )
    t = "100000000000000000"
    want = sorted(
        [
            (BOB, "reply", "out", t + "1", _utc(2023, 8, 12, 16, 10, 37)),  # not also a mention
            (CAROL, "mention", "out", t + "2", _utc(2023, 8, 13, 9, 5)),
            (DAVE, "mention", "out", t + "2", _utc(2023, 8, 13, 9, 5)),
            (BOB, "share", "out", t + "3", _utc(2023, 8, 14, 8)),  # RT: erin not a mention
            (CAROL, "reply", "out", t + "7", _utc(2023, 8, 17, 18)),
            (FRANK, "mention", "out", t + "7", _utc(2023, 8, 17, 18)),
            (BOB, "dm", "in", "", _utc(2020, 1, 21, 10)),
            (BOB, "reaction", "out", "", _utc(2020, 1, 21, 10, 5)),
            (BOB, "dm", "out", "", _utc(2020, 1, 20, 21, 45)),
            (BOB, "dm", "in", "", _utc(2020, 1, 20, 21, 42, 9, 68000)),
            (BOB, "dm", "out", "", _utc(2020, 1, 19, 8)),
            (CAROL, "dm", "in", "", _utc(2021, 3, 1, 12)),
            (DAVE, "reaction", "in", "", _utc(2021, 3, 1, 10, 1)),
            (DAVE, "reaction", "in", "", _utc(2021, 3, 1, 9, 30)),
        ]
    )
    assert got == want
    assert set(it["account_id"]) == {"x:alice"} and set(it["platform"]) == {"x"}


def test_zip_and_folder_agree(tmp_path: Path) -> None:
    a = warmcall.load(write_zip(tmp_path / "a.zip"))
    b = warmcall.load(write_folder(tmp_path / "b"))
    for name, df in a.tables().items():
        cols = [c for c in df.columns if c != "source"]
        assert df.select(cols).sort(cols[:4]).equals(b.tables()[name].select(cols).sort(cols[:4]))


# -- fatal problems ----------------------------------------------------------------------------
def _with(tmp_path: Path, **changes: str | None) -> Path:
    files = archive_files()
    for name, content in changes.items():
        key = "data/" + name.replace("_", "-") + ".js"
        if content is None:
            files.pop(key)
        else:
            files[key] = content
    return write_zip(tmp_path / "t.zip", files)


def test_truncated_tweets_is_input_error(tmp_path: Path) -> None:
    full = pretty("window.YTD.tweets.part0", TWEETS)
    with pytest.raises(InputError) as e:
        warmcall.load(_with(tmp_path, tweets=full[: len(full) // 2]))
    assert "t.zip!data/tweets.js" in str(e.value) and "truncated" in str(e.value)
    assert "\n" not in str(e.value)


def test_js_without_wrapper_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        warmcall.load(_with(tmp_path, follower='[ { "follower" : { "accountId" : "2" } } ]'))
    assert "data/follower.js" in str(e.value) and "wrapper" in str(e.value)


def test_wrong_wrapper_is_input_error(tmp_path: Path) -> None:
    wrong = pretty("window.YTD.like.part0", TWEETS)
    with pytest.raises(InputError, match=r"data/tweets\.js: wrong wrapper"):
        warmcall.load(_with(tmp_path, tweets=wrong))
    with pytest.raises(InputError, match=r"data/account\.js: wrong wrapper"):
        warmcall.load(_with(tmp_path, account="window.__THAR_CONFIG = []"))


def test_no_account_anywhere_is_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="whose archive"):
        warmcall.load(_with(tmp_path, account=None, manifest=None))


def test_manifest_user_info_stands_in_for_account_js(tmp_path: Path) -> None:
    wb = warmcall.load(_with(tmp_path, account=None))
    assert wb.accounts["account_id"].to_list() == ["x:alice"]
    man = [s for s in wb.report.sources if s.path.endswith("manifest.js")][0]
    assert (man.rows_read, man.rows_loaded) == (1, 1)
    assert wb.interactions.filter(pl.col("kind") == "dm").height == 5  # own id known: 3 + 1 + 1


# -- old names, no manifest, row-level rejects -------------------------------------------------
def test_old_names_without_manifest(tmp_path: Path) -> None:
    files = {
        "data/account.js": pretty(
            "window.YTD.account.part0", [{"account": {"username": "alice", "accountId": OWN}}]
        ),
        # old singular names; 2 + 1 tweets; no entities key at all in the second
        "data/tweet.js": pretty(
            "window.YTD.tweet.part0",
            [
                {"tweet": tweet("11", "Fri Jan 05 10:00:00 +0000 2018", "a", [])},
                {
                    "tweet": {
                        "id_str": "12",
                        "created_at": "Sat Jan 06 10:00:00 +0000 2018",
                        "full_text": "b",
                        "favorite_count": "1",
                        "retweet_count": "0",
                    }
                },
            ],
        ),
        "data/tweet-part1.js": pretty(
            "window.YTD.tweet.part1",
            [{"tweet": tweet("13", "Sun Jan 07 10:00:00 +0000 2018", "c", [])}],
        ),
        "data/follower.js": pretty("window.YTD.follower.part0", [{"follower": {"accountId": BOB}}]),
        "data/following.js": "window.YTD.following.part0 = [ ]",  # present but empty
        "data/direct-message.js": pretty(
            "window.YTD.direct_message.part0",
            [
                {
                    "dmConversation": {
                        "conversationId": f"{BOB}-{OWN}",
                        "messages": [
                            {
                                "messageCreate": {
                                    "senderId": OWN,
                                    "recipientId": BOB,
                                    "text": "x",
                                    "id": "1",
                                    "createdAt": "2019-07-01T00:00:00.000Z",
                                }
                            }
                        ],
                    }
                }
            ],
        ),
    }
    root = write_folder(tmp_path / "old", files)
    wb = warmcall.load(root)
    row = wb.accounts.row(0, named=True)
    assert row["snapshot_date"] is None  # no manifest
    assert (row["followers"], row["following"], row["posts_count"]) == (1, 0, 3)
    assert wb.connections.select("contact_id", "follows_me", "i_follow").rows() == [
        (BOB, True, False)
    ]
    assert sorted(wb.posts["post_id"]) == ["11", "12", "13"]
    assert wb.interactions.select("contact_id", "kind", "direction").rows() == [(BOB, "dm", "out")]


def test_follower_only_archive_leaves_i_follow_unknown(tmp_path: Path) -> None:
    wb = warmcall.load(_with(tmp_path, following=None))
    con = wb.connections
    # 3 followers + frank (named, a counterpart); no following.js: i_follow unknown for all
    assert con.height == 4 and con["i_follow"].null_count() == 4
    assert con.filter(pl.col("contact_id") == FRANK)["follows_me"].to_list() == [False]
    assert wb.accounts["following"][0] is None  # unknown, not 0


def test_bad_created_at_rejects_the_whole_tweet(tmp_path: Path) -> None:
    bad = [
        {
            "tweet": tweet(
                "21", "Sat Aug 12 16:10:37 +0000 23", "@bob hi", [], reply_to=(BOB, "bob")
            )
        },
        {"tweet": tweet("22", "Sat Aug 12 16:10:37 +0000 2023", "ok", [], fav="many")},
        {"tweet": tweet("23", "Sat Aug 12 16:10:38 +0000 2023", "fine", [])},
        {"nottweet": 1},  # unwrapped-looking item without an id
    ]
    wb = warmcall.load(_with(tmp_path, tweets=pretty("window.YTD.tweets.part0", bad)))
    s = [s for s in wb.report.sources if s.path.endswith("data/tweets.js")][0]
    assert (s.rows_read, s.rows_loaded, s.rows_rejected) == (4, 1, 3)
    assert [(r["line"], r["reason"]) for r in s.rejects] == [
        (1, "unparsable created_at 'Sat Aug 12 16:10:37 +0000 23'"),
        (2, "unparsable favorite_count 'many'"),
        (4, "tweet without id_str"),
    ]
    assert wb.interactions.filter(pl.col("post_id") == "21").height == 0  # its reply is gone too


def test_parse_created_at_is_locale_free_and_honours_offsets() -> None:
    df = pl.DataFrame(
        {
            "c": [
                "Sun Feb 01 23:30:00 -0130 2015",
                "Sat Aug 2 16:10:37 +0000 2023",
                "Sam Aoû 12 16:10:37 +0000 2023",
                None,
            ]
        }
    )
    got = df.select(xa.parse_created_at("c"))["c"].to_list()
    assert got == [_utc(2015, 2, 2, 1, 0), _utc(2023, 8, 2, 16, 10, 37), None, None]


def test_detect_is_by_content(tmp_path: Path) -> None:
    root = write_folder(
        tmp_path / "n",
        {
            "data/tweets.js": "var tweets = [];\n",  # right name, not the wrapper
            "assets/app.js": "window.YTD = {};\n",
            "data/manifest.js": "{}",
            "notes.csv": "a,b\n1,2\n",
        },
    )
    assert not xa.detect(Source.open(root))
    solo = write_folder(tmp_path / "s", {"follower.js": "window.YTD.follower.part0 = [ ]"})
    assert xa.detect(Source.open(solo))


# -- sample writer -------------------------------------------------------------------------------
TS = pl.Datetime("us", "UTC")


def _canonical() -> dict[str, pl.DataFrame]:
    a = "x:northwind"
    n = 5
    accounts = pl.DataFrame(
        {
            "account_id": [a],
            "platform": ["x"],
            "handle": ["northwind"],
            "display_name": ["Northwind & Co <R>"],
            "snapshot_date": [date(2026, 11, 13)],
            "followers": [3],
            "following": [2],
            "posts_count": [n],
        }
    )
    connections = pl.DataFrame(
        {
            "account_id": [a] * 4,
            "platform": ["x"] * 4,
            "contact_id": ["201", "202", "203", "204"],
            "follows_me": [True, True, True, False],
            "i_follow": [True, False, False, True],
        }
    )
    long = "A long thread opener & more <details> " * 10  # > 280 chars -> note-tweet.js
    posts = pl.DataFrame(
        {
            "account_id": [a] * n,
            "platform": ["x"] * n,
            "post_id": ["9001", "9002", "9003", "9004", "9005"],
            "ts": [
                _utc(2026, 1, 5, 9),
                _utc(2026, 2, 6, 10, 30, 5),
                _utc(2026, 3, 7, 11),
                _utc(2026, 4, 8, 12),
                _utc(2026, 5, 9, 13),
            ],
            "text": [
                "Fish & chips <3 with @b201",
                "RT @c202: their words",
                long,
                "@b201 @d203 replying",
                "plain \"quoted\" 'text' &amp; literal",
            ],
            "is_repost": [False, True, False, False, False],
            "likes": [4, 0, 10, None, 1],
            "shares": [1, 0, 2, 3, None],
        },
        schema_overrides={"ts": TS},
    )
    it = [
        ("201", _utc(2026, 1, 5, 9), "mention", "out", "9001"),
        ("202", _utc(2026, 2, 6, 10, 30, 5), "share", "out", "9002"),
        ("201", _utc(2026, 4, 8, 12), "reply", "out", "9004"),
        ("203", _utc(2026, 4, 8, 12), "mention", "out", "9004"),
        ("201", _utc(2026, 6, 1, 8, 0, 0, 123000), "dm", "in", None),
        ("201", _utc(2026, 6, 1, 8, 5, 0, 500000), "dm", "out", None),
        ("201", _utc(2026, 6, 1, 8, 6), "reaction", "in", None),
        ("201", _utc(2026, 6, 1, 8, 7), "reaction", "out", None),
        ("204", _utc(2026, 6, 2, 9), "reaction", "in", None),  # no message yet: reactionCreate
        ("204", _utc(2026, 6, 2, 9, 1), "dm", "out", None),
    ]
    interactions = pl.DataFrame(
        [
            dict(zip(["contact_id", "ts", "kind", "direction", "post_id"], r, strict=True))
            for r in it
        ],
        schema={
            "contact_id": pl.String,
            "ts": TS,
            "kind": pl.String,
            "direction": pl.String,
            "post_id": pl.String,
        },
    ).with_columns(account_id=pl.lit(a), platform=pl.lit("x"))
    return {
        "accounts": accounts,
        "connections": connections,
        "posts": posts,
        "interactions": interactions,
    }


CARRIED = {
    "accounts": [
        "account_id",
        "platform",
        "handle",
        "display_name",
        "snapshot_date",
        "followers",
        "following",
        "posts_count",
    ],
    "connections": ["account_id", "platform", "contact_id", "follows_me", "i_follow"],
    "posts": ["account_id", "platform", "post_id", "ts", "text", "is_repost", "likes", "shares"],
    "interactions": ["account_id", "platform", "contact_id", "ts", "kind", "direction", "post_id"],
}


@pytest.mark.parametrize("per_file", [50_000, 2])
def test_writer_round_trip(tmp_path: Path, per_file: int) -> None:
    tables = _canonical()
    out = writer.write(
        tables,
        "x:northwind",
        tmp_path / "twitter-2026-11-13-f00d.zip",
        max_tweets_per_file=per_file,
    )
    wb = warmcall.load(out)
    assert wb.report.rows_rejected == 0
    for name, cols in CARRIED.items():
        want = tables[name].select(cols).sort(cols)
        got = wb.tables()[name].select(cols).sort(cols)
        assert got.equals(want), (name, got, want)


def test_writer_layout(tmp_path: Path) -> None:
    out = writer.write(_canonical(), "x:northwind", tmp_path / "a.zip", max_tweets_per_file=2)
    again = writer.write(_canonical(), "x:northwind", tmp_path / "b.zip", max_tweets_per_file=2)
    assert out.read_bytes() == again.read_bytes()  # deterministic
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert {
            "Your archive.html",
            "data/manifest.js",
            "data/account.js",
            "data/follower.js",
            "data/following.js",
            "data/tweets.js",
            "data/tweets-part1.js",
            "data/tweets-part2.js",
            "data/note-tweet.js",
            "data/direct-messages.js",
        } <= set(names)
        assert any(n.startswith("assets/") for n in names)
        man = zf.read("data/manifest.js").decode()
        part2 = zf.read("data/tweets-part2.js").decode()
        all_tweets = "".join(
            zf.read(f"data/{n}").decode()
            for n in ("tweets.js", "tweets-part1.js", "tweets-part2.js")
        )
    assert man.startswith("window.__THAR_CONFIG = {")
    files = json.loads(man.split("=", 1)[1])["dataTypes"]["tweets"]["files"]
    assert [(f["fileName"], f["count"]) for f in files] == [
        ("data/tweets.js", "2"),
        ("data/tweets-part1.js", "2"),
        ("data/tweets-part2.js", "1"),
    ]
    assert part2.startswith("window.YTD.tweets.part2 = [")
    assert "Fish &amp; chips &lt;3" in all_tweets  # HTML-escaped text
    assert '"favorite_count" : "4"' in all_tweets  # counts as strings
    assert '"in_reply_to_user_id_str" : "201"' in all_tweets
