"""Posting activity of contacts' profiles: the documented per-profile fields (X API v1.1
``statuses_count`` and ``status.created_at``; v2 ``public_metrics.tweet_count``; Mastodon
``statuses_count`` and ``last_status_at``; Bluesky ``postsCount`` of a detailed profile view)
become ``contact_posts`` / ``contact_last_post_at`` of the connections; unreadable values are
null and counted in a note; several profiles of one contact keep the largest count and the
latest post; a canonical ``connections.csv`` and the table cache carry both columns."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
import warmcall
from helpers import cached_export
from test_loader_bluesky import BOB, CAROL, FRANK, follower, page
from warmcall.ingest.loaders.profiles import UNREADABLE_ACTIVITY
from warmcall.ingest.workbook import LazyWorkbook

CONNECTIONS = (
    "account_id,platform,contact_id,follows_me\n"
    + "".join(f"x:me,x,{i},true\n" for i in range(101, 108))
    + "".join(
        f"mastodon:me@example.social,mastodon,{a},true\n"
        for a in ("ann@one.example", "ben@one.example", "cat@one.example", "dan@one.example")
    )
)
# X API v1.1 user objects (developer.x.com "User object"): `status` is the latest tweet,
# absent for protected accounts and for accounts without tweets.
X1 = [
    {"id": 101, "id_str": "101", "screen_name": "u101", "statuses_count": 1234,
     "status": {"created_at": "Wed Oct 10 20:19:24 +0000 2018", "id_str": "1"}},
    {"id": 102, "id_str": "102", "screen_name": "u102", "statuses_count": 0},
    {"id": 103, "id_str": "103", "screen_name": "u103", "statuses_count": 5, "protected": True},
    {"id": 104, "id_str": "104", "screen_name": "u104", "statuses_count": 9,
     "status": {"created_at": "yesterday"}},  # unreadable date
    {"id": 105, "id_str": "105", "screen_name": "u105", "statuses_count": "many"},  # unreadable
    {"id": 106, "id_str": "106", "screen_name": "u106", "statuses_count": 3,
     "status": {"created_at": "Mon Jan 01 00:00:00 +0000 1990"}},  # before 2000: implausible
]  # fmt: skip
# X API v2 user objects: public_metrics.tweet_count, no last-post date.
X2 = {"data": [{"id": "107", "username": "u107",
                "public_metrics": {"followers_count": 1, "following_count": 2, "tweet_count": 77}}],
      "meta": {"result_count": 1}}  # fmt: skip
# Mastodon API accounts: last_status_at is a date since 3.1, a datetime before; null when
# the account never posted.
MASTODON = [
    {"id": "1", "username": "ann", "acct": "ann@one.example", "statuses_count": 40,
     "last_status_at": "2019-11-24"},
    {"id": "2", "username": "ben", "acct": "ben@one.example", "statuses_count": 7,
     "last_status_at": "2019-11-24T15:17:52.000Z"},
    {"id": "3", "username": "cat", "acct": "cat@one.example", "statuses_count": 0,
     "last_status_at": None},
    {"id": "4", "username": "dan", "acct": "dan@one.example", "statuses_count": -1,
     "last_status_at": "2019-13-45"},  # -1: hidden (unknown, no note); the date: unreadable
]  # fmt: skip


def _expected() -> dict[str, tuple[int | None, datetime | None]]:
    """By hand from the objects above (the documented meanings)."""
    return {
        "101": (1234, datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)),
        "102": (0, None),
        "103": (5, None),
        "104": (9, None),
        "105": (None, None),
        "106": (3, None),
        "107": (77, None),
        "ann@one.example": (40, datetime(2019, 11, 24, tzinfo=UTC)),
        "ben@one.example": (7, datetime(2019, 11, 24, 15, 17, 52, tzinfo=UTC)),
        "cat@one.example": (0, None),
        "dan@one.example": (None, None),
    }


def _export(tmp_path: Path) -> Path:
    d = tmp_path / "export"
    d.mkdir()
    (d / "connections.csv").write_text(CONNECTIONS, encoding="utf-8")
    (d / "x_users.json").write_text(json.dumps(X1), encoding="utf-8")
    (d / "x_users_v2.json").write_text(json.dumps(X2), encoding="utf-8")
    (d / "mastodon_accounts.json").write_text(json.dumps(MASTODON), encoding="utf-8")
    return d


def _activity(wb: warmcall.Workbook) -> dict[str, tuple[int | None, datetime | None]]:
    c = wb.connections
    return {
        r["contact_id"]: (r["contact_posts"], r["contact_last_post_at"])
        for r in c.iter_rows(named=True)
    }


def test_profile_activity_fields_load(tmp_path: Path) -> None:
    wb = warmcall.load(_export(tmp_path), cache=False)
    assert _activity(wb) == _expected()
    notes = {Path(s.path).name: s.notes for s in wb.report.sources}
    # unreadable: 104 (date), 105 (count), 106 (date before 2000); dan's date
    assert UNREADABLE_ACTIVITY.format("3 profiles") in notes["x_users.json"]
    assert UNREADABLE_ACTIVITY.format("1 profile") in notes["mastodon_accounts.json"]
    assert not any("unreadable" in n for n in notes["x_users_v2.json"])
    # every profile still loads: nothing rejected, nothing lost
    assert wb.report.rows_rejected == 0
    assert wb.report.rows_read == wb.report.rows_loaded + wb.report.rows_set_aside


def test_two_profiles_of_one_contact_keep_largest_count_and_latest_post(tmp_path: Path) -> None:
    d = tmp_path / "export"
    d.mkdir()
    (d / "connections.csv").write_text("account_id,platform,contact_id\nx:me,x,101\n")
    older = {"id_str": "101", "screen_name": "u", "statuses_count": 10,
             "status": {"created_at": "Sat Mar 02 08:00:00 +0000 2024"}}  # fmt: skip
    newer = {"id_str": "101", "screen_name": "u", "statuses_count": 12,
             "status": {"created_at": "Tue Jun 04 09:30:00 +0000 2024"}}  # fmt: skip
    (d / "a.json").write_text(json.dumps([newer]), encoding="utf-8")
    (d / "b.json").write_text(json.dumps([older]), encoding="utf-8")
    wb = warmcall.load(d, cache=False)
    assert _activity(wb) == {"101": (12, datetime(2024, 6, 4, 9, 30, tzinfo=UTC))}


def test_bluesky_posts_count_where_the_profile_view_has_it(tmp_path: Path) -> None:
    detailed = {**follower(BOB, "bob.example", "Bob"), "postsCount": 321}
    bad = {**follower(FRANK, "frank.example"), "postsCount": "lots"}
    plain = follower(CAROL, "carol.example")  # getFollowers' profileView: no counts
    (tmp_path / "f.json").write_text(json.dumps(page([detailed, bad, plain])), encoding="utf-8")
    wb = warmcall.load(tmp_path, cache=False)
    got = dict(zip(wb.connections["contact_id"], wb.connections["contact_posts"], strict=True))
    assert got == {BOB: 321, FRANK: None, CAROL: None}
    (rep,) = wb.report.sources
    assert UNREADABLE_ACTIVITY.format("1 follower profile") in rep.notes
    assert rep.rows_loaded == 3 and rep.balanced


CANONICAL = (
    "account_id,platform,contact_id,follows_me,contact_posts,contact_last_post_at\n"
    "x:me,x,1,true,15,2025-01-02T03:04:05Z\n"
    "x:me,x,2,true,0,\n"
    "x:me,x,3,true,,2024-12-31\n"
    "x:me,x,4,true,,\n"
)
INTER = "account_id,platform,contact_id,ts,kind,direction\nx:me,x,1,2026-11-01T10:00:00Z,dm,in\n"


def _plain_canonical() -> dict[str, tuple[int | None, datetime | None]]:
    out = {}
    for r in csv.DictReader(io.StringIO(CANONICAL)):
        t = r["contact_last_post_at"]
        when = None
        if t:
            when = datetime.fromisoformat(t).replace(tzinfo=UTC) if len(t) == 10 else (
                datetime.fromisoformat(t)
            )  # fmt: skip
        out[r["contact_id"]] = (int(r["contact_posts"]) if r["contact_posts"] else None, when)
    return out


@pytest.fixture
def canonical_export(tmp_path, monkeypatch) -> Path:
    return cached_export(
        tmp_path, monkeypatch, {"connections.csv": CANONICAL, "interactions.csv": INTER}
    )


def test_canonical_and_cache_round_trip(canonical_export: Path) -> None:
    want = _plain_canonical()
    plain = warmcall.load(canonical_export, cache=False)
    assert _activity(plain) == want
    warmcall.load(canonical_export)  # fills the cache
    cached = warmcall.load(canonical_export)
    assert isinstance(cached, LazyWorkbook)
    assert _activity(cached) == want
    assert cached.connections.equals(plain.connections)
    assert cached.connections.schema["contact_last_post_at"] == pl.Datetime("us", "UTC")


def test_canonical_unparsable_last_post_is_rejected_with_reason(tmp_path: Path) -> None:
    """A canonical table is validated like every column: a bad value is a reject, not a
    silent null."""
    d = tmp_path / "export"
    d.mkdir()
    (d / "connections.csv").write_text(
        "account_id,platform,contact_id,contact_last_post_at\nx:me,x,1,soon\nx:me,x,2,\n"
    )
    wb = warmcall.load(d, cache=False)
    assert wb.connections["contact_id"].to_list() == ["2"]
    (rep,) = wb.report.sources
    assert [r["reason"] for r in rep.rejects] == ["unparsable timestamp in contact_last_post_at"]


def test_mapped_profiles_carry_activity_and_reject_a_bad_date(tmp_path: Path) -> None:
    """A mapped profiles CSV (table: profiles) gives the two columns as text: parsed by the
    validator; a date that does not parse rejects that profile's row with the reason."""
    from warmcall.ingest.accounting import finalize
    from warmcall.ingest.enrich import enrich_profiles
    from warmcall.ingest.loaders import canonical, mapped
    from warmcall.ingest.loaders.base import LoadResult
    from warmcall.ingest.sources import Source

    exp = tmp_path / "export"
    exp.mkdir()
    (exp / "connections.csv").write_text(
        "account_id,platform,contact_id,follows_me\nx:me,x,1,true\nx:me,x,2,true\n"
    )
    tool = tmp_path / "tool.csv"
    tool.write_text("id,posts,last\n1,8,2023-05-06\n2,3,not a date\n")
    mapping = {"platform": "x", "table": "profiles",
               "columns": {"contact_id": "id", "contact_posts": "posts",
                           "contact_last_post_at": "last"}}  # fmt: skip
    res = LoadResult()
    res.extend(canonical.load(Source.open(exp)))
    res.extend(mapped.load_mapped(Source.open(tool), mapping))
    enrich_profiles(res)
    tables, report = finalize(res)
    c = tables["connections"].sort("contact_id")
    got = list(zip(c["contact_posts"], c["contact_last_post_at"], strict=True))
    assert got == [(8, datetime(2023, 5, 6, tzinfo=UTC)), (None, None)]
    src = next(s for s in report.sources if s.path == str(tool))
    assert src.rejects == [{"line": 3, "reason": "unparsable timestamp in contact_last_post_at"}]
