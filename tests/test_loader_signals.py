"""Signals the other loaders declare (FileReport.carries): a profiles file -> profiles, a
touchpoints log -> outbound per platform it names, canonical tables -> nothing."""

from __future__ import annotations

import json
from pathlib import Path

import warmcall
from fixtures_x_archive import BOB, write_zip


def _signals(wb: warmcall.Workbook, suffix: str) -> set[tuple[str, str]]:
    return {
        (d["account_id"], d["signal"])
        for s in wb.report.sources if s.path.endswith(suffix) for d in s.signals
    }  # fmt: skip


def test_profiles_and_touchpoints_with_an_archive(tmp_path: Path) -> None:
    archive = write_zip(tmp_path / "twitter.zip")
    users = tmp_path / "users.jsonl"
    users.write_text(json.dumps({"id": BOB, "username": "bob", "name": "Bob"}) + "\n")
    touch = tmp_path / "touchpoints.csv"
    touch.write_text("date,platform,handle,channel,note\n2023-09-01,x,bob,call,\n")
    wb = warmcall.load(archive, users, touch, cache=False)
    assert _signals(wb, "users.jsonl") == {("x:alice", "profiles")}
    assert _signals(wb, "touchpoints.csv") == {("x:alice", "outbound")}
    assert ("x:alice", "profiles") not in _signals(wb, "tweets.js")  # the archive never says so


def test_canonical_tables_declare_nothing(tmp_path: Path) -> None:
    (tmp_path / "connections.csv").write_text(
        "account_id,platform,contact_id,follows_me\nx:me,x,1,true\n"
    )
    wb = warmcall.load(tmp_path, cache=False)
    assert wb.connections.height == 1
    assert wb.report.signals().height == 0
