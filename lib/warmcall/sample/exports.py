"""The Northwind story in the platforms' real export layouts (``warmcall sample``).

Writes into one folder, as a user's downloads would look:
- ``twitter-<date>-<hash>.zip``: the X archive (``sample.x_archive``);
- ``x_followers_users.jsonl``: X API v2 user objects of the followers, as archiving tools
  write them: the archive has follower ids only, these fill in handles, bios and counts;
- ``Basic_LinkedInDataExport_<date>.zip`` (``sample.linkedin``);
- ``instagram-<user>-<date>.zip`` (``sample.instagram``);
- ``archive-<timestamp>-<hex>.zip`` and ``following_accounts.csv`` (``sample.mastodon``);
- ``<handle>.car`` and ``bluesky-followers-<handle>.json``: the Bluesky repository export and
  a saved followers page (``sample.bluesky``);
- ``email_list.<publication>.csv``: the newsletter's Substack subscriber list (``sample.substack``);
- ``touchpoints.csv``: the offline log.

What each format cannot carry (inbound likes and comments, impressions on most platforms,
follow dates on X) is lost on the way, exactly as it is for real users; the canonical
story (``warmcall sample --format csv``) keeps everything.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl

from warmcall.sample import bluesky, instagram, linkedin, mastodon, substack, x_archive
from warmcall.sample.story import END, OWN

WRITERS = {"x": x_archive, "linkedin": linkedin, "instagram": instagram, "mastodon": mastodon,
           "bluesky": bluesky, "newsletter": substack}  # fmt: skip


def _of(tables: dict[str, pl.DataFrame], account_id: str) -> dict[str, pl.DataFrame]:
    return {
        k: v.filter(pl.col("account_id") == account_id)
        for k, v in tables.items()
        if "account_id" in v.columns
    }


def x_users_jsonl(connections: pl.DataFrame) -> str:
    """X API v2 user objects (one JSON per line) for the X contacts with a known handle."""
    lines = []
    for r in connections.filter(pl.col("platform") == "x").sort("contact_id").iter_rows(named=True):
        lines.append(json.dumps({
            "id": r["contact_id"], "username": r["handle"], "name": r["display_name"],
            "description": r["bio"] or "", "location": r["location"] or "",
            "public_metrics": {"followers_count": r["contact_followers"], "following_count": r["contact_following"]},
        }, ensure_ascii=False))  # fmt: skip
    return "\n".join(lines) + "\n"


def write_exports(tables: dict[str, pl.DataFrame], out: str | os.PathLike[str]) -> list[Path]:
    """Write every account of ``tables`` in its platform's export layout into ``out``."""
    d = Path(out)
    d.mkdir(parents=True, exist_ok=True)
    written = []
    for platform, handle in OWN.items():
        acct = f"{platform}:{handle}"
        t = _of(tables, acct)
        if platform == "x":
            target = d / f"twitter-{END.isoformat()}-5f3a9c.zip"
        elif platform == "linkedin":
            target = d / f"Basic_LinkedInDataExport_{END:%m-%d-%Y}.zip"
        else:
            target = d
        written.append(Path(WRITERS[platform].write(t, acct, target)))
    users = d / "x_followers_users.jsonl"
    users.write_text(x_users_jsonl(tables["connections"]), encoding="utf-8")
    written.append(users)
    tp = d / "touchpoints.csv"
    tables["touchpoints"].write_csv(tp)
    written.append(tp)
    return written
