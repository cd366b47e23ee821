"""People as address-book cards: the call plan (``plan.vcf``) and each audit list
(``data/<list>.vcf``), as rows for ``core.vcard.to_vcf`` (name, url, platform, handle, note).

Rules: the name is the display name, else the handle, else the contact id (the plan's
``person`` already follows that rule); the URL is the contact's profile link
(``model.links.profile_url``), left out when names are pseudonymized (``redact: true``: a
pseudonym is no profile); the note says why the person is on the card (the plan's reason and
conversation starter and the planned time; a list's name and the account it belongs to).
"""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl

from warmcall.core.vcard import CARD_COLUMNS, write_vcf
from warmcall.model.links import profile_url
from warmcall.model.lists import LISTS
from warmcall.present.datafiles import data_dir, write_soon

PLAN_VCF = "plan.vcf"
_BREAKS = r"[\p{Cc}\x{2028}\x{2029}]"


def one_line(e: pl.Expr) -> pl.Expr:
    """Text from data as one line (control characters and line separators as spaces), so
    that only the note's own line breaks separate its lines (``core.vcard`` makes each line
    safe; this keeps data from adding lines)."""
    return e.fill_null("").str.replace_all(_BREAKS, " ")


def plan_cards(plan: pl.DataFrame, scores: pl.DataFrame, redact: bool = False) -> pl.DataFrame:
    """One card row per planned person (a plan row is one person), in plan order: FN =
    ``person``, the profile of the planned contact (its platform from ``scores``), a note
    with the reason, the starter and the planned date and time."""
    platform = scores.select("account_id", "contact_id", "platform").unique(
        subset=["account_id", "contact_id"], keep="first"
    )
    p = plan.with_row_index("_r").join(platform, on=["account_id", "contact_id"], how="left")
    url = pl.lit(None, pl.String) if redact else profile_url("platform", "contact_id", "handle")
    note = pl.concat_str(
        pl.lit("Why: "), one_line(pl.col("reason")),
        pl.lit("\nStarter: "), one_line(pl.col("starter")),
        pl.lit("\nPlanned call: "), pl.col("date").cast(pl.String), pl.lit(" "),
        one_line(pl.col("time")), pl.lit(" "), one_line(pl.col("tz")),
    )  # fmt: skip
    return p.sort("_r").select(
        pl.coalesce("person", "handle", "contact_id").alias("name"),
        url.alias("url"),
        "platform",
        "handle",
        note.alias("note"),
    )


def list_cards(people: pl.DataFrame, title: str, redact: bool = False) -> pl.DataFrame:
    """Card rows for one list of ``model.lists`` (one per row): FN = display name, else
    handle, else id; its ``profile_url``; a note naming the list and the account."""
    url = pl.lit(None, pl.String) if redact else pl.col("profile_url")
    return people.select(
        pl.coalesce("display_name", "handle", "contact_id").alias("name"),
        url.alias("url"),
        "platform",
        "handle",
        pl.concat_str(
            pl.lit(f"{title} (warmcall), account "), one_line(pl.col("account_id"))
        ).alias("note"),
    ).select(CARD_COLUMNS)


def save_list_vcf(
    output_dir: str | os.PathLike[str] | None,
    name: str,
    people: pl.DataFrame,
    title: str,
    redact: bool = False,
) -> str | None:
    """Write ``<output_dir>/data/<name>.vcf`` (``list_cards``; ``name`` a fixed list name of
    ``model.lists.LISTS``) and return its link ``data/<name>.vcf``; None without an
    ``output_dir``. The file is written on the data files' thread
    (``datafiles.write_soon``): complete once ``datafiles.finish_writes`` returns."""
    if name not in LISTS:
        raise ValueError(f"{name!r} is not a list of model.lists.LISTS")
    if not output_dir:
        return None
    path: Path = data_dir(output_dir) / f"{name}.vcf"
    write_soon(write_vcf, list_cards(people, title, redact), path)  # complete by finish_writes
    return f"data/{name}.vcf"
