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
from warmcall.core.words import count, verb
from warmcall.ingest.workbook import Workbook
from warmcall.model.quality import COMPONENTS, STAGES
from warmcall.model.scoring import resolve_as_of, select

__all__ = ["WhatIfModel", "quality_chart", "render_html", "stage_chart", "whatif_chart"]


# --------------------------------------------------------------------------- charts


def stage_chart(df: pl.DataFrame) -> alt.Chart:
    """Contacts per stage (columns: stage, contacts), funnel order, symlog scale."""
    return (
        alt.Chart(df, title="Contacts by stage")
        .mark_bar()
        .encode(
            y=alt.Y("stage:N", sort=list(STAGES), title=None),
            x=alt.X("contacts:Q", scale=alt.Scale(type="symlog"), title="contacts (symlog)"),
            tooltip=["stage:N", alt.Tooltip("contacts:Q", format=",")],
        )
        .properties(width=260, height=140)
    )


def quality_chart(df: pl.DataFrame) -> alt.Chart:
    """Contacts per 10-point quality bin (columns: quality_bin, contacts)."""
    return (
        alt.Chart(df, title="Relationship quality under these settings")
        .mark_bar()
        .encode(
            x=alt.X("quality_bin:O", title="quality from"),
            y=alt.Y("contacts:Q", scale=alt.Scale(type="symlog"), title="contacts (symlog)"),
            tooltip=[
                alt.Tooltip("quality_bin:O", title="quality from"),
                alt.Tooltip("contacts:Q", format=","),
            ],
        )
        .properties(width=300, height=140)
    )


def whatif_chart(stages: pl.DataFrame, hist: pl.DataFrame) -> alt.HConcatChart:
    """Stage funnel and quality histogram side by side."""
    return alt.hconcat(stage_chart(stages), quality_chart(hist))


# --------------------------------------------------------------------------- the model


