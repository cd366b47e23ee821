"""Loader registry: each module detects its format by content and loads it.

Order matters only for speed; detection is by content, so at most the right loaders claim
a source. A source may hold several formats (a folder with canonical tables and a
touchpoints log); every loader that detects something in it loads its own files.
"""

from __future__ import annotations

from typing import Any, Protocol

from warmcall.ingest.loaders import (
    bluesky,
    canonical,
    linkedin,
    linkedin_analytics,
    mastodon,
    meta,
    profiles,
    substack,
    threads,
    tiktok,
    x_analytics,
    x_archive,
    youtube,
)
from warmcall.ingest.loaders.base import LoadResult
from warmcall.ingest.sources import Source


class Loader(Protocol):
    """What a loader module provides; mypy checks every module in ``LOADERS`` against it."""

    FORMAT: str

    def detect(self, src: Source) -> bool: ...

    def load(self, src: Source, **options: Any) -> LoadResult: ...


# Each entry: a module with FORMAT, detect(source) -> bool, load(source, **opts) -> LoadResult.
LOADERS: list[Loader] = [
    canonical,
    meta,
    threads,
    x_archive,
    mastodon,
    bluesky,
    tiktok,
    youtube,
    substack,
    profiles,
    linkedin,
    linkedin_analytics,
    x_analytics,
]
