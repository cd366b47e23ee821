"""Meta "Download your information" exports in JSON format: Instagram and Facebook
(docs/export-formats.md §5; fixtures §8 "Instagram / Facebook"). A zip as downloaded or its
folder; files are found by base name anywhere in the tree (the 2019, 2021 and 2024 trees
differ), then claimed only when their JSON has the expected shape. Every string, list item
and dict key is repaired with the mojibake fix of §5.2 (``meta_common.fix_json_text``, the
exact text-level equivalent of walking the parsed JSON with ``fix_tree``).

Files read
==========
Instagram (contact_id = lower-case username)

* ``followers.json`` / ``followers_N.json`` (bare list or ``relationships_followers``) and
  ``following.json`` (``relationships_following``; old entries with ``value``, new ones with
  ``title`` and a ``/_u/`` href) -> connections. Username: ``value``, then ``title``, then the
  last part of the ``href`` path (§5.3); ``timestamp`` (Unix seconds) -> ``connected_at``.
  A follower row says ``i_follow = False`` when the export has a following file (and vice
  versa), otherwise the other flag stays unknown (null).
* 2018 ``connections.json`` (``{"followers": {user: time}, "following": {…}}``), 2018
  ``comments.json`` (``media_comments``/``live_comments`` triples ``[time, text, owner]``) and
  2018 ``likes.json`` (``media_likes``/``comment_likes`` pairs ``[time, owner]``); their times
  are naive US/Pacific (§5.1).
* ``post_comments[_N].json`` / ``reels_comments.json`` -> interactions ``comment``/out, contact =
  media owner (``string_map_data`` keys in English, Dutch or Danish, or ``label_values`` with
  nested ``dict``; §5.5). ``liked_posts.json`` / ``liked_comments.json`` -> ``like``/out, contact
  = owner (``title``, or ``Username`` inside ``label_values``), ``post_id`` = the shortcode of
  ``/p/<code>/`` (or ``/reel/``, ``/tv/``; else the URL). No owner, or the own account as owner:
  rejected with the reason.
* ``personal_information.json`` (``profile_user``; 2020+) or 2018 ``profile.json`` -> the own
  username and name.
* ``recently_unfollowed_accounts.json`` (``relationships_unfollowed_users``, follow-entry
  shape): accounts you unfollowed, each set aside ("accounts you unfollowed", not a current
  connection) and named with its time for the reports' who-came-and-who-left section.
* ``posts_1.json`` (your posts, ``your_instagram_activity/content/``; a list of entries with
  ``media``) -> posts: ``post_id`` = the first media ``uri`` (the export has no post id),
  ``ts`` = the entry's ``creation_timestamp`` (else its first media's), ``text`` = the
  caption (``title``), no counts. An entry without media is rejected.

Facebook (contact_id = ``name:<display name>``; there are no friend ids, §5.6)

* ``your_friends.json`` / ``friends.json`` -> connections, follows_me = i_follow = True. The
  sibling files (removed, rejected, sent and received requests, followers) are not read:
  only current friends are connections.
* ``comments.json`` (``comments_v2``) -> ``comment``/out and ``likes_and_reactions_N.json`` /
  ``posts_and_comments.json`` (``reactions_v2``) -> ``like`` (reaction ``LIKE``) or
  ``reaction``/out; the counterpart is the possessive in the English ``title`` ("… commented
  on Bob Example's post."). A title naming no other person (own post, "a post", another
  language) is rejected with the reason.
* ``profile_information.json`` (``profile_v2``) -> the own username and name.

DMs, both platforms: ``message_N.json`` with ``participants`` and ``messages``, wherever it
sits (``…/messages/<inbox|archived_threads|filtered_threads|message_requests>/<folder>/``,
§5.4, §5.6). A thread is one folder; its parts ``message_1/2…`` are read alike. Each
message is one record:

* ``timestamp_ms`` (milliseconds) -> ``ts``; ``dm`` (text, share, photos, no content at all,
  "… sent an attachment."), ``call`` (``call_duration`` or "Audio call ended"-style lines).
* Reaction echoes ("Reacted ❤ to your message", "Liked a message") and group/system lines
  ("… named the group …", ``type`` Subscribe/Unsubscribe, …) are rejected with the reason.
* ``reactions[]`` on a message add ``reaction`` rows: the own reaction on the counterpart's
  message (out) or the counterpart's reaction on an own message (in), at the reaction's
  ``timestamp`` when given, else the message's.
* Direction: ``out`` when ``sender_name`` is the own display name. The own display name is
  the participant present in every thread (the thread ``title`` is the counterpart's name,
  which breaks the tie in a single two-person thread); the profile's name wins when it is
  one of those candidates, and is used alone when no thread settles it. When it is still
  unknown, a two-person thread uses its title as the counterpart.
* Counterpart: the other participant of a two-person thread. Group threads (3+
  participants): an inbound message is from its sender; an outbound one is rejected
  ("group thread: no single counterpart"), and with it (a record is loaded whole or not at
  all) the reactions others gave it.
* Instagram contact_id (one person, one contact): threads name people by display name.
  The username a thread carries is the ``<name>_<digits>`` prefix of its folder or
  ``thread_path`` (``bob_1111111111`` -> ``bob``), used only when the export knows it as a
  username (follow lists, post owners, profile data): real exports often name the folder
  after the display name. Otherwise the display name is matched to a username through the
  export's profile data (``Name`` + ``Username`` of a ``label_values`` or
  ``string_map_data`` entry) or a thread that carries one, when it maps to exactly one;
  else the contact stays ``name:<display name>`` (its display name shown). The display
  name of a follow-list contact met in a two-person thread is added to its connection (a
  candidate row tied to the thread's first message). Facebook contact_id:
  ``name:<display name>``, as for friends.
* Platform of a thread: from the path (``your_instagram_activity``/``your_facebook_activity``/
  ``your_activity_across_facebook``), else from the nearest Instagram- or Facebook-only file
  of the export (followers, friends, …), else Facebook if the thread has ``thread_type`` or
  ``joinable_mode`` or sits in ``archived_threads``/``filtered_threads``, else Instagram.

Own account (``account_id``): Instagram ``instagram:<username>`` from the profile file, else
from the archive name ``instagram-<username>-<YYYY-MM-DD>…``, else ``instagram:me`` with a
note; Facebook ``facebook:<username>`` from ``profile_v2.username`` / ``profile_uri``, else the
archive name, else ``facebook:me`` with a note. One accounts row per platform present; its
``followers``/``following`` are the numbers of distinct usernames in the Instagram
followers/following files (null without such a file, and always for Facebook), and
``snapshot_date`` is the date in the archive name (else null). The row is the one record
of the profile file, or, without one, of a pseudo file ``<source> (<platform> account)``
(read 1) whose notes say how the account was found.

Files in a ``threads`` folder (Threads inside the Instagram export) are left to
``warmcall.ingest.loaders.threads``.

HTML-format exports are refused: a source with Meta HTML pages and no Meta JSON raises
``InputError``. ``no-data.txt`` and every other file are not read. A file that cannot be
read (invalid or truncated JSON) is reported with the reason (read 0 and a note) and the
rest of the export loads; when that leaves nothing to load, ``InputError`` names the
export.

Signals (``FileReport.carries``), from the files read: Instagram followers / following
files -> followers / following; Facebook friends -> followers and following (a friendship
goes both ways); own comments, likes and reactions -> outbound; DM threads -> messages_in
and messages_out, for the thread's platform.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import parse_qs, urlparse

import polars as pl

from warmcall.core.errors import InputError
from warmcall.ingest.loaders.base import UNFOLLOWED_ACTIVITY, FileReport, LoadResult
from warmcall.ingest.loaders.meta_common import (
    BadTimestamp,
    epoch_us,
    first_sld,
    fix_meta,
    ig_entry_username,
    is_ig_username,
    parent_dir,
    parse_json,
    read_meta_json,
    string_map,
    unwrap_list,
    walk_labels,
)
from warmcall.ingest.sources import Member, Source

FORMAT = "meta"
TS = pl.Datetime("us", "UTC")

# base name -> kind (before the content check)
_NAME_KINDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), k)
    for p, k in (
        (r"followers(_\d+)?\.json", "ig_followers"),
        (r"following(_\d+)?\.json", "ig_following"),
        (r"connections\.json", "ig_connections_2018"),
        (r"message_\d+\.json", "thread"),
        (r"(post_comments(_\d+)?|reels_comments)\.json", "ig_comments"),
        (r"comments\.json", "comments"),
        (r"liked_(posts|comments)(_\d+)?\.json", "ig_likes"),
        (r"likes\.json", "ig_likes_2018"),
        (r"(your_friends|friends)(_\d+)?\.json", "fb_friends"),
        (r"(likes_and_reactions(_\d+)?|posts_and_comments)\.json", "fb_reactions"),
        (r"personal_information\.json", "ig_profile"),
        (r"profile\.json", "ig_profile_2018"),
        (r"profile_information\.json", "fb_profile"),
        (r"posts(_\d+)?\.json", "ig_posts"),
        (r"recently_unfollowed_(accounts|profiles)\.json", "ig_unfollowed"),
    )
]
UNFOLLOWED_REASON = "account you unfollowed: not a current connection"
_IG_MARKERS = {
    "ig_followers",
    "ig_following",
    "ig_connections_2018",
    "ig_comments",
    "ig_likes",
    "ig_profile",
}
_FB_MARKERS = {"fb_friends", "fb_reactions", "fb_profile"}
_PROFILE_KINDS = {"ig_profile", "ig_profile_2018", "fb_profile"}
_HTML = re.compile(
    r"(followers(_\d+)?|following|message_\d+|your_friends|post_comments(_\d+)?|liked_posts"
    r"|personal_information|profile_information|likes_and_reactions(_\d+)?|start_here)\.html"
)
HTML_PROBLEM = "HTML-format export; request JSON format in 'Download your information'"
_ARCHIVE = re.compile(
    r"^(instagram|facebook)-([a-z0-9._]+)-(\d{4}-\d{2}-\d{2}|\d{2}[-_]\d{2}[-_]\d{4})", re.I
)

# DM classification (after the mojibake fix), §5.4
_ECHO = re.compile(
    r"^\s*(?:.+ )?(?:reacted .{1,40} to (?:your|a|their|his|her) message|liked a message)\.?\s*$",
    re.I | re.S,
)
_CALL = re.compile(
    r"^\s*(?:audio call ended|video chat ended|video call ended|the (?:audio|video) call "
    r"ended|missed (?:an? )?(?:audio|video) (?:call|chat)|you missed (?:an? )?(?:audio|video)"
    r" (?:call|chat).*)\.?\s*$",
    re.I | re.S,
)
_GENERATED_MAX = 500  # characters: longer DM content is never an echo, system or call line
_SYSTEM = re.compile(
    r"^\s*(?:you are now connected on messenger.*|you can now message and call each other.*"
    r"|say hi to your new facebook friend.*|.+ (?:named the group|changed the group (?:name|photo)"
    r"|added .+ to the group|removed .+ from the group|left the group|created the group"
    r"|set (?:the|your|his|her|their) nickname|cleared (?:the|your|his|her|their) nickname"
    r"|changed the (?:chat )?theme|set the (?:quick reaction|emoji)"
    r"|started (?:an? )?(?:audio|video) (?:call|chat)|joined the (?:video chat|call)"
    r"|started sharing video)\b.*)$",
    re.I | re.S,
)
ECHO_REASON = 'reaction echo message ("Reacted … to your message" / "Liked a message")'
SYSTEM_REASON = "system message (group or thread event), not a message to a person"
GROUP_OUT_REASON = "group thread: no single counterpart"

# localized string_map_data / label_values keys, §5.5
_OWNER_KEYS = ("Media Owner", "Media-eigenaar", "Medieejer", "Owner", "Eigenaar", "Ejer")
_USER_KEYS = ("Username", "Gebruikersnaam", "Brugernavn", "Benutzername")
_NAME_KEYS = ("Name", "Naam", "Navn")
_TIME_KEYS = ("Time", "Tijd", "Tidspunkt", "Zeit")
_OWNER_HINT = re.compile(
    r"owner|eigenaar|ejer|besitzer|propriétaire|propietario|proprietario", re.I
)
_POST_CODE = re.compile(r"instagram\.com/(?:[^/]+/)?(?:p|reel|tv)/([A-Za-z0-9_-]+)")

# Facebook titles, §5.6
_FB_VERB = re.compile(
    r"^(?P<actor>.+?) (?P<verb>commented on|replied to|likes|liked|reacted to|reacted)"
    r"\s+(?P<rest>.+?)\.?\s*$"
)
_FB_OWN = re.compile(r"^(?:his|her|their|your|my) own\b")
_FB_POSS = re.compile(r"^(?P<who>.+?)['’]s\s")
_FB_ON_POSS = re.compile(r"\bon (?P<who>.+?)['’]s\s")


@dataclass
class _File:
    member: Member
    kind: str
    platform: str
    disp: str = ""

    def __post_init__(self) -> None:
        self.disp = self.member.display


@dataclass
class _Thread:
    key: str
    folder: str
    platform: str
    participants: list[str] = field(default_factory=list)
    title: str | None = None
    meta_hints: bool = False  # thread_type / joinable_mode seen
    path_folder: str | None = None  # last part of ``thread_path``


@dataclass
class _Own:
    username: str | None = None
    name: str | None = None
    snapshot: date | None = None
    how: str = ""
    profile: _File | None = None
    dm_name: str | None = None  # own display name in DMs
    dm_how: str = ""


# -- classification ---------------------------------------------------------------------------


def _name_kind(m: Member) -> str | None:
    b = m.name.rsplit("/", 1)[-1].lower()
    for rx, kind in _NAME_KINDS:
        if rx.fullmatch(b):
            return kind
    return None


def _shape(kind: str, data: Any) -> str | None:
    """The refined kind when ``data`` has the JSON shape of ``kind`` (§5), else None."""

    def items_have(lst: list | None, *groups: tuple[str, ...]) -> bool:
        """An empty list, or one of the first items has every key of some group."""
        if lst is None:
            return False
        dicts = [x for x in lst[:5] if isinstance(x, dict)]
        return not lst or any(all(k in d for k in g) for d in dicts for g in groups)

    sld, smd, lv = ("string_list_data",), ("string_map_data",), ("label_values",)
    title = ("title",)  # 2025-26 follow entries: the username in ``title`` (§5.3)
    if kind == "ig_followers":
        lst = unwrap_list(data, "relationships_followers", prefix="relationships_")
        return kind if items_have(lst, sld, title) else None
    if kind == "ig_following":
        lst = unwrap_list(data, "relationships_following", prefix="relationships_")
        return kind if items_have(lst, sld, title) else None
    if kind == "ig_unfollowed":
        lst = unwrap_list(data, "relationships_unfollowed_users", prefix="relationships_")
        return kind if items_have(lst, sld, title) else None
    if kind == "ig_posts":
        lst = unwrap_list(data, "ig_posts", prefix="ig_")
        return kind if items_have(lst, ("media",)) else None
    if kind == "ig_connections_2018":
        maps = [data.get(k) for k in ("followers", "following")] if isinstance(data, dict) else []
        maps = [m for m in maps if isinstance(m, dict)]
        ok = bool(maps) and all(isinstance(v, str) for m in maps for v in list(m.values())[:5])
        return kind if ok else None
    if kind == "thread":
        ok = (
            isinstance(data, dict)
            and isinstance(data.get("messages"), list)
            and isinstance(data.get("participants"), list)
        )
        return kind if ok else None
    if kind == "ig_comments":
        lst = unwrap_list(
            data, "comments_media_comments", "comments_reels_comments", prefix="comments_"
        )
        return kind if items_have(lst, smd, lv) else None
    if kind == "comments":
        if isinstance(data, dict) and any(
            isinstance(data.get(k), list) for k in ("media_comments", "live_comments")
        ):
            return "ig_comments_2018"
        lst = unwrap_list(data, "comments_v2", "comments")
        if isinstance(data, list) and data and items_have(lst, smd, lv):
            return "ig_comments"
        return "fb_comments" if items_have(lst, ("title", "timestamp")) else None
    if kind == "ig_likes":
        lst = unwrap_list(data, "likes_media_likes", "likes_comment_likes", prefix="likes_")
        return kind if items_have(lst, sld, lv) else None
    if kind == "ig_likes_2018":
        ok = isinstance(data, dict) and any(
            isinstance(data.get(k), list) for k in ("media_likes", "comment_likes")
        )
        return kind if ok else None
    if kind == "fb_friends":
        lst = unwrap_list(data, "friends_v2", "friends", prefix="friends")
        return kind if items_have(lst, ("name", "timestamp")) else None
    if kind == "fb_reactions":
        lst = unwrap_list(data, "reactions_v2", "reactions", prefix="reactions")
        return kind if items_have(lst, ("title", "timestamp"), lv) else None
    if kind == "ig_profile":
        return kind if isinstance(data, dict) and "profile_user" in data else None
    if kind == "ig_profile_2018":
        return kind if isinstance(data, dict) and isinstance(data.get("username"), str) else None
    if kind == "fb_profile":
        ok = isinstance(data, dict) and any(
            isinstance(data.get(k), dict) for k in ("profile_v2", "profile")
        )
        return kind if ok else None
    return None


def _candidates(src: Source) -> list[tuple[Member, str]]:
    out = []
    for m in src.members():
        if "threads" in m.name.lower().split("/")[:-1]:
            continue  # Threads' files (followers.json, …): warmcall.ingest.loaders.threads
        k = _name_kind(m)
        if k:
            out.append((m, k))
    return out


def _html_pages(src: Source) -> list[Member]:
    return [m for m in src.members() if _HTML.fullmatch(m.name.rsplit("/", 1)[-1].lower())]


def detect(src: Source) -> bool:
    """True when the source holds a Meta JSON file of a known shape (checked on the
    smallest few name matches) or Meta HTML pages (refused later by ``load``)."""
    cands = [(m, k) for m, k in _candidates(src) if k != "ig_profile_2018"]
    for m, k in sorted(cands, key=lambda mk: mk[0].size)[:12]:
        try:
            data = parse_json(m)
        except InputError:
            continue
        # an empty record list proves nothing: some non-empty list or map is required
        nonempty = (
            bool(data)
            if isinstance(data, list)
            else any(isinstance(v, list | dict) and v for v in data.values())
            if isinstance(data, dict)
            else False
        )
        if nonempty and _shape(k, data):
            return True
    return bool(_html_pages(src))


# -- platform of each file ----------------------------------------------------------------------


def _path_platform(name: str) -> str | None:
    parts = {p.lower() for p in name.split("/")}
    if "your_instagram_activity" in parts:
        return "instagram"
    if parts & {"your_facebook_activity", "your_activity_across_facebook"}:
        return "facebook"
    return None


def _marker_platform(name: str, markers: list[tuple[str, str]]) -> str | None:
    """Platform of the marker file sharing the longest folder prefix with ``name``; a tie
    between platforms decides nothing."""
    parts = name.split("/")[:-1]
    best, plats = -1, set()
    for mname, plat in markers:
        mparts = mname.split("/")[:-1]
        n = 0
        for a, b in zip(parts, mparts, strict=False):
            if a != b:
                break
            n += 1
        if n > best:
            best, plats = n, {plat}
        elif n == best:
            plats.add(plat)
    return plats.pop() if len(plats) == 1 else None


# -- own account --------------------------------------------------------------------------------


def _archive_info(src: Source, platform: str) -> tuple[str | None, date | None]:
    names = [src.path.name]
    names += sorted({m.name.split("/", 1)[0] for m in src.members() if "/" in m.name})
    for n in names:
        mt = _ARCHIVE.match(n)
        if mt and mt.group(1).lower() == platform:
            d = mt.group(3).replace("_", "-")
            try:
                snap = (
                    date.fromisoformat(d)
                    if d[4] == "-"
                    else date(int(d[6:]), int(d[3:5]), int(d[:2]))
                )
            except ValueError:
                snap = None
            return mt.group(2).lower(), snap
    return None, None


def _label_value(entry: dict, keys: tuple[str, ...]) -> str | None:
    smd = string_map(entry)
    for k in keys:
        v = smd.get(k, {}).get("value")
        if isinstance(v, str) and v.strip():
            return v.strip()
    for label, item, _t in walk_labels(entry.get("label_values", [])):
        if label in keys and isinstance(item.get("value"), str) and item["value"].strip():
            return item["value"].strip()
    return None


def _ig_profile(data: Any, kind: str) -> tuple[str | None, str | None]:
    if kind == "ig_profile_2018":
        name = data.get("name")
        return data.get("username"), name if isinstance(name, str) and name.strip() else None
    users = data.get("profile_user")
    users = users if isinstance(users, list) else [users]
    for u in users:
        if isinstance(u, dict):
            return _label_value(u, _USER_KEYS), _label_value(u, _NAME_KEYS)
    return None, None


def _fb_profile(data: Any) -> tuple[str | None, str | None]:
    p = data.get("profile_v2") if isinstance(data.get("profile_v2"), dict) else data.get("profile")
    if not isinstance(p, dict):
        return None, None
    nm = p.get("name")
    name = nm.get("full_name") if isinstance(nm, dict) else nm
    name = name.strip() if isinstance(name, str) and name.strip() else None
    user = (
        p.get("username") if isinstance(p.get("username"), str) and p["username"].strip() else None
    )
    uri = p.get("profile_uri")
    if not user and isinstance(uri, str) and uri:
        u = urlparse(uri)
        if "id" in parse_qs(u.query):
            user = parse_qs(u.query)["id"][0]
        else:
            segs = [s for s in u.path.split("/") if s]
            user = segs[-1] if segs and segs[-1] != "profile.php" else None
    return (user.strip() if user else None), name


def _own_display_name(threads: list[_Thread], profile_name: str | None) -> tuple[str | None, str]:
    """The own display name: a participant of every thread (ties broken by the thread titles,
    which name the counterpart); the profile's name when it is such a participant or when no
    thread decides. Returns the name and how it was found."""
    sets = [set(t.participants) for t in threads if t.participants]
    if sets:
        cand = set.intersection(*sets)
        if profile_name and profile_name in cand:
            return profile_name, "the profile name, a participant of every thread"
        if len(cand) > 1:
            cand -= {t.title for t in threads if t.title}
        if len(cand) == 1:
            return cand.pop(), "the participant present in every thread"
    if profile_name:
        return profile_name, "the profile name"
    return None, ""


# -- record helpers -----------------------------------------------------------------------------


def _ts_us(
    rep: FileReport, line: int, value: Any, unit: str = "s", required: bool = True
) -> tuple[bool, int | None]:
    """Parse a Unix timestamp; reject the record (and return False) when it is present but
    unparsable, or missing while required."""
    try:
        us = epoch_us(value, unit)
    except BadTimestamp:
        rep.reject(line, f"unparsable timestamp '{value}'")
        return False, None
    if us is None and required:
        rep.reject(line, "missing timestamp")
        return False, None
    return True, us


def _frame(
    rows: list[dict], schema: dict[str, pl.DataType], ts_cols: tuple[str, ...]
) -> pl.DataFrame:
    df = pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)
    return df.with_columns([pl.col(c).cast(TS) for c in ts_cols])


_CONN_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.String(),
    "platform": pl.String(),
    "contact_id": pl.String(),
    "handle": pl.String(),
    "display_name": pl.String(),
    "follows_me": pl.Boolean(),
    "i_follow": pl.Boolean(),
    "connected_at": pl.Int64(),
    "_file": pl.String(),
    "_line": pl.Int64(),
}
_INT_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.String(),
    "platform": pl.String(),
    "contact_id": pl.String(),
    "ts": pl.Int64(),
    "kind": pl.String(),
    "direction": pl.String(),
    "post_id": pl.String(),
    "_file": pl.String(),
    "_line": pl.Int64(),
    "_dupkey": pl.String(),  # the whole raw entry: the export gives no id (``schema``)
}


def _pacific_us(raws: list[str]) -> list[int | None]:
    """2018 Instagram times: ISO text, naive = US/Pacific local time (§5.1), or with an
    explicit offset -> microseconds since the epoch, UTC; None when unparsable."""
    s = pl.Series("s", raws, dtype=pl.String).str.strip_chars()
    naive = (
        s.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", strict=False, time_unit="us")
        .dt.replace_time_zone("America/Los_Angeles", ambiguous="earliest", non_existent="null")
        .dt.convert_time_zone("UTC")
    )
    aware = (
        s.str.replace(r"Z$", "+00:00")
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%#z", strict=False, time_unit="us")
        .dt.convert_time_zone("UTC")
    )
    out = pl.DataFrame({"a": aware, "n": naive}).select(pl.coalesce("a", "n").dt.epoch("us"))
    return out.to_series().to_list()


def _post_code(href: Any) -> str | None:
    if not isinstance(href, str) or not href.strip():
        return None
    mt = _POST_CODE.search(href)
    return mt.group(1) if mt else href.strip()


# -- the loader -----------------------------------------------------------------------------


class _Loader:
    def __init__(self, src: Source, encoding: str | None) -> None:
        self.src = src
        self.encoding = encoding
        self.res = LoadResult()
        self.own: dict[str, _Own] = {"instagram": _Own(), "facebook": _Own()}
        self.account_id: dict[str, str] = {}
        self.name_to_user: dict[str, str] = {}
        self.used_platforms: set[str] = set()
        self.follower_users: set[str] | None = None
        self.following_users: set[str] | None = None
        # usernames the export names (follow lists, post owners, profile data), lower-case,
        # and (display name, username) pairs from its profile data (``label_values``)
        self.known_users: set[str] = set()
        self.profile_pairs: set[tuple[str, str]] = set()
        # DMs, extracted while reading (the parsed thread JSON is not kept)
        self.thread_reports: list[tuple[FileReport, str]] = []
        self.msg_rows: list[tuple] = []
        self.react_rows: list[tuple] = []

    def read(self, m: Member) -> Any:
        return read_meta_json(m, self.encoding)

    # .. orchestration ........................................................................
    def run(self) -> LoadResult:
        cands = _candidates(self.src)
        markers = [
            (m.name, "instagram" if k in _IG_MARKERS else "facebook")
            for m, k in cands
            if k in _IG_MARKERS | _FB_MARKERS
        ]
        files: list[tuple[_File, Any]] = []
        threads: dict[str, _Thread] = {}
        unrecognised: list[Member] = []
        for m, k in cands:
            try:
                data = self.read(m)
            except InputError as e:  # reported; the rest of the export still loads
                self.res.unreadable(m.display, "meta-dm" if k == "thread" else f"meta-{k}",
                                    e.problem)  # fmt: skip
                continue
            kind = _shape(k, data)
            if kind is None:
                if k not in _PROFILE_KINDS:
                    unrecognised.append(m)
                continue
            if kind == "thread":
                key = parent_dir(m.name)
                t = threads.get(key)
                if t is None:
                    t = _Thread(key, PurePosixPath(key).name, "")
                    threads[key] = t
                self._thread_header(t, data)
                msgs = data.get("messages") or []
                disp = m.display
                rep = self.res.file(disp, "meta-dm", len(msgs))
                self.thread_reports.append((rep, key))
                for i, msg in enumerate(msgs, 1):
                    self._message(rep, disp, key, i, msg, self.msg_rows, self.react_rows)
                del data, msgs
                continue
            plat = "facebook" if kind.startswith("fb_") else "instagram"
            files.append((_File(m, kind, plat), data))
        if not files and not threads:
            html = _html_pages(self.src)
            if html:
                raise InputError(html[0].display, HTML_PROBLEM)
        for m in unrecognised:
            rep = self.res.file(m.display, "meta-unrecognised", 0)
            rep.notes.append(
                "named like a Meta export file, but its JSON shape is not one this loader "
                "knows; skipped"
            )
        for t in threads.values():
            t.platform = self._thread_platform(t, markers)
        self._own_accounts(files, list(threads.values()))
        has_followers = any(f.kind == "ig_followers" for f, _ in files) or any(
            f.kind == "ig_connections_2018" and isinstance(d.get("followers"), dict)
            for f, d in files
        )
        has_following = any(f.kind == "ig_following" for f, _ in files) or any(
            f.kind == "ig_connections_2018" and isinstance(d.get("following"), dict)
            for f, d in files
        )
        if has_followers:
            self.follower_users = set()
        if has_following:
            self.following_users = set()
        for f, data in files:
            if f.kind in _PROFILE_KINDS:
                continue
            if f.kind in ("ig_followers", "ig_following"):
                self._load_ig_follow(
                    f,
                    data,
                    f.kind == "ig_followers",
                    has_following if f.kind == "ig_followers" else has_followers,
                )
            else:
                getattr(self, f"_load_{f.kind}")(f, data)
            self.used_platforms.add(f.platform)
        self._load_threads(threads)
        self._accounts()
        self.res.check_yield(self.src.path, "Meta export")
        return self.res

    # .. own account ..........................................................................
    def _own_accounts(
        self,
        files: list[tuple[_File, Any]],
        threads: list[_Thread],
    ) -> None:
        for f, data in files:
            if (
                f.kind in ("ig_profile", "ig_profile_2018")
                and self.own["instagram"].profile is None
            ):
                user, name = _ig_profile(data, f.kind)
                if user or name:
                    o = self.own["instagram"]
                    o.username, o.name, o.profile = user, name, f
            elif f.kind == "fb_profile" and self.own["facebook"].profile is None:
                user, name = _fb_profile(data)
                if user or name:
                    o = self.own["facebook"]
                    o.username, o.name, o.profile = user, name, f
        for plat, o in self.own.items():
            arch_user, o.snapshot = _archive_info(self.src, plat)
            if o.username:
                o.how = f"username from {o.profile.member.basename}" if o.profile else ""
            elif arch_user:
                o.username, o.how = arch_user, "username from the archive name"
            self.account_id[plat] = f"{plat}:{o.username.lower()}" if o.username else f"{plat}:me"
            plat_threads = [t for t in threads if t.platform == plat]
            o.dm_name, o.dm_how = _own_display_name(plat_threads, o.name)

    def _accounts(self) -> None:
        for plat in sorted(self.used_platforms):
            o = self.own[plat]
            if o.profile is not None:
                rep = self.res.file(o.profile.member.display, f"{plat}-profile", 1)
                file = o.profile.member.display
            else:
                file = f"{self.src.path} ({plat} account)"
                rep = self.res.file(file, f"{plat}-account", 1)
            aid = self.account_id[plat]
            if o.username:
                if o.how:
                    rep.notes.append(f"account {aid}: {o.how}")
            else:
                rep.notes.append(
                    f"own {plat} username not found (no profile file, archive not named "
                    f"'{plat}-<username>-<date>…'); account_id {aid}"
                )
            dm_name = o.dm_name
            if dm_name:
                rep.notes.append(f"own display name for DMs: {dm_name!r} ({o.dm_how})")
            ig = plat == "instagram"
            row = {
                "account_id": aid,
                "platform": plat,
                "handle": o.username.lower() if o.username else None,
                "display_name": o.name or dm_name,
                "snapshot_date": o.snapshot,
                "followers": len(self.follower_users)
                if ig and self.follower_users is not None
                else None,
                "following": len(self.following_users)
                if ig and self.following_users is not None
                else None,
                "_file": file,
                "_line": 1,
            }
            self.res.add(
                "accounts",
                pl.DataFrame(
                    [row],
                    schema={
                        "account_id": pl.String,
                        "platform": pl.String,
                        "handle": pl.String,
                        "display_name": pl.String,
                        "snapshot_date": pl.Date,
                        "followers": pl.Int64,
                        "following": pl.Int64,
                        "_file": pl.String,
                        "_line": pl.Int64,
                    },
                ),
            )

    # .. Instagram connections .................................................................
    def _conn_row(
        self,
        f: _File,
        line: int,
        user: str,
        us: int | None,
        follows_me: bool | None,
        i_follow: bool | None,
    ) -> dict:
        self.known_users.add(user.lower())
        return {
            "account_id": self.account_id["instagram"],
            "platform": "instagram",
            "contact_id": user.lower(),
            "handle": user,
            "display_name": None,
            "follows_me": follows_me,
            "i_follow": i_follow,
            "connected_at": us,
            "_file": f.disp,
            "_line": line,
        }

    def _load_ig_follow(self, f: _File, data: Any, follower: bool, has_other: bool) -> None:
        key = "relationships_followers" if follower else "relationships_following"
        items = unwrap_list(data, key, prefix="relationships_") or []
        what = "followers" if follower else "following"
        rep = self.res.file(f.member.display, f"instagram-{what}", len(items))
        rep.carries("instagram", what, account_id=self.account_id["instagram"])
        rows = []
        users = self.follower_users if follower else self.following_users
        other = False if has_other else None
        for i, it in enumerate(items, 1):
            if not isinstance(it, dict):
                rep.reject(i, "not an entry object")
                continue
            user = ig_entry_username(it)
            if not user:
                rep.reject(i, "no username (value, title or href)")
                continue
            ok, us = _ts_us(rep, i, first_sld(it).get("timestamp"), required=False)
            if not ok:
                continue
            rows.append(
                self._conn_row(
                    f, i, user, us, True if follower else other, other if follower else True
                )
            )
            if users is not None:
                users.add(user.lower())
        self.res.add("connections", _frame(rows, _CONN_SCHEMA, ("connected_at",)))

    def _load_ig_unfollowed(self, f: _File, data: Any) -> None:
        """``recently_unfollowed_accounts.json``: accounts you unfollowed, each set aside (not a
        current connection) and named for the reports (``FileReport.list_aside``: username
        as for a follow entry, ``timestamp`` when readable)."""
        items = unwrap_list(data, "relationships_unfollowed_users", prefix="relationships_") or []
        rep = self.res.file(f.member.display, "instagram-unfollowed", len(items))
        acct = self.account_id["instagram"]
        rep.set_aside(len(items), UNFOLLOWED_REASON, activity=UNFOLLOWED_ACTIVITY, account_id=acct)
        for it in items:
            user = ig_entry_username(it) if isinstance(it, dict) else None
            if not user:
                continue
            try:
                us = epoch_us(first_sld(it).get("timestamp"))
            except BadTimestamp:
                us = None
            rep.list_aside(UNFOLLOWED_ACTIVITY, acct, "instagram", user.lower(), us)

    def _load_ig_connections_2018(self, f: _File, data: dict) -> None:
        followers = data.get("followers") if isinstance(data.get("followers"), dict) else {}
        following = data.get("following") if isinstance(data.get("following"), dict) else {}
        recs = [(u, t, True) for u, t in followers.items()] + [
            (u, t, False) for u, t in following.items()
        ]
        rep = self.res.file(f.member.display, "instagram-connections-2018", len(recs))
        for what in ("followers", "following"):
            if isinstance(data.get(what), dict):
                rep.carries("instagram", what, account_id=self.account_id["instagram"])
        raws = [t if isinstance(t, str) else None for _u, t, _fl in recs]
        uss = _pacific_us([r or "" for r in raws])
        has_fr, has_fg = (
            isinstance(data.get("followers"), dict),
            isinstance(data.get("following"), dict),
        )
        rows = []
        for i, ((user, raw, is_follower), us) in enumerate(zip(recs, uss, strict=True), 1):
            user = str(user).strip()
            if not user:
                rep.reject(i, "no username")
                continue
            if raw not in (None, "") and us is None:
                rep.reject(i, f"unparsable timestamp '{raw}'")
                continue
            if is_follower:
                rows.append(self._conn_row(f, i, user, us, True, False if has_fg else None))
                if self.follower_users is not None:
                    self.follower_users.add(user.lower())
            else:
                rows.append(self._conn_row(f, i, user, us, False if has_fr else None, True))
                if self.following_users is not None:
                    self.following_users.add(user.lower())
        self.res.add("connections", _frame(rows, _CONN_SCHEMA, ("connected_at",)))

    # .. Instagram comments and likes ...........................................................
    def _ig_interaction(
        self,
        rows: list[dict],
        rep: FileReport,
        f: _File,
        line: int,
        owner: str | None,
        us: int,
        kind: str,
        post_id: str | None,
        what: str,
        raw: Any = None,
    ) -> None:
        me = self.own["instagram"].username
        if not owner:
            rep.reject(line, f"{what} without a post owner: no counterpart")
            return
        if me and owner.lower() == me.lower():
            rep.reject(line, f"{what} on an own post: no counterpart")
            return
        self.known_users.add(owner.lower())
        rows.append(
            {
                "account_id": self.account_id["instagram"],
                "platform": "instagram",
                "contact_id": owner.lower(),
                "ts": us,
                "kind": kind,
                "direction": "out",
                "post_id": post_id,
                "_file": f.disp,
                "_line": line,
                "_dupkey": _raw_key(raw),
            }
        )

    def _load_ig_comments(self, f: _File, data: Any) -> None:
        items = (
            unwrap_list(
                data, "comments_media_comments", "comments_reels_comments", prefix="comments_"
            )
            or []
        )
        rep = self.res.file(f.member.display, "instagram-comments", len(items))
        rep.carries("instagram", "outbound", account_id=self.account_id["instagram"])
        rows: list[dict] = []
        for i, it in enumerate(items, 1):
            if not isinstance(it, dict):
                rep.reject(i, "not an entry object")
                continue
            self._profile_pair(it)
            owner, raw_ts = _comment_owner_time(it)
            ok, us = _ts_us(rep, i, raw_ts)
            if ok:
                self._ig_interaction(rows, rep, f, i, owner, us, "comment", None, "comment", it)  # type: ignore[arg-type]
        self.res.add("interactions", _frame(rows, _INT_SCHEMA, ("ts",)))

    def _load_ig_likes(self, f: _File, data: Any) -> None:
        items = unwrap_list(data, "likes_media_likes", "likes_comment_likes", prefix="likes_") or []
        rep = self.res.file(f.member.display, "instagram-likes", len(items))
        rep.carries("instagram", "outbound", account_id=self.account_id["instagram"])
        rows: list[dict] = []
        what = "liked comment" if "comment" in f.member.basename.lower() else "liked post"
        for i, it in enumerate(items, 1):
            if not isinstance(it, dict):
                rep.reject(i, "not an entry object")
                continue
            self._profile_pair(it)
            sld = first_sld(it)
            owner = it.get("title").strip() if isinstance(it.get("title"), str) else None
            href = sld.get("href")
            raw_ts = sld.get("timestamp", it.get("timestamp"))
            if "label_values" in it:
                labels = list(walk_labels(it["label_values"]))
                owner = owner or next(
                    (
                        str(x.get("value")).strip()
                        for lab, x, _t in labels
                        if lab in _USER_KEYS + _OWNER_KEYS and x.get("value")
                    ),
                    None,
                )
                href = href or next(
                    (x.get("href") or x.get("value") for lab, x, _t in labels if lab == "URL"), None
                )
            ok, us = _ts_us(rep, i, raw_ts)
            if ok:
                self._ig_interaction(
                    rows, rep, f, i, owner or None, us, "like", _post_code(href), what, it
                )  # type: ignore[arg-type]
        self.res.add("interactions", _frame(rows, _INT_SCHEMA, ("ts",)))

    def _load_ig_comments_2018(self, f: _File, data: dict) -> None:
        recs = [x for k in ("media_comments", "live_comments") for x in (data.get(k) or [])]
        self._load_2018_pairs(f, recs, "instagram-comments-2018", "comment", owner_at=2)

    def _load_ig_likes_2018(self, f: _File, data: dict) -> None:
        recs = [x for k in ("media_likes", "comment_likes") for x in (data.get(k) or [])]
        self._load_2018_pairs(f, recs, "instagram-likes-2018", "like", owner_at=1)

    def _load_2018_pairs(self, f: _File, recs: list, fmt: str, kind: str, owner_at: int) -> None:
        rep = self.res.file(f.member.display, fmt, len(recs))
        rep.carries("instagram", "outbound", account_id=self.account_id["instagram"])
        raws = [r[0] if isinstance(r, list) and r and isinstance(r[0], str) else "" for r in recs]
        uss = _pacific_us(raws)
        rows: list[dict] = []
        for i, (r, raw, us) in enumerate(zip(recs, raws, uss, strict=True), 1):
            if not isinstance(r, list) or len(r) <= owner_at:
                rep.reject(i, f"not a [time, …, owner] list of {owner_at + 1} items")
                continue
            if us is None:
                rep.reject(i, f"unparsable timestamp '{r[0]}'" if raw else "missing timestamp")
                continue
            owner = r[owner_at].strip() if isinstance(r[owner_at], str) else None
            self._ig_interaction(rows, rep, f, i, owner, us, kind, None, kind, r)
        self.res.add("interactions", _frame(rows, _INT_SCHEMA, ("ts",)))

    def _load_ig_posts(self, f: _File, data: Any) -> None:
        """``posts_1.json`` (your posts; §5.1 tree ``your_instagram_activity/content/``): one
        post per entry. The export gives no post id: ``post_id`` is the first media ``uri``
        (a path inside the export, stable across exports); ``ts`` the entry's
        ``creation_timestamp`` (else its first media's); ``text`` the caption (``title``, else
        the first media's). No counts (not in the export)."""
        items = unwrap_list(data, "ig_posts", prefix="ig_") or []
        rep = self.res.file(f.member.display, "instagram-posts", len(items))
        rows: list[dict] = []
        for i, it in enumerate(items, 1):
            media = it.get("media") if isinstance(it, dict) else None
            media = [m for m in media if isinstance(m, dict)] if isinstance(media, list) else []
            uris = [
                m["uri"].strip()
                for m in media
                if isinstance(m.get("uri"), str) and m["uri"].strip()
            ]
            if not uris:
                rep.reject(i, "post without media (no uri to identify it)")
                continue
            first = media[0]
            raw = it.get("creation_timestamp", first.get("creation_timestamp"))
            ok, us = _ts_us(rep, i, raw)
            if not ok:
                continue
            cap = it.get("title") if isinstance(it.get("title"), str) else first.get("title")
            rows.append({
                "account_id": self.account_id["instagram"], "platform": "instagram",
                "post_id": uris[0], "ts": us,
                "text": cap.strip() if isinstance(cap, str) and cap.strip() else None,
                "is_repost": False, "_file": f.disp, "_line": i, "_dupkey": " ".join(uris),
            })  # fmt: skip
        schema = {"account_id": pl.String(), "platform": pl.String(), "post_id": pl.String(),
                  "ts": pl.Int64(), "text": pl.String(), "is_repost": pl.Boolean(),
                  "_file": pl.String(), "_line": pl.Int64(), "_dupkey": pl.String()}  # fmt: skip
        self.res.add("posts", _frame(rows, schema, ("ts",)))

    # .. Facebook ..............................................................................
    def _load_fb_friends(self, f: _File, data: Any) -> None:
        items = unwrap_list(data, "friends_v2", "friends", prefix="friends") or []
        rep = self.res.file(f.member.display, "facebook-friends", len(items))
        # a Facebook friendship goes both ways, like a LinkedIn connection
        rep.carries("facebook", "followers", "following", account_id=self.account_id["facebook"])
        rows = []
        for i, it in enumerate(items, 1):
            name = it.get("name") if isinstance(it, dict) else None
            if not isinstance(name, str) or not name.strip():
                rep.reject(i, "friend without a name")
                continue
            ok, us = _ts_us(rep, i, it.get("timestamp"), required=False)
            if not ok:
                continue
            rows.append(
                {
                    "account_id": self.account_id["facebook"],
                    "platform": "facebook",
                    "contact_id": f"name:{name.strip()}",
                    "handle": None,
                    "display_name": name.strip(),
                    "follows_me": True,
                    "i_follow": True,
                    "connected_at": us,
                    "_file": f.disp,
                    "_line": i,
                }
            )
        self.res.add("connections", _frame(rows, _CONN_SCHEMA, ("connected_at",)))

    def _fb_title_rows(self, f: _File, items: list, fmt: str, comments: bool) -> None:
        rep = self.res.file(f.member.display, fmt, len(items))
        rep.carries("facebook", "outbound", account_id=self.account_id["facebook"])
        me = self.own["facebook"].name or self.own["facebook"].dm_name
        rows: list[dict] = []
        for i, it in enumerate(items, 1):
            if not isinstance(it, dict):
                rep.reject(i, "not an entry object")
                continue
            inner = _fb_inner(it, "comment" if comments else "reaction")
            raw_ts = it.get("timestamp", inner.get("timestamp"))
            ok, us = _ts_us(rep, i, raw_ts)
            if not ok:
                continue
            title = it.get("title") if isinstance(it.get("title"), str) else ""
            owner, verb = fb_title_owner(title)
            if owner is None:
                rep.reject(
                    i,
                    "no counterpart: the title names no other person's post"
                    if title
                    else "no counterpart: entry without a title",
                )
                continue
            if me and owner == me:
                rep.reject(i, "no counterpart: the title names no other person's post")
                continue
            if comments:
                kind = "comment"
            else:
                r = inner.get("reaction")
                if isinstance(r, str) and r.strip():
                    kind = "like" if r.strip().upper() == "LIKE" else "reaction"
                else:
                    kind = "like" if verb in ("likes", "liked") else "reaction"
            rows.append(
                {
                    "account_id": self.account_id["facebook"],
                    "platform": "facebook",
                    "contact_id": f"name:{owner}",
                    "ts": us,
                    "kind": kind,
                    "direction": "out",
                    "post_id": None,
                    "_file": f.disp,
                    "_line": i,
                    "_dupkey": _raw_key(it),
                }
            )
        self.res.add("interactions", _frame(rows, _INT_SCHEMA, ("ts",)))

    def _load_fb_comments(self, f: _File, data: Any) -> None:
        items = unwrap_list(data, "comments_v2", "comments") or []
        self._fb_title_rows(f, items, "facebook-comments", comments=True)

    def _load_fb_reactions(self, f: _File, data: Any) -> None:
        items = unwrap_list(data, "reactions_v2", "reactions", prefix="reactions") or []
        self._fb_title_rows(f, items, "facebook-reactions", comments=False)

    # .. DMs ...................................................................................
    @staticmethod
    def _thread_header(t: _Thread, data: dict) -> None:
        for p in data.get("participants") or []:
            name = p.get("name") if isinstance(p, dict) else p
            if isinstance(name, str) and name.strip() and name.strip() not in t.participants:
                t.participants.append(name.strip())
        if t.title is None and isinstance(data.get("title"), str) and data["title"].strip():
            t.title = data["title"].strip()
        if "thread_type" in data or "joinable_mode" in data:
            t.meta_hints = True
        tp = data.get("thread_path")
        if t.path_folder is None and isinstance(tp, str) and tp.strip():
            t.path_folder = PurePosixPath(tp.strip()).name

    def _thread_platform(self, t: _Thread, markers: list[tuple[str, str]]) -> str:
        p = _path_platform(t.key + "/x") or _marker_platform(t.key + "/x", markers)
        if p:
            return p
        parts = {x.lower() for x in t.key.split("/")}
        if t.meta_hints or parts & {"archived_threads", "filtered_threads"}:
            return "facebook"
        return "instagram"

    def _resolve_thread(self, t: _Thread) -> dict:
        """Own name in this thread, counterpart contact and whether it is a group."""
        me = self.own[t.platform].dm_name
        parts = t.participants
        if me is None and len(parts) == 2 and t.title in parts:
            me = next(p for p in parts if p != t.title)
        others = [p for p in parts if p != me]
        is_group = len(parts) > 2
        info = {"key": t.key, "me": me, "group": is_group, "contact": None, "reason": None}
        if me is None:
            info["reason"] = "own display name unknown: cannot tell the direction"
            return info
        if is_group:
            return info
        other = others[0] if others else (t.title if t.title and t.title != me else None)
        folder_user = self._thread_user(t) if t.platform == "instagram" else None
        if folder_user:
            info["contact"] = folder_user
        elif other:
            info["contact"] = self._name_contact(t.platform, other)
        else:
            info["reason"] = "no counterpart in the thread"
        return info

    def _thread_user(self, t: _Thread) -> str | None:
        """The username a thread carries: the ``<name>_<digits>`` prefix of its folder or
        ``thread_path`` (§5.4), when the export knows it as a username (follow lists, post
        owners, profile data). Real exports often name the folder after the display name,
        so an unknown prefix is not taken for a username."""
        for folder in (t.folder, t.path_folder):
            mt = re.fullmatch(r"(.+)_(\d+)", folder or "")
            if mt and is_ig_username(mt.group(1)) and mt.group(1).lower() in self.known_users:
                return mt.group(1).lower()
        return None

    def _profile_pair(self, entry: dict) -> None:
        """Record the (display name, username) an entry's profile data gives (``Name`` and
        ``Username`` in ``string_map_data`` or ``label_values``, §5.5), when it gives one of
        each."""
        names = [v for k, v in _entry_labels(entry) if k in _NAME_KEYS]
        users = [v for k, v in _entry_labels(entry) if k in _USER_KEYS]
        if len(set(names)) == 1 and len(set(users)) == 1 and is_ig_username(users[0]):
            self.profile_pairs.add((names[0], users[0].lower()))
            self.known_users.add(users[0].lower())

    def _dm_names(self, threads: dict[str, _Thread], infos: dict[str, dict]) -> None:
        """The display name of a follower or followed account met in a two-person thread:
        a candidate connections row (contact_id, display_name; follow flags unknown) tied to
        the thread's first message record, merged into the follow-list row."""
        follows = (self.follower_users or set()) | (self.following_users or set())
        first: dict[str, tuple[str, int]] = {}
        for disp, line, key, *_rest in self.msg_rows:
            first.setdefault(key, (disp, line))
        rows = []
        for key, info in infos.items():
            t = threads[key]
            contact = info["contact"]
            if t.platform != "instagram" or info["group"] or contact not in follows:
                continue
            others = [p for p in t.participants if p != info["me"]]
            if len(others) == 1 and key in first:
                rows.append({"account_id": self.account_id["instagram"], "platform": "instagram",
                             "contact_id": contact, "display_name": others[0],
                             "_file": first[key][0], "_line": first[key][1]})  # fmt: skip
        self.res.add("connections", rows)

    def _name_contact(self, platform: str, name: str) -> str:
        if platform == "instagram" and name in self.name_to_user:
            return self.name_to_user[name]
        return f"name:{name}"

    def _load_threads(self, threads: dict[str, _Thread]) -> None:
        if not self.thread_reports:
            return
        # display name -> username: from two-person Instagram threads that carry a known
        # username, and from the export's profile data; a name with two usernames is neither
        seen: dict[str, set[str]] = defaultdict(set)
        for name, username in self.profile_pairs:
            seen[name].add(username)
        for t in threads.values():
            if t.platform != "instagram" or len(t.participants) != 2:
                continue
            user = self._thread_user(t)
            me = self.own["instagram"].dm_name or (
                next((p for p in t.participants if p != t.title), None)
                if t.title in t.participants
                else None
            )
            others = [p for p in t.participants if p != me]
            if user and len(others) == 1:
                seen[others[0]].add(user)
        self.name_to_user = {n: next(iter(u)) for n, u in seen.items() if len(u) == 1}
        infos = {k: self._resolve_thread(t) for k, t in threads.items()}
        self._dm_names(threads, infos)

        for rep, key in self.thread_reports:
            plat = threads[key].platform
            rep.format = "instagram-dm" if plat == "instagram" else "facebook-messenger"
            rep.carries(plat, "messages_in", "messages_out", account_id=self.account_id[plat])
            self.used_platforms.add(plat)
        reports = {rep.path: rep for rep, _k in self.thread_reports}
        msg_rows, react_rows = self.msg_rows, self.react_rows

        mschema = {
            "_file": pl.String,
            "_line": pl.Int64,
            "key": pl.String,
            "sender": pl.String,
            "ts": pl.Int64,
            "kind": pl.String,
            "dk": pl.Int64,
        }
        rschema = {
            "_file": pl.String,
            "_line": pl.Int64,
            "key": pl.String,
            "actor": pl.String,
            "sender": pl.String,
            "ts": pl.Int64,
            "dk": pl.Int64,
        }
        tinfo = pl.DataFrame(
            [
                {
                    **v,
                    "platform": threads[k].platform,
                    "account_id": self.account_id[threads[k].platform],
                }
                for k, v in infos.items()
            ],
            schema={
                "key": pl.String,
                "me": pl.String,
                "group": pl.Boolean,
                "contact": pl.String,
                "reason": pl.String,
                "platform": pl.String,
                "account_id": pl.String,
            },
        )
        mdf = pl.DataFrame(msg_rows, schema=mschema, orient="row").join(tinfo, on="key", how="left")
        rdf = pl.DataFrame(react_rows, schema=rschema, orient="row").join(
            tinfo, on="key", how="left"
        )
        name_map = self.name_to_user

        def contact_of(col: str) -> pl.Expr:
            named = pl.lit("name:") + pl.col(col)
            if not name_map:
                return named
            mapped = pl.col(col).replace_strict(name_map, default=None, return_dtype=pl.String)
            return (
                pl.when(pl.col("platform") == "instagram")
                .then(pl.coalesce(mapped, named))
                .otherwise(named)
            )

        mdf = mdf.with_columns(
            direction=pl.when(pl.col("sender") == pl.col("me"))
            .then(pl.lit("out"))
            .otherwise(pl.lit("in"))
        ).with_columns(
            reason=pl.coalesce(
                "reason",
                pl.when(pl.col("group") & (pl.col("direction") == "out")).then(
                    pl.lit(GROUP_OUT_REASON)
                ),
            ),
            contact_id=pl.when(pl.col("group"))
            .then(contact_of("sender"))
            .otherwise(pl.col("contact")),
        )
        for file, line, reason in (
            mdf.filter(pl.col("reason").is_not_null())
            .select("_file", "_line", "reason")
            .iter_rows()
        ):
            reports[file].reject(line, reason)
        ok = mdf.filter(pl.col("reason").is_null())
        self.res.add(
            "interactions",
            ok.select(
                "account_id",
                "platform",
                "contact_id",
                pl.col("ts").cast(TS),
                "kind",
                "direction",
                pl.lit(None, pl.String).alias("post_id"),
                "_file",
                "_line",
                pl.col("dk").alias("_dupkey"),
            ),
        )

        mine = pl.col("actor") == pl.col("me")
        to_me = pl.col("sender") == pl.col("me")
        rdf = rdf.filter(pl.col("reason").is_null() & (mine ^ to_me)).with_columns(
            direction=pl.when(mine).then(pl.lit("out")).otherwise(pl.lit("in")),
            contact_id=pl.when(~pl.col("group"))
            .then(pl.col("contact"))
            .when(mine)
            .then(contact_of("sender"))
            .otherwise(contact_of("actor")),
        )
        self.res.add(
            "interactions",
            rdf.select(
                "account_id",
                "platform",
                "contact_id",
                pl.col("ts").cast(TS),
                pl.lit("reaction").alias("kind"),
                "direction",
                pl.lit(None, pl.String).alias("post_id"),
                "_file",
                "_line",
                pl.col("dk").alias("_dupkey"),
            ),
        )

    @staticmethod
    def _message(
        rep: FileReport, disp: str, key: str, i: int, msg: Any, msg_rows: list, react_rows: list
    ) -> None:
        """One DM record -> a compact message tuple (+ reaction tuples), or a reject."""
        if not isinstance(msg, dict):
            rep.reject(i, "not a message object")
            return
        sender = msg.get("sender_name")
        if not isinstance(sender, str) or not sender.strip():
            rep.reject(i, "message without sender_name")
            return
        sender = sender.strip()
        ok, us = _ts_us(rep, i, msg.get("timestamp_ms"), unit="ms")
        if not ok:
            return
        content = msg.get("content") if isinstance(msg.get("content"), str) else ""
        # echo/system/call lines are short generated sentences; a long text is a message (and
        # the patterns, with nested ".+", would be slow on a hostile 1 MB one)
        short = content if len(content) <= _GENERATED_MAX else ""
        if short and _ECHO.match(short):
            rep.reject(i, ECHO_REASON)
            return
        if msg.get("type") in ("Subscribe", "Unsubscribe") or (short and _SYSTEM.match(short)):
            rep.reject(i, SYSTEM_REASON)
            return
        kind = "call" if "call_duration" in msg or (short and _CALL.match(short)) else "dm"
        # the message's own identity (``_dupkey``): its text, else its first attachment, so
        # two messages in the same millisecond are not taken for one repeated record
        ident = content or _attachment(msg)
        dk = hash(ident)
        msg_rows.append((disp, i, key, sender, us, kind, dk))
        reactions = msg.get("reactions")
        for r in reactions if isinstance(reactions, list) else []:
            if (
                not isinstance(r, dict)
                or not isinstance(r.get("actor"), str)
                or not r["actor"].strip()
            ):
                continue
            try:
                rus = epoch_us(r.get("timestamp"))
            except BadTimestamp:
                rus = None
            emoji = r.get("reaction") if isinstance(r.get("reaction"), str) else ""
            react_rows.append(
                (disp, i, key, r["actor"].strip(), sender, rus or us, hash((ident, emoji)))
            )


def _raw_key(raw: Any) -> str | None:
    """The whole raw entry as text (``_dupkey`` where the export gives no id)."""
    if raw is None:
        return None
    return json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str)


