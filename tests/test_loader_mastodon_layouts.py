"""Mastodon archives before and after 4.2: contacts carry their ``user@host`` handle, a broken
file stops nothing else, and the signals the archive and CSV exports carry (docs/export-formats.md
§6). Fixture builders come from ``test_loader_mastodon``; expected numbers are counted from
the fixture items with plain Python."""

from __future__ import annotations

import json
from pathlib import Path

import warmcall
from test_loader_mastodon import (
    ACCOUNT,
    ALICE,
    BOB,
    OUTBOX_42,
    PUBLIC,
    _legacy,
    actor,
    create,
    outbox,
    write_dir,
)


def _mentioned(items: list[dict]) -> set[str]:
    """user@host of every Mention tag, boosted author and reply target (independent of the
    loader: from the fixture's tags and addressing)."""
    out = set()
    for it in items:
        obj = it.get("object")
        if isinstance(obj, dict):
            for t in obj.get("tag") or []:
                if t.get("type") == "Mention":
                    name = t["name"].lstrip("@")
                    out.add(name if "@" in name else f"{name}@{t['href'].split('/')[2]}")
            if obj.get("inReplyTo") and not obj["inReplyTo"].startswith(ALICE):
                parts = obj["inReplyTo"].split("/")
                out.add(f"{parts[4]}@{parts[2]}")
        elif isinstance(obj, str):
            parts = obj.split("/")
            out.add(f"{parts[4]}@{parts[2]}")
    return out


def test_contacts_show_user_at_host_as_handle(tmp_path: Path) -> None:
    write_dir(tmp_path, [("actor.json", json.dumps(actor()).encode()),
                         ("outbox.json", json.dumps(outbox(OUTBOX_42, 7)).encode())])  # fmt: skip
    scores = warmcall.score(warmcall.load(tmp_path), {"as_of": "2023-06-01"})
    want = _mentioned(OUTBOX_42)
    assert set(scores["contact_id"]) == want
    assert scores["handle"].to_list() == scores["contact_id"].to_list()  # user@host, not empty
    assert all("@" in h for h in scores["handle"])


def test_pre_42_items_with_context_load_like_42(tmp_path: Path) -> None:
    old = [_legacy(it) for it in OUTBOX_42]
    write_dir(tmp_path, [("actor.json", json.dumps(actor()).encode()),
                         ("outbox.json", json.dumps(outbox(old, 7)).encode())])  # fmt: skip
    wb = warmcall.load(tmp_path)
    ob = next(s for s in wb.report.sources if s.path.endswith("outbox.json"))
    assert (ob.rows_read, ob.rows_loaded, ob.rows_rejected) == (len(old), len(old), 0)
    assert set(wb.interactions["contact_id"]) == _mentioned(OUTBOX_42)


def test_broken_likes_file_is_reported_and_the_rest_loads(tmp_path: Path) -> None:
    write_dir(tmp_path, [("actor.json", json.dumps(actor()).encode()),
                         ("outbox.json", json.dumps(outbox(OUTBOX_42, 7)).encode()),
                         ("likes.json", b'{"orderedItems": ["https://x')])  # fmt: skip
    wb = warmcall.load(tmp_path)
    lk = next(s for s in wb.report.sources if s.path.endswith("likes.json"))
    assert lk.rows_read == 0 and lk.notes[0].startswith("likes.json not read: invalid")
    ob = next(s for s in wb.report.sources if s.path.endswith("outbox.json"))
    assert ob.rows_loaded == len(OUTBOX_42)


def test_unreadable_actor_takes_the_account_from_the_outbox(tmp_path: Path) -> None:
    items = [create("1", "2023-05-02T00:00:00Z", "<p>hi @bob</p>", to=[PUBLIC], cc=[],
                    tag=[{"type": "Mention", "href": BOB, "name": "@bob@other.example"}])]  # fmt: skip
    write_dir(tmp_path, [("actor.json", b'{"id": "https://example.com/users/alice", "ty'),
                         ("outbox.json", json.dumps(outbox(items, 1)).encode())])  # fmt: skip
    wb = warmcall.load(tmp_path)
    assert set(wb.interactions["account_id"]) == {ACCOUNT}
    assert wb.posts.height == len(items)
    notes = [n for s in wb.report.sources for n in s.notes]
    assert any(n.startswith("actor.json not read: invalid or truncated JSON") for n in notes)
    assert any("taken from the outbox's actor" in n for n in notes)


def test_signals_no_followers_no_inbound(tmp_path: Path) -> None:
    write_dir(tmp_path, [("actor.json", json.dumps(actor()).encode()),
                         ("outbox.json", json.dumps(outbox(OUTBOX_42, 7)).encode()),
                         ("following_accounts.csv", b"Account address,Show boosts\nbob@other.example,true\n")])  # fmt: skip
    wb = warmcall.load(tmp_path)
    got = {(r["account_id"], r["signal"]) for r in wb.signals.iter_rows(named=True)}
    assert got == {(ACCOUNT, "following"), (ACCOUNT, "outbound"), (ACCOUNT, "messages_out")}
