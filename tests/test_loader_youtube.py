"""YouTube from Google Takeout: subscriptions, comments in the pre- and post-June-2024
formats, the channel file. Fixtures are written here in the documented layouts; expected
counts come from reading the fixture text with the csv module."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
import warmcall
from warmcall.ingest.loaders import LOADERS, youtube
from warmcall.ingest.sources import Source
from warmcall.run import cli

ME = "UCaaaaaaaaaaaaaaaaaaaaaa"  # UC + 22
CH1, CH2, CH3 = "UCbbbbbbbbbbbbbbbbbbbbbb", "UCcccccccccccccccccccccc", "UCdddddddddddddddddddd-_"
BASE = "Takeout/YouTube and YouTube Music/"
SUBS = (
    "Channel Id,Channel Url,Channel Title\n"
    f'{CH1},http://www.youtube.com/channel/{CH1},"Bee, the channel"\n'
    f"{CH2},http://www.youtube.com/channel/{CH2},Sea\n"
    f"not-an-id,http://www.youtube.com/channel/x,Broken\n"
    f"{CH3},http://www.youtube.com/channel/{CH3},Dee\n"
)


def seg_old(text: str) -> str:
    return json.dumps({"takeoutSegments": [{"text": text}]})


def seg_new(*texts: str) -> str:
    return ",".join(json.dumps({"text": t}) for t in texts)


def to_csv(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue() + "\n\n"  # real Takeout files end with blank lines


OLD_COMMENTS = to_csv(
    ["Comment ID", "Channel ID", "Comment Create Timestamp", "Price", "Parent Comment ID",
     "Video ID", "Comment Text"],
    [["Ugx1", ME, "2023-09-19T17:42:53.434647+00:00", "0", "", "WtOskFeLmr4", seg_old("nice, really")],
     ["Ugx2.9i", ME, "2023-08-30T01:54:46.801024+00:00", "0", "Ugx2", "jH39c5-y6kg",
      seg_old('line one\nline "two"')],
     ["Ugx3", ME, "not a time", "0", "", "abc", seg_old("bad time")]],
)  # fmt: skip
NEW_COMMENTS = to_csv(
    ["Channel ID", "Comment Create Timestamp", "Price", "Comment ID", "Parent Comment ID",
     "Video ID", "Comment Text"],
    [[ME, "2024-07-14T07:39:35.956042+00:00", "0", "Ugy1", "", "rWVAzS6duAs",
      seg_new("> quote", "\n", "reply")],
     [ME, "2016-01-29T18:26:53.255+00:00", "0", "Ugy2", "", "ZuvK-oe647c", seg_new("great")]],
)  # fmt: skip
CHANNEL = f"Channel ID,Channel Title (Original),Channel Visibility\n{ME},Alice's channel,Public\n"


def export(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(BASE + name, text)
    return path


def rows_of(text: str) -> list[dict]:
    return [r for r in csv.DictReader(io.StringIO(text)) if any(r.values())]


def _rep(wb, suffix: str):
    (r,) = [s for s in wb.report.sources if s.path.endswith(suffix)]
    return r


@pytest.fixture
def takeout(tmp_path: Path) -> Path:
    return export(tmp_path / "takeout-20250301T000000Z-001.zip", {
        "subscriptions/subscriptions.csv": SUBS, "comments/comments.csv": OLD_COMMENTS,
        "comments/comments(1).csv": NEW_COMMENTS, "channels/channel.csv": CHANNEL,
        "history/watch-history.json": "[]",
    })  # fmt: skip


def test_registered_and_detected(takeout: Path) -> None:
    assert youtube in LOADERS
    assert youtube.detect(Source.open(takeout))


def test_takeout(takeout: Path) -> None:
    wb = warmcall.load(takeout, cache=False)
    acct = f"youtube:{ME}"
    subs = rows_of(SUBS)
    valid = [r for r in subs if r["Channel Id"].startswith("UC") and len(r["Channel Id"]) == 24]
    rep = _rep(wb, "subscriptions.csv")
    assert (rep.rows_read, rep.rows_loaded, rep.rows_rejected) == (len(subs), len(valid), 1)
    assert rep.rejects == [{"line": 4, "reason": "not a channel id"}]
    con = wb.connections.sort("contact_id")
    assert con["contact_id"].to_list() == sorted(r["Channel Id"] for r in valid)
    assert con["display_name"].to_list()[0] == "Bee, the channel"
    assert con["i_follow"].all() and con["follows_me"].null_count() == con.height
    assert set(con["account_id"]) == {acct}

    # comments: all set aside on the writing channel's account, bad times rejected
    old, new = rows_of(OLD_COMMENTS), rows_of(NEW_COMMENTS)
    co = _rep(wb, "comments/comments.csv")
    assert (co.rows_read, co.rows_loaded, co.rows_set_aside, co.rows_rejected) == (
        len(old),
        0,
        2,
        1,
    )
    assert co.set_aside == [{"reason": youtube.COMMENT_REASON, "rows": 2,
                             "activity": "comments given", "account_id": acct}]  # fmt: skip
    assert youtube.COMMENTS_NOTE in co.notes
    c2 = _rep(wb, "comments(1).csv")
    assert (c2.rows_read, c2.rows_set_aside) == (len(new), len(new))
    assert wb.interactions.height == 0

    a = wb.accounts.row(0, named=True)
    assert (a["account_id"], a["display_name"]) == (acct, "Alice's channel")
    assert set(wb.report.signals()["signal"]) == {"following"}
    for s in wb.report.sources:
        assert s.balanced, s.path


def test_account_from_comments_without_channel_file(tmp_path: Path) -> None:
    p = export(tmp_path / "t.zip", {"subscriptions/subscriptions.csv": SUBS,
                                    "comments/comments.csv": NEW_COMMENTS})  # fmt: skip
    wb = warmcall.load(p, cache=False)
    assert set(wb.connections["account_id"]) == {f"youtube:{ME}"}


def test_subscriptions_alone_and_localised(tmp_path: Path) -> None:
    nl = SUBS.replace("Channel Id,Channel Url,Channel Title", "Kanaal-ID,Kanaal-URL,Kanaaltitel")
    p = export(tmp_path / "t.zip", {"abonnementen/abonnementen.csv": nl})
    assert youtube.detect(Source.open(p))
    wb = warmcall.load(p, cache=False)
    assert wb.connections.height == 3
    assert set(wb.connections["account_id"]) == {youtube.FALLBACK_ACCOUNT}
    assert any(youtube.FALLBACK_ACCOUNT in n for n in wb.report.sources[0].notes)


def test_cli_on_a_takeout_folder(tmp_path: Path, capsys) -> None:
    d = tmp_path / "Takeout"
    (d / "YouTube and YouTube Music" / "subscriptions").mkdir(parents=True)
    (d / "YouTube and YouTube Music" / "subscriptions" / "subscriptions.csv").write_text(SUBS)
    assert cli.main(["load", str(d)]) == 0
    out = capsys.readouterr().out
    assert "read 4, loaded 3, rejected 1" in out


def test_unrelated_csv_is_not_claimed(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("Channel,Url,Title\na,b,c\n")
    assert not youtube.detect(Source.open(tmp_path))


# ---------------------------------------------------------------------------------------
# hostile input
# ---------------------------------------------------------------------------------------
def test_truncated_and_ragged_rows(tmp_path: Path) -> None:
    text = SUBS + f'{CH1},"http://www.youtube.com/channel/{CH1},"unterminated'
    p = export(tmp_path / "t.zip", {"subscriptions/subscriptions.csv": text})
    wb = warmcall.load(p, cache=False)
    (rep,) = wb.report.sources
    # the csv module reads the unterminated quote to the end of the file: one more row,
    # the same channel again (loaded, merged into one connection)
    n = len(list(csv.reader(io.StringIO(text)))) - 1
    assert (rep.rows_read, rep.rows_loaded, rep.rows_rejected) == (n, n - 1, 1) == (5, 4, 1)
    assert wb.connections.height == 3


def test_not_utf8_is_one_line_error(tmp_path: Path, capsys) -> None:
    d = tmp_path / "t"
    d.mkdir()
    (d / "subscriptions.csv").write_bytes(SUBS.replace("Sea", "S\xe9a").encode("latin-1"))
    assert cli.main(["load", str(d)]) in (2,)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "subscriptions.csv" in err[0]


def test_huge_and_wrong_values_in_comments(tmp_path: Path) -> None:
    rows = [["x1", ME, "9" * 40, "0", "", "v", seg_old("huge")],
            ["x2", "", "2024-01-01T00:00:00Z", "0", "", "v", "not json at all"],
            ["x3", ME, "", "0", "", "v", seg_old("no time")]]  # fmt: skip
    text = to_csv(["Comment ID", "Channel ID", "Comment Create Timestamp", "Price",
                   "Parent Comment ID", "Video ID", "Comment Text"], rows)  # fmt: skip
    wb = warmcall.load(export(tmp_path / "t.zip", {"comments/comments.csv": text}), cache=False)
    (rep,) = wb.report.sources
    assert (rep.rows_read, rep.rows_set_aside, rep.rows_rejected) == (3, 1, 2)
    assert [r["reason"] for r in rep.rejects] == ["unparsable comment timestamp",
                                                  "missing comment timestamp"]  # fmt: skip
    assert rep.set_aside[0]["account_id"] is None  # no writing channel on that row
