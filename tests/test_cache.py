"""The table cache (``warmcall.ingest.cache``): reused while the inputs' bytes are unchanged, missed
when any byte changes (even with name, size and mtime restored), equal to an uncached load;
and the fast per-contact feature pass it enables equals the plain formulation."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest
import warmcall
from helpers import cached_export
from warmcall.core.params import DEFAULT_KIND_WEIGHTS
from warmcall.ingest import cache, load, workbook
from warmcall.ingest.workbook import LazyWorkbook
from warmcall.model import features
from warmcall.run import sets

CONNECTIONS = """account_id,platform,contact_id,handle,follows_me,i_follow
x:me,x,1,alice,true,true
x:me,x,2,bob,true,false
x:me,x,3,carol,false,true
"""  # 3 records, 3 loaded
INTERACTIONS = """account_id,platform,contact_id,ts,kind,direction
x:me,x,1,2026-11-01T10:00:00Z,dm,in
x:me,x,1,2026-11-02T10:00:00Z,dm,out
x:me,x,2,2026-10-01T10:00:00Z,like,in
x:me,x,3,2026-10-05T10:00:00Z,wave,in
"""  # 4 records: 3 loaded, 1 rejected (unknown kind 'wave')
ACCOUNTS = """account_id,platform,handle,followers
x:me,x,me,3
"""


@pytest.fixture
def export(tmp_path, monkeypatch):
    """A canonical-table export folder; the cache in tmp_path, on for inputs of any size."""
    return cached_export(
        tmp_path,
        monkeypatch,
        {
            "connections.csv": CONNECTIONS,
            "interactions.csv": INTERACTIONS,
            "accounts.csv": ACCOUNTS,
        },
    )


@pytest.fixture
def loads(monkeypatch):
    """Counts the loads that really read the inputs (cache misses)."""
    calls = []
    real = workbook.load_exports

    def counting(*a, **k):
        calls.append(a)
        return real(*a, **k)

    monkeypatch.setattr(load, "load_exports", counting)
    return calls


def entries(export) -> list:
    cache.wait_writes()  # a miss writes its entry in a thread
    root = export.parent / "cache" / "tables"
    return (
        sorted(p.name for p in root.iterdir() if not p.name.startswith("."))
        if root.exists()
        else []
    )


def assert_same(a: warmcall.Workbook, b: warmcall.Workbook) -> None:
    for name in ("accounts", "connections", "interactions", "posts"):
        assert getattr(a, name).equals(getattr(b, name)), name
    assert a.report.to_dict() == b.report.to_dict()


def test_a_miss_is_served_from_memory_as_the_entry_reads_back(export, loads):
    """A miss returns its tables before the entry is on disk (written in a thread); what it
    serves is what the written entry gives when read back: every table, column order and
    type, the per-contact frames and the key."""
    served = warmcall.load(export)
    cache.wait_writes()
    (key,) = entries(export)
    back = cache.open_entry(cache_root(export) / key)
    assert isinstance(served, LazyWorkbook) and back is not None
    assert served.cache_key == back.cache_key == key
    for t in ("accounts", "connections", "interactions", "posts"):
        a, b = served.scan(t).collect(), back.scan(t).collect()
        assert a.schema == b.schema and a.equals(b), t
    mine, theirs = served.keyed_interactions(), back.keyed_interactions()
    assert mine is not None and theirs is not None
    for x, y in zip(mine, theirs, strict=True):
        assert x.collect().equals(y.collect())
    assert served.report.to_dict() == back.report.to_dict()
    assert len(loads) == 1


def test_hit_on_unchanged_content(export, loads):
    first = warmcall.load(export)
    assert len(loads) == 1 and len(entries(export)) == 1
    again = warmcall.load(export)
    assert len(loads) == 1, "unchanged inputs must be served from the cache"
    assert isinstance(again, LazyWorkbook)
    assert again.interactions.height == 3  # 4 records, 1 rejected (by hand above)
    assert again.report.rows_rejected == 1
    assert_same(first, again)


def test_miss_on_changed_bytes_with_name_size_and_mtime_restored(export, loads):
    path = export / "interactions.csv"
    warmcall.load(export)
    st = path.stat()
    # same length, one contact changed (3 -> 2 on the last line), mtime restored
    changed = INTERACTIONS.replace("x:me,x,3,2026-10-05", "x:me,x,2,2026-10-05")
    assert len(changed) == len(INTERACTIONS)
    path.write_text(changed, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    wb = warmcall.load(export)
    assert len(loads) == 2, "changed bytes must miss"
    assert len(entries(export)) == 2
    assert wb.report.rows_rejected == 1  # 'wave' is still unknown, now for contact 2
    assert wb.report.sources and any(
        r["reason"] == "unknown kind 'wave'" for s in wb.report.sources for r in s.rejects
    )


def test_cached_load_and_scores_equal_uncached(export):
    plain = warmcall.load(export, cache=False)
    warmcall.load(export)  # fills the cache
    cached = warmcall.load(export)
    assert isinstance(cached, LazyWorkbook) and not isinstance(plain, LazyWorkbook)
    assert cached.keyed_interactions() is not None  # the integer-keyed feature pass
    params = {"as_of": "2026-11-13", "window_days": 90}
    s_plain = warmcall.score(plain, params)
    s_cached = warmcall.score(cached, params)
    assert s_plain.equals(s_cached)
    stages = dict(zip(s_cached["contact_id"], s_cached["stage"].cast(pl.String), strict=True))
    assert stages == {
        "1": "trusted",
        "2": "aware",
        "3": "connection",
    }  # dm both ways; a like; nothing
    assert_same(plain, cached)  # after scoring: materialising the lazy tables changes nothing


def test_cache_false_writes_nothing_and_small_inputs_are_not_cached(export, loads, monkeypatch):
    warmcall.load(export, cache=False)
    assert entries(export) == []
    monkeypatch.delenv("WARMCALL_CACHE_MIN_BYTES")  # default: 1 MiB; this export is < 1 KiB
    warmcall.load(export)
    warmcall.load(export)
    assert entries(export) == [] and len(loads) == 3


def test_damaged_entry_is_rebuilt(export, loads):
    first = warmcall.load(export)
    (key,) = entries(export)
    victim = export.parent / "cache" / "tables" / key / "interactions.parquet"
    victim.write_bytes(victim.read_bytes()[:20])  # truncated
    again = warmcall.load(export)
    assert len(loads) == 2
    assert_same(first, again)


def test_key_covers_paths_mapping_and_encoding(export):
    k1 = cache.fingerprint([export])
    assert k1 is not None and k1 == cache.fingerprint([export])
    assert cache.fingerprint([export], encoding="latin-1") != k1
    assert (
        cache.fingerprint([export], mapping={"platform": "x", "table": "posts", "columns": {}})
        != k1
    )
    assert cache.fingerprint([export / "connections.csv"]) != k1
    assert cache.fingerprint([export / "missing"]) is None


def test_cache_folder_is_private(export):
    warmcall.load(export)
    cache.wait_writes()
    assert (export.parent / "cache" / "tables").stat().st_mode & 0o077 == 0


# --- the fast per-contact pass equals the plain formulation --------------------------------


def _random_interactions(seed: int, n: int = 2000) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    kinds = ["like", "reply", "dm", "call", "meeting", "share", "comment", "reaction", "email"]
    start = int(datetime(2025, 6, 1, tzinfo=UTC).timestamp())
    # whole hours over ~600 days: many equal timestamps per contact (ties for "latest")
    secs = start + rng.integers(0, 600 * 24, n) * 3600
    return pl.DataFrame(
        {
            "account_id": rng.choice(["x:a", "linkedin:b"], n),
            "platform": rng.choice(["x", "linkedin"], n),
            "contact_id": rng.integers(0, 150, n).astype(str),
            "ts": pl.Series(secs * 1_000_000).cast(pl.Datetime("us", "UTC")),
            "kind": rng.choice(kinds, n),
            "direction": rng.choice(["in", "out"], n),
            "post_id": pl.Series(
                [None if x < 0.4 else f"p{int(x * 50)}" for x in rng.random(n)], dtype=pl.String
            ),
        }
    )


@pytest.mark.parametrize("seed", range(6))
def test_fast_features_equal_plain(seed):
    df = _random_interactions(seed)
    if seed % 2:  # a kind outside the canonical list takes the exact slow path
        df = df.with_columns(
            kind=pl.when(pl.col("contact_id") == "7").then(pl.lit("wave")).otherwise("kind")
        )
    as_of = date(2026, 3, 1) if seed < 3 else date(2026, 11, 13)
    keys = list(features.KEYS)
    plain = (
        features._contact_features_plain(df.lazy(), as_of, 30, DEFAULT_KIND_WEIGHTS)
        .collect()
        .sort(keys)
    )
    fast = features.contact_features(df, as_of, 30, DEFAULT_KIND_WEIGHTS).collect().sort(keys)
    assert plain.height > 100
    assert fast.equals(plain)
    ids = df.select(keys).unique(maintain_order=True).with_row_index("_ck")
    keyed = df.join(ids, on=keys, maintain_order="left").drop(keys)
    by_key = features.contact_features(keyed, as_of, 30, DEFAULT_KIND_WEIGHTS, contact_keys=ids)
    assert by_key.collect().sort(keys).equals(plain)


def test_unwritable_cache_still_gives_canonical_tables(export, monkeypatch):
    monkeypatch.setattr(cache, "write_entry", lambda entry, wb, keyed=None: False)
    wb = warmcall.load(export)
    cache.wait_writes()
    assert entries(export) == []
    assert_same(warmcall.load(export, cache=False), wb)
    assert wb.interactions.columns == warmcall.Workbook().interactions.columns


def test_needs_fill_before_the_first_load_only(export, monkeypatch):
    assert cache.needs_fill([str(export)], None, None)
    warmcall.load(export)
    assert not cache.needs_fill([str(export)], None, None)
    assert cache.needs_fill([str(export)], None, "latin-1")  # another key
    monkeypatch.setenv("WARMCALL_CACHE_MIN_BYTES", str(1 << 30))
    assert not cache.needs_fill([str(export / "..")], None, None)  # too small to be cached
    assert not cache.needs_fill([str(export / "missing")], None, None)  # the load reports it


def test_no_fill_when_the_cache_cannot_be_written(export, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("WARMCALL_CACHE_DIR", str(blocker))  # tables/ cannot be made under it
    assert not cache.needs_fill([str(export)], None, "utf-8")


def test_report_runner_fills_the_cache_in_a_process_of_its_own(export, loads, capsys):
    """``warmcall report``'s exports check loads large inputs into the cache before the
    notebooks start, in a spawned process (nothing is loaded in this one), once per set:
    a second check is a hit in this process, and the runner loads nothing again."""
    from warmcall.ingest.load import check_exports

    check_exports({"data": [str(export)]}, progress="weekly")
    assert len(entries(export)) == 1 and loads == []  # filled by the child, not here
    assert capsys.readouterr().err == "weekly: loading the exports into the table cache ...\n"
    warmcall.load(export)
    assert loads == []  # a hit
    check_exports({"data": [str(export)]}, progress="weekly")  # checked here, from the cache
    assert len(entries(export)) == 1 and loads == [] and capsys.readouterr().err == ""


def test_the_report_runner_fills_nowhere_but_in_the_exports_check():
    """After a check that ran past its limit the runner does not load the exports again
    under the same limit (the notebooks do, as the check's line says): ``_run_sets`` and
    ``sets`` start no load of their own."""
    import inspect

    from warmcall.run import report

    for src in (inspect.getsource(report._run_sets), inspect.getsource(sets)):
        assert "run_child" not in src and "needs_fill" not in src and "load(" not in src


# --- healing: a damaged, tampered, unwritable or half-written cache never breaks a load -----


def cache_root(export):
    cache.wait_writes()
    return export.parent / "cache" / "tables"


def only_entry(export):
    (key,) = entries(export)
    return cache_root(export) / key


def damage_data_pages(path) -> None:
    """Overwrite the middle of a Parquet file's data pages, keeping the footer (its last
    8 bytes give the footer's length) and the leading magic intact."""
    raw = bytearray(path.read_bytes())
    footer = int.from_bytes(raw[-8:-4], "little") + 8
    start, end = 4, len(raw) - footer
    assert end - start > 16
    mid = (start + end) // 2
    lo, hi = max(start, mid - 32), min(end, mid + 32)
    raw[lo:hi] = b"\xa5" * (hi - lo)
    path.write_bytes(bytes(raw))


def cache_notes(err: str) -> list[str]:
    return [ln for ln in err.splitlines() if ln.startswith("warmcall: table cache: ")]


@pytest.mark.parametrize("table", ["interactions", "connections"])
def test_damaged_data_pages_with_intact_footer_heal(export, loads, capsys, table):
    plain = warmcall.load(export, cache=False)
    loads.clear()
    warmcall.load(export)
    victim = only_entry(export) / f"{table}.parquet"
    damage_data_pages(victim)
    pl.read_parquet_schema(victim)  # the footer still reads: the old check let it through
    with pytest.raises(Exception):  # noqa: B017 - whichever error the decoder gives
        pl.read_parquet(victim)
    capsys.readouterr()
    healed = warmcall.load(export)
    assert len(loads) == 2, "the damaged entry must be loaded again from the exports"
    assert_same(plain, healed)  # every table readable, equal to the uncached load
    notes = cache_notes(capsys.readouterr().err)
    assert len(notes) == 1 and "damaged" in notes[0] and f"{table}.parquet" in notes[0]
    assert cache.check_entry(only_entry(export)) is None  # rewritten whole
    assert_same(plain, warmcall.load(export))
    assert len(loads) == 2  # and served again


def test_dropping_a_damaged_entry_spares_one_written_anew_meanwhile(tmp_path):
    """Two notebooks find the same damaged entry; the first drops it and writes a new one
    before the second drops: the second must not remove the new entry."""
    entry = tmp_path / ("e" * 64)
    entry.mkdir()
    damaged = entry.stat().st_ino
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "x").write_text("new")
    entry.rename(tmp_path / "gone")
    fresh.rename(entry)  # another process's new entry, in place
    cache.drop_entry(entry, damaged)
    assert (entry / "x").read_text() == "new"
    cache.drop_entry(entry, entry.stat().st_ino)
    assert not entry.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gone"]  # nothing else left


