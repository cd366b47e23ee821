"""The call calendar: working days and time slots in the user's time zone.

Working days only (Monday–Friday; public holidays are not known), starting on ``start``
(rolled forward to Monday on a weekend). Each day has ``per_day`` slots of
``outreach.slot_minutes`` from ``outreach.start_time``, local wall-clock time in the IANA
``outreach.timezone`` (zoneinfo). Daylight saving: a local time in the autumn overlap is its
first occurrence; one skipped in the spring gap is read with the offset before the change;
no slot starts before the previous one ends, so every slot is a distinct instant.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from warmcall.core.errors import ParamsError
from warmcall.core.params import Outreach


def working_days(start: date, n: int) -> list[date]:
    """``n`` Monday–Friday dates from ``start`` (a weekend start rolls to Monday)."""
    out: list[date] = []
    d = start
    while len(out) < n:
        if d.weekday() < 5:
            out.append(d)
        d += timedelta(days=1)
    return out


def next_working_day(d: date) -> date:
    """The first Monday–Friday date strictly after ``d``."""
    d += timedelta(days=1)
    while d.weekday() >= 5:
        d += timedelta(days=1)
    return d


def _start_time(s: str) -> time:
    try:
        hh, mm = s.strip().split(":")
        return time(int(hh), int(mm))
    except (ValueError, TypeError):
        raise ParamsError("params", f"outreach.start_time: expected HH:MM, got {s!r}") from None


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ParamsError(
            "params", f"outreach.timezone: unknown IANA time zone {name!r} (is tzdata installed?)"
        ) from None


def slots(
    start: date, days: int, per_day: int, o: Outreach
) -> list[tuple[date, str, datetime, datetime]]:
    """(local date, local HH:MM, start UTC, end UTC) of every slot, in order.

    Slot k of a day is meant to start at wall-clock ``start_time + k × slot_minutes`` in the
    zone. Daylight-saving changes (zoneinfo, ``fold=0``): a wall-clock time that occurs twice
    (an overlap, clocks set back) is its first occurrence; one that does not exist (a gap,
    clocks set forward) is read with the offset before the change, i.e. as the instant that
    far past the change (02:30 in a 02:00→03:00 gap is 03:30). A slot never starts before the
    previous slot of its day ends (it moves to that end), so every slot is a distinct
    instant and no two slots overlap, whatever the zone does that day. HH:MM is the wall
    clock at the slot's real start."""
    tz = _zone(o.timezone)
    t0 = _start_time(o.start_time)
    step = timedelta(minutes=o.slot_minutes)
    out = []
    for d in working_days(start, days):
        base = datetime.combine(d, t0)
        midnight = datetime.combine(d + timedelta(days=1), time(0, 0), tzinfo=tz)
        prev_end: datetime | None = None
        for k in range(per_day):
            s = (base + k * step).replace(tzinfo=tz).astimezone(UTC)  # fold=0: see above
            if prev_end is not None and s < prev_end:
                s = prev_end
            e = s + step
            if e > midnight.astimezone(UTC):
                raise ParamsError(
                    "params",
                    f"outreach: {per_day} slots of {o.slot_minutes} min from {o.start_time} "
                    "run past midnight",
                )
            out.append((d, s.astimezone(tz).strftime("%H:%M"), s, e))
            prev_end = e
    return out
