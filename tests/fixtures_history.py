"""A report set run twice, for the history tests (test_history_changes, test_cards,
test_index_numbers): an Instagram export written from the documented layout
(followers_1.json, following.json, personal_information.json) plus a touchpoints.csv log,
with followers removed and added between the runs and a later as-of date."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warmcall.model.pipeline import analyse
from warmcall.present import datafiles, history

SET = "weekly"
ME = "alice"
RUN1 = {"as_of": "2026-06-01", "followers": ["bob", "carol", "dave", "erin", "gus"],
        "following": ["bob", "carol", "frank", "gus"],
        # carol's call is within 365 days of run 1 and older than that at run 2: she cools
        # down; dave's call is after run 1's as-of date: he warms up
        "touchpoints": [("2025-06-15", "carol"), ("2026-07-20", "dave")],
        # Instagram's own list of accounts you unfollowed (username, date)
        "unfollowed": [("zoe", "2026-05-20"), ("yuri", "2026-04-01")]}  # fmt: skip
RUN2 = {"as_of": "2026-08-01", "followers": ["bob", "dave", "gus", "hana", "ivan", "jack"],
        "following": ["bob", "carol", "frank", "hana"],
        "touchpoints": RUN1["touchpoints"],
        "unfollowed": [("zoe", "2026-05-20"), ("gus", "2026-07-10")]}  # fmt: skip


def _epoch(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()) + 3600


def _entry(user: str, ts: int) -> dict:
    return {"title": "", "media_list_data": [], "string_list_data": [
        {"href": f"https://www.instagram.com/{user}", "value": user, "timestamp": ts}]}  # fmt: skip


def write_export(root: Path, run: dict) -> Path:
    """A 2024-tree Instagram export folder and a touchpoints.csv beside it."""
    ig = root / "instagram-alice-2026" / "connections" / "followers_and_following"
    ig.mkdir(parents=True)
    (ig / "followers_1.json").write_text(
        json.dumps([_entry(u, 1700000000 + i) for i, u in enumerate(run["followers"])])
    )
    (ig / "following.json").write_text(json.dumps({"relationships_following": [
        _entry(u, 1700001000 + i) for i, u in enumerate(run["following"])]}))  # fmt: skip
    (ig / "recently_unfollowed_accounts.json").write_text(json.dumps({
        "relationships_unfollowed_users": [_entry(u, _epoch(d)) for u, d in run["unfollowed"]]}))  # fmt: skip
    prof = root / "instagram-alice-2026" / "personal_information" / "personal_information"
    prof.mkdir(parents=True)
    (prof / "personal_information.json").write_text(json.dumps({"profile_user": [{
        "media_map_data": {}, "title": "", "string_map_data": {
            "Username": {"href": "", "value": ME, "timestamp": 0},
            "Name": {"href": "", "value": "Alice Example", "timestamp": 0}}}]}))  # fmt: skip
    lines = ["date,platform,handle,channel,note"]
    lines += [f"{d},instagram,{u},call," for d, u in run["touchpoints"]]
    (root / "touchpoints.csv").write_text("\n".join(lines) + "\n")
    return root


def run_set(tmp: Path, run: dict, name: str):
    data = write_export(tmp / name, run)
    a = analyse({"data": [str(data)], "as_of": run["as_of"], "window_days": 90})
    out = tmp / "reports" / run["as_of"] / SET
    out.mkdir(parents=True)
    return a, out


@dataclass
class Twice:
    a1: object
    a2: object
    ch1: history.NetworkChanges
    ch2: history.NetworkChanges
    out1: Path
    out2: Path


def run_twice(tmp: Path) -> Twice:
    """Both runs as the overview notebook does them: changes, snapshot, metrics."""
    a1, out1 = run_set(tmp, RUN1, "run1")
    ch1 = history.changes_since_last_run(a1, out1, SET)
    datafiles.finish_writes()
    history.save_snapshot(a1, out1)
    history.save_changes(ch1, out1)
    history.save_metrics(a1, out1)
    a2, out2 = run_set(tmp, RUN2, "run2")
    ch2 = history.changes_since_last_run(a2, out2, SET)
    datafiles.finish_writes()
    history.save_snapshot(a2, out2)
    history.save_changes(ch2, out2)
    history.save_metrics(a2, out2)
    return Twice(a1, a2, ch1, ch2, out1, out2)
