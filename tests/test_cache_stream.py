"""Huge interactions files streamed into the table cache (``warmcall.ingest.stream``) and
scored on polars' streaming engine give exactly what the eager path gives: the same tables,
load report (rejects, duplicates across chunks) and scores, on a small generated set cut
into many chunks."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl
import pytest
import warmcall
from warmcall.core import schema
from warmcall.ingest import stream
from warmcall.ingest.workbook import LazyWorkbook
from warmcall.sample.story import Scale, generate, write_canonical

PARAMS = {"as_of": "2026-11-13", "window_days": 90}


@pytest.fixture
def export(tmp_path, monkeypatch):
    """The story at 300 contacts / 3,000 interactions as canonical Parquet, with hand-made
    trouble in interactions: an unknown kind, a missing contact, a row repeated exactly
    (far apart: another chunk) and a touchpoints log."""
    tables = generate(Scale(300, 3000, 30), seed=3)
    inter = tables["interactions"]
    first = inter.row(0, named=True)
    bad = pl.DataFrame(
        [
            {**first, "kind": "wave"},  # rejected: unknown kind
            {**first, "contact_id": None},  # rejected: missing contact_id
            {**first, "ts": datetime(2026, 6, 1, 12, tzinfo=UTC)},  # fine, then repeated
        ],
        schema=inter.schema,
    )
    tables["interactions"] = pl.concat([bad, inter, bad.slice(2, 1), inter.slice(5, 1)])
    d = tmp_path / "export"
    write_canonical(tables, str(d), fmt="parquet")
    monkeypatch.setenv("WARMCALL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WARMCALL_CACHE_MIN_BYTES", "0")
    monkeypatch.setenv("WARMCALL_STREAM_ROWS", "1")
    monkeypatch.setenv("WARMCALL_STREAM_CHUNK_ROWS", "700")  # 5 chunks
    return d, tables


def test_streamed_load_equals_eager(export, monkeypatch):
    d, tables = export
    calls = []
    real = stream.load_streamed
    monkeypatch.setattr(stream, "load_streamed", lambda *a, **k: calls.append(1) or real(*a, **k))
    eager = warmcall.load(d, cache=False)
    streamed = warmcall.load(d)
    assert calls == [1], "the interactions file went through the chunked path"
    assert isinstance(streamed, LazyWorkbook)
    for t in schema.TABLES:
        assert getattr(streamed, t).equals(getattr(eager, t)), t
    assert streamed.report.to_dict() == eager.report.to_dict()
    # by hand: 2 invalid rows, and the 2 repeats of earlier rows (3,005 rows written)
    rep = next(s for s in streamed.report.sources if s.path.endswith("interactions.parquet"))
    n = tables["interactions"].height
    assert (rep.rows_read, rep.rows_rejected, rep.rows_loaded) == (n, 4, n - 4)
    reasons = sorted(r["reason"] for r in rep.rejects)
    assert reasons == ["exact duplicate row"] * 2 + ["missing contact_id", "unknown kind 'wave'"]
    assert warmcall.score(streamed, PARAMS).equals(warmcall.score(eager, PARAMS))
    again = warmcall.load(d)  # a hit: the same entry
    assert calls == [1] and again.report.to_dict() == eager.report.to_dict()


def test_streaming_features_equal_eager(export):
    d, _ = export
    warmcall.load(d)
    wb = warmcall.load(d)
    inter, keys = wb.keyed_interactions()
    from datetime import date

    from warmcall.core.params import DEFAULT_KIND_WEIGHTS
    from warmcall.model import features

    args = (date(2026, 11, 13), 90, DEFAULT_KIND_WEIGHTS)
    lazy = features.contact_features(inter, *args, contact_keys=keys, engine="streaming")
    eager = features.contact_features(inter, *args, contact_keys=keys, engine="in-memory")
    key = list(schema.KEYS)
    assert lazy.collect().sort(key).equals(eager.collect().sort(key))


def test_keyed_interactions_map_back_to_every_row_in_order(tmp_path):
    """``cache._write_interactions`` (eager): each row gets its contact's integer key, the
    key table names it; joined back, the rows are the input's, in the input's order."""
    import numpy as np
    from warmcall.ingest import cache

    rng = np.random.default_rng(3)
    n = 5000
    df = pl.DataFrame(
        {
            "account_id": rng.choice(["x:me", "bsky:me"], n),
            "platform": rng.choice(["x", "bluesky"], n),
            "contact_id": [f"c{i}" for i in rng.integers(0, 300, n)],
            "ts": pl.datetime_range(
                pl.datetime(2026, 1, 1),
                pl.datetime(2026, 1, 1) + pl.duration(minutes=n - 1),
                "1m",
                eager=True,
                time_zone="UTC",
            ),
            "kind": rng.choice(["like", "dm"], n),
        }
    )
    out, keys = tmp_path / "interactions.parquet", tmp_path / "keys.parquet"
    cache._write_interactions(df, out, keys)
    k = pl.read_parquet(keys)
    assert k.height == df.select(cache.KEYS).unique().height
    back = pl.read_parquet(out).join(k, on=cache.CONTACT_KEY, how="left", maintain_order="left")
    assert back.select(df.columns).equals(df)
