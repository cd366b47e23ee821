"""The sample report's charts in headless Chromium (1280 px wide), with the network cut off.

The sample report (``params/sample.yaml``, every notebook) is built once per test session.
Each page stays under 500 KB (no Vega JavaScript), renders offline with no console error and
no request; every chart is a ``figure.wc-chart`` with an accessible name and ``<title>``
tooltips on its marks; within each axis no two tick labels overlap and none is hidden by
overlap removal; and the concentration chart's title matches a plain-Python computation on
the analysed sample.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from browser import chromium_context, open_offline, require_chromium

require_chromium(module_level=True)

ROOT = Path(__file__).parents[1]
PAGES = ("01_overview", "02_audit", "03_outreach", "04_what_if")
#: pages with charts -> at least this many (01: funnel, rates, heatmap; 02: stage funnel,
#: top shares, heatmap; 04: the what-if panel)
CHARTS = {"01_overview": 3, "02_audit": 3, "04_what_if": 1}
MAX_PAGE_BYTES = 500_000


@pytest.fixture(scope="session")
def sample_report(tmp_path_factory) -> dict[str, Path]:
    from warmcall.run.report import run_reports

    out = tmp_path_factory.mktemp("sample-report")
    results = run_reports([ROOT / "params" / "sample.yaml"], out, progress=False, root=ROOT)
    assert [r.status for r in results] == ["ok"] * len(PAGES), results
    return {r.notebook: r.html for r in results}


@pytest.fixture(scope="module")
def context():
    with chromium_context() as ctx:
        yield ctx


@pytest.mark.parametrize("name", PAGES)
def test_page_weighs_at_most_500_kb(sample_report, name):
    size = sample_report[name].stat().st_size
    assert size <= MAX_PAGE_BYTES, f"{name}: {size:,} bytes"


# Per axis (a Vega axis group with labels), the label boxes and whether any is hidden.
_AXES_JS = """
figs => figs.map(f => [...f.querySelectorAll('g.role-axis')].map(axis => {
  const texts = [...axis.querySelectorAll('g.role-axis-label text')];
  return texts.map(t => {
    const r = t.getBoundingClientRect();
    const hidden = getComputedStyle(t).opacity === '0' || t.getAttribute('opacity') === '0';
    return {text: t.textContent, x0: r.left, x1: r.right, y0: r.top, y1: r.bottom, hidden};
  });
}).filter(labels => labels.length))
"""


def _overlap(a: dict, b: dict, tol: float = 0.5) -> bool:
    return (
        min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > tol
        and min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]) > tol
    )


@pytest.mark.parametrize("name", PAGES)
def test_page_renders_offline_with_readable_charts(sample_report, context, name):
    page, log = open_offline(context, sample_report[name].as_uri())
    page.set_viewport_size({"width": 1280, "height": 900})
    assert log.requests == [] and log.console_errors == [] and log.dialogs == []
    assert page.query_selector_all("script[src], .vega-embed") == []

    figs = page.query_selector_all("figure.wc-chart")
    assert len(figs) >= CHARTS.get(name, 0)
    for f in figs:
        assert f.get_attribute("role") == "img"
        assert len(f.get_attribute("aria-label") or "") > 20  # a title and a description
        box = f.query_selector("svg").bounding_box()
        assert box and box["width"] > 100 and box["height"] > 50  # drawn
        marks = f.query_selector_all("svg g.role-mark > :not(g)")
        assert marks and all(m.query_selector(":scope > title") for m in marks)

    axes = page.eval_on_selector_all("figure.wc-chart", _AXES_JS)
    for fig_i, fig_axes in enumerate(axes):
        for labels in fig_axes:
            hidden = [lb["text"] for lb in labels if lb["hidden"]]
            assert hidden == [], f"{name} chart {fig_i}: labels hidden by overlap: {hidden}"
            for i, a in enumerate(labels):
                for b in labels[i + 1 :]:
                    assert not _overlap(a, b), (
                        f"{name} chart {fig_i}: {a['text']!r} / {b['text']!r}"
                    )
    page.close()


def test_concentration_title_matches_an_independent_count(sample_report, context):
    """The top-10% reading over all platforms, computed here with plain Python from the
    analysed sample's per-contact inbound interactions (accounts whose exports show them)."""
    import warmcall

    a = warmcall.analyse(ROOT / "params" / "sample.yaml")
    shows = {r["account_id"] for r in a.signals.iter_rows(named=True) if r["inbound"]}
    values = sorted(
        (float(r["in_w"]) for r in a.scores.iter_rows(named=True) if r["account_id"] in shows),
        reverse=True,
    )
    k = max(1, math.ceil(0.1 * len(values)))
    active = sum(1 for v in values if v > 0)
    if active <= k:
        expect = (
            f"{active:,} contact{'s' if active != 1 else ''} of {len(values):,} "
            f"({active / len(values):.0%}) started every interaction with you"
        )
    else:
        expect = (
            f"The top 10% of your contacts carry {sum(values[:k]) / sum(values):.0%} of the "
            "interactions they start"
        )
    page, log = open_offline(context, sample_report["02_audit"].as_uri())
    labels = page.eval_on_selector_all(
        "figure.wc-chart", "fs => fs.map(f => f.getAttribute('aria-label'))"
    )
    assert any(lb.startswith(expect + ".") for lb in labels), (expect, labels)
    page.close()


def _luminance(rgb: str) -> float:
    r, g, b = (int(v) for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_dark_theme_restyles_the_chart_svg(sample_report, context):
    """charts.css under ``prefers-color-scheme: dark``: dark background rect, light axis
    labels, titles and value labels, dim grid lines; the light theme keeps the SVG's own."""
    page, _ = open_offline(context, sample_report["01_overview"].as_uri())
    js = """f => {
      const fill = sel => [...f.querySelectorAll(sel)].map(e => getComputedStyle(e).fill);
      return {bg: getComputedStyle(f.querySelector('svg > rect')).fill,
              text: fill('.role-axis-label text, .role-title-text text, .wc_outside_marks text'),
              grid: [...f.querySelectorAll('.role-axis-grid line')]
                      .map(e => getComputedStyle(e).stroke)};
    }"""
    for scheme, dark in (("dark", True), ("light", False)):
        page.emulate_media(color_scheme=scheme)
        got = page.eval_on_selector("figure.wc-chart", js)
        assert (_luminance(got["bg"]) < 0.2) is dark, got["bg"]
        assert got["text"] and all((_luminance(t) > 0.7) is dark for t in got["text"]), got
        assert got["grid"] and all((_luminance(s) < 0.3) is dark for s in got["grid"]), got
    page.close()
