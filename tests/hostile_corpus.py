# ruff: noqa: E501  (fixture text reproduces the exports' exact shapes)
"""A corpus of malformed and hostile inputs for ``warmcall load`` (the hostile-input issue).

``build(root)`` writes every input under ``root/<case name>/`` (small files, a few records
each; nothing is downloaded) and returns the cases with their exact expected outcome:

- a fatal case: ``warmcall load`` exits 2 with ONE line on stderr matching ``error`` (the
  file and the problem), no traceback, no output tables;
- a row-level case: exit 0 and, per input file (keyed by its base name), rows read / loaded /
  rejected and the reject reasons (regex -> count); read = loaded + rejected by construction.

Every expected number is worked out by hand next to the fixture data (``# line N: ...``),
never copied from the loader's output.
"""

from __future__ import annotations

import codecs
import html
import io
import json
import os
import random
import struct
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

BIG = "A" * (1 << 20)  # a 1 MiB field
SLOW_HTML = '<a "' * (1 << 18)  # 1 MiB that made an HTML tokenizer quadratic (hours)
SLOW_SYSTEM = "added " * 170_000  # 1 MiB that made Meta's system-line pattern quadratic
HOSTILE = "<script>alert(1)</script>"
ZIP_DATE = (2026, 1, 1, 0, 0, 0)


#: Every case, in build order (parametrizes the tests without building the corpus).
NAMES: tuple[str, ...] = (
    "missing-path",
    "empty-folder",
    "zero-byte-zip",
    "text-named-zip",
    "truncated-zip",
    "corrupt-member-zip",
    "zip-traversal-dotdot",
    "zip-traversal-absolute",
    "zip-traversal-backslash",
    "zip-traversal-drive",
    "zip-bomb-ratio",
    "zip-over-total-cap",
    "zip-lying-size",
    "zip-encrypted-flag",
    "zip-unknown-method",
    "tar-symlink-skipped",
    "zip-symlink-skipped",
    "folder-symlinks-skipped",
    "tar-traversal",
    "targz-bomb",
    "truncated-targz",
    "fifo-input",
    "fifo-in-folder",
    "latin1-no-encoding",
    "latin1-with-encoding",
    "utf16-bom",
    "utf8-bom-crlf",
    "unknown-encoding",
    "binary-garbage-csv",
    "canonical-empty-file",
    "canonical-header-only",
    "canonical-missing-column",
    "canonical-corrupt-parquet",
    "canonical-interactions-rows",
    "canonical-posts-rows",
    "canonical-ragged-and-quotes",
    "canonical-nul-bytes",
    "touchpoints-rows",
    "x-truncated-json",
    "x-missing-wrapper",
    "x-wrong-wrapper",
    "x-no-account",
    "x-deep-nesting",
    "x-empty-files",
    "x-rows",
    "x-analytics-latin1",
    "x-analytics-latin1-encoding",
    "x-analytics-utf16-legacy",
    "x-analytics-missing-column",
    "x-analytics-rows",
    "linkedin-no-header",
    "linkedin-latin1",
    "linkedin-rows",
    "meta-html-export",
    "meta-truncated-json",
    "meta-empty-json",
    "meta-rows",
    "meta-dm-rows",
    "mastodon-truncated-outbox",
    "mastodon-truncated-actor",
    "mastodon-no-ordered-items",
    "mastodon-rows",
    "mastodon-hostile-html",
    "mastodon-actor-only",
    "mastodon-following-utf16",
    "mapped-rows",
    "mapped-missing-column",
    "mapped-unknown-key",
    "mapped-python-tag",
    "mapped-missing-mapping",
    "profiles-truncated-jsonl",
    "profiles-rows",
)
NEEDS_FIFO = {"fifo-input", "fifo-in-folder"}


@dataclass
class Expect:
    """One input file's accounting: rows read, loaded, rejected and the reasons
    (regular expression matched with ``re.fullmatch`` -> number of rejects)."""

    read: int
    loaded: int
    rejected: int
    reasons: dict[str, int] = field(default_factory=dict)


@dataclass
class Case:
    name: str
    paths: list[Path]
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    exit: int = 0
    error: str | None = None  # regex (re.search) for the one stderr line, when exit != 0
    files: dict[str, Expect] = field(default_factory=dict)  # base name -> accounting
    # value checks on the written tables ({table: DataFrame}): the right value or a reject
    check: Callable[[dict[str, pl.DataFrame]], None] | None = None

    def __post_init__(self) -> None:
        for e in self.files.values():
            assert e.read == e.loaded + e.rejected, self.name
            assert sum(e.reasons.values()) == e.rejected, self.name


# ------------------------------------------------------------------------------ writers


