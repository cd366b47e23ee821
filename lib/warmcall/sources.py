"""One small abstraction over what a user points warmcall at: a folder, a zip as
downloaded, a .tar.gz (old Mastodon archives) or single files.

Archives are read in place, never extracted to disk. Member names are checked for path
traversal (``../``, absolute paths) and the total decompressed size is capped against
zip bombs (``MAX_UNCOMPRESSED_BYTES``, overridable with the ``WARMCALL_MAX_UNZIP_MB``
environment variable).
"""

from __future__ import annotations

import codecs
import fnmatch
import os
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import InputError

MAX_UNCOMPRESSED_BYTES = int(os.environ.get("WARMCALL_MAX_UNZIP_MB", "8192")) * 1024 * 1024


@dataclass(frozen=True)
class Member:
    """One file inside a source. ``name`` is the POSIX path relative to the source root;
    ``display`` is what reports show (``export.zip/data/tweets.js``)."""

    source: Source
    name: str
    size: int

    @property
    def basename(self) -> str:
        return PurePosixPath(self.name).name

    @property
    def display(self) -> str:
        return self.source.display_name(self.name)

    def read_bytes(self) -> bytes:
        return self.source.read_bytes(self.name)

    def read_text(self, encoding: str | None = None) -> str:
        """Decode the member. Default: UTF-8 with an optional BOM; a UTF-16 BOM is
        honoured. Undecodable bytes raise ``InputError`` naming the member."""
        return decode(self.read_bytes(), self.display, encoding)


def decode(data: bytes, where: str, encoding: str | None = None) -> str:
    """Decode bytes as text: an explicit ``encoding`` wins; otherwise a UTF-16/UTF-8
    BOM decides, else strict UTF-8. Newlines are left as they are (CSV readers
    accept CRLF)."""
    try:
        if encoding:
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
            for root, _dirs, files in os.walk(p):
                for f in files:
                    full = Path(root) / f
                    if full.is_symlink():
                        continue
                    rel = full.relative_to(p).as_posix()
                    src._members[rel] = full.stat().st_size
            return src
        head = p.open("rb").read(8)
        if p.suffix.lower() == ".zip" or head.startswith(b"PK\x03\x04") or head == b"PK\x05\x06":
            return cls._open_zip(p)
        if p.name.lower().endswith((".tar.gz", ".tgz", ".tar")) or head.startswith(b"\x1f\x8b"):
            return cls._open_tar(p)
        return cls(p, "file", {p.name: p.stat().st_size})

    @classmethod
    def _open_zip(cls, p: Path) -> Source:
        if p.stat().st_size == 0:
            raise InputError(p, "empty file (0 bytes), not a zip archive")
        try:
            zf = zipfile.ZipFile(p)
            infos = zf.infolist()
        except zipfile.BadZipFile as e:
            raise InputError(p, f"not a readable zip archive ({e})") from None
        src = cls(p, "zip", _zip=zf)
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            _check_member_name(p, info.filename)
            total += info.file_size
            src._members[info.filename] = info.file_size
        _check_total(p, total)
        return src

    @classmethod
    def _open_tar(cls, p: Path) -> Source:
        try:
            tf = tarfile.open(p, "r:*")
            infos = tf.getmembers()
        except (tarfile.TarError, EOFError, OSError) as e:
            raise InputError(p, f"not a readable tar archive ({e})") from None
        src = cls(p, "tar", _tar=tf)
        total = 0
        for info in infos:
            if not info.isfile():
                continue
            _check_member_name(p, info.name)
            total += info.size
            src._members[info.name.removeprefix("./")] = info.size
        _check_total(p, total)
        return src

    # -- reading ------------------------------------------------------------------
    def members(self) -> list[Member]:
        return [Member(self, n, s) for n, s in sorted(self._members.items())]

    def find(self, *patterns: str) -> list[Member]:
        """Members whose base name matches any glob pattern (case-insensitive),
        anywhere in the tree, sorted by path."""
        pats = [p.lower() for p in patterns]
        return [
            m for m in self.members() if any(fnmatch.fnmatchcase(m.basename.lower(), p) for p in pats)
        ]

    def get(self, name: str) -> Member | None:
        return Member(self, name, self._members[name]) if name in self._members else None

    def read_bytes(self, name: str) -> bytes:
        try:
            if self.kind == "dir":
                return (self.path / name).read_bytes()
            if self.kind == "file":
                return self.path.read_bytes()
            if self.kind == "zip":
                assert self._zip is not None
                with self._zip.open(name) as fh:
                    data = fh.read(MAX_UNCOMPRESSED_BYTES + 1)
            else:
                assert self._tar is not None
                fh2 = self._tar.extractfile(name) or self._tar.extractfile("./" + name)
                if fh2 is None:
                    raise InputError(self.display_name(name), "not a regular file")
                data = fh2.read(MAX_UNCOMPRESSED_BYTES + 1)
        except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, RuntimeError) as e:
            raise InputError(self.display_name(name), f"cannot read archive member ({e})") from None
        if len(data) > MAX_UNCOMPRESSED_BYTES:
            raise InputError(self.display_name(name), "member larger than the decompression cap")
        return data

    def display_name(self, name: str) -> str:
        if self.kind == "file":
            return str(self.path)
        return f"{self.path}/{name}" if self.kind == "dir" else f"{self.path}!{name}"

    def __iter__(self) -> Iterator[Member]:
        return iter(self.members())


def _check_member_name(archive: Path, name: str) -> None:
    pp = PurePosixPath(name.replace("\\", "/"))
    if pp.is_absolute() or ".." in pp.parts or (len(name) > 1 and name[1] == ":"):
        raise InputError(archive, f"unsafe member path {name!r} (path traversal); refusing the archive")


def _check_total(archive: Path, total: int) -> None:
    if total > MAX_UNCOMPRESSED_BYTES:
        raise InputError(
            archive,
            f"decompresses to {total / 2**20:,.0f} MiB, over the cap of "
            f"{MAX_UNCOMPRESSED_BYTES / 2**20:,.0f} MiB (set WARMCALL_MAX_UNZIP_MB to raise it)",
        )
