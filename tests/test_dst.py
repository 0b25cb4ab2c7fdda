"""Shifts keep their wall-clock times across DST changes (the rule in rotations.py's docstring).

An overnight 23:00-07:00 lasts 7 h on the spring-forward night and 9 h on the fall-back night;
a 19:00-07:00 night lasts 11 h / 13 h. A start inside the spring-forward gap is read with the
offset in force before the gap (so 02:30 is the instant 03:30 after the change); a time in the
repeated hour means its first occurrence. Pinned for America/New_York and Europe/Berlin.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from scheduler_service import rotations
from scheduler_service.config import Config, parse_config
from scheduler_service.model import Shift
from scheduler_service.rotations import expand_shifts

NEW_YORK = "America/New_York"
BERLIN = "Europe/Berlin"

EIGHT_HOURS = {"day8": ("D", "07:00", "15:00"), "swing8": ("S", "15:00", "23:00"),
               "night8": ("N", "23:00", "07:00")}
TWELVE_HOURS = {"day12": ("D", "07:00", "19:00"), "night12": ("N", "19:00", "07:00")}


def make_config(zone: str, shifts: dict[str, tuple[str, str, str]]) -> Config:
    """One team per shift, each working that shift every day (so every hour is covered)."""
    codes = [code for code, _, _ in shifts.values()]
    people = ",\n".join(
        f'  {{ id = "p{c}", name = "Person {c}", email = "p{c}@example.org", team = "T{c}" }}'
        for c in codes
    )
    shift_tables = "".join(
        f'[shifts.{name}]\ncode = "{code}"\nstart = "{start}"\nend = "{end}"\n\n'
        for name, (code, start, end) in shifts.items()
    )
    teams = ", ".join(f'"T{c}"' for c in codes)
    cycles = ", ".join(f'T{c} = "{c}"' for c in codes)
    text = f"""
people = [
{people},
]

[organisation]
name = "DST line"
timezone = "{zone}"
coordinator = {{ name = "Coordinator", email = "coordinator@example.org" }}
from_address = "training@example.org"

{shift_tables}
[rotations.all]
anchor = 2026-01-05
teams = [{teams}]
cycles = {{ {cycles} }}

