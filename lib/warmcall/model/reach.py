"""Influence and reach: who carries your voice, and whom to follow back.

- raw reach = Σ contact_followers over the contacts who follow you (known counts only);
- warm second-degree reach = Σ contact_followers over contacts at stage engaged,
  conversant or trusted (the audience your warm contacts can recommend you to);
- "tiny but influential": not flagged, at stage ``influence.min_stage`` or warmer, and
  either contact_followers ≥ the ``influence.reach_quantile`` quantile of the platform's
  known counts or relevance ≥ ``influence.min_relevance``; ranked by quality, then reach;
- follow-back suggestions: followers you do not follow, not flagged, with relevance > 0
  (even marginally relevant), ranked by relevance, then quality, then reach.
"""

from __future__ import annotations

import polars as pl

from warmcall.core.params import Influence
from warmcall.model.quality import STAGES

WARM = ("engaged", "conversant", "trusted")


def reach_table(scores: pl.DataFrame, by: tuple[str, ...] = ("platform",)) -> pl.DataFrame:
    """Raw vs warm second-degree reach per group, with the warm share."""
    cf = pl.col("contact_followers")
    return (
        scores.group_by(list(by))
        .agg(
            followers_with_known_reach=(
                pl.col("follows_me").fill_null(False) & cf.is_not_null()
            ).sum(),
            raw_reach=cf.filter(pl.col("follows_me").fill_null(False)).sum(),
            warm_contacts=pl.col("stage").is_in(WARM).sum(),
            warm_reach=cf.filter(pl.col("stage").is_in(WARM)).sum(),
        )
        .with_columns(
            # no known follower counts at all: reach is unknown, not zero
            *[
                pl.when(pl.col("followers_with_known_reach") > 0).then(pl.col(c)).alias(c)
                for c in ("raw_reach", "warm_reach")
            ],
            warm_share=pl.when(pl.col("raw_reach") > 0).then(
                pl.col("warm_reach") / pl.col("raw_reach")
            ),
        )
        .sort(list(by))
    )


def tiny_but_influential(scores: pl.DataFrame, inf: Influence) -> pl.DataFrame:
    """The short list defined in the module docstring (at most ``inf.max_listed``)."""
    q = pl.col("contact_followers").quantile(inf.reach_quantile).over("platform")
    warm_enough = pl.col("stage").cast(pl.String).replace_strict(
        {s: i for i, s in enumerate(STAGES)}, return_dtype=pl.Int8
    ) >= STAGES.index(inf.min_stage)
    return (
        scores.filter(
            ~pl.col("flagged")
            & warm_enough
            & ((pl.col("contact_followers") >= q) | (pl.col("relevance") >= inf.min_relevance))
        )
        .sort(
            ["quality", "contact_followers", "contact_id"],
            descending=[True, True, False],
            nulls_last=True,
        )
        .head(inf.max_listed)
    )


def follow_back(scores: pl.DataFrame, limit: int = 25) -> pl.DataFrame:
    """Followers you do not follow back, not flagged, relevance > 0, best first."""
    return (
        scores.filter(
            pl.col("follows_me").fill_null(False)
            & ~pl.col("i_follow").fill_null(False)
            & ~pl.col("flagged")
            & (pl.col("relevance") > 0)
        )
        .sort(
            ["relevance", "quality", "contact_followers", "contact_id"],
            descending=[True, True, True, False],
            nulls_last=True,
        )
        .head(limit)
    )


def hygiene_table(scores: pl.DataFrame, overview: pl.DataFrame) -> pl.DataFrame:
    """Per platform: followers (reported), flagged followers, share flagged, followers
    without the flagged, and the most common reasons."""
    fl = scores.filter(pl.col("follows_me").fill_null(False)).group_by("account_id", "platform").agg(
        known_followers=pl.len(),
        flagged_followers=pl.col("flagged").sum(),
        top_reasons=pl.col("flags").filter(pl.col("flagged")).explode().drop_nulls().value_counts(sort=True).head(3)
        .struct.field("flags").str.join(", "),
    )  # fmt: skip
    return (
        overview.select("account_id", "platform", "followers")
        .join(fl, on=["account_id", "platform"], how="left")
        .with_columns(
            share_flagged=pl.when(pl.col("known_followers") > 0).then(
                pl.col("flagged_followers") / pl.col("known_followers")
            ),
        )
        .with_columns(
            followers_without_flagged=(
                pl.col("followers") * (1 - pl.col("share_flagged").fill_null(0))
            )
            .round(0)
            .cast(pl.Int64)
        )
        .sort("platform")
    )
