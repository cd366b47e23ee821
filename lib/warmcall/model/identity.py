"""Cross-platform identity: one person reached on several platforms.

Rules, in order (the first that gives a person wins):
1. ``identities.csv`` (columns ``person, platform, handle``) is authoritative: a contact
   whose platform and normalized handle (or contact_id) are listed belongs to that person.
2. Automatic matching (``params.identity_auto``; conservative):
   a. exact normalized handle — lower-case, no leading ``@``, Mastodon ``user@host`` reduced
      to ``user`` — of at least ``MIN_HANDLE`` characters, found on two or more platforms and
      held by only one contact on each of them (an ambiguous handle links nobody);
   b. same normalized display name and same normalized company, on two or more platforms,
      again one contact per platform.
   Each automatic match is reported with its evidence.
A contact with no match is its own person (person_id stays null).
"""

from __future__ import annotations

import polars as pl

from warmcall.ingest.identities import identity_keys

MIN_HANDLE = 5
#: Platforms whose contact_id (unless ``name:…``) is the contact's handle, lower-cased: the
#: LinkedIn profile slug, the Instagram username, the Mastodon ``user@host`` (the loaders'
#: contact_id conventions). X contact ids are numeric account ids, not handles.
HANDLE_IS_ID = ("linkedin", "instagram", "mastodon")
NAME_PREFIX = "name:"


def contact_labels() -> list[pl.Expr]:
    """``handle`` and ``display_name`` for contacts the connections table does not describe
    (a message partner who is not a connection): where null, the handle is the contact_id
    on ``HANDLE_IS_ID`` platforms, and the display name is what follows ``name:`` in a
    name-keyed contact_id (up to a ``|company`` suffix). Needs platform, contact_id,
    handle, display_name."""
    cid = pl.col("contact_id")
    named = cid.str.starts_with(NAME_PREFIX)
    return [
        pl.coalesce(
            "handle", pl.when(pl.col("platform").is_in(HANDLE_IS_ID) & ~named).then(cid)
        ).alias("handle"),
        pl.coalesce(
            "display_name",
            pl.when(named).then(cid.str.strip_prefix(NAME_PREFIX).str.replace(r"\|.*$", "")),
        ).alias("display_name"),
    ]


def _norm_text(e: pl.Expr) -> pl.Expr:
    return e.str.to_lowercase().str.replace_all(r"[^\w]+", " ").str.strip_chars()


def assign_persons(
    contacts: pl.DataFrame, identities: pl.DataFrame | None = None, auto: bool = True
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Fill ``person_id`` on ``contacts`` (needs platform, contact_id, handle, display_name,
    company, person_id) by the rules in the module docstring. Returns the contacts and an
    evidence frame (person_id, rule, evidence, contacts)."""
    c = contacts.with_columns(
        _h=identity_keys(contacts.select(pl.coalesce("handle", "contact_id")).to_series()),
        _n=_norm_text(pl.col("display_name")),
        _co=_norm_text(pl.col("company")),
    )
    pid = pl.col("person_id")
    evidence = []
    if identities is not None and identities.height:
        c = c.join(
            identities.rename({"person": "_manual"}), on=["platform", "_h"], how="left"
        ).with_columns(person_id=pl.coalesce(pl.format("p:{}", "_manual"), pid))
        ev = (
            c.filter(pl.col("_manual").is_not_null())
            .group_by("person_id")
            .agg(
                pl.lit("identities.csv").alias("rule"),
                pl.format("{}:{}", "platform", "handle")
                .unique()
                .sort()
                .str.join(", ")
                .alias("evidence"),
                pl.len().alias("contacts"),
            )
        )
        evidence.append(ev)
        c = c.drop("_manual")
    if auto:
        # Only a key held by two or more rows can link platforms: the group-bys below see
        # just those rows (a hash pass), not every contact.
        by_handle = (
            c.filter((pl.col("_h").str.len_chars() >= MIN_HANDLE) & pl.col("_h").is_duplicated())
            .group_by("_h")
            .agg(
                pl.col("platform").n_unique().alias("_np"),
                pl.struct("platform", "contact_id").n_unique().alias("_nc"),
            )
            .filter((pl.col("_np") >= 2) & (pl.col("_nc") == pl.col("_np")))
            .select("_h", pl.format("h:{}", "_h").alias("_auto_h"))
        )
        by_name = (
            c.filter(
                (pl.col("_n").str.len_chars() > 0)
                & (pl.col("_co").str.len_chars() > 0)
                & pl.struct("_n", "_co").is_duplicated()
            )
            .group_by("_n", "_co")
            .agg(
                pl.col("platform").n_unique().alias("_np"),
                pl.struct("platform", "contact_id").n_unique().alias("_nc"),
            )
            .filter((pl.col("_np") >= 2) & (pl.col("_nc") == pl.col("_np")))
            .select("_n", "_co", pl.format("n:{}|{}", "_n", "_co").alias("_auto_n"))
        )
        c = (
            c.join(by_handle, on="_h", how="left", maintain_order="left")
            .join(by_name, on=["_n", "_co"], how="left", maintain_order="left")
            .with_columns(person_id=pl.coalesce(pid, "_auto_h", "_auto_n"))
        )
        for col, rule in (
            ("_auto_h", "same handle on several platforms"),
            ("_auto_n", "same name and company"),
        ):
            evidence.append(
                c.filter(pl.col(col).is_not_null() & (pid == pl.col(col)))
                .group_by("person_id")
                .agg(
                    pl.lit(rule).alias("rule"),
                    pl.format("{}:{}", "platform", pl.coalesce("handle", "contact_id"))
                    .unique()
                    .sort()
                    .str.join(", ")
                    .alias("evidence"),
                    pl.len().alias("contacts"),
                )
            )
        c = c.drop("_auto_h", "_auto_n")
    ev = (
        pl.concat(evidence)
        if evidence
        else pl.DataFrame(
            schema={
                "person_id": pl.String,
                "rule": pl.String,
                "evidence": pl.String,
                "contacts": pl.UInt32,
            }
        )
    )
    return c.drop("_h", "_n", "_co"), ev.sort("person_id")
