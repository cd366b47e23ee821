"""Outreach planner policy on a hand-built workbook, the formula-safe CSV and the iCalendar
file (parsed back with the ``icalendar`` package)."""

from __future__ import annotations

import argparse
import csv
import io
import random
from datetime import UTC, date, datetime

import polars as pl
import pytest
import warmcall as wc
from helpers import conn, inter, workbook
from warmcall.act.plan import candidates, plan_outreach, plan_outreach_result, plan_uid
from warmcall.core.errors import InputError
from warmcall.core.outputs import ics_escape, ics_fold, to_ics, write_csv_safe
from warmcall.core.params import Outreach
from warmcall.run.plan_command import add_plan_parser, main_plan

T = date(2026, 11, 13)  # as_of, a Friday; window 90 days -> 2026-08-16 .. 2026-11-13
P = {"as_of": "2026-11-13", "window_days": 90, "relevance": {"research": 2, "survey": 2}}


def fixture_wb():
    """Who is eligible (worked out by hand; cool-down 14 days, fading after 21 days):

    fading (two-way, silent >= 21 days):
      fade_tr  trusted: call out 2026-09-01 (73 days)          quality ~35.3 (see below)
      fade_hi  conversant: reply in 10-01, reply out 10-02 (42 days)   quality ~33.1
      -> fade_tr first. By hand, weights .25/.2/.25/.1/.15/.05:
         fade_tr: intensity 1-e^(-5/12)=.3408, reciprocity 0, recency .5^(73/60)=.4300,
                  duration 73/730=.1, intimacy 1 (call), multiplexity 0 -> 35.27
         fade_hi: intensity 1-e^(-4/12)=.2835, reciprocity .5, recency .5^(42/60)=.6156,
                  duration 43/730=.0589, intimacy 0, multiplexity 0 -> 33.07
    excluded two-way: fresh (conversant, last contact 10 days ago: not fading)
    promising (not two-way, with a promise sign), ranked: interacts with you (engaged or
    aware) first, then relevance, log10 followers, quality -> ana, eng, aware, rel, cool14, big:
      ana      person p:ana on x (engaged: comment in 11-02, post p9) and linkedin (bio
               "research survey" -> relevance 4): one person, platforms "linkedin,x"
      rel      connection, bio "research" (relevance 2), 5,000 followers (magnitude 3)
      cool14   connection, bio "research" (2), followers unknown; reply out 10-30 = 14 days
               ago: outside the 14-day cool-down
      big      connection, 50,000 followers (relevance 0, magnitude 4)
      eng      engaged (comment in 11-01, 12 days): quality ~25.8
      aware    aware (like in 11-05, 8 days): quality ~23.9 -> after eng
    excluded: spam (engaged but following 5,000: mass-following -> flagged),
              cool13 (relevance 2 but reply out 10-31 = 13 days ago: in the cool-down),
              cool (relevance 2, reply out 11-10), silent (no sign of promise)
    """
    conns = [
        conn("fade_tr", handle="fadetr", bio="old friend"),
        conn("fade_hi", handle="fadehi", bio="colleague"),
        conn("fresh", handle="freshy", bio="colleague"),
        conn("1001", handle="ana_x", display_name="Ana Pérez", bio="", person_id="p:ana"),
        conn("ana-perez", account="linkedin:me", platform="linkedin", handle="ana-perez",
             display_name="Ana Pérez", bio="research survey", person_id="p:ana"),
        conn("rel", handle="relly", bio="research", contact_followers=5000, contact_following=100),
        conn("cool14", handle="coolf", bio="research"),
        conn("big", handle="biggy", bio="famous", contact_followers=50000, contact_following=10),
        conn("eng", handle="engy", bio="reader"),
        conn("aware", handle="awarey", bio="reader"),
        conn("spam", handle="spammy", bio="reader", contact_followers=100, contact_following=5000),
        conn("cool13", handle="coolt", bio="research"),
        conn("cool", handle="coolx", bio="research"),
        conn("silent", handle="silenty", bio="nothing here"),
    ]  # fmt: skip
    ints = [
        inter("fade_tr", "2026-09-01", "call", "out"),
        inter("fade_hi", "2026-10-01", "reply", "in", post_id="p1"),
        inter("fade_hi", "2026-10-02", "reply", "out", post_id="p1"),
        inter("fresh", "2026-11-02", "reply", "in"),
        inter("fresh", "2026-11-03", "reply", "out"),
        inter("1001", "2026-11-02", "comment", "in", post_id="p9"),
        inter("cool14", "2026-10-30", "reply", "out"),
        inter("eng", "2026-11-01", "comment", "in"),
        inter("aware", "2026-11-05", "like", "in"),
        inter("spam", "2026-11-01", "comment", "in"),
        inter("cool13", "2026-10-31", "reply", "out"),
        inter("cool", "2026-11-10", "reply", "out"),
    ]
    return workbook(connections=conns, interactions=ints)


