"""Profile enrichment before validation: profile records (``warmcall.ingest.loaders.profiles``,
or a mapped CSV with ``table: profiles``) fill in handles, names, bios, locations, counts and
posting activity of the connections that the personal exports give by id only
(docs/export-formats.md §1.3, §6.4).

Rule: a profile matches every candidate connection row (all frames of
``res.tables["connections"]``) of the same platform whose ``contact_id`` equals the
profile's ``contact_id``; a profile that matches none by id matches the rows whose handle
equals the profile's handle after ``warmcall.core.handles.handle_key`` (trimmed, no leading
``@``, lower-case), except where both ids are numeric and differ (two X users: a handle can
pass from one account to another, so an old handle in an archive's mentions is no proof of
identity). Each match
becomes one candidate connection row with the match's ``account_id`` and ``contact_id``,
the profile's fields, ``follows_me``/``i_follow`` null, and the profile's ``_file``/``_line``;
``accounting._merge`` then fills the connection's null fields from it (first non-null;
counts: the largest). A profile that matches no connection is rejected with the reason
``"profile matches no connection"``. The non-canonical ``profiles`` table is removed.
"""

from __future__ import annotations

import polars as pl

from warmcall.core.handles import handle_key
from warmcall.ingest.loaders.base import LoadResult
from warmcall.ingest.loaders.profiles import PROFILE_COLUMNS

NO_MATCH = "profile matches no connection"
_FIELDS = [c for c in PROFILE_COLUMNS if c not in ("platform", "contact_id")]


def _col(f: pl.DataFrame, c: str, dtype: pl.DataType) -> pl.Expr:
    """Column ``c`` of ``f`` as ``dtype`` (null where missing); a timestamp given as text (a
    mapped CSV) stays text, for the validator to parse or reject with a reason."""
    if c not in f.columns:
        return pl.lit(None, dtype).alias(c)
    if isinstance(dtype, pl.Datetime) and f.schema[c] == pl.String:
        return pl.col(c)
    return pl.col(c).cast(dtype, strict=False).alias(c)


def _connections(res: LoadResult) -> pl.DataFrame:
    """Distinct (platform, account_id, contact_id, normalized handle) of the candidates."""
    parts = [
        f.select(
            _col(f, "platform", pl.String()),
            _col(f, "account_id", pl.String()),
            _col(f, "contact_id", pl.String()),
            handle_key(_col(f, "handle", pl.String())).alias("_h"),
        )
        for f in res.tables.get("connections", [])
    ]
    if not parts:
        return pl.DataFrame(
            schema={"platform": pl.String, "account_id": pl.String, "contact_id": pl.String,
                    "_h": pl.String}
        )  # fmt: skip
    return (
        pl.concat(parts)
        .with_columns(pl.col("platform").str.strip_chars().str.to_lowercase())
        .filter(pl.col("account_id").is_not_null() & pl.col("contact_id").is_not_null())
        .unique(maintain_order=True)
    )


def _matches(p: pl.DataFrame, conns: pl.DataFrame) -> pl.DataFrame:
    """Candidate connection rows for one profiles frame (one row per profile x match)."""
    p = p.select(
        _col(p, "platform", pl.String()).str.strip_chars().str.to_lowercase(),
        _col(p, "contact_id", pl.String()).alias("_pcid"),
        handle_key(_col(p, "handle", pl.String())).alias("_ph"),
        *[_col(p, c, dt) for c, dt in PROFILE_COLUMNS.items() if c in _FIELDS],
        _col(p, "_file", pl.String()),
        _col(p, "_line", pl.Int64()),
    )
    by_id = p.join(
        conns.select("platform", "account_id", "contact_id", pl.col("contact_id").alias("_pcid")),
        on=["platform", "_pcid"],
        how="inner",
    )
    numeric = r"^[0-9]+$"
    by_handle = p.join(
        by_id.select("_file", "_line"), on=["_file", "_line"], how="anti", nulls_equal=True
    ).join(
        conns.filter(pl.col("_h").is_not_null()).select(
            "platform", "account_id", "contact_id", pl.col("_h").alias("_ph")
        ),
        on=["platform", "_ph"],
        how="inner",
    )
    both_numeric = pl.col("_pcid").str.contains(numeric).fill_null(False) & pl.col(
        "contact_id"
    ).str.contains(numeric).fill_null(False)
    by_handle = by_handle.filter(~both_numeric)
    cols = ["account_id", "platform", "contact_id", *_FIELDS, "_file", "_line"]
    return (
        pl.concat([by_id.select(cols), by_handle.select(cols)])
        .unique(subset=["_file", "_line", "account_id", "contact_id"], maintain_order=True)
        .with_columns(
            pl.lit(None, pl.Boolean).alias("follows_me"), pl.lit(None, pl.Boolean).alias("i_follow")
        )
    )


def enrich_profiles(res: LoadResult) -> None:
    """Turn candidate ``profiles`` rows into candidate connection rows (module docstring);
    reject profiles that match no connection; remove the ``profiles`` table."""
    frames = res.tables.pop("profiles", [])
    if not frames:
        return
    conns = _connections(res)
    reports = {}
    for f in res.files:
        reports.setdefault(f.path, f)
    for p in frames:
        m = _matches(p, conns)
        res.add("connections", m)
        keys = p.select(_col(p, "_file", pl.String()), _col(p, "_line", pl.Int64()))
        unmatched = keys.join(
            m.select("_file", "_line"), on=["_file", "_line"], how="anti", nulls_equal=True
        )
        for file, line in unmatched.unique(maintain_order=True).iter_rows():
            if file in reports:
                reports[file].reject(line, NO_MATCH)
