"""Property tests of rotation expansion over every preset in config/patterns.py.

- a rotation repeats with its cycle length;
- exactly ``teams_on_duty`` teams are on duty at every instant (sweep over two cycles, and
  instants drawn by hypothesis), in zones with and without DST;
- nobody ever has overlapping shifts, whatever the anchors, offsets, shift times and zone;
- the four-team 12 h and 8 h patterns average 42 hours a week.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler_service.config import Config, parse_config
from scheduler_service.config.patterns import PRESETS, Preset
from scheduler_service.model import Shift
from scheduler_service.rotations import expand_shifts, person_letter

ZONES = ("America/New_York", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "UTC")
SHIFTS_12H = {"day12": ("D", "07:00", "19:00"), "night12": ("N", "19:00", "07:00")}
SHIFTS_8H = {"day8": ("D", "07:00", "15:00"), "swing8": ("S", "15:00", "23:00"),
             "night8": ("N", "23:00", "07:00")}
PRESET_NAMES = sorted(PRESETS)
FAST = settings(max_examples=40, deadline=None, derandomize=True)


def shift_times(preset: Preset) -> dict[str, tuple[str, str, str]]:
    """8 h D/S/N times when the pattern has a swing shift, else 12 h D/N."""
    return SHIFTS_8H if any("S" in c for c in preset.cycles) else SHIFTS_12H


def cycle_length(preset: Preset) -> int:
    return math.lcm(*(len(c) for c in preset.cycles))


def teams(preset: Preset) -> list[str]:
    return [f"T{k}" for k in range(preset.team_count)]


def valid_anchor(preset: Preset, day: date) -> date:
    """Move ``day`` back to a Monday when the preset is tied to weekdays."""
    if preset.anchor_weekday is None:
        return day
    return day - timedelta(days=(day.weekday() - preset.anchor_weekday) % 7)


def preset_config(name: str, zone: str, anchor: date) -> Config:
    """A validated config: the preset with its teams and one person per team."""
    preset = PRESETS[name]
    people = ",\n".join(
        f'  {{ id = "p{t}", name = "Person {t}", email = "p{t}@example.org", team = "{t}" }}'
        for t in teams(preset)
    )
    shifts = "".join(
        f'[shifts.{sname}]\ncode = "{code}"\nstart = "{start}"\nend = "{end}"\n\n'
        for sname, (code, start, end) in shift_times(preset).items()
    )
    team_list = ", ".join(f'"{t}"' for t in teams(preset))
    text = f"""
people = [
{people},
]

[organisation]
name = "Property line"
timezone = "{zone}"
coordinator = {{ name = "Coordinator", email = "coordinator@example.org" }}
from_address = "training@example.org"

{shifts}
[rotations.floor]
preset = "{name}"
anchor = {anchor.isoformat()}
teams = [{team_list}]

