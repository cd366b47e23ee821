"""Small X/Twitter archives in the layouts of several years (docs/export-formats.md §1, with
the quirks real archives of 2018–2026 show), written from the documented shapes:

- ``names_archive``: the 2024–25 layout (``data/manifest.js``, ``tweets.js``,
  ``follower.js``, ``following.js``, ``direct-messages.js``, ``like.js``) in which contacts
  are named by the owner's own tweets: mentions, replies, retweets (one of a deleted
  account, author id ``"-1"``), a note-tweet, handle changes over time.
- ``era_2020``: ``tweet.js`` in the compact ``= [ {`` style without trailing newline,
  singular ``direct-message.js`` / ``direct-message-group.js``, no ``userLink``.
- ``era_2022``: pretty ``tweets.js``, plural ``direct-messages.js``, group DMs in
  ``direct-messages-group.js``.
- ``era_2025``: ``tweets.js`` + ``tweets-part1.js``, ``note-tweet.js``,
  ``deleted-tweets.js``, a retweet of a deleted account (``"-1"``), a manifest that lists a
  DM part that is absent, group DMs in their own file.

Tests compute their expectations from these files with plain ``json`` (``read_ytd``).
"""

from __future__ import annotations

import json
import re

from fixtures_x_archive import mention, msg, pretty, tweet

OWN = "9000000001"
OWN_NAME = "Owner_Name"


def compact(prefix: str, data: list) -> str:
    """The 2019–20 layout: ``= [ {`` on the first line, items joined by ``}, {``, no
    trailing newline."""
    if not data:
        return f"{prefix} = [ ]"
    items = ", ".join(json.dumps(d, indent=2, separators=(",", " : ")) for d in data)
    return f"{prefix} = [ {items} ]"


_PREFIX = re.compile(r"^\s*window\.(?:YTD\.\w+\.part\d+|__THAR_CONFIG)\s*=\s*")


def read_ytd(text: str):
    """The reference reader of docs/export-formats.md §1.2 (independent of the loader)."""
    m = _PREFIX.match(text.lstrip("\ufeff"))
    body = (text[m.end() :] if m else text).strip().rstrip(";").strip()
    return json.loads(body) if body else []


def manifest(files: dict[str, str], listed_absent: tuple[str, ...] = ()) -> str:
    """A manifest listing every data file of ``files`` (and ``listed_absent``, which the
    archive lacks) with string counts."""
    types: dict[str, dict] = {}
    for name in [*sorted(files), *listed_absent]:
        if not name.startswith("data/") or name.endswith("manifest.js"):
            continue
        stem = re.sub(r"-part\d+$", "", name[5:-3])
        part = re.search(r"-part(\d+)\.js$", name)
        count = str(len(read_ytd(files[name]))) if name in files else "1"
        glob = f"YTD.{stem.replace('-', '_')}.part{part.group(1) if part else 0}"
        key = re.sub(r"-(\w)", lambda g: g.group(1).upper(), stem)
        types.setdefault(key, {"files": []})["files"].append(
            {"fileName": name, "globalName": glob, "count": count}
        )
    return pretty(
        "window.__THAR_CONFIG",
        {
            "userInfo": {"accountId": OWN, "userName": OWN_NAME, "displayName": "Owner"},
            "archiveInfo": {"sizeBytes": "1000", "generationDate": "2025-06-30T12:00:00.000Z",
                            "isPartialArchive": False, "maxPartSizeBytes": "53687091200"},
            "dataTypes": types,
        },
    )  # fmt: skip


def follow(key: str, ids: list[str], link: bool = True) -> list[dict]:
    return [
        {key: {"accountId": i, **({"userLink": f"https://twitter.com/intent/user?user_id={i}"}
                                   if link else {})}}
        for i in ids
    ]  # fmt: skip


def conv(a: str, b: str, messages: list[dict]) -> dict:
    return {"dmConversation": {"conversationId": f"{a}-{b}", "messages": messages}}


def like(tid: str) -> dict:
    return {
        "like": {
            "tweetId": tid,
            "fullText": "liked",
            "expandedUrl": f"https://x.com/i/web/status/{tid}",
        }
    }


# -- names ------------------------------------------------------------------------------------
ANN, BEE, CEE, DEE, EVE, GIL, HAL, IVY, JON = (
    "100000001", "100000002", "100000003", "100000004", "100000005", "100000007",
    "100000008", "100000009", "100000010",
)  # fmt: skip


def m2(screen: str, uid: str, name: str | None = None) -> dict:
    """A user_mentions entry with an explicit display name."""
    d = mention(screen, uid, 0)
    d["name"] = name if name is not None else d["name"]
    return d


