"""Write one account's canonical rows as an Instagram "Download your information" JSON
export, in the 2024 tree layout (docs/export-formats.md §5.1), so that ``warmcall.load`` reads it
back through the Meta loader (``warmcall.ingest.loaders.meta``).

Zip: ``instagram-<username>-<YYYY-MM-DD>.zip`` (the date is the account's
``snapshot_date``, else the day of the latest row, else 2026-01-01), members in sorted order
with a fixed timestamp, every non-ASCII string mojibake-encoded as Meta does (§5.2):

=====================================================================  =====================
``personal_information/personal_information/personal_information.json``  username and name
``connections/followers_and_following/followers_N.json``                 ``follows_me`` rows
``connections/followers_and_following/following.json``                   ``i_follow`` rows
``your_instagram_activity/messages/inbox/<user>_<digits>/message_N.json``  ``dm``/``call``
``your_instagram_activity/comments/post_comments_1.json``                ``comment``/out
``your_instagram_activity/likes/liked_posts.json``                       ``like``/out
=====================================================================  =====================

What the format carries (and so what a round trip gives back):

* accounts: ``account_id``, ``platform``, ``handle``, ``display_name``, ``snapshot_date``;
  ``followers``/``following`` come back as the number of follower/following rows written.
  Not carried: ``posts_count``, ``avg_likes``, ``avg_comments``, ``engagement_rate``.
* connections (contacts whose ``contact_id`` is a username; ``name:…`` contacts are
  skipped): ``contact_id``, ``handle`` (written as the username; ``contact_id`` when
  missing), ``follows_me``, ``i_follow`` (a null flag is written as False; a contact with
  neither flag is not written), ``connected_at`` (whole seconds). Not carried:
  ``display_name``, ``bio``, ``company``, ``position``, ``location``, ``contact_followers``,
  ``contact_following``, ``person_id``.
* interactions: ``dm`` in/out and ``call`` in/out (millisecond ``ts``; DM text is not in the
  canonical tables, so messages have no ``content``), ``comment`` out and ``like`` out
  (second ``ts``); ``post_id`` only for likes (as ``/p/<post_id>/``). Not carried: every
  other kind or direction (the export has no likes or comments received), and contacts
  named ``name:…``.
* posts: not written.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
import zlib
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

ZIP_TIME = (2026, 1, 1, 0, 0, 0)
MAX_MESSAGES_PER_FILE = 10_000  # §5.4
MAX_FOLLOWERS_PER_FILE = 10_000


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _escape_utf8_bytes(mt: re.Match[str]) -> str:
    return "".join(f"\\u{b:04x}" for b in mt.group(0).encode("utf-8"))


def _dump(obj: Any) -> bytes:
    """Pretty JSON as Meta writes it: each non-ASCII character as its UTF-8 bytes, each a
    ``\\u00XX`` escape (§5.2; the same as ``json.dumps(break_tree(obj), ensure_ascii=True)``,
    done on the text: non-ASCII characters only occur inside string literals)."""
    text = json.dumps(obj, ensure_ascii=False, indent=2)
    return _NON_ASCII.sub(_escape_utf8_bytes, text).encode("ascii")


def _rows(tables: dict[str, pl.DataFrame], name: str, account_id: str) -> pl.DataFrame:
    df = tables.get(name)
    if df is None or df.height == 0 or "account_id" not in df.columns:
        return pl.DataFrame()
    return df.filter(pl.col("account_id") == account_id)


def _secs(df: pl.DataFrame, col: str) -> list[int]:
    return df.select(pl.col(col).dt.epoch("s").fill_null(0)).to_series().to_list()


def _thread_folder(user: str) -> str:
    return f"{user}_{zlib.crc32(user.encode()) % 10**10:010d}"


def write(tables: dict[str, pl.DataFrame], account_id: str, out: Path) -> Path:
    """Write the rows of ``account_id`` (``instagram:<username>``) as an Instagram JSON export
    zip into the folder ``out`` and return its path. The layout and what it can carry are in
    this module's docstring (docs/export-formats.md §5)."""
    platform, _, user = account_id.partition(":")
    if platform != "instagram" or not user:
        raise ValueError(f"not an Instagram account id: {account_id!r}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    acc = _rows(tables, "accounts", account_id)
    conns = _rows(tables, "connections", account_id)
    ints = _rows(tables, "interactions", account_id)
    if conns.height:
        conns = conns.filter(~pl.col("contact_id").str.starts_with("name:"))
    if ints.height:
        ints = ints.filter(~pl.col("contact_id").str.starts_with("name:"))

    display = user
    handle = user
    snap: date | None = None
    if acc.height:
        first = acc.row(0, named=True)
        display = first.get("display_name") or user
        handle = first.get("handle") or user
        snap = first.get("snapshot_date")
    if snap is None:
        latest = [
            df.select(pl.col(c).max()).item()
            for df, c in ((conns, "connected_at"), (ints, "ts"))
            if df.height and c in df.columns
        ]
        latest = [x for x in latest if x is not None]
        snap = max(latest).date() if latest else date(2026, 1, 1)

    members: dict[str, bytes] = {}
    members["personal_information/personal_information/personal_information.json"] = _dump(
        {
            "profile_user": [
                {
                    "media_map_data": {},
                    "title": "",
                    "string_map_data": {
                        "Username": {"href": "", "value": handle, "timestamp": 0},
                        "Name": {"href": "", "value": display, "timestamp": 0},
                    },
                }
            ]
        }
    )

    names: dict[str, str] = {}
    if conns.height:
        conns = conns.sort("contact_id")
        h = conns["handle"] if "handle" in conns.columns else pl.Series([None] * conns.height)
        users = [hh or c for hh, c in zip(h.to_list(), conns["contact_id"].to_list(), strict=True)]
        secs = (
            _secs(conns, "connected_at") if "connected_at" in conns.columns else [0] * conns.height
        )
        fm = conns["follows_me"].fill_null(False).to_list() if "follows_me" in conns.columns else []
        fi = conns["i_follow"].fill_null(False).to_list() if "i_follow" in conns.columns else []
        if "display_name" in conns.columns:
            names = {
                c: d for c, d in zip(conns["contact_id"], conns["display_name"], strict=True) if d
            }
        followers = [
            {
                "title": "",
                "media_list_data": [],
                "string_list_data": [
                    {"href": f"https://www.instagram.com/{u}", "value": u, "timestamp": s}
                ],
            }
            for u, s, f in zip(users, secs, fm or [False] * len(users), strict=True)
            if f
        ]
        following = [
            {
                "title": u,
                "string_list_data": [{"href": f"https://www.instagram.com/_u/{u}", "timestamp": s}],
            }
            for u, s, f in zip(users, secs, fi or [False] * len(users), strict=True)
            if f
        ]
        base = "connections/followers_and_following/"
        for n, k in enumerate(range(0, max(len(followers), 1), MAX_FOLLOWERS_PER_FILE), 1):
            members[f"{base}followers_{n}.json"] = _dump(followers[k : k + MAX_FOLLOWERS_PER_FILE])
        members[f"{base}following.json"] = _dump({"relationships_following": following})

    act = "your_instagram_activity/"
    if ints.height:
        pid = ints["post_id"] if "post_id" in ints.columns else pl.Series([None] * ints.height)
        ints = ints.with_columns(
            _ms=pl.col("ts").dt.epoch("ms"), _s=pl.col("ts").dt.epoch("s"), _pid=pid
        ).sort("contact_id", "ts")
        dms = ints.filter(pl.col("kind").is_in(["dm", "call"]))
        for (contact,), g in dms.group_by("contact_id", maintain_order=True):
            other = names.get(contact) or contact
            msgs = []
            for kind, direction, ms in g.select("kind", "direction", "_ms").iter_rows():
                m: dict[str, Any] = {
                    "sender_name": display if direction == "out" else other,
                    "timestamp_ms": ms,
                }
                if kind == "call":
                    m["content"] = "Audio call ended"
                    m["call_duration"] = 60
                m["is_geoblocked_for_viewer"] = False
                msgs.append(m)
            msgs.reverse()  # newest first, as Meta writes them
            folder = _thread_folder(str(contact))
            for n, k in enumerate(range(0, len(msgs), MAX_MESSAGES_PER_FILE), 1):
                members[f"{act}messages/inbox/{folder}/message_{n}.json"] = _dump(
                    {
                        "participants": [{"name": other}, {"name": display}],
                        "messages": msgs[k : k + MAX_MESSAGES_PER_FILE],
                        "title": other,
                        "is_still_participant": True,
                        "thread_path": f"inbox/{folder}",
                        "magic_words": [],
                    }
                )
        outs = ints.filter(pl.col("direction") == "out")
        comments = [
            {
                "media_list_data": [{"uri": ""}],
                "string_map_data": {
                    "Comment": {"value": ""},
                    "Media Owner": {"value": c},
                    "Time": {"timestamp": s},
                },
            }
            for c, s in outs.filter(pl.col("kind") == "comment")
            .select("contact_id", "_s")
            .iter_rows()
        ]
        if comments:
            members[f"{act}comments/post_comments_1.json"] = _dump(comments)
        likes = [
            {
                "title": c,
                "media_list_data": [],
                "string_list_data": [
                    {
                        "href": f"https://www.instagram.com/p/{p}/" if p else "",
                        "value": "👍",
                        "timestamp": s,
                    }
                ],
            }
            for c, s, p in outs.filter(pl.col("kind") == "like")
            .select("contact_id", "_s", "_pid")
            .iter_rows()
        ]
        if likes:
            members[f"{act}likes/liked_posts.json"] = _dump({"likes_media_likes": likes})

    path = out / f"instagram-{user}-{snap.isoformat()}.zip"
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, members[name])
    os.replace(tmp, path)
    return path