def _resign(entry) -> None:
    """Rewrite the entry's manifest over its current files (a consistent tamper: only the
    load report's own arithmetic can catch it)."""
    m = json.loads((entry / cache.MANIFEST_FILE).read_text())
    m["files"] = cache._manifest(entry)
    (entry / cache.MANIFEST_FILE).write_text(json.dumps(m))


@pytest.mark.parametrize("resign", [False, True], ids=["checksum", "arithmetic"])
def test_tampered_load_report_is_not_served(export, loads, capsys, resign):
    plain = warmcall.load(export, cache=False)
    loads.clear()
    warmcall.load(export)
    entry = only_entry(export)
    rep = json.loads((entry / cache.REPORT_FILE).read_text())
    src = next(s for s in rep["sources"] if s["rows_rejected"])
    src["rows_loaded"] += 5  # read ≠ loaded + rejected now
    (entry / cache.REPORT_FILE).write_text(json.dumps(rep))
    if resign:
        _resign(entry)
    capsys.readouterr()
    wb = warmcall.load(export)
    assert len(loads) == 2
    assert wb.report.to_dict() == plain.report.to_dict()
    for s in wb.report.to_dict()["sources"]:
        assert s["rows_read"] == s["rows_loaded"] + s["rows_set_aside"] + s["rows_rejected"]
    (note,) = cache_notes(capsys.readouterr().err)
    assert ("does not add up" if resign else "load-report.json does not match") in note


