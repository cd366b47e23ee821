"""Soak test of the batch runner (issue "Scheduled runs that never hang, never mix, never
lose"): ``make soak``.

    python bench/soak.py [--runs 30] [--jobs 2] [--write BENCHMARKS.md]

The *main* loop runs ``warmcall report`` on the sample ``--runs`` times, each run with two
report sets (the sample and a copy of it under another name, so ``--jobs 2`` runs two
workers). Beside it, a *side* loop runs the sample set again and again **into the same out
folder** until the main loop ends: the same report set, as_of and folder, so the two keep
meeting at the report-set lock (every run waits up to ``--lock-wait`` seconds for it,
``WARMCALL_LOCK_TIMEOUT_S``). Every run's processes carry a tag in their environment.

After every run, with the set's lock taken by the soak itself (so no run writes while it
looks), each of the run's set folders is checked. The soak fails on

- a **hang**: a run whose time, less the time it waited for the lock, is over 3 × the median
  of all runs, or that did not end within ``--limit`` seconds (then it is killed);
- **mixed output**: ``run.json`` not finished, a page, executed notebook or ``metrics.json``
  that is not from the run ``run.json`` names (run ids in ``data-run`` / ``<meta
  name="warmcall-run">`` / ``metadata.warmcall.run_id``; the metrics compared), or a page
  that ``run.json`` does not list;
- an **orphan**: any process of a run still alive 10 s after the run's command ended;
- a **failure**: a non-zero exit or a failed notebook.

It prints a summary and, with ``--write``, puts it into FILE between the markers
``<!-- soak:begin -->`` and ``<!-- soak:end -->`` (replaced if present, else appended);
``bench/run.py --write`` keeps that section. Exit status 1 when the soak failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lib"))

import psutil  # noqa: E402  (a dependency of ipykernel)
import yaml  # noqa: E402
from warmcall.core import locks  # noqa: E402

BEGIN = "<!-- soak:begin -->"
END = "<!-- soak:end -->"
TAG = "WARMCALL_SOAK_TAG"
HANG_FACTOR = 3.0
ORPHAN_WAIT_S = 10.0
_WAITED = re.compile(r"waited ([\d.]+) s for another run")


@dataclass
class Run:
    loop: str  # "main" | "side"
    n: int
    code: int | None
    wall_s: float
    waited_s: float
    sets: list[str]
    problems: list[str] = field(default_factory=list)
    orphans: int = 0
    killed: bool = False

    @property
    def net_s(self) -> float:
        return max(0.0, self.wall_s - self.waited_s)


def _params(folder: Path, name: str, title: str) -> Path:
    raw = yaml.safe_load((ROOT / "params" / "sample.yaml").read_text(encoding="utf-8"))
    raw["data"] = [str((ROOT / "params" / d).resolve()) for d in raw.get("data") or []]
    raw["title"] = title
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / f"{name}.yaml"
    f.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return f


def _tagged(tag: str) -> list[psutil.Process]:
    found = []
    for p in psutil.process_iter():
        try:
            if p.environ().get(TAG) == tag and p.status() != psutil.STATUS_ZOMBIE:
                found.append(p)
        except psutil.Error:
            continue
    return found


def check_set(set_dir: Path) -> list[str]:
    """Problems of one report set's folder (see the module docstring); call with its lock."""
    where = f"{set_dir.parent.name}/{set_dir.name}"
    try:
        run = json.loads((set_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        return [f"{where}: no readable run.json ({type(e).__name__})"]
    rid = run.get("run_id")
    out = []
    if run.get("status") != "finished":
        out.append(f"{where}: run.json status {run.get('status')!r}")
    listed = run.get("notebooks") or []
    for n in listed:
        if n.get("status") != "ok":
            out.append(f"{where}/{n.get('notebook')}: {n.get('status')} ({n.get('error_type')})")
    pages = {p.name for p in set_dir.glob("*.html")}
    if pages != {n["html"] for n in listed}:
        out.append(
            f"{where}: pages {sorted(pages)} but run.json lists {[n['html'] for n in listed]}"
        )
    for name in sorted(pages):
        text = (set_dir / name).read_text(encoding="utf-8", errors="replace")
        if f'data-run="{rid}"' not in text and f'name="warmcall-run" content="{rid}"' not in text:
            out.append(f"{where}/{name}: not from run {rid}")
    for nb in sorted(set_dir.glob("*.ipynb")):
        meta = json.loads(nb.read_text(encoding="utf-8")).get("metadata", {}).get("warmcall", {})
        if meta.get("run_id") != rid:
            out.append(f"{where}/{nb.name}: from run {meta.get('run_id')}, run.json {rid}")
    metrics_file = set_dir / "metrics.json"
    metrics = json.loads(metrics_file.read_text()) if metrics_file.exists() else None
    if metrics != run.get("metrics"):
        out.append(f"{where}: metrics.json differs from run.json's metrics")
    return out


def run_once(loop: str, n: int, params: list[Path], out: Path, jobs: int, limit_s: float,
             as_of: str, lock_wait: float) -> Run:  # fmt: skip
    tag = uuid.uuid4().hex
    cmd = [sys.executable, "-m", "warmcall.run.cli", "report", "--no-progress", "--jobs", str(jobs),
           "--out", str(out), "--params", *map(str, params)]  # fmt: skip
    env = {**os.environ, TAG: tag, "PYTHONPATH": str(ROOT / "lib"),
           "WARMCALL_LOCK_TIMEOUT_S": str(lock_wait)}  # fmt: skip
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    killed = False
    try:
        stdout, stderr = proc.communicate(timeout=limit_s)
    except subprocess.TimeoutExpired:
        killed = True
        for p in [*_tagged(tag)]:
            p.kill()
        stdout, stderr = proc.communicate()
    wall = time.monotonic() - t0
    waited = sum(float(m) for m in _WAITED.findall(stderr))
    sets = [p.stem for p in params]
    r = Run(loop, n, proc.returncode, wall, waited, sets, killed=killed)
    if killed:
        r.problems.append(f"hang: no end within {limit_s:.0f} s (killed)")
    elif proc.returncode != 0:
        tail = " | ".join((stderr.strip().splitlines() or ["?"])[-2:])
        r.problems.append(f"exit {proc.returncode}: {tail[:300]}")
    for line in stdout.splitlines():
        if line.startswith("FAIL"):
            r.problems.append(line[:300])
    deadline = time.monotonic() + ORPHAN_WAIT_S
    left = _tagged(tag)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = _tagged(tag)
    if left:
        r.orphans = len(left)
        r.problems.append("orphans: " + "; ".join(" ".join(p.cmdline())[:80] for p in left))
        for p in left:
            p.kill()
    for s in sets:  # look at the folder the run wrote, with nobody writing meanwhile
        set_dir = out / as_of / s
        with locks.locked(set_dir, limit_s):
            r.problems += [f"mixed: {p}" for p in check_set(set_dir)]
    return r


def soak(runs: int, jobs: int, lock_wait: float, limit_s: float, work: Path) -> list[Run]:
    from warmcall.core.params import load_params

    as_of = load_params(ROOT / "params" / "sample.yaml").as_of.isoformat()
    main = [
        _params(work / "main", "sample", "warmcall soak: main"),
        _params(work / "main", "sample-b", "warmcall soak: main, second set"),
    ]
    side = [_params(work / "side", "sample", "warmcall soak: side")]
    out = work / "reports"  # both loops write here: the sample set is shared
    results: list[Run] = []
    stop = threading.Event()

    def side_loop() -> None:
        i = 0
        while not stop.is_set():
            i += 1
            r = run_once("side", i, side, out, 1, limit_s, as_of, lock_wait)
            results.append(r)
            _print(r)

    t = threading.Thread(target=side_loop, name="side", daemon=True)
    t.start()
    try:
        for i in range(1, runs + 1):
            r = run_once("main", i, main, out, jobs, limit_s, as_of, lock_wait)
            results.append(r)
            _print(r)
    finally:
        stop.set()
        t.join(limit_s + 60)
    return results


def _print(r: Run) -> None:
    flag = "ok " if not r.problems else "BAD"
    print(f"{flag} {r.loop:4} #{r.n:<3} exit {r.code}  {r.wall_s:6.1f} s (waited "
          f"{r.waited_s:5.1f} s for the lock)" + (f"  {r.problems}" if r.problems else ""),
          flush=True)  # fmt: skip


def verdict(results: list[Run]) -> dict:
    """The summary figures and the list of problems (hangs against the median included)."""
    nets = [r.net_s for r in results if not r.killed]
    med = statistics.median(nets) if nets else 0.0
    hangs = [r for r in results if r.killed or (med and r.net_s > HANG_FACTOR * med)]
    problems = [f"{r.loop} #{r.n}: {p}" for r in results for p in r.problems]
    problems += [
        f"{r.loop} #{r.n}: hang: {r.net_s:.1f} s > {HANG_FACTOR:g} × median {med:.1f} s"
        for r in hangs
        if not r.killed
    ]
    main = [r for r in results if r.loop == "main"]
    side = [r for r in results if r.loop == "side"]
    return {
        "runs_main": len(main),
        "runs_side": len(side),
        "median_s": round(med, 1),
        "max_s": round(max(nets), 1) if nets else None,
        "p90_s": round(sorted(nets)[int(0.9 * (len(nets) - 1))], 1) if nets else None,
        "hang_limit_s": round(HANG_FACTOR * med, 1),
        "hangs": len(hangs),
        "mixed": sum(any(p.startswith("mixed") for p in r.problems) for r in results),
        "orphans": sum(r.orphans for r in results),
        "failed_runs": sum(
            any(p.startswith(("exit", "FAIL")) for p in r.problems) for r in results
        ),
        "runs_that_waited": sum(r.waited_s > 0 for r in results),
        "max_wait_s": round(max((r.waited_s for r in results), default=0.0), 1),
        "problems": problems,
        "passed": not problems,
    }


def markdown(v: dict, args: argparse.Namespace, started: str, took_s: float) -> str:
    state = "**passed**" if v["passed"] else "**FAILED**"
    lines = [
        BEGIN,
        "## Soak",
        "",
        f"Written by `python bench/soak.py --runs {args.runs} --jobs {args.jobs} --write "
        "BENCHMARKS.md` (`make soak`); `bench/run.py --write` keeps this section. The main loop "
        "runs the sample report (two report sets, `--jobs 2`); a side loop runs the sample set "
        "into the same out folder all the while, so the two meet at the report-set lock "
        f"(`WARMCALL_LOCK_TIMEOUT_S={args.lock_wait:g}`). A run is checked for a hang (over "
        f"{HANG_FACTOR:g} × the median, less its lock wait), mixed output (run ids and metrics "
        "of every page, notebook and run.json of its sets), orphan processes (10 s after it "
        "ended) and failures.",
        "",
        f"Started {started}; {took_s / 60:.1f} min; {os.cpu_count()} cores, {platform.platform()}, "
        f"load average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())} (shared "
        "machine).",
        "",
        "| figure | value |",
        "|---|---|",
        f"| runs (main / side) | {v['runs_main']} / {v['runs_side']} |",
        f"| median run, s (less lock wait) | {v['median_s']} |",
        f"| 90th percentile / longest run, s | {v['p90_s']} / {v['max_s']} |",
        f"| hang limit (3 × median), s | {v['hang_limit_s']} |",
        f"| runs that waited for the lock / longest wait, s | {v['runs_that_waited']} / "
        f"{v['max_wait_s']} |",
        f"| hangs | {v['hangs']} |",
        f"| runs with mixed output | {v['mixed']} |",
        f"| orphan processes | {v['orphans']} |",
        f"| failed runs | {v['failed_runs']} |",
        "",
        f"Result: {state}.",
    ]
    if v["problems"]:
        lines += ["", "Problems:", ""] + [f"- {p}" for p in v["problems"][:30]]
    lines += [END, ""]
    return "\n".join(lines)


def write_section(path: Path, section: str) -> None:
    """Replace the marked soak section of ``path`` (or append it), atomically."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if BEGIN in old and END in old:
        a, b = old.index(BEGIN), old.index(END) + len(END)
        new = old[:a] + section.rstrip("\n") + old[b:]
    else:
        new = old.rstrip("\n") + "\n\n" + section
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(new, encoding="utf-8")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30, help="runs of the main loop (default 30)")
    ap.add_argument("--jobs", type=int, default=2, help="--jobs of the main runs (default 2)")
    ap.add_argument(
        "--lock-wait", type=float, default=600, help="WARMCALL_LOCK_TIMEOUT_S of the runs (600)"
    )
    ap.add_argument("--limit", type=float, default=900, help="seconds before a run is killed")
    ap.add_argument("--write", type=Path, metavar="FILE", help="write the summary into FILE")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    args = ap.parse_args(argv)
    started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    work = Path(tempfile.mkdtemp(prefix="warmcall-soak-"))
    t0 = time.monotonic()
    try:
        results = soak(args.runs, args.jobs, args.lock_wait, args.limit, work)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    v = verdict(results)
    text = markdown(v, args, started, time.monotonic() - t0)
    print(text)
    if args.write:
        write_section(args.write if args.write.is_absolute() else ROOT / args.write, text)
    return 0 if v["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
