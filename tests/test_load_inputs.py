"""What one load reads (issue 13, "Any CSV, done right"): params ``data`` entries with their
own mapping, the top-level mapping beside known exports, and unrecognised files (reported
inside a folder, fatal when named in the file list)."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
import warmcall
from fixtures_x_archive import write_zip
from warmcall.core.errors import InputError
from warmcall.core.params import load_params, parse_params
from warmcall.ingest import cache
from warmcall.run.cli import main

PANEL = "Channel,Fans\nann,1.2k\n@bob,NaN\n"  # 2 records, both load
PANEL_MAPPING = (
    "platform: instagram\ntable: accounts\ncolumns: {handle: Channel, followers: Fans}\n"
)


def _panel_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(PANEL)))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """params folder: exports/x.zip (an X archive), panel.csv and panel-mapping.yaml."""
    (tmp_path / "exports").mkdir()
    write_zip(tmp_path / "exports" / "x.zip")
    (tmp_path / "panel.csv").write_text(PANEL, encoding="utf-8")
    (tmp_path / "panel-mapping.yaml").write_text(PANEL_MAPPING, encoding="utf-8")
    return tmp_path


def _formats(wb: warmcall.Workbook) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for s in wb.report.sources:  # x-archive-tweets, x-archive-dm ... -> x-archive
        fmt = "x-archive" if s.format.startswith("x-archive") else s.format
        out.setdefault(fmt, set()).add(s.path)
    return out


def _check_export_and_panel(wb: warmcall.Workbook, tree: Path) -> None:
    f = _formats(wb)
    assert any(str(tree / "exports" / "x.zip") in p for p in f["x-archive"])
    assert f["mapped-accounts"] == {str(tree / "panel.csv")}
    ig = wb.accounts.filter(platform="instagram").sort("account_id")
    assert ig["account_id"].to_list() == ["instagram:ann", "instagram:bob"]
    assert ig["followers"].to_list() == [1200, None]
    panel = next(s for s in wb.report.sources if s.format == "mapped-accounts")
    assert panel.rows_read == len(_panel_rows()) == panel.rows_loaded
    assert all(s.balanced for s in wb.report.sources)


def test_data_entry_with_its_own_mapping_file(tree: Path) -> None:
    (tree / "params.yaml").write_text(
        "data: [exports/x.zip, {path: panel.csv, mapping: panel-mapping.yaml}]\n",
        encoding="utf-8",
    )
    p = load_params(tree / "params.yaml")
    wb = warmcall.load(*p.data, mapping=p.mapping, encoding=p.encoding, cache=False)
    _check_export_and_panel(wb, tree)
    # the batch runner's form of the params (to_papermill: JSON, paths absolute)
    p2 = parse_params(p.to_papermill())
    assert p2.data == p.data
    wb = warmcall.load(*p.to_papermill()["data"], cache=False)
    _check_export_and_panel(wb, tree)


def test_data_entry_with_an_inline_mapping(tree: Path) -> None:
    (tree / "sub").mkdir()
    (tree / "sub" / "params.yaml").write_text(
        "data:\n  - ../exports/x.zip\n  - path: ../panel.csv\n    mapping:\n"
        "      platform: instagram\n      table: accounts\n"
        "      columns: {handle: Channel, followers: Fans}\n",
        encoding="utf-8",
    )
    p = load_params(tree / "sub" / "params.yaml")
    wb = warmcall.load(*p.data, mapping=p.mapping, cache=False)
    _check_export_and_panel(wb, tree)


def test_top_level_mapping_is_not_applied_to_a_recognised_export(tree: Path) -> None:
    """The old form: one top-level mapping. It maps the panel; the X archive is detected
    and loaded as such (before: the mapping was applied to the archive, and failed)."""
    (tree / "params.yaml").write_text(
        "data: [exports/x.zip, panel.csv]\nmapping: panel-mapping.yaml\n", encoding="utf-8"
    )
    p = load_params(tree / "params.yaml")
    wb = warmcall.load(*p.data, mapping=p.mapping, cache=False)
    _check_export_and_panel(wb, tree)
    x_notes = {n for s in wb.report.sources if s.format.startswith("x-archive") for n in s.notes}
    assert any("mapping" in n and "not applied" in n for n in x_notes), x_notes


def test_bad_data_entry_names_the_key(tree: Path) -> None:
    (tree / "params.yaml").write_text(
        "data: [{path: panel.csv, mapings: panel-mapping.yaml}]\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as e:
        load_params(tree / "params.yaml")
    assert str(e.value) == f"{tree / 'params.yaml'}: data.0.mapings: unknown key"


def test_entry_mapping_is_part_of_the_table_cache_key(
    tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WARMCALL_CACHE_DIR", str(tree / "cache"))
    monkeypatch.setenv("WARMCALL_CACHE_MIN_BYTES", "0")
    entry = {"path": str(tree / "panel.csv"), "mapping": str(tree / "panel-mapping.yaml")}
    wb = warmcall.load(entry)
    assert sorted(wb.accounts["platform"].to_list()) == ["instagram", "instagram"]
    cache.wait_writes()  # the entry is written in a thread
    assert (tree / "cache").is_dir()
    (tree / "panel-mapping.yaml").write_text(
        PANEL_MAPPING.replace("instagram", "mastodon"), encoding="utf-8"
    )
    wb = warmcall.load(entry)
    assert sorted(wb.accounts["platform"].to_list()) == ["mastodon", "mastodon"]


# -- unrecognised files -------------------------------------------------------------------
def _junk_zip(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "not an export")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A downloads folder: an X archive, an unknown zip and a CSV of no known layout."""
    d = tmp_path / "downloads"
    d.mkdir()
    write_zip(d / "x.zip")
    _junk_zip(d / "junk.zip")
    (d / "panel.csv").write_text(PANEL, encoding="utf-8")
    return d


def test_unrecognised_files_in_a_folder_are_reported_and_the_rest_loads(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wb = warmcall.load(folder, cache=False)
    f = _formats(wb)
    assert f["x-archive"] and wb.report.rows_loaded > 0
    skipped = [s for s in wb.report.sources if s.format == "unrecognised"]
    named = " ".join(n for s in skipped for n in s.notes)
    assert {s.path for s in skipped} == {str(folder / "junk.zip"), str(folder)}
    assert "panel.csv" in named
    assert all(s.rows_read == 0 and s.balanced for s in skipped)
    assert main(["load", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "[unrecognised]" in out and "panel.csv" in out


def test_top_level_mapping_reads_the_unrecognised_csv_of_a_folder(folder: Path) -> None:
    mp = folder.parent / "panel-mapping.yaml"
    mp.write_text(PANEL_MAPPING, encoding="utf-8")
    wb = warmcall.load(folder, mapping=mp, cache=False)
    f = _formats(wb)
    assert f["mapped-accounts"] == {str(folder / "panel.csv")}
    assert f["unrecognised"] == {str(folder / "junk.zip")}  # no CSV in it
    assert wb.accounts.filter(platform="instagram").height == 2


def test_unrecognised_file_in_the_file_list_stops_with_one_line(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for bad in (folder / "panel.csv", folder / "junk.zip"):
        assert main(["load", str(folder / "x.zip"), str(bad)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"warmcall: error: {bad}: not a recognised export")
        assert err.count("\n") == 1


def test_folder_with_nothing_recognised_stops_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    d = tmp_path / "nothing"
    d.mkdir()
    _junk_zip(d / "a.zip")
    (d / "notes.txt").write_text("hello", encoding="utf-8")
    assert main(["load", str(d)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"warmcall: error: {d}: ") and err.count("\n") == 1
