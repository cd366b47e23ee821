"""The charts (``warmcall.present.charts``) and their static renderer (``present.svgchart``).

Every chart function, rendered by the ``static`` renderer, is one
``<figure class="wc-chart" role="img" aria-label="TITLE. DESCRIPTION">`` holding an SVG in
which every mark carries a ``<title>`` tooltip; titles state findings computed from the data
(checked against plain-Python arithmetic on the same small frames); hostile strings stay
text; the concentration and nested-funnel numbers come from the model layer.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import altair as alt
import polars as pl
import pytest
from warmcall.model.funnel import at_or_beyond
from warmcall.model.stats import top_shares
from warmcall.present import charts, display, svgchart

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "</svg><script>alert(1)</script>"
BIDI = "evil\u202etxt.exe"


def _figure(chart: alt.TopLevelMixin) -> ET.Element:
    """The figure element of a chart rendered by the static renderer, parsed as XML (it is
    well-formed: ElementTree wrote the SVG, the label is escaped)."""
    html = svgchart.figure_html(chart.to_dict())
    return ET.fromstring(html)


def _mark_titles(fig: ET.Element) -> list[str]:
    return [t.text or "" for t in fig.iter(f"{SVG}title")]


def _overview_funnel_frame() -> pl.DataFrame:
    # linkedin: trusted (7) > two-way (5) is impossible in the data model, but engaged (3)
    # < two-way (5) is common: two-way contacts need not engage in the window
    return pl.DataFrame(
        {
            "platform": ["linkedin"] * 4 + ["x"] * 3,
            "step": [
                "followers",
                "engaged",
                "two-way",
                "trusted",
                "followers",
                "two-way",
                "trusted",
            ],
            "count": [4685, 3, 5, 4, 9590, 33, 27],
        }
    )


def _stage_frame() -> pl.DataFrame:
    return at_or_beyond(
        pl.DataFrame(
            {
                "platform": ["x"] * 4 + ["linkedin"] * 3,
                "stage": ["connection", "reached", "conversant", "trusted"]
                + ["connection", "engaged", "trusted"],
                "contacts": [1000, 50, 6, 4, 300, 20, 0],
            }
        )
    )


VALUES = {"x": [0, 0, 0, 0, 1, 1, 2, 3, 5, 40], "linkedin": [0, 9, 1, 1]}


def _shares_frame() -> pl.DataFrame:
    src = pl.DataFrame(
        {
            "platform": [p for p, vs in VALUES.items() for _ in vs],
            "engagement": [float(v) for vs in VALUES.values() for v in vs],
        }
    )
    return pl.concat(
        [
            top_shares(src, "engagement").select(
                pl.lit("all platforms").alias("platform"), pl.all()
            ),
            top_shares(src, "engagement", by=("platform",)),
        ]
    )


def _heatmap_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "followers_bin": [1, 2, 2, 3],
            "followers_label": ["10–100", "100–1k", "100–1k", "1k–10k"],
            "quality_bin": [0, 0, 10, 0],
            "contacts": [2704, 4535, 468, 1673],
            "median_engagement": [0.0, 1.0, None, 2.5],
        }
    )


def _rates_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "platform": ["x", "linkedin", "x"],
            "denominator": ["by followers", "by followers", "by impressions"],
            "rate": [0.0004, 0.031, 0.012],
        }
    )


def _best_time_frame() -> pl.DataFrame:
    days = ["Monday", "Tuesday"]
    return pl.DataFrame(
        {
            "day": [d for d in days for _ in range(24)],
            "weekday": [i for i in (1, 2) for _ in range(24)],
            "hour": list(range(24)) * 2,
            "posts": [(h % 5) * 300 for h in range(48)],
            "rate": [0.0123456 * (h % 7) for h in range(48)],
            "enough": [h % 5 >= 2 for h in range(48)],
        }
    )


def _all_charts() -> dict[str, alt.TopLevelMixin]:
    return {
        "funnel": charts.funnel(_overview_funnel_frame()),
        "followers_vs_quality": charts.followers_vs_quality(_heatmap_frame()),
        "engagement_rates": charts.engagement_rates(_rates_frame()),
        "stage_funnel": charts.stage_funnel(_stage_frame()),
        "top_shares": charts.top_shares(_shares_frame()),
        "best_time_heatmap": charts.best_time_heatmap(
            _best_time_frame(), "Tuesday at 9 works best", "engagement per impression", "UTC"
        ),
    }


def test_every_chart_function_is_covered():
    public = {
        n
        for n, f in vars(charts).items()
        if callable(f) and not n.startswith("_") and getattr(f, "__module__", "") == charts.__name__
    }
    assert public == set(_all_charts())


@pytest.mark.parametrize("name", sorted(_all_charts()))
def test_every_chart_has_an_accessible_name_and_mark_tooltips(name):
    chart = _all_charts()[name]
    spec = chart.to_dict()
    fig = _figure(chart)
    assert fig.tag == "figure" and fig.get("class") == "wc-chart" and fig.get("role") == "img"
    title = spec["title"]["text"] if isinstance(spec["title"], dict) else spec["title"]
    label = fig.get("aria-label")
    assert label.startswith(title) and spec["description"].rstrip(".") in label
    svg = fig.find(f"{SVG}svg")
    assert svg is not None
    # marks: the items inside Vega's mark groups (<g class="mark-… role-mark …">)
    marks = [
        el
        for g in svg.iter(f"{SVG}g")
        if "role-mark" in (g.get("class") or "").split()
        for el in g
        if el.tag != f"{SVG}g"
    ]
    assert marks, "no marks"
    for el in marks:  # every mark's tooltip is its first child <title>, replacing the aria-label
        first = next(iter(el), None)
        assert first is not None and first.tag == f"{SVG}title" and first.text
        assert el.get("aria-label") is None and el.get("role") is None
    # tooltip numbers are formatted: thousands separators, no raw floats ("4535", "0.777778")
    tips = " ".join(_mark_titles(fig))
    assert re.search(r"\d{4,}", tips) is None, tips
    assert not re.search(r"\d,\d{3}\.0\b", tips)


def test_titles_state_findings_computed_independently():
    # top shares: the top ceil(10% of 14) = 2 contacts over all platforms
    everyone = sorted([v for vs in VALUES.values() for v in vs], reverse=True)
    k = math.ceil(0.1 * len(everyone))
    share = sum(everyone[:k]) / sum(everyone)
    title = charts.top_shares(_shares_frame()).to_dict()["title"]["text"]
    assert title == f"The top 10% of your contacts carry {share:.0%} of the interactions they start"
    # nested funnel: conversant or beyond over all platforms vs all contacts
    raw = {"x": [1000, 50, 6, 4], "linkedin": [300, 20, 0]}
    conv = 6 + 4 + 0  # x conversant + trusted, linkedin trusted
    total = sum(sum(v) for v in raw.values())
    title = charts.stage_funnel(_stage_frame()).to_dict()["title"]["text"]
    assert (
        title == f"{conv} contacts of {total:,} ({conv / total:.0%}) converse with you or trust you"
    )
    # rates: two significant digits at the largest rate
    t = charts.engagement_rates(_rates_frame()).to_dict()["title"]["text"]
    assert t == "Engagement per follower ranges from 0.04% on x to 3.1% on linkedin"
    # heatmap: the busiest cell
    t = charts.followers_vs_quality(_heatmap_frame()).to_dict()["title"]["text"]
    assert (
        t
        == f"Most common: 100–1k followers and quality 0–9 (4,535 of {2704 + 4535 + 468 + 1673:,} contacts)"
    )


def test_top_shares_says_who_when_the_top_tenth_carries_everything():
    src = pl.DataFrame({"engagement": [0.0] * 95 + [3.0, 1.0, 1.0]})  # 3 of 98 engage
    shares = top_shares(src, "engagement").select(
        pl.lit("all platforms").alias("platform"), pl.all()
    )
    title = charts.top_shares(shares).to_dict()["title"]["text"]
    assert title == "3 contacts of 98 (3%) started every interaction with you"


def test_overview_funnel_says_it_is_not_nested_and_names_what_is_missing():
    spec = charts.funnel(_overview_funnel_frame()).to_dict()
    note = " ".join(spec["title"]["subtitle"])
    assert "not nested" in note
    assert "on linkedin two-way (5) exceeds engaged (3)" in note
    assert "engaged on x" in note  # x has no engaged row: not in that export, no bar
    assert (
        spec["title"]["text"]
        == "Behind 14,275 followers: 3 contacts engaged, 38 two-way, 31 trusted"
    )


def test_overview_funnel_title_leaves_out_a_step_no_export_shows():
    df = pl.DataFrame(
        {
            "platform": ["linkedin"] * 3,
            "step": ["followers", "two-way", "trusted"],
            "count": [2, 0, 0],
        }  # fmt: skip
    )  # an export without engagement by others: no "engaged" row at all
    title = charts.funnel(df).to_dict()["title"]["text"]
    assert title == "Behind 2 followers: 0 two-way, 0 trusted"


def test_stage_funnel_is_nested():
    f = _stage_frame()
    for p in ("x", "linkedin"):
        vals = f.filter(pl.col("platform") == p)["at_or_beyond"].to_list()
        assert vals == sorted(vals, reverse=True)
    x = dict(zip(*f.filter(pl.col("platform") == "x").select("stage", "at_or_beyond"), strict=True))
    assert x == {"connection": 1060, "reached": 60, "conversant": 10, "trusted": 4}


def test_top_shares_model_matches_plain_python():
    got = _shares_frame()
    everyone = [v for values in VALUES.values() for v in values]
    for platform, vs in [("all platforms", everyone), *VALUES.items()]:
        desc = sorted(vs, reverse=True)
        for p in (0.1, 0.2, 0.5):
            k = max(1, math.ceil(p * len(desc)))
            row = got.filter((pl.col("platform") == platform) & (pl.col("top") == p)).row(
                0, named=True
            )
            assert row["top_units"] == k and row["units"] == len(desc)
            assert row["active"] == sum(1 for v in desc if v > 0)
            assert row["share"] == pytest.approx(sum(desc[:k]) / sum(desc))
    empty = top_shares(pl.DataFrame({"e": [0.0, 0.0]}), "e")
    assert empty["share"].to_list() == [None, None, None]  # nothing to share out: unknown


def test_platform_colours_list_only_platforms_in_the_data():
    spec = charts.engagement_rates(_rates_frame()).to_dict()
    scale = spec["hconcat"][0]["layer"][0]["encoding"]["color"]["scale"]
    assert scale["domain"] == ["linkedin", "x"]


def test_count_axes_have_few_whole_number_ticks():
    spec = charts.funnel(_overview_funnel_frame()).to_dict()
    axis = spec["spec"]["layer"][0]["encoding"]["x"]["axis"]
    assert axis["format"] == ",d" and axis["values"] == [1, 10, 100, 1000, 10000]
    spec = charts.stage_funnel(_stage_frame()).to_dict()
    # 1,060 contacts at most: ticks up to the next power of ten, five labels
    assert spec["spec"]["layer"][0]["encoding"]["x"]["axis"]["values"] == [1, 10, 100, 1000, 10000]


def test_a_composed_chart_without_a_title_is_named_by_its_parts():
    df = pl.DataFrame({"a": [1, 2]})
    left = alt.Chart(df, title="Contacts by stage").mark_bar().encode(x="a:Q")
    right = alt.Chart(df, title="Quality <b>").mark_bar().encode(x="a:Q")
    fig = _figure(alt.hconcat(left, right))
    assert fig.get("aria-label") == "Contacts by stage. Quality <b>."


def test_hostile_text_stays_text_in_the_figure():
    df = pl.DataFrame(
        {"handle": [HOSTILE, BIDI, "a\x01b"], "n": [3, 2, 1], "url": ["javascript:alert(1)"] * 3}
    )
    chart = (
        alt.Chart(df, title=HOSTILE, description='"quoted" & <b>')
        .mark_bar()
        .encode(x="n:Q", y="handle:N", href="url:N", tooltip=["handle:N", "n:Q"])
    )
    html = svgchart.figure_html(chart.to_dict())
    assert "<script" not in html and "</svg><" not in html.replace("</svg></figure>", "")
    assert "\u202e" not in html and "[U+202E]" in html
    assert "javascript:" not in html and "href" not in html  # a static figure has no links
    fig = ET.fromstring(html)  # well-formed: the XML-invalid \x01 was replaced
    assert fig.get("aria-label") == (
        '</svg><script>alert(1)</script>. "quoted" & <b>.'
    )  # the escaped attribute reads back as the original text
    tips = _mark_titles(fig)
    assert any(HOSTILE in t for t in tips) and any("evil[U+202E]txt.exe" in t for t in tips)
    labels = [t.text for t in fig.iter(f"{SVG}text")]
    assert HOSTILE in labels


def test_static_renderer_is_the_batch_and_live_default():
    assert display.pick_renderer("auto", batch=True) == "static"
    assert display.pick_renderer("auto", batch=False) == "static"
    assert display.pick_renderer("default", batch=True) == "default"
    display.setup("static")
    try:
        bundle = charts.stage_funnel(_stage_frame())._repr_mimebundle_()
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        assert data["text/html"].startswith('<figure class="wc-chart" role="img" aria-label="')
    finally:
        display.setup("default")


def test_funnel_title_verb_agrees_with_one_contact():
    """One trusted contact of two: "1 contact of 2 (50%) converses with you or trusts you"."""
    df = at_or_beyond(
        pl.DataFrame(
            {
                "platform": ["linkedin"] * 4,
                "stage": ["connection", "reached", "conversant", "trusted"],
                "contacts": [0, 1, 0, 1],
            }
        )
    )
    title = charts.stage_funnel(df).to_dict()["title"]["text"]
    assert title == "1 contact of 2 (50%) converses with you or trusts you"
