"""What-if panel for live JupyterLab: a thin ipywidgets layer over ``warmcall.whatif``
(notebook-stack.md §3.2). Controls only feed the pure functions; every derived number is
kept in ``panel.state`` (a plain dict) so that tests and notebook cells can read it without
a browser. Widgets do not survive into offline HTML reports (§3.1): a report prints the
what-if result for its parameter values as ordinary output instead.

Controls (all ``continuous_update=False``: recompute on release):
platforms and segments (``SelectMultiple``; an empty selection means all), window (days;
needs the workbook: disabled when the panel is built from a frame), recency half-life,
the six quality weights, prune threshold (min quality), outreach calls per day and weeks.

Recomputation is staged and memoised: a window change recomputes features (cached per
window by ``whatif.features_for_window``); a filter change re-filters; weights or half-life
re-score the filtered contacts; the prune slider only re-prunes; outreach sliders only
re-project.
"""

from __future__ import annotations

import html
import math
from datetime import date
from typing import Any

import altair as alt
import ipywidgets as W
import polars as pl

from . import whatif
from .params import Params, as_params
from .plan import default_as_of, eligible_people
from .quality import COMPONENTS, STAGES
from .scoring import resolve_as_of, select
from .workbook import Workbook

__all__ = ["WhatIfPanel", "quality_chart", "stage_chart", "whatif_chart"]


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


# --------------------------------------------------------------------------- formatting


def _e(v: object) -> str:
    return html.escape(str(v), quote=True)


def _n(v: float | int | None, digits: int = 0) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:,.{digits}f}"


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.2%}"


# --------------------------------------------------------------------------- the panel


def _slider(
    kind: type, value: float, lo: float, hi: float, step: float, label: str, **kw: Any
) -> W.ValueWidget:
    return kind(value=value, min=lo, max=hi, step=step, description=label, continuous_update=False,
                style={"description_width": "initial"}, **kw)  # fmt: skip


