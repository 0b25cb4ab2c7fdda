"""Facts the checks share, derived once from the config and the plan (no planner code).

The horizon is read from the plan: local dates of ``horizon_start`` .. ``horizon_end``, where an
end at exactly local midnight is exclusive (it closes the day before). Cancelled sessions are not
part of the schedule and are ignored by every check except the id check.

``history``: confirmed sessions of a previous plan that started before this plan's horizon. They
are not checked again; they only count as attended for prerequisites (rolling horizons).
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler_service.config.schema import Config, Person, Training
from scheduler_service.model import Plan, Session, Shift
from scheduler_service.rotations import expand_shifts

_SHIFT_SPAN = timedelta(days=2)  # no shift lasts longer than this
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # index = date.weekday()


@dataclass(frozen=True)
class Facts:
    config: Config
    plan: Plan
    zone: ZoneInfo
    first: date
    last: date
    sessions: tuple[Session, ...]
    people: Mapping[str, Person]
    shifts: tuple[Shift, ...]
    shift_starts: Mapping[str, tuple[datetime, ...]] = field(repr=False)
    shifts_by_person: Mapping[str, tuple[Shift, ...]] = field(repr=False)
    audiences: Mapping[str, frozenset[str]] = field(repr=False)
    history: tuple[Session, ...] = ()

    def training(self, session: Session) -> Training | None:
        return self.config.trainings.get(session.training)

    def local_date(self, instant: datetime) -> date:
        return instant.astimezone(self.zone).date()

    def shifts_near(self, person: str, start: datetime, end: datetime) -> Iterator[Shift]:
        """The person's shifts that could matter to a session [start, end)."""
        rest = self.config.rest
        reach = timedelta(
            hours=max(rest.after_shift_hours, rest.after_overnight_hours,
                      rest.before_shift_hours, rest.max_hours_with_shift),
            minutes=rest.buffer_minutes,
        )
        starts = self.shift_starts.get(person, ())
        own = self.shifts_by_person.get(person, ())
        lo = bisect_left(starts, start - reach - _SHIFT_SPAN)
        hi = bisect_left(starts, end + reach)
        return iter(own[lo:hi])

    def on_rule3(self, person: str) -> bool:
        """Rule 3 binds attendees always; facilitators only when they work shifts."""
        p = self.people.get(person)
        if p is None:
            return False
        exc = self.config.exceptions.get(person)
        return p.team is not None or (exc is not None and exc.pattern is not None)


def horizon(plan: Plan, zone: ZoneInfo) -> tuple[date, date]:
    first = plan.horizon_start.astimezone(zone).date()
    end_local = plan.horizon_end.astimezone(zone)
    last = end_local.date()
    if end_local.time() == time(0) and last > first:
        last -= timedelta(days=1)
    return first, last


def audience_of(config: Config, key: str) -> frozenset[str]:
    """Rule 2, read straight from the config."""
    training = config.trainings[key]
    aud = training.audience
    if aud.everyone:
        return frozenset(p.id for p in config.roster) - frozenset(training.facilitators)
    return frozenset(
        p.id
        for p in config.roster
        if p.role in aud.roles
        or (p.team is not None and p.team in aud.teams)
        or (p.cohort is not None and p.cohort in aud.cohorts)
        or p.id in aud.people
    )


def build_facts(config: Config, plan: Plan, previous: Plan | None = None) -> Facts:
    zone = config.zone
    first, last = horizon(plan, zone)
    shifts = tuple(expand_shifts(config, first - timedelta(days=2), last + timedelta(days=1)))
    by_person: dict[str, list[Shift]] = defaultdict(list)
    for sh in shifts:
        by_person[sh.person].append(sh)
    for own in by_person.values():
        own.sort(key=lambda s: s.start)
    return Facts(
        config=config,
        plan=plan,
        zone=zone,
        first=first,
        last=last,
        sessions=tuple(s for s in plan.sessions if s.status != "cancelled"),
        people={p.id: p for p in config.roster},
        shifts=shifts,
        shift_starts={k: tuple(s.start for s in v) for k, v in by_person.items()},
        shifts_by_person={k: tuple(v) for k, v in by_person.items()},
        audiences={key: audience_of(config, key) for key in config.trainings},
        history=tuple(s for s in (previous.sessions if previous is not None else ())
                      if s.status == "confirmed" and s.start < plan.horizon_start),
    )


def round_of(training: Training, day: date) -> tuple[int, int] | None:
    """The recurrence round a local date belongs to: (year, month) or ISO (year, week)."""
    if training.recurrence is None:
        return None
    if training.recurrence.every == "month":
        return (day.year, day.month)
    iso = day.isocalendar()
    return (iso.year, iso.week)


def day_in_round(training: Training, day: date) -> int:
    """1-based day number of ``day`` inside its round (day of month, or ISO weekday)."""
    assert training.recurrence is not None
    return day.day if training.recurrence.every == "month" else day.isoweekday()


def rounds_in_horizon(training: Training, first: date, last: date) -> list[tuple[int, int]]:
    """Rounds that can hold a session: their days 1..N meet the horizon."""
    assert training.recurrence is not None
    found: list[tuple[int, int]] = []
    day = first
    while day <= last:
        key = round_of(training, day)
        assert key is not None
        if day_in_round(training, day) <= training.recurrence.first_days and key not in found:
            found.append(key)
        day += timedelta(days=1)
    return found
