"""Contacts named from the X archive's own evidence (mentions, replies, retweets, notes).

Expectations are computed from the fixture's raw files with plain ``json``
(``fixtures_x_eras.read_ytd``), independently of the loader.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
import warmcall
from fixtures_x_archive import write_zip
from fixtures_x_eras import (
    ANN,
    BEE,
    CEE,
    DEE,
    EVE,
    GIL,
    HAL,
    IVY,
    JON,
    OWN,
    names_archive,
    read_ytd,
)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return write_zip(tmp_path / "twitter-2025-06-30-abc.zip", names_archive())


def _created(t: dict) -> datetime:
    return datetime.strptime(t["created_at"], "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)


def _raw(files: dict[str, str]) -> dict[str, object]:
    """Everything the test needs, read with plain json: the contact ids (followers,
    followed, DM partners, tweet counterparts) and, per id, its screen names with times."""
    data = {k[5:-3]: read_ytd(v) for k, v in files.items() if k.startswith("data/")}
    tweets = [d["tweet"] for d in data["tweets"]]
    evidence: list[tuple[datetime, str, str]] = []  # (time, id, screen name)
    for t in tweets:
        for um in t["entities"]["user_mentions"]:
            if um["id_str"].isdigit() and um["id_str"] != OWN:
                evidence.append((_created(t), um["id_str"], um["screen_name"]))
        if t.get("in_reply_to_screen_name") and t["in_reply_to_user_id_str"] != OWN:
            evidence.append(
                (_created(t), t["in_reply_to_user_id_str"], t["in_reply_to_screen_name"])
            )
    latest_id = {}  # screen name (lower) -> id of its most recent evidence
    for _, uid, sn in sorted(evidence):
        latest_id[sn.lower()] = uid
    counterparts = set()
    for t in tweets:
        ids = [um["id_str"] for um in t["entities"]["user_mentions"]]
        rt = re.match(r"RT @(\w+)", t["full_text"])
        if rt:  # the retweeted author: in the mentions, else known from elsewhere
            author = [um["id_str"] for um in t["entities"]["user_mentions"]
                      if um["screen_name"].lower() == rt.group(1).lower()]  # fmt: skip
            uid = (
                author[0] if author and author[0].isdigit() else latest_id.get(rt.group(1).lower())
            )
            if uid:
                counterparts.add(uid)
                evidence.append((_created(t), uid, rt.group(1)))
            continue
        counterparts.update(i for i in ids if i.isdigit())
        if t.get("in_reply_to_user_id_str"):
            counterparts.add(t["in_reply_to_user_id_str"])
    for n in data["note-tweet"]:  # note mentions: screen names only
        when = datetime.fromisoformat(n["noteTweet"]["createdAt"].replace("Z", "+00:00"))
        for um in n["noteTweet"]["core"]["mentions"]:
            if um["screenName"].lower() in latest_id:
                evidence.append((when, latest_id[um["screenName"].lower()], um["screenName"]))
    for c in data["direct-messages"]:
        counterparts.update(c["dmConversation"]["conversationId"].split("-"))
    followers = {d["follower"]["accountId"] for d in data["follower"]}
    following = {d["following"]["accountId"] for d in data["following"]}
    contacts = (counterparts | followers | following) - {OWN}
    handle = {uid: sn for _, uid, sn in sorted(evidence)}  # the most recent wins
    return {"contacts": contacts, "handle": handle}


def test_every_contact_named_in_the_archive_has_that_handle_in_score(archive: Path) -> None:
    raw = _raw(names_archive())
    scores = warmcall.score(warmcall.load(archive, cache=False))
    got = dict(scores.select("contact_id", "handle").iter_rows())
    assert set(got) == raw["contacts"]
    for cid in raw["contacts"]:
        assert got[cid] == raw["handle"].get(cid), cid
    named = [c for c in raw["contacts"] if c in raw["handle"]]
    assert scores["handle"].is_not_null().sum() == len(named) == 6  # ann bee cee dee eve jon
    # the fixture's own account of it (fixtures_x_eras.names_archive docstring)
    assert got[ANN] == "Ann_New" and got[EVE] == "eve_x" and got[JON] == "jon"
    assert got[GIL] is None and got[HAL] is None and IVY not in got


def test_display_names_and_sources(archive: Path) -> None:
    con = warmcall.load(archive, cache=False).connections
    row = {r["contact_id"]: r for r in con.iter_rows(named=True)}
    assert row[ANN]["display_name"] == "Ann B."  # the 2024 mention, listed after the 2021 one
    assert row[BEE]["display_name"] is None  # a reply gives the screen name only
    assert row[CEE]["display_name"] == "Cee C"  # named inside someone else's retweet
    assert row[EVE]["display_name"] == "Eve"  # the "-1" retweet has no name; the 2020 one does
    assert "tweets.js:5" in row[ANN]["source"] and "follower.js:1" in row[ANN]["source"]
    # a DM partner who does not follow either way: both flags known and false
    assert (row[CEE]["follows_me"], row[CEE]["i_follow"]) == (False, False)
    assert OWN not in row and HAL not in row  # oneself is no contact; hal is never named


def test_retweets_of_deleted_accounts(archive: Path) -> None:
    it = warmcall.load(archive, cache=False).interactions.filter(pl.col("kind") == "share")
    # dee's author id is in the tweet; eve's is "-1" but her screen name has an id elsewhere;
    # "gone" (author "-1", no id anywhere) gives no share
    assert sorted(it.select("contact_id", "post_id").rows()) == [
        (DEE, "2000000000000000007"), (EVE, "2000000000000000008"),
    ]  # fmt: skip


def test_a_profile_file_enriches_named_contacts_by_id_only(archive: Path, tmp_path: Path) -> None:
    users = tmp_path / "users.jsonl"
    users.write_text(
        json.dumps({"id": ANN, "username": "ann_new", "name": "Ann B.", "description": "bio",
                    "public_metrics": {"followers_count": 40, "following_count": 5}}) + "\n"
        # another account that holds dee's old screen name now: a different person
        + json.dumps({"id": "555", "username": "dee", "name": "Not Dee",
                      "public_metrics": {"followers_count": 9000, "following_count": 1}}) + "\n"
    )  # fmt: skip
    wb = warmcall.load(archive, users, cache=False)
    row = {r["contact_id"]: r for r in wb.connections.iter_rows(named=True)}
    assert (row[ANN]["bio"], row[ANN]["contact_followers"]) == ("bio", 40)
    assert row[ANN]["handle"] == "Ann_New"  # the archive's evidence; the profile adds the rest
    assert row[DEE]["contact_followers"] is None and "555" not in row
    (s,) = [s for s in wb.report.sources if s.path.endswith("users.jsonl")]
    assert [r["reason"] for r in s.rejects] == ["profile matches no connection"]
