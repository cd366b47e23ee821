"""The HTML of batch reports: executed notebooks as self-contained offline pages (the Vega
bundle inlined), failure pages and the index of every run, all escaped.
"""

from __future__ import annotations

import html
import json
import os
import re
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from warmcall.core.outputs import write_text_atomic
from warmcall.ingest.cache import cache_dir, private_temp_dir
from warmcall.present.display import escape
from warmcall.present.history import read_json_object

RUN_FILE = "run.json"


INDEX_FILE = "index.html"


#: Cells with these tags are dropped from the HTML (TagRemovePreprocessor).
REMOVE_CELL_TAGS = ("parameters", "injected-parameters", "papermill-error-cell-tag", "remove-cell")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TEMPLATES_DIR = Path(__file__).parents[1] / "templates"


def ensure_vega_bundle() -> Path:
    """Path of ``vega-offline.js``, generated on first use (docs/notebook-stack.md §2.4).

    ``vl_convert.javascript_bundle`` for Altair's Vega-Lite minor version, followed by a line
    that pre-sets ``VEGA_DEBUG`` to Altair's Vega / Vega-Lite / vega-embed versions, so each
    chart's loader takes the "already loaded" path. Cached (~0.9 MB, never committed, never in
    site-packages) in ``cache_dir()/vega-offline/altair-<v>_vl-convert-<v>/`` so an upgrade of
    either package regenerates it; in ``cache.private_temp_dir()`` when the cache folder
    cannot be written. Raises ``RuntimeError`` if the bundle could break out of its
    ``<script>`` element.
    """
    from importlib.metadata import version

    # versions from the metadata: importing altair costs ~1-2 s, only needed to generate
    key = f"altair-{version('altair')}_vl-convert-{version('vl-convert-python')}"
    path = cache_dir() / "vega-offline" / key / "vega-offline.js"
    if path.is_file():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        writable = os.access(path.parent, os.W_OK)
    except OSError:
        writable = False
    if not writable and (tmp := private_temp_dir()) is not None:  # a read-only cache folder
        path = tmp / "vega-offline" / key / "vega-offline.js"
        if path.is_file():
            return path
    import altair as alt
    import vl_convert as vlc

    vl_minor = ".".join(alt.VEGALITE_VERSION.split(".")[:2])
    marker = {
        "vega_version": alt.VEGA_VERSION,
        "vegalite_version": alt.VEGALITE_VERSION,
        "vegaembed_version": alt.VEGAEMBED_VERSION,
    }
    js = vlc.javascript_bundle(vl_version=vl_minor)
    if re.search(r"</script|<!--|<script", js, re.IGNORECASE):
        raise RuntimeError("vl-convert's bundle contains '</script', '<script' or '<!--'")
    js += f"\nvar VEGA_DEBUG = {json.dumps(marker)};\n"
    write_text_atomic(path, js)
    return path


@lru_cache(maxsize=4)
def _exporter(bundle_dir: str) -> Any:
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
        extra_template_paths=[bundle_dir],
    )


def offline_exporter() -> Any:
    """An nbconvert ``HTMLExporter`` with warmcall's offline template (§2.4): no code cells
    (``exclude_input``), parameters / injected-parameters / papermill error cells removed
    (``TagRemovePreprocessor``), the Vega bundle inlined once, no CDN. Cached per process."""
    return _exporter(str(ensure_vega_bundle().parent))


def notebook_to_html(nb: Any, *, title: str, header: dict[str, str] | None = None) -> str:
    """Convert an executed notebook (``NotebookNode``) to one self-contained offline HTML page.

    ``header`` (keys ``set``, ``notebook``, ``as_of``, optional ``run``: the run id, kept in a
    ``data-run`` attribute) adds a small escaped header line with a link to the index two
    folders up.
    """
    resources: dict[str, Any] = {"metadata": {"name": title}}
    if header:
        resources["warmcall"] = header
    body, _ = offline_exporter().from_notebook_node(nb, resources=resources)
    return body


