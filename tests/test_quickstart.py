"""``warmcall init`` / ``warmcall quickstart``: the params file written from the exports.

Fixtures are canonical-table CSVs written here with plain ``csv``; the expected accounts and
date are computed from the rows written, not from warmcall's output.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import pytest
import yaml
from warmcall.core.params import load_params
from warmcall.core.resources import sample_params
from warmcall.run import cli, quickstart

ACCOUNTS = [
    # account_id, platform, handle, display_name, snapshot_date, followers
    ("x:alice", "x", "alice", "Alice Example", "2026-03-01", "1200"),
    ("linkedin:alice-example", "linkedin", "alice-example", "Alice Example", "2026-02-20", ""),
]
INTERACTIONS = [
    # account_id, platform, contact_id, ts, kind, direction
    ("x:alice", "x", "bob", "2026-03-04T10:00:00Z", "reply", "out"),
    ("x:alice", "x", "carol", "2026-02-01T09:00:00Z", "like", "in"),
    ("mastodon:alice@example.social", "mastodon", "dan@example.org", "2026-01-15T08:00:00Z",
     "mention", "out"),
]  # fmt: skip


def _write(folder: Path, name: str, header: list[str], rows: list[tuple]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / name, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def _exports(folder: Path, accounts: list[tuple] = ACCOUNTS) -> Path:
    _write(folder, "accounts.csv",
           ["account_id", "platform", "handle", "display_name", "snapshot_date", "followers"],
           accounts)  # fmt: skip
    _write(folder, "interactions.csv",
           ["account_id", "platform", "contact_id", "ts", "kind", "direction"], INTERACTIONS)  # fmt: skip
    return folder


def _expected() -> tuple[list[str], list[str], str]:
    """Account ids, platforms and the latest date, straight from the rows written above."""
    ids = {a[0]: a[1] for a in ACCOUNTS} | {i[0]: i[1] for i in INTERACTIONS}
    order = sorted(ids, key=lambda a: (ids[a], a))
    days = [a[4] for a in ACCOUNTS] + [i[3][:10] for i in INTERACTIONS]
    return order, sorted(set(ids.values())), max(days)


def test_init_writes_a_commented_params_file_that_reads_back(tmp_path: Path) -> None:
    data = _exports(tmp_path / "exports")
    target = tmp_path / "me.yaml"
    assert cli.main(["init", str(data), "--params", str(target)]) == 0

    ids, platforms, latest = _expected()
    p = load_params(target)
    raw = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert p.data == [data.resolve()]
    assert raw["data"] == ["exports"]  # inside the params folder: written relative
    assert p.accounts == ids
    assert p.platforms == platforms
    assert p.as_of.isoformat() == latest == "2026-03-04"
    sample = yaml.safe_load(sample_params().read_text(encoding="utf-8"))
    assert raw["segments"] == sample["segments"] and raw["relevance"] == sample["relevance"]
    text = target.read_text(encoding="utf-8")
    assert 'x:alice"  # Alice Example, 1,200 followers' in text
    assert "follower count not in this export" in text  # LinkedIn: no count, not 0
    # every key written carries a comment on its line or in the lines just above it
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line and not line.startswith((" ", "#", "-")):
            above = [x for x in lines[max(0, i - 3) : i] if x.startswith("#")]
            assert "#" in line or above, f"uncommented choice: {line}"


def test_init_refuses_to_overwrite_unless_forced(tmp_path: Path, capsys) -> None:
    data = _exports(tmp_path / "exports")
    target = tmp_path / "me.yaml"
    target.write_text("title: mine\n", encoding="utf-8")
    assert cli.main(["init", str(data), "--params", str(target)]) == 2
    assert "exists already" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "title: mine\n"
    assert cli.main(["init", str(data), "--params", str(target), "--force"]) == 0
    assert load_params(target).accounts == _expected()[0]


def test_init_paths_outside_the_params_folder_are_absolute(tmp_path: Path) -> None:
    data = _exports(tmp_path / "exports")
    target = tmp_path / "conf" / "me.yaml"
    quickstart.write_params([data], target)
    assert yaml.safe_load(target.read_text(encoding="utf-8"))["data"] == [str(data.resolve())]
    assert load_params(target).data == [data.resolve()]


def test_unusable_input_is_one_line_and_writes_nothing(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "notes.txt"
    bad.write_text("hello\n", encoding="utf-8")
    target = tmp_path / "me.yaml"
    assert cli.main(["init", str(bad), "--params", str(target)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "notes.txt" in err[0]
    assert not target.exists()


def test_hostile_names_stay_inside_comments_and_strings(tmp_path: Path) -> None:
    evil = "Eve\nredact: true\u2028window_days: 1\u0085# \x1b[31m"
    accounts = [("x:eve", "x", "eve", evil, "2026-03-01", "5")]
    data = _exports(tmp_path / 'exp"orts: [x]', accounts)
    target = tmp_path / "me.yaml"
    quickstart.write_params([data], target)
    p = load_params(target)  # strict: an injected key would be an error or change a value
    assert p.redact is False and p.window_days == 90
    assert p.data == [data.resolve()]
    text = target.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\u2028" not in text and "\u0085" not in text
    line = next(x for x in text.splitlines() if x.startswith('  - "x:eve"'))
    assert "Eve redact: true" in line  # the name, flattened into its comment


def test_quickstart_writes_next_to_the_output_then_reuses(tmp_path: Path, monkeypatch) -> None:
    data = _exports(tmp_path / "exports")
    runs: list[argparse.Namespace] = []
    monkeypatch.setattr("warmcall.run.report_command.main_report", lambda a: runs.append(a) or 0)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["quickstart", str(data), "--out", "site/reports"]) == 0
    written = tmp_path / "site" / quickstart.PARAMS_NAME
    assert runs[-1].params == [written] and runs[-1].out == Path("site/reports")
    assert load_params(written).accounts == _expected()[0]

    edited = written.read_text(encoding="utf-8").replace("window_days: 90", "window_days: 30")
    written.write_text(edited, encoding="utf-8")
    assert cli.main(["quickstart", str(data), "--out", "site/reports"]) == 0
    assert written.read_text(encoding="utf-8") == edited  # reused as it is
    assert len(runs) == 2 and runs[-1].params == [written]


def test_version_is_the_package_version() -> None:
    import tomllib

    want = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
    with pytest.raises(SystemExit) as e:
        cli.main(["--version"])
    assert e.value.code == 0
    import warmcall

    assert warmcall.__version__ == want["version"]
