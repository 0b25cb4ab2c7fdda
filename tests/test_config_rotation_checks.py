"""Rotation timing checks (config/rotation_checks.py): one person never works two shifts at
once, and a handover inside the skipped hour of the spring-forward night cannot leave the line
unstaffed. Regression tests: before these checks such configs validated."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduler_service.config import load_config, parse_config
from scheduler_service.config.rotation_checks import spring_gap
from scheduler_service.errors import ConfigError
from scheduler_service.rotations import expand_shifts


def config_text(zone: str, shifts: dict[str, tuple[str, str, str]], cycles: dict[str, str],
                extra: str = "") -> str:
    people = ",\n".join(
        f'  {{ id = "p{t}", name = "P {t}", email = "p{t}@example.org", team = "{t}" }}'
        for t in cycles
    )
    shift_tables = "".join(f'[shifts.{n}]\ncode = "{c}"\nstart = "{s}"\nend = "{e}"\n\n'
                           for n, (c, s, e) in shifts.items())
    teams = ", ".join(f'"{t}"' for t in cycles)
    cycle_map = ", ".join(f'{t} = "{c}"' for t, c in cycles.items())
    return f"""
people = [
{people},
]

[organisation]
name = "Checks"
timezone = "{zone}"
coordinator = {{ name = "C", email = "c@example.org" }}
from_address = "t@example.org"

{shift_tables}
[rotations.r]
anchor = 2027-01-04
teams = [{teams}]
cycles = {{ {cycle_map} }}

