"""X archives in the layouts of 2020, 2022 and 2025 (tests/fixtures_x_eras.py) all load, every
record accounted for; expectations are counted in the raw files with plain ``json``."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest
import warmcall
from fixtures_x_archive import msg, pretty, write_folder, write_zip
from fixtures_x_eras import OWN, conv, era_2020, era_2022, era_2025, read_ytd, without_dms

ERAS = {"2020": era_2020, "2022": era_2022, "2025": era_2025}
TWEETS = re.compile(r"data/(?:deleted-)?tweets?(?:-part\d+)?\.js")
DMS = re.compile(r"data/direct-messages?(?:-group)?(?:-part\d+)?\.js")


def _raw(files: dict[str, str]) -> dict[str, object]:
    tweets = [i["tweet"] for k, v in files.items() if TWEETS.fullmatch(k) for i in read_ytd(v)]
    messages = [
        (k, c["dmConversation"]["conversationId"], m)
        for k, v in files.items() if DMS.fullmatch(k)
        for c in read_ytd(v) for m in c["dmConversation"]["messages"]
    ]  # fmt: skip
    dms = [  # a message with a counterpart: one-to-one, or sent to me in a group
        m for _, cid, m in messages
        if "messageCreate" in m and ("-" in cid or m["messageCreate"]["senderId"] != OWN)
    ]  # fmt: skip
    likes = [i for k, v in files.items() if re.fullmatch(r"data/like(-part\d+)?\.js", k)
             for i in read_ytd(v)]  # fmt: skip
    return {
        "post_ids": sorted(t["id_str"] for t in tweets),
        "messages": len(messages),
        "dms": len(dms),
        "system": len(messages) - sum("messageCreate" in m for _, _, m in messages),
        "likes": len(likes),
        "followers": {i["follower"]["accountId"] for i in read_ytd(files["data/follower.js"])},
        "following": {i["following"]["accountId"] for i in read_ytd(files["data/following.js"])},
    }


@pytest.mark.parametrize("era", sorted(ERAS))
def test_each_era_loads_every_record(era: str, tmp_path: Path) -> None:
    files = ERAS[era]()
    raw = _raw(files)
    wb = warmcall.load(write_zip(tmp_path / f"twitter-{era}.zip", files), cache=False)
    rep = wb.report
    assert all(s.balanced for s in rep.sources)
    assert sorted(wb.posts["post_id"]) == raw["post_ids"]
    dm = wb.interactions.filter(pl.col("kind") == "dm")
    assert dm.height == raw["dms"]
    assert rep.rows_set_aside == raw["likes"]
    assert rep.rows_rejected == raw["system"]  # only the group's joinConversation
    assert rep.rows_read == (
        1 + len(raw["followers"]) + len(raw["following"]) + len(raw["post_ids"])
        + raw["messages"] + raw["likes"] + (1 if era == "2025" else 0)  # + the note-tweet
    )  # fmt: skip
    con = wb.connections
    assert set(con.filter(pl.col("follows_me"))["contact_id"]) == raw["followers"]
    assert set(con.filter(pl.col("i_follow"))["contact_id"]) == raw["following"]
    acc = wb.accounts.row(0, named=True)
    assert (acc["account_id"], acc["followers"], acc["following"]) == (
        "x:owner_name", len(raw["followers"]), len(raw["following"]),
    )  # fmt: skip
    read = {s.path.split("!", 1)[1] for s in rep.sources}
    assert not any("headers" in p for p in read)  # headers-only twins are not read


def test_2025_deleted_tweets_note_and_deleted_account(tmp_path: Path) -> None:
    wb = warmcall.load(write_zip(tmp_path / "t.zip", era_2025()), cache=False)
    by = {s.path.split("!", 1)[1]: s for s in wb.report.sources}
    assert by["data/deleted-tweets.js"].format == "x-archive-deleted-tweets"
    assert by["data/deleted-tweets.js"].rows_loaded == 1
    # the deleted tweet's mention happened: an outbound mention of d
    it = wb.interactions.filter(pl.col("post_id") == "3202400000000009")
    assert it.select("contact_id", "kind").rows() == [("200000004", "mention")]
    # RT of an account deleted since (author id "-1", no id anywhere): a post, no share
    assert wb.interactions.filter(pl.col("post_id") == "3202500000000004").height == 0
    assert wb.posts.filter(pl.col("post_id") == "3202500000000004")["is_repost"].to_list() == [True]
    assert wb.posts.filter(pl.col("post_id") == "3202500000000005")["text"][0].startswith(
        "Long post cut short no more."
    )
    assert wb.accounts["posts_count"][0] == 5  # live tweets (tweets.js parts), not deleted ones
    notes = by["data/manifest.js"].notes
    assert any("lists data/direct-messages-part1.js" in n for n in notes)


def test_signals_follow_the_files_present(tmp_path: Path) -> None:
    def signals(files: dict[str, str]) -> set[str]:
        wb = warmcall.load(write_zip(tmp_path / "s.zip", files), cache=False)
        return set(wb.report.signals()["signal"])

    base = {"followers", "following", "outbound"}
    assert signals(era_2025()) == base | {"messages_in", "messages_out"}
    # the manifest lists DM files the archive lacks: messages are not in this export
    assert signals(without_dms()) == base
    # files present but empty still carry their signal (an empty list is a real zero)
    empty = {**era_2022(), "data/follower.js": "window.YTD.follower.part0 = [ ]"}
    assert "followers" in signals(empty)
    no_lists = {k: v for k, v in era_2022().items() if "follow" not in k}
    assert signals(no_lists) == {"outbound", "messages_in", "messages_out"}


def _dm_archive(tmp_path: Path, messages: list[dict]) -> Path:
    files = {
        "data/account.js": pretty("window.YTD.account.part0",
                                  [{"account": {"username": "o", "accountId": OWN}}]),
        "data/direct-messages.js": pretty("window.YTD.direct_messages.part0",
                                          [conv(OWN, "42", messages)]),
    }  # fmt: skip
    return write_folder(tmp_path / "dm", files)


def test_two_dms_in_the_same_second_both_load(tmp_path: Path) -> None:
    same = "2024-01-01T10:00:00.000Z"
    wb = warmcall.load(
        _dm_archive(tmp_path, [msg("42", OWN, same, "801"), msg("42", OWN, same, "802")]),
        cache=False,
    )
    assert wb.interactions.height == 2 and wb.report.rows_rejected == 0


def test_the_same_dm_twice_is_a_duplicate(tmp_path: Path) -> None:
    same = "2024-01-01T10:00:00.000Z"
    one = msg("42", OWN, same, "801")
    wb = warmcall.load(_dm_archive(tmp_path, [one, one, msg("42", OWN, same, "802")]), cache=False)
    assert wb.interactions.height == 2
    (s,) = [s for s in wb.report.sources if s.path.endswith("direct-messages.js")]
    assert [(r["line"], r["reason"]) for r in s.rejects] == [(2, "exact duplicate row")]
