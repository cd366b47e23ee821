"""The outreach page (03): this week's plan as a table and a sentence, the follow-through
of the previous plan and who moved stage since the last run.
"""

from __future__ import annotations

import polars as pl

from warmcall.core.kept import KeptFor
from warmcall.core.words import count, verb
from warmcall.model import changes
from warmcall.model.pipeline import Analysis

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
    """Contacts whose stage changed since the previous run (up first, then down):
    ``model.changes.stage_moves`` of the previous snapshot against this run's, the first
    ``limit``, as the page shows them."""
    schema = {"platform": pl.String, "handle": pl.String, "display_name": pl.String, "from": pl.String,
              "to": pl.String, "direction": pl.String}  # fmt: skip
    if previous_stages is None or previous_stages.height == 0:
        return pl.DataFrame(schema=schema)
    moves = changes.stage_moves(previous_stages, stages_snapshot(a))
    return moves.head(limit).select(list(schema))


#: the last ``stages_snapshot`` in this process, with the scores it was taken of
_snapshot: KeptFor[pl.DataFrame] = KeptFor()


def stages_snapshot(a: Analysis) -> pl.DataFrame:
    """What the next run needs to show who came, who left and who moved stage:
    ``model.changes.snapshot`` of the scores (every contact with follows_me, i_follow and
    stage). Taken once per scores frame in a process (``core.kept``: the notebooks of a
    report set share their analysis' scores and ask three times, 0.2 s each at L)."""
    return _snapshot.get(a.scores, lambda: changes.snapshot(a.scores))


# --------------------------------------------------------------------------- keep in touch

OVERDUE_COLS = ("person", "platforms", "handle", "stage", "tag", "last_contact", "days_since_last",
                "cadence_days", "cadence_from", "overdue_days")  # fmt: skip


def overdue_list(a: Analysis) -> pl.DataFrame:
    """Who is overdue on their keep-in-touch cadence, most overdue first
    (``warmcall.model.cadence.overdue``: days since the last interaction in either
    direction minus the cadence of ``people.csv`` or of the stage, ``outreach.cadence_days``)."""
    from warmcall.model.cadence import overdue

    return overdue(a.scores, a.as_of, a.params.outreach)


def overdue_table(df: pl.DataFrame) -> pl.DataFrame:
    """The overdue list's columns for a page (the person key left out)."""
    return df.select([c for c in OVERDUE_COLS if c in df.columns])


def people_set_aside(a: Analysis) -> pl.DataFrame | None:
    """The ``people.csv`` rows set aside, with line and reason (``warmcall.ingest.people``);
    None when the params name no ``people`` file."""
    if a.params.people is None:
        return None
    from warmcall.ingest.people import read_people

    return read_people(a.params.people).set_aside


def overdue_sentence(df: pl.DataFrame, a: Analysis, set_aside: pl.DataFrame | None) -> str:
    """One Markdown sentence above the overdue list: how many people are overdue, the
    cadences that apply (``outreach.cadence_days`` and whether a ``people.csv`` is used) and
    the people.csv rows set aside, if any. Params text is escaped."""
    from warmcall.core.sanitize import html as escape

    stages = ", ".join(
        f"{escape(k)} every {count(v, 'day')}" for k, v in a.params.outreach.cadence_days.items()
    )
    rule = (
        f"by stage: {stages}" if stages else "no stage cadence (`outreach.cadence_days` is empty)"
    )
    people = (
        "; per person from people.csv"
        if a.params.people is not None
        else "; no people.csv (params `people`)"
    )
    n = df.height
    head = (
        f"**{count(n, 'person', 'people')} {verb(n, 'is', 'are')} overdue** "
        "(silent longer than their keep-in-touch cadence, in either direction"
        f"; cadences {rule}{people}). Overdue people come first among the fading ties of the plan."
    )
    if set_aside is not None and set_aside.height:
        head += (
            f" {count(set_aside.height, 'row')} of people.csv "
            f"{verb(set_aside.height, 'was', 'were')} set aside (listed below with the reason)."
        )
    return head
