"""Keep-in-touch cadence: who is overdue, and by how much.

Rule. A person's cadence is the number of days they may stay silent (no interaction in
either direction) before they are *overdue*:

1. per person, from ``people.csv`` (``warmcall.ingest.people``; params ``people``): the
   ``cadence_days`` of the rows that match one of the person's profiles (the smallest when
   several do);
2. else per stage, ``outreach.cadence_days`` (default ``{trusted: 30, conversant: 60}``):
   the smallest cadence of the person's profiles' stages; a stage not listed has none.

``days_since_last`` = as-of date − UTC date of the person's latest interaction on any
platform (in either direction); ``overdue_days`` = ``days_since_last`` − cadence; overdue
when ``overdue_days`` > 0. People, not profiles: the person key is ``person_id`` where
identities link profiles, else ``account_id/contact_id`` (as in the outreach plan). Not
listed: flagged (spam-like) profiles, people with no cadence, and people with no interaction
in these exports (how long they have been silent is not in this export). Why: days since
last contact is the strongest single predictor of tie strength (Gilbert & Karahalios 2009),
and a tie that is not tended fades (Roberts & Dunbar 2011, "Communication in social
networks: effects of kinship, network size, and emotional closeness").
"""

from __future__ import annotations

from datetime import date

import polars as pl

from warmcall.core.handles import handle_key
from warmcall.core.params import Outreach, StageName
from warmcall.model.quality import STAGES

#: the people.csv columns carried on every scored profile (null where no row matches)
PEOPLE_COLUMNS = {"person_cadence_days": pl.Int64(), "tag": pl.String()}


def person_key_expr() -> pl.Expr:
    """``person_id`` when set, else ``account_id + "/" + contact_id``."""
    own = pl.concat_str([pl.col("account_id"), pl.lit("/"), pl.col("contact_id")])
    return pl.coalesce(pl.col("person_id"), own).alias("person_key")


def with_people(df: pl.DataFrame, people: pl.DataFrame | None) -> pl.DataFrame:
    """``df`` (one row per profile) with ``person_cadence_days`` and ``tag`` from the
    ``people.csv`` rows (``ingest.people.PeopleFile.rows``) whose platform and handle key
    match the profile's handle, or its contact id where it has no handle; null elsewhere."""
    if people is None or people.height == 0:
        return df.with_columns(pl.lit(None, t).alias(c) for c, t in PEOPLE_COLUMNS.items())
    key = handle_key(pl.coalesce(pl.col("handle"), pl.col("contact_id"))).alias("_h")
    return (
        df.with_columns(key)
        .join(
            people.select("platform", "_h", *PEOPLE_COLUMNS),
            on=["platform", "_h"],
            how="left",
        )
        .drop("_h")
    )


def stage_cadence(cadence_days: dict[StageName, int]) -> pl.Expr:
    """A profile's cadence by its stage (``outreach.cadence_days``), null for a stage not
    listed."""
    return (
        pl.col("stage")
        .cast(pl.String)
        .replace_strict(cadence_days, default=None, return_dtype=pl.Int64)
        .alias("stage_cadence")
    )


def profile_cadences(cadence_days: dict[StageName, int]) -> list[pl.Expr]:
    """Per profile: ``person_cadence`` (people.csv) and ``stage_cadence``; the input of
    ``person_cadence_aggs`` (grouped) or of ``overdue_columns`` (a person of one profile)."""
    return [pl.col("person_cadence_days").alias("person_cadence"), stage_cadence(cadence_days)]


def person_cadence_aggs() -> dict[str, pl.Expr]:
    """Aggregations over a person's profiles (rules 1 and 2 of the module docstring), by
    output name (for ``agg(**...)``)."""
    return {
        "person_cadence": pl.col("person_cadence").min(),
        "stage_cadence": pl.col("stage_cadence").min(),
    }


def overdue_columns(as_of: date, last: str = "latest_ts") -> list[pl.Expr]:
    """From ``person_cadence``, ``stage_cadence`` and the latest interaction ``last``:
    ``cadence_days``, ``cadence_from`` ("people.csv" or "stage"), ``days_since_last`` and
    ``overdue_days`` (module docstring; null without a cadence or an interaction)."""
    cadence = pl.coalesce("person_cadence", "stage_cadence")
    since = (pl.lit(as_of) - pl.col(last).dt.date()).dt.total_days()
    return [
        cadence.alias("cadence_days"),
        pl.when(pl.col("person_cadence").is_not_null())
        .then(pl.lit("people.csv"))
        .when(pl.col("stage_cadence").is_not_null())
        .then(pl.lit("stage"))
        .alias("cadence_from"),
        since.alias("days_since_last"),
        (since - cadence).alias("overdue_days"),
    ]


OVERDUE_SCHEMA = {
    "person": pl.String(), "platforms": pl.String(), "handle": pl.String(),
    "stage": pl.String(), "tag": pl.String(), "last_contact": pl.Date(),
    "days_since_last": pl.Int64(), "cadence_days": pl.Int64(), "cadence_from": pl.String(),
    "overdue_days": pl.Int64(), "person_key": pl.String(),
}  # fmt: skip


def overdue(scores: pl.DataFrame, as_of: date, outreach: Outreach | None = None) -> pl.DataFrame:
    """Overdue people, most overdue first (then person key), one row each (module
    docstring): person (display name, else @handle, else contact id, of the person's
    highest-quality profile), platforms, handle, stage (the warmest), tag, last_contact,
    days_since_last, cadence_days, cadence_from, overdue_days, person_key."""
    o = outreach or Outreach()
    s = scores
    for c, t in PEOPLE_COLUMNS.items():
        if c not in s.columns:
            s = s.with_columns(pl.lit(None, t).alias(c))
    rank = (
        pl.col("stage")
        .cast(pl.String)
        .replace_strict({k: i for i, k in enumerate(STAGES)}, return_dtype=pl.Int8)
    )
    name = pl.coalesce(
        pl.col("display_name").str.strip_chars().replace("", None),
        pl.concat_str(pl.lit("@"), pl.col("handle")),
        pl.col("contact_id"),
    )
    people = (
        s.lazy()
        .filter(~pl.col("flagged").fill_null(False))
        .with_columns(person_key_expr(), *profile_cadences(o.cadence_days), _rank=rank)
        .filter(pl.col("person_cadence").is_not_null() | pl.col("stage_cadence").is_not_null())
        .sort(
            ["person_key", "quality", "account_id", "contact_id"],
            descending=[False, True, False, False],
            nulls_last=True,
        )  # fmt: skip
        .group_by("person_key", maintain_order=True)
        .agg(
            person=name.first(),
            handle=pl.col("handle").first(),
            platforms=pl.col("platform").unique().sort().str.join(","),
            _rank=pl.col("_rank").max(),
            tag=pl.col("tag").drop_nulls().first(),
            latest_ts=pl.col("last_ts").max(),
            **person_cadence_aggs(),
        )
        .with_columns(*overdue_columns(as_of))
        .filter(pl.col("overdue_days") > 0)
        .with_columns(
            stage=pl.col("_rank")
            .cast(pl.Int64)
            .replace_strict(dict(enumerate(STAGES)), return_dtype=pl.String),
            last_contact=pl.col("latest_ts").dt.date(),
        )
        .sort(["overdue_days", "person_key"], descending=[True, False])
        .select(list(OVERDUE_SCHEMA))
    )
    return people.collect().cast(OVERDUE_SCHEMA)  # type: ignore[arg-type]
