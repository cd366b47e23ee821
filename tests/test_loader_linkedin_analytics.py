"""LinkedIn creator analytics workbook (docs/export-formats.md §4): the 2024+ layout with five
sheets and the 2022–23 layout with three, built here cell by cell with openpyxl; every row
counted by hand below."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
import warmcall
from openpyxl import Workbook

URL = "https://www.linkedin.com/feed/update/urn:li:activity:{}"


def workbook_2024(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "DISCOVERY"
    ws.append(["Overall Performance", "3/1/2024 - 3/31/2024"])
    ws.append(["Impressions", 5000])
    ws.append(["Members reached", 2100])  # DISCOVERY: 3 records, all rejected (no table)
    ws = wb.create_sheet("ENGAGEMENT")
    ws.append(["Date", "Impressions", "Engagements"])
    ws.append(["3/1/2024", 120, 4])
    ws.append(["3/2/2024", 80, 1])  # ENGAGEMENT: 2 records, both rejected (no table)
    ws = wb.create_sheet("TOP POSTS")
    ws.append(["Maximum of 50 posts available to include in this list"])
    ws.append([])
    ws.append(["Post URL", "Post publish date", "Engagements", None, "Post URL",
               "Post publish date", "Impressions"])  # fmt: skip
    # record 1 (row 4): post 111 by engagements, post 222 by impressions
    ws.append([URL.format(111), "3/5/2024", 40, None, URL.format(222), "3/9/2024", 3000])
    # record 2 (row 5): post 222 by engagements, post 111 by impressions (same posts)
    ws.append([URL.format(222), "3/9/2024", "1,234", None, URL.format(111), "3/5/2024", 900])
    # record 3 (row 6): left only, URL percent-encoded
    ws.append(["https://www.linkedin.com/feed/update/urn%3Ali%3Aactivity%3A333", "3/12/2024", 7])
    # record 4 (row 7): a bad date -> rejected whole (its right side too)
    ws.append([URL.format(444), "2024-03-14", 2, None, URL.format(555), "3/15/2024", 10])
    # record 5 (row 8): no urn in the URL -> rejected
    ws.append(["https://example.com/p/1", "3/16/2024", 1])  # TOP POSTS: 5 read, 3 loaded
    ws = wb.create_sheet("FOLLOWERS")
    ws.append(["Total followers on 3/31/2024:", 1234])
    ws.append([])
    ws.append(["Date", "New followers"])
    ws.append(["3/30/2024", 3])
    ws.append(["3/31/2024", 5])  # FOLLOWERS: 3 read (total + 2 days), 1 loaded
    ws = wb.create_sheet("DEMOGRAPHICS")
    ws.append(["Top Demographics", "Value", "Percentage"])
    ws.append(["Job titles", "Researcher", 0.0233])
    ws.append(["Locations", "Berlin", 0.1])  # DEMOGRAPHICS: 2 read, rejected
    wb.save(path)
    return path


def workbook_2023(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "ENGAGEMENT"
    ws.append(["Date", "Impressions", "Engagements"])
    ws.append([datetime(2023, 4, 22), 50, 2])  # a real spreadsheet date
    ws = wb.create_sheet("FOLLOWERS")
    ws.append(["Total followers on 4/23/2023:", 987])
    ws.append([])
    ws.append(["Date", "New followers"])
    ws.append(["4/23/2023", 2])
    ws = wb.create_sheet("DEMOGRAPHICS")
    ws.append(["Top Demographics", "Value", "Percentage"])
    wb.save(path)
    return path


def linkedin_export(folder: Path) -> Path:
    """The smallest LinkedIn data export that names the account (Profile.csv URL absent,
    Invitations.csv gives the handle ``me-1a2b``)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Invitations.csv").write_text(
        "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"
        'Me Person,Ann Lee,"3/1/24, 9:00 AM",,OUTGOING,'
        "https://www.linkedin.com/in/me-1a2b,https://www.linkedin.com/in/ann-lee\n",
        encoding="utf-8",
    )
    return folder


def by_sheet(report) -> dict[str, object]:
    return {s.path.rsplit(":", 1)[-1]: s for s in report.sources if ".xlsx:" in s.path}


