"""One small abstraction over what a user points warmcall at: a folder, a zip as
downloaded, a .tar.gz (old Mastodon archives) or single files.

Archives are read in place, never extracted to disk. Safety rules (hostile input):

- member names are checked for path traversal (``../``, absolute paths, backslash paths,
  drive letters): such an archive is refused with a message naming the member;
- the total declared decompressed size is capped against zip bombs (``max_unzip_bytes()``:
  ``DEFAULT_MAX_UNZIP_MB``, overridable with the ``WARMCALL_MAX_UNZIP_MB`` environment
  variable, read at open time), and so is each member's compression ratio
  (``MAX_RATIO`` for members above ``RATIO_MIN_BYTES``; real exports stay below 40:1);
- every file, in an archive, a folder or given alone, has the same size caps, checked at
  open time from its declared size (archives) or ``stat`` (folders, files), before any byte
  is read: at most ``max_unzip_bytes()``, and a JSON file (``.json``, ``.js``, ``.jsonl``:
  parsed whole in memory, where it takes several times its size) at most
  ``max_json_bytes()`` (``DEFAULT_MAX_JSON_MB``, ``WARMCALL_MAX_JSON_MB``). A file over a
  cap refuses the source with one line naming the file and the cap. A folder's total is not
  capped (its files are read one at a time, only those a loader recognises; photos and
  videos of an export folder are never read), an archive's is (zip bombs);
- a member is read with a cap (its declared or ``stat`` size, and the size cap), so a member
  whose declared size lies, or a file that grows while it is read, cannot blow memory;
- two members of one archive with the same name: the first is read, the later ones are
  never silently ignored but listed in ``Source.duplicates`` with a reason, which ``load``
  reports;
- symlinks, hard links, devices and FIFOs (in tar archives, zips and folders) are skipped,
  never followed; a path that is not a regular file or folder is refused.
"""

from __future__ import annotations

import codecs
import fnmatch
import lzma
import os
import re
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from warmcall.core.errors import InputError

DEFAULT_MAX_UNZIP_MB = 8192
#: JSON files are parsed whole: Python objects take several times the file's size in memory.
DEFAULT_MAX_JSON_MB = 1024
JSON_SUFFIXES = (".json", ".js", ".jsonl")
#: The cap at import time (kept for callers); ``max_unzip_bytes()`` re-reads the environment.
MAX_UNCOMPRESSED_BYTES = DEFAULT_MAX_UNZIP_MB * 1024 * 1024
MAX_RATIO = 250  # declared size / compressed size of one member; deflate tops out near 1032:1
RATIO_MIN_BYTES = 64 << 20  # smaller members may compress as well as they like
# Errors that reading a corrupt archive member can raise (bz2 raises OSError).
_READ_ERRORS = (
    zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, RuntimeError, ValueError,
    NotImplementedError, zlib.error, lzma.LZMAError,
)  # fmt: skip


def max_unzip_bytes() -> int:
    """The decompression cap in bytes: ``WARMCALL_MAX_UNZIP_MB`` (MiB) from the environment
    when set to a positive whole number, else ``DEFAULT_MAX_UNZIP_MB``."""
    raw = os.environ.get("WARMCALL_MAX_UNZIP_MB", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw) * 1024 * 1024
    return DEFAULT_MAX_UNZIP_MB * 1024 * 1024


