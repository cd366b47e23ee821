"""Bluesky: the repository export (``.car``) and saved follower pages.

The repository export (Settings → Account → Export my data) is the account's whole AT
Protocol repository as a CAR v1 file (atproto.com/specs/repository): a header
``{version: 1, roots: [commit CID]}``, then DAG-CBOR blocks. The commit block holds the
repo's ``did`` and ``data``, the root of a Merkle Search Tree (MST) whose nodes are
``{l: CID|null, e: [{p, k, v, t}]}``: each entry's key is the previous key of the same node
cut to ``p`` bytes plus ``k`` (the first entry of a node starts from the empty key), ``v``
is the record's CID and ``t`` the subtree of keys between this entry and the next. A key is
``<collection>/<rkey>``, e.g. ``app.bsky.feed.post/3kaaaaaaaaa2a``.

Decoding uses ``libipld`` (a small Rust extension maintained with the ``atproto`` Python SDK,
which depends on it): it parses CAR v1 and DAG-CBOR strictly and fast; the full ``atproto``
SDK would bring a network client, pydantic models and more for the same two calls, and a
hand-written CBOR decoder would be one more parser of hostile bytes to keep correct.

Reading: the MST is walked from the commit in key order (iteratively, each node once); one
record per MST entry, numbered 1, 2, … in key order (``_line``). When the tree cannot be
walked (a node block missing or malformed) every block whose ``$type`` names a collection is
taken instead, keyed by its CID, with a note on the file. What each record becomes
(account ``bluesky:<did>``, or ``bluesky:<handle>`` when a handle is known, see below;
contact_id = the other account's DID, which is stable where handles change):

- ``app.bsky.graph.follow`` ``{subject: did, createdAt}`` -> connections ``i_follow`` true,
  ``connected_at`` = ``createdAt``.
- ``app.bsky.feed.post`` -> a ``posts`` row (``post_id`` = the record's ``at://`` URI,
  ``ts`` = ``createdAt``) plus, out: ``reply`` to the author of ``reply.parent`` (the DID in
  its ``at://`` URI), ``mention`` to each ``app.bsky.richtext.facet#mention`` DID in
  ``facets`` (not the person replied to), and ``share`` to the author of a quoted post
  (``embed`` ``app.bsky.embed.record`` / ``recordWithMedia``). Never with oneself.
- ``app.bsky.feed.repost`` -> a ``posts`` row with ``is_repost`` true and ``share`` out to
  the subject's author; ``app.bsky.feed.like`` -> ``like`` out to the subject's author
  (``post_id`` = the liked post's URI). A like of one's own post is set aside (no other
  person).
- ``app.bsky.actor.profile`` (rkey ``self``) -> the ``accounts`` row: ``display_name``,
  ``following`` = distinct follow subjects, ``posts_count`` = post records, ``followers``
  null (followers live in other people's repositories).
- ``app.bsky.graph.block`` is set aside: a block is not a relationship (it is the user's
  hygiene, not a contact), so it is counted under "accounts you blocked" and loads nothing.
  Every other collection (lists, list items, feed generators, thread gates, …) is set aside
  as "not a relationship or engagement".
- A record whose block is missing, is not a map, whose ``$type`` differs from its
  collection, or whose fields have the wrong type is rejected with the reason; so is one
  whose ``createdAt`` does not parse (or lies before 2000 or in the future), and a post,
  repost or like without ``createdAt`` (they need a time; a follow loads undated).

Signals of a repository: following and outbound (the repository holds every follow and all
of one's own activity); not followers, inbound or profiles.

Saved follower pages: the JSON that ``app.bsky.graph.getFollowers`` returns,
``{"subject": {did, handle, …}, "followers": [{did, handle, displayName, description, …}],
"cursor": …}``, one page per file or a list of pages in one file, detected by content. Each
follower is one record -> connections ``follows_me`` true with ``handle``, ``display_name``
and ``bio``, and ``contact_posts`` = ``postsCount`` where the record has it (only the
detailed profile view, ``profileViewDetailed``, carries it; ``getFollowers`` gives the plain
view without counts; a ``postsCount`` that is not a whole number ≥ 0 is left unknown and
counted in a note); ``i_follow`` is false for a follower the repository in the same source does not
follow (null without that repository). A page ending with a cursor means more followers
exist than were saved: noted. Signals: followers and profiles.

The account's handle: the ``handle=`` option (with one repository in the source), else the
``handle`` of a saved page's ``subject`` with the repository's DID. A repository loaded
without either is ``bluesky:<did>``; load it together with the saved pages (same folder) so
that both name the account alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import libipld
import polars as pl

from warmcall.core.errors import InputError
from warmcall.core.handles import handle_key_py
from warmcall.core.words import count
from warmcall.ingest.loaders.base import FileReport, LoadResult
from warmcall.ingest.loaders.meta_common import parse_json
from warmcall.ingest.loaders.profiles import UNREADABLE_ACTIVITY
from warmcall.ingest.sources import Member, Source

FORMAT = "bluesky"
PLATFORM = "bluesky"
#: header bytes read to recognise a CAR v1 file (the header is ~60 bytes)
CAR_SNIFF_BYTES = 4096
#: follower pages are recognised by content only up to this size
PAGE_SNIFF_MAX_BYTES = 64 << 20
FOLLOW = "app.bsky.graph.follow"
POST = "app.bsky.feed.post"
REPOST = "app.bsky.feed.repost"
LIKE = "app.bsky.feed.like"
PROFILE = "app.bsky.actor.profile"
BLOCK = "app.bsky.graph.block"
MENTION = "app.bsky.richtext.facet#mention"
BLOCK_REASON = "block: not a relationship (a blocked account is not a contact)"
OWN_LIKE_REASON = "like of your own post: no other person"
CURSOR_NOTE = (
    "the saved follower pages end with a cursor: the account has more followers than these "
    "files hold, so follower figures count only the saved ones"
)
_DID = re.compile(r"^did:[a-z]+:[A-Za-z0-9._:%-]+$")
_AT_URI = re.compile(r"^at://(did:[a-z]+:[A-Za-z0-9._:%-]+)(?:/|$)")
_HANDLE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z]{2,}$")
_STR = pl.String()


def other_reason(collection: str) -> str:
    """The set-aside reason of a record of a collection with no canonical meaning."""
    return f"{collection} record: not a relationship or engagement"


def did_of_uri(uri: object) -> str | None:
    """The repository DID of an ``at://<did>/<collection>/<rkey>`` URI, or None (a handle
    authority, another scheme, a malformed URI)."""
    if not isinstance(uri, str):
        return None
    m = _AT_URI.match(uri)
    return m.group(1) if m else None


# --------------------------------------------------------------------------------------
# CAR and MST
# --------------------------------------------------------------------------------------
def _varint(data: bytes, pos: int = 0) -> tuple[int, int] | None:
    """An unsigned LEB128 varint at ``pos``: (value, next position), or None."""
    value = shift = 0
    for i in range(pos, min(len(data), pos + 9)):
        b = data[i]
        value |= (b & 0x7F) << shift
        if not b & 0x80:
            return value, i + 1
        shift += 7
    return None


def is_car(m: Member) -> bool:
    """True when ``m`` starts with a CAR v1 header (``{version: 1, roots: [...]}``)."""
    try:
        head = m.read_head(CAR_SNIFF_BYTES)
    except InputError:
        return False
    v = _varint(head)
    if v is None or v[0] == 0 or v[1] + v[0] > len(head):
        return False
    try:
        hdr = libipld.decode_dag_cbor(head[v[1] : v[1] + v[0]])
    except Exception:  # noqa: BLE001 - any decoding failure: not a CAR header
        return False
    return isinstance(hdr, dict) and hdr.get("version") == 1 and isinstance(hdr.get("roots"), list)


def _cid_str(cid: object) -> str:
    try:
        return libipld.encode_cid(cid) if isinstance(cid, bytes) else str(cid)
    except Exception:  # noqa: BLE001 - not a CID: show it as given
        return repr(cid)[:80]


def walk_mst(blocks: dict[bytes, Any], root: object) -> list[tuple[str, bytes]]:
    """``(key, record CID)`` of every MST entry below ``root``, in key order. Raises
    ``ValueError`` naming the problem when a node is missing or malformed (rule in the
    module docstring). Iterative, and each node is visited once (a hostile file could
    point a node at itself)."""
    out: list[tuple[str, bytes]] = []
    seen: set[bytes] = set()
    stack: list[tuple[str, Any, Any]] = [("node", root, None)]
    while stack:
        what, a, b = stack.pop()
        if what == "leaf":
            out.append((a, b))
            continue
        if a is None:
            continue
        if not isinstance(a, bytes) or a in seen:
            raise ValueError("an MST link is not a CID or points back into the tree")
        seen.add(a)
        node = blocks.get(a)
        if node is None:
            raise ValueError(f"MST node {_cid_str(a)} is not in the file")
        entries = node.get("e") if isinstance(node, dict) else None
        if not isinstance(entries, list):
            raise ValueError(f"MST node {_cid_str(a)} is malformed")
        todo: list[tuple[str, Any, Any]] = [("node", node.get("l"), None)]
        prev = b""
        for e in entries:
            if not isinstance(e, dict):
                raise ValueError(f"MST node {_cid_str(a)} has an entry that is not a map")
            p, k, v = e.get("p"), e.get("k"), e.get("v")
            if not (isinstance(p, int) and 0 <= p <= len(prev) and isinstance(k, bytes)):
                raise ValueError(f"MST node {_cid_str(a)} has a malformed key")
            if not isinstance(v, bytes):
                raise ValueError(f"MST node {_cid_str(a)} has an entry without a record CID")
            key = prev[:p] + k
            prev = key
            try:
                text = key.decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError(f"MST node {_cid_str(a)} has a key that is not UTF-8") from None
            todo.append(("leaf", text, v))
            todo.append(("node", e.get("t"), None))
        stack.extend(reversed(todo))
    return out


def _by_type(blocks: dict[bytes, Any]) -> list[tuple[str, bytes]]:
    """Fallback: every block whose ``$type`` names a collection, keyed ``<$type>/<CID>``."""
    out = []
    for cid, obj in blocks.items():
        t = obj.get("$type") if isinstance(obj, dict) else None
        if isinstance(t, str) and "#" not in t and t.count(".") >= 2:
            out.append((f"{t}/{_cid_str(cid)}", cid))
    return sorted(out)


def _decode_car(m: Member) -> tuple[str, dict[bytes, Any], list[tuple[str, bytes]], str | None]:
    """(repo DID, blocks, records as (key, CID), note or None). Unreadable file: InputError."""
    try:
        header, blocks = libipld.decode_car(m.read_bytes())
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - libipld raises ValueError; any failure = unreadable
        msg = " ".join(str(e).split())[:200]
        raise InputError(
            m.display, f"not a readable CAR file (truncated or corrupt: {msg})"
        ) from None
    roots = header.get("roots") if isinstance(header, dict) else None
    if not isinstance(roots, list) or not roots:
        raise InputError(m.display, "CAR header names no root (not a repository export)")
    commit = blocks.get(roots[0]) if isinstance(roots[0], bytes) else None
    did = commit.get("did") if isinstance(commit, dict) else None
    if not isinstance(did, str) or not _DID.match(did):
        raise InputError(
            m.display, "the CAR root is not a repository commit with a DID (not a Bluesky export)"
        )
    try:
        return did, blocks, walk_mst(blocks, commit.get("data")), None
    except ValueError as e:
        note = (
            f"the repository's record tree could not be walked ({e}); records were found by "
            "their $type and are keyed by CID"
        )
        return did, blocks, _by_type(blocks), note


# --------------------------------------------------------------------------------------
# saved follower pages
# --------------------------------------------------------------------------------------
def _is_page(obj: object) -> bool:
    return (
        isinstance(obj, dict)
        and isinstance(obj.get("subject"), dict)
        and isinstance(obj["subject"].get("did"), str)
        and isinstance(obj.get("followers"), list)
    )


def _pages(obj: object) -> list[dict] | None:
    """The follower pages of a parsed JSON document (one page or a list of pages)."""
    if _is_page(obj):
        return [obj]  # type: ignore[list-item]
    if isinstance(obj, list) and obj and all(_is_page(p) for p in obj):
        return obj
    return None


def _page_files(src: Source, encoding: str | None) -> list[tuple[Member, list[dict]]]:
    out = []
    for m in src.find("*.json"):
        if m.size > PAGE_SNIFF_MAX_BYTES:
            continue
        try:
            head = m.head_text(4096, encoding)
        except InputError:
            continue
        if '"followers"' not in head:
            continue
        try:
            pages = _pages(parse_json(m, m.read_text(encoding)))
        except InputError:
            continue
        if pages is not None:
            out.append((m, pages))
    return out


def detect(src: Source) -> bool:
    """True if ``src`` holds a CAR v1 repository export (a ``.car`` file, by its header) or
    saved ``app.bsky.graph.getFollowers`` pages (by their JSON shape)."""
    return any(is_car(m) for m in src.find("*.car")) or bool(_page_files(src, None))


# --------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------
def _norm_handle(h: object) -> str | None:
    if not isinstance(h, str):
        return None
    h = handle_key_py(h.strip().removeprefix("bluesky:")) or ""
    return h if _HANDLE.match(h) and h != "handle.invalid" else None


def load(src: Source, **opts: Any) -> LoadResult:
    """Load every repository export and saved follower page in ``src`` (rules in the module
    docstring). Options: ``encoding`` (the JSON pages), ``handle`` (the account's handle,
    with one repository in the source)."""
    enc = opts.get("encoding") if isinstance(opts.get("encoding"), str) else None
    res = LoadResult()
    cars = [(m, _decode_car(m)) for m in src.find("*.car") if is_car(m)]
    pages = _page_files(src, enc)
    handles: dict[str, str] = {}
    for _m, pgs in pages:
        for p in pgs:
            h = _norm_handle(p["subject"].get("handle"))
            if h and _DID.match(p["subject"]["did"]):
                handles.setdefault(p["subject"]["did"], h)
    option = _norm_handle(opts.get("handle"))
    if option and len({c[1][0] for c in cars}) == 1:
        handles[cars[0][1][0]] = option

    def account(did: str) -> str:
        return f"{PLATFORM}:{handles.get(did, did)}"

    follows: dict[str, set[str]] = {}
    for m, (did, blocks, records, note) in cars:
        follows[did] = _load_repo(m, did, blocks, records, note, account(did), handles, res)
    for m, pgs in pages:
        _load_pages(m, pgs, account, follows, res)
    return res


def _ts(rec: dict) -> tuple[str | None, str | None]:
    """(createdAt text, problem): a missing or non-text ``createdAt`` is a problem."""
    v = rec.get("createdAt")
    if isinstance(v, str) and v.strip():
        return v, None
    return None, "missing createdAt" if v is None else "createdAt is not text"


def _subject_did(rec: dict) -> str | None:
    s = rec.get("subject")
    return did_of_uri(s.get("uri")) if isinstance(s, dict) else None


def _quoted_uri(embed: object) -> str | None:
    if not isinstance(embed, dict):
        return None
    t = embed.get("$type")
    rec = embed.get("record")
    if t == "app.bsky.embed.recordWithMedia" and isinstance(rec, dict):
        rec = rec.get("record")
    elif t != "app.bsky.embed.record":
        return None
    return rec.get("uri") if isinstance(rec, dict) and isinstance(rec.get("uri"), str) else None


def _mentions(facets: object) -> list[str]:
    out = []
    for f in facets if isinstance(facets, list) else []:
        feats = f.get("features") if isinstance(f, dict) else None
        for feat in feats if isinstance(feats, list) else []:
            if isinstance(feat, dict) and feat.get("$type") == MENTION:
                d = feat.get("did")
                if isinstance(d, str) and _DID.match(d):
                    out.append(d)
    return out


@dataclass
class _Repo:
    """One repository being read: its DID and account, and the candidate rows so far."""

    did: str
    acct: str
    conns: list[dict] = field(default_factory=list)
    posts: list[dict] = field(default_factory=list)
    inter: list[dict] = field(default_factory=list)
    followed: set[str] = field(default_factory=set)
    profile: tuple[int, dict] | None = None
    n_posts: int = 0

    def out(self, who: str, kind: str, post_id: str, ts: str, line: int) -> None:
        self.inter.append({"contact_id": who, "kind": kind, "post_id": post_id, "ts": ts,
                           "_line": line})  # fmt: skip


def _record(r: _Repo, rep: FileReport, line: int, key: str, rec: object) -> str | None:
    """Turn one record into candidate rows (or set it aside); return a reject reason or
    None. Rules in the module docstring."""
    coll, _, rkey = key.partition("/")
    if rec is None:
        return "record block missing from the file"
    if not isinstance(rec, dict):
        return "record is not a map"
    if rec.get("$type") != coll:
        return f"record $type {str(rec.get('$type'))[:60]!r} is not its collection"
    if coll == FOLLOW:
        subj, ts = rec.get("subject"), rec.get("createdAt")
        if not isinstance(subj, str) or not _DID.match(subj):
            return "follow without a subject DID"
        if subj == r.did:
            return "follow of your own account"
        r.conns.append({"contact_id": subj, "i_follow": True, "follows_me": None,
                        "connected_at": ts if isinstance(ts, str) else None, "_line": line})  # fmt: skip
        r.followed.add(subj)
        return None
    if coll == PROFILE:
        name = rec.get("displayName")
        if name is not None and not isinstance(name, str):
            return "profile displayName is not text"
        if r.profile is None and rkey == "self":
            r.profile = (line, rec)
        else:
            rep.set_aside(1, other_reason(coll), account_id=r.acct)
        return None
    if coll == BLOCK:
        rep.set_aside(1, BLOCK_REASON, activity="accounts you blocked", account_id=r.acct)
        return None
    if coll not in (POST, REPOST, LIKE):
        rep.set_aside(1, other_reason(coll), account_id=r.acct)
        return None
    ts, why = _ts(rec)
    if ts is None:
        return why
    uri = f"at://{r.did}/{key}"
    if coll == POST:
        return _post(r, line, uri, ts, rec)
    target = _subject_did(rec)
    if target is None:
        return f"{coll.rsplit('.', 1)[-1]} without a subject at:// URI"
    if coll == REPOST:
        r.posts.append({"post_id": uri, "ts": ts, "text": None, "is_repost": True, "_line": line})
        if target != r.did:
            r.out(target, "share", uri, ts, line)
    elif target == r.did:
        rep.set_aside(1, OWN_LIKE_REASON, account_id=r.acct)
    else:
        r.out(target, "like", rec["subject"]["uri"], ts, line)
    return None


def _post(r: _Repo, line: int, uri: str, ts: str, rec: dict) -> str | None:
    """A post: its row, then reply / mention / share out (each person once, never oneself)."""
    text = rec.get("text", "")
    if not isinstance(text, str):
        return "post text is not text"
    r.n_posts += 1
    r.posts.append({"post_id": uri, "ts": ts, "text": text or None, "is_repost": False,
                    "_line": line})  # fmt: skip
    reply = rec.get("reply")
    parent = reply.get("parent") if isinstance(reply, dict) else None
    done = {r.did}
    targets = [
        (did_of_uri(parent.get("uri")) if isinstance(parent, dict) else None, "reply"),
        *((who, "mention") for who in _mentions(rec.get("facets"))),
        (did_of_uri(_quoted_uri(rec.get("embed"))), "share"),
    ]
    for who, kind in targets:
        if who and who not in done:
            r.out(who, kind, uri, ts, line)
            done.add(who)
    return None


def _load_repo(
    m: Member,
    did: str,
    blocks: dict[bytes, Any],
    records: list[tuple[str, bytes]],
    note: str | None,
    acct: str,
    handles: dict[str, str],
    res: LoadResult,
) -> set[str]:
    """Turn one repository's records into candidate rows; return the DIDs it follows."""
    rep = res.file(m.display, FORMAT, len(records))
    if note:
        rep.notes.append(note)
    rep.carries(PLATFORM, "following", "outbound", account_id=acct)
    r = _Repo(did, acct)
    for line, (key, cid) in enumerate(records, 1):
        why = _record(r, rep, line, key, blocks.get(cid))
        if why:
            rep.reject(line, why)
    consts = [pl.lit(acct).alias("account_id"), pl.lit(PLATFORM).alias("platform"),
              pl.lit(m.display).alias("_file")]  # fmt: skip
    res.add("connections", _frame(r.conns, {"contact_id": _STR, "i_follow": pl.Boolean(),
            "follows_me": pl.Boolean(), "connected_at": _STR}, consts))  # fmt: skip
    res.add("posts", _frame(r.posts, {"post_id": _STR, "ts": _STR, "text": _STR,
            "is_repost": pl.Boolean()}, consts))  # fmt: skip
    res.add("interactions", _frame(r.inter, {"contact_id": _STR, "kind": _STR, "post_id": _STR,
            "ts": _STR}, [*consts, pl.lit("out").alias("direction")]))  # fmt: skip
    if r.profile is not None:
        line, rec = r.profile
        name = rec.get("displayName")
        res.add("accounts", [{
            "account_id": acct, "platform": PLATFORM, "handle": handles.get(did),
            "display_name": (name.strip() or None) if isinstance(name, str) else None,
            "following": len(r.followed), "posts_count": r.n_posts,
            "_file": m.display, "_line": line,
        }])  # fmt: skip
    return r.followed


