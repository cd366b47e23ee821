"""Threads, as exported inside Instagram's "Download your information" (JSON) and by Threads'
own "Download your information": the files under ``your_instagram_activity/threads/``.

Files are found by content wherever they sit: a ``.json`` whose top-level key is one of
Threads' ``text_post_app_…`` keys (``FILE_KEYS``). Meta writes these files with the same
mojibake as Instagram's (UTF-8 bytes as ``\\u00XX`` escapes), repaired with
``meta_common.read_meta_json``. The Instagram loader (``warmcall.ingest.loaders.meta``) leaves the
``threads`` folder to this module. Platform ``threads``; contact_id = the lower-case
username (Threads usernames are the Instagram ones).

What each record becomes (one record = one list item; ``_line`` = its position):

- ``threads_and_replies.json`` (``text_post_app_text_posts``): a post or reply you wrote ->
  a ``posts`` row: ``ts`` = ``creation_timestamp`` (Unix seconds), ``text`` = ``title``
  (the item's, else its first media's), ``post_id`` = ``threads-<seconds>`` (``-2``, ``-3``
  … for later items of the same second: the export has no post ids). Each ``@username`` in
  the text -> ``mention`` out (not oneself). The export does not say whom a reply answers
  (``text_app_post.is_reply``), so a reply is a post without a ``reply`` interaction.
- ``followers_N.json`` / ``followers.json`` (``text_post_app_text_post_app_followers``) and
  ``following.json`` (``…_following``): Instagram-shaped entries -> connections with
  ``follows_me`` / ``i_follow`` true and ``connected_at`` = ``timestamp``; the other flag is
  false when the export has the other list, else unknown. Username: ``value``, then the
  last part of ``href`` (without ``@``), then ``title`` when it is a username; a ``title``
  that is not the username is the ``display_name``.
- ``liked_threads.json`` (``text_post_app_media_likes``) -> ``like`` out to the author in
  the ``href`` (``threads.net/@<user>/post/<code>``, else a ``title`` that is a username),
  ``post_id`` = the post code. A like whose author is not in the export is set aside
  ("likes given"); a like of one's own post is set aside.
- ``recently_unfollowed_profiles.json`` (``…_unfollowed_users``): each entry is set aside
  ("accounts you unfollowed"): not a current connection; its username and time are listed
  (``FileReport.list_aside``) for the reports' who-came-and-who-left section.
- ``personal_information.json`` (``text_post_app_text_post_app_profile``): the ``accounts``
  row (``Username``, ``Name``); ``followers`` / ``following`` = distinct usernames in the
  lists when the export has them (else null).

Missing or unparsable timestamps reject a record (posts and likes need a time; a follow
entry without one loads with ``connected_at`` unknown). Own account ``threads:<username>``:
from the Threads profile, else Instagram's ``personal_information.json``, else the archive
name ``instagram-<username>-<date>…``, else ``threads:me`` with a note.

Signals (per file, for the account): followers and following from their lists; outbound
when the posts or likes produced an interaction with someone (the export names no one
else, so no inbound).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlparse

import polars as pl

from warmcall.core.errors import InputError
from warmcall.ingest.loaders.base import UNFOLLOWED_ACTIVITY, FileReport, LoadResult
from warmcall.ingest.loaders.meta_common import (
    BadTimestamp,
    archive_username,
    epoch_us,
    first_sld,
    is_ig_username,
    read_meta_json,
    string_map,
)
from warmcall.ingest.sources import Member, Source

FORMAT = "threads"
PLATFORM = "threads"
FALLBACK_ACCOUNT = "threads:me"
#: top-level key -> kind of file
FILE_KEYS = {
    "text_post_app_text_posts": "posts",
    "text_post_app_text_post_app_followers": "followers",
    "text_post_app_text_post_app_following": "following",
    "text_post_app_media_likes": "likes",
    "text_post_app_text_post_app_unfollowed_users": "unfollowed",
    "text_post_app_text_post_app_profile": "profile",
}
SNIFF_BYTES = 4096
LIKE_REASON = "like given; its author is not in the export"
OWN_LIKE_REASON = "like of your own post: no other person"
UNFOLLOWED_REASON = "account you unfollowed: not a current connection"
_USER_KEYS = ("Username", "Gebruikersnaam", "Brugernavn", "Benutzername")
_NAME_KEYS = ("Name", "Naam", "Navn")
# @username not inside a word or an e-mail address; Instagram usernames are letters,
# digits, periods and underscores, at most 30 (a trailing period ends a sentence)
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9._]{1,30})")
_POST_HREF = re.compile(r"threads\.(?:net|com)/@([A-Za-z0-9._]{1,30})/post/([A-Za-z0-9_-]+)")
_TS = pl.Datetime("us", "UTC")


@dataclass
class _File:
    member: Member
    kind: str
    items: list


def mentions(text: str | None) -> list[str]:
    """Lower-case usernames mentioned as ``@name`` in ``text`` (in order, each once)."""
    out: list[str] = []
    for m in _MENTION.finditer(text or ""):
        u = m.group(1).rstrip(".").lower()
        if u and u not in out:
            out.append(u)
    return out


def _kind_of(data: Any) -> tuple[str, list] | None:
    if not isinstance(data, dict):
        return None
    for key, kind in FILE_KEYS.items():
        if key in data:
            return kind, data[key]
    return None


def _sniff(m: Member) -> bool:
    try:
        head = m.head_text(SNIFF_BYTES)
    except InputError:
        return False
    return any(f'"{k}"' in head for k in FILE_KEYS)


def detect(src: Source) -> bool:
    """True if ``src`` holds a Threads file: a ``.json`` whose top-level key is one of
    ``FILE_KEYS`` (seen in its first bytes)."""
    return any(_sniff(m) for m in src.find("*.json"))


def _files(src: Source, enc: str | None) -> list[_File]:
    out = []
    for m in src.find("*.json"):
        if not _sniff(m):
            continue
        got = _kind_of(read_meta_json(m, enc))
        if got is None:
            continue
        kind, items = got
        if not isinstance(items, list):
            raise InputError(
                m.display, f"the {kind} list is not a list (not a Threads export file)"
            )
        out.append(_File(m, kind, items))
    return out


def _profile(items: list) -> tuple[str | None, str | None]:
    for it in items:
        if isinstance(it, dict):
            smd = string_map(it)
            vals = [
                next((smd[k].get("value") for k in keys if isinstance(smd.get(k, {}).get("value"), str)), None)
                for keys in (_USER_KEYS, _NAME_KEYS)
            ]  # fmt: skip
            user, name = (v.strip() if v and v.strip() else None for v in vals)
            return (user.lower() if user and is_ig_username(user) else None), name
    return None, None


def _instagram_username(src: Source, enc: str | None) -> str | None:
    """The username in Instagram's own ``personal_information.json`` (``profile_user``)."""
    for m in src.find("personal_information.json"):
        try:
            data = read_meta_json(m, enc)
        except InputError:
            continue
        users = data.get("profile_user") if isinstance(data, dict) else None
        user, _ = _profile(users if isinstance(users, list) else [users])
        if user:
            return user
    return None


