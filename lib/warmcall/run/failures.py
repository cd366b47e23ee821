"""What went wrong in a notebook run, in words: the error, the failing cell (counted in
the source notebook) and the limit a timeout hit.
"""

from __future__ import annotations

import re
import traceback as _tb
from typing import Any

ERROR_KEYS = ("error_type", "error_message", "error_cell", "error_limit")


_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def first_line(text: str, limit: int = 200) -> str:
    for line in str(text).splitlines():
        if line.strip():
            line = line.strip()
            return line if len(line) <= limit else line[: limit - 1] + "\u2026"
    return ""


_SKIP_TAGS = {"injected-parameters", "papermill-error-cell-tag"}


def _source_cells(nb: Any) -> list[Any]:
    """The cells of the *source* notebook: papermill's injected and error-banner cells left out."""
    return [c for c in nb.cells if not _SKIP_TAGS & set(c.get("metadata", {}).get("tags") or [])]


def _cell_label(cell: Any, i: int, n: int) -> str:
    count = cell.get("execution_count")
    prompt = f" (In [{count}])" if count else ""
    return f"cell {i} of {n}{prompt}: {first_line(cell.get('source', ''))}"


def _locate_cell(nb: Any, match: Any) -> str | None:
    """Describe the first cell of ``nb`` for which ``match(cell)`` holds, counting positions in
    the *source* notebook (papermill's injected and error-banner cells are skipped)."""
    if nb is None:
        return None
    cells = _source_cells(nb)
    for i, c in enumerate(cells, 1):
        if match(c):
            return _cell_label(c, i, len(cells))
    return None


def _timeout_limit(e: BaseException, timeout: int | None, iopub: int | None) -> str | None:
    """The limit a ``CellTimeoutError`` hit, in words (None for other errors)."""
    from nbclient.exceptions import CellTimeoutError

    if not isinstance(e, CellTimeoutError):
        return None
    if "IOPub" in str(e):
        return f"{iopub} s for the cell's output to end after its reply (IOPub)"
    return f"report.timeout_s = {timeout} s per cell"


def describe_error(
    e: BaseException, nb: Any, timeout: int | None = None, iopub: int | None = None
) -> dict[str, Any]:
    """Error type, first line of the message, the failing cell, the limit that was exceeded
    (timeouts) and a plain-text traceback."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(e, PapermillExecutionError):
        cell = _locate_cell(
            nb,
            lambda c: (
                c.get("cell_type") == "code"
                and c.get("source") == e.source
                and c.get("execution_count") == e.exec_count
            ),
        )
        detail = "\n".join(_ANSI_RE.sub("", t) for t in (e.traceback or []))
        return {
            "error_type": e.ename,
            "error_message": first_line(e.evalue, 500) or e.ename,
            "error_cell": cell,
            "error_limit": None,
            "error_detail": detail or f"{e.ename}: {e.evalue}",
        }

    def running(c: Any) -> bool:  # started (execute_input seen) but never replied
        ex = c.get("metadata", {}).get("execution", {})
        return (
            c.get("cell_type") == "code"
            and "iopub.execute_input" in ex
            and "shell.execute_reply" not in ex
        )

    limit = _timeout_limit(e, timeout, iopub)
    cell = _locate_cell(nb, running)
    if cell is None and "preview of the cell contents" in str(e):
        preview = str(e).split("-------------------\n")
        if len(preview) >= 2:
            src = preview[1].rstrip("\n")
            cell = _locate_cell(nb, lambda c: c.get("source", "").rstrip("\n") == src)
    msg = first_line(str(e), 500) or type(e).__name__
    if limit is not None:
        msg = f"over the limit: {limit}; the kernel was stopped ({msg})"
    return {
        "error_type": type(e).__name__,
        "error_message": msg,
        "error_cell": cell,
        "error_limit": limit,
        "error_detail": "".join(_tb.format_exception(e)),
    }
