"""A report set over its runs, for the index page: the headline numbers of each stored
``metrics.json`` as series, a small inline SVG sparkline per series (drawn here, no
JavaScript), and the who-came-and-who-left counts of the latest run in one sentence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from warmcall.core.sanitize import html as escape
from warmcall.core.words import count

#: The series the index shows: metrics key -> label.
TREND_KEYS = (("followers", "followers"), ("engaged", "engaged"), ("reached", "reached"),
              ("two_way", "two-way"), ("trusted", "trusted"))  # fmt: skip
#: How many of the latest runs a trend covers.
TREND_RUNS = 8


def series(history: Sequence[tuple[str, Mapping[str, Any]]], key: str) -> list[tuple[str, float]]:
    """(date, value) of ``key`` in each run of ``history`` (``history.metrics_history``,
    oldest first) where it is a number, over the last ``TREND_RUNS`` runs."""
    out = []
    for d, m in list(history)[-TREND_RUNS:]:
        v = m.get(key)
        if isinstance(v, int | float) and not isinstance(v, bool):
            out.append((d, float(v)))
    return out


def sparkline_svg(points: Sequence[tuple[str, float]], width: int = 120, height: int = 28) -> str:
    """An inline SVG line of ``points`` (date, value), oldest left: x evenly spaced, y scaled
    from the minimum (bottom) to the maximum (top; a flat line in the middle when all are
    equal), a dot on the latest value, and a ``<title>`` listing every date and value (the
    tooltip and the text for screen readers). "" for fewer than two points. Dates are
    escaped; the coordinates are numbers written here."""
    if len(points) < 2:
        return ""
    vals = [v for _, v in points]
    lo, hi = min(vals), max(vals)
    pad = 3
    xs = [pad + i * (width - 2 * pad) / (len(vals) - 1) for i in range(len(vals))]
    ys = [height / 2 if hi == lo else pad + (hi - v) * (height - 2 * pad) / (hi - lo) for v in vals]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))
    label = "; ".join(f"{d}: {v:,.0f}" for d, v in points)
    return (
        f'<svg class="wc-spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>'
        f'<polyline fill="none" stroke="#3b6ea8" stroke-width="1.5" points="{line}"/>'
        f'<circle cx="{xs[-1]:.1f}" cy="{ys[-1]:.1f}" r="2.2" fill="#3b6ea8"/></svg>'
    )


def trend_rows(history: Sequence[tuple[str, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    """Per ``TREND_KEYS`` series with at least one value: label, the first and latest
    (date, value) of the trend, and its sparkline SVG ("" with one run)."""
    rows = []
    for key, label in TREND_KEYS:
        s = series(history, key)
        if s:
            rows.append({"label": label, "first": s[0], "last": s[-1], "svg": sparkline_svg(s)})
    return rows


def since_sentence(metrics: Mapping[str, Any]) -> str:
    """Who came and who left in the run of ``metrics`` (its ``since_last_run`` entry, written
    by ``history.save_changes``): "Since 2026-06-01: 3 new followers, 2 unfollowers, 1 contact
    warmed up, 1 contact cooled down."; "" when the run stored none or had no earlier run."""
    e = metrics.get("since_last_run")
    if not isinstance(e, Mapping) or not e.get("since"):
        return ""
    c = e.get("counts") if isinstance(e.get("counts"), Mapping) else {}
    parts = []
    for key, noun in (("new follower", "new follower"), ("unfollowed you", "unfollower")):
        if isinstance(c.get(key), int):
            parts.append(count(c[key], noun))
    for key, verb_ in (("warmed up", "warmed up"), ("cooled down", "cooled down")):
        if isinstance(c.get(key), int):
            parts.append(f"{count(c[key], 'contact')} {verb_}")
    return f"Since {e['since']}: {', '.join(parts)}." if parts else ""
