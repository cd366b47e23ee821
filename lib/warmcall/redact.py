"""Privacy: ``redact: true`` pseudonymizes names and handles in every output.

Pseudonym of a contact = ``<platform>-<first 8 hex of SHA-256(salt | platform | contact_id)>``;
of a person = ``person-<first 8 hex of SHA-256(salt | person_id)>``. Stable within a run (and
across runs with the same salt, so week-over-week change still lines up) and unrelated to
the real handle. Bios, locations, companies and positions are blanked, because they identify
people too. The salt defaults to the report title.
"""

from __future__ import annotations

import hashlib

import polars as pl

NAME_COLS = ("handle", "display_name", "contact_id")
BLANK_COLS = ("bio", "location", "company", "position")


def _digest(values: pl.Series, salt: str) -> pl.Series:
    uniq = values.drop_nulls().unique()
    mapping = {v: hashlib.sha256(f"{salt}|{v}".encode()).hexdigest()[:8] for v in uniq.to_list()}
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)


def redact_contacts(df: pl.DataFrame, salt: str) -> pl.DataFrame:
    """Replace handle, display_name and contact_id with the contact pseudonym, person_id with
    the person pseudonym, and blank bio, location, company and position (absent columns are
    skipped)."""
    if df.height == 0 or "contact_id" not in df.columns or "platform" not in df.columns:
        return df
    key = df.select(pl.format("{}|{}", "platform", "contact_id")).to_series()
    pseudo = pl.format("{}-{}", pl.col("platform"), pl.lit(_digest(key, salt)))
    out = df.with_columns([pseudo.alias(c) for c in NAME_COLS if c in df.columns])
    if "person_id" in df.columns:
        out = out.with_columns(
            pl.format("person-{}", pl.lit(_digest(df["person_id"], salt))).alias("person_id")
        )
    return out.with_columns(
        [pl.lit(None, pl.String).alias(c) for c in BLANK_COLS if c in df.columns]
    )
