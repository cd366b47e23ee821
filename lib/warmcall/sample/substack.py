"""Write the canonical rows of one newsletter account as Substack's subscriber export
``email_list.<publication>.csv`` (the layout ``warmcall.ingest.loaders.substack`` reads).

Columns, as Substack writes them: ``email``, ``active_subscription``, ``expiry``, ``plan``,
``email_disabled``, ``created_at`` (ISO 8601 with milliseconds and ``Z``),
``first_payment_at``. One current subscriber per ``follows_me`` connection.

E-mail addresses: the story never keeps one. A subscriber's address is derived from the
row's own ``display_name`` and ``connected_at`` (``email_of``), and the story sets its
``contact_id`` to the loader's pseudonym of that address (``substack.contact_id``), so the
loaded subscribers are the story's. What the format cannot carry: handles, names, bios,
follower counts (the loader stores none of them), and every interaction.
"""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

HEADER = ["email", "active_subscription", "expiry", "plan", "email_disabled", "created_at",
          "first_payment_at"]  # fmt: skip
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
DOMAIN = "example.com"  # reserved for documentation (RFC 2606): never a real mailbox


def email_of(display_name: str, connected_at: datetime) -> str:
    """The synthetic address of a subscriber: ``first.last.<µs since epoch>@example.com``
    (lower case; the timestamp makes it unique and reproducible from the row)."""
    name = re.sub(r"[^a-z0-9]+", ".", display_name.lower()).strip(".") or "reader"
    us = (connected_at - EPOCH) // timedelta(microseconds=1)
    return f"{name}.{us}@{DOMAIN}"


def write(tables: dict[str, pl.DataFrame], account_id: str, out: Path) -> Path:
    """Write ``account_id``'s subscribers (``follows_me`` connections) as
    ``email_list.<publication>.csv`` in the folder ``out`` (or at ``out`` when it ends in
    ``.csv``). Rows sorted by address; every subscriber is on the free plan and active.
    Returns the path."""
    out = Path(out)
    pub = account_id.removeprefix("newsletter:")
    path = out if out.suffix.lower() == ".csv" else out / f"email_list.{pub}.csv"
    conns = tables.get("connections")
    rows = []
    if conns is not None and conns.height:
        subs = conns.filter(
            (pl.col("account_id") == account_id) & pl.col("follows_me").fill_null(False)
        )
        for name, at in subs.select("display_name", "connected_at").iter_rows():
            created = at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"
            rows.append([email_of(name, at), "true", "", "free", "false", created, ""])
    rows.sort()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(HEADER)
    w.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(buf.getvalue(), encoding="utf-8")
    os.replace(tmp, path)
    return path
