"""The live experience: JupyterLab on localhost, 04_what_if.ipynb run in headless
Chromium, one control changed, the summary on the page updates.

JupyterLab is started by the test on a free loopback port with a copy of the notebooks,
params and sample data (so autosave never touches the repository). The browser may only
talk to that server: any other request is aborted and fails the test.
"""

from __future__ import annotations

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


def test_what_if_panel_updates_live(lab) -> None:
    base, work = lab
    outside: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})

        def route(r):
            if r.request.url.startswith(base) or r.request.url.startswith(("data:", "blob:")):
                return r.continue_()
            outside.append(r.request.url)
            return r.abort()

        page.route("**/*", route)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{base}/lab/tree/notebooks/04_what_if.ipynb")
        # the kernel must be idle before running everything
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
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_text("Run All Cells", exact=True).click()
        summary = page.locator(".widget-html", has_text="Ignoring followers with quality below")
        try:
            summary.first.wait_for(timeout=120_000)
        except Exception:
            page.screenshot(path=str(work / "lab-failure.png"), full_page=True)
            print(
                "screenshot:",
                work / "lab-failure.png",
                "outside:",
                outside[:5],
                "errors:",
                errors[:5],
            )
            raise
        assert "quality below 20" in summary.first.inner_text()  # the notebook's default
        # change one control: type a new value into the prune slider's readout
        slider = page.locator(".widget-slider", has_text="ignore followers below quality")
        readout = slider.locator(".widget-readout")
        readout.click()
        page.keyboard.press("Control+A")
        page.keyboard.type("55")
        page.keyboard.press("Enter")
        page.wait_for_function(
            "() => [...document.querySelectorAll('.widget-html')].some(e => e.innerText.includes('quality below 55'))",
            timeout=60_000,
        )
        text = summary.first.inner_text()
        m = re.search(r"followers → ([\d,]+)", text)
        assert m, text
        browser.close()
    assert not outside, f"requests left the machine: {outside[:5]}"
    assert not errors, errors
