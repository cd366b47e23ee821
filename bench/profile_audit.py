"""Where the audit's time goes, stage by stage (for BENCHMARKS.md's notes on missed targets).

    python bench/profile_audit.py --scale L [--repeats 3]

Runs the same steps as ``warmcall.score`` (``warmcall.model.scoring``), collecting after each so
that each stage's wall time can be read apart (medians over ``--repeats`` runs in this
process, after one warm-up; table cache warm, as ``audit_s``). Collecting between stages
costs a little over the one fused plan of ``score``, so the sum exceeds ``audit_s`` slightly.
Needs the bench data of ``bench/run.py`` (run it first at that scale).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import polars as pl
import warmcall
from warmcall.core.params import load_params
from warmcall.model import scoring

DATA = Path(__file__).resolve().parent / "data"


def stages(folder: str, p) -> dict[str, float]:
    """Seconds per stage of one audit."""
    t: dict[str, float] = {}
    t0 = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal t0
        now = time.perf_counter()
        t[name] = now - t0
        t0 = now

    wb = warmcall.load(folder)
    lap("load (open the cache entry)")
    wb = scoring.select(wb, p)
    as_of = scoring.resolve_as_of(wb, p)
    feats = scoring.features_frame(wb, p, as_of).collect()
    lap("per-contact features (group-by + join with connections)")
    feats, _ = scoring.with_persons(feats, p)
    lap("persons across platforms + channel counts")
    lf = feats.lazy().with_columns(scoring.quality.components(p.quality, as_of))
    lf = lf.with_columns(scoring.quality.quality_expr(p.quality), scoring.quality.stage_expr())
    layered = scoring.quality.with_layers(lf).collect()
    lap("components, quality, stage, layer")
    ordered = layered.sort(["account_id", "quality", "contact_id"], descending=[False, True, False])
    lap("sort by account and quality")
    scores = (
        ordered.lazy()
        .with_columns(
            scoring.segments.segment_expr(p.segments),
            scoring.segments.relevance_expr(p.relevance),
        )
        .collect()
    )
    lap("segment and relevance rules (text)")
    scores = scores.lazy().with_columns(*scoring.audience.hygiene_exprs(p.hygiene)).collect()
    lap("hygiene flags (text and ratios)")
    warmcall.summarize(scores, by=("platform", "segment"))
    lap("summarize")
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", default="L", choices=["S", "M", "L"])
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    base = DATA / a.scale
    folder, p = str(base / "canonical"), load_params(base / "params.yaml")
    stages(folder, p)  # warm-up: fills the table cache if needed
    runs = [stages(folder, p) for _ in range(a.repeats)]
    floor = []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        pl.scan_parquet(Path(folder) / "interactions.parquet").group_by(
            "account_id", "contact_id"
        ).agg(pl.len(), pl.col("ts").max()).collect()
        floor.append(time.perf_counter() - t0)
    print(f"| stage (scale {a.scale}) | median s |\n|---|---|")
    total = 0.0
    for name in runs[0]:
        s = statistics.median(r[name] for r in runs)
        total += s
        print(f"| {name} | {s:.2f} |")
    print(f"| **sum** | {total:.2f} |")
    print(f"| floor (bare scan + group-by) | {statistics.median(floor):.2f} |")


if __name__ == "__main__":
    main()
