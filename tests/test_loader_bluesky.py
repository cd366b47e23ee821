"""Bluesky loader: a repository CAR built with libipld (tests/fixtures_bluesky.py) and saved
``getFollowers`` pages. Expected counts come from counting the fixture lists below with
plain Python, next to the hand-worked numbers."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
import warmcall
from fixtures_bluesky import build_car
from warmcall.core.errors import InputError
from warmcall.ingest.loaders import LOADERS, bluesky
from warmcall.ingest.sources import Source
from warmcall.run import cli

ME = "did:plc:alice1111111111111111111"
BOB = "did:plc:bob22222222222222222222"
CAROL = "did:plc:carol333333333333333333"
DAVE = "did:plc:dave4444444444444444444"
ERIN = "did:web:erin.example"
FRANK = "did:plc:frank55555555555555555"
TROLL = "did:plc:troll6666666666666666666"


def t(day: int) -> str:
    return f"2025-03-{day:02d}T10:00:00.000Z"


def post_uri(did: str, rkey: str) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


def mention(did: str) -> dict:
    return {"index": {"byteStart": 0, "byteEnd": 5},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}]}  # fmt: skip


def rec(coll: str, **kw) -> dict:
    return {"$type": coll, **kw}


FOLLOW, POST, REPOST, LIKE = (
    "app.bsky.graph.follow", "app.bsky.feed.post", "app.bsky.feed.repost", "app.bsky.feed.like"
)  # fmt: skip
RECORDS: list[tuple[str, dict]] = [
    ("app.bsky.actor.profile/self", rec("app.bsky.actor.profile", displayName="Alice 🦋",
                                        description="bio")),  # loaded: accounts
    (f"{FOLLOW}/3kf1", rec(FOLLOW, subject=BOB, createdAt=t(1))),  # loaded
    (f"{FOLLOW}/3kf2", rec(FOLLOW, subject=CAROL, createdAt=t(2))),  # loaded
    (f"{FOLLOW}/3kf3", rec(FOLLOW, subject=DAVE, createdAt=t(3))),  # loaded
    (f"{FOLLOW}/3kf4", rec(FOLLOW, subject=12345, createdAt=t(3))),  # rejected: wrong type
    (f"{POST}/3kp1", rec(POST, text="hello @carol", createdAt=t(4),
                         facets=[mention(CAROL)])),  # post + mention carol
    (f"{POST}/3kp2", rec(POST, text="@bob @dave yes", createdAt=t(5),
                         reply={"root": {"uri": post_uri(BOB, "x1"), "cid": "c"},
                                "parent": {"uri": post_uri(BOB, "x2"), "cid": "c"}},
                         facets=[mention(BOB), mention(DAVE)])),  # post + reply bob + mention dave
    (f"{POST}/3kp3", rec(POST, text="look", createdAt=t(6),
                         embed={"$type": "app.bsky.embed.record",
                                "record": {"uri": post_uri(ERIN, "q1"), "cid": "c"}})),  # + share erin
    (f"{POST}/3kp4", rec(POST, text="2/2", createdAt=t(7),
                         reply={"root": {"uri": post_uri(ME, "3kp3")},
                                "parent": {"uri": post_uri(ME, "3kp3")}})),  # post only (own thread)
    (f"{POST}/3kp5", rec(POST, text="no time")),  # rejected: missing createdAt
    (f"{POST}/3kp6", rec(POST, text=42, createdAt=t(8))),  # rejected: text is not text
    (f"{REPOST}/3kr1", rec(REPOST, subject={"uri": post_uri(CAROL, "c9"), "cid": "c"},
                           createdAt=t(9))),  # repost post + share carol
    (f"{LIKE}/3kl1", rec(LIKE, subject={"uri": post_uri(BOB, "b7"), "cid": "c"},
                         createdAt=t(10))),  # like bob
    (f"{LIKE}/3kl2", rec(LIKE, subject={"uri": post_uri(ME, "3kp1"), "cid": "c"},
                         createdAt=t(11))),  # set aside: own post
    (f"{LIKE}/3kl3", rec(LIKE, subject={"cid": "c"}, createdAt=t(11))),  # rejected: no URI
    ("app.bsky.graph.block/3kb1", rec("app.bsky.graph.block", subject=TROLL,
                                       createdAt=t(12))),  # set aside: block
    ("app.bsky.graph.list/3kx1", rec("app.bsky.graph.list", name="friends", purpose="x",
                                      createdAt=t(12))),  # set aside: other collection
]  # fmt: skip
# by hand: read 17; rejected 4 (3kf4, 3kp5, 3kp6, 3kl3); set aside 3 (3kl2, block, list);
# loaded 10 (profile, 3 follows, 4 posts, 1 repost, 1 like)


def collection(key: str) -> str:
    return key.partition("/")[0]


def independent_counts() -> dict[str, int]:
    """The fixture counted with plain Python: what each record should become."""
    rejected = aside = 0
    follows = posts = reposts = likes = 0
    for key, r in RECORDS:
        c = collection(key)
        if c == FOLLOW:
            ok = isinstance(r["subject"], str)
            follows += ok
            rejected += not ok
        elif c == POST:
            ok = "createdAt" in r and isinstance(r["text"], str)
            posts += ok
            rejected += not ok
        elif c == REPOST:
            reposts += 1
        elif c == LIKE:
            uri = r["subject"].get("uri")
            if uri is None:
                rejected += 1
            elif uri.startswith(f"at://{ME}/"):
                aside += 1
            else:
                likes += 1
        elif c != "app.bsky.actor.profile":
            aside += 1
    loaded = len(RECORDS) - rejected - aside
    return {"read": len(RECORDS), "rejected": rejected, "aside": aside, "loaded": loaded,
            "follows": follows, "posts": posts, "reposts": reposts, "likes": likes}  # fmt: skip


def page(followers: list, cursor: str | None = None, handle: str = "alice.example") -> dict:
    return {"subject": {"did": ME, "handle": handle, "displayName": "Alice"},
            "followers": followers, "cursor": cursor}  # fmt: skip


def follower(did: str, handle: str, name: str | None = None, bio: str | None = None) -> dict:
    return {"did": did, "handle": handle, "displayName": name, "description": bio,
            "avatar": "https://cdn.example/a.jpg", "indexedAt": t(1), "createdAt": t(1),
            "labels": []}  # fmt: skip


PAGE_1 = page([follower(BOB, "bob.example", "Bob B.", "I build things"),
               follower(FRANK, "frank.example", "Frank")], cursor="3kcursor")  # fmt: skip
PAGE_2 = [page([follower(CAROL, "carol.example"), {"handle": "nodid.example"}])]


@pytest.fixture
def car_path(tmp_path: Path) -> Path:
    p = tmp_path / "repo.car"
    p.write_bytes(build_car(ME, RECORDS))
    return p


def test_registered_and_detected(car_path: Path) -> None:
    assert bluesky in LOADERS
    assert bluesky.detect(Source.open(car_path))
    assert bluesky.is_car(Source.open(car_path).members()[0])


def test_repository_export(car_path: Path) -> None:
    want = independent_counts()
    assert (want["read"], want["loaded"], want["aside"], want["rejected"]) == (17, 10, 3, 4)
    wb = warmcall.load(car_path, cache=False)
    (rep,) = wb.report.sources
    got = (rep.rows_read, rep.rows_loaded, rep.rows_set_aside, rep.rows_rejected)
    assert got == (want["read"], want["loaded"], want["aside"], want["rejected"])
    assert rep.balanced
    acct = f"bluesky:{ME}"  # no handle known from the .car alone
    # connections: the follows, i_follow, dated, followers unknown
    con = wb.connections.sort("contact_id")
    assert con["contact_id"].to_list() == sorted([BOB, CAROL, DAVE])
    assert con.height == want["follows"]
    assert con["i_follow"].all() and con["follows_me"].null_count() == con.height
    assert set(con["account_id"]) == {acct}
    assert con.filter(pl.col("contact_id") == BOB)["connected_at"].dt.day().item() == 1
    # posts: 4 posts and 1 repost; ids are at:// URIs of the records
    posts = wb.posts.sort("ts")
    assert posts.height == want["posts"] + want["reposts"]
    assert posts["is_repost"].sum() == want["reposts"]
    assert posts["post_id"][0] == f"at://{ME}/{POST}/3kp1"
    assert posts["text"][0] == "hello @carol"
    # interactions, all outbound, never with oneself
    inter = wb.interactions.sort("ts", "kind")
    got_i = list(zip(inter["kind"], inter["contact_id"], strict=True))
    assert got_i == [("mention", CAROL), ("mention", DAVE), ("reply", BOB), ("share", ERIN),
                     ("share", CAROL), ("like", BOB)]  # fmt: skip
    assert set(inter["direction"]) == {"out"} and ME not in set(inter["contact_id"])
    assert inter.filter(pl.col("kind") == "like")["post_id"].item() == post_uri(BOB, "b7")
    # the account row: display name, following count, posts count, no followers figure
    a = wb.accounts.row(0, named=True)
    assert (a["account_id"], a["display_name"], a["following"], a["posts_count"]) == (
        acct, "Alice 🦋", want["follows"], want["posts"])  # fmt: skip
    assert a["followers"] is None
    # set aside and rejects, with reasons
    aside = {(r["reason"], r["activity"]) for r in rep.set_aside}
    assert (bluesky.BLOCK_REASON, "accounts you blocked") in aside
    assert (bluesky.OWN_LIKE_REASON, None) in aside
    assert (bluesky.other_reason("app.bsky.graph.list"), None) in aside
    reasons = sorted(r["reason"] for r in rep.rejects)
    assert reasons == sorted(["follow without a subject DID", "missing createdAt",
                              "post text is not text", "like without a subject at:// URI"])  # fmt: skip
    # signals: following and outbound, not followers/inbound/profiles
    sig = set(wb.report.signals()["signal"])
    assert sig == {"following", "outbound"}


def test_with_saved_follower_pages(tmp_path: Path) -> None:
    (tmp_path / "repo.car").write_bytes(build_car(ME, RECORDS))
    (tmp_path / "followers-1.json").write_text(json.dumps(PAGE_1), encoding="utf-8")
    (tmp_path / "followers-2.json").write_text(json.dumps(PAGE_2), encoding="utf-8")
    wb = warmcall.load(tmp_path, cache=False)
    acct = "bluesky:alice.example"  # the saved pages name the account's handle
    assert set(wb.connections["account_id"]) == {acct}
    assert set(wb.interactions["account_id"]) == {acct}
    # followers in the pages, counted independently: items with a "did"
    items = [f for p in [PAGE_1, *PAGE_2] for f in p["followers"]]
    with_did = [f for f in items if "did" in f]
    p1 = [s for s in wb.report.sources if s.path.endswith("followers-1.json")][0]
    p2 = [s for s in wb.report.sources if s.path.endswith("followers-2.json")][0]
    assert p1.rows_read + p2.rows_read == len(items)
    assert p1.rows_loaded + p2.rows_loaded == len(with_did)
    assert p2.rows_rejected == len(items) - len(with_did) == 1
    assert any(n == bluesky.CURSOR_NOTE for n in p1.notes) and not p2.notes
    con = {r["contact_id"]: r for r in wb.connections.iter_rows(named=True)}
    # bob: follows me and I follow him (merged across the .car and the page)
    assert con[BOB]["follows_me"] and con[BOB]["i_follow"]
    assert (con[BOB]["handle"], con[BOB]["display_name"], con[BOB]["bio"]) == (
        "bob.example", "Bob B.", "I build things")  # fmt: skip
    # frank follows me; the repository shows I do not follow him
    assert con[FRANK]["follows_me"] and con[FRANK]["i_follow"] is False
    # dave: I follow, not in the saved pages: unknown whether he follows me
    assert con[DAVE]["i_follow"] and con[DAVE]["follows_me"] is None
    sig = wb.report.signals().group_by("signal").agg(pl.col("account_id").first())
    assert set(sig["signal"]) == {"following", "outbound", "followers", "profiles"}
    assert wb.report.rows_read == (
        wb.report.rows_loaded + wb.report.rows_set_aside + wb.report.rows_rejected
    )


def test_pages_alone_and_handle_option(tmp_path: Path) -> None:
    (tmp_path / "f.json").write_text(json.dumps(PAGE_1), encoding="utf-8")
    assert bluesky.detect(Source.open(tmp_path))
    wb = warmcall.load(tmp_path, cache=False)
    assert wb.connections["i_follow"].null_count() == 2  # no repository: unknown
    car = tmp_path / "r.car"
    car.write_bytes(build_car(ME, RECORDS))
    res = bluesky.load(Source.open(car), handle="@Alice.Example")
    assert {f["account_id"][0] for f in res.tables["connections"]} == {"bluesky:alice.example"}


def test_broken_tree_falls_back_to_record_types(tmp_path: Path) -> None:
    p = tmp_path / "repo.car"
    p.write_bytes(build_car(ME, RECORDS, drop_node=True))
    wb = warmcall.load(p, cache=False)
    (rep,) = wb.report.sources
    assert any("could not be walked" in n for n in rep.notes)
    # every record block is still in the file: the same records are read
    want = independent_counts()
    assert rep.rows_read == want["read"] and rep.balanced
    assert wb.connections.height == want["follows"]


# ---------------------------------------------------------------------------------------
# hostile input
# ---------------------------------------------------------------------------------------
def test_truncated_car_is_one_line_error(tmp_path: Path, capsys) -> None:
    p = tmp_path / "repo.car"
    p.write_bytes(build_car(ME, RECORDS)[:-40])
    with pytest.raises(InputError, match=r"repo\.car: not a readable CAR file"):
        warmcall.load(p, cache=False)
    assert cli.main(["load", str(p)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "repo.car" in err[0]


def test_not_a_car_is_not_detected(tmp_path: Path) -> None:
    (tmp_path / "repo.car").write_bytes(b"\x0bnot cbor at all")
    assert not bluesky.detect(Source.open(tmp_path))


def test_root_that_is_not_a_commit(tmp_path: Path) -> None:
    import libipld
    from fixtures_bluesky import cid_of, varint

    block = libipld.encode_dag_cbor({"hello": "world"})
    hdr = libipld.encode_dag_cbor({"version": 1, "roots": [cid_of(block)]})
    data = varint(len(hdr)) + hdr + varint(36 + len(block)) + cid_of(block) + block
    (tmp_path / "x.car").write_bytes(data)
    with pytest.raises(InputError, match="not a repository commit"):
        warmcall.load(tmp_path / "x.car", cache=False)


def test_wrong_types_and_huge_numbers_are_rejected_per_record(tmp_path: Path) -> None:
    bad = [
        (f"{POST}/a1", rec(POST, text="far future", createdAt="99999-01-01T00:00:00Z")),
        (f"{POST}/a2", rec(POST, text="ok", createdAt=2**64 - 1)),  # the largest CBOR integer
        (f"{FOLLOW}/a3", rec(FOLLOW, subject=BOB, createdAt="not a date")),
        (f"{LIKE}/a4", rec(LIKE, subject="at://x", createdAt=t(1))),  # subject not a map
        (f"{POST}/a5", rec("app.bsky.feed.like", text="mismatch", createdAt=t(1))),
        (f"{POST}/a6", rec(POST, text="fine", createdAt=t(2))),
    ]
    p = tmp_path / "repo.car"
    p.write_bytes(build_car(ME, bad))
    wb = warmcall.load(p, cache=False)
    (rep,) = wb.report.sources
    assert (rep.rows_read, rep.rows_loaded, rep.rows_rejected) == (len(bad), 1, len(bad) - 1)
    by_line = {r["line"]: r["reason"] for r in rep.rejects}
    keys = sorted(k for k, _ in bad)  # records are read in key order
    why = {keys[i - 1]: by_line.get(i) for i in range(1, len(bad) + 1)}
    assert why[f"{POST}/a1"].startswith("unparsable timestamp in ts")
    assert why[f"{POST}/a2"] == "createdAt is not text"
    assert why[f"{FOLLOW}/a3"] == "unparsable timestamp in connected_at"
    assert why[f"{LIKE}/a4"] == "like without a subject at:// URI"
    assert why[f"{POST}/a5"].endswith("is not its collection")
    assert why[f"{POST}/a6"] is None


def test_did_of_uri() -> None:
    assert bluesky.did_of_uri(post_uri(BOB, "x")) == BOB
    assert bluesky.did_of_uri("at://bob.example/app.bsky.feed.post/x") is None  # a handle
    assert bluesky.did_of_uri("https://bsky.app/profile/x") is None
    assert bluesky.did_of_uri(None) is None


def test_cli_load_of_a_car(car_path: Path, capsys) -> None:
    assert cli.main(["load", "--json", str(car_path)]) == 0
    rep = json.loads(capsys.readouterr().out)
    want = independent_counts()
    assert (rep["rows_read"], rep["rows_loaded"], rep["rows_set_aside"], rep["rows_rejected"]) == (
        want["read"], want["loaded"], want["aside"], want["rejected"])  # fmt: skip
