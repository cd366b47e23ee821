"""Everything a notebook shows, computed here so that it is tested: one call per section
returns tidy frames and sentences; notebooks only display them.
"""

from __future__ import annotations

import math

import polars as pl

from warmcall.core.words import NOT_IN_EXPORT, count, noun, verb
from warmcall.model import reach, stats
from warmcall.model.links import profile_url
from warmcall.model.observability import knowable, signals_table, why_missing, with_signal_columns
from warmcall.model.pipeline import Analysis
from warmcall.model.stats import RankCorrelation, rank_correlation
from warmcall.model.summary import headline, summarize


def headline_sentence(a: Analysis) -> str:
    return headline(a.overview, a.params.window_days)


def _pct(col: str, digits: int = 2) -> pl.Expr:
    return pl.when(pl.col(col).is_not_null()).then(
        (pl.col(col) * 100).round(digits).cast(pl.String) + "%"
    )


def _known(figure: str, value: pl.Expr, why_null: str = "–") -> pl.Expr:
    """``value`` as text; "not in this export" where the account's exports cannot show
    ``figure`` (on a frame from ``observability.with_signal_columns``), else ``why_null``
    for a null value."""
    return (
        pl.when(~knowable(figure))
        .then(pl.lit(NOT_IN_EXPORT))
        .when(value.is_null())
        .then(pl.lit(why_null))
        .otherwise(value)
    )


def _int_text(col: str) -> pl.Expr:
    return pl.col(col).map_elements(lambda v: f"{v:,}", return_dtype=pl.String)


def platform_table(a: Analysis) -> pl.DataFrame:
    """Per account: followers (and where the number comes from), engaged, reached, two-way,
    trusted, posts and impressions in the window and both engagement rates (as percentages);
    "not in this export" where the account's exports cannot show a figure."""
    o = with_signal_columns(a.overview, a.signals)
    return o.select(
        "platform",
        _known("followers", _int_text("followers")).alias("followers"),
        pl.col("followers_source").alias("followers from"),
        _known("engaged", _int_text("engaged")).alias("engaged"),
        _known("reached", _int_text("reached")).alias("reached"),
        _known("two_way", _int_text("two_way")).alias("two-way"),
        _known("trusted", _int_text("trusted")).alias("trusted"),
        pl.col("posts").alias("posts in window"),
        _known("impressions", _int_text("impressions"), "none in the window").alias("impressions"),
        _known("followers", _pct("er_followers", 3), "no posts in the window")
        .pipe(lambda e: pl.when((pl.col("posts") > 0) & pl.col("engagements").is_null())
              .then(pl.lit(NOT_IN_EXPORT)).otherwise(e))
        .alias("ER by followers"),
        _known("er_impressions", _pct("er_impressions", 2), "none in the window").alias("ER by impressions"),
    )  # fmt: skip


def exports_table(a: Analysis) -> pl.DataFrame:
    """What your exports contain: per account, which signals its exports carry."""
    return signals_table(a.signals)


def activity_sentence(a: Analysis) -> str:
    """The owner's activity that the exports record but cannot attribute to a person
    (set-aside records, e.g. "1,359 likes given; their authors are not in the export")."""
    sa = a.workbook.report.set_aside_frame()
    if sa.height == 0:
        return ""
    parts = []
    for r in (
        sa.group_by("activity", maintain_order=True).agg(pl.col("rows").sum()).iter_rows(named=True)
    ):
        what = r["activity"] or "records"
        n = int(r["rows"])
        parts.append(f"{n:,} {what}; {verb(n, 'its', 'their')} {noun(n, 'author')} "
                     f"{verb(n, 'is', 'are')} not in the export")  # fmt: skip
    return "Also in your exports: " + "; ".join(parts) + "."


