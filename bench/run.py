"""warmcall benchmark suite (issue "Fast at brand scale"): ``make bench``.

    python bench/run.py --scale S [--scale M --scale L] [--json] [--write BENCHMARKS.md]
                        [--repeats 3] [--only audit,floor,...]

Data: ``warmcall sample --layout canonical --format parquet --scale <S|M|L>`` (the Northwind
story at 10k/100k/1M contacts, 100k/1M/10M interactions), generated once into
``bench/data/<scale>/canonical/`` (git-ignored) with a params file pointing at it (the
sample's segments and relevance, ``as_of`` = the story's last day).

Every measurement runs in a fresh Python subprocess, ``--repeats`` times (default 3); the
figure is the median, and the peak RSS of each subprocess (with its children, from
``os.wait4``) is recorded:

- ``audit_s``: ``warmcall.load(folder)`` → ``warmcall.score(wb, params)`` →
  ``warmcall.summarize(scores, by=("platform", "segment"))``, with the table cache warm (a
  setup run fills it; ``WARMCALL_CACHE_DIR=bench/data/cache``). The uncached figure
  (``load(..., cache=False)``) and the first, cache-filling run are reported beside it.
- ``floor_s``: one bare polars scan of interactions.parquet, group by (account_id,
  contact_id), count and max ts: the least any per-contact pass can cost.
- ``pandas_s``: the same audit in idiomatic pandas (``bench/pandas_audit.py``); at S it is
  first checked to give warmcall's numbers (``pandas_audit.check``), else the bench stops.
- ``whatif_ms``: one what-if recompute on precomputed features: ``whatif.rescore`` with other
  quality weights + ``warmcall.summarize`` (median of 5 after one warm-up, per subprocess).
- ``load_x_archive_s``: ``bench/x_archive.py`` (100k tweets, 50k followers; the same at every
  scale, measured once; the table cache is off for it: it measures the loader).
- ``report_s``: ``warmcall report --params <bench params> --out <tmp>`` end to end (all
  notebooks), each run with an empty table cache (a weekly run on new exports);
  ``report_bytes``: the largest HTML page written.
- ``sets_per_minute`` (scale S only): ``{"local": ..., "dask": ...}``, report sets finished
  per minute of wall time when ``SETS_N`` copies of the S params (every notebook each) run in
  one ``warmcall report``, once with the local process pool (``--jobs 2``) and once on a
  Dask LocalCluster of 2 worker processes (``--scheduler local --jobs 2``; needs the
  ``dask`` extra, else ``"dask": null``), each from an empty table cache; measured once,
  not repeated (``bench_sets_per_minute``).
- ``peak_rss_mb``: the largest peak RSS of the issue's measurement subprocesses (audit warm
  and first, floor, what-if, X archive, report); the pandas baseline's and the uncached
  audit's are shown apart.

- ``first_audit_s``: the first audit after the table cache entry was removed (it fills
  the cache), the median of ``--repeats`` such runs; target ≤ 2 × ``audit_s`` at L.
  ``report_s`` at L: target ≤ 30 s.
- ``xxl_audit_s``, ``xxl_peak_rss_mb`` (``--xxl``, which ``make bench`` passes): the audit of
  one brand at 10× L (10M contacts, 100M interactions, ``bench/xxl.py``, generated once
  into the user cache folder) with an empty table cache, in a subprocess: wall time and peak
  RSS (target ≤ 12 GB); measured once and shown for every scale.

``--json`` prints exactly those keys (one object, or one per scale keyed by scale).
``--write FILE`` rewrites FILE with the figures, the targets and the machine; a section
starting with the line ``## Notes`` in the existing file is kept, and so is the soak's
section (``bench/soak.py``, between ``<!-- soak:begin -->`` and ``<!-- soak:end -->``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
DATA = BENCH / "data"
KEYS = ("audit_s", "floor_s", "pandas_s", "whatif_ms", "load_x_archive_s", "report_s",
        "report_bytes", "peak_rss_mb", "sets_per_minute")  # fmt: skip
#: issue 19 (cold cache, 10× scale): see ``scale_figures`` and ``measure_xxl``
SCALE_KEYS = ("first_audit_s", "xxl_audit_s", "xxl_peak_rss_mb")
KEYS += SCALE_KEYS
MEASURES = ("audit", "floor", "pandas", "whatif", "x_archive", "report", "sets")
#: the issue's measurements of warmcall: peak_rss_mb is theirs. Shown apart: the pandas
#: baseline's and the uncached audit's (``cache=False``: an eager Workbook whose 10M
#: interactions carry their ``source`` text, which the cached path builds only when read).
OWN = ("audit", "audit_first", "floor", "whatif", "x_archive", "report")
MB = 1 << 20
# (key, scales, test, text)
TARGETS = [
    ("audit_s", ("L",), lambda r, a: r["audit_s"] <= 5, "audit_s ≤ 5 s"),
    ("audit_s", ("L",), lambda r, a: r["audit_s"] <= 3 * r["floor_s"], "audit_s ≤ 3 × floor_s"),
    ("peak_rss_mb", ("L",), lambda r, a: r["peak_rss_mb"] <= 4096, "peak RSS ≤ 4 GB"),
    (
        "pandas_s",
        ("M", "L"),
        lambda r, a: r["pandas_s"] / r["audit_s"] >= 3,
        "pandas_s / audit_s ≥ 3",
    ),
    ("report_s", ("L",), lambda r, a: r["report_s"] <= 60, "report_s ≤ 60 s"),
    ("whatif_ms", ("L",), lambda r, a: r["whatif_ms"] <= 100, "whatif_ms ≤ 100"),
    (
        "audit_s",
        ("L",),
        lambda r, a: "M" in a and r["audit_s"] / a["M"]["audit_s"] <= 12,
        "audit_s L / M ≤ 12",
    ),
    (
        "report_bytes",
        ("S", "M", "L"),
        lambda r, a: r["report_bytes"] <= 3_000_000,
        "report_bytes ≤ 3 MB",
    ),
]


#: (key, scales, test, text) of the cold-cache targets (issue 19); XXL's are in ``xxl_verdicts``
SCALE_TARGETS = [
    (
        "first_audit_s",
        ("L",),
        lambda r, a: r["first_audit_s"] <= 2 * r["audit_s"],
        "first_audit_s ≤ 2 × audit_s",
    ),
    ("report_s", ("L",), lambda r, a: r["report_s"] <= 30, "report_s ≤ 30 s"),
]
TARGETS += SCALE_TARGETS
#: XXL: peak RSS of the whole audit (load + score + summarize, table cache empty)
XXL_PEAK_MB = 12 * 1024


# --------------------------------------------------------------------------- data


def story_digest() -> str:
    src = (ROOT / "lib" / "warmcall" / "sample" / "story.py").read_bytes()
    return hashlib.sha256(src).hexdigest()[:16]


def ensure_data(scale: str) -> tuple[Path, Path]:
    """(canonical folder, params file) for ``scale``, generated when missing or stale."""
    base = DATA / scale
    folder = base / "canonical"
    stamp = base / ".complete"
    params = base / "params.yaml"
    if not (stamp.exists() and stamp.read_text().strip() == story_digest() and folder.is_dir()):
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "warmcall.run.cli", "sample", "--layout", "canonical",
             "--format", "parquet", "--scale", scale, "--out", str(folder)],
            check=True, cwd=ROOT, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        (base / "generate_s").write_text(f"{time.perf_counter() - t0:.1f}\n")
        stamp.write_text(story_digest() + "\n")
    import yaml
    from warmcall.sample.story import END

    raw = yaml.safe_load((ROOT / "params" / "sample.yaml").read_text(encoding="utf-8"))
    raw.update(
        title=f"Northwind Research, bench scale {scale}", data=[str(folder)], as_of=END.isoformat()
    )
    params.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return folder, params


# --------------------------------------------------------------------------- children


def _params(params_file: str):
    from warmcall.core.params import load_params

    return load_params(params_file)


def child(measure: str, folder: str, params_file: str, opts: dict) -> dict:
    """One measurement in this (fresh) process; returns {"value": ..., ...}."""
    if measure in ("audit", "audit_cold"):
        import warmcall

        p = _params(params_file)
        t0 = time.perf_counter()
        wb = warmcall.load(folder, cache=measure == "audit")
        scores = warmcall.score(wb, p)
        summary = warmcall.summarize(scores, by=("platform", "segment"))
        dt = time.perf_counter() - t0
        return {"value": dt, "contacts": scores.height, "groups": summary.height}
    if measure == "floor":
        import polars as pl

        t0 = time.perf_counter()
        out = (
            pl.scan_parquet(Path(folder) / "interactions.parquet")
            .group_by("account_id", "contact_id")
            .agg(pl.len(), pl.col("ts").max())
            .collect()
        )
        return {"value": time.perf_counter() - t0, "groups": out.height}
    if measure == "pandas":
        sys.path.insert(0, str(BENCH))
        import pandas as pd
        import pandas_audit
        from warmcall.sample.story import END

        p = _params(params_file)
        t0 = time.perf_counter()
        scores, summary = pandas_audit.audit(folder, p, END)
        return {
            "value": time.perf_counter() - t0,
            "contacts": len(scores),
            "pandas": pd.__version__,
        }
    if measure == "pandas_check":  # the baseline computes the same audit (run on S)
        sys.path.insert(0, str(BENCH))
        import pandas_audit
        from warmcall.sample.story import END

        return {"value": 0.0, **pandas_audit.check(folder, _params(params_file), END)}
    if measure == "whatif":
        import warmcall
        from warmcall.act import whatif

        p = _params(params_file)
        wb = warmcall.load(folder)
        feats = whatif.features_for_window(wb, p, p.as_of)
        variants = [
            {"weights": {"recency": 0.5, "intensity": 0.1}},
            {"weights": {"reciprocity": 0.4}, "half_life_days": 30},
            {"weights": {"intimacy": 0.3, "duration": 0.05}},
            {"half_life_days": 120},
            {"weights": {"multiplexity": 0.2}},
            {"intensity_scale": 6},
        ]
        times = []
        for i, v in enumerate(variants):
            t0 = time.perf_counter()
            s = whatif.rescore(feats, v, p.as_of, base=p)
            warmcall.summarize(s, by=("platform", "segment"))
            if i:  # the first is a warm-up
                times.append(time.perf_counter() - t0)
        return {
            "value": statistics.median(times) * 1000,
            "contacts": feats.height,
            "times_ms": [t * 1000 for t in times],
        }
    if measure == "x_archive":
        sys.path.insert(0, str(BENCH))
        import x_archive

        with tempfile.TemporaryDirectory() as d:
            r = x_archive.bench_load_x_archive(d, repeats=1)
        return {"value": r["median_s"], "rows_read": r["rows_read"]}
    raise ValueError(measure)


def _run(cmd: list[str], env: dict[str, str]) -> tuple[int, float, float, float, str]:
    """Run ``cmd``; (exit code, wall s, cpu s of it and its children, peak RSS MB, stdout)."""
    with tempfile.TemporaryFile() as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        _, status, ru = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode()
    return proc.returncode, wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024, text


def measure(name: str, scale: str, folder: Path, params: Path, env: dict[str, str]) -> dict:
    """Run one measurement in a fresh subprocess; the child's own figure, peak RSS, CPU."""
    if name == "report":
        out = Path(tempfile.mkdtemp(prefix="warmcall-bench-report-"))
        cache = Path(tempfile.mkdtemp(prefix="warmcall-bench-cache-"))
        try:
            code, wall, cpu, rss, text = _run(
                [sys.executable, "-m", "warmcall.run.cli", "report", "--params", str(params),
                 "--out", str(out), "--no-progress"],
                {**env, "WARMCALL_CACHE_DIR": str(cache)},
            )  # fmt: skip
            pages = list(out.rglob("*.html"))
            failed = [ln for ln in text.splitlines() if ln.startswith("FAIL")]
            largest = max(pages, key=lambda p: p.stat().st_size) if pages else None
            return {
                "value": wall,
                "cpu_s": cpu,
                "rss_mb": rss,
                "ok": code == 0,
                "failed": failed,
                "report_bytes": largest.stat().st_size if largest else 0,
                "largest": largest.name if largest else "",
            }
        finally:
            shutil.rmtree(out, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--scale", scale]
    code, wall, cpu, rss, text = _run(cmd, env)
    if code != 0:
        raise RuntimeError(f"{name} at {scale} failed (exit {code}); run: {' '.join(cmd)}")
    res = json.loads(text.strip().splitlines()[-1])
    return {**res, "cpu_s": cpu, "rss_mb": rss, "process_s": wall, "ok": True}


def repeat(name: str, scale: str, folder: Path, params: Path, env: dict[str, str], n: int) -> dict:
    runs = [measure(name, scale, folder, params, env) for _ in range(n)]
    return {
        "median": statistics.median(r["value"] for r in runs),
        "values": [round(r["value"], 4) for r in runs],
        "rss_mb": max(r["rss_mb"] for r in runs),
        "cpu_s": statistics.median(r["cpu_s"] for r in runs),
        "runs": runs,
    }


def bench_scale(
    scale: str, repeats: int, only: set[str], xa: dict | None, xxl: dict | None = None
) -> tuple[dict, dict]:
    """(the JSON figures, details) for one scale (``xxl``: the XXL figures, measured once)."""
    folder, params = ensure_data(scale)
    cache = DATA / "cache"
    cache.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "WARMCALL_CACHE_DIR": str(cache), "PYTHONPATH": str(ROOT / "lib")}
    details: dict = {"generate_s": float((DATA / scale / "generate_s").read_text())
                     if (DATA / scale / "generate_s").exists() else None}  # fmt: skip
    if xxl is not None:
        details["xxl"] = xxl
    res: dict = {}
    if "audit" in only:
        # the first run after clearing the entry fills the cache (miss + write): each of
        # ``repeats`` runs from an empty cache, the median kept
        firsts = []
        for _ in range(repeats):
            shutil.rmtree(cache / "tables", ignore_errors=True)
            firsts.append(measure("audit", scale, folder, params, env))
        first = firsts[0]
        details["audit_first"] = {
            "s": statistics.median(r["value"] for r in firsts),
            "values": [round(r["value"], 3) for r in firsts],
            "rss_mb": max(r["rss_mb"] for r in firsts),
        }
        details["audit"] = repeat("audit", scale, folder, params, env, repeats)
        details["audit_cold"] = repeat("audit_cold", scale, folder, params, env, repeats)
        details["contacts"] = first["contacts"]
    if "pandas" in only and scale == "S":
        chk = measure("pandas_check", scale, folder, params, env)
        details["pandas_check"] = {k: chk[k] for k in ("contacts", "summary_equal",
                                   "unmatched_contacts", "quality_max_abs_diff")}  # fmt: skip
        if not (chk["summary_equal"] and chk["unmatched_contacts"] == 0
                and chk["quality_over_1e-6"] == 0):  # fmt: skip
            raise RuntimeError(f"the pandas baseline differs from warmcall at S: {chk}")
    for name in ("floor", "pandas", "whatif"):
        if name in only:
            details[name] = repeat(name, scale, folder, params, env, repeats)
    if "x_archive" in only:
        if xa is None:
            xa = repeat(
                "x_archive",
                scale,
                folder,
                params,
                {**env, "WARMCALL_CACHE_MIN_BYTES": str(1 << 62)},
                repeats,
            )
        details["x_archive"] = xa
    if "report" in only:
        runs = [measure("report", scale, folder, params, env) for _ in range(repeats)]
        details["report"] = {
            "median": statistics.median(r["value"] for r in runs),
            "values": [round(r["value"], 2) for r in runs],
            "rss_mb": max(r["rss_mb"] for r in runs),
            "cpu_s": statistics.median(r["cpu_s"] for r in runs),
            "bytes": max(r["report_bytes"] for r in runs),
            "largest": runs[0]["largest"],
            "ok": all(r["ok"] for r in runs),
            "failed": sorted({f for r in runs for f in r["failed"]}),
        }
    get = details.get
    res = {
        "audit_s": round(get("audit")["median"], 3) if get("audit") else None,
        "floor_s": round(get("floor")["median"], 3) if get("floor") else None,
        "pandas_s": round(get("pandas")["median"], 3) if get("pandas") else None,
        "whatif_ms": round(get("whatif")["median"], 1) if get("whatif") else None,
        "load_x_archive_s": round(get("x_archive")["median"], 3) if get("x_archive") else None,
        "report_s": round(get("report")["median"], 2) if get("report") else None,
        "report_bytes": get("report")["bytes"] if get("report") else None,
        "peak_rss_mb": round(
            max([details[k]["rss_mb"] for k in OWN if k in details] or [0.0]), 1
        ),
        "sets_per_minute": bench_sets_per_minute(params, env, details)
        if "sets" in only and scale == "S" else None,
    }  # fmt: skip
    res.update(scale_figures(details))
    assert tuple(res) == KEYS, "--json must print exactly the issue's keys"
    return res, details


