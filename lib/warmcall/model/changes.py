"""Who came and who left between two runs of a report set, as set differences of two network
snapshots (``snapshot``: one row per contact of each account, with follows_me, i_follow and
stage).

Rules (per account present in both runs; an account new in this run has nothing to compare):

- a follower list is known for an account in a run when any of its contacts has a known
  ``follows_me`` (``summary.account_overview`` counts followers from the list the same way);
  likewise the following list with ``i_follow``;
- new follower: follows you now, did not before (absent or false); unfollowed you: followed
  you before, does not now. Both need the follower list in both runs, else the account's
  followers are "not in this export" (``knowledge``);
- new mutual: follows you and you follow them now, not both before; lost mutual: the
  reverse. Both need both lists in both runs;
- stage moves: contacts in both snapshots whose stage changed; up (warmed up) or down
  (cooled down) by ``quality.STAGES`` order.

Everything is a join or an anti-join on (account_id, contact_id): no row loops.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from warmcall.model.quality import STAGES

KEY = ["account_id", "contact_id"]
#: The columns a run stores for the next run to compare with.
SNAPSHOT_SCHEMA: dict[str, pl.DataType] = {
    "account_id": pl.String(), "platform": pl.String(), "contact_id": pl.String(),
    "handle": pl.String(), "display_name": pl.String(), "follows_me": pl.Boolean(),
    "i_follow": pl.Boolean(), "stage": pl.String(),
}  # fmt: skip
#: The kinds of change, in the order reports list them.
KINDS = ("new follower", "unfollowed you", "new mutual", "lost mutual")
CHANGE_SCHEMA: dict[str, pl.DataType] = {
    "change": pl.String(), "platform": pl.String(), "account_id": pl.String(),
    "contact_id": pl.String(), "handle": pl.String(), "display_name": pl.String(),
}  # fmt: skip
MOVE_SCHEMA: dict[str, pl.DataType] = {
    "platform": pl.String(), "account_id": pl.String(), "contact_id": pl.String(),
    "handle": pl.String(), "display_name": pl.String(), "from": pl.String(), "to": pl.String(),
    "direction": pl.String(),
}  # fmt: skip


def snapshot(scores: pl.DataFrame) -> pl.DataFrame:
    """The network of this run (``SNAPSHOT_SCHEMA``): every scored contact with whether they
    follow you, whether you follow them (null where the export has no such list) and their
    stage, sorted by account and contact so the same data gives the same file."""
    cols = [
        pl.col(c).cast(t) if c in scores.columns else pl.lit(None, t).alias(c)
        for c, t in SNAPSHOT_SCHEMA.items()
    ]
    return scores.select(cols).sort(KEY)


def knowledge(snap: pl.DataFrame) -> pl.DataFrame:
    """Per account of a snapshot: whether its export had a follower list (``followers``) and
    a following list (``following``): any contact with a known flag."""
    return snap.group_by("account_id").agg(
        followers=pl.col("follows_me").is_not_null().any(),
        following=pl.col("i_follow").is_not_null().any(),
    )


def comparable(previous: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """Per account of ``current``: ``in_previous`` (the account was in the earlier run),
    ``followers`` (the follower list is known in both runs) and ``mutuals`` (both lists are
    known in both runs)."""
    kp, kc = knowledge(previous), knowledge(current)
    return (
        kc.join(kp, on="account_id", how="left", suffix="_prev")
        .with_columns(in_previous=pl.col("followers_prev").is_not_null())
        .select(
            "account_id",
            "in_previous",
            followers=pl.col("followers") & pl.col("followers_prev").fill_null(False),
            mutuals=pl.col("followers")
            & pl.col("following")
            & pl.col("followers_prev").fill_null(False)
            & pl.col("following_prev").fill_null(False),
        )
    )


def _people(snap: pl.DataFrame, flag: pl.Expr) -> pl.DataFrame:
    return snap.filter(flag.fill_null(False)).select(
        "account_id", "platform", "contact_id", "handle", "display_name"
    )


def network_changes(previous: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """Who came and who left (``CHANGE_SCHEMA``, module rules): one row per person and kind
    of change, sorted by kind (``KINDS``), platform and handle. The name and handle come
    from the run that still has the person (the earlier one for those who left)."""
    ok = comparable(previous, current)
    fol = ok.filter("followers").select("account_id")
    mut = ok.filter("mutuals").select("account_id")
    follower = pl.col("follows_me")
    mutual = pl.col("follows_me") & pl.col("i_follow")

    def diff(a: pl.DataFrame, b: pl.DataFrame, flag: pl.Expr, accounts: pl.DataFrame, kind: str):
        gone = _people(b, flag).select(KEY)
        return (
            _people(a, flag)
            .join(accounts, on="account_id", how="semi")
            .join(gone, on=KEY, how="anti")
            .with_columns(change=pl.lit(kind))
        )

    parts = [
        diff(current, previous, follower, fol, "new follower"),
        diff(previous, current, follower, fol, "unfollowed you"),
        diff(current, previous, mutual, mut, "new mutual"),
        diff(previous, current, mutual, mut, "lost mutual"),
    ]
    order = {k: i for i, k in enumerate(KINDS)}
    out = pl.concat([p.select(list(CHANGE_SCHEMA)) for p in parts]).cast(CHANGE_SCHEMA)
    return (
        out.with_columns(_k=pl.col("change").replace_strict(order, return_dtype=pl.Int8))
        .sort(["_k", "platform", "handle", "contact_id"], nulls_last=True)
        .drop("_k")
    )


def stage_moves(previous: pl.DataFrame, current: pl.DataFrame) -> pl.DataFrame:
    """Contacts in both snapshots whose stage changed (``MOVE_SCHEMA``): ``direction`` "up"
    (warmed up) when the new stage is later in ``quality.STAGES``, else "down" (cooled down);
    the biggest climbs first, then handle."""
    rank = {s: i for i, s in enumerate(STAGES)}
    now = current.select(
        "account_id", "contact_id", "platform", "handle", "display_name",
        pl.col("stage").cast(pl.String).alias("to"),
    )  # fmt: skip
    prev = previous.select(*KEY, pl.col("stage").cast(pl.String).alias("from"))
    moved = now.join(prev, on=KEY, how="inner").filter(
        pl.col("from").is_not_null() & pl.col("to").is_not_null() & (pl.col("from") != pl.col("to"))
    )
    r = lambda c: pl.col(c).replace_strict(rank, default=None, return_dtype=pl.Int8)  # noqa: E731
    delta = r("to") - r("from")
    return (
        moved.with_columns(
            _d=delta, direction=pl.when(delta > 0).then(pl.lit("up")).otherwise(pl.lit("down"))
        )
        .sort(["_d", "handle"], descending=[True, False], nulls_last=True)
        .select(list(MOVE_SCHEMA))
        .cast(MOVE_SCHEMA)
    )


def change_counts(changes: pl.DataFrame, moves: pl.DataFrame | None = None) -> dict[str, int]:
    """How many of each kind (``KINDS``, 0 where none) and, with ``moves``, how many warmed
    up and cooled down."""
    got = dict(changes.group_by("change").len().iter_rows())
    out = {k: int(got.get(k, 0)) for k in KINDS}
    if moves is not None:
        out["warmed up"] = int((moves["direction"] == "up").sum())
        out["cooled down"] = int((moves["direction"] == "down").sum())
    return out


#: The export's own list of accounts you unfollowed (Instagram, Threads), as reports show it.
UNFOLLOWED_SCHEMA: dict[str, pl.DataType] = {
    "platform": pl.String(), "account_id": pl.String(), "contact_id": pl.String(),
    "handle": pl.String(), "display_name": pl.String(), "when": pl.Date(),
}  # fmt: skip


def export_unfollowed(
    listed: pl.DataFrame, current: pl.DataFrame, since: date | None = None
) -> pl.DataFrame:
    """The accounts the exports themselves list as recently unfollowed by you
    (``LoadReport.listed_frame("accounts you unfollowed")``: account_id, platform,
    contact_id, ts), one row per account (the latest time), with the handle and name from
    this run's snapshot where the person is still a contact (else the handle is the
    username); only accounts of this run, and only those unfollowed after ``since`` (the previous run's date) when given.
    Newest first, then handle."""
    if listed.height == 0:
        return pl.DataFrame(schema=UNFOLLOWED_SCHEMA)
    names = current.select(*KEY, "handle", "display_name")
    out = (
        listed.join(current.select("account_id").unique(), on="account_id", how="semi")
        .group_by(["account_id", "platform", "contact_id"])
        .agg(when=pl.col("ts").max().dt.date())
        .join(names, on=KEY, how="left")
        .with_columns(handle=pl.coalesce("handle", "contact_id"))
    )
    if since is not None:
        out = out.filter(pl.col("when").is_null() | (pl.col("when") > since))
    return (
        out.sort(["when", "handle"], descending=[True, False], nulls_last=True)
        .select(list(UNFOLLOWED_SCHEMA))
        .cast(UNFOLLOWED_SCHEMA)
    )
