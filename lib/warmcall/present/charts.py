"""Altair charts: one function per chart, each taking a tidy, already aggregated polars
frame and returning an Altair chart; no wrangling here (the page modules ``overview``,
``audit`` and the model compute the frames).

Every chart carries: a title that states its finding, computed from the frame; axis titles
with units; tick labels that cannot collide (few explicit ticks on count axes, ``labelOverlap``);
tooltips on every mark (they become ``<title>`` tooltips in static reports,
``warmcall.present.svgchart``); counts formatted as whole people (``,d``); colour never the
only carrier of meaning (bars are labelled with their value and their category); and a
``description`` (the figure's accessible name, with the title).
"""

from __future__ import annotations

import json
import math

import altair as alt
import polars as pl

from warmcall.core.words import count, verb
from warmcall.model.quality import STAGES

STAGE_ORDER = ["followers", "engaged", "two-way", "trusted"]
#: the funnel order: connection, reached, aware, engaged, conversant, trusted
STAGE_LIST = list(STAGES)
PLATFORM_COLORS = {
    "x": "#1d1d1f", "linkedin": "#0a66c2", "instagram": "#c13584", "facebook": "#1877f2",
    "mastodon": "#6364ff", "bluesky": "#0085ff", "threads": "#5a5a5a", "tiktok": "#25f4ee",
    "youtube": "#ff0000", "newsletter": "#ff6719", "other": "#888888",
}  # fmt: skip
BAR = "#4c78a8"
#: the name (and so the SVG class) of value labels drawn beside bars: charts.css gives them
#: the text colour of the theme
OUTSIDE = "wc_outside"
COUNT = ",d"  # whole people


def _platform_scale(platforms: list[str]) -> alt.Scale:
    """Platform colours for the platforms in the data only (a legend never lists others)."""
    dom = sorted(set(platforms))
    return alt.Scale(domain=dom, range=[PLATFORM_COLORS.get(p, "#888888") for p in dom])


def _per_platform(df: pl.DataFrame, layered: alt.LayerChart, **props) -> alt.FacetChart:
    """``layered`` drawn once per platform of ``df``, one under the other, each with its own
    y scale (a platform's exports may not show every step); ``props``: title, description."""
    return alt.FacetChart(
        data=df,
        spec=layered,
        facet=alt.Facet(
            "platform:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")
        ),
        columns=1,
        resolve=alt.Resolve(scale=alt.ScaleResolveMap(y="independent")),
        **props,
    )


def _count_axis_values(top: float, max_ticks: int = 6) -> list[int]:
    """Tick values for a symlog count axis: powers of ten up to ``top``'s, every second or
    third one when there would be more than ``max_ticks`` (so labels cannot crowd)."""
    k = max(1, math.ceil(math.log10(max(top, 1))))
    step = math.ceil((k + 1) / max_ticks)
    return [10**i for i in range(0, k + 1, step)]


def _count_x(field: str, top: float, title: str, max_ticks: int = 6) -> alt.X:
    """A symlog count axis from 0 whose labels are whole numbers at powers of ten."""
    values = _count_axis_values(top, max_ticks)
    return alt.X(
        f"{field}:Q",
        scale=alt.Scale(type="symlog", domain=[0, max(values[-1], top)]),
        axis=alt.Axis(values=values, format=COUNT, labelOverlap="greedy", labelFlush=True),
        title=title,
    )


def _pct_digits(rates: list[float]) -> int:
    """Decimals (of a percentage) that show every nonzero rate with two significant digits:
    0.031 → 1 ("3.1%"), 0.00012 → 3 ("0.012%"); at least 1, at most 4."""
    pcts = [abs(v) * 100 for v in rates if v]
    if not pcts:
        return 1
    return min(4, max(1, 1 - math.floor(math.log10(min(pcts)))))


