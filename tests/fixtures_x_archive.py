"""Tiny synthetic X/Twitter archive reproducing the quirks of docs/export-formats.md §8 "X archive".

Own account: alice, accountId 1111111111. Contacts: bob 2222222222, carol 3333333333,
dave 4444444444, 5555555555 (only followed), erin 6666666666, frank 7777777777.
Expected counts are worked out by hand next to the data (see also EXPECTED).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

OWN = "1111111111"
BOB, CAROL, DAVE, FIVE, ERIN, FRANK = (
    "2222222222",
    "3333333333",
    "4444444444",
    "5555555555",
    "6666666666",
    "7777777777",
)


def pretty(prefix: str, data: object) -> str:
    """Recent layout: pretty-printed with ``" : "`` and a trailing newline."""
    return f"{prefix} = " + json.dumps(data, indent=2, separators=(",", " : ")) + "\n"


def mention(screen: str, uid: str, start: int) -> dict:
    return {
        "name": screen.title(),
        "screen_name": screen,
        "indices": [str(start), str(start + 1 + len(screen))],
        "id_str": uid,
        "id": uid,
    }


def tweet(
    tid: str,
    created: str,
    text: str,
    mentions: list[dict],
    fav: str = "0",
    rt: str = "0",
    reply_to: tuple[str, str] | None = None,
    urls: list[dict] | None = None,
) -> dict:
    t = {
        "retweeted": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": {"hashtags": [], "symbols": [], "user_mentions": mentions, "urls": urls or []},
        "display_text_range": ["0", str(len(text))],
        "favorite_count": fav,
        "id_str": tid,
        "truncated": False,
        "retweet_count": rt,
        "id": tid,
        "created_at": created,
        "favorited": False,
        "full_text": text,
        "lang": "en",
    }
    if reply_to:  # keys present only on replies
        t |= {
            "in_reply_to_status_id_str": "1000000000000000900",
            "in_reply_to_status_id": "1000000000000000900",
            "in_reply_to_user_id": reply_to[0],
            "in_reply_to_user_id_str": reply_to[0],
            "in_reply_to_screen_name": reply_to[1],
        }
    return t


MANIFEST = {
    "userInfo": {"accountId": OWN, "userName": "alice", "displayName": "Alice"},
    "archiveInfo": {
        "sizeBytes": "44546997",
        "generationDate": "2023-08-31T12:00:00.000Z",
        "isPartialArchive": False,
        "maxPartSizeBytes": "53687091200",
    },
    "dataTypes": {
        "account": {
            "files": [
                {"fileName": "data/account.js", "globalName": "YTD.account.part0", "count": "1"}
            ]
        },
        # count "4" is deliberately wrong (the file has 3 items): noted, not fatal
        "follower": {
            "files": [
                {"fileName": "data/follower.js", "globalName": "YTD.follower.part0", "count": "4"}
            ]
        },
        "following": {
            "files": [
                {"fileName": "data/following.js", "globalName": "YTD.following.part0", "count": "2"}
            ]
        },
        "tweets": {
            "mediaDirectory": "data/tweets_media",
            "files": [
                {"fileName": "data/tweets.js", "globalName": "YTD.tweets.part0", "count": "6"},
                {
                    "fileName": "data/tweets-part1.js",
                    "globalName": "YTD.tweets.part1",
                    "count": "1",
                },
            ],
        },
        "noteTweet": {
            "files": [
                {
                    "fileName": "data/note-tweet.js",
                    "globalName": "YTD.note_tweet.part0",
                    "count": "2",
                }
            ]
        },
        "like": {
            "files": [
                {"fileName": "data/like.js", "globalName": "YTD.like.part0", "count": "2"},
                {"fileName": "data/like-part1.js", "globalName": "YTD.like.part1", "count": "0"},
            ]
        },
        # direct-messages-part1.js is deliberately NOT listed: loaded anyway, with a note
        "directMessages": {
            "mediaDirectory": "data/direct_messages_media",
            "files": [
                {
                    "fileName": "data/direct-messages.js",
                    "globalName": "YTD.direct_messages.part0",
                    "count": "2",
                }
            ],
        },
        "directMessagesGroup": {
            "files": [
                {
                    "fileName": "data/direct-message-group.js",
                    "globalName": "YTD.direct_message_group.part0",
                    "count": "1",
                }
            ]
        },
    },
}

ACCOUNT = [
    {
        "account": {
            "email": "alice@example.com",
            "createdVia": "web",
            "username": "alice",
            "accountId": OWN,
            "createdAt": "2010-08-30T23:20:03.000Z",
            "accountDisplayName": "Alice",
        }
    }
]

# follower.js: compact 2019 layout, no userLink, no trailing newline. 3 items.
FOLLOWER_JS = (
    'window.YTD.follower.part0 = [ {\n  "follower" : {\n    "accountId" : "2222222222"\n  }\n}, '
    '{\n  "follower" : {\n    "accountId" : "3333333333"\n  }\n}, '
    '{\n  "follower" : {\n    "accountId" : "4444444444"\n  }\n} ]'
)
# following.js: pretty with userLink, hand-made copy ending in ';'. 2 items.
FOLLOWING_JS = (
    pretty(
        "window.YTD.following.part0",
        [
            {
                "following": {
                    "accountId": u,
                    "userLink": f"https://twitter.com/intent/user?user_id={u}",
                }
            }
            for u in (BOB, FIVE)
        ],
    ).rstrip("\n")
    + ";\n"
)

TWEETS = [
    # 1: reply to bob (in_reply_to_* keys present), &amp;, string counts -> reply out bob (1)
    {
        "tweet": tweet(
            "1000000000000000001",
            "Sat Aug 12 16:10:37 +0000 2023",
            "@bob to answer your question &amp; more: https://t.co/AbCdEf1234",
            [mention("bob", BOB, 0)],
            fav="3",
            rt="1",
            reply_to=(BOB, "bob"),
            urls=[
                {
                    "url": "https://t.co/AbCdEf1234",
                    "expanded_url": "https://example.com/a",
                    "display_url": "example.com/a",
                    "indices": ["41", "64"],
                }
            ],
        )
    },
    # 2: non-reply (no in_reply_to keys), two mentions, &lt; -> mention carol, dave (2)
    {
        "tweet": tweet(
            "1000000000000000002",
            "Sun Aug 13 09:05:00 +0000 2023",
            "Thanks @carol and @dave &lt;3",
            [mention("carol", CAROL, 7), mention("dave", DAVE, 18)],
        )
    },
    # 3: truncated retweet of bob that mentions erin -> share out bob only (1)
    {
        "tweet": tweet(
            "1000000000000000003",
            "Mon Aug 14 08:00:00 +0000 2023",
            "RT @bob: A long thought with @erin that goes on and on and gets cut\u2026",
            [mention("bob", BOB, 3), mention("erin", ERIN, 29)],
            rt="12",
        )
    },
    # 4: quote permalink (handle in a URL only, no id) -> no interaction (0)
    {
        "tweet": tweet(
            "1000000000000000004",
            "Tue Aug 15 07:30:00 +0000 2023",
            "So true https://t.co/QuOtE12345",
            [],
            urls=[
                {
                    "url": "https://t.co/QuOtE12345",
                    "expanded_url": "https://twitter.com/carol/status/1000000000000000999",
                    "display_url": "twitter.com/carol/status/1\u2026",
                    "indices": ["8", "31"],
                }
            ],
        )
    },
    # 5: long post, truncated; self-reply (thread) -> no interaction (0); note-tweet gives full text
    {
        "tweet": tweet(
            "1000000000000000005",
            "Wed Jun 04 10:00:00 +0000 2025",
            "Part two of a long post that is cut short\u2026",
            [],
            fav="7",
            reply_to=(OWN, "alice"),
        )
    },
    # 6: unwrapped item (earliest GDPR archives) -> post only (0)
    tweet("1000000000000000006", "Mon Jan 01 00:00:00 +0000 2018", "Hello world", []),
]
# tweets-part1.js: compact 2019 layout. 7: reply to carol also mentioning carol and frank ->
# reply carol + mention frank (2; carol is not also a mention).
TWEET7 = tweet(
    "1000000000000000007",
    "Thu Aug 17 18:00:00 +0000 2023",
    "@carol @frank agreed",
    [mention("carol", CAROL, 0), mention("frank", FRANK, 7)],
    reply_to=(CAROL, "carol"),
)
TWEETS_PART1_JS = (
    "window.YTD.tweets.part1 = [ "
    + json.dumps({"tweet": TWEET7}, indent=2, separators=(",", " : "))
    + " ]"
)

LONG_TEXT = "Part two of a long post that is cut short, and here is the rest of it in full. " * 5
NOTES = [
    # matched to tweet 5 by time (1 s apart), different id -> loaded (1)
    {
        "noteTweet": {
            "noteTweetId": "1999999999999999991",
            "createdAt": "2025-06-04T10:00:01.000Z",
            "updatedAt": "2025-06-04T10:00:01.000Z",
            "core": {"text": LONG_TEXT, "urls": [], "mentions": [], "hashtags": [], "cashtags": []},
        }
    },
    # no tweet within 2 s -> rejected (1)
    {
        "noteTweet": {
            "noteTweetId": "1999999999999999992",
            "createdAt": "2024-01-01T00:00:00.000Z",
            "core": {
                "text": "orphan note",
                "urls": [],
                "mentions": [],
                "hashtags": [],
                "cashtags": [],
            },
        }
    },
]

LIKES = [  # 2 items, both set aside; the second has no fullText (deleted/protected tweet)
    {
        "like": {
            "tweetId": "1000000000000000100",
            "fullText": "https://t.co/AbCdEf1234",
            "expandedUrl": "https://twitter.com/i/web/status/1000000000000000100",
        }
    },
    {
        "like": {
            "tweetId": "1000000000000000101",
            "expandedUrl": "https://twitter.com/i/web/status/1000000000000000101",
        }
    },
]


def msg(
    sender: str, recipient: str | None, created: str, mid: str, reactions: list | None = None
) -> dict:
    body = {
        "reactions": reactions or [],
        "urls": [],
        "text": "hi",
        "mediaUrls": [],
        "senderId": sender,
        "id": mid,
        "createdAt": created,
    }
    if recipient is not None:
        body = {"recipientId": recipient, **body}
    return {"messageCreate": body}


CONV = f"{OWN}-{BOB}"
# direct-messages.js (plural, pretty): one conversation split over two entries, newest first.
# Records (messages, file order): 1 bob->me + my reaction (dm in + reaction out), 2 me->bob
# (dm out), 3 bob->me (dm in): 3 read, 3 loaded, 4 interaction rows.
DMS = [
    {
        "dmConversation": {
            "conversationId": CONV,
            "messages": [
                msg(
                    BOB,
                    OWN,
                    "2020-01-21T10:00:00.000Z",
                    "3000000000000000003",
                    [
                        {
                            "senderId": OWN,
                            "reactionKey": "like",
                            "eventId": "3000000000000000013",
                            "createdAt": "2020-01-21T10:05:00.000Z",
                        }
                    ],
                ),
                msg(OWN, BOB, "2020-01-20T21:45:00.000Z", "3000000000000000002"),
            ],
        }
    },
    {
        "dmConversation": {
            "conversationId": CONV,
            "messages": [
                msg(BOB, OWN, "2020-01-20T21:42:09.068Z", "3000000000000000001"),
            ],
        }
    },
]
# direct-messages-part1.js: the same conversation continued in a part file: 1 me->bob (dm out).
DMS_PART1 = [
    {
        "dmConversation": {
            "conversationId": CONV,
            "messages": [msg(OWN, BOB, "2020-01-19T08:00:00.000Z", "3000000000000000000")],
        }
    }
]
# direct-message-group.js (singular, compact): group "9999999999". Records:
# 1 carol -> group, recipientId "0"       -> dm in carol            (loaded)
# 2 me -> group, recipientId "0"          -> no single counterpart  (rejected)
# 3 me -> group, no recipientId, dave reacted (new style) -> reaction in dave (loaded)
# 4 reactionCreate by dave (old style)    -> reaction in dave       (loaded)
# 5 participantsLeave                     -> system event           (rejected)
# 6 joinConversation                      -> system event           (rejected)
GROUP = [
    {
        "dmConversation": {
            "conversationId": "9999999999",
            "messages": [
                msg(CAROL, "0", "2021-03-01T12:00:00.000Z", "4000000000000000006"),
                msg(OWN, "0", "2021-03-01T11:00:00.000Z", "4000000000000000005"),
                msg(
                    OWN,
                    None,
                    "2021-03-01T10:00:00.000Z",
                    "4000000000000000004",
                    [
                        {
                            "senderId": DAVE,
                            "reactionKey": "funny",
                            "eventId": "4000000000000000014",
                            "createdAt": "2021-03-01T10:01:00.000Z",
                        }
                    ],
                ),
                {
                    "reactionCreate": {
                        "senderId": DAVE,
                        "reactionKey": "agree",
                        "eventId": "4000000000000000013",
                        "createdAt": "2021-03-01T09:30:00.000Z",
                    }
                },
                {"participantsLeave": {"userIds": [FIVE], "createdAt": "2021-03-01T09:00:00.000Z"}},
                {
                    "joinConversation": {
                        "initiatingUserId": CAROL,
                        "participantsSnapshot": [OWN, CAROL, DAVE, FIVE],
                        "createdAt": "2021-03-01T08:00:00.000Z",
                    }
                },
            ],
        }
    }
]


def archive_files() -> dict[str, str | bytes]:
    """Member name -> content of the fixture archive."""
    return {
        "Your archive.html": "<!DOCTYPE html><html><body>Your archive</body></html>\n",
        "assets/js/main.4f2a.js": "!function(){window.app=1}();\n",  # not a data file
        "assets/images/favicon.ico": b"\x00\x00\x01\x00",
        "data/tweets_media/1000000000000000001-AbCdEfGh.jpg": b"\xff\xd8\xff\xe0jpeg",
        "data/tweet_media/1000000000000000002-XyZ12345.jpg": b"\xff\xd8\xff\xe0jpeg",
        "data/manifest.js": pretty("window.__THAR_CONFIG", MANIFEST),
        "data/account.js": pretty("window.YTD.account.part0", ACCOUNT),
        "data/follower.js": FOLLOWER_JS,
        "data/following.js": FOLLOWING_JS,
        "data/tweets.js": pretty("window.YTD.tweets.part0", TWEETS),
        "data/tweets-part1.js": TWEETS_PART1_JS,
        "data/note-tweet.js": pretty("window.YTD.note_tweet.part0", NOTES),
        "data/like.js": pretty("window.YTD.like.part0", LIKES),
        "data/like-part1.js": "window.YTD.like.part1 = [ ]",  # empty type, one line
        "data/direct-messages.js": pretty("window.YTD.direct_messages.part0", DMS),
        "data/direct-messages-part1.js": pretty("window.YTD.direct_messages.part1", DMS_PART1),
        "data/direct-message-group.js": "window.YTD.direct_message_group.part0 = [ "
        + json.dumps(GROUP[0], indent=2, separators=(",", " : "))
        + " ]",
        # headers-only twin and other files the loader must not read
        "data/direct-message-headers.js": "window.YTD.direct_message_headers.part0 = [ ]",
        "data/block.js": "window.YTD.block.part0 = [ ]",
    }


def write_folder(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    files = archive_files() if files is None else files
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return root


def write_zip(path: Path, files: dict[str, str | bytes] | None = None) -> Path:
    files = archive_files() if files is None else files
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            content = files[name]
            zf.writestr(name, content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


# Worked out by hand from the data above: (rows_read, rows_loaded, rows_set_aside,
# rows_rejected) per file. Likes are set aside (their authors are not in the export).
EXPECTED_FILES = {
    "data/manifest.js": (0, 0, 0, 0),
    "data/account.js": (1, 1, 0, 0),
    "data/follower.js": (3, 3, 0, 0),
    "data/following.js": (2, 2, 0, 0),
    "data/tweets.js": (6, 6, 0, 0),
    "data/tweets-part1.js": (1, 1, 0, 0),
    "data/note-tweet.js": (2, 1, 0, 1),
    "data/like.js": (2, 0, 2, 0),
    "data/like-part1.js": (0, 0, 0, 0),
    "data/direct-messages.js": (3, 3, 0, 0),
    "data/direct-messages-part1.js": (1, 1, 0, 0),
    "data/direct-message-group.js": (6, 3, 0, 3),
}
