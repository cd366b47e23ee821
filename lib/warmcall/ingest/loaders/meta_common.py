"""Shared pieces of the Meta ("Download your information", JSON) loader: the mojibake fix,
JSON reading, timestamps and the small shape helpers used by Instagram and Facebook files.

Rules are from docs/export-formats.md §5 (Meta); see ``warmcall.ingest.loaders.meta`` for the loader.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlparse

from warmcall.core.errors import InputError
from warmcall.ingest.sources import Member

# -- mojibake (§5.2) -----------------------------------------------------------------------


def fix_meta(s: str) -> str:
    """Undo Meta's mojibake: UTF-8 bytes written as separate ``\\u00XX`` escapes
    (docs/export-formats.md §5.2). Encode back to Latin-1 and decode as UTF-8; keep the string unchanged
    when that fails, because some fields are already correct (``café ’``)."""
    if s.isascii():
        return s
    try:
        return s.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return s


def fix_tree(o: Any) -> Any:
    """Apply ``fix_meta`` to every string, list item and dict key of parsed JSON
    (docs/export-formats.md §5.2: keys too, recursively). Meta data only."""
    if isinstance(o, str):
        return fix_meta(o)
    if isinstance(o, list):
        return [fix_tree(x) for x in o]
    if isinstance(o, dict):
        return {fix_meta(k) if isinstance(k, str) else k: fix_tree(v) for k, v in o.items()}
    return o


def break_meta(s: str) -> str:
    """The inverse of ``fix_meta``: what Meta writes for a non-ASCII string (its UTF-8 bytes
    as Latin-1 characters, which ``json.dumps`` then escapes as ``\\u00XX``). §5.2."""
    return s if s.isascii() else s.encode("utf-8").decode("latin-1")


def break_tree(o: Any) -> Any:
    """``break_meta`` applied to every string, list item and dict key."""
    if isinstance(o, str):
        return break_meta(o)
    if isinstance(o, list):
        return [break_tree(x) for x in o]
    if isinstance(o, dict):
        return {break_meta(k) if isinstance(k, str) else k: break_tree(v) for k, v in o.items()}
    return o


def parse_json(m: Member, text: str | None = None) -> Any:
    """Parse a Meta JSON member (UTF-8, optional BOM) without the mojibake fix.
    Invalid or truncated JSON raises ``InputError`` naming the member."""
    if text is None:
        text = m.read_text()
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(
            m.display, f"invalid or truncated JSON ({e.msg} at line {e.lineno})"
        ) from None
    except RecursionError:
        raise InputError(m.display, "JSON nested too deeply to parse") from None


# A JSON string literal holding at least one character above ASCII, written raw or as a
# ``\u0080``-``\u00ff`` escape. Possessive and anchored on quotes: structural text between
# literals holds no such character, so every match is exactly one whole literal.
_HIGH_LITERAL = re.compile(
    r'"(?:[^"\\\x80-\U0010ffff]|\\[^u]|\\u(?!00[89a-fA-F])[0-9a-fA-F]{4})*+'
    r'(?:\\u00[89a-fA-F][0-9a-fA-F]|[^\x00-\x7f])(?:[^"\\]|\\.)*+"'
)


def _fix_literal(mt: re.Match[str]) -> str:
    try:
        s = json.loads(mt.group(0))
    except json.JSONDecodeError:  # left for the parser to report
        return mt.group(0)
    fixed = fix_meta(s)
    return mt.group(0) if fixed == s else json.dumps(fixed, ensure_ascii=False)


_HEX = frozenset("0123456789abcdefABCDEF")


def _unescaped_quote(text: str, pos: int, step: int) -> int:
    """Index of the nearest ``"`` before (step -1) or after (step 1) ``pos`` that is not
    escaped by an odd run of backslashes; -1 when there is none."""
    while True:
        q = text.rfind('"', 0, pos) if step < 0 else text.find('"', pos)
        if q < 0:
            return -1
        n = 0
        while q - n - 1 >= 0 and text[q - n - 1] == "\\":
            n += 1
        if n % 2 == 0:
            return q
        pos = q if step < 0 else q + 1


def _fix_ascii_json(text: str) -> str:
    """Fast path of ``fix_json_text`` for ASCII JSON (Meta escapes everything): find each
    ``\\u0080``-``\\u00ff`` escape with ``str.find`` and repair the literal around it (inside a
    literal, the nearest unescaped quotes are its own)."""
    out: list[str] = []
    done = 0
    pos = text.find("\\u00")
    while pos >= 0:
        c1, c2 = text[pos + 4 : pos + 5], text[pos + 5 : pos + 6]
        if c1 in "89abcdefABCDEF" and c1 and c2 in _HEX and c2:
            n = 0
            while pos - n - 1 >= 0 and text[pos - n - 1] == "\\":
                n += 1
            start = _unescaped_quote(text, pos, -1) if n % 2 == 0 else -1
            end = _unescaped_quote(text, pos, 1) if start >= done else -1
            if start >= done and end > pos:
                lit = text[start : end + 1]
                mt = _HIGH_LITERAL.fullmatch(lit)
                out.append(text[done:start])
                out.append(_fix_literal(mt) if mt else lit)
                done = end + 1
                pos = text.find("\\u00", done)
                continue
        pos = text.find("\\u00", pos + 1)
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def fix_json_text(text: str) -> str:
    """``fix_meta`` applied to every string literal (values, list items and keys) of JSON
    text, before parsing: the same result as ``fix_tree(json.loads(text))`` (§5.2), but only
    literals with non-ASCII content are touched, so large message files stay fast."""
    if text.isascii():
        return _fix_ascii_json(text)
    return _HIGH_LITERAL.sub(_fix_literal, text)


def read_meta_json(m: Member, encoding: str | None = None) -> Any:
    """Parse a Meta JSON member and repair its mojibake everywhere (§5.1, §5.2)."""
    return parse_json(m, fix_json_text(m.read_text(encoding)))


# -- timestamps ---------------------------------------------------------------------------


_MAX_ABS_US = 253_402_300_799 * 1_000_000  # 9999-12-31T23:59:59Z


class BadTimestamp(ValueError):
    """A timestamp value that is present but not a number of seconds/milliseconds."""


def epoch_us(value: Any, unit: str = "s") -> int | None:
    """Unix ``timestamp`` (seconds) or ``timestamp_ms`` (milliseconds) -> microseconds since
    the epoch, UTC (docs/export-formats.md §5.3, §5.4, §5.6). ``None`` and ``0`` (Meta's "no time")
    give ``None``; anything that is not a finite number, or lies beyond the year 9999 (no
    datetime holds it), raises ``BadTimestamp``."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise BadTimestamp(value)
    if isinstance(value, str):
        v = value.strip()
        if not re.fullmatch(r"\d+(\.\d+)?", v):
            raise BadTimestamp(value)
        value = float(v) if "." in v else int(v)
    if not isinstance(value, int | float) or not math.isfinite(value):
        raise BadTimestamp(value)
    if value == 0:
        return None
    scale = 1_000 if unit == "ms" else 1_000_000
    us = int(round(value * scale))
    if not -_MAX_ABS_US <= us <= _MAX_ABS_US:  # beyond year 9999: no datetime holds it
        raise BadTimestamp(value)
    return us


# -- names and shapes -----------------------------------------------------------------------

_IG_USERNAME = re.compile(r"^[A-Za-z0-9._]{1,30}$")


def is_ig_username(s: str | None) -> bool:
    """Instagram usernames: letters, digits, periods and underscores, at most 30."""
    return bool(s) and bool(_IG_USERNAME.match(s or ""))


def username_from_href(href: str | None) -> str | None:
    """The last segment of an Instagram profile URL path, ignoring ``_u`` (§5.3):
    ``https://www.instagram.com/_u/bob`` -> ``bob``."""
    if not href:
        return None
    parts = [p for p in urlparse(href).path.split("/") if p and p != "_u"]
    return parts[-1] if parts else None


def ig_entry_username(entry: dict) -> str | None:
    """Username of a followers/following/likes entry: ``string_list_data[0].value``, then
    ``title``, then the last part of the ``href`` path (docs/export-formats.md §5.3)."""
    sld = entry.get("string_list_data") or [{}]
    first = sld[0] if isinstance(sld, list) and sld and isinstance(sld[0], dict) else {}
    v = first.get("value")
    if isinstance(v, str) and v.strip():
        return v.strip()
    t = entry.get("title")
    if isinstance(t, str) and t.strip():
        return t.strip()
    h = first.get("href")
    return username_from_href(h) if isinstance(h, str) else None


def first_sld(entry: dict) -> dict:
    """The first ``string_list_data`` item of an entry (or ``{}``)."""
    sld = entry.get("string_list_data")
    if isinstance(sld, list) and sld and isinstance(sld[0], dict):
        return sld[0]
    return {}


def unwrap_list(data: Any, *keys: str, prefix: str | None = None) -> list | None:
    """The record list of a Meta file: a bare list, or the list under one of ``keys`` (or
    under the first key starting with ``prefix``). ``None`` when the shape does not fit."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for k in keys:
            if isinstance(data.get(k), list):
                return data[k]
        if prefix:
            for k, v in data.items():
                if isinstance(k, str) and k.startswith(prefix) and isinstance(v, list):
                    return v
    return None


def walk_labels(
    o: Any, titles: tuple[str, ...] = ()
) -> Iterator[tuple[str, dict, tuple[str, ...]]]:
    """Every ``{"label": …}`` item of a ``label_values`` structure, recursing into nested
    ``dict`` lists (docs/export-formats.md §5.5). Yields ``(label, item, enclosing titles)``."""
    if isinstance(o, list):
        for x in o:
            yield from walk_labels(x, titles)
    elif isinstance(o, dict):
        if isinstance(o.get("label"), str):
            yield o["label"], o, titles
        t = o.get("title")
        inner = titles + (t,) if isinstance(t, str) and t else titles
        for k in ("label_values", "dict"):
            if k in o:
                yield from walk_labels(o[k], inner)


def string_map(entry: dict) -> dict[str, dict]:
    """``string_map_data`` of an entry, keys stripped (localized keys, §5.5)."""
    smd = entry.get("string_map_data")
    if not isinstance(smd, dict):
        return {}
    return {str(k).strip(): v for k, v in smd.items() if isinstance(v, dict)}


def parent_dir(name: str) -> str:
    return str(PurePosixPath(name).parent)


# -- the archive's own name ------------------------------------------------------------------

_ARCHIVE_NAME = re.compile(
    r"^(instagram|facebook)-([a-z0-9._]+)-(\d{4}-\d{2}-\d{2}|\d{2}[-_]\d{2}[-_]\d{4})", re.I
)


def archive_username(names: list[str], platform: str) -> str | None:
    """The lower-case username in a Meta archive name ``<platform>-<username>-<date>…``
    (§5.1: ``instagram-alice-2025-08-24-AbCd.zip``), from the first of ``names`` (the source
    path's name, then its top-level folders) that has one for ``platform``; else None."""
    for n in names:
        mt = _ARCHIVE_NAME.match(n)
        if mt and mt.group(1).lower() == platform:
            return mt.group(2).lower()
    return None
