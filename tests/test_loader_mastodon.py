"""Mastodon loader (docs/export-formats.md §6) and sample writer; fixtures per §8 "Mastodon".

Every expected count is worked out by hand from the fixture data and written next to it.
"""

from __future__ import annotations

import io
import json
import tarfile
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
import warmcall
from warmcall.core.errors import InputError
from warmcall.ingest.accounting import finalize
from warmcall.ingest.loaders import LOADERS, mastodon
from warmcall.ingest.loaders.mastodon import acct_from_uri, html_to_text, visibility
from warmcall.ingest.sources import Source
from warmcall.sample import mastodon as writer

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
ALICE = "https://example.com/users/alice"
FOLLOWERS = f"{ALICE}/followers"
BOB = "https://other.example/users/bob"
CAROL = "https://other.example/users/carol"
DAVE = "https://example.com/users/dave"  # a local account: Mention name "@dave"
ERIN = "https://other.example/users/erin"
ACCOUNT = "mastodon:alice@example.com"
MEDIA = "media_attachments/files/111/111/111/111/111/111/original/0123456789abcdef.jpg"


def actor(uri: str = ALICE, username: str = "alice", name: str = "Alice 🐘") -> dict:
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        "id": uri, "type": "Person", "following": f"{uri}/following",
        "followers": f"{uri}/followers", "inbox": f"{uri}/inbox", "outbox": "outbox.json",
        "featured": f"{uri}/collections/featured", "featuredTags": f"{uri}/collections/tags",
        "preferredUsername": username, "name": name, "summary": "<p>bio</p>",
        "url": uri.replace("/users/", "/@"), "manuallyApprovesFollowers": False,
        "discoverable": True, "published": "2022-11-10T00:00:00Z", "devices": f"{uri}/devices",
        "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": "-----BEGIN…"},
        "tag": [], "attachment": [{"type": "PropertyValue", "name": "web", "value": "x"}],
        "endpoints": {"sharedInbox": "https://example.com/inbox"},
        "icon": {"type": "Image", "mediaType": "image/png", "url": "avatar.png"},
        "image": {"type": "Image", "mediaType": "image/png", "url": "header.png"},
        "likes": "likes.json", "bookmarks": "bookmarks.json",
    }  # fmt: skip


def create(num, published, content, *, to, cc, tag=(), reply=None, attachment=(), kind="Note",
           base=ALICE, legacy=False, extra=None) -> dict:  # fmt: skip
    sid = f"{base}/statuses/{num}"
    obj = {
        "id": sid, "type": kind, "summary": None, "inReplyTo": reply, "published": published,
        "url": f"{base.replace('/users/', '/@')}/{num}", "attributedTo": base, "to": list(to),
        "cc": list(cc), "sensitive": False, "atomUri": sid, "inReplyToAtomUri": reply,
        "conversation": f"tag:example.com,2023-04-30:objectId={num}:objectType=Conversation",
        "content": content, "contentMap": {"en": content}, "attachment": list(attachment),
        "tag": list(tag),
        "replies": {"id": f"{sid}/replies", "type": "Collection",
                    "first": {"type": "CollectionPage", "items": []}},
        **(extra or {}),
    }  # fmt: skip
    act = {"id": f"{sid}/activity", "type": "Create", "actor": base, "published": published,
           "to": list(to), "cc": list(cc), "object": obj}  # fmt: skip
    return _legacy(act) if legacy else act


def announce(num, published, obj, cc, *, base=ALICE, legacy=False) -> dict:
    act = {"id": f"{base}/statuses/{num}/activity", "type": "Announce", "actor": base,
           "published": published, "to": [PUBLIC], "cc": list(cc), "object": obj}  # fmt: skip
    return _legacy(act) if legacy else act


def _legacy(act: dict) -> dict:
    """Pre-4.2 items: per-item @context and an RsaSignature2017 signature."""
    return {
        "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
        **act,
        "signature": {"type": "RsaSignature2017", "creator": f"{act['actor']}#main-key",
                      "created": "2023-01-15T04:14:32Z", "signatureValue": "UYcM…=="},
    }  # fmt: skip


def mention(href: str, name: str) -> dict:
    return {"type": "Mention", "href": href, "name": name}


