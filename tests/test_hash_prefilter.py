"""The hash prefilter of the exact-duplicate rule (``schema._later_duplicates`` without a
``ts`` column), of the merge of repeated keys (``schema.repeated_rows``) and of the table
cache's contact keys (``cache.key_rows``) gives what the plain comparison of whole rows
gives, nulls included; and ``chunks.aligned`` changes no value."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warmcall.core import schema
from warmcall.core.chunks import aligned
from warmcall.core.schema import KEYS
from warmcall.ingest import cache

values = st.one_of(st.none(), st.sampled_from(["a", "b", "", "ab", "a b"]))
rows = st.lists(st.tuples(values, values, st.one_of(st.none(), st.integers(0, 2))), max_size=40)


def frame(data: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(data, schema={"k": pl.String, "v": pl.String, "n": pl.Int64}, orient="row")


@settings(max_examples=200, deadline=None)
@given(rows)
def test_later_duplicates_without_ts_equal_plain(data):
    df = frame(data)
    want = [False] * df.height
    seen: set[tuple] = set()
    for i, r in enumerate(df.iter_rows()):  # by hand: a row seen before is a later duplicate
        want[i] = r in seen
        seen.add(r)
    assert schema._later_duplicates(df, ["k", "v", "n"]).to_list() == want


@settings(max_examples=200, deadline=None)
@given(rows)
def test_repeated_keys_equal_plain(data):
    df = frame(data)
    keys = [(k, v) for k, v, _ in df.iter_rows()]
    want = [keys.count(x) > 1 for x in keys]
    got = schema.repeated_rows(df, ["k", "v"])
    assert got.to_list() == want


keys3 = st.lists(st.tuples(values, st.sampled_from(["x", "bluesky", None]), values), max_size=40)


def _check_key_rows(data: list[tuple], got: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    """By hand: contacts numbered in the order of their first row, nulls equal."""
    order: dict[tuple, int] = {}
    for r in data:
        order.setdefault(r, len(order))
    rows, keys = got
    assert rows["_ck"].to_list() == [order[r] for r in data]
    assert rows["n"].to_list() == list(range(len(data)))  # the other columns, in order
    assert keys.columns == ["_ck", *KEYS]
    assert [tuple(r[1:]) for r in keys.iter_rows()] == list(order)
    assert keys["_ck"].to_list() == list(range(len(order)))


def _keyed_frame(data: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        [(*r, i) for i, r in enumerate(data)],
        schema={**dict.fromkeys(KEYS, pl.String), "n": pl.Int64},
        orient="row",
    )


@settings(max_examples=200, deadline=None)
@given(keys3)
def test_contact_keys_by_hash_equal_plain(data):
    _check_key_rows(data, cache.key_rows(_keyed_frame(data)))
    with pytest.MonkeyPatch.context() as mp:  # the rows compared a few at a time
        mp.setattr(cache, "_CHECK_ROWS", 3)
        _check_key_rows(data, cache.key_rows(_keyed_frame(data)))


@settings(max_examples=50, deadline=None)
@given(keys3)
def test_contact_keys_survive_a_hash_collision(data):
    """Every row hashing alike (a collision for any two contacts) still gives one key per
    contact: the rows are checked against their key's row and grouped by the text."""
    real = pl.DataFrame.hash_rows

    def collide(self, *a, **k):
        return real(self, *a, **k) * 0

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pl.DataFrame, "hash_rows", collide)
        mp.setattr(cache, "_CHECK_ROWS", 3)
        _check_key_rows(data, cache.key_rows(_keyed_frame(data)))


def test_aligned_cuts_every_column_at_the_same_rows():
    """A column added to a frame read in chunks (one chunk) and a frame concatenated from
    differently cut frames come out cut alike, values unchanged, without copying the big
    columns."""
    parts = [pl.DataFrame({"a": range(i * 100_000, (i + 1) * 100_000)}) for i in range(3)]
    big = pl.concat(parts, rechunk=False).with_columns(b=pl.lit("f"), c=pl.col("a") * 2)
    small = pl.concat([pl.DataFrame({"a": [1], "b": ["g"]}), pl.DataFrame({"a": [2], "b": ["h"]})],
                      rechunk=False).with_columns(c=pl.lit(7, pl.Int64))  # fmt: skip
    for df in (big, small, pl.concat([big, small], rechunk=False)):
        out = aligned(df)
        lays = {tuple(s.chunk_lengths()) for s in out.iter_columns()}
        assert len(lays) == 1, lays
        assert out.equals(df)
    assert aligned(big)["a"].chunk_lengths() == big["a"].chunk_lengths()  # not rechunked
    assert aligned(small).n_chunks() == 1
