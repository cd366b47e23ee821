"""Time done right: outreach slots on daylight-saving days, dates within the documented
range, and command-line flags validated exactly like params.

Zones whose changes fall on working days (US and EU changes are on Sundays, which the plan
skips): Asia/Jerusalem sets clocks forward on Friday 2026-03-27 at 02:00 (UTC+2 -> UTC+3,
at 00:00Z); Africa/Cairo sets them back on Thursday 2026-10-29 at 24:00 (UTC+3 -> UTC+2,
at 21:00Z), so 23:00-24:00 happens twice. Expected instants below are worked out by hand
from those two facts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warmcall.act.calendar import slots
from warmcall.core.errors import InputError
from warmcall.core.params import DATE_MAX, DATE_MIN, Outreach, parse_params
from warmcall.run import cli


def _utc(*a: int) -> datetime:
    return datetime(*a, tzinfo=UTC)


def test_gap_slots_are_distinct_instants() -> None:
    """Jerusalem, Fri 2026-03-27, 4 × 30 min from 01:30. 02:00 and 02:30 do not exist: read
    with the offset before the change (UTC+2) they are 00:00Z and 00:30Z (03:00, 03:30 on
    the clock); 03:00 exists (UTC+3: 00:00Z) but the previous slot ends at 01:00Z, so it
    moves there (04:00). The old code put two calls at 00:00Z."""
    o = Outreach(timezone="Asia/Jerusalem", start_time="01:30", slot_minutes=30)
    got = slots(date(2026, 3, 27), 1, 4, o)
    assert [(d, hhmm, s) for d, hhmm, s, _ in got] == [
        (date(2026, 3, 27), "01:30", _utc(2026, 3, 26, 23, 30)),
        (date(2026, 3, 27), "03:00", _utc(2026, 3, 27, 0, 0)),
        (date(2026, 3, 27), "03:30", _utc(2026, 3, 27, 0, 30)),
        (date(2026, 3, 27), "04:00", _utc(2026, 3, 27, 1, 0)),
    ]
    assert all(e - s == timedelta(minutes=30) for *_, s, e in got)
    # a first slot inside the gap: 02:30 read at UTC+2 is 00:30Z, 03:30 on the clock
    (_, hhmm, s, _), *_ = slots(
        date(2026, 3, 27), 1, 1, o.model_copy(update={"start_time": "02:30"})
    )
    assert (hhmm, s) == ("03:30", _utc(2026, 3, 27, 0, 30))


def test_overlap_slots_use_the_first_occurrence() -> None:
    """Cairo, Thu 2026-10-29, 3 × 30 min from 22:30: 23:00 and 23:30 happen twice; the first
    occurrence (UTC+3) is used: 19:30Z, 20:00Z, 20:30Z."""
    o = Outreach(timezone="Africa/Cairo", start_time="22:30", slot_minutes=30)
    got = slots(date(2026, 10, 29), 1, 3, o)
    assert [(hhmm, s) for _, hhmm, s, _ in got] == [
        ("22:30", _utc(2026, 10, 29, 19, 30)),
        ("23:00", _utc(2026, 10, 29, 20, 0)),
        ("23:30", _utc(2026, 10, 29, 20, 30)),
    ]
    with pytest.raises(InputError, match="midnight"):  # a 4th slot would start at 00:00
        slots(date(2026, 10, 29), 1, 4, o)


# the transition working days above are sampled often; any day of the season otherwise
ZONES = ["Asia/Jerusalem", "Africa/Cairo", "Asia/Beirut", "America/Santiago",
         "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "UTC"]  # fmt: skip


@settings(max_examples=120, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    start=st.sampled_from([date(2026, 3, 27), date(2026, 4, 24), date(2026, 10, 29)])
    | st.dates(date(2026, 3, 20), date(2026, 11, 6)),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    step=st.sampled_from([5, 20, 30, 45, 60, 90]),
    per_day=st.integers(1, 8),
)
def test_slots_never_overlap_and_label_their_real_start(zone, start, hour, minute, step, per_day):
    o = Outreach(timezone=zone, start_time=f"{hour:02d}:{minute:02d}", slot_minutes=step)
    try:
        got = slots(start, 3, per_day, o)
    except InputError as e:
        assert "midnight" in str(e)
        return
    tz = ZoneInfo(zone)
    starts = [s for *_, s, _ in got]
    assert len(set(starts)) == len(starts)  # distinct instants
    for (d, hhmm, s, e), nxt in zip(got, [*got[1:], None], strict=True):
        local = s.astimezone(tz)
        assert hhmm == local.strftime("%H:%M") and local.date() == d  # the real wall clock
        assert e - s == timedelta(minutes=step)
        if nxt is not None:
            assert nxt[2] >= e  # the next slot starts after this one ends
    if zone == "UTC":  # no change: exactly start_time + k × step
        first = datetime.combine(start, datetime.min.time(), UTC) + timedelta(
            hours=hour, minutes=minute
        )
        assert [s.time() for s in starts[:per_day]] == [
            (first + k * timedelta(minutes=step)).time() for k in range(per_day)
        ]


# ----------------------------------------------------------------------------- dates and flags


@pytest.mark.parametrize(
    ("raw", "message"),
    [({"as_of": "9999-12-30"}, "as_of: Input should be less than or equal to 2100-12-31"),
     ({"as_of": "1999-12-31"}, "as_of: Input should be greater than or equal to 2000-01-01"),
     ({"outreach": {"start": "9999-12-31"}}, "outreach.start: Input should be less than or equal to 2100-12-31")],
)  # fmt: skip
def test_dates_outside_the_range_are_refused(raw: dict, message: str) -> None:
    assert (date(2000, 1, 1), date(2100, 12, 31)) == (DATE_MIN, DATE_MAX)
    with pytest.raises(InputError) as ei:
        parse_params(raw, where="p.yaml")
    assert str(ei.value) == f"p.yaml: {message}"


FLAG_CASES = [
    (["--days", "2000000"], "--days: Input should be less than or equal to 60"),
    (["--days", "0"], "--days: Input should be greater than or equal to 1"),
    (["--per-day", "51"], "--per-day: Input should be less than or equal to 50"),
    (["--per-day", "two"], "--per-day: Input should be a valid integer, unable to parse string as an integer"),
    (["--start", "9999-12-31"], "--start: Input should be less than or equal to 2100-12-31"),
    (["--start", "2026-13-45"], "--start: Input should be a valid date or datetime, month value is outside expected range of 1-12"),
]  # fmt: skip


@pytest.mark.parametrize(("flags", "message"), FLAG_CASES)
def test_plan_flags_go_through_params_validation(flags, message, tmp_path: Path, capsys) -> None:
    """Exit 2, one line naming the flag; nothing is loaded (the data path does not even
    exist: the flag is refused first) and nothing is written."""
    out = tmp_path / "out"
    rc = cli.main(["plan", str(tmp_path / "no-such-export"), *flags, "--out", str(out)])
    cap = capsys.readouterr()
    assert rc == 2 and cap.out == ""
    assert cap.err.splitlines() == [f"warmcall: error: {message}"]
    assert not out.exists()


def test_far_as_of_in_a_params_file_is_one_line(tmp_path: Path, capsys) -> None:
    p = tmp_path / "p.yaml"
    p.write_text("as_of: 9999-12-30\n")
    rc = cli.main(["plan", "--params", str(p), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.splitlines()
    assert rc == 2
    assert err == [f"warmcall: error: {p}: as_of: Input should be less than or equal to 2100-12-31"]


def test_negative_sample_seed_is_one_line(tmp_path: Path, capsys) -> None:
    rc = cli.main(["sample", "--seed", "-1", "--out", str(tmp_path / "s")])
    err = capsys.readouterr().err.splitlines()
    assert rc == 2 and err == [
        "warmcall: error: --seed: must be a whole number of 0 or more (got -1)"
    ]
    assert not (tmp_path / "s").exists()


def test_params_problems_are_params_errors_in_the_one_exception_tree() -> None:
    from warmcall.core.errors import InputError, ParamsError, RunError, WarmcallError

    with pytest.raises(ParamsError) as e:
        parse_params({"window_days": "ninety"})
    assert isinstance(e.value, InputError) and isinstance(e.value, WarmcallError)
    assert e.value.exit_code == 2 and "window_days" in str(e.value)
    with pytest.raises(ParamsError):
        slots(date(2026, 11, 16), 1, 2, Outreach(timezone="Mars/Olympus"))
    assert RunError("warmcall report", "2 sets failed").exit_code == 1