#: report sets in the sets_per_minute run
SETS_N = 20


def bench_sets_per_minute(params: Path, env: dict[str, str], details: dict) -> dict:
    """``SETS_N`` report sets (copies of ``params``) through the local process pool and a
    Dask LocalCluster, 2 workers each: sets finished per minute of wall time, per executor
    (None for Dask when it is not installed); the runs' figures go into ``details["sets"]``."""
    import importlib.util

    executors = {"local": ["--jobs", "2"], "dask": ["--scheduler", "local", "--jobs", "2"]}
    have_dask = all(importlib.util.find_spec(m) for m in ("dask", "distributed"))
    out: dict = {}
    details["sets"] = {"sets": SETS_N, "workers": 2}
    work = Path(tempfile.mkdtemp(prefix="warmcall-bench-sets-"))
    try:
        files = []
        for i in range(1, SETS_N + 1):
            f = work / "params" / f"set{i:02d}.yaml"
            f.parent.mkdir(exist_ok=True)
            shutil.copy(params, f)
            files.append(str(f))
        for name, flags in executors.items():
            if name == "dask" and not have_dask:
                out[name] = None
                continue
            cache = work / f"cache-{name}"
            code, wall, cpu, rss, text = _run(
                [sys.executable, "-m", "warmcall.run.cli", "report", "--params", *files,
                 "--out", str(work / f"out-{name}"), "--no-progress", *flags],
                {**env, "WARMCALL_CACHE_DIR": str(cache)},
            )  # fmt: skip
            failed = [ln for ln in text.splitlines() if ln.startswith("FAIL")]
            details["sets"][name] = {"wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
                                     "rss_mb": round(rss), "exit": code, "failed": failed}  # fmt: skip
            out[name] = round(SETS_N / (wall / 60), 2) if code == 0 else None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


