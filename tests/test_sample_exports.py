"""Round trip of the whole story: generator → real export layouts → loaders → the
generator's own tables, on what each format carries."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import warmcall as wc
from warmcall.sample.exports import write_exports
from warmcall.sample.story import OWN, generate


@pytest.fixture(scope="module")
def story_and_loaded(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, wc.Workbook]:
    tables = generate(seed=3)
    d: Path = tmp_path_factory.mktemp("exports")
    write_exports(tables, d)
    return tables, wc.load(d)


def _ids(df: pl.DataFrame, platform: str, cond: pl.Expr) -> set[str]:
    return set(df.filter((pl.col("platform") == platform) & cond)["contact_id"])


def test_every_row_accounted(story_and_loaded) -> None:
    _, wb = story_and_loaded
    for s in wb.report.sources:
        assert s.rows_read == s.rows_loaded + s.rows_rejected
    assert wb.report.rows_rejected == 0


@pytest.mark.parametrize("platform", ["x", "instagram", "linkedin"])
def test_followers_round_trip(story_and_loaded, platform: str) -> None:
    tables, wb = story_and_loaded
    want = _ids(tables["connections"], platform, pl.col("follows_me"))
    assert _ids(wb.connections, platform, pl.col("follows_me").fill_null(False)) == want


def test_mastodon_following_round_trip(story_and_loaded) -> None:
    tables, wb = story_and_loaded
    want = _ids(tables["connections"], "mastodon", pl.col("i_follow"))
    assert _ids(wb.connections, "mastodon", pl.col("i_follow").fill_null(False)) == want


@pytest.mark.parametrize("platform", ["x", "instagram", "linkedin"])
def test_dms_round_trip(story_and_loaded, platform: str) -> None:
    tables, wb = story_and_loaded

    def count(df: pl.DataFrame) -> dict:
        d = df.filter((pl.col("platform") == platform) & (pl.col("kind") == "dm"))
        return {(c, dr): n for c, dr, n in d.group_by("contact_id", "direction").len().iter_rows()}

    assert count(wb.interactions) == count(tables["interactions"])


def test_x_enrichment_and_accounts(story_and_loaded) -> None:
    tables, wb = story_and_loaded
    story = (
        tables["connections"]
        .filter(pl.col("platform") == "x")
        .select("contact_id", "handle", "contact_followers")
    )
    got = wb.connections.filter(pl.col("platform") == "x").select(
        "contact_id", "handle", "contact_followers"
    )
    assert got.sort("contact_id").equals(story.sort("contact_id"))
    own = {f"{p}:{h}" for p, h in OWN.items()}
    assert set(wb.connections["account_id"]) == own
    # a subscriber list names no account details: every other account has its row
    assert set(wb.accounts["account_id"]) == own - {f"newsletter:{OWN['newsletter']}"}


@pytest.mark.parametrize("platform", ["bluesky", "newsletter"])
def test_followers_and_following_round_trip_new_platforms(story_and_loaded, platform: str) -> None:
    """The Bluesky followers page and the Substack list give back the story's followers; the
    Bluesky repository its follows (the newsletter follows nobody)."""
    tables, wb = story_and_loaded
    for col in ("follows_me", "i_follow"):
        want = _ids(tables["connections"], platform, pl.col(col))
        assert _ids(wb.connections, platform, pl.col(col).fill_null(False)) == want, col
    assert _ids(tables["connections"], platform, pl.col("follows_me"))


def test_bluesky_outbound_round_trip(story_and_loaded) -> None:
    """Replies, mentions, quotes (share) and likes you sent on Bluesky come back per person
    and kind from the repository; nothing inbound does (the repository holds only yours).
    Expected: counted in the story's own table."""
    tables, wb = story_and_loaded

    def count(df: pl.DataFrame) -> dict:
        d = df.filter(pl.col("platform") == "bluesky")
        return {
            (c, k, dr): n
            for c, k, dr, n in d.group_by("contact_id", "kind", "direction").len().iter_rows()
        }

    # DMs are Bluesky chat, which the repository does not hold
    want = {
        k: n for k, n in count(tables["interactions"]).items() if k[2] == "out" and k[1] != "dm"
    }
    assert want and count(wb.interactions) == want


def test_touchpoints_all_loaded(story_and_loaded) -> None:
    tables, wb = story_and_loaded
    tp = wb.interactions.filter(pl.col("source").str.contains("touchpoints.csv"))
    assert tp.height == tables["touchpoints"].height