@pytest.fixture(scope="module")
def scores() -> pl.DataFrame:
    return wc.score(fixture_wb(), P)


def test_pools_and_exclusions(scores: pl.DataFrame) -> None:
    c = candidates(scores, T, Outreach(cooldown_days=14))
    assert candidates(scores, T, Outreach(cooldown_days=14), limit=2)["pool_rank"].to_list() == [
        1,
        2,
        1,
        2,
    ]
    got = {(r["person_key"], r["pool"], r["pool_rank"]) for r in c.iter_rows(named=True)}
    assert got == {
        ("x:me/fade_tr", "fading", 1), ("x:me/fade_hi", "fading", 2),
        # those who already interact with you first (ana, eng, aware), then by relevance
        ("p:ana", "promising", 1), ("x:me/eng", "promising", 2), ("x:me/aware", "promising", 3),
        ("x:me/rel", "promising", 4), ("x:me/cool14", "promising", 5), ("x:me/big", "promising", 6),
    }  # fmt: skip
    ana = c.filter(pl.col("person_key") == "p:ana").row(0, named=True)
    assert (
        ana["platforms"] == "linkedin,x"
        and ana["relevance"] == 4
        and str(ana["stage"]) == "engaged"
    )


def test_cooldown_zero_admits_recent_outreach(scores: pl.DataFrame) -> None:
    keys = set(candidates(scores, T, Outreach(cooldown_days=0))["person_key"])
    assert {"x:me/cool", "x:me/cool13"} <= keys  # 2 more than with 14 days
    assert "x:me/spam" not in keys and "x:me/fresh" not in keys and "x:me/silent" not in keys


def test_plan_alternates_ranks_and_falls_short(scores: pl.DataFrame) -> None:
    plan = plan_outreach(scores, per_day=2, days=5, params=P, as_of=T)
    # 10 slots Mon 16 .. Fri 20 Nov; 2 fading + 6 promising = 8 people -> shortfall 2
    assert plan.height == 8 and plan.shortfall == 2 and plan.slots == 10 and "8 of 10" in plan.note
    assert plan["person_key"].to_list() == [
        "x:me/fade_tr", "p:ana", "x:me/fade_hi", "x:me/eng",  # alternating while both pools last
        "x:me/aware", "x:me/rel", "x:me/cool14", "x:me/big",  # fading used up: promising fills
    ]  # fmt: skip
    assert plan["pool"].to_list()[:4] == ["fading", "promising", "fading", "promising"]
    assert plan["date"].to_list() == [date(2026, 11, d) for d in (16, 16, 17, 17, 18, 18, 19, 19)]
    assert plan["time"].to_list() == ["09:30", "09:50"] * 4  # default start 09:30, 20-minute slots
    assert plan["person_key"].n_unique() == plan.height  # nobody twice
    ana = plan.filter(pl.col("person_key") == "p:ana").row(0, named=True)
    assert ana["platforms"] == "linkedin,x" and ana["person"] == "Ana Pérez"


