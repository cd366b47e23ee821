"""Helpers shared by test_report.py and test_browser.py.

- ``fixture_run(tmp_path_factory)``: builds a tiny project from ``tests/notebooks_fixture`` and
  runs ``warmcall.run.report.run_reports`` on it ONCE per pytest session (each papermill run costs
  2-4 s), so both test modules assert on the same output.
- ``open_offline(context, url)``: opens a page with every http(s) request aborted and
  recorded, and console errors, page errors and dialogs recorded (Playwright).

Chromium: Debian's ``/usr/bin/chromium`` (``apt-get install -y chromium``), never a browser
downloaded by ``playwright install``; launch flags as documented for this machine kind.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

FIXTURE_DIR = Path(__file__).parent / "notebooks_fixture"
CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AS_OF = "2026-11-02"
#: strings the chart/table fixture notebook (01_chart) puts into its data, as shown on the page
HOSTILE_SHOWN = [
    "</script><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "{{7*7}}",
    "evil[U+202E]txt.exe",  # U+202E replaced by a visible marker (warmcall.present.display)
]
HOSTILE_TITLE = "<script>alert('title')</script> & co"
TIMEOUT_S = 2  # report.timeout_s of the "bad" set: 03_slow sleeps past it

# params files of the fixture project: set name -> YAML. Hand-worked expectations:
#   good: 01_chart                    -> 1 ok
#   bad:  02_fails (raises), 03_slow  -> 2 failed (ValueError; CellTimeoutError after 2 s)
PARAMS = {
    "good": f'title: "{HOSTILE_TITLE}"\nas_of: "{AS_OF}"\nnotebooks: ["01_chart"]\n',
    "bad": f'title: bad\nas_of: "{AS_OF}"\nnotebooks: ["02", "03_slow"]\n'
    f"report: {{timeout_s: {TIMEOUT_S}}}\n",
}


def require_chromium(module_level: bool = False) -> None:
    """Skip when Debian's chromium is not installed, except under ``.ci/run``
    (``WARMCALL_REQUIRE_BROWSER`` set): there a missing browser is an error, never a skip."""
    if CHROMIUM.exists():
        return
    if os.environ.get("WARMCALL_REQUIRE_BROWSER"):
        raise RuntimeError(f"{CHROMIUM} is missing but WARMCALL_REQUIRE_BROWSER is set")
    pytest.skip(
        f"{CHROMIUM} is not installed (apt-get install -y chromium)",
        allow_module_level=module_level,
    )


@contextmanager
def chromium_context() -> Iterator[Any]:
    """A Playwright browser context of ``/usr/bin/chromium`` (``LAUNCH_ARGS``, JavaScript on)."""
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        ctx = browser.new_context(java_script_enabled=True)
        try:
            yield ctx
        finally:
            ctx.close()
            browser.close()


def make_project(root: Path, params: dict[str, str] = PARAMS) -> list[Path]:
    """A project folder: notebooks/ (copies of the fixtures), params/*.yaml, pyproject.toml."""
    (root / "notebooks").mkdir(parents=True)
    (root / "params").mkdir()
    (root / "pyproject.toml").write_text("# fixture project\n")
    for nb in sorted(FIXTURE_DIR.glob("*.ipynb")):
        shutil.copy(nb, root / "notebooks" / nb.name)
    files = []
    for name, text in params.items():
        f = root / "params" / f"{name}.yaml"
        f.write_text(text, encoding="utf-8")
        files.append(f)
    return files


@dataclass
class FixtureRun:
    root: Path
    out: Path
    params: list[Path]
    results: list[Any]
    seconds: float
    by_name: dict[str, Any] = field(default_factory=dict)

    def set_dir(self, name: str) -> Path:
        return self.out / AS_OF / name


_RUNS: dict[int, FixtureRun] = {}


def fixture_run(tmp_path_factory: pytest.TempPathFactory) -> FixtureRun:
    """Run the fixture project once per session (jobs=2; the bad set's report.timeout_s 2 s)."""
    key = id(tmp_path_factory)
    if key in _RUNS:
        return _RUNS[key]
    import time

    from warmcall.run.report import run_reports

    base = tmp_path_factory.mktemp("report-run")
    root = base / "proj"
    params = make_project(root)
    t0 = time.monotonic()
    results = run_reports(params, root / "reports", jobs=2, progress=False, root=root)
    run = FixtureRun(root, root / "reports", params, results, time.monotonic() - t0)
    run.by_name = {f"{r.report_set}/{r.notebook}": r for r in results}
    _RUNS[key] = run
    return run


_EXTERNAL = [
    re.compile(r'<script[^>]+src="https?:', re.I),
    re.compile(r'<link[^>]+href="https?:', re.I),
    re.compile(r'<img[^>]+src="https?:', re.I),
    re.compile(r'<iframe[^>]+src="https?:', re.I),
]


def external_refs(html: str) -> list[str]:
    """Tags that would load something from the network when the page opens."""
    return [m.group(0) for rx in _EXTERNAL for m in rx.finditer(html)]


@dataclass
class PageLog:
    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def open_offline(context: Any, url: str) -> tuple[Any, PageLog]:
    """Open ``url`` in a new page of ``context``: http(s) requests aborted and recorded,
    console errors / page errors / dialogs recorded (dialogs dismissed)."""
    log = PageLog()
    page = context.new_page()

    def route(r: Any) -> None:
        if r.request.url.startswith(("http://", "https://")):
            log.requests.append(r.request.url)
            r.abort()
        else:
            r.continue_()

    page.route("**/*", route)
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.console_errors.append(f"pageerror: {e}"))
    page.on("dialog", lambda d: (log.dialogs.append(d.message), d.dismiss()))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, log
