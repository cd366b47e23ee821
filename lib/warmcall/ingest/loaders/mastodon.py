"""Mastodon account archive and CSV exports (docs/export-formats.md §6).

What is read, and what each record becomes:

- ``actor.json`` (an ActivityPub ``Person``; §6.3) -> one ``accounts`` row:
  ``account_id = "mastodon:<preferredUsername>@<host of the actor id>"`` (lower-case),
  ``handle`` = ``preferredUsername@host`` as written, ``display_name`` = ``name``,
  ``posts_count`` = ``outbox.json`` ``totalItems`` (the account's statuses count, which may
  differ from the number of items in the archive), ``followers``/``following`` null (not
  exported), ``snapshot_date`` from the archive name ``archive-<YYYYMMDDHHMMSS>-<hex>``
  when present, else null. The file gets the note ``FOLLOWERS_NOTE``.
- ``outbox.json`` (§6.2), one record per ``orderedItems`` item (``_line`` = item number):
  - ``Create`` of a ``Note``/``Question``/``Article`` that is not direct -> a ``posts`` row
    (``post_id`` = the object id URI, ``ts`` = ``published``, ``text`` = ``content`` HTML as
    plain text, ``is_repost`` false, counts null: the archive has none), plus
    ``reply`` out to the author of ``inReplyTo`` when derivable from its URI, and
    ``mention`` out for each ``Mention`` tag (not for the person replied to: a reply is not
    also a mention of the same person in the same post). Replies/mentions of oneself are
    not interactions.
  - a direct post (visibility from addressing, ``visibility``) -> ``dm`` out to every
    mentioned or addressed account, and **no** ``posts`` row (a DM is not a post). A direct
    post is only a ``dm``, never also a ``reply``/``mention``.
  - ``Announce`` (a boost) -> a ``posts`` row with ``is_repost`` true (``post_id`` = the
    boost's own status URI: the activity id without ``/activity``; ``text`` null) plus
    ``share`` out to the boosted author (from ``cc``, else from the object URI).
  - Interactions carry the ``post_id`` of one's own status (the reply, the boost, the DM).
  - Other activity types, missing ids, unparsable ``published`` -> rejected with a reason.
  Per-item ``signature`` and ``@context`` of pre-4.2 archives are ignored.
- ``likes.json`` / ``bookmarks.json`` (§6.3): status URIs without timestamps. Every like is
  read and *set aside* ("like has no timestamp": a valid record of your activity, "likes
  given", but an interaction needs a time); every bookmark is rejected (private, so not an
  interaction at all).
- ``following_accounts.csv`` (§6.4), any header era (none / ``Account address,Show boosts`` /
  ``…,Notify on new posts,Languages``), blank lines skipped -> ``connections`` with
  ``i_follow`` true, ``follows_me`` null (unknown: followers are never exported),
  ``contact_id`` = lower-case ``user@domain``, ``handle`` = the address as written.
- ``lists.csv``, ``blocked_accounts.csv``, ``muted_accounts.csv``, ``blocked_domains.csv``,
  ``bookmarks.csv`` (same source only): every row is read and rejected with the reason it
  has no canonical counterpart (a list member is someone you follow anyway; blocked and
  muted accounts are not connections). Reading them keeps the report honest about what the
  export held.

The account of a CSV file: ``handle=`` option if given; else the single Mastodon account
whose ``actor.json`` is in the same source (for a folder, also inside the archives placed
directly in it, which ``warmcall.load`` opens as sources of their own); else
``"mastodon:me"`` with a note on the file.

Contact ids are lower-case ``user@domain`` (COMMON contact_id convention): from a
``Mention`` tag's ``name`` (``@bob@other.example``; a local ``@bob`` takes the host of its
``href``), else from an actor or status URI (``acct_from_uri``). The contact_id is also the
contact's handle (``warmcall.model.identity.contact_labels``).

A file that cannot be read (invalid JSON, no ``orderedItems``, undecodable CSV) is reported
with the reason (read 0 and a note) and the rest loads; an unreadable ``actor.json`` gives
the archive's account from the ``actor`` of its outbox items (no accounts row). When that
leaves nothing to load, ``InputError`` names the source.

Signals (``FileReport.carries``): ``following_accounts.csv`` -> following; ``outbox.json``
-> outbound and messages_out (the DMs you sent). Never followers (not exported) nor
inbound (replies and DMs you received are not in the archive).
"""

