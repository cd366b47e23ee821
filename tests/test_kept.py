"""core/kept.py: one value kept per last source object, by identity."""

from __future__ import annotations

import polars as pl
from warmcall.core.kept import KeptFor


def test_the_value_is_made_once_per_source_object_and_again_for_another() -> None:
    kept: KeptFor[int] = KeptFor()
    calls: list[str] = []

    def make(tag: str) -> int:
        calls.append(tag)
        return len(calls)

    a = pl.DataFrame({"x": [1, 2]})
    same_content = pl.DataFrame({"x": [1, 2]})  # equal, but another object
    assert kept.get(a, lambda: make("a")) == 1
    assert kept.get(a, lambda: make("a again")) == 1  # kept: not made again
    assert kept.get(same_content, lambda: make("b")) == 2  # identity, not equality
    assert kept.get(a, lambda: make("a once more")) == 3  # only the last one is kept
    assert calls == ["a", "b", "a once more"]
