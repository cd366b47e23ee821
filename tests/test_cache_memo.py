"""Scored results kept beside the table cache (``warmcall.model.memo``): the second
``analyse`` of the same cached tables and params reads them instead of scoring, gives equal
frames, misses when the params or the identities file change, and heals a damaged entry.
Within one process the last analysis is returned again without reading the memo."""

from __future__ import annotations

import shutil

import polars as pl
import pytest
import warmcall
from helpers import cached_export
from warmcall.model import memo, pipeline

CONNECTIONS = """account_id,platform,contact_id,handle,display_name,follows_me,i_follow
x:me,x,1,alice,Alice,true,true
x:me,x,2,bob,Bob,true,false
x:me,x,3,carol,Carol,false,true
"""
INTERACTIONS = """account_id,platform,contact_id,ts,kind,direction
x:me,x,1,2026-11-01T10:00:00Z,dm,in
x:me,x,1,2026-11-02T10:00:00Z,dm,out
x:me,x,2,2026-10-01T10:00:00Z,like,in
"""


@pytest.fixture
def setup(tmp_path, monkeypatch):
    d = cached_export(
        tmp_path, monkeypatch, {"connections.csv": CONNECTIONS, "interactions.csv": INTERACTIONS}
    )
    calls = []
    real = pipeline.prepared_features

    def counting(*a, **k):
        calls.append(1)
        return real(*a, **k)

    monkeypatch.setattr(pipeline, "prepared_features", counting)
    params = {"data": [str(d)], "as_of": "2026-11-13", "window_days": 90}
    return d, params, calls


def _equal(a, b) -> None:
    assert a.scores.equals(b.scores)
    key = ["account_id", "platform", "contact_id"]  # features come in no particular order
    assert a.features.sort(key).equals(b.features.sort(key))
    assert a.identity_evidence.equals(b.identity_evidence)
    assert a.overview.equals(b.overview)
    assert a.signals.equals(b.signals)  # kept with the scores


def test_second_analysis_reads_the_kept_scores(setup):
    d, params, calls = setup
    first = warmcall.analyse(params)
    memo.wait()
    assert len(calls) == 1 and len(list(memo.root().iterdir())) == 1
    pipeline.forget()  # as a new process: from the memo on disk
    again = warmcall.analyse(params)
    assert len(calls) == 1, "same tables and params: not scored again"
    _equal(first, again)
    plain = warmcall.analyse(params, workbook=warmcall.load(d, cache=False))
    assert len(calls) == 2  # an in-memory workbook is never memoised
    _equal(first, plain)
    # by hand: contact 1 dm both ways, 2 one like, 3 nothing
    stages = dict(
        zip(again.scores["contact_id"], again.scores["stage"].cast(pl.String), strict=True)
    )
    assert stages == {"1": "trusted", "2": "aware", "3": "connection"}


def test_other_params_or_identities_miss(setup, tmp_path):
    d, params, calls = setup
    warmcall.analyse(params)
    warmcall.analyse({**params, "window_days": 30})
    assert len(calls) == 2
    ids = tmp_path / "identities.csv"
    ids.write_text("person,platform,handle\nann,x,alice\n", encoding="utf-8")
    with_ids = {**params, "identities": str(ids)}
    warmcall.analyse(with_ids)
    warmcall.analyse(with_ids)
    assert len(calls) == 3
    ids.write_text("person,platform,handle\nbo,x,bob\n", encoding="utf-8")
    a = warmcall.analyse(with_ids)
    assert len(calls) == 4, "changed identities file: scored again"
    assert a.scores.filter(pl.col("contact_id") == "2")["person_id"].item() == "p:bo"


def test_damaged_entry_is_recomputed(setup):
    d, params, calls = setup
    first = warmcall.analyse(params)
    memo.wait()
    (entry,) = [p for p in memo.root().iterdir() if not p.name.startswith(".")]
    victim = entry / "scores.parquet"
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0xFF
    victim.write_bytes(bytes(data))
    pipeline.forget()
    again = warmcall.analyse(params)
    assert len(calls) == 2
    _equal(first, again)


def test_redaction_applies_to_kept_scores(setup, tmp_path):
    d, params, calls = setup
    key = tmp_path / "redact.key"  # created on first use
    red = {**params, "redact": True, "redact_key_file": str(key)}
    a = warmcall.analyse(red)
    pipeline.forget()
    b = warmcall.analyse(red)
    assert len(calls) == 1
    assert a.scores.equals(b.scores)
    assert not set(b.scores["contact_id"].to_list()) & {"1", "2", "3"}


def test_same_process_returns_the_kept_analysis(setup, monkeypatch):
    d, params, calls = setup
    first = warmcall.analyse(params)
    reads = []
    monkeypatch.setattr(memo, "read", lambda k: reads.append(k))
    again = warmcall.analyse(params)
    assert len(calls) == 1 and reads == [], "neither scored nor read from disk again"
    _equal(first, again)
    again.scores = again.scores.head(0)  # a notebook replacing a field of its copy
    third = warmcall.analyse(params)
    assert third.scores.height == first.scores.height == 3
    warmcall.analyse({**params, "window_days": 30})
    assert len(calls) == 2 and len(reads) == 1, "other params: looked up, scored"
    pipeline.forget()
    warmcall.analyse(params)
    assert len(reads) == 2, "after forget(): the memo on disk is read"


def test_the_report_fill_scores_the_set_it_loaded(setup):
    """The report runner's exports check (``load._check_child``, run here in-process) with
    the set's scoring (``sets.score_set``) leaves the table cache entry and the set's scores:
    its first notebook reads them instead of scoring; equal to scoring from the cache."""
    import functools
    import queue

    from warmcall.ingest import cache, load
    from warmcall.run import sets

    d, params, calls = setup
    assert cache.needs_fill(params["data"], None, None)
    found = queue.SimpleQueue()
    load._check_child(params["data"], None, None, found, functools.partial(sets.score_set, params))
    assert found.get_nowait() is None and found.empty()
    assert not cache.needs_fill(params["data"], None, None)
    assert len(calls) == 1 and len(list(memo.root().iterdir())) == 1
    pipeline.forget()  # the notebook's kernel is another process
    kept = warmcall.analyse(params)
    assert len(calls) == 1, "the first notebook reads the fill's scores"
    pipeline.forget()
    for f in memo.root().iterdir():
        shutil.rmtree(f)
    _equal(kept, warmcall.analyse(params))
    assert len(calls) == 2
