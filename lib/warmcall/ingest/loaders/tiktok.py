"""TikTok "Download your data" in JSON: ``user_data_tiktok.json`` (older ``user_data.json``).

One JSON object of sections. Its layout moved over the years, so every list is looked up
under each known path (``SECTIONS``): the older ``Activity`` tree, the 2025 ``Your Activity``
tree (and ``Profile And Settings``), and the 2026 ``Likes and Favorites`` section. Each
section found is reported as a file of its own, ``<file>#<path in the JSON>`` (its records
numbered 1, 2, … in ``_line``). Dates are ``YYYY-MM-DD HH:MM:SS`` without a zone and are
taken as UTC. Platform ``tiktok``; contact_id = the lower-case username.

- Followers (``Follower List``/``Follower`` → ``FansList``) and following (``Following
  List``/``Following`` → ``Following``), items ``{Date, UserName}`` -> connections with
  ``follows_me`` / ``i_follow`` true and ``connected_at`` = ``Date``; the other flag is false
  when the export has the other list, else unknown.
- Likes (``Like List`` → ``ItemFavoriteList``, items ``{Date, Link}``): ``like`` out to the
  video's author when the link names one (``tiktok.com/@<user>/video/<id>``); the usual
  share link (``tiktokv.com/share/video/<id>/``) does not, so such a like is set aside
  ("likes given": its author is not in the export).
- Comments (``Comment`` → ``Comments`` → ``CommentsList``, ``{Date, Comment, Photo, Url}``):
  ``comment`` out to the author named in ``Url``; without one, set aside ("comments given").
- Direct messages (``Direct Message(s)`` → ``Chat History``/``Direct Messages`` →
  ``ChatHistory``: ``{"Chat History with <user>:": [{Date, From, Content}]}``): one record per
  message, ``dm`` with the chat's user; ``out`` when ``From`` is the account's username, ``in``
  when it is the chat's user, rejected when it is neither (without the account's username,
  any sender other than the chat's user is taken as the account, with a note).
- Videos (``Video``/``Post`` → ``Videos``/``Posts`` → ``VideoList``, ``{Date, Link, Likes}``)
  -> ``posts`` (``post_id`` = the video id in the link, ``likes`` = ``Likes``).
- Profile (``Profile`` → ``Profile Information``/``Profile Info`` → ``ProfileMap``) -> the
  ``accounts`` row: ``handle`` = ``userName``; ``followers``/``following`` = distinct
  usernames in the lists (null without them), ``posts_count`` = videos listed.

Own account ``tiktok:<userName>``, else ``tiktok:me`` with a note. A record that is not an
object, has no username or sender, or whose date does not parse is rejected with the
reason; a section that is present but is not a list (or map, for chats) makes the file
unusable (one line naming it). Favorites, watch and search history, shares and settings
are not read.

Signals (per section): followers and following from their lists; messages both ways from
the chat history; outbound when a like or comment named its author.
"""

from __future__ import annotations

import re
from typing import Any

import polars as pl

from warmcall.core.errors import InputError
from warmcall.core.handles import display_handle_py
from warmcall.ingest.loaders.base import FileReport, LoadResult
from warmcall.ingest.loaders.meta_common import parse_json
from warmcall.ingest.sources import Member, Source

FORMAT = "tiktok"
PLATFORM = "tiktok"
FALLBACK_ACCOUNT = "tiktok:me"
NAMES = ("user_data_tiktok.json", "user_data.json", "user_data_tiktok*.json")
_ACT = ("Your Activity", "Activity")
#: section -> candidate paths (alternatives per level), in order of preference
SECTIONS: dict[str, list[tuple[tuple[str, ...], ...]]] = {
    "followers": [(_ACT, ("Follower", "Follower List"), ("FansList",)),
                  (("Profile And Settings",), ("Follower",), ("FansList",))],
    "following": [(_ACT, ("Following", "Following List"), ("Following",)),
                  (("Profile And Settings",), ("Following",), ("Following",))],
    "likes": [(("Likes and Favorites",), ("Like List",), ("ItemFavoriteList",)),
              (_ACT, ("Like List",), ("ItemFavoriteList",))],
    "comments": [(("Comment",), ("Comments",), ("CommentsList",))],
    "messages": [(("Direct Message", "Direct Messages"), ("Direct Messages", "Chat History"),
                  ("ChatHistory",))],
    "videos": [(("Post", "Video"), ("Posts", "Videos"), ("VideoList",))],
    "profile": [(("Profile",), ("Profile Info", "Profile Information"), ("ProfileMap",))],
}  # fmt: skip
TOP_KEYS = frozenset(k for paths in SECTIONS.values() for p in paths for k in p[0])
LIKE_REASON = "like given; the link does not name the video's author"
COMMENT_REASON = "comment given; the export does not name the video's author"
_AUTHOR = re.compile(r"tiktok\.com/@([A-Za-z0-9._]{1,30})(?:/|$)")
_VIDEO_ID = re.compile(r"/(?:video|v)/(\d{5,25})")
_CHAT = re.compile(r"^\s*chat history with\s+(.+?)\s*:?\s*$", re.I)


