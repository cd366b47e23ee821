"""When your posts do best: engagement by weekday × hour of posting, in the account's
timezone.

Rule (``best_time``):

- posts: your own posts (``is_repost`` not true: a repost is someone else's content)
  published on or before the as-of date, with an engagement count (``post_engagements``:
  ``engagements`` where the export gives it, else likes + comments + shares + saves);
- local time: ``ts`` (UTC) converted to the IANA ``timezone`` (``outreach.timezone``,
  the account holder's zone; ``UTC`` when the params give none), weekday Monday = 1 …
  Sunday = 7, hour 0–23 of the publication time;
- basis: **engagement per impression** when any such post reports impressions (then only
  the posts with impressions > 0 count), else **engagement per follower** (posts of
  accounts whose follower count is known: the ``followers`` given, the overview's, which
  counts the follower list where no snapshot gives a count, else the latest snapshot on or
  before as-of, ``summary.latest_followers``), so one heatmap never mixes two denominators;
- each cell: ``posts`` = n, ``engagements`` = Σ eᵢ, ``denominator`` = Σ dᵢ (impressions,
  or the account's followers, per post), ``rate`` = Σ eᵢ / Σ dᵢ (null for an empty cell).
  With one account on the follower basis this is the mean engagements per post divided
  by its followers (summary's "engagement rate by followers"). A ratio of sums, not a mean
  of per-post ratios, so a post with a tiny denominator cannot dominate its cell.

Every one of the 7 × 24 cells is returned, empty ones with ``posts`` = 0, so a reader sees
where nothing was posted. Whether a cell has enough posts to say anything is the
presentation's rule (``report.min_posts_per_cell``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl

from warmcall.model.summary import latest_followers, post_engagements

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
Basis = Literal["impressions", "followers"]
#: why the cells are empty, when they are (None: there are posts to show)
Missing = Literal["no posts", "no engagement counts", "no denominator"]


@dataclass(frozen=True)
class BestTime:
    """The weekday × hour cells and what they rest on: ``basis`` (None when nothing could
    be computed), ``missing`` (why not), the ``timezone`` used, ``n_posts`` in the cells,
    ``n_own_posts`` (own posts up to as-of, with or without counts) and the ``overall``
    rate of all posts in the cells (Σ e / Σ d)."""

    cells: pl.DataFrame
    basis: Basis | None
    missing: Missing | None
    timezone: str
    n_posts: int
    n_own_posts: int
    overall: float | None


CELL_SCHEMA = {"weekday": pl.Int8(), "day": pl.String(), "hour": pl.Int8(), "posts": pl.UInt32(),
               "engagements": pl.Float64(), "denominator": pl.Float64(), "rate": pl.Float64()}  # fmt: skip


def _grid() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "weekday": [w for w in range(1, 8) for _ in range(24)],
            "hour": [h for _ in range(7) for h in range(24)],
        },
        schema={"weekday": pl.Int8(), "hour": pl.Int8()},
    )


def best_time(
    posts: pl.DataFrame,
    accounts: pl.DataFrame,
    as_of: date,
    timezone: str = "UTC",
    followers: pl.DataFrame | None = None,
) -> BestTime:
    """Engagement by weekday × hour of posting (rule and formula in the module docstring).
    ``timezone``: an IANA name (``outreach.timezone``). ``followers``: (account_id,
    followers) as the overview counts them (``summary.account_overview``), else the
    accounts' snapshots are read."""
    p = posts.filter(
        ~pl.col("is_repost").fill_null(False) & (pl.col("ts").dt.date() <= as_of)
    ).with_columns(post_engagements())
    n_own = p.height
    p = p.filter(pl.col("post_engagements").is_not_null())
    basis: Basis | None = None
    missing: Missing | None = None
    if n_own == 0:
        missing = "no posts"
    elif p.height == 0:
        missing = "no engagement counts"
    elif p.filter(pl.col("impressions") > 0).height:
        basis = "impressions"
        p = p.filter(pl.col("impressions") > 0).with_columns(_d=pl.col("impressions"))
    else:
        f = (
            latest_followers(accounts, as_of)
            if followers is None
            else followers.select("account_id", pl.col("followers").alias("followers_reported"))
        )
        p = p.join(f, on="account_id", how="inner").filter(pl.col("followers_reported") > 0)
        p = p.with_columns(_d=pl.col("followers_reported"))
        basis = "followers" if p.height else None
        missing = None if p.height else "no denominator"
    if basis is None:
        p = pl.DataFrame(schema={"ts": pl.Datetime("us", "UTC"), "post_engagements": pl.Float64,
                                 "_d": pl.Float64})  # fmt: skip
    local = pl.col("ts").dt.convert_time_zone(timezone)
    agg = (
        p.select(
            local.dt.weekday().cast(pl.Int8).alias("weekday"),
            local.dt.hour().cast(pl.Int8).alias("hour"),
            pl.col("post_engagements").cast(pl.Float64).alias("e"),
            pl.col("_d").cast(pl.Float64).alias("d"),
        )
        .group_by("weekday", "hour")
        .agg(posts=pl.len(), engagements=pl.col("e").sum(), denominator=pl.col("d").sum())
    )
    cells = (
        _grid()
        .join(agg, on=["weekday", "hour"], how="left")
        .with_columns(
            pl.col("posts").fill_null(0).cast(pl.UInt32),
            day=pl.col("weekday")
            .cast(pl.Int64)
            .replace_strict(dict(enumerate(WEEKDAYS, 1)), return_dtype=pl.String),
            rate=pl.when(pl.col("denominator") > 0).then(
                pl.col("engagements") / pl.col("denominator")
            ),
        )
        .select(list(CELL_SCHEMA))
        .cast(CELL_SCHEMA)  # type: ignore[arg-type]
    )
    den = float(cells["denominator"].sum() or 0)
    overall = float(cells["engagements"].sum()) / den if den > 0 else None
    return BestTime(cells, basis, missing, timezone, int(cells["posts"].sum()), n_own, overall)
