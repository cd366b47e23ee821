"""Frames whose columns are cut into chunks at the same rows.

A polars frame read from Parquet holds each column in one chunk per row group, and every
column is cut at the same rows. A column added later (a literal, a computed Series) is one
chunk, and a frame concatenated from frames of different layouts is cut at different rows
in different columns. Polars then realigns the whole frame on each select, join or filter
that needs rows side by side: 0.3 s for each such step on 10M interactions. ``aligned``
cuts the odd columns at the frame's own boundaries instead: slices are views, so that costs
no copy.
"""

from __future__ import annotations

import polars as pl

#: frames up to this many rows are made one chunk when misaligned (a copy of a few rows)
SMALL_ROWS = 65_536


def aligned(df: pl.DataFrame) -> pl.DataFrame:
    """``df`` with every column cut at the same rows (values unchanged).

    Rule: the layout (the chunk lengths) of the column with the most chunks is the frame's;
    a column in one chunk is cut at it by zero-copy slices; any other column is made one
    chunk first. A frame of at most ``SMALL_ROWS`` rows is simply rechunked."""
    if df.width < 2 or df.height == 0:
        return df
    layouts = [tuple(s.chunk_lengths()) for s in df.iter_columns()]
    if len(set(layouts)) == 1:
        return df
    if df.height <= SMALL_ROWS:
        return df.rechunk()
    target = max(layouts, key=len)
    cols = []
    for s, lay in zip(df.iter_columns(), layouts, strict=True):
        if lay != target:
            s = split_like(s if len(lay) == 1 else s.rechunk(), target)
        cols.append(s)
    return pl.DataFrame(cols)


def split_like(s: pl.Series, lengths: tuple[int, ...] | list[int]) -> pl.Series:
    """``s`` (one chunk) cut into chunks of ``lengths`` rows (summing to its length), by
    zero-copy slices."""
    parts, offset = [], 0
    for n in lengths:
        parts.append(s.slice(offset, n))
        offset += n
    return pl.concat(parts, rechunk=False) if len(parts) > 1 else s
