"""Profile lists from the platforms' APIs: bios, names and counts for contacts that the
personal exports give by id only (docs/export-formats.md §1.3: X ``follower.js`` has numeric ids
only; §6.4: Mastodon gives ``user@domain`` only).

Accepted files (``*.json``, ``*.jsonl``, ``*.ndjson``; detected by content, not by name):

* X API v1.1 user objects: ``id_str``, ``screen_name``, ``name``, ``description``,
  ``location``, ``followers_count``, ``friends_count``, ``statuses_count`` (tweets) and
  ``status.created_at`` (the latest tweet, ``Wed Oct 10 20:19:24 +0000 2018``; no
  ``status`` for protected accounts or accounts without tweets).
* X API v2 user objects: ``id``, ``username``, ``name``, ``description``, ``location``,
  ``public_metrics {followers_count, following_count, tweet_count}`` (no last-post date).
* Mastodon API account objects: ``acct``, ``username``, ``url``, ``display_name``,
  ``note`` (HTML, turned into plain text), ``followers_count``, ``following_count``,
  ``statuses_count``, ``last_status_at`` (a date ``2019-11-24`` since Mastodon 3.1, a
  datetime before; null when they never posted).

The post count and the last-post date become ``contact_posts`` and
``contact_last_post_at`` (UTC; a bare date is midnight UTC): what ``model.lists`` needs to
tell an inactive ghost follower. A last-post date that does not parse, lies before 2000 or
after tomorrow, or a post count that is not a whole number, is left unknown (null) and
counted in a note on the file; the rest of the profile loads.

as a JSON array, JSON lines (one user or one page per line), a single user object, or
paged responses: v1.1 cursor pages ``{"users": [...], "next_cursor": ...}`` and v2 pages
``{"data": [...], "meta": {...}}`` (alone, in an array, or one per line).

Profiles are not a canonical table: rows go to the candidate table ``"profiles"``
(``PROFILE_COLUMNS``) and ``warmcall.ingest.enrich.enrich_profiles`` turns them into candidate
connection rows for the connections they describe. One record = one user object, numbered
1, 2, ... through the file (``_line``). contact_id follows the project conventions: X =
the numeric user id string; Mastodon = lower-case ``user@domain`` (``acct``, plus the host
of ``url`` when ``acct`` is a local account without a domain). Negative counts (servers
report -1 for hidden counts) are unknown, i.e. null.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import polars as pl

from warmcall.core.errors import InputError
from warmcall.core.schema import EARLIEST, TS
from warmcall.core.words import count
from warmcall.ingest.loaders.base import LoadResult
from warmcall.ingest.loaders.mastodon import html_to_text as status_html_to_text
from warmcall.ingest.numbers import to_count_py
from warmcall.ingest.sources import Member, Source

FORMAT = "profiles"
SUFFIXES = (".json", ".jsonl", ".ndjson")
HEAD_BYTES = 128 * 1024
SNIFF_MAX_BYTES = 16 << 20  # detection reads a whole member only up to this size
_USER_KEY = re.compile(r'"(?:id_str|screen_name|acct|username)"\s*:')
PROFILE_COLUMNS: dict[str, pl.DataType] = {
    "platform": pl.String(), "contact_id": pl.String(), "handle": pl.String(),
    "display_name": pl.String(), "bio": pl.String(), "location": pl.String(),
    "contact_followers": pl.Int64(), "contact_following": pl.Int64(),
    "contact_posts": pl.Int64(), "contact_last_post_at": TS,
}  # fmt: skip
#: Note on a file whose profiles carry activity values that cannot be read (``{}`` = count).
UNREADABLE_ACTIVITY = "{} with an unreadable post count or last-post date (left unknown)"
X1_TIME = "%a %b %d %H:%M:%S %z %Y"  # X API v1.1 created_at
_FRAME_SCHEMA = {**PROFILE_COLUMNS, "_file": pl.String(), "_line": pl.Int64()}
_PAGE_KEYS = ("users", "data")
_PAGE_MARKERS = ("users", "data", "next_cursor", "next_cursor_str", "meta", "errors")
_ARRAY_START = re.compile(r'"(?:users|data)"\s*:\s*\[\s*')


# -- recognising user objects ---------------------------------------------------------
def user_kind(obj: object) -> str | None:
    """``"mastodon"``, ``"x1"`` (v1.1), ``"x2"`` (v2) or None for anything else.

    Mastodon accounts have ``acct``; v1.1 users ``screen_name``; v2 users ``username`` and
    ``id`` with no top-level ``followers_count`` or ``account_type`` (which would make it
    an Instagram Graph API user, not X)."""
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("acct"), str) and "username" in obj:
        return "mastodon"
    if isinstance(obj.get("screen_name"), str) and ("id_str" in obj or "id" in obj):
        return "x1"
    if (
        isinstance(obj.get("username"), str)
        and "id" in obj
        and "followers_count" not in obj
        and "account_type" not in obj
    ):
        return "x2"
    return None


def _is_page(obj: object) -> bool:
    return (
        isinstance(obj, dict)
        and user_kind(obj) is None
        and any(k in obj for k in _PAGE_MARKERS)
        and isinstance(obj.get("users", []), list)
        and isinstance(obj.get("data", []), list | dict)
    )


def _first_user(obj: object) -> str | None:
    if isinstance(obj, list):
        return _first_user(obj[0]) if obj else None
    if _is_page(obj):
        assert isinstance(obj, dict)
        for k in _PAGE_KEYS:
            if obj.get(k):
                return _first_user(obj[k])  # a v2 single-user lookup has data = {user}
        return None
    return user_kind(obj)


def _head(m: Member, n: int = HEAD_BYTES) -> bytes:
    """The first ``n`` bytes of a member without reading the whole file where the
    source allows it (big JSON files such as Mastodon's outbox.json are common)."""
    return m.read_head(n)  # the source reads only the head, with its caps


def _head_text(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="ignore")
    return data.decode("utf-8", errors="ignore").lstrip("\ufeff")


def sniff(m: Member) -> str | None:
    """The kind of the first user object in a JSON / JSON-lines member, or None. Reads the
    first ``HEAD_BYTES``; when the first record is longer than that (a very long bio) and
    the head shows user-object keys, the whole member (at most ``SNIFF_MAX_BYTES``)."""
    if not m.basename.lower().endswith(SUFFIXES):
        return None
    head = _head(m)
    kind = _sniff_text(_head_text(head).strip())
    if (
        kind is None
        and len(head) >= HEAD_BYTES
        and m.size <= SNIFF_MAX_BYTES
        and _USER_KEY.search(_head_text(head))
    ):
        kind = _sniff_text(_head_text(m.read_bytes()).strip())
    return kind


def _sniff_text(t: str) -> str | None:
    if not t or t[0] not in "[{":
        return None
    dec = json.JSONDecoder()
    try:
        obj, _ = dec.raw_decode(t)  # whole document, or the first line of JSON lines
        return _first_user(obj)
    except (json.JSONDecodeError, RecursionError):
        pass
    if t[0] == "[":  # a long array: decode its first element
        i = 1 + len(t[1:]) - len(t[1:].lstrip())
        try:
            obj, _ = dec.raw_decode(t, i)
            return _first_user(obj)
        except (json.JSONDecodeError, RecursionError):
            return None
    mo = _ARRAY_START.search(t)  # a long page: decode the first item of users/data
    if mo:
        try:
            obj, _ = dec.raw_decode(t, mo.end())
            return user_kind(obj)
        except (json.JSONDecodeError, RecursionError):
            return None
    return None


def _members(src: Source) -> list[Member]:
    return [m for m in src.find(*(f"*{s}" for s in SUFFIXES)) if sniff(m)]


def detect(src: Source) -> bool:
    """True if the source holds a JSON file whose first record is an X or Mastodon user
    object (alone, in an array, in JSON lines or in a page)."""
    return any(sniff(m) for m in src.find(*(f"*{s}" for s in SUFFIXES)))


# -- reading ---------------------------------------------------------------------------
def _documents(m: Member) -> list[object]:
    text = m.read_text().strip()
    try:
        return [json.loads(text)]
    except json.JSONDecodeError as e:
        if text.startswith("[") or e.msg != "Extra data":
            raise InputError(
                m.display, f"truncated or invalid JSON ({e.msg} at char {e.pos})"
            ) from None
    except RecursionError:
        raise InputError(m.display, "JSON nested too deeply to parse") from None
    docs = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            docs.append(json.loads(line))
        except json.JSONDecodeError as e:
            raise InputError(m.display, f"invalid JSON on line {n} ({e.msg})") from None
        except RecursionError:
            raise InputError(m.display, f"JSON nested too deeply to parse (line {n})") from None
    return docs


def records(m: Member) -> list[object]:
    """Every user-object record of a member, pages flattened, in file order."""
    out: list[object] = []
    for doc in _documents(m):
        for el in doc if isinstance(doc, list) else [doc]:
            if _is_page(el):
                assert isinstance(el, dict)
                for k in _PAGE_KEYS:
                    v = el.get(k) or []
                    out.extend(v if isinstance(v, list) else [v])
            else:
                out.append(el)
    return out


def html_to_text(html: str | None) -> str | None:
    """Mastodon ``note`` HTML as plain text: tags dropped, ``<br>`` a newline, paragraphs
    separated by a blank line, entities decoded. Empty text gives None. The same tokenizer
    as statuses (``mastodon.html_to_text``): linear on hostile HTML, where ``html.parser``
    is quadratic (a bio of unclosed ``<a "`` would take hours)."""
    if not html:
        return None
    return status_html_to_text(html)


def _str(v: object) -> str | None:
    return v if isinstance(v, str) and v.strip() else None


def _count(v: object) -> int | None:
    if isinstance(v, bool):
        return None
    n = v if isinstance(v, int) else to_count_py(v) if isinstance(v, str) else None
    return n if n is not None and 0 <= n < 2**63 else None  # negative or beyond Int64: unknown


def _id(v: object) -> str | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str) and v.strip().isdigit():
        return v.strip()
    return None