# --------------------------------------------------------------------------- XXL (issue 19)


def scale_figures(details: dict) -> dict:
    """The cold-cache and 10×-scale keys of one scale's figures: ``first_audit_s`` (the
    audit that fills the table cache), and the XXL figures measured once per bench run
    (``measure_xxl``; ``None`` without ``--xxl``)."""
    first = details.get("audit_first")
    xxl = details.get("xxl") or {}
    return {
        "first_audit_s": round(first["s"], 3) if first else None,
        "xxl_audit_s": round(xxl["s"], 1) if xxl.get("ok") else None,
        "xxl_peak_rss_mb": round(xxl["rss_mb"], 1) if xxl.get("rss_mb") else None,
    }


def measure_xxl() -> dict:
    """XXL (``bench/xxl.py``: 10M contacts, 100M interactions; generated once into the user
    cache folder): the audit (``warmcall.load`` → ``score`` → ``summarize``) in a fresh
    subprocess with an empty table cache of its own, so it streams the interactions into the
    cache and scores from it; its wall time and peak RSS (``os.wait4``: the process and
    its children). Then once more with the cache warm (``warm_s``)."""
    sys.path.insert(0, str(BENCH))
    import xxl

    t0 = time.perf_counter()
    folder = xxl.generate()
    gen = time.perf_counter() - t0
    params = folder.parent / "params.yaml"
    import yaml
    from warmcall.sample.story import END

    raw = yaml.safe_load((ROOT / "params" / "sample.yaml").read_text(encoding="utf-8"))
    raw.update(title="Northwind Research, bench scale XXL", data=[str(folder)],
               as_of=END.isoformat())  # fmt: skip
    params.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    cache = Path(tempfile.mkdtemp(prefix="warmcall-bench-xxl-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "lib"), "WARMCALL_CACHE_DIR": str(cache),
           "WARMCALL_CACHE_MAX_MB": str(1 << 20)}  # fmt: skip
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "audit", "--data",
           str(folder), "--params-file", str(params)]  # fmt: skip
    out: dict = {"generate_s": gen, "folder": str(folder)}
    try:
        code, wall, cpu, rss, text = _run(cmd, env)
        out.update(ok=code == 0, s=wall, cpu_s=cpu, rss_mb=rss, exit=code)
        if code == 0:
            out["contacts"] = json.loads(text.strip().splitlines()[-1])["contacts"]
            code, wall, cpu, rss_w, _ = _run(cmd, env)
            out.update(warm_s=wall if code == 0 else None, warm_rss_mb=rss_w)
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return out