def test_report_without_set_aside_counts_zero(export, loads):
    """An entry whose report has no rows_set_aside key (older reports) adds up with 0."""
    warmcall.load(export)
    entry = only_entry(export)
    rep = json.loads((entry / cache.REPORT_FILE).read_text())
    for s in rep["sources"]:
        assert s.pop("rows_set_aside") == 0
    rep.pop("rows_set_aside", None)
    (entry / cache.REPORT_FILE).write_text(json.dumps(rep))
    _resign(entry)
    assert cache.check_entry(entry) is None
    warmcall.load(export)
    assert len(loads) == 1  # served


def _fail_parquet_writes(monkeypatch, exc: Exception) -> None:
    def boom(self, *a, **k):
        raise exc

    monkeypatch.setattr(pl.DataFrame, "write_parquet", boom)


@pytest.mark.parametrize(
    "exc",
    [
        pl.exceptions.ComputeError(
            "parquet: File out of specification: underlying IO error: No space left on "
            "device (os error 28)"
        ),  # what polars 2.1 raises on a full disk (checked on a 64 KiB tmpfs)
        OSError(errno.ENOSPC, "No space left on device"),
        PermissionError(errno.EACCES, "Permission denied"),
        OSError(errno.EROFS, "Read-only file system"),
    ],
    ids=["polars-compute-error", "enospc", "eacces", "erofs"],
)
def test_cache_write_failure_falls_back_with_one_note(export, capsys, monkeypatch, exc):
    plain = warmcall.load(export, cache=False)
    _fail_parquet_writes(monkeypatch, exc)
    capsys.readouterr()
    wb = warmcall.load(export)  # served from memory while the entry is written
    cache.wait_writes()
    assert_same(plain, wb)
    (note,) = cache_notes(capsys.readouterr().err)
    assert "loaded without the cache" in note and type(exc).__name__ in note
    assert list(cache_root(export).iterdir()) == []  # no entry, no temporary folder


