"""Availability profiles: people who are interchangeable for planning.

Everyone on the same rotation team with no personal exception, the same start date and the same
set of trainings to take (and already taken) has exactly the same eligibility at every candidate
time. The model decides seats per profile; individuals are assigned afterwards. People with a
personal exception (time off, own pattern, weekly cap) and people who also facilitate get a
profile of their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from scheduler_service.config.schema import Config, Person
from scheduler_service.model import Shift
from scheduler_service.planner.availability import ShiftSpan
from scheduler_service.planner.timeutil import to_min
from scheduler_service.rotations import expand_person


@dataclass(frozen=True)
class Group:
    gid: int
    members: tuple[str, ...]
    team: str | None
    shifts: tuple[ShiftSpan, ...]
    time_off: tuple[tuple[date, date], ...]
    start_date: date | None
    weekly_limit: float | None
    facilitator: str | None  # the person's id when this one-person profile also facilitates
    trainings: frozenset[str]

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def label(self) -> str:
        if self.size == 1:
            return self.members[0]
        return f"team {self.team or '-'} ({self.size} people)"


def spans(shifts: Iterable[Shift]) -> tuple[ShiftSpan, ...]:
    return tuple(
        sorted((to_min(s.start), to_min(s.end), s.overnight, s.shift) for s in shifts)
    )


class ShiftBook:
    """Shifts per person over [first - 2 days, last + 1 day], computed once per team."""

    def __init__(self, config: Config, first: date, last: date) -> None:
        from datetime import timedelta

        self.config = config
        self.first = first - timedelta(days=2)
        self.last = last + timedelta(days=1)
        self._team: dict[tuple[str | None, date | None], tuple[ShiftSpan, ...]] = {}
        self._solo: dict[str, tuple[ShiftSpan, ...]] = {}

    def personal(self, person: Person) -> bool:
        exc = self.config.exceptions.get(person.id)
        return exc is not None and (exc.pattern is not None or bool(exc.time_off))

    def of(self, person: Person) -> tuple[ShiftSpan, ...]:
        if self.personal(person):
            if person.id not in self._solo:
                self._solo[person.id] = spans(
                    expand_person(self.config, person, self.first, self.last)
                )
            return self._solo[person.id]
        key = (person.team, person.start_date)  # no shifts before the start date
        if key not in self._team:
            self._team[key] = spans(expand_person(self.config, person, self.first, self.last))
        return self._team[key]

    def by_person(self) -> dict[str, tuple[ShiftSpan, ...]]:
        return {p.id: self.of(p) for p in self.config.roster}


def group_people(
    config: Config,
    book: ShiftBook,
    memberships: dict[str, frozenset[str]],
    completed: dict[str, frozenset[str]],
    facilitators: set[str],
) -> list[Group]:
    """Profiles of every person who is in some training's audience, in a stable order."""
    buckets: dict[tuple[object, ...], list[Person]] = {}
    for person in config.roster:
        wanted = memberships.get(person.id, frozenset())
        if not wanted:
            continue
        exc = config.exceptions.get(person.id)
        solo = exc is not None or person.id in facilitators
        key: tuple[object, ...] = (
            person.id if solo else "",
            person.team or "",
            person.start_date.isoformat() if person.start_date else "",
            tuple(sorted(wanted)),
            tuple(sorted(completed.get(person.id, frozenset()))),
        )
        buckets.setdefault(key, []).append(person)
    groups: list[Group] = []
    for gid, key in enumerate(sorted(buckets, key=repr)):
        people = sorted(buckets[key], key=lambda p: p.id)
        head = people[0]
        exc = config.exceptions.get(head.id)
        groups.append(
            Group(
                gid=gid,
                members=tuple(p.id for p in people),
                team=head.team,
                shifts=book.of(head),
                time_off=tuple((t.start, t.end) for t in exc.time_off) if exc else (),
                start_date=head.start_date,
                weekly_limit=exc.max_training_hours_per_week if exc else None,
                facilitator=head.id if head.id in facilitators else None,
                trainings=memberships[head.id],
            )
        )
    return groups
