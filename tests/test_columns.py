"""present/columns.py and html_table: headers in words with units, one number format per
column, ranks, and the link to the full table."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import polars as pl
import pytest
from warmcall.present import columns
from warmcall.present.display import html_table, html_table_str


class _Table(HTMLParser):
    """Header texts, rows of (class, text) cells, caption text and links of one table."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.heads: list[str] = []
        self.rows: list[list[tuple[str, str]]] = []
        self.caption = ""
        self.links: list[str] = []
        self._in: str | None = None
        self._cls = ""
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and self._in != "caption":
            self.rows.append([])
        if tag in ("th", "td", "caption"):
            self._in, self._cls = tag, a.get("class") or ""
            if tag == "th":
                self.heads.append("")
            elif tag == "td":
                self.rows[-1].append((self._cls, ""))
        if tag == "a":
            self.links.append(a.get("href") or "")

    def handle_endtag(self, tag):
        if tag in ("th", "td", "caption"):
            self._in = None

    def handle_data(self, data):
        if self._in == "th":
            self.heads[-1] += data
        elif self._in == "td":
            cls, text = self.rows[-1][-1]
            self.rows[-1][-1] = (cls, text + data)
        elif self._in == "caption":
            self.caption += data

    @property
    def body(self) -> list[list[str]]:
        return [[t for _, t in r] for r in self.rows if r]


def test_one_number_format_per_column_decided_by_the_column():
    df = pl.DataFrame(
        {
            "intensity": [0.8, 0.85, 1.0],  # listed: 2 decimals
            "share_flagged": [0.125, 0.0, None],  # listed: percent, 1 decimal
            "contacts": [12345, 7, 0],  # listed: whole numbers with separators
            "unlisted_ratio": [0.5, 0.25, 12.0],  # not listed: 2 decimals for all
            "tiny": [0.004, 1.5, 2.0],  # not listed: 4 decimals (smallest below 0.01)
        }
    )
    t = _Table(html_table_str(df, null="n/a"))
    assert t.body == [
        ["0.80", "12.5%", "12,345", "0.50", "0.0040"],
        ["0.85", "0.0%", "7", "0.25", "1.5000"],
        ["1.00", "n/a", "0", "12.00", "2.0000"],
    ]
    assert all(cls == "num" for r in t.rows if r for cls, _ in r)


def test_headers_are_words_with_units_and_raw_names_stay_in_the_data():
    df = pl.DataFrame(
        {"quality": [1.0], "days_since_last": [3], "contact_followers": [2], "x_y": ["a"]}
    )
    page = html_table_str(df)
    t = _Table(page)
    assert t.heads == ["Quality (0–100)", "Since last contact (days)", "Their followers", "X y"]
    assert 'title="days_since_last"' in page  # the raw name, for the reader who wants it
    assert not any("_" in h for h in t.heads)
    assert df.columns == ["quality", "days_since_last", "contact_followers", "x_y"]  # unchanged


def test_every_listed_numeric_column_formats_ints_and_floats_alike():
    for name, col in columns.COLUMNS.items():
        if not col.numeric:
            continue
        a = columns.format_value(3, col)
        b = columns.format_value(3.0, col)
        assert a == b, name
        assert "_" not in col.label, name


def test_counts_are_whole_numbers_and_percentages_have_a_percent_sign():
    count = columns.COLUMNS["contacts"]
    assert columns.format_value(1234.6, count) == "1,235"
    assert columns.format_value(None, count, null="not in this export") == "not in this export"
    assert columns.format_value(0.0123, columns.COLUMNS["er_followers"]) == "1.230%"
    assert columns.format_value(True, columns.Column("Done")) == "yes"


def test_rank_column_numbers_the_rows_in_order():
    df = pl.DataFrame({"handle": ["c", "a", "b"], "quality": [90.0, 80.0, 70.0]})
    t = _Table(html_table_str(df, rank=True, max_rows=2))
    assert t.heads[0] == "#"
    assert [r[0] for r in t.body] == ["1", "2"]


def test_truncated_table_says_how_many_rows_and_links_the_full_table():
    df = pl.DataFrame({"person_id": [f"p{i}" for i in range(210)]})
    t = _Table(html_table_str(df, max_rows=30, full="data/identities.csv"))
    assert len(t.body) == 30
    assert "showing 30 of 210 rows" in t.caption and "all 210 rows as CSV" in t.caption
    assert t.links == ["data/identities.csv"]
    whole = _Table(html_table_str(df.head(1), full="data/x.csv"))
    assert "showing" not in whole.caption and whole.links == ["data/x.csv"]
    assert _Table(html_table_str(df, max_rows=30)).links == []  # no link without full=


@pytest.mark.parametrize(
    "bad", ["javascript:alert(1)", "/etc/passwd", "../x.csv", "data/a b.csv", "https://e.x/a.csv"]
)
def test_full_link_must_be_a_plain_relative_path(bad):
    with pytest.raises(ValueError):
        html_table_str(pl.DataFrame({"a": [1]}), full=bad)


def test_html_table_keeps_its_old_call_forms():
    df = pl.DataFrame({"a": [1, 2, 3]})
    old = html_table(df, 2, caption="c", null="-").data
    assert "showing 2 of 3 rows" in old and old == html_table_str(df, 2, caption="c", null="-")


def test_wide_tables_scroll_inside_the_page():
    page = html_table_str(pl.DataFrame({f"c{i}": [i] for i in range(40)}))
    assert re.match(r'<div class="wc-table-wrap" style="[^"]*overflow-x:auto', page)


def test_dates_and_times_stay_on_one_line():
    import datetime as dt

    df = pl.DataFrame({"date": [dt.date(2026, 11, 16)], "seen": [dt.datetime(2026, 1, 2, 3, 4)]})
    t = _Table(html_table_str(df))
    assert t.rows[-1] == [("wc-nw", "2026-11-16"), ("wc-nw", "2026-01-02 03:04:00")]
