"""Headline cards (warmcall.present.cards): the numbers, their change since the last run,
"not in this export" where the export cannot show a figure, plurals, escaping, and the CSS
shipped with the offline template. Expected values are counted from the fixture's own lists
(tests/fixtures_history.py) with plain Python."""

from __future__ import annotations

import polars as pl
import pytest
from fixtures_history import RUN1, RUN2, SET, run_twice
from warmcall.core.words import NOT_IN_EXPORT
from warmcall.present import cards, history, overview


@pytest.fixture(scope="module")
def t(tmp_path_factory):
    return run_twice(tmp_path_factory.mktemp("cards"))


def test_overview_cards_numbers_and_change(t) -> None:
    prev = history.previous_metrics(t.a2, t.out2, SET)
    assert prev is not None and prev[0] == RUN1["as_of"]
    got = {c.label: c for c in cards.overview_cards(overview.metrics(t.a2), prev)}
    f1, f2 = len(set(RUN1["followers"])), len(set(RUN2["followers"]))
    assert got["followers"].value == f"{f2:,}"
    assert got["followers"].change == f"+{f2 - f1} since {RUN1['as_of']}"
    # an Instagram export holds no engagement by others: the card shows who you reached
    assert "engaged" not in got and got["reached"].value == "0"
    assert got["reached"].change == f"no change since {RUN1['as_of']}"
    for label in ("two-way", "trusted", "engagement rate"):
        assert got[label].value == NOT_IN_EXPORT and got[label].change == ""
    assert len(got) == 5


def test_first_run_cards_say_so(t) -> None:
    assert history.previous_metrics(t.a1, t.out1, SET) is None
    cs = cards.overview_cards(overview.metrics(t.a1), None)
    assert {c.change for c in cs} == {cards.FIRST_RUN}
    assert cards.overview_meaning(overview.metrics(t.a1), None) == (
        f"You have {len(RUN1['followers'])} followers; who engaged is not in this export."
    )


def test_overview_meaning_with_history(t) -> None:
    m = overview.metrics(t.a2)
    prev = history.previous_metrics(t.a2, t.out2, SET)
    assert cards.overview_meaning(m, prev) == (
        f"You have {len(RUN2['followers'])} followers; who engaged is not in this export; "
        f"since {RUN1['as_of']}, only the follower count grew."
    )
    full = {"followers": 200, "engaged": 3, "two_way": 1, "trusted": 1, "window_days": 30}
    assert cards.overview_meaning(full, None) == (
        "1.5% of your followers engaged with you in the last 30 days, and 1 relationship is "
        "two-way (1 trusted)."
    )
    # the share only over accounts whose exports show engagement (the headline's rule)
    accounts = [{"platform": "linkedin", "followers": 100, "engaged": 3},
                {"platform": "x", "followers": 900, "engaged": None}]  # fmt: skip
    mixed = {**full, "followers": 1000, "accounts": accounts}
    assert cards.overview_meaning(mixed, None).startswith(
        f"{3 / 100:.1%} of your followers on LinkedIn engaged with you in the last 30 days"
    )
    before = ("2026-01-01", {**full, "two_way": 0, "followers": 250})
    assert cards.overview_meaning(full, before).endswith(
        "since 2026-01-01, relationships are growing."
    )


def test_audit_cards_change_against_the_stored_audit_numbers(t) -> None:
    prev = history.previous_metrics(t.a2, t.out2, SET)
    got = {c.label: c for c in cards.audit_cards(t.a2, prev)}
    c1 = len(set(RUN1["followers"]) | set(RUN1["following"]))
    c2 = len(set(RUN2["followers"]) | set(RUN2["following"]))
    assert got["contacts"].value == f"{c2:,}"
    assert got["contacts"].change == f"+{c2 - c1} since {RUN1['as_of']}"
    assert got["two-way"].value == NOT_IN_EXPORT
    assert got["likely spam"].value == "0"
    assert cards.audit_meaning(t.a2) == (
        f"Two-way relationships are not in this export for your {c2} contacts; "
        "0 contacts look like spam or mass-following."
    )