class WhatIfModel:
    """The what-if computation over precomputed features (see the module docstring).

    ``source``: a ``Workbook`` (features are computed per window, cached; the window can
    change) or a features/scores frame (``whatif.prepare`` is applied once; the window is
    fixed). ``params``: the report's params (weights, half-life, outreach defaults).
    ``as_of``: default ``params.as_of``, else derived from the data. ``overview``: the
    ``summary.account_overview`` frame, for engagement rates by followers in the prune view
    (used while no segment filter is set).
    """

    def __init__(
        self,
        source: Workbook | pl.DataFrame,
        params: Params | dict | str | None = None,
        as_of: date | None = None,
        overview: pl.DataFrame | None = None,
    ) -> None:
        self.params = as_params(params)
        p = self.params
        self.overview = overview
        if isinstance(source, Workbook):
            self.workbook: Workbook | None = source
            self.as_of = as_of or resolve_as_of(select(source, p), p)
            base = whatif.features_for_window(source, p, self.as_of)
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
        pruning, the outreach rate and its length in weeks (5 working days a week)."""
        p, q = self.params, self.params.quality
        return {
            "window_days": p.window_days,
            "platforms": None,
            "segments": None,
            "half_life_days": float(q.half_life_days),
            "weights": {c: float(getattr(q.weights, c)) for c in COMPONENTS},
            "min_quality": 0.0,
            "calls_per_day": p.outreach.per_day,
            "weeks": max(1, math.ceil(p.outreach.days / 5)),
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
        weeks: int | None = None,
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
        summ = self._step("summary", k_s, lambda: whatif.summary(scored))
        stages, hist = self._step(
            "charts", k_s, lambda: (whatif.stage_counts(scored), whatif.quality_histogram(scored))
        )
        mq = float(d["min_quality"] if min_quality is None else min_quality)
        ov = self.overview if segs is None else None
        pruned = self._step(
            "prune", (k_s, mq, ov is not None), lambda: whatif.prune(scored, mq, ov)
        )
        pools = self._step(
            "pools",
            k_s,
            lambda: eligible_people(scored, self.as_of, self.params.outreach),
        )
        cpd = int(d["calls_per_day"] if calls_per_day is None else calls_per_day)
        wk = int(d["weeks"] if weeks is None else weeks)
        proj = self._step(
            "projection",
            (k_s, cpd, wk),
            lambda: projection.project_outreach(
                scored, cpd, wk, self.params, self.as_of, pools=pools
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
            "weeks": wk,
            "summary": summ,
            "prune": {
                "followers": int(pruned["followers"].sum()),
                "pruned": int(pruned["pruned"].sum()),
                "remaining_followers": int(pruned["remaining_followers"].sum()),
                "by_account": pruned.to_dicts(),
            },
            "projection": proj,
            "stages": stages,
            "histogram": hist,
        }


# --------------------------------------------------------------------------- text


def _e(v: object) -> str:
    return html.escape(str(v), quote=True)


def _n(v: float | int | None, digits: int = 0) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:,.{digits}f}"


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.2%}"


def render_html(st: Mapping[str, Any]) -> str:
    """The what-if summary of a ``WhatIfModel.state`` as HTML; every value from data or
    controls is escaped."""
    s, pr, pj = st["summary"], st["prune"], st["projection"]
    scope = "all platforms" if not st["platforms"] else ", ".join(st["platforms"])
    seg = "all segments" if not st["segments"] else ", ".join(st["segments"])
    e, n = _e, _n
    parts = [
        f"<p><b>{e(scope)}</b>; <b>{e(seg)}</b>; window {e(st['window_days'])} days; "
        f"as of {e(st['as_of'])}.</p>",
        f"<p>Of your {e(count(s['followers'], 'follower'))}, {e(n(s['engaged']))} engaged in "
        f"the window; {e(count(s['two_way'], 'relationship'))} {verb(s['two_way'], 'is', 'are')} "
        f"two-way and {e(n(s['trusted']))} trusted; {e(count(s['strong'], 'tie'))} "
        f"{verb(s['strong'], 'has', 'have')} quality ≥ {e(n(whatif.STRONG_QUALITY))} "
        f"(median quality {e(n(s['median_quality'], 1))}). {e(count(s['flagged'], 'contact'))} "
        f"{verb(s['flagged'], 'looks', 'look')} like spam or mass-following.</p>",
    ]
    rows = "".join(
        f"<tr><td>{e(r['account_id'])}</td><td>{e(n(r['followers']))}</td>"
        f"<td>{e(n(r['remaining_followers']))}</td><td>{e(_pct(r['er_followers_before']))}</td>"
        f"<td>{e(_pct(r['er_followers_after']))}</td></tr>"
        for r in pr["by_account"]
    )
    parts.append(
        f"<p>Ignoring followers with quality below {e(n(st['min_quality']))}: "
        f"{e(n(pr['followers']))} followers → {e(n(pr['remaining_followers']))}.</p>"
        "<table><tr><th>account</th><th>followers</th><th>remaining</th>"
        "<th>engagement rate by followers</th><th>after pruning</th></tr>" + rows + "</table>"
    )
    filled = pj["fading_calls"] + pj["promising_calls"]

    def about(x: float, noun_: str) -> str:  # expected people, as whole people
        return count(round(x), noun_)

    parts.append(
        f"<p>Calling {e(count(st['calls_per_day'], 'person'))} a working day for "
        f"{e(count(st['weeks'], 'week'))} ({e(n(filled))} of {e(count(pj['attempts'], 'call'))} "
        f"can be filled): about {e(about(pj['new_conversant'], 'new conversant tie'))} and "
        f"{e(about(pj['new_trusted'], 'new trusted tie'))}, "
        f"{e(about(pj['rewarmed'], 'fading tie'))} re-warmed, "
        f"{e(about(pj['expected_referrals'], 'referral'))} worth about "
        f"{e(about(pj['cold_approaches_equivalent'], 'cold approach'))}.</p>"
        f"<p><i>{e(pj['label'])}. Assumptions: "
        + e("; ".join(f"{k} = {v:g}" for k, v in pj["assumptions"].items()))
        + ".</i></p>"
    )
    return "\n".join(parts)
