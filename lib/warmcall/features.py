"""Per-contact features from interactions: one group-by pass (DESIGN.md "Scale").

Time rules (issue "Relationship quality", stages): with as-of date T and window W days,
"in the window" means T − W + 1 ≤ date(ts) ≤ T (UTC dates, both ends included); "in the last
365 days" likewise with 365; interactions after T are ignored.
"""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

LIKE_KINDS = ("like", "reaction")
STRONG_KINDS = ("call", "meeting", "event")  # "trusted" within 365 days
PRIVATE_KINDS = ("dm", "call", "meeting", "email")  # intimacy channels

FEATURE_SCHEMA = {
    "n_interactions": pl.UInt32, "n_in": pl.UInt32, "n_out": pl.UInt32,
    "in_w": pl.UInt32, "out_w": pl.UInt32, "in_w_nonlike": pl.UInt32, "in_w_like": pl.UInt32,
    "dm_in_w": pl.UInt32, "dm_out_w": pl.UInt32, "strong_365": pl.UInt32,
    "in_365": pl.UInt32, "out_365": pl.UInt32, "n_365": pl.UInt32, "private_365": pl.UInt32,
    "weighted_365": pl.Float64, "n_kinds_365": pl.UInt32,
    "first_ts": pl.Datetime("us", "UTC"), "last_ts": pl.Datetime("us", "UTC"),
    "last_in_ts": pl.Datetime("us", "UTC"), "last_out_ts": pl.Datetime("us", "UTC"),
    "last_kind": pl.String, "last_direction": pl.String, "last_post_id": pl.String,
    "platforms_kinds": pl.String,
}  # fmt: skip


def window_start(as_of: date, days: int) -> date:
    """First day of the ``days``-day window ending on ``as_of`` (inclusive): T − W + 1."""
    return as_of - timedelta(days=days - 1)


def contact_features(
    interactions: pl.LazyFrame | pl.DataFrame,
    as_of: date,
    window_days: int,
    kind_weights: dict[str, float],
) -> pl.LazyFrame:
    """Aggregate interactions to one row per (account_id, platform, contact_id).

    Counts: all (≤ T), inbound/outbound, inbound/outbound in the window, inbound non-like
    and like/reaction in the window, DMs each way in the window, call/meeting/event in the
    last 365 days, interactions and private ones (dm/call/meeting/email) in the last 365
    days, ``weighted_365`` = Σ kind weight over the last 365 days, distinct kinds in the
    last 365 days, first/last timestamps (overall, inbound, outbound).
    """
    lf = interactions.lazy() if isinstance(interactions, pl.DataFrame) else interactions
    d = pl.col("ts").dt.date()
    in_w = d >= window_start(as_of, window_days)
    in_y = d >= window_start(as_of, 365)
    inbound = pl.col("direction") == "in"
    outbound = pl.col("direction") == "out"
    kind = pl.col("kind")
    w = kind.replace_strict(kind_weights, default=0.0, return_dtype=pl.Float64)

    def n(cond: pl.Expr) -> pl.Expr:
        return cond.sum().cast(pl.UInt32)

    return (
        lf.filter(d <= as_of)
        .group_by("account_id", "platform", "contact_id")
        .agg(
            n_interactions=pl.len().cast(pl.UInt32),
            n_in=n(inbound),
            n_out=n(outbound),
            in_w=n(inbound & in_w),
            out_w=n(outbound & in_w),
            in_w_nonlike=n(inbound & in_w & ~kind.is_in(LIKE_KINDS)),
            in_w_like=n(inbound & in_w & kind.is_in(LIKE_KINDS)),
            dm_in_w=n(inbound & in_w & (kind == "dm")),
            dm_out_w=n(outbound & in_w & (kind == "dm")),
            strong_365=n(in_y & kind.is_in(STRONG_KINDS)),
            in_365=n(inbound & in_y),
            out_365=n(outbound & in_y),
            n_365=n(in_y),
            private_365=n(in_y & kind.is_in(PRIVATE_KINDS)),
            weighted_365=w.filter(in_y).sum(),
            n_kinds_365=kind.filter(in_y).n_unique().cast(pl.UInt32),
            first_ts=pl.col("ts").min(),
            last_ts=pl.col("ts").max(),
            last_in_ts=pl.col("ts").filter(inbound).max(),
            last_out_ts=pl.col("ts").filter(outbound).max(),
            last_kind=kind.sort_by("ts").last(),
            last_direction=pl.col("direction").sort_by("ts").last(),
            last_post_id=pl.col("post_id").sort_by("ts").last(),
            platforms_kinds=kind.filter(in_y).unique().sort().str.join(","),
        )
    )
