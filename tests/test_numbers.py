"""warmcall.ingest.numbers: human-formatted numbers, polars expression and Python twin."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warmcall.ingest.numbers import (
    is_missing_number,
    is_missing_number_py,
    parse_human_number,
    parse_human_number_py,
    to_count,
    to_count_py,
)

# text, expected float (parse_human_number), expected count (to_count) — worked out by hand
CASES = [
    ("1.2k", 1200.0, 1200),
    ("475.8m", 475_800_000.0, 475_800_000),
    ("2b", 2_000_000_000.0, 2_000_000_000),
    ("3,401", 3401.0, 3401),
    ("4.5%", 0.045, None),  # a percentage is a fraction; never a count
    ("100%", 1.0, None),
    (" 12 ", 12.0, 12),
    ("1,234,567", 1_234_567.0, 1_234_567),
    ("1,234,567.5", 1_234_567.5, None),
    ("1.5K", 1500.0, 1500),
    ("475.8M", 475_800_000.0, 475_800_000),
    ("2B", 2_000_000_000.0, 2_000_000_000),
    ("1.2 k", 1200.0, 1200),
    ("1.25k", 1250.0, 1250),
    ("1.2345k", 1234.5, None),  # not whole after scaling
    ("1.2500k", 1250.0, 1250),  # trailing zeros are fine
    (".5k", 500.0, 500),
    ("0.1", 0.1, None),
    ("-3", -3.0, -3),
    ("+7", 7.0, 7),
    ("007", 7.0, 7),
    ("12\u00a0", 12.0, 12),  # non-breaking space around is whitespace
    # missing
    ("-", None, None),
    ("", None, None),
    ("N/A", None, None),
    ("n/a", None, None),
    ("—", None, None),
    (None, None, None),
    # ambiguous or not a number: null, never a guess
    ("1,23", None, None),
    ("12,34,567", None, None),  # lakh grouping
    ("1.234,5", None, None),  # European
    ("1,2345", None, None),
    ("1.2.3", None, None),
    ("12abc", None, None),
    ("abc", None, None),
    ("1 234", None, None),
    ("1.", None, None),
    ("k", None, None),
    ("1.2kk", None, None),
    ("%5", None, None),
    # scientific notation (as spreadsheets and pandas write large counts)
    ("2.28E+11", 228_000_000_000.0, 228_000_000_000),
    ("1e3", 1000.0, 1000),
    ("-1.5E2", -150.0, -150),
    ("1.5e-2", 0.015, None),
    ("2500e-2", 25.0, 25),  # whole after scaling down
    ("0e-5", 0.0, 0),
    ("1.2e3k", 1_200_000.0, 1_200_000),
    ("9.2e18", 9.2e18, 9_200_000_000_000_000_000),
    ("9.3e18", 9.3e18, None),  # beyond Int64 (2**63 - 1): no count
    ("1e400", None, None),  # beyond Float64: never inf
    ("1e1000", None, None),  # exponents have at most 3 digits
    ("1.2E", None, None),
    ("e5", None, None),
    ("1e3.5", None, None),
    ("١٢", None, None),  # non-ASCII digits
    ("99999999999999999999", 1e20, None),  # beyond Int64: no count
]


@pytest.mark.parametrize(("text", "want_f", "want_n"), CASES)
def test_python_twin_cases(text: str | None, want_f: float | None, want_n: int | None) -> None:
    assert parse_human_number_py(text) == want_f
    assert to_count_py(text) == want_n


def test_polars_cases() -> None:
    df = pl.DataFrame({"s": [c[0] for c in CASES]}, schema={"s": pl.String})
    out = df.select(f=parse_human_number(pl.col("s")), n=to_count(pl.col("s")))
    assert out["f"].dtype == pl.Float64 and out["n"].dtype == pl.Int64
    assert out["f"].to_list() == [c[1] for c in CASES]
    assert out["n"].to_list() == [c[2] for c in CASES]


def test_missing_tokens_are_not_unparsable() -> None:
    s = pl.DataFrame({"s": ["-", "", "N/A", None, "12abc", "1.2k"]}, schema={"s": pl.String})
    assert s.select(is_missing_number(pl.col("s")))["s"].to_list() == [
        True, True, True, True, False, False,
    ]  # fmt: skip


# Missing values as panel data sets write them: pandas' NaN (also formatted as a
# percentage), R's NA, Excel's #N/A, dashes. Each is missing, never a number.
MISSING = ["NaN%", "nan", "NaN", "NA", "-", "N/A", "#N/A", " nan % ", "null", "None", "—"]


@pytest.mark.parametrize("text", MISSING)
def test_missing_spellings(text: str) -> None:
    df = pl.DataFrame({"s": [text]}, schema={"s": pl.String})
    out = df.select(
        miss=is_missing_number(pl.col("s")),
        f=parse_human_number(pl.col("s")),
        n=to_count(pl.col("s")),
    ).row(0)
    assert out == (True, None, None)
    assert parse_human_number_py(text) is None and to_count_py(text) is None
    assert is_missing_number_py(text)


def test_not_missing_when_a_number_or_text() -> None:
    texts = ["0", "0%", "12abc", "nan1", "NAN-1", "%", "n/a/b"]
    df = pl.DataFrame({"s": texts})
    got = df.select(is_missing_number(pl.col("s")))["s"].to_list()
    assert got == [False, False, False, False, False, False, False]
    assert [is_missing_number_py(t) for t in texts] == got


def test_keeps_the_column_name() -> None:
    df = pl.DataFrame({"followers": ["1k"]})
    assert df.select(to_count(pl.col("followers"))).columns == ["followers"]
    assert df.select(parse_human_number(pl.col("followers"))).columns == ["followers"]


_SCALE = {"": 0, "k": 3, "K": 3, "m": 6, "M": 6, "b": 9, "B": 9, "%": -2}


@st.composite
def human(draw: st.DrawFn) -> tuple[str, float, int | None]:
    """A number written the human way, and its exact value computed with Decimal."""
    sign = draw(st.sampled_from(["", "", "-"]))
    whole = draw(st.integers(min_value=0, max_value=10**13))
    frac = draw(st.text(alphabet="0123456789", max_size=4))
    suffix = draw(st.sampled_from(list(_SCALE)))
    commas = draw(st.booleans())
    space = draw(st.sampled_from(["", " "])) if suffix else ""
    pad = draw(st.sampled_from(["", " ", "\t", "  "]))
    exp = draw(st.sampled_from([None, None, 0, 2, -2, 11, -4, 17]))
    text = f"{pad}{sign}{whole:,}" if commas else f"{pad}{sign}{whole}"
    if frac:
        text += "." + frac
    if exp is not None:
        text += draw(st.sampled_from(["e", "E"])) + draw(st.sampled_from(["", "+"])) * (exp >= 0)
        text += str(exp)
    text += space + suffix + pad
    exact = Decimal(f"{sign}{whole}.{frac or '0'}").scaleb(_SCALE[suffix] + (exp or 0))
    count = (
        int(exact)
        if suffix != "%" and exact == exact.to_integral_value() and abs(exact) < 2**63
        else None
    )
    return text, float(exact), count


@settings(max_examples=60, deadline=None)
@given(st.lists(human(), min_size=1, max_size=40))
def test_property_human_formats(cases: list[tuple[str, float, int | None]]) -> None:
    df = pl.DataFrame({"s": [c[0] for c in cases]})
    out = df.select(f=parse_human_number(pl.col("s")), n=to_count(pl.col("s")))
    for (text, want_f, want_n), got_f, got_n in zip(
        cases, out["f"].to_list(), out["n"].to_list(), strict=True
    ):
        assert got_f == want_f, text
        assert got_n == want_n, text
        assert parse_human_number_py(text) == want_f, text
        assert to_count_py(text) == want_n, text


@st.composite
def bad_grouping(draw: st.DrawFn) -> str:
    """Comma-grouped digits with at least one group after a comma that is not 3 digits."""
    first = draw(st.integers(min_value=1, max_value=999))
    groups = draw(
        st.lists(st.text(alphabet="0123456789", min_size=1, max_size=5), min_size=1, max_size=3)
    )
    if all(len(g) == 3 for g in groups):
        groups[-1] += "0"
    suffix = draw(st.sampled_from(["", "k", "%"]))
    return f"{first}," + ",".join(groups) + suffix


@settings(max_examples=40, deadline=None)
@given(st.lists(bad_grouping(), min_size=1, max_size=20))
def test_property_ambiguous_grouping_is_null(texts: list[str]) -> None:
    out = pl.DataFrame({"s": texts}).select(
        f=parse_human_number(pl.col("s")), n=to_count(pl.col("s"))
    )
    assert out["f"].null_count() == len(texts)
    assert out["n"].null_count() == len(texts)
    assert all(parse_human_number_py(t) is None for t in texts)
