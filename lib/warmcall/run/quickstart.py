"""From downloaded exports to a report in one command: ``warmcall quickstart`` and ``warmcall init``.

``init PATH... --params FILE`` loads the exports once (the same ``warmcall.load`` as every other
command: unusable input stops with one line naming the file) and writes a params file from
what it found, every choice commented:

- ``data``: the given paths, relative to the params file's folder when they lie inside it
  (``load_params`` resolves them against that folder), else absolute;
- ``accounts`` and ``platforms``: every account in the data (account ids from all four
  tables), in order of platform, then account id;
- ``as_of``: the latest date in the data: the largest of the interactions' and posts'
  ``ts``, the connections' ``connected_at`` and the accounts' ``snapshot_date`` (an export's
  snapshot date is the day it was made);
- ``segments`` and ``relevance``: the sample's rules (``params/sample.yaml``), as a starting
  point to edit;
- ``outreach.timezone``: the machine's IANA time zone when it can be read, else UTC;
- everything else is left to the defaults of ``warmcall.core.params`` (docs/params.md).

Values from data (paths, account ids, names) are written as double-quoted YAML scalars and
shown in comments only after control and line-break characters are removed, so no string can
end a comment or add a key. The written file is read back with ``load_params`` before it is
kept. ``quickstart PATH...`` writes the params file next to the output folder (unless it
exists: then it is reused as it is) and runs ``warmcall report`` with it.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from warmcall.core.errors import OutputError, ParamsError
from warmcall.core.outputs import write_text_atomic
from warmcall.core.sanitize import terminal
from warmcall.core.sanitize import yaml_comment as _comment

#: name of the params file ``quickstart`` writes next to its output folder
PARAMS_NAME = "warmcall.yaml"
TABLES = ("accounts", "connections", "interactions", "posts")
#: (table, column) pairs whose largest value is the latest date in the data
DATED = (
    ("interactions", "ts"),
    ("posts", "ts"),
    ("connections", "connected_at"),
    ("accounts", "snapshot_date"),
)


def _y(value: Any) -> str:
    """One YAML flow value; strings always double-quoted (escapes for anything unusual)."""
    text = yaml.safe_dump(
        value, default_flow_style=True, default_style='"' if isinstance(value, str) else None,
        allow_unicode=True, width=1_000_000, sort_keys=False,
    )  # fmt: skip
    return text.removesuffix("...\n").strip()


def local_timezone() -> str:
    """The machine's IANA time zone name (``$TZ``, else the ``/etc/localtime`` link), if it
    names a zone Python knows; else ``"UTC"``."""
    from zoneinfo import ZoneInfo

    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.readlink("/etc/localtime")
        if "zoneinfo/" in target:
            candidates.append(target.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    for name in candidates:
        if not name or name.startswith("/"):
            continue
        try:
            ZoneInfo(name)
        except (ValueError, OSError, KeyError):
            continue
        return name
    return "UTC"


UTC_NAMES = ("UTC", "Etc/UTC", "Etc/UCT", "UCT", "Zulu", "Etc/Zulu", "Universal", "Etc/Universal")


def detect(wb: Any) -> dict[str, Any]:
    """What a loaded workbook holds, for the params file: ``accounts`` (rows of account_id,
    platform, name, followers; sorted by platform, then account_id), ``platforms`` (sorted)
    and ``as_of`` (the latest date in the data, see the module docstring; None if the data
    has no date at all)."""
    ids = pl.concat(
        [wb.scan(t).select("account_id", "platform") for t in TABLES], how="vertical_relaxed"
    )
    accounts = ids.drop_nulls("account_id").unique().collect()
    latest = (
        wb.scan("accounts")
        .sort("snapshot_date", nulls_last=False)
        .group_by("account_id")
        .agg(
            pl.col("display_name").drop_nulls().last(),
            pl.col("handle").drop_nulls().last(),
            pl.col("followers").drop_nulls().last(),
        )
        .collect()
    )
    accounts = accounts.join(latest, on="account_id", how="left").sort("platform", "account_id")
    days: list[date] = []
    for table, col in DATED:
        v = wb.scan(table).select(pl.col(col).max()).collect().item()
        if isinstance(v, datetime):
            days.append(v.date())
        elif isinstance(v, date):
            days.append(v)
    return {
        "accounts": accounts.to_dicts(),
        "platforms": sorted({a["platform"] for a in accounts.to_dicts() if a["platform"]}),
        "as_of": max(days) if days else None,
    }


def _sample_rules() -> dict[str, Any]:
    """``segments`` and ``relevance`` of the sample's params file."""
    from warmcall.core.params import read_yaml
    from warmcall.core.resources import sample_params

    raw = read_yaml(sample_params(), "sample params file") or {}
    return {"segments": raw.get("segments") or [], "relevance": raw.get("relevance") or {}}


