"""The index worth opening (warmcall.run.pages.write_index, warmcall.present.trend): per report
set, the headline cards of the latest run with their change, who came and who left, a
server-side SVG sparkline of the last runs and links to every page and data file. The runs
are written by the history functions (tests/fixtures_history.py) or by hand; expected
numbers are counted from the fixture with plain Python."""

from __future__ import annotations

import json
import re

import pytest
from fixtures_history import RUN1, RUN2, SET, run_twice
from warmcall.present import trend
from warmcall.run import pages


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    t = run_twice(tmp_path_factory.mktemp("index"))
    root = t.out2.parents[1]
    for out in (t.out1, t.out2):
        (out / "01_overview.html").write_text("x")
        (out / "03_outreach.html").write_text("x")
        nbs = [
            {"notebook": n, "status": "ok", "html": f"{n}.html"}
            for n in ("01_overview", "03_outreach")
        ]
        (out / "run.json").write_text(json.dumps({"notebooks": nbs}))
    return t, pages.write_index(root).read_text()


def _section(html: str, name: str) -> str:
    m = re.search(
        r'<section class="wc-set">\s*<h2>' + re.escape(name) + r"\b.*?</section>", html, re.S
    )
    assert m, f"no section for {name}"
    return m.group(0)


def test_latest_numbers_with_their_change(index) -> None:
    _, html = index
    s = _section(html, SET)
    f1, f2 = len(set(RUN1["followers"])), len(set(RUN2["followers"]))
    assert f"latest run {RUN2['as_of']}" in s
    card = re.search(r'wc-card-label">followers</div><div class="wc-card-value">([^<]*)</div>'
                     r'<div class="wc-card-change">([^<]*)</div>', s)  # fmt: skip
    assert card and card.groups() == (f"{f2:,}", f"+{f2 - f1} since {RUN1['as_of']}")
    assert "not in this export" in s  # two-way and trusted on an Instagram export
    gone = len(set(RUN1["followers"]) - set(RUN2["followers"]))
    new = len(set(RUN2["followers"]) - set(RUN1["followers"]))
    assert (
        f"Since {RUN1['as_of']}: {new} new followers, {gone} unfollowers, 1 contact warmed up, 1 contact cooled down."
        in s
    )


def test_sparkline_of_the_last_runs(index) -> None:
    _, html = index
    s = _section(html, SET)
    svgs = re.findall(r"<svg class=\"wc-spark\".*?</svg>", s, re.S)
    assert svgs and "<script" not in html.lower()
    f1, f2 = len(set(RUN1["followers"])), len(set(RUN2["followers"]))
    assert f"<title>{RUN1['as_of']}: {f1}; {RUN2['as_of']}: {f2}</title>" in svgs[0]
    assert "last 2 runs" in s


def test_links_to_every_page_and_data_file(index) -> None:
    t, html = index
    s = _section(html, SET)
    day = RUN2["as_of"]
    for n in ("01_overview", "03_outreach"):
        assert f'href="{day}/{SET}/{n}.html"' in s
    csvs = sorted(p.name for p in (t.out2 / "data").glob("*.csv"))
    assert csvs and "new_followers.csv" in csvs
    for name in csvs:
        assert f'href="{day}/{SET}/data/{name}"' in s


def test_sparkline_geometry_and_escaping() -> None:
    pts = [("2026-01-01", 10.0), ("2026-01-08", 20.0), ("<b>", 15.0)]
    svg = trend.sparkline_svg(pts, width=100, height=20)
    line = re.search(r'points="([^"]+)"', svg).group(1).split()
    xy = [tuple(float(v) for v in p.split(",")) for p in line]
    assert [x for x, _ in xy] == [3.0, 50.0, 97.0]
    assert [y for _, y in xy] == [17.0, 3.0, 10.0]  # max at the top, min at the bottom
    assert "<b>" not in svg and "&lt;b&gt;" in svg
    assert trend.sparkline_svg(pts[:1]) == ""
    flat = trend.sparkline_svg([("a", 5.0), ("b", 5.0)], height=20)
    assert 'points="3.0,10.0 117.0,10.0"' in flat


def test_series_skips_unknown_values_and_keeps_the_last_runs() -> None:
    hist = [(f"2026-01-{i:02d}", {"followers": i, "engaged": None}) for i in range(1, 12)]
    s = trend.series(hist, "followers")
    assert [d for d, _ in s] == [d for d, _ in hist[-trend.TREND_RUNS :]]
    assert trend.series(hist, "engaged") == []
    assert [r["label"] for r in trend.trend_rows(hist)] == ["followers"]


def test_hostile_set_names_and_metrics_are_escaped(tmp_path) -> None:
    d = tmp_path / "2026-01-01" / "<img src=x>"
    d.mkdir(parents=True)
    (d / "metrics.json").write_text(json.dumps({"followers": 3, "since_last_run": {
        "since": "<script>", "counts": {"new follower": 1, "unfollowed you": 0}}}))  # fmt: skip
    html = pages.write_index(tmp_path).read_text()
    assert "<img src=x>" not in html and "<script>" not in html
    assert "&lt;img src=x&gt;" in html
    assert "Since &lt;script&gt;: 1 new follower, 0 unfollowers." in html