def names_archive() -> dict[str, str]:
    """Newest first, as X writes them. Contacts (own id 9000000001):

    - ann: follower; mentioned as ann_old "Ann" (2021), as Ann_New "Ann B." (2024): the
      most recent wins whatever the file order.
    - bee: followed; named only by in_reply_to_screen_name (no mention entity, no name).
    - cee: a DM partner, named only inside someone else's retweet (RT body mention).
    - dee: retweeted with the author in user_mentions.
    - eve: retweeted with author id "-1"; her id is known from a 2020 mention as eve_x.
    - "gone": retweeted, author "-1", no id anywhere: no share, no name.
    - gil: follower, never named. hal: DM partner, never named.
    - ivy: named only in a retweet body, not a contact (no row at all).
    - jon: followed; mentioned in a note-tweet only (note mentions give screen names; his
      id comes from a 2019 reply with in_reply_to_screen_name).
    """
    tweets = [
        {"tweet": tweet("2000000000000000009", "Mon Jun 02 10:00:00 +0000 2025",
                        "RT @gone: old words", [m2("gone", "-1", "Gone")])},
        {"tweet": tweet("2000000000000000008", "Sun Jun 01 10:00:00 +0000 2025",
                        "RT @eve_x: still true", [m2("eve_x", "-1", "")])},
        {"tweet": tweet("2000000000000000007", "Sat May 31 10:00:00 +0000 2025",
                        "RT @dee: hi @cee and @ivy",
                        [m2("dee", DEE, "Dee"), m2("cee", CEE, "Cee C"), m2("ivy", IVY, "Ivy")])},
        {"tweet": tweet("2000000000000000006", "Fri May 30 10:00:00 +0000 2025",
                        "A long thought that is cut\u2026", [])},
        {"tweet": tweet("2000000000000000005", "Tue Jan 02 10:00:00 +0000 2024",
                        "@Ann_New congrats", [m2("Ann_New", ANN, "Ann B.")])},
        {"tweet": tweet("2000000000000000004", "Mon Jan 04 10:00:00 +0000 2021",
                        "@ann_old hello", [m2("ann_old", ANN, "Ann")])},
        {"tweet": tweet("2000000000000000003", "Sun Jan 03 10:00:00 +0000 2021",
                        "@bee yes", [], reply_to=(BEE, "bee"))},
        {"tweet": tweet("2000000000000000002", "Sat Jan 02 10:00:00 +0000 2021",
                        "@Owner_Name me and @eve_x", [m2(OWN_NAME, OWN, "Owner"),
                                                      m2("eve_x", EVE, "Eve")])},
        {"tweet": tweet("2000000000000000001", "Sat Jan 05 10:00:00 +0000 2019",
                        "@jon ok", [], reply_to=(JON, "jon"))},
    ]  # fmt: skip
    notes = [
        {"noteTweet": {"noteTweetId": "2999999999999999991", "createdAt": "2025-05-30T10:00:01.000Z",
                       "core": {"text": "A long thought that is cut short, with @jon in it. " * 8,
                                "urls": [], "hashtags": [], "cashtags": [],
                                "mentions": [{"screenName": "jon", "fromIndex": "40", "toIndex": "44"}]}}}
    ]  # fmt: skip
    dms = [
        conv(OWN, CEE, [msg(CEE, OWN, "2025-02-01T10:00:00.000Z", "5000000000000000002"),
                        msg(OWN, CEE, "2025-02-01T09:00:00.000Z", "5000000000000000001")]),
        conv(HAL, OWN, [msg(HAL, OWN, "2025-03-01T10:00:00.000Z", "5000000000000000003")]),
    ]  # fmt: skip
    files = {
        "Your archive.html": "<html></html>\n",
        "data/tweets.js": pretty("window.YTD.tweets.part0", tweets),
        "data/note-tweet.js": pretty("window.YTD.note_tweet.part0", notes),
        "data/follower.js": pretty("window.YTD.follower.part0", follow("follower", [ANN, GIL])),
        "data/following.js": pretty(
            "window.YTD.following.part0", follow("following", [BEE, JON])
        ),  # fmt: skip
        "data/direct-messages.js": pretty("window.YTD.direct_messages.part0", dms),
        "data/like.js": pretty("window.YTD.like.part0", [like("1"), like("2"), like("3")]),
    }
    files["data/manifest.js"] = manifest(files)
    return files


# -- eras -------------------------------------------------------------------------------------
A, B, C, D = "200000001", "200000002", "200000003", "200000004"


def _era_tweets(year: int) -> list[dict]:
    return [
        {"tweet": tweet(f"3{year}00000000000003", f"Wed Mar 03 10:00:00 +0000 {year}",
                        f"@b hi @c {year}", [mention("b", B, 0), mention("c", C, 3)],
                        fav="2", rt="1", reply_to=(B, "b"))},
        {"tweet": tweet(f"3{year}00000000000002", f"Tue Mar 02 10:00:00 +0000 {year}",
                        "RT @a: words", [mention("a", A, 3)], rt="5")},
        {"tweet": tweet(f"3{year}00000000000001", f"Mon Mar 01 10:00:00 +0000 {year}",
                        "plain &amp; simple", [], fav="1")},
    ]  # fmt: skip


def _era_dms(year: int) -> list[dict]:
    return [
        conv(OWN, A, [msg(A, OWN, f"{year}-04-02T10:00:00.000Z", f"6{year}0002"),
                      msg(OWN, A, f"{year}-04-01T10:00:00.000Z", f"6{year}0001")]),
    ]  # fmt: skip


