"""Write canonical rows of one LinkedIn account as a LinkedIn "Get a copy of your data"
export zip (docs/export-formats.md §3), readable by ``warmcall.ingest.loaders.linkedin``.

Layout: ``Basic_LinkedInDataExport_MM-DD-YYYY.zip`` with the CSVs at the zip root, UTF-8
without BOM, LF line ends, deterministic (sorted members, fixed member timestamps):

- ``Profile.csv`` (§3.6 header): first/last name from the account's ``display_name``.
- ``Connections.csv`` (§3.2): the byte-exact ``Notes:`` preamble, a blank line, the Dec 2024
  header; one row per connection with ``follows_me`` and ``i_follow`` both true, newest
  first; ``URL`` = ``https://www.linkedin.com/in/<slug>`` (percent-encoded), empty for
  ``name:`` contacts; ``Connected On`` = ``%d %b %Y`` with English month names.
- ``messages.csv`` (§3.3, 2025 header with ``ATTACHMENTS``): one message per ``dm``
  interaction, one conversation per contact; ``CONTENT`` is empty (not in the tables).
- ``Invitations.csv`` (§3.4, seven columns): ``invitation`` interactions.
- ``Endorsement_Received_Info.csv`` (§3.6): ``endorsement`` interactions with direction in.
- ``Shares.csv`` (§3.5): posts, ``ShareLink`` = ``https://www.linkedin.com/feed/update/<urn>``.

What survives a round trip (write -> load) and what cannot:

- accounts: ``account_id``, ``platform``, ``handle`` (through the own side of messages or
  invitations; with neither the loader falls back to ``linkedin:me``), ``display_name``,
  ``snapshot_date`` (through the zip name only; when null, the latest date in the tables is
  used). Not ``followers``/``following``/``posts_count`` or the panel averages (not exported).
- connections: ``contact_id``, ``handle``, ``display_name`` (split into first and last name
  at the first space), ``company``, ``position``, ``follows_me``, ``i_follow``,
  ``connected_at`` to the day (midnight UTC). Not ``bio``, ``location``, contact counts,
  ``person_id``; connections that are not mutual (follow-only) are not written.
- interactions: ``dm`` (both directions, to the second), ``invitation`` (both directions, to
  the minute), ``endorsement`` in (to the second); ``post_id`` is not carried. Other kinds
  (reactions and comments by others on own posts, own comments/reactions, which the export
  gives without counterpart) are not written.
- posts: ``post_id`` when it is a ``urn:li:…`` URN (other ids become a derived
  ``urn:li:share:<digits>``), ``ts`` to the second, ``text``, ``is_repost`` false. No counts.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import zipfile
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

import polars as pl

from warmcall.core import schema
from warmcall.ingest.loaders.linkedin import MONTH_ABBR

IN = "https://www.linkedin.com/in/"
FEED = "https://www.linkedin.com/feed/update/"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
NOTES = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are'
    " missing. You will only see email addresses for connections who have allowed their"
    " connections to see or download their email address using this setting"
    " https://www.linkedin.com/psettings/privacy/email. You can learn more here"
    ' https://www.linkedin.com/help/linkedin/answer/261"\n'
    "\n"
)
PROFILE_HEADER = [
    "First Name", "Last Name", "Maiden Name", "Address", "Birth Date", "Headline", "Summary",
    "Industry", "Zip Code", "Geo Location", "Twitter Handles", "Websites", "Instant Messengers",
]  # fmt: skip
CONNECTIONS_HEADER = [
    "First Name",
    "Last Name",
    "URL",
    "Email Address",
    "Company",
    "Position",
    "Connected On",
]
MESSAGES_HEADER = [
    "CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
    "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER", "ATTACHMENTS",
    "IS MESSAGE DRAFT", "IS CONVERSATION DRAFT",
]  # fmt: skip
INVITATIONS_HEADER = [
    "From",
    "To",
    "Sent At",
    "Message",
    "Direction",
    "inviterProfileUrl",
    "inviteeProfileUrl",
]
ENDORSEMENTS_HEADER = [
    "Endorsement Date", "Skill Name", "Endorser First Name", "Endorser Last Name",
    "Endorser Public Url", "Endorsement Status",
]  # fmt: skip
SHARES_HEADER = ["Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl", "Visibility"]


def _csv(header: list[str], rows: list[list[str]], preamble: str = "") -> bytes:
    buf = io.StringIO()
    buf.write(preamble)
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def _rows(table: str, df: pl.DataFrame | None, account_id: str) -> pl.DataFrame | None:
    """``account_id``'s rows of ``df`` with every canonical column (missing ones null)."""
    if df is None or df.height == 0 or "account_id" not in df.columns:
        return None
    out = df.filter(pl.col("account_id") == account_id)
    missing = {c: t for c, t in schema.TABLES[table].items() if c not in out.columns}
    out = out.with_columns([pl.lit(None, t).alias(c) for c, t in missing.items()])
    return out if out.height else None


