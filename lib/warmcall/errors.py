"""The one exception type for unusable input.

Row-level problems are never exceptions: they become rejects with a reason (see
``warmcall.schema``). ``InputError`` is for problems that make a whole file or source
unusable (not an export, corrupt zip, undecodable text, missing required columns,
invalid params). The CLI prints it as one line naming the file, never a traceback.
"""

from __future__ import annotations


class InputError(Exception):
    """A whole input (file, zip, params file) cannot be used.

    ``str(err)`` is the single line shown to the user: ``"<path>: <problem>"``.
    """

    def __init__(self, path: object, problem: str) -> None:
        self.path = str(path)
        self.problem = " ".join(str(problem).split())  # always one line
        super().__init__(f"{self.path}: {self.problem}")
