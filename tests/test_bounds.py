"""Bounded input: size caps checked by ``stat`` or declared size before any byte is read,
for folders and single files as for archives; CSV fields of any length; duplicate archive
member names reported; X tweet parts loaded as one table (the same result as one file)."""

from __future__ import annotations

import csv
import io
import json
import tarfile
import warnings
import zipfile
from pathlib import Path

import polars as pl
import pytest
import warmcall
from warmcall.ingest import cache
from warmcall.ingest.sources import Source
from warmcall.run import cli

TWEETS_WRAPPER = "window.YTD.tweets.part0 = "
ACCOUNT_JS = 'window.YTD.account.part0 = [{"account": {"username": "alice", "accountId": "1"}}]'


def _run(argv: list[str], capsys) -> tuple[int, str, list[str]]:
    rc = cli.main(argv)
    cap = capsys.readouterr()
    return rc, cap.out, cap.err.splitlines()


def _never_read(monkeypatch, name: str) -> None:
    """Fail the test if any byte of a file called ``name`` is read (loaders or cache)."""
    real_head, real_sha = Source.read_head, cache._sha256

    def read_head(self, member, n):
        assert not member.endswith(name), f"{member} was read"
        return real_head(self, member, n)

    def sha(path):
        assert not str(path).endswith(name), f"{path} was hashed"
        return real_sha(path)

    monkeypatch.setattr(Source, "read_head", read_head)
    monkeypatch.setattr(cache, "_sha256", sha)


# ----------------------------------------------------------------------------- size caps


def test_sparse_json_in_a_folder_is_refused_unread(tmp_path: Path, monkeypatch, capsys) -> None:
    """A 2 GiB sparse tweets.js (no disk blocks, all zeros) inside an export folder: one line
    naming the file and the JSON cap, exit 2, and the file is never read or hashed."""
    d = tmp_path / "export" / "data"
    d.mkdir(parents=True)
    (d / "account.js").write_text(ACCOUNT_JS)
    with (d / "tweets.js").open("wb") as f:
        f.truncate(2 << 30)
    _never_read(monkeypatch, "tweets.js")
    monkeypatch.setenv("WARMCALL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WARMCALL_CACHE_MIN_BYTES", "0")
    rc, out, err = _run(["load", str(tmp_path / "export")], capsys)
    assert rc == 2 and out == ""
    assert err == [
        f"warmcall: error: {d / 'tweets.js'}: JSON file of 2,048.0 MiB, over the cap of "
        "1,024 MiB for JSON, which is parsed in memory (set WARMCALL_MAX_JSON_MB to raise it)"
    ]