def _get(d: dict, *keys: str) -> Any:
    """The first of ``keys`` present in ``d`` (also in lower-case first letter)."""
    for k in keys:
        for kk in (k, k[:1].lower() + k[1:]):
            if kk in d:
                return d[kk]
    return None


def _find(data: dict, section: str) -> tuple[str, Any] | None:
    """(path label, value) of ``section`` in the export, or None."""
    for path in SECTIONS[section]:
        node: Any = data
        label = []
        for alts in path:
            if not isinstance(node, dict):
                node = None
                break
            hit = next((a for a in alts if a in node), None)
            if hit is None:
                node = None
                break
            label.append(hit)
            node = node[hit]
        if node is not None:
            return " > ".join(label), node
    return None


def _is_export(data: Any) -> bool:
    return isinstance(data, dict) and any(k in data for k in TOP_KEYS)


def _members(src: Source) -> list[Member]:
    seen = set()
    out = []
    for m in src.find(*NAMES):
        if m.name not in seen:
            seen.add(m.name)
            out.append(m)
    return out


def detect(src: Source) -> bool:
    """True if ``src`` holds ``user_data_tiktok.json``/``user_data.json`` whose top level has
    a TikTok section (``Activity``, ``Your Activity``, ``Profile``, ``Likes and Favorites``,
    ``Comment``, ``Direct Message(s)``, ``Video``/``Post``)."""
    for m in _members(src):
        try:
            head = m.head_text(1 << 16)
        except InputError:
            continue
        if any(f'"{k}"' in head for k in TOP_KEYS):
            return True
    return False


def _user(v: Any) -> str | None:
    if not isinstance(v, str):
        return None
    u = display_handle_py(v)
    return u if u and not any(c.isspace() for c in u) and len(u) <= 64 else None


def _date(v: Any) -> str | None:
    return v.strip() if isinstance(v, str) and v.strip() and v.strip() != "N/A" else None


def load(src: Source, **opts: Any) -> LoadResult:
    """Load every TikTok JSON export in ``src`` (rules in the module docstring). Option:
    ``encoding`` of the JSON file."""
    enc = opts.get("encoding") if isinstance(opts.get("encoding"), str) else None
    res = LoadResult()
    for m in _members(src):
        data = parse_json(m, m.read_text(enc))
        if _is_export(data):
            _load_export(m, data, res)
    return res


class _Ctx:
    """One export being loaded: its member, account and the frames' constant columns."""

    def __init__(self, m: Member, acct: str, me: str | None, res: LoadResult) -> None:
        self.m, self.acct, self.me, self.res = m, acct, me, res

    def report(self, label: str, n: int) -> FileReport:
        return self.res.file(f"{self.m.display}#{label}", FORMAT, n)

    def add(self, table: str, rep: FileReport, rows: list[dict], schema: dict) -> None:
        df = pl.DataFrame(rows, schema={**schema, "_line": pl.Int64()})
        if df.height:
            self.res.add(table, df.with_columns(
                pl.lit(self.acct).alias("account_id"), pl.lit(PLATFORM).alias("platform"),
                pl.lit(rep.path).alias("_file")))  # fmt: skip


_S = pl.String()


