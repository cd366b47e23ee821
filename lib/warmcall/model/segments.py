"""Audience segments and niche relevance from keyword rules in params.

Segment rule: a contact belongs to the first segment (in params order) one of whose
keywords occurs as a whole word, case-insensitively, in one of the segment's fields
(optionally only on the segment's platforms); otherwise ``unsegmented``.
Relevance = Σ weight of the ``relevance`` keywords that occur (whole word, any case) in
bio, company or position; 0 when none.
"""

from __future__ import annotations

import re

import polars as pl

from warmcall.core.params import Segment

UNSEGMENTED = "unsegmented"


def _any_word(keywords: list[str]) -> str:
    words = sorted({k.strip() for k in keywords if k.strip()}, key=len, reverse=True)
    return r"(?i)(?:^|\W)(?:" + "|".join(re.escape(w) for w in words) + r")(?:\W|$)"


def segment_expr(segments: list[Segment]) -> pl.Expr:
    """The ``segment`` column by the first-match rule in the module docstring."""
    e: pl.Expr | None = None
    for s in segments:
        if not s.keywords:
            continue
        pat = _any_word(s.keywords)
        hit = pl.any_horizontal([pl.col(f).fill_null("").str.contains(pat) for f in s.fields])
        if s.platforms:
            hit = hit & pl.col("platform").is_in(s.platforms)
        e = pl.when(hit).then(pl.lit(s.name)) if e is None else e.when(hit).then(pl.lit(s.name))
    if e is None:
        return pl.lit(UNSEGMENTED).alias("segment")
    return e.otherwise(pl.lit(UNSEGMENTED)).alias("segment")


def relevance_expr(
    keywords: dict[str, float], fields: tuple[str, ...] = ("bio", "company", "position")
) -> pl.Expr:
    """Σ weight of relevance keywords present (whole word, any case) in ``fields``."""
    if not keywords:
        return pl.lit(0.0).alias("relevance")
    text = pl.concat_str([pl.col(f).fill_null("") for f in fields], separator=" \n ")
    parts = [
        pl.when(text.str.contains(_any_word([k]))).then(pl.lit(float(w))).otherwise(0.0)
        for k, w in keywords.items()
    ]
    return pl.sum_horizontal(parts).alias("relevance")