# ---------------------------------------------------------------------------------------
# 4.2 archive: 6 outbox items, one post of each visibility, totalItems = 6 + 1 = 7
# ---------------------------------------------------------------------------------------
N1_HTML = (
    '<p>Hello <span class="h-card" translate="no"><a href="https://other.example/@bob" '
    'class="u-url mention">@<span>bob</span></a></span> &amp; friends '
    '<a href="https://example.com/tags/fediverse" class="mention hashtag" rel="tag">'
    "#<span>fediverse</span></a> :blobcat:</p><p>Second&nbsp;line<br />third &lt;b&gt;</p>"
)
OUTBOX_42 = [
    # 1 public Note: mention (bob), hashtag, emoji, attachment with a relative path
    #   -> post + mention out bob@other.example
    create(
        "111111111111111111",
        "2023-04-30T02:48:06Z",
        N1_HTML,
        to=[PUBLIC],
        cc=[FOLLOWERS, BOB],
        tag=[
            mention(BOB, "@bob@other.example"),
            {"type": "Hashtag", "href": "https://example.com/tags/fediverse", "name": "#fediverse"},
            {"type": "Emoji", "name": ":blobcat:", "icon": {"type": "Image", "url": "x.png"}},
        ],
        attachment=[
            {
                "type": "Document",
                "mediaType": "image/jpeg",
                "url": MEDIA,
                "name": None,
                "blurhash": "UBL_:rOpGG-",
                "width": 2814,
                "height": 1998,
            }
        ],
    ),  # fmt: skip
    # 2 Announce with a string object; boosted author in cc -> repost + share out carol
    announce(
        "222222222222222222",
        "2023-05-01T10:00:00Z",
        "https://other.example/users/carol/statuses/2222",
        [CAROL, FOLLOWERS],
    ),  # fmt: skip
    # 3 unlisted reply to bob, auto-mentioning bob and mentioning local dave
    #   -> post + reply out bob (not also a mention) + mention out dave@example.com
    create(
        "333333333333333333",
        "2023-05-02T11:30:00Z",
        "<p>@bob @dave agreed</p>",
        to=[FOLLOWERS],
        cc=[PUBLIC, BOB, DAVE],
        tag=[mention(BOB, "@bob@other.example"), mention(DAVE, "@dave")],
        reply="https://other.example/users/bob/statuses/999",
    ),  # fmt: skip
    # 4 followers-only poll (Question) -> post
    create(
        "444444444444444444",
        "2023-05-03T08:00:00Z",
        "<p>Tea or coffee?</p>",
        to=[FOLLOWERS],
        cc=[],
        kind="Question",
        extra={
            "endTime": "2023-05-04T08:00:00Z",
            "oneOf": [
                {"type": "Note", "name": "Tea", "replies": {"totalItems": 3}},
                {"type": "Note", "name": "Coffee", "replies": {"totalItems": 5}},
            ],
        },
    ),  # fmt: skip
    # 5 direct message to erin -> dm out erin@other.example, NOT a post
    create(
        "555555555555555555",
        "2023-05-04T20:15:00Z",
        "<p>@erin psst</p>",
        to=[ERIN],
        cc=[],
        tag=[mention(ERIN, "@erin@other.example")],
    ),  # fmt: skip
    # 6 public reply to own post (a thread) -> post only (no interaction with oneself)
    create(
        "666666666666666666",
        "2023-05-05T09:00:00Z",
        "<p>1/2 more</p>",
        to=[PUBLIC],
        cc=[FOLLOWERS],
        reply=f"{ALICE}/statuses/111111111111111111",
    ),  # fmt: skip
]
# expected: outbox read 6, loaded 6, rejected 0; posts 5 (1,2,3,4,6); interactions 5
LIKES_42 = [
    "https://other.example/users/bob/statuses/7",
    "https://other.example/users/carol/statuses/8",
]
BOOKMARKS_42 = ["https://other.example/users/bob/statuses/9"]


def outbox(items: list, total: int | None, legacy: bool = False) -> dict:
    d = {"@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
         "id": "outbox.json", "type": "OrderedCollection", "orderedItems": items}  # fmt: skip
    if total is not None:
        d["totalItems"] = total
    return d


def uri_list(name: str, items: list, total: bool = False) -> dict:
    d = {"@context": "https://www.w3.org/ns/activitystreams", "id": name,
         "type": "OrderedCollection", "orderedItems": items}  # fmt: skip
    if total:
        d["totalItems"] = len(items)
    return d


def archive_42_members() -> list[tuple[str, bytes]]:
    """Members in the real 4.2 archive order (§6.1)."""
    return [
        ("outbox.json", json.dumps(outbox(OUTBOX_42, 7)).encode()),
        (MEDIA, b"\xff\xd8\xff\xe0fakejpeg"),
        ("likes.json", json.dumps(uri_list("likes.json", LIKES_42)).encode()),
        ("bookmarks.json", json.dumps(uri_list("bookmarks.json", BOOKMARKS_42)).encode()),
        ("avatar.png", b"\x89PNG fake"),
        ("header.png", b"\x89PNG fake"),
        ("actor.json", json.dumps(actor()).encode()),
    ]