def _attachment(msg: dict) -> str:
    """The first attachment of a DM that has no text (a share's link, a photo's uri, …)."""
    share = msg.get("share")
    if isinstance(share, dict) and isinstance(share.get("link"), str):
        return share["link"]
    for k in ("photos", "videos", "audio_files", "files", "gifs"):
        v = msg.get(k)
        if (
            isinstance(v, list)
            and v
            and isinstance(v[0], dict)
            and isinstance(v[0].get("uri"), str)
        ):
            return v[0]["uri"]
    sticker = msg.get("sticker")
    if isinstance(sticker, dict) and isinstance(sticker.get("uri"), str):
        return sticker["uri"]
    return ""


def _fb_inner(item: dict, key: str) -> dict:
    """The ``data[].<key>`` object of a Facebook comments/reactions entry (or ``{}``)."""
    data = item.get("data")
    for d in data if isinstance(data, list) else []:
        if isinstance(d, dict) and isinstance(d.get(key), dict):
            return d[key]
    return {}


def fb_title_owner(title: str) -> tuple[str | None, str | None]:
    """The other person whose post/comment a Facebook title is about (docs/export-formats.md
    §5.6): ``"Alice commented on Bob Example's post."`` -> ``("Bob Example", "commented on")``.
    Own posts (``his own``, ``her own`` …) and titles without a possessive give ``None``; a
    reply on one's own comment under someone else's post gives that someone."""
    mt = _FB_VERB.match(title.strip())
    if not mt:
        return None, None
    rest, verb = mt.group("rest"), mt.group("verb")
    if _FB_OWN.match(rest):
        on = _FB_ON_POSS.search(rest)
        return (on.group("who").strip(), verb) if on else (None, verb)
    poss = _FB_POSS.match(rest)
    return (poss.group("who").strip(), verb) if poss else (None, verb)


