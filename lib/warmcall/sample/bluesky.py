"""Write the canonical rows of one Bluesky account as the repository export (``.car``) and
a saved ``app.bsky.graph.getFollowers`` page, the layouts ``warmcall.ingest.loaders.bluesky``
reads.

The repository (atproto.com/specs/repository): a CAR v1 file, header
``{version: 1, roots: [commit CID]}``, then varint-length-prefixed (CID, block) sections;
blocks are DAG-CBOR (encoded with ``libipld``), CIDs are CIDv1 dag-cbor sha2-256. The commit
``{did, version: 3, data, rev, prev: null, sig}`` points at a Merkle Search Tree whose nodes
``{l, e: [{p, k, v, t}]}`` hold the record keys ``<collection>/<rkey>`` in order, each key
prefix-compressed against the previous key of its node. The tree written is two levels deep
(a root over at most ``FANOUT`` leaf nodes): valid for the loader, which walks any tree in
key order; the real repository's key-hash layering is not reproduced. Record keys are TIDs
(13 characters of base32-sortable time, from each record's timestamp).

Records written: the profile (``app.bsky.actor.profile/self``, ``displayName``); one
``app.bsky.graph.follow`` per ``i_follow`` connection (``subject`` DID, ``createdAt`` =
``connected_at``); one ``app.bsky.feed.post`` per non-repost post, carrying the outbound
``reply`` (``reply.parent``/``root`` in the contact's repository), ``mention`` (a
``#mention`` facet) or ``share`` (a quoted post, ``app.bsky.embed.record``) attached to it
(same ``post_id`` and ``ts``); one ``app.bsky.feed.repost`` per repost (subject: a post of
the contact it shares, else one of the account's own); one ``app.bsky.feed.like`` per
outbound like. What the format cannot carry: inbound interactions, DMs (chat is not in the
repository), counts, follower lists (other people's repositories: hence the saved page),
post ids (the loader names posts by their ``at://`` URI).

The saved page ``bluesky-followers-<handle>.json``: ``{"subject": {did, handle,
displayName}, "followers": [{did, handle, displayName, description}], "cursor": null}``, the
``follows_me`` connections sorted by DID; it also gives the account its handle.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

import libipld
import polars as pl

FANOUT = 32  # records per leaf node of the written tree
_B32 = "234567abcdefghijklmnopqrstuvwxyz"
_DID_CHARS = "abcdefghijklmnopqrstuvwxyz234567"


def did_for(handle: str) -> str:
    """A deterministic ``did:plc:`` identifier (24 base32 characters) for a handle."""
    digest = hashlib.sha256(handle.encode("utf-8")).digest()
    n = int.from_bytes(digest[:15], "big")
    return "did:plc:" + "".join(_DID_CHARS[(n >> (5 * i)) & 31] for i in range(24))


def tid(ts: datetime, clock: int = 0) -> str:
    """A TID record key: 64 bits (top bit 0, 53 bits of µs since epoch, 10 of clock id) in
    base32-sortable, 13 characters."""
    n = (int(ts.timestamp() * 1_000_000) << 10) | (clock & 0x3FF)
    return "".join(_B32[(n >> (5 * (12 - i))) & 31] for i in range(13))


def _iso(ts: datetime) -> str:
    return ts.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts.microsecond // 1000:03d}Z"


def cid_of(block: bytes) -> bytes:
    """CIDv1 (0x01), dag-cbor (0x71), sha2-256 (0x12, 32 bytes) of a block."""
    return bytes([0x01, 0x71, 0x12, 0x20]) + hashlib.sha256(block).digest()


def varint(n: int) -> bytes:
    """Unsigned LEB128, as CAR section lengths are written."""
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | 0x80 if n else b)
        if not n:
            return bytes(out)


def mst_node(entries: list[tuple[bytes, bytes, bytes | None]], left: bytes | None) -> dict:
    """An MST node: (full key, record CID, right subtree CID) entries, in key order, keys
    prefix-compressed against the previous key of the node."""
    e, prev = [], b""
    for key, v, t in entries:
        p = 0
        while p < min(len(prev), len(key)) and prev[p] == key[p]:
            p += 1
        e.append({"p": p, "k": key[p:], "v": v, "t": t})
        prev = key
    return {"l": left, "e": e}


def car_bytes(did: str, records: list[tuple[str, dict]]) -> bytes:
    """A repository CAR of ``records`` (``(collection/rkey, record)``, keys distinct), in the
    two-level tree of the module docstring."""
    blocks: dict[bytes, bytes] = {}

    def put(obj: dict) -> bytes:
        data = libipld.encode_dag_cbor(obj)
        c = cid_of(data)
        blocks[c] = data
        return c

    keyed = sorted((k.encode(), put(r)) for k, r in records)
    # the root holds every FANOUT+1-th key; the keys between two of them form a leaf node
    step = FANOUT + 1
    roots = keyed[FANOUT::step]
    chunks = [keyed[i * step : i * step + FANOUT] for i in range(len(roots) + 1)]
    leaves = [put(mst_node([(k, v, None) for k, v in c], None)) if c else None for c in chunks]
    root = put(mst_node([(k, v, leaves[i + 1]) for i, (k, v) in enumerate(roots)], leaves[0]))
    commit = put({"did": did, "version": 3, "data": root, "rev": "3kabcdefgh2a2", "prev": None,
                  "sig": b"\x00" * 64})  # fmt: skip
    header = libipld.encode_dag_cbor({"version": 1, "roots": [commit]})
    out = bytearray(varint(len(header)) + header)
    for c, data in blocks.items():
        out += varint(len(c) + len(data)) + c + data
    return bytes(out)


def _records(tables: dict[str, pl.DataFrame], account_id: str, did: str) -> list[tuple[str, dict]]:
    def rows(name: str) -> pl.DataFrame:
        df = tables.get(name)
        if df is None or df.height == 0:
            return pl.DataFrame()
        return df.filter(pl.col("account_id") == account_id)

    used: set[str] = set()

    def key(coll: str, ts: datetime) -> str:
        clock = 0
        while f"{coll}/{tid(ts, clock)}" in used:
            clock += 1
        used.add(k := f"{coll}/{tid(ts, clock)}")
        return k

    acc = rows("accounts")
    name = acc["display_name"][0] if acc.height else None
    out: list[tuple[str, dict]] = [
        ("app.bsky.actor.profile/self", {"$type": "app.bsky.actor.profile", "displayName": name or ""})
    ]  # fmt: skip
    conns = rows("connections")
    if conns.height:
        for cid, at in (
            conns.filter(pl.col("i_follow").fill_null(False))
            .sort("contact_id")
            .select("contact_id", "connected_at")
            .iter_rows()
        ):
            out.append((key("app.bsky.graph.follow", at),
                        {"$type": "app.bsky.graph.follow", "subject": cid, "createdAt": _iso(at)}))  # fmt: skip
    inter = rows("interactions")
    inter = inter.filter(pl.col("direction") == "out") if inter.height else inter
    attached: dict[tuple[str, datetime], tuple[str, str]] = {}
    if inter.height:
        for kind, cid, pid, ts in (
            inter.sort("ts", "contact_id").select("kind", "contact_id", "post_id", "ts").iter_rows()
        ):
            if kind == "like":
                k = key("app.bsky.feed.like", ts)
                uri = f"at://{cid}/app.bsky.feed.post/{tid(ts, 999)}"
                out.append((k, {"$type": "app.bsky.feed.like", "createdAt": _iso(ts),
                                "subject": {"uri": uri, "cid": libipld.encode_cid(cid_of(uri.encode()))}}))  # fmt: skip
            elif kind in ("reply", "mention", "share") and pid is not None:
                attached.setdefault((pid, ts), (kind, cid))
    posts = rows("posts")
    for pid, ts, text, repost in (
        posts.sort("ts", "post_id").select("post_id", "ts", "text", "is_repost").iter_rows()
        if posts.height
        else []
    ):
        kind, cid = attached.get((pid, ts), (None, None))
        if repost:
            author = cid if kind == "share" else did
            uri = f"at://{author}/app.bsky.feed.post/{tid(ts, 998)}"
            out.append((key("app.bsky.feed.repost", ts), {"$type": "app.bsky.feed.repost",
                        "createdAt": _iso(ts), "subject": {"uri": uri, "cid": libipld.encode_cid(cid_of(uri.encode()))}}))  # fmt: skip
            continue
        rec: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": text or "", "createdAt": _iso(ts), "langs": ["en"]}  # fmt: skip
        other = f"at://{cid}/app.bsky.feed.post/{tid(ts, 997)}" if cid else None
        ref = {"uri": other, "cid": libipld.encode_cid(cid_of(str(other).encode()))}
        if kind == "reply":
            rec["reply"] = {"root": ref, "parent": ref}
        elif kind == "mention":
            if not rec["text"].startswith("@"):
                rec["text"] = f"@{cid} {rec['text']}".strip()
            at = rec["text"].split(" ", 1)[0]
            rec["facets"] = [{"index": {"byteStart": 0, "byteEnd": len(at.encode())},
                              "features": [{"$type": "app.bsky.richtext.facet#mention", "did": cid}]}]  # fmt: skip
        elif kind == "share":
            rec["embed"] = {"$type": "app.bsky.embed.record", "record": ref}
        out.append((key("app.bsky.feed.post", ts), rec))
    return out


def followers_page(tables: dict[str, pl.DataFrame], account_id: str, did: str) -> dict:
    """The saved ``getFollowers`` page of the account (module docstring)."""
    handle = account_id.removeprefix("bluesky:")
    acc = tables.get("accounts")
    name = None
    if acc is not None and acc.height:
        a = acc.filter(pl.col("account_id") == account_id)
        name = a["display_name"][0] if a.height else None
    conns = tables.get("connections")
    followers = []
    if conns is not None and conns.height:
        f = conns.filter(
            (pl.col("account_id") == account_id) & pl.col("follows_me").fill_null(False)
        ).sort("contact_id")
        for cid, h, dn, bio in f.select("contact_id", "handle", "display_name", "bio").iter_rows():
            followers.append({"did": cid, "handle": h, "displayName": dn or "",
                              "description": bio or ""})  # fmt: skip
    return {"subject": {"did": did, "handle": handle, "displayName": name or ""},
            "followers": followers, "cursor": None}  # fmt: skip


def write(tables: dict[str, pl.DataFrame], account_id: str, out: Path) -> Path:
    """Write ``account_id`` (``bluesky:<handle>``) as ``<handle>.car`` and
    ``bluesky-followers-<handle>.json`` in the folder ``out``. Deterministic (same tables,
    same bytes); files appear whole (written, then renamed). Returns the CAR's path."""
    out = Path(out)
    handle = account_id.removeprefix("bluesky:")
    did = did_for(handle)
    out.mkdir(parents=True, exist_ok=True)
    car = out / f"{handle}.car"
    _atomic(car, car_bytes(did, _records(tables, account_id, did)))
    page = json.dumps(followers_page(tables, account_id, did), ensure_ascii=False, indent=1)
    _atomic(out / f"bluesky-followers-{handle}.json", page.encode("utf-8"))
    return car


def _atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
