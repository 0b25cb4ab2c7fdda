"""Integer-minute time arithmetic for the planner.

Inside the planner every instant is an ``int``: minutes since the Unix epoch (UTC). That keeps the
hot loops cheap and makes DST a non-issue for arithmetic; local wall-clock questions (weekday,
local date, grid position) are answered by converting with the organisation's zone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def to_min(value: datetime) -> int:
    return int((value - EPOCH).total_seconds() // 60)


def from_min(value: int) -> datetime:
    return EPOCH + timedelta(minutes=value)


def local(value: int, zone: ZoneInfo) -> datetime:
    return from_min(value).astimezone(zone)


def local_date(value: int, zone: ZoneInfo) -> date:
    return local(value, zone).date()


def wall(day: date, at: time, zone: ZoneInfo) -> int | None:
    """The instant of wall-clock ``at`` on ``day``, or None when that local time does not exist
    (inside a spring-forward gap). An ambiguous time means its first occurrence."""
    aware = datetime.combine(day, at, tzinfo=zone)
    back = aware.astimezone(UTC).astimezone(zone)
    if back.replace(tzinfo=None) != aware.replace(tzinfo=None):
        return None
    return to_min(aware)


def wall_loose(day: date, at: time, zone: ZoneInfo) -> int:
    """Like :func:`wall` but a non-existent time is read with the offset before the gap."""
    return to_min(datetime.combine(day, at, tzinfo=zone))


def minutes_of_day(value: int, zone: ZoneInfo) -> int:
    loc = local(value, zone)
    return loc.hour * 60 + loc.minute


def clock_minutes(at: time) -> int:
    return at.hour * 60 + at.minute


def label(value: int, zone: ZoneInfo) -> str:
    """'Tue 2027-01-05 14:00' in the organisation's zone."""
    loc = local(value, zone)
    return f"{WEEKDAYS[loc.weekday()].capitalize()} {loc:%Y-%m-%d %H:%M}"


def span_label(start: int, end: int, zone: ZoneInfo) -> str:
    """'Tue 2027-01-05 02:00-04:00' (end date shown when it differs)."""
    a, b = local(start, zone), local(end, zone)
    tail = f"{b:%H:%M}"
    if a.date() != b.date():
        tail = f"{WEEKDAYS[b.weekday()].capitalize()} {b:%Y-%m-%d %H:%M}"
    return f"{WEEKDAYS[a.weekday()].capitalize()} {a:%Y-%m-%d %H:%M}-{tail}"


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
