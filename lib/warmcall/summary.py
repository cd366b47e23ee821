"""Summaries of scored contacts and of accounts: the numbers reports lead with.

Definitions (stated in every report):
- followers: the account's follower count from its latest snapshot on or before the as-of
  date where the export gives one; else the number of contacts who follow the account.
- engaged: contacts with at least one inbound interaction in the window.
- two-way: contacts at stage conversant or trusted (both directions in the window, or a
  call/meeting/event in the last year, or DMs both ways in the window).
- trusted: contacts at stage trusted.
- engagement rate by followers = (engagements on posts in the window / posts in the window)
  / followers: average engagements per post per follower.
- engagement rate by impressions = Σ engagements / Σ impressions over the window's posts
  that report impressions.
- engagements of a post: its ``engagements`` value where the source gives one, else
  likes + comments + shares + saves (the counts known).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from .features import window_start

TWO_WAY = ("conversant", "trusted")


def summarize(scores: pl.DataFrame, by: Sequence[str] = ("platform", "segment")) -> pl.DataFrame:
    """Per group: contacts, followers (contacts following you), engaged, two-way, trusted,
    flagged, stage counts, median and mean quality, and engaged share of followers."""
    by = list(by)
    s = pl.col("stage")
    flags = {
        "followers": pl.col("follows_me").fill_null(False),
        "following": pl.col("i_follow").fill_null(False),
        "engaged": pl.col("in_w") > 0,
        "two_way": s.is_in(TWO_WAY),
        "trusted": s == "trusted",
        "conversant": s == "conversant",
        "engaged_stage": s == "engaged",
        "aware": s == "aware",
    }
    # the tests as columns first: the group-by then only sums (its fast path)
    out = (
        scores.lazy()
        .select(
            *by,
            *[c for c in ("quality", "flagged") if c not in by],
            *[e.alias(f"_{k}") for k, e in flags.items()],
        )
        .group_by(by)
        .agg(
            contacts=pl.len(),
            **{k: pl.col(f"_{k}").sum() for k in flags},
            flagged=pl.col("flagged").sum(),
            median_quality=pl.col("quality").median(),
            mean_quality=pl.col("quality").mean().round(1),
        )
        .collect()
        .with_columns(
            engaged_share=pl.when(pl.col("followers") > 0).then(
                pl.col("engaged") / pl.col("followers")
            )
        )
        .sort(by)
    )
    return out


def post_engagements() -> pl.Expr:
    """A post's engagements: ``engagements`` if given, else likes+comments+shares+saves."""
    parts = pl.sum_horizontal("likes", "comments", "shares", "saves")
    known = pl.any_horizontal(
        [pl.col(c).is_not_null() for c in ("likes", "comments", "shares", "saves")]
    )
    return pl.coalesce(pl.col("engagements"), pl.when(known).then(parts)).alias("post_engagements")


def latest_followers(accounts: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """Per account, the latest snapshot's followers on or before ``as_of`` (undated
    snapshots count as at export time and are used when no dated one exists)."""
    snap = accounts.filter(
        pl.col("followers").is_not_null()
        & (pl.col("snapshot_date").is_null() | (pl.col("snapshot_date") <= as_of))
    )
    return (
        snap.sort(["account_id", "snapshot_date"], nulls_last=False)
        .group_by("account_id")
        .agg(pl.col("followers").last().alias("followers_reported"))
    )


def account_overview(
    accounts: pl.DataFrame, posts: pl.DataFrame, scores: pl.DataFrame, as_of: date, window_days: int
) -> pl.DataFrame:
    """One row per account: followers (and where the number comes from), engaged, two-way,
    trusted, posts and engagements in the window, both engagement rates."""
    contacts = summarize(scores, by=("account_id", "platform")).select(
        "account_id", "platform", "contacts", "engaged", "two_way", "trusted", "flagged",
    )  # fmt: skip
    # followers from the follower list, only where the export has one (Mastodon has none)
    known = scores.group_by("account_id").agg(
        followers_known=pl.when(pl.col("follows_me").is_not_null().any()).then(
            pl.col("follows_me").fill_null(False).sum().cast(pl.Int64)
        )
    )
    contacts = contacts.join(known, on="account_id", how="left")
    start = window_start(as_of, window_days)
    d = pl.col("ts").dt.date()
    p = (
        posts.filter((d >= start) & (d <= as_of))
        .with_columns(post_engagements())
        .group_by("account_id")
        .agg(
            posts=pl.len(),
            engagements=pl.col("post_engagements").sum(),
            eng_with_impr=pl.col("post_engagements")
            .filter(pl.col("impressions").is_not_null())
            .sum(),
            impressions=pl.col("impressions").sum(),
            posts_with_impressions=pl.col("impressions").is_not_null().sum(),
        )
    )
    acc = accounts.select("account_id", "platform").unique()
    base = pl.concat([acc, contacts.select("account_id", "platform")]).unique()
    out = (
        base.join(contacts, on=["account_id", "platform"], how="left")
        .join(latest_followers(accounts, as_of), on="account_id", how="left")
        .join(p, on="account_id", how="left")
        .with_columns(
            followers=pl.coalesce("followers_reported", "followers_known"),
            followers_source=pl.when(pl.col("followers_reported").is_not_null())
            .then(pl.lit("account snapshot"))
            .when(pl.col("followers_known").is_not_null())
            .then(pl.lit("follower list"))
            .otherwise(pl.lit("not in the export")),
            posts=pl.col("posts").fill_null(0),
        )
        .with_columns(
            er_followers=pl.when((pl.col("followers") > 0) & (pl.col("posts") > 0)).then(
                pl.col("engagements") / pl.col("posts") / pl.col("followers")
            ),
            er_impressions=pl.when(pl.col("impressions") > 0).then(
                pl.col("eng_with_impr") / pl.col("impressions")
            ),
        )
        .drop("followers_reported")
        .sort("account_id")
    )
    return out


def totals(overview: pl.DataFrame) -> dict[str, int]:
    """Sum of followers, engaged, two-way and trusted over all accounts."""
    row = overview.select(
        pl.col("followers").fill_null(0).sum(), pl.col("engaged").fill_null(0).sum(),
        pl.col("two_way").fill_null(0).sum(), pl.col("trusted").fill_null(0).sum(),
    ).row(0)  # fmt: skip
    return dict(
        zip(("followers", "engaged", "two_way", "trusted"), (int(v) for v in row), strict=True)
    )


def headline(overview: pl.DataFrame, window_days: int) -> str:
    """The sentence a report opens with, e.g. "Of your 17,309 followers, 212 engaged in the
    last 90 days, 38 are two-way relationships and 9 are trusted." """
    t = totals(overview)
    share = f" ({t['engaged'] / t['followers']:.1%})" if t["followers"] else ""
    return (
        f"Of your {t['followers']:,} followers, {t['engaged']:,}{share} engaged in the last "
        f"{window_days} days, {t['two_way']:,} are two-way relationships and "
        f"{t['trusted']:,} are trusted."
    )
