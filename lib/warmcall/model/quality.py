"""Relationship quality (0–100), stages and Dunbar layers, as polars expressions.

Quality is a tie-strength model after Gilbert & Karahalios (2009), "Predicting Tie
Strength with Social Media" (CHI '09): a weighted mean of six dimensions, each in [0, 1]:

- intensity    = 1 − exp(−weighted_365 / intensity_scale), weighted_365 = Σ kind weights of
                 the last 365 days' interactions (both directions);
- reciprocity  = ½·[inbound and outbound in the last 365 days] + ½·[mutual follow];
- recency      = 0.5 ^ (days since last interaction / half_life_days); 0 with none
                 (days since last communication was G&K's strongest single predictor);
- duration     = min(1, days since first known (connected_at or first interaction) /
                 duration_full_days);
- intimacy     = share of the last 365 days' interactions through private channels
                 (dm, call, meeting, email);
- multiplexity = min(1, (channels − 1) / (multiplexity_full − 1)), channels = distinct
                 kinds in the last 365 days (plus platforms, once identities join them).

quality = 100 · Σ wᵢ·cᵢ / Σ wᵢ with the weights of ``params.quality.weights``.

Stages (know–like–trust funnel; exact rules, T = as_of, W = window_days; the first rule
that holds): trusted (call/meeting/event in the last 365 days, or dm both ways in the
window) → conversant (≥1 inbound and ≥1 outbound in the window) → engaged (≥1 inbound
non-like in the window) → aware (≥1 inbound like/reaction in the window, so no outbound) /
reached (≥1 outbound interaction of any kind in the window and no inbound one) →
connection. ``aware`` and ``reached`` are disjoint (one needs inbound, the other none), so
their order does not matter. ``reached`` makes the funnel work on exports that hold only
what you did (an X archive has no engagement by others: docs/export-formats.md).
Shown in the order of ``STAGES``.

Dunbar layers (Zhou et al. 2005; Dunbar 1998): 5 / 15 / 50 / 150 / 500 / 1,500, filled by
the account's *live* ties (an interaction in the last 365 days), ranked by quality; a tie
with no interaction in the last 365 days is in no layer (null, shown as "none"): a friend
you never messaged must not take one of your five closest places.
"""

from __future__ import annotations

import math
from datetime import date

import polars as pl

from warmcall.core.params import Quality

STAGES = ("connection", "reached", "aware", "engaged", "conversant", "trusted")
LAYERS = (5, 15, 50, 150, 500, 1500)
LAYER_LABELS = ("5", "15", "50", "150", "500", "1500", "rest")
COMPONENTS = ("intensity", "reciprocity", "recency", "duration", "intimacy", "multiplexity")


def _days_since(col: str, as_of: date) -> pl.Expr:
    """Whole days from date(col) to as_of (0 on the as-of day)."""
    return (pl.lit(as_of) - pl.col(col).dt.date()).dt.total_days()


def components(q: Quality, as_of: date) -> list[pl.Expr]:
    """The six dimension expressions, each in [0, 1], named as in ``COMPONENTS``.

    Expects the feature columns of ``features.contact_features`` and the connection columns
    ``follows_me``, ``i_follow``, ``connected_at`` (nulls allowed).
    """
    z = pl.lit(0.0)
    weighted = pl.col("weighted_365").fill_null(0.0)
    n365 = pl.col("n_365").fill_null(0).cast(pl.Float64)
    first_known = pl.min_horizontal(pl.col("connected_at"), pl.col("first_ts"))
    days_known = (pl.lit(as_of) - first_known.dt.date()).dt.total_days().clip(lower_bound=0)
    return [
        (1.0 - (-weighted / q.intensity_scale).exp()).alias("intensity"),
        (
            0.5
            * ((pl.col("in_365").fill_null(0) > 0) & (pl.col("out_365").fill_null(0) > 0)).cast(
                pl.Float64
            )
            + 0.5
            * (pl.col("follows_me").fill_null(False) & pl.col("i_follow").fill_null(False)).cast(
                pl.Float64
            )
        ).alias("reciprocity"),
        pl.when(pl.col("last_ts").is_not_null())
        .then(
            (
                -math.log(2) * _days_since("last_ts", as_of).clip(lower_bound=0) / q.half_life_days
            ).exp()
        )
        .otherwise(z)
        .alias("recency"),
        # rounded: polars divides by a literal either exactly or by multiplying with its
        # reciprocal, depending on the plan; the two differ in the last bit, and the same
        # data must give the same scores (cached or not)
        (days_known / q.duration_full_days)
        .clip(upper_bound=1.0)
        .round(12)
        .fill_null(0.0)
        .alias("duration"),
        pl.when(n365 > 0)
        .then(pl.col("private_365").cast(pl.Float64) / n365)
        .otherwise(z)
        .alias("intimacy"),
        ((pl.col("n_channels").fill_null(0).cast(pl.Float64) - 1) / (q.multiplexity_full - 1))
        .clip(0.0, 1.0)
        .alias("multiplexity"),
    ]


