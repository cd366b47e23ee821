"""What-if panel for live JupyterLab: a thin ipywidgets layer over
``warmcall.present.whatif_view.WhatIfModel`` (docs/notebook-stack.md §3.2). Controls only feed the model;
every derived number is kept in ``panel.state`` (a plain dict) so that tests and notebook
cells can read it without a browser. Widgets are built only in a live kernel: notebooks call
``warmcall.present.whatif_page.show``, which shows a static snapshot in batch runs instead (§3.1).

Controls (all ``continuous_update=False``: recompute on release):
platforms and segments (``SelectMultiple``; an empty selection means all), window (days;
needs the workbook: disabled when the panel is built from a frame), recency half-life,
the six quality weights, prune threshold (min quality), outreach calls per day and working
days (the plan's unit). Every slider has an explicit width and label width (``_slider``), in
a grid that fits a 1280 px screen (``COLUMN_MIN``).
The model recomputes only the steps whose inputs changed (see ``WhatIfModel``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import altair as alt
import ipywidgets as W
import polars as pl

from warmcall.core.params import Params
from warmcall.ingest.workbook import Workbook
from warmcall.present.whatif_view import (
    WhatIfModel,
    quality_chart,
    render_html,
    stage_chart,
    whatif_chart,
)

__all__ = ["WhatIfPanel", "quality_chart", "stage_chart", "whatif_chart"]


#: Layout at 1280 px (JupyterLab with its file browser open leaves about 850 px for a cell's
#: output): the control sections sit in a grid of columns at least ``COLUMN_MIN`` wide (two
#: side by side from about 810 px, one below that); each slider fills its column, with a
#: label column of ``LABEL_WIDTH`` (the longest label whole), so its track is at least
#: COLUMN_MIN − LABEL_WIDTH − the readout (about 60 px) ≈ 150 px: wide enough to drag.
COLUMN_MIN = "400px"
LABEL_WIDTH = "170px"


def _slider(
    kind: type, value: float, lo: float, hi: float, step: float, label: str, **kw: Any
) -> W.ValueWidget:
    """A slider that fills its grid column, label ``LABEL_WIDTH`` wide, recomputing on
    release (``continuous_update=False``)."""
    return kind(
        value=value,
        min=lo,
        max=hi,
        step=step,
        description=label,
        continuous_update=False,
        style={"description_width": LABEL_WIDTH},
        layout=W.Layout(width="100%", min_width="0"),
        **kw,
    )


def _section(title: str, children: list[W.Widget]) -> W.VBox:
    head = W.HTML(f"<b>{title}</b>")  # fixed text, never data
    return W.VBox([head, *children], layout=W.Layout(min_width="0", padding="0 8px 8px 0"))


class WhatIfPanel:
    """What-if panel over a ``WhatIfModel`` (arguments as ``WhatIfModel``). Layout: four
    sections (who and when; quality weights; ignore followers below quality; outreach) in a
    ``GridBox`` whose
    columns are at least ``COLUMN_MIN`` wide, then the summary and the charts."""

    def __init__(
        self,
        source: Workbook | pl.DataFrame,
        params: Params | dict | str | None = None,
        as_of: date | None = None,
        overview: pl.DataFrame | None = None,
        features: pl.DataFrame | None = None,
    ) -> None:
        self.model = WhatIfModel(source, params, as_of=as_of, overview=overview, features=features)
        self.params, self.as_of, self.overview = self.model.params, self.model.as_of, overview
        d = self.model.defaults()
        plats, segs = self.model.platforms, self.model.segments
        sel = {"style": {"description_width": "90px"}, "layout": W.Layout(width="100%")}
        self.platforms = W.SelectMultiple(
            options=plats, value=tuple(plats), description="platforms",
            rows=min(6, max(2, len(plats))), **sel,
        )  # fmt: skip
        self.segments = W.SelectMultiple(
            options=segs, value=tuple(segs), description="segments",
            rows=min(6, max(2, len(segs))), **sel,
        )  # fmt: skip
        self.window = _slider(
            W.IntSlider, d["window_days"], 7, max(365, d["window_days"]), 1, "window (days)",
            disabled=self.model.window_fixed,
        )  # fmt: skip
        self.half_life = _slider(
            W.IntSlider, round(d["half_life_days"]), 7, 365, 1, "recency half-life (days)"
        )
        self.weights = {
            c: _slider(W.FloatSlider, v, 0.0, 1.0, 0.05, f"weight: {c}")
            for c, v in d["weights"].items()
        }
        self.min_quality = _slider(
            W.IntSlider, int(d["min_quality"]), 0, 100, 1, "quality threshold"
        )  # under the heading "Ignore followers below quality"
        # within the plan's limits (params: outreach.per_day 1-50, outreach.days 1-60)
        top = max(20, d["calls_per_day"])
        self.calls_per_day = _slider(W.IntSlider, d["calls_per_day"], 1, top, 1, "calls per day")
        self.days = _slider(W.IntSlider, d["days"], 1, 60, 1, "working days")
        self.summary_html = W.HTML(layout=W.Layout(width="100%"))
        self.chart_out = W.Output(layout=W.Layout(width="100%", overflow="auto"))
        self.chart: alt.HConcatChart | None = None
        self.scores: pl.DataFrame | None = None
        self.state: dict[str, Any] = {}
        for w in self.controls():
            w.observe(self.refresh, names="value")
        self.controls_box = W.GridBox(
            [
                _section("Who and when", [self.platforms, self.segments, self.window,
                                          self.half_life]),
                _section("Quality weights", list(self.weights.values())),
                _section("Ignore followers below quality", [self.min_quality]),
                _section("Outreach", [self.calls_per_day, self.days]),
            ],
            layout=W.Layout(
                grid_template_columns=f"repeat(auto-fit, minmax({COLUMN_MIN}, 1fr))",
                width="100%",
            ),
        )  # fmt: skip
        self.widget = W.VBox(
            [self.controls_box, self.summary_html, self.chart_out],
            layout=W.Layout(width="100%", max_width="1200px"),
        )
        self.refresh()

    def controls(self) -> list[W.ValueWidget]:
        """Every control the panel observes."""
        return [self.platforms, self.segments, self.window, self.half_life, *self.weights.values(),
                self.min_quality, self.calls_per_day, self.days]  # fmt: skip

    def refresh(self, change: Any = None) -> None:
        """Recompute what the current control values change (``WhatIfModel.state``), then
        redraw. ``state`` holds the plain-data result without the chart frames."""
        st = self.model.state(
            window_days=int(self.window.value),
            platforms=self.platforms.value,
            segments=self.segments.value,
            half_life_days=float(self.half_life.value),
            weights={c: float(w.value) for c, w in self.weights.items()},
            min_quality=float(self.min_quality.value),
            calls_per_day=int(self.calls_per_day.value),
            days=int(self.days.value),
        )
        self.scores = self.model.scores
        self.chart = whatif_chart(st.pop("stages"), st.pop("histogram"))
        self.state = st
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

    def render_html(self) -> str:
        """The summary as HTML (``whatif_view.render_html``); every value is escaped."""
        return render_html(self.state)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
        self._draw()