def _data_path(p: Path, base: Path) -> str:
    """``p`` relative to ``base`` (the params file's folder) when it lies inside it, so the
    two can move together; else absolute."""
    p = p.resolve()
    return p.relative_to(base).as_posix() if p.is_relative_to(base) else str(p)


def params_text(paths: list[Path], params_file: Path, found: dict[str, Any]) -> str:
    """The commented YAML of a params file for ``paths`` (see the module docstring)."""
    base = params_file.resolve().parent
    rules = _sample_rules()
    accounts = found["accounts"]
    names = list(
        dict.fromkeys(a["display_name"] or a["handle"] or a["account_id"] for a in accounts)
    )
    title = f"{', '.join(names[:3])}: who am I really connected to?" if names else "warmcall report"
    as_of = found["as_of"]
    tz = local_timezone()
    out = [
        "# warmcall params, written by `warmcall init` / `warmcall quickstart` from the exports",
        "# listed under `data`. Edit it freely; docs/params.md explains every key, and any key",
        "# left out takes its default. Run the reports again with:",
        f"#   warmcall report --params {_comment(params_file.name)} --out <folder>",
        "",
        f"title: {_y(title)}  # the heading of every report page",
        "",
        "# The exports to load: folders, zips as downloaded or single files (a relative path is",
        "# read from the folder of this file).",
        "data:",
        *(f"  - {_y(_data_path(p, base))}" for p in paths),
        "",
    ]
    if as_of is not None:
        out += [
            "# The last day of the analysis: the latest date found in the data. Counts such as",
            "# 'engaged' look at the `window_days` days ending on this day.",
            f"as_of: {_y(as_of.isoformat())}",
        ]
    else:
        out += ["# No date found in the data: as_of is left to its default (the last interaction)."]
    out += [
        "window_days: 90  # the default window",
        "",
        "# The accounts found in the data (remove one to leave it out; an account you add",
        "# later must be listed here too, or set `accounts: null` to take every account):",
        "accounts:",
    ]
    for a in accounts:
        who = a["display_name"] or a["handle"] or ""
        followers = (
            f"{a['followers']:,} followers" if a["followers"] is not None else "follower count not in this export"
        )  # fmt: skip
        out.append(f"  - {_y(a['account_id'])}  # {_comment(f'{who}, {followers}')}")
    if not accounts:
        out[-1] = "accounts: null  # none found: every account in the data"
    out += [
        "# The platforms found (null: every platform).",
        f"platforms: {_y(found['platforms']) if found['platforms'] else 'null'}",
        "",
        "redact: false  # true: pseudonymize names and handles in every output",
        "",
        "# Audience segments: the sample's rules, as a starting point. A contact belongs to the",
        "# first segment one of whose keywords occurs (whole word, any case) in one of `fields`",
        "# (default: bio, company, position, handle); contacts matching none are 'unsegmented'.",
    ]
    seg = yaml.safe_dump(
        {"segments": rules["segments"]},
        sort_keys=False, allow_unicode=True, width=100, default_flow_style=None,
    )  # fmt: skip
    out += seg.rstrip("\n").splitlines()
    out += [
        "",
        "# Your niche: keyword -> weight. A contact's relevance is the sum of the weights of the",
        "# keywords found in their profile (the sample's, as a starting point).",
    ]
    rel = yaml.safe_dump({"relevance": rules["relevance"]}, sort_keys=False, allow_unicode=True)
    out += rel.rstrip("\n").splitlines()
    out += [
        "",
        "outreach:  # the weekly call list (03 Outreach, `warmcall plan`)",
        "  per_day: 2  # calls a day",
        "  days: 5  # working days",
        '  start_time: "09:30"  # the first call of each day',
        f"  timezone: {_y(tz)}  # an IANA time zone name"
        + (" (this machine's)" if tz not in UTC_NAMES else " (set yours, e.g. Europe/London)"),
        "",
    ]
    return "\n".join(out)


