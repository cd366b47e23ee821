"""The lists people ask for, per platform account: mutuals, who does not follow you back, whom
you do not follow back (worth a look or not), ghost followers and top engagers.

Each list is a polars function over the Analysis's frames (``scores``: one row per account
and contact, from ``warmcall.model.scoring``; ``signals``: ``observability.account_signals``;
the workbook's ``interactions``). The rules (docs/metrics.md "Lists"; thresholds and sizes
in ``params.lists`` and ``params.outreach``):

- **mutuals**: ``follows_me`` and ``i_follow`` both true;
- **not_following_back**: you follow them (``i_follow``), they do not follow you;
- **not_followed_back_warm** / **not_followed_back_rest**: they follow you (``follows_me``),
  you do not follow them, split by quality ≥ ``outreach.min_quality`` (the same threshold
  as a tie worth keeping in the call plan) or below, so that you decide whom to follow;
- **ghosts**: followers with no interaction either way in the last ``lists.ghost_days``
  days (T − D + 1 … T; none at all counts as none) who, where their profile shows posting
  activity, are inactive: their last post is dated before T − D + 1 (``contact_last_post_at``)
  or, with no last-post date, their profile says 0 posts (``contact_posts``). A last post
  on or after T − D + 1 (even after T: the profile is newer than T) means active, not a
  ghost. A profile with neither (no profile, or a post count above 0 with no date: a count
  does not say when) leaves the silence alone to decide; ``posting`` says which ghosts
  are "inactive" and for which it is "not in this export". With the hygiene flags
  (``model.audience``) their profiles raise where profiles are present;
- **top_engagers**: the ``lists.top_engagers`` contacts with the largest weighted inbound
  engagement in the window (T − W + 1 … T): Σ ``quality.kind_weights[kind]`` over their
  inbound interactions (the weights of the quality model's intensity), more than 0; ties by
  contact id.

"Follows you" and "you follow" mean the flag is true and the contact was connected by T
(``is_connection``: not a ``connected_at`` after ``as_of``). A flag not given for a contact
counts as false only in an account whose export has the list at all.

What an export can show (``LIST_NEEDS``): the follower lists need an export with the list
of your followers (some contact row of the account says whether they follow you; a follower
*count* from analytics is not a list) and, for the follow-back lists, the list of whom you
follow; ghosts also need both your engagement and others' (``observability`` signals), or a
silent-looking follower might only be unseen; top engagers need engagement by others
(received messages alone make them "who wrote to you most", and ``list_status`` says so). An
account whose export lacks what a list needs has no rows in it, and ``list_status`` says
"not in this export" with the reason, never 0 people.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

import polars as pl

from warmcall.core.params import Params
from warmcall.core.schema import CONTACT_KEY
from warmcall.core.words import NOT_IN_EXPORT
from warmcall.model.features import window_start
from warmcall.model.links import profile_url
from warmcall.model.observability import MISSING_WHY
from warmcall.model.redact import key_for, redact_contacts

if TYPE_CHECKING:
    from warmcall.model.pipeline import Analysis

LISTS = (
    "mutuals", "not_following_back", "not_followed_back_warm", "not_followed_back_rest",
    "ghosts", "top_engagers",
)  # fmt: skip

#: list -> what it needs, as groups of which every group needs one of its parts:
#: "follower_list" / "following_list" (rows of the account that say so), or a signal of
#: ``observability`` (``inbound``, ``messages_in``, ...).
LIST_NEEDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "mutuals": (("follower_list",), ("following_list",)),
    "not_following_back": (("follower_list",), ("following_list",)),
    "not_followed_back_warm": (("follower_list",), ("following_list",)),
    "not_followed_back_rest": (("follower_list",), ("following_list",)),
    "ghosts": (("follower_list",), ("inbound", "messages_in"), ("outbound", "messages_out")),
    "top_engagers": (("inbound", "messages_in"),),
}

#: A list an export can show in part: {list: (the signal it then lacks, what the list is
#: then made of)}. Received messages alone make top engagers "who wrote to you most".
LIST_PARTIAL: dict[str, tuple[str, str]] = {
    "top_engagers": (
        "inbound",
        "from messages received only: the export has no replies, likes or comments by others",
    ),
}

_WHY = {
    "follower_list": "the export has no list of your followers",
    "following_list": MISSING_WHY["following"],
    **MISSING_WHY,
}

#: The columns every list has, in order (list-specific ones follow).
BASE_COLUMNS = (
    "account_id", "platform", "contact_id", "handle", "display_name", "profile_url", "quality",
    "stage", "days_since_last", "contact_followers",
)  # fmt: skip


def knowledge(scores: pl.DataFrame, signals: pl.DataFrame) -> pl.DataFrame:
    """Per account (every account of ``signals`` or ``scores``): ``follower_list`` (some
    contact row says whether they follow you), ``following_list`` (some row says whether you
    follow them) and the ``observability`` signals, as booleans."""
    rows = scores.group_by("account_id", "platform").agg(
        follower_list=pl.col("follows_me").is_not_null().any(),
        following_list=pl.col("i_follow").is_not_null().any(),
    )
    accts = pl.concat(
        [signals.select("account_id", "platform"), rows.select("account_id", "platform")]
    ).unique()
    return (
        accts.join(rows, on=["account_id", "platform"], how="left")
        .join(signals.drop("platform"), on="account_id", how="left")
        .with_columns(pl.exclude("account_id", "platform").fill_null(False))
        .sort("account_id")
    )


def _known(name: str) -> pl.Expr:
    return pl.all_horizontal(
        [pl.any_horizontal([pl.col(s) for s in group]) for group in LIST_NEEDS[name]]
    )


def _why(name: str) -> pl.Expr:
    """The reason of the first group of needs that the account lacks."""
    out = pl.lit(None, pl.String)
    for group in reversed(LIST_NEEDS[name]):
        lacks = ~pl.any_horizontal([pl.col(s) for s in group])
        out = pl.when(lacks).then(pl.lit(f"{NOT_IN_EXPORT}: {_WHY[group[0]]}")).otherwise(out)
    return out


def _note(name: str) -> pl.Expr:
    """A list's ``note`` for an account: why the export cannot show it, or what it is made
    of where the export shows it in part (``LIST_PARTIAL``), else null."""
    note = pl.when(~_known(name)).then(_why(name))
    if name in LIST_PARTIAL:
        lacks, made_of = LIST_PARTIAL[name]
        note = note.when(~pl.col(lacks)).then(pl.lit(made_of))
    return note.otherwise(None).alias("note")


def _base(scores: pl.DataFrame, known: pl.DataFrame, name: str) -> pl.LazyFrame:
    """Scores of the accounts whose exports can show list ``name``, with ``_fm`` / ``_if``
    (follows you / you follow, by T; unsaid = false); lazy, so that a list's filter and
    columns apply before anything is copied. ``profile_url``: the scores' own column
    (``all_lists`` makes it once for every contact: the lists hold nearly two rows per
    contact at L, 0.3 s per million), else made in ``_shape``, for the list's rows only."""
    ok = known.filter(_known(name)).select("account_id")
    by_t = pl.col("is_connection")
    return (
        scores.lazy()
        .join(ok.lazy(), on="account_id", how="semi")
        .with_columns(
            _fm=pl.col("follows_me").fill_null(False) & by_t,
            _if=pl.col("i_follow").fill_null(False) & by_t,
        )
    )