def _frame(rows: list[dict], schema: dict[str, pl.DataType], consts: list[pl.Expr]) -> pl.DataFrame:
    df = pl.DataFrame(rows, schema={**schema, "_line": pl.Int64()})
    return df.with_columns(consts) if df.height else df


def _load_pages(
    m: Member,
    pages: list[dict],
    account: Any,
    follows: dict[str, set[str]],
    res: LoadResult,
) -> FileReport:
    """Saved ``getFollowers`` pages -> connections (rules in the module docstring)."""
    n = sum(len(p["followers"]) for p in pages)
    rep = res.file(m.display, FORMAT, n)
    rows: list[dict] = []
    line = 0
    cursor = False
    bad_posts = 0
    for p in pages:
        subj = p["subject"]["did"]
        if not _DID.match(subj):
            raise InputError(m.display, "the page's subject has no valid DID")
        acct = account(subj)
        rep.carries(PLATFORM, "followers", "profiles", account_id=acct)
        cursor = bool(p.get("cursor"))
        mine = follows.get(subj)
        for f in p["followers"]:
            line += 1
            d = f.get("did") if isinstance(f, dict) else None
            if not isinstance(d, str) or not _DID.match(d):
                rep.reject(line, "follower without a DID")
                continue
            if d == subj:
                rep.reject(line, "the account itself listed as its follower")
                continue
            texts = {k: f.get(k) for k in ("handle", "displayName", "description")}
            bad = [k for k, v in texts.items() if v is not None and not isinstance(v, str)]
            if bad:
                rep.reject(line, f"follower {bad[0]} is not text")
                continue
            pc = f.get("postsCount")
            ok_pc = isinstance(pc, int) and not isinstance(pc, bool) and 0 <= pc < 2**63
            bad_posts += pc is not None and not ok_pc
            rows.append({
                "account_id": acct, "contact_id": d, "handle": _norm_handle(texts["handle"]),
                "contact_posts": pc if ok_pc else None,
                "display_name": (texts["displayName"] or "").strip() or None,
                "bio": (texts["description"] or "").strip() or None,
                "follows_me": True, "i_follow": None if mine is None else d in mine,
                "_line": line,
            })  # fmt: skip
    if cursor:
        rep.notes.append(CURSOR_NOTE)
    if bad_posts:
        rep.notes.append(UNREADABLE_ACTIVITY.format(count(bad_posts, "follower profile")))
    schema = {"account_id": _STR, "contact_id": _STR, "handle": _STR, "display_name": _STR,
              "bio": _STR, "contact_posts": pl.Int64(), "follows_me": pl.Boolean(),
              "i_follow": pl.Boolean()}  # fmt: skip
    res.add("connections", _frame(rows, schema, [pl.lit(PLATFORM).alias("platform"),
                                                 pl.lit(m.display).alias("_file")]))  # fmt: skip
    return rep
