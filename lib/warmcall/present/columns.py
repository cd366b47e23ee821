"""How a table column is shown to a reader: its label in words, its unit and its number
format. The one place that decides it (``COLUMNS``); the data files keep the raw names.

A format belongs to the column, never to a value, so that one column never shows ``0.8``
next to ``0.80``:

- ``count``: whole number with thousands separators (counts of people, posts, rows);
  a float is rounded to the nearest whole number;
- ``fixed``: ``digits`` decimals with thousands separators (scores, coefficients);
- ``pct``: a fraction (0.125) shown as a percentage with ``digits`` decimals (``12.5%``);
- ``text``: the value as text (dates ISO 8601, booleans yes / no, lists joined by ``, ``);
- ``date``: as ``text``, kept on one line (a date or time never wraps at its hyphens).

A column the mapping does not know is labelled from its name (``_`` as spaces, first letter
upper case) and formatted by its dtype: integers as ``count``; floats as ``fixed`` with the
digits chosen once for the column by :func:`auto_digits`.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from typing import Any

import polars as pl

__all__ = ["COLUMNS", "Column", "auto_digits", "column_for", "format_value", "text_expr"]


@dataclass(frozen=True)
class Column:
    """A column as shown: label (words), unit (shown after the label; "" for none), number
    format (``count``, ``fixed``, ``pct``, ``text`` or ``date``) and decimals for ``fixed`` / ``pct``."""

    label: str
    unit: str = ""
    kind: str = "text"
    digits: int = 0

    @property
    def numeric(self) -> bool:
        return self.kind not in ("text", "date")


def _count(label: str, unit: str = "") -> Column:
    return Column(label, unit, "count")


_SCORE01 = ("intensity", "reciprocity", "recency", "duration", "intimacy", "multiplexity")
_STAGES = ("connection", "reached", "aware", "engaged", "conversant", "trusted")

#: raw column name (or the name a present/ frame gives it) -> how it is shown
COLUMNS: dict[str, Column] = {
    # who and where
    "platform": Column("Platform"),
    "platforms": Column("Platforms"),
    "account_id": Column("Account"),
    "handle": Column("Handle"),
    "display_name": Column("Name"),
    "person": Column("Person"),
    "person_id": Column("Person"),
    "bio": Column("Bio"),
    "profile": Column("Profile"),
    "segment": Column("Segment"),
    "stage": Column("Stage"),
    "layer": Column("Dunbar layer"),
    "flags": Column("Flags"),
    "rule": Column("Rule"),
    "evidence": Column("Evidence"),
    "group": Column("Group"),
    "followers vs": Column("Follower count vs"),
    "method": Column("Method"),
    "followers from": Column("Followers from"),
    "followers_source": Column("Followers from"),
    "dates": Column("Dates"),
    # load accounting
    "input": Column("Input file"),
    "format": Column("Format"),
    "files": _count("Files"),
    "rows_read": _count("Rows read"),
    "rows_loaded": _count("Rows loaded"),
    "rows_set_aside": _count("Rows set aside"),
    "rows_rejected": _count("Rows rejected"),
    "top_reason": Column("Most common reason"),
    "top_reasons": Column("Most common reasons"),
    # counts of people and posts
    "contacts": _count("Contacts"),
    "followers": _count("Followers"),
    "two_way": _count("Two-way"),
    "two-way": _count("Two-way"),
    "flagged": _count("Flagged"),
    "contact_followers": _count("Their followers"),
    "days_since_last": _count("Since last contact", "days"),
    "known_followers": _count("Followers with a profile"),
    "flagged_followers": _count("Flagged followers"),
    "followers_without_flagged": _count("Followers without the flagged"),
    "followers_with_known_reach": _count("Followers with known reach"),
    "raw_reach": _count("Raw reach", "people"),
    "warm_contacts": _count("Warm contacts"),
    "warm_reach": _count("Warm reach", "people"),
    "units": _count("Contacts"),
    "total": _count("Inbound engagements"),
    "n": _count("Sample size"),
    "posts": _count("Posts"),
    "posts in window": _count("Posts in the window"),
    "posts with impressions": _count("Posts with impressions"),
    "impressions": _count("Impressions"),
    "engagements": _count("Engagements"),
    **{s: _count(s.capitalize()) for s in _STAGES},
    # scores and coefficients
    "quality": Column("Quality", "0–100", "fixed", 1),
    "median_quality": Column("Median quality", "0–100", "fixed", 1),
    "median quality": Column("Median quality", "0–100", "fixed", 1),
    **{c: Column(c.capitalize(), "0–1", "fixed", 2) for c in _SCORE01},
    "relevance": Column("Relevance", "keyword score", "fixed", 1),
    "rho": Column("Spearman ρ", "", "fixed", 2),
    "ci_low": Column("95% CI from", "", "fixed", 2),
    "ci_high": Column("95% CI to", "", "fixed", 2),
    "gini": Column("Gini", "0–1", "fixed", 2),
    # shares and rates (fractions, shown as %)
    "share_flagged": Column("Flagged", "% of known", "pct", 1),
    "warm_share": Column("Warm share", "% of raw reach", "pct", 1),
    "top1_share": Column("Top 1% of contacts gave", "% of engagement", "pct", 0),
    "top10_share": Column("Top 10% of contacts gave", "% of engagement", "pct", 0),
    "engaged_share": Column("Engaged", "% of followers", "pct", 1),
    "er_followers": Column("Engagement rate by followers", "%", "pct", 3),
    "er_impressions": Column("Engagement rate by impressions", "%", "pct", 2),
    "change_pct": Column("Change", "%", "pct", 1),
    # the same rates as text beside the reason they are missing (present.overview)
    "ER by followers": Column("Engagement rate by followers", "%", "pct", 3),
    "ER by impressions": Column("Engagement rate by impressions", "%", "pct", 2),
    "ER by impressions (engagements ÷ impressions)": Column(
        "Engagement rate by impressions", "engagements ÷ impressions, %", "pct", 2
    ),
    # the plan and what happened to it
    "date": Column("Date", kind="date"),
    "time": Column("Time", kind="date"),
    "last_contact": Column("Last contact", kind="date"),
    "reason": Column("Why"),
    "starter": Column("Conversation starter"),
    "done": Column("Done"),
    "logged": Column("Logged"),
    "from": Column("From stage"),
    "to": Column("To stage"),
    "direction": Column("Direction"),
    "metric": Column("Figure"),
    "since": Column("Previous run", kind="date"),
}


def auto_digits(values: pl.Series) -> int:
    """Decimals for a float column the mapping does not know, decided once for the whole
    column: 0 when every value is whole, else 2, 3 or 4 so that the smallest non-zero
    magnitude keeps two significant digits (>= 0.1: 2; >= 0.01: 3; smaller: 4)."""
    s = values.drop_nulls().drop_nans()
    s = s.filter(s.is_finite())
    if s.len() == 0 or (s == s.round(0)).all():
        return 0
    nz = s.filter(s != 0).abs()
    smallest = float(nz.min()) if nz.len() else 1.0  # type: ignore[arg-type]
    return 2 if smallest >= 0.1 else 3 if smallest >= 0.01 else 4


def _words(name: str) -> str:
    t = name.replace("_", " ").strip()
    return t[:1].upper() + t[1:] if t else name


def column_for(name: str, values: pl.Series | None = None) -> Column:
    """How column ``name`` is shown: ``COLUMNS[name]`` when listed, else a label from the
    name and a format from ``values``' dtype (module docstring). A listed numeric format on a
    text column (numbers a frame already wrote as text, with reasons) keeps the text as is."""
    col = COLUMNS.get(name)
    dtype = values.dtype if values is not None else None
    if col is None:
        if dtype is not None and dtype.is_integer():
            return Column(_words(name), "", "count")
        if dtype is not None and dtype.is_float():
            return Column(_words(name), "", "fixed", auto_digits(values))  # type: ignore[arg-type]
        if dtype is not None and dtype.is_temporal():
            return Column(_words(name), "", "date")
        return Column(_words(name))
    return col


def format_value(v: Any, col: Column, null: str = "\u2014") -> str:
    """One value as text in ``col``'s format (module docstring); ``null`` for a null. NaN and
    infinities are written as ``NaN`` / ``inf``; text is returned unchanged (not escaped)."""
    if v is None:
        return null
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int | float) and col.numeric:
        if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
            return "NaN" if math.isnan(v) else ("inf" if v > 0 else "-inf")
        if col.kind == "count":
            return f"{round(v):,}"
        if col.kind == "pct":
            return f"{v * 100:,.{col.digits}f}%"
        return f"{v:,.{col.digits}f}"
    if isinstance(v, int | float):
        return f"{v:,}" if isinstance(v, int) else f"{v:,.2f}"
    if isinstance(v, _dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, _dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return ", ".join(format_value(x, col, null) for x in v)
    return str(v)


def text_expr(expr: pl.Expr, name: str) -> pl.Expr:
    """``expr`` as text in the format of column ``name`` (``COLUMNS``; null stays null), for
    the small display frames that put a reason beside a number in one column (a few rows:
    one Python call per value)."""
    col = COLUMNS[name]
    return expr.map_elements(lambda v: format_value(v, col), return_dtype=pl.String)
