"""scoring.sorted_column_by_column equals DataFrame.sort (the scores' order) on frames with
ties, nulls and text, and leaves its input empty (that is how it saves memory)."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from warmcall.model.scoring import sorted_column_by_column

BY, DESC = ["account_id", "quality", "contact_id"], [False, True, False]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["x:a", "li:b", "m:c"]),
            st.one_of(st.none(), st.floats(0, 100, allow_nan=False)),
            st.text(min_size=1, max_size=4),
            st.one_of(st.none(), st.text(max_size=6)),
        ),
        max_size=40,
        unique_by=lambda r: (r[0], r[2]),  # contact_id is unique within an account
    )
)
def test_equals_dataframe_sort(rows):
    df = pl.DataFrame(
        rows,
        schema={
            "account_id": pl.String,
            "quality": pl.Float64,
            "contact_id": pl.String,
            "bio": pl.String,
        },  # fmt: skip
        orient="row",
    ).with_columns(flags=pl.concat_list(pl.col("bio").fill_null("")))
    expect = df.sort(BY, descending=DESC)
    got = sorted_column_by_column(df.clone(), BY, DESC)
    assert got.equals(expect)
    assert got.columns == expect.columns and got.schema == expect.schema


def test_input_is_emptied():
    df = pl.DataFrame({"account_id": ["a", "a"], "quality": [1.0, 2.0], "contact_id": ["1", "2"]})
    out = sorted_column_by_column(df, BY, DESC)
    assert df.width == 0 and out["contact_id"].to_list() == ["2", "1"]
