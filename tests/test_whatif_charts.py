"""The what-if charts state their finding in the title and carry a description, and their
static figure is named by both (issue: every chart has an accessible name)."""

from __future__ import annotations

import polars as pl
import pytest
from warmcall.present.svgchart import figure_html
from warmcall.present.whatif_view import quality_chart, stage_chart

STAGES = pl.DataFrame(
    {
        "stage": ["connection", "reached", "aware", "engaged", "conversant", "trusted"],
        "contacts": [120, 30, 25, 14, 9, 4],
    }
)


def test_stage_chart_title_names_the_stage_with_most_contacts():
    total = 120 + 30 + 25 + 14 + 9 + 4
    spec = stage_chart(STAGES).to_dict()
    assert spec["title"] == f"120 of {total} contacts are at stage connection"
    assert "trusted: 4" in spec["description"] and "connection: 120" in spec["description"]
    tie = pl.DataFrame({"stage": ["aware", "trusted"], "contacts": [1, 1]})
    assert stage_chart(tie).to_dict()["title"] == "1 of 2 contacts are at stage aware"


@pytest.mark.parametrize(
    ("bins", "counts", "edge"),
    [
        ([0, 10, 20, 30], [5, 4, 3, 1], 20),  # 13 contacts: 5 < 6.5 <= 9 at bin 10 -> under 20
        ([0, 10, 20], [1, 1, 2], 20),  # 4: running 1, 2 (= half) at bin 10 -> under 20
        ([40], [1], 50),
    ],
)
def test_quality_chart_title_names_the_median_bin(bins, counts, edge):
    df = pl.DataFrame({"quality_bin": bins, "contacts": counts})
    n = sum(counts)
    noun = "contact" if n == 1 else "contacts"
    spec = quality_chart(df).to_dict()
    assert spec["title"] == f"Half of your {n} {noun} score under {edge}"
    assert spec["description"].startswith("Contacts per quality bin of 10 points: from ")


def test_empty_frames_say_so():
    empty_q = pl.DataFrame(
        {"quality_bin": [], "contacts": []}, schema={"quality_bin": pl.Int64, "contacts": pl.Int64}
    )
    assert quality_chart(empty_q).to_dict()["title"] == "No contacts under these settings"
    empty_s = STAGES.clear()
    assert stage_chart(empty_s).to_dict()["title"] == "No contacts under these settings"


def test_static_figures_are_named_by_title_and_description():
    html = figure_html(stage_chart(STAGES).to_dict())
    assert 'role="img"' in html
    assert 'aria-label="120 of 202 contacts are at stage connection. Contacts by stage' in html


def test_the_panel_counts_two_way_where_the_overview_does():
    """With the params' values the panel's two-way and trusted equal the overview's totals:
    both count only accounts whose exports can show them (a logged call on an account whose
    export has nothing from others does not make the panel say more than the overview)."""
    from pathlib import Path

    import warmcall
    from warmcall.present.whatif_view import WhatIfModel

    a = warmcall.analyse(Path(__file__).resolve().parents[1] / "params" / "sample.yaml")
    ov = a.overview
    known_tw = ov.filter(pl.col("two_way").is_not_null())
    known_tr = ov.filter(pl.col("trusted").is_not_null())
    s = WhatIfModel(a.workbook, a.params, a.as_of, ov).state()["summary"]
    assert s["two_way"] == int(known_tw["two_way"].sum())
    assert s["trusted"] == int(known_tr["trusted"].sum())
    # the unmasked count differs on the sample, so the test can fail
    unmasked = WhatIfModel(a.workbook, a.params, a.as_of).state()["summary"]
    assert unmasked["two_way"] != s["two_way"]