def _load_export(m: Member, data: dict, res: LoadResult) -> None:
    found = {s: _find(data, s) for s in SECTIONS}
    prof = found["profile"]
    pmap = prof[1] if prof else None
    if prof and not isinstance(pmap, dict):
        raise InputError(m.display, f"'{prof[0]}' is not an object (not a TikTok export)")
    me = _user(_get(pmap, "userName", "UserName")) if pmap else None
    acct = f"{PLATFORM}:{me.lower()}" if me else FALLBACK_ACCOUNT
    me_l = me.lower() if me else None
    cx = _Ctx(m, acct, me_l, res)
    for s, hit in found.items():
        if hit is None or s == "profile":
            continue
        want = dict if s == "messages" else list
        if not isinstance(hit[1], want):
            raise InputError(
                m.display, f"'{hit[0]}' is not a {want.__name__} (not a TikTok export)"
            )
    users = {s: _load_follows(cx, found[s], s, found) for s in ("followers", "following")}
    _load_likes(cx, found["likes"])
    _load_comments(cx, found["comments"])
    _load_messages(cx, found["messages"])
    n_videos = _load_videos(cx, found["videos"])
    if prof:
        rep = cx.report(prof[0], 1)
        if not me:
            rep.notes.append(f"the profile has no userName: account_id set to '{FALLBACK_ACCOUNT}'")
        name = _get(pmap, "displayName", "nickName", "nickname")
        res.add("accounts", [{
            "account_id": acct, "platform": PLATFORM, "handle": me,
            "display_name": (name.strip() or None) if isinstance(name, str) else None,
            "followers": None if users["followers"] is None else len(users["followers"]),
            "following": None if users["following"] is None else len(users["following"]),
            "posts_count": n_videos, "_file": rep.path, "_line": 1,
        }])  # fmt: skip
    elif not me:
        first = next((r for r in res.files if r.path.startswith(f"{m.display}#")), None)
        if first is not None:
            first.notes.append(
                f"the export has no profile (userName): account_id set to '{FALLBACK_ACCOUNT}'"
            )


def _load_follows(cx: _Ctx, hit: tuple[str, Any] | None, kind: str, found: dict) -> set[str] | None:
    if hit is None:
        return None
    label, items = hit
    rep = cx.report(label, len(items))
    other = "following" if kind == "followers" else "followers"
    other_flag = False if found[other] is not None else None
    users: set[str] = set()
    rows = []
    for line, it in enumerate(items, 1):
        if not isinstance(it, dict):
            rep.reject(line, "entry is not an object")
            continue
        u = _user(_get(it, "UserName", "User Name", "Username"))
        if u is None:
            rep.reject(line, "no UserName")
            continue
        users.add(u.lower())
        mine = kind == "following"
        rows.append({"contact_id": u.lower(), "handle": u, "connected_at": _date(_get(it, "Date")),
                     "follows_me": True if not mine else other_flag,
                     "i_follow": True if mine else other_flag, "_line": line})  # fmt: skip
    cx.add("connections", rep, rows, {"contact_id": _S, "handle": _S, "connected_at": _S,
                                      "follows_me": pl.Boolean(), "i_follow": pl.Boolean()})  # fmt: skip
    rep.carries(PLATFORM, kind, account_id=cx.acct)
    return users


def _out(cx: _Ctx, rep: FileReport, rows: list[dict]) -> None:
    cx.add("interactions", rep, rows, {"contact_id": _S, "ts": _S, "kind": _S, "post_id": _S,
                                       "direction": _S})  # fmt: skip
    if rows:
        rep.carries(PLATFORM, "outbound", account_id=cx.acct)


def _video_id(link: str) -> str | None:
    mt = _VIDEO_ID.search(link)
    return mt.group(1) if mt else None


def _load_likes(cx: _Ctx, hit: tuple[str, Any] | None) -> None:
    if hit is None:
        return
    label, items = hit
    rep = cx.report(label, len(items))
    rows = []
    for line, it in enumerate(items, 1):
        if not isinstance(it, dict):
            rep.reject(line, "like is not an object")
            continue
        ts, link = _date(_get(it, "Date")), _get(it, "Link", "VideoLink")
        if ts is None:
            rep.reject(line, "like without a Date")
            continue
        link = link if isinstance(link, str) else ""
        author = _AUTHOR.search(link)
        if author is None:
            rep.set_aside(1, LIKE_REASON, activity="likes given", account_id=cx.acct)
        elif author.group(1).lower() == cx.me:
            rep.set_aside(1, "like of your own video: no other person", account_id=cx.acct)
        else:
            rows.append({"contact_id": author.group(1).lower(), "ts": ts, "kind": "like",
                         "post_id": _video_id(link) or link, "direction": "out",
                         "_line": line})  # fmt: skip
    _out(cx, rep, rows)


