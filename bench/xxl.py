"""The XXL benchmark data: one brand at 10× scale L (10M contacts, 100M interactions).

``warmcall.sample.story.generate`` builds a scale in memory (NumPy), which at 10× L would
not fit beside the load it is meant to test. XXL is therefore generated as ``SHARDS`` runs
of the story at scale L with seeds ``seed, seed + 1, …``, each shard's contacts and posts
made distinct by a prefix (``z<shard>``: contact ids, handles, post ids), and written shard
by shard into one canonical Parquet folder (``accounts``, ``connections``, ``interactions``,
``posts``, ``touchpoints.csv``): the same four accounts, their follower and following counts
summed over the shards.

Generated once into ``<warmcall cache dir>/bench/xxl-<key>/canonical`` (``key``: the
story's source digest, ``VERSION`` of this generator and the seed): about 10 minutes on 2
cores; later runs reuse it.

    python bench/xxl.py [--seed 7]   # generate (or find) it; prints the folder
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import time
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
VERSION = 1
SHARDS = 10
SEED = 7


def key(seed: int = SEED) -> str:
    src = (ROOT / "lib" / "warmcall" / "sample" / "story.py").read_bytes()
    return hashlib.sha256(src + f"|xxl v{VERSION}|{SHARDS}|{seed}".encode()).hexdigest()[:16]


def folder(seed: int = SEED) -> Path:
    from warmcall.ingest.cache import cache_dir

    return cache_dir() / "bench" / f"xxl-{key(seed)}"


def _prefixed(tables: dict[str, pl.DataFrame], shard: int) -> dict[str, pl.DataFrame]:
    z = f"z{shard}"
    pre = {"contact_id", "handle", "post_id"}
    out = {}
    for name, df in tables.items():
        out[name] = df.with_columns(
            [
                (pl.lit(z) + pl.col(c)).alias(c)
                for c in df.columns
                if c in pre and name != "accounts"
            ]
        )
    return out


def generate(seed: int = SEED) -> Path:
    """The XXL canonical folder (module docstring), generated when missing."""
    from warmcall.sample.story import SCALES
    from warmcall.sample.story import generate as story

    base = folder(seed)
    out = base / "canonical"
    if (base / ".complete").exists():
        return out
    shutil.rmtree(base, ignore_errors=True)
    out.mkdir(parents=True)
    t0 = time.perf_counter()
    writers: dict[str, pq.ParquetWriter] = {}
    accounts: list[pl.DataFrame] = []
    touch: list[pl.DataFrame] = []
    try:
        for shard in range(SHARDS):
            tables = _prefixed(story(SCALES["L"], seed=seed + shard), shard)
            for name in ("connections", "interactions", "posts"):
                arrow = tables[name].to_arrow()
                if name not in writers:
                    writers[name] = pq.ParquetWriter(
                        out / f"{name}.parquet", arrow.schema, compression="zstd"
                    )
                writers[name].write_table(arrow, row_group_size=1 << 20)
            accounts.append(tables["accounts"])
            touch.append(tables["touchpoints"])
            del tables
            print(f"xxl: shard {shard + 1}/{SHARDS}", file=sys.stderr, flush=True)
    finally:
        for w in writers.values():
            w.close()
    acc = pl.concat(accounts)
    sums = ("followers", "following", "posts_count")
    acc = (
        acc.group_by("account_id", maintain_order=True)
        .agg(
            *[
                pl.col(c).sum() if c in sums else pl.col(c).first()
                for c in acc.columns
                if c != "account_id"
            ]
        )
        .select(acc.columns)
    )
    acc.write_parquet(out / "accounts.parquet")
    pl.concat(touch).sort("date").write_csv(out / "touchpoints.csv")
    (base / "generate_s").write_text(f"{time.perf_counter() - t0:.1f}\n")
    (base / ".complete").write_text(key(seed) + "\n")
    return out


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=SEED)
    print(generate(ap.parse_args().seed))
