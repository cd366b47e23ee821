"""The overview page (01): the headline, what each export contains, per-platform and
per-segment tables, the funnel and engagement rates, follower count vs engagement, and the
numbers stored for the change since the last run. Each function returns a tidy frame or a
sentence that a notebook cell displays (tested here, not in the notebook).
"""

from __future__ import annotations

import math

import polars as pl

from warmcall.core.kept import KeptFor
from warmcall.core.words import NOT_IN_EXPORT, count, noun, verb
from warmcall.model import followers, timing
from warmcall.model.observability import knowable, signals_table, why_missing, with_signal_columns
from warmcall.model.pipeline import Analysis
from warmcall.model.summary import headline, summarize
from warmcall.present.columns import text_expr


def headline_sentence(a: Analysis) -> str:
    return headline(a.overview, a.params.window_days)


def _pct(col: str, name: str) -> pl.Expr:
    """A fraction column as a percentage, text in the format of column ``name``
    (``present.columns``: fixed decimals for the whole column); null stays null."""
    return text_expr(pl.col(col), name)


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
    return text_expr(pl.col(col), col)


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
        _known("followers", _pct("er_followers", "er_followers"), "no posts in the window")
        .pipe(lambda e: pl.when((pl.col("posts") > 0) & pl.col("engagements").is_null())
              .then(pl.lit(NOT_IN_EXPORT)).otherwise(e))
        .alias("ER by followers"),
        _known("er_impressions", _pct("er_impressions", "er_impressions"), "none in the window").alias("ER by impressions"),
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
            "engaged_share",
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


def no_rates_sentence() -> str:
    """Markdown for an analysis whose ``rates_frame`` is empty (shown instead of a chart
    without bars): by the rate formulas (``rate_definitions``) a rate needs posts in the
    window with their engagement counts, and followers or impressions."""
    return (
        f"**Engagement rate:** {NOT_IN_EXPORT}: no account's exports give posts in the window "
        "with their engagement counts together with a follower count or impressions."
    )


def heatmap_frame(a: Analysis) -> pl.DataFrame:
    """Contacts with a known follower count binned by log10(followers) and quality decile;
    median engagement only over contacts whose exports show it."""
    s = contacts_with_engagement(a).filter(pl.col("contact_followers").is_not_null())
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


#: the last ``contacts_with_engagement`` in this process, with the scores it was made of
_engaged: KeptFor[pl.DataFrame] = KeptFor()


def contacts_with_engagement(a: Analysis) -> pl.DataFrame:
    """``followers.with_engagement`` of the analysis' scores and signals; made once per
    scores frame in a process (``core.kept``: the overview and audit pages of a report set
    share their analysis' scores, and ask three times), so its follower correlations over
    all contacts are also computed once (``followers``)."""
    return _engaged.get(a.scores, lambda: followers.with_engagement(a.scores, a.signals))


def correlations(a: Analysis, by: tuple[str, ...] = ("platform",), seed: int = 0) -> pl.DataFrame:
    """Follower count vs engagement with you and vs quality, over all contacts and per
    ``by`` group (``followers.contact_correlations``: Spearman ρ with a bootstrap CI)."""
    return followers.contact_correlations(contacts_with_engagement(a), by, seed)