def _shape(df: pl.LazyFrame, extra: tuple[pl.Expr, ...] = ()) -> pl.DataFrame:
    """A list's rows as shown: ``BASE_COLUMNS`` (with the profile URL), then ``extra``."""
    have = "profile_url" in df.collect_schema()
    return df.select(
        *BASE_COLUMNS[:5],
        pl.col("profile_url") if have else profile_url("platform", "contact_id", "handle"),
        pl.col("quality").round(1),
        pl.col("stage").cast(pl.String),
        pl.col("days_since_last").cast(pl.Int64),
        pl.col("contact_followers"),
        *extra,
    ).collect()


#: the order of a list ranked by quality: per account, best first, ties by contact id
QUALITY_ORDER = (["account_id", "quality", "contact_id"], [False, True, False])


def _by_quality(df: pl.LazyFrame, ordered: bool = False) -> pl.LazyFrame:
    """``df`` in ``QUALITY_ORDER``; as it is when ``ordered`` (rows of scores that are in
    that order already, ``in_quality_order``: a filter keeps the order)."""
    return df if ordered else df.sort(QUALITY_ORDER[0], descending=QUALITY_ORDER[1])


def in_quality_order(scores: pl.DataFrame) -> bool:
    """Whether ``scores`` is in ``QUALITY_ORDER`` already (as ``df.sort`` puts it: nulls
    first), by comparing each row with the one before: no pair out of order. The scores
    come so from ``scoring.score_features``; pseudonyms (``redact``) change the contact ids
    and so the order of ties. With a NaN quality: False (the sort decides)."""
    if scores.height < 2:
        return True
    if scores["quality"].is_nan().any():
        return False
    out_of_order, tied = pl.lit(False), pl.lit(True)  # by the columns so far
    for c, desc in zip(*QUALITY_ORDER, strict=True):
        cur, prev = pl.col(c), pl.col(c).shift(1)
        before = (prev > cur) if desc else (prev < cur)  # prev belongs before cur
        after = (prev < cur) if desc else (prev > cur)
        c_before = (prev.is_null() & cur.is_not_null()) | before.fill_null(False)  # nulls first
        c_after = (prev.is_not_null() & cur.is_null()) | after.fill_null(False)
        out_of_order = out_of_order | (tied & c_after)
        tied = tied & ~c_before & ~c_after
    return not scores.select(out_of_order.slice(1).any()).item()


