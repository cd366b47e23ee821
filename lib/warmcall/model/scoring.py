"""``score``: one row per (account_id, contact_id) with features, quality and its
components, stage, Dunbar layer, segment, relevance and hygiene flags.

The contact universe is every contact in ``connections`` or a counterpart in
``interactions`` (per account); ``is_connection`` marks which. Lazy plans: the
interactions → features group-by (over the table cache's Parquet scan when the workbook
came from it: only the columns it needs are read), a full join with connections, then
column expressions.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from warmcall.core.params import Params, as_params
from warmcall.ingest.identities import read_identities
from warmcall.ingest.people import read_people
from warmcall.ingest.workbook import LazyWorkbook, Workbook
from warmcall.model import audience, cadence, features, identity, quality, segments

CONNECTION_COLS = (
    "handle", "display_name", "bio", "company", "position", "location", "contact_followers",
    "contact_following", "contact_posts", "contact_last_post_at", "follows_me", "i_follow",
    "connected_at", "person_id",
)  # fmt: skip


def resolve_as_of(wb: Workbook, p: Params) -> date:
    """``params.as_of``, else the last UTC date with an interaction or post, else today."""
    if p.as_of is not None:
        return p.as_of
    tables = ("interactions", "posts")
    last = [wb.scan(t).select(pl.col("ts").max()).collect().item() for t in tables]
    last = [v for v in last if v is not None]
    return max(last).date() if last else date.today()


def select(wb: Workbook, p: Params) -> Workbook:
    """The workbook restricted to ``params.accounts`` and ``params.platforms`` (if set)."""
    if p.accounts is None and p.platforms is None:
        return wb

    cond = pl.lit(True)
    if p.accounts is not None:
        cond = cond & pl.col("account_id").is_in(p.accounts)
    if p.platforms is not None:
        cond = cond & pl.col("platform").is_in(p.platforms)
    tables = ("accounts", "connections", "interactions", "posts")
    if isinstance(wb, LazyWorkbook):  # stay lazy: filtered scans
        return LazyWorkbook({t: wb.scan(t).filter(cond) for t in tables}, wb.report)
    f = {t: getattr(wb, t).filter(cond) for t in tables}
    return Workbook(f["accounts"], f["connections"], f["interactions"], f["posts"], wb.report)


def features_frame(wb: Workbook, p: Params, as_of: date) -> pl.LazyFrame:
    """Contact universe with interaction features and connection attributes (no scores)."""
    keyed = wb.keyed_interactions()
    if keyed is not None:
        inter, keys = keyed
    else:
        inter, keys = wb.scan("interactions"), None
    feats = features.contact_features(
        inter, as_of, p.window_days, p.quality.kind_weights, contact_keys=keys
    )
    conns = wb.scan("connections").select("account_id", "platform", "contact_id", *CONNECTION_COLS)
    # a connection: follows you or is followed by you where the export says either (a named
    # DM partner of an X archive has a connections row but is neither), else any row; and
    # not one whose connected_at is after as_of (not yet connected at T)
    follows = pl.col("follows_me").fill_null(False) | pl.col("i_follow").fill_null(False)
    said = pl.col("follows_me").is_not_null() | pl.col("i_follow").is_not_null()
    conns = conns.with_columns(
        is_connection=pl.when(said).then(follows).otherwise(True)
        & (pl.col("connected_at").is_null() | (pl.col("connected_at").dt.date() <= as_of))
    )
    return conns.join(
        feats, on=["account_id", "platform", "contact_id"], how="full", coalesce=True
    ).with_columns(
        *identity.contact_labels(),  # handle/name of contacts met only in interactions
        pl.col("is_connection").fill_null(False),
        *[pl.col(c).fill_null(0) for c, t in features.FEATURE_SCHEMA.items() if t == pl.UInt32],
        pl.col("weighted_365").fill_null(0.0),
    )


def with_persons(df: pl.DataFrame, p: Params) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Assign person_id across platforms (``warmcall.model.identity``) and count channels for
    multiplexity: distinct kinds in the last 365 days + (platforms the person is on − 1)."""
    ids = read_identities(p.identities) if p.identities else None
    df, evidence = identity.assign_persons(df, ids, auto=p.identity_auto)
    # a contact without a person is on its own platform only (no per-row key text needed)
    n_platforms = (
        pl.when(pl.col("person_id").is_null())
        .then(1)
        .otherwise(pl.col("platform").n_unique().over("person_id"))
    )
    return df.with_columns(n_platforms=n_platforms.cast(pl.UInt32)).with_columns(
        n_channels=(pl.col("n_kinds_365") + pl.col("n_platforms") - 1).cast(pl.UInt32)
    ), evidence


