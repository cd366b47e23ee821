"""The HTML of batch reports: executed notebooks as self-contained offline pages (charts
are static SVG, no JavaScript), failure pages and the index of every run, all escaped.
"""

from __future__ import annotations

import contextlib
import os
import re
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import markupsafe

from warmcall.core.outputs import write_text_atomic
from warmcall.core.sanitize import html as sanitize_html
from warmcall.core.words import count
from warmcall.present.history import read_json_object

RUN_FILE = "run.json"


INDEX_FILE = "index.html"


#: Cells with these tags are dropped from the HTML (TagRemovePreprocessor).
REMOVE_CELL_TAGS = ("parameters", "injected-parameters", "papermill-error-cell-tag", "remove-cell")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TEMPLATES_DIR = Path(__file__).parents[1] / "templates"


@lru_cache(maxsize=1)
def offline_exporter() -> Any:
    """An nbconvert ``HTMLExporter`` with warmcall's offline template (§2.4): no code cells
    (``exclude_input``), parameters / injected-parameters / papermill error cells removed
    (``TagRemovePreprocessor``), no JavaScript bundle (charts are static SVG figures,
    ``warmcall.present.svgchart``), no CDN. Cached per process."""
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    c = Config()
    c.TagRemovePreprocessor.enabled = True
    c.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_CELL_TAGS)
    c.HTMLExporter.exclude_input = True
    c.HTMLExporter.exclude_input_prompt = True
    c.HTMLExporter.exclude_output_prompt = True
    return HTMLExporter(
        config=c,
        template_name="offline",
        extra_template_basedirs=[str(TEMPLATES_DIR)],
    )


def warm_up() -> None:
    """Build the exporter and render one empty notebook through it (nbconvert's import and
    the template's compilation: about 1 s), so the first real page converts at full speed;
    each report worker calls it once as it starts (``report._init_worker``), while the
    runner checks the exports. Any error is left for the real conversion to report."""
    from nbformat.v4 import new_notebook

    with contextlib.suppress(Exception):
        notebook_to_html(new_notebook(), title="warm-up")


def notebook_to_html(nb: Any, *, title: str, header: dict[str, str] | None = None) -> str:
    """Convert an executed notebook (``NotebookNode``) to one self-contained offline HTML page.

    ``header`` (keys ``set``, ``notebook``, ``as_of``, optional ``dated``: the words before
    that date, "as of" by default, "run of" when it is the day of the run; optional ``run``:
    the run id, kept in a ``data-run`` attribute) adds a small escaped header line with a
    link to the index two folders up.
    """
    resources: dict[str, Any] = {"metadata": {"name": title}}
    if header:
        resources["warmcall"] = header
    body, _ = offline_exporter().from_notebook_node(nb, resources=resources)
    return body


@lru_cache(maxsize=1)
def _templates() -> jinja2.Environment:
    """The page templates (``templates/pages/*.html.j2``), autoescaped through the one HTML
    sanitiser (``core.sanitize.html``: entities and visible bidi controls) for every value;
    ``urlpath`` percent-encodes a relative link first (no scheme survives)."""

    def finalize(v: object) -> object:
        return v if isinstance(v, markupsafe.Markup) else markupsafe.Markup(sanitize_html(v))

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([TEMPLATES_DIR / "pages", TEMPLATES_DIR / "offline"]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        finalize=finalize,
    )
    env.filters["urlpath"] = lambda rel: quote(str(rel), safe="/")
    return env


def render_failure_page(info: dict[str, Any]) -> str:
    """A readable, self-contained, fully escaped failure page for one notebook run: the set,
    the notebook, the error and its message, the failing cell, the limit that was exceeded
    (for timeouts and the watchdog) and the traceback, folded away."""
    rows = [
        ("Report set", info["report_set"]),
        ("Notebook", info["notebook_path"]),
        ("As of", info["as_of"]),
        ("Params file", info["params_file"]),
        ("Error", info["error_type"]),
        ("Message", info["error_message"] or ""),
        ("Failed cell", info.get("error_cell") or "not identified"),
    ]
    if info.get("error_limit"):
        rows.append(("Limit", info["error_limit"]))
    rows.append(("Duration", f"{info['duration_s']:.1f} s"))
    links = [("all reports", "../../index.html")]
    if info.get("ipynb"):
        links.append(("executed notebook", Path(info["ipynb"]).name))
    if info.get("log"):
        links.append(("kernel log", Path(info["log"]).name))
    return (
        _templates()
        .get_template("failure.html.j2")
        .render(
            title=f"FAILED {info['report_set']} / {info['notebook']}",
            run_id=info.get("run_id"),
            report_set=info["report_set"],
            notebook=info["notebook"],
            rows=rows,
            links=links,
            detail=info.get("error_detail") or "",
        )
    )