def _era_group(year: int) -> list[dict]:
    return [
        {"dmConversation": {"conversationId": "7777", "messages": [
            msg(D, "0", f"{year}-05-01T10:00:00.000Z", f"7{year}0001"),
            {"joinConversation": {"initiatingUserId": D, "participantsSnapshot": [OWN, D],
                                  "createdAt": f"{year}-05-01T09:00:00.000Z"}},
        ]}}
    ]  # fmt: skip


def _account(files: dict[str, str], layout=pretty) -> None:
    files["data/account.js"] = layout(
        "window.YTD.account.part0",
        [{"account": {"username": OWN_NAME, "accountId": OWN, "accountDisplayName": "Owner",
                      "createdAt": "2010-01-01T00:00:00.000Z"}}],
    )  # fmt: skip


def era_2020() -> dict[str, str]:
    files = {
        "data/tweet.js": compact("window.YTD.tweet.part0", _era_tweets(2020)),
        "data/follower.js": compact("window.YTD.follower.part0", follow("follower", [A, B], False)),
        "data/following.js": compact("window.YTD.following.part0",
                                     follow("following", [B, C], False)),
        "data/direct-message.js": compact("window.YTD.direct_message.part0", _era_dms(2020)),
        "data/direct-message-group.js": compact("window.YTD.direct_message_group.part0",
                                                _era_group(2020)),
        "data/like.js": compact("window.YTD.like.part0", [like("9"), like("8")]),
    }  # fmt: skip
    _account(files, compact)
    files["data/manifest.js"] = manifest(files)
    return files


def era_2022() -> dict[str, str]:
    files = {
        "data/tweets.js": pretty("window.YTD.tweets.part0", _era_tweets(2022)),
        "data/follower.js": pretty("window.YTD.follower.part0", follow("follower", [A, B])),
        "data/following.js": pretty("window.YTD.following.part0", follow("following", [B, C])),
        "data/direct-messages.js": pretty("window.YTD.direct_messages.part0", _era_dms(2022)),
        "data/direct-messages-group.js": pretty("window.YTD.direct_messages_group.part0",
                                                _era_group(2022)),
        "data/like.js": pretty("window.YTD.like.part0", [like("9")]),
    }  # fmt: skip
    _account(files)
    files["data/manifest.js"] = manifest(files)
    return files


def era_2025() -> dict[str, str]:
    t = _era_tweets(2025)
    deleted = {"tweet": {**tweet("3202400000000009", "Fri Feb 02 10:00:00 +0000 2024",
                                 "@d sorry", [mention("d", D, 0)]),
                         "deleted_at": "Sat Feb 03 10:00:00 +0000 2024"}}  # fmt: skip
    gone = {"tweet": tweet("3202500000000004", "Thu Mar 04 10:00:00 +0000 2025",
                           "RT @gone: lost", [mention("gone", "-1", 3)])}  # fmt: skip
    long = {"tweet": tweet("3202500000000005", "Fri Mar 05 10:00:00 +0000 2025",
                           "Long post cut\u2026", [])}  # fmt: skip
    note = {"noteTweet": {"noteTweetId": "3999", "createdAt": "2025-03-05T10:00:00.000Z",
                          "core": {"text": "Long post cut short no more. " * 12, "urls": [],
                                   "mentions": [], "hashtags": [], "cashtags": []}}}  # fmt: skip
    files = {
        "data/tweets.js": pretty("window.YTD.tweets.part0", [long, gone, *t[:2]]),
        "data/tweets-part1.js": pretty("window.YTD.tweets.part1", t[2:]),
        "data/note-tweet.js": pretty("window.YTD.note_tweet.part0", [note]),
        "data/deleted-tweets.js": pretty("window.YTD.deleted_tweets.part0", [deleted]),
        "data/follower.js": pretty("window.YTD.follower.part0", follow("follower", [A, B])),
        "data/following.js": pretty("window.YTD.following.part0", follow("following", [B, C])),
        "data/direct-messages.js": pretty("window.YTD.direct_messages.part0", _era_dms(2025)),
        "data/direct-messages-group.js": pretty("window.YTD.direct_messages_group.part0",
                                                _era_group(2025)),
        "data/like.js": pretty("window.YTD.like.part0", [like("9")]),
        "data/like-part1.js": "window.YTD.like.part1 = [ ]",
        "data/tweet-headers.js": pretty("window.YTD.tweet_headers.part0", [{"tweet": {"tweet_id": "1"}}]),
        "data/deleted-tweet-headers.js": "window.YTD.deleted_tweet_headers.part0 = [ ]",
    }  # fmt: skip
    _account(files)
    files["data/manifest.js"] = manifest(files, listed_absent=("data/direct-messages-part1.js",))
    return files


def without_dms() -> dict[str, str]:
    """2025 layout whose manifest lists DM files that the archive does not have."""
    files = {k: v for k, v in era_2025().items() if "direct-messages" not in k}
    files["data/manifest.js"] = manifest(
        {k: v for k, v in files.items() if k != "data/manifest.js"},
        listed_absent=("data/direct-messages.js", "data/direct-messages-group.js"),
    )
    return files
