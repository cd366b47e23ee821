"""Canonical CSV/Parquet loader, touchpoints, load accounting and the `warmcall load` CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest
import warmcall as wc
from warmcall.core.errors import InputError

CONNECTIONS = """account_id,platform,contact_id,handle,follows_me,i_follow,contact_followers
x:me,x,1,bob,true,true,120
x:me,x,2,carol,true,false,
x:me,x,,nobody,true,false,5
x:me,x,3,dave,yes,no,-4
"""
# hand count: 4 rows read; line 4 missing contact_id, line 5 negative count -> 2 loaded, 2 rejected

INTERACTIONS = """account_id,platform,contact_id,ts,kind,direction,post_id,source
x:me,x,1,2026-03-01T10:00:00Z,dm,in,,
x:me,x,1,2026-03-01T10:00:00Z,dm,in,,
x:me,x,2,"2026-03-02T09:00:00+01:00",reply,in,p1,
x:me,x,9,2026-03-03,poke,in,,
"""
# hand count: 4 read; line 3 duplicate of line 2, line 5 unknown kind -> 2 loaded, 2 rejected

TOUCHPOINTS = """date,platform,handle,channel,note
2026-03-04,x,@Bob,coffee,"talked about Q2, survey"
2026-03-05,x,erin,Phone,
2026-03-06,x,bob,pigeon,
2026-03-07,linkedin,frank,call,
"""
# hand count: 4 read; bob -> contact 1 (meeting); erin -> not a connection, kept (call);
# pigeon -> unknown channel; linkedin -> no linkedin account loaded. 2 loaded, 2 rejected.


def write(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "connections.csv").write_text(CONNECTIONS)
    (folder / "interactions.csv").write_bytes(
        b"\xef\xbb\xbf" + INTERACTIONS.replace("\n", "\r\n").encode()
    )
    (folder / "touchpoints.csv").write_text(TOUCHPOINTS)
    return folder


def test_folder_accounting_by_hand(tmp_path: Path) -> None:
    wb = wc.load(write(tmp_path / "exp"))
    by = {Path(s.path).name: s for s in wb.report.sources}
    assert (by["connections.csv"].rows_read, by["connections.csv"].rows_loaded) == (4, 2)
    assert [r["line"] for r in by["connections.csv"].rejects] == [4, 5]
    assert (by["interactions.csv"].rows_read, by["interactions.csv"].rows_loaded) == (4, 2)
    assert {r["reason"] for r in by["interactions.csv"].rejects} == {
        "exact duplicate row",
        "unknown kind 'poke'",
    }
    tp = by["touchpoints.csv"]
    assert (tp.rows_read, tp.rows_loaded, tp.rows_rejected) == (4, 2, 2)
    reasons = sorted(r["reason"] for r in tp.rejects)
    assert reasons[0].startswith("no linkedin account")
    assert reasons[1].startswith("unknown touchpoint channel 'pigeon'")
    for s in wb.report.sources:
        assert s.rows_read == s.rows_loaded + s.rows_rejected
    touch = wb.interactions.filter(pl.col("source").str.contains("touchpoints"))
    assert sorted(zip(touch["contact_id"], touch["kind"], strict=True)) == [
        ("1", "meeting"),
        ("erin", "call"),
    ]
    assert (touch["direction"] == "out").all()
    assert wb.interactions.filter(pl.col("contact_id") == "2")["ts"][0].hour == 8  # +01:00 -> UTC


def test_zip_and_parquet(tmp_path: Path) -> None:
    folder = write(tmp_path / "exp")
    pl.read_csv(folder / "connections.csv").write_parquet(folder / "connections.parquet")
    (folder / "connections.csv").unlink()
    z = tmp_path / "exp.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f"export/{f.name}")
    wb = wc.load(z)
    conn = next(s for s in wb.report.sources if s.path.endswith("connections.parquet"))
    assert (conn.rows_read, conn.rows_loaded, conn.rows_rejected) == (4, 2, 2)
    assert "!" in conn.path  # members of a zip are named zip!member


def test_missing_required_column_is_fatal(tmp_path: Path) -> None:
    (tmp_path / "interactions.csv").write_text(
        "account_id,platform,ts,kind\nx:me,x,2026-01-01,like\n"
    )
    with pytest.raises(
        InputError, match=r"interactions.csv: missing required column\(s\) contact_id"
    ):
        wc.load(tmp_path)


def test_not_an_export(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputError, match="not a recognised export"):
        wc.load(tmp_path)


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "warmcall.run.cli", *args], capture_output=True, text=True
    )


def test_cli_json_and_out(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = run_cli("load", str(write(tmp_path / "exp")), "--json", "--out", str(out))
    assert r.returncode == 0, r.stderr
    rep = json.loads(r.stdout)
    for s in rep["sources"]:
        assert set(s) >= {"path", "format", "rows_read", "rows_loaded", "rows_rejected", "rejects"}
        assert s["rows_read"] == s["rows_loaded"] + s["rows_rejected"]
        for rj in s["rejects"]:
            assert set(rj) == {"line", "reason"}
    assert rep["rows_read"] == 12
    for t in ("accounts", "connections", "interactions", "posts"):
        assert pl.read_parquet(out / f"{t}.parquet").columns == wc.Workbook().tables()[t].columns
    assert json.loads((out / "load-report.json").read_text()) == rep


@pytest.mark.parametrize(
    ("content", "pattern"),
    [
        (b"", "empty file"),
        (b"this is not a zip at all", "not a readable zip archive"),
        (b"PK\x03\x04garbage", "not a readable zip archive"),
    ],
)
def test_cli_fatal_is_one_line(tmp_path: Path, content: bytes, pattern: str) -> None:
    bad = tmp_path / "export.zip"
    bad.write_bytes(content)
    r = run_cli("load", str(bad))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert str(bad) in lines[0] and pattern in lines[0]
    assert "Traceback" not in r.stderr


def test_touchpoint_on_a_shared_handle_goes_to_the_first_connection(tmp_path: Path) -> None:
    """Two connections holding one handle (a renamed account, a reused handle): the touchpoint
    goes to the first in load order, the same one on every run (the rule in resolve.py)."""
    rows = [f"x:me,x,{i},filler{i},true,false" for i in range(300)]
    rows[150] = "x:me,x,first,Vic_E,true,false"
    rows[250] = "x:me,x,second,vic_e,true,false"
    d = tmp_path / "exp"
    d.mkdir()
    (d / "connections.csv").write_text(
        "account_id,platform,contact_id,handle,follows_me,i_follow\n" + "\n".join(rows) + "\n"
    )
    (d / "touchpoints.csv").write_text(
        "date,platform,handle,channel,note\n2026-03-04,x,@vic_e,call,\n"
    )
    for _ in range(5):
        wb = wc.load(d, cache=False)
        got = wb.interactions.filter(pl.col("kind") == "call")["contact_id"].to_list()
        assert got == ["first"]
