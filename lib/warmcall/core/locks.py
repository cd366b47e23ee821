"""One writer at a time per output path, and every wait bounded.

Rule. ``locked(path)`` holds an exclusive ``flock(2)`` on the lock file ``.<name>.lock``
beside ``path`` (in its parent folder, so that ``path`` itself may be renamed or replaced
while the lock is held). Another holder, in another process or through another ``locked``
call in this one, waits, trying every 0.1 s, for at most ``timeout_s`` seconds (default
``WARMCALL_LOCK_TIMEOUT_S``, else ``DEFAULT_TIMEOUT_S``), then raises ``Busy``: an
``OutputError``, so the CLI prints one line naming the path and exits 2. ``timeout_s=0``
refuses at once instead of waiting. The kernel drops a flock when its holder exits or is
killed, so a crashed run never leaves a stale lock. The lock file is removed when the lock is
released (nothing is left beside the user's folder); a waiter that then obtains the lock on
the removed file sees that the path no longer names it and opens the path again.

Why ``fcntl.flock`` and not the ``filelock`` package: filelock's Unix lock leaves its lock
file behind for good (removing it safely needs the check above), and the whole rule is these
few lines of the standard library. POSIX only (Linux, macOS), like the scheduled runs.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from warmcall.core.errors import OutputError, user_path_error

DEFAULT_TIMEOUT_S = 120.0
POLL_S = 0.1


class Busy(OutputError):
    """Another warmcall run holds the lock of this path (``locked`` gave up waiting)."""


def default_timeout_s() -> float:
    """``WARMCALL_LOCK_TIMEOUT_S`` (seconds, ≥ 0), else ``DEFAULT_TIMEOUT_S`` (120)."""
    raw = os.environ.get("WARMCALL_LOCK_TIMEOUT_S", "").strip()
    try:
        value = float(raw)
    except ValueError:
        return DEFAULT_TIMEOUT_S
    return value if value >= 0 else DEFAULT_TIMEOUT_S


def lock_file(path: str | os.PathLike[str]) -> Path:
    """The lock file of ``path``: ``.<name>.lock`` in the same folder (absolute)."""
    p = Path(os.path.abspath(path))
    return p.with_name(f".{p.name}.lock")


def _holder(fd: int) -> str:
    with contextlib.suppress(OSError, ValueError):
        pid = int(os.pread(fd, 32, 0).decode("ascii").strip() or "x")
        return f" (pid {pid})"
    return ""


@contextlib.contextmanager
def locked(path: str | os.PathLike[str], timeout_s: float | None = None) -> Iterator[Path]:
    """Hold the lock of ``path`` for the ``with`` block (rule in the module docstring);
    yields the lock file's path. Raises ``Busy`` after ``timeout_s`` seconds of waiting
    (``None``: ``default_timeout_s()``; 0: do not wait), ``OutputError`` when the lock file
    cannot be made (folder missing or not writable). Not re-entrant: a nested ``locked`` on
    the same path waits for the outer one (and so fails after the timeout)."""
    lf = lock_file(path)
    limit = default_timeout_s() if timeout_s is None else max(0.0, float(timeout_s))
    deadline = time.monotonic() + limit
    while True:
        try:
            fd = os.open(lf, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as e:
            raise (user_path_error(e, path, "cannot lock") or e) from e
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        waited = f"gave up after {limit:g} s" if limit else "not waiting"
                        raise Busy(
                            path,
                            f"busy: another warmcall run{_holder(fd)} is writing it; {waited} "
                            "(WARMCALL_LOCK_TIMEOUT_S sets the wait)",
                        ) from None
                    time.sleep(POLL_S)
            try:  # the holder before us may have removed the file: lock the current one
                same = os.stat(lf, follow_symlinks=False).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        yield lf
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lf)  # while still held: a waiter re-checks the path (module docstring)
        os.close(fd)
