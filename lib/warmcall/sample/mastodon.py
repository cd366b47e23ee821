"""Write canonical rows of one Mastodon account as a Mastodon 4.2 account archive
(docs/export-formats.md §6.1–§6.3) plus a sibling ``following_accounts.csv`` (§6.4).

Layout written: a zip with, in the real archive order, ``outbox.json`` (an
``OrderedCollection`` of ``Create``/``Note`` and ``Announce`` activities, ``totalItems`` =
``posts_count`` when known), ``likes.json``, ``bookmarks.json`` (4.2: no ``totalItems``) and
``actor.json`` (a ``Person``). The real archive has no following list: when the tables have
``i_follow`` connections, ``following_accounts.csv`` (4.0+ header) is written **next to**
the zip, as the separate CSV download is. Loading the folder that holds both gives back the
following list under the archive's account (``warmcall.ingest.loaders.mastodon``).

What the format carries (everything else cannot survive a round trip):

- accounts: ``account_id``, ``platform``, ``handle``, ``display_name``, ``posts_count``
  (``totalItems``), ``snapshot_date`` (only through the archive name, i.e. when ``out`` is a
  folder). Not ``followers``/``following`` (never exported) nor the panel averages.
- posts: ``post_id`` (status URIs are kept; other ids become
  ``https://<host>/users/<user>/statuses/<digits>``), ``ts`` (to the second), ``text``
  (paragraphs and line breaks; a repost carries no text), ``is_repost``. No counts.
- interactions, direction out only: ``reply``/``mention`` attached to a non-repost post
  (same ``post_id`` and ``ts``) become its ``inReplyTo``/``Mention`` tags, ``share`` attached
  to a repost its boosted author; an unattached ``reply``/``mention``/``share`` becomes a
  status of its own (so it also appears as a post on loading), ``dm`` becomes a direct Note
  (not a post). ``post_id`` survives when it is a status URI not used by another status.
  ``like`` out with a status URI goes to ``likes.json`` (loaded back as a rejected like:
  likes have no timestamp). Direction ``in`` cannot be carried (the archive holds only what
  the account sent).
- connections: ``contact_id``, ``handle`` (the address), ``i_follow``; ``follows_me`` is
  unknown on loading and the other columns are not exported.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import zipfile
from datetime import date, datetime
from pathlib import Path

import polars as pl

from warmcall.ingest.loaders.mastodon import TS_FORMAT

AS_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
CONTEXT = [
    "https://www.w3.org/ns/activitystreams",
    "https://w3id.org/security/v1",
    {"toot": "http://joinmastodon.org/ns#", "sensitive": "as:sensitive", "Hashtag": "as:Hashtag"},
]
DEFAULT_HOST = "mastodon.example"
ZIP_DATE = (2000, 1, 1, 0, 0, 0)


def _digits(key: str) -> str:
    """An 18-digit status number derived from ``key`` (deterministic, snowflake-like)."""
    return str(100_000_000_000_000_000 + int(hashlib.sha256(key.encode()).hexdigest()[:15], 16))


def _split(acct: str, host: str) -> tuple[str, str]:
    user, _, h = acct.lstrip("@").partition("@")
    return user, (h or host)


def _actor_uri(acct: str, host: str) -> str:
    user, h = _split(acct, host)
    return f"https://{h}/users/{user}"


def _is_uri(v: object) -> bool:
    return isinstance(v, str) and v.startswith(("https://", "http://"))


def text_to_html(text: str | None) -> str:
    """Status HTML as Mastodon writes it: paragraphs (blank-line separated) in ``<p>``, line
    breaks as ``<br />``, text HTML-escaped. Inverse of ``loaders.mastodon.html_to_text``."""
    if not text:
        return ""
    paras = [p for p in text.strip().split("\n\n") if p.strip()]
    return "".join(
        "<p>" + "<br />".join(html.escape(ln, quote=False) for ln in p.split("\n")) + "</p>"
        for p in paras
    )


def _mention_html(acct: str, host: str) -> str:
    user, _h = _split(acct, host)
    return (
        f'<span class="h-card" translate="no"><a href="{html.escape(_actor_uri(acct, host))}" '
        f'class="u-url mention">@<span>{html.escape(user)}</span></a></span>'
    )


def _mention_tag(acct: str, host: str) -> dict:
    user, h = _split(acct, host)
    name = f"@{user}" if h == host else f"@{user}@{h}"  # Mastodon: "@" + acct (local: no domain)
    return {"type": "Mention", "href": _actor_uri(acct, host), "name": name}


def _ts(v: datetime) -> str:
    return v.strftime(TS_FORMAT)


def write(tables: dict[str, pl.DataFrame], account_id: str, out: Path) -> Path:
    """Write ``account_id``'s canonical rows as a Mastodon 4.2 archive zip (layout and what
    survives: module docstring; docs/export-formats.md §6). ``out`` is the zip path, or a folder
    in which ``archive-<YYYYMMDDHHMMSS>-<32 hex>.zip`` is written (the snapshot date, when
    known, in the name). A ``following_accounts.csv`` is written next to the zip when the
    tables have ``i_follow`` connections. Returns the zip path. Deterministic: fixed member
    timestamps, items sorted by time then id; files appear whole (written, then renamed)."""
    out = Path(out)
    acct = account_id.removeprefix("mastodon:")
    user, host = _split(acct, DEFAULT_HOST)
    base = f"https://{host}"
    me = f"{base}/users/{user}"
    followers_uri = f"{me}/followers"

    def rows(name: str) -> pl.DataFrame:
        df = tables.get(name)
        if df is None or df.height == 0 or "account_id" not in df.columns:
            return pl.DataFrame()
        return df.filter(pl.col("account_id") == account_id)

    acc = rows("accounts")
    acc_row = acc.row(0, named=True) if acc.height else {}
    snap: date | None = acc_row.get("snapshot_date")
    posts = rows("posts")
    inter = rows("interactions")
    if inter.height and "direction" in inter.columns:
        inter = inter.filter(pl.col("direction") == "out")

    used: set[str] = set()

    def status_id(pid: object, key: str) -> str:
        sid = pid if _is_uri(pid) and pid not in used else f"{me}/statuses/{_digits(key)}"
        while sid in used:
            sid = f"{me}/statuses/{_digits(sid)}"
        used.add(sid)
        return sid

    # statuses: key -> dict(kind, ts, text, contacts{acct: kind}, sid)
    statuses: list[dict] = []
    by_post: dict[tuple[str, datetime], dict] = {}
    for p in posts.sort("ts", "post_id").iter_rows(named=True) if posts.height else []:
        st = {
            "repost": bool(p.get("is_repost")),
            "ts": p["ts"],
            "text": p.get("text"),
            "contacts": {},
            "sid": status_id(p["post_id"], f"post:{p['post_id']}"),
            "direct": False,
        }
        statuses.append(st)
        by_post.setdefault((p["post_id"], p["ts"]), st)

    likes: list[str] = []
    loose: dict[tuple, dict] = {}
    if inter.height:
        for r in inter.sort("ts", "kind", "contact_id").iter_rows(named=True):
            kind, cid, pid, ts = r["kind"], r["contact_id"], r.get("post_id"), r["ts"]
            if kind == "like":
                if _is_uri(pid) and pid not in likes:
                    likes.append(pid)
                continue
            if kind not in ("reply", "mention", "share", "dm") or cid is None or ts is None:
                continue
            st = by_post.get((pid, ts))
            fits = st is not None and (st["repost"] == (kind == "share")) and kind != "dm"
            if fits and kind in ("share", "reply"):  # one boosted author / one inReplyTo
                fits = kind not in st["contacts"].values()
            if fits:
                st["contacts"].setdefault(cid, kind)
                continue
            group = "dm" if kind == "dm" else ("share" if kind == "share" else "note")
            key = (group, pid, ts) if group != "share" else (group, pid, ts, cid)
            st = loose.get(key)
            if st is None:
                st = {
                    "repost": group == "share",
                    "ts": ts,
                    "text": None,
                    "contacts": {},
                    "sid": status_id(pid, f"{group}:{pid}:{_ts(ts)}:{cid}"),
                    "direct": group == "dm",
                    "synth": True,
                }
                loose[key] = st
                statuses.append(st)
            st["contacts"].setdefault(cid, kind)

    items = [_activity(st, me, host, followers_uri) for st in statuses]
    items.sort(key=lambda it: (it["published"], it["id"]))
    total = acc_row.get("posts_count")
    outbox = {
        "@context": CONTEXT,
        "id": "outbox.json",
        "type": "OrderedCollection",
        "totalItems": int(total) if total is not None else len(items),
        "orderedItems": items,
    }
    coll = {"@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollection"}
    actor = {
        "@context": CONTEXT,
        "id": me,
        "type": "Person",
        "following": f"{me}/following",
        "followers": followers_uri,
        "inbox": f"{me}/inbox",
        "outbox": "outbox.json",
        "featured": f"{me}/collections/featured",
        "featuredTags": f"{me}/collections/tags",
        "preferredUsername": user,
        "name": acc_row.get("display_name") or "",
        "summary": "",
        "url": f"{base}/@{user}",
        "manuallyApprovesFollowers": False,
        "discoverable": True,
        "published": f"{(snap or date(2000, 1, 1)).isoformat()}T00:00:00Z",
        "tag": [],
        "attachment": [],
        "endpoints": {"sharedInbox": f"{base}/inbox"},
        "likes": "likes.json",
        "bookmarks": "bookmarks.json",
    }
    members = [
        ("outbox.json", outbox),
        ("likes.json", {**coll, "id": "likes.json", "orderedItems": likes}),
        ("bookmarks.json", {**coll, "id": "bookmarks.json", "orderedItems": []}),
        ("actor.json", actor),
    ]
    if out.suffix.lower() == ".zip":
        zip_path = out
    else:
        stamp = (snap or date(2000, 1, 1)).strftime("%Y%m%d") + "000000"
        zip_path = out / f"archive-{stamp}-{hashlib.md5(account_id.encode()).hexdigest()}.zip"
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, obj in members:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, json.dumps(obj, ensure_ascii=False, indent=None))
    _atomic_write(zip_path, buf.getvalue())

    conns = rows("connections")
    if conns.height and "i_follow" in conns.columns:
        follows = conns.filter(pl.col("i_follow").fill_null(False)).sort("contact_id")
        if follows.height:
            _atomic_write(zip_path.parent / "following_accounts.csv", _following_csv(follows, host))
    return zip_path


def _activity(st: dict, me: str, host: str, followers_uri: str) -> dict:
    sid, published = st["sid"], _ts(st["ts"])
    contacts: dict[str, str] = st["contacts"]
    if st["repost"]:
        author = next(iter(contacts), None)
        if author:
            a_uri = _actor_uri(author, host)
            target = f"{a_uri}/statuses/{_digits('boosted:' + sid)}"
            cc = [a_uri, followers_uri]
        else:  # boosted author unknown: a URI from which no author can be derived
            target, cc = (
                f"https://unknown.invalid/statuses/{_digits('boosted:' + sid)}",
                [followers_uri],
            )
        return {
            "id": f"{sid}/activity",
            "type": "Announce",
            "actor": me,
            "published": published,
            "to": [AS_PUBLIC],
            "cc": cc,
            "object": target,
        }
    tags = [_mention_tag(c, host) for c in contacts]
    reply_to = next((c for c, k in contacts.items() if k == "reply"), None)
    in_reply_to = (
        f"{_actor_uri(reply_to, host)}/statuses/{_digits('replied:' + sid)}" if reply_to else None
    )
    mentioned = [_actor_uri(c, host) for c in contacts]
    if st["direct"]:
        to, cc = mentioned, []
    else:
        to, cc = [AS_PUBLIC], [followers_uri, *mentioned]
    content = text_to_html(st["text"])
    if st.get("synth"):
        content = "<p>" + " ".join(_mention_html(c, host) for c in contacts) + "</p>"
    num = sid.rstrip("/").rsplit("/", 1)[-1]
    note = {
        "id": sid,
        "type": "Note",
        "summary": None,
        "inReplyTo": in_reply_to,
        "published": published,
        "url": f"{me.replace('/users/', '/@')}/{num}",
        "attributedTo": me,
        "to": to,
        "cc": cc,
        "sensitive": False,
        "atomUri": sid,
        "inReplyToAtomUri": in_reply_to,
        "conversation": f"tag:{host},{published[:10]}:objectId={num}:objectType=Conversation",
        "content": content,
        "contentMap": {"en": content},
        "attachment": [],
        "tag": tags,
        "replies": {"id": f"{sid}/replies", "type": "Collection", "first": {
            "type": "CollectionPage", "next": f"{sid}/replies?only_other_accounts=true&page=true",
            "partOf": f"{sid}/replies", "items": []}},
    }  # fmt: skip
    return {
        "id": f"{sid}/activity",
        "type": "Create",
        "actor": me,
        "published": published,
        "to": to,
        "cc": cc,
        "object": note,
    }


def _following_csv(follows: pl.DataFrame, host: str) -> bytes:
    """``following_accounts.csv`` as Mastodon ≥ 4.0 writes it (§6.4): header, LF, minimal
    quoting; the address is the handle when it is ``user@domain``, else the contact id."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["Account address", "Show boosts", "Notify on new posts", "Languages"])
    handles = follows["handle"] if "handle" in follows.columns else [None] * follows.height
    for cid, h in zip(follows["contact_id"], handles, strict=True):
        addr = h.lstrip("@") if isinstance(h, str) and "@" in h.lstrip("@") else cid
        if "@" not in addr:
            addr = f"{addr}@{host}"
        w.writerow([addr, "true", "false", ""])
    return buf.getvalue().encode("utf-8")


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
