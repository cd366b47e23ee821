"""Summaries of scored contacts and of accounts: the numbers reports lead with.

Definitions (stated in every report):
- followers: the account's follower count from its latest snapshot on or before the as-of
  date where the export gives one; else the number of contacts who follow the account.
- engaged: contacts with at least one inbound interaction in the window.
- reached: contacts you engaged in the window who did not engage you (stage ``reached``).
- two-way: contacts at stage conversant or trusted (both directions in the window, or a
  call/meeting/event in the last year, or DMs both ways in the window).
- trusted: contacts at stage trusted.
- engagement rate by followers = (engagements on posts in the window / posts in the window)
  / followers: average engagements per post per follower.
- engagement rate by impressions = Σ engagements / Σ impressions over the window's posts
  that report impressions.
- engagements of a post: its ``engagements`` value where the source gives one, else
  likes + comments + shares + saves (the counts known).

A figure that an account's exports cannot show (``warmcall.model.observability``: an X archive
has no engagement by others, a Mastodon archive no follower list) is null, and every
sentence and table says "not in this export" for it, never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import polars as pl

from warmcall.core.words import count, noun, verb
from warmcall.model.features import window_start
from warmcall.model.observability import mask_unknowable

TWO_WAY = ("conversant", "trusted")
PLATFORM_NAMES = {
    "x": "X", "linkedin": "LinkedIn", "instagram": "Instagram", "facebook": "Facebook",
    "mastodon": "Mastodon", "bluesky": "Bluesky", "threads": "Threads", "tiktok": "TikTok",
    "youtube": "YouTube", "newsletter": "newsletter", "other": "other",
}  # fmt: skip
#: The figures of an account that depend on what its export can show.
MASKED = ["followers", "engaged", "reached", "two_way", "trusted", "er_impressions",
          "impressions", "er_followers"]  # fmt: skip


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
        "reached": s == "reached",
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
    accounts: pl.DataFrame,
    posts: pl.DataFrame,
    scores: pl.DataFrame,
    as_of: date,
    window_days: int,
    signals: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per account: followers (and where the number comes from), engaged, reached,
    two-way, trusted, posts and engagements in the window, impressions, both engagement
    rates. With ``signals`` (``observability.account_signals``), every figure the account's
    exports cannot show is null (``observability.FIGURE_NEEDS``)."""
    contacts = summarize(scores, by=("account_id", "platform")).select(
        "account_id", "platform", "contacts", "engaged", "reached", "two_way", "trusted", "flagged",
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
            # null when no post of the window reports any engagement count (LinkedIn's
            # Shares.csv has none): unknown, not 0
            engagements=pl.when(pl.col("post_engagements").is_not_null().any()).then(
                pl.col("post_engagements").sum()
            ),
            eng_with_impr=pl.col("post_engagements")
            .filter(pl.col("impressions").is_not_null())
            .sum(),
            impressions=pl.col("impressions").sum(),
            posts_with_impressions=pl.col("impressions").is_not_null().sum(),
        )
    )
    # the analytics files as a whole: every post up to as_of that reports impressions
    has_impr = pl.col("impressions").is_not_null()
    all_p = (
        posts.filter(d <= as_of)
        .with_columns(post_engagements())
        .group_by("account_id")
        .agg(
            analytics_posts=has_impr.sum(),
            analytics_impressions=pl.col("impressions").filter(has_impr).sum(),
            analytics_engagements=pl.col("post_engagements").filter(has_impr).sum(),
            analytics_first=pl.col("ts").filter(has_impr).min().dt.date(),
            analytics_last=pl.col("ts").filter(has_impr).max().dt.date(),
        )
        .filter(pl.col("analytics_posts") > 0)
        .with_columns(
            er_impressions_all=pl.when(pl.col("analytics_impressions") > 0).then(
                pl.col("analytics_engagements") / pl.col("analytics_impressions")
            )
        )
    )
    acc = accounts.select("account_id", "platform").unique()
    base = pl.concat(
        [acc, contacts.select("account_id", "platform"), posts.select("account_id", "platform")]
    ).unique()
    out = (
        base.join(contacts, on=["account_id", "platform"], how="left")
        .join(latest_followers(accounts, as_of), on="account_id", how="left")
        .join(p, on="account_id", how="left")
        .join(all_p, on="account_id", how="left")
        .with_columns(
            followers=pl.coalesce("followers_reported", "followers_known"),
            followers_source=pl.when(pl.col("followers_reported").is_not_null())
            .then(pl.lit("account snapshot"))
            .when(pl.col("followers_known").is_not_null())
            .then(pl.lit("follower list"))
            .otherwise(pl.lit("not in this export")),
            posts=pl.col("posts").fill_null(0),
            impressions=pl.when(pl.col("posts_with_impressions") > 0).then("impressions"),
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
    if signals is not None:
        # a follower count reported by the account snapshot is known whatever the lists say
        snap = out.select(
            "account_id", (pl.col("followers_source") == "account snapshot").alias("_snap")
        )
        masked = mask_unknowable(out, signals, MASKED)
        out = (
            masked.join(snap, on="account_id", how="left")
            .with_columns(followers=pl.when("_snap").then(out["followers"]).otherwise("followers"))
            .drop("_snap")
        )
        out = out.with_columns(
            followers_source=pl.when(pl.col("followers").is_null())
            .then(pl.lit("not in this export"))
            .otherwise("followers_source"),
            er_followers=pl.when(pl.col("followers").is_not_null()).then("er_followers"),
        )
    return out


def totals(overview: pl.DataFrame) -> dict[str, int | None]:
    """Sum of followers, engaged, reached, two-way and trusted over the accounts where each
    is known (None where no account's export can show it)."""
    out: dict[str, int | None] = {}
    for k in ("followers", "engaged", "reached", "two_way", "trusted"):
        col = overview[k] if k in overview.columns else pl.Series(k, [], pl.Int64)
        out[k] = None if col.drop_nulls().len() == 0 else int(col.drop_nulls().sum())
    return out


def _names(platforms: list[str]) -> str:
    names = sorted({PLATFORM_NAMES.get(p, p) for p in platforms})
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _big(n: float) -> str:
    """1,234 / 12.3k / 9.7M: a large total in a sentence."""
    for cut, suffix in ((1e9, "B"), (1e6, "M"), (1e4, "k")):
        if abs(n) >= cut:
            return f"{n / cut:.1f}{suffix}"
    return f"{n:,.0f}"


#: what "two-way" can rest on where an export holds only what you did
_TWO_WAY_HERE = "two-way there means messages both ways, or a logged call or meeting"


def headline(overview: pl.DataFrame, window_days: int) -> str:
    """The sentences a report opens with, built from what the exports can show:

    - accounts whose exports show engagement by others: "Of your 17,309 followers, 212
      (1.2%) engaged in the last 90 days";
    - two-way relationships and trusted ties where known: "you have 38 two-way relationships
      (9 trusted)";
    - accounts whose exports hold only what you did (an X archive): why engagement is
      missing, and the people you reached there;
    - analytics, over every post up to the as-of date that reports impressions (the files as
      a whole, not only the window): "Across 1,668 posts with impressions (2025-06-01 to
      2026-11-13), 9.7M impressions and 154k engagements: 1.6% engagement by impressions."
    Every count agrees with its noun (``warmcall.core.words``); unknown figures are never 0.
    """
    o = overview
    w = f"the last {window_days} days"
    out: list[str] = []
    eng = o.filter(pl.col("engaged").is_not_null())
    blind = o.filter(pl.col("engaged").is_null())
    t = totals(o)
    two_way = (
        f"{count(t['two_way'], 'two-way relationship')}"
        + (f" ({t['trusted']:,} trusted)" if t["trusted"] is not None else "")
        if t["two_way"] is not None
        else None
    )
    if eng.height:
        e = int(eng["engaged"].sum())
        fol = eng.filter(pl.col("followers").is_not_null())
        where = f" on {_names(eng['platform'].to_list())}" if blind.height else ""
        if fol.height == eng.height:
            f = int(fol["followers"].sum())
            share = f" ({e / f:.1%})" if f else ""
            first = f"Of your {count(f, 'follower')}{where}, {e:,}{share} engaged in {w}"
        else:
            first = f"{count(e, 'person')} engaged with you{where} in {w}"
        out.append(first + (f", and you have {two_way}." if two_way else "."))
    elif blind.height:
        fol = blind.filter(pl.col("followers").is_not_null())
        if fol.height:
            out.append(f"You have {count(int(fol['followers'].sum()), 'follower')}.")
    if blind.height:
        plats = blind["platform"].to_list()
        n = len(set(plats))
        there = " there" if eng.height else ""
        out.append(
            f"Your {_names(plats)} {noun(n, 'export')} {verb(n, 'does', 'do')} not show who "
            f"engaged with your posts ({verb(n, 'it has', 'they have')} no likes, replies, "
            f"mentions or reposts by others), so engagement{there} is not in this export."
        )
        parts = []
        reached = blind.filter(pl.col("reached").is_not_null())
        if reached.height:
            parts.append(f"you reached {count(int(reached['reached'].sum()), 'person')}{there}")
        dm = blind.filter(pl.col("two_way").is_not_null())
        if eng.height and dm.height:
            k = int(dm["two_way"].sum())
            parts.append(
                f"{k:,} of your two-way relationships {verb(k, 'is', 'are')} there; {_TWO_WAY_HERE}"
            )
        elif two_way:
            parts.append(f"you have {two_way}; {_TWO_WAY_HERE}")
        if parts:
            out.append(f"In {w} " + ", and ".join(parts) + ".")
    elif not eng.height and two_way:
        out.append(f"You have {two_way}.")
    imp = o.filter(pl.col("analytics_posts").is_not_null())
    if imp.height:
        n_posts = int(imp["analytics_posts"].sum())
        impressions = float(imp["analytics_impressions"].sum())
        engagements = float(imp["analytics_engagements"].fill_null(0).sum())
        span = imp.select(pl.col("analytics_first").min(), pl.col("analytics_last").max())
        first, last = (str(v) for v in span.row(0))
        rate = f": {engagements / impressions:.1%} engagement by impressions" if impressions else ""
        out.append(
            f"Across {count(n_posts, 'post')} with impressions ({first} to {last}), "
            f"{_big(impressions)} {noun(impressions, 'impression')} and {_big(engagements)} "
            f"{noun(engagements, 'engagement')}{rate}."
        )
    if not out:
        return (
            "These exports hold no followers, engagement or posts that warmcall can count "
            "(see what your exports contain below)."
        )
    return " ".join(out)
