"""Cross-file resolution before validation: rows that name a contact by handle only
(the touchpoints log) get the ``account_id`` and ``contact_id`` of the loaded data, and rows
of a file that names no account (an X analytics overview CSV, a per-post CSV without post
links, a LinkedIn analytics workbook; marked ``NEEDS_ACCOUNT``) get the ``account_id``.

Rule for accounts: the account is the one account of that platform in the load (any
account_id seen in accounts, connections, interactions or posts, e.g. the handle in an
analytics file's post links); for a platform with no account at all, the placeholder
``<platform>:analytics`` (display name ``PLACEHOLDER_NAME``: analytics files loaded without
their platform's export still make an account); for a platform with several accounts the
row is rejected with the reason. Rows attached this way are named in a note on their file
(which account they went to). Files that describe the own account (every frame carrying the
``NEEDS_ACCOUNT`` column) give the account they name or were attached to an accounts row
when the load has none (``_seed_accounts``), so the account exists with its figures
(followers when a file has them, else null).

For touchpoints the contact is the connection whose handle matches case-insensitively
without a leading ``@`` (where several connections of the account share a handle, the first
in load order: files in the order given, rows in file order), else the normalized handle
itself (a contact met offline who is not a connection is kept).
"""

from __future__ import annotations

import polars as pl

from warmcall.core.handles import handle_key, handle_keys
from warmcall.ingest.loaders.base import NEEDS_ACCOUNT, LoadResult


def _frames(
    res: LoadResult, table: str, cols: list[str], maintain_order: bool = True
) -> pl.DataFrame:
    parts = [
        f.select([pl.col(c).cast(pl.String) for c in cols])
        for f in res.tables.get(table, [])
        if all(c in f.columns for c in cols)
    ]
    if not parts:
        return pl.DataFrame(schema=dict.fromkeys(cols, pl.String))
    if maintain_order:  # load order kept
        return pl.concat(parts).unique(maintain_order=True)
    # unordered: each frame's distinct rows first (a group-by without aggregations is 2.5×
    # faster than ``unique`` over 10M interactions naming a few accounts)
    return pl.concat([p.group_by(cols).agg() for p in parts]).unique()


#: (account_id, platform) of rows loaded outside ``LoadResult`` (``warmcall.ingest.stream``)
EXTRA_ACCOUNTS = "_extra_accounts"


def _accounts_by_platform(res: LoadResult) -> pl.DataFrame:
    """(platform, account_id, n_accounts): the accounts named anywhere in the load, with the
    first of them per platform (used only where n_accounts is 1)."""
    # (the account is used only where it is the one of its platform: no order needed, and
    # the unordered unique is about twice as fast over 10M interactions)
    tables = ("accounts", "connections", "interactions", "posts", EXTRA_ACCOUNTS)
    accts = (
        pl.concat([_frames(res, t, ["account_id", "platform"], False) for t in tables])
        .drop_nulls()
        .unique()
        .sort("platform", "account_id")
    )
    return accts.group_by("platform", maintain_order=True).agg(
        pl.col("account_id").first(), pl.len().alias("n_accounts")
    )


#: The account of analytics files loaded without their platform's export (their rows name
#: no account): ``<platform>:analytics``, shown as ``PLACEHOLDER_NAME``.
PLACEHOLDER = "analytics"
PLACEHOLDER_NAME = "your {} account (analytics files)"
_PLATFORM_NAMES = {"x": "X", "linkedin": "LinkedIn", "instagram": "Instagram",
                   "facebook": "Facebook", "mastodon": "Mastodon", "bluesky": "Bluesky"}  # fmt: skip


def placeholder_name(platform: str) -> str:
    """``"your X account (analytics files)"``: the display name of a placeholder account."""
    return PLACEHOLDER_NAME.format(_PLATFORM_NAMES.get(platform, platform))