def test_with_the_linkedin_export_every_row_is_accounted(tmp_path: Path):
    x = workbook_2024(tmp_path / "Content_2024-03-01_2024-03-31_Me Person.xlsx")
    wb = warmcall.load(linkedin_export(tmp_path / "li"), x, cache=False)
    got = by_sheet(wb.report)
    counts = {k: (s.rows_read, s.rows_loaded, s.rows_rejected) for k, s in got.items()}
    assert counts == {
        "DISCOVERY": (3, 0, 3),
        "ENGAGEMENT": (2, 0, 2),
        "TOP POSTS": (5, 3, 2),
        "FOLLOWERS": (3, 1, 2),
        "DEMOGRAPHICS": (2, 0, 2),
    }
    acc = wb.accounts.filter(pl.col("followers").is_not_null())
    assert acc.select("account_id", "snapshot_date", "followers").rows() == [
        ("linkedin:me-1a2b", date(2024, 3, 31), 1234)
    ]
    posts = wb.posts.sort("post_id")
    assert posts["post_id"].to_list() == [
        "urn:li:activity:111", "urn:li:activity:222", "urn:li:activity:333",
    ]  # fmt: skip
    assert posts["engagements"].to_list() == [40, 1234, 7]
    assert posts["impressions"].to_list() == [900, 3000, None]  # 333 is not in the right list
    assert posts["ts"][0] == datetime(2024, 3, 5, 12, tzinfo=UTC)
    assert set(posts["account_id"]) == {"linkedin:me-1a2b"}
    rej = {r["line"]: r["reason"] for r in got["TOP POSTS"].rejects}
    assert set(rej) == {7, 8}
    assert "unparsable Post publish date '2024-03-14'" in rej[7]
    assert "no urn:li" in rej[8]
    assert all("no canonical table" in r["reason"] for r in got["DEMOGRAPHICS"].rejects)


def test_alone_the_rows_go_to_a_placeholder_account(tmp_path: Path):
    x = workbook_2024(tmp_path / "Content_2024-03-01_2024-03-31_Me Person.xlsx")
    wb = warmcall.load(x, cache=False)
    got = by_sheet(wb.report)
    assert (got["TOP POSTS"].rows_loaded, got["FOLLOWERS"].rows_loaded) == (3, 1)
    assert any("attached to linkedin:analytics" in n for n in got["FOLLOWERS"].notes)
    assert wb.accounts.select("account_id", "display_name", "followers").rows() == [
        ("linkedin:analytics", "your LinkedIn account (analytics files)", 1234)
    ]
    assert set(wb.posts["account_id"]) == {"linkedin:analytics"}
    for s in wb.report.sources:
        assert s.balanced


def test_2023_layout_and_real_dates(tmp_path: Path):
    x = workbook_2023(tmp_path / "Content_2023-04-01_2023-04-23_Me.xlsx")
    wb = warmcall.load(linkedin_export(tmp_path / "li"), x, cache=False)
    got = by_sheet(wb.report)
    assert {k: (s.rows_read, s.rows_loaded) for k, s in got.items()} == {
        "ENGAGEMENT": (1, 0),
        "FOLLOWERS": (2, 1),
        "DEMOGRAPHICS": (0, 0),
    }
    acc = wb.accounts.filter(pl.col("followers").is_not_null())
    assert acc["followers"].to_list() == [987]
    assert acc["snapshot_date"].to_list() == [date(2023, 4, 23)]


def test_other_workbooks_are_not_claimed_and_a_broken_one_is_one_line(tmp_path: Path):
    other = Workbook()
    other.active.title = "Budget"
    other.active.append(["a", 1])
    other.save(tmp_path / "budget.xlsx")
    with pytest.raises(warmcall.InputError, match="budget.xlsx"):
        warmcall.load(tmp_path / "budget.xlsx", cache=False)  # not recognised
    bad = tmp_path / "Content_broken.xlsx"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("xl/workbook.xml", "<not really")
    r = subprocess.run(
        [sys.executable, "-m", "warmcall.run.cli", "load", str(bad)], capture_output=True, text=True
    )
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Content_broken.xlsx" in r.stderr
    assert "not a readable .xlsx workbook" in r.stderr


def test_a_workbook_bomb_is_refused_before_parsing(tmp_path: Path, monkeypatch):
    x = workbook_2024(tmp_path / "Content_big.xlsx")
    monkeypatch.setenv("WARMCALL_MAX_UNZIP_MB", "0")  # not a positive number: the default
    warmcall.load(linkedin_export(tmp_path / "li"), x, cache=False)  # fine under the cap
    from warmcall.ingest.loaders import linkedin_analytics

    monkeypatch.setattr(linkedin_analytics, "MAX_XLSX_BYTES", 1000)  # smaller than its XML
    with pytest.raises(warmcall.InputError, match="decompresses to more than"):
        warmcall.load(x, cache=False)


def test_signals_follower_total_and_impressions_go_to_the_export_account(tmp_path: Path):
    # The data export declares its own signals; the workbook adds the follower total and
    # impressions for the same (the load's one) LinkedIn account.
    x = workbook_2024(tmp_path / "Content_2024-03-01_2024-03-31_Me Person.xlsx")
    wb = warmcall.load(linkedin_export(tmp_path / "li"), x, cache=False)
    got = {(r["account_id"], r["signal"]) for r in wb.signals.iter_rows(named=True)}
    assert got == {("linkedin:me-1a2b", s) for s in ("inbound", "followers", "impressions")}
