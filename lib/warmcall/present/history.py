"""Earlier runs of a report set, as the reports read and write them.

Layout (written by the batch runner, ``warmcall.run.report``): ``<out>/<YYYY-MM-DD>/<set>/``
holds the pages, ``metrics.json`` (the headline numbers, merged by every notebook of the
set), ``run.json`` and artifacts such as ``plan.csv`` and ``stages.parquet``. A report reads
the earlier runs of its own set to show the change since the last run, the follow-through
of the previous plan and who moved stage.

The notebooks call one function per section (``change_since_last_run``,
``follow_through_since_last_run``, ``stage_moves_since_last_run``; ``save_metrics`` and
``save_plan`` write this run's files) with their papermill parameters ``output_dir`` and
``report_set``. An empty ``output_dir`` (a live notebook, nbval) means no history: nothing is
read or written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from warmcall.core.outputs import write_csv_safe, write_ics, write_text_atomic
from warmcall.core.vcard import write_vcf
from warmcall.core.words import count, noun, verb
from warmcall.model import changes
from warmcall.present import outreach, overview
from warmcall.present.vcards import PLAN_VCF, plan_cards

if TYPE_CHECKING:
    from warmcall.act.plan import PlanResult
    from warmcall.model.pipeline import Analysis

METRICS_FILE = "metrics.json"
PLAN_CSV, PLAN_ICS, STAGES_FILE = "plan.csv", "plan.ics", "stages.parquet"
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def jsonable(o: Any) -> Any:
    """Plain JSON-able value for papermill: dates as ISO strings, paths as strings."""
    if hasattr(o, "model_dump"):
        return jsonable(o.model_dump(mode="json"))
    if isinstance(o, dict):
        return {str(k): jsonable(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [jsonable(v) for v in o]
    if isinstance(o, set | frozenset):
        return sorted(jsonable(v) for v in o)
    if isinstance(o, datetime | date):
        return o.isoformat()
    if isinstance(o, Path):
        return str(o)
    return o


def write_metrics(output_dir: str | os.PathLike[str], metrics: dict[str, Any]) -> Path:
    """Merge ``metrics`` into ``<output_dir>/metrics.json`` (for notebooks; atomic write).

    The file is one JSON object; later keys overwrite earlier ones, so several notebooks of a
    set can each add their headline numbers. Values must be JSON-able (dates become ISO).
    """
    path = Path(output_dir) / METRICS_FILE
    current: dict[str, Any] = {}
    if path.exists():
        with contextlib.suppress(ValueError, OSError):
            loaded = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict):
                current = loaded
    current.update(jsonable(metrics))
    write_text_atomic(path, json.dumps(current, indent=2, sort_keys=True, allow_nan=False) + "\n")
    return path


def read_json_object(path: Path) -> dict[str, Any] | None:
    """The JSON object in ``path``; None when it is unreadable or not an object."""
    try:
        v = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return v if isinstance(v, dict) else None


def metrics_history(out_dir: str | os.PathLike[str], report_set: str) -> list[tuple[str, dict]]:
    """Every ``metrics.json`` snapshot of one report set, oldest first, as ``(date, metrics)``.

    Reads ``<out_dir>/<YYYY-MM-DD>/<report_set>/metrics.json``; unreadable files are skipped.
    """
    out = []
    base = Path(out_dir)
    if not base.is_dir():
        return out
    for d in sorted(p for p in base.iterdir() if p.is_dir() and _DATE_RE.match(p.name)):
        m = read_json_object(d / report_set / METRICS_FILE)
        if m is not None:
            out.append((d.name, m))
    return out


def previous_artifact(
    out_dir: str | os.PathLike[str], report_set: str, before: str, name: str
) -> Path | None:
    """``<out_dir>/<date>/<report_set>/<name>`` of the latest run dated before ``before``
    (ISO date) that has that file; None when there is none."""
    base = Path(out_dir)
    if not base.is_dir():
        return None
    dated = sorted(
        (p for p in base.iterdir() if p.is_dir() and _DATE_RE.match(p.name) and p.name < before),
        reverse=True,
    )
    for d in dated:
        f = d / report_set / name
        if f.is_file():
            return f
    return None


# --- one call per notebook section ---------------------------------------------------------


def runs_root(output_dir: str | os.PathLike[str] | None) -> Path | None:
    """The folder that holds the dated runs: ``output_dir`` is ``<out>/<YYYY-MM-DD>/<set>``
    (the runner's layout above), so its grandparent; None when ``output_dir`` is empty."""
    return Path(output_dir).parents[1] if output_dir else None


def change_since_last_run(
    a: Analysis, output_dir: str | os.PathLike[str] | None, report_set: str
) -> pl.DataFrame:
    """``overview.change_table`` of this run's ``overview.metrics`` against the set's earlier
    ``metrics.json`` snapshots (``metrics_history``): empty when there is no earlier run or
    no ``output_dir``."""
    root = runs_root(output_dir)
    history = metrics_history(root, report_set) if root else []
    return overview.change_table(overview.metrics(a), history)


def save_metrics(a: Analysis, output_dir: str | os.PathLike[str] | None) -> Path | None:
    """``overview.metrics(a)`` and the audit's numbers (``cards.audit_numbers``, key
    ``audit``) merged into ``<output_dir>/metrics.json`` (``write_metrics``), for the next
    run's change; nothing (None) without an ``output_dir``."""
    if not output_dir:
        return None
    from warmcall.present.cards import audit_numbers

    return write_metrics(output_dir, {**overview.metrics(a), "audit": audit_numbers(a)})


def previous_metrics(
    a: Analysis, output_dir: str | os.PathLike[str] | None, report_set: str
) -> tuple[str, dict] | None:
    """(date, metrics) of the set's latest ``metrics.json`` dated before ``a.as_of``; None
    when there is none (the first run) or no ``output_dir``."""
    root = runs_root(output_dir)
    prev = [(d, m) for d, m in (metrics_history(root, report_set) if root else [])
            if d < a.as_of.isoformat()]  # fmt: skip
    return prev[-1] if prev else None


def _previous(
    a: Analysis, output_dir: str | os.PathLike[str] | None, report_set: str, name: str
) -> Path | None:
    root = runs_root(output_dir)
    return previous_artifact(root, report_set, a.as_of.isoformat(), name) if root else None


def previous_plan(
    a: Analysis, output_dir: str | os.PathLike[str] | None, report_set: str
) -> pl.DataFrame | None:
    """The ``plan.csv`` of the set's latest run dated before ``a.as_of`` (all columns as
    text, as written); None when there is none."""
    f = _previous(a, output_dir, report_set, PLAN_CSV)
    return pl.read_csv(f, infer_schema=False) if f else None


def previous_stages(
    a: Analysis, output_dir: str | os.PathLike[str] | None, report_set: str
) -> pl.DataFrame | None:
    """The ``stages.parquet`` (``outreach.stages_snapshot``) of the set's latest run dated
    before ``a.as_of``; None when there is none."""
    f = _previous(a, output_dir, report_set, STAGES_FILE)
    return pl.read_parquet(f) if f else None


def follow_through_since_last_run(
    a: Analysis, output_dir: str | os.PathLike[str] | None, report_set: str
) -> pl.DataFrame:
    """``outreach.follow_through`` of the previous run's plan (``previous_plan``): each planned
    call and whether an outbound contact was logged on or after its day; empty without one."""
    return outreach.follow_through(a, previous_plan(a, output_dir, report_set))


def stage_moves_since_last_run(
    a: Analysis, output_dir: str | os.PathLike[str] | None, report_set: str
) -> pl.DataFrame | None:
    """``outreach.stage_moves`` against the previous run's stages (``previous_stages``); None
    when there is no earlier run to compare with (an empty frame: nobody moved)."""
    prev = previous_stages(a, output_dir, report_set)
    return None if prev is None else outreach.stage_moves(a, prev)


def stage_moves_sentence(moves: pl.DataFrame | None) -> str:
    """One sentence for ``stage_moves_since_last_run``: no earlier run, or how many moved."""
    if moves is None:
        return "No earlier run to compare with yet."
    return f"{count(moves.height, 'contact')} changed stage."


def save_plan(
    a: Analysis, result: PlanResult, output_dir: str | os.PathLike[str] | None
) -> list[Path]:
    """Write this run's ``plan.csv`` (formula-safe, ``write_csv_safe``), ``plan.ics`` (for the
    calendar, ``write_ics``), ``plan.vcf`` (the planned people as vCards, ``vcards.plan_cards``)
    and ``stages.parquet`` (``save_snapshot``, for the next run's who came, who left and
    stage moves) into ``output_dir``; nothing (an empty list) without one."""
    if not output_dir:
        return []
    out = Path(output_dir)
    title = a.params.title
    written = [
        write_csv_safe(result.plan, out / PLAN_CSV),
        write_ics(result.plan, out / PLAN_ICS, calendar_name=f"{title}: calls", as_of=a.as_of),
        write_vcf(plan_cards(result.plan, a.scores, a.params.redact), out / PLAN_VCF),
    ]
    snap = save_snapshot(a, output_dir)
    return [*written, *([snap] if snap else [])]


def save_snapshot(a: Analysis, output_dir: str | os.PathLike[str] | None) -> Path | None:
    """Write this run's network snapshot (``outreach.stages_snapshot``: every contact with
    follows_me, i_follow and stage) as ``<output_dir>/stages.parquet``, atomically (the
    overview and the outreach notebooks of one run both write the same file); the next run
    reads it for who came, who left and who moved stage. None without an ``output_dir``."""
    if not output_dir:
        return None
    path = Path(output_dir) / STAGES_FILE
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{STAGES_FILE}.", suffix=".tmp")
    os.close(fd)
    try:
        outreach.stages_snapshot(a).write_parquet(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


# --- who came and who left ------------------------------------------------------------------

#: How many people of each kind ``metrics.json`` lists (the full lists are data files).
METRICS_LIST_CAP = 20
#: kind of change -> the data file of its full list (``datafiles.save_table``)
CHANGE_FILES = {"new follower": "new_followers", "unfollowed you": "unfollowers",
                "new mutual": "new_mutuals", "lost mutual": "lost_mutuals"}  # fmt: skip
MOVES_FILE = "stage_moves"
BY_YOU_FILE = "unfollowed_by_you"


@dataclass
class NetworkChanges:
    """Who came and who left since the previous run of a report set (``model.changes``).

    ``since``: the previous run's date, None when there is none (then the frames are empty
    and ``accounts`` says nothing is comparable); ``people``: ``changes.network_changes``;
    ``moves``: ``changes.stage_moves``; ``accounts``: ``changes.comparable`` with the
    platform (which accounts' follower lists and mutuals could be compared)."""

    since: str | None
    people: pl.DataFrame
    moves: pl.DataFrame
    accounts: pl.DataFrame
    #: the exports' own lists of accounts you unfollowed (``changes.export_unfollowed``),
    #: after ``since`` when there is an earlier run
    unfollowed_by_you: pl.DataFrame = dataclasses.field(
        default_factory=lambda: pl.DataFrame(schema=changes.UNFOLLOWED_SCHEMA)
    )

    def counts(self) -> dict[str, int | None]:
        """Per kind (``changes.KINDS``, "warmed up", "cooled down"): how many; None for the
        follower kinds when no account's follower list can be compared (not in this
        export), and for all when there is no earlier run."""
        if self.since is None:
            return dict.fromkeys((*changes.KINDS, "warmed up", "cooled down"))
        c: dict[str, int | None] = dict(changes.change_counts(self.people, self.moves))
        if not self.accounts["followers"].any():
            c["new follower"] = c["unfollowed you"] = None
        if not self.accounts["mutuals"].any():
            c["new mutual"] = c["lost mutual"] = None
        return c


def changes_since_last_run(
    a: Analysis, output_dir: str | os.PathLike[str] | None, report_set: str
) -> NetworkChanges:
    """Compare this run's network snapshot (``outreach.stages_snapshot``) with the
    ``stages.parquet`` of the set's latest run dated before ``a.as_of``
    (``changes.network_changes`` and ``changes.stage_moves``). An earlier snapshot from
    before follows were stored has no follow flags: its accounts count as without lists."""
    now = outreach.stages_snapshot(a)
    platform = now.select("account_id", "platform").unique()
    f = _previous(a, output_dir, report_set, STAGES_FILE)
    since = f.parents[1].name if f is not None else None
    by_you = changes.export_unfollowed(
        export_unfollowed_list(a), now, date.fromisoformat(since) if since else None
    )
    if f is None:
        none = changes.comparable(now.clear(), now).with_columns(
            followers=pl.lit(False), mutuals=pl.lit(False)
        )
        return NetworkChanges(
            None,
            pl.DataFrame(schema=changes.CHANGE_SCHEMA),
            pl.DataFrame(schema=changes.MOVE_SCHEMA),
            none.join(platform, on="account_id", how="left"),
            by_you,
        )
    prev = changes.snapshot(pl.read_parquet(f))
    return NetworkChanges(
        since,
        changes.network_changes(prev, now),
        changes.stage_moves(prev, now),
        changes.comparable(prev, now).join(platform, on="account_id", how="left"),
        by_you,
    )


def export_unfollowed_list(a: Analysis) -> pl.DataFrame:
    """The exports' own lists of accounts you unfollowed, as the load report names them
    (``LoadReport.listed_frame``), with keyed pseudonyms when the params say ``redact``
    (the same as the scores', so names still join)."""
    from warmcall.ingest.accounting import UNFOLLOWED_ACTIVITY

    listed = a.workbook.report.listed_frame(UNFOLLOWED_ACTIVITY)
    if a.params.redact and listed.height:
        from warmcall.model.redact import key_for, redact_contacts

        listed = redact_contacts(listed, key_for(a.params))
    return listed


def _who(kind: str, n: int | None) -> str:
    return count(n, *_HEADINGS[kind])


def changes_sentence(ch: NetworkChanges) -> str:
    """Who came and who left, in one or two sentences that are true for the data: no
    earlier run; else since when, the counts (plurals agree), "not in this export" for
    accounts whose exports have no follower list, and who warmed up or cooled down."""
    by_you = _by_you_sentence(ch)
    if ch.since is None:
        return (
            "No earlier run of this report set: who came and who left appears from the next "
            "run on." + by_you
        )
    c = ch.counts()
    from warmcall.model.summary import PLATFORM_NAMES

    if c["new follower"] is None:
        fol = "followers: not in this export (no follower list in both runs)"
    else:
        fol = f"{_who('new follower', c['new follower'])}, {_who('unfollowed you', c['unfollowed you'])}"
    mut = (
        "mutuals: not in this export"
        if c["new mutual"] is None
        else f"{_who('new mutual', c['new mutual'])}, {_who('lost mutual', c['lost mutual'])}"
    )
    out = f"Since the run of {ch.since}: {fol}; {mut}."
    blind = ch.accounts.filter(~pl.col("followers") & pl.col("in_previous"))
    if c["new follower"] is not None and blind.height:
        names = sorted({PLATFORM_NAMES.get(p, p) for p in blind["platform"].drop_nulls()})
        out += f" Followers on {', '.join(names)}: not in this export."
    up, down = c["warmed up"] or 0, c["cooled down"] or 0
    out += (
        f" {count(up, 'contact')} warmed up and {count(down, 'contact')} cooled down "
        f"(moved to a warmer or cooler stage)."
    )
    return out + by_you


def _by_you_sentence(ch: NetworkChanges) -> str:
    """The exports' own unfollowed lists in a sentence (" Your Instagram export lists 2
    accounts you unfollowed recently."); "" when no export has one."""
    from warmcall.model.summary import PLATFORM_NAMES

    t = ch.unfollowed_by_you
    if t.height == 0:
        return ""
    names = sorted({PLATFORM_NAMES.get(p, p) for p in t["platform"].drop_nulls()})
    n = len(names)
    when = f" since {ch.since}" if ch.since else " recently"
    return (
        f" Your {' and '.join(names)} {noun(n, 'export')} {verb(n, 'lists', 'list')} "
        f"{count(t.height, 'account')} you unfollowed{when}."
    )


def changes_table(ch: NetworkChanges, kind: str, limit: int | None = None) -> pl.DataFrame:
    """The people of one kind of change (platform, handle, name, id) for a page table."""
    t = ch.people.filter(pl.col("change") == kind).select(
        "platform", "handle", pl.col("display_name").alias("name"), pl.col("contact_id").alias("id")
    )
    return t if limit is None else t.head(limit)


def save_changes(ch: NetworkChanges, output_dir: str | os.PathLike[str] | None) -> Path | None:
    """Store who came and who left: ``metrics.json`` key ``since_last_run`` (the previous
    run's date, the counts, each list capped at ``METRICS_LIST_CAP`` people as
    {platform, id, handle, name}, and the link of each full list) and the full lists as data
    files (``datafiles.save_table``: ``CHANGE_FILES``, ``stage_moves``). Nothing (None)
    without an ``output_dir``; only the counts (null) when there is no earlier run."""
    if not output_dir:
        return None
    from warmcall.present.datafiles import save_table

    entry: dict[str, Any] = {"since": ch.since, "counts": ch.counts(), "lists": {}, "files": {}}
    if ch.unfollowed_by_you.height:
        t = by_you_table(ch)
        entry["counts"]["you unfollowed (export list)"] = t.height
        entry["files"]["you unfollowed (export list)"] = save_table(output_dir, BY_YOU_FILE, t)
        entry["lists"]["you unfollowed (export list)"] = t.head(METRICS_LIST_CAP).to_dicts()
    if ch.since is not None:
        for kind, name in CHANGE_FILES.items():
            t = changes_table(ch, kind)
            entry["files"][kind] = save_table(output_dir, name, t)
            entry["lists"][kind] = t.head(METRICS_LIST_CAP).to_dicts()
        entry["files"]["stage moves"] = save_table(output_dir, MOVES_FILE, ch.moves)
        entry["lists"]["stage moves"] = ch.moves.head(METRICS_LIST_CAP).to_dicts()
    return write_metrics(output_dir, {"since_last_run": entry})


#: kind of change -> (singular, plural) of its heading
_HEADINGS = {"new follower": ("new follower", None), "unfollowed you": ("unfollower", None),
             "new mutual": ("new mutual", None), "lost mutual": ("lost mutual", None)}  # fmt: skip


def changes_sections(
    ch: NetworkChanges, output_dir: str | os.PathLike[str] | None
) -> list[tuple[str, pl.DataFrame, str | None]]:
    """What the overview shows per kind of change that has anyone (new followers,
    unfollowers, new and lost mutuals, who warmed up, who cooled down, the export's own
    unfollowed list): (heading with the count, e.g. "2 unfollowers"; everyone in it (the page
    shows the first rows with ``html_table(..., full=link)``, which says how many there are);
    the link of the full list in ``data/`` when ``output_dir`` is set, as ``save_changes``
    writes it)."""
    out = []
    for kind, name in CHANGE_FILES.items():
        t = changes_table(ch, kind)
        if t.height:
            link = f"data/{name}.csv" if output_dir else None
            out.append((count(t.height, *_HEADINGS[kind]), t, link))
    moves_link = f"data/{MOVES_FILE}.csv" if output_dir else None
    for direction, words in (("up", "warmed up"), ("down", "cooled down")):
        t = ch.moves.filter(pl.col("direction") == direction)
        if t.height:
            shown = t.select("platform", "handle", pl.col("display_name").alias("name"),
                             "from", "to")  # fmt: skip
            out.append((f"{count(t.height, 'contact')} {words}", shown, moves_link))
    t = by_you_table(ch)
    if t.height:
        link = f"data/{BY_YOU_FILE}.csv" if output_dir else None
        out.append((f"{count(t.height, 'account')} you unfollowed (the export's own list)",
                    t, link))  # fmt: skip
    return out


def by_you_table(ch: NetworkChanges) -> pl.DataFrame:
    """The exports' own list of accounts you unfollowed, for a page table and a data file."""
    return ch.unfollowed_by_you.select(
        "platform", "handle", pl.col("display_name").alias("name"),
        pl.col("contact_id").alias("id"), "when",
    )  # fmt: skip
