"""One value kept for the last object it was made from.

A report set's notebooks share one analysis in one kernel (``warmcall.run.kernels``), and
several pages derive the same frame from its scores. ``KeptFor`` keeps the last such value
with the object it came from, compared by identity (``is``): a new object (another analysis,
a notebook that replaced a field) makes a new value. The object is held with the value, so
its id cannot be reused by another while it is kept. Polars frames are not changed in
place by warmcall, which is what makes identity a sound key here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

V = TypeVar("V")


class KeptFor(Generic[V]):
    """The value ``make()`` gave for the last object passed to ``get`` (module docstring)."""

    def __init__(self) -> None:
        self._kept: tuple[object, V] | None = None

    def get(self, source: object, make: Callable[[], V]) -> V:
        """The kept value when ``source`` is the object it was made for, else ``make()``,
        kept in its place."""
        kept = self._kept
        if kept is not None and kept[0] is source:
            return kept[1]
        value = make()
        self._kept = (source, value)
        return value