def _account(
    src: Source, files: list[_File], enc: str | None
) -> tuple[str, str | None, str | None]:
    """(account_id, display name, note or None)."""
    for f in files:
        if f.kind == "profile":
            user, name = _profile(f.items)
            if user:
                return f"{PLATFORM}:{user}", name, None
    user = _instagram_username(src, enc)
    if user:
        return f"{PLATFORM}:{user}", None, None
    names = [src.path.name] + sorted(
        {m.name.split("/", 1)[0] for m in src.members() if "/" in m.name}
    )
    user = archive_username(names, "instagram")
    if user:
        return f"{PLATFORM}:{user}", None, f"account threads:{user} taken from the archive name"
    return (
        FALLBACK_ACCOUNT,
        None,
        (f"no profile or archive name gives the username: account_id set to '{FALLBACK_ACCOUNT}'"),
    )


def load(src: Source, **opts: Any) -> LoadResult:
    """Load every Threads file in ``src`` (rules in the module docstring). Option:
    ``encoding`` of the JSON files."""
    enc = opts.get("encoding") if isinstance(opts.get("encoding"), str) else None
    res = LoadResult()
    files = _files(src, enc)
    if not files:
        return res
    acct, name, note = _account(src, files, enc)
    me = acct.removeprefix(f"{PLATFORM}:")
    kinds = {f.kind for f in files}
    users: dict[str, set[str]] = {"followers": set(), "following": set()}
    profile: _File | None = None
    for f in sorted(files, key=lambda f: f.member.name):
        rep = res.file(f.member.display, FORMAT, 1 if f.kind == "profile" else len(f.items))
        if note:
            rep.notes.append(note)
            note = None
        if f.kind in ("followers", "following"):
            _load_follows(f, rep, res, acct, "following" in kinds, "followers" in kinds, users)
        elif f.kind == "posts":
            _load_posts(f, rep, res, acct, me)
        elif f.kind == "likes":
            _load_likes(f, rep, res, acct, me)
        elif f.kind == "unfollowed":
            rep.set_aside(len(f.items), UNFOLLOWED_REASON, activity=UNFOLLOWED_ACTIVITY,
                          account_id=acct)  # fmt: skip
            _list_unfollowed(f, rep, acct)
        elif profile is None:
            profile = f
        else:
            rep.reject(1, "a second Threads profile file in the same export")
    if profile is not None:
        res.add("accounts", [{
            "account_id": acct, "platform": PLATFORM, "handle": None if acct == FALLBACK_ACCOUNT else me,
            "display_name": name,
            "followers": len(users["followers"]) if "followers" in kinds else None,
            "following": len(users["following"]) if "following" in kinds else None,
            "_file": profile.member.display, "_line": 1,
        }])  # fmt: skip
    return res


