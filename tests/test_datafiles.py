"""present/datafiles.py: tables beside a report, CSV (formula-safe) and Parquet."""

from __future__ import annotations

import csv

import polars as pl
import pytest
from warmcall.present.datafiles import save_table, saved_tables


def test_save_table_writes_every_row_as_csv_and_parquet(tmp_path):
    df = pl.DataFrame({"handle": ["=cmd|x", "bob", "ana"], "n": [3, 1, 2]})
    link = save_table(tmp_path, "people", df)
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
