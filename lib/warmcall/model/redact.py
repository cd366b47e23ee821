"""Privacy: ``redact: true`` pseudonymizes names and handles in every output.

Pseudonyms are keyed (HMAC-SHA-256, RFC 2104 / FIPS 198-1) with a secret key that no report
contains:

- contact: ``<platform>-<first 12 hex of HMAC(key, "contact" US platform US contact_id)>``
- person: ``person-<first 12 hex of HMAC(key, "person" US person_id)>``

(US = the unit separator U+001F). An unkeyed hash, or one salted with something the report
prints (the title, as before), can be undone by anyone with a candidate list of followers:
hash every candidate and compare. With the key kept out of the reports that is impossible;
with the same key, pseudonyms are the same in every run, so week-over-week change still
lines up. 12 hex digits (48 bits) keep two contacts from sharing a pseudonym (about one
chance in 500 at a million contacts). Bios, locations, companies and positions are
blanked, because they identify people too.

The key: 32 random bytes (``secrets``), stored as hex in ``params.redact_key_file``, by
default ``$XDG_CONFIG_HOME/warmcall/redact.key`` (else ``~/.config/warmcall/redact.key``):
a configuration folder, not the cache, since clearing a cache must not change pseudonyms.
It is created on first use, readable and writable by its owner only (0600, in a 0700
folder), atomically (two report workers starting together end up with the same key). A key
file that others can read, or that does not hold at least 16 bytes of hex, is refused
(``InputError`` naming the file, never its content). Delete the file to start new
pseudonyms that cannot be linked to the old ones.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from warmcall.core.errors import InputError

if TYPE_CHECKING:
    from warmcall.core.params import Params

NAME_COLS = ("handle", "display_name", "contact_id")
BLANK_COLS = ("bio", "location", "company", "position")
KEY_BYTES = 32
MIN_KEY_BYTES = 16
DIGITS = 12
_US = "\x1f"


def default_key_file() -> Path:
    """``$XDG_CONFIG_HOME/warmcall/redact.key``, else ``~/.config/warmcall/redact.key``."""
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg) if xdg else Path.home() / ".config") / "warmcall" / "redact.key"


def _read_key(path: Path) -> bytes:
    try:
        st = path.stat()
        if os.name == "posix" and st.st_mode & 0o077:
            raise InputError(
                path, "redaction key file is readable or writable by others; chmod 600 it"
            )
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except (UnicodeDecodeError, ValueError):
        raise InputError(path, "not a redaction key file (expected hex digits)") from None
    except OSError as e:
        raise InputError(path, f"cannot read the redaction key ({e.strerror})") from None
    if len(key) < MIN_KEY_BYTES:
        raise InputError(path, f"redaction key shorter than {MIN_KEY_BYTES} bytes")
    return key


def _create_key(path: Path) -> None:
    """Write a new random key to ``path`` unless it exists (atomic: a complete file or none)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".redact.", suffix=".part")  # 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_bytes(KEY_BYTES).hex() + "\n")
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, stat.S_IRUSR | stat.S_IWUSR)
        with contextlib.suppress(FileExistsError):  # another process made it first: keep it
            os.link(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def load_key(path: str | os.PathLike[str] | None = None) -> bytes:
    """The redaction key from ``path`` (default ``default_key_file()``), created on first
    use (module docstring). Problems are ``InputError`` naming the file."""
    p = Path(path) if path is not None else default_key_file()
    if not p.exists():
        try:
            _create_key(p)
        except OSError as e:
            raise InputError(p, f"cannot create the redaction key ({e.strerror})") from None
    return _read_key(p)


def key_for(params: Params) -> bytes:
    """The redaction key of a params set: ``load_key(params.redact_key_file)``."""
    return load_key(params.redact_key_file)


def pseudonym(key: bytes, kind: str, *parts: str) -> str:
    """First ``DIGITS`` hex digits of HMAC-SHA-256(key, kind US part US ...)."""
    msg = _US.join((kind, *parts)).encode("utf-8")
    return hmac.new(key, msg, hashlib.sha256).hexdigest()[:DIGITS]


def _digest(values: pl.Series, key: bytes, kind: str) -> pl.Series:
    uniq = values.drop_nulls().unique()
    mapping = {v: pseudonym(key, kind, v) for v in uniq.to_list()}
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)


def redact_contacts(df: pl.DataFrame, key: bytes) -> pl.DataFrame:
    """Replace handle, display_name and contact_id with the contact pseudonym, person_id with
    the person pseudonym (keyed: module docstring), and blank bio, location, company and
    position (absent columns are skipped)."""
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the redaction key must be at least {MIN_KEY_BYTES} bytes (load_key)")
    if df.height == 0 or "contact_id" not in df.columns or "platform" not in df.columns:
        return df
    pair = df.select(pl.concat_str("platform", pl.lit(_US), "contact_id")).to_series()
    pseudo = pl.format("{}-{}", pl.col("platform"), pl.lit(_digest(pair, key, "contact")))
    out = df.with_columns([pseudo.alias(c) for c in NAME_COLS if c in df.columns])
    if "person_id" in df.columns:
        out = out.with_columns(
            pl.format("person-{}", pl.lit(_digest(df["person_id"], key, "person"))).alias(
                "person_id"
            )
        )
    return out.with_columns(
        [pl.lit(None, pl.String).alias(c) for c in BLANK_COLS if c in df.columns]
    )
