"""Numbers and words agree: 0, 1 and 2 of every noun and verb the reports use."""

import pytest
from warmcall.core.words import NOT_IN_EXPORT, count, noun, plural_of, verb


@pytest.mark.parametrize(
    ("word", "plural"),
    [("person", "people"), ("follower", "followers"), ("reply", "replies"), ("day", "days"),
     ("match", "matches"), ("is", "are"), ("has", "have"), ("relationship", "relationships")],
)  # fmt: skip
def test_plural_of(word, plural):
    assert plural_of(word) == plural


@pytest.mark.parametrize(("n", "expected"), [(0, "0 people"), (1, "1 person"), (2, "2 people"),
                                             (1234, "1,234 people")])  # fmt: skip
def test_count_people(n, expected):
    assert count(n, "person") == expected


def test_verbs_agree_with_zero_one_two():
    assert [f"{count(n, 'tie')} {verb(n, 'is')} two-way" for n in (0, 1, 2)] == [
        "0 ties are two-way", "1 tie is two-way", "2 ties are two-way"]  # fmt: skip
    assert noun(1, "call") == "call" and noun(0, "call") == "calls"


def test_unknown_count_is_not_zero():
    assert count(None, "follower") == NOT_IN_EXPORT


def test_fractional_people_refused():
    assert count(3.0, "person") == "3 people"
    with pytest.raises(ValueError):
        count(2.5, "person")
