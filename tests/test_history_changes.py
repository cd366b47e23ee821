"""Who came and who left (warmcall.model.changes, warmcall.present.history): a report set
run twice (tests/fixtures_history.py: followers removed and added between the runs, a later
as-of date). Expected lists are computed from the fixture's own usernames with Python sets,
not from the output."""

from __future__ import annotations

import json

import polars as pl
import pytest
from fixtures_history import RUN1, RUN2, SET, run_twice, write_export
from warmcall.model import changes
from warmcall.model.pipeline import analyse
from warmcall.present import datafiles, history


@pytest.fixture(scope="module")
def twice(tmp_path_factory):
    t = run_twice(tmp_path_factory.mktemp("hist"))
    return t.ch1, t.ch2, t.out1, t.out2


def _ids(ch, kind: str) -> set[str]:
    return set(ch.people.filter(pl.col("change") == kind)["contact_id"])


def test_the_lists_are_exactly_who_came_and_who_left(twice) -> None:
    _, ch, _, _ = twice
    f1, f2 = set(RUN1["followers"]), set(RUN2["followers"])
    m1 = f1 & set(RUN1["following"])
    m2 = f2 & set(RUN2["following"])
    assert ch.since == RUN1["as_of"]
    assert _ids(ch, "new follower") == f2 - f1 == {"hana", "ivan", "jack"}
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


def test_the_exports_own_unfollowed_list(twice) -> None:
    """First run: all of Instagram's recently_unfollowed_accounts.json; later runs: those
    unfollowed after the previous run."""
    first, ch, out1, out2 = twice
    assert set(first.unfollowed_by_you["contact_id"]) == {u for u, _ in RUN1["unfollowed"]}
    after = {u for u, d in RUN2["unfollowed"] if d > RUN1["as_of"]}
    assert set(ch.unfollowed_by_you["contact_id"]) == after == {"gus"}
    assert ch.unfollowed_by_you["when"].cast(str).to_list() == ["2026-07-10"]
    m1 = json.loads((out1 / "metrics.json").read_text())["since_last_run"]
    assert m1["counts"]["you unfollowed (export list)"] == len(RUN1["unfollowed"])
    got = pl.read_csv(out1 / "data" / "unfollowed_by_you.csv")
    assert set(got["id"]) == {u for u, _ in RUN1["unfollowed"]}


def test_overview_sections_list_each_kind_with_its_file(twice) -> None:
    _, ch, _, out2 = twice
    got = {h: (t, link) for h, t, link in history.changes_sections(ch, out2)}
    datafiles.finish_writes()
    f1, f2 = set(RUN1["followers"]), set(RUN2["followers"])
    assert set(got["3 new followers"][0]["id"]) == f2 - f1
    assert got["2 unfollowers"][1] == "data/unfollowers.csv"
    assert got["1 contact warmed up"][0]["handle"].to_list() == ["dave"]
    assert got["1 contact cooled down"][1] == "data/stage_moves.csv"
    assert set(got["1 account you unfollowed (the export's own list)"][0]["id"]) == {"gus"}
    for _, link in got.values():
        assert (out2 / link).is_file()
    assert all(link is None for _, _, link in history.changes_sections(ch, ""))


def test_sentences_are_true_for_the_data(twice) -> None:
    first, ch, _, _ = twice
    assert first.since is None
    assert history.changes_sentence(first) == (
        "No earlier run of this report set: who came and who left appears from the next run "
        "on. Your Instagram export lists 2 accounts you unfollowed recently."
    )
    assert history.changes_sentence(ch) == (
        f"Since the run of {RUN1['as_of']}: 3 new followers, 2 unfollowers; 1 new mutual, "
        "2 lost mutuals. 1 contact warmed up and 1 contact cooled down (moved to a warmer or "
        f"cooler stage). Your Instagram export lists 1 account you unfollowed since {RUN1['as_of']}."
    )


def test_metrics_and_data_files_hold_the_lists(twice) -> None:
    _, _, out1, out2 = twice
    m1 = json.loads((out1 / "metrics.json").read_text())["since_last_run"]
    assert m1["since"] is None
    assert {k: v for k, v in m1["counts"].items() if "export list" not in k} == dict.fromkeys(
        ("new follower", "unfollowed you", "new mutual", "lost mutual", "warmed up", "cooled down")
    )
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


def test_redacted_runs_name_nobody_from_the_export_list(tmp_path) -> None:
    """redact: true: the export's own unfollowed list carries the same keyed pseudonyms as
    the scores, and no username of the fixture appears."""
    data = write_export(tmp_path / "ex", RUN2)
    a = analyse({"data": [str(data)], "as_of": RUN2["as_of"], "redact": True,
                 "redact_key_file": str(tmp_path / "key")})  # fmt: skip
    out = tmp_path / "reports" / RUN2["as_of"] / SET
    out.mkdir(parents=True)
    ch = history.changes_since_last_run(a, out, SET)
    datafiles.finish_writes()
    ids = set(ch.unfollowed_by_you["contact_id"])
    assert len(ids) == len(RUN2["unfollowed"])
    raw = {u for u, _ in RUN2["unfollowed"]}
    assert not ids & raw and not set(ch.unfollowed_by_you["handle"]) & raw
    # gus is still a contact: his pseudonym is the one the scores carry
    assert ids & set(a.scores["contact_id"])
