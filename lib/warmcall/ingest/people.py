"""``people.csv``: the user's own keep-in-touch list (params ``people``).

Columns ``handle`` and ``platform`` (required), ``cadence_days`` and ``tag`` (optional,
either may be empty): "keep in touch with this person at least every ``cadence_days``
days", and a free label shown beside them. One row per profile; the handle is compared
through the one handle normaliser (``warmcall.core.handles.handle_key``: ``@Bob``, ``bob``
and ``https://x.com/bob`` are one handle) with the contact's handle, or its contact id
where the export gives no handle (a Mastodon address, a LinkedIn slug, a Bluesky DID).

Every row is loaded or set aside with its line and reason, never dropped silently:

- the handle is empty (after normalising): "no handle";
- the platform is not one of warmcall's platforms: "unknown platform";
- ``cadence_days`` is given but is not a whole number from 1 to 3650: "cadence_days is not
  a whole number of days from 1 to 3650";
- the same platform and handle again: "duplicate of line N" (the first row wins).

A file without a ``handle`` or ``platform`` column, or one that cannot be read, is an
``InputError`` naming it. Reasons never quote the row's content.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import polars as pl

from warmcall.core.errors import InputError
from warmcall.core.handles import handle_key
from warmcall.core.schema import PLATFORMS
from warmcall.ingest.loaders.csvutil import read_csv_text
from warmcall.ingest.sources import Source

MAX_CADENCE_DAYS = 3650
PEOPLE_SCHEMA = {"platform": pl.String(), "_h": pl.String(), "person_cadence_days": pl.Int64(),
                 "tag": pl.String(), "line": pl.Int64()}  # fmt: skip
SET_ASIDE_SCHEMA = {"line": pl.Int64(), "reason": pl.String()}


@dataclass(frozen=True)
class PeopleFile:
    """The rows of ``people.csv`` that apply (``rows``: platform, ``_h`` the handle key,
    ``person_cadence_days``, ``tag``, ``line``) and those set aside (``set_aside``: line,
    reason), with the file's name as shown."""

    name: str
    rows: pl.DataFrame
    set_aside: pl.DataFrame


def read_people(path: str | os.PathLike[str]) -> PeopleFile:
    """Read ``people.csv`` by the rules of the module docstring."""
    src = Source.open(path)
    m = src.members()[0]
    df = read_csv_text(m.read_text())
    cols = {c.strip().lower(): c for c in df.columns if c != "_line"}
    missing = [c for c in ("handle", "platform") if c not in cols]
    if missing:
        raise InputError(
            m.display,
            f"missing column(s) {', '.join(missing)} (need handle, platform; optional "
            "cadence_days, tag)",
        )

    def col(name: str) -> pl.Expr:
        return pl.col(cols[name]).str.strip_chars() if name in cols else pl.lit(None, pl.String)

    raw_cadence = col("cadence_days")
    cadence = raw_cadence.cast(pl.Int64, strict=False)
    d = df.select(
        handle_key(pl.col(cols["handle"])).alias("_h"),
        col("platform").str.to_lowercase().alias("platform"),
        pl.when(raw_cadence != "").then(raw_cadence).alias("_raw"),
        cadence.alias("person_cadence_days"),
        pl.when(col("tag") != "").then(col("tag")).alias("tag"),
        pl.col("_line").alias("line"),
    )
    bad_cadence = pl.col("_raw").is_not_null() & ~pl.col("person_cadence_days").is_between(
        1, MAX_CADENCE_DAYS
    ).fill_null(False)
    first_line = pl.col("line").min().over("platform", "_h")
    reason = (
        pl.when(pl.col("_h").is_null())
        .then(pl.lit("no handle"))
        .when(~pl.col("platform").is_in(list(PLATFORMS)).fill_null(False))
        .then(pl.lit("unknown platform (one of " + ", ".join(PLATFORMS) + ")"))
        .when(bad_cadence)
        .then(pl.lit(f"cadence_days is not a whole number of days from 1 to {MAX_CADENCE_DAYS}"))
    )
    d = d.with_columns(reason=reason)
    ok = d.filter(pl.col("reason").is_null())
    dup = pl.col("line") != first_line
    ok = ok.with_columns(
        reason=pl.when(dup).then(pl.format("duplicate of line {}", first_line)),
    )
    set_aside = pl.concat(
        [d.filter(pl.col("reason").is_not_null()), ok.filter(pl.col("reason").is_not_null())]
    ).select("line", "reason")
    rows = ok.filter(pl.col("reason").is_null()).select(list(PEOPLE_SCHEMA))
    return PeopleFile(
        m.display,
        rows.cast(PEOPLE_SCHEMA),
        set_aside.sort("line").cast(SET_ASIDE_SCHEMA),  # type: ignore[arg-type]
    )