def _write(path: Path, data: str | bytes, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode(encoding)
    path.write_bytes(data)
    return path


def _zip(path: Path, members: dict[str, str | bytes], compress: int = zipfile.ZIP_DEFLATED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=compress) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = compress
            zf.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _patch_central(path: Path, fn) -> None:
    """Apply ``fn(bytearray, offset)`` to the first central-directory entry of a zip."""
    b = bytearray(path.read_bytes())
    off = b.index(b"PK\x01\x02")
    fn(b, off)
    path.write_bytes(bytes(b))


def _tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tf:
        for m in members:
            if isinstance(m, tarfile.TarInfo):
                tf.addfile(m)
            else:
                info = tarfile.TarInfo(m[0])
                info.size = len(m[1])
                info.mtime = 1767225600
                tf.addfile(info, io.BytesIO(m[1]))
    return path


# ------------------------------------------------------------------------------ formats

ACCOUNTS_CSV = (
    "account_id,platform,handle,followers\nx:me,x,me,10\nlinkedin:me,linkedin,me,\n"  # 2 rows
)

CONNECTIONS_CSV = (
    "account_id,platform,contact_id,handle,display_name,bio,follows_me,i_follow\n"
    "x:me,x,111,bob,Bob,hi,true,true\n"  # line 2
    "x:me,x,222,carol,Carol,,true,false\n"  # line 3
)  # 2 rows


def _ytd(name: str, items: list) -> str:
    return f"window.YTD.{name}.part0 = " + json.dumps(items, indent=2)


X_ACCOUNT = _ytd("account", [{"account": {"username": "alice", "accountId": "1111111111",
                                          "accountDisplayName": "Alice", "createdAt": "2020-01-01T00:00:00.000Z"}}])  # fmt: skip


def _tweet(tid: str | None, created: str | None, text: str = "hi", fav: object = "2") -> dict:
    t: dict = {"full_text": text, "favorite_count": fav, "retweet_count": "0"}
    if tid is not None:
        t["id_str"] = tid
    if created is not None:
        t["created_at"] = created
    return {"tweet": t}


OK_TS = "Sat Aug 12 16:10:37 +0000 2023"


def _x_archive(root: Path, files: dict[str, str | bytes]) -> Path:
    members = {"Your archive.html": "<html><body>archive</body></html>", **files}
    return _zip(root / "twitter-2026-01-01-abc.zip", members)


LEGACY_HEADER = (
    '"Tweet id","Tweet permalink","Tweet text","time","impressions","engagements","engagement rate",'
    '"retweets","replies","likes","user profile clicks","url clicks","hashtag clicks","detail expands",'
    '"permalink clicks"'
)

CONTENT_HEADER = "Post id,Date,Post text,Post Link,Impressions,Likes,Engagements,Replies,Reposts\n"

LI_PREAMBLE = (
    "Notes:\n"
    '"When exporting your connection data, you may notice that some of the email addresses are missing."\n'
    "\n"
)
LI_HEADER = "First Name,Last Name,URL,Email Address,Company,Position,Connected On\n"

IG_PROFILE = {"profile_user": [{"media_map_data": {}, "title": "", "string_map_data": {
    "Username": {"href": "", "value": "alice", "timestamp": 0},
    "Name": {"href": "", "value": "Alice Example", "timestamp": 0}}}]}  # fmt: skip


def _ig_follower(user: object, ts: object = 1700000000) -> dict:
    return {"title": "", "media_list_data": [],
            "string_list_data": [{"href": f"https://www.instagram.com/{user}", "value": user, "timestamp": ts}]}  # fmt: skip


MASTO_ACTOR = {
    "@context": "https://www.w3.org/ns/activitystreams",
    "id": "https://example.social/users/alice",
    "type": "Person",
    "preferredUsername": "alice",
    "name": "Alice",
    "outbox": "outbox.json",
    "followers": "https://example.social/users/alice/followers",
}
PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def _note(n: int, published: object = "2026-10-01T10:00:00Z", **obj: object) -> dict:
    o = {"id": f"https://example.social/users/alice/statuses/{n}", "type": "Note",
         "content": f"<p>post {n}</p>", "to": [PUBLIC], "cc": [MASTO_ACTOR["followers"]], **obj}  # fmt: skip
    return {"id": f"{o['id']}/activity", "type": "Create", "actor": MASTO_ACTOR["id"],
            "published": published, "to": [PUBLIC], "object": o}  # fmt: skip


def _outbox(items: list) -> str:
    return json.dumps({"@context": "https://www.w3.org/ns/activitystreams", "type": "OrderedCollection",
                       "totalItems": len(items), "orderedItems": items})  # fmt: skip


# ------------------------------------------------------------------------------ value checks


def _check_x(t: dict[str, pl.DataFrame]) -> None:
    posts = dict(zip(t["posts"]["post_id"], t["posts"]["text"], strict=True))
    assert posts == {"1": "hi", "8": BIG}  # the 1 MiB text loaded whole
    conns = sorted(t["connections"]["contact_id"])
    assert conns == sorted(["2", HOSTILE])  # loaded verbatim: escaping is the report's job
    # tweets.js items, docs/export-formats.md §1.4
    assert t["accounts"]["posts_count"].to_list() == [11]


def _check_mapped(t: dict[str, pl.DataFrame]) -> None:
    a = {r["handle"]: (r["followers"], r["engagement_rate"]) for r in t["accounts"].to_dicts()}
    assert a == {"alice": (1200, 0.045), "bob": (475_800_000, 0.01), "carol": (3401, 0.005),
                 HOSTILE: (10, 0.01)}  # fmt: skip


def _check_profiles(t: dict[str, pl.DataFrame]) -> None:
    c = {r["contact_id"]: r for r in t["connections"].to_dicts()}
    assert c["111"]["display_name"] == "Bob"  # the connection's own name comes first
    assert c["111"]["bio"] == "hi" and c["111"]["contact_followers"] is None  # -1: hidden, unknown
    assert c["111"]["contact_following"] == 5
    assert c["222"]["contact_followers"] is None  # "lots": unknown, never a guess


def _check_interactions(t: dict[str, pl.DataFrame]) -> None:
    assert sorted(t["interactions"]["contact_id"]) == sorted(["111", HOSTILE])


def _check_mastodon(t: dict[str, pl.DataFrame]) -> None:
    text = dict(zip(t["posts"]["post_id"].str.extract(r"(\d+)$"), t["posts"]["text"], strict=True))
    assert text == {"1": "post 1", "7": f"{HOSTILE}\n\n{BIG}", "8": "post 8", "10": None}


def _check_latin1(t: dict[str, pl.DataFrame]) -> None:
    assert t["connections"]["display_name"].to_list() == ["Ren\u00e9e M\u00fcller"]


def _check_linkedin(t: dict[str, pl.DataFrame]) -> None:
    c = {r["contact_id"]: r for r in t["connections"].to_dicts()}
    assert set(c) == {"bob", "eve"} and c["eve"]["company"] == BIG
    assert t["interactions"]["contact_id"].to_list() == ["bob"]


# ------------------------------------------------------------------------------ the corpus


def build(root: Path) -> list[Case]:
    """Write every hostile input under ``root`` and return the cases (module docstring)."""
    cases: list[Case] = []

    def case(name: str, **kw) -> Path:
        d = root / name
        d.mkdir(parents=True)
        return d

    # ---------------------------------------------------------------- sources and archives
    d = case("missing-path")
    cases.append(Case("missing-path", [d / "nope.zip"], exit=2,
                      error=r"nope\.zip: no such file or folder"))  # fmt: skip

    d = case("empty-folder")
    cases.append(Case("empty-folder", [d], exit=2, error=r"empty-folder: not a recognised export"))

    d = case("zero-byte-zip")
    p = _write(d / "export.zip", b"")
    cases.append(Case("zero-byte-zip", [p], exit=2,
                      error=r"export\.zip: empty file \(0 bytes\), not a zip archive"))  # fmt: skip

    d = case("text-named-zip")
    p = _write(d / "export.zip", "this is not a zip file, just text\n")
    cases.append(Case("text-named-zip", [p], exit=2,
                      error=r"export\.zip: not a readable zip archive \(File is not a zip file\)"))  # fmt: skip

    d = case("truncated-zip")
    p = _zip(d / "export.zip", {"connections.csv": CONNECTIONS_CSV * 50})
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])
    cases.append(
        Case("truncated-zip", [p], exit=2, error=r"export\.zip: not a readable zip archive")
    )

    d = case("corrupt-member-zip")  # central directory fine, deflate stream garbage
    p = _zip(d / "export.zip", {"connections.csv": CONNECTIONS_CSV * 50})
    b = bytearray(p.read_bytes())
    start = 30 + len("connections.csv")
    for i in range(start + 2, start + 40):
        b[i] ^= 0x5A
    p.write_bytes(bytes(b))
    cases.append(Case("corrupt-member-zip", [p], exit=2,
                      error=r"export\.zip!connections\.csv: cannot read \("))  # fmt: skip

    for name, member in (
        ("zip-traversal-dotdot", "../evil.csv"),
        ("zip-traversal-absolute", "/etc/evil.csv"),
        ("zip-traversal-backslash", "..\\..\\evil.csv"),
        ("zip-traversal-drive", "C:/Windows/evil.csv"),
    ):
        d = case(name)
        p = _zip(d / "export.zip", {"accounts.csv": ACCOUNTS_CSV, member: ACCOUNTS_CSV})
        cases.append(Case(name, [p], exit=2,
                          error=r"export\.zip: unsafe member path .*evil\.csv.* \(path traversal\); refusing the archive"))  # fmt: skip

    d = case("zip-bomb-ratio")  # 65 MiB of zeros deflate to ~65 KiB (ratio ~1000:1)
    p = _zip(d / "export.zip", {"accounts.csv": ACCOUNTS_CSV, "posts.csv": b"\0" * (65 << 20)})
    cases.append(Case("zip-bomb-ratio", [p], exit=2,
                      error=r"export\.zip: member 'posts\.csv' claims to decompress [\d,]+:1 \(over 250:1\): looks like a zip bomb"))  # fmt: skip

    d = case("zip-over-total-cap")  # 1.5 MiB of incompressible bytes, cap set to 1 MiB
    noise = random.Random(0).randbytes(3 << 19)
    p = _zip(d / "export.zip", {"accounts.csv": ACCOUNTS_CSV, "photo.jpg": noise})
    cases.append(Case("zip-over-total-cap", [p], env={"WARMCALL_MAX_UNZIP_MB": "1"}, exit=2,
                      error=r"export\.zip: decompresses to 1\.5 MiB, over the cap of 1 MiB \(set WARMCALL_MAX_UNZIP_MB to raise it\)"))  # fmt: skip

    d = case("zip-lying-size")  # the central directory says 40 bytes; the data is 20 KiB
    p = _zip(d / "export.zip", {"accounts.csv": ACCOUNTS_CSV + "x:a,x,a,1\n" * 2000})
    _patch_central(p, lambda b, o: b.__setitem__(slice(o + 24, o + 28), struct.pack("<I", 40)))
    cases.append(Case("zip-lying-size", [p], exit=2,
                      error=r"export\.zip!accounts\.csv: cannot read \(Bad CRC-32"))  # fmt: skip

    d = case("zip-encrypted-flag")  # the general-purpose flag says "encrypted"
    p = _zip(d / "export.zip", {"accounts.csv": ACCOUNTS_CSV})
    _patch_central(p, lambda b, o: b.__setitem__(o + 8, b[o + 8] | 1))
    cases.append(Case("zip-encrypted-flag", [p], exit=2,
                      error=r"export\.zip!accounts\.csv: cannot read \(File .*encrypted"))  # fmt: skip

    d = case("zip-unknown-method")  # compression method 99 (AES), unsupported
    p = _zip(d / "export.zip", {"accounts.csv": ACCOUNTS_CSV})
    _patch_central(p, lambda b, o: b.__setitem__(slice(o + 10, o + 12), struct.pack("<H", 99)))
    cases.append(Case("zip-unknown-method", [p], exit=2,
                      error=r"export\.zip!accounts\.csv: cannot read \(.*compression method"))  # fmt: skip

    d = case("tar-symlink-skipped")  # symlink and hard link to /etc/passwd: skipped, never read
    link = tarfile.TarInfo("connections.csv")
    link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
    hard = tarfile.TarInfo("posts.csv")
    hard.type, hard.linkname = tarfile.LNKTYPE, "/etc/passwd"
    p = _tar(d / "archive.tar.gz", [("accounts.csv", ACCOUNTS_CSV.encode()), link, hard])
    cases.append(Case("tar-symlink-skipped", [p], files={"accounts.csv": Expect(2, 2, 0)}))

    d = case("zip-symlink-skipped")  # a symlink member (unix mode 0o120777) is never followed
    p = _zip(d / "export.zip", {"accounts.csv": ACCOUNTS_CSV})
    with zipfile.ZipFile(p, "a") as zf:
        info = zipfile.ZipInfo("connections.csv", ZIP_DATE)
        info.external_attr = (0o120777 << 16) | 0x10
        zf.writestr(info, CONNECTIONS_CSV)  # link "target" text that would load if read
    cases.append(Case("zip-symlink-skipped", [p], files={"accounts.csv": Expect(2, 2, 0)}))

    d = case("folder-symlinks-skipped")  # links to a file and a folder outside: not followed
    _write(d / "export" / "accounts.csv", ACCOUNTS_CSV)
    _write(d / "outside" / "connections.csv", CONNECTIONS_CSV)
    (d / "export" / "connections.csv").symlink_to(d / "outside" / "connections.csv")
    (d / "export" / "more").symlink_to(d / "outside", target_is_directory=True)
    cases.append(Case("folder-symlinks-skipped", [d / "export"],
                      files={"accounts.csv": Expect(2, 2, 0)}))  # fmt: skip

    d = case("tar-traversal")
    p = _tar(
        d / "archive.tar.gz", [("accounts.csv", ACCOUNTS_CSV.encode()), ("../../evil.csv", b"x")]
    )
    cases.append(Case("tar-traversal", [p], exit=2,
                      error=r"archive\.tar\.gz: unsafe member path '\.\./\.\./evil\.csv'"))  # fmt: skip

    d = case("targz-bomb")  # 65 MiB of zeros in a .tar.gz of ~65 KiB
    p = d / "archive.tar.gz"
    with tarfile.open(p, "w:gz") as tf:
        info = tarfile.TarInfo("posts.csv")
        info.size = 65 << 20
        tf.addfile(info, io.BytesIO(b"\0" * info.size))
    cases.append(Case("targz-bomb", [p], exit=2,
                      error=r"archive\.tar\.gz: the archive claims to decompress [\d,]+:1 \(over 250:1\)"))  # fmt: skip

    d = case("truncated-targz")
    p = _tar(d / "archive.tar.gz", [("accounts.csv", ACCOUNTS_CSV.encode() * 400)])
    p.write_bytes(p.read_bytes()[:200])
    cases.append(
        Case("truncated-targz", [p], exit=2, error=r"archive\.tar\.gz: not a readable tar archive")
    )

    d = case("fifo-input")  # a named pipe would block a reader forever
    if hasattr(os, "mkfifo"):
        os.mkfifo(d / "accounts.csv")
        cases.append(Case("fifo-input", [d / "accounts.csv"], exit=2,
                          error=r"accounts\.csv: not a regular file or folder"))  # fmt: skip
        d2 = case("fifo-in-folder")
        os.mkfifo(d2 / "connections.csv")
        _write(d2 / "accounts.csv", ACCOUNTS_CSV)
        cases.append(Case("fifo-in-folder", [d2], files={"accounts.csv": Expect(2, 2, 0)}))

    # ---------------------------------------------------------------- encodings
    latin = (
        "account_id,platform,contact_id,display_name\n"
        "x:me,x,111,Ren\u00e9e M\u00fcller\n"
    )  # fmt: skip  1 row
    d = case("latin1-no-encoding")
    p = _write(d / "connections.csv", latin, "latin-1")
    cases.append(Case("latin1-no-encoding", [p], exit=2,
                      error=r"connections\.csv: cannot decode as UTF-8 .*pass --encoding \(e\.g\. latin-1\)"))  # fmt: skip
    d = case("latin1-with-encoding")
    p = _write(d / "connections.csv", latin, "latin-1")
    cases.append(Case("latin1-with-encoding", [p], check=_check_latin1, args=["--encoding", "latin-1"],
                      files={"connections.csv": Expect(1, 1, 0)}))  # fmt: skip

    d = case("utf16-bom")
    p = _write(d / "connections.csv", codecs.BOM_UTF16_LE + CONNECTIONS_CSV.encode("utf-16-le"))
    cases.append(Case("utf16-bom", [p], files={"connections.csv": Expect(2, 2, 0)}))

    d = case("utf8-bom-crlf")
    p = _write(d / "connections.csv", "\ufeff" + CONNECTIONS_CSV.replace("\n", "\r\n"))
    cases.append(Case("utf8-bom-crlf", [p], files={"connections.csv": Expect(2, 2, 0)}))

    d = case("unknown-encoding")
    p = _write(d / "connections.csv", CONNECTIONS_CSV)
    cases.append(
        Case("unknown-encoding", [p], args=["--encoding", "klingon"], exit=2,
             error=r"--encoding: unknown encoding 'klingon'")
    )  # fmt: skip

    d = case("binary-garbage-csv")
    p = _write(d / "connections.csv", random.Random(1).randbytes(4096))
    cases.append(Case("binary-garbage-csv", [p], exit=2,
                      error=r"connections\.csv: not a recognised export"))  # fmt: skip

    # ---------------------------------------------------------------- canonical tables
    d = case("canonical-empty-file")
    p = _write(d / "connections.csv", b"")
    cases.append(Case("canonical-empty-file", [p], exit=2,
                      error=r"connections\.csv: not a recognised export"))  # fmt: skip

    d = case("canonical-header-only")
    p = _write(d / "connections.csv", "account_id,platform,contact_id\n")
    cases.append(Case("canonical-header-only", [p], files={"connections.csv": Expect(0, 0, 0)}))

    d = case("canonical-missing-column")
    p = _write(d / "connections.csv", "account_id,platform,handle\nx:me,x,bob\n")
    cases.append(Case("canonical-missing-column", [p], exit=2,
                      error=r"connections\.csv: missing required column\(s\) contact_id for connections"))  # fmt: skip

    d = case("canonical-corrupt-parquet")
    p = _write(d / "posts.parquet", b"PAR1 this is not really parquet PAR1")
    cases.append(Case("canonical-corrupt-parquet", [p], exit=2,
                      error=r"posts\.parquet: not a readable Parquet file"))  # fmt: skip

    d = case("canonical-interactions-rows")
    p = _write(
        d / "interactions.csv",
        (
            "account_id,platform,contact_id,ts,kind,direction,post_id\n"
            "x:me,x,111,2026-10-01T10:00:00Z,reply,in,p1\n"  # line 2: ok
            "x:me,x,111,2026-10-01T10:00:00Z,reply,in,p1\n"  # line 3: exact duplicate of line 2
            "x:me,x,222,2026-10-02T10:00:00Z,poke,in,\n"  # line 4: unknown kind
            "x:me,x,222,2026-10-02T10:00:00Z,like,sideways,\n"  # line 5: unknown direction
            "x:me,myspace,222,2026-10-02T10:00:00Z,like,in,\n"  # line 6: unknown platform
            "x:me,x,222,yesterday,like,in,\n"  # line 7: unparsable ts
            "x:me,x,222,2999-01-01T00:00:00Z,like,in,\n"  # line 8: far future
            "x:me,x,,2026-10-02T10:00:00Z,like,in,\n"  # line 9: missing contact_id
            f"x:me,x,{HOSTILE},2026-10-03T10:00:00Z,mention,in,\n"  # line 10: ok, loaded verbatim
            "x:me,x,333,1969-07-20T20:17:00Z,like,in,\n"  # line 11: before 2000
        ),
    )  # read 10, loaded 2 (lines 2, 10), rejected 8
    cases.append(Case("canonical-interactions-rows", [p], check=_check_interactions, files={"interactions.csv": Expect(10, 2, 8, {
        "exact duplicate row": 1, "unknown kind 'poke'": 1, "unknown direction 'sideways'": 1,
        "unknown platform 'myspace'": 1, "unparsable timestamp in ts": 1,
        r"implausible timestamp in ts \(2999-01-01.*\)": 1, "missing contact_id": 1,
        r"implausible timestamp in ts \(1969-07-20.*\)": 1})}))  # fmt: skip

    d = case("canonical-posts-rows")
    p = _write(
        d / "posts.csv",
        (
            "account_id,platform,post_id,ts,text,likes,impressions\n"
            "x:me,x,p1,2026-10-01T10:00:00Z,hello,5,100\n"  # line 2: ok
            "x:me,x,p2,2026-10-01T10:00:00Z,neg,-3,100\n"  # line 3: negative likes
            "x:me,x,p3,2026-10-01T10:00:00Z,frac,1.5,100\n"  # line 4: not whole
            'x:me,x,p4,2026-10-01T10:00:00Z,comma,"1,234",100\n'  # line 5: not a whole number (canonical is plain)
            f"x:me,x,p5,2026-10-01T10:00:00Z,{BIG},1,1\n"  # line 6: ok, a 1 MiB text
            "x:me,x,,2026-10-01T10:00:00Z,noid,1,1\n"  # line 7: missing post_id
            "x:me,x,p6,,nots,1,1\n"  # line 8: missing ts
            "x:me,x,p7,2026-10-01T10:00:00Z,nan,nan,1\n"  # line 9: NaN is not a count
            "x:me,x,p8,2026-10-01T10:00:00Z,huge,99999999999999999999999,1\n"  # line 10: beyond Int64
        ),
    )  # read 9, loaded 2 (lines 2, 6), rejected 7
    cases.append(Case("canonical-posts-rows", [p], files={"posts.csv": Expect(9, 2, 7, {
        "negative count in likes": 1, "not a whole number in likes": 4,
        "missing post_id": 1, "missing ts": 1})}))  # fmt: skip

    d = case("canonical-ragged-and-quotes")
    p = _write(
        d / "accounts.csv",
        (
            "account_id,platform,handle,followers\n"
            "x:me,x,me,10,extra,cells\n"  # line 2: extra cells ignored -> ok
            "x:a\n"  # line 3: short row: platform missing
            'x:b,x,"multi\nline handle",5\n'  # lines 4-5: ok, quoted newline
            'x:c,x,"unterminated,7\n'  # line 6: an unterminated quote runs to the end of the file
        ),
    )  # read 4, loaded 3, rejected 1
    cases.append(Case("canonical-ragged-and-quotes", [p], files={"accounts.csv": Expect(4, 3, 1, {
        "missing platform": 1})}))  # fmt: skip

    d = case("canonical-nul-bytes")
    p = _write(
        d / "accounts.csv", "account_id,platform,handle\nx:me,x,m\0e\nx:you,x,you\n"
    )  # 2 rows
    cases.append(Case("canonical-nul-bytes", [p], files={"accounts.csv": Expect(2, 2, 0)}))

    d = case("touchpoints-rows")
    _write(d / "connections.csv", CONNECTIONS_CSV)  # 2 rows, x:me with bob and carol
    _write(
        d / "touchpoints.csv",
        (
            "date,platform,handle,channel,note\n"
            "2026-10-01,x,@Bob,coffee,ok\n"  # line 2: ok (meeting with bob)
            "2026-10-01,x,bob,carrier pigeon,\n"  # line 3: unknown channel
            "someday,x,bob,call,\n"  # line 4: unparsable ts
            "2999-01-01,x,bob,call,\n"  # line 5: far future
            "2026-10-01,linkedin,bob,call,\n"  # line 6: no linkedin account loaded
            f"2026-10-02,x,{HOSTILE},email,{HOSTILE}\n"  # line 7: ok, an offline contact
            "2026-10-01,x,,call,\n"  # line 8: missing handle
        ),
    )  # read 7, loaded 2, rejected 5
    cases.append(Case("touchpoints-rows", [d], files={
        "connections.csv": Expect(2, 2, 0),
        "touchpoints.csv": Expect(7, 2, 5, {
            "unknown touchpoint channel 'carrier pigeon' .*": 1, "unparsable timestamp in ts": 1,
            r"implausible timestamp in ts \(2999-01-01.*\)": 1,
            "no linkedin account in the loaded data to attach this touchpoint to": 1,
            "missing contact_id": 1})}))  # fmt: skip

    # ---------------------------------------------------------------- X archive
    d = case("x-truncated-json")
    full = _ytd("tweets", [_tweet("1", OK_TS), _tweet("2", OK_TS)])
    p = _x_archive(d, {"data/account.js": X_ACCOUNT, "data/tweets.js": full[: len(full) // 2]})
    cases.append(Case("x-truncated-json", [p], exit=2,
                      error=r"twitter-2026-01-01-abc\.zip!data/tweets\.js: truncated or invalid JSON"))  # fmt: skip

    d = case("x-missing-wrapper")
    p = _x_archive(d, {"data/account.js": X_ACCOUNT,
                       "data/tweets.js": json.dumps([_tweet("1", OK_TS)])})  # fmt: skip
    cases.append(Case("x-missing-wrapper", [p], exit=2,
                      error=r"data/tweets\.js: not an X archive data file: missing the 'window\.YTD\.<name>\.partN =' wrapper"))  # fmt: skip

    d = case("x-wrong-wrapper")
    p = _x_archive(d, {"data/account.js": X_ACCOUNT,
                       "data/follower.js": _ytd("tweets", [{"follower": {"accountId": "2"}}])})  # fmt: skip
    cases.append(Case("x-wrong-wrapper", [p], exit=2,
                      error=r"data/follower\.js: wrong wrapper 'window\.YTD\.tweets\.part0 =': the file name says follower"))  # fmt: skip

    d = case("x-no-account")
    p = _x_archive(d, {"data/tweets.js": _ytd("tweets", [_tweet("1", OK_TS)])})
    cases.append(Case("x-no-account", [p], exit=2,
                      error=r"twitter-2026-01-01-abc\.zip: X archive without account\.js or manifest userInfo"))  # fmt: skip

    d = case("x-deep-nesting")  # 100,000 nested arrays: the JSON parser's recursion limit
    p = _x_archive(d, {"data/account.js": X_ACCOUNT,
                       "data/tweets.js": "window.YTD.tweets.part0 = " + "[" * 100_000 + "]" * 100_000})  # fmt: skip
    cases.append(Case("x-deep-nesting", [p], exit=2,
                      error=r"data/tweets\.js: .*(nest|deep|recursion)"))  # fmt: skip

    d = case("x-empty-files")  # a 0-byte tweets.js and an empty "= [ ]" follower.js
    p = _x_archive(d, {"data/account.js": X_ACCOUNT, "data/tweets.js": "",
                       "data/follower.js": "window.YTD.follower.part0 = [ ]"})  # fmt: skip
    cases.append(Case("x-empty-files", [p], files={
        "account.js": Expect(1, 1, 0), "tweets.js": Expect(0, 0, 0), "follower.js": Expect(0, 0, 0)}))  # fmt: skip

    d = case("x-rows")
    tweets = [
        _tweet("1", OK_TS),  # 1: ok
        _tweet("2", "yesterday"),  # 2: unparsable created_at
        _tweet("3", "Sat Aug 12 16:10:37 +0000 2999"),  # 3: far future
        _tweet("4", OK_TS, fav="-3"),  # 4: negative likes
        _tweet(None, OK_TS),  # 5: no id
        "oops",  # 6: not an object
        _tweet("1", OK_TS),  # 7: exact duplicate of 1
        _tweet("8", OK_TS, text=BIG),  # 8: ok, 1 MiB text
        _tweet("9", OK_TS, fav="lots"),  # 9: unparsable favorite_count
        _tweet(["10"], OK_TS),  # 10: id of the wrong JSON type
        {
            "tweet": {
                "id_str": "11",
                "created_at": 12345,
                "full_text": {"a": 1},
                "favorite_count": [1],
            }
        },  # 11: wrong types
    ]  # read 11; loaded 2 (1, 8); rejected 9
    followers = [
        {"follower": {"accountId": "2"}},
        {"follower": {}},
        {"follower": {"accountId": "2"}},
        {"follower": {"accountId": HOSTILE}},
    ]  # fmt: skip  read 4: loaded 2 (1, 4), rejected 2
    p = _x_archive(d, {"data/account.js": X_ACCOUNT, "data/tweets.js": _ytd("tweets", tweets),
                       "data/follower.js": _ytd("follower", followers)})  # fmt: skip
    cases.append(Case("x-rows", [p], check=_check_x, files={
        "account.js": Expect(1, 1, 0),
        "tweets.js": Expect(11, 2, 9, {
            "unparsable created_at 'yesterday'": 1, r"implausible timestamp in ts \(2999-08-12.*\)": 1,
            "negative count in likes": 1, "tweet without id_str": 2, "tweet entry is not a JSON object": 1,
            "exact duplicate row": 1, "unparsable favorite_count 'lots'": 1,
            "unparsable created_at '12345'": 1}),
        "follower.js": Expect(4, 2, 2, {"follower entry without accountId": 1, "exact duplicate row": 1}),
    }))  # fmt: skip

    # ---------------------------------------------------------------- X analytics
    content = (
        CONTENT_HEADER
        + '2001,"Tue, Jul 14, 2026",Caf\u00e9 post,https://x.com/alice/status/2001,100,1,5,0,0\n'
    )  # fmt: skip  1 row
    d = case("x-analytics-latin1")
    p = _write(d / "account_analytics_content_2026.csv", content, "latin-1")
    cases.append(Case("x-analytics-latin1", [p], exit=2,
                      error=r"account_analytics_content_2026\.csv: cannot decode as UTF-8 .*--encoding"))  # fmt: skip
    d = case("x-analytics-latin1-encoding")
    p = _write(d / "account_analytics_content_2026.csv", content, "latin-1")
    cases.append(Case("x-analytics-latin1-encoding", [p], args=["--encoding", "latin-1"],
                      files={"account_analytics_content_2026.csv": Expect(1, 1, 0)}))  # fmt: skip

    d = case("x-analytics-utf16-legacy")
    legacy = (
        LEGACY_HEADER
        + "\n"
        + (
            '"1001","https://twitter.com/alice/status/1001","hello","2016-12-23 18:50 +0000","100.0","5.0","0.05","1.0","0.0","2.0","0.0","0.0","0.0","0.0","0.0"\n'  # 1 row: ok
        )
    )
    p = _write(d / "tweet_activity_metrics_alice_20161201_20170101_en.csv",
               codecs.BOM_UTF16_LE + legacy.encode("utf-16-le"))  # fmt: skip
    cases.append(Case("x-analytics-utf16-legacy", [p],
                      files={"tweet_activity_metrics_alice_20161201_20170101_en.csv": Expect(1, 1, 0)}))  # fmt: skip

    d = case("x-analytics-missing-column")
    p = _write(
        d / "tweet_activity_metrics.csv", '"Tweet id","Tweet text","impressions"\n"1","x","1"\n'
    )
    cases.append(Case("x-analytics-missing-column", [p], exit=2,
                      error=r"tweet_activity_metrics\.csv: .*time"))  # fmt: skip

    d = case("x-analytics-rows")
    p = _write(
        d / "account_analytics_content_2026.csv",
        CONTENT_HEADER
        + (
            '2001,"Tue, Jul 14, 2026",ok,https://x.com/alice/status/2001,100,1,5,0,0\n'  # line 2: ok
            '2002,"Someday, Foo 99, 2026",bad date,https://x.com/alice/status/2002,100,1,5,0,0\n'  # line 3: bad date
            '2003,"Tue, Jul 14, 2026",neg,https://x.com/alice/status/2003,-100,1,5,0,0\n'  # line 4: negative impressions
            '2004,"Tue, Jul 14, 2026",text count,https://x.com/alice/status/2004,lots,1,5,0,0\n'  # line 5: unparsable count
            ',"Tue, Jul 14, 2026",no id,,100,1,5,0,0\n'  # line 6: no post id
            '2001,"Tue, Jul 14, 2026",ok,https://x.com/alice/status/2001,100,1,5,0,0\n'  # line 7: duplicate of line 2
            f'2007,"Tue, Jul 14, 2026",{HOSTILE},https://x.com/alice/status/2007,"1,234",1,5,0,0\n'  # line 8: ok
            '2008,"Sun, Jul 14, 2999",future,https://x.com/alice/status/2008,1,1,1,0,0\n'  # line 9: far future
        ),
    )  # read 8, loaded 2, rejected 6
    cases.append(Case("x-analytics-rows", [p], files={"account_analytics_content_2026.csv": Expect(8, 2, 6, {
        r".*Someday, Foo 99, 2026.*": 1, r".*Impressions.*-100.*": 1, r".*Impressions.*lots.*": 1,
        r"missing post id \(no Post id, no id in Post Link\)": 1, "exact duplicate row": 1,
        r"implausible timestamp in ts \(2999-07-14.*\)": 1})}))  # fmt: skip

    # ---------------------------------------------------------------- LinkedIn
    d = case("linkedin-no-header")
    p = _zip(d / "Basic_LinkedInDataExport.zip",
             {"Connections.csv": LI_PREAMBLE + "Name,Company\nBob Example,Acme\n"})  # fmt: skip
    cases.append(Case("linkedin-no-header", [p], exit=2,
                      error=r"Connections\.csv: no header row with the columns first name, last name, connected on \(LinkedIn connections\)"))  # fmt: skip

    d = case("linkedin-latin1")
    p = _zip(d / "Basic_LinkedInDataExport.zip", {"Connections.csv": (
        LI_PREAMBLE + LI_HEADER + "Ren\u00e9e,M\u00fcller,https://www.linkedin.com/in/renee,,Acme,CEO,01 Oct 2026\n"
    ).encode("latin-1")})  # fmt: skip
    cases.append(Case("linkedin-latin1", [p], exit=2,
                      error=r"Connections\.csv: cannot decode as UTF-8 .*--encoding"))  # fmt: skip

    d = case("linkedin-rows")
    p = _zip(
        d / "Basic_LinkedInDataExport.zip",
        {
            "Connections.csv": LI_PREAMBLE
            + LI_HEADER
            + (
                "Bob,Example,https://www.linkedin.com/in/bob,,Acme,CEO,01 Oct 2026\n"  # line 5: ok
                "Carol,Example,https://www.linkedin.com/in/carol,,Acme,CTO,31 Foo 2026\n"  # line 6: unknown month
                "Dan,Example,https://www.linkedin.com/in/dan,,Acme,CFO,01 Jan 2999\n"  # line 7: far future
                "Bob,Example,https://www.linkedin.com/in/bob,,Acme,CEO,01 Oct 2026\n"  # line 8: duplicate of 5
                f"Eve,{HOSTILE},https://www.linkedin.com/in/eve,,{BIG},x,02 Oct 2026\n"  # line 9: ok, 1 MiB company
                ",,,,,,\n"  # line 10: every cell empty: no name, no URL
            ),
            "messages.csv": "",  # an empty file: registered with 0 records
            "Invitations.csv": (
                "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\n"
                'Alice Own,Bob Example,"1/29/26, 2:37 PM",,OUTGOING,https://www.linkedin.com/in/alice,https://www.linkedin.com/in/bob\n'  # line 2: ok
                'Zed Z,Alice Own,"1/29/26, 2:37 PM",,SIDEWAYS,https://www.linkedin.com/in/zed,https://www.linkedin.com/in/alice\n'  # line 3: unknown direction
                'Yan Y,Alice Own,"1/29/68, 2:37 PM",,INCOMING,https://www.linkedin.com/in/yan,https://www.linkedin.com/in/alice\n'  # line 4: %y 68 = 2068: far future
            ),
        },
    )  # fmt: skip  Connections: read 6, loaded 2, rejected 4; Invitations: read 3, loaded 1, rejected 2
    cases.append(Case("linkedin-rows", [p], files={"Connections.csv": Expect(6, 2, 4, {
        r"unknown month name 'Foo' in Connected On '31 Foo 2026'": 1,
        r"implausible timestamp in connected_at \(2999-01-01.*\)": 1, "exact duplicate row": 1,
        r"no name and no profile URL \(.*\)": 1}),
        "Invitations.csv": Expect(3, 1, 2, {"unknown Direction 'SIDEWAYS'": 1,
                                            r"implausible timestamp in ts \(2068-01-29.*\)": 1}),
        "messages.csv": Expect(0, 0, 0)},
        check=_check_linkedin))  # fmt: skip

    # ---------------------------------------------------------------- Instagram / Facebook
    d = case("meta-html-export")
    p = _zip(d / "instagram-alice-2026-01-01.zip", {
        "index.html": "<html><body>Your information</body></html>",
        "connections/followers_and_following/followers_1.html": "<html><body>bob</body></html>",
    })  # fmt: skip
    cases.append(Case("meta-html-export", [p], exit=2, error=r"HTML-format export.*JSON"))

    d = case("meta-truncated-json")
    full = json.dumps([_ig_follower("bob"), _ig_follower("carol")])
    p = _zip(d / "instagram-alice-2026-01-01.zip", {
        "personal_information/personal_information/personal_information.json": json.dumps(IG_PROFILE),
        "connections/followers_and_following/followers_1.json": full[:-20],
    })  # fmt: skip
    cases.append(Case("meta-truncated-json", [p], exit=2,
                      error=r"followers_1\.json: invalid or truncated JSON"))  # fmt: skip

    d = case("meta-empty-json")  # a 0-byte followers file next to a good profile
    p = _zip(d / "instagram-alice-2026-01-01.zip", {
        "personal_information/personal_information/personal_information.json": json.dumps(IG_PROFILE),
        "connections/followers_and_following/followers_1.json": "",
    })  # fmt: skip
    cases.append(Case("meta-empty-json", [p], exit=2,
                      error=r"followers_1\.json: invalid or truncated JSON \(Expecting value at line 1\)"))  # fmt: skip

    d = case("meta-rows")
    followers = [
        _ig_follower("bob"),  # 1: ok
        _ig_follower("carol", "yesterday"),  # 2: unparsable timestamp
        _ig_follower("dan", 32503680000),  # 3: 3000-01-01: far future
        _ig_follower("erin", 1e30),  # 4: beyond any datetime
        _ig_follower("bob"),  # 5: duplicate of 1
        {"title": "", "string_list_data": []},  # 6: no username
        "oops",  # 7: not an object
        _ig_follower("fay", -1),  # 8: negative timestamp: 1969, before 2000
        _ig_follower(HOSTILE),  # 9: ok? a username is whatever the file says
    ]
    p = _zip(d / "instagram-alice-2026-01-01.zip", {
        "personal_information/personal_information/personal_information.json": json.dumps(IG_PROFILE),
        "connections/followers_and_following/followers_1.json": json.dumps(followers),
    })  # fmt: skip
    cases.append(Case("meta-rows", [p], files={
        "personal_information.json": Expect(1, 1, 0),
        "followers_1.json": Expect(9, 2, 7, {
            "unparsable timestamp 'yesterday'": 1, r"implausible timestamp in connected_at \(3000-01-01.*\)": 1,
            r"unparsable timestamp '1e\+30'": 1, "exact duplicate row": 1,
            r"no username \(value, title or href\)": 1, "not an entry object": 1,
            r"implausible timestamp in connected_at \(1969-12-31.*\)": 1})}))  # fmt: skip

    d = case("meta-dm-rows")
    thread = {
        "participants": [{"name": "Bob"}, {"name": "Alice Example"}],
        "title": "Bob",
        "messages": [
            {"sender_name": "Bob", "timestamp_ms": 1760000000000, "content": "hi"},  # 1: ok (in)
            {"sender_name": "Bob", "content": "no time"},  # 2: missing timestamp
            {"sender_name": "Bob", "timestamp_ms": "soon", "content": "x"},  # 3: unparsable
            {"timestamp_ms": 1760000000000, "content": "who"},  # 4: no sender
            {
                "sender_name": "Alice Example",
                "timestamp_ms": 1760000001000,
                "content": HOSTILE,
            },  # 5: ok (out)
            {"sender_name": ["Bob"], "timestamp_ms": 1760000000000},  # 6: sender of the wrong type
            {
                "sender_name": "Bob",
                "timestamp_ms": 1760000002000,
                "content": "x",
                "reactions": "not a list",
            },  # 7: ok, reactions ignored
            {"sender_name": "Bob", "timestamp_ms": 1760000003000, "content": SLOW_SYSTEM},  # 8: ok
        ],
    }  # fmt: skip  read 8, loaded 4, rejected 4
    p = _zip(d / "instagram-alice-2026-01-01.zip", {
        "personal_information/personal_information/personal_information.json": json.dumps(IG_PROFILE),
        "your_instagram_activity/messages/inbox/bob_1111111111/message_1.json": json.dumps(thread),
    })  # fmt: skip
    cases.append(Case("meta-dm-rows", [p], files={
        "personal_information.json": Expect(1, 1, 0),
        "message_1.json": Expect(8, 4, 4, {
        "missing timestamp": 1, "unparsable timestamp 'soon'": 1, "message without sender_name": 2})}))  # fmt: skip

    # ---------------------------------------------------------------- Mastodon
    d = case("mastodon-truncated-outbox")
    out = _outbox([_note(1), _note(2)])
    p = _zip(d / "archive-20261001000000-abc.zip",
             {"actor.json": json.dumps(MASTO_ACTOR), "outbox.json": out[: len(out) // 2]})  # fmt: skip
    cases.append(Case("mastodon-truncated-outbox", [p], exit=2,
                      error=r"outbox\.json: invalid or truncated JSON"))  # fmt: skip

    d = case("mastodon-truncated-actor")  # and an empty outbox: nothing left to load
    p = _zip(d / "archive-20261001000000-abc.zip",
             {"actor.json": json.dumps(MASTO_ACTOR)[:40], "outbox.json": _outbox([])})  # fmt: skip
    cases.append(Case("mastodon-truncated-actor", [p], exit=2,
                      error=r"actor\.json: invalid or truncated JSON"))  # fmt: skip

    d = case("mastodon-no-ordered-items")
    p = _zip(d / "archive-20261001000000-abc.zip",
             {"actor.json": json.dumps(MASTO_ACTOR), "outbox.json": json.dumps({"type": "OrderedCollection"})})  # fmt: skip
    cases.append(Case("mastodon-no-ordered-items", [p], exit=2,
                      error=r"outbox\.json: no orderedItems list"))  # fmt: skip

    d = case("mastodon-rows")
    items = [
        _note(1),  # 1: ok
        {**_note(2), "type": "Like"},  # 2: unsupported activity
        _note(3, published="last tuesday"),  # 3: unparsable
        _note(4, published="2999-01-01T00:00:00Z"),  # 4: far future
        {**_note(5), "object": {**_note(5)["object"], "id": None}},  # 5: missing status id
        _note(1),  # 6: duplicate of 1
        _note(7, content=f"<p>{html.escape(HOSTILE)}</p><p>{BIG}</p>"),  # 7: ok, hostile and 1 MiB
        _note(8, tag=5),  # 8: tag of the wrong JSON type: no mentions, ok
        _note(9, type=["Note"]),  # 9: object type of the wrong JSON type
        _note(10, content=["not", "text"]),  # 10: content of the wrong JSON type: no text, ok
        "oops",  # 11: not an object
    ]  # read 11, loaded 4 (1, 7, 8, 10), rejected 7
    p = _zip(d / "archive-20261001000000-abc.zip",
             {"actor.json": json.dumps(MASTO_ACTOR), "outbox.json": _outbox(items)})  # fmt: skip
    cases.append(Case("mastodon-rows", [p], check=_check_mastodon, files={
        "actor.json": Expect(1, 1, 0),
        "outbox.json": Expect(11, 4, 7, {
            "unsupported activity type 'Like'": 1, "unparsable published timestamp 'last tuesday'": 1,
            r"implausible timestamp in ts \(2999-01-01.*\)": 1, "missing status id": 1,
            "exact duplicate row": 1, r"unsupported object type \['Note'\]": 1,
            "not an activity object": 1})}))  # fmt: skip

    d = case("mastodon-hostile-html")  # 1 MiB of unclosed tags: linear, not quadratic
    items = [_note(1, content=SLOW_HTML), _note(2, content="<p>a <!-- b</p>" * 1000)]  # 2 ok
    p = _zip(d / "archive-20261001000000-abc.zip",
             {"actor.json": json.dumps(MASTO_ACTOR), "outbox.json": _outbox(items)})  # fmt: skip
    cases.append(Case("mastodon-hostile-html", [p], files={
        "actor.json": Expect(1, 1, 0), "outbox.json": Expect(2, 2, 0)}))  # fmt: skip

    d = case("mastodon-actor-only")  # outbox.json missing: the account loads, with a note
    p = _zip(d / "archive-20261001000000-abc.zip", {"actor.json": json.dumps(MASTO_ACTOR)})
    cases.append(Case("mastodon-actor-only", [p], files={"actor.json": Expect(1, 1, 0)}))

    d = case("mastodon-following-utf16")
    text = "Account address,Show boosts\nbob@example.social,true\nnot an address,true\n"  # 2 rows: 1 ok
    p = _write(d / "following_accounts.csv", codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    cases.append(Case("mastodon-following-utf16", [p], files={"following_accounts.csv": Expect(2, 1, 1, {
        "not a user@domain address: 'not an address'": 1})}))  # fmt: skip

    # ---------------------------------------------------------------- mapped CSV
    panel = (
        "name,followers,rate\n"
        "alice,1.2k,4.5%\n"  # line 2: ok
        "bob,475.8m,1%\n"  # line 3: ok
        'carol,"3,401",0.5%\n'  # line 4: ok
        "dan,12abc,1%\n"  # line 5: unparsable count
        'erin,"1,23",1%\n'  # line 6: ambiguous separator
        "fay,1.2345k,1%\n"  # line 7: not whole after scaling
        "gus,-5,1%\n"  # line 8: negative
        "hal,N/A,lots\n"  # line 9: unparsable rate
        f"{HOSTILE},10,1%\n"
    )  # fmt: skip  line 10: ok. read 9, loaded 4, rejected 5
    mapping = ("platform: instagram\ntable: accounts\ncolumns:\n  handle: name\n"
               "  followers: followers\n  engagement_rate: rate\n")  # fmt: skip
    d = case("mapped-rows")
    p = _write(d / "panel.csv", panel)
    m = _write(d / "mapping.yaml", mapping)
    cases.append(Case("mapped-rows", [p], check=_check_mapped, args=["--mapping", str(m)], files={"panel.csv": Expect(9, 4, 5, {
        r".*followers.*12abc.*": 1, r".*followers.*1,23.*": 1, r".*followers.*1\.2345k.*": 1,
        "negative count in followers": 1, r".*rate.*lots.*": 1})}))  # fmt: skip

    d = case("mapped-missing-column")
    p = _write(d / "panel.csv", "name,fans\nalice,1\n")
    m = _write(d / "mapping.yaml", mapping)
    cases.append(Case("mapped-missing-column", [p], args=["--mapping", str(m)], exit=2,
                      error=r"panel\.csv: .*followers.*rate|panel\.csv: .*rate.*followers"))  # fmt: skip

    d = case("mapped-unknown-key")
    p = _write(d / "panel.csv", panel)
    m = _write(d / "mapping.yaml", mapping + "colour: blue\n")
    cases.append(Case("mapped-unknown-key", [p], args=["--mapping", str(m)], exit=2,
                      error=r"mapping\.yaml: invalid mapping: .*colour"))  # fmt: skip

    d = case("mapped-python-tag")
    p = _write(d / "panel.csv", panel)
    m = _write(d / "mapping.yaml", "!!python/object/apply:os.system ['touch PWNED']\n")
    cases.append(Case("mapped-python-tag", [p], args=["--mapping", str(m)], exit=2,
                      error=r"mapping\.yaml: YAML tag '!!python/object/apply:os\.system' at line 1 is not allowed"))  # fmt: skip

    d = case("mapped-missing-mapping")
    p = _write(d / "panel.csv", panel)
    cases.append(Case("mapped-missing-mapping", [p], args=["--mapping", str(d / "nope.yaml")], exit=2,
                      error=r"nope\.yaml: mapping file not found"))  # fmt: skip

    # ---------------------------------------------------------------- profiles
    d = case("profiles-truncated-jsonl")
    _write(d / "connections.csv", CONNECTIONS_CSV)
    _write(d / "users.jsonl", json.dumps({"id_str": "111", "screen_name": "bob", "name": "Bob"}) + "\n"
           + json.dumps({"id_str": "222", "screen_name": "carol", "name": "Carol"})[:25] + "\n")  # fmt: skip
    cases.append(Case("profiles-truncated-jsonl", [d], exit=2,
                      error=r"users\.jsonl: invalid JSON on line 2"))  # fmt: skip

    d = case("profiles-rows")
    _write(d / "connections.csv", CONNECTIONS_CSV)  # 111 bob, 222 carol
    users = [
        {
            "id_str": "111",
            "screen_name": "bob",
            "name": HOSTILE,
            "description": BIG,
            "followers_count": -1,
            "friends_count": 5,
        },  # 1: ok; -1 (hidden) -> unknown
        {"id_str": "999", "screen_name": "zed", "name": "Zed"},  # 2: matches no connection
        {
            "id_str": "222",
            "screen_name": "carol",
            "followers_count": "lots",
        },  # 3: ok, count unknown
    ]  # read 3, loaded 2, rejected 1
    _write(d / "users.json", json.dumps(users))
    cases.append(Case("profiles-rows", [d], check=_check_profiles, files={
        "connections.csv": Expect(2, 2, 0),
        "users.json": Expect(3, 2, 1, {"profile matches no connection": 1})}))  # fmt: skip

    assert [c.name for c in cases] == [
        n for n in NAMES if n not in NEEDS_FIFO or hasattr(os, "mkfifo")
    ]
    return cases
