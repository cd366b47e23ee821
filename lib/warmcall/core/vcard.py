"""Contacts out: people as vCard 4.0 (RFC 6350), written with the ``vobject`` library, for an
address book or a CRM (``plan.vcf`` beside ``plan.csv``; ``data/<list>.vcf`` for each list).

``to_vcf(cards)`` takes one row per card with the columns (all text, null allowed)
``name``, ``url``, ``platform``, ``handle`` and ``note``, and writes, per row:

- ``FN``: ``name`` (a card always has one: the caller gives the display name, else the
  handle, else the id);
- ``URL``: ``url`` (the profile link, ``model.links.profile_url``), when known;
- ``X-SOCIALPROFILE;TYPE=<platform>``: the profile link (else the handle), the de-facto
  property address books read for social profiles, with ``X-USER=<handle>`` when the handle
  is a plain identifier (letters, digits, ``_ . @ -``: parameter values cannot carry quotes
  or control characters, so anything else is left out of the parameter; it is still in
  ``NOTE``);
- ``NOTE``: ``note`` (several lines allowed: the caller's own line breaks).

Strings from data are hostile: each is passed through ``sanitize.vcard_text`` (one line, no
control character, bidi controls visible) before ``vobject`` escapes it (``\\\\ \\, \\; \\n``,
RFC 6350 §3.4) and folds long lines; they are never escaped twice. A name with a newline and
``END:VCARD`` therefore stays inside its ``FN`` value. CRLF line endings; UTF-8.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import polars as pl
import vobject

from warmcall.core.outputs import write_text_atomic
from warmcall.core.sanitize import vcard_text
from warmcall.core.schema import PLATFORMS

CARD_COLUMNS = ("name", "url", "platform", "handle", "note")
_PARAM_SAFE = re.compile(r"^[\w.@-]{1,100}$")


def _card(row: dict[str, str | None]) -> vobject.base.Component:
    c = vobject.vCard()
    c.add("version").value = "4.0"
    c.add("fn").value = vcard_text(row.get("name")).strip() or "(no name)"
    url = vcard_text(row.get("url")).strip()
    if url:
        c.add("url").value = url
    handle = vcard_text(row.get("handle")).strip().lstrip("@")
    platform = row.get("platform")
    if platform in PLATFORMS and (url or handle):
        sp = c.add("x-socialprofile")
        sp.value = url or handle
        sp.params["TYPE"] = [platform]
        if _PARAM_SAFE.match(handle):
            sp.params["X-USER"] = [handle]
    note = "\n".join(vcard_text(line).strip() for line in str(row.get("note") or "").split("\n"))
    if note.strip():
        c.add("note").value = note.strip()
    return c


def to_vcf(cards: pl.DataFrame) -> str:
    """The cards (module docstring: columns and properties), one vCard 4.0 per row in row
    order, as one text (an empty frame gives an empty text)."""
    missing = [c for c in CARD_COLUMNS if c not in cards.columns]
    if missing:
        raise ValueError(f"vCard rows need the columns {', '.join(missing)}")
    rows = cards.select([pl.col(c).cast(pl.String) for c in CARD_COLUMNS]).to_dicts()
    return "".join(_card(r).serialize() for r in rows)


def write_vcf(cards: pl.DataFrame, path: str | os.PathLike[str]) -> Path:
    """``to_vcf`` written atomically to ``path`` (UTF-8, CRLF)."""
    return write_text_atomic(path, to_vcf(cards))