def _list_unfollowed(f: _File, rep: FileReport, acct: str) -> None:
    """Name each account of the export's own unfollowed list (``FileReport.list_aside``):
    the username as for a follow entry, the ``timestamp`` when it is readable (else
    unknown). Entries without a username stay counted, unnamed."""
    for e in f.items:
        if not isinstance(e, dict):
            continue
        user, _ = _username(e)
        if not user or not is_ig_username(user):
            continue
        try:
            us = epoch_us(first_sld(e).get("timestamp"))
        except BadTimestamp:
            us = None
        rep.list_aside(UNFOLLOWED_ACTIVITY, acct, PLATFORM, user.lower(), us)


def _seconds(rep: FileReport, line: int, value: Any, required: bool) -> tuple[bool, int | None]:
    try:
        us = epoch_us(value)
    except BadTimestamp:
        rep.reject(line, f"unparsable timestamp {str(value)[:40]!r}")
        return False, None
    if us is None and required:
        rep.reject(line, "missing timestamp")
        return False, None
    return True, us


def _username(entry: dict) -> tuple[str | None, str | None]:
    """(username, display name) of a followers/following entry (module docstring)."""
    sld = first_sld(entry)
    v = sld.get("value")
    title = entry.get("title") if isinstance(entry.get("title"), str) else ""
    user = v.strip() if isinstance(v, str) and v.strip() else None
    if user is None and isinstance(sld.get("href"), str):
        parts = [p for p in urlparse(sld["href"]).path.split("/") if p and p != "_u"]
        user = parts[-1].lstrip("@") if parts else None
    if not user and is_ig_username(title.strip()):
        user = title.strip()
    name = (
        title.strip() if title.strip() and title.strip().lower() != (user or "").lower() else None
    )
    return user, name


def _consts(f: _File, acct: str) -> list[pl.Expr]:
    return [pl.lit(acct).alias("account_id"), pl.lit(PLATFORM).alias("platform"),
            pl.lit(f.member.display).alias("_file")]  # fmt: skip


