"""The seeded Northwind sample: deterministic, the story's proportions, committed copy current."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import warmcall as wc
from warmcall.sample.story import generate

ROOT = Path(__file__).resolve().parents[1]


def test_same_seed_same_tables() -> None:
    a, b = generate(seed=11), generate(seed=11)
    for t in a:
        assert a[t].equals(b[t]), t
    assert not generate(seed=12)["interactions"].equals(a["interactions"])


def test_story_proportions() -> None:
    t = generate()
    followers = t["accounts"]["followers"].sum()
    assert 15_000 <= followers <= 19_000  # "about 17,000 followers in all"
    platforms = {"x", "linkedin", "instagram", "mastodon", "bluesky", "newsletter"}
    assert set(t["accounts"]["platform"]) == platforms
    ts = t["interactions"]["ts"]
    assert (ts.max() - ts.min()).days <= 365
    # heavy tail: the top 1% of contacts hold far more than 1% of all contact followers
    cf = t["connections"]["contact_followers"].sort(descending=True)
    assert cf.head(len(cf) // 100).sum() / cf.sum() > 0.2
    # most followers are silent
    engaged = t["interactions"].filter(pl.col("direction") == "in")["contact_id"].n_unique()
    assert engaged / followers < 0.2


def test_committed_sample_is_loadable_and_small() -> None:
    d = ROOT / "data" / "sample"
    size = sum(f.stat().st_size for f in d.rglob("*") if f.is_file())
    assert size < 10 * 2**20
    wb = wc.load(d)
    assert wb.report.rows_rejected == 0
    assert wb.connections.height > 10_000


def test_spam_share_is_flagged(tmp_path: Path) -> None:
    """17% of the story's contacts are spam or mass-following; with full profiles (the
    canonical layout), hygiene flags about that many."""
    from warmcall.sample.story import write_canonical

    write_canonical(generate(), str(tmp_path))
    s = wc.score(wc.load(tmp_path), ROOT / "params" / "sample.yaml")
    assert 0.13 <= s["flagged"].mean() <= 0.25
