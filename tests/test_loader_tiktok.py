"""TikTok "Download your data" (JSON) in its three layouts: the older ``Activity`` tree in
``user_data.json``, the 2025 ``Your Activity`` tree in ``user_data_tiktok.json`` and the
2026 ``Likes and Favorites`` section. Fixtures follow the documented key names; expected
counts come from counting the fixture dicts with plain Python."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import polars as pl
import pytest
import warmcall
from warmcall.core.errors import InputError
from warmcall.ingest.loaders import LOADERS, tiktok
from warmcall.ingest.sources import Source
from warmcall.run import cli

ME = "alice_tt"


def d(day: int, hour: int = 10) -> str:
    return f"2025-01-{day:02d} {hour:02d}:00:00"


SHARE = "https://www.tiktokv.com/share/video/{}/"  # the usual link: names no author


def users(*names: str, day: int = 1) -> list[dict]:
    return [{"Date": d(day + i), "UserName": n} for i, n in enumerate(names)]


OLD = {
    "Activity": {
        "Follower List": {"FansList": users("Bob", "carol", "dave") + [{"Date": d(9)}]},
        "Following List": {"Following": users("carol", "erin", day=5)},
        "Like List": {"ItemFavoriteList": [
            {"Date": d(3), "Link": SHARE.format(7100000000000000001)},  # set aside
            {"Date": d(4), "Link": "https://www.tiktok.com/@erin/video/7100000000000000002"},
        ]},
        "Favorite Videos": {"FavoriteVideoList": [{"Date": d(3), "Link": SHARE.format(1)}]},
    },
    "Comment": {"Comments": {"CommentsList": [
        {"Date": d(6), "Comment": "nice", "Photo": "N/A", "Url": ""},  # set aside
        {"Date": d(7), "Comment": "so good", "Photo": "N/A",
         "Url": "https://www.tiktok.com/@bob/video/7100000000000000003"},
    ]}},
    "Direct Messages": {"Chat History": {"ChatHistory": {
        "Chat History with bob:": [
            {"Date": d(8, 9), "From": "bob", "Content": "hi"},
            {"Date": d(8, 10), "From": ME, "Content": "hey"},
            {"Date": d(8, 11), "From": "mallory", "Content": "?"},  # neither: rejected
        ],
        "Chat History with carol:": [{"Date": d(9), "From": "carol", "Content": "yo"}],
    }}},
    "Profile": {"Profile Information": {"ProfileMap": {"userName": ME, "bioDescription": "b",
                                                       "likesReceived": "12"}}},
    "Video": {"Videos": {"VideoList": [
        {"Date": d(2), "Link": SHARE.format(7200000000000000001), "Likes": "12"},
        {"Date": d(3), "Link": SHARE.format(7200000000000000002), "Likes": "N/A"},
    ]}},
}  # fmt: skip
NEW = {
    "Your Activity": {
        "Follower": {"FansList": users("bob", "carol")},
        "Following": {"Following": users("bob", day=4)},
        "Watch History": {"VideoList": [{"Date": d(1), "Link": SHARE.format(5)}]},
    },
    "Comment": {"Comments": {"CommentsList": [
        {"date": d(6), "comment": "ok", "url": "https://www.tiktok.com/@carol/video/7300000000000000001"},
    ]}},
    "Direct Message": {"Direct Messages": {"ChatHistory": {
        "Chat History with bob:": [{"Date": d(8), "From": ME, "Content": "sent"}]}}},
    "Profile": {"Profile Info": {"ProfileMap": {"userName": ME}}},
    "Post": {"Posts": {"VideoList": [{"Date": d(2), "Link": SHARE.format(7400000000000000001),
                                      "Likes": "3"}]}},
    "Likes and Favorites": {"Like List": {"ItemFavoriteList": [
        {"date": d(5), "link": "https://www.tiktok.com/@bob/video/7500000000000000001"},
        {"date": d(5), "link": SHARE.format(7500000000000000002)},
    ]}},
}  # fmt: skip


def write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def _rep(wb, part: str):
    hits = [s for s in wb.report.sources if s.path.endswith(part)]
    assert len(hits) == 1, [s.path for s in wb.report.sources]
    return hits[0]


def test_registered_and_detected(tmp_path: Path) -> None:
    assert tiktok in LOADERS
    assert tiktok.detect(Source.open(write(tmp_path / "user_data.json", OLD)))
    other = write(tmp_path / "notes.json", OLD)
    assert not tiktok.detect(Source.open(other))  # another name: not a TikTok export


def test_older_activity_layout(tmp_path: Path) -> None:
    wb = warmcall.load(write(tmp_path / "user_data.json", OLD), cache=False)
    acct = f"tiktok:{ME}"
    act = OLD["Activity"]
    fans = act["Follower List"]["FansList"]
    fol = _rep(wb, "#Activity > Follower List > FansList")
    with_name = [f for f in fans if "UserName" in f]
    assert (fol.rows_read, fol.rows_loaded, fol.rows_rejected) == (len(fans), len(with_name), 1)
    con = {r["contact_id"]: r for r in wb.connections.iter_rows(named=True)}
    assert set(con) == {"bob", "carol", "dave", "erin"}
    assert con["bob"]["handle"] == "Bob" and con["bob"]["i_follow"] is False
    assert con["carol"]["follows_me"] and con["carol"]["i_follow"]
    assert con["erin"]["follows_me"] is False
    assert con["dave"]["connected_at"].isoformat().startswith("2025-01-03T10:00:00")

    likes = act["Like List"]["ItemFavoriteList"]
    lk = _rep(wb, "#Activity > Like List > ItemFavoriteList")
    named = [x for x in likes if "tiktok.com/@" in x["Link"]]
    assert (lk.rows_read, lk.rows_loaded, lk.rows_set_aside) == (len(likes), len(named),
                                                                 len(likes) - len(named))  # fmt: skip
    assert lk.set_aside[0]["activity"] == "likes given"
    cm = _rep(wb, "#Comment > Comments > CommentsList")
    assert (cm.rows_read, cm.rows_loaded, cm.rows_set_aside) == (2, 1, 1)

    chats = OLD["Direct Messages"]["Chat History"]["ChatHistory"]
    msgs = [m for v in chats.values() for m in v]
    dm = _rep(wb, "#Direct Messages > Chat History > ChatHistory")
    assert (dm.rows_read, dm.rows_loaded, dm.rows_rejected) == (len(msgs), len(msgs) - 1, 1)
    assert dm.rejects[0]["reason"] == "the sender is neither you nor the chat's user"
    i = wb.interactions.sort("ts")
    dms = i.filter(pl.col("kind") == "dm")
    assert list(zip(dms["contact_id"], dms["direction"], strict=True)) == [
        ("bob", "in"), ("bob", "out"), ("carol", "in")]  # fmt: skip
    outs = i.filter(pl.col("kind") != "dm")
    assert list(zip(outs["kind"], outs["contact_id"], strict=True)) == [
        ("like", "erin"), ("comment", "bob")]  # fmt: skip
    assert outs.filter(pl.col("kind") == "like")["post_id"].item() == "7100000000000000002"

    posts = wb.posts.sort("ts")
    assert posts["post_id"].to_list() == ["7200000000000000001", "7200000000000000002"]
    assert posts["likes"].to_list() == [12, None]  # "N/A" is unknown, not 0
    a = wb.accounts.row(0, named=True)
    assert (a["account_id"], a["handle"], a["followers"], a["following"], a["posts_count"]) == (
        acct, ME, len(with_name), 2, 2)  # fmt: skip
    sig = set(wb.report.signals()["signal"])
    assert sig == {"followers", "following", "outbound", "messages_in", "messages_out"}
    assert wb.report.rows_read == (
        wb.report.rows_loaded + wb.report.rows_set_aside + wb.report.rows_rejected
    )


def test_2025_and_2026_layouts_in_a_zip(tmp_path: Path) -> None:
    p = tmp_path / "TikTok_Data.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr("user_data_tiktok.json", json.dumps(NEW))
    wb = warmcall.load(p, cache=False)
    assert {s.path.split("#")[1] for s in wb.report.sources} == {
        "Your Activity > Follower > FansList", "Your Activity > Following > Following",
        "Likes and Favorites > Like List > ItemFavoriteList", "Comment > Comments > CommentsList",
        "Direct Message > Direct Messages > ChatHistory", "Post > Posts > VideoList",
        "Profile > Profile Info > ProfileMap",
    }  # fmt: skip
    assert all(s.path.startswith(f"{p}!user_data_tiktok.json#") for s in wb.report.sources)
    i = wb.interactions.sort("kind", "contact_id")
    assert list(zip(i["kind"], i["contact_id"], i["direction"], strict=True)) == [
        ("comment", "carol", "out"), ("dm", "bob", "out"), ("like", "bob", "out")]  # fmt: skip
    likes = NEW["Likes and Favorites"]["Like List"]["ItemFavoriteList"]
    lk = _rep(wb, "ItemFavoriteList")
    assert lk.rows_read == len(likes) and lk.rows_set_aside == 1
    assert wb.connections.filter(pl.col("contact_id") == "bob")["i_follow"].item()
    for s in wb.report.sources:
        assert s.balanced, s.path


def test_no_profile_falls_back_with_note(tmp_path: Path) -> None:
    data = {"Activity": {"Follower List": {"FansList": users("bob")}}}
    wb = warmcall.load(write(tmp_path / "user_data.json", data), cache=False)
    assert set(wb.connections["account_id"]) == {tiktok.FALLBACK_ACCOUNT}
    assert any(tiktok.FALLBACK_ACCOUNT in n for n in wb.report.sources[0].notes)


def test_cli_load_balances(tmp_path: Path, capsys) -> None:
    p = write(tmp_path / "user_data.json", OLD)
    assert cli.main(["load", str(p)]) == 0
    out = capsys.readouterr().out
    assert "total: read" in out and "set aside" in out


# ---------------------------------------------------------------------------------------
# hostile input
# ---------------------------------------------------------------------------------------
def test_truncated_json_is_one_line_error(tmp_path: Path, capsys) -> None:
    p = tmp_path / "user_data_tiktok.json"
    p.write_text(json.dumps(NEW)[:300], encoding="utf-8")
    with pytest.raises(InputError, match=r"user_data_tiktok\.json: invalid or truncated JSON"):
        warmcall.load(p, cache=False)
    assert cli.main(["load", str(p)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "user_data_tiktok.json" in err[0]


def test_section_of_the_wrong_type(tmp_path: Path) -> None:
    p = write(tmp_path / "user_data.json", {"Activity": {"Follower List": {"FansList": "oops"}}})
    with pytest.raises(
        InputError, match=r"user_data\.json: 'Activity > Follower List > FansList' is not a list"
    ):
        warmcall.load(p, cache=False)


def test_wrong_types_and_huge_numbers_per_record(tmp_path: Path) -> None:
    data = {
        "Activity": {"Follower List": {"FansList": [
            42, {"Date": d(1), "UserName": ["x"]}, {"Date": "2025-99-99 00:00:00", "UserName": "z"},
            {"Date": d(2), "UserName": "ok"},
        ]}},
        "Video": {"Videos": {"VideoList": [
            {"Date": d(2), "Link": SHARE.format(7600000000000000001), "Likes": "1" + "0" * 40},
            {"Date": d(2), "Link": SHARE.format(7600000000000000002), "Likes": 10**40},
            {"Date": "3025-01-01 00:00:00", "Link": SHARE.format(7600000000000000003), "Likes": "1"},
            {"Date": d(3), "Link": SHARE.format(7600000000000000004), "Likes": "7"},
        ]}},
        "Profile": {"Profile Information": {"ProfileMap": {"userName": ME}}},
    }  # fmt: skip
    wb = warmcall.load(write(tmp_path / "user_data.json", data), cache=False)
    fol = _rep(wb, "FansList")
    assert (fol.rows_read, fol.rows_loaded, fol.rows_rejected) == (4, 1, 3)
    assert [r["reason"] for r in fol.rejects][:2] == ["entry is not an object", "no UserName"]
    assert fol.rejects[2]["reason"] == "unparsable timestamp in connected_at"
    vid = _rep(wb, "VideoList")
    assert (vid.rows_read, vid.rows_loaded, vid.rows_rejected) == (4, 1, 3)
    reasons = [r["reason"] for r in vid.rejects]
    assert reasons[:2] == ["not a whole number in likes"] * 2
    assert reasons[2].startswith("implausible timestamp in ts")
    assert wb.posts["likes"].to_list() == [7]
