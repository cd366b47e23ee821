"""The outreach projection of the what-if page: what calling N people a working day for D
working days might bring, under stated assumptions (``ASSUMPTIONS``), from the planner's own
pools (``warmcall.act.plan.eligible_people`` with the params' whole outreach section), so that
the plan and the projection never disagree about who can be called.

Its length is in working days, the plan's own unit (``outreach.days``), never in weeks: a
plan of 7 days and a projection of ceil(7/5) = 2 weeks (10 days) would count different calls.

Expected people are fractions (0.66 referrals); a page shows them as whole people by
``whole_people`` (round half to even), next to the word "about".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from typing import Any

import polars as pl

from warmcall.act.plan import default_as_of, eligible_people, rank_pool
from warmcall.core.params import Params, as_params

#: Assumptions of ``project_outreach`` (stated, not measured; override per call).
ASSUMPTIONS: dict[str, float] = {
    # share of outreach attempts that get an answer (a two-way exchange):
    "reply_rate_promising": 0.30,  # a weaker tie that has not talked with you yet
    "reply_rate_fading": 0.60,  # a warm tie gone quiet
    # share of answered attempts that become a call or meeting (→ stage trusted by the rules):
    "deepen_rate": 0.40,
    # introductions/recommendations a trusted tie you talked with makes in the period:
    "referrals_per_trusted": 0.50,
    # share of cold approaches that turn into an opportunity (client, job, collaboration):
    "cold_conversion": 0.02,
}


def split_calls(n: int, fading: int, promising: int) -> tuple[int, int]:
    """Calls to each pool when ``n`` slots alternate fading/promising (fading first) and a
    pool that runs out leaves its turns to the other (as ``plan.plan_outreach``)."""
    f = min(fading, max(math.ceil(n / 2), n - promising))
    return f, min(promising, n - f)


#: The expected values of ``project_outreach`` that count people (or approaches).
PEOPLE_KEYS = (
    "new_conversant",
    "new_trusted",
    "rewarmed",
    "expected_referrals",
    "expected_referral_wins",
    "cold_approaches_equivalent",
)


def whole_people(x: float | None) -> int | None:
    """An expected number of people as a whole number of people: round half to even
    (Python's ``round``, the IEEE 754 default: 0.5 → 0, 1.5 → 2, 2.5 → 2, 6.7 → 7), so
    that rounding many expectations has no upward bias; None stays None. Shown as "about N"."""
    return None if x is None else int(round(x))


def project_outreach(
    scores: pl.DataFrame,
    calls_per_day: int,
    days: int,
    params: Params | dict | str | None = None,
    as_of: date | None = None,
    assumptions: Mapping[str, float] | None = None,
    pools: pl.DataFrame | None = None,
) -> dict[str, Any]:
    """Expected results of calling ``calls_per_day`` people a working day for ``days``
    working days (the plan's ``outreach.days``) with the planner's policy. A projection under the stated ``assumptions`` (module
    ``ASSUMPTIONS`` updated with the argument, plus ``referral_uplift`` from params), not a
    prediction; the assumption values are returned under ``"assumptions"``.

    Model: attempts N = calls_per_day · days (the plan's slots), split between the
    fading and promising pools (``plan.eligible_people``; ``split_calls``), each person once;
    the fading calls go to the top of that pool (``plan.rank_pool``).
    Promising: N_p · reply_rate_promising answer; of those, deepen_rate become trusted
    (a call or meeting), the rest conversant. Fading: N_f · reply_rate_fading are re-warmed;
    of the re-warmed conversant ones, deepen_rate become trusted. Referral sources = trusted
    ties you talked with = new trusted + re-warmed trusted; referrals = sources ·
    referrals_per_trusted; a referral converts at min(1, cold_conversion · referral_uplift)
    (a trusted recommendation vs a cold approach); cold_approaches_equivalent = the cold
    approaches that would give as many conversions.
    ``pools``: a precomputed ``plan.eligible_people`` (or ``plan.candidates``) frame, to
    skip recomputing it. ``"people"``: the ``PEOPLE_KEYS`` values as whole people
    (``whole_people``), what a page shows.
    """
    p = as_params(params)
    a = {**ASSUMPTIONS, **(assumptions or {}), "referral_uplift": float(p.outreach.referral_uplift)}
    if assumptions and "referral_uplift" in assumptions:
        a["referral_uplift"] = float(assumptions["referral_uplift"])
    as_of = as_of or p.as_of
    if pools is None:
        if as_of is None:
            as_of = default_as_of(scores)
        pools = eligible_people(scores, as_of, p.outreach)
    n_fading = int((pools["pool"] == "fading").sum())
    n_prom = int((pools["pool"] == "promising").sum())
    n = int(calls_per_day) * int(days)
    f, pr = split_calls(n, n_fading, n_prom)
    top = rank_pool(pools, "fading", f)
    f_conv = int((top["stage"].cast(pl.String) == "conversant").sum()) if f else 0
    f_trusted = f - f_conv
    rp, rf, deep = a["reply_rate_promising"], a["reply_rate_fading"], a["deepen_rate"]
    new_trusted = pr * rp * deep + f_conv * rf * deep
    new_conversant = pr * rp * (1 - deep)
    rewarmed = f * rf
    sources = new_trusted + f_trusted * rf
    referrals = sources * a["referrals_per_trusted"]
    conv = min(1.0, a["cold_conversion"] * a["referral_uplift"])
    wins = referrals * conv
    out: dict[str, Any] = {
        "label": "projection under stated assumptions, not a prediction",
        "attempts": n,
        "fading_calls": f,
        "promising_calls": pr,
        "unfilled": n - f - pr,
        "new_conversant": new_conversant,
        "new_trusted": new_trusted,
        "rewarmed": rewarmed,
        "expected_referrals": referrals,
        "referral_conversion": conv,
        "expected_referral_wins": wins,
        "cold_approaches_equivalent": wins / a["cold_conversion"]
        if a["cold_conversion"] > 0
        else None,
        "assumptions": a,
    }
    out["people"] = {k: whole_people(out[k]) for k in PEOPLE_KEYS}
    return out