def segment_table(a: Analysis) -> pl.DataFrame:
    """Per platform and segment: followers, engaged, reached, two-way, trusted, median
    quality; a count the platform's exports cannot show is null ("not in this export")."""
    per = with_signal_columns(
        summarize(a.scores, by=("account_id", "platform", "segment")), a.signals
    )
    figs = {"followers": "followers", "engaged": "engaged", "reached": "reached",
            "two_way": "two_way", "trusted": "trusted"}  # fmt: skip
    per = per.with_columns([pl.when(knowable(f)).then(pl.col(c)).alias(c) for c, f in figs.items()])
    known = {c: pl.when(pl.col(c).is_not_null().any()).then(pl.col(c).sum()) for c in figs}
    return (
        per.group_by("platform", "segment")
        .agg(pl.col("contacts").sum(), *[e.alias(c) for c, e in known.items()],
             pl.col("flagged").sum(), pl.col("median_quality").mean())  # fmt: skip
        .with_columns(
            engaged_share=pl.when(pl.col("followers") > 0).then(pl.col("engaged") / pl.col("followers"))
        )
        .sort("platform", "segment")
        .select(
            "platform", "segment", "contacts", "followers", "engaged", "reached",
            pl.col("two_way").alias("two-way"), "trusted", "flagged",
            pl.col("median_quality").alias("median quality"),
            _pct("engaged_share", 1).alias("engaged / followers"),
        )
    )  # fmt: skip


def funnel_frame(a: Analysis) -> pl.DataFrame:
    """Long frame (platform, step, count) for ``charts.funnel``; a step the platform's
    exports cannot show has no row (it is not 0)."""
    return (
        a.overview.select(
            "platform",
            pl.col("followers").alias("followers"),
            pl.col("engaged").alias("engaged"),
            pl.col("two_way").alias("two-way"),
            pl.col("trusted").alias("trusted"),
        )
        .unpivot(index="platform", variable_name="step", value_name="count")
        .drop_nulls("count")
        .with_columns(pl.col("count").cast(pl.Int64))
    )


def rates_frame(a: Analysis) -> pl.DataFrame:
    """Long frame (platform, denominator, rate) for ``charts.engagement_rates``."""
    return (
        a.overview.select(
            "platform",
            pl.col("er_followers").alias("by followers"),
            pl.col("er_impressions").alias("by impressions"),
        )
        .unpivot(index="platform", variable_name="denominator", value_name="rate")
        .drop_nulls("rate")
    )


def _with_engagement(a: Analysis) -> pl.DataFrame:
    """Scores with ``engagement`` = inbound interactions in the window (``in_w``) where the
    contact's account's exports show engagement by others, else null (not 0)."""
    return (
        with_signal_columns(a.scores, a.signals)
        .with_columns(engagement=pl.when(knowable("engaged")).then(pl.col("in_w")))
        .drop(pl.selectors.starts_with("_sig_"))
    )