def xxl_verdicts(details: dict) -> list[tuple[str, str, str, str]]:
    """(scale, target, value, met) of the XXL target (peak RSS ≤ 12 GB, the run completing)."""
    xxl = next((d["xxl"] for d in details.values() if d.get("xxl")), None)
    if not xxl:
        return []
    ok = xxl.get("ok") and xxl["rss_mb"] <= XXL_PEAK_MB
    return [("XXL", "audit completes, peak RSS ≤ 12 GB", f"{xxl['rss_mb']:,.0f} MB",
             "yes" if ok else "**no**")]  # fmt: skip


def xxl_lines(details: dict) -> list[str]:
    """The XXL paragraph of BENCHMARKS.md."""
    xxl = next((d["xxl"] for d in details.values() if d.get("xxl")), None)
    if not xxl:
        return []
    if not xxl.get("ok"):
        return ["", f"**XXL** (10M contacts, 100M interactions): the audit failed "
                f"(exit {xxl.get('exit')}) after {xxl['s']:.0f} s, peak RSS "
                f"{xxl['rss_mb']:,.0f} MB."]  # fmt: skip
    warm = f"; table cache warm: {xxl['warm_s']:.0f} s" if xxl.get("warm_s") else ""
    return ["", f"**XXL** (`bench/xxl.py`: one brand at 10× L, {xxl.get('contacts', 0):,} "
            f"contacts scored, 100M interactions): audit with an empty table cache (the "
            f"interactions streamed into it) {xxl['s']:.0f} s, CPU {xxl['cpu_s']:.0f} s, peak "
            f"RSS {xxl['rss_mb']:,.0f} MB{warm}."]  # fmt: skip


