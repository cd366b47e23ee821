# ruff: noqa: E501  (fixture JSON reproduces the exports' exact shapes)
"""Instagram and Facebook exports of 2022-2026: one person is one contact (DM partners and
follow lists), the 2025-26 follow entries, your posts, signals (docs/export-formats.md §5,
field notes "Quirks").

Fixtures are written here from the documented shapes; expected numbers come from counting
the fixture with plain ``json``/Python, never from the loader's output.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import warmcall

ACT = "your_instagram_activity"
FF = "connections/followers_and_following"
PROFILE = {"profile_user": [{"media_map_data": {}, "title": "", "string_map_data": {
    "Username": {"href": "", "value": "alice", "timestamp": 0},
    "Name": {"href": "", "value": "Alice Example", "timestamp": 0}}}]}  # fmt: skip


def _write(root: Path, files: dict[str, object]) -> Path:
    for rel, obj in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(json.dumps(obj, ensure_ascii=True, indent=1), encoding="utf-8")
    return root


def _follow(user: str, ts: int) -> dict:  # 2025-26 entry: username in title, /_u/ link
    return {
        "title": user,
        "string_list_data": [{"href": f"https://www.instagram.com/_u/{user}", "timestamp": ts}],
    }


def _thread(folder: str, other: str, msgs: list[tuple[str, int]]) -> dict:
    return {
        "participants": [{"name": other}, {"name": "Alice Example"}],
        "messages": [{"sender_name": s, "timestamp_ms": t * 1000, "content": "hi"} for s, t in msgs],
        "title": other, "is_still_participant": True, "thread_path": f"inbox/{folder}",
        "magic_words": [],
    }  # fmt: skip


FOLLOWERS = [_follow("bob", 1767000000), _follow("carol", 1767000100), _follow("dave", 1767000200)]
FOLLOWING = {"relationships_following": [_follow("bob", 1767000300), _follow("erin", 1767000400)]}
# Bob's thread folder carries his username; Carol's is named after her display name (as in
# real exports), but the profile data of a liked comment gives her username; Dan's folder
# prefix is no username the export knows and nothing else names him.
THREADS = {
    "bob_1111111111": _thread(
        "bob_1111111111",
        "Bob Example",
        [("Bob Example", 1767100000), ("Alice Example", 1767100100)],
    ),
    "carolcaro_2222222222": _thread(
        "carolcaro_2222222222", "Carol Caro", [("Carol Caro", 1767200000)]
    ),
    "danunknown_3333333333": _thread(
        "danunknown_3333333333", "Dan Unknown", [("Alice Example", 1767300000)]
    ),
}
LIKED_COMMENTS = [{"timestamp": 1767400000, "label_values": [
    {"label": "URL", "value": "https://www.instagram.com/p/Qq1/"},
    {"title": "Owner", "dict": [{"title": "", "dict": [
        {"label": "Name", "value": "Carol Caro"}, {"label": "Username", "value": "carol"}]}]}]}]  # fmt: skip
POSTS = [  # your posts: a carousel with its own title and time, and a single photo
    {
        "media": [
            {"uri": "media/posts/202601/111.jpg", "creation_timestamp": 1767500000, "title": ""},
            {"uri": "media/posts/202601/112.jpg", "creation_timestamp": 1767500000, "title": ""},
        ],
        "title": "Two photos",
        "creation_timestamp": 1767500000,
    },
    {
        "media": [
            {
                "uri": "media/posts/202601/113.jpg",
                "creation_timestamp": 1767600000,
                "title": "One photo",
            }
        ]
    },
    {"media": [], "title": "no media"},  # rejected: nothing identifies it
]


def _export(tmp: Path) -> Path:
    files: dict[str, object] = {
        "personal_information/personal_information/personal_information.json": PROFILE,
        f"{FF}/followers_1.json": FOLLOWERS,  # bare list, no wrapper
        f"{FF}/following.json": FOLLOWING,
        f"{ACT}/likes/liked_comments.json": LIKED_COMMENTS,
        f"{ACT}/content/posts_1.json": POSTS,
    }
    for folder, t in THREADS.items():
        files[f"{ACT}/messages/inbox/{folder}/message_1.json"] = t
    return _write(tmp / "instagram-alice-2026-03-01-AbCd", files)


def test_dm_partners_merge_with_follow_lists(tmp_path):
    wb = _export(tmp_path)
    wb = warmcall.load(wb)
    usernames = {e["title"] for e in FOLLOWERS + FOLLOWING["relationships_following"]}
    dm = wb.interactions.filter(wb.interactions["kind"] == "dm")
    # independent: Bob (folder = a follower's username) and Carol (display name given with
    # her username in the liked comment's profile data) are follow-list contacts
    assert set(dm["contact_id"]) == {"bob", "carol", "name:Dan Unknown"}
    assert {"bob", "carol"} <= usernames and "danunknown" not in usernames
    scores = warmcall.score(wb, {"as_of": "2026-03-01"})
    # one contact per person: follow lists + likes + DM partners, by name where no username
    people = usernames | {"carol"} | {"name:Dan Unknown"}
    assert scores.height == len(people) == scores["contact_id"].n_unique()
    rows = {r["contact_id"]: r for r in scores.iter_rows(named=True)}
    assert rows["bob"]["display_name"] == "Bob Example" and rows["bob"]["handle"] == "bob"
    assert rows["bob"]["is_connection"] and (rows["bob"]["n_in"], rows["bob"]["n_out"]) == (1, 1)
    assert rows["carol"]["display_name"] == "Carol Caro" and rows["carol"]["n_in"] == 1
    # kept apart, its display name shown
    dan = rows["name:Dan Unknown"]
    assert (
        dan["display_name"] == "Dan Unknown" and not dan["is_connection"] and dan["handle"] is None
    )


def test_ambiguous_display_name_is_not_matched(tmp_path):
    # two profile-data entries give "Carol Caro" two usernames: her DMs stay by name
    liked = LIKED_COMMENTS + [{"timestamp": 1767400100, "label_values": [
        {"title": "Owner", "dict": [{"title": "", "dict": [
            {"label": "Name", "value": "Carol Caro"}, {"label": "Username", "value": "carol.two"}]}]}]}]  # fmt: skip
    root = _export(tmp_path)
    _write(root, {f"{ACT}/likes/liked_comments.json": liked})
    wb = warmcall.load(root)
    dm = wb.interactions.filter(wb.interactions["kind"] == "dm")
    assert set(dm["contact_id"]) == {"bob", "name:Carol Caro", "name:Dan Unknown"}


def test_follow_entries_of_2025_26_and_posts(tmp_path):
    wb = warmcall.load(_export(tmp_path))
    a = wb.accounts.row(0, named=True)
    assert (a["followers"], a["following"]) == (
        len(FOLLOWERS),
        len(FOLLOWING["relationships_following"]),
    )
    got = {r["contact_id"]: r for r in wb.connections.iter_rows(named=True)}
    for e in FOLLOWERS:
        assert got[e["title"]]["follows_me"] is True
        assert got[e["title"]]["connected_at"] is not None
    # posts: entries with media load; the first media uri identifies the post
    want = [p for p in POSTS if p["media"]]
    s = next(s for s in wb.report.sources if s.path.endswith("posts_1.json"))
    assert (s.rows_read, s.rows_loaded, s.rows_rejected) == (
        len(POSTS),
        len(want),
        len(POSTS) - len(want),
    )
    p = wb.posts.sort("ts")
    assert p["post_id"].to_list() == [w["media"][0]["uri"] for w in want]
    assert p["text"].to_list() == ["Two photos", "One photo"]
    assert p["ts"].to_list() == [
        datetime.fromtimestamp(
            w.get("creation_timestamp", w["media"][0]["creation_timestamp"]), UTC
        )
        for w in want
    ]
    assert s.rejects == [{"line": 3, "reason": "post without media (no uri to identify it)"}]


def test_instagram_signals(tmp_path):
    wb = warmcall.load(_export(tmp_path))
    got = {(r["account_id"], r["signal"]) for r in wb.signals.iter_rows(named=True)}
    assert got == {("instagram:alice", s) for s in ("followers", "following", "outbound",
                                                    "messages_in", "messages_out")}  # fmt: skip


def test_facebook_friends_and_dms_are_one_contact(tmp_path):
    friends = {"friends_v2": [{"name": "Bob Example", "timestamp": 1700000000}]}
    thread = {**_thread("bobexample_1111111111", "Bob Example",
                        [("Bob Example", 1700001000), ("Alice Example", 1700002000)]),
              "thread_type": "Regular"}  # fmt: skip
    root = _write(tmp_path / "facebook-alice-2026-03-01-x", {
        "connections/friends/your_friends.json": friends,
        "your_facebook_activity/messages/inbox/bobexample_1111111111/message_1.json": thread,
    })  # fmt: skip
    wb = warmcall.load(root)
    assert (
        set(wb.interactions["contact_id"])
        == set(wb.connections["contact_id"])
        == {"name:Bob Example"}
    )
    got = {r["signal"] for r in wb.signals.iter_rows(named=True)}
    assert got == {"followers", "following", "messages_in", "messages_out"}


def test_same_second_comments_and_messages_load_repeats_do_not(tmp_path):
    def comment(text: str) -> dict:
        return {"media_list_data": [{"uri": ""}], "string_map_data": {
            "Comment": {"value": text}, "Media Owner": {"value": "bob"},
            "Time": {"timestamp": 1767700000}}}  # fmt: skip

    comments = [comment("first"), comment("second"), comment("first")]  # 3 repeats 1
    thread = _thread("bob_1111111111", "Bob Example", [])
    thread["messages"] = [
        {"sender_name": "Bob Example", "timestamp_ms": 1767800000000, "content": "one"},
        {"sender_name": "Bob Example", "timestamp_ms": 1767800000000, "content": "two"},
        {"sender_name": "Bob Example", "timestamp_ms": 1767800000000, "content": "one"},  # repeat
    ]
    root = _write(tmp_path / "instagram-alice-2026-03-01-x", {
        "personal_information/personal_information/personal_information.json": PROFILE,
        f"{FF}/followers_1.json": FOLLOWERS,
        f"{ACT}/comments/post_comments_1.json": comments,
        f"{ACT}/messages/inbox/bob_1111111111/message_1.json": thread,
    })  # fmt: skip
    wb = warmcall.load(root, cache=False)
    for name, entries in (
        ("post_comments_1.json", comments),
        ("message_1.json", thread["messages"]),
    ):
        distinct = len({json.dumps(e, sort_keys=True) for e in entries})
        s = next(s for s in wb.report.sources if s.path.endswith(name))
        assert (s.rows_read, s.rows_loaded, s.rows_rejected) == (
            len(entries),
            distinct,
            len(entries) - distinct,
        )
        assert s.rejects == [{"line": 3, "reason": "exact duplicate row"}]