def resolve_accounts(res: LoadResult) -> None:
    """Fill ``account_id`` of candidate rows marked ``NEEDS_ACCOUNT`` and give the accounts
    those files describe an accounts row (module docstring)."""
    todo = [t for t, fs in res.tables.items() if any(NEEDS_ACCOUNT in f.columns for f in fs)]
    if not todo:
        return
    one = _accounts_by_platform(res).rename({"account_id": "_one"})
    # platforms whose rows need an account and have none in the load: the placeholder
    needing = pl.concat(
        [
            f.filter(
                pl.col(NEEDS_ACCOUNT).fill_null(False) & pl.col("account_id").is_null()
            ).select(pl.col("platform").cast(pl.String))
            for t in todo
            for f in res.tables[t]
            if NEEDS_ACCOUNT in f.columns
        ]
    ).unique(maintain_order=True)
    lone = needing.filter(~pl.col("platform").is_in(one["platform"].implode()))
    placeholders = {p: f"{p}:{PLACEHOLDER}" for p in lone["platform"].drop_nulls().to_list()}
    if placeholders:
        one = pl.concat(
            [
                one,
                pl.DataFrame(
                    {
                        "platform": list(placeholders),
                        "_one": list(placeholders.values()),
                        "n_accounts": [1] * len(placeholders),
                    },
                    schema=one.schema,
                ),
            ]  # fmt: skip
        )
    reports = {f.path: f for f in res.files}
    seeds: list[pl.DataFrame] = []  # (platform, account_id, _file, _line) of own-account files
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
                    f"the file names no account and no {platform} account is loaded with it"
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
                        + (
                            f"a placeholder for {placeholder_name(platform)}: no {platform} "
                            "export is loaded with these files"
                            if acct == placeholders.get(platform)
                            else f"the only {platform} account in this load"
                        )
                    )
            g = g.with_columns(
                account_id=pl.when(ok.fill_null(False)).then("_one").otherwise("account_id")
            ).drop("_one", "n_accounts", NEEDS_ACCOUNT)
            if table == "accounts" and placeholders:
                g = _placeholder_names(g, placeholders)
            out.append(g)
            seeds.append(
                g.filter(pl.col("account_id").is_not_null()).select(
                    pl.col("platform").cast(pl.String),
                    pl.col("account_id").cast(pl.String),
                    pl.col("_file").cast(pl.String),
                    pl.col("_line").cast(pl.Int64),
                )
            )
        res.tables[table] = out
    _seed_accounts(res, seeds, placeholders)


def _placeholder_names(g: pl.DataFrame, placeholders: dict[str, str]) -> pl.DataFrame:
    """Accounts rows of a placeholder account get its display name."""
    name = pl.col("platform").replace_strict(
        {p: placeholder_name(p) for p in placeholders}, default=None, return_dtype=pl.String
    )
    is_ph = pl.col("account_id").is_in(list(placeholders.values()))
    dn = pl.col("display_name") if "display_name" in g.columns else pl.lit(None, pl.String)
    return g.with_columns(display_name=pl.when(is_ph).then(pl.coalesce(dn, name)).otherwise(dn))


def _seed_accounts(
    res: LoadResult, seeds: list[pl.DataFrame], placeholders: dict[str, str]
) -> None:
    """An account that own-account files (analytics) name but that has no accounts row in
    the load gets one: handle from its id (none for a placeholder), display name for a
    placeholder, every count null (the files' follower totals come in their own rows). The
    row is attributed to the first record naming the account, so it is loaded with it."""
    if not seeds:
        return
    have = _frames(res, "accounts", ["account_id"])["account_id"].drop_nulls()
    missing = (
        pl.concat(seeds)
        .filter(~pl.col("account_id").is_in(have.implode()))
        .group_by("account_id", maintain_order=True)
        .agg(pl.col("platform").first(), pl.col("_file").first(), pl.col("_line").first())
    )
    if not missing.height:
        return
    is_ph = pl.col("account_id").is_in(list(placeholders.values()))
    names = {p: placeholder_name(p) for p in placeholders}
    res.add(
        "accounts",
        missing.select(
            "account_id",
            "platform",
            pl.when(~is_ph)
            .then(pl.col("account_id").str.splitn(":", 2).struct.field("field_1"))
            .alias("handle"),
            pl.when(is_ph)
            .then(pl.col("platform").replace_strict(names, default=None, return_dtype=pl.String))
            .alias("display_name"),
            "_file",
            "_line",
        ),
    )


def resolve_handles(res: LoadResult) -> None:
    """Fill ``account_id``/``contact_id`` of candidate interactions that carry ``_handle``."""
    frames = res.tables.get("interactions", [])
    if not any("_handle" in f.columns for f in frames):
        return
    one = _accounts_by_platform(res)
    # Only the connections holding a handle some touchpoint names are looked at (a log of
    # a few hundred lines against 10M connections: the whole table's keys cost 3 GB).
    wanted = (
        pl.concat(
            [
                f.select(handle_key(pl.col("_handle")).alias("_h"))
                for f in frames
                if "_handle" in f.columns
            ]
        )["_h"]
        .drop_nulls()
        .unique()
    )
    cols = ["account_id", "contact_id", "handle"]
    parts = [
        f.select([pl.col(c).cast(pl.String) for c in cols])
        for f in res.tables.get("connections", [])
        if all(c in f.columns for c in cols)
    ]
    conns = pl.DataFrame(schema={"account_id": pl.String, "_h": pl.String, "_cid": pl.String})
    if parts:  # load order kept: the first connection holding a handle is the same every run
        found = pl.concat(parts, how="vertical").drop_nulls()
        conns = (
            found.with_columns(_h=handle_keys(found["handle"]))
            .filter(pl.col("_h").is_in(wanted.implode()))
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
            .with_columns(_h=handle_key(pl.col("_handle")))
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