{extra}
[trainings]
"""


def problems(text: str) -> list[str]:
    try:
        parse_config(text, "checks.toml")
    except ConfigError as exc:
        return [f"{p.path}: {p.message}" for p in exc.problems]
    return []


STRADDLE = {"late": ("L", "18:00", "03:00"), "early": ("E", "02:30", "18:00")}


@pytest.mark.parametrize("zone", ["America/New_York", "Europe/Berlin"])
def test_handover_straddling_the_skipped_hour_is_reported(zone: str) -> None:
    found = problems(config_text(zone, STRADDLE, {"A": "L", "B": "E"}))
    assert len(found) == 1
    assert found[0].startswith(f"rotations: on the spring-forward night in {zone}")
    assert "nobody is on duty from 03:00 to 03:30" in found[0]


def test_the_reported_gap_is_real() -> None:
    config = parse_config(config_text("Asia/Tokyo", STRADDLE, {"A": "L", "B": "E"}))
    # the same rotation in New York, expanded: the line is empty 03:00-03:30 on 2027-03-14
    raw = config.model_dump()
    raw["organisation"]["timezone"] = "America/New_York"
    ny = type(config).model_validate(raw)
    late = expand_shifts(ny, date(2027, 3, 13), date(2027, 3, 13), people=["pA"])[0]
    early = expand_shifts(ny, date(2027, 3, 14), date(2027, 3, 14), people=["pB"])[0]
    assert early.start - late.end == timedelta(minutes=30)  # 03:00 to 03:30 EDT, nobody


def test_the_same_handover_without_dst_is_fine() -> None:
    assert problems(config_text("Asia/Tokyo", STRADDLE, {"A": "L", "B": "E"})) == []


def test_a_handover_at_one_time_inside_the_skipped_hour_is_fine() -> None:
    tiled = {"late": ("L", "18:30", "02:30"), "early": ("E", "02:30", "10:30"),
             "mid": ("M", "10:30", "18:30")}
    assert problems(config_text("America/New_York", tiled, {"A": "L", "B": "E", "C": "M"})) == []


def test_example_config_passes(example_config_path: Path) -> None:
    assert load_config(example_config_path).rotations


OVERLAPPING = {"day": ("D", "07:00", "19:00"), "night": ("N", "19:00", "08:00")}


def test_consecutive_shifts_of_a_team_must_not_overlap() -> None:
    found = problems(config_text("UTC", OVERLAPPING, {"A": "ND", "B": "DN"}))
    assert ("rotations.r.cycles.A: night (19:00-08:00) runs into the next day's day from 07:00: "
            "one person would work both at once") in found
    assert any(f.startswith("rotations.r.cycles.B:") for f in found)


def test_a_personal_pattern_must_not_overlap() -> None:
    ok = {"day": ("D", "07:00", "19:00"), "night": ("N", "19:00", "07:00"),
          "long": ("X", "18:00", "08:00")}
    extra = '[exceptions.pA]\npattern = { cycle = "XD", anchor = 2027-01-04 }\n'
    found = problems(config_text("UTC", ok, {"A": "DN", "B": "ND"}, extra))
    assert found == ["exceptions.pA.pattern.cycle: long (18:00-08:00) runs into the next day's "
                     "day from 07:00: one person would work both at once"]


def test_one_persons_shifts_overlapping_only_on_the_spring_forward_night() -> None:
    # wall clock: X ends 02:30, the next day's Y starts 03:00 (C covers the half hour);
    # on the spring-forward night "02:30" is 03:30, after Y has started
    shifts = {"x": ("X", "19:00", "02:30"), "y": ("Y", "03:00", "19:00"),
              "z": ("Z", "02:00", "03:30")}
    found = problems(config_text("America/New_York", shifts, {"A": "XY", "B": "YX", "C": "Z"}))
    assert [f.split(":")[0] for f in found] == ["rotations.r.cycles.B", "rotations.r.cycles.A"]
    assert all("x ends at 03:30, after the next y starts at 03:00" in f for f in found)


@pytest.mark.parametrize(("zone", "start", "hop"), [
    ("America/New_York", 120, 60), ("Europe/Berlin", 120, 60), ("Australia/Sydney", 120, 60),
    ("Australia/Lord_Howe", 120, 30),
])
def test_spring_gap(zone: str, start: int, hop: int) -> None:
    assert spring_gap(ZoneInfo(zone), date(2027, 1, 1)) == (timedelta(minutes=start),
                                                            timedelta(minutes=hop))


def test_no_spring_gap_without_dst() -> None:
    assert spring_gap(ZoneInfo("Asia/Kolkata"), date(2027, 1, 1)) is None
    assert spring_gap(ZoneInfo("UTC"), date(2027, 1, 1)) is None


# --- property: a config the checks accept never double-books a person or empties the line ----

TRANSITIONS = {  # (spring-forward day, fall-back day) in 2027
    "America/New_York": (date(2027, 3, 14), date(2027, 11, 7)),
    "Europe/Berlin": (date(2027, 3, 28), date(2027, 10, 31)),
    "Australia/Sydney": (date(2027, 10, 3), date(2027, 4, 4)),
    "Asia/Kolkata": (date(2027, 3, 14), date(2027, 11, 7)),
}


def _clock(minutes: int) -> str:
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def handovers(draw: st.DrawFn) -> tuple[str, dict[str, tuple[str, str, str]]]:
    """A 24-hour tiling of 1-4 daily shifts, each edge then nudged by up to an hour either way
    (overlapping handovers, gaps, or edges inside the skipped hour)."""
    zone = draw(st.sampled_from(sorted(TRANSITIONS)))
    near_the_change = st.sampled_from([4, 5, 6, 7])  # half hours 02:00 to 03:30
    edge = st.one_of(st.integers(0, 47), near_the_change)
    edges = sorted(draw(st.sets(edge, min_size=1, max_size=4)))
    nudge = st.sampled_from([-60, -30, 0, 0, 0, 30, 60])
    shifts = {}
    for i, edge in enumerate(edges):
        start = edge * 30 + draw(nudge)
        end = edges[(i + 1) % len(edges)] * 30 + draw(nudge)
        code = "DSNEFG"[i]
        shifts[f"s{code}"] = (code, _clock(start), _clock(end))
    return zone, shifts


@settings(max_examples=150, deadline=None, derandomize=True)
@given(case=handovers(), spring=st.booleans())
def test_accepted_configs_never_double_book_or_leave_the_line_empty(
    case: tuple[str, dict[str, tuple[str, str, str]]], spring: bool
) -> None:
    zone, shifts = case
    cycles = {f"T{code}": code for code, _, _ in shifts.values()}
    text = config_text(zone, shifts, cycles)
    if problems(text):
        return  # rejected: nothing to promise
    config = parse_config(text)
    day = TRANSITIONS[zone][0 if spring else 1]
    found = expand_shifts(config, day - timedelta(days=2), day + timedelta(days=2))
    for person in config.roster:
        mine = sorted(s for s in found if s.person == person.id)
        for a, b in zip(mine, mine[1:], strict=False):
            assert a.end <= b.start, (a, b)
    lo = datetime.combine(day - timedelta(days=1), time(0), ZoneInfo(zone))
    hi = datetime.combine(day + timedelta(days=2), time(0), ZoneInfo(zone))
    points = sorted({lo, hi} | {t for s in found for t in (s.start, s.end) if lo < t < hi})
    for a, b in zip(points, points[1:], strict=False):
        assert any(s.start <= a and s.end >= b for s in found), (a, b)