def _when(v: object, fmt: str | None) -> datetime | None:
    """``v`` as a UTC datetime: with ``fmt`` (strptime) or ISO-8601 (a bare date is
    midnight UTC, naive is UTC); None when it does not parse or is implausible (before 2000
    or after tomorrow, the validator's bounds)."""
    if not isinstance(v, str):
        return None
    try:
        t = datetime.strptime(v.strip(), fmt) if fmt else datetime.fromisoformat(v.strip())
    except ValueError:
        return None
    t = t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)
    return t if EARLIEST <= t <= datetime.now(UTC) + timedelta(days=1) else None


def _activity(obj: dict, kind: str) -> tuple[int | None, datetime | None, bool]:
    """(post count, last-post time, whether a present value could not be read)."""
    if kind == "x2":
        pm = obj.get("public_metrics")
        raw_n, raw_t, fmt = (pm.get("tweet_count") if isinstance(pm, dict) else None), None, None
    elif kind == "x1":
        st = obj.get("status")
        raw_n, fmt = obj.get("statuses_count"), X1_TIME
        raw_t = st.get("created_at") if isinstance(st, dict) else st
    else:
        raw_n, raw_t, fmt = obj.get("statuses_count"), obj.get("last_status_at"), None
    n, t = _count(raw_n), _when(raw_t, fmt)
    negative = isinstance(raw_n, int) and not isinstance(raw_n, bool) and raw_n < 0  # hidden
    bad = (raw_n is not None and n is None and not negative) or (raw_t is not None and t is None)
    return n, t, bad


