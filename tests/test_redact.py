"""Keyed redaction: pseudonyms are HMAC-SHA-256 with a secret key kept outside the reports.

The expected pseudonyms are recomputed here with Python's ``hmac`` from the documented rule
(``warmcall.model.redact`` docstring), and an attacker's attempts are recomputed from what a
report shows (its title and params) to check that none of them gives a pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
from pathlib import Path

import polars as pl
import pytest
from warmcall.core.errors import InputError
from warmcall.core.params import parse_params
from warmcall.model.redact import default_key_file, key_for, load_key, redact_contacts

CONTACTS = pl.DataFrame({
    "platform": ["x", "x", "linkedin"], "contact_id": ["1", "2", "carol-b"],
    "handle": ["alice", "bob", "carol-b"], "display_name": ["Alice A", "Bob B", "Carol B"],
    "bio": ["alice's bio", None, "x"], "person_id": ["p:alice", None, "p:carol"],
})  # fmt: skip


def _hmac12(key: bytes, msg: str) -> str:
    return hmac.new(key, msg.encode(), hashlib.sha256).hexdigest()[:12]


def test_key_file_is_created_private_once_and_reused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    path = default_key_file()
    assert path == tmp_path / "cfg" / "warmcall" / "redact.key"
    key = load_key()
    assert len(key) == 32 and path.read_text().strip() == key.hex()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_key() == key  # the same key on the next run ...
    assert sorted(p.name for p in path.parent.iterdir()) == ["redact.key"]  # ... no leftovers
    other = load_key(tmp_path / "other.key")  # a params key points elsewhere: another key
    assert other != key


def test_pseudonyms_are_the_documented_hmac_and_stable_across_runs(tmp_path: Path) -> None:
    p = parse_params({"title": "Q3 audit", "redact": True, "redact_key_file": str(tmp_path / "k")})
    a = redact_contacts(CONTACTS, key_for(p))
    b = redact_contacts(CONTACTS, key_for(parse_params({"redact_key_file": str(tmp_path / "k")})))
    assert a.equals(b)  # same key file, another run and another title: the same pseudonyms
    key = bytes.fromhex((tmp_path / "k").read_text())
    us = "\x1f"  # the unit separator of the documented message
    want = [f"{pf}-{_hmac12(key, 'contact' + us + pf + us + c)}"
            for pf, c in zip(CONTACTS["platform"], CONTACTS["contact_id"], strict=True)]  # fmt: skip
    assert a["handle"].to_list() == a["contact_id"].to_list() == want
    assert a["person_id"].to_list() == [
        "person-" + _hmac12(key, "person" + us + "p:alice"), None,
        "person-" + _hmac12(key, "person" + us + "p:carol"),
    ]  # fmt: skip
    assert a["bio"].null_count() == a.height
    text = a.write_csv()
    for secret in ("alice", "Alice", "bob", "Bob", "carol", "p:alice"):
        assert secret not in text
    c = redact_contacts(CONTACTS, load_key(tmp_path / "fresh"))
    assert set(c["handle"]).isdisjoint(a["handle"])  # a new key: unlinkable pseudonyms


def test_pseudonyms_cannot_be_recomputed_from_what_a_report_shows(tmp_path: Path) -> None:
    """An attacker holds the report (title, params) and a candidate follower list (here: the
    real one). Every recipe built from the report's content gives other values; only the
    key file reproduces them."""
    p = parse_params({"title": "Q3 audit", "redact": True, "redact_key_file": str(tmp_path / "k")})
    red = redact_contacts(CONTACTS, key_for(p))
    shown = {p.title, json.dumps(p.to_papermill(), sort_keys=True), str(p.redact_key_file), ""}
    digests = set()
    for pf, cid in zip(CONTACTS["platform"], CONTACTS["contact_id"], strict=True):
        for secret in shown:
            for msg in (f"{secret}|{pf}|{cid}", f"{pf}|{cid}", f"contact\x1f{pf}\x1f{cid}"):
                digests.add(hashlib.sha256(msg.encode()).hexdigest()[:12])
                digests.add(hashlib.sha256(msg.encode()).hexdigest()[:8])  # the old, salted rule
                digests.add(_hmac12(secret.encode(), msg))
    got = {h.split("-", 1)[1] for h in red["handle"]}
    assert got.isdisjoint(digests)
    key_hex = (tmp_path / "k").read_text().strip()
    assert key_hex not in json.dumps(p.to_papermill())  # the params carry the path, not the key


def test_bad_key_files_are_refused_without_quoting_them(tmp_path: Path) -> None:
    shared = tmp_path / "shared.key"
    shared.write_text("ab" * 32)
    os.chmod(shared, 0o644)
    with pytest.raises(InputError, match=r"shared\.key: .*readable or writable by others"):
        load_key(shared)
    bad = tmp_path / "bad.key"
    bad.write_text("not-hex SECRET")
    os.chmod(bad, 0o600)
    with pytest.raises(InputError, match=r"bad\.key: not a redaction key file") as ei:
        load_key(bad)
    assert "SECRET" not in str(ei.value)
    short = tmp_path / "short.key"
    short.write_text("abcd")
    os.chmod(short, 0o600)
    with pytest.raises(InputError, match="shorter than 16 bytes"):
        load_key(short)
    with pytest.raises(ValueError, match="at least 16 bytes"):
        redact_contacts(CONTACTS, b"title")  # a short or guessable key is not accepted
