"""A report built from hostile data, run offline, opened in a browser.

One module-scoped run (the expensive part, ~15-25 s): a tiny dataset whose names, handles,
bios, post texts, reject reasons and even the zip's file name are script tags, event-handler
attributes, ``javascript:`` URLs, template syntax and a right-to-left override. Then, with
outbound network cut off, ``warmcall load`` and ``warmcall report`` (which runs the real
notebooks ``01_overview`` and ``02_audit`` through ``warmcall.run.report.run_reports``):

- network: every Python process (the CLI, the report workers, the Jupyter kernels) runs
  under a ``sitecustomize`` guard that records and refuses any non-loopback connection or
  name lookup, and, where possible, inside a fresh network namespace that has only ``lo``
  (``unshare -n``, ``-rn`` when not root). Kernels talk to papermill over loopback TCP, which
  both allow. Asserted: the reports were produced and nothing attempted a non-loopback
  connection, and the guard really was loaded in the kernels.
- the HTML: no raw bidi override, no tag or attribute from data; in headless Chromium (the
  ``tests/browser.py`` pattern) no dialog, no console error, no request, no ``javascript:``
  link, and every hostile string visible as text. Skipped only when Chromium is missing and
  ``WARMCALL_REQUIRE_BROWSER`` is not set (as ``test_browser.py``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from browser import chromium_context, open_offline, require_chromium

ROOT = Path(__file__).resolve().parents[1]  # the project: notebooks/, pyproject.toml
AS_OF = "2026-11-02"
NOTEBOOKS = ("01_overview", "02_audit")

# Hostile strings and where they go (all are attacker-controlled in real exports).
SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
JS_URL = "javascript:alert(3)"
TEMPLATE = "{{7*7}}"
CLOSE = "</script><!--"
RLO = "evil\u202etxt.exe"  # shown as evil[U+202E]txt.exe (warmcall.present.display)
MD_LINK = "[click me](javascript:alert(4))"
SVG = "<svg onload=alert(5)>"
BAD_KIND = "<img src=y onerror=alert(6)>"  # an unknown kind: its reject reason is shown
ZIP_NAME = "<img src=z onerror=alert(7)>.zip"  # the load accounting shows the input's name
TITLE = "<script>alert('title')</script> [t](javascript:alert(8)) {{7*7}}"

#: strings that must be visible as text in 02_audit (ranked contacts, follow-back suggestions)
AUDIT_SHOWN = [SCRIPT, IMG, TEMPLATE, CLOSE, "evil[U+202E]txt.exe", MD_LINK, SVG,
               f"{JS_URL} research"]  # fmt: skip
#: strings that must be visible as text in 01_overview (load accounting, the title)
OVERVIEW_SHOWN = [ZIP_NAME, f"unknown kind '{BAD_KIND}'", "<script>alert('title')</script>"]

ACCOUNTS = "account_id,platform,handle,display_name,followers\nx:me,x,me,Me,120\n"
# contact_id,handle,display_name,bio,follows_me,i_follow,contact_followers
CONTACTS = [
    ("c1", SCRIPT, IMG, f"{JS_URL} research", "true", "false", "5000"),
    ("c2", TEMPLATE, CLOSE, f"{SVG} research", "true", "false", "40"),
    ("c3", RLO, MD_LINK, "data person", "true", "true", "900"),
    ("c4", "plain", "Plain Person", "", "true", "true", "10"),
]
# contact -> (kind, direction, day) in the 90 days before AS_OF
EVENTS = [
    ("c1", "like", "in", "2026-10-01"), ("c1", "reply", "in", "2026-10-05"),
    ("c1", "reply", "out", "2026-10-06"), ("c1", "dm", "in", "2026-10-20"),
    ("c1", "dm", "out", "2026-10-21"), ("c2", "like", "in", "2026-09-15"),
    ("c2", "comment", "in", "2026-10-10"), ("c3", "call", "out", "2026-10-25"),
    ("c3", "mention", "in", "2026-10-26"), ("c4", "like", "in", "2026-10-30"),
    ("c4", BAD_KIND, "in", "2026-10-30"),  # rejected: unknown kind
]  # fmt: skip


def _csv_cell(v: str) -> str:
    return '"' + v.replace('"', '""') + '"'


def write_dataset(folder: Path) -> Path:
    """The hostile canonical tables, zipped under a hostile file name."""
    conns = "account_id,platform,contact_id,handle,display_name,bio,follows_me,i_follow,"
    conns += "contact_followers\n"
    conns += "".join(",".join(["x:me", "x", *map(_csv_cell, c)]) + "\n" for c in CONTACTS)
    inter = "account_id,platform,contact_id,ts,kind,direction\n" + "".join(
        f"x:me,x,{c},{d}T12:00:00Z,{_csv_cell(k)},{dr}\n" for c, k, dr, d in EVENTS
    )
    posts = "account_id,platform,post_id,ts,text,likes,impressions\n" + "".join(
        f"x:me,x,p{i},2026-10-{10 + i}T09:00:00Z,{_csv_cell(t)},{i},{100 * i}\n"
        for i, t in enumerate([SCRIPT, IMG, CLOSE, RLO], 1)
    )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ZIP_NAME
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in (("accounts.csv", ACCOUNTS), ("connections.csv", conns),
                           ("interactions.csv", inter), ("posts.csv", posts)):  # fmt: skip
            zf.writestr(name, text)
    return path


# ----------------------------------------------------------------------------- the network guard

GUARD = r'''
"""warmcall test network guard (loaded through PYTHONPATH by tests/test_hostile_report.py):
records and refuses every non-loopback connection or name lookup of this Python process."""
import ipaddress, json, os, socket, sys

_LOG = os.environ.get("WARMCALL_NET_LOG")


def _record(what, detail):
    if _LOG:
        with open(_LOG, "a", encoding="utf-8") as f:
            f.write(json.dumps({"pid": os.getpid(), "what": what, "detail": detail,
                                "argv": [str(a) for a in sys.orig_argv[1:4]]}) + "\n")


def _loopback(host):
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).split("%")[0].strip("[]")
    if host.lower() in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guard_method(name):
    orig = getattr(socket.socket, name)

    def guarded(self, *args):
        addr = args[-1]
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(addr[0]):
            _record(name, repr(addr))
            raise OSError(101, "network access blocked by the warmcall test guard")
        return orig(self, *args)

    setattr(socket.socket, name, guarded)


def _guard_lookup(name):
    orig = getattr(socket, name)

    def guarded(host, *args, **kwargs):
        if not _loopback(host) and host != socket.gethostname():
            _record(name, repr(host))
            raise socket.gaierror(socket.EAI_NONAME, "lookup blocked by the warmcall test guard")
        return orig(host, *args, **kwargs)

    setattr(socket, name, guarded)


for _n in ("connect", "connect_ex", "sendto"):
    _guard_method(_n)
for _n in ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr"):
    _guard_lookup(_n)
_record("start", "guard loaded")
'''


def namespace_prefix() -> list[str] | None:
    """A command prefix that runs a command in a fresh network namespace with only ``lo``
    up, or None when this machine cannot (no unshare/ip, no privileges)."""
    if not (shutil.which("unshare") and shutil.which("ip")):
        return None
    script = 'ip link set lo up && exec "$@"'
    for flags in (["-n"], ["-rn"]):
        prefix = ["unshare", *flags, "sh", "-c", script, "sh"]
        try:
            r = subprocess.run([*prefix, "true"], capture_output=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if r.returncode == 0:
            return prefix
    return None


@dataclass
class HostileRun:
    out: Path
    tables: Path
    load: subprocess.CompletedProcess
    report: subprocess.CompletedProcess
    netlog: list[dict]
    isolation: str

    def html(self, notebook: str) -> Path:
        return self.out / AS_OF / "hostile" / f"{notebook}.html"


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> HostileRun:
    base = tmp_path_factory.mktemp("hostile-report")
    data = write_dataset(base / "data")
    params = base / "hostile.yaml"
    params.write_text(
        json.dumps(
            {
                "title": TITLE,
                "as_of": AS_OF,
                "data": [str(data)],
                "relevance": {"research": 2},
                "notebooks": list(NOTEBOOKS),
            }
        ),  # fmt: skip
        encoding="utf-8",
    )  # JSON is YAML
    guard = base / "netguard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    netlog = base / "net.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(guard), os.environ.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        ),
        "WARMCALL_NET_LOG": str(netlog),
        "JUPYTER_RUNTIME_DIR": str(base / "jupyter-runtime"),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    prefix = namespace_prefix()
    isolation = "network namespace + guard" if prefix else "guard only"
    prefix = prefix or []
    warmcall = [sys.executable, "-m", "warmcall.run.cli"]
    tables = base / "tables"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*prefix, *warmcall, *args], capture_output=True, text=True,
                              env=env, cwd=ROOT, timeout=600)  # fmt: skip

    load = run("load", str(data), "--out", str(tables))
    out = base / "reports"
    report = run("report", "--params", str(params), "--out", str(out), "--no-progress", "-j", "1")
    log = [json.loads(ln) for ln in netlog.read_text().splitlines()] if netlog.exists() else []
    return HostileRun(out, tables, load, report, log, isolation)


# ----------------------------------------------------------------------------- offline, produced


def test_reports_were_produced(hostile_run: HostileRun) -> None:
    r = hostile_run
    assert r.load.returncode == 0, r.load.stderr
    assert "Traceback" not in r.load.stderr
    # 4 contacts, 11 events (1 rejected: the unknown kind), 4 posts, 1 account -> hand-counted
    report = json.loads((r.tables / "load-report.json").read_text())
    assert (report["rows_read"], report["rows_loaded"], report["rows_rejected"]) == (20, 19, 1)
    assert r.report.returncode == 0, r.report.stdout + r.report.stderr
    for nb in NOTEBOOKS:
        assert r.html(nb).is_file(), nb
        assert f"OK   hostile/{nb}" in r.report.stdout


def test_nothing_tried_the_network(hostile_run: HostileRun) -> None:
    r = hostile_run
    attempts = [e for e in r.netlog if e["what"] != "start"]
    assert attempts == [], "non-loopback connection or lookup attempted"
    argvs = [" ".join(e["argv"]) for e in r.netlog if e["what"] == "start"]
    # the set's notebooks run in one kernel (warmcall.run.kernels); it ran under the guard
    assert sum("-m ipykernel_launcher" in a for a in argvs) == 1, argvs
    assert sum(a.startswith("-m warmcall.run.cli") for a in argvs) == 2, argvs  # load and report
    assert any("multiprocessing" in a for a in argvs), argvs  # the report's worker process


def test_network_namespace_available(hostile_run: HostileRun) -> None:
    """Informative: whether the run was also isolated in its own network namespace."""
    if hostile_run.isolation != "network namespace + guard":
        pytest.skip("unshare -n / -rn not possible here: the run used the sitecustomize guard only")


# ----------------------------------------------------------------------------- the HTML itself


@pytest.mark.parametrize("nb", NOTEBOOKS)
def test_html_has_no_raw_hostile_markup(hostile_run: HostileRun, nb: str) -> None:
    page = hostile_run.html(nb).read_text(encoding="utf-8")
    assert "\u202e" not in page  # every bidi override is replaced by its visible marker
    for s in (SCRIPT, IMG, SVG, BAD_KIND, "<script>alert('title')</script>", CLOSE):
        assert s not in page, s  # never raw in the page (escaped in HTML, \u003c in JSON)
    assert 'href="javascript:' not in page.lower()


# ----------------------------------------------------------------------------- the browser


@pytest.fixture(scope="module")
def context():
    require_chromium()
    with chromium_context() as ctx:
        yield ctx


@pytest.mark.parametrize(
    ("nb", "shown"), [("01_overview", OVERVIEW_SHOWN), ("02_audit", AUDIT_SHOWN)]
)
def test_no_script_from_data_runs(hostile_run: HostileRun, context, nb: str, shown: list[str]):
    url = hostile_run.html(nb).as_uri()
    page, log = open_offline(context, url)
    page.wait_for_selector("figure.wc-chart svg", timeout=20_000)
    page.wait_for_timeout(300)  # let any injected handler fire
    text = page.inner_text("main")
    for s in shown:
        assert s in text, s  # the hostile text is visible, as text
    # nothing from data became an element, an event handler or a script URL
    assert page.query_selector_all("main img, main svg[onload], main iframe, main object") == []
    js_links = page.eval_on_selector_all(
        "a[href]",
        "as => as.map(a => a.getAttribute('href')).filter(h => /^\\s*javascript:/i.test(h))",
    )
    assert js_links == []
    handlers = page.eval_on_selector_all(
        "main *",
        "els => els.flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on'))"
        ".map(a => e.tagName + ' ' + a.name))",
    )
    assert handlers == []
    assert log.dialogs == [], "a dialog fired: a script from data ran"
    assert log.console_errors == []
    assert log.requests == [], "the page tried to load something"
    page.close()