def _nice(v: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above ``v`` (an axis end)."""
    if v <= 0:
        return 1.0
    e = 10 ** math.floor(math.log10(v))
    return next(m * e for m in (1, 2, 2.5, 5, 10) if m * e >= v * (1 - 1e-12))


def _pct(v: float) -> str:
    """A rate as a percentage with two significant digits, trailing zeros dropped:
    0.031 → "3.1%", 0.00012 → "0.012%", 0.125 → "12.5%"."""
    return f"{v * 100:.{_pct_digits([v])}f}".rstrip("0").rstrip(".") + "%"


#: (field with its type, tooltip title, d3 format or None)
Tip = tuple[str, str, str | None]


def _tips(base: alt.Chart, items: list[Tip]) -> tuple[alt.Chart, list[alt.Tooltip]]:
    """``base`` with a calculated field ``wc_tip`` ("title: value; ..." with the same formats
    as the tooltip) and the tooltip list. Encoded as the ``description`` channel it becomes
    each mark's ``aria-label``, and so its ``<title>`` tooltip in static figures, instead of
    Vega-Lite's default (every encoding, unformatted: "77.777778%")."""
    parts = []
    tips = []
    for shorthand, title, fmt in items:
        ref = f"datum[{json.dumps(shorthand.split(':')[0])}]"
        val = f"format({ref}, {json.dumps(fmt)})" if fmt else f"'' + {ref}"
        parts.append(f"{json.dumps(title + ': ')} + ({ref} == null ? 'not known' : {val})")
        tips.append(
            alt.Tooltip(shorthand, title=title, format=fmt)
            if fmt
            else alt.Tooltip(shorthand, title=title)
        )
    return base.transform_calculate(wc_tip=" + '; ' + ".join(parts)), tips


DESC = alt.Description("wc_tip:N")


def _total(df: pl.DataFrame, col: str, mask: pl.Expr | None = None) -> int:
    src = df if mask is None else df.filter(mask)
    return int(src[col].sum() or 0) if src.height else 0


def _bars_with_labels(
    base: alt.Chart, x: alt.X, y: alt.Y, tips: list[Tip], text: str, fmt: str = COUNT
) -> alt.LayerChart:
    """Horizontal bars, each labelled with its value just beyond its end."""
    base, tooltip = _tips(base, tips)
    bars = base.mark_bar(color=BAR).encode(x=x, y=y, tooltip=tooltip, description=DESC)
    labels = (
        base.mark_text(align="left", baseline="middle", dx=3, fontSize=11, color="#333")
        .encode(x=x, y=y, text=alt.Text(text, format=fmt), tooltip=tooltip, description=DESC)
        .properties(name=OUTSIDE)
    )
    return alt.layer(bars, labels)


def funnel(df: pl.DataFrame) -> alt.FacetChart | alt.Chart:
    """Followers → engaged → two-way → trusted per platform (columns: platform, step, count;
    a step the exports cannot show has no row). The steps are counted separately and are
    not nested (engaged contacts need not follow you; two-way and trusted ones may have
    DMs, a call or a meeting but no engagement in the window), so a subtitle says so, and
    names the platforms where a later step is larger than the one before it. Symlog axis
    with ticks at powers of ten, each bar labelled with its count."""
    steps = {s: _total(df, "count", pl.col("step") == s) for s in STAGE_ORDER}
    have = set(df["step"].to_list()) if df.height else set()
    # only the steps some export shows: a step no export shows is not "0" in the title
    parts = [
        text
        for s, text in (
            ("engaged", f"{count(steps['engaged'], 'contact')} engaged"),
            ("two-way", f"{steps['two-way']:,} two-way"),
            ("trusted", f"{steps['trusted']:,} trusted"),
        )
        if s in have
    ]
    if "followers" in have and parts:
        title = f"Behind {count(steps['followers'], 'follower')}: " + ", ".join(parts)
    else:
        title = "From followers to trusted relationships"
    grows = []
    for p in sorted(set(df["platform"].to_list())):
        per = dict(zip(*df.filter(pl.col("platform") == p).select("step", "count"), strict=True))
        shown = [s for s in STAGE_ORDER if s in per]
        for a, b in zip(shown, shown[1:], strict=False):
            if per[b] > per[a]:
                grows.append(f"on {p} {b} ({per[b]:,}) exceeds {a} ({per[a]:,})")
    note = [
        "Steps are counted separately, not nested: engaged contacts need not follow you,",
        "and two-way or trusted ones (DMs, a call or meeting) need not have engaged in the window.",
    ]
    if grows:
        note.append("Larger later steps: " + "; ".join(grows[:3]) + ".")
    missing = [
        f"{s} on {', '.join(ps)}"
        for s in STAGE_ORDER
        if (
            ps := sorted(
                set(df["platform"].to_list())
                - set(df.filter(pl.col("step") == s)["platform"].to_list())
            )
        )
    ]
    if missing:
        note.append("Not in these exports (no bar): " + "; ".join(missing) + ".")
    top = float(df["count"].max() or 1) if df.height else 1.0
    layered = _bars_with_labels(
        alt.Chart(),
        _count_x("count", top, "people (symlog scale)"),
        alt.Y("step:N", sort=STAGE_ORDER, title=None),
        [("platform:N", "platform", None), ("step:N", "step", None), ("count:Q", "people", COUNT)],
        "count:Q",
    ).properties(width=420, height=alt.Step(22))
    return _per_platform(
        df,
        layered,
        title=alt.Title(title, subtitle=note, anchor="start"),
        description=(
            "Bars per platform: followers, contacts who engaged with you, two-way contacts and "
            "trusted contacts, each labelled with its count. " + " ".join(note)
        ),
    )


def followers_vs_quality(df: pl.DataFrame) -> alt.LayerChart:
    """Binned heatmap: contact follower count (log10 bins) vs relationship quality (10-point
    bins); colour = number of contacts, and each cell is labelled with that number. Columns:
    followers_bin, followers_label, quality_bin, contacts, median_engagement. The title
    names the most common cell."""
    total = _total(df, "contacts")
    if df.height:
        best = df.sort(
            ["contacts", "followers_bin", "quality_bin"], descending=[True, False, False]
        ).row(0, named=True)
        title = (
            f"Most common: {best['followers_label']} followers and quality "
            f"{best['quality_bin']}–{best['quality_bin'] + 9} "
            f"({best['contacts']:,} of {count(total, 'contact')})"
        )
    else:
        title = "Contacts' follower counts are not in this export"
    cmax = int(df["contacts"].max() or 1) if df.height else 1
    base = alt.Chart(df)
    x = alt.X(
        "followers_label:O",
        sort=alt.SortField("followers_bin"),
        title="contact's followers (people)",
        axis=alt.Axis(labelAngle=0, labelOverlap="greedy"),
    )
    y = alt.Y(
        "quality_bin:O",
        sort="descending",
        title="relationship quality (0–100)",
        axis=alt.Axis(labelExpr="datum.value + '–' + (datum.value + 9)"),
    )
    base, tooltip = _tips(
        base,
        [
            ("followers_label:O", "followers", None),
            ("quality_bin:O", "quality from", None),
            ("contacts:Q", "contacts", COUNT),
            ("median_engagement:Q", "median engagements (window)", ",.1f"),
        ],
    )
    rect = base.mark_rect().encode(
        x=x,
        y=y,
        color=alt.Color(
            "contacts:Q",
            scale=alt.Scale(type="log", scheme="blues"),
            title="contacts",
            legend=alt.Legend(format=COUNT, tickCount=4),
        ),
        tooltip=tooltip,
        description=DESC,
    )
    text = base.mark_text(fontSize=10).encode(
        x=x,
        y=y,
        text=alt.Text("contacts:Q", format=COUNT),
        color=alt.condition(
            f"datum.contacts > {max(cmax, 1) ** 0.5:.3f}",
            alt.value("#ffffff"),
            alt.value("#1a1a1a"),
        ),
        tooltip=tooltip,
        description=DESC,
    )
    return alt.layer(
        rect,
        text,
        title=alt.Title(title, anchor="start"),
        description=(
            f"Heatmap of {count(total, 'contact')} with a known follower count: columns are "
            "follower-count ranges, rows 10-point quality ranges; each cell is labelled with "
            "its number of contacts."
        ),
    ).properties(width=420, height=240)


def _rate_panel(df: pl.DataFrame, denominator: str) -> alt.LayerChart:
    """One panel of :func:`engagement_rates`: bars per platform with three x ticks (0, half,
    a round top) so the labels cannot crowd, each bar labelled with its rate."""
    top = _nice(float(df["rate"].max() or 0))
    fmt = f".{_pct_digits([top / 2, *df['rate'].to_list()])}~%"
    x = alt.X(
        "rate:Q",
        scale=alt.Scale(domain=[0, top]),
        axis=alt.Axis(format=fmt, values=[0, top / 2, top], labelFlush=True),
        title=f"engagement rate {denominator} (%)",
    )
    y = alt.Y("platform:N", title=None)
    base, tooltip = _tips(
        alt.Chart(df),
        [("platform:N", "platform", None), ("denominator:N", "denominator", None),
         ("rate:Q", "engagement rate", fmt)],
    )  # fmt: skip
    bars = base.mark_bar().encode(
        x=x,
        y=y,
        color=alt.Color("platform:N", scale=_platform_scale(df["platform"].to_list()), legend=None),
        tooltip=tooltip,
        description=DESC,
    )
    labels = (
        base.mark_text(align="left", baseline="middle", dx=3, fontSize=11, color="#333")
        .encode(x=x, y=y, text=alt.Text("rate:Q", format=fmt), tooltip=tooltip, description=DESC)
        .properties(name=OUTSIDE)
    )
    return alt.layer(bars, labels).properties(width=220, height=alt.Step(24))


def engagement_rates(df: pl.DataFrame) -> alt.HConcatChart:
    """Engagement rate per platform under each denominator present (columns: platform,
    denominator, rate), one panel per denominator with its own axis because they differ by
    up to tenfold; each bar labelled with its rate. The title gives the range by followers."""
    byf = df.filter(pl.col("denominator") == "by followers").sort("rate")
    if byf.height >= 2:
        lo, hi = byf.row(0, named=True), byf.row(-1, named=True)
        title = (
            f"Engagement per follower ranges from {_pct(lo['rate'])} on {lo['platform']} "
            f"to {_pct(hi['rate'])} on {hi['platform']}"
        )
    elif byf.height == 1:
        r = byf.row(0, named=True)
        title = f"Engagement per follower on {r['platform']} is {_pct(r['rate'])}"
    else:
        title = "Engagement rate, by denominator"
    dens = [d for d in ("by followers", "by impressions") if d in set(df["denominator"])]
    return alt.hconcat(
        *[_rate_panel(df.filter(pl.col("denominator") == d), d) for d in dens],
        title=alt.Title(title, anchor="start"),
        description=(
            "Engagement rate per platform, by followers and by impressions (separate "
            "panels, separate axes); each bar is labelled with its rate."
        ),
    )


def stage_funnel(df: pl.DataFrame) -> alt.FacetChart:
    """Nested know–like–trust funnel per platform (columns: platform, stage, contacts,
    at_or_beyond from ``warmcall.model.funnel.at_or_beyond``): each bar is the contacts at
    that stage or a later one, so bars never grow down the funnel. Symlog axis with ticks
    at powers of ten; bars labelled with their counts."""
    tot = df.group_by("stage").agg(pl.col("at_or_beyond").sum()) if df.height else df
    per = (
        dict(zip(tot["stage"].to_list(), tot["at_or_beyond"].to_list(), strict=True))
        if df.height
        else {}
    )
    if per.get("connection") and "conversant" in per:
        title = (
            f"{count(per['conversant'], 'contact')} of {per['connection']:,} "
            f"({per['conversant'] / per['connection']:.0%}) "
            + verb(
                per["conversant"],
                "converses with you or trusts you",
                "converse with you or trust you",
            )
        )
    else:
        title = "The know–like–trust funnel"
    top = float(df["at_or_beyond"].max() or 1) if df.height else 1.0
    layered = _bars_with_labels(
        alt.Chart(),
        _count_x("at_or_beyond", top, "contacts at this stage or beyond (symlog scale)"),
        alt.Y("stage:N", sort=STAGE_LIST, title=None),
        [
            ("platform:N", "platform", None),
            ("stage:N", "at this stage or beyond", None),
            ("at_or_beyond:Q", "contacts", COUNT),
            ("contacts:Q", "at exactly this stage", COUNT),
        ],
        "at_or_beyond:Q",
    ).properties(width=420, height=alt.Step(22))
    return _per_platform(
        df,
        layered,
        title=alt.Title(
            title,
            subtitle=[
                "Nested: each bar counts the contacts at that stage or a later one.",
                "A stage a platform's exports cannot show has no row.",
            ],
            anchor="start",
        ),
        description=(
            "Per platform, the contacts at each stage (connection, reached, aware, engaged, "
            "conversant, trusted) or a later one; stages the exports cannot show are left out."
        ),
    )


def top_shares(df: pl.DataFrame) -> alt.FacetChart | alt.Chart:
    """How concentrated inbound engagement is: the share carried by the top 10% / 20% / 50%
    of contacts (columns: platform, top, top_units, units, total, share from
    ``warmcall.model.stats.top_shares``; the row "all platforms" first). The title reads
    the all-platforms top-10% share; bars are labelled with their share."""
    known = df.filter(pl.col("share").is_not_null())
    overall = known.filter((pl.col("platform") == "all platforms") & (pl.col("top") == 0.1))
    if overall.height:
        r = overall.row(0, named=True)
        if r["active"] <= r["top_units"]:  # the top 10% hold every interaction: say who does
            title = (
                f"{count(r['active'], 'contact')} of {r['units']:,} "
                f"({r['active'] / r['units']:.0%}) started every interaction with you"
            )
        else:
            title = (
                f"The top 10% of your contacts carry {r['share']:.0%} of the interactions "
                "they start"
            )
    else:
        title = "No inbound interactions in the window"
    src = known.with_columns(
        label=pl.format("top {}%", (pl.col("top") * 100).round(0).cast(pl.Int64))
    )
    order = ["all platforms", *sorted(set(src["platform"].to_list()) - {"all platforms"})]
    x = alt.X(
        "share:Q",
        scale=alt.Scale(domain=[0, 1]),
        axis=alt.Axis(format="%", values=[0, 0.25, 0.5, 0.75, 1]),
        title="share of inbound interactions in the window (%)",
    )
    y = alt.Y("label:N", sort=["top 10%", "top 20%", "top 50%"], title=None)
    layered = _bars_with_labels(
        alt.Chart(),
        x,
        y,
        [
            ("platform:N", "platform", None),
            ("label:N", "contacts", None),
            ("top_units:Q", "people in that group", COUNT),
            ("share:Q", "share of interactions", ".0%"),
        ],
        "share:Q",
        ".0%",
    )
    return alt.FacetChart(
        data=src,
        spec=layered.properties(width=360, height=alt.Step(22)),
        facet=alt.Facet(
            "platform:N",
            sort=order,
            title=None,
            header=alt.Header(labelAngle=0, labelAlign="left"),
        ),
        columns=1,
        title=alt.Title(
            title,
            subtitle="Contacts ranked by the interactions they started with you in the window.",
            anchor="start",
        ),
        description=(
            "For all platforms together and for each platform, the share of inbound "
            "interactions carried by the top 10%, 20% and 50% of contacts."
        ),
    )


WEEKDAY_ORDER = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def best_time_heatmap(df: pl.DataFrame, title: str, basis: str, timezone: str) -> alt.Chart:
    """Engagement by weekday × hour of posting (columns: day, weekday, hour, posts, rate,
    enough; ``overview.best_time_frame``): colour = ``basis`` (e.g. "engagement per
    impression"), the number of posts written in each cell that has any, cells with fewer
    posts than the minimum faded; ``title`` states the finding (``overview.best_time_title``)."""
    base = alt.Chart(df).encode(
        x=alt.X("hour:O", title=f"hour of posting ({timezone})", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("day:N", sort=WEEKDAY_ORDER, title=None),
    )
    base, tooltip = _tips(
        base,
        [("day:N", "day", None), ("hour:O", "hour", None), ("posts:Q", "posts", COUNT),
         ("rate:Q", basis, ".2%")],
    )  # fmt: skip
    cells = base.mark_rect(stroke="#ffffff", strokeWidth=1).encode(
        color=alt.Color(
            "rate:Q", scale=alt.Scale(scheme="blues"), title=basis, legend=alt.Legend(format="%")
        ),
        opacity=alt.condition("datum.enough", alt.value(1.0), alt.value(0.35)),
        tooltip=tooltip,
        description=DESC,
    )
    counts = (
        base.transform_filter("datum.posts > 0")
        .mark_text(fontSize=9, color="#1d1d1f")
        .encode(text=alt.Text("posts:Q", format=COUNT), tooltip=tooltip, description=DESC)
    )
    return (cells + counts).properties(
        title=title,
        width=560,
        height=200,
        description=(
            f"Heatmap of {basis} by weekday and hour of posting in {timezone}; each cell "
            "shows its number of posts; faded cells have too few posts to compare."
        ),
    )
