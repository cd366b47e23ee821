"""Cross-file resolution before validation: rows that name a contact by handle only
(the touchpoints log) get the ``account_id`` and ``contact_id`` of the loaded data, and rows
of a file that names no account (an X analytics overview CSV, a per-post CSV without post
links; marked ``NEEDS_ACCOUNT``) get the ``account_id``.

Rule: the account is the one account of that platform in the load (any account_id seen in
accounts, connections, interactions or posts); for a platform with no account, or with
several, the row is rejected with the reason. Rows attached this way are named in a note
on their file (which account they went to). For touchpoints the contact is
the connection whose handle matches case-insensitively without a leading ``@`` (where
several connections of the account share a handle, the first in load order: files in the
order given, rows in file order), else the normalized handle itself (a contact met offline
who is not a connection is kept).
"""

from __future__ import annotations

import polars as pl

from .loaders.base import NEEDS_ACCOUNT, LoadResult


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


def _accounts_by_platform(res: LoadResult) -> pl.DataFrame:
    """(platform, account_id, n_accounts): the accounts named anywhere in the load, with the
    first of them per platform (used only where n_accounts is 1)."""
    tables = ("accounts", "connections", "interactions", "posts")
    accts = (
        pl.concat([_frames(res, t, ["account_id", "platform"]) for t in tables])
        .drop_nulls()
        .unique(maintain_order=True)
    )
    return accts.group_by("platform", maintain_order=True).agg(
        pl.col("account_id").first(), pl.len().alias("n_accounts")
    )


def resolve_accounts(res: LoadResult) -> None:
    """Fill ``account_id`` of candidate rows marked ``NEEDS_ACCOUNT`` (module docstring)."""
    todo = [t for t, fs in res.tables.items() if any(NEEDS_ACCOUNT in f.columns for f in fs)]
    if not todo:
        return
    one = _accounts_by_platform(res).rename({"account_id": "_one"})
    reports = {f.path: f for f in res.files}
    for table in todo:
        out = []
        for f in res.tables[table]:
            if NEEDS_ACCOUNT not in f.columns:
                out.append(f)
                continue
            need = pl.col(NEEDS_ACCOUNT).fill_null(False) & pl.col("account_id").is_null()
            ok = need & (pl.col("n_accounts") == 1)
            g = f.join(one, on="platform", how="left", maintain_order="left")
            for file, line, platform, n in (
                g.filter(need & ~ok.fill_null(False))
                .select("_file", "_line", "platform", "n_accounts")
                .iter_rows()
            ):
                why = (
                    f"the file names no account and no {platform} account is loaded with it "
                    f"(load it together with that account's {platform} export)"
                    if not n
                    else f"the file names no account and {n} {platform} accounts are loaded; "
                    "cannot tell which it belongs to"
                )
                if file in reports:
                    reports[file].reject(line, why)
            for file, platform, acct, n in (
                g.filter(ok.fill_null(False))
                .group_by("_file", "platform", maintain_order=True)
                .agg(pl.col("_one").first(), pl.len())
                .iter_rows()
            ):
                if file in reports:
                    reports[file].notes.append(
                        f"{n} row(s) name no account: attached to {acct}, "
                        f"the only {platform} account in this load"
                    )
            g = g.with_columns(
                account_id=pl.when(ok.fill_null(False)).then("_one").otherwise("account_id")
            )
            out.append(g.drop("_one", "n_accounts", NEEDS_ACCOUNT))
        res.tables[table] = out


def resolve_handles(res: LoadResult) -> None:
    """Fill ``account_id``/``contact_id`` of candidate interactions that carry ``_handle``."""
    frames = res.tables.get("interactions", [])
    if not any("_handle" in f.columns for f in frames):
        return
    one = _accounts_by_platform(res)
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