def quality_expr(q: Quality) -> pl.Expr:
    """100 · Σ wᵢ·cᵢ / Σ wᵢ over ``COMPONENTS`` (weights from params), rounded to 0.1."""
    w = q.weights.model_dump()
    total = sum(w.values()) or 1.0
    return (
        (100.0 * pl.sum_horizontal([pl.col(c) * (w[c] / total) for c in COMPONENTS]))
        .round(1)
        .alias("quality")
    )


def stage_expr() -> pl.Expr:
    """The stage by the exact rules in the module docstring (first rule that holds)."""
    f = {c: pl.col(c).fill_null(0) for c in ("strong_365", "dm_in_w", "dm_out_w", "in_w", "out_w",
                                             "in_w_nonlike", "in_w_like")}  # fmt: skip
    return (
        pl.when((f["strong_365"] > 0) | ((f["dm_in_w"] > 0) & (f["dm_out_w"] > 0)))
        .then(pl.lit("trusted"))
        .when((f["in_w"] > 0) & (f["out_w"] > 0))
        .then(pl.lit("conversant"))
        .when(f["in_w_nonlike"] > 0)
        .then(pl.lit("engaged"))
        .when(f["in_w_like"] > 0)
        .then(pl.lit("aware"))
        .when((f["out_w"] > 0) & (f["in_w"] == 0))
        .then(pl.lit("reached"))
        .otherwise(pl.lit("connection"))
        .cast(pl.Enum(STAGES))
        .alias("stage")
    )


def live_expr() -> pl.Expr:
    """A live tie: at least one interaction in the last 365 days (``n_365`` > 0)."""
    return pl.col("n_365").fill_null(0) > 0


def layer_expr(by: str | list[str] = "account_id") -> pl.Expr:
    """Dunbar layer 5/15/50/150/500/1500/rest of the account's live ties ranked by quality
    (ties: more recent last contact first, then contact_id); null for a tie that is not
    live (``live_expr``) or has quality 0."""
    rank = (
        pl.struct(
            (-pl.col("quality")).alias("q"),
            (-pl.col("last_ts").dt.epoch("us").fill_null(-(2**62))).alias("t"),
            pl.col("contact_id"),
        )
        .rank("ordinal")
        .over(by)
    )
    e = pl.when((pl.col("quality") <= 0) | ~live_expr()).then(pl.lit(None, pl.String))
    for cut, label in zip(LAYERS, LAYER_LABELS, strict=False):
        e = e.when(rank <= cut).then(pl.lit(label))
    return e.otherwise(pl.lit("rest")).cast(pl.Enum(LAYER_LABELS)).alias("layer")


def with_layers(lf: pl.LazyFrame, by: str | list[str] = "account_id") -> pl.LazyFrame:
    """``lf.with_columns(layer_expr(by))``, computed faster: only the contacts that can be
    in a numbered layer are ranked. They are the live contacts with quality > 0 and quality
    ≥ the ``LAYERS[-1]``-th highest such quality of their group: every contact ranked before
    one of them is one of them, so their ranks are those of the full ranking, and every
    other live contact ranks after at least ``LAYERS[-1]`` others ("rest"); a contact that
    is not live (or has quality 0) is in no layer (null). Expects a non-null ``quality``
    (as ``quality_expr`` gives)."""
    keys = [by] if isinstance(by, str) else list(by)
    q = pl.col("quality")
    rankable = (q > 0) & live_expr()
    lf = lf.with_row_index("_layer_row")
    cut = lf.filter(rankable).group_by(keys).agg(q.top_k(LAYERS[-1]).min().alias("_layer_cut"))
    ranked = (
        lf.select("_layer_row", *keys, "quality", "last_ts", "contact_id", "n_365")
        .join(cut, on=keys, how="inner", nulls_equal=True, maintain_order="left")
        .filter(rankable & (q >= pl.col("_layer_cut")))
        .select("_layer_row", layer_expr(by))
    )
    return (
        lf.join(ranked, on="_layer_row", how="left", maintain_order="left")
        .with_columns(pl.when(rankable).then(pl.col("layer").fill_null("rest")).alias("layer"))
        .drop("_layer_row")
    )
