"""Expand rotations into concrete shifts (pure).

DST rule: shifts are wall-clock times in the organisation's zone. A shift from 23:00 to 07:00
starts at 23:00 local on its day and ends at 07:00 local the next day, so on the spring-forward
night it lasts one hour less and on the fall-back night one hour more. A local time that does
not exist (inside the spring-forward gap) is read with the offset in force before the gap
(RFC 5545 section 3.3.5; zoneinfo's fold=0); an ambiguous one (repeated hour) means its first
occurrence.

Time off: shifts that start inside a person's time off are not worked and are not returned.
Start date: a person with a ``start_date`` works no shift that starts before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler_service.config.patterns import OFF_CODES
from scheduler_service.config.schema import Config, Person, ShiftDef, parse_clock
from scheduler_service.model import Shift


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The aware instant of wall-clock ``at`` on ``day`` (gap: offset before; fold: first)."""
    return datetime.combine(day, at, tzinfo=zone)


def shift_interval(day: date, shift: ShiftDef, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = local_instant(day, parse_clock(shift.start), zone)
    end_day = day + timedelta(days=1) if shift.overnight else day
    end = local_instant(end_day, parse_clock(shift.end), zone)
    return start, end


def _days(first: date, last: date) -> Iterable[date]:
    for n in range((last - first).days + 1):
        yield first + timedelta(days=n)


def person_letter(config: Config, person: Person, day: date) -> tuple[str, str] | None:
    """(letter, shift name) that ``person`` works on ``day`` (labelled by the shift's start)."""
    exc = config.exceptions.get(person.id)
    if exc is not None and exc.pattern is not None:
        cycle = exc.pattern.cycle
        letter = cycle[(day - exc.pattern.anchor).days % len(cycle)]
        if letter in OFF_CODES:
            return None
        for name, shift in config.shifts.items():
            if shift.code == letter:
                return letter, name
        return None
    if person.team is None:
        return None
    found = config.rotation_of_team(person.team)
    if found is None:
        return None
    _, rotation = found
    letter_or_none = rotation.letter_at(person.team, (day - rotation.anchor).days)
    if letter_or_none is None:
        return None
    name, _ = config.shift_by_letter(rotation, letter_or_none)
    return letter_or_none, name


def _on_time_off(config: Config, person_id: str, day: date) -> bool:
    exc = config.exceptions.get(person_id)
    return exc is not None and any(t.start <= day <= t.end for t in exc.time_off)


def expand_person(config: Config, person: Person, first: date, last: date) -> list[Shift]:
    """Shifts of one person that start on days ``first``..``last`` (inclusive), in order."""
    zone = config.zone
    out: list[Shift] = []
    for day in _days(first, last):
        found = person_letter(config, person, day)
        if found is None or _on_time_off(config, person.id, day):
            continue
        if person.start_date is not None and day < person.start_date:
            continue
        letter, name = found
        shift = config.shifts[name]
        start, end = shift_interval(day, shift, zone)
        out.append(
            Shift(start=start, end=end, person=person.id, team=person.team or "",
                  shift=name, code=letter, overnight=shift.overnight)
        )
    return out


def expand_shifts(
    config: Config, first: date, last: date, people: Iterable[str] | None = None
) -> list[Shift]:
    """Every person's shifts starting on ``first``..``last`` inclusive, sorted by start, person.

    Pass ``first`` one day earlier than the window of interest to include overnight shifts
    that spill into it.
    """
    wanted = set(people) if people is not None else None
    out: list[Shift] = []
    for person in config.roster:
        if wanted is None or person.id in wanted:
            out.extend(expand_person(config, person, first, last))
    out.sort(key=lambda s: (s.start, s.person))
    return out


def team_cycles(config: Config) -> list[dict[str, object]]:
    """The explicit form of every rotation: per team its cycle string and day offset."""
    rows: list[dict[str, object]] = []
    for name, rot in config.rotations.items():
        assert rot.cycles is not None and rot.offsets is not None
        for team in rot.teams:
            rows.append({
                "rotation": name, "preset": rot.preset, "team": team,
                "cycle": rot.cycles[team], "offset": rot.offsets[team],
                "anchor": rot.anchor.isoformat(),
            })
    return rows
