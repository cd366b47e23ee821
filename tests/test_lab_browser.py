"""The live experience: JupyterLab on localhost, 04_what_if.ipynb run in headless
Chromium at 1280 px; every slider is wide enough to drag, each one dragged with the mouse
changes the numbers shown, and the engaged rate follows the window slider. One JupyterLab
server and one page for the module (the tests run in order on the same panel).

JupyterLab is started by the test on a free loopback port with a copy of the notebooks,
params and sample data (so autosave never touches the repository). The browser may only
talk to that server: any other request is aborted and fails the test.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from browser import CHROMIUM, LAUNCH_ARGS, require_chromium

ROOT = Path(__file__).resolve().parents[1]

require_chromium(module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory):
    work = tmp_path_factory.mktemp("lab")
    for d in ("notebooks", "params", "data"):
        shutil.copytree(ROOT / d, work / d)
    port = _free_port()
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(work / ".jupyter"),
        "JUPYTER_RUNTIME_DIR": str(work / ".rt"),
    }
    log = (work / "lab.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
         "--ServerApp.token=", "--ServerApp.password=", "--ServerApp.disable_check_xsrf=True",
         f"--ServerApp.root_dir={work}", "--LabApp.news_url=", "--LabApp.check_for_updates_class="
         "jupyterlab.NeverCheckForUpdate", "--allow-root"],
        stdout=log, stderr=subprocess.STDOUT, env=env, cwd=work,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"{base}/api/status", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(
                    "jupyter lab exited:\n" + (work / "lab.log").read_text()
                ) from None
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("jupyter lab did not start:\n" + (work / "lab.log").read_text())
    yield base, work
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


VIEWPORT = {"width": 1280, "height": 900}
#: every slider of the panel, by its label (present/widgets.py), in the order they are dragged
SLIDERS = [
    "window (days)",
    "recency half-life (days)",
    *(f"weight: {c}" for c in ("intensity", "reciprocity", "recency", "duration", "intimacy",
                                "multiplexity")),
    "quality threshold",  # under the heading "Ignore followers below quality"
    "calls per day",
    "working days",
]  # fmt: skip
#: where screenshots go (to look at them): WARMCALL_SCREENSHOTS, else the server's folder
SHOTS = os.environ.get("WARMCALL_SCREENSHOTS", "")
MIN_TRACK_PX = 120  # a track narrower than this cannot be dragged with any precision
SUMMARY = "Ignoring followers with quality below"


@pytest.fixture(scope="module")
def panel(lab):
    """One browser page at 1280 px with 04_what_if run in the module's JupyterLab; every
    request that leaves the server is aborted and recorded, page errors are recorded."""
    base, work = lab
    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_page(viewport=VIEWPORT)

        def route(r):
            if r.request.url.startswith(base) or r.request.url.startswith(("data:", "blob:")):
                return r.continue_()
            outside.append(r.request.url)
            return r.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/lab/tree/notebooks/04_what_if.ipynb")
        page.wait_for_selector(".jp-Notebook", timeout=60_000)
        # JupyterLab may ask which kernel to start (the notebook's python3 is preselected)
        select = page.locator(".jp-Dialog").get_by_role("button", name="Select", exact=True)
        try:
            select.wait_for(timeout=15_000)
            select.click()
        except Exception:  # no dialog: the kernel starts on its own
            pass
        page.wait_for_selector(
            '.jp-Notebook-ExecutionIndicator[data-status="idle"]', state="attached", timeout=60_000
        )
        # JupyterLab's "get notified about news?" toast sits over the panel's bottom right
        no_news = page.locator(".jp-toast-button", has_text="No")
        with contextlib.suppress(Exception):  # no toast
            no_news.first.click(timeout=5_000)
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        try:
            page.locator(".widget-html", has_text=SUMMARY).first.wait_for(timeout=120_000)
            page.locator(".widget-slider", has_text=SLIDERS[-1]).first.wait_for(timeout=30_000)
        except Exception:
            page.screenshot(path=str(work / "lab-failure.png"), full_page=True)
            print("screenshot:", work / "lab-failure.png", outside[:5], errors[:5])
            raise
        yield page, Path(SHOTS) if SHOTS else work, outside, errors
        browser.close()
    assert not outside, f"requests left the machine: {outside[:5]}"
    assert not errors, errors


def _summary(page) -> str:
    return page.locator(".widget-html", has_text=SUMMARY).first.inner_text()


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d[\d,]*(?:\.\d+)?%?", text)


def _slider(page, label: str):
    return page.locator(".widget-slider", has_text=label).first


def _drag(page, label: str) -> tuple[str, str]:
    """Drag the slider's handle with the mouse (press, move in steps, release) to a quarter
    of its track from the far end; return its readout before and after."""
    s = _slider(page, label)
    s.scroll_into_view_if_needed()
    handle, track = s.locator(".noUi-handle"), s.locator(".noUi-target")
    before = s.locator(".widget-readout").inner_text()
    h, t = handle.bounding_box(), track.bounding_box()
    x0, y = h["x"] + h["width"] / 2, h["y"] + h["height"] / 2
    x1 = t["x"] + t["width"] * (0.25 if x0 > t["x"] + t["width"] / 2 else 0.75)
    on_top = handle.evaluate("(e, [x, y]) => e.contains(document.elementFromPoint(x, y))", [x0, y])
    assert on_top, f"{label}: something covers the slider's handle"
    page.mouse.move(x0, y)
    page.mouse.down()
    page.mouse.move(x1, y, steps=8)
    page.mouse.up()
    return before, s.locator(".widget-readout").inner_text()


def _wait_changed(page, old: str, what: str) -> str:
    """The summary once it differs from ``old`` (the model recomputed and redrew)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        now = _summary(page)
        if now != old:
            return now
        page.wait_for_timeout(200)
    raise AssertionError(f"the summary did not change after dragging {what!r}")


