"""What-if exploration as pure functions over precomputed per-contact features (no widgets
here; ``warmcall.present.widgets`` wires controls to these).

The heavy step (interactions → features) runs once per window; everything else reuses it:

- ``features_for_window(wb, params, as_of, window_days)``: the contact features for one
  window (``scoring.prepared_features``: persons assigned, channels counted) plus per-kind
  counts over the last 365 days (``k365_<kind>``) and the columns that do not depend on
  quality settings (``STATIC_COLUMNS``: stage, segment, relevance, hygiene flags, days since
  last contact, days known). Cached per (workbook, as-of, window, params that shape these
  columns), so going back to a window seen before is instant. Changing ``window_days``
  *needs* this: the window counts (in_w, out_w, ...) and so the stages exist only for the
  window they were computed for. ``prepare`` adds the static columns to any features or
  scores frame once.
- ``rescore(features, params_or_overrides, as_of)``: quality and its six components again
  under other weights, half-life, kind weights (only with the ``k365_<kind>`` columns:
  weighted_365 = Σₖ kind_weight[k] · k365_k), intensity scale, ... Other columns untouched.
- ``filter_contacts``, ``summary``, ``stage_counts``, ``quality_histogram``: slice and count.
- ``prune``: followers and the engaged rate (engaged in the window ÷ followers) if
  low-quality followers were ignored; it follows the window of the features.
- the outreach projection (expected new ties and referrals from N calls a day for D working
  days, under stated assumptions) is ``warmcall.act.projection.project_outreach``.

Measured once (2 shared cores, polars 2.1, synthetic 1,000,000-contact frame, median of 9):
``rescore`` (fast path, new weights and half-life) + ``summary`` ≈ 33 ms on a quiet machine,
52–69 ms under load (with new kind weights ≈ +10 ms). ``make bench`` owns performance targets;
no test times this.
"""

from __future__ import annotations

import json
import math
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

import polars as pl

from warmcall.core.params import Params, Quality, as_params, parse_params
from warmcall.core.schema import KINDS, TS
from warmcall.ingest.workbook import Workbook
from warmcall.model import audience, quality, segments
from warmcall.model.features import midnight, window_start
from warmcall.model.scoring import prepared_features, resolve_as_of, select

KIND_PREFIX = "k365_"
KIND_COLUMNS = tuple(f"{KIND_PREFIX}{k}" for k in KINDS)
#: Columns that do not depend on quality settings; with them present ``rescore`` only
#: recomputes components and quality (the fast path). ``days_known`` = whole days from the
#: first known date (connected_at or first interaction, the earlier) to as-of, ≥ 0.
STATIC_COLUMNS = (
    "stage",
    "segment",
    "relevance",
    "flags",
    "flagged",
    "days_since_last",
    "days_known",
)
#: Quality at or above which a tie counts as "strong" in ``summary`` (a display threshold).
STRONG_QUALITY = 50.0


# --------------------------------------------------------------------------- features


