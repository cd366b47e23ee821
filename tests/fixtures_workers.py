"""Task functions for warmcall.run.workers.Supervisor tests. Spawned workers import this module
to find them, so it imports nothing heavy (the worker starts in a fraction of a second)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any


def task(t: dict[str, Any], beat: Callable[..., None]) -> Any:
    """``t["kind"]``: "silent" starts a child process, reports it, then never beats again;
    "beating" beats ``t["beats"]`` times 0.3 s apart and returns that count; "dies" ends the
    worker with exit code 3; "raises" raises ValueError; "pid" sleeps ``t["sleep"]`` seconds
    and returns the worker's pid."""
    kind = t["kind"]
    if kind == "pid":
        time.sleep(t.get("sleep", 0))
        return os.getpid()
    if kind == "silent":
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        beat(pids=[child.pid], phase="napping")
        time.sleep(60)
    if kind == "beating":
        for i in range(t["beats"]):
            time.sleep(0.3)
            beat(step=i)
        return t["beats"]
    if kind == "dies":
        os._exit(3)
    raise ValueError("no good")


def sleeps(wb: Any) -> None:
    """A ``check_exports`` follow-up (``then``) that never ends in time, once the table
    cache entry the check's load started writing is in place."""
    from warmcall.ingest.cache import wait_writes

    wait_writes()
    time.sleep(60)
