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