[trainings]
"""
    return parse_config(text, f"{name}.toml")


def midnight(day: date, config: Config) -> datetime:
    return datetime.combine(day, time(0), tzinfo=config.zone).astimezone(UTC)


def on_duty(shifts: list[Shift], at: datetime) -> list[str]:
    return [s.team for s in shifts if s.start <= at < s.end]


# --- the rotation repeats with its cycle --------------------------------------------------


@FAST
@given(name=st.sampled_from(PRESET_NAMES), day=st.integers(-2000, 2000),
       cycles=st.integers(1, 3))
def test_rotation_repeats_with_its_cycle(name: str, day: int, cycles: int) -> None:
    preset = PRESETS[name]
    anchor = valid_anchor(preset, date(2026, 1, 5))
    config = preset_config(name, "America/New_York", anchor)
    length = cycle_length(preset)
    d = anchor + timedelta(days=day)
    later = d + timedelta(days=cycles * length)
    for person in config.roster:
        assert person_letter(config, person, d) == person_letter(config, person, later)
        now = [(s.shift, s.start.astimezone(config.zone).time(), s.end.astimezone(config.zone)
                .time()) for s in expand_shifts(config, d, d, [person.id])]
        then = [(s.shift, s.start.astimezone(config.zone).time(), s.end.astimezone(config.zone)
                 .time()) for s in expand_shifts(config, later, later, [person.id])]
        assert now == then  # same shift at the same wall-clock times


@pytest.mark.parametrize("name", PRESET_NAMES)
def test_cycle_is_not_shorter_than_declared(name: str) -> None:
    """Shifting by the cycle length is needed: no preset repeats after fewer days."""
    preset = PRESETS[name]
    length = cycle_length(preset)
    pattern = [tuple(c[(d + o) % len(c)] for c, o in zip(preset.cycles, preset.offsets,
                                                          strict=True))
               for d in range(2 * length)]
    shortest = next(p for p in range(1, length + 1) if all(
        pattern[d] == pattern[d + p] for d in range(length)))
    assert shortest == length


# --- exactly teams_on_duty teams at every instant -----------------------------------------


def assert_exact_cover(config: Config, preset: Preset, first: date, days: int) -> int:
    """Sweep every interval between shift boundaries in [first, first + days); return count."""
    found = expand_shifts(config, first - timedelta(days=1), first + timedelta(days=days))
    lo, hi = midnight(first, config), midnight(first + timedelta(days=days), config)
    points = sorted({lo, hi} | {t for s in found for t in (s.start, s.end) if lo < t < hi})
    for a, b in zip(points, points[1:], strict=False):
        teams_now = [s.team for s in found if s.start < b and s.end > a]
        assert len(teams_now) == preset.teams_on_duty, (a, b, teams_now)
        assert all(s.start <= a and s.end >= b for s in found if s.start < b and s.end > a)
    return len(points) - 1


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin"])
@pytest.mark.parametrize("name", PRESET_NAMES)
def test_exactly_one_team_on_duty_sweep_over_two_cycles(name: str, zone: str) -> None:
    preset = PRESETS[name]
    # two cycles from early March cross the spring-forward change in both zones
    anchor = valid_anchor(preset, date(2027, 3, 1))
    config = preset_config(name, zone, anchor)
    segments = assert_exact_cover(config, preset, anchor, 2 * cycle_length(preset))
    assert segments >= 2 * cycle_length(preset)  # at least one boundary a day was checked


@FAST
@given(
    name=st.sampled_from(PRESET_NAMES),
    zone=st.sampled_from(ZONES),
    anchor=st.dates(date(2024, 1, 1), date(2030, 12, 31)),
    day=st.integers(0, 111),
    minute=st.integers(0, 24 * 60 - 1),
)
def test_exactly_one_team_on_duty_at_a_drawn_instant(
    name: str, zone: str, anchor: date, day: int, minute: int
) -> None:
    preset = PRESETS[name]
    anchor = valid_anchor(preset, anchor)
    config = preset_config(name, zone, anchor)
    day_of = anchor + timedelta(days=day % (2 * cycle_length(preset)))
    at = midnight(day_of, config) + timedelta(minutes=minute)
    found = expand_shifts(config, day_of - timedelta(days=1), day_of + timedelta(days=1))
    assert len(on_duty(found, at)) == preset.teams_on_duty


@FAST
@given(name=st.sampled_from(PRESET_NAMES), zone=st.sampled_from(ZONES),
       anchor=st.dates(date(2024, 1, 1), date(2030, 12, 31)))
def test_exact_cover_for_drawn_anchor_and_zone(name: str, zone: str, anchor: date) -> None:
    preset = PRESETS[name]
    anchor = valid_anchor(preset, anchor)
    config = preset_config(name, zone, anchor)
    assert_exact_cover(config, preset, anchor + timedelta(days=3), cycle_length(preset))


# --- nobody has overlapping shifts ----------------------------------------------------------

@st.composite
def random_rotation(draw: st.DrawFn) -> dict[str, Any]:
    """A preset's cycles with drawn offsets, anchor, zone and shift times (a 12 h or 8 h day
    starting at a drawn time); schema-valid, but not necessarily covering every hour."""
    preset = PRESETS[draw(st.sampled_from(PRESET_NAMES))]
    base = draw(st.integers(0, 47)) * 30  # minutes after midnight the first shift starts
    codes = ("D", "S", "N") if any("S" in c for c in preset.cycles) else ("D", "N")
    step = 24 * 60 // len(codes)
    clocks = [f"{(base + k * step) // 60 % 24:02d}:{(base + k * step) % 60:02d}"
              for k in range(len(codes) + 1)]
    shifts = {f"s{c}": {"code": c, "start": clocks[k], "end": clocks[k + 1]}
              for k, c in enumerate(codes)}
    team_names = teams(preset)
    people = [{"id": f"p{t}", "name": f"P {t}", "email": f"p{t}@example.org", "team": t}
              for t in team_names]
    return {
        "organisation": {"name": "Random", "timezone": draw(st.sampled_from(ZONES)),
                         "coordinator": {"name": "C", "email": "c@example.org"},
                         "from_address": "t@example.org"},
        "shifts": shifts,
        "rotations": {"r": {
            "anchor": draw(st.dates(date(2020, 1, 1), date(2032, 12, 31))),
            "teams": team_names,
            "cycles": dict(zip(team_names, preset.cycles, strict=True)),
            "offsets": {t: draw(st.integers(-60, 60)) for t in team_names},
        }},
        "people": people,
        "trainings": {},
    }


@FAST
@given(raw=random_rotation(), first=st.dates(date(2024, 1, 1), date(2031, 12, 31)),
       days=st.integers(0, 120))
def test_no_person_has_overlapping_shifts(raw: dict[str, Any], first: date, days: int) -> None:
    config = Config.model_validate(raw)
    zone = ZoneInfo(raw["organisation"]["timezone"])
    found = expand_shifts(config, first, first + timedelta(days=days))
    for person in config.roster:
        mine = sorted(s for s in found if s.person == person.id)
        for earlier, later in zip(mine, mine[1:], strict=False):
            assert earlier.end <= later.start, (earlier, later)
        for s in mine:
            # wall-clock length, give or take the hour a DST change adds or removes
            local = s.start.astimezone(zone)
            shift = config.shifts[s.shift]
            assert local.strftime("%H:%M") in (shift.start, _plus_hour(shift.start))
            assert 0 < s.hours <= 25


def _plus_hour(clock: str) -> str:
    """A start inside the spring-forward gap shows an hour later on the clock."""
    hours, minutes = map(int, clock.split(":"))
    return f"{(hours + 1) % 24:02d}:{minutes:02d}"


# --- 42 hours a week ---------------------------------------------------------------------------

FOUR_TEAM = [name for name in PRESET_NAMES if PRESETS[name].team_count == 4]


def test_four_team_patterns_are_the_expected_ones() -> None:
    assert set(FOUR_TEAM) >= {"pitman", "pitman-rotating", "panama", "dupont", "4on4off",
                              "continental", "metropolitan", "southern-swing"}


@pytest.mark.parametrize("zone", ["UTC", "Asia/Kolkata"])
@pytest.mark.parametrize("name", FOUR_TEAM)
def test_average_hours_per_week_is_42(name: str, zone: str) -> None:
    preset = PRESETS[name]
    config = preset_config(name, zone, date(2026, 1, 5))
    length = cycle_length(preset)
    found = expand_shifts(config, date(2026, 1, 5), date(2026, 1, 4) + timedelta(days=length))
    for team in teams(preset):
        hours = sum(s.hours for s in found if s.team == team)
        assert hours / (length / 7) == pytest.approx(42), team


def test_average_hours_over_a_year_with_dst_changes() -> None:
    """Across a whole number of years the DST hour lost in spring comes back in autumn."""
    config = preset_config("pitman", "America/New_York", date(2026, 1, 5))
    found = expand_shifts(config, date(2026, 1, 5), date(2026, 1, 4) + timedelta(days=14 * 26))
    night_teams = {"T2", "T3"}
    total = sum(s.hours for s in found if s.team in night_teams)
    assert total == pytest.approx(2 * 42 * 52)


# --- the checks above can fail --------------------------------------------------------------


@pytest.mark.parametrize(("night_end", "offsets"), [("06:00", (0, 7, 0, 7)),  # an hour unstaffed
                                                     ("08:00", (0, 7, 0, 7)),  # an hour doubled
                                                     ("07:00", (0, 7, 0, 6))])  # a wrong phase
def test_sweep_detects_gaps_and_doubles(night_end: str, offsets: tuple[int, ...]) -> None:
    preset = PRESETS["pitman"]
    raw = {
        "organisation": {"name": "Broken", "timezone": "Europe/Berlin",
                         "coordinator": {"name": "C", "email": "c@example.org"},
                         "from_address": "t@example.org"},
        "shifts": {"day12": {"code": "D", "start": "07:00", "end": "19:00"},
                   "night12": {"code": "N", "start": "19:00", "end": night_end}},
        "rotations": {"r": {"anchor": date(2026, 1, 5), "teams": teams(preset),
                            "cycles": dict(zip(teams(preset), preset.cycles, strict=True)),
                            "offsets": dict(zip(teams(preset), offsets, strict=True))}},
        "people": [{"id": f"p{t}", "name": t, "email": f"p{t}@example.org", "team": t}
                   for t in teams(preset)],
        "trainings": {},
    }
    config = Config.model_validate(raw)
    with pytest.raises(AssertionError):
        assert_exact_cover(config, preset, date(2026, 1, 5), 28)