_PAGE_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#fafafa;
color:#222;line-height:1.5}
main{max-width:1100px;margin:0 auto;padding:1.5rem 2rem 3rem;background:#fff;min-height:100vh}
h1{font-size:1.6em;margin:.2em 0 .6em}
table{border-collapse:collapse;font-size:14px;margin:.5em 0}
th,td{border:1px solid #ddd;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f3f3f3}
.ok{color:#11712b;font-weight:600}.failed{color:#b00020;font-weight:600}
.muted{color:#666;font-size:13px}
pre{background:#f6f6f6;padding:.8em;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
code{background:#f3f3f3;padding:0 3px}
details{margin-top:1em}summary{cursor:pointer}
"""


def _page(title: str, body: str, run_id: str | None = None) -> str:
    meta = f'<meta name="warmcall-run" content="{escape(run_id)}">\n' if run_id else ""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"{meta}<title>{escape(title)}</title>\n<style>{_PAGE_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _href(rel: str) -> str:
    """A relative URL for an ``href``: percent-encoded (no scheme can survive: ``:`` is
    encoded), then attribute-escaped."""
    return html.escape(quote(rel, safe="/"), quote=True)


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
    table = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    links = ['<a href="../../index.html">all reports</a>']
    if info.get("ipynb"):
        links.append(f'<a href="{_href(Path(info["ipynb"]).name)}">executed notebook</a>')
    if info.get("log"):
        links.append(f'<a href="{_href(Path(info["log"]).name)}">kernel log</a>')
    detail = info.get("error_detail") or ""
    body = (
        f'<h1><span class="failed">FAILED</span> {escape(info["report_set"])} / '
        f"{escape(info['notebook'])}</h1>\n"
        f"<table>{table}</table>\n"
        f"<p>{' &middot; '.join(links)}</p>\n"
        f"<details><summary>Traceback</summary><pre>{escape(detail)}</pre></details>"
    )
    return _page(f"FAILED {info['report_set']} / {info['notebook']}", body, info.get("run_id"))


def _load_run(set_dir: Path) -> list[dict[str, Any]]:
    run = read_json_object(set_dir / RUN_FILE)
    if run and isinstance(run.get("notebooks"), list):
        return [n for n in run["notebooks"] if isinstance(n, dict)]
    # no run.json (a run in progress or interrupted, or copied by hand): list the pages found
    return [
        {"notebook": p.stem, "status": "unknown", "html": p.name}
        for p in sorted(set_dir.glob("*.html"))
    ]


def write_index(out_dir: str | os.PathLike[str]) -> Path:
    """Regenerate ``<out_dir>/index.html`` from what is on disk: every date folder (newest
    first), every report set, every notebook with its status and relative links. One
    self-contained page, every string escaped."""
    base = Path(out_dir)
    dates = sorted(
        (p for p in base.iterdir() if p.is_dir() and _DATE_RE.match(p.name))
        if base.is_dir()
        else [],
        key=lambda p: p.name,
        reverse=True,
    )
    sections = []
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
                links = [f'<a href="{_href(f"{d.name}/{s.name}/{html_name}")}">report</a>']
                if n.get("ipynb"):
                    nb_name = Path(str(n["ipynb"])).name
                    links.append(f'<a href="{_href(f"{d.name}/{s.name}/{nb_name}")}">ipynb</a>')
                note = ""
                if status == "failed":
                    note = f"{n.get('error_type') or ''}: {n.get('error_message') or ''}"
                rows.append(
                    f"<tr><td>{escape(s.name)}</td><td>{escape(name)}</td>"
                    f'<td class="{escape(status)}">{escape(status)}</td>'
                    f"<td>{' '.join(links)}</td><td>{escape(note)}</td></tr>"
                )
        if rows:
            sections.append(
                f"<h2>{escape(d.name)}</h2>\n<table><thead><tr><th>Report set</th>"
                "<th>Notebook</th><th>Status</th><th>Files</th><th>Error</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>"
            )
    summary = f"{n_ok} ok, {n_failed} failed, {len(dates)} run date(s)"
    body = (
        "<h1>warmcall reports</h1>\n"
        f'<p class="muted">{escape(summary)}. Regenerated '
        f"{escape(datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC'))}.</p>\n"
        + ("\n".join(sections) or "<p>No reports yet.</p>")
    )
    path = base / INDEX_FILE
    write_text_atomic(path, _page("warmcall reports", body))
    return path