def _entry_labels(entry: dict) -> list[tuple[str, str]]:
    """(key, text value) of an entry's ``string_map_data`` and ``label_values`` (§5.5)."""
    out = [
        (k, v["value"].strip())
        for k, v in string_map(entry).items()
        if isinstance(v.get("value"), str) and v["value"].strip()
    ]
    if "label_values" in entry:
        out += [
            (lab, x["value"].strip())
            for lab, x, _t in walk_labels(entry["label_values"])
            if isinstance(x.get("value"), str) and x["value"].strip()
        ]
    return out


def _comment_owner_time(it: dict) -> tuple[str | None, Any]:
    """Media owner and raw time of an Instagram comment entry: ``string_map_data`` with
    English/Dutch/Danish keys (fallback: a key naming an owner; the first entry with a
    timestamp) or ``label_values`` (§5.5)."""
    smd = string_map(it)
    owner = None
    for k in _OWNER_KEYS:
        v = smd.get(k, {}).get("value")
        if isinstance(v, str) and v.strip():
            owner = v.strip()
            break
    if owner is None:
        for k, v in smd.items():
            if _OWNER_HINT.search(k) and isinstance(v.get("value"), str) and v["value"].strip():
                owner = v["value"].strip()
                break
    raw_ts = None
    for k in _TIME_KEYS:
        if k in smd and smd[k].get("timestamp") not in (None, 0):
            raw_ts = smd[k]["timestamp"]
            break
    if raw_ts is None:
        raw_ts = next(
            (v["timestamp"] for v in smd.values() if v.get("timestamp") not in (None, 0)), None
        )
    if "label_values" in it:
        labels = list(walk_labels(it["label_values"]))
        if owner is None:
            owner = next(
                (
                    str(x["value"]).strip()
                    for lab, x, _t in labels
                    if lab in _OWNER_KEYS + _USER_KEYS and x.get("value")
                ),
                None,
            )
        if raw_ts is None:
            raw_ts = next(
                (
                    x.get("timestamp") or x.get("value")
                    for lab, x, _t in labels
                    if lab in _TIME_KEYS
                ),
                None,
            )
    if raw_ts is None:
        raw_ts = it.get("timestamp")
    if owner is None and isinstance(it.get("title"), str) and is_ig_username(it["title"].strip()):
        owner = it["title"].strip()
    return owner, raw_ts


def load(src: Source, **opts: Any) -> LoadResult:
    """Load a Meta JSON export (Instagram and/or Facebook) from ``src``: the rules are in
    this module's docstring (docs/export-formats.md §5). Raises ``InputError`` for an HTML-format
    export and for invalid JSON in a file it reads."""
    enc = opts.get("encoding")
    return _Loader(src, enc if isinstance(enc, str) else None).run()


__all__ = ["FORMAT", "detect", "fb_title_owner", "fix_meta", "load"]
