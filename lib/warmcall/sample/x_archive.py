"""Write one account's canonical X rows as a realistic X/Twitter account archive zip
(docs/export-formats.md §1), the layout ``warmcall.ingest.loaders.x_archive`` reads.

Members: ``Your archive.html``, ``assets/``, ``data/manifest.js`` (``window.__THAR_CONFIG``,
string counts), ``data/account.js``, ``data/follower.js``, ``data/following.js``,
``data/tweets.js`` (+ ``tweets-part1.js``… beyond ``max_tweets_per_file``),
``data/note-tweet.js`` (full text of posts over 280 characters), ``data/direct-messages.js``,
empty ``= [ ]`` ``direct-messages-group.js`` and ``like.js``; pretty-printed with ``" : "``,
numbers as strings, tweet text HTML-escaped, replies and mentions in the tweets' fields and
entities.

What the format cannot carry is not written (so a round trip loses it): follow dates
(``connected_at``), contact handles/names/bios and counts in the follower lists, likes and
comments received, impressions/reach/saves/clicks/engagements, inbound replies and
mentions, likes, interactions other than those below, DM text, and the account's
aggregate columns (followers/following/posts_count are the lengths of the lists written).
Interactions carried: reply/mention/share out whose ``post_id`` is a written tweet and whose
``ts`` is the tweet's (a share only on a ``RT @user:`` post, then nothing else on it; a reply
is not also a mention), dm in/out, reaction in/out without ``post_id`` (on the latest
message of that conversation at or before it, else as a ``reactionCreate``). Null counts
are omitted (the loader then reads null). Timestamps: tweets to the second, DMs to the
millisecond.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl

PLATFORM = "x"
NOTE_LENGTH = 280  # longer texts are truncated in tweets.js, full in note-tweet.js
ZIP_TIME = (2026, 1, 1, 0, 0, 0)  # fixed member timestamps: byte-identical output
TWITTER_EPOCH_MS = 1288834974657  # snowflake epoch
_SOURCE = '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>'


def own_account_id(handle: str) -> str:
    """A stable numeric accountId for ``handle`` (canonical tables do not carry the own
    account's numeric id): 10 digits from its SHA-256."""
    h = int(hashlib.sha256(handle.lower().encode()).hexdigest()[:12], 16)
    return str(1_000_000_000 + h % 9_000_000_000)


def _snowflake(ts: datetime, seq: int) -> str:
    ms = int(ts.timestamp() * 1000) - TWITTER_EPOCH_MS
    return str((max(ms, 0) << 22) | (seq & 0x3FFFFF))


def _ytd(stem: str, part: int, data: list) -> tuple[str, bytes]:
    name = f"data/{stem}.js" if part == 0 else f"data/{stem}-part{part}.js"
    body = (
        json.dumps(data, indent=2, separators=(",", " : "), ensure_ascii=False) if data else "[ ]"
    )
    return name, f"window.YTD.{stem.replace('-', '_')}.part{part} = {body}".encode()


def _rows(df: pl.DataFrame | None, account_id: str) -> pl.DataFrame | None:
    if df is None or df.height == 0 or "account_id" not in df.columns:
        return None
    out = df.filter(pl.col("account_id") == account_id)
    if "platform" in out.columns:
        out = out.filter(pl.col("platform").is_null() | (pl.col("platform") == PLATFORM))
    return out if out.height else None


def _col(df: pl.DataFrame, name: str, dtype: pl.DataType) -> pl.Expr:
    return pl.col(name) if name in df.columns else pl.lit(None, dtype).alias(name)


def _utc(e: pl.Expr) -> pl.Expr:
    return e.dt.convert_time_zone("UTC")


def _escape(text: str) -> str:
    """X's escaping of ``full_text``: ``&``, ``<``, ``>`` only (docs/export-formats.md §1.4)."""
    return html.escape(text, quote=False)


def _indices(text: str, handle: str | None) -> list[str]:
    if handle:
        i = text.lower().find("@" + handle.lower())
        if i >= 0:
            return [str(i), str(i + 1 + len(handle))]
    return ["0", "0"]


def write(
    tables: dict[str, pl.DataFrame],
    account_id: str,
    out: Path,
    *,
    max_tweets_per_file: int = 50_000,
) -> Path:
    """Write ``account_id``'s X rows of ``tables`` (canonical frames) as an archive zip at
    ``out`` (the caller picks the ``twitter-<date>-<hash>.zip`` name) and return ``out``.

    The zip is deterministic (sorted members, fixed timestamps) and written under a
    temporary name, then moved into place. See the module docstring for what is carried.
    """
    out = Path(out)
    handle = account_id.split(":", 1)[1] if ":" in account_id else account_id
    own = own_account_id(handle)
    acc = _rows(tables.get("accounts"), account_id)
    display = None
    snapshot: date | None = None
    if acc is not None:
        first = acc.row(0, named=True)
        display = first.get("display_name")
        snapshot = first.get("snapshot_date")
        handle = first.get("handle") or handle
    conns = _rows(tables.get("connections"), account_id)
    posts = _rows(tables.get("posts"), account_id)
    inter = _rows(tables.get("interactions"), account_id)
    handles: dict[str, tuple[str | None, str | None]] = {}
    if conns is not None:
        for cid, h, n in conns.select(
            "contact_id",
            _col(conns, "handle", pl.String()),
            _col(conns, "display_name", pl.String()),
        ).iter_rows():
            handles.setdefault(cid, (h, n))

    files: dict[str, bytes] = {}
    dtypes: dict[str, dict] = {}

    def put(dtype: str, stem: str, parts: list[list], media: str | None = None) -> None:
        entries = []
        for i, items in enumerate(parts):
            name, data = _ytd(stem, i, items)
            files[name] = data
            entries.append({"fileName": name, "globalName": f"YTD.{stem.replace('-', '_')}.part{i}",
                            "count": str(len(items))})  # fmt: skip
        dtypes[dtype] = {**({"mediaDirectory": media} if media else {}), "files": entries}

    account = {"email": f"{handle}@example.com", "createdVia": "web", "username": handle,
               "accountId": own, "createdAt": "2010-01-01T00:00:00.000Z",
               "accountDisplayName": display or handle}  # fmt: skip
    put("account", "account", [[{"account": account}]])
    put("follower", "follower", [_follow_items(conns, "follows_me", "follower")])
    put("following", "following", [_follow_items(conns, "i_follow", "following")])

    tweets, notes = _tweet_items(posts, inter, handles, own)
    n = max(1, max_tweets_per_file)
    parts = [tweets[i : i + n] for i in range(0, len(tweets), n)] or [[]]
    put("tweets", "tweets", parts, "data/tweets_media")
    put("noteTweet", "note-tweet", [notes])
    put("directMessages", "direct-messages", [_dm_items(inter, own)], "data/direct_messages_media")
    put("directMessagesGroup", "direct-messages-group", [[]], "data/direct_messages_group_media")
    put("like", "like", [[]])

    archive_info: dict[str, Any] = {"sizeBytes": str(sum(len(b) for b in files.values()))}
    if snapshot is not None:
        archive_info["generationDate"] = f"{snapshot.isoformat()}T00:00:00.000Z"
    archive_info |= {"isPartialArchive": False, "maxPartSizeBytes": "53687091200"}
    manifest = {
        "userInfo": {"accountId": own, "userName": handle, "displayName": display or handle},
        "archiveInfo": archive_info,
        "readmeInfo": {"fileName": "data/README.txt", "directory": "data/", "name": "README.txt"},
        "dataTypes": dtypes,
    }
    body = json.dumps(manifest, indent=2, separators=(",", " : "), ensure_ascii=False)
    files["data/manifest.js"] = f"window.__THAR_CONFIG = {body}".encode()
    files["data/README.txt"] = b"Synthetic X archive written by warmcall.sample.x_archive.\n"
    files["Your archive.html"] = (
        b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Your archive</title>"
        b"<script src='assets/js/main.js'></script></head><body></body></html>\n"
    )
    files["assets/js/main.js"] = b"/* offline archive viewer (placeholder) */\n"

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    os.replace(tmp, out)
    return out


def _follow_items(conns: pl.DataFrame | None, flag: str, key: str) -> list[dict]:
    """follower.js / following.js items (ids and userLink only), newest first when
    ``connected_at`` is known, then by contact_id."""
    if conns is None or flag not in conns.columns:
        return []
    df = conns.filter(pl.col(flag).fill_null(False))
    if "connected_at" in df.columns:
        df = df.sort(["connected_at", "contact_id"], descending=[True, False], nulls_last=True)
    ids = df["contact_id"].unique(maintain_order=True).to_list()
    return [
        {key: {"accountId": i, "userLink": f"https://twitter.com/intent/user?user_id={i}"}}
        for i in ids
    ]


def _tweet_items(
    posts: pl.DataFrame | None,
    inter: pl.DataFrame | None,
    handles: dict[str, tuple[str | None, str | None]],
    own: str,
) -> tuple[list[dict], list[dict]]:
    if posts is None:
        return [], []
    df = posts.select(
        "post_id",
        _utc(pl.col("ts")).alias("ts"),
        _col(posts, "text", pl.String()),
        _col(posts, "likes", pl.Int64()),
        _col(posts, "shares", pl.Int64()),
    ).sort(["ts", "post_id"], descending=True)
    df = df.unique(subset="post_id", keep="first", maintain_order=True)
    created = df.select(pl.col("ts").dt.strftime("%a %b %d %H:%M:%S +0000 %Y"))["ts"].to_list()
    iso = df.select(pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S.000Z"))["ts"].to_list()

    by_post: dict[str, list[tuple[str, str]]] = {}
    if inter is not None and "post_id" in inter.columns:
        sel = (
            inter.join(df.select("post_id", pl.col("ts").alias("_pts")), on="post_id")
            .filter(
                (pl.col("direction") == "out")
                & pl.col("kind").is_in(["reply", "mention", "share"])
                & (_utc(pl.col("ts")) == pl.col("_pts"))
            )
            .select("post_id", "kind", "contact_id")
        )
        for pid, kind, cid in sel.iter_rows():
            by_post.setdefault(pid, []).append((kind, cid))

    tweets: list[dict] = []
    notes: list[dict] = []
    for (pid, ts, text, likes, shares), cat, ciso in zip(df.iter_rows(), created, iso, strict=True):
        text = text or ""
        short = text if len(text) <= NOTE_LENGTH else text[:NOTE_LENGTH]
        full = _escape(short)
        t: dict[str, Any] = {
            "edit_info": {"initial": {"editTweetIds": [pid],
                                      "editableUntil": (ts + timedelta(hours=1)).strftime(
                                          "%Y-%m-%dT%H:%M:%S.000Z"),
                                      "editsRemaining": "5", "isEditEligible": True}},
            "retweeted": False,
            "source": _SOURCE,
        }  # fmt: skip
        mentions: list[dict] = []
        links = by_post.get(pid, [])
        if text.startswith("RT @"):
            who = text[4:].split(":", 1)[0].split()[0] if len(text) > 4 else ""
            share = next((c for k, c in links if k == "share"), None)
            if share is not None and who:
                mentions.append(_mention(share, who, handles, text))
        else:
            reply = next((c for k, c in links if k == "reply"), None)
            seen = {own}
            if reply is not None and reply != own:
                h = handles.get(reply, (None, None))[0]
                mentions.append(_mention(reply, h, handles, text))
                seen.add(reply)
                t_reply = {"in_reply_to_user_id": reply, "in_reply_to_user_id_str": reply}
                if h:
                    t_reply["in_reply_to_screen_name"] = h
            else:
                t_reply = {}
            for k, c in links:
                if k == "mention" and c not in seen:
                    seen.add(c)
                    mentions.append(_mention(c, handles.get(c, (None, None))[0], handles, text))
        t["entities"] = {"hashtags": [], "symbols": [], "user_mentions": mentions, "urls": []}
        t["display_text_range"] = ["0", str(len(short))]
        if likes is not None:
            t["favorite_count"] = str(likes)
        t["id_str"] = pid
        t["truncated"] = False
        if shares is not None:
            t["retweet_count"] = str(shares)
        t["id"] = pid
        t["created_at"] = cat
        t["favorited"] = False
        t["full_text"] = full
        t["lang"] = "en"
        if not text.startswith("RT @"):
            t |= t_reply
        tweets.append({"tweet": t})
        if len(text) > NOTE_LENGTH:
            nid = str(int(hashlib.sha256(pid.encode()).hexdigest()[:15], 16))
            notes.append({"noteTweet": {"noteTweetId": nid, "createdAt": ciso, "updatedAt": ciso,
                                        "core": {"text": text, "urls": [], "mentions": [],
                                                 "hashtags": [], "cashtags": []}}})  # fmt: skip
    return tweets, notes


def _mention(
    cid: str, screen: str | None, handles: dict[str, tuple[str | None, str | None]], text: str
) -> dict:
    h, name = handles.get(cid, (None, None))
    screen = screen or h or ""
    return {"name": name or screen, "screen_name": screen, "indices": _indices(text, screen),
            "id_str": cid, "id": cid}  # fmt: skip


def _dm_items(inter: pl.DataFrame | None, own: str) -> list[dict]:
    """direct-messages.js: one conversation ``"<a>-<b>"`` per contact with dm or reaction
    interactions (reactions without post_id), messages newest first."""
    if inter is None:
        return []
    pid = _col(inter, "post_id", pl.String())
    df = (
        inter.filter((pl.col("kind") == "dm") | ((pl.col("kind") == "reaction") & pid.is_null()))
        .select("contact_id", _utc(pl.col("ts")).alias("ts"), "kind", "direction")
        .filter(pl.col("direction").is_in(["in", "out"]) & (pl.col("contact_id") != own))
        .sort(["contact_id", "ts", "kind", "direction"])
    )
    iso = df.select(pl.col("ts").dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ"))["ts"].to_list()
    convs: dict[str, list[dict]] = {}
    seq = 0
    for (cid, ts, kind, direction), ciso in zip(df.iter_rows(), iso, strict=True):
        seq += 1
        msgs = convs.setdefault(cid, [])
        sender = own if direction == "out" else cid
        if kind == "dm":
            msgs.append({"messageCreate": {
                "recipientId": cid if direction == "out" else own, "reactions": [], "urls": [],
                "text": "", "mediaUrls": [], "senderId": sender, "id": _snowflake(ts, seq),
                "createdAt": ciso}})  # fmt: skip
            continue
        reaction = {"senderId": sender, "reactionKey": "like", "eventId": _snowflake(ts, seq),
                    "createdAt": ciso}  # fmt: skip
        target = next((m for m in reversed(msgs) if "messageCreate" in m), None)
        if target is not None:
            target["messageCreate"]["reactions"].append(reaction)
        else:
            msgs.append({"reactionCreate": reaction})
    out = []
    for cid in sorted(convs, key=lambda c: (len(c), c)):
        a, b = sorted([own, cid], key=lambda x: (len(x), x))
        out.append({"dmConversation": {"conversationId": f"{a}-{b}",
                                       "messages": list(reversed(convs[cid]))}})  # fmt: skip
    return out


__all__ = ["own_account_id", "write"]