def _get(row: dict, key: str) -> object:
    v = row.get(key)
    return None if v is None or (isinstance(v, str) and not v.strip()) else v


def _split_name(name: object) -> tuple[str, str]:
    if not isinstance(name, str) or not name.strip():
        return "", ""
    first, _, last = name.strip().partition(" ")
    return first, last


def _url(contact_id: str | None) -> str:
    """Profile URL of a slug contact (percent-encoded like LinkedIn's); "" for ``name:``."""
    if not contact_id or contact_id.startswith("name:"):
        return ""
    return IN + quote(contact_id, safe="-_.~")


def connected_on(ts: datetime | date) -> str:
    """``%d %b %Y`` with English month abbreviations, whatever the locale (§3.2)."""
    return f"{ts.day:02d} {MONTH_ABBR[ts.month - 1].title()} {ts.year}"


def sent_at(ts: datetime) -> str:
    """``%m/%d/%y, %I:%M %p`` without zero padding of month, day and hour (§3.4)."""
    h = ts.hour % 12 or 12
    ampm = "AM" if ts.hour < 12 else "PM"
    return f"{ts.month}/{ts.day}/{ts.year % 100:02d}, {h}:{ts.minute:02d} {ampm}"


def _share_link(post_id: str) -> str:
    if post_id.startswith("urn:li:"):
        return FEED + post_id
    digits = 7_000_000_000_000_000_000 + int(hashlib.sha256(post_id.encode()).hexdigest()[:15], 16)
    return f"{FEED}urn:li:share:{digits}"


def _latest(*frames: pl.DataFrame | None) -> date | None:
    best: date | None = None
    for df in frames:
        if df is None:
            continue
        for c in ("ts", "connected_at"):
            if c in df.columns and df[c].drop_nulls().len():
                d = df[c].max().date()
                best = d if best is None or d > best else best
    return best


