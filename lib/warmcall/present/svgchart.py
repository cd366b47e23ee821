"""Altair charts as static, accessible SVG figures: the ``"static"`` renderer.

A chart is rendered in Python by vl-convert (``vl_convert.vegalite_to_svg``), so a page
carries no Vega JavaScript and works offline with scripts off. Vega's SVG gives every mark an
``aria-label`` built from the tooltip encoding; :func:`svg_with_titles` turns each into a
``<title>`` child of the mark element, which browsers show as a tooltip on hover (no
JavaScript). :func:`figure_html` wraps the SVG as
``<figure class="wc-chart" role="img" aria-label="TITLE. DESCRIPTION">``.

Strings from data are hostile. The spec's strings get bidi controls replaced by a visible
marker and characters XML cannot carry replaced by U+FFFD before rendering; the SVG is parsed
and re-serialised by ``xml.etree.ElementTree`` (which escapes every text and attribute), and
the figure's label goes through the one HTML sanitiser (``warmcall.core.sanitize.html``).
Nothing is spliced into markup as raw text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from warmcall.core.sanitize import html as sanitize_html

__all__ = ["RENDERER", "figure_html", "register", "render", "svg_with_titles"]

#: the name under which :func:`render` is registered with ``alt.renderers``
RENDERER = "static"
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
#: characters not allowed in XML 1.0 (C0 controls other than tab / LF / CR, surrogates,
#: U+FFFE, U+FFFF): replaced by U+FFFD so the SVG stays well-formed
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


#: spec subtrees holding data rows (a column may be called "href": kept)
_DATA_KEYS = ("data", "datasets", "values")


def _clean(o: Any) -> Any:
    """The spec with every string's bidi controls shown as ``[U+XXXX]`` (as in tables),
    XML-invalid characters replaced by U+FFFD, and every ``href`` channel or mark property
    removed: a static figure has no links (a link from data could be ``javascript:``)."""
    from warmcall.present.display import _neutralize_obj

    def fix(v: Any, in_data: bool = False) -> Any:
        if isinstance(v, str):
            return _XML_INVALID.sub("\ufffd", v)
        if isinstance(v, Mapping):
            return {
                fix(k): fix(x, in_data or k in _DATA_KEYS)
                for k, x in v.items()
                if in_data or k != "href"
            }
        if isinstance(v, list | tuple):
            return [fix(x, in_data) for x in v]
        return v

    return fix(_neutralize_obj(o))


def _text(v: Any) -> str:
    """A Vega-Lite text value (a string or a list of lines) as one line."""
    if isinstance(v, list | tuple):
        return " ".join(str(x) for x in v)
    return "" if v is None else str(v)


def _titles(spec: Mapping[str, Any]) -> list[str]:
    title = spec.get("title")
    if isinstance(title, Mapping):
        return [_text(title.get("text")), _text(title.get("subtitle"))]
    return [_text(title)]


def chart_label(spec: Mapping[str, Any]) -> str:
    """``TITLE. DESCRIPTION`` of a Vega-Lite spec (title text, its subtitle, then the
    top-level ``description``), the figure's accessible name; not yet escaped. A composed
    chart without a top-level title or description is named by its parts' (``hconcat``,
    ``vconcat``, ``concat``, ``layer``)."""
    parts = _titles(spec) + [_text(spec.get("description"))]
    if not any(p.strip() for p in parts):
        for key in ("hconcat", "vconcat", "concat", "layer"):
            for sub in spec.get(key) or []:
                if isinstance(sub, Mapping):
                    parts += _titles(sub) + [_text(sub.get("description"))]
    return ". ".join(p.strip().rstrip(".") for p in parts if p and p.strip()) + "."


def svg_with_titles(svg: str) -> str:
    """The SVG with a ``<title>`` (the mark's ``aria-label``, which it replaces along with the
    mark's ``role`` and ``aria-roledescription``) as first child of every mark element (a
    non-group element carrying an ``aria-label``): the browser shows it as a tooltip. Any ``href`` or ``on*`` attribute is dropped. Parsed and serialised with
    ElementTree, so every text stays escaped."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(svg)
    group = f"{{{SVG_NS}}}g"
    for el in root.iter():
        for attr in [a for a in el.attrib if a.rsplit("}", 1)[-1] == "href" or a.startswith("on")]:
            del el.attrib[attr]  # no links, no handlers (none are expected: belt and braces)
        label = el.get("aria-label")
        if label and el.tag != group:
            title = ET.Element(f"{{{SVG_NS}}}title")
            title.text = label
            el.insert(0, title)
            # the <title> names the mark now (the text once, not twice); inside a
            # role="img" figure the mark's own ARIA role is not exposed: dropped too
            for attr in ("aria-label", "role", "aria-roledescription"):
                el.attrib.pop(attr, None)
    root.set("role", "presentation")
    return ET.tostring(root, encoding="unicode")


def _vl_version() -> str:
    import altair as alt

    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


def figure_html(spec: Mapping[str, Any]) -> str:
    """One chart (a Vega-Lite spec dict, data inlined) as
    ``<figure class="wc-chart" role="img" aria-label="TITLE. DESCRIPTION">SVG</figure>``."""
    import vl_convert as vlc

    clean = _clean(spec)
    svg = svg_with_titles(vlc.vegalite_to_svg(clean, vl_version=_vl_version()))
    label = sanitize_html(chart_label(clean))
    return f'<figure class="wc-chart" role="img" aria-label="{label}">{svg}</figure>'


def warm_up() -> None:
    """Start vl-convert's JavaScript engine with a one-point chart, so that a page's first
    chart does not pay for it (0.4 s; later charts take a few ms). The report runner's
    kernels call it while they wait for their first notebook (``warmcall.run.kernels``)."""
    import vl_convert as vlc

    spec = {"data": {"values": [{"a": 1}]}, "mark": "point", "encoding": {"x": {"field": "a"}}}
    vlc.vegalite_to_svg(spec, vl_version=_vl_version())


def render(spec: dict[str, Any], **_options: Any) -> dict[str, str]:
    """Altair renderer: the chart as a ``text/html`` static figure (:func:`figure_html`)."""
    return {"text/html": figure_html(spec)}


def register() -> None:
    """Register :func:`render` as ``alt.renderers`` entry :data:`RENDERER` (idempotent)."""
    import altair as alt

    if RENDERER not in alt.renderers.names():
        alt.renderers.register(RENDERER, render)
