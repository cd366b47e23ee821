"""Who came and who left (warmcall.model.changes, warmcall.present.history): a report set
run twice on an Instagram export written here from the documented layout (followers_1.json,
following.json, personal_information.json) plus a touchpoints.csv log, with followers removed
and added between the runs and a later as-of date. Expected lists are computed from the
fixture's own usernames with Python sets, not from the output."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from warmcall.model import changes
from warmcall.model.pipeline import analyse
from warmcall.present import history

SET = "weekly"
ME = "alice"
RUN1 = {"as_of": "2026-06-01", "followers": ["bob", "carol", "dave", "erin", "gus"],
        "following": ["bob", "carol", "frank", "gus"],
        # carol's call is within 365 days of run 1 and older than that at run 2: she cools
        # down; dave's call is after run 1's as-of date: he warms up
        "touchpoints": [("2025-06-15", "carol"), ("2026-07-20", "dave")]}  # fmt: skip
RUN2 = {"as_of": "2026-08-01", "followers": ["bob", "dave", "gus", "hana", "ivan"],
        "following": ["bob", "carol", "frank", "hana"],
        "touchpoints": RUN1["touchpoints"]}  # fmt: skip


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


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("hist")
    a1, out1 = run_set(tmp, RUN1, "run1")
    ch1 = history.changes_since_last_run(a1, out1, SET)
    history.save_snapshot(a1, out1)
    history.save_changes(ch1, out1)
    a2, out2 = run_set(tmp, RUN2, "run2")
    ch2 = history.changes_since_last_run(a2, out2, SET)
    history.save_changes(ch2, out2)
    return ch1, ch2, out1, out2


def _ids(ch, kind: str) -> set[str]:
    return set(ch.people.filter(pl.col("change") == kind)["contact_id"])


def test_the_lists_are_exactly_who_came_and_who_left(twice) -> None:
    _, ch, _, _ = twice
    f1, f2 = set(RUN1["followers"]), set(RUN2["followers"])
    m1 = f1 & set(RUN1["following"])
    m2 = f2 & set(RUN2["following"])
    assert ch.since == RUN1["as_of"]
    assert _ids(ch, "new follower") == f2 - f1 == {"hana", "ivan"}
    assert _ids(ch, "unfollowed you") == f1 - f2 == {"carol", "erin"}
    assert _ids(ch, "new mutual") == m2 - m1 == {"hana"}
    assert _ids(ch, "lost mutual") == m1 - m2 == {"carol", "gus"}
    assert ch.people.height == len(f2 - f1) + len(f1 - f2) + len(m2 - m1) + len(m1 - m2)
    assert set(ch.people["platform"]) == {"instagram"}


def test_stage_moves_warmed_up_and_cooled_down(twice) -> None:
    _, ch, _, _ = twice
    up = ch.moves.filter(pl.col("direction") == "up")
    down = ch.moves.filter(pl.col("direction") == "down")
    assert up["contact_id"].to_list() == ["dave"] and up["to"].to_list() == ["trusted"]
    assert down["contact_id"].to_list() == ["carol"] and down["from"].to_list() == ["trusted"]
    assert ch.moves.height == 2


def test_sentences_are_true_for_the_data(twice) -> None:
    first, ch, _, _ = twice
    assert first.since is None
    assert history.changes_sentence(first).startswith("No earlier run of this report set")
    assert history.changes_sentence(ch) == (
        f"Since the run of {RUN1['as_of']}: 2 new followers, 2 unfollowers; 1 new mutual, "
        "2 lost mutuals. 1 contact warmed up and 1 contact cooled down (moved to a warmer or "
        "cooler stage)."
    )


def test_metrics_and_data_files_hold_the_lists(twice) -> None:
    _, _, out1, out2 = twice
    m1 = json.loads((out1 / "metrics.json").read_text())["since_last_run"]
    assert m1["since"] is None and set(m1["counts"].values()) == {None}
    m2 = json.loads((out2 / "metrics.json").read_text())["since_last_run"]
    f1, f2 = set(RUN1["followers"]), set(RUN2["followers"])
    assert m2["counts"]["new follower"] == len(f2 - f1)
    assert m2["counts"]["unfollowed you"] == len(f1 - f2)
    assert {r["id"] for r in m2["lists"]["unfollowed you"]} == f1 - f2
    assert m2["files"]["new follower"] == "data/new_followers.csv"
    got = pl.read_csv(out2 / "data" / "new_followers.csv")
    assert set(got["id"]) == f2 - f1
    assert set(pl.read_csv(out2 / "data" / "stage_moves.csv")["contact_id"]) == {"carol", "dave"}


def test_no_follower_list_is_not_in_this_export() -> None:
    snap = pl.DataFrame({"account_id": ["m:me"] * 2, "platform": ["mastodon"] * 2,
                         "contact_id": ["a", "b"], "handle": ["a", "b"],
                         "display_name": [None, None], "follows_me": [None, None],
                         "i_follow": [True, True], "stage": ["connection"] * 2},
                        schema=changes.SNAPSHOT_SCHEMA)  # fmt: skip
    later = snap.with_columns(contact_id=pl.Series(["a", "c"]))
    ch = history.NetworkChanges(
        "2026-01-01",
        changes.network_changes(snap, later),
        changes.stage_moves(snap, later),
        changes.comparable(snap, later).with_columns(platform=pl.lit("mastodon")),
    )
    assert ch.people.height == 0
    assert ch.counts()["new follower"] is None and ch.counts()["new mutual"] is None
    s = history.changes_sentence(ch)
    assert "followers: not in this export" in s and "mutuals: not in this export" in s


def test_a_snapshot_without_follow_flags_compares_nothing() -> None:
    """An earlier run stored only (account_id, contact_id, stage): no follower changes."""
    old = pl.DataFrame({"account_id": ["i:me"], "contact_id": ["a"], "stage": ["trusted"]})
    now = changes.snapshot(pl.DataFrame({"account_id": ["i:me"], "platform": ["instagram"],
        "contact_id": ["a"], "follows_me": [True], "i_follow": [True], "stage": ["engaged"]}))  # fmt: skip
    prev = changes.snapshot(old)
    assert changes.network_changes(prev, now).height == 0
    assert changes.stage_moves(prev, now)["direction"].to_list() == ["down"]
