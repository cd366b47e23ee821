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


def test_stage_chart_title_counts_two_way_contacts():
    two_way = 9 + 4  # conversant + trusted, read off the frame above
    total = 120 + 30 + 25 + 14 + 9 + 4
    spec = stage_chart(STAGES).to_dict()
    assert spec["title"] == f"{two_way} of {total} contacts are two-way (conversant or trusted)"
    assert "trusted: 4" in spec["description"] and "connection: 120" in spec["description"]


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
    assert (
        'aria-label="13 of 202 contacts are two-way (conversant or trusted). Contacts by stage'
        in html
    )
