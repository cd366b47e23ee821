"""``warmcall report`` checks the exports before any notebook runs: an export that yields
nothing is one line naming it (exit 2), and nothing is written."""

from __future__ import annotations

import pytest
from browser import make_project
from warmcall.core.errors import InputError
from warmcall.run import cli, report

BROKEN = (  # the Notes: preamble makes it a LinkedIn export; the header lacks Connected On
    'Notes:\n"When exporting your connection data, you may notice that some of the email '
    'addresses are missing."\n\nFirst Name,Last Name,URL\nAlice,Example,x\n'
)


def test_report_refuses_an_export_that_yields_nothing(tmp_path, capsys, monkeypatch):
    export = tmp_path / "Basic_LinkedInDataExport_01-15-2022"
    export.mkdir()
    (export / "Connections.csv").write_text(BROKEN, encoding="utf-8")
    files = make_project(tmp_path / "proj", {"a": f"title: a\ndata: [{export}]\n"})
    out = tmp_path / "reports"
    with pytest.raises(InputError) as e:
        report.run_reports(files, out, progress=False, root=tmp_path / "proj")
    msg = str(e.value)
    assert msg.startswith(f"{export}: nothing could be loaded from this LinkedIn export")
    assert "Connections.csv" in msg
    assert not out.exists() or not any(out.rglob("*.html"))  # no notebook ran
    # the command line: one line on stderr, exit code 2
    monkeypatch.chdir(tmp_path / "proj")
    rc = cli.main(["report", "-p", str(files[0]), "-o", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "nothing could be loaded" in err


def test_large_inputs_are_checked_in_a_child_process(tmp_path, monkeypatch):
    # inputs the table cache takes are loaded in a short-lived process (its memory is not
    # held by the report runner); its InputError comes back as the same one line
    from warmcall.ingest.load import check_exports

    monkeypatch.setenv("WARMCALL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WARMCALL_CACHE_MIN_BYTES", "1")
    export = tmp_path / "Basic_LinkedInDataExport_01-15-2022"
    export.mkdir()
    (export / "Connections.csv").write_text(BROKEN, encoding="utf-8")
    with pytest.raises(InputError, match="nothing could be loaded from this LinkedIn export"):
        check_exports({"data": [str(export)]})


def test_the_check_process_is_stopped_at_its_limit(tmp_path, monkeypatch, capsys):
    """The short-lived check (and fill) process gets a time limit: past it, it is stopped
    with one line naming the export, and the runner goes on (the notebooks load for
    themselves); a table cache entry it had written stays usable."""
    import time

    import fixtures_workers
    from warmcall.ingest import cache
    from warmcall.ingest.load import check_exports

    monkeypatch.setenv("WARMCALL_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("WARMCALL_CACHE_MIN_BYTES", "1")
    export = tmp_path / "canonical"
    export.mkdir()
    (export / "connections.csv").write_text(
        "account_id,platform,contact_id,handle,follows_me\nx:me,x,1,alice,true\n", encoding="utf-8"
    )
    t0 = time.monotonic()
    check_exports({"data": [str(export)]}, fixtures_workers.sleeps, 8)
    assert time.monotonic() - t0 < 40
    (line,) = capsys.readouterr().err.splitlines()
    assert "took over 8 s" in line and str(export) in line
    assert not cache.needs_fill([str(export)], None, None)  # filled before the follow-up