class WhatIfPanel:
    """What-if panel over precomputed features (see module docstring).

    ``source``: a ``Workbook`` (features are computed per window, cached; the window slider
    works) or a features/scores frame (``whatif.prepare`` is applied once; the window is
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
        platforms = sorted(base["platform"].unique().to_list())
        segs = sorted(base["segment"].unique().to_list())
        q = p.quality
        self.platforms = W.SelectMultiple(
            options=platforms,
            value=tuple(platforms),
            description="platforms",
            rows=min(6, max(2, len(platforms))),
        )
        self.segments = W.SelectMultiple(
            options=segs, value=tuple(segs), description="segments", rows=min(6, max(2, len(segs)))
        )
        self.window = _slider(
            W.IntSlider, p.window_days, 7, 365, 1, "window (days)", disabled=self.workbook is None
        )
        self.half_life = _slider(
            W.IntSlider, round(q.half_life_days), 7, 365, 1, "half-life (days)"
        )
        self.weights = {
            c: _slider(W.FloatSlider, float(getattr(q.weights, c)), 0.0, 1.0, 0.05, c)
            for c in COMPONENTS
        }
        self.min_quality = _slider(W.IntSlider, 0, 0, 100, 1, "ignore followers below quality")
        self.calls_per_day = _slider(W.IntSlider, p.outreach.per_day, 1, 10, 1, "calls per day")
        self.weeks = _slider(W.IntSlider, max(1, math.ceil(p.outreach.days / 5)), 1, 12, 1, "weeks")
        self.summary_html = W.HTML()
        self.chart_out = W.Output()
        self.chart: alt.HConcatChart | None = None
        self.state: dict[str, Any] = {}
        for w in self.controls():
            w.observe(self.refresh, names="value")
        self.widget = W.VBox([
            W.HBox([self.platforms, self.segments]),
            W.HBox([W.VBox([self.window, self.half_life]), W.VBox(list(self.weights.values()))]),
            W.HBox([self.min_quality, self.calls_per_day, self.weeks]),
            self.summary_html,
            self.chart_out,
        ])  # fmt: skip
        self.refresh()

    def controls(self) -> list[W.ValueWidget]:
        """Every control the panel observes."""
        return [self.platforms, self.segments, self.window, self.half_life, *self.weights.values(),
                self.min_quality, self.calls_per_day, self.weeks]  # fmt: skip

    # ---- staged, memoised computation

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

    def refresh(self, change: Any = None) -> None:
        """Recompute what the current control values change, then redraw."""
        window = int(self.window.value)
        plats = tuple(self.platforms.value) or None
        segs = tuple(self.segments.value) or None
        if plats is not None and set(plats) == set(self.platforms.options):
            plats = None
        if segs is not None and set(segs) == set(self.segments.options):
            segs = None
        weights = {c: float(w.value) for c, w in self.weights.items()}
        over = {"half_life_days": float(self.half_life.value), "weights": weights}
        k_f = (window, plats, segs)
        k_s = (k_f, tuple(weights.values()), over["half_life_days"])
        feats = self._step(
            "filtered",
            k_f,
            lambda: whatif.filter_contacts(self._features(window), platforms=plats, segments=segs),
        )
        scored = self._step(
            "scored", k_s, lambda: whatif.rescore(feats, over, self.as_of, base=self.params)
        )
        summ = self._step("summary", k_s, lambda: whatif.summary(scored))
        charts = self._step(
            "charts", k_s, lambda: (whatif.stage_counts(scored), whatif.quality_histogram(scored))
        )
        mq = float(self.min_quality.value)
        ov = self.overview if segs is None else None
        pruned = self._step(
            "prune", (k_s, mq, ov is not None), lambda: whatif.prune(scored, mq, ov)
        )
        pools = self._step(
            "pools",
            k_s,
            lambda: eligible_people(scored, self.as_of, self.params.outreach),
        )
        cpd, weeks = int(self.calls_per_day.value), int(self.weeks.value)
        proj = self._step(
            "projection",
            (k_s, cpd, weeks),
            lambda: whatif.project_outreach(
                scored, cpd, weeks, self.params, self.as_of, pools=pools
            ),
        )
        totals = {
            "followers": int(pruned["followers"].sum()),
            "pruned": int(pruned["pruned"].sum()),
            "remaining_followers": int(pruned["remaining_followers"].sum()),
        }
        self.scores = scored
        self.state = {
            "as_of": self.as_of.isoformat(),
            "window_days": window,
            "platforms": list(plats) if plats else None,
            "segments": list(segs) if segs else None,
            "half_life_days": over["half_life_days"],
            "weights": weights,
            "min_quality": mq,
            "calls_per_day": cpd,
            "weeks": weeks,
            "summary": summ,
            "prune": {**totals, "by_account": pruned.to_dicts()},
            "projection": proj,
        }
        self.chart = whatif_chart(*charts)
        self.summary_html.value = self.render_html()
        self._draw()

    def _draw(self) -> None:
        try:
            from IPython import get_ipython
            from IPython.display import clear_output, display
        except ImportError:  # pragma: no cover - IPython ships with ipywidgets
            return
        if get_ipython() is None:  # headless (tests): keep self.chart, draw nothing
            return
        with self.chart_out:
            clear_output(wait=True)
            display(self.chart)

    # ---- text

    def render_html(self) -> str:
        """The summary as HTML; every value from data or controls is escaped."""
        st = self.state
        s, pr, pj = st["summary"], st["prune"], st["projection"]
        scope = "all platforms" if not st["platforms"] else ", ".join(st["platforms"])
        seg = "all segments" if not st["segments"] else ", ".join(st["segments"])
        e, n = _e, _n
        parts = [
            f"<p><b>{e(scope)}</b>; <b>{e(seg)}</b>; window {e(st['window_days'])} days; "
            f"as of {e(st['as_of'])}.</p>",
            f"<p>Of {e(n(s['followers']))} followers, {e(n(s['engaged']))} engaged in the "
            f"window, {e(n(s['two_way']))} are two-way and {e(n(s['trusted']))} trusted; "
            f"{e(n(s['strong']))} ties have quality ≥ {e(n(whatif.STRONG_QUALITY))} "
            f"(median quality {e(n(s['median_quality'], 1))}). {e(n(s['flagged']))} contacts "
            "look like spam or mass-following.</p>",
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
        who = "person" if st["calls_per_day"] == 1 else "people"
        weeks = f"{st['weeks']} week{'' if st['weeks'] == 1 else 's'}"
        filled = pj["fading_calls"] + pj["promising_calls"]
        parts.append(
            f"<p>Calling {e(st['calls_per_day'])} {who} a working day for {e(weeks)} "
            f"({e(n(filled))} of {e(n(pj['attempts']))} calls can be filled): about "
            f"{e(n(pj['new_conversant'], 1))} new conversant and {e(n(pj['new_trusted'], 1))} "
            f"new trusted ties, {e(n(pj['rewarmed'], 1))} fading ties re-warmed, "
            f"{e(n(pj['expected_referrals'], 1))} referrals worth about "
            f"{e(n(pj['cold_approaches_equivalent'], 0))} cold approaches.</p>"
            f"<p><i>{e(pj['label'])}. Assumptions: "
            + e("; ".join(f"{k} = {v:g}" for k, v in pj["assumptions"].items()))
            + ".</i></p>"
        )
        return "\n".join(parts)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
        self._draw()