def write(tables: dict[str, pl.DataFrame], account_id: str, out: Path) -> Path:
    """Write ``account_id``'s rows of ``tables`` (canonical frames) as a LinkedIn export zip
    and return its path. ``out`` ending in ``.zip`` is the zip itself; otherwise ``out`` is
    a folder and the zip is named ``Basic_LinkedInDataExport_MM-DD-YYYY.zip`` after the
    account's ``snapshot_date`` (else the latest date in the tables). Deterministic; written
    under a temporary name, then moved into place. See the module docstring for what the
    format carries (docs/export-formats.md §3)."""
    out = Path(out)
    handle = account_id.split(":", 1)[1] if ":" in account_id else account_id
    acc = _rows("accounts", tables.get("accounts"), account_id)
    conns = _rows("connections", tables.get("connections"), account_id)
    inter = _rows("interactions", tables.get("interactions"), account_id)
    posts = _rows("posts", tables.get("posts"), account_id)
    display = None
    snapshot: date | None = None
    if acc is not None:
        first_row = acc.sort("snapshot_date", nulls_last=True, descending=True).row(0, named=True)
        display = _get(first_row, "display_name")
        snapshot = first_row.get("snapshot_date")
        handle = _get(first_row, "handle") or handle
    own_url = "" if handle == "me" else _url(str(handle).lower())
    own_name = str(display) if display else str(handle)
    snapshot = snapshot or _latest(conns, inter, posts) or date(2000, 1, 1)

    names: dict[str, str] = {}
    files: dict[str, bytes] = {}
    first, last = _split_name(display)
    files["Profile.csv"] = _csv(PROFILE_HEADER, [[first, last] + [""] * (len(PROFILE_HEADER) - 2)])

    rows: list[list[str]] = []
    if conns is not None:
        for r in conns.sort(
            ["connected_at", "contact_id"], descending=[True, False], nulls_last=True
        ).iter_rows(named=True):
            cid = r["contact_id"]
            if r.get("display_name"):
                names.setdefault(cid, r["display_name"])
            if not (r.get("follows_me") and r.get("i_follow")):
                continue
            fn, ln = _split_name(r.get("display_name"))
            ts = r.get("connected_at")
            rows.append([
                fn, ln, _url(cid), "", _get(r, "company") or "", _get(r, "position") or "",
                connected_on(ts) if ts else "",
            ])  # fmt: skip
    files["Connections.csv"] = _csv(CONNECTIONS_HEADER, rows, NOTES)

    def name_of(cid: str) -> str:
        if cid in names:
            return names[cid]
        return cid[5:] if cid.startswith("name:") else cid

    msgs: list[list[str]] = []
    invs: list[list[str]] = []
    ends: list[list[str]] = []
    if inter is not None:
        for r in inter.sort(["ts", "contact_id", "kind", "direction"], nulls_last=True).iter_rows(
            named=True
        ):
            cid, ts, kind, out_dir = r["contact_id"], r["ts"], r["kind"], r["direction"] == "out"
            if ts is None or not cid:
                continue
            them = (name_of(cid), _url(cid))
            me = (own_name, own_url)
            (frm, frm_url), (to, to_url) = (me, them) if out_dir else (them, me)
            if kind == "dm":
                conv = "2-" + base64.b64encode(cid.encode()).decode()
                when = ts.strftime("%Y-%m-%d %H:%M:%S UTC")
                msgs.append(
                    [conv, "", frm, frm_url, to, to_url, when, "", "", "INBOX", "", "No", "No"]
                )
            elif kind == "invitation":
                direction = "OUTGOING" if out_dir else "INCOMING"
                invs.append([frm, to, sent_at(ts), "", direction, frm_url, to_url])
            elif kind == "endorsement" and not out_dir:
                fn, ln = _split_name(them[0])
                url = them[1].removeprefix("https://")
                ends.append([ts.strftime("%Y/%m/%d %H:%M:%S UTC"), "", fn, ln, url, "ACCEPTED"])
    files["messages.csv"] = _csv(MESSAGES_HEADER, msgs)
    files["Invitations.csv"] = _csv(INVITATIONS_HEADER, invs[::-1])
    if ends:
        files["Endorsement_Received_Info.csv"] = _csv(ENDORSEMENTS_HEADER, ends)

    shares: list[list[str]] = []
    if posts is not None:
        for r in posts.sort(["ts", "post_id"], nulls_last=True).iter_rows(named=True):
            if r["ts"] is None or not r["post_id"]:
                continue
            text = r.get("text") or ""
            link = _share_link(str(r["post_id"]))
            shares.append([r["ts"].strftime("%Y-%m-%d %H:%M:%S"), link, text, "", "", "PUBLIC"])
    files["Shares.csv"] = _csv(SHARES_HEADER, shares)

    name = f"Basic_LinkedInDataExport_{snapshot:%m-%d-%Y}.zip"
    if out.suffix.lower() == ".zip":
        path = out
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        out.mkdir(parents=True, exist_ok=True)
        path = out / name
    tmp = path.with_name(path.name + ".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for member in sorted(files):
            info = zipfile.ZipInfo(member, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[member])
    os.replace(tmp, path)
    return path
