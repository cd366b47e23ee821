"""loaders/profiles.py + enrich.py: API user objects fill in the connections that the
exports give by id only (docs/export-formats.md §1.3, §6.4)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import polars as pl
import pytest
import warmcall
from warmcall.core.errors import InputError
from warmcall.ingest.enrich import NO_MATCH, enrich_profiles
from warmcall.ingest.loaders import canonical, profiles
from warmcall.ingest.loaders.base import LoadResult
from warmcall.ingest.sources import Source

# Candidate connections (canonical loader): 7 rows.
CONNECTIONS = (
    "account_id,platform,contact_id,handle,follows_me,i_follow\n"
    "x:alice,x,2222222222,,true,\n"  # bob: v1.1 array
    "x:alice,x,3333333333,,true,\n"  # carol: v2 page
    "x:alice,x,4444444444,,true,\n"  # dave: JSON lines
    "x:alice,x,5555555555,,true,\n"  # no profile: stays bare
    "x:alice,x,gina,@Gina,,true\n"  # matched by handle (profile GINA, other id)
    "mastodon:alice@example.social,mastodon,erin@other.example,,,true\n"
    "mastodon:alice@example.social,mastodon,frank@example.social,,,true\n"
)
# X API v1.1 user objects as a JSON array: 2 records, 1 matches, 1 matches nothing.
V1_ARRAY = [
    {"id": 2222222222, "id_str": "2222222222", "screen_name": "bob", "name": "Bob",
     "description": "Builds <things> & more", "location": "Lyon",
     "followers_count": 120, "friends_count": 80},
    {"id_str": "9999999999", "screen_name": "zed", "name": "Zed", "followers_count": 1},
]  # fmt: skip
# X API v2 paged responses (an array of two pages): 2 records, both match.
V2_PAGES = [
    {"data": [{"id": "3333333333", "username": "carol", "name": "Carol", "description": "",
               "public_metrics": {"followers_count": 5000, "following_count": 10}}],
     "meta": {"result_count": 1, "next_token": "abc"}},
    {"data": [{"id": "7777777777", "username": "GINA", "name": "Gina G",
               "public_metrics": {"followers_count": 42, "following_count": 7}}],
     "meta": {"result_count": 1}},
]  # fmt: skip
# JSON lines: a v2 user, a v1.1 cursor page with one user, a blank line, a string.
# 3 records: dave matches; henry matches nothing; the string is not a user object.
JSONL = "\n".join(
    [
        json.dumps({"id": "4444444444", "username": "dave", "name": "Dave",
                    "description": "Coffee", "location": "Oslo",
                    "public_metrics": {"followers_count": 1, "following_count": 2}}),
        json.dumps({"users": [{"id_str": "8888888888", "screen_name": "henry",
                               "followers_count": 3, "friends_count": 4}],
                    "next_cursor": 0, "next_cursor_str": "0"}),
        "",
        json.dumps("just a string"),
    ]
)  # fmt: skip
# Mastodon API accounts: 3 records: erin (remote acct), Frank (local acct + url host),
# noone (local acct, no url) -> rejected.
MASTODON = [
    {"id": "1", "username": "erin", "acct": "Erin@Other.Example", "display_name": "Erin",
     "note": "<p>Hello &amp; welcome<br />line two</p><p>para</p>",
     "url": "https://other.example/@Erin", "followers_count": 300, "following_count": -1},
    {"id": "2", "username": "Frank", "acct": "Frank", "display_name": "Frank", "note": "",
     "url": "https://example.social/@Frank", "followers_count": 12, "following_count": 13},
    {"id": "3", "username": "noone", "acct": "noone", "url": None},
]  # fmt: skip

FILES = {
    "connections.csv": CONNECTIONS,
    "api/users_v1.json": json.dumps(V1_ARRAY, indent=2),
    "api/following_v2.json": json.dumps(V2_PAGES),
    "api/profiles.jsonl": JSONL,
    "api/mastodon_followers.json": json.dumps(MASTODON),
}


def _folder(tmp_path: Path) -> Path:
    root = tmp_path / "export"
    for name, text in FILES.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return root


def _zip(tmp_path: Path) -> Path:
    zp = tmp_path / "export.zip"
    with zipfile.ZipFile(zp, "w") as zf:
        for name, text in sorted(FILES.items()):
            zf.writestr(name, text)
    return zp


@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_enrichment_end_to_end(tmp_path: Path, kind: str) -> None:
    path = _folder(tmp_path) if kind == "folder" else _zip(tmp_path)
    wb = warmcall.load(path)
    c = wb.connections
    assert c.height == 7  # enrichment adds no connections
    by = {r["contact_id"]: r for r in c.iter_rows(named=True)}

    bob = by["2222222222"]
    assert (bob["handle"], bob["display_name"], bob["bio"], bob["location"]) == (
        "bob", "Bob", "Builds <things> & more", "Lyon",
    )  # fmt: skip
    assert (bob["contact_followers"], bob["contact_following"]) == (120, 80)
    assert bob["follows_me"] is True and bob["i_follow"] is None  # enrichment adds no flags
    assert "users_v1.json:1" in bob["source"] and "connections.csv:2" in bob["source"]

    carol = by["3333333333"]
    assert (carol["handle"], carol["display_name"], carol["bio"], carol["location"]) == (
        "carol", "Carol", None, None,
    )  # fmt: skip
    assert (carol["contact_followers"], carol["contact_following"]) == (5000, 10)

    dave = by["4444444444"]
    assert (dave["handle"], dave["bio"], dave["location"]) == ("dave", "Coffee", "Oslo")
    assert (dave["contact_followers"], dave["contact_following"]) == (1, 2)

    bare = by["5555555555"]
    assert bare["handle"] is None and bare["bio"] is None and bare["contact_followers"] is None

    gina = by["gina"]  # matched by normalized handle: "@Gina" == "GINA"
    assert gina["handle"] == "@Gina"  # the connection's own value comes first
    assert (gina["display_name"], gina["contact_followers"], gina["contact_following"]) == (
        "Gina G", 42, 7,
    )  # fmt: skip
    assert gina["i_follow"] is True

    erin = by["erin@other.example"]
    assert erin["account_id"] == "mastodon:alice@example.social"
    assert erin["handle"] == "Erin@Other.Example"
    assert erin["bio"] == "Hello & welcome\nline two\n\npara"
    assert (erin["contact_followers"], erin["contact_following"]) == (300, None)  # -1: hidden

    frank = by["frank@example.social"]
    assert (frank["handle"], frank["display_name"], frank["bio"]) == (
        "Frank@example.social", "Frank", None,
    )  # fmt: skip
    assert (frank["contact_followers"], frank["contact_following"]) == (12, 13)

    rep = {Path(s.path.split("!")[-1]).name: s for s in wb.report.sources}
    counts = {k: (s.rows_read, s.rows_loaded, s.rows_rejected) for k, s in rep.items()}
    assert counts == {
        "connections.csv": (7, 7, 0),
        "users_v1.json": (2, 1, 1),
        "following_v2.json": (2, 2, 0),
        "profiles.jsonl": (3, 1, 2),
        "mastodon_followers.json": (3, 2, 1),
    }
    assert rep["users_v1.json"].format == "profiles"
    assert rep["users_v1.json"].rejects == [{"line": 2, "reason": NO_MATCH}]
    assert rep["profiles.jsonl"].rejects == [
        {"line": 2, "reason": NO_MATCH},
        {
            "line": 3,
            "reason": "not an X or Mastodon user object (no screen_name, username or acct)",
        },
    ]
    assert rep["mastodon_followers.json"].rejects == [
        {
            "line": 3,
            "reason": "Mastodon account 'noone' has no domain (no user@domain acct, no url)",
        }
    ]
    assert wb.report.rows_read == wb.report.rows_loaded + wb.report.rows_rejected


def test_profiles_alone_match_nothing(tmp_path: Path) -> None:
    p = tmp_path / "users.json"
    p.write_text(json.dumps(V1_ARRAY))
    wb = warmcall.load(p)
    assert wb.connections.height == 0
    s = wb.report.sources[0]
    assert (s.rows_read, s.rows_loaded, s.rows_rejected) == (2, 0, 2)
    assert {r["reason"] for r in s.rejects} == {NO_MATCH}


def test_enrich_removes_profiles_table_and_adds_candidate_rows(tmp_path: Path) -> None:
    root = _folder(tmp_path)
    res = LoadResult()
    src = Source.open(root)
    res.extend(canonical.load(src))
    res.extend(profiles.load(src))
    assert len(res.tables["profiles"]) == 4  # one frame per profile file
    enrich_profiles(res)
    assert "profiles" not in res.tables
    added = pl.concat(res.tables["connections"][1:], how="diagonal_relaxed")
    # bob, carol, gina, dave, erin, Frank -> 6 candidate rows with null follow flags
    assert sorted(added["contact_id"].to_list()) == sorted(
        ["2222222222", "3333333333", "gina", "4444444444", "erin@other.example",
         "frank@example.social"]
    )  # fmt: skip
    assert added["follows_me"].null_count() == 6 and added["i_follow"].null_count() == 6


def test_detect_by_content_not_by_name(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    # a v2 tweets page (data = tweets), an Instagram-style followers list, a Mastodon
    # outbox, a Graph-API-style IG user: none are X/Mastodon user objects
    (d / "tweets.json").write_text(
        json.dumps({"data": [{"id": "1", "text": "hi", "author_id": "2"}]})
    )
    (d / "followers_1.json").write_text(
        json.dumps([{"title": "", "string_list_data": [{"value": "bob", "timestamp": 1}]}])
    )
    (d / "outbox.json").write_text(json.dumps({"@context": "x", "orderedItems": []}))
    (d / "ig.json").write_text(
        json.dumps([{"id": "1", "username": "bob", "followers_count": 3, "account_type": "x"}])
    )
    assert not profiles.detect(Source.open(d))
    (d / "renamed.txt.json").write_text(json.dumps(MASTODON[:1]))
    assert profiles.detect(Source.open(d))


def test_long_array_and_long_page_are_detected(tmp_path: Path) -> None:
    users = [
        {"id_str": str(10**9 + i), "screen_name": f"u{i}", "description": "x" * 100}
        for i in range(2000)
    ]  # > 128 KiB: detection decodes only the first element
    a = tmp_path / "a"
    a.mkdir()
    (a / "big.json").write_text(json.dumps(users))
    assert profiles.detect(Source.open(a))
    b = tmp_path / "b"
    b.mkdir()
    (b / "page.json").write_text(json.dumps({"next_cursor": 0, "users": users}))
    assert profiles.detect(Source.open(b))
    res = profiles.load(Source.open(b))
    assert res.files[0].rows_read == 2000
    assert res.tables["profiles"][0].height == 2000


def test_single_user_object_and_v2_lookup(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "one.json").write_text(json.dumps(V1_ARRAY[0]))
    (d / "lookup.json").write_text(json.dumps({"data": V2_PAGES[0]["data"][0]}))
    res = profiles.load(Source.open(d))
    rows = pl.concat(res.tables["profiles"]).sort("contact_id")
    assert rows["contact_id"].to_list() == ["2222222222", "3333333333"]
    assert [f.rows_read for f in res.files] == [1, 1]


def test_truncated_json_is_an_input_error(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    text = json.dumps(V1_ARRAY)
    (d / "users.json").write_text(text[: len(text) - 5])
    with pytest.raises(InputError) as e:
        warmcall.load(d)
    assert str(d / "users.json") in str(e.value) and "JSON" in str(e.value)


def test_html_to_text() -> None:
    assert profiles.html_to_text("<p>a &lt;b&gt;</p><p>c<br>d</p>") == "a <b>\n\nc\nd"
    assert profiles.html_to_text("") is None
    assert profiles.html_to_text("<p></p>") is None