def _load_follows(
    f: _File, rep: FileReport, res: LoadResult, acct: str, has_following: bool,
    has_followers: bool, users: dict[str, set[str]],
) -> None:  # fmt: skip
    rows = []
    for line, e in enumerate(f.items, 1):
        if not isinstance(e, dict):
            rep.reject(line, "entry is not an object")
            continue
        user, name = _username(e)
        if not user or not is_ig_username(user):
            rep.reject(line, "no username in the entry")
            continue
        ok, us = _seconds(rep, line, first_sld(e).get("timestamp"), required=False)
        if not ok:
            continue
        users[f.kind].add(user.lower())
        rows.append((user.lower(), user, name, us, line))
    df = pl.DataFrame(rows, schema={"contact_id": pl.String, "handle": pl.String,
                                    "display_name": pl.String, "connected_at": pl.Int64,
                                    "_line": pl.Int64}, orient="row")  # fmt: skip
    if f.kind == "following":
        flags = [pl.lit(True).alias("i_follow"),
                 pl.lit(False if has_followers else None, pl.Boolean).alias("follows_me")]  # fmt: skip
    else:
        flags = [pl.lit(True).alias("follows_me"),
                 pl.lit(False if has_following else None, pl.Boolean).alias("i_follow")]  # fmt: skip
    if df.height:
        res.add("connections", df.with_columns(
            pl.col("connected_at").cast(_TS), *flags, *_consts(f, acct)))  # fmt: skip
    rep.carries(PLATFORM, f.kind, account_id=acct)


def _load_posts(f: _File, rep: FileReport, res: LoadResult, acct: str, me: str) -> None:
    posts, inter = [], []
    seen: dict[int, int] = {}
    for line, it in enumerate(f.items, 1):
        if not isinstance(it, dict):
            rep.reject(line, "post is not an object")
            continue
        media = it.get("media") if isinstance(it.get("media"), list) else []
        first = media[0] if media and isinstance(media[0], dict) else {}
        raw = it.get("creation_timestamp", first.get("creation_timestamp"))
        ok, us = _seconds(rep, line, raw, required=True)
        if not ok or us is None:
            continue
        text = next(
            (x for x in (it.get("title"), first.get("title")) if isinstance(x, str) and x), None
        )
        sec = us // 1_000_000
        seen[sec] = seen.get(sec, 0) + 1
        pid = f"threads-{sec}" + (f"-{seen[sec]}" if seen[sec] > 1 else "")
        posts.append((pid, us, text, line))
        for who in mentions(text):
            if who != me:
                inter.append((who, us, pid, line))
    p = pl.DataFrame(posts, schema={"post_id": pl.String, "ts": pl.Int64, "text": pl.String,
                                    "_line": pl.Int64}, orient="row")  # fmt: skip
    if p.height:
        res.add("posts", p.with_columns(pl.col("ts").cast(_TS), pl.lit(False).alias("is_repost"),
                                        *_consts(f, acct)))  # fmt: skip
    _add_out(f, rep, res, acct, inter, "mention")


def _add_out(f: _File, rep: FileReport, res: LoadResult, acct: str, rows: list, kind: str) -> None:
    i = pl.DataFrame(rows, schema={"contact_id": pl.String, "ts": pl.Int64, "post_id": pl.String,
                                   "_line": pl.Int64}, orient="row")  # fmt: skip
    if i.height:
        res.add("interactions", i.with_columns(
            pl.col("ts").cast(_TS), pl.lit(kind).alias("kind"), pl.lit("out").alias("direction"),
            *_consts(f, acct)))  # fmt: skip
        rep.carries(PLATFORM, "outbound", account_id=acct)


def _load_likes(f: _File, rep: FileReport, res: LoadResult, acct: str, me: str) -> None:
    rows = []
    for line, e in enumerate(f.items, 1):
        if not isinstance(e, dict):
            rep.reject(line, "like is not an object")
            continue
        sld = first_sld(e)
        ok, us = _seconds(rep, line, sld.get("timestamp"), required=True)
        if not ok or us is None:
            continue
        href = sld.get("href") if isinstance(sld.get("href"), str) else ""
        mt = _POST_HREF.search(href)
        title = e.get("title") if isinstance(e.get("title"), str) else ""
        owner = mt.group(1) if mt else (title.strip() if is_ig_username(title.strip()) else None)
        if owner is None:
            rep.set_aside(1, LIKE_REASON, activity="likes given", account_id=acct)
        elif owner.lower() == me:
            rep.set_aside(1, OWN_LIKE_REASON, account_id=acct)
        else:
            code = mt.group(2) if mt else (PurePosixPath(urlparse(href).path).name or None)
            rows.append((owner.lower(), us, code, line))
    _add_out(f, rep, res, acct, rows, "like")