def test_caps_apply_to_single_files_zips_and_tars(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("WARMCALL_MAX_JSON_MB", "1")
    monkeypatch.setenv("WARMCALL_MAX_UNZIP_MB", "3")
    big_json = b"[" + b"0," * (600 * 1024) + b"0]"  # 1.2 MiB of JSON, compresses well
    lone = tmp_path / "outbox.json"
    lone.write_bytes(big_json)
    with pytest.raises(warmcall.InputError, match=r"outbox\.json: JSON file of 1\.2 MiB, over "):
        warmcall.load(lone, cache=False)

    z = tmp_path / "export.zip"
    with zipfile.ZipFile(z, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data/like.js", big_json)
    with pytest.raises(warmcall.InputError, match=r"export\.zip!data/like\.js: JSON file of 1\.2"):
        Source.open(z)

    t = tmp_path / "old.tar.gz"
    with tarfile.open(t, "w:gz") as tf:
        info = tarfile.TarInfo("outbox.json")
        info.size = len(big_json)
        tf.addfile(info, io.BytesIO(big_json))
    with pytest.raises(warmcall.InputError, match=r"old\.tar\.gz!outbox\.json: JSON file of 1\.2"):
        Source.open(t)

    d = tmp_path / "folder"  # not JSON: the general cap (the same as an archive member's)
    d.mkdir()
    with (d / "photo.jpg").open("wb") as f:
        f.truncate(4 << 20)
    with pytest.raises(
        warmcall.InputError, match=r"photo\.jpg: file of 4\.0 MiB, over the cap of 3 MiB"
    ):
        Source.open(d)


def test_a_file_that_grows_after_open_is_not_read_past_its_size(tmp_path: Path) -> None:
    d = tmp_path / "f"
    d.mkdir()
    (d / "accounts.csv").write_text("account_id,platform\n")
    src = Source.open(d)
    (d / "accounts.csv").write_text("account_id,platform\n" + "x:me,x\n" * 1000)
    with pytest.raises(warmcall.InputError, match=r"accounts\.csv: file grew after it was opened"):
        src.get("accounts.csv").read_bytes()


# ----------------------------------------------------------------------------- CSV fields


@pytest.mark.parametrize("multiline", [False, True])
def test_csv_field_longer_than_128_kib_loads(tmp_path: Path, multiline: bool) -> None:
    """A 300,000-character bio (Python's csv stops at 131,072 by default); with a line break
    in it the exact-line parser (Python's csv) is used, without it polars' fast path."""
    bio = ("long bio " * 40_000)[:300_000]
    if multiline:
        bio = bio[:150_000] + "\n" + bio[150_001:]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["account_id", "platform", "contact_id", "handle", "bio"])
    w.writerow(["x:me", "x", "1", "bob", bio])
    w.writerow(["x:me", "x", "2", "carol", "short"])
    d = tmp_path / "canon"
    d.mkdir()
    (d / "accounts.csv").write_text("account_id,platform,handle\nx:me,x,me\n")
    (d / "connections.csv").write_text(buf.getvalue())
    wb = warmcall.load(d, cache=False)
    bios = dict(zip(wb.connections["handle"], wb.connections["bio"], strict=True))
    assert bios == {"bob": bio, "carol": "short"}


# ----------------------------------------------------------------------------- duplicates


def test_duplicate_zip_member_is_reported_not_silently_ignored(tmp_path: Path) -> None:
    """Two ``accounts.csv`` in one zip: the first is read (its rows, counted here by hand),
    the second is listed in the load report with the reason, under a name of its own."""
    z = tmp_path / "export.zip"
    first = "account_id,platform,handle\nx:first,x,first\nx:second,x,second\n"  # 2 rows
    later = "account_id,platform,handle\nx:later,x,later\n"
    with zipfile.ZipFile(z, "w") as zf, warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns "Duplicate name"
        zf.writestr("accounts.csv", first)
        zf.writestr("accounts.csv", later)
    wb = warmcall.load(z, cache=False)
    assert sorted(wb.accounts["handle"]) == ["first", "second"]
    dup = [s for s in wb.report.sources if s.format == "duplicate-member"]
    assert [s.path for s in dup] == [f"{z}!accounts.csv (copy 2)"]
    assert dup[0].notes == [
        "accounts.csv (copy 2): not read: an earlier member of the archive has the same name; "
        "only the first is read (an archive should not hold two files of one name)"
    ]
    assert "note: accounts.csv (copy 2): not read" in wb.report.text()


def test_duplicate_tar_member_is_reported(tmp_path: Path) -> None:
    t = tmp_path / "export.tar.gz"
    with tarfile.open(t, "w:gz") as tf:
        for body in (b"account_id,platform,handle\nx:a,x,a\n", b"account_id,platform,handle\n"):
            info = tarfile.TarInfo("accounts.csv")
            info.size = len(body)
            tf.addfile(info, io.BytesIO(body))
    wb = warmcall.load(t, cache=False)
    assert wb.accounts["handle"].to_list() == ["a"]
    assert [s.format for s in wb.report.sources].count("duplicate-member") == 1


# ----------------------------------------------------------------------------- tweet parts


def _tweet(tid: str, created: str) -> dict:
    return {"tweet": {"id_str": tid, "created_at": created, "full_text": f"t{tid}",
                      "favorite_count": "1", "retweet_count": "0",
                      "entities": {"user_mentions": [{"id_str": "42", "screen_name": "bob"}]}}}  # fmt: skip


OK = "Sat Aug 12 16:10:37 +0000 2023"


def test_tweet_parts_keep_their_own_lines_and_rejects(tmp_path: Path) -> None:
    """Parts are loaded as one table, but every record keeps its file and line: the rejects
    and ``source`` of each part are its own (worked out from the fixture below)."""
    d = tmp_path / "x" / "data"
    d.mkdir(parents=True)
    (d / "account.js").write_text(ACCOUNT_JS)
    parts = {
        "tweets.js": [_tweet("1", OK), _tweet("2", "yesterday"), _tweet("3", OK)],
        "tweets-part1.js": [_tweet("4", "never"), _tweet("5", OK)],
        "tweets-part2.js": [_tweet("6", OK), {"tweet": {"created_at": OK}}],
    }
    for i, (name, items) in enumerate(parts.items()):
        (d / name).write_text(f"window.YTD.tweets.part{i} = " + json.dumps(items))
    wb = warmcall.load(tmp_path / "x", cache=False)
    by_file = {Path(s.path).name: s for s in wb.report.sources}
    assert [(r["line"], r["reason"]) for r in by_file["tweets.js"].rejects] == [
        (2, "unparsable created_at 'yesterday'")
    ]
    assert [(r["line"], r["reason"]) for r in by_file["tweets-part1.js"].rejects] == [
        (1, "unparsable created_at 'never'")
    ]
    assert [(r["line"], r["reason"]) for r in by_file["tweets-part2.js"].rejects] == [
        (2, "tweet without id_str")
    ]
    src = dict(zip(wb.posts["post_id"], wb.posts["source"], strict=True))
    assert src == {"1": f"{d}/tweets.js:1", "3": f"{d}/tweets.js:3",
                   "5": f"{d}/tweets-part1.js:2", "6": f"{d}/tweets-part2.js:1"}  # fmt: skip
    mentions = wb.interactions.filter(pl.col("kind") == "mention")
    assert sorted(mentions["source"]) == sorted(src.values())  # one mention of 42 per tweet
    assert wb.accounts["posts_count"].to_list() == [7]  # items in all parts
