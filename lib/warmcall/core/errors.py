"""One exception tree, and what each error means for the command line.

``WarmcallError`` is the base; each kind carries its exit code (``exit_code``), and the
command line (``warmcall.run.cli.main``) prints any of them as one line and exits with it:

- ``InputError`` (exit 2): a whole input cannot be used (not an export, corrupt zip,
  undecodable text, missing required columns);
- ``ParamsError`` (exit 2, a kind of ``InputError``): a params file or a command-line flag is
  invalid (unknown key, wrong type, out of bounds);
- ``OutputError`` (exit 2, a kind of ``InputError``): the user's output path or disk;
- ``RunError`` (exit 1): a batch run ran but did not succeed: a report failed (the
  ``OK``/``FAIL`` lines and the failure pages say which and why; the error line names the
  index page);
- anything else is a bug: "internal error", exit 3.

Row-level problems are never exceptions: they become rejects with a reason (see
``warmcall.core.schema``). ``InputError`` is for problems that make a whole file or source
unusable (not an export, corrupt zip, undecodable text, missing required columns,
invalid params). ``OutputError`` (a kind of ``InputError``) is for the user's output paths
and disk: ``--out`` is a file, not writable, disk full, file too large, permission denied.
The CLI prints either as one line naming the path (exit 2), never a traceback; exit 3
("internal error") is left for bugs.

Error messages never quote file content: they name the file, positions (line, column,
key number) and names (columns, keys). A file given by mistake can be anything (a password
file, a private key): its first line is not a "header" to show on a terminal or a failure
page. A key or header cell from the file is shown only when it is a plain name
(``shown_name``: letters, digits and a little punctuation, at most 64 characters); anything
else is described by its position.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Iterator

#: OS errors that are about the user's paths, disk or permissions, never a bug of warmcall.
USER_ERRNOS = frozenset(
    getattr(errno, n)
    for n in ("ENOSPC", "EDQUOT", "EFBIG", "EROFS", "EACCES", "EPERM", "ENOTDIR", "EISDIR",
              "EEXIST", "ENOENT", "ELOOP", "ENAMETOOLONG", "EIO", "ENOTEMPTY", "EXDEV", "EBUSY")
    if hasattr(errno, n)
)  # fmt: skip
_POLARS_OS_ERROR = re.compile(r"\(os error (\d+)\)")


class WarmcallError(Exception):
    """The base of warmcall's own errors: ``str(err)`` is one line for the user."""

    exit_code = 3


class InputError(WarmcallError):
    """A whole input (file, zip, params file) cannot be used.

    ``str(err)`` is the single line shown to the user: ``"<path>: <problem>"``.
    """

    exit_code = 2

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = " ".join(str(problem).split())  # always one line
        super().__init__(f"{self.path}: {self.problem}")


class ParamsError(InputError):
    """A params file, or a command-line flag that sets a param, is invalid:
    ``"<params file or flag>: <key>: <problem>"``."""


class RunError(WarmcallError):
    """A batch run did not succeed (a report failed): ``"<what>: <problem>"`` (exit 1)."""

    exit_code = 1

    def __init__(self, what: object, problem: str) -> None:
        self.path = str(what)
        self.problem = " ".join(str(problem).split())
        super().__init__(f"{self.path}: {self.problem}")


class OutputError(InputError):
    """An output path of the user cannot be written (or a write there is refused):
    ``"<path>: <problem>"``, e.g. ``"reports/tables: cannot write: No space left on device"``."""


def os_error(exc: BaseException) -> tuple[int, str] | None:
    """(errno, message) when ``exc`` is an operating-system error about paths, disk or
    permissions (``USER_ERRNOS``): an ``OSError``, or a polars error wrapping one (polars
    reports I/O failures as ``ComputeError('... No space left on device (os error 28)')``);
    ``None`` otherwise (then it is a bug, not the user's environment)."""
    if isinstance(exc, OSError):
        code = exc.errno
        msg = exc.strerror or str(exc)
    else:
        m = _POLARS_OS_ERROR.search(str(exc)) if type(exc).__module__.startswith("polars") else None
        if m is None:
            return None
        code = int(m.group(1))
        msg = os.strerror(code)
    return (code, msg) if code is not None and code in USER_ERRNOS else None


def user_path_error(exc: BaseException, path: object = None, doing: str = "") -> OutputError | None:
    """``exc`` as a one-line ``OutputError`` naming ``path`` (default: the error's own file
    name) when it is an OS error about the user's paths or disk (``os_error``); ``None`` for
    anything else, and for an ``OSError`` that names no path and was given none."""
    found = os_error(exc)
    if found is None:
        return None
    where = path if path is not None else getattr(exc, "filename", None)
    if where is None:
        return None
    return OutputError(where, f"{doing}: {found[1]}" if doing else found[1])


@contextlib.contextmanager
def writing_to(path: object) -> Iterator[None]:
    """Turn an OS error (or a polars I/O error) raised while writing the user's ``path``
    into ``OutputError("<path>: cannot write: <reason>")``; anything else passes through."""
    try:
        yield
    except InputError:
        raise
    except Exception as e:
        err = user_path_error(e, path, "cannot write")
        if err is None:
            raise
        raise err from e


_PLAIN_NAME = re.compile(r"\w(?:[\w .()/#%+-]{0,62}[\w.)#%+-])?")


def is_plain_name(s: object) -> bool:
    """True for a string that can be a column or key name worth quoting in an error: 1 to 64
    characters, starting with a letter, digit or ``_``, made of those, spaces and
    ``. ( ) / # % + -``, not ending in a space (``Tweet id``, ``quality.weights``, ``답글``;
    not ``root:$6$...:::`` nor ``key=value``)."""
    return isinstance(s, str) and _PLAIN_NAME.fullmatch(s) is not None


def shown_name(s: object, position: str) -> str:
    """``'s'`` when ``s`` is a plain name (``is_plain_name``), else ``position`` (e.g.
    ``"key #2"``): what an error message may say about a name taken from a file."""
    return f"'{s}'" if is_plain_name(s) else position
