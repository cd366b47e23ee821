"""present/datafiles.py: tables beside a report, CSV (formula-safe) and Parquet."""

from __future__ import annotations

import csv

import polars as pl
import pytest
from warmcall.present.datafiles import finish_writes, save_table, saved_tables


def test_save_table_writes_every_row_as_csv_and_parquet(tmp_path):
    df = pl.DataFrame({"handle": ["=cmd|x", "bob", "ana"], "n": [3, 1, 2]})
    link = save_table(tmp_path, "people", df)
    finish_writes()
    assert link == "data/people.csv"
    with open(tmp_path / link, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == df.height
    assert not rows[0]["handle"].startswith("=")  # formula neutralised
    back = pl.read_parquet(tmp_path / "data" / "people.parquet")
    assert back.equals(df)  # the typed copy keeps the raw value
    assert saved_tables(tmp_path) == ["people"]


def test_save_table_without_output_dir_writes_nothing(tmp_path):
    assert save_table("", "people", pl.DataFrame({"a": [1]})) is None
    assert saved_tables(tmp_path) == []


@pytest.mark.parametrize("name", ["../x", "A", "", "a b", "x" * 65])
def test_save_table_refuses_names_that_are_not_identifiers(tmp_path, name):
    with pytest.raises(ValueError):
        save_table(tmp_path, name, pl.DataFrame({"a": [1]}))


def test_workbook_has_a_sheet_per_table_with_short_unique_names_and_no_formulas(tmp_path):
    import openpyxl
    from warmcall.present.datafiles import WORKBOOK_FILE, write_workbook

    people = pl.DataFrame({"handle": ['=HYPERLINK("http://e.x")', "+1", "ana"], "n": [3, -1, 2]})
    long_a, long_b = "x" * 40 + "_a", "x" * 40 + "_b"  # the same first 31 characters
    for name, df in (("people", people), (long_a, people.head(1)), (long_b, people.head(2))):
        save_table(tmp_path, name, df)
    path = write_workbook(tmp_path)
    assert path == tmp_path / WORKBOOK_FILE
    wb = openpyxl.load_workbook(path)
    assert len(wb.sheetnames) == 3 and len(set(wb.sheetnames)) == 3
    assert all(len(s) <= 31 for s in wb.sheetnames) and "people" in wb.sheetnames
    rows = list(wb["people"].iter_rows(values_only=True))
    assert rows[0] == ("handle", "n") and len(rows) - 1 == people.height
    handles = [r[0] for r in rows[1:]]
    assert handles[2] == "ana" and not any(h.startswith(("=", "+")) for h in handles)
    assert [r[1] for r in rows[1:]] == [3, -1, 2]  # numbers stay numbers
    cells = [c for row in wb["people"].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)  # no cell is a formula
    heights = sorted(wb[s].max_row - 1 for s in wb.sheetnames)
    assert heights == [1, 2, 3]


def test_no_workbook_without_tables(tmp_path):
    from warmcall.present.datafiles import write_workbook

    assert write_workbook(tmp_path) is None
    assert not (tmp_path / "data.xlsx").exists()


def test_data_list_links_csv_and_parquet_and_escapes_titles():
    from warmcall.present.datafiles import data_list_html

    page = data_list_html({"<b>Per platform</b>": "data/overview.csv", "Not run": None})
    assert 'href="data/overview.csv"' in page and 'href="data/overview.parquet"' in page
    assert "<b>" not in page and "&lt;b&gt;Per platform" in page and "Not run" not in page
    assert "warmcall report" in data_list_html({"x": None})


def test_a_new_run_of_a_set_starts_without_the_previous_data_files(tmp_path):
    from warmcall.run.sets import _clear_set, _Set

    save_table(tmp_path, "old_table", pl.DataFrame({"a": [1]}))
    finish_writes()
    (tmp_path / "data" / "old_list.vcf").write_text("BEGIN:VCARD\n")
    (tmp_path / "data.xlsx").write_bytes(b"x")
    (tmp_path / "plan.csv").write_text("kept\n")  # the notebooks overwrite their own files
    s = _Set("s", tmp_path / "s.yaml", {}, "2026-01-01", "t", 60, [], tmp_path)
    _clear_set(s)
    assert list((tmp_path / "data").iterdir()) == []
    assert not (tmp_path / "data.xlsx").exists() and (tmp_path / "plan.csv").exists()
