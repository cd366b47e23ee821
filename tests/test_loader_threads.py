"""Threads inside an Instagram "Download your information" export (JSON). The fixture is
written here in the documented layout (``your_instagram_activity/threads/…``, Meta's
mojibake included); expected counts come from counting the fixture lists with plain Python."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import polars as pl
import pytest
import warmcall
from warmcall.core.errors import InputError
from warmcall.ingest.loaders import LOADERS, meta, threads
from warmcall.ingest.loaders.meta_common import break_tree
from warmcall.ingest.sources import Source
from warmcall.run import cli

ME = "alice.example"
ZIP = f"instagram-{ME}-2025-08-24-AbCdEfGh.zip"
T = "your_instagram_activity/threads/"
T0 = 1_754_466_859  # 2025-08-06


def sld(href: str | None = None, value: str | None = None, ts: int | None = T0) -> dict:
    d: dict = {}
    if href is not None:
        d["href"] = href
    if value is not None:
        d["value"] = value
    if ts is not None:
        d["timestamp"] = ts
    return d


def entry(title: str, *items: dict) -> dict:
    return {"title": title, "media_list_data": [], "string_list_data": list(items)}


POSTS = [
    {"media": [{"uri": "", "creation_timestamp": T0, "title": "agreed \u2014 sync with @pine.marten.",
                "text_app_post": {"reply_control": "everyone", "is_reply": True}}]},
    {"title": f"caf\u00e9 day @River_Otter and me @{ME}", "creation_timestamp": T0 + 100,
     "media": [{"uri": "media/posts/202508/x.jpg", "creation_timestamp": T0 + 100, "title": "",
                "text_app_post": {"is_reply": False}}]},
    {"media": [{"creation_timestamp": T0 + 200, "title": "same second, mail a@b.example"}]},
    {"media": [{"creation_timestamp": T0 + 200, "title": "same second again"}]},
    {"media": [{"creation_timestamp": "yesterday", "title": "bad time"}]},
    "not an object",
]  # fmt: skip
# by hand: 6 read; 4 posts; mentions: pine.marten (1), river_otter (2); rejected 2
LIKES = [
    entry("river.otter", sld("https://www.threads.com/@river.otter/post/DAbCdEf", "\U0001f44d")),
    entry("Stranger One", sld("https://www.threads.net/stranger")),  # no author: set aside
    entry("", sld(f"https://www.threads.net/@{ME}/post/OWN1")),  # own post: set aside
    entry("badger.x", sld("https://www.threads.net/@badger.x/post/DZZZ", ts=None)),  # no time
]
FOLLOWERS = [
    entry("Pine Marten \u00e9cole", sld("https://www.threads.com/pine.marten", "pine.marten")),
    entry("heron.bird", sld("https://www.threads.net/heron.bird", ts=T0 + 5)),
    entry("River Otter", sld("https://www.threads.net/@River.Otter", None, T0 + 6)),
    entry("", sld(None, None)),  # no username at all: rejected
]
FOLLOWING = [
    entry("", sld("https://www.threads.com/river.otter", "River.Otter", T0 + 7)),
    entry("", sld("https://www.threads.com/newt", "newt", 0)),
]  # 0 = no time
UNFOLLOWED = [entry("", sld(None, "old.friend")), entry("", sld(None, "older.friend"))]
PROFILE = [{"media_map_data": {}, "string_map_data": {
    "Username": {"href": "", "value": ME, "timestamp": 0},
    "Name": {"href": "", "value": "Alice \u00c9xample", "timestamp": 0}}}]  # fmt: skip
IG_FOLLOWERS = [entry("", sld("https://www.instagram.com/ig_one", "ig_one")),
                entry("", sld("https://www.instagram.com/ig_two", "ig_two"))]  # fmt: skip

THREADS_FILES = {
    T + "threads_and_replies.json": {"text_post_app_text_posts": POSTS},
    T + "liked_threads.json": {"text_post_app_media_likes": LIKES},
    T + "followers.json": {"text_post_app_text_post_app_followers": FOLLOWERS},
    T + "following.json": {"text_post_app_text_post_app_following": FOLLOWING},
    T + "recently_unfollowed_profiles.json": {"text_post_app_text_post_app_unfollowed_users": UNFOLLOWED},
    T + "personal_information.json": {"text_post_app_text_post_app_profile": PROFILE},
}  # fmt: skip


def write_export(path: Path, files: dict[str, object]) -> Path:
    """Meta writes every non-ASCII character as its UTF-8 bytes escaped one by one."""
    with zipfile.ZipFile(path, "w") as zf:
        for name, obj in files.items():
            zf.writestr(name, json.dumps(break_tree(obj), ensure_ascii=True, indent=2))
    return path


@pytest.fixture
def export(tmp_path: Path) -> Path:
    files = {**THREADS_FILES,
             "connections/followers_and_following/followers_1.json": IG_FOLLOWERS}  # fmt: skip
    return write_export(tmp_path / ZIP, files)


def _rep(wb, suffix: str):
    (r,) = [s for s in wb.report.sources if s.path.endswith(suffix)]
    return r


def test_registered_and_detected(export: Path) -> None:
    assert threads in LOADERS
    assert threads.detect(Source.open(export))


def test_threads_inside_instagram_export(export: Path) -> None:
    wb = warmcall.load(export, cache=False)
    acct = f"threads:{ME}"
    # the Instagram loader loads Instagram's own file and claims none of Threads'
    others = [s.path for s in wb.report.sources if s.format != "threads"]
    assert others and not any("/threads/" in p for p in others)
    ig = wb.connections.filter(pl.col("platform") == "instagram")
    assert sorted(ig["contact_id"]) == ["ig_one", "ig_two"]

    # posts, counted independently: dict items whose time is a number
    good = [p for p in POSTS if isinstance(p, dict)
            and isinstance(p.get("creation_timestamp", p["media"][0].get("creation_timestamp")), int)]  # fmt: skip
    posts = wb.posts.filter(pl.col("platform") == "threads").sort("post_id")
    assert posts.height == len(good) == 4
    assert posts["post_id"].to_list() == sorted(
        [f"threads-{T0}", f"threads-{T0 + 100}", f"threads-{T0 + 200}", f"threads-{T0 + 200}-2"]
    )
    assert "café day" in posts.filter(pl.col("post_id") == f"threads-{T0 + 100}")["text"].item()
    rp = _rep(wb, "threads_and_replies.json")
    assert (rp.rows_read, rp.rows_loaded, rp.rows_rejected) == (len(POSTS), 4, 2)

    inter = wb.interactions.filter(pl.col("platform") == "threads").sort("kind", "contact_id")
    got = list(zip(inter["kind"], inter["contact_id"], strict=True))
    assert got == [("like", "river.otter"), ("mention", "pine.marten"), ("mention", "river_otter")]
    assert set(inter["account_id"]) == {acct} and set(inter["direction"]) == {"out"}

    lk = _rep(wb, "liked_threads.json")
    assert (lk.rows_read, lk.rows_loaded, lk.rows_set_aside, lk.rows_rejected) == (4, 1, 2, 1)
    assert {a["reason"] for a in lk.set_aside} == {threads.LIKE_REASON, threads.OWN_LIKE_REASON}

    con = wb.connections.filter(pl.col("platform") == "threads")
    rows = {r["contact_id"]: r for r in con.iter_rows(named=True)}
    assert set(rows) == {"pine.marten", "heron.bird", "river.otter", "newt"}
    assert rows["pine.marten"]["display_name"] == "Pine Marten école"  # mojibake repaired
    assert rows["river.otter"]["follows_me"] and rows["river.otter"]["i_follow"]  # mutual
    assert rows["heron.bird"]["i_follow"] is False  # the export has the following list
    assert rows["newt"]["connected_at"] is None and rows["newt"]["follows_me"] is False
    fo = _rep(wb, "threads/followers.json")
    assert (fo.rows_read, fo.rows_loaded, fo.rows_rejected) == (len(FOLLOWERS), 3, 1)

    un = _rep(wb, "recently_unfollowed_profiles.json")
    assert (un.rows_read, un.rows_set_aside) == (len(UNFOLLOWED), len(UNFOLLOWED))
    assert un.set_aside[0]["activity"] == "accounts you unfollowed"
    # ...and named, for the reports' who-came-and-who-left (the usernames of the fixture)
    listed = wb.report.listed_frame("accounts you unfollowed")
    assert sorted(listed["contact_id"]) == ["old.friend", "older.friend"]
    assert set(listed["platform"]) == {"threads"} and set(listed["account_id"]) == {acct}

    a = wb.accounts.filter(pl.col("platform") == "threads").row(0, named=True)
    assert (a["account_id"], a["handle"], a["display_name"]) == (acct, ME, "Alice Éxample")
    assert (a["followers"], a["following"]) == (3, 2)

    sig = wb.report.signals().filter(pl.col("platform") == "threads")
    assert set(sig["signal"]) == {"followers", "following", "outbound"}
    for s in wb.report.sources:
        assert s.balanced, s.path


def test_account_from_archive_name_without_profile(tmp_path: Path) -> None:
    files = {k: v for k, v in THREADS_FILES.items() if "personal_information" not in k}
    wb = warmcall.load(write_export(tmp_path / ZIP, files), cache=False)
    assert set(wb.connections["account_id"]) == {f"threads:{ME}"}
    assert wb.accounts.height == 0
    assert any("archive name" in n for s in wb.report.sources for n in s.notes)


def test_fallback_account_and_no_following_list(tmp_path: Path) -> None:
    files = {T + "followers.json": {"text_post_app_text_post_app_followers": FOLLOWERS}}
    wb = warmcall.load(write_export(tmp_path / "export.zip", files), cache=False)
    assert set(wb.connections["account_id"]) == {threads.FALLBACK_ACCOUNT}
    assert wb.connections["i_follow"].null_count() == wb.connections.height  # unknown
    assert set(wb.report.signals()["signal"]) == {"followers"}


def test_instagram_export_without_threads_is_not_claimed(tmp_path: Path) -> None:
    p = write_export(tmp_path / ZIP, {"connections/followers_and_following/followers_1.json":
                                      IG_FOLLOWERS})  # fmt: skip
    assert not threads.detect(Source.open(p))
    assert meta.detect(Source.open(p))


# ---------------------------------------------------------------------------------------
# hostile input
# ---------------------------------------------------------------------------------------
def test_truncated_file_is_one_line_error(tmp_path: Path) -> None:
    p = tmp_path / "export.zip"
    with zipfile.ZipFile(p, "w") as zf:
        zf.writestr(
            T + "followers.json", '{"text_post_app_text_post_app_followers": [{"title": "x", '
        )
    with pytest.raises(InputError, match=r"followers\.json: invalid or truncated JSON"):
        warmcall.load(p, cache=False)


def test_wrong_types_and_huge_numbers(tmp_path: Path) -> None:
    files = {
        T + "followers.json": {"text_post_app_text_post_app_followers": [
            entry("", sld(None, "big.time", 10**30)),  # beyond any date
            entry("", sld(None, "neg.time", -5)),  # not a count of seconds
            entry("", {"value": 12345, "timestamp": T0}),  # a number as username
            [1, 2],  # not an object
            entry("", sld(None, "fine.one", T0)),
        ]},
        T + "threads_and_replies.json": {"text_post_app_text_posts": [
            {"media": [{"creation_timestamp": 10**30, "title": "far"}]},
            {"media": "nope", "creation_timestamp": True, "title": "bool time"},
        ]},
    }  # fmt: skip
    wb = warmcall.load(write_export(tmp_path / "export.zip", files), cache=False)
    fo = _rep(wb, "followers.json")
    assert (fo.rows_read, fo.rows_loaded, fo.rows_rejected) == (5, 1, 4)
    assert {r["line"] for r in fo.rejects} == {1, 2, 3, 4}
    po = _rep(wb, "threads_and_replies.json")
    assert (po.rows_read, po.rows_loaded, po.rows_rejected) == (2, 0, 2)


def test_list_that_is_not_a_list(tmp_path: Path) -> None:
    files = {T + "liked_threads.json": {"text_post_app_media_likes": {"oops": 1}}}
    with pytest.raises(InputError, match=r"liked_threads\.json: the likes list is not a list"):
        warmcall.load(write_export(tmp_path / "e.zip", files), cache=False)


def test_mentions_rule() -> None:
    assert threads.mentions("hi @Bob. and @carol_x, mail a@b.com @@x") == ["bob", "carol_x"]
    assert threads.mentions(None) == []


def test_cli_load_of_the_export(export: Path, capsys) -> None:
    assert cli.main(["load", "--json", str(export)]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["rows_read"] == rep["rows_loaded"] + rep["rows_set_aside"] + rep["rows_rejected"]
    mine = [s for s in rep["sources"] if s["format"] == "threads"]
    # every list item of the Threads files is read (the profile is one record)
    items = sum(len(next(iter(v.values()))) for k, v in THREADS_FILES.items()
                if "personal_information" not in k)  # fmt: skip
    assert sum(s["rows_read"] for s in mine) == items + 1
