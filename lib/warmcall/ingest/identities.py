"""``identities.csv``: the user's own statement of who is who across platforms (columns
person, platform, handle; one row per profile). It is authoritative over the automatic
matching of ``warmcall.model.identity``."""

from __future__ import annotations

import os

import polars as pl

from warmcall.core.errors import InputError
from warmcall.core.handles import handle_key, handle_keys
from warmcall.ingest.loaders.csvutil import read_csv_text
from warmcall.ingest.sources import Source


def identity_handle(e: pl.Expr) -> pl.Expr:
    """The handle's key (``warmcall.core.handles.handle_key``) without a Mastodon ``@host``:
    the same person keeps the user name across platforms, not the host."""
    return handle_key(e).str.replace(r"@.*$", "")


def identity_keys(handles: pl.Series) -> pl.Series:
    """``identity_handle`` of every value, through ``handle_keys`` (the full handle rule only
    for handles that are not plain)."""
    return handle_keys(handles).str.replace(r"@.*$", "")


def read_identities(path: str | os.PathLike[str]) -> pl.DataFrame:
    """Read ``identities.csv`` (person, platform, handle); raises ``InputError`` if columns
    are missing."""
    src = Source.open(path)
    m = src.members()[0]
    df = read_csv_text(m.read_text())
    missing = [c for c in ("person", "platform", "handle") if c not in df.columns]
    if missing:
        raise InputError(
            m.display, f"missing column(s) {', '.join(missing)} (need person, platform, handle)"
        )
    return df.select(
        pl.col("person").str.strip_chars(),
        pl.col("platform").str.strip_chars().str.to_lowercase(),
        identity_handle(pl.col("handle")).alias("_h"),
    ).drop_nulls()