def _engaged_rate(page, account: str) -> str:
    """The engaged-rate cell (engaged in window ÷ followers) of ``account``'s table row."""
    row = page.locator(".widget-html tr", has_text=account).first
    return row.locator("td").nth(3).inner_text()


def test_every_slider_is_wide_enough_at_1280_px(panel) -> None:
    page, work, _, _ = panel
    for label in SLIDERS:
        s = _slider(page, label)
        track = s.locator(".noUi-target").bounding_box()
        assert track["width"] >= MIN_TRACK_PX, (label, track)
        assert track["x"] + track["width"] <= VIEWPORT["width"], (label, track)
        lab_ = s.locator(".widget-label")
        assert lab_.inner_text().strip() == label
        assert lab_.evaluate("e => e.scrollWidth <= e.clientWidth"), f"{label}: label clipped"
    grid = page.locator(".widget-gridbox").first
    grid.scroll_into_view_if_needed()
    grid.screenshot(path=str(work / "lab-1280-controls.png"))
    assert grid.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), "the controls overflow"


def test_dragging_each_slider_changes_the_numbers(panel) -> None:
    page, _, _, _ = panel
    text = _summary(page)
    for label in SLIDERS:
        before, after = _drag(page, label)
        assert after != before, f"{label}: the readout did not move ({before})"
        new = _wait_changed(page, text, label)
        assert _numbers(new) != _numbers(text), f"{label}: no number changed"
        text = new


def test_engaged_rate_follows_the_window_slider(panel) -> None:
    page, work, _, _ = panel
    account = "linkedin:"  # the sample's LinkedIn export shows engagement by others
    text, rate = _summary(page), _engaged_rate(page, account)
    before, after = _drag(page, "window (days)")
    assert after != before
    _wait_changed(page, text, "window (days)")
    assert f"in the last {after} days" in _summary(page)
    new_rate = _engaged_rate(page, account)
    assert new_rate != rate and new_rate.endswith("%"), (rate, new_rate)
    page.locator(".widget-output").last.scroll_into_view_if_needed()
    page.screenshot(path=str(work / "lab-1280-charts.png"))