def test_outreach_and_whatif_cards_count_whole_people() -> None:
    plan = pl.DataFrame({"pool": ["fading", "promising", "fading"]})
    ft = pl.DataFrame({"done": [True]})
    got = {c.label: c for c in cards.outreach_cards(plan, ft, 1, "2026-01-01")}
    assert got["calls planned"].value == "3" and got["fading ties to re-warm"].value == "2"
    assert got["last plan done"].value == "1 of 1"
    assert got["warmed up"].value == "1" and got["warmed up"].change == "since 2026-01-01"
    assert cards.outreach_meaning(plan, ft) == (
        "This week: 3 calls, a few a day; 1 of the 1 call planned last time happened."
    )
    first = {c.label: c for c in cards.outreach_cards(plan, ft.clear(), None, None)}
    assert first["warmed up"].change == cards.FIRST_RUN
    # 5 slots (5 a day, 1 day), of which the eligible people fill 2 + 1
    st = {"summary": {"two_way": 1}, "min_quality": 20.0, "calls_per_day": 5, "days": 1,
          "prune": {"followers": 1234, "remaining_followers": 1},
          "projection": {"attempts": 5, "fading_calls": 2, "promising_calls": 1,
                         "new_conversant": 0.6, "new_trusted": 0.5}}  # fmt: skip
    w = {c.label: c for c in cards.whatif_cards(st)}
    assert w["followers kept"].value == "1" and w["followers kept"].note == "of 1,234, quality ≥ 20"
    assert w["new two-way"].value == "about 1" and w["calls"].value == "3"
    assert w["calls"].note == "of 5 slots: 5 a day, 1 working day"
    assert cards.whatif_meaning(st) == (
        "Calling 3 people (the slots the eligible people fill) would add about 1 two-way "
        "relationship under the stated "
        "assumptions; pruning would leave 1 follower of 1,234."
    )


def test_change_words() -> None:
    assert cards.signed(-1234) == "−1,234" and cards.signed(0) == "no change"
    assert cards.count_change(10, {"x": 12}, "x", "d") == "−2 since d"
    assert cards.count_change(None, {"x": 12}, "x", "d") == ""
    assert cards.rate_change(0.0125, {"r": 0.01}, "r", "d") == "+0.250 pp since d"
    assert cards.whole(None) == NOT_IN_EXPORT and cards.whole(1234.0) == "1,234"


def test_render_escapes_every_string() -> None:
    evil = "<script>alert(1)</script>"
    html = cards.render([cards.Card(evil, evil, evil, evil)], evil)
    assert "<script>" not in html and html.count("&lt;script&gt;") == 5
    assert html.startswith('<div class="wc-cards"><div class="wc-card">')
    assert cards.render([cards.Card("a", "1")]).count("wc-card-change") == 0


def test_card_css_ships_and_the_template_includes_it() -> None:
    from importlib.resources import files

    tdir = files("warmcall") / "templates" / "offline"
    assert ".wc-cards" in (tdir / "cards.css").read_text()
    assert "{% include 'cards.css' %}" in (tdir / "index.html.j2").read_text()


def test_offline_page_carries_the_card_css() -> None:
    from nbformat.v4 import new_code_cell, new_notebook, new_output
    from warmcall.run.pages import notebook_to_html

    out = new_output("display_data", data={"text/html": cards.render([cards.Card("a", "1")])})
    html = notebook_to_html(new_notebook(cells=[new_code_cell("x", outputs=[out])]), title="t")
    assert ".wc-card {" in html and '<div class="wc-cards">' in html


def test_counts_on_cards_are_whole() -> None:
    """Counts on the cards are whole numbers: no decimal point in any count card."""
    m = {"followers": 3.0, "engaged": 2.0, "reached": None, "two_way": 1.0, "trusted": 0.0,
         "er_followers": None}  # fmt: skip
    vals = [c.value for c in cards.overview_cards(m, None)[:4]]
    assert vals == ["3", "2", "1", "0"]
