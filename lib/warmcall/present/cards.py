"""Headline cards: each page opens with three to five numbers that answer its question, each
with its change since the last run of the report set, then one sentence that says what they
mean.

The numbers come from the model (``summary.totals`` through ``overview.metrics``, the
what-if state, the plan) and the stored history (``history.previous_metrics``); this module
only picks, formats and renders them. ``render`` writes escaped HTML (``core.sanitize.html``
for every string) with the classes ``wc-cards`` / ``wc-card`` styled by
``templates/offline/cards.css``. Counts are whole numbers with thousands separators; a figure
the export cannot show reads "not in this export", never 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from warmcall.core.sanitize import html as escape
from warmcall.core.words import NOT_IN_EXPORT, count, verb

FIRST_RUN = "first run"


@dataclass(frozen=True)
class Card:
    """One headline number: ``label``, the formatted ``value``, its ``change`` since the last
    run ("" when it cannot be compared) and an optional ``note``."""

    label: str
    value: str
    change: str = ""
    note: str = ""


def whole(v: float | int | None) -> str:
    """A count as a whole number with thousands separators; None → "not in this export"."""
    return NOT_IN_EXPORT if v is None else f"{round(v):,}"


def signed(v: float) -> str:
    """A change in a count: "+3", "−2" (a true minus sign), "no change" for 0."""
    v = round(v)
    return "no change" if v == 0 else f"{'+' if v > 0 else '−'}{abs(v):,}"


def count_change(now: float | None, prev: Mapping[str, Any] | None, key: str, since: str) -> str:
    """The change of a count since the run of ``since``: "+3 since 2026-06-01"; "first run"
    without an earlier run (``prev`` None); "" when either value is unknown."""
    if prev is None:
        return FIRST_RUN
    before = prev.get(key)
    if now is None or before is None:
        return ""
    d = signed(float(now) - float(before))
    return f"{d} since {since}"


def rate_change(now: float | None, prev: Mapping[str, Any] | None, key: str, since: str) -> str:
    """The change of a rate in percentage points: "+0.12 pp since 2026-06-01"."""
    if prev is None:
        return FIRST_RUN
    before = prev.get(key)
    if now is None or before is None:
        return ""
    d = (float(now) - float(before)) * 100
    if round(d, 3) == 0:
        return f"no change since {since}"
    return f"{'+' if d > 0 else '−'}{abs(d):.3f} pp since {since}"


def pct(v: float | None, digits: int = 2) -> str:
    return NOT_IN_EXPORT if v is None else f"{v:.{digits}%}"


def overview_cards(
    current: Mapping[str, Any], previous: tuple[str, Mapping[str, Any]] | None
) -> list[Card]:
    """The overview's five cards from ``overview.metrics`` (``current``) and the latest
    earlier snapshot of the set (``previous`` = (date, metrics), None in the first run):
    followers; engaged (or, where no export shows engagement by others, the people you
    reached); two-way; trusted; the engagement rate by followers."""
    since, prev = previous if previous else ("", None)
    engaged_key = (
        "engaged"
        if current.get("engaged") is not None or current.get("reached") is None
        else "reached"
    )
    keys = [("followers", "followers"), (engaged_key, engaged_key),
            ("two_way", "two-way"), ("trusted", "trusted")]  # fmt: skip
    out = [
        Card(label, whole(current.get(k)), count_change(current.get(k), prev, k, since))
        for k, label in keys
    ]
    er = current.get("er_followers")
    out.append(
        Card(
            "engagement rate",
            pct(er, 3),
            rate_change(er, prev, "er_followers", since),
            "by followers, per post",
        )
    )
    return out


def overview_meaning(
    current: Mapping[str, Any], previous: tuple[str, Mapping[str, Any]] | None
) -> str:
    """One sentence on what the overview's cards mean: the share of followers who engaged,
    the two-way relationships, and (with an earlier run) whether relationships or only the
    follower count grew since then."""
    f, e, tw, t = (current.get(k) for k in ("followers", "engaged", "two_way", "trusted"))
    days = current.get("window_days")
    w = f"the last {days} days" if days else "the window"
    share = _engaged_share(current)
    if share is not None:
        first = f"{share[0]:.1%} of your followers{share[1]} engaged with you in {w}"
    elif e is not None:
        first = f"{count(e, 'person')} engaged with you in {w}"
    elif f is not None:
        first = f"You have {count(f, 'follower')}; who engaged is not in this export"
    else:
        first = "Followers and engagement are not in this export"
    if tw is not None:
        trusted = f" ({t:,} trusted)" if t is not None else ""
        first += f", and {count(tw, 'relationship')} {verb(tw, 'is', 'are')} two-way{trusted}"
    if previous is None:
        return first + "."
    since, prev = previous

    def d(k: str) -> float:
        a, b = current.get(k), prev.get(k)
        return 0.0 if a is None or b is None else float(a) - float(b)

    rel, fol = d("two_way") + d("trusted"), d("followers")
    verdict = (
        "relationships are growing" if rel > 0
        else "only the follower count grew" if fol > 0
        else "neither followers nor relationships grew"
    )  # fmt: skip
    return f"{first}; since {since}, {verdict}."


def _engaged_share(current: Mapping[str, Any]) -> tuple[float, str] | None:
    """(engaged ÷ followers, " on LinkedIn") over the accounts whose exports show both (the
    per-account figures of ``overview.metrics``; the totals when there are none); the
    platforms are named when other accounts cannot show engagement. None when no account
    shows both or they have no followers."""
    from warmcall.model.summary import PLATFORM_NAMES

    accs = [a for a in current.get("accounts") or [] if isinstance(a, Mapping)]
    if not accs:
        f, e = current.get("followers"), current.get("engaged")
        return (e / f, "") if f and e is not None else None
    both = [a for a in accs if a.get("followers") is not None and a.get("engaged") is not None]
    f = sum(a["followers"] for a in both)
    if not f:
        return None
    e = sum(a["engaged"] for a in both)
    where = ""
    if len(both) < len(accs):
        names = sorted(
            {PLATFORM_NAMES.get(a.get("platform"), str(a.get("platform"))) for a in both}
        )
        where = " on " + (
            names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        )
    return e / f, where


def audit_cards(a: Any, previous: tuple[str, Mapping[str, Any]] | None) -> list[Card]:
    """The audit's four cards: contacts, two-way, trusted, likely spam (flagged), each with
    its change since the last run (``audit_numbers`` of this run against the stored
    ``audit`` entry of the earlier metrics)."""
    now = audit_numbers(a)
    since, prev = previous if previous else ("", None)
    prev_a = (prev or {}).get("audit") if prev is not None else None
    prev_a = prev_a if isinstance(prev_a, Mapping) else ({} if prev is not None else None)
    labels = (("contacts", "contacts"), ("two_way", "two-way"), ("trusted", "trusted"),
              ("flagged", "likely spam"))  # fmt: skip
    return [Card(lab, whole(now[k]), count_change(now[k], prev_a, k, since)) for k, lab in labels]


def audit_numbers(a: Any) -> dict[str, int | None]:
    """Contacts, two-way and trusted (``summary.totals``: None where no export shows them)
    and flagged contacts of an analysis."""
    from warmcall.model.summary import totals

    t = totals(a.overview)
    return {
        "contacts": int(a.scores.height),
        "two_way": t["two_way"],
        "trusted": t["trusted"],
        "flagged": int(a.scores["flagged"].fill_null(False).sum()),
    }


def audit_meaning(a: Any) -> str:
    """One sentence for the audit's cards: how many of the contacts are two-way and how many
    look like spam or mass-following accounts."""
    n = audit_numbers(a)
    c, tw, fl = n["contacts"], n["two_way"], n["flagged"]
    if tw is None:
        first = f"Two-way relationships are not in this export for your {count(c, 'contact')}"
    else:
        share = f" ({tw / c:.1%})" if c else ""
        first = f"{tw:,}{share} of your {count(c, 'contact')} {verb(tw, 'is', 'are')} two-way"
    return (
        f"{first}; {count(fl, 'contact')} {verb(fl, 'looks', 'look')} like spam or mass-following."
    )


def outreach_cards(
    plan: Any, follow_through: Any, moves_up: int | None, since: str | None
) -> list[Card]:
    """The outreach page's four cards: calls planned (``plan`` rows), of them fading ties
    (``pool`` "fading"), calls done of the previous plan (``follow_through``: done of
    planned; "first run" without one) and contacts who warmed up since the last run."""
    n = int(plan.height)
    fading = int((plan["pool"] == "fading").sum()) if "pool" in plan.columns else None
    ft_n = int(follow_through.height)
    done = int(follow_through["done"].sum()) if ft_n else 0
    return [
        Card("calls planned", whole(n)),
        Card("fading ties to re-warm", whole(fading), note=f"of the {count(n, 'call')}"),
        Card(
            "last plan done",
            f"{done:,} of {ft_n:,}" if ft_n else "–",
            "" if ft_n else FIRST_RUN,
        ),
        Card(
            "warmed up",
            whole(moves_up) if since else "–",
            f"since {since}" if since else FIRST_RUN,
        ),
    ]


def outreach_meaning(plan: Any, follow_through: Any) -> str:
    """One sentence for the outreach cards."""
    n = int(plan.height)
    ft_n = int(follow_through.height)
    first = f"This week: {count(n, 'call')}, a few a day"
    if not ft_n:
        return first + "; follow-through of a plan appears from the next run on."
    done = int(follow_through["done"].sum())
    return f"{first}; {done:,} of the {count(ft_n, 'call')} planned last time happened."


def whatif_cards(st: Mapping[str, Any]) -> list[Card]:
    """The what-if page's four cards from a ``WhatIfModel.state``: two-way now, followers
    left after pruning below the quality threshold, the calls the projection can fill (fading
    plus promising people, at most calls a day × days) and the expected
    new two-way relationships (a projection under stated assumptions: rounded to whole
    people, "about")."""
    s, pr, pj = st["summary"], st["prune"], st["projection"]
    new_tw = float(pj["new_conversant"]) + float(pj["new_trusted"])
    return [
        Card("two-way now", whole(s["two_way"])),
        Card(
            "followers kept",
            whole(pr["remaining_followers"]),
            note=f"of {whole(pr['followers'])}, quality ≥ {st['min_quality']:g}",
        ),
        Card(
            "calls",
            whole(pj["fading_calls"] + pj["promising_calls"]),
            note=f"of {pj['attempts']:,} slots: {st['calls_per_day']} a day, "
            f"{count(st['days'], 'working day')}",
        ),
        Card("new two-way", f"about {round(new_tw):,}", note="projected, not predicted"),
    ]


def whatif_meaning(st: Mapping[str, Any]) -> str:
    """One sentence for the what-if cards."""
    pj, pr = st["projection"], st["prune"]
    new_tw = round(float(pj["new_conversant"]) + float(pj["new_trusted"]))
    return (
        f"Calling {count(pj['fading_calls'] + pj['promising_calls'], 'person', 'people')} "
        "(the slots the eligible people fill) would add about "
        f"{count(new_tw, 'two-way relationship')} under the stated assumptions; pruning "
        f"would leave {count(pr['remaining_followers'], 'follower')} of {pr['followers']:,}."
    )


def render(cards: Sequence[Card], sentence: str = "") -> str:
    """The cards as HTML: ``<div class="wc-cards">`` holding one ``<div class="wc-card">`` per
    card (label, value, change, note), then the sentence in ``<p class="wc-cards-say">``.
    Every string is escaped (``core.sanitize.html``)."""
    parts = ['<div class="wc-cards">']
    for c in cards:
        parts.append(
            '<div class="wc-card">'
            f'<div class="wc-card-label">{escape(c.label)}</div>'
            f'<div class="wc-card-value">{escape(c.value)}</div>'
            + (f'<div class="wc-card-change">{escape(c.change)}</div>' if c.change else "")
            + (f'<div class="wc-card-note">{escape(c.note)}</div>' if c.note else "")
            + "</div>"
        )
    parts.append("</div>")
    if sentence:
        parts.append(f'<p class="wc-cards-say">{escape(sentence)}</p>')
    return "".join(parts)
