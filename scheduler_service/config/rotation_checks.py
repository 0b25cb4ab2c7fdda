"""Timing checks on rotations that the wall-clock coverage check cannot see.

1. One person, two shifts at once: consecutive shifts of a team (or of a personal pattern) must
   not overlap, e.g. a night ending 08:00 followed the next day by a day shift from 07:00.
2. The spring-forward night. A local time inside the skipped hour is read with the offset in
   force before it (see :mod:`scheduler_service.rotations`): in New York "02:30" on that night
   is the instant 03:30, while "03:00" is 03:00. A handover whose wall-clock overlap straddles
   the skipped hour (one shift ends 03:00, the next starts 02:30) then leaves the line unstaffed
   from 03:00 to 03:30, and the same reading can make one person's shifts overlap. The check
   replays the change on every day of the combined cycle, so every phase is covered.

Times are on a naive wall clock (UTC stands in for "a zone without transitions"); on the night
of the change, instants after the skipped hour move back by its length.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler_service.config.patterns import OFF_CODES
from scheduler_service.config.schema import Config, ShiftDef, parse_clock

Problem = tuple[str, str]
Span = tuple[str, datetime, datetime, str]  # (owner path, start, end, shift name)

_DAY = timedelta(days=1)
_BASE = datetime(2000, 1, 3, tzinfo=UTC)  # day 0 on the stand-in wall clock
_MAX_DAYS = 3 * 366


def rotation_timing(config: Config) -> Iterator[Problem]:
    yield from _consecutive_overlaps(config)
    yield from _spring_forward(config)


def _span(day: datetime, shift: ShiftDef) -> tuple[datetime, datetime]:
    start, end = parse_clock(shift.start), parse_clock(shift.end)
    s = day.replace(hour=start.hour, minute=start.minute)
    e = day.replace(hour=end.hour, minute=end.minute) + (_DAY if shift.overnight else timedelta())
    return s, e


def _shift_for(config: Config, letter: str, shift_map: dict[str, str]) -> tuple[str, ShiftDef]:
    name = shift_map.get(letter)
    if name is not None and name in config.shifts:
        return name, config.shifts[name]
    for shift_name, shift in config.shifts.items():
        if shift.code == letter:
            return shift_name, shift
    raise KeyError(letter)


def _cycle_spans(
    config: Config, owner: str, cycle: str, offset: int, shift_map: dict[str, str], days: range
) -> list[Span]:
    spans: list[Span] = []
    for d in days:
        letter = cycle[(d + offset) % len(cycle)]
        if letter in OFF_CODES:
            continue
        try:
            name, shift = _shift_for(config, letter, shift_map)
        except KeyError:
            continue  # an unknown letter is reported by crossref
        s, e = _span(_BASE + d * _DAY, shift)
        spans.append((owner, s, e, name))
    return spans


def _owners(config: Config) -> Iterator[tuple[str, str, int, dict[str, str]]]:
    """(path, cycle, offset, shift map) of every team and every personal pattern."""
    for rname, rot in config.rotations.items():
        assert rot.cycles is not None and rot.offsets is not None
        for team in rot.teams:
            yield f"rotations.{rname}.cycles.{team}", rot.cycles[team], rot.offsets[team], (
                rot.shift_map
            )
    for pid, exc in config.exceptions.items():
        if exc.pattern is not None:
            yield f"exceptions.{pid}.pattern.cycle", exc.pattern.cycle, 0, {}


def _first_overlap(spans: list[Span]) -> tuple[Span, Span] | None:
    ordered = sorted(spans, key=lambda s: (s[1], s[2]))
    for a, b in zip(ordered, ordered[1:], strict=False):
        if b[1] < a[2]:
            return a, b
    return None


def _consecutive_overlaps(config: Config) -> Iterator[Problem]:
    for path, cycle, offset, shift_map in _owners(config):
        spans = _cycle_spans(config, path, cycle, offset, shift_map, range(len(cycle) + 1))
        found = _first_overlap(spans)
        if found is not None:
            a, b = found
            yield (path, f"{a[3]} ({a[1]:%H:%M}-{a[2]:%H:%M}) runs into the next day's {b[3]} "
                         f"from {b[1]:%H:%M}: one person would work both at once")


def spring_gap(zone: ZoneInfo, start: date) -> tuple[timedelta, timedelta] | None:
    """(local start of the skipped hour, its length) for the first spring-forward change within
    a year of ``start``; None for a zone without one."""
    for n in range(367):
        day = start + n * _DAY
        before = datetime.combine(day, time(0), zone).utcoffset()
        after = datetime.combine(day + _DAY, time(0), zone).utcoffset()
        if before is None or after is None or after <= before:
            continue
        for minute in range(24 * 60):
            local = datetime.combine(day, time(minute // 60, minute % 60), zone)
            if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(
                tzinfo=None
            ):
                return timedelta(minutes=minute), after - before
    return None


def _spring_forward(config: Config) -> Iterator[Problem]:
    if not config.rotations:
        return
    origin = max(r.anchor for r in config.rotations.values())
    gap = spring_gap(config.zone, origin)
    cycles = [c for r in config.rotations.values() for c in (r.cycles or {}).values()]
    length = math.lcm(*(len(c) for c in cycles))
    if gap is None or length > _MAX_DAYS:
        return  # no change to replay, or too long to check (crossref reports the length)
    by_day: dict[int, list[Span]] = {}
    for rname, rot in config.rotations.items():
        assert rot.cycles is not None and rot.offsets is not None
        for team in rot.teams:
            offset = rot.offsets[team] + (origin - rot.anchor).days
            path = f"rotations.{rname}.cycles.{team}"
            for span in _cycle_spans(config, path, rot.cycles[team], offset, rot.shift_map,
                                     range(-1, length + 2)):
                by_day.setdefault((span[1] - _BASE).days, []).append(span)
    gap_start, hop = gap
    reported: set[str] = set()
    for k in range(length):
        night = _Night(k, gap_start, hop, by_day)
        for check in (night.gap, night.overlap):
            problem = check(hop)
            if problem is None or problem[0] in reported or check(timedelta()) is not None:
                continue  # nothing new, or already wrong on the plain wall clock (reported there)
            reported.add(problem[0])
            yield (problem[0], f"on the spring-forward night in {config.organisation.timezone}, "
                               f"when it falls on day {k} of the cycle, {problem[1]}")


class _Night:
    """Day ``k`` of the cycle replayed as the spring-forward day: wall-clock instants after the
    skipped hour move back by ``hop`` (0: the plain wall clock, for comparison)."""

    def __init__(self, k: int, gap_start: timedelta, gap: timedelta,
                 by_day: dict[int, list[Span]]) -> None:
        self.day = _BASE + k * _DAY
        self.change = self.day + gap_start + gap  # the first wall-clock time after the hop
        self.spans = [span for d in (k - 1, k, k + 1) for span in by_day.get(d, [])]

    def _moved(self, t: datetime, hop: timedelta) -> datetime:
        return t if t < self.change else t - hop

    def _clock(self, t: datetime, hop: timedelta) -> str:
        return f"{(t if t < self.change - hop else t + hop):%H:%M}"

    def _near(self, hop: timedelta) -> list[Span]:
        moved = [(o, self._moved(s, hop), self._moved(e, hop), n) for o, s, e, n in self.spans]
        return sorted(moved, key=lambda x: (x[1], x[2]))

    def gap(self, hop: timedelta) -> Problem | None:
        cursor, stop = self.day, self._moved(self.day + _DAY, hop)
        for _, s, e, _ in self._near(hop):
            if s > cursor and cursor < stop:
                return ("rotations", f"nobody is on duty from {self._clock(cursor, hop)} to "
                        f"{self._clock(min(s, stop), hop)}: a shift that starts inside the "
                        "skipped hour begins an hour later on the clock; move that handover "
                        "out of it")
            cursor = max(cursor, e)
        return None

    def overlap(self, hop: timedelta) -> Problem | None:
        near = self._near(hop)
        for owner in sorted({o for o, _, _, _ in near}):
            found = _first_overlap([x for x in near if x[0] == owner])
            if found is not None:
                a, b = found
                return (owner, f"{a[3]} ends at {self._clock(a[2], hop)}, after the next {b[3]} "
                               f"starts at {self._clock(b[1], hop)}: one person would work both "
                               "at once")
        return None
