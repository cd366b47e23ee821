"""Schema validation on hand-built rows: each reject reason, and read = loaded + rejected."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warmcall.core import schema

GOOD = {"account_id": "x:me", "platform": "x", "contact_id": "1", "ts": "2026-01-05T10:00:00Z",
        "kind": "like", "direction": "in", "post_id": None}  # fmt: skip


def rows(*changes: dict) -> pl.DataFrame:
    return pl.DataFrame([{**GOOD, **c} for c in changes], schema=dict.fromkeys(GOOD, pl.String))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"kind": "poke"}, "unknown kind 'poke'"),
        ({"direction": "sideways"}, "unknown direction 'sideways'"),
        ({"platform": "myspace"}, "unknown platform 'myspace'"),
        ({"ts": "yesterday"}, "unparsable timestamp in ts"),
        ({"ts": "2999-01-01T00:00:00Z"}, "implausible timestamp in ts"),
        ({"contact_id": None}, "missing contact_id"),
        ({"contact_id": "   "}, "missing contact_id"),
        ({"account_id": None}, "missing account_id"),
        ({"platform": ""}, "missing platform"),
        ({"kind": " "}, "missing kind"),
        ({"direction": "\u00a0\t"}, "missing direction"),
        ({"kind": " like"}, "unknown kind ' like'"),
        # a blank required value is "missing" before an unknown one, whatever the column
        ({"platform": "myspace", "kind": "\u3000"}, "missing kind"),
        ({"platform": "myspace", "contact_id": ""}, "missing contact_id"),
    ],
)
def test_each_reject_reason(change: dict, reason: str) -> None:
    ok, rej = schema.validate("interactions", rows({}, change))
    assert ok.height == 1
    assert rej.height == 1
    assert rej["reason"][0].startswith(reason)
    assert rej["_line"][0] == 2  # second row


def test_negative_count_and_not_a_number() -> None:
    df = pl.DataFrame(
        {
            "account_id": ["x:me"] * 4,
            "platform": ["x"] * 4,
            "post_id": ["1", "2", "3", "4"],
            "ts": ["2026-01-01"] * 4,
            "likes": ["3", "-1", "many", "2.5"],
        }  # fmt: skip
    )
    ok, rej = schema.validate("posts", df)
    assert ok["post_id"].to_list() == ["1"]
    assert ok["likes"].to_list() == [3]
    assert dict(zip(rej["_line"], rej["reason"], strict=True)) == {
        2: "negative count in likes",
        3: "not a whole number in likes",
        4: "not a whole number in likes",
    }


def test_exact_duplicate_keeps_first() -> None:
    ok, rej = schema.validate("interactions", rows({}, {}, {"contact_id": "2"}))
    assert ok.height == 2
    assert rej.to_dicts() == [{"_file": "<memory>", "_line": 2, "table": "interactions",
                               "reason": "exact duplicate row"}]  # fmt: skip


def test_dtypes_are_canonical() -> None:
    ok, _ = schema.validate("interactions", rows({}))
    for c, t in schema.INTERACTIONS.items():
        if c != "source":
            assert ok.schema[c] == t, c
    assert ok["ts"][0].isoformat() == "2026-01-05T10:00:00+00:00"


def test_offsets_are_converted_to_utc() -> None:
    ok, _ = schema.validate("interactions", rows({"ts": "2026-01-05T12:00:00+02:00"}))
    assert ok["ts"][0].hour == 10


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "kind": st.sampled_from([*schema.KINDS, "bogus", None]),
                "direction": st.sampled_from(["in", "out", "x", None]),
                "ts": st.sampled_from(
                    ["2026-01-01T00:00:00Z", "2026-02-30", "", None, "2001-05-05"]
                ),
                "contact_id": st.sampled_from(["1", "2", None, ""]),
            }
        ),
        max_size=30,
    )
)
def test_rows_read_equals_loaded_plus_rejected(changes: list[dict]) -> None:
    df = rows(*changes) if changes else rows().clear()
    ok, rej = schema.validate("interactions", df)
    assert ok.height + rej.height == df.height
    assert set(ok["_line"]).isdisjoint(set(rej["_line"]))
    assert ok["kind"].is_in(schema.KINDS).all()
    assert ok["contact_id"].null_count() == 0


def test_dupkey_two_events_in_the_same_second_both_load() -> None:
    # Two different messages sent in the same second: the same canonical columns, but each
    # has its own identity in the export (``_dupkey``), so neither is a duplicate.
    df = rows({}, {}).with_columns(pl.Series("_dupkey", ["msg-1", "msg-2"]))
    ok, rej = schema.validate("interactions", df)
    assert ok.height == 2 and rej.height == 0
    assert "_dupkey" not in ok.columns  # bookkeeping, dropped like _file/_line


def test_dupkey_true_repeat_still_rejected() -> None:
    df = rows({}, {}, {}).with_columns(pl.Series("_dupkey", ["msg-1", "msg-2", "msg-1"]))
    ok, rej = schema.validate("interactions", df)
    assert ok.height == 2
    assert rej.select("_line", "reason").to_dicts() == [
        {"_line": 3, "reason": "exact duplicate row"}
    ]
    # a different canonical value is never a duplicate, whatever the key
    df = rows({}, {"contact_id": "2"}).with_columns(pl.Series("_dupkey", ["k", "k"]))
    assert schema.validate("interactions", df)[1].height == 0