def _load_comments(cx: _Ctx, hit: tuple[str, Any] | None) -> None:
    if hit is None:
        return
    label, items = hit
    rep = cx.report(label, len(items))
    rows = []
    for line, it in enumerate(items, 1):
        if not isinstance(it, dict):
            rep.reject(line, "comment is not an object")
            continue
        ts = _date(_get(it, "Date"))
        if ts is None:
            rep.reject(line, "comment without a Date")
            continue
        url = _get(it, "Url", "Link", "VideoLink")
        url = url if isinstance(url, str) else ""
        author = _AUTHOR.search(url)
        if author is None or author.group(1).lower() == cx.me:
            why = COMMENT_REASON if author is None else "comment on your own video: no other person"
            act = "comments given" if author is None else None
            rep.set_aside(1, why, activity=act, account_id=cx.acct)
        else:
            rows.append({"contact_id": author.group(1).lower(), "ts": ts, "kind": "comment",
                         "post_id": _video_id(url), "direction": "out", "_line": line})  # fmt: skip
    _out(cx, rep, rows)


def _load_messages(cx: _Ctx, hit: tuple[str, Any] | None) -> None:
    if hit is None:
        return
    label, chats = hit
    msgs = [(k, x) for k, v in chats.items() for x in (v if isinstance(v, list) else [v])]
    rep = cx.report(label, len(msgs))
    rep.carries(PLATFORM, "messages_in", "messages_out", account_id=cx.acct)
    rows, guessed = [], False
    for line, (key, msg) in enumerate(msgs, 1):
        mt = _CHAT.match(key) if isinstance(key, str) else None
        who = _user(mt.group(1)) if mt else None
        if who is None:
            rep.reject(line, "the chat does not name its user ('Chat History with <user>:')")
            continue
        if not isinstance(msg, dict):
            rep.reject(line, "message is not an object")
            continue
        sender, ts = _user(_get(msg, "From")), _date(_get(msg, "Date"))
        if sender is None or ts is None:
            rep.reject(
                line,
                "message without a sender (From)" if sender is None else "message without a Date",
            )
            continue
        s, w = sender.lower(), who.lower()
        if s == w:
            direction = "in"
        elif cx.me is None or s == cx.me:
            direction, guessed = "out", guessed or cx.me is None
        else:
            rep.reject(line, "the sender is neither you nor the chat's user")
            continue
        rows.append({"contact_id": w, "ts": ts, "kind": "dm", "post_id": None,
                     "direction": direction, "_line": line})  # fmt: skip
    if guessed:
        rep.notes.append(
            "the account's username is unknown: messages not from the chat's user are taken as yours"
        )
    cx.add("interactions", rep, rows, {"contact_id": _S, "ts": _S, "kind": _S, "post_id": _S,
                                       "direction": _S})  # fmt: skip


def _load_videos(cx: _Ctx, hit: tuple[str, Any] | None) -> int | None:
    if hit is None:
        return None
    label, items = hit
    rep = cx.report(label, len(items))
    rows = []
    for line, it in enumerate(items, 1):
        if not isinstance(it, dict):
            rep.reject(line, "video is not an object")
            continue
        link = _get(it, "Link", "VideoLink")
        link = link if isinstance(link, str) else ""
        ts = _date(_get(it, "Date"))
        pid = _video_id(link) or (link.strip() or None)
        if ts is None or pid is None:
            rep.reject(line, "video without a Date" if ts is None else "video without a Link")
            continue
        likes = _get(it, "Likes")
        text = _get(it, "Title", "Desc", "Description")
        rows.append({"post_id": pid, "ts": ts,
                     "text": (text.strip() or None) if isinstance(text, str) else None,
                     "likes": None if likes is None or likes == "N/A" else str(likes),
                     "is_repost": False, "_line": line})  # fmt: skip
    cx.add("posts", rep, rows, {"post_id": _S, "ts": _S, "text": _S, "likes": _S,
                                "is_repost": pl.Boolean()})  # fmt: skip
    return len(items)