def mutuals(scores: pl.DataFrame, known: pl.DataFrame, ordered: bool = False) -> pl.DataFrame:
    """Contacts who follow you and whom you follow (by T), per account; best quality first.
    ``ordered``: ``scores`` is in ``QUALITY_ORDER`` already (``in_quality_order``)."""
    b = _base(scores, known, "mutuals")
    return _shape(_by_quality(b.filter(pl.col("_fm") & pl.col("_if")), ordered))


def not_following_back(
    scores: pl.DataFrame, known: pl.DataFrame, ordered: bool = False
) -> pl.DataFrame:
    """Contacts you follow who do not follow you, per account; best quality first."""
    b = _base(scores, known, "not_following_back")
    return _shape(_by_quality(b.filter(pl.col("_if") & ~pl.col("_fm")), ordered))


def not_followed_back(
    scores: pl.DataFrame, known: pl.DataFrame, min_quality: float, ordered: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Contacts who follow you and whom you do not follow, per account, as two lists:
    quality ≥ ``min_quality`` (warm) and below (the rest); best quality first, with their
    relevance to your niche and hygiene flags."""
    b = _base(scores, known, "not_followed_back_warm").filter(pl.col("_fm") & ~pl.col("_if"))
    extra = (pl.col("relevance"), pl.col("flags").list.join(", ").alias("flags"))
    warm = pl.col("quality") >= min_quality  # (each part sorted on its own: no sort twice)
    return (
        _shape(_by_quality(b.filter(warm), ordered), extra),
        _shape(_by_quality(b.filter(~warm), ordered), extra),
    )


#: ``posting`` of a ghost whose profile shows no posting activity (the silence decided).
POSTING_UNKNOWN = NOT_IN_EXPORT


def posting_activity(as_of: date, ghost_days: int) -> tuple[pl.Expr, pl.Expr]:
    """(known, inactive) for contacts' profiles: known = a last-post date is given, or the
    post count is 0; inactive = the last post's UTC date is ``ghost_days`` or more days
    before ``as_of`` (none in T − D + 1 … T nor after), or, without a date, 0 posts. Null
    where not known."""
    last = pl.col("contact_last_post_at").dt.date()
    zero = pl.col("contact_posts") == 0
    known = last.is_not_null() | zero.fill_null(False)
    days = (pl.lit(as_of) - last).dt.total_days()
    inactive = pl.when(last.is_not_null()).then(days >= ghost_days).when(zero).then(True)
    return known, inactive


def ghosts(scores: pl.DataFrame, known: pl.DataFrame, ghost_days: int, as_of: date) -> pl.DataFrame:
    """Followers with no interaction either way in the last ``ghost_days`` days ending on T
    (``days_since_last`` ≥ ``ghost_days``, or none ever) and, where their profile shows
    posting activity (``posting_activity``), inactive, per account; with their post count,
    last-post date, ``posting`` ("inactive" or ``POSTING_UNKNOWN``) and the hygiene flags
    their profiles raise (where the export or a profiles file gives profiles); the most
    followed first."""
    shown, inactive = posting_activity(as_of, ghost_days)
    b = _base(scores, known, "ghosts").filter(
        pl.col("_fm")
        & (pl.col("days_since_last").is_null() | (pl.col("days_since_last") >= ghost_days))
        & (~shown | inactive.fill_null(False))
    )
    b = b.sort(
        ["account_id", "contact_followers", "contact_id"],
        descending=[False, True, False],
        nulls_last=True,
    )
    extra = (
        pl.col("contact_posts"),
        pl.col("contact_last_post_at").dt.date().alias("last_post"),
        pl.when(shown).then(pl.lit("inactive")).otherwise(pl.lit(POSTING_UNKNOWN)).alias("posting"),
        pl.col("flags").list.join(", ").alias("flags"),
    )
    return _shape(b, extra)


def inbound_engagement(
    interactions: pl.LazyFrame | pl.DataFrame,
    as_of: date,
    window_days: int,
    kind_weights: dict[str, float],
    contact_keys: pl.LazyFrame | pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Per (account_id, platform, contact_id): ``engagement`` = Σ ``kind_weights[kind]``
    (0 for a kind without a weight) and ``inbound`` = the count, over inbound interactions
    whose UTC date is in the window T − W + 1 … T (``features.window_start``).
    ``contact_keys``: the interactions carry the table cache's integer contact key instead
    of the three key columns (``Workbook.keyed_interactions``): grouped by it, then named."""
    d = pl.col("ts").dt.date()
    w = pl.col("kind").replace_strict(kind_weights, default=0.0, return_dtype=pl.Float64)
    keys = ["account_id", "platform", "contact_id"]
    out = (
        interactions.lazy()
        .filter(
            (pl.col("direction") == "in") & (d >= window_start(as_of, window_days)) & (d <= as_of)
        )
        .group_by(keys if contact_keys is None else [CONTACT_KEY])
        .agg(engagement=w.sum(), inbound=pl.len().cast(pl.UInt32))
    )
    if contact_keys is not None:
        out = out.join(contact_keys.lazy(), on=CONTACT_KEY).select(*keys, "engagement", "inbound")
    return out.collect()


def top_engagers(
    scores: pl.DataFrame, known: pl.DataFrame, engagement: pl.DataFrame, limit: int
) -> pl.DataFrame:
    """The ``limit`` contacts per account with the largest weighted inbound engagement in
    the window (``inbound_engagement``; more than 0), largest first, ties by contact id."""
    b = _base(scores, known, "top_engagers").join(
        engagement.lazy(), on=["account_id", "platform", "contact_id"], how="inner"
    )
    b = (
        b.filter(pl.col("engagement") > 0)
        .sort(["account_id", "engagement", "contact_id"], descending=[False, True, False])
        .group_by("account_id", maintain_order=True)
        .head(limit)
    )
    return _shape(b, (pl.col("engagement").round(2), pl.col("inbound")))


def all_lists(
    scores: pl.DataFrame,
    signals: pl.DataFrame,
    engagement: pl.DataFrame,
    params: Params,
    as_of: date,
    links: bool = True,
    known: pl.DataFrame | None = None,
) -> dict[str, pl.DataFrame]:
    """Every list of ``LISTS`` by name (module docstring for the rules); ``as_of`` is T.
    ``links``: each person's ``profile_url`` (``links.profile_url``), else null (a
    pseudonym is no profile); ``known``: ``knowledge(scores, signals)`` when computed
    already."""
    known = knowledge(scores, signals) if known is None else known
    ordered = in_quality_order(scores)  # as scoring leaves them: the lists need no sort
    url = profile_url("platform", "contact_id", "handle") if links else pl.lit(None, pl.String)
    scores = scores.with_columns(url.alias("profile_url"))
    warm, rest = not_followed_back(scores, known, params.outreach.min_quality, ordered)
    return {
        "mutuals": mutuals(scores, known, ordered),
        "not_following_back": not_following_back(scores, known, ordered),
        "not_followed_back_warm": warm,
        "not_followed_back_rest": rest,
        "ghosts": ghosts(scores, known, params.lists.ghost_days, as_of),
        "top_engagers": top_engagers(scores, known, engagement, params.lists.top_engagers),
    }


def list_status(
    lists: dict[str, pl.DataFrame],
    scores: pl.DataFrame,
    signals: pl.DataFrame,
    known: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per account and list: ``people`` (the list's length; null where the export
    cannot show the list) and ``note`` ("not in this export: <why>"; where the export shows
    the list in part, what it is made of, ``LIST_PARTIAL``; else null). ``known``:
    ``knowledge(scores, signals)`` when computed already."""
    known = knowledge(scores, signals) if known is None else known
    parts = []
    for name, df in lists.items():
        n = df.group_by("account_id").agg(n=pl.len().cast(pl.Int64))
        parts.append(
            known.join(n, on="account_id", how="left").select(
                "platform",
                "account_id",
                pl.lit(name).alias("list"),
                pl.when(_known(name)).then(pl.col("n").fill_null(0)).alias("people"),
                _note(name),
            )
        )
    return pl.concat(parts).sort("platform", "account_id")


def analysis_lists(a: Analysis) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """``all_lists`` and ``list_status`` of an Analysis: the engagement is counted from its
    workbook's interactions (pseudonymized like the scores when ``redact`` is on, and then
    without profile links)."""
    p = a.params
    keyed = a.workbook.keyed_interactions()
    inter, keys = keyed if keyed is not None else (a.workbook.scan("interactions"), None)
    eng = inbound_engagement(inter, a.as_of, p.window_days, p.quality.kind_weights, keys)
    if p.redact:
        eng = redact_contacts(eng, key_for(p))
    known = knowledge(a.scores, a.signals)
    lists = all_lists(a.scores, a.signals, eng, p, a.as_of, links=not p.redact, known=known)
    return lists, list_status(lists, a.scores, a.signals, known)