def heatmap_frame(a: Analysis) -> pl.DataFrame:
    """Contacts with a known follower count binned by log10(followers) and quality decile;
    median engagement only over contacts whose exports show it."""
    s = _with_engagement(a).filter(pl.col("contact_followers").is_not_null())
    b = (pl.col("contact_followers").cast(pl.Float64) + 1).log10().floor().cast(pl.Int32)
    labels = {i: f"{_fmt(10**i)}–{_fmt(10 ** (i + 1))}" for i in range(0, 10)}
    return (
        s.with_columns(
            followers_bin=b,
            quality_bin=((pl.col("quality") // 10) * 10).clip(0, 90).cast(pl.Int32),
        )
        .group_by("followers_bin", "quality_bin")
        .agg(contacts=pl.len(), median_engagement=pl.col("engagement").median())
        .with_columns(
            followers_label=pl.col("followers_bin").replace_strict(labels, default="≥1e10")
        )
        .sort("followers_bin", "quality_bin")
    )


def _fmt(v: float) -> str:
    if v >= 1e6:
        return f"{v / 1e6:g}M"
    if v >= 1e3:
        return f"{v / 1e3:g}k"
    return f"{v:g}"


def correlations(a: Analysis, by: tuple[str, ...] = ("platform",), seed: int = 0) -> pl.DataFrame:
    """Spearman rho (bootstrap CI) of contact follower count vs engagement with me
    (inbound interactions in the window) and vs quality, per group and overall; only
    contacts with a known follower count (and, for engagement, whose exports show it)."""
    s = _with_engagement(a).filter(pl.col("contact_followers").is_not_null())
    rows = []
    groups = [((), s)] + [
        ((k,) if not isinstance(k, tuple) else k, g)
        for k, g in s.group_by(list(by), maintain_order=True)
    ]
    for key, g in groups:
        label = " / ".join(str(k) for k in key) if key else "all"
        for what, col in (("engagement", "engagement"), ("quality", "quality")):
            r = rank_correlation(g["contact_followers"], g[col], seed=seed)
            rows.append({"group": label, "followers vs": what, "rho": r.rho, "ci_low": r.lo,
                         "ci_high": r.hi, "n": r.n, "method": r.method})  # fmt: skip
    return pl.DataFrame(rows, schema={"group": pl.String, "followers vs": pl.String, "rho": pl.Float64,
                                      "ci_low": pl.Float64, "ci_high": pl.Float64, "n": pl.Int64,
                                      "method": pl.String})  # fmt: skip


def correlation_sentence(a: Analysis) -> str:
    """The follower-count reading over all contacts with known follower counts."""
    s = _with_engagement(a).filter(pl.col("contact_followers").is_not_null())
    r_e: RankCorrelation = rank_correlation(s["contact_followers"], s["engagement"])
    r_q: RankCorrelation = rank_correlation(s["contact_followers"], s["quality"])
    if s.height == 0:
        return (
            "Contacts' follower counts are not in this export, so follower count cannot be "
            "compared with engagement (add a profiles file, e.g. the followers' user objects)."
        )
    if s["engagement"].null_count() == s.height:
        parts = [
            "Engagement by others is not in the exports that give contacts' follower counts, "
            "so follower count cannot be compared with engagement there."
        ]
        parts.append(r_q.sentence("a contact's follower count", "relationship quality"))
    else:
        parts = [r_e.sentence("a contact's follower count", "their engagement with you")]
        parts.append(
            r_q.sentence("it", "relationship quality").replace("It and", "Follower count and")
        )
    ref = (
        " For comparison, Cha et al. (2010) found ρ = 0.55 between followers and retweets over "
        "all Twitter users, and 0.12 in the top 10%: audience size says little about influence."
    )
    return " ".join(parts) + ref


def rate_definitions() -> str:
    """The two engagement-rate formulas, as reports state them."""
    return (
        "Engagement rate by followers = (engagements on posts in the window ÷ posts in the window) "
        "÷ followers. Engagement rate by impressions = Σ engagements ÷ Σ impressions, over the "
        "window's posts that report impressions. Published medians differ up to tenfold between the "
        "two denominators, so each figure names its own."
    )


def pct(v: float | None) -> str:
    return "–" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.2%}"


METRIC_FIGURES = ("followers", "engaged", "reached", "two_way", "trusted", "er_followers",
                  "er_impressions")  # fmt: skip


def metrics(a: Analysis) -> dict:
    """The run's headline numbers (stored beside each report for week-over-week change).
    A figure no account's export can show is null, with the reason under ``unavailable``;
    per account likewise (``accounts[i].unavailable``)."""
    from warmcall.model.summary import totals

    t = totals(a.overview)
    rates = a.overview.filter(pl.col("er_followers").is_not_null())
    er = float(rates["er_followers"].mean()) if rates.height else None
    sig = {r["account_id"]: r for r in a.signals.iter_rows(named=True)}
    per = []
    for r in a.overview.select("account_id", "platform", *METRIC_FIGURES).iter_rows(named=True):
        why = {f: w for f in METRIC_FIGURES if r[f] is None
               and (w := why_missing(sig.get(r["account_id"], {}), f))}  # fmt: skip
        per.append({**r, "unavailable": why})
    out = {"as_of": a.as_of.isoformat(), "window_days": a.params.window_days, **t,
           "er_followers": er, "accounts": per}  # fmt: skip
    out["unavailable"] = {
        f: "; ".join(sorted({acc["unavailable"][f] for acc in per if f in acc["unavailable"]}))
        for f in METRIC_FIGURES
        if out.get(f) is None and any(f in acc["unavailable"] for acc in per)
    }
    return out


CHANGE_KEYS = (("followers", "followers"), ("engaged", "engaged"), ("two_way", "two-way"),
               ("trusted", "trusted"), ("er_followers", "engagement rate by followers"))  # fmt: skip


def change_table(current: dict, history: list[tuple[str, dict]]) -> pl.DataFrame:
    """Change since the previous run of the same report set: for followers, engaged,
    two-way, trusted and the engagement rate by followers, the previous value (from the
    latest snapshot dated before ``current['as_of']``), the current one and the change.
    Empty when there is no earlier run."""
    prev = [(d, m) for d, m in history if d < current["as_of"]]
    schema = {"metric": pl.String, "previous": pl.Float64, "now": pl.Float64, "change": pl.Float64,
              "change_pct": pl.Float64, "since": pl.String}  # fmt: skip
    if not prev:
        return pl.DataFrame(schema=schema)
    d, m = prev[-1]
    rows = []
    for key, label in CHANGE_KEYS:
        a, b = m.get(key), current.get(key)
        if a is None or b is None:
            continue
        rows.append({"metric": label, "previous": float(a), "now": float(b), "change": float(b) - float(a),
                     "change_pct": (float(b) - float(a)) / float(a) if a else None, "since": d})  # fmt: skip
    return pl.DataFrame(rows, schema=schema)


def change_sentence(change: pl.DataFrame) -> str:
    """Are relationships growing, or only the follower count? One sentence from the table."""
    if change.height == 0:
        return "This is the first run of this report set: change since the previous run appears from the next run on."
    c = {r["metric"]: r for r in change.iter_rows(named=True)}

    def delta(k: str) -> str:
        r = c.get(k)
        return "unknown" if r is None else f"{r['change']:+,.0f}"

    since = change["since"][0]
    f = c.get("followers", {}).get("change") or 0
    rel = sum((c.get(k, {}).get("change") or 0) for k in ("two-way", "trusted"))
    verdict = (
        "relationships are growing" if rel > 0
        else "only the follower count grew" if f > 0
        else "neither followers nor relationships grew"
    )  # fmt: skip
    return (
        f"Since {since}: followers {delta('followers')}, engaged {delta('engaged')}, two-way "
        f"{delta('two-way')}, trusted {delta('trusted')}: {verdict}."
    )


# --- audit (02_audit) --------------------------------------------------------------------

RANKED_COLS = (
    "platform", "handle", "display_name", "segment", "stage", "layer", "quality", "intensity",
    "reciprocity", "recency", "duration", "intimacy", "multiplexity", "relevance", "contact_followers",
    "days_since_last", "flags",
)  # fmt: skip


def ranked_contacts(a: Analysis, limit: int = 50) -> pl.DataFrame:
    """The top contacts by quality with segment, stage, layer, flags and the components."""
    s = (
        a.scores.sort(["quality", "contact_id"], descending=[True, False])
        .head(limit)
        .with_columns(profile_url("platform", "contact_id", "handle").alias("profile"))
    )
    return s.select(
        [
            pl.col(c).round(2)
            if c in ("intensity", "reciprocity", "recency", "duration", "intimacy", "multiplexity")
            else pl.col(c)
            for c in RANKED_COLS
        ]  # fmt: skip
    ).with_columns(
        pl.col("flags").list.join(", "),
        pl.col("stage").cast(pl.String),
        pl.col("layer").cast(pl.String).fill_null("none"),
        profile=s["profile"],
    )


def segment_stage_matrix(a: Analysis) -> pl.DataFrame:
    """Contacts per segment (rows) and stage (columns): the "communication groups" view."""
    from warmcall.model.quality import STAGES

    m = a.scores.with_columns(pl.col("stage").cast(pl.String)).pivot(
        on="stage", index="segment", values="contact_id", aggregate_function="len"
    )
    for st in STAGES:
        if st not in m.columns:
            m = m.with_columns(pl.lit(0, pl.UInt32).alias(st))
    return m.select("segment", *STAGES).fill_null(0).sort("segment")


#: the figure (``observability.FIGURE_NEEDS``) each stage count depends on
STAGE_FIGURE = {"reached": "reached", "aware": "aware", "engaged": "engaged_stage",
                "conversant": "conversant", "trusted": "trusted"}  # fmt: skip


def stage_counts(a: Analysis) -> pl.DataFrame:
    """Long frame (platform, stage, contacts) for the stage funnel chart; only the stages
    each account's exports can show (an X archive cannot show who is 'aware' of you)."""
    per = with_signal_columns(
        a.scores.group_by("account_id", "platform", "stage")
        .agg(contacts=pl.len())
        .with_columns(pl.col("stage").cast(pl.String)),
        a.signals,
    )
    keep = pl.lit(True)
    for stage, fig in STAGE_FIGURE.items():
        keep = keep & ((pl.col("stage") != stage) | knowable(fig))
    return (
        per.filter(keep)
        .group_by("platform", "stage")
        .agg(pl.col("contacts").sum())
        .sort("platform", "stage")
    )


def engagement_concentration(a: Analysis) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per platform: share of inbound engagement (window) from the top 1% and 10% of
    contacts, and the Gini coefficient; plus the binned Lorenz curve frame. Only accounts
    whose exports show engagement by others (``observability``)."""
    s = (
        with_signal_columns(a.scores.select("account_id", "platform", "in_w"), a.signals)
        .filter(knowable("engaged"))
        .select("platform", pl.col("in_w").cast(pl.Float64).alias("engagement"))
    )
    return stats.concentration(s, "engagement", by=("platform",)), stats.lorenz(
        s, "engagement", by=("platform",)
    )


def concentration_sentence(conc: pl.DataFrame) -> str:
    """Who carries the inbound engagement, per platform with any."""
    parts = [
        f"on {r['platform']} the top 1% of contacts gave {r['top1_share']:.0%} of inbound engagement "
        f"and the top 10% gave {r['top10_share']:.0%} (Gini {r['gini']:.2f})"
        for r in conc.iter_rows(named=True)
        if r["total"]
    ]
    if parts:
        return "Engagement is concentrated: " + "; ".join(parts) + "."
    if conc.height == 0:
        return (
            "Engagement by others is not in these exports (they hold what you did, not what "
            "others did), so its concentration cannot be shown."
        )
    return "No inbound engagement in the window."


def reach_frame(a: Analysis) -> pl.DataFrame:
    return reach.reach_table(a.scores)


def influential(a: Analysis) -> pl.DataFrame:
    cols = [
        "platform",
        "handle",
        "display_name",
        "segment",
        "stage",
        "quality",
        "contact_followers",
        "relevance",
    ]
    return (
        reach.tiny_but_influential(a.scores, a.params.influence)
        .select(cols)
        .with_columns(pl.col("stage").cast(pl.String))
    )


def follow_back(a: Analysis, limit: int = 25) -> pl.DataFrame:
    cols = [
        "platform",
        "handle",
        "display_name",
        "bio",
        "relevance",
        "quality",
        "contact_followers",
    ]
    return reach.follow_back(a.scores, limit).select(cols)


def hygiene(a: Analysis) -> pl.DataFrame:
    return reach.hygiene_table(a.scores, a.overview)


def correlations_by_segment(a: Analysis) -> pl.DataFrame:
    return correlations(a, by=("platform", "segment"))


def panel_correlations(a: Analysis) -> pl.DataFrame:
    """Across accounts (panel data or several own accounts): followers vs average engagement
    per post and vs engagement rate by followers. Needs at least 3 accounts with both."""
    acc = (
        a.workbook.accounts.sort("snapshot_date")
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
    own = a.overview.select(
        "account_id",
        (pl.col("engagements") / pl.col("posts")).alias("own_avg"),
        pl.col("er_followers").alias("own_er"),
    )
    df = acc.join(own, on="account_id", how="left").with_columns(
        avg_eng=pl.coalesce("avg_eng", "own_avg"),
        engagement_rate=pl.coalesce("engagement_rate", "own_er"),
    )
    rows = []
    for what, col in (
        ("average engagement per post", "avg_eng"),
        ("engagement rate", "engagement_rate"),
    ):
        r = rank_correlation(df["followers"], df[col])
        rows.append(
            {
                "followers vs": what,
                "rho": r.rho,
                "ci_low": r.lo,
                "ci_high": r.hi,
                "n": r.n,
                "method": r.method,
            }
        )
    return pl.DataFrame(rows, schema={"followers vs": pl.String, "rho": pl.Float64, "ci_low": pl.Float64,
                                      "ci_high": pl.Float64, "n": pl.Int64, "method": pl.String})  # fmt: skip


def correlation_reading(corr: pl.DataFrame) -> str:
    """Plain-language reading of a correlation table (rows with rho)."""
    known = corr.filter(pl.col("rho").is_not_null())
    if known.height == 0:
        return "Too few contacts with known follower counts to read anything."
    weak = known.filter(pl.col("rho").abs() < 0.3).height
    return (
        f"In {weak:,} of {count(known.height, 'comparison')} a contact's follower count has at most a weak rank "
        "correlation (|ρ| < 0.3) with how much they engage with you or how strong the tie is. "
        "Wide intervals mean small groups: read them as 'unknown', not as 'no effect'."
    )


# --- outreach (03_outreach) ----------------------------------------------------------------

PLAN_COLS = ("date", "time", "person", "platforms", "handle", "stage", "segment", "quality", "last_contact",
             "reason", "starter")  # fmt: skip


def outreach_plan(a: Analysis):  # -> plan.PlanResult
    """The outreach plan for this analysis' params (``warmcall.act.plan``)."""
    from warmcall.act.plan import plan_outreach_result

    return plan_outreach_result(a.scores, params=a.params, as_of=a.as_of)


def plan_table(plan: pl.DataFrame) -> pl.DataFrame:
    return plan.select([c for c in PLAN_COLS if c in plan.columns]).with_columns(
        pl.col("stage").cast(pl.String)
    )


def plan_sentence(result, outreach) -> str:  # (plan.PlanResult, params.Outreach)
    """One Markdown sentence above the plan: how many calls from which day, at what pace
    (``outreach.per_day`` a day for ``outreach.days`` working days, ``slot_minutes``-minute
    slots from ``start_time`` in ``timezone``), then the planner's note on any shortfall.
    Params text is escaped (``warmcall.core.sanitize.html``)."""
    from warmcall.core.sanitize import html as escape

    o = outreach
    text = (
        f"**{count(result.plan.height, 'call')}** from {result.start} ({o.per_day} a day for "
        f"{count(o.days, 'working day')}, {o.slot_minutes}-minute slots from "
        f"{escape(o.start_time)} {escape(o.timezone)})."
    )
    return text + (f" {escape(result.note)}" if result.note else "")


def follow_through(a: Analysis, previous_plan: pl.DataFrame | None) -> pl.DataFrame:
    """Planned vs logged: each call of the previous plan and whether an outbound contact
    (a logged call, meeting, email, event, DM, reply, ...) with that contact happened on or
    after its planned date and on or before this run's as-of date."""
    schema = {"date": pl.String, "person": pl.String, "platforms": pl.String, "done": pl.Boolean,
              "logged": pl.String}  # fmt: skip
    if previous_plan is None or previous_plan.height == 0:
        return pl.DataFrame(schema=schema)
    prev = previous_plan.with_columns(
        pl.col("date").cast(pl.String).str.to_date(strict=False).alias("_d"),
        pl.col("contact_id").cast(pl.String),
    )
    # a scan: only the planned contacts' outbound rows are read, not the whole table
    planned = prev.select("account_id", "contact_id").unique()
    outb = (
        a.workbook.scan("interactions")
        .filter((pl.col("direction") == "out") & (pl.col("ts").dt.date() <= a.as_of))
        .select("account_id", "contact_id", pl.col("ts").dt.date().alias("_t"), "kind")
        .join(planned.lazy(), on=["account_id", "contact_id"], how="semi")
        .collect()
    )
    hit = (
        prev.join(outb, on=["account_id", "contact_id"], how="left")
        .filter(pl.col("_t").is_null() | (pl.col("_t") >= pl.col("_d")))
        .group_by("date", "person", "platforms", maintain_order=True)
        .agg(
            done=pl.col("_t").is_not_null().any(),
            logged=pl.format("{} on {}", "kind", pl.col("_t").cast(pl.String)).drop_nulls().first(),
        )
    )
    # people whose only matches were before the planned date drop out of the join above
    return (
        prev.select(pl.col("date").cast(pl.String), "person", "platforms")
        .join(hit, on=["date", "person", "platforms"], how="left")
        .with_columns(pl.col("done").fill_null(False))
        .select(list(schema))
    )


def follow_through_sentence(ft: pl.DataFrame) -> str:
    if ft.height == 0:
        return (
            "No earlier plan for this report set yet: follow-through appears from the next run on."
        )
    done = int(ft["done"].sum())
    planned = f"the {count(ft.height, 'call')} planned last time"
    return (
        f"Of {planned}, {done:,} happened (an outbound contact was logged "
        f"on or after the planned day). Log calls and meetings in touchpoints.csv to close the loop."
    )


def stage_moves(a: Analysis, previous_stages: pl.DataFrame | None, limit: int = 30) -> pl.DataFrame:
    """Contacts whose stage changed since the previous run (up first, then down)."""
    from warmcall.model.quality import STAGES

    schema = {"platform": pl.String, "handle": pl.String, "display_name": pl.String, "from": pl.String,
              "to": pl.String, "direction": pl.String}  # fmt: skip
    if previous_stages is None or previous_stages.height == 0:
        return pl.DataFrame(schema=schema)
    rank = {s: i for i, s in enumerate(STAGES)}
    now = a.scores.select("account_id", "contact_id", "platform", "handle", "display_name",
                          pl.col("stage").cast(pl.String).alias("to"))  # fmt: skip
    prev = previous_stages.select(
        "account_id", "contact_id", pl.col("stage").cast(pl.String).alias("from")
    )
    moved = now.join(prev, on=["account_id", "contact_id"], how="inner").filter(
        pl.col("from") != pl.col("to")
    )
    delta = pl.col("to").replace_strict(rank, return_dtype=pl.Int8) - pl.col("from").replace_strict(
        rank, return_dtype=pl.Int8
    )
    return (
        moved.with_columns(
            _d=delta, direction=pl.when(delta > 0).then(pl.lit("up")).otherwise(pl.lit("down"))
        )
        .sort(["_d", "handle"], descending=[True, False], nulls_last=True)
        .head(limit)
        .select(list(schema))
    )


def stages_snapshot(a: Analysis) -> pl.DataFrame:
    """What the next run needs to show stage moves: (account_id, contact_id, stage) of
    contacts above the bare 'connection' stage."""
    return a.scores.filter(pl.col("stage") != "connection").select(
        "account_id", "contact_id", pl.col("stage").cast(pl.String)
    )