def test_reasons_and_starters(scores: pl.DataFrame) -> None:
    plan = plan_outreach(scores, per_day=4, days=2, params=P, as_of=T)
    by = {r["person_key"]: r for r in plan.iter_rows(named=True)}
    # trusted, so outreach.cadence_days.trusted (30 by default) applies: silent 73 days is
    # overdue by 73 - 30 = 43
    assert by["x:me/fade_tr"]["reason"] == (
        "overdue by 43 days (keep in touch every 30 days, trusted stage): trusted, "
        "last contact 73 days ago"
    )
    q = by["x:me/fade_hi"]["quality"]  # conversant, 42 days < 60: fading, not overdue
    assert by["x:me/fade_hi"]["reason"] == (
        f"fading tie (quality {q:g}): conversant, last contact 42 days ago"
    )
    assert (
        by["x:me/fade_tr"]["starter"]
        == "You last spoke by call on 2026-09-01 — ask how things moved on since"
    )
    assert by["x:me/fade_hi"]["starter"] == (
        "You replied to them (post p1) on X on 2026-10-02 — see where the thread went"
    )
    assert (
        by["p:ana"]["reason"]
        == "promising weaker tie: engaged, relevant to your niche (relevance 4)"
    )
    assert by["p:ana"]["starter"] == (
        "They commented on your post (post p9) on X on 2026-11-02 — continue that thread"
    )
    assert (
        by["x:me/big"]["reason"]
        == "promising weaker tie: connection, large audience (50,000 followers)"
    )
    assert by["x:me/big"]["starter"].startswith("No shared activity yet")
    assert (
        by["x:me/aware"]["reason"]
        == "promising weaker tie: aware, interacts with you, last contact 8 days ago"
    )
    assert by["x:me/aware"]["last_contact"] == date(2026, 11, 5)


def test_reply_to_post_starter() -> None:
    wb = workbook(interactions=[inter("r", "2026-10-02", "reply", "in", post_id="123")])
    plan = plan_outreach(wc.score(wb, P), params=P, as_of=T)
    assert (
        plan["starter"][0]
        == "They replied to your post (post 123) on X on 2026-10-02 — follow up on it"
    )


def test_weekends_skipped_from_a_friday_and_dst_in_utc(scores: pl.DataFrame) -> None:
    p = {**P, "outreach": {"timezone": "Europe/Berlin", "start_time": "09:30", "slot_minutes": 30}}
    # Fri 2026-03-27 (CET, UTC+1) then Mon 2026-03-30 (CEST since Sun 29 March, UTC+2)
    plan = plan_outreach(scores, per_day=2, days=2, start=date(2026, 3, 27), params=p, as_of=T)
    assert plan["date"].to_list() == [date(2026, 3, 27)] * 2 + [date(2026, 3, 30)] * 2
    assert plan["time"].to_list() == ["09:30", "10:00", "09:30", "10:00"]
    assert plan["tz"].unique().to_list() == ["Europe/Berlin"]
    assert plan["start_utc"].to_list() == [
        datetime(2026, 3, 27, 8, 30, tzinfo=UTC), datetime(2026, 3, 27, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 30, 7, 30, tzinfo=UTC), datetime(2026, 3, 30, 8, 0, tzinfo=UTC),
    ]  # fmt: skip
    assert (plan["end_utc"] - plan["start_utc"]).dt.total_minutes().to_list() == [30] * 4
    # a Saturday start rolls to Monday; the default start is the working day after Friday T
    assert plan_outreach(scores, 1, 1, start=date(2026, 11, 21), params=P, as_of=T)["date"][
        0
    ] == date(2026, 11, 23)
    assert plan_outreach(scores, 1, 1, params=P, as_of=T)["date"][0] == date(2026, 11, 16)


def test_deterministic_under_row_order(scores: pl.DataFrame) -> None:
    # two indistinguishable contacts: only the person key can order them
    wb = workbook(
        connections=[conn("twin_b", bio="research"), conn("twin_a", bio="research")],
        interactions=[
            inter("twin_a", "2026-11-01", "comment", "in"),
            inter("twin_b", "2026-11-01", "comment", "in"),
        ],
    )
    s = wc.score(wb, P)
    a = plan_outreach(s, 1, 2, params=P, as_of=T)
    rows = list(range(s.height))
    random.Random(1).shuffle(rows)
    b = plan_outreach(s[rows], 1, 2, params=P, as_of=T)
    assert a.equals(b)
    assert a["contact_id"].to_list() == ["twin_a", "twin_b"]
    big = plan_outreach(scores, 2, 5, params=P, as_of=T)
    rows = list(range(scores.height))
    random.Random(2).shuffle(rows)
    assert big.equals(plan_outreach(scores[rows], 2, 5, params=P, as_of=T))