#: columns gathered together by ``sorted_column_by_column`` (in parallel; the extra memory is
#: at most these columns)
_SORT_GROUP = 6


def sorted_column_by_column(
    df: pl.DataFrame, by: list[str], descending: list[bool]
) -> pl.DataFrame:
    """``df.sort(by, descending=descending)``, built one column at a time: the row order is
    computed once (``arg_sort_by``), then each column is taken out of ``df``
    (``drop_in_place``) and gathered in that order, ``_SORT_GROUP`` columns at a time, so
    only those columns exist twice and the peak is about the frame plus a few columns, not
    twice the frame (at 10M contacts
    the frame is ~8 GB). ``df`` is emptied. The order is total when ``by`` ends with a key
    (here ``contact_id`` within an account), so it equals ``df.sort``'s."""
    idx = df.select(pl.arg_sort_by(by, descending=descending)).to_series()
    names = list(df.columns)
    parts = []
    for i in range(0, len(names), _SORT_GROUP):  # a few columns at a time, gathered in parallel
        group = pl.DataFrame([df.drop_in_place(n) for n in names[i : i + _SORT_GROUP]])
        parts.append(group.select(pl.all().gather(idx)))
        del group
    return pl.concat(parts, how="horizontal")


def score_features(lf: pl.LazyFrame, p: Params, as_of: date) -> pl.LazyFrame:
    """Add components, quality, stage, layer, segment, relevance and hygiene flags."""
    lf = lf.with_columns(quality.components(p.quality, as_of)).with_columns(
        quality.quality_expr(p.quality), quality.stage_expr()
    )
    # Collected here: polars 2.1's streaming sort panics on text columns built from literals
    # downstream of the layer join (BinaryView gather_extend); an in-memory frame avoids it.
    # Sorted before the text rules (row-wise, so the same values): the sort then moves fewer
    # columns (not the list of flags).
    layered = sorted_column_by_column(
        quality.with_layers(lf).collect(),
        ["account_id", "quality", "contact_id"],
        [False, True, False],
    )
    return layered.lazy().with_columns(
        segments.segment_expr(p.segments),
        segments.relevance_expr(p.relevance),
        *audience.hygiene_exprs(p.hygiene),
        (pl.lit(as_of) - pl.col("last_ts").dt.date()).dt.total_days().alias("days_since_last"),
    )


def prepared_features(wb: Workbook, p: Params, as_of: date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Features with persons assigned and the ``people.csv`` columns
    (``warmcall.model.cadence.with_people``): the input of ``score_features`` and of what-if
    recomputation (computed once, re-scored many times). Returns (features, identity evidence)."""
    feats, evidence = with_persons(features_frame(wb, p, as_of).collect(), p)
    people = read_people(p.people).rows if p.people else None
    return cadence.with_people(feats, people), evidence


def score(wb: Workbook, params: Params | dict | str | None = None) -> pl.DataFrame:
    """Score every contact of every account (see module docstring and ``warmcall.model.quality``)."""
    p = as_params(params)
    wb = select(wb, p)
    as_of = resolve_as_of(wb, p)
    feats, _ = prepared_features(wb, p, as_of)
    return score_features(feats.lazy(), p, as_of).collect()
