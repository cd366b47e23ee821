"""``warmcall plan``: the command that writes this week's calls (``plan.csv``, ``plan.ics``
and the planned people as vCards, ``plan.vcf``); the policy itself is ``warmcall.act.plan``. Never contacts anyone."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

import polars as pl

from warmcall.act.plan import plan_outreach_result
from warmcall.core.errors import ParamsError
from warmcall.core.params import as_params, override
from warmcall.core.sanitize import terminal


def _clip(s: object, n: int) -> str:
    return terminal(s if s is not None else "", limit=n)


def plan_table_text(plan: pl.DataFrame) -> str:
    """A short fixed-width table of the plan for the terminal."""
    head = f"{'date':10}  {'time':5}  {'person':24}  {'platforms':18}  reason"
    lines = [head, "-" * len(head)]
    for r in plan.iter_rows(named=True):
        lines.append(
            f"{r['date'].isoformat():10}  {r['time']:5}  {_clip(r['person'], 24):24}  "
            f"{_clip(r['platforms'], 18):18}  {_clip(r['reason'], 70)}"
        )
    return "\n".join(lines)


def main_plan(args: argparse.Namespace) -> int:
    """``warmcall plan [DATA...] [--params FILE] [--start DATE] [--per-day N] [--days N]
    [--out DIR]``: load DATA (or ``params.data``), score, plan, write ``DIR/plan.csv`` (formula-
    safe), ``DIR/plan.ics`` and ``DIR/plan.vcf`` as one set (``outputs.write_files_atomic``, under the lock
    ``locks.locked(DIR/plan)``), print the plan and where the files are."""
    from warmcall.core.errors import writing_to
    from warmcall.core.locks import locked
    from warmcall.core.outputs import csv_safe_text, to_ics, write_files_atomic
    from warmcall.core.vcard import to_vcf
    from warmcall.model.pipeline import analyse
    from warmcall.present.vcards import PLAN_VCF, plan_cards

    p = as_params(getattr(args, "params", None))
    # flags are validated like params (same bounds), before any data is read
    p = override(p, {key: getattr(args, attr, None) for attr, key in _FLAGS.items()},
                 names={key: flag for flag, key in _FLAG_NAMES.items()})  # fmt: skip
    data = list(getattr(args, "data", None) or []) or list(p.data)
    if not data:
        raise ParamsError(
            "warmcall plan", "no data: give export paths or a params file with 'data'"
        )
    a = analyse(p.model_copy(update={"data": data}))  # the reports' pipeline (and pseudonyms)
    as_of = a.as_of
    res = plan_outreach_result(a.scores, params=p, as_of=as_of)
    out = Path(getattr(args, "out", None) or "reports")
    csv_path, ics_path, vcf_path = out / "plan.csv", out / "plan.ics", out / PLAN_VCF
    files: dict[str | os.PathLike[str], str | bytes] = {csv_path: csv_safe_text(res.plan),
             ics_path: to_ics(res.plan, calendar_name=f"{p.title}: calls", as_of=as_of),
             vcf_path: to_vcf(plan_cards(res.plan, a.scores, p.redact))}  # fmt: skip
    with writing_to(out):  # all or none, one plan run at a time per folder
        out.mkdir(parents=True, exist_ok=True)
        with locked(out / "plan"):
            write_files_atomic(files)
    print(
        f"Outreach plan from {res.start.isoformat()} (as of {as_of.isoformat()}, "
        f"times in {terminal(p.outreach.timezone)}):"
    )
    print(plan_table_text(res.plan))
    if res.note:
        print(terminal(res.note))
    for path in (csv_path, ics_path, vcf_path):
        print(f"wrote {terminal(path)}", file=sys.stderr)
    return 0


#: ``warmcall plan`` flags that set a param: argparse attribute -> params key. They are
#: parsed as text and validated by the params model (``params.override``).
_FLAGS = {"start": "outreach.start", "per_day": "outreach.per_day", "days": "outreach.days"}
_FLAG_NAMES = {"--start": "outreach.start", "--per-day": "outreach.per_day",
               "--days": "outreach.days"}  # fmt: skip


def add_plan_parser(
    subparsers: argparse._SubParsersAction, func: Callable[[argparse.Namespace], int] | None = None
) -> argparse.ArgumentParser:
    """Register ``warmcall plan`` on the CLI's subparsers (``func`` defaults to ``main_plan``)."""
    pl_ = subparsers.add_parser(
        "plan", help="plan calls (CSV + iCalendar + vCard); never contacts anyone"
    )
    pl_.add_argument(
        "data", nargs="*", help="export folders/zips (default: the params file's data)"
    )
    pl_.add_argument("--params", help="params YAML (outreach settings, segments, relevance)")
    pl_.add_argument("--start", help="first day, YYYY-MM-DD (default: next working day)")
    pl_.add_argument("--per-day", dest="per_day", help="calls per day, 1-50 (default: params, 2)")
    pl_.add_argument("--days", help="working days, 1-60 (default: params, 5)")
    pl_.add_argument(
        "--out",
        default="reports",
        help="folder for plan.csv, plan.ics and plan.vcf (default: reports/)",
    )
    pl_.set_defaults(func=func or main_plan)
    return pl_
