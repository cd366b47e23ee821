"""Outreach planner: who to call, when, and what to talk about. Never automatic outreach:
warmcall writes a plan (CSV and iCalendar reminders); the user makes every call.

Policy (why these people). Rajkumar et al. (2022, Science, "A causal test of the strength
of weak ties", 20 million LinkedIn users) found that *moderately weak* ties, not the
strongest ones nor the weakest, did the most for job mobility; and a relationship that is not
tended fades (days since last contact is the strongest single predictor of tie strength,
Gilbert & Karahalios 2009). The plan therefore alternates two pools, one of each in turn
(fading first), taking from the other pool when one runs out:

1. **Fading ties**: people with quality ≥ ``outreach.min_quality`` (default 15) whose last
   interaction, in either direction, was ``outreach.fading_after_days`` (21) or more days
   before the as-of date, and every person *overdue* on their keep-in-touch cadence
   (``warmcall.model.cadence``: silent longer than their ``people.csv`` cadence or their
   stage's ``outreach.cadence_days``); ranked overdue people first (most overdue first),
   then by quality (highest first), then longest silence, then person key. Either
   direction, so it works on exports that hold only what you did (an X archive: your
   replies and DMs).
2. **Promising weaker ties**: not fading, not yet two-way, and at least one sign of
   promise: stage engaged or aware (they interact with you), stage reached and they follow
   you back, relevance > 0 (niche keywords, ``params.relevance``), or ``contact_followers``
   ≥ ``outreach.large_followers`` (1,000); ranked first those who already interact with you
   (engaged, aware, or reached and following you: a moderately weak tie beats a stranger),
   then relevance, then order of magnitude of followers (⌊log10(followers+1)⌋; unknown
   counts last), then quality, then person key.

Exclusions: never a flagged contact (``audience`` hygiene rules; flagged rows are dropped
before people are formed); nobody with an outbound interaction in the ``cooldown_days``
days ending on the as-of date (as-of − last outbound < cooldown_days; 0 disables); nobody
twice. People, not profiles: the person key is ``person_id`` when identities link profiles,
else ``account_id + "/" + contact_id``; a person on several platforms appears once, with
``platforms`` comma-joined, stage / quality / relevance / followers = their best profile's,
last contact = the latest on any platform, and the handle, account and segment of the
highest-quality profile.

Calendar: working days only (Monday–Friday; public holidays are not known), starting on
``start`` (rolled forward to Monday if it falls on a weekend), by default the first working
day after as-of. Each day has ``per_day`` slots of ``slot_minutes`` from ``start_time``
(local wall-clock time in the IANA ``timezone``, via zoneinfo; on a daylight-saving change
an ambiguous time is its first occurrence, a skipped one is read with the offset before the
change, and no slot starts before the previous one ends: ``slots``). Same inputs, same plan:
every sort has full tie-breakers. ``per_day``, ``days``, ``start`` and ``as_of`` are
validated like params (``params.override``: 1-50 calls a day, 1-60 days, dates in
2000-01-01 .. 2100-12-31), whether they come from params, arguments or CLI flags.

Shortfall: when fewer people qualify than there are slots, the plan is simply shorter; the
returned frame carries ``plan.slots`` (slots offered), ``plan.shortfall`` (slots left empty)
and ``plan.note`` (a sentence, or "" when full) as attributes. The note states the count
removed at each step, computed from the data (``PlanResult.steps``): contacts scored,
flagged, already planned under another profile of the same person, in neither pool (not
candidates), in the cool-down. They live on that frame
object only (polars operations return new frames without them); ``plan_outreach_result``
returns them in a ``PlanResult`` instead.

Columns: date (local), time (local HH:MM), tz, person, platforms, handle, account_id,
contact_id, stage, segment, quality, last_contact (UTC date), reason, starter, uid (stable:
hash of person key and date, so a re-imported calendar updates events instead of adding
duplicates), pool ("fading" / "promising"), person_key, start_utc, end_utc.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

import polars as pl

from warmcall.act.calendar import next_working_day, slots
from warmcall.core.params import Outreach, Params, as_params, override
from warmcall.core.words import count, verb
from warmcall.model.cadence import (
    overdue_columns,
    person_cadence_aggs,
    person_key_expr,
    profile_cadences,
    with_people,
)
from warmcall.model.quality import STAGES

TWO_WAY = ("conversant", "trusted")
WEAKER = ("engaged", "aware")
PLATFORM_NAMES = {
    "x": "X", "linkedin": "LinkedIn", "instagram": "Instagram", "facebook": "Facebook",
    "mastodon": "Mastodon", "bluesky": "Bluesky", "threads": "Threads", "tiktok": "TikTok",
    "youtube": "YouTube", "newsletter": "your newsletter", "other": "another platform",
}  # fmt: skip

PLAN_SCHEMA: dict[str, pl.DataType] = {
    "date": pl.Date(), "time": pl.String(), "tz": pl.String(), "person": pl.String(),
    "platforms": pl.String(), "handle": pl.String(), "account_id": pl.String(),
    "contact_id": pl.String(), "stage": pl.Enum(STAGES), "segment": pl.String(),
    "quality": pl.Float64(), "last_contact": pl.Date(), "reason": pl.String(),
    "starter": pl.String(), "uid": pl.String(), "pool": pl.String(), "person_key": pl.String(),
    "start_utc": pl.Datetime("us", "UTC"), "end_utc": pl.Datetime("us", "UTC"),
}  # fmt: skip


def default_as_of(scores: pl.DataFrame) -> date:
    """The latest UTC date of any contact's last interaction (today when there is none).
    Pass the scoring as-of date explicitly when you have it."""
    has = "last_ts" in scores.columns and scores.height
    last = cast(datetime | None, scores["last_ts"].max() if has else None)  # a Datetime column
    return last.date() if last is not None else date.today()


def eligible_people(
    scores: pl.DataFrame,
    as_of: date,
    outreach: Outreach | None = None,
    *,
    steps: dict[str, int] | None = None,
) -> pl.DataFrame:
    """Eligible people, one row each, with ``pool`` ("fading"/"promising"), unranked (module
    docstring policy; thresholds from ``outreach``, the params' outreach section). Exclusions
    applied: flagged profiles, people with an outbound interaction in the cool-down, people
    in neither pool. ``rank_pool`` orders a pool. ``steps``, when given, receives the count
    at each step (``STEP_LABELS``)."""
    o = outreach or Outreach()
    stage_rank = pl.col("stage").cast(pl.Enum(STAGES)).to_physical().cast(pl.Int8)
    if "person_cadence_days" not in scores.columns:  # scores from before people.csv columns
        scores = with_people(scores, None)
    unflagged = scores.lazy().filter(~pl.col("flagged").fill_null(False))
    base = unflagged.with_columns(
        person_key_expr(), *profile_cadences(o.cadence_days), _stage_rank=stage_rank
    )
    first = ("account_id", "contact_id", "handle", "display_name", "segment")
    # a profile with no person_id is a person on its own: no grouping needed (the common case)
    singles = base.filter(pl.col("person_id").is_null()).select(
        "person_key",
        *first,
        platforms=pl.col("platform"),
        n_platforms=pl.lit(1, pl.UInt32),
        _stage_rank=pl.col("_stage_rank"),
        quality=pl.col("quality"),
        relevance=pl.col("relevance").fill_null(0.0),
        contact_followers=pl.col("contact_followers"),
        follows_me=pl.col("follows_me").fill_null(False),
        last_out_ts=pl.col("last_out_ts"),
        latest_ts=pl.col("last_ts"),
        latest_kind=pl.col("last_kind"),
        latest_direction=pl.col("last_direction"),
        latest_post_id=pl.col("last_post_id"),
        latest_platform=pl.col("platform"),
        person_cadence=pl.col("person_cadence"),
        stage_cadence=pl.col("stage_cadence"),
    )
    latest = ["last_ts", "account_id", "contact_id"]

    def at_latest(c: str) -> pl.Expr:
        return pl.col(c).sort_by(latest, nulls_last=[False, False, False]).last()

    linked = (
        base.filter(pl.col("person_id").is_not_null())
        .sort(
            ["person_key", "quality", "last_ts", "account_id", "contact_id"],
            descending=[False, True, True, False, False],
            nulls_last=True,
        )
        .group_by("person_key", maintain_order=True)
        .agg(
            *[pl.col(c).first() for c in first],
            platforms=pl.col("platform").unique().sort().str.join(","),
            n_platforms=pl.col("platform").n_unique().cast(pl.UInt32),
            _stage_rank=pl.col("_stage_rank").max(),
            quality=pl.col("quality").max(),
            relevance=pl.col("relevance").fill_null(0.0).max(),
            contact_followers=pl.col("contact_followers").max(),
            follows_me=pl.col("follows_me").fill_null(False).any(),
            last_out_ts=pl.col("last_out_ts").max(),
            latest_ts=pl.col("last_ts").max(),
            latest_kind=at_latest("last_kind"),
            latest_direction=at_latest("last_direction"),
            latest_post_id=at_latest("last_post_id"),
            latest_platform=at_latest("platform"),
            **person_cadence_aggs(),
        )
    )
    people = pl.concat([singles, linked], how="vertical_relaxed")
    days_out = (pl.lit(as_of) - pl.col("last_out_ts").dt.date()).dt.total_days()
    two_way = pl.col("_stage_rank") >= STAGES.index("conversant")
    reached_back = (pl.col("_stage_rank") == STAGES.index("reached")) & pl.col("follows_me")
    interacts = pl.col("_stage_rank").is_in([STAGES.index(s) for s in WEAKER]) | reached_back
    big = pl.col("contact_followers").fill_null(-1) >= o.large_followers
    overdue = pl.col("overdue_days").fill_null(0) > 0
    fading = (
        pl.col("latest_ts").is_not_null()
        & (pl.col("days_since_last") >= o.fading_after_days)
        & (pl.col("quality") >= o.min_quality)
    ) | overdue
    pool = (
        pl.when(fading)
        .then(pl.lit("fading"))
        .when(~two_way & (interacts | (pl.col("relevance") > 0) | big))
        .then(pl.lit("promising"))
    )
    magnitude = (pl.col("contact_followers").cast(pl.Float64) + 1).log10().floor().fill_null(-1.0)
    pooled = (
        people.with_columns(*overdue_columns(as_of))
        .with_columns(
            overdue_first=pl.when(overdue).then(pl.col("overdue_days")),
            stage=pl.col("_stage_rank")
            .cast(pl.UInt32)
            .replace_strict(dict(enumerate(STAGES)), return_dtype=pl.Enum(STAGES)),
            followers_magnitude=magnitude,
            interacts=interacts,
            large_audience=big,
        )
        .with_columns(pool=pool)
        .filter(pl.col("pool").is_not_null())
        .collect()
    )
    out = pooled.filter(pl.col("last_out_ts").is_null() | (days_out >= o.cooldown_days))
    if steps is not None:
        n_scored = scores.height
        n_unflagged = unflagged.select(pl.len()).collect().item()
        n_people = people.select(pl.len()).collect().item()
        steps.update({
            "contacts": n_scored, "flagged": n_scored - n_unflagged,
            "same_person": n_unflagged - n_people, "no_pool": n_people - pooled.height,
            "cooldown": pooled.height - out.height, "eligible": out.height,
        })  # fmt: skip
    return out.drop("_stage_rank")


#: What each step of ``eligible_people`` removes, in order (for the shortfall note).
STEP_LABELS = {
    "flagged": "flagged by the hygiene rules",
    "same_person": "already planned under another profile of the same person",
    "no_pool": "not candidates (neither a fading tie nor a promising one)",
    "cooldown": "contacted within the cool-down",
}


#: Ranking of each pool: (columns, descending); nulls last; person_key breaks every tie.
POOL_ORDER = {
    "fading": (
        ["overdue_first", "quality", "days_since_last", "person_key"],
        [True, True, True, False],
    ),
    "promising": (
        ["interacts", "relevance", "followers_magnitude", "quality", "person_key"],
        [True, True, True, True, False],
    ),
}


def rank_pool(people: pl.DataFrame, pool: str, limit: int | None = None) -> pl.DataFrame:
    """The ``pool`` rows of ``eligible_people`` in call order with ``pool_rank`` (1 = first);
    only the first ``limit`` when given (a top-k, much cheaper than a full sort)."""
    cols, desc = POOL_ORDER[pool]
    if "overdue_first" not in people.columns:  # a pools frame built without cadences
        people = people.with_columns(overdue_first=pl.lit(None, pl.Int64))
    lf = people.lazy().filter(pl.col("pool") == pool).sort(cols, descending=desc, nulls_last=True)
    if limit is not None:
        lf = lf.head(limit)
    return lf.with_columns(pool_rank=pl.int_range(1, pl.len() + 1, dtype=pl.UInt32)).collect()


def candidates(
    scores: pl.DataFrame,
    as_of: date,
    outreach: Outreach | None = None,
    limit: int | None = None,
    *,
    steps: dict[str, int] | None = None,
) -> pl.DataFrame:
    """Eligible people ranked: the fading pool then the promising pool, each in call order
    with ``pool_rank`` (1 = first to call); at most ``limit`` per pool when given."""
    people = eligible_people(scores, as_of, outreach, steps=steps)
    ranked = [rank_pool(people, k, limit) for k in ("fading", "promising")]
    return pl.concat(ranked)


# --------------------------------------------------------------------------- texts


def _day(ts: datetime | None) -> str:
    return ts.date().isoformat() if ts is not None else "an unknown date"


def reason_text(row: dict[str, Any]) -> str:
    """Why this person was chosen, from the row's own data, e.g. "fading tie (quality 35):
    trusted, last contact 47 days ago" or "promising weaker tie: reached, follows you back,
    you reached out 12 days ago"."""
    stage = str(row["stage"])
    if row["pool"] == "fading" and row.get("overdue_first"):
        source = "people.csv" if row.get("cadence_from") == "people.csv" else f"{stage} stage"
        return (
            f"overdue by {count(row['overdue_days'], 'day')} (keep in touch every "
            f"{count(row['cadence_days'], 'day')}, {source}): {stage}, last contact "
            f"{count(row['days_since_last'], 'day')} ago"
        )
    if row["pool"] == "fading":
        return (
            f"fading tie (quality {row['quality']:g}): {stage}, last contact "
            f"{count(row['days_since_last'], 'day')} ago"
        )
    parts = []
    if stage == "reached" and row.get("follows_me"):
        ago = row.get("days_since_last")
        when = f", you reached out {count(ago, 'day')} ago" if ago is not None else ""
        parts.append(f"follows you back{when}")
    if row["relevance"]:
        parts.append(f"relevant to your niche (relevance {row['relevance']:g})")
    if row.get("large_audience"):
        parts.append(f"large audience ({count(row['contact_followers'], 'follower')})")
    if not parts:
        ago = (
            f", last contact {count(row['days_since_last'], 'day')} ago"
            if row["days_since_last"] is not None
            else ""
        )
        parts.append(f"interacts with you{ago}")
    return f"promising weaker tie: {stage}, " + ", ".join(parts)


_IN = {
    "reply": "They replied to you{post}{on} on {day} — follow up on it",
    "comment": "They commented on your post{post}{on} on {day} — continue that thread",
    "like": "They liked your post{post}{on} on {day} — ask what caught their eye",
    "reaction": "They reacted to your post{post}{on} on {day} — ask what caught their eye",
    "share": "They shared your post{post}{on} on {day} — thank them, ask why it mattered",
    "mention": "They mentioned you{post}{on} on {day} — thank them and pick up the topic",
    "dm": "They messaged you{on} on {day} — pick up that conversation",
    "endorsement": "They endorsed you{on} on {day} — thank them and ask what they are working on",
    "invitation": "They invited you{on} on {day} — say hello properly",
}
_OUT = {
    "reply": "You replied to them{post}{on} on {day} — see where the thread went",
    "comment": "You commented on their post{post}{on} on {day} — ask how it landed",
    "dm": "You messaged them{on} on {day} — follow up on that message",
    "call": "You last spoke by call on {day} — ask how things moved on since",
    "meeting": "You last met on {day} — follow up on what you discussed",
    "event": "You last saw them at an event on {day} — follow up on it",
    "email": "You last emailed them on {day} — follow up on it",
}


def starter_text(row: dict[str, Any]) -> str:
    """A conversation starter from the latest shared activity (kind, direction, post),
    e.g. "They replied to your post (post 123) on LinkedIn on 2026-10-02 — follow up on it"."""
    kind, direction = row.get("latest_kind"), row.get("latest_direction")
    if kind is None:
        return "No shared activity yet — introduce yourself and say why their work caught your eye"
    post = f" (post {row['latest_post_id']})" if row.get("latest_post_id") else ""
    platform = row.get("latest_platform") or ""
    on = f" on {PLATFORM_NAMES.get(platform, platform)}"
    day = _day(row.get("latest_ts"))
    if direction == "in" and kind in _IN:
        text = _IN[kind]
        if kind == "reply" and post:
            text = "They replied to your post{post}{on} on {day} — follow up on it"
    elif direction == "out" and kind in _OUT:
        text = _OUT[kind]
    elif direction == "in":
        text = "They last reached out ({kind}){on} on {day} — follow up on it"
    else:
        text = "You last reached out ({kind}){on} on {day} — see how they are doing"
    return text.format(post=post, on=on, day=day, kind=kind)


def plan_uid(person_key: str, day: date) -> str:
    """Stable event UID: SHA-256 of person key and local date (re-imports update)."""
    h = hashlib.sha256(f"{person_key}\x1f{day.isoformat()}".encode()).hexdigest()[:32]
    return f"{h}@warmcall"


# --------------------------------------------------------------------------- the plan


@dataclass
class PlanResult:
    """The plan and how full it is."""

    plan: pl.DataFrame
    slots: int
    shortfall: int
    note: str
    as_of: date
    start: date
    steps: dict[str, int]


def _person_name(r: dict[str, Any]) -> str:
    for v in (r.get("display_name"), f"@{r['handle']}" if r.get("handle") else None):
        if v and v.strip():
            return v.strip()
    return str(r["contact_id"])


def plan_outreach_result(
    scores: pl.DataFrame,
    per_day: int | None = None,
    days: int | None = None,
    start: date | None = None,
    params: Params | dict | str | None = None,
    as_of: date | None = None,
) -> PlanResult:
    """``plan_outreach`` returning a ``PlanResult`` (plan, slots, shortfall, note)."""
    # the arguments go through the params' own validation (types and bounds)
    p = override(
        as_params(params),
        {"outreach.per_day": per_day, "outreach.days": days, "outreach.start": start,
         "as_of": as_of},
        where="plan_outreach",
    )  # fmt: skip
    o = p.outreach
    per_day, days = o.per_day, o.days
    as_of = p.as_of or default_as_of(scores)
    start = o.start or next_working_day(as_of)
    grid = slots(start, days, per_day, o)
    steps: dict[str, int] = {}
    cand = candidates(scores, as_of, o, limit=len(grid), steps=steps)
    pools = {
        "fading": cand.filter(pl.col("pool") == "fading").to_dicts(),
        "promising": cand.filter(pl.col("pool") == "promising").to_dicts(),
    }
    taken = {"fading": 0, "promising": 0}
    rows = []
    for i, (d, hhmm, s, e) in enumerate(grid):
        order = ("fading", "promising") if i % 2 == 0 else ("promising", "fading")
        which = next((k for k in order if taken[k] < len(pools[k])), None)
        if which is None:
            break
        r = pools[which][taken[which]]
        taken[which] += 1
        rows.append({
            "date": d, "time": hhmm, "tz": o.timezone, "person": _person_name(r),
            "platforms": r["platforms"], "handle": r["handle"], "account_id": r["account_id"],
            "contact_id": r["contact_id"], "stage": str(r["stage"]), "segment": r["segment"],
            "quality": r["quality"],
            "last_contact": r["latest_ts"].date() if r["latest_ts"] is not None else None,
            "reason": reason_text(r), "starter": starter_text(r),
            "uid": plan_uid(r["person_key"], d),
            "pool": which, "person_key": r["person_key"], "start_utc": s, "end_utc": e,
        })  # fmt: skip
    plan = pl.DataFrame(rows, schema=PLAN_SCHEMA)
    short = len(grid) - plan.height
    note = shortfall_note(plan.height, len(grid), steps, o) if short else ""
    return PlanResult(plan, len(grid), short, note, as_of, start, steps)


def shortfall_note(filled: int, slots: int, steps: dict[str, int], o: Outreach) -> str:
    """Why the plan has fewer rows than slots: the count removed at each step, from the data
    (steps that removed nobody are left out)."""
    why = []
    for key, label in STEP_LABELS.items():
        n = steps.get(key, 0)
        if n:
            extra = f" of {count(o.cooldown_days, 'day')}" if key == "cooldown" else ""
            why.append(f"{n:,} {label}{extra}")
    head = f"Only {filled:,} of {count(slots, 'slot')} filled"
    if not steps.get("contacts"):
        return f"{head}: there are no contacts to plan."
    detail = "; ".join(why) if why else "none removed"
    return (
        f"{head}: of {count(steps['contacts'], 'contact')}, {detail}; "
        f"{steps.get('eligible', 0):,} {verb(steps.get('eligible', 0), 'remains', 'remain')}. "
        f"Fading ties need quality ≥ {o.min_quality:g} and {count(o.fading_after_days, 'day')} of silence "
        "(outreach.min_quality, outreach.fading_after_days)."
    )


def plan_outreach(
    scores: pl.DataFrame,
    per_day: int | None = None,
    days: int | None = None,
    start: date | None = None,
    params: Params | dict | str | None = None,
    as_of: date | None = None,
) -> pl.DataFrame:
    """Plan ``per_day`` calls a day for ``days`` working days by the policy in the module
    docstring. ``per_day``/``days``/``start`` default to ``params.outreach`` (2 × 5, the
    working day after as-of); ``as_of`` to ``params.as_of``, else the latest last contact in
    ``scores``. Returns the plan (columns in the module docstring) with attributes
    ``slots``, ``shortfall`` and ``note``."""
    res = plan_outreach_result(scores, per_day, days, start, params, as_of)
    plan = res.plan
    plan.slots = res.slots  # type: ignore[attr-defined]
    plan.shortfall = res.shortfall  # type: ignore[attr-defined]
    plan.note = res.note  # type: ignore[attr-defined]
    return plan


__all__ = [
    "STEP_LABELS", "PlanResult", "candidates", "shortfall_note",
    "eligible_people", "rank_pool",
    "person_key_expr", "plan_outreach", "plan_outreach_result", "reason_text", "starter_text",
]  # fmt: skip
