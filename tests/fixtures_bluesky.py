"""Build Bluesky repository exports (CAR v1) for tests, per the AT Protocol repository spec
(atproto.com/specs/repository): a header ``{version: 1, roots: [commit]}``, then
varint-length-prefixed (CID, block) sections; the commit's ``data`` is the root of a Merkle
Search Tree whose nodes hold ``{l, e: [{p, k, v, t}]}`` with keys prefix-compressed against
the previous key of the same node. Blocks are DAG-CBOR, encoded with libipld; CIDs are
CIDv1 dag-cbor sha2-256."""

from __future__ import annotations

import libipld
from warmcall.sample.bluesky import cid_of, mst_node, varint

__all__ = ["build_car", "cid_of", "varint"]


def build_car(
    did: str,
    records: list[tuple[str, dict]],
    *,
    extra_blocks: list[bytes] = (),
    drop_node: bool = False,
) -> bytes:
    """A repository CAR holding ``records`` (``(collection/rkey, record)``; keys must be
    distinct) in a two-level MST: a root with two entries, a left subtree before the
    first and a subtree after each entry. ``drop_node`` leaves the left subtree's block out
    (a broken tree); ``extra_blocks`` are appended as they are."""
    blocks: list[tuple[bytes, bytes]] = []

    def put(obj: dict) -> bytes:
        data = libipld.encode_dag_cbor(obj)
        c = cid_of(data)
        blocks.append((c, data))
        return c

    keyed = sorted((k.encode(), put(r)) for k, r in records)
    n = len(keyed)
    a, b = n // 3, (2 * n) // 3
    assert n >= 4 and a < b, "the two-level layout needs at least four records"

    def subtree(part: list[tuple[bytes, bytes]]) -> bytes | None:
        return put(mst_node([(k, v, None) for k, v in part], None)) if part else None

    left = subtree(keyed[:a])
    if drop_node and left is not None:
        blocks[:] = [bl for bl in blocks if bl[0] != left]
    mid, right = subtree(keyed[a + 1 : b]), subtree(keyed[b + 1 :])
    root = put(mst_node([(keyed[a][0], keyed[a][1], mid), (keyed[b][0], keyed[b][1], right)], left))
    commit = put({"did": did, "version": 3, "data": root, "rev": "3kabcdefgh2a2", "prev": None,
                  "sig": b"\x00" * 64})  # fmt: skip
    header = libipld.encode_dag_cbor({"version": 1, "roots": [commit]})
    out = bytearray(varint(len(header)) + header)
    for c, data in [*blocks, *((cid_of(x), x) for x in extra_blocks)]:
        out += varint(len(c) + len(data)) + c + data
    return bytes(out)