def max_json_bytes() -> int:
    """The size cap of one JSON file in bytes: ``WARMCALL_MAX_JSON_MB`` (MiB) from the
    environment when set to a positive whole number, else ``DEFAULT_MAX_JSON_MB``."""
    raw = os.environ.get("WARMCALL_MAX_JSON_MB", "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw) * 1024 * 1024
    return DEFAULT_MAX_JSON_MB * 1024 * 1024


def check_size(where: str, name: str, size: int) -> None:
    """Refuse a file of ``size`` bytes (``InputError`` naming ``where`` and the cap) when it is
    over ``max_unzip_bytes()``, or over ``max_json_bytes()`` for a JSON file (by ``name``)."""
    cap = max_unzip_bytes()
    if size > cap:
        raise InputError(
            where,
            f"file of {size / 2**20:,.1f} MiB, over the cap of {cap / 2**20:,.0f} MiB "
            "(set WARMCALL_MAX_UNZIP_MB to raise it)",
        )
    jcap = max_json_bytes()
    if size > jcap and name.lower().endswith(JSON_SUFFIXES):
        raise InputError(
            where,
            f"JSON file of {size / 2**20:,.1f} MiB, over the cap of {jcap / 2**20:,.0f} MiB "
            "for JSON, which is parsed in memory (set WARMCALL_MAX_JSON_MB to raise it)",
        )


@dataclass(frozen=True)
class Member:
    """One file inside a source. ``name`` is the POSIX path relative to the source root;
    ``display`` is what reports show (``export.zip/data/tweets.js``)."""

    source: Source
    name: str
    size: int

    @property
    def basename(self) -> str:
        return self.name.rsplit("/", 1)[-1]  # PurePosixPath(name).name, without its cost

    @property
    def display(self) -> str:
        return self.source.display_name(self.name)

    def read_bytes(self) -> bytes:
        return self.source.read_bytes(self.name)

    def read_head(self, n: int) -> bytes:
        """The first ``n`` bytes (for detection), read in place with the same caps."""
        return self.source.read_head(self.name, n)

    def head_text(self, n: int = 1 << 18, encoding: str | None = None) -> str:
        """The first ``n`` bytes as text, for detection only: decoded like ``read_text`` but
        undecodable bytes become U+FFFD instead of an error (``load`` reports those)."""
        data = self.read_head(n)
        if encoding and not utf8_despite(data, encoding, complete=False):
            try:
                return data.decode(encoding, errors="replace")
            except LookupError:
                raise InputError(self.display, f"unknown encoding {encoding!r}") from None
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data[: len(data) // 2 * 2].decode("utf-16", errors="replace")
        return data.decode("utf-8-sig", errors="replace")

    def read_text(self, encoding: str | None = None) -> str:
        """Decode the member. Default: UTF-8 with an optional BOM; a UTF-16 BOM is
        honoured. Undecodable bytes raise ``InputError`` naming the member. A UTF-8 file
        read with a legacy ``encoding`` is read as UTF-8 (``utf8_despite``), with a note
        in ``Source.notes``."""
        data = self.read_bytes()
        if utf8_despite(data, encoding):
            self.source.notes[self.name] = (
                f"{self.basename}: read as UTF-8, not {encoding}: the file is valid UTF-8 "
                f"(read as {encoding}, its accented letters would be garbled)"
            )
        return decode(data, self.display, encoding)


#: Single-byte encodings in which every byte sequence decodes, so that UTF-8 text read
#: with them is garbled without any error ("Zoë" -> "ZoÃ«"); ``codecs`` names.
LEGACY_8BIT = ("iso8859-1", "iso8859-15", "cp1252")


def utf8_despite(data: bytes, encoding: str | None, complete: bool = True) -> bool:
    """True when ``encoding`` is one of ``LEGACY_8BIT`` (latin-1, latin-9, cp1252) but
    ``data`` has non-ASCII bytes and is strict UTF-8 (``complete=False``: a prefix of it).
    Such bytes are UTF-8 text: in those encodings a non-ASCII letter followed by one to
    three bytes 0x80-0xBF (C1 controls or symbols such as « © ±), as every UTF-8
    sequence needs, practically never occurs in text."""
    if not encoding or data.isascii():
        return False
    try:
        if codecs.lookup(encoding).name not in LEGACY_8BIT:
            return False
        codecs.getincrementaldecoder("utf-8")().decode(data, final=complete)
    except (LookupError, UnicodeDecodeError):
        return False
    return True


def decode(data: bytes, where: str, encoding: str | None = None) -> str:
    """Decode bytes as text: an explicit ``encoding`` wins (except a legacy one on UTF-8
    bytes, ``utf8_despite``); otherwise a UTF-16/UTF-8 BOM decides, else strict UTF-8.
    Newlines are left as they are (CSV readers accept CRLF)."""
    try:
        if encoding and not utf8_despite(data, encoding):
            return data.decode(encoding)
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except (UnicodeDecodeError, LookupError) as e:
        raise InputError(
            where,
            f"cannot decode as {encoding or 'UTF-8'} ({e.reason if hasattr(e, 'reason') else e});"
            " pass --encoding (e.g. latin-1) if the file is in another encoding",
        ) from None


@dataclass
class Source:
    """A folder, an archive (zip, tar.gz) or a set of files, readable member by member."""

    path: Path
    kind: str  # "dir" | "zip" | "tar" | "file"
    _members: dict[str, int] = field(default_factory=dict, repr=False)
    #: notes on how members were read (member name -> note), for the load report
    notes: dict[str, str] = field(default_factory=dict, repr=False)
    #: later archive members with the name of an earlier one (not read): (name, reason)
    duplicates: list[tuple[str, str]] = field(default_factory=list, repr=False)
    _zinfo: dict[str, zipfile.ZipInfo] = field(default_factory=dict, repr=False)
    _tinfo: dict[str, tarfile.TarInfo] = field(default_factory=dict, repr=False)
    _root: str = field(default="", repr=False)
    _zip: zipfile.ZipFile | None = field(default=None, repr=False)
    _tar: tarfile.TarFile | None = field(default=None, repr=False)

    # -- construction -------------------------------------------------------------
    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Source:
        """Open ``path`` as a source. Raises ``InputError`` for a missing path, a corrupt
        or unsafe archive."""
        p = Path(path)
        if not p.exists():
            raise InputError(p, "no such file or folder")
        if p.is_dir():
            src = cls(p, "dir")
            top = os.fspath(p)
            for root, _dirs, files in os.walk(top):
                prefix = os.path.relpath(root, top).replace(os.sep, "/") + "/"
                prefix = "" if prefix == "./" else prefix
                for f in files:
                    try:
                        st = os.lstat(os.path.join(root, f))
                    except OSError:
                        continue
                    if not stat.S_ISREG(st.st_mode):  # symlinks, FIFOs, sockets, devices
                        continue
                    rel = prefix + f
                    check_size(src.display_name(rel), rel, st.st_size)
                    src._members[rel] = st.st_size
            return src
        if not p.is_file():  # a FIFO or device would block or never end
            raise InputError(p, "not a regular file or folder")
        try:
            with p.open("rb") as fh:
                head = fh.read(8)
        except OSError as e:
            raise InputError(p, f"cannot read ({e.strerror or type(e).__name__})") from None
        if p.suffix.lower() in (".xlsx", ".xlsm"):  # a zip, but one file (a workbook)
            return cls._open_file(p)
        if p.suffix.lower() == ".zip" or head.startswith(b"PK\x03\x04") or head == b"PK\x05\x06":
            return cls._open_zip(p)
        if p.name.lower().endswith((".tar.gz", ".tgz", ".tar")) or head.startswith(b"\x1f\x8b"):
            return cls._open_tar(p)
        return cls._open_file(p)

    @classmethod
    def _open_file(cls, p: Path) -> Source:
        size = p.stat().st_size
        check_size(str(p), p.name, size)
        return cls(p, "file", {p.name: size})

    @classmethod
    def _open_zip(cls, p: Path) -> Source:
        if p.stat().st_size == 0:
            raise InputError(p, "empty file (0 bytes), not a zip archive")
        try:
            zf = zipfile.ZipFile(p)
            infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as e:
            raise InputError(p, f"not a readable zip archive ({e})") from None
        src = cls(p, "zip", _zip=zf)
        total = 0
        for info in infos:
            if info.is_dir() or stat.S_ISLNK(info.external_attr >> 16):
                continue  # directories; symlinks are never followed
            _check_member_name(p, info.filename)
            _check_ratio(p, f"member {info.filename!r}", info.file_size, info.compress_size)
            total += info.file_size
            if info.filename in src._members:
                src.duplicates.append((info.filename, _DUPLICATE))
                continue
            src._members[info.filename] = info.file_size
            src._zinfo[info.filename] = info
        _check_total(p, total)
        for name, size in src._members.items():  # each member under the total cap: JSON's
            check_size(src.display_name(name), name, size)
        return src

    @classmethod
    def _open_tar(cls, p: Path) -> Source:
        try:
            tf = tarfile.open(p, "r:*")  # noqa: SIM115 - kept open: members are read in place
            infos = tf.getmembers()
        except _READ_ERRORS as e:
            raise InputError(p, f"not a readable tar archive ({e})") from None
        src = cls(p, "tar", _tar=tf)
        total = 0
        for info in infos:
            if not info.isfile():  # symlinks, hard links, devices: skipped, never followed
                continue
            _check_member_name(p, info.name)
            total += info.size
            name = info.name.removeprefix("./")
            if name in src._members:
                src.duplicates.append((name, _DUPLICATE))
                continue
            src._members[name] = info.size
            src._tinfo[name] = info
        _check_ratio(p, "the archive", total, p.stat().st_size)  # a .tar.gz bomb
        _check_total(p, total)
        for name, size in src._members.items():  # each member under the total cap: JSON's
            check_size(src.display_name(name), name, size)
        return src

    # -- reading ------------------------------------------------------------------
    def members(self) -> list[Member]:
        return [Member(self, n, s) for n, s in sorted(self._members.items())]

    def find(self, *patterns: str) -> list[Member]:
        """Members whose base name matches any glob pattern (case-insensitive),
        anywhere in the tree, sorted by path."""
        rx = re.compile("|".join(fnmatch.translate(p.lower()) for p in patterns))
        return [
            Member(self, n, s)
            for n, s in sorted(self._members.items())
            if rx.match(n.rsplit("/", 1)[-1].lower())
        ]

    def get(self, name: str) -> Member | None:
        return Member(self, name, self._members[name]) if name in self._members else None

    def read_bytes(self, name: str) -> bytes:
        """The member's bytes. Archive members are read with a cap: at most their declared
        size (and the decompression cap); a member that decompresses to more is refused."""
        return self.read_head(name, None)

    def read_head(self, name: str, n: int | None) -> bytes:
        """The first ``n`` bytes of a member (all of it when ``n`` is None), read in place
        with the same caps as ``read_bytes``. Errors are ``InputError`` naming the member."""
        declared = self._members.get(name, 0)
        cap = min(declared, max_unzip_bytes())
        want = cap + 1 if n is None else min(n, cap + 1)
        try:
            if self.kind in ("dir", "file"):
                path = self.path / name if self.kind == "dir" else self.path
                with path.open("rb") as fh:
                    data = fh.read(want)
                if len(data) > cap:  # the size seen at open time, or the cap
                    raise InputError(
                        self.display_name(name), "file grew after it was opened; not read"
                    )
                return data
            if self.kind == "zip":
                assert self._zip is not None
                with self._zip.open(self._zinfo.get(name) or name) as fh:
                    data = fh.read(want)
            else:
                assert self._tar is not None
                info = self._tinfo.get(name)
                fh2 = (
                    self._tar.extractfile(info)
                    if info is not None
                    else self._tar.extractfile(name) or self._tar.extractfile("./" + name)
                )
                if fh2 is None:
                    raise InputError(self.display_name(name), "not a regular file")
                data = fh2.read(want)
        except _READ_ERRORS as e:
            problem = e.strerror if isinstance(e, OSError) and e.strerror else e
            raise InputError(self.display_name(name), f"cannot read ({problem})") from None
        if len(data) > cap:
            why = "its declared size" if cap == declared else "the decompression cap"
            raise InputError(self.display_name(name), f"member decompresses to more than {why}")
        return data

    def display_name(self, name: str) -> str:
        root = self._root or str(self.path)  # str(Path) is slow; called once per file
        self._root = root
        if self.kind == "file":
            return root
        return f"{root}/{name}" if self.kind == "dir" else f"{root}!{name}"

    def __iter__(self) -> Iterator[Member]:
        return iter(self.members())


_DUPLICATE = (
    "an earlier member of the archive has the same name; only the first is read "
    "(an archive should not hold two files of one name)"
)


def _check_member_name(archive: Path, name: str) -> None:
    pp = PurePosixPath(name.replace("\\", "/"))
    if pp.is_absolute() or ".." in pp.parts or (len(name) > 1 and name[1] == ":"):
        raise InputError(
            archive, f"unsafe member path {name!r} (path traversal); refusing the archive"
        )


def _check_ratio(archive: Path, what: str, size: int, compressed: int) -> None:
    if size > RATIO_MIN_BYTES and size > MAX_RATIO * max(compressed, 1):
        raise InputError(
            archive,
            f"{what} claims to decompress {size / max(compressed, 1):,.0f}:1 "
            f"(over {MAX_RATIO}:1): looks like a zip bomb; refusing the archive",
        )


def _check_total(archive: Path, total: int) -> None:
    cap = max_unzip_bytes()
    if total > cap:
        raise InputError(
            archive,
            f"decompresses to {total / 2**20:,.1f} MiB, over the cap of "
            f"{cap / 2**20:,.0f} MiB (set WARMCALL_MAX_UNZIP_MB to raise it)",
        )