def write_params(
    paths: list[str | os.PathLike[str]], params_file: str | os.PathLike[str], *, force: bool = False
) -> Path:
    """Load ``paths``, write the params file for them (``params_text``) and check that it
    reads back. Raises ``OutputError`` when the file exists and ``force`` is false (or is a
    folder), ``ParamsError`` when no path is given, and ``InputError`` for unusable input
    (``warmcall.load``)."""
    from warmcall.core.params import load_params
    from warmcall.ingest.load import load

    target = Path(params_file)
    if target.exists() and not force:
        raise OutputError(target, "params file exists already (use --force to replace it)")
    if target.exists() and target.is_dir():
        raise OutputError(target, "is a folder, not a params file")
    if not paths:
        raise ParamsError("warmcall init", "no export paths given")
    wb = load(*paths)
    text = params_text([Path(p) for p in paths], target, detect(wb))
    target.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(target, text)
    load_params(target)  # what we wrote must read back; a failure here is a bug, not input
    return target


# --------------------------------------------------------------------------- CLI


def add_parsers(sub: Any) -> None:
    """Add ``quickstart`` and ``init`` to the ``warmcall`` subcommands."""
    qs = sub.add_parser(
        "quickstart",
        help="downloads to reports in one step: write a params file, then run the reports",
        description="Detect the platforms, accounts and dates in your exports, write a commented "
        "params file next to the output folder (or reuse the one there) and run the reports.",
    )
    qs.add_argument("paths", nargs="+", help="your exports: folders, zips as downloaded, files")
    qs.add_argument(
        "-o", "--out", type=Path, default=Path("reports"), metavar="DIR",
        help="output folder (default: reports)",
    )  # fmt: skip
    qs.add_argument(
        "-p", "--params", type=Path, default=None, metavar="FILE",
        help=f"params file to write or reuse (default: {PARAMS_NAME} next to the output folder)",
    )  # fmt: skip
    qs.add_argument("-j", "--jobs", type=int, default=None, metavar="N", help=argparse.SUPPRESS)
    qs.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    qs.set_defaults(func=cmd_quickstart)

    it = sub.add_parser(
        "init",
        help="write a commented params file for your exports (no reports)",
        description="Detect the platforms, accounts and dates in your exports and write a "
        "commented params file for `warmcall report --params FILE`.",
    )
    it.add_argument("paths", nargs="+", help="your exports: folders, zips as downloaded, files")
    it.add_argument("-p", "--params", type=Path, required=True, metavar="FILE")
    it.add_argument("--force", action="store_true", help="replace an existing params file")
    it.set_defaults(func=cmd_init)


def cmd_init(a: argparse.Namespace) -> int:
    path = write_params(a.paths, a.params, force=a.force)
    print(f"wrote {terminal(path)}", file=sys.stderr)
    print(f"next: warmcall report --params {terminal(path)} --out reports", file=sys.stderr)
    return 0


def cmd_quickstart(a: argparse.Namespace) -> int:
    from warmcall.run.report_command import main_report

    out = Path(a.out)
    params = Path(a.params) if a.params else out.resolve().parent / PARAMS_NAME
    if params.is_file():
        print(
            f"using the params file {terminal(params)} as it is (delete it to detect the exports "
            "again)",
            file=sys.stderr,
        )
        from warmcall.core.params import load_params

        given = {Path(x).resolve() for x in a.paths}
        have = {Path(str(getattr(d, "path", d))).resolve() for d in load_params(params).data}
        if given != have:
            print(
                f"note: {terminal(params)} names other exports than the paths given; it wins",
                file=sys.stderr,
            )
    else:
        write_params(a.paths, params)
        print(f"wrote {terminal(params)} (edit it, then run this command again)", file=sys.stderr)
    args = argparse.Namespace(
        params=[params], out=out, jobs=a.jobs, notebooks=None, no_progress=a.no_progress
    )
    return main_report(args)
