"""Rule 5: the line stays staffed while people are released from the phones.

A sweep over every instant where the count of people on duty or released changes. People in a
session (attendees, and facilitators who work shifts) count as released while they are also on
a shift; a person in two sessions at once counts once. Required staffing depends on the local
wall clock, whose boundaries are whole minutes, so inside a sweep segment it is evaluated minute
by minute.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from scheduler_service.checker.facts import WEEKDAYS, Facts
from scheduler_service.checker.violation import Violation, when
from scheduler_service.config.schema import Config, parse_clock

_MINUTE = timedelta(minutes=1)
Interval = tuple[datetime, datetime]


@dataclass(frozen=True)
class Release:
    start: datetime
    end: datetime
    person: str
    team: str


@dataclass
class _Breach:
    label: str  # "" for the line, the team name for a per-team breach
    start: datetime
    end: datetime
    worst: datetime
    margin: int
    detail: str


def check_staffing(facts: Facts) -> Iterator[Violation]:
    releases = releases_of(facts)
    if not releases:
        return
    for breach in _sweep(facts, releases):
        yield _report(facts, breach, releases)


def _merge(intervals: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for start, end in sorted(intervals):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def releases_of(facts: Facts) -> list[Release]:
    """Intervals during which a person is both in a session and on a shift."""
    busy: dict[str, list[Interval]] = defaultdict(list)
    for session in facts.sessions:
        people = set(session.attendees) | {f for f in session.facilitators if facts.on_rule3(f)}
        for person in people:
            busy[person].append((session.start, session.end))
    out: list[Release] = []
    for person in sorted(busy):
        team = (facts.people[person].team or "") if person in facts.people else ""
        for s, e in _merge(busy[person]):
            near = facts.shifts_near(person, s, e)
            for ws, we in _merge([(sh.start, sh.end) for sh in near]):
                lo, hi = max(s, ws), min(e, we)
                if lo < hi:
                    out.append(Release(lo, hi, person, team))
    return out


def _events(facts: Facts, releases: list[Release]) -> dict[datetime, list[tuple[str, str, int]]]:
    events: dict[datetime, list[tuple[str, str, int]]] = defaultdict(list)
    for sh in facts.shifts:
        events[sh.start].append(("on", sh.team, 1))
        events[sh.end].append(("on", sh.team, -1))
    for rel in releases:
        events[rel.start].append(("rel", rel.team, 1))
        events[rel.end].append(("rel", rel.team, -1))
    return events


def _sweep(facts: Facts, releases: list[Release]) -> Iterator[_Breach]:
    events = _events(facts, releases)
    points = sorted(events)
    on: Counter[str] = Counter()
    rel: Counter[str] = Counter()
    need = _Requirement(facts)
    open_: dict[str, _Breach] = {}
    for t, nxt in zip(points, points[1:], strict=False):
        for what, team, delta in events[t]:
            (on if what == "on" else rel)[team] += delta
        for breach in _segment(facts, need, on, rel, t, nxt):
            prev = open_.get(breach.label)
            if prev is not None and prev.end == breach.start:
                prev.end = breach.end
                if breach.margin < prev.margin:
                    prev.worst, prev.margin = breach.worst, breach.margin
                    prev.detail = breach.detail
                continue
            if prev is not None:
                yield prev
            open_[breach.label] = breach
    for label in sorted(open_):
        yield open_[label]


def _segment(
    facts: Facts, need: _Requirement, on: Counter[str], rel: Counter[str],
    start: datetime, end: datetime,
) -> Iterator[_Breach]:
    released = sum(rel.values())
    if released <= 0:
        return
    duty = sum(on.values())
    required, worst = need.peak(start, end)
    margin = duty - released - required
    if margin < 0:
        detail = f"{duty} on duty, {released} released, {required} required"
        yield _Breach("", start, end, worst, margin, detail)
    per_team = facts.config.staffing.per_team
    if per_team <= 0:
        return
    for team in sorted(t for t, n in rel.items() if n > 0 and t):
        floor = min(per_team, on[team])
        left = on[team] - rel[team]
        if left < floor:
            detail = (f"team {team}: {on[team]} on duty, {rel[team]} released, "
                      f"{floor} must stay (per_team {per_team})")
            yield _Breach(team, start, end, start, left - floor, detail)


class _Requirement:
    """required(t) of rule 5, cached per (weekday, local time)."""

    def __init__(self, facts: Facts) -> None:
        self.zone = facts.zone
        self.config = facts.config
        self.cache: dict[tuple[int, time], int] = {}
        staffing = facts.config.staffing
        self.constant = not staffing.by_shift and not staffing.by_hour

    def peak(self, start: datetime, end: datetime) -> tuple[int, datetime]:
        """The highest requirement in [start, end) and the first instant it holds."""
        best, at = self.at(start), start
        if self.constant:
            return best, at
        t = start + _MINUTE
        while t < end:
            value = self.at(t)
            if value > best:
                best, at = value, t
            t += _MINUTE
        return best, at

    def at(self, instant: datetime) -> int:
        local = instant.astimezone(self.zone)
        key = (local.weekday(), local.time())
        if key not in self.cache:
            self.cache[key] = required_at(self.config, local.weekday(), local.time())
        return self.cache[key]


def _contains(start: str, end: str, at: time) -> bool:
    lo, hi = parse_clock(start), parse_clock(end)
    if lo < hi:
        return lo <= at < hi
    return at >= lo or at < hi  # the window wraps past midnight


def required_at(config: Config, weekday: int, at: time) -> int:
    staffing = config.staffing
    needs = [staffing.minimum]
    for name, count in staffing.by_shift.items():
        shift = config.shifts.get(name)
        if shift is not None and _contains(shift.start, shift.end, at):
            needs.append(count)
    for rule in staffing.by_hour:
        if WEEKDAYS[weekday] in rule.days and _contains(rule.start, rule.end, at):
            needs.append(rule.minimum)
    return max(needs)


def _report(facts: Facts, breach: _Breach, releases: list[Release]) -> Violation:
    t = breach.worst
    who = sorted({r.person for r in releases if r.start <= t < r.end
                  and (not breach.label or r.team == breach.label)})
    sessions = sorted({s.id for s in facts.sessions if s.start <= t < s.end
                       and set(who) & (set(s.attendees) | set(s.facilitators))})
    stretch = f"{when(breach.start, facts.zone)} to {when(breach.end, facts.zone)}"
    return Violation(
        "staffing", sessions[0] if sessions else None, who[0] if who else None,
        f"staffing below the minimum at {when(t, facts.zone)}: {breach.detail}, margin "
        f"{breach.margin} (short from {stretch}); released: {', '.join(who)}; "
        f"sessions: {', '.join(sessions)}")
