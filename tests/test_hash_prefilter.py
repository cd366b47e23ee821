"""The hash prefilter of the exact-duplicate rule (``schema._later_duplicates`` without a
``ts`` column) and of the merge of repeated keys (``schema.repeated_rows``) gives what the
plain comparison of whole rows gives, nulls included."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from warmcall.core import schema

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