def write_zip(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def write_dir(path: Path, members: list[tuple[str, bytes]]) -> Path:
    for name, data in members:
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes(data)
    return path


ZIP_NAME = "archive-20231101120000-0123456789abcdef0123456789abcdef.zip"


@pytest.fixture
def zip42(tmp_path: Path) -> Path:
    return write_zip(tmp_path / ZIP_NAME, archive_42_members())


@pytest.fixture
def dir42(tmp_path: Path) -> Path:
    d = tmp_path / "archive-20231101120000-0123456789abcdef0123456789abcdef"
    d.mkdir()
    return write_dir(d, archive_42_members())


def _report(wb: warmcall.Workbook, suffix: str):
    hits = [s for s in wb.report.sources if s.path.endswith(suffix)]
    assert len(hits) == 1, [s.path for s in wb.report.sources]
    return hits[0]


def _check_archive_42(wb: warmcall.Workbook) -> None:
    acc = wb.accounts
    assert acc.height == 1
    row = acc.row(0, named=True)
    assert row["account_id"] == ACCOUNT
    assert row["handle"] == "alice@example.com"
    assert row["display_name"] == "Alice 🐘"
    assert row["posts_count"] == 7  # totalItems, not the 6 items
    assert row["followers"] is None and row["following"] is None
    assert row["snapshot_date"] == date(2023, 11, 1)  # from archive-20231101120000-…

    posts = wb.posts.sort("ts")
    assert posts.height == 5  # items 1, 2, 3, 4, 6 (5 is a DM)
    ids = posts["post_id"].to_list()
    assert ids == [
        f"{ALICE}/statuses/111111111111111111",
        # the boost's own status (activity id minus /activity)
        f"{ALICE}/statuses/222222222222222222",
        f"{ALICE}/statuses/333333333333333333",
        f"{ALICE}/statuses/444444444444444444",
        f"{ALICE}/statuses/666666666666666666",
    ]
    assert f"{ALICE}/statuses/555555555555555555" not in ids  # direct: not a post
    assert posts["is_repost"].to_list() == [False, True, False, False, False]
    assert (
        posts["text"][0] == "Hello @bob & friends #fediverse :blobcat:\n\nSecond\xa0line\nthird <b>"
    )
    assert posts["text"][1] is None  # a boost has no text
    assert posts["text"][3] == "Tea or coffee?"
    assert posts["ts"][0] == datetime(2023, 4, 30, 2, 48, 6, tzinfo=UTC)
    for c in ("likes", "comments", "shares", "impressions"):
        assert posts[c].null_count() == 5  # no counts in the archive: unknown, not 0
    assert set(posts["platform"]) == {"mastodon"} and set(posts["account_id"]) == {ACCOUNT}

    inter = wb.interactions.sort("ts", "kind")
    got = list(zip(inter["kind"], inter["contact_id"], inter["post_id"], strict=True))
    assert got == [
        ("mention", "bob@other.example", f"{ALICE}/statuses/111111111111111111"),
        ("share", "carol@other.example", f"{ALICE}/statuses/222222222222222222"),
        ("mention", "dave@example.com", f"{ALICE}/statuses/333333333333333333"),
        ("reply", "bob@other.example", f"{ALICE}/statuses/333333333333333333"),
        ("dm", "erin@other.example", f"{ALICE}/statuses/555555555555555555"),
    ]
    assert set(inter["direction"]) == {"out"}
    assert inter.filter(pl.col("kind") == "dm")["ts"][0] == datetime(2023, 5, 4, 20, 15, tzinfo=UTC)
    assert wb.connections.height == 0

    ob = _report(wb, "outbox.json")
    assert (ob.rows_read, ob.rows_loaded, ob.rows_rejected) == (6, 6, 0)
    assert any("totalItems 7" in n for n in ob.notes)
    ac = _report(wb, "actor.json")
    assert (ac.rows_read, ac.rows_loaded, ac.rows_rejected) == (1, 1, 0)
    assert mastodon.FOLLOWERS_NOTE in ac.notes
    assert "mastodon/mastodon#22966" in mastodon.FOLLOWERS_NOTE
    lk = _report(wb, "likes.json")  # valid likes without a time: set aside, not rejected
    assert (lk.rows_read, lk.rows_loaded, lk.rows_set_aside, lk.rows_rejected) == (2, 0, 2, 0)
    assert lk.set_aside == [{"reason": "like has no timestamp", "rows": 2,
                             "activity": "likes given", "account_id": ACCOUNT}]  # fmt: skip
    bm = _report(wb, "bookmarks.json")
    assert (bm.rows_read, bm.rows_loaded, bm.rows_rejected) == (1, 0, 1)
    assert bm.rejects[0]["reason"] == mastodon.BOOKMARK_REASON
    # whole source: read 1 + 6 + 2 + 1 = 10 = loaded 7 + set aside 2 + rejected 1
    r = wb.report
    assert (r.rows_read, r.rows_loaded, r.rows_set_aside, r.rows_rejected) == (10, 7, 2, 1)


def test_archive_42_zip(zip42: Path) -> None:
    assert mastodon.detect(Source.open(zip42))
    wb = warmcall.load(zip42)
    _check_archive_42(wb)
    assert all("!" in s.path for s in wb.report.sources)  # read in place from the zip
    assert wb.posts["source"][0].startswith(f"{zip42}!outbox.json:")


def test_archive_42_folder(dir42: Path) -> None:
    assert mastodon.detect(Source.open(dir42))
    _check_archive_42(warmcall.load(dir42))


def test_registered() -> None:
    assert mastodon in LOADERS


# ---------------------------------------------------------------------------------------
# legacy tar.gz (< 4.2): per-item @context + signature, likes.json with totalItems
# ---------------------------------------------------------------------------------------
LEGACY = "https://legacy.example/users/Alice"
OUTBOX_LEGACY = [
    # 1 public note -> post "Old & gold"
    create(
        "1",
        "2019-01-02T03:04:05Z",
        "<p>Old &amp; gold</p>",
        to=[PUBLIC],
        cc=[f"{LEGACY}/followers"],
        base=LEGACY,
        legacy=True,
    ),  # fmt: skip
    # 2 boost of bob -> repost + share out bob@other.example
    announce(
        "2",
        "2019-01-03T00:00:00Z",
        "https://other.example/users/bob/statuses/5",
        [BOB, f"{LEGACY}/followers"],
        base=LEGACY,
        legacy=True,
    ),  # fmt: skip
]
LIKES_LEGACY = ["https://other.example/users/bob/statuses/5", "https://x.example/@carol/6"]


def test_legacy_tar_gz(tmp_path: Path) -> None:
    p = tmp_path / "archive-20230115041432-abcdefabcdefabcdefabcdefabcdefab.tar.gz"
    members = [
        ("outbox.json", json.dumps(outbox(OUTBOX_LEGACY, 3, legacy=True)).encode()),
        ("likes.json", json.dumps(uri_list("likes.json", LIKES_LEGACY, total=True)).encode()),
        ("actor.json", json.dumps(actor(LEGACY, "Alice", "")).encode()),
    ]
    with tarfile.open(p, "w:gz") as tf:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
    assert mastodon.detect(Source.open(p))
    wb = warmcall.load(p)
    row = wb.accounts.row(0, named=True)
    assert row["account_id"] == "mastodon:alice@legacy.example"  # lower-cased id
    assert row["handle"] == "Alice@legacy.example"  # as written
    assert row["display_name"] is None  # empty name
    assert row["posts_count"] == 3
    assert row["snapshot_date"] == date(2023, 1, 15)
    posts = wb.posts.sort("ts")
    assert posts["text"].to_list() == ["Old & gold", None]
    assert posts["is_repost"].to_list() == [False, True]
    assert wb.interactions.select("kind", "contact_id").rows() == [("share", "bob@other.example")]
    ob = _report(wb, "outbox.json")
    assert (ob.rows_read, ob.rows_loaded, ob.rows_rejected) == (2, 2, 0)
    lk = _report(wb, "likes.json")
    assert (lk.rows_read, lk.rows_set_aside) == (2, 2)  # 2 items (totalItems is ignored)


# ---------------------------------------------------------------------------------------
# odd outbox items: every one rejected with its reason
# ---------------------------------------------------------------------------------------
def test_outbox_rejects(tmp_path: Path) -> None:
    items = [
        "garbage",  # 1 -> not an activity object
        {"id": f"{ALICE}/statuses/2#delete", "type": "Delete", "actor": ALICE},  # 2 -> unsupported
        create("3", "30/04/2023", "<p>x</p>", to=[PUBLIC], cc=[]),  # 3 -> unparsable timestamp
        # 4 -> direct, addressed to no one
        create("4", "2023-05-01T00:00:00Z", "<p>to nobody</p>", to=[], cc=[]),
        # 5 -> ok: post + ONE mention (bob twice deduplicated; self-mention dropped;
        #      reply to a Misskey note URI is not derivable, so no reply)
        create("5", "2023-05-02T00:00:00Z", "<p>hi</p>", to=[PUBLIC], cc=[],
               tag=[mention(BOB, "@bob@other.example"), mention(BOB, "@bob@other.example"),
                    mention(ALICE, "@alice")],
               reply="https://misskey.example/notes/9abcdef"),  # fmt: skip
        {"id": f"{ALICE}/statuses/6/activity", "type": "Create", "actor": ALICE,
         "published": "2023-05-03T00:00:00Z", "object": f"{ALICE}/statuses/6"},  # 6 -> no object
        announce("7", "2023-05-04T00:00:00Z", None, []),  # 7 -> Announce without an object
    ]  # fmt: skip
    write_dir(tmp_path, [("actor.json", json.dumps(actor()).encode()),
                         ("outbox.json", json.dumps(outbox(items, 7)).encode())])  # fmt: skip
    wb = warmcall.load(tmp_path)
    ob = _report(wb, "outbox.json")
    assert (ob.rows_read, ob.rows_loaded, ob.rows_rejected) == (7, 1, 6)
    reasons = {r["line"]: r["reason"] for r in ob.rejects}
    assert reasons == {
        1: "not an activity object",
        2: "unsupported activity type 'Delete'",
        3: "unparsable published timestamp '30/04/2023'",
        4: "direct message with no derivable recipient",
        6: "Create without an embedded object",
        7: "Announce without an object",
    }
    assert wb.posts["post_id"].to_list() == [f"{ALICE}/statuses/5"]
    assert wb.interactions.select("kind", "contact_id").rows() == [("mention", "bob@other.example")]


def test_truncated_outbox_is_input_error(tmp_path: Path) -> None:
    text = json.dumps(outbox(OUTBOX_42, 7))
    write_dir(tmp_path, [("actor.json", json.dumps(actor()).encode()),
                         ("outbox.json", text[: len(text) // 2].encode())])  # fmt: skip
    with pytest.raises(InputError) as e:
        warmcall.load(tmp_path)
    assert "outbox.json" in str(e.value) and "JSON" in str(e.value)
    assert "\n" not in str(e.value)


def test_truncated_actor_is_input_error(tmp_path: Path) -> None:
    write_dir(tmp_path, [("actor.json", b'{"id": "https://example.com/users/alice", "ty'),
                         ("outbox.json", json.dumps(outbox([], 0)).encode())])  # fmt: skip
    assert mastodon.detect(Source.open(tmp_path))  # claimed, so the problem is reported
    with pytest.raises(InputError, match="actor.json"):
        warmcall.load(tmp_path)


# ---------------------------------------------------------------------------------------
# following_accounts.csv in three header eras (+ blank line, "en, fr")
# ---------------------------------------------------------------------------------------
ERAS = {
    # <= 2.7: no header, one column -> 2 rows, lines 1 and 2
    "v2.7": ("bob@other.example\nCarol@Other.Example\n",
             [(1, "bob@other.example", "bob@other.example"),
              (2, "carol@other.example", "Carol@Other.Example")]),
    # 2.8: short header, with a blank line (line 3) -> 2 rows, lines 2 and 4
    "v2.8": ("Account address,Show boosts\nbob@other.example,true\n\ndave@example.com,false\n",
             [(2, "bob@other.example", "bob@other.example"),
              (4, "dave@example.com", "dave@example.com")]),
    # 4.0: full header, quoted "en, fr" -> 2 rows, lines 2 and 3
    "v4.0": ('Account address,Show boosts,Notify on new posts,Languages\n'
             'bob@other.example,true,false,"en, fr"\nerin@other.example,true,true,\n',
             [(2, "bob@other.example", "bob@other.example"),
              (3, "erin@other.example", "erin@other.example")]),
}  # fmt: skip


@pytest.mark.parametrize("era", sorted(ERAS))
def test_following_eras(tmp_path: Path, era: str) -> None:
    text, expected = ERAS[era]
    (tmp_path / "following_accounts.csv").write_text(text, encoding="utf-8")
    src = Source.open(tmp_path)
    assert mastodon.detect(src)
    tables, report = finalize(mastodon.load(src, handle="@Alice@example.com"))
    con = tables["connections"].sort("source")
    lines = [int(s.rsplit(":", 1)[1]) for s in con["source"]]
    assert list(zip(lines, con["contact_id"], con["handle"], strict=True)) == expected
    assert set(con["account_id"]) == {ACCOUNT}  # from handle=, normalized
    assert con["i_follow"].to_list() == [True, True]
    assert con["follows_me"].null_count() == 2  # unknown: followers are not exported
    (rep,) = report.sources
    assert (rep.rows_read, rep.rows_loaded, rep.rows_rejected) == (2, 2, 0)
    assert rep.notes == []


def test_following_alone_falls_back_to_me_with_note(tmp_path: Path) -> None:
    (tmp_path / "following_accounts.csv").write_text(ERAS["v4.0"][0], encoding="utf-8")
    wb = warmcall.load(tmp_path)
    assert set(wb.connections["account_id"]) == {"mastodon:me"}
    assert any("mastodon:me" in n for n in wb.report.sources[0].notes)


def test_following_bad_rows(tmp_path: Path) -> None:
    text = "Account address,Show boosts\nbob@other.example,true\nnot-an-address,true\n,false\n"
    (tmp_path / "following_accounts.csv").write_text(text, encoding="utf-8")
    wb = warmcall.load(tmp_path)
    (rep,) = wb.report.sources
    # 3 rows: line 2 ok; line 3 not an address; line 4 empty address
    assert (rep.rows_read, rep.rows_loaded, rep.rows_rejected) == (3, 1, 2)
    assert {r["line"]: r["reason"] for r in rep.rejects} == {
        3: "not a user@domain address: 'not-an-address'",
        4: "empty account address",
    }


def test_following_by_header_under_another_name(tmp_path: Path) -> None:
    (tmp_path / "follows (2).csv").write_text(ERAS["v2.8"][0], encoding="utf-8")
    assert mastodon.detect(Source.open(tmp_path))
    assert warmcall.load(tmp_path).connections.height == 2


# ---------------------------------------------------------------------------------------
# headerless CSVs (+ muted), next to the zip and the following list
# ---------------------------------------------------------------------------------------
SIDE = {
    "lists.csv": "Friends,bob@other.example\nWork,dave@example.com\n",  # 2 rows, lines 1-2
    "blocked_accounts.csv": "spam@bad.example\n\nspam2@bad.example\n",  # 2 rows, lines 1 and 3
    "blocked_domains.csv": "bad.example\n",  # 1 row
    "bookmarks.csv": "https://other.example/users/bob/statuses/1111\n",  # 1 row
    "muted_accounts.csv": "Account address,Hide notifications\nmute@other.example,true\n",  # 1 row
}


def test_side_csvs_with_archive_in_folder(tmp_path: Path) -> None:
    write_zip(tmp_path / ZIP_NAME, archive_42_members())
    (tmp_path / "following_accounts.csv").write_text(ERAS["v4.0"][0], encoding="utf-8")
    for name, text in SIDE.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    wb = warmcall.load(tmp_path)
    # the folder's CSVs take the account of the archive beside them
    con = wb.connections.sort("contact_id")
    assert con["contact_id"].to_list() == ["bob@other.example", "erin@other.example"]
    assert set(con["account_id"]) == {ACCOUNT}
    # blocked / muted / list members never become connections
    assert not set(con["contact_id"]) & {
        "spam@bad.example",
        "mute@other.example",
        "dave@example.com",
    }
    fol = _report(wb, "following_accounts.csv")
    assert any("taken from" in n for n in fol.notes)
    expected = {
        "lists.csv": ([1, 2], mastodon.SIDE_CSVS["lists"]),
        "blocked_accounts.csv": ([1, 3], "blocked account: not a connection"),
        "blocked_domains.csv": ([1], "blocked domain: not an account"),
        "bookmarks.csv": ([1], mastodon.BOOKMARK_REASON),
        "muted_accounts.csv": ([2], "muted account: not a connection"),
    }
    for name, (lines, reason) in expected.items():
        rep = _report(wb, "/" + name)
        assert rep.rows_read == len(lines) == rep.rows_rejected and rep.rows_loaded == 0, name
        assert [r["line"] for r in rep.rejects] == lines, name
        assert {r["reason"] for r in rep.rejects} == {reason}, name
    # archive 10 read + following 2 + side 2+2+1+1+1 = 19 read; loaded 7 + 2 = 9; the 2
    # likes set aside
    r = wb.report
    assert (r.rows_read, r.rows_loaded, r.rows_set_aside, r.rows_rejected) == (19, 9, 2, 8)


def test_side_csvs_alone_are_not_detected(tmp_path: Path) -> None:
    for name, text in SIDE.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert not mastodon.detect(Source.open(tmp_path))


def test_detect_rejects_other_json(tmp_path: Path) -> None:
    (tmp_path / "actor.json").write_text(json.dumps({"type": "Note", "id": "x"}), encoding="utf-8")
    (tmp_path / "following.csv").write_text("name\nbob\n", encoding="utf-8")
    assert not mastodon.detect(Source.open(tmp_path))


def test_actor_inside_same_source_beats_fallback(dir42: Path) -> None:
    (dir42 / "following_accounts.csv").write_text(ERAS["v2.7"][0], encoding="utf-8")
    wb = warmcall.load(dir42)
    assert set(wb.connections["account_id"]) == {ACCOUNT}
    assert _report(wb, "following_accounts.csv").notes == []


# ---------------------------------------------------------------------------------------
# small rules
# ---------------------------------------------------------------------------------------
def test_visibility_table() -> None:
    assert visibility([PUBLIC], [FOLLOWERS], FOLLOWERS) == "public"
    assert visibility([FOLLOWERS], [PUBLIC], FOLLOWERS) == "unlisted"
    assert visibility([FOLLOWERS], [BOB], FOLLOWERS) == "followers"
    assert visibility([BOB], [], FOLLOWERS) == "direct"


def test_acct_from_uri() -> None:
    assert acct_from_uri("https://Other.Example/users/Bob") == "bob@other.example"
    assert acct_from_uri("https://other.example/users/bob/statuses/1") == "bob@other.example"
    assert acct_from_uri("https://other.example/@carol/123") == "carol@other.example"
    assert acct_from_uri("https://other.example/users/bob/followers") is None
    assert acct_from_uri("https://misskey.example/notes/9abc") is None
    assert acct_from_uri(None) is None


def test_html_to_text() -> None:
    assert html_to_text("<p>a &amp; b</p><p>c<br>d</p>") == "a & b\n\nc\nd"
    link = (
        '<a href="https://ex.com/long/path"><span class="invisible">https://</span>'
        '<span class="ellipsis">ex.com/lo</span><span class="invisible">ng/path</span></a>'
    )
    assert html_to_text(f"<p>see {link}</p>") == "see https://ex.com/long/path"
    assert html_to_text("") is None
    assert html_to_text('<p><a title="a>b" href="#">x</a> 1 &lt; 2 <!-- c --></p>') == "x 1 < 2"
    assert html_to_text("<p>list:</p><ul><li>one</li><li>two</li></ul>") == "list:\n\none\ntwo"


# ---------------------------------------------------------------------------------------
# writer round trip
# ---------------------------------------------------------------------------------------
def _t(day: int, hour: int) -> datetime:
    return datetime(2026, 10, day, hour, 0, 0, tzinfo=UTC)


S = f"{ALICE}/statuses/"


def canonical_tables() -> dict[str, pl.DataFrame]:
    accounts = pl.DataFrame(
        {"account_id": [ACCOUNT], "platform": ["mastodon"], "handle": ["alice@example.com"],
         "display_name": ["Alice A."], "snapshot_date": [date(2026, 11, 13)],
         "followers": [120], "posts_count": [40]},
    )  # fmt: skip
    posts = pl.DataFrame(
        {"account_id": [ACCOUNT] * 3, "platform": ["mastodon"] * 3,
         "post_id": [S + "101", S + "102", S + "103"],
         "ts": [_t(1, 9), _t(2, 10), _t(3, 11)],
         "text": ["Hello & <world>\nline two\n\nPara 2", None, "Re: survey"],
         "is_repost": [False, True, False], "likes": [5, None, 1]},
    )  # fmt: skip
    interactions = pl.DataFrame(
        {"account_id": [ACCOUNT] * 6, "platform": ["mastodon"] * 6,
         "contact_id": ["bob@other.example", "carol@other.example", "dave@example.com",
                        "erin@other.example", "frank@other.example", "bob@other.example"],
         "ts": [_t(1, 9), _t(2, 10), _t(3, 11), _t(3, 11), _t(4, 12), _t(5, 8)],
         "kind": ["mention", "share", "reply", "mention", "dm", "like"],
         "direction": ["out", "out", "out", "out", "out", "in"],
         "post_id": [S + "101", S + "102", S + "103", S + "103", S + "104", S + "101"]},
    )  # fmt: skip
    connections = pl.DataFrame(
        {"account_id": [ACCOUNT] * 3, "platform": ["mastodon"] * 3,
         "contact_id": ["bob@other.example", "carol@other.example", "gina@other.example"],
         "handle": ["bob@other.example", "carol@other.example", "gina@other.example"],
         "follows_me": [None, True, True], "i_follow": [True, True, False]},
    )  # fmt: skip
    return {"accounts": accounts, "posts": posts, "interactions": interactions,
            "connections": connections}  # fmt: skip


def test_writer_round_trip(tmp_path: Path) -> None:
    tables = canonical_tables()
    out = tmp_path / "export"
    zp = writer.write(tables, ACCOUNT, out)
    assert zp.parent == out and zp.name.startswith("archive-20261113000000-")
    assert (out / "following_accounts.csv").exists()  # the documented sibling
    with zipfile.ZipFile(zp) as zf:
        assert zf.namelist() == ["outbox.json", "likes.json", "bookmarks.json", "actor.json"]
        assert "totalItems" not in json.loads(zf.read("likes.json"))  # 4.2 shape
    wb = warmcall.load(out)
    assert wb.report.rows_read == wb.report.rows_loaded + wb.report.rows_rejected

    acc_cols = ["account_id", "platform", "handle", "display_name", "snapshot_date", "posts_count"]
    assert wb.accounts.select(acc_cols).rows() == tables["accounts"].select(acc_cols).rows()
    assert wb.accounts["followers"][0] is None  # cannot be carried

    p_cols = ["account_id", "platform", "post_id", "ts", "text", "is_repost"]
    assert wb.posts.select(p_cols).sort("post_id").equals(tables["posts"].select(p_cols))
    assert wb.posts["likes"].null_count() == 3  # counts cannot be carried

    i_cols = ["account_id", "platform", "contact_id", "ts", "kind", "direction", "post_id"]
    want = tables["interactions"].filter(pl.col("direction") == "out").select(i_cols)
    assert wb.interactions.select(i_cols).sort("ts", "kind").equals(want.sort("ts", "kind"))

    c_cols = ["account_id", "platform", "contact_id", "handle", "i_follow"]
    want_c = tables["connections"].filter(pl.col("i_follow")).select(c_cols)
    assert wb.connections.select(c_cols).sort("contact_id").equals(want_c)
    assert wb.connections["follows_me"].null_count() == 2  # unknown after the round trip


def test_writer_deterministic_and_zip_path(tmp_path: Path) -> None:
    tables = canonical_tables()
    a = writer.write(tables, ACCOUNT, tmp_path / "a" / "x.zip")
    b = writer.write(tables, ACCOUNT, tmp_path / "b" / "x.zip")
    assert a.name == "x.zip" and a.read_bytes() == b.read_bytes()
    assert not list(tmp_path.rglob("*.part"))


def test_writer_unattached_interactions_become_statuses(tmp_path: Path) -> None:
    # story-like rows: non-URI post ids, interaction times that match no post
    posts = pl.DataFrame({"account_id": [ACCOUNT], "platform": ["mastodon"],
                          "post_id": ["mastodon-p1"], "ts": [_t(1, 9)],
                          "text": ["note"], "is_repost": [False]})  # fmt: skip
    inter = pl.DataFrame(
        {"account_id": [ACCOUNT] * 3, "platform": ["mastodon"] * 3,
         "contact_id": ["bob@other.example", "carol@other.example", "dave@example.com"],
         "ts": [_t(2, 9), _t(3, 9), _t(4, 9)], "kind": ["reply", "share", "mention"],
         "direction": ["out"] * 3, "post_id": ["mastodon-p1", "mastodon-p1", None]},
    )  # fmt: skip
    zp = writer.write({"posts": posts, "interactions": inter}, ACCOUNT, tmp_path / "a.zip")
    assert not (tmp_path / "following_accounts.csv").exists()  # no i_follow rows
    wb = warmcall.load(zp)
    cols = ["contact_id", "ts", "kind", "direction"]
    assert wb.interactions.select(cols).sort("ts").equals(inter.select(cols))
    # 1 post + 3 statuses made for the 3 unattached interactions (reply, boost, mention)
    assert wb.posts.height == 4
    assert wb.posts.filter(pl.col("ts") == _t(1, 9))["text"].to_list() == ["note"]
    assert wb.posts["post_id"].str.starts_with(S).all()  # non-URI ids become status URIs


def test_writer_story_sample_loads(tmp_path: Path) -> None:
    from warmcall.sample import story

    tables = story.generate(story.Scale(contacts=400, interactions=800, posts=60), seed=3)
    acc = "mastodon:" + story.OWN["mastodon"]
    zp = writer.write(tables, acc, tmp_path / "out")
    wb = warmcall.load(tmp_path / "out")
    assert wb.report.rows_read == wb.report.rows_loaded + wb.report.rows_rejected
    assert set(wb.accounts["account_id"]) == {acc}
    i = tables["interactions"].filter(
        (pl.col("account_id") == acc) & (pl.col("direction") == "out")
        & pl.col("kind").is_in(["reply", "mention", "share", "dm"])
    )  # fmt: skip
    # every outbound reply/mention/share/dm comes back (exact duplicates collapse)
    key = ["contact_id", "kind", "ts"]
    want = i.select(key).with_columns(pl.col("ts").dt.truncate("1s")).unique().sort(key)
    assert wb.interactions.select(key).unique().sort(key).equals(want)
    n_follow = (
        tables["connections"].filter((pl.col("account_id") == acc) & pl.col("i_follow")).height
    )
    assert wb.connections.height == n_follow
    assert zp.exists()


def test_archive_in_subfolder_of_zip(tmp_path: Path) -> None:
    # paths drift: the same archive one folder down inside the zip
    members = [(f"my-export/{n}", d) for n, d in archive_42_members()]
    wb = warmcall.load(write_zip(tmp_path / "download.zip", members))
    assert wb.posts.height == 5 and wb.interactions.height == 5  # as in the 4.2 archive
    assert wb.accounts["snapshot_date"][0] is None  # no archive-<timestamp> name


def test_foreign_undecodable_csv_is_ignored(dir42: Path) -> None:
    (dir42 / "Connections.csv").write_bytes("Name\nRen\xe9e\n".encode("latin-1"))
    assert [k for k, _m, _t in mastodon._csv_members(Source.open(dir42))] == []
    assert mastodon.detect(Source.open(dir42))
