"""Open the generated reports in headless Chromium with the network cut off.

Every report page, failure page and the index must render completely offline: every chart
is a static ``figure.wc-chart`` holding an svg, no console error, no http(s) request (all are aborted
and recorded), no dialog (an injected ``alert`` would open one), and the hostile strings of the
fixture data are shown as text.

Needs the ``playwright`` Python package (not ``playwright install``: it drives Debian's
``/usr/bin/chromium``). Skipped only when chromium is not installed (CI installs it).
"""

from __future__ import annotations

import pytest
from browser import (
    HOSTILE_SHOWN,
    HOSTILE_TITLE,
    chromium_context,
    fixture_run,
    open_offline,
    require_chromium,
)

require_chromium(module_level=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return fixture_run(tmp_path_factory)


@pytest.fixture(scope="module")
def context():
    with chromium_context() as ctx:
        yield ctx


def _assert_clean(log):
    assert log.requests == [], "requests left the page"
    assert log.console_errors == []
    assert log.dialogs == [], "a dialog fired: injected script ran"


def test_chart_report_renders_offline_and_shows_hostile_text(run, context):
    url = run.by_name["good/01_chart"].html.as_uri()
    page, log = open_offline(context, url)
    figures = page.eval_on_selector_all(
        "figure.wc-chart", "els => els.map(e => !!e.querySelector('svg'))"
    )
    assert figures == [True]  # 01_chart has one chart, drawn without JavaScript
    assert page.query_selector_all("script[src], .vega-embed") == []
    assert page.query_selector_all("div.error") == []
    assert page.query_selector_all("img") == []  # the <img onerror> string stayed text

    text = page.inner_text("main")
    for s in HOSTILE_SHOWN:
        assert s in text, s  # the table shows each hostile string as text
    assert f"title: {HOSTILE_TITLE}" in text
    labels = page.eval_on_selector_all(
        "figure.wc-chart svg text", "els => els.map(e => e.textContent)"
    )
    for s in HOSTILE_SHOWN:
        assert s in labels, s  # and so do the chart's axis labels

    # the chart asks for links to "javascript:alert(1)" (href encoding): a static figure has
    # none, and clicking a bar must not run anything
    assert page.query_selector_all("figure.wc-chart a, figure.wc-chart [href]") == []
    bars = page.query_selector_all("figure.wc-chart svg g.mark-rect.role-mark > path")
    assert len(bars) == 5
    for b in bars:
        b.click()
    page.wait_for_timeout(300)
    assert page.url == url
    _assert_clean(log)
    page.close()


@pytest.mark.parametrize("name", ["bad/02_fails", "bad/03_slow"])
def test_failure_pages_render_offline(run, context, name):
    page, log = open_offline(context, run.by_name[name].html.as_uri())
    text = page.inner_text("main")
    assert text.startswith(f"FAILED {name.replace('/', ' / ')}")
    if name == "bad/02_fails":
        assert "boom <b>not bold</b> </script><script>alert(2)</script>" in text
        assert page.query_selector_all("main table b") == []
    details = page.query_selector("details")
    assert details is not None and details.get_attribute("open") is None  # folded away
    _assert_clean(log)
    page.close()


def test_index_renders_offline_and_links_work(run, context):
    page, log = open_offline(context, (run.out / "index.html").as_uri())
    rows = page.eval_on_selector_all(
        "tbody tr", "rs => rs.map(r => [...r.cells].slice(0, 3).map(c => c.innerText))"
    )
    assert sorted(rows) == [
        ["bad", "02_fails", "failed"],
        ["bad", "03_slow", "failed"],
        ["good", "01_chart", "ok"],
    ]
    page.click("tr:has(td:text-is('good')) a:text-is('report')")
    page.wait_for_load_state("load")
    assert page.url == run.by_name["good/01_chart"].html.as_uri()
    page.wait_for_selector("figure.wc-chart svg", timeout=20_000)
    _assert_clean(log)
    page.close()
