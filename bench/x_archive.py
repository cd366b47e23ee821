"""Benchmark: load a large X/Twitter archive zip with ``warmcall.load``.

Synthetic canonical frames (NumPy, seeded) -> ``warmcall.sample.x_archive.write`` (a real
archive layout: pretty-printed ``tweets.js`` + ``tweets-part1.js``, ``follower.js``,
``following.js``, ``direct-messages.js``, ``note-tweet.js``) -> ``warmcall.load(zip)``, timed
``repeats`` times; the median is reported. Run ``python bench/x_archive.py`` for JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import zipfile
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import polars as pl
import warmcall
from warmcall.sample import x_archive as writer

ACCOUNT = "x:benchmark"
TS = pl.Datetime("us", "UTC")
START = int(datetime(2023, 1, 1, tzinfo=UTC).timestamp())
SPAN = 3 * 365 * 86400  # three years of activity, in seconds


def synthetic_tables(
    n_tweets: int, n_followers: int, seed: int = 20261113
) -> dict[str, pl.DataFrame]:
    """Canonical tables of one X account: ``n_followers`` followers, ``n_followers // 5``
    followed (half of them mutual), ``n_tweets`` posts (10% retweets, 1% long posts), replies
    and mentions on a third of the posts, and DMs/reactions with 2% of the contacts."""
    rng = np.random.default_rng(seed)
    n_following = max(1, n_followers // 5)
    ids = (2_000_000_000 + rng.permutation(n_followers + n_following // 2) * 7).astype(str)
    followers = ids[:n_followers]
    following = np.concatenate([followers[: n_following // 2], ids[n_followers:]])[:n_following]
    contacts = np.unique(np.concatenate([followers, following]))
    conns = pl.DataFrame({"contact_id": contacts}).with_columns(
        follows_me=pl.col("contact_id").is_in(followers.tolist()),
        i_follow=pl.col("contact_id").is_in(following.tolist()),
        account_id=pl.lit(ACCOUNT),
        platform=pl.lit("x"),
    )

    secs = np.sort(rng.choice(SPAN, size=n_tweets, replace=False)) + START
    post_ids = (1_600_000_000_000_000_000 + np.arange(n_tweets) * 4096).astype(str)
    kind = rng.random(n_tweets)
    is_rt = kind < 0.10
    is_long = (kind >= 0.10) & (kind < 0.11)
    who = rng.integers(0, len(contacts), n_tweets)
    words = np.array(["data", "research", "survey", "insight", "market", "R&D", "<3", "team"])
    body = np.array([" ".join(w) for w in words[rng.integers(0, len(words), (n_tweets, 8))]])
    text = np.where(
        is_rt,
        np.char.add(np.char.add("RT @u", contacts[who]), ": shared thoughts on data"),
        np.where(is_long, np.char.multiply(body, 6), body),
    )
    posts = pl.DataFrame(
        {
            "account_id": ACCOUNT,
            "platform": "x",
            "post_id": post_ids,
            "ts": pl.Series(secs * 1_000_000).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
            "text": text.astype(str),
            "is_repost": is_rt,
            "likes": rng.negative_binomial(1, 0.1, n_tweets),
            "shares": rng.negative_binomial(1, 0.5, n_tweets),
        }
    )
    reply = ~is_rt & (rng.random(n_tweets) < 0.2)
    mention = ~is_rt & (rng.random(n_tweets) < 0.15)
    other = rng.integers(0, len(contacts), n_tweets)
    # share -> the RT'd contact; reply -> who; mention -> another contact (a mention of the
    # replied-to person is not a separate interaction)
    sel = [(np.flatnonzero(is_rt), who, "share"), (np.flatnonzero(reply), who, "reply"),
           (np.flatnonzero(mention), other, "mention")]  # fmt: skip
    tw = pl.concat(
        [
            pl.DataFrame(
                {"i": i, "contact_id": contacts[c[i]], "kind": [k] * len(i)},
                schema={"i": pl.Int64, "contact_id": pl.String, "kind": pl.String},
            )
            for i, c, k in sel
        ]  # fmt: skip
    )
    tw = tw.with_columns(post_id=posts["post_id"][tw["i"]], ts=posts["ts"][tw["i"]])
    tw = tw.unique(subset=["post_id", "contact_id"], keep="first", maintain_order=True)
    n_dm = max(1, n_tweets // 10)
    dm_contacts = contacts[rng.integers(0, max(1, len(contacts) // 50), n_dm)]
    dm_ms = START * 1000 + rng.choice(SPAN * 1000, size=n_dm, replace=False)
    dm_kind = np.where(rng.random(n_dm) < 0.1, "reaction", "dm")
    dms = pl.DataFrame(
        {
            "contact_id": dm_contacts,
            "ts": pl.Series(dm_ms * 1000).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
            "kind": dm_kind,
            "direction": np.where(rng.random(n_dm) < 0.5, "in", "out"),
            "post_id": pl.Series([None] * n_dm, dtype=pl.String),
        }
    )
    inter = pl.concat(
        [tw.select("contact_id", "ts", "kind", pl.lit("out").alias("direction"), "post_id"), dms]
    ).with_columns(account_id=pl.lit(ACCOUNT), platform=pl.lit("x"))
    accounts = pl.DataFrame(
        {
            "account_id": [ACCOUNT],
            "platform": ["x"],
            "handle": ["benchmark"],
            "display_name": ["Benchmark"],
            "snapshot_date": [date(2026, 11, 13)],
        }
    )
    return {"accounts": accounts, "connections": conns, "posts": posts, "interactions": inter}


def bench_load_x_archive(
    tmpdir: str | Path, n_tweets: int = 100_000, n_followers: int = 50_000, repeats: int = 3
) -> dict:
    """Write a synthetic archive of ``n_tweets`` tweets and ``n_followers`` followers into
    ``tmpdir`` and time ``warmcall.load(zip)`` ``repeats`` times. Returns the median and all
    timings (seconds), the archive's sizes and the loaded row counts."""
    tmp = Path(tmpdir)
    tables = synthetic_tables(n_tweets, n_followers)
    t0 = time.perf_counter()
    path = writer.write(tables, ACCOUNT, tmp / "twitter-2026-11-13-bench.zip")
    write_s = time.perf_counter() - t0
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: i.file_size for i in zf.infolist()}
    times = []
    wb = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        wb = warmcall.load(path)
        times.append(time.perf_counter() - t0)
    assert wb is not None
    return {
        "benchmark": "load_x_archive",
        "n_tweets": n_tweets,
        "n_followers": n_followers,
        "repeats": repeats,
        "median_s": round(statistics.median(times), 3),
        "times_s": [round(t, 3) for t in times],
        "write_s": round(write_s, 3),
        "zip_bytes": path.stat().st_size,
        "uncompressed_bytes": sum(members.values()),
        "members": {k: v for k, v in sorted(members.items()) if k.startswith("data/")},
        "rows": {name: df.height for name, df in wb.tables().items()},
        "input_rows": {name: df.height for name, df in tables.items()},
        "rows_read": wb.report.rows_read,
        "rows_rejected": wb.report.rows_rejected,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tweets", type=int, default=100_000)
    ap.add_argument("--followers", type=int, default=50_000)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        print(json.dumps(bench_load_x_archive(d, a.tweets, a.followers, a.repeats), indent=2))


if __name__ == "__main__":
    main()