from __future__ import annotations

import html as _html
import json
import os
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

import polars as pl

from warmcall.core.errors import InputError
from warmcall.core.handles import display_handle, handle_key, handle_key_py
from warmcall.ingest.loaders.base import FileReport, LoadResult
from warmcall.ingest.loaders.csvutil import header_of, read_csv_text
from warmcall.ingest.sources import Member, Source

FORMAT = "mastodon"
PLATFORM = "mastodon"
TS_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # §6.2: second precision, UTC
PUBLIC = frozenset({"https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"})
ACTOR_TYPES = frozenset({"Person", "Service", "Group", "Application", "Organization"})
POST_TYPES = frozenset({"Note", "Question", "Article"})
ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz")
# A CSV not named like a Mastodon export is sniffed for the following header only up to this size.
HEADER_SNIFF_MAX_BYTES = 20 * 1024 * 1024
FALLBACK_ACCOUNT = "mastodon:me"
FOLLOWERS_NOTE = (
    "Mastodon exports do not include followers: follower counts and follows_me are unknown "
    "(mastodon/mastodon#22966)"
)
LIKE_REASON = "like has no timestamp"
BOOKMARK_REASON = "bookmark is private (not an interaction) and has no timestamp"
# Headerless / side CSVs that have no canonical table: base-name stem -> reject reason.
SIDE_CSVS = {
    "lists": "list membership: no canonical table (list members you follow are in "
    "following_accounts.csv)",
    "blocked_accounts": "blocked account: not a connection",
    "muted_accounts": "muted account: not a connection",
    "blocked_domains": "blocked domain: not an account",
    "bookmarks": BOOKMARK_REASON,
}
_ADDRESS = re.compile(r"^@?([^@\s,/]+)@([^@\s,/]+\.[^@\s,/]+|localhost(:\d+)?)$")
_ARCHIVE_NAME = re.compile(r"archive-(\d{8})\d{6}-[0-9a-f]+")
_BLOCK_TAGS = frozenset(
    {"p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}
)


# --------------------------------------------------------------------------------------
# small rules, public for the writer and tests
# --------------------------------------------------------------------------------------
def acct_from_uri(uri: object) -> str | None:
    """``user@host`` (lower-case) from an actor or status URI, or None.

    Rule (§6.2/§6.3, Mastodon URI shapes): ``https://host/users/<name>[/statuses/<id>…]``
    and ``https://host/@<name>[/<id>]`` give ``name@host``; other shapes (``/notes/<id>``,
    ``/objects/<uuid>``, collections) are not derivable.
    """
    if not isinstance(uri, str) or not uri.startswith(("https://", "http://")):
        return None
    parts = urlsplit(uri)
    host = (parts.hostname or "").lower()
    if parts.port:
        host = f"{host}:{parts.port}"
    segs = [unquote(s) for s in parts.path.split("/") if s]
    if not host or not segs:
        return None
    name = None
    if segs[0] == "users" and len(segs) >= 2:
        if len(segs) > 2 and segs[2] not in ("statuses",):
            return None  # /users/x/followers, /users/x/collections/… are not accounts
        name = segs[1]
    elif segs[0].startswith("@") and len(segs[0]) > 1 and "@" not in segs[0][1:]:
        name = segs[0][1:]
    if not name:
        return None
    return f"{name}@{host}".lower()


def visibility(to: list[str], cc: list[str], followers: str | None) -> str:
    """Visibility of a status from its addressing (docs/export-formats.md §6.2 table):
    Public collection in ``to`` -> ``public``; in ``cc`` -> ``unlisted``; else a followers
    collection addressed -> ``followers``; else ``direct``. A followers collection is the
    account's own ``followers`` URI or any URI ending in ``/followers``."""
    if any(a in PUBLIC for a in to):
        return "public"
    if any(a in PUBLIC for a in cc):
        return "unlisted"
    if any(a == followers or a.endswith("/followers") for a in [*to, *cc]):
        return "followers"
    return "direct"


# A tag (quoted attribute values may hold ">") or a comment. Neither may run past the next
# "<" / "<!--", and the repetitions are possessive: every match attempt ends at the next tag
# start, so hostile text ("<a \"" a million times, an unclosed comment) is linear, not
# quadratic. (Status HTML never has a raw "<" inside an attribute or a comment.)
_TAG = re.compile(
    r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)(?:[^<>"']|"[^"<]*+"|'[^'<]*+')*+>"""
    r"""|<!--(?:[^<-]|-(?!->)|<(?!!--))*+-->"""
)
_BREAKS = re.compile(r"[\x01\x02]+")


def _tag_sub(m: re.Match[str]) -> str:
    name = (m.group(2) or "").lower()
    if name == "br":
        return "\n"
    if name == "li":
        return "\x01"
    return "\x02" if name in _BLOCK_TAGS else ""


def html_to_text(html: str | None) -> str | None:
    """Plain text of Mastodon status HTML (§6.2 ``content``): tags and comments dropped,
    then entities unescaped (``html.unescape``), ``<br>`` -> newline, a list item on a new
    line, paragraphs (``<p>`` and other blocks) separated by a blank line, outer whitespace
    stripped. The hidden ``invisible`` spans of shortened links are kept, so links read in
    full. (A regex tokenizer rather than ``html.parser``: same result on status HTML, about
    ten times faster on a large outbox.)"""
    if html is None:
        return None
    text = _TAG.sub(_tag_sub, str(html))
    text = _BREAKS.sub(lambda m: "\n\n" if "\x02" in m.group() else "\n", text)
    text = _html.unescape(text).strip()
    return text or None


def _as_list(v: object) -> list[str]:
    if isinstance(v, str):
        return [v]
    if isinstance(v, list):
        return [x for x in v if isinstance(x, str)]
    return []


def _parse_json(m: Member, encoding: str | None) -> Any:
    try:
        return json.loads(m.read_text(encoding))
    except json.JSONDecodeError as e:
        raise InputError(
            m.display, f"invalid or truncated JSON ({e.msg} at line {e.lineno} column {e.colno})"
        ) from None
    except RecursionError:
        raise InputError(m.display, "JSON nested too deeply to parse") from None


def _normalize_handle(handle: str) -> str:
    return f"{PLATFORM}:{handle_key_py(handle.strip().removeprefix('mastodon:')) or ''}"


# --------------------------------------------------------------------------------------
# finding files
# --------------------------------------------------------------------------------------
@dataclass
class _Archive:
    folder: str  # parent folder of actor.json inside the source ("" at the root)
    actor: Member
    actor_obj: dict | None  # None when actor.json could not be parsed (load raises)

    def sibling(self, name: str) -> Member | None:
        return self.actor.source.get(f"{self.folder}/{name}" if self.folder else name)


def _is_actor(obj: object) -> bool:
    return (
        isinstance(obj, dict)
        and isinstance(obj.get("type"), str)
        and obj["type"] in ACTOR_TYPES
        and isinstance(obj.get("preferredUsername"), str)
        and "outbox" in obj
    )


def _archives(src: Source, encoding: str | None = None) -> list[_Archive]:
    """Folders of ``src`` holding an archive ``actor.json`` (a Person-like actor with an
    outbox). An unparsable ``actor.json`` next to an ``outbox.json`` is still claimed, so
    that ``load`` reports it instead of the source going unrecognised."""
    out = []
    for m in src.find("actor.json"):
        folder = str(PurePosixPath(m.name).parent)
        folder = "" if folder == "." else folder
        try:
            obj = json.loads(m.read_text(encoding))
        except (json.JSONDecodeError, RecursionError, InputError):
            obj = None
        a = _Archive(folder, m, obj if _is_actor(obj) else None)
        if a.actor_obj is not None or (obj is None and a.sibling("outbox.json") is not None):
            out.append(a)
    return out


def _csv_kind(m: Member) -> str | None:
    stem = (
        re.sub(r"( \(\d+\)|-\d+)$", "", m.basename[:-4])
        if m.basename.lower().endswith(".csv")
        else ""
    )
    stem = stem.lower()
    if stem == "following_accounts" or stem in SIDE_CSVS:
        return stem
    return None


def _csv_members(
    src: Source, encoding: str | None = None, errors: list[tuple[Member, str]] | None = None
) -> list[tuple[str, Member, str]]:
    """Mastodon CSV exports in ``src``: (kind, member, text). A following export is also
    recognised by its header (``Account address,Show boosts…``) whatever its name; every
    file is checked by content (user@domain addresses, URIs, domains) so a same-named file
    of another service is left alone. A Mastodon-named file that cannot be decoded goes to
    ``errors`` (member, problem) when given, else raises ``InputError``."""
    out = []
    for m in src.find("*.csv"):
        kind = _csv_kind(m)
        if kind is None and m.size > HEADER_SNIFF_MAX_BYTES:
            continue
        try:
            text = m.read_text(encoding)
        except InputError as e:
            if kind is None:  # another service's file in another encoding: not ours
                continue
            if errors is None:
                raise
            errors.append((m, e.problem))
            continue
        row = header_of(text)
        head = [c.lower() for c in row]
        if kind is None:
            if head[:2] == ["account address", "show boosts"]:
                out.append(("following_accounts", m, text))
            continue
        if not row:  # empty file: only a following export is worth registering
            if kind == "following_accounts":
                out.append((kind, m, text))
            continue
        if kind in ("following_accounts", "muted_accounts", "blocked_accounts"):
            ok = head[0] == "account address" or bool(_ADDRESS.match(row[0]))
            if kind == "following_accounts" and head[:2] == [
                "account address",
                "hide notifications",
            ]:
                ok = False
        elif kind == "lists":
            ok = len(row) >= 2 and bool(_ADDRESS.match(row[1]))
        elif kind == "blocked_domains":
            ok = "." in row[0] and "@" not in row[0] and " " not in row[0]
        else:  # bookmarks
            ok = row[0].startswith(("https://", "http://"))
        if ok:
            out.append((kind, m, text))
    return out


def detect(src: Source) -> bool:
    """True if ``src`` holds a Mastodon archive (``actor.json``: a Person with an outbox)
    or a following export (``following_accounts.csv`` with user@domain addresses, or any CSV
    headed ``Account address,Show boosts``). By content, §6.1/§6.4."""
    if _archives(src):
        return True
    return any(kind == "following_accounts" for kind, _m, _t in _csv_members(src))


# --------------------------------------------------------------------------------------
# loading
# --------------------------------------------------------------------------------------
def load(src: Source, **opts: Any) -> LoadResult:
    """Load every Mastodon archive and CSV export in ``src`` (rules in the module
    docstring; docs/export-formats.md §6). Options: ``encoding`` (text files), ``handle``
    (the own account for CSV files without an ``actor.json``, e.g. ``alice@example.com``)."""
    enc = opts.get("encoding")
    res = LoadResult()
    seen: list[str] = []
    for a in _archives(src, enc):
        acct = _load_archive(a, res, src, enc)
        if acct:
            seen.append(acct)
    errors: list[tuple[Member, str]] = []
    csvs = _csv_members(src, enc, errors)
    for m, problem in errors:  # reported; the rest still loads
        res.unreadable(m.display, FORMAT, problem)
    if csvs:
        account_id, note = _csv_account(src, opts.get("handle"), seen, enc)
        for kind, m, text in csvs:
            if kind == "following_accounts":
                rep = _load_following(m, text, account_id, res)
            else:
                rep = _load_side_csv(m, text, kind, res)
            if note:
                rep.notes.append(note)
    res.check_yield(src.path, "Mastodon export")
    return res


def _account_of(actor: dict, where: str) -> tuple[str, str, str]:
    """(account_id, handle, host) from an actor object (``preferredUsername`` + host of ``id``)."""
    user = actor.get("preferredUsername")
    uri = actor.get("id")
    host = (urlsplit(uri).hostname or "").lower() if isinstance(uri, str) else ""
    if not isinstance(user, str) or not user or not host:
        raise InputError(where, "actor.json has no preferredUsername or no id URL")
    handle = f"{user}@{host}"
    return f"{PLATFORM}:{handle.lower()}", handle, host


def _snapshot(src: Source, name: str) -> date | None:
    m = _ARCHIVE_NAME.search(f"{src.path.name}/{name}")
    if not m:
        return None
    d = m.group(1)
    try:
        return date(int(d[:4]), int(d[4:6]), int(d[6:]))
    except ValueError:
        return None


def _read_json(m: Member, res: LoadResult, enc: str | None) -> Any | None:
    """Parsed JSON of ``m``, or None after registering it as unreadable (reported with the
    reason; the rest of the archive still loads)."""
    try:
        return _parse_json(m, enc)
    except InputError as e:
        res.unreadable(m.display, FORMAT, e.problem)
        return None


def _outbox_actor(obj: Any) -> str | None:
    """The actor URI the outbox's activities name (for an archive whose actor.json is not
    readable)."""
    items = obj.get("orderedItems") if isinstance(obj, dict) else None
    for it in items if isinstance(items, list) else []:
        if isinstance(it, dict) and acct_from_uri(it.get("actor")):
            return it["actor"]
    return None


def _load_archive(a: _Archive, res: LoadResult, src: Source, enc: str | None) -> str | None:
    """Load one archive; return its account_id (None when no account could be found)."""
    outbox = a.sibling("outbox.json")
    outbox_obj = _read_json(outbox, res, enc) if outbox is not None else None
    actor = a.actor_obj
    rep = None
    try:
        if actor is None:
            _parse_json(a.actor, enc)  # raises for truncated JSON
            raise InputError(  # no value from the file is quoted (error messages never do)
                a.actor.display, "not an ActivityPub actor (no Person-like object with an outbox)"
            )
        account_id, handle, host = _account_of(actor, a.actor.display)
    except InputError as e:
        res.unreadable(a.actor.display, FORMAT, e.problem)
        actor = None
        uri = _outbox_actor(outbox_obj)
        if uri is None:
            if outbox is not None and outbox_obj is not None:  # no account to give it to
                items = outbox_obj.get("orderedItems") if isinstance(outbox_obj, dict) else None
                orep = res.file(
                    outbox.display, FORMAT, len(items) if isinstance(items, list) else 0
                )
                for i in range(1, orep.rows_read + 1):
                    orep.reject(i, "the account is unknown (actor.json not read)")
            return None
        acct = acct_from_uri(uri) or ""
        account_id, handle, host = f"{PLATFORM}:{acct}", acct, acct.rpartition("@")[2]
        actor = {"id": uri, "followers": f"{uri}/followers"}
    me = account_id.removeprefix(f"{PLATFORM}:")
    actor_uri = actor.get("id")
    followers = actor.get("followers") if isinstance(actor.get("followers"), str) else None
    if a.actor_obj is not None:
        rep = res.file(a.actor.display, FORMAT, 1)
        rep.notes.append(FOLLOWERS_NOTE)

    posts_count = None
    if outbox is not None and outbox_obj is not None:
        posts_count = _load_outbox(
            outbox, outbox_obj, res, account_id, me, host, actor_uri, followers
        )
        if rep is None:
            res.files[-1].notes.append(
                f"account {account_id} taken from the outbox's actor (actor.json not read)"
            )
    elif outbox is None and rep is not None:
        rep.notes.append("no outbox.json next to actor.json: no posts loaded")
    if rep is not None:
        name = actor.get("name")
        res.add(
            "accounts",
            pl.DataFrame(
                {
                    "account_id": [account_id],
                    "platform": [PLATFORM],
                    "handle": [handle],
                    "display_name": [name if isinstance(name, str) else None],
                    "snapshot_date": [_snapshot(src, a.actor.name)],
                    "followers": [None],
                    "following": [None],
                    "posts_count": [posts_count],
                    "_file": [a.actor.display],
                    "_line": [1],
                },
                schema_overrides={
                    "snapshot_date": pl.Date,
                    "followers": pl.Int64,
                    "following": pl.Int64,
                    "posts_count": pl.Int64,
                    "display_name": pl.String,
                    "_line": pl.Int64,
                },
            ),  # fmt: skip
        )
    for fname, reason in (("likes.json", LIKE_REASON), ("bookmarks.json", BOOKMARK_REASON)):
        m = a.sibling(fname)
        if m is not None:
            _load_uri_list(m, reason, res, enc, account_id)
    return account_id


def _load_uri_list(
    m: Member, reason: str, res: LoadResult, enc: str | None, account_id: str
) -> None:
    """likes.json: every like set aside (valid, but without a time an interaction needs);
    bookmarks.json: every item rejected (private, not an interaction)."""
    obj = _read_json(m, res, enc)
    if obj is None:
        return
    items = obj.get("orderedItems") if isinstance(obj, dict) else None
    if not isinstance(items, list):
        res.unreadable(m.display, FORMAT, "no orderedItems list (expected an OrderedCollection)")
        return
    rep = res.file(m.display, FORMAT, len(items))
    if reason == LIKE_REASON:
        rep.set_aside(len(items), reason, "likes given", account_id)
        return
    for i in range(1, len(items) + 1):
        rep.reject(i, reason)


def _mention_acct(tag: dict, host: str) -> str | None:
    name = tag.get("name")
    href = tag.get("href")
    if isinstance(name, str) and name.strip("@ "):
        n = name.strip().lstrip("@")
        if "@" in n:
            return n.lower()
        h = (urlsplit(href).hostname or "").lower() if isinstance(href, str) else ""
        return f"{n}@{h or host}".lower()
    return acct_from_uri(href)


def _load_outbox(
    m: Member,
    obj: Any,
    res: LoadResult,
    account_id: str,
    me: str,
    host: str,
    actor_uri: str | None,
    followers: str | None,
) -> int | None:
    """Load ``outbox.json`` (parsed: ``obj``); return its ``totalItems`` (the account's
    statuses count)."""
    items = obj.get("orderedItems") if isinstance(obj, dict) else None
    if not isinstance(items, list):
        res.unreadable(m.display, FORMAT, "no orderedItems list (expected an OrderedCollection)")
        return None
    rep = res.file(m.display, FORMAT, len(items))
    # what the outbox shows: your replies, mentions, boosts and the DMs you sent
    rep.carries(PLATFORM, "outbound", "messages_out", account_id=account_id)
    total = obj.get("totalItems")
    total = total if isinstance(total, int) and not isinstance(total, bool) else None
    if total is not None and total != len(items):
        rep.notes.append(
            f"totalItems {total} is the account's statuses count; the archive holds "
            f"{len(items)} item(s) (posts_count uses totalItems)"
        )
    own = {me}
    if actor_uri:
        own.add(actor_uri)
    posts: list[dict] = []
    inter: list[dict] = []
    stamps: list[tuple[int, str | None]] = []
    for line, it in enumerate(items, 1):
        why = _outbox_item(it, line, me, host, own, followers, posts, inter, stamps)
        if why:
            rep.reject(line, why)
    _add_outbox_rows(m, rep, res, account_id, posts, inter, stamps)
    return total


def _outbox_item(
    it: object,
    line: int,
    me: str,
    host: str,
    own: set[str],
    followers: str | None,
    posts: list[dict],
    inter: list[dict],
    stamps: list[tuple[int, str | None]],
) -> str | None:
    """Turn one outbox item into candidate rows; return a reject reason or None."""
    if not isinstance(it, dict):
        return "not an activity object"
    kind = it.get("type")
    if kind == "Create":
        obj = it.get("object")
        if not isinstance(obj, dict):
            return "Create without an embedded object"
        otype = obj.get("type")
        if not isinstance(otype, str) or otype not in POST_TYPES:
            return f"unsupported object type {otype!r}"
        sid = obj.get("id") if isinstance(obj.get("id"), str) else None
        if not sid:
            return "missing status id"
        raw = it.get("published") or obj.get("published")
        to = _as_list(obj.get("to", it.get("to")))
        cc = _as_list(obj.get("cc", it.get("cc")))
        vis = visibility(to, cc, followers)
        contacts: dict[str, str] = {}  # contact_id -> kind, in order
        hrefs: set[str] = set()
        mentions = []
        tags = obj.get("tag")  # a list, or one tag object (ActivityStreams allows both)
        for tag in [tags] if isinstance(tags, dict) else tags if isinstance(tags, list) else []:
            if isinstance(tag, dict) and tag.get("type") == "Mention":
                acct = _mention_acct(tag, host)
                if isinstance(tag.get("href"), str):
                    hrefs.add(tag["href"])
                if acct:
                    mentions.append(acct)
        if vis == "direct":
            addressed = [
                acct_from_uri(u)
                for u in [*to, *cc]
                if u not in hrefs and u not in own and u not in PUBLIC
            ]
            for acct in [*mentions, *addressed]:
                if acct and acct != me:
                    contacts.setdefault(acct, "dm")
            if not contacts:
                return "direct message with no derivable recipient"
        else:
            reply_to = obj.get("inReplyTo")
            if isinstance(reply_to, dict):
                reply_to = reply_to.get("id")
            target = acct_from_uri(reply_to)
            if target and target != me:
                contacts[target] = "reply"
            for acct in mentions:
                if acct != me:
                    contacts.setdefault(acct, "mention")
            content = obj.get("content")
            if content is None and isinstance(obj.get("contentMap"), dict):
                content = next(iter(obj["contentMap"].values()), None)
            text = html_to_text(content) if isinstance(content, str) else None
            posts.append({"post_id": sid, "text": text, "is_repost": False, "_line": line})
        for acct, k in contacts.items():
            inter.append({"contact_id": acct, "kind": k, "post_id": sid, "_line": line})
        stamps.append((line, raw if isinstance(raw, str) else None))
        return None
    if kind == "Announce":
        aid = it.get("id") if isinstance(it.get("id"), str) else None
        if not aid:
            return "missing status id"
        sid = aid.removesuffix("/activity")
        obj = it.get("object")
        if isinstance(obj, dict):  # a boost of one's own followers-only post embeds the Note
            target, author_uris = obj.get("id"), _as_list(obj.get("attributedTo"))
        elif isinstance(obj, str):
            target, author_uris = obj, []
        else:
            return "Announce without an object"
        candidates = [
            u
            for u in [*author_uris, *_as_list(it.get("cc")), *_as_list(it.get("to"))]
            if u not in PUBLIC and u not in own and u != followers and not u.endswith("/followers")
        ]
        author = next((a for a in map(acct_from_uri, candidates) if a), None) or acct_from_uri(
            target
        )
        posts.append({"post_id": sid, "text": None, "is_repost": True, "_line": line})
        if author and author != me and not (set(author_uris) & own):
            inter.append({"contact_id": author, "kind": "share", "post_id": sid, "_line": line})
        raw = it.get("published")
        stamps.append((line, raw if isinstance(raw, str) else None))
        return None
    return f"unsupported activity type {kind!r}"


def _add_outbox_rows(
    m: Member,
    rep: FileReport,
    res: LoadResult,
    account_id: str,
    posts: list[dict],
    inter: list[dict],
    stamps: list[tuple[int, str | None]],
) -> None:
    if not stamps:
        return
    ts = pl.DataFrame(
        {"_line": [s[0] for s in stamps], "_raw": [s[1] for s in stamps]},
        schema={"_line": pl.Int64, "_raw": pl.String},
    ).with_columns(
        ts=pl.col("_raw").str.strptime(pl.Datetime("us", "UTC"), TS_FORMAT, strict=False)
    )
    for line, raw in ts.filter(pl.col("ts").is_null()).select("_line", "_raw").iter_rows():
        rep.reject(
            line,
            f"unparsable published timestamp {raw!r}" if raw else "missing published timestamp",
        )
    good = ts.filter(pl.col("ts").is_not_null()).select("_line", "ts")
    consts = [
        pl.lit(account_id).alias("account_id"),
        pl.lit(PLATFORM).alias("platform"),
        pl.lit(m.display).alias("_file"),
    ]
    if posts:
        p = pl.DataFrame(
            posts,
            schema={
                "post_id": pl.String,
                "text": pl.String,
                "is_repost": pl.Boolean,
                "_line": pl.Int64,
            },
        )
        res.add("posts", p.join(good, on="_line", how="inner").with_columns(consts))
    if inter:
        i = pl.DataFrame(
            inter,
            schema={
                "contact_id": pl.String,
                "kind": pl.String,
                "post_id": pl.String,
                "_line": pl.Int64,
            },
        )
        res.add(
            "interactions",
            i.join(good, on="_line", how="inner").with_columns(
                *consts, pl.lit("out").alias("direction")
            ),
        )


# --------------------------------------------------------------------------------------
# CSV exports
# --------------------------------------------------------------------------------------
def _actor_accounts(src: Source) -> dict[str, str]:
    """account_id -> display path of each archive actor.json in ``src`` (unparsable skipped)."""
    out = {}
    for a in _archives(src):
        if a.actor_obj is not None:
            try:
                out[_account_of(a.actor_obj, a.actor.display)[0]] = a.actor.display
            except InputError:
                continue
    return out


def _csv_account(
    src: Source, handle: object, seen: list[str], enc: str | None
) -> tuple[str, str | None]:
    """The own account of CSV exports (rule in the module docstring) and a note or None."""
    if isinstance(handle, str) and handle.strip():
        return _normalize_handle(handle), None
    if len(set(seen)) == 1:
        return seen[0], None
    if not seen and src.kind == "dir":
        found: dict[str, str] = {}
        for root, _dirs, files in os.walk(src.path):
            for f in sorted(files):
                if not f.lower().endswith(ARCHIVE_SUFFIXES):
                    continue
                try:
                    found.update(_actor_accounts(Source.open(Path(root) / f)))
                except InputError:
                    continue
        if len(found) == 1:
            ((acc, where),) = found.items()
            return acc, f"account {acc} taken from {where} (the archive in the same folder)"
        seen = sorted(found)
    why = (
        f"several Mastodon accounts in this source ({', '.join(sorted(set(seen)))})"
        if len(set(seen)) > 1
        else "no actor.json in this source"
    )
    return FALLBACK_ACCOUNT, (
        f"{why}: account_id set to '{FALLBACK_ACCOUNT}' (load it together with the archive, "
        "or pass handle='user@domain')"
    )


def _read_maybe_header(text: str) -> tuple[pl.DataFrame, str]:
    """Parse a Mastodon account CSV of any era: header row if its first cell is
    ``Account address``, else headerless. Returns the frame and the address column."""
    row = header_of(text)
    df = read_csv_text(text, header=bool(row) and row[0].lower() == "account address")
    return df, next(c for c in df.columns if c != "_line")


def _load_following(m: Member, text: str, account_id: str, res: LoadResult) -> FileReport:
    """``following_accounts.csv`` -> connections (i_follow true, follows_me unknown)."""
    df, col = _read_maybe_header(text) if text.strip() else (pl.DataFrame(), "")
    rep = res.file(m.display, FORMAT, df.height)
    rep.carries(PLATFORM, "following", account_id=account_id)
    if df.height == 0:
        return rep
    addr = pl.col(col).str.strip_chars()
    df = df.select(addr.alias("handle"), "_line").with_columns(
        ok=pl.col("handle").str.contains(_ADDRESS.pattern).fill_null(False)
    )
    for line, value in df.filter(~pl.col("ok")).select("_line", "handle").iter_rows():
        rep.reject(
            line, f"not a user@domain address: {value!r}" if value else "empty account address"
        )
    good = df.filter(pl.col("ok")).select(
        pl.lit(account_id).alias("account_id"),
        pl.lit(PLATFORM).alias("platform"),
        handle_key("handle").alias("contact_id"),
        display_handle("handle").alias("handle"),
        pl.lit(None, pl.Boolean).alias("follows_me"),
        pl.lit(True).alias("i_follow"),
        pl.lit(m.display).alias("_file"),
        "_line",
    )
    res.add("connections", good)
    return rep


def _load_side_csv(m: Member, text: str, kind: str, res: LoadResult) -> FileReport:
    """A Mastodon CSV with no canonical counterpart: every row read and rejected."""
    if kind == "muted_accounts":
        df, _ = _read_maybe_header(text)
    else:
        df = read_csv_text(text, header=False)
    rep = res.file(m.display, FORMAT, df.height)
    reason = SIDE_CSVS[kind]
    for line in df["_line"].to_list():
        rep.reject(line, reason)
    return rep
