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

from warmcall.core.kept import KeptFor
from warmcall.model.observability import knowable, with_signal_columns
from warmcall.model.stats import (
    BOOTSTRAP_MAX_N,
    RankCorrelation,
    fisher_correlation,
    rank_correlation,
    spearman_by_group,
)

#: Columns of a correlation table (``contact_correlations`` adds ``group`` in front).
CORRELATION_SCHEMA: dict[str, pl.DataType] = {
    "followers vs": pl.String(), "rho": pl.Float64(), "ci_low": pl.Float64(),
    "ci_high": pl.Float64(), "n": pl.Int64(), "method": pl.String(),
}  # fmt: skip


def with_engagement(scores: pl.DataFrame, signals: pl.DataFrame) -> pl.DataFrame:
    """Scores with ``engagement`` = inbound interactions in the window (``in_w``) where the
    contact's account's exports show engagement by others (``observability.knowable``),
    else null (not 0)."""
    per_account = with_signal_columns(signals.select("account_id").unique(), signals).select(
        "account_id", knowable("engaged").alias("known")
    )
    known = pl.col("account_id").replace_strict(
        per_account["account_id"], per_account["known"], default=False, return_dtype=pl.Boolean
    )
    # a column added to the scores (which share their other columns), not a join that would
    # copy all 60 of them: the frame is kept by ``present.overview`` for a report set's pages
    return scores.with_columns(engagement=pl.when(known).then(pl.col("in_w")))


def _row(what: str, r: RankCorrelation) -> dict:
    return {"followers vs": what, "rho": r.rho, "ci_low": r.lo, "ci_high": r.hi, "n": r.n,
            "method": r.method}  # fmt: skip


def _correlation(
    s: pl.DataFrame, group: pl.Expr, what: str, n: int, rho: float | None, seed: int
) -> RankCorrelation:
    """Followers vs ``what`` in the rows of ``s`` where ``group`` holds, of which
    ``spearman_by_group`` gave ``n`` and ``rho``: ``rank_correlation`` (bootstrap CI) up to
    ``BOOTSTRAP_MAX_N`` pairs, else the Fisher interval around ``rho``."""
    if n <= BOOTSTRAP_MAX_N:
        g = s.filter(group)
        return rank_correlation(g["contact_followers"], g[what], seed=seed)
    if rho is None:  # a side is constant
        return RankCorrelation(None, None, None, n, 0.95, "none")
    return fisher_correlation(rho, n)


#: the correlations over all contacts of the last ``contacts`` frame seen in this process,
#: by (what, seed): ``follower_reading`` and each ``contact_correlations`` of one frame share
#: them (``core.kept``)
_over_all_of: KeptFor[dict[tuple[str, int], RankCorrelation]] = KeptFor()


def _over_all(contacts: pl.DataFrame, s: pl.DataFrame, what: str, seed: int) -> RankCorrelation:
    """Followers vs ``what`` over all of ``s`` (``contacts`` with a known follower count),
    computed once per ``contacts`` frame in a process."""
    done = _over_all_of.get(contacts, dict)
    if (what, seed) not in done:
        n, rho = spearman_by_group(s, "contact_followers", what, ()).row(0)
        done[what, seed] = _correlation(s, pl.lit(True), what, n, rho, seed)
    return done[what, seed]


def contact_correlations(
    contacts: pl.DataFrame, by: Sequence[str] = ("platform",), seed: int = 0
) -> pl.DataFrame:
    """Spearman ρ (bootstrap CI, ``seed``) of ``contact_followers`` vs ``engagement`` and vs
    ``quality``, over all contacts (group "all") then per ``by`` group (labels joined with
    " / ", in order of first appearance); only contacts with a known follower count, and for
    engagement only those with a known engagement (``with_engagement``). ρ and n of every
    group come from ``stats.spearman_by_group`` (one query); the CI is the bootstrap of
    ``stats.rank_correlation`` up to ``stats.BOOTSTRAP_MAX_N`` pairs, else Fisher's."""
    keys = list(by)
    s = contacts.select(*keys, "contact_followers", "engagement", "quality").filter(
        pl.col("contact_followers").is_not_null()
    )
    rows = []
    for what in ("engagement", "quality"):
        rows.append(("all", None, what, 0, None))  # over all contacts: ``_over_all``
        if keys:
            for *key, n, rho in spearman_by_group(s, "contact_followers", what, keys).rows():
                label = " / ".join(str(k) for k in key)
                match = pl.all_horizontal(
                    pl.col(c).eq_missing(v) for c, v in zip(keys, key, strict=True)
                )
                rows.append((label, match, what, n, rho))
    order = {label: i for i, label in enumerate(dict.fromkeys(r[0] for r in rows))}
    rows.sort(key=lambda r: order[r[0]])  # each group's two rows together, stable
    out = [
        {
            "group": label,
            **_row(
                what,
                _over_all(contacts, s, what, seed)
                if match is None
                else _correlation(s, match, what, n, rho, seed),
            ),
        }
        for label, match, what, n, rho in rows
    ]
    return pl.DataFrame(out, schema={"group": pl.String(), **CORRELATION_SCHEMA})


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
    s = contacts.select("contact_followers", "engagement", "quality").filter(
        pl.col("contact_followers").is_not_null()
    )
    eng, qual = (_over_all(contacts, s, what, seed) for what in ("engagement", "quality"))
    return FollowerReading(s.height, eng, qual)


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
