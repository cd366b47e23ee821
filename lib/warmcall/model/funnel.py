"""Nested stage counts: the know–like–trust funnel as "at this stage or a later one".

Each contact has one stage, its furthest (``warmcall.model.quality.STAGES``, in funnel
order). Counting contacts *at or beyond* each stage makes every stage a subset of the one
before it, so the funnel never grows downwards.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from warmcall.model.quality import STAGES


def at_or_beyond(
    counts: pl.DataFrame,
    by: Sequence[str] = ("platform",),
    stage: str = "stage",
    contacts: str = "contacts",
    order: Sequence[str] = STAGES,
) -> pl.DataFrame:
    """``counts`` (``*by``, ``stage``, ``contacts``: contacts whose furthest stage is
    ``stage``) with a column ``at_or_beyond`` = N(≥ s) = Σ n(t) over the stages t of the
    same group at position ≥ s in ``order``. Only the stages present in a group are summed
    (a stage the exports cannot show has no row and adds nothing). Sorted by group, then
    funnel order; a stage not in ``order`` is an error.
    """
    keys = list(by)
    pos = (
        pl.col(stage)
        .cast(pl.String)
        .replace_strict(list(order), list(range(len(order))), return_dtype=pl.Int64)
    )
    out = counts.with_columns(_pos=pos).sort(
        [*keys, "_pos"], descending=[False] * len(keys) + [True]
    )
    cum = pl.col(contacts).cum_sum()
    return (
        out.with_columns(at_or_beyond=cum.over(keys) if keys else cum)
        .sort([*keys, "_pos"])
        .drop("_pos")
    )