# --------------------------------------------------------------------------- report


def machine() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    def v(pkg: str) -> str:
        try:
            return version(pkg)
        except PackageNotFoundError:
            return "not installed"

    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / MB:.1f} GiB"
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "memory": mem,
        "os": platform.platform(),
        "python": platform.python_version(),
        "polars": v("polars"),
        "pandas": v("pandas"),
        "pyarrow": v("pyarrow"),
        "altair": v("altair"),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_avg": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }


def verdicts(results: dict) -> list[tuple[str, str, str, str]]:
    """(scale, target, value, met) for every target that applies to a measured scale."""
    out = []
    for key, scales, test, text in TARGETS:
        for s in scales:
            r = results.get(s)
            if not r or any(r.get(k) is None for k in ("audit_s", key)):
                continue
            if "floor" in text and r.get("floor_s") is None:
                continue
            if "pandas" in text and r.get("pandas_s") is None:
                continue
            if "L / M" in text and "M" not in results:
                continue
            try:
                ok = test(r, results)
            except (TypeError, ZeroDivisionError):
                continue
            shown = {
                "audit_s ≤ 3 × floor_s": f"{r['audit_s']:.2f} s vs 3 × {r['floor_s']:.2f} s",
                "pandas_s / audit_s ≥ 3": f"{r['pandas_s'] / r['audit_s']:.1f}×",
                "first_audit_s ≤ 2 × audit_s": f"{r['first_audit_s']:.2f} s vs 2 × "
                f"{r['audit_s']:.2f} s",
                "audit_s L / M ≤ 12": f"{r['audit_s'] / results['M']['audit_s']:.1f}×"
                if "M" in results
                else "",
            }.get(text, str(r[key]))
            out.append((s, text, shown, "yes" if ok else "**no**"))
    return out


