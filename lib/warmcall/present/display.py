"""Display helpers for notebooks: the one Altair setup, HTML escaping, safe HTML tables.

Strings from data are hostile (names, bios and post texts are written by strangers), so
everything that reaches a report goes through one of these (docs/notebook-stack.md §2.7):

- ``setup(renderer)`` enables an Altair renderer with a script-safe JSON encoder. Altair's HTML
  renderers put the chart spec, data included, into a ``<script>`` block with plain
  ``json.dumps``; a value containing ``</script>`` would close the block and inject HTML and
  JavaScript. ``ScriptSafeJSON`` writes ``<``, ``>``, ``&``, U+2028 and U+2029 as ``\\uXXXX``
  escapes (they never occur in JSON outside string literals, so the data parses back unchanged).
- ``escape(s)`` is ``html.escape`` plus bidi-control neutralisation for text placed into HTML
  (``warmcall.core.sanitize.html``, re-exported here: the one HTML sanitiser).
- ``html_table(df)`` renders a polars frame as a plain, styled HTML table, every cell escaped,
  headers and number formats from ``warmcall.present.columns``, with a link to the full
  table (``full=``) when it is saved beside the report.

Bidi controls. The explicit embedding / override / isolate characters U+202A..U+202E and
U+2066..U+2069 can make text display in a different order than it is stored (the "Trojan
Source" trick: a name that reads ``exe.txt`` but is ``txt.exe``). They are **replaced by a
visible marker** ``[U+202E]`` (in tables, charts and ``escape``), so the reader sees that the
text contains one and the following text keeps its real order. The weak marks LRM/RLM/ALM
(U+200E, U+200F, U+061C) cannot reorder text on their own and are kept, so that legitimate
right-to-left names are unchanged. Table cells are additionally wrapped in ``<bdi>`` so a
right-to-left name cannot reorder its neighbours.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from warmcall.core.sanitize import BIDI_CONTROLS, neutralize
from warmcall.core.sanitize import html as escape
from warmcall.present.columns import Column, column_for, format_value

__all__ = [
    "ALLOWED_RENDERERS",
    "BIDI_CONTROLS",
    "ScriptSafeJSON",
    "escape",
    "html_table",
    "neutralize",
    "setup",
]

#: Renderers ``setup`` accepts. ``mimetype``/``jupyterlab``/``nteract`` are refused: in Altair 6
#: their output makes papermill fail with NotebookValidationError (docs/notebook-stack.md §2.6).
ALLOWED_RENDERERS = ("static", "default", "html", "svg", "png", "jupyter")
_FORBIDDEN_RENDERERS = ("mimetype", "jupyterlab", "nteract")

# Characters that must not appear raw inside an inline <script> (and JS line terminators).
_SCRIPT_TABLE = {
    ord("<"): "\\u003c",
    ord(">"): "\\u003e",
    ord("&"): "\\u0026",
    0x2028: "\\u2028",
    0x2029: "\\u2029",
}

#: vega-embed actions: export (SVG/PNG, local) stays; "Open in Vega Editor" is off because it
#: would post the chart's data (contacts' names) to an external site.
DEFAULT_EMBED_OPTIONS: dict[str, Any] = {
    "actions": {"export": True, "source": False, "compiled": False, "editor": False}
}


def _neutralize_obj(o: Any) -> Any:
    if isinstance(o, str):
        return neutralize(o) if any(c in BIDI_CONTROLS for c in o) else o
    if isinstance(o, Mapping):
        return {_neutralize_obj(k): _neutralize_obj(v) for k, v in o.items()}
    if isinstance(o, list | tuple):
        return [_neutralize_obj(v) for v in o]
    return o


class ScriptSafeJSON(json.JSONEncoder):
    """JSON encoder whose output can sit inside an HTML ``<script>`` block.

    Writes ``<`` ``>`` ``&`` U+2028 U+2029 as ``\\u003c`` ``\\u003e`` ``\\u0026`` ``\\u2028``
    ``\\u2029`` (docs/notebook-stack.md §2.7). Outside string literals none of these occur in JSON, so
    ``json.loads`` gives back identical data. Strings also get bidi controls replaced by a
    visible marker (module docstring), so chart labels cannot display reordered text.
    """

    def encode(self, o: Any) -> str:
        return super().encode(_neutralize_obj(o)).translate(_SCRIPT_TABLE)

    def iterencode(self, o: Any, _one_shot: bool = False) -> Iterator[str]:
        for chunk in super().iterencode(_neutralize_obj(o), _one_shot):
            yield chunk.translate(_SCRIPT_TABLE)


def pick_renderer(renderer: str, batch: bool) -> str:
    """``"auto"`` resolves to ``"static"`` (``warmcall.present.svgchart``: SVG rendered in
    Python by vl-convert, mark tooltips as ``<title>``, an accessible name; no JavaScript), in
    batch reports and live alike, so charts work offline without a CDN or a widget front end.
    Any other value is returned unchanged (``batch`` is kept for callers; both modes agree)."""
    if renderer != "auto":
        return renderer
    return "static"


def setup(renderer: str = "default", **opts: Any) -> None:
    """Configure Altair for a notebook: the only place that enables a renderer.

    - ``"default"`` / ``"html"``: HTML output with the script-safe encoder (``json_kwds``
      ``cls=ScriptSafeJSON``, always; any other ``cls`` is refused) and ``embed_options``
      defaulting to :data:`DEFAULT_EMBED_OPTIONS`. ``template`` may be ``"universal"``
      (default; the page must supply the Vega JavaScript: batch reports do not, use
      ``"static"`` there) or ``"inline"`` (bundle pasted into every chart, ~0.9 MB each).
    - ``"static"``: the batch report's renderer (``warmcall.present.svgchart``): an SVG
      figure rendered by vl-convert with ``<title>`` tooltips and an accessible name (§2.4).
    - ``"svg"`` / ``"png"``: static, rendered in Python by vl-convert (§2.5).
    - ``"jupyter"``: live JupyterLab only, always with ``offline=True`` (§2.2); passing
      ``offline=False`` is refused because it loads the JavaScript from a CDN.
    - ``"mimetype"``, ``"jupyterlab"``, ``"nteract"`` and anything else: ``ValueError``.

    Renderer options are reset by every ``alt.renderers.enable`` call, so call this once per
    notebook (after the parameters cell) and nowhere else.
    """
    if renderer in _FORBIDDEN_RENDERERS:
        raise ValueError(
            f"renderer {renderer!r} is not allowed: in Altair 6 its MIME output makes papermill "
            "fail (NotebookValidationError); use 'default', 'svg' or 'jupyter' (offline)"
        )
    if renderer not in ALLOWED_RENDERERS:
        raise ValueError(f"renderer {renderer!r} is not allowed; choose one of {ALLOWED_RENDERERS}")

    import altair as alt

    if renderer in ("default", "html"):
        template = opts.get("template", "universal")
        if template not in ("universal", "inline"):
            raise ValueError(
                f"template {template!r} is not allowed (it loads JavaScript from a CDN); "
                "use 'universal' or 'inline'"
            )
        for bad in ("fullhtml", "requirejs", "base_url"):
            if bad in opts:
                raise ValueError(f"renderer option {bad!r} is not allowed")
        json_kwds = dict(opts.pop("json_kwds", None) or {})
        cls = json_kwds.get("cls", ScriptSafeJSON)
        if not (isinstance(cls, type) and issubclass(cls, ScriptSafeJSON)):
            raise ValueError("json_kwds['cls'] must be ScriptSafeJSON (or a subclass)")
        json_kwds["cls"] = cls
        opts.setdefault("embed_options", DEFAULT_EMBED_OPTIONS)
        alt.renderers.enable(renderer, json_kwds=json_kwds, **opts)
    elif renderer == "static":
        from warmcall.present import svgchart

        svgchart.register()
        alt.renderers.enable(svgchart.RENDERER, **opts)
    elif renderer == "jupyter":
        if not opts.setdefault("offline", True):
            raise ValueError("renderer 'jupyter' must run with offline=True (no CDN)")
        alt.renderers.enable("jupyter", **opts)
    else:
        alt.renderers.enable(renderer, **opts)


_BIDI_HTML = {ord(c): f'<span class="wc-ctl">[U+{ord(c):04X}]</span>' for c in BIDI_CONTROLS}


def _esc_cell(text: str, breakable: bool = False) -> str:
    """Escaped cell text, bidi controls as visible markers; ``breakable``: a line-break
    opportunity (``<wbr>``) after ``:`` ``@`` and ``/``, so a long account id
    (``mastodon:name@server.example``) can wrap instead of widening the table (none of these
    occurs in the escaped entities; the markers are added after)."""
    out = html.escape(text, quote=True)
    if breakable:
        out = out.replace(":", ":<wbr>").replace("@", "@<wbr>").replace("/", "/<wbr>")
    return out.translate(_BIDI_HTML)


#: Columns whose http(s) values are shown as links (a profile that has no name still opens).
LINK_COLUMNS = ("profile",)


def _link_cell(v: Any) -> str | None:
    """An ``<a>`` for an http(s) URL (escaped; opens only when clicked, in a new context,
    without referrer), else None (the value is then shown as text)."""
    if not isinstance(v, str) or not v.lower().startswith(("https://", "http://")):
        return None
    if any(ord(c) < 0x20 or c.isspace() for c in v):
        return None
    href = html.escape(v, quote=True)
    return f'<a href="{href}" rel="noopener noreferrer nofollow" target="_blank">open</a>'


_LINK_RE = re.compile(r"^(?![a-zA-Z][a-zA-Z0-9+.-]*:)(?!/)(?!.*\.\.)[A-Za-z0-9_./-]+$")


def _full_link(full: str | None) -> str | None:
    """The ``full=`` link checked: a relative path of letters, digits, ``_ . / -`` (no
    scheme, no leading ``/``, no ``..``), as ``datafiles.save_table`` returns; else
    ``ValueError``."""
    if full is None:
        return None
    if not isinstance(full, str) or not _LINK_RE.match(full):
        raise ValueError(f"full= must be a relative link such as data/name.csv, got {full!r}")
    return full


def _th(name: str, col: Column) -> str:
    unit = f' <span class="wc-unit">({_esc_cell(col.unit)})</span>' if col.unit else ""
    return f'<th title="{escape(name)}"><bdi>{_esc_cell(col.label)}</bdi>{unit}</th>'


def html_table_str(
    df: Any,
    max_rows: int = 50,
    *,
    caption: str | None = None,
    null: str = "\u2014",
    full: str | None = None,
    rank: bool = False,
) -> str:
    """HTML string of :func:`html_table` (for tests and for composing larger outputs)."""
    import polars as pl

    if not isinstance(df, pl.DataFrame):
        raise TypeError(f"html_table expects a polars DataFrame, got {type(df).__name__}")
    link = _full_link(full)
    shown = df.head(max_rows) if max_rows >= 0 else df
    cols = [column_for(c, df[c]) for c in df.columns]
    head = ('<th class="num">#</th>' if rank else "") + "".join(
        _th(name, col) for name, col in zip(df.columns, cols, strict=True)
    )
    link_col = [c in LINK_COLUMNS for c in df.columns]
    rows = []
    for i, row in enumerate(shown.iter_rows(), start=1):
        tds = [f'<td class="num">{i:,}</td>'] if rank else []
        for v, col, is_link in zip(row, cols, link_col, strict=True):
            if is_link and (a := _link_cell(v)) is not None:
                tds.append(f"<td>{a}</td>")
                continue
            text = format_value(v, col, null)
            cls = ' class="num"' if col.numeric else ' class="wc-nw"' if col.kind == "date" else ""
            cell = _esc_cell(text) if col.numeric else _esc_cell(text, breakable=True)
            tds.append(f"<td{cls}><bdi>{cell}</bdi></td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    notes = [_esc_cell(caption)] if caption else []
    rows_word = "row" if df.height == 1 else "rows"
    if shown.height < df.height:
        notes.append(f"showing {shown.height:,} of {df.height:,} {rows_word}")
    if link:
        href = html.escape(link, quote=True)
        what = f"all {df.height:,} {rows_word}" if shown.height < df.height else "this table"
        notes.append(f'<a class="wc-data-link" href="{href}" download>{what} as CSV</a>')
    cap = "<caption>" + " \u00b7 ".join(notes) + "</caption>" if notes else ""
    return (
        f'<div class="wc-table-wrap" style="max-width:100%;overflow-x:auto">'
        f'<table class="wc-table">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def html_table(
    df: Any,
    max_rows: int = 50,
    *,
    caption: str | None = None,
    null: str = "\u2014",
    full: str | None = None,
    rank: bool = False,
) -> Any:
    """Render a polars DataFrame as a clean HTML table (``IPython.display.HTML``).

    Every header and cell is HTML-escaped; bidi controls become a visible ``[U+XXXX]`` marker
    and each cell is wrapped in ``<bdi>`` (module docstring). Headers are the columns' labels
    in words with their unit, numbers are formatted per column (``warmcall.present.columns``:
    one format per column, counts as whole numbers with separators, shares as %); the raw
    name stays in the header's ``title``. No dtype row, no index; ``rank=True`` adds a ``#``
    column (1, 2, ...) for a table in rank order. At most ``max_rows`` rows are shown (the
    caption says how many exist); ``full`` is the link to the whole table
    (``datafiles.save_table``), shown in the caption. ``null`` is shown for null values
    (unknown counts are null, never 0). The table sits in a ``div.wc-table-wrap`` that
    scrolls sideways when the table is wider than the page.
    """
    from IPython.display import HTML

    return HTML(html_table_str(df, max_rows, caption=caption, null=null, full=full, rank=rank))