def _load_run(set_dir: Path) -> list[dict[str, Any]]:
    run = read_json_object(set_dir / RUN_FILE)
    if run and isinstance(run.get("notebooks"), list):
        return [n for n in run["notebooks"] if isinstance(n, dict)]
    # no run.json (a run in progress or interrupted, or copied by hand): list the pages found
    return [
        {"notebook": p.stem, "status": "unknown", "html": p.name}
        for p in sorted(set_dir.glob("*.html"))
    ]


def _set_names(dates: list[Path]) -> list[str]:
    return sorted(
        {s.name for d in dates for s in d.iterdir() if s.is_dir() and not s.name.startswith(".")}
    )


def _set_summary(base: Path, name: str) -> dict[str, Any]:
    """What the index shows for one report set: its latest run (date folder), the cards of
    that run's ``metrics.json`` against the run before, the who-came-and-who-left sentence,
    the trend rows, the links to its pages and to its data files (``data/*.csv``)."""
    from warmcall.present import cards, trend
    from warmcall.present.datafiles import DATA_DIR
    from warmcall.present.history import metrics_history

    latest = max(p for p in base.iterdir() if p.is_dir() and _DATE_RE.match(p.name)
                 and (p / name).is_dir())  # fmt: skip
    folder = latest / name
    hist = [(d, m) for d, m in metrics_history(base, name) if d <= latest.name]
    current = hist[-1][1] if hist and hist[-1][0] == latest.name else None
    before = [(d, m) for d, m in hist if d < latest.name]
    card_html = ""
    if current is not None:
        cs = cards.overview_cards(current, before[-1] if before else None)
        card_html = cards.render(cs)
    pages = []
    for n in _load_run(folder):
        html_name = Path(str(n.get("html") or f"{n.get('notebook', '?')}.html")).name
        pages.append((str(n.get("notebook", "?")), f"{latest.name}/{name}/{html_name}"))
    data = sorted((folder / DATA_DIR).glob("*.csv")) if (folder / DATA_DIR).is_dir() else []
    return {
        "name": name,
        "date": latest.name,
        "cards": markupsafe.Markup(card_html),
        "since": trend.since_sentence(current or {}),
        "trend": [{**r, "svg": markupsafe.Markup(r["svg"])} for r in trend.trend_rows(hist)],
        "runs": f"last {count(min(len(hist), trend.TREND_RUNS), 'run')}",
        "pages": pages,
        "data": [(f.name, f"{latest.name}/{name}/{DATA_DIR}/{f.name}") for f in data],
    }


def write_index(out_dir: str | os.PathLike[str]) -> Path:
    """Regenerate ``<out_dir>/index.html`` from what is on disk: per report set, the headline
    numbers of its latest run with their change (``cards.overview_cards``), who came and who
    left, a sparkline of the last runs (``trend``) and links to its pages and data files;
    then every date folder (newest first), every report set, every notebook with its status
    and relative links. One self-contained page (no JavaScript), every string escaped.
    Data files this process still writes (``datafiles.finish_writes``) are waited for."""
    from warmcall.present.datafiles import finish_writes

    finish_writes()
    base = Path(out_dir)
    dates = sorted(
        (p for p in base.iterdir() if p.is_dir() and _DATE_RE.match(p.name))
        if base.is_dir()
        else [],
        key=lambda p: p.name,
        reverse=True,
    )
    days = []
    n_ok = n_failed = 0
    for d in dates:
        rows = []
        for s in sorted(p for p in d.iterdir() if p.is_dir() and not p.name.startswith(".")):
            for n in _load_run(s):
                status = str(n.get("status", "unknown"))
                n_ok += status == "ok"
                n_failed += status == "failed"
                name = str(n.get("notebook", "?"))
                html_name = Path(str(n.get("html") or f"{name}.html")).name
                links = [("report", f"{d.name}/{s.name}/{html_name}")]
                if n.get("ipynb"):
                    links.append(("ipynb", f"{d.name}/{s.name}/{Path(str(n['ipynb'])).name}"))
                note = ""
                if status == "failed":
                    note = f"{n.get('error_type') or ''}: {n.get('error_message') or ''}"
                rows.append({"set": s.name, "notebook": name, "status": status,
                             "links": links, "note": note})  # fmt: skip
        if rows:
            days.append({"name": d.name, "rows": rows})
    sets = [_set_summary(base, name) for name in _set_names(dates)]
    page = (
        _templates()
        .get_template("index.html.j2")
        .render(
            title="warmcall reports",
            run_id=None,
            days=days,
            sets=sets,
            summary=f"{n_ok} ok, {n_failed} failed, {len(dates)} run date(s)",
            generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        )
    )
    path = base / INDEX_FILE
    write_text_atomic(path, page)
    return path
