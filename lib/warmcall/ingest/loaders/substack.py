"""Newsletters: Substack's subscriber export and the per-post open logs of its full export.

Platform ``newsletter``: your subscribers are your followers. Generic newsletter CSVs (other
services) go through the mapped-CSV loader (``--mapping``), not this module.

- The subscriber list ``email_list.<publication>.csv`` (Settings → Export, or the dashboard's
  export), detected by its header: ``email`` and ``active_subscription``, with ``expiry``,
  ``plan``, ``email_disabled``, ``created_at``, ``first_payment_at`` where present. One
  subscriber per row -> connections ``follows_me`` true, ``connected_at`` = ``created_at``
  (ISO 8601), ``i_follow`` unknown. A row with ``active_subscription`` false is a former
  subscriber: set aside ("former subscribers"), not a follower. A row without a valid
  address, or whose ``active_subscription`` is not true/false, is rejected.
- Open and click logs ``posts/<post_id>.opens.csv`` / ``….clicks.csv`` (columns
  ``post_id``, ``timestamp``, ``email``, …; by name and header): one event per row ->
  interactions ``in``, ``post_id`` = the newsletter post, ``ts`` = ``timestamp``. Kind
  ``like``, the closest canonical kind: reading or clicking through is a passive
  acknowledgement of something you sent, like a like (weight and "aware" stage of a like),
  not a conversation (``email`` would count as a private exchange). Opens are also
  inflated by mail clients that load images on their own. ``….delivers.csv`` (what was
  sent) is not read.
- Per-subscriber open/click *counts* (columns named like ``opens`` or ``clicks`` in the
  list) have no dates, so they cannot be interactions: a note says so.

E-mail addresses are never stored. contact_id is ``email-sha256:`` + the first 16 hex digits
of SHA-256 of the trimmed, lower-cased address (stable across exports, so opens meet their
subscriber); ``handle`` and ``display_name`` stay empty, and no reject reason or note quotes
an address. A hash is a pseudonym, not anonymity: whoever has an address can compute it.

Own account ``newsletter:<publication>`` from the list's file name; open logs take the
account of the one list in the same source, else that of the load (``NEEDS_ACCOUNT``,
``warmcall.ingest.resolve``: the one newsletter account, or a placeholder when there is none). Signals: followers (the list), inbound (open/click logs).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import polars as pl

from warmcall.core.errors import InputError
from warmcall.ingest.loaders.base import NEEDS_ACCOUNT, LoadResult
from warmcall.ingest.loaders.csvutil import header_of, read_csv_text
from warmcall.ingest.sources import Member, Source

FORMAT = "substack"
PLATFORM = "newsletter"
FALLBACK_ACCOUNT = "newsletter:me"
SNIFF_MAX_BYTES = 512 << 20
FORMER_REASON = "former subscriber (active_subscription is false): not a current follower"
COUNTS_NOTE = (
    "per-subscriber open/click counts have no dates, so they are not loaded as interactions "
    "(the posts/<id>.opens.csv logs of Substack's full export have dated opens)"
)
CONTACT_PREFIX = "email-sha256:"
_LIST_NAME = re.compile(r"^email_list\.(.+)\.csv$", re.I)
_EVENT_NAME = re.compile(r"\.(opens|clicks|delivers)\.csv$", re.I)
_EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


def contact_id(email: str) -> str:
    """``email-sha256:`` + 16 hex digits of SHA-256 of the trimmed, lower-cased address."""
    digest = hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()
    return CONTACT_PREFIX + digest[:16]


def _hashed(col: pl.Series) -> pl.Series:
    uniq = col.drop_nulls().unique().to_list()
    return col.replace_strict(
        {e: contact_id(e) for e in uniq}, default=None, return_dtype=pl.String
    )


def _kind(m: Member, enc: str | None) -> str | None:
    if not m.basename.lower().endswith(".csv") or m.size > SNIFF_MAX_BYTES:
        return None
    try:
        head = [c.lower() for c in header_of(m.head_text(1 << 14, enc))]
    except InputError:
        return None
    ev = _EVENT_NAME.search(m.basename)
    if ev:  # the per-post logs also have an active_subscription column
        kind = ev.group(1).lower()
        return kind if kind != "delivers" and {"email", "timestamp"} <= set(head) else None
    if "email" in head and "active_subscription" in head:
        return "list"
    return None


def detect(src: Source) -> bool:
    """True if ``src`` holds a Substack subscriber list (header ``email`` and
    ``active_subscription``) or an open/click log (``*.opens.csv``/``*.clicks.csv`` with
    ``email`` and ``timestamp``)."""
    return any(_kind(m, None) for m in src.find("*.csv"))


def load(src: Source, **opts: Any) -> LoadResult:
    """Load the Substack files in ``src`` (rules in the module docstring). Option:
    ``encoding`` of the CSVs."""
    enc = opts.get("encoding") if isinstance(opts.get("encoding"), str) else None
    res = LoadResult()
    files = [(k, m) for m in src.find("*.csv") if (k := _kind(m, enc))]
    lists = [m for k, m in files if k == "list"]
    accounts = []
    for m in lists:
        accounts.append(_load_list(m, read_csv_text(m.read_text(enc)), res))
    one = accounts[0] if len(set(accounts)) == 1 else None
    for k, m in files:
        if k != "list":
            _load_events(m, read_csv_text(m.read_text(enc)), one, res)
    return res


def _col(df: pl.DataFrame, name: str) -> str | None:
    return next((c for c in df.columns if c.strip().lower() == name), None)


def _valid_email(col: str) -> pl.Expr:
    return pl.col(col).str.strip_chars().str.contains(_EMAIL).fill_null(False)


def _load_list(m: Member, df: pl.DataFrame, res: LoadResult) -> str:
    mt = _LIST_NAME.match(m.basename)
    pub = mt.group(1).strip().lower() if mt else ""
    acct = f"{PLATFORM}:{pub}" if pub else FALLBACK_ACCOUNT
    rep = res.file(m.display, FORMAT, df.height)
    rep.carries(PLATFORM, "followers", account_id=acct)
    if not pub:
        rep.notes.append(
            f"the file is not named email_list.<publication>.csv: account_id set to '{FALLBACK_ACCOUNT}'"
        )
    if any(("open" in c.lower() or "click" in c.lower()) for c in df.columns):
        rep.notes.append(COUNTS_NOTE)
    if df.height == 0:
        return acct
    email, active = _col(df, "email"), _col(df, "active_subscription")
    created = _col(df, "created_at")
    assert email and active  # detection guarantees both
    act = pl.col(active).str.strip_chars().str.to_lowercase()
    d = df.select(
        pl.col(email).str.strip_chars().alias("email"),
        pl.when(act == "true").then(True).when(act == "false").then(False).alias("active"),
        act.alias("raw_active"),
        (pl.col(created) if created else pl.lit(None, pl.String)).alias("connected_at"),
        _valid_email(email).alias("ok"), "_line",
    )  # fmt: skip
    for line, ok, raw in (
        d.filter(~pl.col("ok") | pl.col("active").is_null())
        .select("_line", "ok", "raw_active")
        .iter_rows()
    ):
        if not ok:
            rep.reject(line, "missing or invalid e-mail address")
        else:
            rep.reject(line, "active_subscription is not true or false" if raw else
                       "missing active_subscription")  # fmt: skip
    good = d.filter(pl.col("ok") & pl.col("active").is_not_null())
    rep.set_aside(int((~good["active"]).sum()), FORMER_REASON, activity="former subscribers",
                  account_id=acct)  # fmt: skip
    cur = good.filter(pl.col("active"))
    res.add("connections", cur.select(
        pl.lit(acct).alias("account_id"), pl.lit(PLATFORM).alias("platform"),
        _hashed(cur["email"]).alias("contact_id"), "connected_at",
        pl.lit(True).alias("follows_me"), pl.lit(None, pl.Boolean).alias("i_follow"),
        pl.lit(m.display).alias("_file"), "_line"))  # fmt: skip
    return acct


def _load_events(m: Member, df: pl.DataFrame, acct: str | None, res: LoadResult) -> None:
    rep = res.file(m.display, FORMAT, df.height)
    if df.height == 0:
        rep.carries(PLATFORM, "inbound", account_id=acct)
        return
    email, ts, post = _col(df, "email"), _col(df, "timestamp"), _col(df, "post_id")
    assert email and ts
    d = df.with_columns(_valid_email(email).alias("ok"))
    for (line,) in d.filter(~pl.col("ok")).select("_line").iter_rows():
        rep.reject(line, "missing or invalid e-mail address")
    good = d.filter(pl.col("ok"))
    res.add("interactions", good.select(
        pl.lit(acct, pl.String).alias("account_id"), pl.lit(PLATFORM).alias("platform"),
        _hashed(good[email].str.strip_chars()).alias("contact_id"), pl.col(ts).alias("ts"),
        pl.lit("like").alias("kind"), pl.lit("in").alias("direction"),
        (pl.col(post) if post else pl.lit(None, pl.String)).alias("post_id"),
        *([pl.lit(True).alias(NEEDS_ACCOUNT)] if acct is None else []),
        pl.lit(m.display).alias("_file"), "_line"))  # fmt: skip
    rep.carries(PLATFORM, "inbound", account_id=acct)
