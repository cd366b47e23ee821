"""Benchmark: an X archive folder whose tweets are split over many ``tweets-partN.js`` files
against the same tweets in one ``tweets.js`` (per-byte load speed should not depend on the
number of parts). Writes both folders under a temporary directory, loads each once with
``warmcall.load(cache=False)`` and prints MiB/s. ``python bench/x_parts.py --parts 20000
--per-part 1`` is the extreme case (20,000 files of one tweet each).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import warmcall

ACCOUNT_JS = 'window.YTD.account.part0 = [{"account": {"username": "alice", "accountId": "1"}}]'


def _tweet(i: int) -> dict:
    return {"tweet": {"id_str": str(i), "created_at": "Sat Aug 12 16:10:37 +0000 2023",
                      "full_text": f"hello {i}", "favorite_count": "1", "retweet_count": "0",
                      "entities": {"user_mentions": [{"id_str": "42", "screen_name": "bob"}]}}}  # fmt: skip


def write(root: Path, files: int, per_file: int) -> int:
    """An archive folder with ``files`` tweet files of ``per_file`` tweets; returns bytes."""
    d = root / "data"
    d.mkdir(parents=True)
    (d / "account.js").write_text(ACCOUNT_JS)
    for f in range(files):
        name = "tweets.js" if f == 0 else f"tweets-part{f}.js"
        items = [_tweet(f * per_file + j) for j in range(per_file)]
        (d / name).write_text(f"window.YTD.tweets.part{f} = " + json.dumps(items))
    return sum(p.stat().st_size for p in d.iterdir())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--parts", type=int, default=2000)
    ap.add_argument("--per-part", type=int, default=100)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for label, files, per in (("one file", 1, a.parts * a.per_part),
                                  (f"{a.parts} parts", a.parts, a.per_part)):  # fmt: skip
            root = Path(tmp) / label.replace(" ", "_")
            size = write(root, files, per)
            t = time.perf_counter()
            wb = warmcall.load(root, cache=False)
            dt = time.perf_counter() - t
            print(f"{label:>14}: {wb.posts.height:,} posts, {size / 2**20:.1f} MiB, "
                  f"{dt:.2f} s, {size / 2**20 / dt:.2f} MiB/s")  # fmt: skip


if __name__ == "__main__":
    main()