def kind_counts(
    interactions: pl.DataFrame | pl.LazyFrame,
    as_of: date,
    contact_keys: pl.DataFrame | pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Per (account_id, platform, contact_id): interactions of each kind in the last 365 days
    (T − 364 ≤ date(ts) ≤ T, both directions) as ``k365_<kind>`` (Float64, for speed).
    ``contact_keys``: ``interactions`` carry the integer key ``_ck`` instead of the three
    key columns (``Workbook.keyed_interactions``); grouped by it, then named (5× faster at
    10M interactions)."""
    lf = interactions.lazy()
    ts = pl.col("ts")
    if lf.collect_schema()["ts"] == TS:  # the day test on the timestamps themselves
        in_y = (ts >= midnight(window_start(as_of, 365))) & (
            ts < midnight(as_of + timedelta(days=1))
        )
    else:
        in_y = (ts.dt.date() >= window_start(as_of, 365)) & (ts.dt.date() <= as_of)
    keys = ["_ck"] if contact_keys is not None else ["account_id", "platform", "contact_id"]
    counts = (
        lf.filter(in_y)
        .group_by(keys)
        .agg(
            [(pl.col("kind") == k).sum().cast(pl.Float64).alias(f"{KIND_PREFIX}{k}") for k in KINDS]
        )
    )
    if contact_keys is None:
        return counts
    named = contact_keys.lazy().select("_ck", "account_id", "platform", "contact_id")
    return counts.join(named, on="_ck", how="left").drop("_ck")


def _static_exprs(p: Params, as_of: date, have: set[str]) -> list[list[pl.Expr]]:
    """Expression stages adding the missing ``STATIC_COLUMNS`` (stage first: flags need it)."""
    first_known = pl.min_horizontal(pl.col("connected_at"), pl.col("first_ts"))
    later: list[pl.Expr] = []
    if "segment" not in have:
        later.append(segments.segment_expr(p.segments))
    if "relevance" not in have:
        later.append(segments.relevance_expr(p.relevance))
    if not {"flags", "flagged"} <= have:
        later += audience.hygiene_exprs(p.hygiene)
    if "days_since_last" not in have:
        later.append(
            (pl.lit(as_of) - pl.col("last_ts").dt.date()).dt.total_days().alias("days_since_last")
        )
    if "days_known" not in have:
        later.append(
            (pl.lit(as_of) - first_known.dt.date())
            .dt.total_days()
            .clip(lower_bound=0)
            .alias("days_known")
        )
    return [[quality.stage_expr()] if "stage" not in have else [], later]


def with_scored_columns(
    features: pl.DataFrame | None, scores: pl.DataFrame, params: Params | dict | str | None = None
) -> pl.DataFrame | None:
    """``features`` with the ``STATIC_COLUMNS`` that ``scores`` already holds, joined by
    (account_id, platform, contact_id): ``scores`` must be ``score_features`` of these
    features (same params, as-of and window; ``Analysis.scores``), so ``prepare`` then only
    adds what scores lack (``days_known``) instead of running the segment, relevance and
    hygiene text rules again (1.3 s at 1M contacts). With redaction on (``params.redact``)
    the scores' keys are pseudonyms and ``features`` come back as they are."""
    if features is None or as_params(params).redact:
        return features
    keys = ["account_id", "platform", "contact_id"]
    have = [c for c in STATIC_COLUMNS if c in scores.columns and c not in features.columns]
    if not have:
        return features
    return features.join(scores.select(*keys, *have), on=keys, how="left")


def prepare(
    features: pl.DataFrame, params: Params | dict | str | None, as_of: date
) -> pl.DataFrame:
    """Add whichever ``STATIC_COLUMNS`` are missing (computed with ``params`` at ``as_of``),
    so that later ``rescore`` calls take the fast path. A ``score`` output only lacks
    ``days_known``. ``as_of`` must be the date the features were computed for."""
    p = as_params(params)
    have = set(features.columns)
    if set(STATIC_COLUMNS) <= have:
        return features
    lf = features.lazy()
    for stage in _static_exprs(p, as_of, have):
        if stage:
            lf = lf.with_columns(stage)
    return lf.collect()


_CACHE: OrderedDict[tuple, tuple[weakref.ref, pl.DataFrame]] = OrderedDict()
CACHE_SIZE = 8
# id(frame) -> (weak reference, kind weights its weighted_365 was computed with)
_WEIGHTED: dict[int, tuple[weakref.ref, tuple]] = {}


def _kw_key(kw: Mapping[str, float]) -> tuple:
    return tuple(sorted((k, float(v)) for k, v in kw.items()))


def _note_weights(df: pl.DataFrame, kw: Mapping[str, float]) -> None:
    key = id(df)

    def forget(ref: weakref.ref, key: int = key) -> None:
        if _WEIGHTED.get(key, (None,))[0] is ref:
            _WEIGHTED.pop(key, None)

    _WEIGHTED[key] = (weakref.ref(df, forget), _kw_key(kw))


def _weights_of(df: pl.DataFrame) -> tuple | None:
    e = _WEIGHTED.get(id(df))
    return e[1] if e is not None and e[0]() is df else None


def clear_cache() -> None:
    """Forget every cached feature frame."""
    _CACHE.clear()


def _fingerprint(p: Params) -> str:
    keep = p.model_dump(
        mode="json",
        include={
            "segments",
            "relevance",
            "hygiene",
            "accounts",
            "platforms",
            "identities",
            "identity_auto",
        },
    )
    return json.dumps(keep, sort_keys=True)


def features_for_window(
    workbook: Workbook,
    params: Params | dict | str | None = None,
    as_of: date | None = None,
    window_days: int | None = None,
    features: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Features for one window (module docstring), cached by (workbook object, as-of,
    window, segment/relevance/hygiene/selection/identity params). ``as_of`` defaults to
    ``scoring.resolve_as_of``; ``window_days`` to ``params.window_days``. Treat the result
    as read-only (it is shared by later calls). ``features``: the workbook's
    ``scoring.prepared_features`` for ``params`` at ``as_of`` when already computed
    (``Analysis.features``), used for the params' own window instead of computing them
    again (2.7 s at scale L)."""
    p = as_params(params)
    w = p.window_days if window_days is None else int(window_days)
    wb = select(workbook, p)
    as_of = as_of or resolve_as_of(wb, p)
    key = (id(workbook), as_of, w, _fingerprint(p))
    hit = _CACHE.get(key)
    if hit is not None and hit[0]() is workbook:
        _CACHE.move_to_end(key)
        return hit[1]
    pw = p.model_copy(update={"window_days": w})
    keys = ["account_id", "platform", "contact_id"]
    if features is not None and w == p.window_days:
        feats = features
    else:
        feats, _ = prepared_features(wb, pw, as_of)  # persons assigned, n_channels
    # a scan (only the columns kind_counts reads), not ``wb.interactions``: materialising
    # the table with its source text held 2 GB more at 10M interactions
    keyed = wb.keyed_interactions()
    counts = (
        kind_counts(keyed[0], as_of, keyed[1])
        if keyed
        else kind_counts(wb.scan("interactions"), as_of)
    )
    lf = feats.lazy().join(counts, on=keys, how="left")
    lf = lf.with_columns(pl.col(KIND_COLUMNS).fill_null(0.0))
    df = prepare(lf.collect(), pw, as_of)
    _note_weights(df, pw.quality.kind_weights)
    _CACHE[key] = (weakref.ref(workbook), df)
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)
    return df


# --------------------------------------------------------------------------- rescoring


def _merge(base: dict, over: Mapping) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), dict) else v
    return out


def resolve_params(
    params_or_overrides: Params | Quality | Mapping | None, base: Params | None = None
) -> Params:
    """A ``Params`` from: a Params; a Quality (replaces ``base.quality``); a dict shaped like
    Params (any key that is not a Quality field, e.g. ``quality``), deep-merged into ``base``;
    or a dict of Quality overrides (``weights``/``kind_weights`` may be partial, e.g.
    ``{"half_life_days": 30, "weights": {"recency": 0.5}}``), deep-merged into ``base.quality``."""
    base = base or Params()
    if params_or_overrides is None:
        return base
    if isinstance(params_or_overrides, Params):
        return params_or_overrides
    if isinstance(params_or_overrides, Quality):
        return base.model_copy(update={"quality": params_or_overrides})
    over = dict(params_or_overrides)
    if set(over) - set(Quality.model_fields):
        return parse_params(_merge(base.model_dump(mode="json"), over))
    q = Quality.model_validate(_merge(base.quality.model_dump(), over))
    return base.model_copy(update={"quality": q})


def _fast_components(q: Quality, as_of: date) -> list[pl.Expr]:
    """``quality.components`` with recency and duration taken from the precomputed
    ``days_since_last`` and ``days_known`` (same formulas, no date arithmetic)."""
    ln2 = math.log(2)
    comp = {e.meta.output_name(): e for e in quality.components(q, as_of)}
    days = pl.col("days_since_last")
    comp["recency"] = (
        pl.when(days.is_not_null())
        .then((-ln2 * days.clip(lower_bound=0) / q.half_life_days).exp())
        .otherwise(pl.lit(0.0))
        .alias("recency")
    )
    comp["duration"] = (
        (pl.col("days_known").cast(pl.Float64) / q.duration_full_days)
        .clip(upper_bound=1.0)
        .round(12)  # as quality.components (the last bit of a division by a literal varies)
        .fill_null(0.0)
    ).alias("duration")
    return [comp[c] for c in quality.COMPONENTS]


def rescore(
    features: pl.DataFrame,
    params_or_overrides: Params | Quality | Mapping | None,
    as_of: date,
    *,
    base: Params | None = None,
    with_layers: bool = False,
) -> pl.DataFrame:
    """Quality and its six components under other quality settings (``resolve_params``;
    ``base`` = the params the features were built with, default all defaults).

    ``features``: ``features_for_window`` / ``prepare`` output (fast path: only components
    and quality are recomputed), a ``score`` output, or ``scoring.prepared_features(...)[0]``
    (missing stage, segment, relevance, flags, day counts are computed from ``base``; call
    ``prepare`` once to avoid repeating that). ``as_of``: the date the features were computed
    for. Kind weights: with ``k365_<kind>`` columns weighted_365 = Σₖ w[k]·k365_k is
    recomputed (skipped when the weights are those it was computed with); without them it
    is kept as computed, and a dict override of ``kind_weights`` raises ``ValueError`` (use
    ``features_for_window``). ``layer`` depends on the quality ranking: it is dropped unless
    ``with_layers`` (a per-account sort: slower). Row order is kept.
    """
    p = resolve_params(params_or_overrides, base)
    q = p.quality
    cols = set(features.columns)
    over = params_or_overrides if isinstance(params_or_overrides, Mapping) else {}
    if not set(KIND_COLUMNS) <= cols and (
        "kind_weights" in over or "kind_weights" in (over.get("quality") or {})
    ):
        raise ValueError(
            "changing kind weights needs per-kind counts: "
            "build the frame with whatif.features_for_window"
        )
    if not set(STATIC_COLUMNS) <= cols:
        features = prepare(features, base or p, as_of)
    lf = features.lazy()
    recomputed = set(KIND_COLUMNS) <= cols and _weights_of(features) != _kw_key(q.kind_weights)
    if recomputed:
        w = q.kind_weights
        terms = [
            pl.col(f"{KIND_PREFIX}{k}").cast(pl.Float64) * float(w.get(k, 0.0))
            for k in KINDS
            if w.get(k, 0.0)
        ]
        lf = lf.with_columns(sum(terms, pl.lit(0.0)).alias("weighted_365"))
    lf = lf.with_columns(_fast_components(q, as_of)).with_columns(quality.quality_expr(q))
    if with_layers:
        lf = lf.with_columns(quality.layer_expr())
    elif "layer" in cols:
        lf = lf.drop("layer")
    out = lf.collect()
    if set(KIND_COLUMNS) <= cols:
        _note_weights(out, q.kind_weights)
    return out


# --------------------------------------------------------------------------- slicing


def filter_contacts(
    scores: pl.DataFrame,
    platforms: Iterable[str] | None = None,
    segments: Iterable[str] | None = None,
    stages: Iterable[str] | None = None,
    date_range: tuple[date | None, date | None] | None = None,
) -> pl.DataFrame:
    """Contacts on ``platforms``, in ``segments``, at ``stages`` (None = no condition; an
    empty list keeps nobody), and whose last interaction's UTC date lies in ``date_range``
    = (first, last), both ends included, None = open (with a range, contacts who never
    interacted are dropped)."""
    cond = pl.lit(True)
    if platforms is not None:
        cond = cond & pl.col("platform").is_in(list(platforms))
    if segments is not None:
        cond = cond & pl.col("segment").is_in(list(segments))
    if stages is not None:
        cond = cond & pl.col("stage").cast(pl.String).is_in(list(stages))
    if date_range is not None:
        lo, hi = date_range
        d = pl.col("last_ts").dt.date()
        cond = cond & d.is_not_null()
        if lo is not None:
            cond = cond & (d >= lo)
        if hi is not None:
            cond = cond & (d <= hi)
    return scores.filter(cond)


def summary(scores: pl.DataFrame, overview: pl.DataFrame | None = None) -> dict[str, Any]:
    """Counts for a what-if view, one pass: contacts; followers (contacts who follow you);
    engaged (≥1 inbound interaction in the window, as ``summary.summarize``); ``stages``
    (contacts at each stage, funnel order); two_way (conversant + trusted); trusted;
    flagged; strong (quality ≥ ``STRONG_QUALITY``); mean and median quality (0.1; None with
    no contacts).

    With the ``overview`` (``summary.account_overview``: two_way and trusted null where an
    account's export cannot show them), two_way and trusted count only the contacts of the
    accounts where the overview knows them, so the panel says what the overview says; None
    when no account's export can show them."""
    s = _stage_code()
    row = scores.select(
        contacts=pl.len(),
        followers=pl.col("follows_me").fill_null(False).sum(),
        engaged=(pl.col("in_w") > 0).sum(),
        flagged=pl.col("flagged").fill_null(False).sum(),
        strong=(pl.col("quality") >= STRONG_QUALITY).sum(),
        mean_quality=pl.col("quality").mean(),
        median_quality=pl.col("quality").median(),
        **{f"_st_{st}": (s == i).sum() for i, st in enumerate(quality.STAGES)},
    ).row(0, named=True)
    out: dict[str, Any] = {
        k: int(row[k]) for k in ("contacts", "followers", "engaged", "flagged", "strong")
    }
    out["stages"] = {st: int(row[f"_st_{st}"]) for st in quality.STAGES}
    out["two_way"] = out["stages"]["conversant"] + out["stages"]["trusted"]
    out["trusted"] = out["stages"]["trusted"]
    if overview is not None and {"account_id", "two_way", "trusted"} <= set(overview.columns):
        for fig, stages in (("two_way", ("conversant", "trusted")), ("trusted", ("trusted",))):
            known = overview.filter(pl.col(fig).is_not_null())["account_id"]
            if known.len() == 0:
                out[fig] = None
                continue
            out[fig] = int(
                scores.filter(
                    pl.col("account_id").is_in(known.to_list())
                    & s.is_in([quality.STAGES.index(st) for st in stages])
                ).height
            )
    for k in ("mean_quality", "median_quality"):
        out[k] = None if row[k] is None else round(float(row[k]), 1)
    return out


def _stage_code() -> pl.Expr:
    """Stage as its funnel index 0..4 (the Enum's physical code: no string work)."""
    return pl.col("stage").cast(pl.Enum(quality.STAGES)).to_physical()


def stage_counts(scores: pl.DataFrame) -> pl.DataFrame:
    """(stage, contacts) for every stage in funnel order (zeros included)."""
    c = scores.select(_stage_code().alias("i")).to_series().value_counts(name="n")
    got = dict(zip(c["i"].to_list(), c["n"].to_list(), strict=True))
    return pl.DataFrame(
        {
            "stage": list(quality.STAGES),
            "contacts": [int(got.get(i, 0)) for i in range(len(quality.STAGES))],
        },
        schema={"stage": pl.String, "contacts": pl.Int64},
    )


def quality_histogram(scores: pl.DataFrame, width: int = 10) -> pl.DataFrame:
    """(quality_bin, contacts): bins [0, w), [w, 2w), ..., the last one closed at 100."""
    edges = list(range(0, 100, width))
    b = ((pl.col("quality") // width) * width).clip(0, edges[-1]).cast(pl.Int64)
    c = scores.select(b.alias("b")).to_series().drop_nulls().value_counts(name="n")
    got = dict(zip(c["b"].to_list(), c["n"].to_list(), strict=True))
    return pl.DataFrame(
        {"quality_bin": edges, "contacts": [int(got.get(e, 0)) for e in edges]},
        schema={"quality_bin": pl.Int64, "contacts": pl.Int64},
    )


# --------------------------------------------------------------------------- pruning


def prune(
    scores: pl.DataFrame, min_quality: float, overview: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Per account: what the audience would look like if followers below quality
    ``min_quality`` were ignored, for the window ``scores`` were computed for (``in_w``).

    Definitions:
    - listed followers = contacts with ``follows_me``; followers = the ``overview`` count
      (``summary.account_overview``: snapshot or list; null where it is not in the export)
      for an account the overview lists, else listed followers;
    - unlisted = max(followers − listed, 0): followers the export counts but does not list;
      nothing is known of them, so their quality is taken as 0 and they are pruned whenever
      ``min_quality`` > 0;
    - pruned = listed followers with quality < ``min_quality`` + unlisted (if pruned);
      remaining_followers = followers − pruned;
    - engaged = contacts with ≥ 1 inbound interaction in the window (in_w > 0, as
      ``summary.summarize``); engaged_kept = those of them not pruned; both null where the
      ``overview``'s engaged is null (the export cannot show engagement by others);
    - engaged_rate_before = engaged ÷ followers (engaged in window / followers: the share
      of the headline "Of your F followers, E engaged in the last W days");
      engaged_rate_after = engaged_kept ÷ remaining_followers. Both follow the window: a
      longer window counts more engaged people, over the same followers. Null when the
      denominator is 0 or a part is not in the export;
    - engagement_kept = Σ in_w of contacts not pruned ÷ Σ in_w of all contacts (1 when
      there is no engagement): the share of the window's inbound interactions that did not
      come from pruned followers;
    - interactions_per_follower_before/after = Σ in_w (kept) ÷ followers (remaining).
    With ``overview``, followers are the whole account's: with a segment filter pass only
    its account_id and engaged columns (which accounts can show engagement at all).
    """
    q = pl.col("quality").fill_null(0.0)
    fol = pl.col("follows_me").fill_null(False)
    gone = fol & (q < min_quality)
    inw = pl.col("in_w").fill_null(0).cast(pl.Float64)
    per = (
        scores.lazy()
        .select("account_id", fol.alias("_f"), gone.alias("_g"), inw.alias("_i"))
        .group_by("account_id")
        .agg(
            listed=pl.col("_f").sum().cast(pl.Int64),
            pruned_listed=pl.col("_g").sum().cast(pl.Int64),
            engaged=(pl.col("_i") > 0).sum().cast(pl.Int64),
            engaged_kept=((pl.col("_i") > 0) & ~pl.col("_g")).sum().cast(pl.Int64),
            in_w_all=pl.col("_i").sum(),
            in_w_kept=pl.when(pl.col("_g")).then(0.0).otherwise(pl.col("_i")).sum(),
        )
        .collect()
    )
    if overview is not None:
        known = pl.col("engaged").is_not_null() if "engaged" in overview.columns else pl.lit(True)
        has_f = "followers" in overview.columns
        ov = overview.select(
            "account_id",
            (pl.col("followers") if has_f else pl.lit(None)).cast(pl.Int64).alias("_ov"),
            pl.lit(has_f).alias("_in_ov"),
            known.alias("_eng_known"),
        )
        per = per.join(ov, on="account_id", how="left")
    else:
        per = per.with_columns(_ov=pl.lit(None, pl.Int64), _in_ov=None, _eng_known=None)
    eng_known = pl.col("_eng_known").fill_null(True)
    unlisted = (pl.col("followers") - pl.col("listed")).clip(lower_bound=0)
    rem = pl.col("remaining_followers").cast(pl.Float64)
    fol_n = pl.col("followers").cast(pl.Float64)
    return (
        per.with_columns(
            followers=pl.when(pl.col("_in_ov").fill_null(False))
            .then(pl.col("_ov"))
            .otherwise(pl.col("listed")),
            engaged=pl.when(eng_known).then(pl.col("engaged")),
            engaged_kept=pl.when(eng_known).then(pl.col("engaged_kept")),
            min_quality=pl.lit(float(min_quality)),
        )
        .with_columns(unlisted=unlisted)
        .with_columns(
            pruned=pl.col("pruned_listed")
            + (pl.col("unlisted") if min_quality > 0 else pl.lit(0, pl.Int64)),
            engagement_kept=pl.when(pl.col("in_w_all") > 0)
            .then(pl.col("in_w_kept") / pl.col("in_w_all"))
            .otherwise(pl.lit(1.0)),
        )
        .with_columns(remaining_followers=pl.col("followers") - pl.col("pruned"))
        .with_columns(
            engaged_rate_before=pl.when(pl.col("followers") > 0).then(pl.col("engaged") / fol_n),
            engaged_rate_after=pl.when(pl.col("remaining_followers") > 0).then(
                pl.col("engaged_kept") / rem
            ),
            interactions_per_follower_before=pl.when(pl.col("followers") > 0).then(
                pl.col("in_w_all") / fol_n
            ),
            interactions_per_follower_after=pl.when(pl.col("remaining_followers") > 0).then(
                pl.col("in_w_kept") / rem
            ),
        )
        .select(
            "account_id",
            "min_quality",
            "followers",
            "listed",
            "unlisted",
            "pruned",
            "remaining_followers",
            "engaged",
            "engaged_kept",
            "engaged_rate_before",
            "engaged_rate_after",
            "engagement_kept",
            "interactions_per_follower_before",
            "interactions_per_follower_after",
        )  # fmt: skip
        .sort("account_id")
    )


__all__ = [
    "KIND_COLUMNS", "STATIC_COLUMNS", "STRONG_QUALITY", "clear_cache",
    "features_for_window",
    "prepare",
    "filter_contacts", "kind_counts", "with_scored_columns", "prune", "quality_histogram", "rescore",
    "resolve_params", "stage_counts", "summary",
]  # fmt: skip