def test_uid_stable_per_person_and_day(scores: pl.DataFrame) -> None:
    plan = plan_outreach(scores, 2, 5, params=P, as_of=T)
    assert plan["uid"].n_unique() == plan.height
    r = plan.row(0, named=True)
    assert r["uid"] == plan_uid(r["person_key"], r["date"])
    assert plan_uid("x:me/a", date(2026, 1, 5)) != plan_uid("x:me/a", date(2026, 1, 6))
    assert plan_uid("x:me/a", date(2026, 1, 5)).endswith("@warmcall")


def test_bad_outreach_settings_are_input_errors(scores: pl.DataFrame) -> None:
    with pytest.raises(InputError, match="timezone"):
        plan_outreach(scores, params={**P, "outreach": {"timezone": "Mars/Olympus"}}, as_of=T)
    with pytest.raises(
        InputError, match="midnight"
    ):  # 50 x 30 min from 09:30 ends at 10:30 next day
        plan_outreach(scores, per_day=50, params={**P, "outreach": {"slot_minutes": 30}}, as_of=T)
    with pytest.raises(InputError, match="HH:MM"):
        plan_outreach(scores, params={**P, "outreach": {"start_time": "half past nine"}}, as_of=T)


def test_flagged_profile_never_planned_even_when_linked() -> None:
    # one person on two platforms: the x profile is flagged (spam keywords), linkedin is not
    wb = workbook(
        connections=[
            conn("9", handle="bo_x", bio="crypto signals daily", person_id="p:bo"),
            conn(
                "bo",
                account="linkedin:me",
                platform="linkedin",
                handle="bo-li",
                bio="research",
                person_id="p:bo",
            ),
        ],
        interactions=[inter("9", "2026-11-01", "comment", "in")],
    )
    s = wc.score(wb, P)
    assert s.filter(pl.col("contact_id") == "9")["flagged"][0]
    plan = plan_outreach(s, params=P, as_of=T)
    assert plan.height == 1 and plan["platforms"][0] == "linkedin" and plan["contact_id"][0] == "bo"
    assert plan["stage"][0] == "connection"  # the flagged profile's engagement does not count


# --------------------------------------------------------------------------- CSV


def test_csv_formula_neutralization(tmp_path) -> None:
    df = pl.DataFrame(
        {
            "name": [
                '=HYPERLINK("http://x")',
                "+1",
                "-2+3",
                "@SUM(A1)",
                "\tTab",
                "\rCR",
                "plain",
                "a=b",
                None,
            ],
            "n": [-5, 1, 2, 3, 4, 5, 6, 7, 8],
            "tags": [["=cmd", "ok"], [], ["x"], ["-y"], [], [], [], [], []],
        }
    )
    p = write_csv_safe(df, tmp_path / "out" / "x.csv")
    rows = list(csv.reader(io.StringIO(p.read_bytes().decode("utf-8"), newline="")))
    assert rows[0] == ["name", "n", "tags"]
    assert [r[0] for r in rows[1:]] == [
        "'=HYPERLINK(\"http://x\")", "'+1", "'-2+3", "'@SUM(A1)", "'\tTab", "'\rCR",
        "plain", "a=b", "",
    ]  # fmt: skip
    assert [r[1] for r in rows[1:]] == [
        "-5",
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
        "8",
    ]  # numbers stay numbers
    assert [r[2] for r in rows[1:3]] == ["'=cmd; ok", ""]  # lists joined, then neutralized
    assert rows[4][2] == "'-y"
    assert [f.name for f in (tmp_path / "out").iterdir()] == ["x.csv"]  # no temp file left


# --------------------------------------------------------------------------- iCalendar