def test_cache_under_a_file_is_unwritable_not_fatal(export, monkeypatch, capsys):
    blocker = export.parent / "blocker"
    blocker.write_text("x")
    monkeypatch.setenv("WARMCALL_CACHE_DIR", str(blocker / "cache"))  # a real OS error
    wb = warmcall.load(export)
    assert_same(warmcall.load(export, cache=False), wb)
    (note,) = cache_notes(capsys.readouterr().err)
    assert "Not a directory" in note and str(blocker) in note


def test_file_size_limit_in_a_real_process_falls_back(export):
    """``ulimit -f``: every cache file larger than the limit fails with EFBIG; the load
    still succeeds (exit 0, the full report) and leaves no entry or temporary folder."""
    import resource

    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_FSIZE, (600, 600)); "
        "from warmcall.run.cli import main; sys.exit(main(sys.argv[1:]))"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    r = subprocess.run([sys.executable, "-c", code, "load", str(export), "--json"],
                       capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["rows_read"] == 7 + 1  # 3 + 4 + 1 records, by hand above
    (note,) = cache_notes(r.stderr)
    assert "File too large" in note
    assert list(cache_root(export).iterdir()) == []
    assert resource.getrlimit(resource.RLIMIT_FSIZE)  # (the limit was the child's only)


def test_prune_removes_temporary_folders_of_killed_writes(export, loads):
    """A cache write killed with SIGKILL leaves its temporary folder; the next prune removes
    it (its writer is gone), and an unreadable-name leftover once it is an hour old; the
    temporary folder of a live writer stays."""
    code = (
        "import os, signal, sys, polars as pl; from warmcall.ingest import cache, load\n"
        "real = pl.DataFrame.write_parquet\n"
        "def killed(self, path, *a, **k):\n"
        "    real(self, path, *a, **k)\n"
        "    if str(path).endswith('accounts.parquet'): os.kill(os.getpid(), signal.SIGKILL)\n"
        "pl.DataFrame.write_parquet = killed\n"
        f"load.load({str(export)!r})\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    r = subprocess.run([sys.executable, "-c", code], env=env, timeout=120, capture_output=True)
    assert r.returncode == -signal.SIGKILL, r.stderr
    root = cache_root(export)
    (killed,) = [p for p in root.iterdir() if p.name.startswith(".")]
    assert (killed / "accounts.parquet").is_file() and entries(export) == []
    old_style = root / ".0123abcd.k2j4h5"  # a name without a writer: judged by its age
    old_style.mkdir()
    live = Path(tempfile.mkdtemp(prefix=cache._temp_prefix("f" * 64), dir=root))  # ours
    cache.prune(root)
    assert not killed.exists() and old_style.exists() and live.exists()
    hour_ago = time.time() - cache.STALE_TEMP_S - 60
    os.utime(old_style, (hour_ago, hour_ago))
    warmcall.load(export)  # a miss: writes its entry, then prunes
    cache.wait_writes()
    assert not old_style.exists() and live.exists()
    assert len(entries(export)) == 1 and len(loads) == 1


POSTS = "account_id,platform,post_id,ts,likes\nx:me,x,p1,2026-11-01T09:00:00Z,{}\n"


def test_merged_records_keep_every_source_through_the_cache(export, tmp_path):
    """A connection and a post that two files describe are merged into one row each; the
    cache stores no "<file>:<line>" text (it builds it when read), yet both records' sources
    come back, in load order, as the uncached load gives them."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "connections.csv").write_text(
        "account_id,platform,contact_id,handle,bio\nx:me,x,2,bob,hello\n", encoding="utf-8"
    )
    (export / "posts.csv").write_text(POSTS.format(3), encoding="utf-8")
    (other / "posts.csv").write_text(POSTS.format(5), encoding="utf-8")
    plain = warmcall.load(export, other, cache=False)
    warmcall.load(export, other)  # fills the cache
    cached = warmcall.load(export, other)
    assert isinstance(cached, LazyWorkbook)
    assert_same(plain, cached)
    bob = cached.connections.filter(pl.col("contact_id") == "2").row(0, named=True)
    assert bob["bio"] == "hello" and bob["handle"] == "bob"
    first, second = bob["source"].split("; ")
    # a CSV record's line is its line in the file (the header is line 1)
    assert first.endswith("connections.csv:3") and str(export.name) in first
    assert second.endswith("connections.csv:2") and str(other.name) in second
    post = cached.posts.row(0, named=True)
    assert cached.posts.height == 1 and post["likes"] == 5  # counts only grow
    assert [s.rsplit(":", 1)[1] for s in post["source"].split("; ")] == ["2", "2"]
    alice = cached.connections.filter(pl.col("contact_id") == "1")["source"].item()
    assert alice.endswith("connections.csv:2") and "; " not in alice
    stored = pl.read_parquet_schema(cache_root(export) / entries(export)[0] / "connections.parquet")
    assert "source" not in stored and {"_fid", "_line", "_src"} <= set(stored)


def test_account_signals_from_the_keyed_interactions_equal_the_plain_ones(tmp_path, monkeypatch):
    """``observability.account_signals`` reads a cached workbook's interactions by contact key
    (then per account); the signals equal those of the uncached tables, account by account,
    on random interactions of several accounts and platforms."""
    from warmcall.model.observability import account_signals

    rng = np.random.default_rng(11)
    n = 3000
    acct = rng.choice(["x:me", "x:brand", "bluesky:me"], n)
    rows = ["account_id,platform,contact_id,ts,kind,direction"]
    for i in range(n):
        plat = acct[i].split(":")[0]
        kind = rng.choice(["dm", "like", "reply"]) if acct[i] != "x:brand" else "like"
        way = rng.choice(["in", "out"]) if acct[i] != "bluesky:me" else "out"
        rows.append(f"{acct[i]},{plat},c{rng.integers(0, 200)},2026-10-{1 + i % 28:02d}T10:00:00Z,"
                    f"{kind},{way}")  # fmt: skip
    export = cached_export(tmp_path, monkeypatch, {"interactions.csv": "\n".join(rows) + "\n"})
    cached = warmcall.load(export)
    assert cached.keyed_interactions() is not None
    keys = ["account_id", "platform"]
    got = account_signals(cached).sort(keys)
    want = account_signals(warmcall.load(export, cache=False)).sort(keys)
    assert got.height == 3 and got.equals(want)
    brand = got.filter(pl.col("account_id") == "x:brand").row(0, named=True)
    assert brand["inbound"] and not brand["messages_in"]  # likes only: no messages


def test_inbound_engagement_from_the_keyed_interactions_equals_the_plain_one():
    """``lists.inbound_engagement`` grouped by the integer contact key, then named, equals
    the grouping by the three key columns (random interactions, some outside the window)."""
    from warmcall.model.lists import inbound_engagement

    df = _random_interactions(5, n=4000)
    keys = ["account_id", "platform", "contact_id"]
    ids = df.select(keys).unique(maintain_order=True).with_row_index("_ck")
    keyed = df.join(ids, on=keys, maintain_order="left").drop(keys)
    as_of, weights = date(2026, 6, 1), {"like": 1.0, "reply": 3.0, "dm": 5.0}
    plain = inbound_engagement(df, as_of, 90, weights).sort(keys)
    fast = inbound_engagement(keyed, as_of, 90, weights, contact_keys=ids).sort(keys)
    assert plain.height > 50 and fast.equals(plain)
