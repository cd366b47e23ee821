"""Does follower count go with engagement? Spearman rank correlations (``stats.rank_correlation``)
of a contact's follower count with their engagement with you and with relationship quality,
over all contacts and per group; and, across accounts (panel data or several own accounts),
of followers with average engagement per post and with the engagement rate. The reading
follows Cha et al. (2010), "Measuring User Influence in Twitter: The Million Follower
Fallacy": audience size says little about influence.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from warmcall.model.observability import knowable, with_signal_columns
from warmcall.model.stats import RankCorrelation, rank_correlation

#: Columns of a correlation table (``contact_correlations`` adds ``group`` in front).
CORRELATION_SCHEMA: dict[str, pl.DataType] = {
    "followers vs": pl.String(), "rho": pl.Float64(), "ci_low": pl.Float64(),
    "ci_high": pl.Float64(), "n": pl.Int64(), "method": pl.String(),
}  # fmt: skip


def with_engagement(scores: pl.DataFrame, signals: pl.DataFrame) -> pl.DataFrame:
    """Scores with ``engagement`` = inbound interactions in the window (``in_w``) where the
    contact's account's exports show engagement by others (``observability.knowable``),
    else null (not 0)."""
    return (
        with_signal_columns(scores, signals)
        .with_columns(engagement=pl.when(knowable("engaged")).then(pl.col("in_w")))
        .drop(pl.selectors.starts_with("_sig_"))
    )


def _row(what: str, r: RankCorrelation) -> dict:
    return {"followers vs": what, "rho": r.rho, "ci_low": r.lo, "ci_high": r.hi, "n": r.n,
            "method": r.method}  # fmt: skip


def contact_correlations(
    contacts: pl.DataFrame, by: Sequence[str] = ("platform",), seed: int = 0
) -> pl.DataFrame:
    """Spearman ρ (bootstrap CI, ``seed``) of ``contact_followers`` vs ``engagement`` and vs
    ``quality``, over all contacts (group "all") then per ``by`` group (labels joined with
    " / ", in order of first appearance); only contacts with a known follower count, and for
    engagement only those with a known engagement (``with_engagement``)."""
    s = contacts.filter(pl.col("contact_followers").is_not_null())
    groups = [("all", s)] + [
        (" / ".join(str(k) for k in key), g) for key, g in s.group_by(list(by), maintain_order=True)
    ]
    rows = [
        {"group": label, **_row(what, rank_correlation(g["contact_followers"], g[what], seed=seed))}
        for label, g in groups
        for what in ("engagement", "quality")
    ]
    return pl.DataFrame(rows, schema={"group": pl.String(), **CORRELATION_SCHEMA})


@dataclass(frozen=True)
class FollowerReading:
    """Over all contacts with a known follower count (``contacts`` of them): follower count
    vs engagement with you (``engagement``; n = 0 when no export shows it) and vs quality."""

    contacts: int
    engagement: RankCorrelation
    quality: RankCorrelation


def follower_reading(contacts: pl.DataFrame, seed: int = 0) -> FollowerReading:
    """``FollowerReading`` of a ``with_engagement`` frame (the "all" rows of
    ``contact_correlations``, as ``RankCorrelation`` objects)."""
    s = contacts.filter(pl.col("contact_followers").is_not_null())
    return FollowerReading(
        s.height,
        rank_correlation(s["contact_followers"], s["engagement"], seed=seed),
        rank_correlation(s["contact_followers"], s["quality"], seed=seed),
    )


def account_panel(accounts: pl.DataFrame, overview: pl.DataFrame) -> pl.DataFrame:
    """Per account: the latest known ``followers``; ``avg_eng`` = the latest average likes +
    comments per post (likes alone when comments are unknown), else own engagements ÷ posts
    in the window; ``engagement_rate`` = the latest stated rate, else the engagement rate by
    followers (``overview.er_followers``)."""
    acc = (
        accounts.sort("snapshot_date")
        .group_by("account_id")
        .agg(
            pl.col("followers").drop_nulls().last(),
            pl.coalesce(
                pl.col("avg_likes") + pl.col("avg_comments").fill_null(0), pl.col("avg_likes")
            )
            .drop_nulls()
            .last()
            .alias("avg_eng"),
            pl.col("engagement_rate").drop_nulls().last(),
        )
    )
    own = overview.select(
        "account_id",
        (pl.col("engagements") / pl.col("posts")).alias("own_avg"),
        pl.col("er_followers").alias("own_er"),
    )
    return (
        acc.join(own, on="account_id", how="left")
        .with_columns(
            avg_eng=pl.coalesce("avg_eng", "own_avg"),
            engagement_rate=pl.coalesce("engagement_rate", "own_er"),
        )
        .drop("own_avg", "own_er")
    )


def panel_correlations(panel: pl.DataFrame, seed: int = 0) -> pl.DataFrame:
    """Across the accounts of ``account_panel``: Spearman ρ of followers vs average
    engagement per post and vs engagement rate (n < 3 accounts with both: ρ unknown)."""
    rows = [
        _row(what, rank_correlation(panel["followers"], panel[col], seed=seed))
        for what, col in (
            ("average engagement per post", "avg_eng"),
            ("engagement rate", "engagement_rate"),
        )
    ]
    return pl.DataFrame(rows, schema=CORRELATION_SCHEMA)