def profile_row(obj: object) -> dict | str:
    """One user object as a ``PROFILE_COLUMNS`` row, or the reason it cannot be used; the
    bookkeeping key ``_bad_activity`` says whether a present post count or last-post date
    could not be read (module docstring)."""
    kind = user_kind(obj)
    if kind is None:
        return "not an X or Mastodon user object (no screen_name, username or acct)"
    assert isinstance(obj, dict)
    posts, last, bad = _activity(obj, kind)
    activity = {"contact_posts": posts, "contact_last_post_at": last, "_bad_activity": bad}
    if kind == "mastodon":
        acct = obj["acct"].strip().lstrip("@")
        if "@" not in acct:
            host = urlparse(obj["url"]).hostname if isinstance(obj.get("url"), str) else None
            if not host:
                return f"Mastodon account '{acct}' has no domain (no user@domain acct, no url)"
            acct = f"{acct}@{host}"
        return {
            "platform": "mastodon",
            "contact_id": acct.lower(),
            "handle": acct,
            "display_name": _str(obj.get("display_name")),
            "bio": html_to_text(_str(obj.get("note"))),
            "location": None,
            "contact_followers": _count(obj.get("followers_count")),
            "contact_following": _count(obj.get("following_count")),
            **activity,
        }
    if kind == "x1":
        cid = _id(obj.get("id_str")) or _id(obj.get("id"))
        handle, followers, following = (
            obj["screen_name"],
            obj.get("followers_count"),
            obj.get("friends_count"),
        )
    else:
        cid = _id(obj.get("id"))
        pm = obj.get("public_metrics") if isinstance(obj.get("public_metrics"), dict) else {}
        handle, followers, following = (
            obj["username"],
            pm.get("followers_count"),
            pm.get("following_count"),
        )
    if cid is None:
        return f"X user object without a numeric id (handle '{handle}')"
    return {
        "platform": "x",
        "contact_id": cid,
        "handle": _str(handle),
        "display_name": _str(obj.get("name")),
        "bio": _str(obj.get("description")),
        "location": _str(obj.get("location")),
        "contact_followers": _count(followers),
        "contact_following": _count(following),
        **activity,
    }


def load_member(m: Member) -> LoadResult:
    """Load one profile file into candidate ``profiles`` rows (module docstring)."""
    res = LoadResult()
    recs = records(m)
    rep = res.file(m.display, FORMAT, len(recs))
    rows = []
    bad = 0
    for i, obj in enumerate(recs, start=1):
        row = profile_row(obj)
        if isinstance(row, str):
            rep.reject(i, row)
        else:
            bad += row.pop("_bad_activity")
            rows.append({**row, "_file": m.display, "_line": i})
    if bad:
        rep.notes.append(UNREADABLE_ACTIVITY.format(count(bad, "profile")))
    if rows:
        res.add("profiles", pl.DataFrame(rows, schema=_FRAME_SCHEMA))
    for platform in sorted({r["platform"] for r in rows}):
        rep.carries(platform, "profiles")  # names, bios and counts of that platform's contacts
    return res


def load(src: Source, **_: object) -> LoadResult:
    """Load every profile file in ``src`` (X API users, Mastodon API accounts). JSON is
    UTF-8 (RFC 8259; a UTF-16 BOM is honoured), so an ``encoding`` option is ignored."""
    res = LoadResult()
    for m in _members(src):
        res.extend(load_member(m))
    return res
