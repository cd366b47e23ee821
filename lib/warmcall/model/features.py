"""Per-contact features from interactions: one group-by pass (docs/architecture.md "Scale").

Time rules (issue "Relationship quality", stages): with as-of date T and window W days,
"in the window" means T − W + 1 ≤ date(ts) ≤ T (UTC dates, both ends included); "in the last
365 days" likewise with 365; interactions after T are ignored.

Speed (issue "Fast at brand scale"): every per-row condition is computed once as a column and
the group-by only uses the aggregations polars runs on its fast path (len, sum, min, max,
bitwise or). The kinds seen in the last 365 days are a bit set (one bit per canonical kind);
the latest interaction is found with one ``max`` over ``ts · 2⁴⁰ + (2⁴⁰ − 1 − row)`` (Int128:
latest timestamp, then the earliest row among equal timestamps) and its kind, direction and
post are joined back by row number. Contacts whose last-365-days interactions include a kind
outside ``schema.KINDS`` (never the case after validation) get ``n_kinds_365`` and
``platforms_kinds`` from an exact slow path.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl

from warmcall.core.schema import CONTACT_KEY, KEYS, KINDS, TS

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

_ROW_BITS = 40  # row numbers below 2⁴⁰ (10¹²) rows
_UNKNOWN_BIT = 1 << len(KINDS)


def window_start(as_of: date, days: int) -> date:
    """First day of the ``days``-day window ending on ``as_of`` (inclusive): T − W + 1."""
    return as_of - timedelta(days=days - 1)


def midnight(d: date) -> datetime:
    """The first instant of day ``d`` in UTC: on a ``schema.TS`` column, ``date(ts) >= d``
    is ``ts >= midnight(d)``, a comparison without a per-row date conversion."""
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def contact_features(
    interactions: pl.LazyFrame | pl.DataFrame,
    as_of: date,
    window_days: int,
    kind_weights: dict[str, float],
    *,
    contact_keys: pl.LazyFrame | pl.DataFrame | None = None,
    engine: str = "streaming",
) -> pl.LazyFrame:
    """Aggregate interactions to one row per (account_id, platform, contact_id).

    Counts: all (≤ T), inbound/outbound, inbound/outbound in the window, inbound non-like
    and like/reaction in the window, DMs each way in the window, call/meeting/event in the
    last 365 days, interactions and private ones (dm/call/meeting/email) in the last 365
    days, ``weighted_365`` = Σ kind weight over the last 365 days, distinct kinds in the
    last 365 days, first/last timestamps (overall, inbound, outbound); the kind, direction
    and post of the latest interaction (ties: the first such row).

    ``contact_keys``: with it, ``interactions`` carries a dense integer key column ``_ck``
    instead of the three key columns, and ``contact_keys`` maps ``_ck`` to
    (account_id, platform, contact_id) (the table cache stores interactions that way:
    grouping by one integer is several times faster than by three strings).

    ``engine``: the polars engine of the group-by pass; ``"streaming"`` (default) reads the
    interactions in batches, so memory follows the number of contacts, not of interactions
    (100M interactions at 10× scale L); ``"in-memory"`` gives the same rows.
    """
    lf = interactions.lazy()
    keys = [CONTACT_KEY] if contact_keys is not None else list(KEYS)
    if lf.collect_schema()["ts"] != TS:  # not validated: the plain formulation
        if contact_keys is not None:
            lf = lf.join(contact_keys.lazy().select(CONTACT_KEY, *KEYS), on=CONTACT_KEY, how="left")
        return _contact_features_plain(lf, as_of, window_days, kind_weights)
    lf = lf.select(*keys, "ts", "kind", "direction", "post_id").with_row_index("_i")
    ts = pl.col("ts")
    upto = ts < midnight(as_of + timedelta(days=1))
    in_w = ts >= midnight(window_start(as_of, window_days))
    in_y = ts >= midnight(window_start(as_of, 365))
    kind = pl.col("kind")
    inbound = pl.col("direction") == "in"
    outbound = pl.col("direction") == "out"
    like = kind.is_in(LIKE_KINDS)
    dm = kind == "dm"
    code = (
        kind.cast(pl.Enum(KINDS), strict=False).to_physical().cast(pl.UInt32).fill_null(len(KINDS))
    )
    weights = pl.Series([float(kind_weights.get(k, 0.0)) for k in KINDS] + [0.0], dtype=pl.Float64)
    bits = pl.Series([1 << i for i in range(len(KINDS))] + [_UNKNOWN_BIT], dtype=pl.Int32)
    row_max = (1 << _ROW_BITS) - 1
    row = pl.col("_i").cast(pl.Int128)
    latest = ts.dt.epoch("us").cast(pl.Int128) * (1 << _ROW_BITS) + (row_max - row)
    counts = {
        "n_in": inbound, "n_out": outbound, "in_w": inbound & in_w, "out_w": outbound & in_w,
        "in_w_nonlike": inbound & in_w & ~like, "in_w_like": inbound & in_w & like,
        "dm_in_w": inbound & in_w & dm,
        "dm_out_w": outbound & in_w & dm, "strong_365": in_y & kind.is_in(STRONG_KINDS),
        "in_365": inbound & in_y, "out_365": outbound & in_y, "n_365": in_y,
        "private_365": in_y & kind.is_in(PRIVATE_KINDS),
    }  # fmt: skip
    u = pl.UInt32
    rows = lf.filter(upto)
    agg = (
        rows.with_columns(
            *[e.alias(f"_{n}") for n, e in counts.items()],
            _w=pl.when(in_y).then(pl.lit(weights).gather(code)).otherwise(0.0),
            _b=pl.when(in_y).then(pl.lit(bits).gather(code)).otherwise(0),
            _tin=pl.when(inbound).then(ts),
            _tout=pl.when(outbound).then(ts),
            _latest=latest,
        )
        .group_by(keys)
        .agg(
            pl.len().cast(u).alias("n_interactions"),
            *[pl.col(f"_{n}").sum().cast(u).alias(n) for n in counts],
            pl.col("_w").sum().alias("weighted_365"),
            pl.col("_b").bitwise_or().alias("_b"),
            ts.min().alias("first_ts"),
            pl.col("_tin").max().alias("last_in_ts"),
            pl.col("_tout").max().alias("last_out_ts"),
            pl.col("_latest").max().alias("_latest"),
        )
    )
    b = pl.col("_b")
    by_name = sorted(range(len(KINDS)), key=lambda i: KINDS[i])
    agg = agg.with_columns(
        n_kinds_365=(b & (_UNKNOWN_BIT - 1)).bitwise_count_ones().cast(u),
        platforms_kinds=pl.concat_str(
            [pl.when((b & (1 << i)) != 0).then(pl.lit(KINDS[i])) for i in by_name],
            separator=",",
            ignore_nulls=True,
        ),
        last_ts=(pl.col("_latest") // (1 << _ROW_BITS)).cast(pl.Int64).cast(TS),
        _i=(row_max - pl.col("_latest") % (1 << _ROW_BITS)).cast(pl.get_index_type()),
    )
    last = lf.select(
        "_i",
        kind.alias("last_kind"),
        pl.col("direction").alias("last_direction"),
        pl.col("post_id").alias("last_post_id"),
    ).join(agg.select("_i"), on="_i", how="inner")
    out = agg.join(last, on="_i", how="left")
    if contact_keys is not None:
        out = out.join(contact_keys.lazy().select(CONTACT_KEY, *KEYS), on=CONTACT_KEY, how="left")
    df = out.collect(engine=engine)  # type: ignore[arg-type]
    odd = df.filter((pl.col("_b") & _UNKNOWN_BIT) != 0)
    if odd.height:  # a non-canonical (or null) kind in the last 365 days: exact slow path
        src = (
            lf
            if contact_keys is None
            else lf.join(contact_keys.lazy().select(CONTACT_KEY, *KEYS), on=CONTACT_KEY, how="left")
        )
        exact = (
            src.filter(upto & in_y)
            .join(odd.lazy().select(*KEYS), on=list(KEYS), how="semi", nulls_equal=True)
            .group_by(*KEYS)
            .agg(
                kind.n_unique().cast(u).alias("_nk"),
                kind.unique().sort().str.join(",").alias("_pk"),
            )
            .collect()
        )
        df = df.join(
            exact, on=list(KEYS), how="left", nulls_equal=True, maintain_order="left"
        ).with_columns(
            n_kinds_365=pl.coalesce("_nk", "n_kinds_365"),
            platforms_kinds=pl.coalesce("_pk", "platforms_kinds"),
        )
    return df.lazy().select(*KEYS, *FEATURE_SCHEMA)


def _contact_features_plain(
    lf: pl.LazyFrame, as_of: date, window_days: int, kind_weights: dict[str, float]
) -> pl.LazyFrame:
    """``contact_features`` for timestamps that are not UTC microseconds (unvalidated
    frames): the same rules written directly, dates taken in the column's own time zone."""
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
        .group_by(*KEYS)
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
        .select(*KEYS, *FEATURE_SCHEMA)
    )
