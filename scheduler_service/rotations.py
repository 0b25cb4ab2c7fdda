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
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler_service.config.patterns import OFF_CODES
from scheduler_service.config.schema import Config, Person, Rotation, ShiftDef, parse_clock
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


class _Lookup:
    """Per-config lookups for fast expansion: team -> rotation, letter -> shift, and the
    instants of each (shift, day), which are the same for everyone working that shift."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.rotation: dict[str, Rotation] = {}
        for rotation in config.rotations.values():
            for team in rotation.teams:
                self.rotation.setdefault(team, rotation)
        self.by_code = {shift.code: name for name, shift in config.shifts.items()}
        self._letters: dict[tuple[int, str], str | None] = {}
        self._instants: dict[tuple[str, date], tuple[datetime, datetime]] = {}

    def shift_name(self, rotation: Rotation | None, letter: str) -> str | None:
        key = (id(rotation), letter)
        if key not in self._letters:
            name = rotation.shift_map.get(letter) if rotation is not None else None
            self._letters[key] = name if name is not None else self.by_code.get(letter)
        return self._letters[key]

    def instants(self, name: str, day: date) -> tuple[datetime, datetime]:
        key = (name, day)
        found = self._instants.get(key)
        if found is None:
            start, end = shift_interval(day, self.config.shifts[name], self.config.zone)
            found = self._instants[key] = (start.astimezone(UTC), end.astimezone(UTC))
        return found


_LOOKUPS: dict[int, _Lookup] = {}


def _lookup(config: Config) -> _Lookup:
    found = _LOOKUPS.get(id(config))
    if found is None or found.config is not config:
        if len(_LOOKUPS) > 8:
            _LOOKUPS.clear()
        found = _LOOKUPS[id(config)] = _Lookup(config)
    return found


def person_letter(config: Config, person: Person, day: date) -> tuple[str, str] | None:
    """(letter, shift name) that ``person`` works on ``day`` (labelled by the shift's start)."""
    lookup = _lookup(config)
    exc = config.exceptions.get(person.id)
    rotation: Rotation | None = None
    if exc is not None and exc.pattern is not None:
        cycle = exc.pattern.cycle
        letter: str | None = cycle[(day - exc.pattern.anchor).days % len(cycle)]
        if letter in OFF_CODES:
            letter = None
    elif person.team is None or person.team not in lookup.rotation:
        return None
    else:
        rotation = lookup.rotation[person.team]
        letter = rotation.letter_at(person.team, (day - rotation.anchor).days)
    if letter is None:
        return None
    name = lookup.shift_name(rotation, letter)
    return None if name is None else (letter, name)


def _time_off_days(config: Config, person_id: str) -> list[tuple[date, date]]:
    exc = config.exceptions.get(person_id)
    return [] if exc is None else [(t.start, t.end) for t in exc.time_off]


def _person_cycle(config: Config, person: Person) -> tuple[str, date, Rotation | None] | None:
    """The cycle string a person works, the date of its index 0, and its rotation (if any)."""
    exc = config.exceptions.get(person.id)
    if exc is not None and exc.pattern is not None:
        return exc.pattern.cycle, exc.pattern.anchor, None
    lookup = _lookup(config)
    if person.team is None or person.team not in lookup.rotation:
        return None
    rotation = lookup.rotation[person.team]
    assert rotation.cycles is not None and rotation.offsets is not None
    offset = rotation.offsets[person.team]
    return rotation.cycles[person.team], rotation.anchor - timedelta(days=offset), rotation


def expand_person(config: Config, person: Person, first: date, last: date) -> list[Shift]:
    """Shifts of one person that start on days ``first``..``last`` (inclusive), in order."""
    found = _person_cycle(config, person)
    if found is None:
        return []
    cycle, origin, rotation = found
    lookup = _lookup(config)
    names = {c: lookup.shift_name(rotation, c) for c in set(cycle) - OFF_CODES}
    overnight = {n: config.shifts[n].overnight for n in names.values() if n is not None}
    off = _time_off_days(config, person.id)
    if person.start_date is not None and person.start_date > first:
        first = person.start_date
    team = person.team or ""
    out: list[Shift] = []
    base = (first - origin).days
    for n in range((last - first).days + 1):
        letter = cycle[(base + n) % len(cycle)]
        name = names.get(letter)
        if name is None:
            continue
        day = first + timedelta(days=n)
        if off and any(a <= day <= b for a, b in off):
            continue
        start, end = lookup.instants(name, day)
        out.append(
            Shift(
                start=start,
                end=end,
                person=person.id,
                team=team,
                shift=name,
                code=letter,
                overnight=overnight[name],
            )
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
            rows.append(
                {
                    "rotation": name,
                    "preset": rot.preset,
                    "team": team,
                    "cycle": rot.cycles[team],
                    "offset": rot.offsets[team],
                    "anchor": rot.anchor.isoformat(),
                }
            )
    return rows
