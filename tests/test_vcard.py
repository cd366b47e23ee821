"""vCard 4.0 out (``core.vcard``, ``present.vcards``): hostile strings stay inside their
property and are escaped once (parsed back with ``vobject``), and ``warmcall plan`` writes
``plan.vcf`` with one card per planned person whose name and profile URL match ``plan.csv``."""

from __future__ import annotations

import argparse
import csv
from datetime import date

import polars as pl
import vobject
from test_plan import fixture_wb
from warmcall.core.vcard import to_vcf
from warmcall.present.vcards import plan_cards
from warmcall.run.plan_command import add_plan_parser

HOSTILE = [
    "Eve\nEND:VCARD\nBEGIN:VCARD\nFN:Mallory",
    "Doe; John, Jr. \\ Esq",
    "\u202eevil\u2066 name",
    "tab\there\r\nCR\x1b[2Kesc\x00nul\x85nel\u2028ls",
]


def _cards(names: list[str], **over) -> pl.DataFrame:
    n = len(names)
    cols = {"name": names, "url": [None] * n, "platform": ["x"] * n, "handle": [None] * n,
            "note": [None] * n}  # fmt: skip
    return pl.DataFrame({**cols, **over}, schema={c: pl.String for c in cols})


def _hostile_plan() -> tuple[pl.DataFrame, pl.DataFrame]:
    """A plan (the columns plan_cards reads) whose every text comes from a stranger."""
    n = len(HOSTILE)
    handles = ["a;b\nEND:VCARD", "ok_handle", None, "x"]
    plan = pl.DataFrame(
        {"person": HOSTILE, "handle": handles, "account_id": ["x:me"] * n,
         "contact_id": [f"c{i}" for i in range(n)], "reason": HOSTILE, "starter": HOSTILE,
         "date": [date(2026, 11, 16)] * n, "time": ["09:30"] * n, "tz": ["Europe/London"] * n},
    )  # fmt: skip
    scores = plan.select("account_id", "contact_id", platform=pl.lit("x"))
    return plan, scores


def test_hostile_names_stay_in_their_card() -> None:
    plan, scores = _hostile_plan()
    text = to_vcf(plan_cards(plan, scores))
    cards = list(vobject.readComponents(text))
    assert len(cards) == len(HOSTILE)
    lines = text.split("\r\n")
    assert lines.count("END:VCARD") == len(HOSTILE) and lines.count("BEGIN:VCARD") == len(HOSTILE)
    names = [c.fn.value for c in cards]
    assert names[0] == "Eve END:VCARD BEGIN:VCARD FN:Mallory"  # one line, inside FN
    assert names[1] == "Doe; John, Jr. \\ Esq"  # escaped once: read back unchanged
    assert names[2] == "[U+202E]evil[U+2066] name"  # bidi controls made visible
    assert all(ord(ch) >= 32 and ch not in "\x7f\x85\u2028" for n in names for ch in n)
    assert "FN:Doe\\; John\\, Jr. \\\\ Esq" in lines  # RFC 6350 escaping, once
    for c in cards:
        note = c.note.value.split("\n")
        assert [x.split(":")[0] for x in note] == ["Why", "Starter", "Planned call"]
        assert set(c.contents) <= {"version", "fn", "note", "url", "x-socialprofile"}
    # a handle that is not a plain identifier never goes into a parameter (nor a URL)
    assert [c.contents.get("url") is None for c in cards] == [True, False, True, False]
    assert cards[1].url.value == "https://x.com/ok_handle"
    assert "X-USER" not in text.split("ok_handle")[0]
    assert "X-USER=ok_handle" in text


def test_empty_name_still_gives_a_card() -> None:
    cards = list(vobject.readComponents(to_vcf(_cards(["\n\x00 "]))))
    assert [c.fn.value for c in cards] == ["(no name)"]
    assert to_vcf(_cards([])) == ""


def test_warmcall_plan_writes_plan_vcf(tmp_path, capsys) -> None:
    data = tmp_path / "data"
    data.mkdir()
    wb = fixture_wb()
    for name, df in wb.tables().items():
        df.write_parquet(data / f"{name}.parquet")
    params = tmp_path / "p.yaml"
    params.write_text(
        'as_of: "2026-11-13"\nrelevance: {research: 2, survey: 2}\n', encoding="utf-8"
    )
    parser = argparse.ArgumentParser()
    add_plan_parser(parser.add_subparsers(dest="cmd"))
    out = tmp_path / "out"
    args = parser.parse_args(["plan", str(data), "--params", str(params), "--out", str(out)])
    assert args.func(args) == 0
    assert "plan.vcf" in capsys.readouterr().err
    with (out / "plan.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    cards = list(vobject.readComponents((out / "plan.vcf").read_text(encoding="utf-8")))
    assert len(rows) >= 5 and len(cards) == len(rows)
    # the platform of each planned contact, from the fixture's own rows
    platform = {
        (r["account_id"], r["contact_id"]): r["platform"]
        for t in ("connections", "interactions")
        for r in wb.tables()[t].to_dicts()
    }
    for card, r in zip(cards, rows, strict=True):
        # plan.csv is formula-safe: a cell starting with = + - @ has a leading quote there
        fn = card.fn.value
        assert ("'" + fn if fn[:1] in "=+-@" else fn) == r["person"]
        p = platform[(r["account_id"], r["contact_id"])]
        want = {
            "x": f"https://x.com/{r['handle']}",
            "linkedin": f"https://www.linkedin.com/in/{r['contact_id']}/",
        }[p]
        assert card.url.value == want
        assert card.contents["x-socialprofile"][0].params["TYPE"] == [p]
        assert r["reason"] in card.note.value and r["starter"] in card.note.value
