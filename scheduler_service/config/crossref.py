"""Checks that look across sections of a validated config. Each returns (dotted path, message)."""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta

from scheduler_service.config.patterns import OFF_CODES
from scheduler_service.config.rotation_checks import rotation_timing
from scheduler_service.config.schema import Config, parse_clock

Problem = tuple[str, str]


def cross_check(config: Config) -> list[Problem]:
    problems: list[Problem] = []
    for check in (
        _shift_codes,
        _rotations,
        _people,
        _exceptions_and_facilitators,
        _staffing,
        _trainings,
        _prerequisite_cycles,
        _coverage,
        rotation_timing,
    ):
        problems.extend(check(config))
    return problems


def _hint(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


def _shift_codes(config: Config) -> Iterator[Problem]:
    seen: dict[str, str] = {}
    for name, shift in config.shifts.items():
        if shift.code in seen:
            yield (
                f"shifts.{name}.code",
                f"code {shift.code!r} is already used by {seen[shift.code]!r}",
            )
        seen[shift.code] = name


def _rotations(config: Config) -> Iterator[Problem]:
    owner: dict[str, str] = {}
    codes = {s.code for s in config.shifts.values()}
    for rname, rot in config.rotations.items():
        for team in rot.teams:
            if team in owner:
                yield (
                    f"rotations.{rname}.teams",
                    f"team {team!r} is already on rotation {owner[team]!r}",
                )
            owner[team] = rname
        for letter, shift_name in rot.shift_map.items():
            if shift_name not in config.shifts:
                yield (
                    f"rotations.{rname}.shift_map.{letter}",
                    f"unknown shift {shift_name!r}{_hint(shift_name, config.shifts)}",
                )
        assert rot.cycles is not None
        for team, cycle in rot.cycles.items():
            for letter in sorted(set(cycle) - OFF_CODES):
                if letter not in rot.shift_map and letter not in codes:
                    yield (
                        f"rotations.{rname}.cycles.{team}",
                        f"letter {letter!r} is not the code of any shift (known: "
                        f"{', '.join(sorted(codes))}); define it or map it in shift_map",
                    )
    for team in config.teams:
        if team not in owner:
            yield (f"teams.{team}", "team is on no rotation")


def _all_teams(config: Config) -> set[str]:
    return {t for r in config.rotations.values() for t in r.teams}


def _people(config: Config) -> Iterator[Problem]:
    teams = _all_teams(config)
    seen_ids: dict[str, int] = {}
    seen_mail: dict[str, str] = {}
    for i, person in enumerate(config.roster):
        where = f"people[{i}]"
        if person.id in seen_ids:
            yield (
                f"{where}.id",
                f"duplicate id {person.id!r} (also people[{seen_ids[person.id]}])",
            )
        seen_ids.setdefault(person.id, i)
        mail = person.email.lower()
        if mail in seen_mail:
            yield (f"{where}.email", f"email {person.email!r} is also used by {seen_mail[mail]!r}")
        seen_mail.setdefault(mail, person.id)
        has_pattern = person.id in config.exceptions and config.exceptions[person.id].pattern
        if person.team is not None and person.team not in teams:
            yield (f"{where}.team", f"unknown team {person.team!r}{_hint(person.team, teams)}")
        elif person.team is None and person.role in ("advocate", "supervisor") and not has_pattern:
            yield (
                f"{where}.team",
                f"{person.role} {person.id!r} needs a team (or a personal pattern)",
            )


def _known_people(config: Config) -> set[str]:
    return {p.id for p in config.roster}


def _exceptions_and_facilitators(config: Config) -> Iterator[Problem]:
    people = _known_people(config)
    codes = {s.code for s in config.shifts.values()}
    for pid, exc in config.exceptions.items():
        if pid not in people:
            yield (f"exceptions.{pid}", f"unknown person {pid!r}{_hint(pid, people)}")
        if exc.pattern is not None:
            bad = sorted(set(exc.pattern.cycle) - OFF_CODES - codes)
            if bad:
                yield (f"exceptions.{pid}.pattern.cycle", f"unknown shift letters {bad}")
    for pid in config.facilitators:
        if pid not in people:
            yield (f"facilitators.{pid}", f"unknown person {pid!r}{_hint(pid, people)}")


def _staffing(config: Config) -> Iterator[Problem]:
    for name in config.staffing.by_shift:
        if name not in config.shifts:
            yield (
                f"staffing.by_shift.{name}",
                f"unknown shift {name!r}{_hint(name, config.shifts)}",
            )


def _trainings(config: Config) -> Iterator[Problem]:
    people = _known_people(config)
    teams = _all_teams(config)
    cohorts = {p.cohort for p in config.roster if p.cohort}
    for key, tr in config.trainings.items():
        where = f"trainings.{key}"
        for i, fid in enumerate(tr.facilitators):
            if fid not in people:
                yield (
                    f"{where}.facilitators[{i}]",
                    f"unknown facilitator {fid!r}{_hint(fid, people)}",
                )
        for i, team in enumerate(tr.audience.teams):
            if team not in teams:
                yield (f"{where}.audience.teams[{i}]", f"unknown team {team!r}{_hint(team, teams)}")
        for i, pid in enumerate(tr.audience.people):
            if pid not in people:
                yield (
                    f"{where}.audience.people[{i}]",
                    f"unknown person {pid!r}{_hint(pid, people)}",
                )
        for i, cohort in enumerate(tr.audience.cohorts):
            if cohort not in cohorts:
                yield (
                    f"{where}.audience.cohorts[{i}]",
                    f"no person is in cohort {cohort!r}{_hint(cohort, cohorts)}",
                )
        for i, pre in enumerate(tr.prerequisites):
            if pre.training not in config.trainings:
                yield (
                    f"{where}.prerequisites[{i}].training",
                    f"unknown training {pre.training!r}{_hint(pre.training, config.trainings)}",
                )
        if parse_clock(tr.latest_end) <= parse_clock(tr.earliest_start):
            yield (f"{where}.latest_end", "latest_end must be after earliest_start (same day)")
        day = datetime(2000, 1, 1, tzinfo=UTC)
        span = datetime.combine(day, parse_clock(tr.latest_end), UTC) - datetime.combine(
            day, parse_clock(tr.earliest_start), UTC
        )
        if span < timedelta(minutes=tr.duration_minutes) and span > timedelta(0):
            yield (
                f"{where}.duration_minutes",
                f"{tr.duration_minutes} minutes do not fit between earliest_start "
                f"{tr.earliest_start} and latest_end {tr.latest_end}",
            )


def _prerequisite_cycles(config: Config) -> Iterator[Problem]:
    graph = {
        k: [p.training for p in t.prerequisites if p.training in config.trainings]
        for k, t in config.trainings.items()
    }
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done
    reported: set[frozenset[str]] = set()

    def visit(node: str, stack: list[str]) -> Iterator[Problem]:
        state[node] = 1
        stack.append(node)
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                loop = stack[stack.index(nxt) :] + [nxt]
                if frozenset(loop) not in reported:
                    reported.add(frozenset(loop))
                    yield (
                        f"trainings.{node}.prerequisites",
                        f"prerequisite cycle: {' -> '.join(loop)}",
                    )
            elif nxt not in state:
                yield from visit(nxt, stack)
        stack.pop()
        state[node] = 2

    for key in sorted(graph):
        if key not in state:
            yield from visit(key, [])


def _coverage(config: Config) -> Iterator[Problem]:
    """Every minute of the rotation cycle must have somebody on duty.

    Computed on the wall clock without DST (UTC stands in for "a zone without transitions").
    A handover inside the skipped hour can still open a gap on the spring-forward night; that
    night is replayed by :mod:`scheduler_service.config.rotation_checks`.
    """
    if not config.rotations:
        return
    length = 1
    for rot in config.rotations.values():
        assert rot.cycles is not None
        for cycle in rot.cycles.values():
            length = math.lcm(length, len(cycle))
    if length > 3 * 366:
        yield ("rotations", f"combined cycle of {length} days is too long to check; shorten cycles")
        return
    origin = max(r.anchor for r in config.rotations.values())
    base = datetime.combine(origin, datetime.min.time(), UTC)
    intervals: list[tuple[datetime, datetime]] = []
    for rot in config.rotations.values():
        for team in rot.teams:
            for day in range(-1, length + 1):
                d = (origin - rot.anchor).days + day
                letter = rot.letter_at(team, d)
                if letter is None:
                    continue
                try:
                    _, shift = config.shift_by_letter(rot, letter)
                except KeyError:
                    continue  # reported by _rotations
                start = base + timedelta(days=day)
                s = start.replace(
                    hour=parse_clock(shift.start).hour, minute=parse_clock(shift.start).minute
                )
                e = start.replace(
                    hour=parse_clock(shift.end).hour, minute=parse_clock(shift.end).minute
                )
                if shift.overnight:
                    e += timedelta(days=1)
                intervals.append((s, e))
    intervals.sort()
    cursor, stop = base, base + timedelta(days=length)
    for s, e in intervals:
        if s > cursor and cursor < stop:
            gap_end = min(s, stop)
            yield (
                "rotations",
                f"nobody is on duty from {cursor:%a %H:%M} to {gap_end:%a %H:%M} on "
                f"day {(cursor - base).days} of the cycle (from {origin}); "
                "the line would be unstaffed",
            )
            return
        cursor = max(cursor, e)
    if cursor < stop:
        yield (
            "rotations",
            f"nobody is on duty after {cursor:%a %H:%M} on day {(cursor - base).days} of the cycle",
        )