#: the section bench/soak.py writes (``make soak``) lies between these markers: kept as is
SOAK_BEGIN, SOAK_END = "<!-- soak:begin -->", "<!-- soak:end -->"


def write_markdown(path: Path, results: dict, details: dict, m: dict) -> None:
    keep = ""
    if path.exists():
        old = path.read_text(encoding="utf-8")
        if "\n## Notes" in old:
            keep = old[old.index("\n## Notes") + 1 :]
        if SOAK_BEGIN in old and SOAK_END in old and SOAK_BEGIN not in keep:
            soak = old[old.index(SOAK_BEGIN) : old.index(SOAK_END) + len(SOAK_END)]
            keep = (keep.rstrip("\n") + "\n\n" if keep else "") + soak + "\n"
    scales = list(results)
    lines = [
        "# Benchmarks",
        "",
        "Generated by `python bench/run.py "
        + " ".join(f"--scale {s}" for s in scales)
        + " --write BENCHMARKS.md` (`make bench`); see bench/run.py for what each figure "
        "measures. Medians of fresh-subprocess runs; peak RSS is the largest of the "
        "measurement subprocesses (with their children).",
        "",
        f"Machine: {m['cores']} cores, {m['memory']}, {m['os']}; Python {m['python']}, "
        f"polars {m['polars']}, pandas {m['pandas']} (pyarrow {m['pyarrow']}), "
        f"altair {m['altair']}; "
        f"{m['date']}; load average at the end {m['load_avg']} (the cores are shared: "
        "wall times vary with other work on the machine).",
        "",
        "| figure | " + " | ".join(scales) + " |",
        "|---|" + "---|" * len(scales),
    ]
    rows = [
        (
            "contacts scored",
            lambda s: f"{details[s].get('contacts', 0):,}" if details[s].get("contacts") else "–",
        ),
        ("audit_s (table cache warm)", lambda s: _f(results[s]["audit_s"], 2)),
        (
            "audit, uncached (`cache=False`) s",
            lambda s: _f(details[s].get("audit_cold", {}).get("median"), 2),
        ),
        (
            "audit, first run (fills the cache) s",
            lambda s: _f(details[s].get("audit_first", {}).get("s"), 2),
        ),
        ("floor_s", lambda s: _f(results[s]["floor_s"], 3)),
        ("audit_s / floor_s", lambda s: _ratio(results[s]["audit_s"], results[s]["floor_s"])),
        ("pandas_s", lambda s: _f(results[s]["pandas_s"], 2)),
        ("pandas_s / audit_s", lambda s: _ratio(results[s]["pandas_s"], results[s]["audit_s"])),
        ("whatif_ms", lambda s: _f(results[s]["whatif_ms"], 1)),
        ("load_x_archive_s", lambda s: _f(results[s]["load_x_archive_s"], 2)),
        ("report_s (empty table cache)", lambda s: _f(results[s]["report_s"], 1)),
        (
            "report_bytes (largest page)",
            lambda s: f"{results[s]['report_bytes']:,}" if results[s]["report_bytes"] else "–",
        ),
        ("peak_rss_mb", lambda s: _f(results[s]["peak_rss_mb"], 0)),
        (
            f"report sets per minute, local pool / Dask ({SETS_N} sets, 2 workers)",
            lambda s: " / ".join(
                _f((results[s]["sets_per_minute"] or {}).get(k), 2) for k in ("local", "dask")
            ),
        ),
        ("peak RSS of audit (warm) MB", lambda s: _f(details[s].get("audit", {}).get("rss_mb"), 0)),
        (
            "peak RSS of audit (uncached) MB",
            lambda s: _f(details[s].get("audit_cold", {}).get("rss_mb"), 0),
        ),
        ("peak RSS of report MB", lambda s: _f(details[s].get("report", {}).get("rss_mb"), 0)),
        ("peak RSS of pandas MB", lambda s: _f(details[s].get("pandas", {}).get("rss_mb"), 0)),
        ("CPU s of audit (warm)", lambda s: _f(details[s].get("audit", {}).get("cpu_s"), 1)),
        ("data generation s", lambda s: _f(details[s].get("generate_s"), 1)),
    ]
    for label, fn in rows:
        lines.append(f"| {label} | " + " | ".join(fn(s) for s in scales) + " |")
    lines += xxl_lines(details)
    chk = details.get("S", {}).get("pandas_check")
    if chk:
        lines += [
            "",
            f"The pandas baseline was checked against warmcall at S before timing: the same "
            f"stage counts per platform × segment, all {chk['contacts']:,} contacts matched, "
            f"largest quality difference {chk['quality_max_abs_diff']:.1e}.",
        ]
    lines += ["", "## Targets", "", "| scale | target | measured | met |", "|---|---|---|---|"]
    lines += [f"| {s} | {t} | {v} | {ok} |" for s, t, v, ok in verdicts(results)]
    lines += [f"| {s} | {t} | {v} | {ok} |" for s, t, v, ok in xxl_verdicts(details)]
    fails = [f for s in scales for f in details[s].get("report", {}).get("failed", [])]
    if fails:
        lines += ["", "Report notebooks that failed: " + "; ".join(fails)]
    lines += [
        "",
        "Raw figures (`--json`):",
        "",
        "```json",
        json.dumps(results, indent=2),
        "```",
        "",
    ]
    text = "\n".join(lines)
    if keep:
        text += "\n" + keep
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _f(v: float | None, digits: int) -> str:
    return "–" if v is None else f"{v:,.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "–" if a is None or not b else f"{a / b:.1f}×"


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--scale", action="append", choices=["S", "M", "L"], help="S, M or L (repeatable)"
    )
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--write", type=Path, metavar="FILE", help="rewrite FILE (BENCHMARKS.md)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per measurement (median; ≥ 3)")
    ap.add_argument(
        "--only", default=",".join(MEASURES), help="comma-separated subset of " + ",".join(MEASURES)
    )
    ap.add_argument(
        "--details", type=Path, metavar="FILE", help="also write every run's figures as JSON"
    )
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--xxl", action="store_true", help="also measure XXL (10× L; bench/xxl.py)")
    ap.add_argument("--data", help=argparse.SUPPRESS)  # a child's folder and params (XXL)
    ap.add_argument("--params-file", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    scales = a.scale or ["S"]
    if a.child:
        folder, params = DATA / scales[0] / "canonical", DATA / scales[0] / "params.yaml"
        if a.data:
            folder, params = Path(a.data), Path(a.params_file)
        print(json.dumps(child(a.child, str(folder), str(params), {})))
        return 0
    only = {x.strip() for x in a.only.split(",") if x.strip()}
    if unknown := only - set(MEASURES):
        ap.error(f"unknown measurement(s): {', '.join(sorted(unknown))}")
    results: dict = {}
    details: dict = {}
    xa = None
    xxl = None
    if a.xxl:  # first, on its own: the largest run, measured once
        print("bench: scale XXL ...", file=sys.stderr, flush=True)
        xxl = measure_xxl()
        print(f"bench: XXL: {json.dumps(xxl)}", file=sys.stderr, flush=True)
    for s in scales:
        print(f"bench: scale {s} ...", file=sys.stderr, flush=True)
        results[s], details[s] = bench_scale(s, a.repeats, only, xa, xxl)
        xa = details[s].get("x_archive", xa)
        print(f"bench: {s}: {json.dumps(results[s])}", file=sys.stderr, flush=True)
    if a.details:
        a.details.write_text(
            json.dumps({"results": results, "details": details}, indent=2, default=str)
        )
    if a.write:
        write_markdown(
            a.write if a.write.is_absolute() else ROOT / a.write, results, details, machine()
        )
    if a.json:
        print(json.dumps(results[scales[0]] if len(scales) == 1 else results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
