# ruff: noqa: E501  (fixture JSON reproduces the exports' exact shapes)
"""Meta "Download your information" JSON loader: Instagram and Facebook (docs/export-formats.md
§5, fixtures §8 "Instagram / Facebook").

Fixture strings are written the way Meta writes them: every non-ASCII character as its
UTF-8 bytes, each a separate ``\\u00XX`` escape (``"Ren\\u00c3\\u00a9e"`` in the Python
source is the mojibake of "Renée"); ``json.dumps(..., ensure_ascii=True)`` then writes the
escapes to disk. Every expected count is worked out by hand next to the fixture data.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
import warmcall
from hypothesis import given, settings
from hypothesis import strategies as st
from warmcall.core.errors import InputError
from warmcall.ingest import cache
from warmcall.ingest.loaders import meta
from warmcall.ingest.loaders.meta_common import break_meta, fix_json_text, fix_meta, fix_tree
from warmcall.ingest.sources import Source
from warmcall.sample import instagram as ig_writer

RENEE = "Ren\u00c3\u00a9e Roe"  # mojibake of "Renée Roe"
ANGRY = "\u00f0\u009f\u0098\u00a0"  # 😠
HEART = "\u00e2\u009d\u00a4"  # ❤
THUMB = "\u00f0\u009f\u0091\u008d"  # 👍
FIRE = "\u00f0\u009f\u0094\u00a5"  # 🔥
JOSE = "Jos\u00e9 \u2019Pepe\u2019"  # already correct text ("José ’Pepe’"): left alone


def ts(s: int) -> datetime:
    return datetime.fromtimestamp(s, UTC)


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=True, indent=2)


def _write(root: Path, files: dict[str, object]) -> Path:
    for rel, obj in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(obj if isinstance(obj, str) else _dump(obj), encoding="utf-8")
    return root


def _zip(folder: Path, out: Path) -> Path:
    with zipfile.ZipFile(out, "w") as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(folder).as_posix())
    return out


# ---------------------------------------------------------------------------------------------
# Instagram, the same content under the 2024, 2021 and 2019 trees
# ---------------------------------------------------------------------------------------------

PROFILE = {"profile_user": [{"media_map_data": {}, "title": "", "string_map_data": {
    "Username": {"href": "", "value": "alice", "timestamp": 0},
    "Name": {"href": "", "value": "Alice Example", "timestamp": 0}}}]}  # fmt: skip

FOLLOWERS_1 = [  # bare list (2023+): read 4, loaded 3, rejected 1
    {
        "title": "",
        "media_list_data": [],
        "string_list_data": [
            {"href": "https://www.instagram.com/bob", "value": "bob", "timestamp": 1700000000}
        ],
    },  # 1 bob
    {
        "title": "",
        "media_list_data": [],
        "string_list_data": [
            {"href": "https://www.instagram.com/carol", "value": "carol", "timestamp": 1700000100}
        ],
    },  # 2 carol
    {
        "title": "",
        "media_list_data": [],
        "string_list_data": [{"href": "https://www.instagram.com/dave", "timestamp": 1700000150}],
    },  # 3 dave (href only)
    {
        "title": "",
        "media_list_data": [],
        "string_list_data": [{"timestamp": 1700000160}],
    },  # 4 rejected: no username
]
FOLLOWERS_2 = [  # read 2, loaded 1, rejected 1
    {
        "title": "",
        "media_list_data": [],
        "string_list_data": [
            {"href": "https://www.instagram.com/erin", "value": "erin", "timestamp": 1700000200}
        ],
    },  # 1 erin
    {
        "title": "",
        "media_list_data": [],
        "string_list_data": [
            {"href": "https://www.instagram.com/x", "value": "xavier", "timestamp": "yesterday"}
        ],
    },  # 2 rejected: timestamp
]
FOLLOWING = {"relationships_following": [  # read 3, loaded 3
    {"title": "", "string_list_data": [{"href": "https://www.instagram.com/bob", "value": "bob", "timestamp": 1700000300}]},  # 1 old form
    {"title": "frank", "string_list_data": [{"href": "https://www.instagram.com/_u/frank", "timestamp": 1767643153}]},  # 2 new form
    {"title": "", "string_list_data": [{"href": "https://www.instagram.com/_u/gina", "timestamp": 1767643154}]},  # 3 href only, /_u/
]}  # fmt: skip

THREAD = {"participants": [{"name": "Bob Example"}, {"name": "Alice Example"}], "title": "Bob Example",
          "is_still_participant": True, "thread_path": "inbox/bob_1111111111", "magic_words": []}  # fmt: skip
MESSAGE_1 = {**THREAD, "messages": [  # newest first; read 5, loaded 4, rejected 1; 6 interaction rows
    {"sender_name": "Bob Example", "timestamp_ms": 1700000500000, "content": f"hi {ANGRY}",
     "reactions": [{"reaction": HEART, "actor": "Alice Example"}], "is_geoblocked_for_viewer": False},  # 1 dm in + reaction out (at the message time)
    {"sender_name": "Alice Example", "timestamp_ms": 1700000400000,
     "share": {"link": "https://www.instagram.com/p/AbCdEf123/", "share_text": "look", "original_content_owner": "carol"}},  # 2 dm out
    {"sender_name": "Alice Example", "timestamp_ms": 1700000300000,
     "photos": [{"uri": "your_instagram_activity/messages/inbox/bob_1111111111/photos/1111.jpg", "creation_timestamp": 1700000300}],
     "reactions": [{"reaction": HEART, "actor": "Bob Example", "timestamp": 1700000350}]},  # 3 dm out + reaction in at 1700000350
    {"sender_name": "Bob Example", "timestamp_ms": 1700000360000, "content": f"Reacted {HEART} to your message"},  # 4 rejected: echo
    {"sender_name": "Bob Example", "timestamp_ms": 1700000200000, "is_geoblocked_for_viewer": False},  # 5 dm in, no content
]}  # fmt: skip
MESSAGE_2 = {**THREAD, "messages": [  # read 4, loaded 1, rejected 3
    {"sender_name": "Alice Example", "timestamp_ms": 1700000100000, "content": "Liked a message"},  # 1 rejected: echo
    {"sender_name": "Bob Example", "timestamp_ms": 1700000050000, "content": "Audio call ended", "call_duration": 120},  # 2 call in
    {"sender_name": "Alice Example", "timestamp_ms": 1700000040000, "content": "Alice Example started a video chat"},  # 3 rejected: system line
    {"sender_name": "Bob Example", "content": "hello"},  # 4 rejected: missing timestamp
]}  # fmt: skip
GROUP = {"participants": [{"name": "Alice Example"}, {"name": "Bob Example"}, {"name": RENEE}, {"name": JOSE}],
         "title": "The gang", "thread_path": "inbox/thegang_2222222222", "messages": [  # read 4, loaded 3, rejected 1
    {"sender_name": RENEE, "timestamp_ms": 1700001000000, "content": "salut caf\u00c3\u00a9"},  # 1 dm in from name:Renée Roe
    {"sender_name": "Bob Example", "timestamp_ms": 1700000900000, "content": "yo"},  # 2 dm in from bob (name seen in bob's thread)
    {"sender_name": JOSE, "timestamp_ms": 1700000850000, "content": "hola"},  # 3 dm in from name:José ’Pepe’
    {"sender_name": "Alice Example", "timestamp_ms": 1700000800000, "content": "hi all"},  # 4 rejected: group, outbound
]}  # fmt: skip
POST_COMMENTS = [  # read 4, loaded 2, rejected 2
    {
        "media_list_data": [{"uri": ""}],
        "string_map_data": {
            "Comment": {"value": f"nice {FIRE}"},
            "Media Owner": {"value": "bob"},
            "Time": {"timestamp": 1700002000},
        },
    },  # 1 English -> bob
    {
        "media_list_data": [{"uri": ""}],
        "string_map_data": {
            "Opmerking": {"value": "mooi"},
            "Media-eigenaar": {"value": "carol"},
            "Tijd": {"timestamp": 1700002100},
        },
    },  # 2 Dutch -> carol
    {
        "media_list_data": [{"uri": ""}],
        "string_map_data": {
            "Comment": {"value": "thanks!"},
            "Media Owner": {"value": "alice"},
            "Time": {"timestamp": 1700002150},
        },
    },  # 3 rejected: own post
    {
        "media_list_data": [{"uri": ""}],
        "string_map_data": {"Comment": {"value": "?"}, "Time": {"timestamp": 1700002160}},
    },  # 4 rejected: no owner
]
REELS_COMMENTS = {"comments_reels_comments": [  # read 1, loaded 1 (Danish keys)
    {"media_list_data": [], "string_map_data": {"Kommentar": {"value": "flot"}, "Media Owner": {"value": "dave"}, "Tidspunkt": {"timestamp": 1700002200}}},
]}  # fmt: skip
LIKED_POSTS = {"likes_media_likes": [  # read 2, loaded 1, rejected 1
    {"title": "bob", "string_list_data": [{"href": "https://www.instagram.com/p/AbCdEf123/", "value": THUMB, "timestamp": 1585000000}]},  # 1 like bob
    {"title": "", "string_list_data": [{"href": "https://www.instagram.com/p/Zz9/", "value": THUMB, "timestamp": 1585000100}]},  # 2 rejected: no owner
]}  # fmt: skip
LIKED_COMMENTS = [  # label_values with a nested dict: read 1, loaded 1
    {"timestamp": 1700003000, "fbid": "1", "label_values": [
        {"label": "URL", "value": "https://www.instagram.com/p/Qq1/", "href": "https://www.instagram.com/p/Qq1/"},
        {"title": "Owner", "dict": [{"title": "", "dict": [
            {"label": "URL", "value": "https://www.instagram.com/erin"},
            {"label": "Name", "value": "Erin E"},
            {"label": "Username", "value": "erin"}]}]}]},
]  # fmt: skip

TREES = {
    "2024": {
        "personal_information/personal_information/personal_information.json": PROFILE,
        "connections/followers_and_following/followers_1.json": FOLLOWERS_1,
        "connections/followers_and_following/followers_2.json": FOLLOWERS_2,
        "connections/followers_and_following/following.json": FOLLOWING,
        "your_instagram_activity/messages/inbox/bob_1111111111/message_1.json": MESSAGE_1,
        "your_instagram_activity/messages/inbox/bob_1111111111/message_2.json": MESSAGE_2,
        "your_instagram_activity/messages/inbox/thegang_2222222222/message_1.json": GROUP,
        "your_instagram_activity/comments/post_comments_1.json": POST_COMMENTS,
        "your_instagram_activity/comments/reels_comments.json": REELS_COMMENTS,
        "your_instagram_activity/likes/liked_posts.json": LIKED_POSTS,
        "your_instagram_activity/likes/liked_comments.json": LIKED_COMMENTS,
        "your_instagram_activity/saved/no-data.txt": "No data",
    },
    "2021": {
        "account_information/personal_information.json": PROFILE,
        "followers_and_following/followers_1.json": {
            "relationships_followers": FOLLOWERS_1
        },  # wrapped variant
        "followers_and_following/followers_2.json": {"relationships_followers": FOLLOWERS_2},
        "followers_and_following/following.json": FOLLOWING,
        "messages/inbox/bob_1111111111/message_1.json": MESSAGE_1,
        "messages/inbox/bob_1111111111/message_2.json": MESSAGE_2,
        "messages/inbox/thegang_2222222222/message_1.json": GROUP,
        "comments/post_comments.json": {"comments_media_comments": POST_COMMENTS},  # older wrapper
        "comments/reels_comments.json": REELS_COMMENTS,
        "likes/liked_posts.json": LIKED_POSTS,
        "likes/liked_comments.json": LIKED_COMMENTS,
    },
    "2019": {
        "profile/personal_information.json": PROFILE,
        "followers_1.json": FOLLOWERS_1,
        "followers_2.json": FOLLOWERS_2,
        "following.json": FOLLOWING,
        "inbox/bob_1111111111/message_1.json": MESSAGE_1,
        "inbox/bob_1111111111/message_2.json": MESSAGE_2,
        "inbox/thegang_2222222222/message_1.json": GROUP,
        "post_comments.json": POST_COMMENTS,
        "reels_comments.json": REELS_COMMENTS,
        "liked_posts.json": LIKED_POSTS,
        "liked_comments.json": LIKED_COMMENTS,
    },
}
# Per file of the 2024 tree: (read, loaded, rejected), by hand from the comments above.
EXPECTED_IG = {
    "followers_1.json": (4, 3, 1),
    "followers_2.json": (2, 1, 1),
    "following.json": (3, 3, 0),
    "bob_1111111111/message_1.json": (5, 4, 1),
    "bob_1111111111/message_2.json": (4, 1, 3),
    "thegang_2222222222/message_1.json": (4, 3, 1),
    "post_comments_1.json": (4, 2, 2),
    "reels_comments.json": (1, 1, 0),
    "liked_posts.json": (2, 1, 1),
    "liked_comments.json": (1, 1, 0),
    "personal_information.json": (1, 1, 0),  # the accounts row
}
IG_DIR = "instagram-alice-2026-03-01-AbCdEf"


@pytest.fixture
def ig_folder(tmp_path: Path) -> Path:
    return _write(tmp_path / IG_DIR, TREES["2024"])


def _report_by_tail(wb: warmcall.Workbook) -> dict[str, tuple[int, int, int]]:
    out = {}
    for s in wb.report.sources:
        tail = "/".join(s.path.replace("!", "/").split("/")[-2:])
        key = next((k for k in EXPECTED_IG if tail.endswith(k)), tail)
        out[key] = (s.rows_read, s.rows_loaded, s.rows_rejected)
    return out


def _reasons(wb: warmcall.Workbook, path_end: str) -> dict[int | None, str]:
    src = next(s for s in wb.report.sources if s.path.endswith(path_end))
    return {r["line"]: r["reason"] for r in src.rejects}


@pytest.mark.parametrize("as_zip", [False, True])
def test_instagram_2024_counts_and_reasons(ig_folder: Path, tmp_path: Path, as_zip: bool) -> None:
    path = _zip(ig_folder, tmp_path / f"{IG_DIR}.zip") if as_zip else ig_folder
    wb = warmcall.load(path)
    assert _report_by_tail(wb) == EXPECTED_IG  # no-data.txt is not a source
    assert wb.report.rows_read == wb.report.rows_loaded + wb.report.rows_rejected
    assert all(s.format.startswith("instagram-") for s in wb.report.sources)

    assert _reasons(wb, "followers_1.json") == {4: "no username (value, title or href)"}
    assert _reasons(wb, "followers_2.json") == {2: "unparsable timestamp 'yesterday'"}
    assert _reasons(wb, "bob_1111111111/message_1.json") == {4: meta.ECHO_REASON}
    assert _reasons(wb, "bob_1111111111/message_2.json") == {
        1: meta.ECHO_REASON, 3: meta.SYSTEM_REASON, 4: "missing timestamp"}  # fmt: skip
    assert _reasons(wb, "thegang_2222222222/message_1.json") == {
        4: "group thread: no single counterpart"
    }
    assert _reasons(wb, "post_comments_1.json") == {
        3: "comment on an own post: no counterpart", 4: "comment without a post owner: no counterpart"}  # fmt: skip
    assert _reasons(wb, "liked_posts.json") == {
        2: "liked post without a post owner: no counterpart"
    }


def test_instagram_2024_tables(ig_folder: Path) -> None:
    wb = warmcall.load(ig_folder)
    acc = wb.accounts.to_dicts()
    assert len(acc) == 1
    a = acc[0]
    assert (a["account_id"], a["platform"], a["handle"], a["display_name"]) == (
        "instagram:alice", "instagram", "alice", "Alice Example")  # fmt: skip
    assert a["snapshot_date"] == date(2026, 3, 1)  # from the folder name
    assert (a["followers"], a["following"]) == (4, 3)  # bob carol dave erin / bob frank gina

    c = wb.connections.sort("contact_id")
    assert c["account_id"].unique().to_list() == ["instagram:alice"]
    # bob follows and is followed (two files merged); the earliest time wins
    assert c.select("contact_id", "follows_me", "i_follow", "connected_at").rows() == [
        ("bob", True, True, ts(1700000000)),
        ("carol", True, False, ts(1700000100)),
        ("dave", True, False, ts(1700000150)),
        ("erin", True, False, ts(1700000200)),
        ("frank", False, True, ts(1767643153)),
        ("gina", False, True, ts(1767643154)),
    ]

    i = wb.interactions.sort("ts", "kind")
    # 6 (bob message_1) + 1 (call) + 3 (group) + 3 comments + 2 likes = 15
    assert i.height == 15
    rows = set(i.select("contact_id", "ts", "kind", "direction", "post_id").rows())
    assert rows == {
        ("bob", ts(1700000500), "dm", "in", None),
        ("bob", ts(1700000500), "reaction", "out", None),
        ("bob", ts(1700000400), "dm", "out", None),
        ("bob", ts(1700000300), "dm", "out", None),
        ("bob", ts(1700000350), "reaction", "in", None),
        ("bob", ts(1700000200), "dm", "in", None),
        ("bob", ts(1700000050), "call", "in", None),
        ("name:Renée Roe", ts(1700001000), "dm", "in", None),
        ("bob", ts(1700000900), "dm", "in", None),
        ("name:José ’Pepe’", ts(1700000850), "dm", "in", None),
        ("bob", ts(1700002000), "comment", "out", None),
        ("carol", ts(1700002100), "comment", "out", None),
        ("dave", ts(1700002200), "comment", "out", None),
        ("bob", ts(1585000000), "like", "out", "AbCdEf123"),
        ("erin", ts(1700003000), "like", "out", "Qq1"),
    }
    assert set(i["platform"]) == {"instagram"}


def test_same_content_in_2019_2021_2024_trees(tmp_path: Path) -> None:
    frames = {}
    for era, files in TREES.items():
        wb = warmcall.load(_write(tmp_path / f"{IG_DIR}-{era}", files))
        frames[era] = {
            t: df.drop("source", strict=False).sort(df.drop("source", strict=False).columns)
            for t, df in wb.tables().items()
        }
        assert wb.report.rows_read == 31  # the sum of the read counts in EXPECTED_IG
    for era in ("2019", "2021"):
        for t in frames["2024"]:
            assert frames[era][t].equals(frames["2024"][t]), (era, t)


# ---------------------------------------------------------------------------------------------
# Instagram 2018: connections.json map, comments.json and likes.json lists
# ---------------------------------------------------------------------------------------------

IG2018 = {
    "profile.json": {
        "username": "alice",
        "name": "Alice Example",
        "date_joined": "2015-01-01T10:00:00",
    },
    "connections.json": {  # read 4, loaded 3, rejected 1; naive US/Pacific times
        "followers": {"bob": "2018-04-25T15:43:38", "carol": "2018-11-04T01:30:00"},  # 1, 2
        "following": {"bob": "2018-05-01T08:00:00", "dave": "not a date"},  # 3, 4 rejected
    },
    "comments.json": {  # triples [time, text, owner]: read 3, loaded 2, rejected 1
        "media_comments": [
            ["2018-04-25T15:43:38", "nice", "bob"],
            ["2018-06-01T12:00:00", "mine", "alice"],
        ],
        "live_comments": [["2018-07-01T12:00:00", "live!", "carol"]],
    },
    "likes.json": {  # pairs [time, owner]: read 2, loaded 1, rejected 1
        "media_likes": [["2018-01-15T12:00:00", "bob"]],
        "comment_likes": [["bad", "carol"]],
    },
}


def test_instagram_2018(tmp_path: Path) -> None:
    wb = warmcall.load(_zip(_write(tmp_path / "ig2018", IG2018), tmp_path / "ig2018.zip"))
    counts = {
        s.path.split("!")[-1]: (s.rows_read, s.rows_loaded, s.rows_rejected)
        for s in wb.report.sources
    }
    assert counts == {
        "connections.json": (4, 3, 1),
        "comments.json": (3, 2, 1),
        "likes.json": (2, 1, 1),
        "profile.json": (1, 1, 0),
    }
    assert _reasons(wb, "connections.json") == {4: "unparsable timestamp 'not a date'"}
    assert _reasons(wb, "comments.json") == {2: "comment on an own post: no counterpart"}
    assert _reasons(wb, "likes.json") == {2: "unparsable timestamp 'bad'"}
    assert wb.accounts["account_id"].to_list() == ["instagram:alice"]
    c = wb.connections.sort("contact_id").select(
        "contact_id", "follows_me", "i_follow", "connected_at"
    )
    assert c.rows() == [
        ("bob", True, True, datetime(2018, 4, 25, 22, 43, 38, tzinfo=UTC)),  # PDT = UTC-7
        (
            "carol",
            True,
            False,
            datetime(2018, 11, 4, 8, 30, tzinfo=UTC),
        ),  # ambiguous hour: the earlier (PDT)
    ]
    i = wb.interactions.sort("ts").select("contact_id", "ts", "kind", "direction").rows()
    assert i == [
        ("bob", datetime(2018, 1, 15, 20, 0, tzinfo=UTC), "like", "out"),  # PST = UTC-8
        ("bob", datetime(2018, 4, 25, 22, 43, 38, tzinfo=UTC), "comment", "out"),
        ("carol", datetime(2018, 7, 1, 19, 0, tzinfo=UTC), "comment", "out"),
    ]


# ---------------------------------------------------------------------------------------------
# Facebook
# ---------------------------------------------------------------------------------------------

FB_THREAD = {"participants": [{"name": "Bob Example"}, {"name": "Alice Example"}], "title": "Bob Example",
             "is_still_participant": True, "thread_type": "Regular", "thread_path": "inbox/bobexample_1234567890",
             "messages": [  # read 3, loaded 2, rejected 1
    {"sender_name": "Bob Example", "timestamp_ms": 1700002000000, "content": "Hey"},  # 1 dm in
    {"sender_name": "Alice Example", "timestamp_ms": 1700001950000, "content": "You are now connected on Messenger"},  # 2 rejected: system
    {"sender_name": "Alice Example", "timestamp_ms": 1700001900000, "content": "Yo"},  # 3 dm out
]}  # fmt: skip
FB_ARCHIVED = {"participants": [{"name": RENEE}, {"name": "Alice Example"}], "title": RENEE,
               "thread_type": "Regular", "messages": [  # read 2, loaded 1, rejected 1
    {"sender_name": RENEE, "timestamp_ms": 1700003000000, "content": "Salut"},  # 1 dm in
    {"sender_name": RENEE, "timestamp_ms": 1700003001000, "content": "Reacted \u00f0\u009f\u0098\u0086 to your message"},  # 2 rejected: echo
]}  # fmt: skip
FB_GROUP = {"participants": [{"name": "Alice Example"}, {"name": "Bob Example"}, {"name": RENEE}], "title": "Trio",
            "thread_type": "RegularGroup", "messages": [  # read 2, loaded 1, rejected 1
    {"sender_name": "Bob Example", "timestamp_ms": 1700004000000, "content": "hi"},  # 1 dm in from Bob
    {"sender_name": "Alice Example", "timestamp_ms": 1700003900000, "content": "hey"},  # 2 rejected: group out
]}  # fmt: skip
FB = {
    "profile_information/profile_information.json": {
        "profile_v2": {"name": {"full_name": "Alice Example"}, "username": "alice.example"}
    },
    "connections/friends/your_friends.json": {
        "friends_v2": [  # read 3, loaded 2, rejected 1
            {"name": RENEE, "timestamp": 1700000000},
            {"name": "Bob Example", "timestamp": 1600000000},
            {"timestamp": 1600000001},  # 3 rejected: no name
        ]
    },
    "connections/friends/removed_friends.json": {
        "deleted_friends_v2": [{"name": "Zed", "timestamp": 1500000000}]
    },  # not read
    "your_facebook_activity/comments_and_reactions/comments.json": {
        "comments_v2": [  # read 4, loaded 2, rejected 2
            {
                "timestamp": 1700000000,
                "data": [
                    {
                        "comment": {
                            "timestamp": 1700000000,
                            "comment": "Nice",
                            "author": "Alice Example",
                        }
                    }
                ],
                "title": "Alice Example commented on Bob Example's post.",
            },
            {
                "timestamp": 1700000100,
                "data": [
                    {
                        "comment": {
                            "timestamp": 1700000100,
                            "comment": "Oui",
                            "author": "Alice Example",
                        }
                    }
                ],
                "title": f"Alice Example replied to {RENEE}'s comment.",
            },
            {
                "timestamp": 1700000200,
                "title": "Alice Example commented on her own post.",
            },  # rejected
            {"timestamp": 1700000300, "title": "Alice Example commented on a post."},  # rejected
        ]
    },
    "your_facebook_activity/comments_and_reactions/likes_and_reactions_1.json": [  # read 3, loaded 2, rejected 1
        {
            "timestamp": 1700001000,
            "data": [{"reaction": {"reaction": "LIKE", "actor": "Alice Example"}}],
            "title": "Alice Example likes Bob Example's post.",
        },
        {
            "timestamp": 1700001100,
            "data": [{"reaction": {"reaction": "HAHA", "actor": "Alice Example"}}],
            "title": "Alice Example reacted to Bob O'Brien's photo.",
        },
        {
            "timestamp": 1700001200,
            "data": [{"reaction": {"reaction": "LIKE", "actor": "Alice Example"}}],
            "title": "Alice Example likes a Page.",
        },  # rejected
    ],
    "your_facebook_activity/messages/inbox/bobexample_1234567890/message_1.json": FB_THREAD,
    "your_facebook_activity/messages/archived_threads/reneeroe_999/message_1.json": FB_ARCHIVED,
    "your_facebook_activity/messages/inbox/trio_555/message_1.json": FB_GROUP,
    "your_facebook_activity/polls/no-data.txt": "No data",
}


@pytest.mark.parametrize("as_zip", [False, True])
def test_facebook(tmp_path: Path, as_zip: bool) -> None:
    folder = _write(tmp_path / "facebook-export", FB)
    wb = warmcall.load(_zip(folder, tmp_path / "fb.zip") if as_zip else folder)
    counts = {"/".join(s.path.replace("!", "/").split("/")[-2:]): (s.rows_read, s.rows_loaded, s.rows_rejected)
              for s in wb.report.sources}  # fmt: skip
    assert counts == {
        "profile_information/profile_information.json": (1, 1, 0),
        "friends/your_friends.json": (3, 2, 1),
        "comments_and_reactions/comments.json": (4, 2, 2),
        "comments_and_reactions/likes_and_reactions_1.json": (3, 2, 1),
        "bobexample_1234567890/message_1.json": (3, 2, 1),
        "reneeroe_999/message_1.json": (2, 1, 1),
        "trio_555/message_1.json": (2, 1, 1),
    }
    no_owner = "no counterpart: the title names no other person's post"
    assert _reasons(wb, "comments.json") == {3: no_owner, 4: no_owner}
    assert _reasons(wb, "likes_and_reactions_1.json") == {3: no_owner}
    assert _reasons(wb, "your_friends.json") == {3: "friend without a name"}
    assert _reasons(wb, "reneeroe_999/message_1.json") == {2: meta.ECHO_REASON}
    assert _reasons(wb, "bobexample_1234567890/message_1.json") == {2: meta.SYSTEM_REASON}
    assert _reasons(wb, "trio_555/message_1.json") == {2: meta.GROUP_OUT_REASON}

    a = wb.accounts.row(0, named=True)
    assert (a["account_id"], a["handle"], a["display_name"], a["followers"]) == (
        "facebook:alice.example", "alice.example", "Alice Example", None)  # fmt: skip
    c = wb.connections.sort("contact_id").select(
        "contact_id", "display_name", "follows_me", "i_follow", "connected_at"
    )
    assert c.rows() == [
        ("name:Bob Example", "Bob Example", True, True, ts(1600000000)),
        ("name:Renée Roe", "Renée Roe", True, True, ts(1700000000)),
    ]
    i = set(wb.interactions.select("platform", "contact_id", "ts", "kind", "direction").rows())
    assert i == {
        ("facebook", "name:Bob Example", ts(1700000000), "comment", "out"),
        ("facebook", "name:Renée Roe", ts(1700000100), "comment", "out"),
        ("facebook", "name:Bob Example", ts(1700001000), "like", "out"),
        ("facebook", "name:Bob O'Brien", ts(1700001100), "reaction", "out"),
        ("facebook", "name:Bob Example", ts(1700002000), "dm", "in"),
        ("facebook", "name:Bob Example", ts(1700001900), "dm", "out"),
        ("facebook", "name:Renée Roe", ts(1700003000), "dm", "in"),
        ("facebook", "name:Bob Example", ts(1700004000), "dm", "in"),
    }
    assert not any("removed_friends" in s.path or "no-data" in s.path for s in wb.report.sources)


def test_instagram_and_facebook_side_by_side(tmp_path: Path) -> None:
    """One folder with both exports: threads take the platform of their own export."""
    root = tmp_path / "both"
    _write(root / IG_DIR, TREES["2021"])  # messages/inbox/... with no platform in the path
    _write(root / "fb", {k: v for k, v in FB.items() if "your_facebook_activity/messages" not in k}
           | {"messages/inbox/bobexample_1234567890/message_1.json": FB_THREAD})  # fmt: skip
    wb = warmcall.load(root)
    fmt = {
        s.path.split("/")[-2]: s.format
        for s in wb.report.sources
        if s.path.endswith("message_1.json")
    }
    assert fmt == {"bob_1111111111": "instagram-dm", "thegang_2222222222": "instagram-dm",
                   "bobexample_1234567890": "facebook-messenger"}  # fmt: skip
    assert sorted(wb.accounts["account_id"]) == ["facebook:alice.example", "instagram:alice"]


# ---------------------------------------------------------------------------------------------
# Own account fallbacks, HTML, detection, broken files
# ---------------------------------------------------------------------------------------------


def test_own_account_from_archive_name_and_threads(tmp_path: Path) -> None:
    files = {k: v for k, v in TREES["2024"].items() if "personal_information" not in k}
    wb = warmcall.load(_write(tmp_path / "instagram-alice-2026-03-01-XyZ", files))
    assert wb.accounts.select("account_id", "display_name", "snapshot_date").rows() == [
        ("instagram:alice", "Alice Example", date(2026, 3, 1))]  # fmt: skip
    acct = next(s for s in wb.report.sources if s.path.endswith("(instagram account)"))
    assert (acct.rows_read, acct.rows_loaded) == (1, 1)
    assert any("participant present in every thread" in n for n in acct.notes)
    # direction still found: 15 interactions as with the profile file
    assert wb.interactions.height == 15


def test_own_account_unknown(tmp_path: Path) -> None:
    files = {k: v for k, v in TREES["2024"].items() if "personal_information" not in k}
    wb = warmcall.load(_write(tmp_path / "export", files))
    assert wb.accounts["account_id"].to_list() == ["instagram:me"]
    assert set(wb.connections["account_id"]) == {"instagram:me"}
    acct = next(s for s in wb.report.sources if s.path.endswith("(instagram account)"))
    assert any("username not found" in n for n in acct.notes)


def test_own_name_from_single_thread_title(tmp_path: Path) -> None:
    """One two-person thread, no profile: both participants are in every thread; the title
    names the counterpart, so the other one is the own account."""
    wb = warmcall.load(
        _write(tmp_path / "x", {"messages/inbox/bob_1111111111/message_1.json": MESSAGE_1})
    )
    d = set(wb.interactions.select("kind", "direction").rows())
    assert ("dm", "out") in d and ("dm", "in") in d


@pytest.mark.parametrize("as_zip", [False, True])
def test_html_export_refused(tmp_path: Path, as_zip: bool) -> None:
    folder = _write(tmp_path / "instagram-alice-2026-03-01-html", {
        "index.html": "<html></html>",
        "connections/followers_and_following/followers_1.html": "<html>bob</html>",
        "your_instagram_activity/saved/no-data.txt": "No data"})  # fmt: skip
    path = _zip(folder, tmp_path / "ig-html.zip") if as_zip else folder
    assert meta.detect(Source.open(path))
    with pytest.raises(InputError) as e:
        warmcall.load(path)
    assert "followers_1.html" in str(e.value)
    assert "HTML-format export; request JSON format in 'Download your information'" in str(e.value)


def test_detect_only_meta_shapes(tmp_path: Path) -> None:
    other = _write(tmp_path / "other", {
        "likes.json": {"@context": "https://www.w3.org/ns/activitystreams", "orderedItems": ["https://example.com/1"]},
        "comments.json": {"items": [1, 2]},
        "message_1.json": {"hello": "world"},
        "followers.json": {"count": 3},
        "friends.json": {"friends": []},  # Meta's shape, but empty: proves nothing
        "following.json": [],
        "connections.json": {"followers": {"a": 1}}})  # fmt: skip
    assert not meta.detect(Source.open(other))
    assert meta.detect(Source.open(_write(tmp_path / "ig", {"following.json": FOLLOWING})))


def test_unrecognised_shape_is_noted(tmp_path: Path) -> None:
    wb = warmcall.load(
        _write(tmp_path / "ig", {"following.json": FOLLOWING, "followers_1.json": {"count": 3}})
    )
    s = next(s for s in wb.report.sources if s.path.endswith("followers_1.json"))
    assert (s.format, s.rows_read) == ("meta-unrecognised", 0) and s.notes


def test_truncated_json_is_reported_and_the_rest_loads(tmp_path: Path) -> None:
    folder = _write(tmp_path / "ig", {"following.json": FOLLOWING,
                                      "inbox/bob_1111111111/message_1.json": _dump(MESSAGE_1)[:200]})  # fmt: skip
    wb = warmcall.load(folder)
    s = next(s for s in wb.report.sources if s.path.endswith("message_1.json"))
    assert (s.rows_read, s.rows_loaded, s.rows_rejected) == (0, 0, 0)
    assert len(s.notes) == 1 and s.notes[0].startswith(
        "message_1.json not read: invalid or truncated JSON"
    )
    # following.json still loads: one row per entry
    assert wb.connections.height == len(FOLLOWING["relationships_following"])


def test_export_of_only_unreadable_files_is_one_input_error(tmp_path: Path) -> None:
    folder = _write(tmp_path / "ig", {"following.json": _dump(FOLLOWING)[:100],
                                      "inbox/bob_1111111111/message_1.json": _dump(MESSAGE_1)[:200]})  # fmt: skip
    # the truncated files are not even recognised as Meta: give detect() one good file
    (folder / "followers_1.json").write_text(_dump(FOLLOWERS_1)[:150], encoding="utf-8")
    # ... whose one entry has no owner (rejected): nothing is left to load
    liked = {"likes_media_likes": [LIKED_POSTS["likes_media_likes"][1]]}
    (folder / "liked_posts.json").write_text(_dump(liked), encoding="utf-8")
    with pytest.raises(InputError) as e:
        warmcall.load(folder)
    msg = str(e.value)
    assert msg.startswith(f"{folder}: nothing could be loaded from this Meta export: ")
    assert "invalid or truncated JSON" in msg and "more unreadable file(s)" in msg


# ---------------------------------------------------------------------------------------------
# Mojibake and titles (unit level)
# ---------------------------------------------------------------------------------------------


def test_mojibake_fix_values_items_and_keys() -> None:
    raw = json.loads(
        _dump({RENEE: [ANGRY, HEART, JOSE, "caf\u00e9 \u2019"], "k": {"Ren\u00c3\u00a9e": 1}})
    )
    assert fix_tree(raw) == {"Renée Roe": ["😠", "❤", "José ’Pepe’", "café ’"], "k": {"Renée": 1}}
    assert fix_meta("café ’") == "café ’"
    assert fix_meta("plain") == "plain"


_text = st.text(alphabet=st.sampled_from(list('ab "\\/\n\té’😀ß\u0080\u00ff')), max_size=8)
_meta_str = st.one_of(_text, _text.map(break_meta))  # correct text, or Meta's mojibake of it
_trees = st.recursive(
    st.one_of(_meta_str, st.integers(), st.booleans(), st.none()),
    lambda kids: st.one_of(
        st.lists(kids, max_size=4), st.dictionaries(_meta_str, kids, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_trees, st.booleans())
def test_text_level_fix_equals_tree_fix(tree, ascii_only: bool) -> None:
    """The fast text-level repair gives exactly the §5.2 walk over the parsed JSON."""
    text = json.dumps(tree, ensure_ascii=ascii_only, indent=1)
    assert json.loads(fix_json_text(text)) == fix_tree(json.loads(text))


def test_mojibake_key_reaches_the_loader(tmp_path: Path) -> None:
    """A localized, mojibake-encoded string_map_data key (French 'Propriétaire …') is repaired
    before the owner lookup; the owner value is mojibake too."""
    item = {"string_map_data": {"Commentaire": {"value": "tr\u00c3\u00a8s bien"},
                                "Propri\u00c3\u00a9taire du m\u00c3\u00a9dia": {"value": "b\u00c3\u00b8b"},
                                "Heure": {"timestamp": 1700002000}}}  # fmt: skip
    wb = warmcall.load(
        _write(tmp_path / "ig", {"post_comments_1.json": [item], "following.json": FOLLOWING})
    )
    assert wb.interactions.select("contact_id", "kind").rows() == [("bøb", "comment")]


@pytest.mark.parametrize(
    ("title", "owner"),
    [
        ("Alice Example commented on Bob Example's post.", "Bob Example"),
        ("Alice Example replied to Bob O'Brien's comment.", "Bob O'Brien"),
        ("Alice Example likes Bob Example’s photo.", "Bob Example"),
        ("Alice Example replied to her own comment on Carol Dee's post.", "Carol Dee"),
        ("Alice Example commented on his own post.", None),
        ("Alice Example commented on a post.", None),
        ("Alice Example a commenté la publication de Bob.", None),
    ],
)
def test_fb_title_owner(title: str, owner: str | None) -> None:
    assert meta.fb_title_owner(title)[0] == owner


# ---------------------------------------------------------------------------------------------
# Sample writer round trip
# ---------------------------------------------------------------------------------------------


def _canon(rows: list[dict], table: str) -> pl.DataFrame:
    from warmcall.core import schema

    ok, rej = schema.validate(table, pl.DataFrame(rows, infer_schema_length=None))
    assert rej.height == 0
    return ok.drop("_file", "_line")


def test_writer_round_trip(tmp_path: Path) -> None:
    aid = "instagram:alice"
    accounts = _canon([{"account_id": aid, "platform": "instagram", "handle": "alice",
                        "display_name": "Renée Example", "snapshot_date": "2026-03-01",
                        "followers": 2, "following": 2}], "accounts")  # fmt: skip
    conns = _canon([
        {"account_id": aid, "platform": "instagram", "contact_id": "bob", "handle": "bob",
         "follows_me": True, "i_follow": True, "connected_at": "2025-01-02T03:04:05Z"},
        {"account_id": aid, "platform": "instagram", "contact_id": "zoë.x", "handle": "zoë.x",
         "follows_me": True, "i_follow": False, "connected_at": "2025-02-02T03:04:05Z"},
        {"account_id": aid, "platform": "instagram", "contact_id": "carol", "handle": "carol",
         "follows_me": False, "i_follow": True, "connected_at": "2025-03-02T03:04:05Z"},
    ], "connections")  # fmt: skip
    base = {"account_id": aid, "platform": "instagram"}
    inters = _canon([
        {**base, "contact_id": "bob", "ts": "2025-04-01T10:00:00.123Z", "kind": "dm", "direction": "in"},
        {**base, "contact_id": "bob", "ts": "2025-04-01T10:05:00Z", "kind": "dm", "direction": "out"},
        {**base, "contact_id": "bob", "ts": "2025-04-02T10:05:00Z", "kind": "call", "direction": "out"},
        {**base, "contact_id": "carol", "ts": "2025-04-03T10:00:00Z", "kind": "dm", "direction": "in"},
        {**base, "contact_id": "carol", "ts": "2025-04-04T10:00:00Z", "kind": "comment", "direction": "out"},
        {**base, "contact_id": "bob", "ts": "2025-04-05T10:00:00Z", "kind": "like", "direction": "out", "post_id": "AbC_1-2"},
    ], "interactions")  # fmt: skip
    tables = {"accounts": accounts, "connections": conns, "interactions": inters}
    p1 = ig_writer.write(tables, aid, tmp_path / "a")
    p2 = ig_writer.write(tables, aid, tmp_path / "b")
    assert p1.name == "instagram-alice-2026-03-01.zip"
    assert p1.read_bytes() == p2.read_bytes()  # deterministic
    with zipfile.ZipFile(p1) as zf:
        names = zf.namelist()
        assert names == sorted(names)
        assert "connections/followers_and_following/followers_1.json" in names
        raw = zf.read("personal_information/personal_information/personal_information.json").decode(
            "ascii"
        )
        assert "Ren\\u00c3\\u00a9e" in raw  # mojibake as Meta writes it
    wb = warmcall.load(p1)
    assert wb.report.rows_rejected == 0
    cols = [
        "account_id",
        "platform",
        "handle",
        "display_name",
        "snapshot_date",
        "followers",
        "following",
    ]
    assert wb.accounts.select(cols).equals(accounts.select(cols))
    ccols = [
        "account_id",
        "platform",
        "contact_id",
        "handle",
        "follows_me",
        "i_follow",
        "connected_at",
    ]
    assert (
        wb.connections.select(ccols)
        .sort("contact_id")
        .equals(conns.select(ccols).sort("contact_id"))
    )
    icols = ["account_id", "platform", "contact_id", "ts", "kind", "direction", "post_id"]
    assert wb.interactions.select(icols).sort("ts").equals(inters.select(icols).sort("ts"))
    # the unpacked folder loads the same
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(p1) as zf:
        zf.extractall(folder)
    wb2 = warmcall.load(folder)
    assert wb2.interactions.height == 6
    shutil.rmtree(folder)


def test_recently_unfollowed_accounts_are_set_aside_and_named(tmp_path: Path, monkeypatch) -> None:
    """Instagram's own list of accounts you unfollowed: every entry set aside (not a current
    connection), each with a username named in the load report with its time."""
    unf = {"relationships_unfollowed_users": [
        {"title": "", "string_list_data": [{"href": "https://www.instagram.com/zed", "value": "zed", "timestamp": 1767643153}]},
        {"title": "Yan", "string_list_data": [{"href": "https://www.instagram.com/_u/Yan", "timestamp": "soon"}]},
        {"title": "", "string_list_data": [{"timestamp": 1767643153}]},  # no username
    ]}  # fmt: skip
    root = _write(tmp_path / "ig", {
        "personal_information/personal_information/personal_information.json": PROFILE,
        "connections/followers_and_following/followers_1.json": FOLLOWERS_1,
        "connections/followers_and_following/recently_unfollowed_accounts.json": unf,
    })  # fmt: skip
    wb = warmcall.load(root, cache=False)
    src = next(s for s in wb.report.sources if s.path.endswith("recently_unfollowed_accounts.json"))
    n = len(unf["relationships_unfollowed_users"])
    assert (src.rows_read, src.rows_set_aside, src.rows_loaded, src.rows_rejected) == (n, n, 0, 0)
    listed = wb.report.listed_frame("accounts you unfollowed")
    assert listed["contact_id"].to_list() == ["zed", "yan"]
    assert set(listed["account_id"]) == {"instagram:alice"}
    assert listed["ts"].to_list()[0] == datetime.fromtimestamp(1767643153, UTC)
    assert listed["ts"].to_list()[1] is None  # an unreadable time is unknown, not a reject
    assert "zed" not in set(wb.connections["contact_id"])  # not a current connection
    # the names survive the table cache (the load report is stored as JSON beside the tables)
    monkeypatch.setenv("WARMCALL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WARMCALL_CACHE_MIN_BYTES", "0")
    warmcall.load(root)
    cache.wait_writes()  # the entry is written in a thread
    assert list((tmp_path / "cache").rglob("load-report.json"))
    cached = warmcall.load(root)
    assert cached.report.listed_frame("accounts you unfollowed").equals(listed)
