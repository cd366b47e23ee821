"""Where no export gives an engagement rate, the overview says so in a sentence instead of
showing a chart with a title and no bars."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import warmcall as wc
from warmcall.present import overview
from warmcall.run.report import run_reports

ROOT = Path(__file__).parents[1]
LINKEDIN = ROOT / "data" / "sample" / "Basic_LinkedInDataExport_11-13-2026.zip"


def test_export_without_a_rate_says_so_instead_of_an_empty_chart(tmp_path):
    params = {"title": "t", "data": [str(LINKEDIN)], "as_of": "2026-11-13"}
    a = wc.analyse(params)
    # a basic LinkedIn export has posts but no follower count and no impressions
    assert a.workbook.posts.height > 0
    assert a.overview.select(pl.col("er_followers", "er_impressions").is_null().all()).row(0) == (
        True,
        True,
    )
    assert overview.rates_frame(a).height == 0
    f = tmp_path / "linkedin.yaml"
    f.write_text(f"title: t\ndata: ['{LINKEDIN}']\nas_of: 2026-11-13\n", encoding="utf-8")
    (res,) = run_reports([f], tmp_path / "out", notebooks=["01_overview"], progress=False,
                         root=ROOT)  # fmt: skip
    assert res.status == "ok"
    page = res.html.read_text(encoding="utf-8")
    assert "<strong>Engagement rate:</strong> not in this export: no account" in page
    assert "Engagement rate, by denominator" not in page  # the title-only chart is gone


def test_an_export_with_rates_still_gets_the_chart():
    a = wc.analyse(str(ROOT / "params" / "sample.yaml"))
    rates = overview.rates_frame(a)
    assert rates.height and rates["rate"].is_not_null().all()
    assert set(rates["denominator"]) <= {"by followers", "by impressions"}
    assert rates.filter(pl.col("denominator") == "by followers").height >= 1
