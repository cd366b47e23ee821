"""Cross-file resolution before validation: rows that name a contact by handle only
(the touchpoints log) get the ``account_id`` and ``contact_id`` of the loaded data.

Rule: the account is the one account of that platform in the load (a touchpoint for a
platform with no account, or with several, is rejected with the reason); the contact is
the connection whose handle matches case-insensitively without a leading ``@`` (where
several connections of the account share a handle, the first in load order: files in the
order given, rows in file order), else the normalized handle itself (a contact met offline
who is not a connection is kept).
"""

from __future__ import annotations

import polars as pl

from .loaders.base import LoadResult


def normalize_handle(e: pl.Expr) -> pl.Expr:
    """Lower-case, trimmed, without a leading ``@`` (``@Bob `` -> ``bob``)."""
    return e.str.strip_chars().str.strip_chars_start("@").str.to_lowercase()


def _frames(res: LoadResult, table: str, cols: list[str]) -> pl.DataFrame:
    parts = [
        f.select([pl.col(c).cast(pl.String) for c in cols])
        for f in res.tables.get(table, [])
        if all(c in f.columns for c in cols)
    ]
    return (
        # load order kept: the first connection holding a handle must be the same every run
        pl.concat(parts).unique(maintain_order=True)
        if parts
        else pl.DataFrame(schema=dict.fromkeys(cols, pl.String))
    )


def resolve_handles(res: LoadResult) -> None:
    """Fill ``account_id``/``contact_id`` of candidate interactions that carry ``_handle``."""
    frames = res.tables.get("interactions", [])
    if not any("_handle" in f.columns for f in frames):
        return
    accts = (
        pl.concat(
            [
                _frames(res, "accounts", ["account_id", "platform"]),
                _frames(res, "connections", ["account_id", "platform"]),
                _frames(res, "interactions", ["account_id", "platform"]),
            ]
        )
        .drop_nulls()
        .unique()
    )
    one = accts.group_by("platform").agg(pl.col("account_id").first(), pl.len().alias("n_accounts"))
    conns = (
        _frames(res, "connections", ["account_id", "contact_id", "handle"])
        .drop_nulls()
        .with_columns(_h=normalize_handle(pl.col("handle")))
        .unique(subset=["account_id", "_h"], keep="first", maintain_order=True)
        .select("account_id", "_h", pl.col("contact_id").alias("_cid"))
    )
    reports = {f.path: f for f in res.files}
    out = []
    for f in frames:
        if "_handle" not in f.columns:
            out.append(f)
            continue
        g = (
            f.drop("account_id", strict=False)
            .join(one, on="platform", how="left")
            .with_columns(_h=normalize_handle(pl.col("_handle")))
            .join(conns, on=["account_id", "_h"], how="left")
            .with_columns(
                contact_id=pl.coalesce("_cid", "_h"),
                account_id=pl.when(pl.col("n_accounts") == 1).then("account_id"),
            )
        )
        for file, line, platform, n in (
            g.filter(pl.col("account_id").is_null())
            .select("_file", "_line", "platform", "n_accounts")
            .iter_rows()
        ):
            why = (
                f"no {platform} account in the loaded data to attach this touchpoint to"
                if not n
                else f"several {platform} accounts loaded; cannot tell which this touchpoint is for"
            )
            if file in reports:
                reports[file].reject(line, why)
        out.append(g.drop("_handle", "_h", "_cid", "n_accounts"))
    res.tables["interactions"] = out