def correlation_sentence(a: Analysis) -> str:
    """The follower-count reading over all contacts with known follower counts
    (``followers.follower_reading``)."""
    r = followers.follower_reading(contacts_with_engagement(a))
    if r.contacts == 0:
        return (
            "Contacts' follower counts are not in this export, so follower count cannot be "
            "compared with engagement (add a profiles file, e.g. the followers' user objects)."
        )
    if r.engagement.n == 0:
        parts = [
            "Engagement by others is not in the exports that give contacts' follower counts, "
            "so follower count cannot be compared with engagement there."
        ]
        parts.append(r.quality.sentence("a contact's follower count", "relationship quality"))
    else:
        parts = [r.engagement.sentence("a contact's follower count", "their engagement with you")]
        parts.append(
            r.quality.sentence("it", "relationship quality").replace("It and", "Follower count and")
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


def analytics_table(a: Analysis) -> pl.DataFrame:
    """The analytics files per account (X analytics CSVs, LinkedIn's creator workbook): posts
    that report impressions up to the as-of date, their dates, impressions, engagements and
    the engagement rate by impressions over all of them, and followers where a file gives
    them. Empty when no export carries impressions."""
    o = a.overview.filter(pl.col("analytics_posts").is_not_null())
    return o.select(
        "platform",
        pl.col("analytics_posts").alias("posts with impressions"),
        pl.format("{} to {}", "analytics_first", "analytics_last").alias("dates"),
        pl.col("analytics_impressions").alias("impressions"),
        pl.col("analytics_engagements").alias("engagements"),
        _pct("er_impressions_all", "er_impressions").alias(
            "ER by impressions (engagements ÷ impressions)"
        ),
        pl.col("followers"),
    )


# --------------------------------------------------------------------------- best time

BASIS_LABEL = {"impressions": "engagement per impression", "followers": "engagement per follower"}


def best_time(a: Analysis) -> timing.BestTime:
    """Engagement by weekday × hour of posting (``warmcall.model.timing.best_time``), in the
    params' ``outreach.timezone`` (UTC when the params give none), per follower as the
    overview counts followers (a follower list where no snapshot gives a count)."""
    return timing.best_time(
        a.workbook.posts, a.workbook.accounts, a.as_of, a.params.outreach.timezone,
        followers=a.overview.select("account_id", "followers"),
    )  # fmt: skip


def _hours(hour: int) -> str:
    return f"{hour:02d}:00–{(hour + 1) % 24:02d}:00"


def _best_cell(bt: timing.BestTime, min_posts: int) -> dict | None:
    ok = bt.cells.filter((pl.col("posts") >= min_posts) & pl.col("rate").is_not_null())
    if ok.height == 0:
        return None
    return ok.sort(["rate", "weekday", "hour"], descending=[True, False, False]).row(0, named=True)


def best_time_sentence(bt: timing.BestTime, min_posts: int) -> str:
    """When posts do best, in one or two sentences that refuse to conclude from too few posts:
    "not in this export" (no own posts, none with engagement counts, or nothing to divide
    by), "cannot conclude" when no weekday-hour holds ``min_posts`` posts
    (``report.min_posts_per_cell``), else the best such cell against all posts, with how many
    cells had enough posts. Timezone and basis (per impression or per follower) are named."""
    where = "When your posts do best: not in this export"
    if bt.missing == "no posts":
        return f"{where} (these exports hold none of your own posts)."
    if bt.missing == "no engagement counts":
        return (
            f"{where}: your {count(bt.n_own_posts, 'post')} carry no engagement counts "
            "(likes, comments, shares or engagements)."
        )
    if bt.missing == "no denominator" or bt.basis is None:
        return (
            f"{where}: the posts with engagement counts have neither impressions nor a known "
            "follower count to divide by."
        )
    label = BASIS_LABEL[bt.basis]
    with_posts = int((bt.cells["posts"] > 0).sum())
    most = int(bt.cells["posts"].max() or 0)
    spread = (
        f"{count(bt.n_posts, 'post')} with engagement counts fall in {with_posts} of the "
        f"168 weekday-hours ({bt.timezone})"
    )
    best = _best_cell(bt, min_posts)
    if best is None:
        return (
            f"Cannot conclude when your posts do best: no weekday-hour holds {min_posts} posts or "
            f"more (the most is {most}; `report.min_posts_per_cell` is {min_posts}), so a "
            f"difference between hours could be chance. {spread}."
        )
    enough = int((bt.cells["posts"] >= min_posts).sum())
    overall = f"{bt.overall:.2%}" if bt.overall is not None else NOT_IN_EXPORT
    return (
        f"Of the weekday-hours with at least {count(min_posts, 'post')}, {best['day']}s "
        f"{_hours(best['hour'])} ({bt.timezone}) did best: {best['rate']:.2%} {label} over "
        f"{count(best['posts'], 'post')}, against {overall} over all {count(bt.n_posts, 'post')}. "
        f"Only {enough} of the {with_posts} weekday-hours with posts have that many; the others "
        f"are too few to compare (`report.min_posts_per_cell`)."
    )


def best_time_title(bt: timing.BestTime, min_posts: int) -> str:
    """The heatmap's title: its finding in a few words."""
    if bt.basis is None:
        return "When your posts do best: not in this export"
    best = _best_cell(bt, min_posts)
    if best is None:
        return (
            f"Too few posts in any weekday-hour (fewer than {min_posts}) to say when posts do best"
        )
    return (
        f"{best['day']}s {_hours(best['hour'])} did best: {best['rate']:.2%} "
        f"{BASIS_LABEL[bt.basis]} over {count(best['posts'], 'post')}"
    )


def best_time_frame(bt: timing.BestTime, min_posts: int) -> pl.DataFrame:
    """The cells for ``charts.best_time_heatmap``: day, weekday, hour, posts, rate and
    ``enough`` (at least ``min_posts`` posts)."""
    return bt.cells.select(
        "day", "weekday", "hour", "posts", "rate", enough=pl.col("posts") >= min_posts
    )
