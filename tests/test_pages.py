"""Week-over-week change and the sentences reports lead with, on hand-made snapshots."""

from __future__ import annotations

from warmcall.model.pipeline import analyse
from warmcall.present import audit, outreach, overview


def test_change_since_previous_run() -> None:
    history = [
        (
            "2026-10-30",
            {"followers": 900, "engaged": 10, "two_way": 4, "trusted": 1, "er_followers": 0.01},
        ),
        (
            "2026-11-06",
            {"followers": 1000, "engaged": 12, "two_way": 5, "trusted": 2, "er_followers": 0.02},
        ),
        (
            "2026-11-13",
            {"followers": 5, "engaged": 5, "two_way": 5, "trusted": 5},
        ),  # same day: not "previous"
    ]
    now = {
        "as_of": "2026-11-13",
        "followers": 1100,
        "engaged": 11,
        "two_way": 5,
        "trusted": 2,
        "er_followers": 0.01,
    }
    t = overview.change_table(now, history)
    rows = {r["metric"]: r for r in t.iter_rows(named=True)}
    assert rows["followers"]["previous"] == 1000 and rows["followers"]["change"] == 100
    assert rows["followers"]["change_pct"] == 0.1
    assert rows["engaged"]["change"] == -1
    assert set(t["since"]) == {"2026-11-06"}
    assert overview.change_sentence(t) == (
        "Since 2026-11-06: followers +100, engaged -1, two-way +0, trusted +0: only the follower count grew."
    )


def test_relationships_growing_and_first_run() -> None:
    history = [("2026-11-06", {"followers": 1000, "engaged": 12, "two_way": 5, "trusted": 2})]
    now = {"as_of": "2026-11-13", "followers": 990, "engaged": 12, "two_way": 7, "trusted": 2}
    assert overview.change_sentence(overview.change_table(now, history)).endswith(
        "relationships are growing."
    )
    empty = overview.change_table(now, [])
    assert empty.height == 0
    assert overview.change_sentence(empty).startswith("This is the first run")


def test_redact_true_pseudonymizes_every_table(tmp_path) -> None:
    """With redact: true no handle or name of the sample appears in what reports display."""
    from pathlib import Path

    import polars as pl
    import yaml

    root = Path(__file__).resolve().parents[1]
    raw = yaml.safe_load((root / "params" / "sample.yaml").read_text())
    raw["data"] = [str(root / "data" / "sample")]
    plain = analyse(raw)
    secret = plain.scores.filter(pl.col("handle").is_not_null()).sort("quality", descending=True)
    handles = set(secret["handle"].head(50)) | set(secret["display_name"].drop_nulls().head(50))
    red = analyse({**raw, "redact": True, "redact_key_file": str(tmp_path / "redact.key")})
    shown = [
        audit.ranked_contacts(red),
        audit.influential(red),
        audit.follow_back(red),
        outreach.plan_table(outreach.outreach_plan(red).plan),
    ]
    text = " ".join(df.write_csv() for df in shown)
    leaked = [h for h in handles if h and h in text]
    assert not leaked, leaked[:5]
    assert red.scores.height == plain.scores.height
    assert red.scores["quality"].sort().equals(plain.scores["quality"].sort())  # same analysis