[trainings]
"""
    return parse_config(text, "dst.toml")


def shift_on(config: Config, code: str, day: date) -> Shift:
    found = expand_shifts(config, day, day, people=[f"p{code}"])
    assert len(found) == 1, found
    return found[0]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


# (zone, first day of the night, UTC start, UTC end, hours) for a 23:00-07:00 overnight
OVERNIGHT_8H = [
    pytest.param(NEW_YORK, date(2027, 3, 13), "2027-03-14T04:00", "2027-03-14T11:00", 7,
                 id="new-york-spring-2027-03-14"),
    pytest.param(NEW_YORK, date(2026, 10, 31), "2026-11-01T03:00", "2026-11-01T12:00", 9,
                 id="new-york-fall-2026-11-01"),
    pytest.param(NEW_YORK, date(2027, 11, 6), "2027-11-07T03:00", "2027-11-07T12:00", 9,
                 id="new-york-fall-2027-11-07"),
    pytest.param(BERLIN, date(2027, 3, 27), "2027-03-27T22:00", "2027-03-28T05:00", 7,
                 id="berlin-spring-2027-03-28"),
    pytest.param(BERLIN, date(2026, 10, 24), "2026-10-24T21:00", "2026-10-25T06:00", 9,
                 id="berlin-fall-2026-10-25"),
    pytest.param(BERLIN, date(2027, 10, 30), "2027-10-30T21:00", "2027-10-31T06:00", 9,
                 id="berlin-fall-2027-10-31"),
]


@pytest.mark.parametrize(("zone", "day", "start", "end", "hours"), OVERNIGHT_8H)
def test_overnight_8h_on_transition_night(
    zone: str, day: date, start: str, end: str, hours: int
) -> None:
    shift = shift_on(make_config(zone, EIGHT_HOURS), "N", day)
    assert (shift.start, shift.end) == (utc(start), utc(end))
    assert shift.hours == hours
    assert shift.overnight


@pytest.mark.parametrize(("zone", "day", "start", "end", "hours"), OVERNIGHT_8H)
def test_nights_around_the_transition_are_8h(
    zone: str, day: date, start: str, end: str, hours: int
) -> None:
    config = make_config(zone, EIGHT_HOURS)
    for other in (day - timedelta(days=1), day + timedelta(days=1)):
        assert shift_on(config, "N", other).hours == 8


# (zone, first day of the night, UTC start, UTC end, hours) for a 19:00-07:00 night
NIGHT_12H = [
    pytest.param(NEW_YORK, date(2027, 3, 13), "2027-03-14T00:00", "2027-03-14T11:00", 11,
                 id="new-york-spring-2027-03-14"),
    pytest.param(NEW_YORK, date(2026, 10, 31), "2026-10-31T23:00", "2026-11-01T12:00", 13,
                 id="new-york-fall-2026-11-01"),
    pytest.param(NEW_YORK, date(2027, 11, 6), "2027-11-06T23:00", "2027-11-07T12:00", 13,
                 id="new-york-fall-2027-11-07"),
    pytest.param(BERLIN, date(2027, 3, 27), "2027-03-27T18:00", "2027-03-28T05:00", 11,
                 id="berlin-spring-2027-03-28"),
    pytest.param(BERLIN, date(2026, 10, 24), "2026-10-24T17:00", "2026-10-25T06:00", 13,
                 id="berlin-fall-2026-10-25"),
    pytest.param(BERLIN, date(2027, 10, 30), "2027-10-30T17:00", "2027-10-31T06:00", 13,
                 id="berlin-fall-2027-10-31"),
]


@pytest.mark.parametrize(("zone", "day", "start", "end", "hours"), NIGHT_12H)
def test_night_12h_on_transition_night(
    zone: str, day: date, start: str, end: str, hours: int
) -> None:
    config = make_config(zone, TWELVE_HOURS)
    night = shift_on(config, "N", day)
    assert (night.start, night.end) == (utc(start), utc(end))
    assert night.hours == hours
    # the day shifts either side keep 12 h and meet the night exactly: no gap, no overlap
    before, after = shift_on(config, "D", day), shift_on(config, "D", day + timedelta(days=1))
    assert before.end == night.start and night.end == after.start
    assert before.hours == after.hours == 12


def test_json_shows_wall_clock_times_with_the_offset_of_each_instant() -> None:
    config = make_config(NEW_YORK, EIGHT_HOURS)
    night = shift_on(config, "N", date(2027, 3, 13)).to_json(config.zone)
    assert night == {"person": "pN", "team": "TN", "shift": "night8",
                     "start": "2027-03-13T23:00:00-05:00", "end": "2027-03-14T07:00:00-04:00"}
    fall = shift_on(config, "N", date(2026, 10, 31)).to_json(config.zone)
    assert (fall["start"], fall["end"]) == ("2026-10-31T23:00:00-04:00",
                                            "2026-11-01T07:00:00-05:00")


# Shifts that start or end inside the spring-forward gap (02:00-03:00 local does not exist):
# the local time is read with the offset before the gap, i.e. 02:30 is the instant of 03:30.
GAP_SHIFTS = {"early": ("G", "02:30", "10:30"), "late": ("H", "10:30", "18:30"),
              "evening": ("J", "18:30", "02:30")}


@pytest.mark.parametrize(
    ("zone", "day", "gap_instant"),
    [
        pytest.param(NEW_YORK, date(2027, 3, 14), "2027-03-14T07:30", id="new-york"),
        pytest.param(BERLIN, date(2027, 3, 28), "2027-03-28T01:30", id="berlin"),
    ],
)
def test_start_inside_the_spring_forward_gap(zone: str, day: date, gap_instant: str) -> None:
    config = make_config(zone, GAP_SHIFTS)
    early = shift_on(config, "G", day)
    assert early.start == utc(gap_instant)
    assert early.start.astimezone(config.zone).strftime("%H:%M") == "03:30"
    assert early.hours == 7  # 03:30 to 10:30 after the change
    # the evening shift ending "02:30" on the gap day ends at the same instant: no gap, no overlap
    evening = shift_on(config, "J", day - timedelta(days=1))
    assert evening.end == early.start
    assert evening.hours == 8  # 18:30 to "02:30" read with the old offset, i.e. 03:30 after


@pytest.mark.parametrize(
    ("zone", "day", "first_instant"),
    [
        pytest.param(NEW_YORK, date(2026, 11, 1), "2026-11-01T05:30", id="new-york"),
        pytest.param(BERLIN, date(2026, 10, 25), "2026-10-25T00:30", id="berlin"),
    ],
)
def test_start_in_the_repeated_hour_is_its_first_occurrence(
    zone: str, day: date, first_instant: str
) -> None:
    at = "01:30" if zone == NEW_YORK else "02:30"  # inside the repeated hour
    later = "09:30" if zone == NEW_YORK else "10:30"
    repeated = {"early": ("G", at, later), "late": ("H", later, "17:30"),
                "evening": ("J", "17:30", at)}
    config = make_config(zone, repeated)
    early = shift_on(config, "G", day)
    assert early.start == utc(first_instant)
    assert early.hours == 9  # the repeated hour is worked twice
    evening = shift_on(config, "J", day - timedelta(days=1))
    assert evening.end == early.start
    assert evening.hours == (8 if zone == NEW_YORK else 9)  # ends at the first occurrence


def test_rule_is_documented_in_rotations() -> None:
    doc = " ".join((rotations.__doc__ or "").split())
    assert "spring-forward" in doc and "fall-back" in doc
    assert "before the gap" in doc and "first occurrence" in doc
