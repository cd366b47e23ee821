"""The limits of a batch run: every wait has one, and each failure names it."""

from __future__ import annotations

#: seconds papermill waits for a kernel to start
START_TIMEOUT_S = 60
#: seconds to wait for a cell's last output after its reply (never more than report.timeout_s)
IOPUB_TIMEOUT_S = 20
#: the watchdog ends a notebook run with no progress for report.timeout_s + this many seconds
WATCHDOG_GRACE_S = 60
#: seconds to wait for another run's index write into the same out folder
INDEX_LOCK_S = 30
#: seconds between two looks at the workers (progress, watchdog, signals)
POLL_S = 0.5
#: margin on top of report.timeout_s × notebooks for one report set run as a whole task on a
#: cluster (kernel starts, the HTML export, moving the pages back)
SET_MARGIN_S = 120
#: seconds to reach a Dask scheduler, and for it to have at least one worker
CONNECT_TIMEOUT_S = 60
#: seconds a stopping cluster client or LocalCluster gets before it is left behind
SHUTDOWN_S = 30


def set_limit_s(timeout_s: float, notebooks: int) -> float:
    """Seconds one report set may take as a single cluster task: ``report.timeout_s`` per
    notebook × notebooks + ``SET_MARGIN_S``; going over it is a failure of every notebook
    of the set that has no result."""
    return float(timeout_s) * max(1, notebooks) + SET_MARGIN_S
