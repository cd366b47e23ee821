"""Altair charts: one function per chart, each taking a tidy, already aggregated polars
frame and returning an ``alt.Chart``; no wrangling here (the page modules ``warmcall.present.overview``, ``audit`` and ``outreach`` shape them).
"""

from __future__ import annotations

import altair as alt
import polars as pl

from warmcall.model.quality import STAGES

STAGE_ORDER = ["followers", "engaged", "two-way", "trusted"]
PLATFORM_COLORS = alt.Scale(
    domain=["x", "linkedin", "instagram", "facebook", "mastodon", "bluesky", "threads", "tiktok",
            "youtube", "newsletter", "other"],
    range=["#1d1d1f", "#0a66c2", "#c13584", "#1877f2", "#6364ff", "#0085ff", "#5a5a5a",
           "#25f4ee", "#ff0000", "#ff6719", "#888888"],
)  # fmt: skip


def funnel(df: pl.DataFrame) -> alt.Chart:
    """Followers → engaged → two-way → trusted per platform (columns: platform, step, count),
    on a log scale so that the small numbers that matter stay visible."""
    return (
        alt.Chart(df, title="From followers to trusted relationships (log scale)")
        .mark_bar()
        .encode(
            y=alt.Y("step:N", sort=STAGE_ORDER, title=None),
            x=alt.X("count:Q", scale=alt.Scale(type="symlog"), title="contacts"),
            color=alt.Color("platform:N", scale=PLATFORM_COLORS, legend=None),
            row=alt.Row(
                "platform:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")
            ),
            tooltip=["platform:N", "step:N", alt.Tooltip("count:Q", format=",")],
        )
        .properties(width=420, height=90)
    )


def followers_vs_quality(df: pl.DataFrame) -> alt.Chart:
    """Binned heatmap: contact follower count (log10 bins) vs relationship quality (10-point
    bins); colour = number of contacts. Columns: followers_bin, followers_label, quality_bin,
    contacts, median_engagement."""
    return (
        alt.Chart(df, title="Contact follower count vs relationship quality")
        .mark_rect()
        .encode(
            x=alt.X(
                "followers_label:O",
                sort=alt.SortField("followers_bin"),
                title="contact's followers",
            ),
            y=alt.Y("quality_bin:O", sort="descending", title="quality (0–100, 10-point bins)"),
            color=alt.Color(
                "contacts:Q", scale=alt.Scale(type="log", scheme="blues"), title="contacts"
            ),
            tooltip=[
                alt.Tooltip("followers_label:O", title="followers"),
                alt.Tooltip("quality_bin:O", title="quality from"),
                alt.Tooltip("contacts:Q", format=","),
                alt.Tooltip("median_engagement:Q", title="median engagements (window)"),
            ],
        )
        .properties(width=420, height=240)
    )


def engagement_rates(df: pl.DataFrame) -> alt.Chart:
    """Engagement rate per platform under both denominators (columns: platform,
    denominator, rate); side by side because they differ by up to tenfold."""
    return (
        alt.Chart(df, title="Engagement rate, by denominator")
        .mark_bar()
        .encode(
            x=alt.X("rate:Q", axis=alt.Axis(format="%"), title="engagement rate"),
            y=alt.Y("platform:N", title=None),
            color=alt.Color("platform:N", scale=PLATFORM_COLORS, legend=None),
            column=alt.Column("denominator:N", title=None),
            tooltip=["platform:N", "denominator:N", alt.Tooltip("rate:Q", format=".2%")],
        )
        .properties(width=220, height=120)
    )


#: the funnel order: connection, reached, aware, engaged, conversant, trusted
STAGE_LIST = list(STAGES)


def stage_funnel(df: pl.DataFrame) -> alt.Chart:
    """Contacts per stage and platform (columns: platform, stage, contacts), log scale."""
    return (
        alt.Chart(df, title="The know–like–trust funnel per platform (log scale)")
        .mark_bar()
        .encode(
            x=alt.X("contacts:Q", scale=alt.Scale(type="symlog"), title="contacts"),
            y=alt.Y("stage:N", sort=STAGE_LIST, title=None),
            color=alt.Color(
                "stage:N", sort=STAGE_LIST, scale=alt.Scale(scheme="oranges"), legend=None
            ),
            row=alt.Row(
                "platform:N", title=None, header=alt.Header(labelAngle=0, labelAlign="left")
            ),
            tooltip=["platform:N", "stage:N", alt.Tooltip("contacts:Q", format=",")],
        )
        .properties(width=420, height=110)
    )


def lorenz(df: pl.DataFrame) -> alt.Chart:
    """Lorenz curves of inbound engagement per platform (columns: platform, units_share,
    value_share) with the line of equality."""
    base = alt.Chart(df, title="Who gives the engagement? (Lorenz curve)")
    curve = base.mark_line().encode(
        x=alt.X(
            "units_share:Q",
            axis=alt.Axis(format="%"),
            title="share of contacts (least engaged first)",
        ),
        y=alt.Y("value_share:Q", axis=alt.Axis(format="%"), title="share of inbound engagement"),
        color=alt.Color("platform:N", scale=PLATFORM_COLORS),
        tooltip=[
            "platform:N",
            alt.Tooltip("units_share:Q", format=".0%"),
            alt.Tooltip("value_share:Q", format=".1%"),
        ],
    )
    diag = (
        alt.Chart(pl.DataFrame({"units_share": [0.0, 1.0], "value_share": [0.0, 1.0]}))
        .mark_line(strokeDash=[4, 4], color="#999")
        .encode(x="units_share:Q", y="value_share:Q")
    )
    return (diag + curve).properties(width=360, height=300)


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
    tooltip = [
        alt.Tooltip("day:N", title="day"),
        alt.Tooltip("hour:O", title="hour"),
        alt.Tooltip("posts:Q", title="posts", format=","),
        alt.Tooltip("rate:Q", title=basis, format=".2%"),
    ]
    cells = base.mark_rect(stroke="#ffffff", strokeWidth=1).encode(
        color=alt.Color(
            "rate:Q", scale=alt.Scale(scheme="blues"), title=basis, legend=alt.Legend(format="%")
        ),
        opacity=alt.condition("datum.enough", alt.value(1.0), alt.value(0.35)),
        tooltip=tooltip,
    )
    counts = (
        base.transform_filter("datum.posts > 0")
        .mark_text(fontSize=9, color="#1d1d1f")
        .encode(text=alt.Text("posts:Q"), tooltip=tooltip)
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
