"""The what-if page: one computation for the live panel and the batch report, and the switch
between them (docs/notebook-stack.md §3.1-§3.2). No ipywidgets here.

- ``WhatIfModel``: the staged, memoised what-if computation over ``warmcall.act.whatif``'s pure
  functions. ``model.state(**controls)`` gives every derived number as plain data (summary,
  prune per account, outreach projection, the chart frames); only the steps whose inputs
  changed are recomputed (a window change recomputes features, cached per window by
  ``whatif.features_for_window``; a filter change re-filters; weights or half-life
  re-score; the prune threshold only re-prunes; the outreach settings only re-project).
- ``render_html(state)``: the summary as HTML, every value escaped; ``whatif_chart``: the
  stage funnel and quality histogram.
- ``is_live(output_dir)``: does this kernel have a live front end for widgets?
- ``show(analysis, ...)``: the notebook's one call. Live: the widget panel
  (``warmcall.present.widgets.WhatIfPanel``, a thin layer over ``WhatIfModel``). Batch: a static
  snapshot for the notebook's parameter values, computed by ``WhatIfModel`` and shown as
  ordinary HTML and a chart; ipywidgets is not even imported, so no widget comm is ever
  opened in a batch kernel (a widget in an executed cell is where nbclient can wait for a
  message that never comes, and offline HTML shows an empty area for it anyway).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import altair as alt
import polars as pl

from warmcall.act import projection, whatif
from warmcall.act.plan import default_as_of, eligible_people
from warmcall.core.params import Params, as_params
from warmcall.core.words import NOT_IN_EXPORT, count, verb
from warmcall.ingest.workbook import Workbook
from warmcall.model.quality import COMPONENTS, STAGES
from warmcall.model.scoring import resolve_as_of, select

__all__ = ["WhatIfModel", "quality_chart", "render_html", "stage_chart", "whatif_chart"]


# --------------------------------------------------------------------------- charts


#: Axis title of every count of people on the what-if charts (symlog: 0 and 1 stay visible).
PEOPLE_AXIS = "contacts (people, log scale)"


def count_ticks(top: int) -> list[int]:
    """Tick values for an axis of people counts on a symlog scale: whole numbers only, never
    crowded. top ≤ 3: every whole number 0..top; top < 10: 0, 1 and 5 (≤ top); else 0 and
    the powers of ten from 10 up to top (0, 10, 100, ...: on a symlog scale 1 sits too close
    to 0 once the axis reaches 10)."""
    top = max(int(top), 1)
    if top <= 3:
        return list(range(top + 1))
    if top < 10:
        return [v for v in (0, 1, 5) if v <= top]
    return [0] + [10**k for k in range(1, len(str(top))) if 10**k <= top]


def _people_axis(df: pl.DataFrame) -> alt.Axis:
    top = int(df.select(pl.col("contacts").max().fill_null(0)).item())
    return alt.Axis(values=count_ticks(top), format=",d", tickMinStep=1, grid=True)


def stage_chart(df: pl.DataFrame) -> alt.Chart:
    """Contacts per stage (columns: stage, contacts), funnel order, symlog scale; integer
    ticks (``count_ticks``). Title: the stage that holds most contacts, "N of M contacts are at
    stage S" (two-way counts are left to the page's sentences, which mask the accounts whose
    exports cannot show them)."""
    total = int(df["contacts"].sum()) if df.height else 0
    title = "No contacts under these settings"
    if total:  # the stage holding most contacts (the first in funnel order on a tie)
        order = {st: i for i, st in enumerate(STAGES)}
        top = max(df.iter_rows(named=True), key=lambda r: (r["contacts"], -order[r["stage"]]))
        title = f"{int(top['contacts']):,} of {count(total, 'contact')} are at stage {top['stage']}"
    desc = "; ".join(f"{r['stage']}: {int(r['contacts']):,}" for r in df.iter_rows(named=True))
    return (
        alt.Chart(df, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", sort=list(STAGES), title="stage (funnel order)"),
            x=alt.X(
                "contacts:Q",
                scale=alt.Scale(type="symlog"),
                title=PEOPLE_AXIS,
                axis=_people_axis(df),
            ),
            tooltip=["stage:N", alt.Tooltip("contacts:Q", format=",d", title="contacts")],
        )
        .properties(width=300, height=170, description=f"Contacts by stage: {desc}.")
    )


def _quality_title(df: pl.DataFrame) -> str:
    """The quality histogram's finding: the bin holding the median contact, as "Half of your
    N contacts score under B" (B the upper edge of the bin where the running count first
    reaches half of N, bins in ascending order)."""
    total = int(df["contacts"].sum()) if df.height else 0
    if not total:
        return "No contacts under these settings"
    running = 0
    for b, n in df.sort("quality_bin").select("quality_bin", "contacts").iter_rows():
        running += int(n)
        if 2 * running >= total:
            return f"Half of your {count(total, 'contact')} score under {int(b) + 10}"
    return f"Your {count(total, 'contact')} by quality"  # pragma: no cover - running reaches total


def quality_chart(df: pl.DataFrame) -> alt.Chart:
    """Contacts per 10-point quality bin (columns: quality_bin, contacts); integer ticks."""
    title, desc = (
        _quality_title(df),
        "; ".join(
            f"from {int(r['quality_bin'])}: {int(r['contacts']):,}"
            for r in df.sort("quality_bin").iter_rows(named=True)
        ),
    )
    return (
        alt.Chart(df, title=title)
        .mark_bar()
        .encode(
            x=alt.X(
                "quality_bin:O",
                title="quality score 0–100 (bins of 10, by lower edge)",
                axis=alt.Axis(labelAngle=0),
            ),
            y=alt.Y(
                "contacts:Q",
                scale=alt.Scale(type="symlog"),
                title=PEOPLE_AXIS,
                axis=_people_axis(df),
            ),
            tooltip=[
                alt.Tooltip("quality_bin:O", title="quality from"),
                alt.Tooltip("contacts:Q", format=",d", title="contacts"),
            ],
        )
        .properties(
            width=340, height=170, description=f"Contacts per quality bin of 10 points: {desc}."
        )
    )


def whatif_chart(stages: pl.DataFrame, hist: pl.DataFrame) -> alt.HConcatChart:
    """Stage funnel and quality histogram side by side (about 900 px wide in all: fits a
    notebook at 1280 px)."""
    return alt.hconcat(stage_chart(stages), quality_chart(hist), spacing=40)


# --------------------------------------------------------------------------- the model


class WhatIfModel:
    """The what-if computation over precomputed features (see the module docstring).

    ``source``: a ``Workbook`` (features are computed per window, cached; the window can
    change) or a features/scores frame (``whatif.prepare`` is applied once; the window is
    fixed). ``params``: the report's params (weights, half-life, outreach defaults).
    ``as_of``: default ``params.as_of``, else derived from the data. ``overview``: the
    ``summary.account_overview`` frame: followers per account for the prune view (while no
    segment filter is set), and which accounts can show engagement by others at all.
    ``features``: the workbook's prepared features for ``params`` (``Analysis.features``),
    reused for the params' window (``whatif.features_for_window``).
    """

    def __init__(
        self,
        source: Workbook | pl.DataFrame,
        params: Params | dict | str | None = None,
        as_of: date | None = None,
        overview: pl.DataFrame | None = None,
        features: pl.DataFrame | None = None,
    ) -> None:
        self.params = as_params(params)
        p = self.params
        self.overview = overview
        if isinstance(source, Workbook):
            self.workbook: Workbook | None = source
            self.as_of = as_of or resolve_as_of(select(source, p), p)
            base = whatif.features_for_window(source, p, self.as_of, features=features)
        else:
            self.workbook = None
            self.as_of = as_of or p.as_of or default_as_of(source)
            base = whatif.prepare(source, p, self.as_of)
        self._base = base
        self._memo: dict[str, tuple[Any, Any]] = {}
        self.platforms: list[str] = sorted(base["platform"].unique().to_list())
        self.segments: list[str] = sorted(base["segment"].unique().to_list())
        self.scores: pl.DataFrame | None = None

    @property
    def window_fixed(self) -> bool:
        """True when built from a frame: the features exist for one window only."""
        return self.workbook is None

    def defaults(self) -> dict[str, Any]:
        """The control values the params give: window, half-life, the six weights, no
        pruning, the outreach rate and its length in working days (``outreach.days``, the
        plan's own unit, so that the projection counts the plan's calls)."""
        p, q = self.params, self.params.quality
        return {
            "window_days": p.window_days,
            "platforms": None,
            "segments": None,
            "half_life_days": float(q.half_life_days),
            "weights": {c: float(getattr(q.weights, c)) for c in COMPONENTS},
            "min_quality": 0.0,
            "calls_per_day": p.outreach.per_day,
            "days": p.outreach.days,
        }

    def _step(self, name: str, key: Any, fn: Any) -> Any:
        hit = self._memo.get(name)
        if hit is not None and hit[0] == key:
            return hit[1]
        val = fn()
        self._memo[name] = (key, val)
        return val

    def _features(self, window: int) -> pl.DataFrame:
        if self.workbook is None:
            return self._base
        return whatif.features_for_window(self.workbook, self.params, self.as_of, window)

    @staticmethod
    def _choice(values: Iterable[str] | None, options: list[str]) -> tuple[str, ...] | None:
        """None (= all) for no selection, an empty one or one of every option."""
        if values is None:
            return None
        chosen = tuple(values)
        return None if not chosen or set(chosen) == set(options) else chosen

    def state(
        self,
        window_days: int | None = None,
        platforms: Iterable[str] | None = None,
        segments: Iterable[str] | None = None,
        half_life_days: float | None = None,
        weights: Mapping[str, float] | None = None,
        min_quality: float | None = None,
        calls_per_day: int | None = None,
        days: int | None = None,
    ) -> dict[str, Any]:
        """Every number of the what-if view for these control values (None: the params'
        value, ``defaults()``), as plain data: ``summary`` (``whatif.summary``), ``prune``
        (totals and ``by_account``, ``whatif.prune``), ``projection``
        (``projection.project_outreach`` with the planner's pools), ``stages`` and ``histogram``
        (chart frames), and the controls themselves. ``self.scores`` is left at the
        re-scored contacts."""
        d = self.defaults()
        window = int(d["window_days"] if window_days is None or self.window_fixed else window_days)
        plats = self._choice(platforms, self.platforms)
        segs = self._choice(segments, self.segments)
        w = {**d["weights"], **{k: float(v) for k, v in (weights or {}).items()}}
        hl = float(half_life_days or d["half_life_days"])
        over = {"half_life_days": hl, "weights": w}
        k_f = (window, plats, segs)
        k_s = (k_f, tuple(w.values()), hl)
        feats = self._step(
            "filtered",
            k_f,
            lambda: whatif.filter_contacts(self._features(window), platforms=plats, segments=segs),
        )
        scored = self._step(
            "scored", k_s, lambda: whatif.rescore(feats, over, self.as_of, base=self.params)
        )
        summ = self._step("summary", k_s, lambda: whatif.summary(scored, self.overview))
        stages, hist = self._step(
            "charts", k_s, lambda: (whatif.stage_counts(scored), whatif.quality_histogram(scored))
        )
        mq = float(d["min_quality"] if min_quality is None else min_quality)
        ov = self.overview
        if ov is not None and segs is not None:  # a segment's followers are the listed ones
            ov = ov.select([c for c in ("account_id", "engaged") if c in ov.columns])
        pruned = self._step("prune", (k_s, mq), lambda: whatif.prune(scored, mq, ov))
        pools = self._step(
            "pools",
            k_s,
            lambda: eligible_people(scored, self.as_of, self.params.outreach),
        )
        cpd = int(d["calls_per_day"] if calls_per_day is None else calls_per_day)
        nd = int(d["days"] if days is None else days)
        proj = self._step(
            "projection",
            (k_s, cpd, nd),
            lambda: projection.project_outreach(
                scored, cpd, nd, self.params, self.as_of, pools=pools
            ),
        )
        self.scores = scored
        return {
            "as_of": self.as_of.isoformat(),
            "window_days": window,
            "platforms": list(plats) if plats else None,
            "segments": list(segs) if segs else None,
            "half_life_days": hl,
            "weights": w,
            "min_quality": mq,
            "calls_per_day": cpd,
            "days": nd,
            "summary": summ,
            "prune": {
                "followers": int(pruned["followers"].sum()),
                "pruned": int(pruned["pruned"].sum()),
                "remaining_followers": int(pruned["remaining_followers"].sum()),
                **_engaged_totals(pruned),
                "by_account": pruned.to_dicts(),
            },
            "projection": proj,
            "stages": stages,
            "histogram": hist,
        }


def _engaged_totals(pruned: pl.DataFrame) -> dict[str, Any]:
    """Over the accounts whose exports show both followers and engagement by others:
    ``engaged`` (people who engaged in the window) and ``engaged_of`` (their followers);
    None when no account shows them. ``engaged_unknown``: accounts that cannot."""
    known = pruned.filter(pl.col("engaged").is_not_null() & pl.col("followers").is_not_null())
    return {
        "engaged": int(known["engaged"].sum()) if known.height else None,
        "engaged_of": int(known["followers"].sum()) if known.height else None,
        "engaged_unknown": pruned.height - known.height,
    }


# --------------------------------------------------------------------------- text


def _e(v: object) -> str:
    return html.escape(str(v), quote=True)


def _n(v: float | int | None, digits: int = 0) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:,.{digits}f}"


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.1%}"


def _weeks(days: int) -> str:
    """Working days as weeks for reading ("4 weeks", "1.4 weeks"): 5 working days a week."""
    w = days / 5
    return count(int(w), "week") if w.is_integer() else f"{w:.1f} weeks"


def _engaged_sentence(pr: Mapping[str, Any]) -> str:
    """ "Of your F followers, E people engaged in the window" over the accounts whose exports
    show engagement by others (``_engaged_totals``), else "not in this export"; escaped."""
    if pr.get("engaged") is None:
        return f"People who engaged in the window: {_e(NOT_IN_EXPORT)}"
    out = (
        f"Of your {_e(count(pr['engaged_of'], 'follower'))}, "
        f"{_e(count(pr['engaged'], 'person'))} engaged in the window"
    )
    if pr.get("engaged_unknown"):
        k = pr["engaged_unknown"]
        other = count(k, "other account")
        out += f" (the exports of {_e(other)} cannot show engagement by others)"
    return out


def _two_way_words(s: Mapping[str, Any]) -> str:
    """ "91 relationships are two-way, 75 of them trusted", or "not in this export" for a
    count no selected account's export can show (``whatif.summary`` with the overview)."""
    tw, tr = s["two_way"], s["trusted"]
    if tw is None:
        return f"two-way relationships: {NOT_IN_EXPORT}"
    trusted = NOT_IN_EXPORT if tr is None else f"{tr:,}"
    return f"{count(tw, 'relationship')} {verb(tw, 'is', 'are')} two-way, {trusted} of them trusted"


def render_html(st: Mapping[str, Any]) -> str:
    """The what-if summary of a ``WhatIfModel.state`` as HTML; every value from data or
    controls is escaped. Counts of people are whole numbers with agreeing nouns
    (``words.count``): expected people from the projection are its ``people`` values
    (``projection.whole_people``: round half to even), written "about N"."""
    s, pr, pj = st["summary"], st["prune"], st["projection"]
    scope = "all platforms" if not st["platforms"] else ", ".join(st["platforms"])
    seg = "all segments" if not st["segments"] else ", ".join(st["segments"])
    e, n = _e, _n
    wd = st["window_days"]
    parts = [
        f"<p><b>{e(scope)}</b>; <b>{e(seg)}</b>; window {e(count(wd, 'day'))}; "
        f"as of {e(st['as_of'])}.</p>",
        f"<p>{_engaged_sentence(pr)}; {e(_two_way_words(s))}; "
        f"{e(count(s['strong'], 'tie'))} {verb(s['strong'], 'has', 'have')} quality ≥ "
        f"{e(n(whatif.STRONG_QUALITY))} (median quality {e(n(s['median_quality'], 1))}, mean {e(n(s['mean_quality'], 1))}). "
        f"{e(count(s['flagged'], 'contact'))} {verb(s['flagged'], 'looks', 'look')} like spam "
        "or mass-following.</p>",
    ]

    def known(v: int | None) -> str:  # a count the export may not support
        return NOT_IN_EXPORT if v is None else n(v)

    def rate(r: Mapping[str, Any], key: str) -> str:
        return NOT_IN_EXPORT if r["engaged"] is None or r["followers"] is None else _pct(r[key])

    rows = "".join(
        f"<tr><td>{e(r['account_id'])}</td><td>{e(known(r['followers']))}</td>"
        f"<td>{e(known(r['engaged']))}</td><td>{e(rate(r, 'engaged_rate_before'))}</td>"
        f"<td>{e(known(r['remaining_followers']))}</td>"
        f"<td>{e(rate(r, 'engaged_rate_after'))}</td></tr>"
        for r in pr["by_account"]
    )
    parts.append(
        f"<p>Ignoring followers with quality below {e(n(st['min_quality']))}: "
        f"{e(count(pr['followers'], 'follower'))} → {e(n(pr['remaining_followers']))}. "
        f"Engaged rate = people who engaged in the last {e(count(wd, 'day'))} ÷ followers.</p>"
        '<table class="warmcall-whatif-prune"><tr><th>account</th><th>followers</th>'
        "<th>engaged in window</th><th>engaged rate</th><th>followers kept</th>"
        "<th>engaged rate, kept</th></tr>" + rows + "</table>"
    )
    filled = pj["fading_calls"] + pj["promising_calls"]
    ppl = pj["people"]

    def about(k: str, noun_: str) -> str:  # an expected number of people, as whole people
        return "about " + count(ppl[k], noun_)

    parts.append(
        f"<p>Calling {e(count(st['calls_per_day'], 'person'))} a working day for "
        f"{e(count(st['days'], 'working day'))} ({e(_weeks(st['days']))}, as the plan "
        f"counts them): {e(n(filled))} of {e(count(pj['attempts'], 'call'))} can be filled "
        f"({e(count(pj['fading_calls'], 'fading tie'))}, {e(n(pj['promising_calls']))} "
        f"promising). Expected: {e(about('new_conversant', 'new conversant tie'))} and "
        f"{e(about('new_trusted', 'new trusted tie'))}, "
        f"{e(about('rewarmed', 'fading tie'))} re-warmed, "
        f"{e(about('expected_referrals', 'referral'))}, worth "
        f"{e(about('cold_approaches_equivalent', 'cold approach'))}.</p>"
        f"<p><i>{e(pj['label'])}; expected people rounded to whole people (half to even). "
        "Assumptions: "
        + e("; ".join(f"{k} = {v:g}" for k, v in pj["assumptions"].items()))
        + ".</i></p>"
    )
    return "\n".join(parts)
