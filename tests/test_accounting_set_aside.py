"""Set-aside rows and signals in the load accounting: read = loaded + set aside + rejected."""

import json

import polars as pl
from warmcall.ingest.accounting import LoadReport, finalize
from warmcall.ingest.loaders.base import LoadResult


def _result() -> LoadResult:
    res = LoadResult()
    rep = res.file("a.zip!data/like.js", "x-archive", rows_read=5)
    rep.set_aside(3, "like given; its author is not in the export", activity="likes given",
                  account_id="x:me")  # fmt: skip
    rep.reject(5, "broken")
    rep.carries("x", "outbound")
    res.add("connections", [
        {"account_id": "x:me", "platform": "x", "contact_id": "1", "_file": "a.zip!data/like.js",
         "_line": 4}])  # fmt: skip
    return res


def test_set_aside_is_its_own_bucket():
    _, report = finalize(_result())
    (s,) = report.sources
    assert (s.rows_read, s.rows_loaded, s.rows_set_aside, s.rows_rejected) == (5, 1, 3, 1)
    assert s.balanced
    assert report.rows_set_aside == 3
    assert "set aside 3" in report.text()
    frame = report.set_aside_frame()
    assert frame.to_dicts() == [{"account_id": "x:me", "activity": "likes given",
                                 "reason": "like given; its author is not in the export", "rows": 3}]  # fmt: skip


def test_report_round_trips_through_json():
    _, report = finalize(_result())
    again = LoadReport.from_dict(json.loads(report.to_json()))
    assert again.to_dict() == report.to_dict()


def test_signal_without_account_goes_to_the_one_account_of_its_platform():
    _, report = finalize(_result())
    sig = report.signals()
    assert sig.select("account_id", "signal").to_dicts() == [
        {"account_id": "x:me", "signal": "outbound"}
    ]


def test_signal_dropped_when_platform_has_two_accounts():
    res = _result()
    res.add("connections", pl.DataFrame({"account_id": ["x:other"], "platform": ["x"],
                                         "contact_id": ["2"], "_file": ["b.csv"], "_line": [1]}))  # fmt: skip
    res.file("b.csv", "csv", rows_read=1)
    _, report = finalize(res)
    assert report.signals().height == 0


def test_old_reports_without_set_aside_still_read():
    d = {"sources": [{"path": "p", "format": "f", "rows_read": 2, "rows_loaded": 1,
                      "rows_rejected": 1}]}  # fmt: skip
    (s,) = LoadReport.from_dict(d).sources
    assert s.rows_set_aside == 0 and s.balanced