def test_ics_fold_and_escape_rules() -> None:
    assert ics_escape("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf"
    assert ics_escape("bell\x07") == "bell "
    line = "DESCRIPTION:" + "é" * 80  # 12 + 160 octets
    folded = ics_fold(line)
    parts = folded.split("\r\n")
    assert all(len(x.encode()) <= 75 for x in parts)
    assert all(x.startswith(" ") for x in parts[1:])
    assert "".join([parts[0]] + [x[1:] for x in parts[1:]]) == line


def test_plan_ics_parses_back(scores: pl.DataFrame) -> None:
    icalendar = pytest.importorskip("icalendar")  # dev dependency
    p = {**P, "outreach": {"timezone": "America/New_York"}}  # EST in November: UTC-5
    plan = plan_outreach(scores, 2, 3, params=p, as_of=T)
    nasty = 'Doe, Jane; "JJ"\nSecond line \\ done ' + "🙂" * 30
    plan = plan.with_columns(
        person=pl.when(pl.int_range(pl.len()) == 0).then(pl.lit(nasty)).otherwise("person")
    )
    text = to_ics(plan, "Calls, weekly; test", as_of=T)
    raw = text.encode("utf-8")
    assert b"\n" not in raw.replace(b"\r\n", b"")  # CRLF only
    assert all(len(x) <= 75 for x in raw.split(b"\r\n"))  # folded at 75 octets
    for x in raw.split(b"\r\n"):
        x.decode("utf-8")  # no UTF-8 sequence split across lines
    assert "ATTENDEE" not in text and "ORGANIZER" not in text
    cal = icalendar.Calendar.from_ical(text)
    # NAME / X-WR-CALNAME are TEXT (RFC 7986; X- default), unknown to icalendar: check escaping
    assert "\r\nNAME:Calls\\, weekly\\; test\r\n" in text
    assert "\r\nX-WR-CALNAME:Calls\\, weekly\\; test\r\n" in text
    events = list(cal.walk("VEVENT"))
    assert len(events) == 6
    uids = [str(e.get("UID")) for e in events]
    assert len(set(uids)) == 6 and set(uids) == set(plan["uid"])
    starts = [e.decoded("DTSTART") for e in events]
    assert starts[:2] == [
        datetime(2026, 11, 16, 14, 30, tzinfo=UTC),
        datetime(2026, 11, 16, 14, 50, tzinfo=UTC),
    ]
    assert all(s.utcoffset().total_seconds() == 0 for s in starts)
    assert "DTSTART:20261116T143000Z" in text
    assert all(
        e.decoded("DTEND") - e.decoded("DTSTART") == plan["end_utc"][0] - plan["start_utc"][0]
        for e in events
    )
    assert {e.decoded("DTSTAMP") for e in events} == {datetime(2026, 11, 13, tzinfo=UTC)}
    first = next(e for e in events if str(e.get("UID")) == plan["uid"][0])
    assert str(first.get("SUMMARY")) == "Call " + nasty
    desc = str(first.get("DESCRIPTION"))
    assert plan["reason"][0] in desc and plan["starter"][0] in desc
    assert to_ics(plan, "Calls, weekly; test", as_of=T) == text  # reproducible


# --------------------------------------------------------------------------- CLI


def test_main_plan_writes_csv_and_ics(tmp_path, capsys) -> None:
    icalendar = pytest.importorskip("icalendar")  # dev dependency
    data = tmp_path / "data"
    data.mkdir()
    for name, df in fixture_wb().tables().items():
        df.write_parquet(data / f"{name}.parquet")
    params = tmp_path / "p.yaml"
    params.write_text(
        'title: "Test"\nas_of: "2026-11-13"\nrelevance: {research: 2, survey: 2}\n'
        "outreach: {cooldown_days: 14}\n",
        encoding="utf-8",
    )
    parser = argparse.ArgumentParser()
    add_plan_parser(parser.add_subparsers(dest="cmd"))
    args = parser.parse_args(
        [
            "plan",
            str(data),
            "--params",
            str(params),
            "--per-day",
            "1",
            "--days",
            "3",
            "--start",
            "2026-11-20",
            "--out",
            str(tmp_path / "out"),
        ]  # fmt: skip
    )
    assert args.func is main_plan
    assert args.func(args) == 0
    out = capsys.readouterr()
    assert "Ana Pérez" in out.out and "plan.ics" in out.err
    rows = list(
        csv.DictReader(io.StringIO((tmp_path / "out" / "plan.csv").read_text(encoding="utf-8")))
    )
    assert [r["date"] for r in rows] == ["2026-11-20", "2026-11-23", "2026-11-24"]  # Fri, Mon, Tue
    assert [r["contact_id"] for r in rows] == ["fade_tr", "1001", "fade_hi"]
    cal = icalendar.Calendar.from_ical((tmp_path / "out" / "plan.ics").read_bytes())
    assert len(list(cal.walk("VEVENT"))) == 3


# --- own archives: only what you did (an X archive) -----------------------------------------


def _outbound_only_wb(n: int = 24):
    """n contacts you replied to (never the other way), i days of silence each: contact i
    has 2 + i % 3 replies out, the last one 10 + 3·i days before T; even i follow you back."""
    conns = [
        conn(f"c{i}", handle=f"h{i}", follows_me=(i % 2 == 0), i_follow=True) for i in range(n)
    ]
    ints = []
    for i in range(n):
        for k in range(2 + i % 3):
            day = date.fromordinal(T.toordinal() - (10 + 3 * i) - 7 * k)
            ints.append(inter(f"c{i}", day.isoformat(), "reply", "out", post_id=f"p{i}_{k}"))
    return workbook(connections=conns, interactions=ints)


def test_outbound_only_archive_fills_the_plan_with_fading_and_reached_ties() -> None:
    scores = wc.score(_outbound_only_wb(), P)
    o = Outreach(cooldown_days=14)
    # independent: fading = quality >= min_quality and last contact >= 21 days ago; promising =
    # reached and follows you back (and not fading), outside the 14-day cool-down
    days = {r["contact_id"]: (T - r["last_ts"].date()).days for r in scores.iter_rows(named=True)}
    qual = dict(zip(scores["contact_id"], scores["quality"], strict=True))
    fading = {c for c in days if qual[c] >= o.min_quality and days[c] >= o.fading_after_days}
    promising = {c for c in days if c not in fading and int(c[1:]) % 2 == 0 and days[c] < 90}
    eligible = {c for c in fading | promising if days[c] >= 14}
    assert len(fading) >= 5 and promising  # the fixture exercises both pools
    plan = plan_outreach(scores, per_day=2, days=5, params=P, as_of=T)
    assert plan.height == min(10, len(eligible))
    assert set(plan["contact_id"]) <= eligible
    for r in plan.iter_rows(named=True):
        d = days[r["contact_id"]]
        if r["pool"] == "fading":
            assert r["reason"].endswith(f"last contact {d} days ago")
            assert qual[r["contact_id"]] >= o.min_quality
        else:
            assert r["stage"] == "reached" and r["reason"].startswith(
                f"promising weaker tie: reached, follows you back, you reached out {d} days ago"
            )


def test_min_quality_param_moves_contacts_out_of_the_fading_pool() -> None:
    scores = wc.score(_outbound_only_wb(), P)
    top = float(scores["quality"].max())
    o = Outreach(cooldown_days=0, min_quality=top + 1)
    assert candidates(scores, T, o).filter(pl.col("pool") == "fading").height == 0
    o2 = Outreach(cooldown_days=0, min_quality=0)
    assert candidates(scores, T, o2).filter(pl.col("pool") == "fading").height > 0


def test_large_followers_param_reaches_the_reason() -> None:
    wb = workbook(connections=[conn("b", handle="b", bio="x", contact_followers=600)])
    s = wc.score(wb, P)
    params = {**P, "outreach": {"large_followers": 500}}
    plan = plan_outreach(s, per_day=1, days=1, params=params, as_of=T)
    assert plan["reason"].to_list() == [
        "promising weaker tie: connection, large audience (600 followers)"
    ]
    assert plan_outreach(s, per_day=1, days=1, params=P, as_of=T).height == 0  # default 1,000


def test_empty_plan_states_the_count_at_each_step() -> None:
    wb = workbook(
        connections=[conn("spam", handle="s", bio="r", contact_followers=1, contact_following=9000),
                     conn("quiet", handle="q", bio="nothing"),
                     conn("recent", handle="r", bio="research")],
        interactions=[inter("spam", "2026-11-01", "comment", "in"),
                      inter("recent", "2026-11-10", "reply", "out")],
    )  # fmt: skip
    s = wc.score(wb, P)
    flagged = int(s["flagged"].sum())
    assert flagged == 1
    res = plan_outreach_result(s, per_day=2, days=1, params=P, as_of=T)
    assert res.plan.height == 0
    # by hand: 3 contacts; spam flagged; quiet in no pool; recent (relevance 2) in cool-down
    assert res.steps == {"contacts": 3, "flagged": 1, "same_person": 0, "no_pool": 1,
                         "cooldown": 1, "eligible": 0}  # fmt: skip
    assert "of 3 contacts, 1 flagged by the hygiene rules" in res.note
    assert (
        "1 not candidates" in res.note and "1 contacted within the cool-down of 14 days" in res.note
    )
    assert "0 remain" in res.note
