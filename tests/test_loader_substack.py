"""Substack subscriber export (``email_list.<pub>.csv``) and per-post open logs, as the
``newsletter`` platform. Expected counts come from reading the fixture text with the csv
module; no e-mail address may appear anywhere in the loaded tables or the report."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path

import polars as pl
import pytest
import warmcall
from warmcall.ingest.loaders import LOADERS, substack
from warmcall.ingest.resolve import PLACEHOLDER
from warmcall.ingest.sources import Source
from warmcall.run import cli

HEADER = "email,active_subscription,expiry,plan,email_disabled,created_at,first_payment_at\n"
LIST = HEADER + (
    "Ann@Example.com,true,,free,false,2023-01-05T10:00:00.000Z,\n"
    "bob@example.org,true,2026-01-01T00:00:00.000Z,yearly,false,2022-06-01T08:00:00.000Z,"
    "2022-06-01T08:00:00.000Z\n"
    "old@example.net,false,2022-01-01T00:00:00.000Z,free,false,2021-01-01T00:00:00.000Z,\n"
    ",true,,free,false,2023-01-01T00:00:00.000Z,\n"
    "not-an-email,true,,free,false,2023-01-01T00:00:00.000Z,\n"
    "carl@example.com,maybe,,free,false,2023-01-01T00:00:00.000Z,\n"
    "dora@example.com,TRUE,,free,true,2024-13-45T00:00:00Z,\n"
    " ann@example.com ,true,,free,false,2023-02-01T00:00:00.000Z,\n"
)
OPENS = (
    "post_id,timestamp,email,post_type,post_audience,active_subscription,country,city,region,"
    "device_type,client_os,client_type,user_agent\n"
    "123456,2024-03-01T09:00:00.000Z,ann@example.com,newsletter,everyone,true,NL,,,desktop,,,\n"
    "123456,2024-03-01T12:00:00.000Z,BOB@example.org,newsletter,everyone,true,NL,,,mobile,,,\n"
    "123456,2024-03-02T08:00:00.000Z,gone@example.com,newsletter,everyone,false,,,,,,,\n"
    "123456,2024-03-02T08:00:00.000Z,,newsletter,everyone,false,,,,,,,\n"
    "123456,yesterday,ann@example.com,newsletter,everyone,true,,,,,,,\n"
)
DELIVERS = "post_id,timestamp,email,post_type,post_audience,active_subscription\n" \
           "123456,2024-03-01T08:00:00.000Z,ann@example.com,newsletter,everyone,true\n"  # fmt: skip


def rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def sha(email: str) -> str:
    return "email-sha256:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


@pytest.fixture
def export(tmp_path: Path) -> Path:
    (tmp_path / "email_list.northwind.csv").write_text(LIST, encoding="utf-8")
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "123456.opens.csv").write_text(OPENS, encoding="utf-8")
    (tmp_path / "posts" / "123456.delivers.csv").write_text(DELIVERS, encoding="utf-8")
    return tmp_path


def _rep(wb, suffix: str):
    (r,) = [s for s in wb.report.sources if s.path.endswith(suffix)]
    return r


def test_registered_and_detected(export: Path) -> None:
    assert substack in LOADERS
    assert substack.detect(Source.open(export))


def test_subscribers_and_opens(export: Path) -> None:
    wb = warmcall.load(export, cache=False)
    acct = "newsletter:northwind"
    subs = rows(LIST)
    valid = [
        r
        for r in subs
        if "@" in r["email"] and r["active_subscription"].lower() in ("true", "false")
    ]
    current = [r for r in valid if r["active_subscription"].lower() == "true"]
    lst = _rep(wb, "email_list.northwind.csv")
    # dora's created_at does not parse: her row is rejected by validation
    assert lst.rows_read == len(subs) == 8
    assert lst.rows_set_aside == len(valid) - len(current) == 1
    assert lst.rows_loaded == len(current) - 1 == 3
    assert lst.rows_rejected == len(subs) - len(valid) + 1 == 4
    reasons = sorted(r["reason"] for r in lst.rejects)
    assert reasons == sorted(["missing or invalid e-mail address"] * 2
                             + ["active_subscription is not true or false",
                                "unparsable timestamp in connected_at"])  # fmt: skip
    assert lst.set_aside[0]["reason"] == substack.FORMER_REASON
    con = wb.connections.sort("connected_at")
    # ann twice (case and spaces differ): one contact, the earliest date
    assert sorted(con["contact_id"]) == sorted({sha("ann@example.com"), sha("bob@example.org")})
    assert con["follows_me"].all() and con["i_follow"].null_count() == con.height
    assert set(con["account_id"]) == {acct} and set(con["platform"]) == {"newsletter"}
    assert (
        con.filter(pl.col("contact_id") == sha("ann@example.com"))["connected_at"].dt.month().item()
        == 1
    )

    ev = rows(OPENS)
    op = _rep(wb, "123456.opens.csv")
    assert (op.rows_read, op.rows_loaded, op.rows_rejected) == (len(ev), 3, 2)
    i = wb.interactions.sort("ts")
    assert set(i["kind"]) == {"like"} and set(i["direction"]) == {"in"}
    assert i["contact_id"].to_list() == [sha("ann@example.com"), sha("bob@example.org"),
                                         sha("gone@example.com")]  # fmt: skip
    assert set(i["post_id"]) == {"123456"} and set(i["account_id"]) == {acct}
    assert not any(s.path.endswith("delivers.csv") for s in wb.report.sources)
    sig = set(wb.report.signals()["signal"])
    assert sig == {"followers", "inbound"}


def test_no_address_anywhere(export: Path, tmp_path_factory) -> None:
    wb = warmcall.load(export, cache=False)
    out = tmp_path_factory.mktemp("out")
    wb.write(out)
    for t in ("accounts", "connections", "interactions", "posts"):
        df = getattr(wb, t)
        for c, dt in df.schema.items():
            if dt == pl.String and c != "source":
                assert not df[c].drop_nulls().str.contains("@").any(), (t, c)
    text = wb.report.to_json() + "".join(p.read_text(errors="replace") for p in out.glob("*.json"))
    for r in rows(LIST) + rows(OPENS):
        if r["email"].strip():
            assert r["email"].strip().lower() not in text.lower()


def test_opens_alone_take_the_loads_newsletter_account(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "email_list.northwind.csv").write_text(LIST, encoding="utf-8")
    (b / "123456.opens.csv").write_text(OPENS, encoding="utf-8")
    wb = warmcall.load(a, b, cache=False)
    assert set(wb.interactions["account_id"]) == {"newsletter:northwind"}
    only = warmcall.load(b, cache=False)  # alone: the load's placeholder newsletter account
    assert set(only.interactions["account_id"]) == {f"newsletter:{PLACEHOLDER}"}
    assert only.interactions.height == 3


def test_counts_without_dates_are_noted(tmp_path: Path) -> None:
    text = (
        HEADER.strip()
        + ",opens,clicks\nann@example.com,true,,free,false,2023-01-05T10:00:00Z,,7,2\n"
    )
    (tmp_path / "email_list.x.csv").write_text(text, encoding="utf-8")
    wb = warmcall.load(tmp_path, cache=False)
    assert substack.COUNTS_NOTE in wb.report.sources[0].notes
    assert wb.interactions.height == 0


def test_generic_newsletter_csv_is_not_claimed(tmp_path: Path) -> None:
    (tmp_path / "subscribers.csv").write_text(
        "email,name,subscribed_at\na@b.example,A,2024-01-01\n"
    )
    assert not substack.detect(Source.open(tmp_path))


def test_contact_id_rule() -> None:
    assert substack.contact_id(" Ann@Example.COM ") == sha("ann@example.com")
    assert substack.contact_id("ann@example.com").startswith(substack.CONTACT_PREFIX)
    assert len(substack.contact_id("x@y.z")) == len(substack.CONTACT_PREFIX) + 16


# ---------------------------------------------------------------------------------------
# hostile input
# ---------------------------------------------------------------------------------------
def test_truncated_list_and_huge_values(tmp_path: Path, capsys) -> None:
    text = LIST + 'eve@example.com,true,,free,false,"2023-01-0'  # cut off inside a quote
    text += "\nfay@example.com,true,,free,false," + "9" * 50 + ",\n"
    (tmp_path / "email_list.x.csv").write_text(text, encoding="utf-8")
    rc = cli.main(["load", "--json", str(tmp_path)])
    assert rc == 0
    out = capsys.readouterr().out
    assert "eve@example.com" not in out and "fay@example.com" not in out
    wb = warmcall.load(tmp_path, cache=False)
    (rep,) = wb.report.sources
    assert rep.balanced and rep.rows_read == len(list(csv.reader(io.StringIO(text)))) - 1


def test_undecodable_file_is_one_line_error(tmp_path: Path, capsys) -> None:
    (tmp_path / "email_list.x.csv").write_bytes(
        (LIST + "z\xe9@example.com,true,,,,,\n").encode("latin-1")
    )
    assert cli.main(["load", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "email_list.x.csv" in err[0]


def test_cli_load_of_a_single_csv(tmp_path: Path, capsys) -> None:
    p = tmp_path / "email_list.northwind.csv"
    p.write_text(LIST, encoding="utf-8")
    assert cli.main(["load", "--json", str(p)]) == 0
    rep = json.loads(capsys.readouterr().out)
    assert rep["rows_read"] == len(rows(LIST))
    assert rep["rows_read"] == rep["rows_loaded"] + rep["rows_set_aside"] + rep["rows_rejected"]
    assert rep["sources"][0]["signals"][0]["account_id"] == "newsletter:northwind"
