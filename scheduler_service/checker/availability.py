"""Rule 3: a person in a session is off shift (or released inside one), rested, not on time
off, and within a weekly training cap. Applies to attendees and to facilitators who work shifts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from scheduler_service.checker.facts import WEEKDAYS, Facts
from scheduler_service.checker.violation import Violation, span
from scheduler_service.config.schema import parse_clock
from scheduler_service.model import Session, Shift


def check_availability(facts: Facts) -> Iterator[Violation]:
    for session in facts.sessions:
        for person, role in people_bound_by_rule3(facts, session):
            yield from person_blockers(facts, person, session, role)
    yield from _weekly_caps(facts)


def people_bound_by_rule3(facts: Facts, session: Session) -> Iterator[tuple[str, str]]:
    """(person, role) pairs of a session that rule 3 applies to."""
    for person in dict.fromkeys(session.attendees):
        if person in facts.people:
            yield person, "attendee"
    for person in dict.fromkeys(session.facilitators):
        if facts.on_rule3(person):
            yield person, "facilitator"


def person_blockers(
    facts: Facts, person: str, session: Session, role: str = "attendee"
) -> Iterator[Violation]:
    """Rule 3 a-d for one person and one session."""
    for shift in facts.shifts_near(person, session.start, session.end):
        found = _against_shift(facts, person, session, shift, role)
        if found is not None:
            yield found
    day = facts.local_date(session.start)
    exc = facts.config.exceptions.get(person)
    for off in exc.time_off if exc is not None else ():
        if off.start <= day <= off.end:
            why = f" ({off.reason})" if off.reason else ""
            yield Violation(
                "time_off", session.id, person,
                f"{role} {person} is on time off {off.start}..{off.end}{why} during session "
                f"{session.id} at {span(session.start, session.end, facts.zone)}")


def _against_shift(
    facts: Facts, person: str, session: Session, shift: Shift, role: str
) -> Violation | None:
    rest = facts.config.rest
    s, e = session.start, session.end
    buffer = timedelta(minutes=rest.buffer_minutes)
    where = (f"{role} {person} in session {session.id} at {span(s, e, facts.zone)} vs shift "
             f"{shift.shift} {span(shift.start, shift.end, facts.zone)}")
    if s < shift.end + buffer and shift.start - buffer < e:
        released = (facts.config.staffing.training_while_on_shift == "if_staffed"
                    and shift.start <= s and e <= shift.end)
        if released:
            return None
        return Violation("on_shift", session.id, person,
                         f"{where}: overlaps the shift plus its {rest.buffer_minutes}-minute "
                         "buffer and is not a release inside the shift")
    attached = timedelta(hours=rest.max_hours_with_shift)
    if shift.end <= s:
        need = rest.after_overnight_hours if shift.overnight else rest.after_shift_hours
        gap = s - shift.end
        if gap >= timedelta(hours=need) or e - shift.start <= attached:
            return None
        return Violation("rest", session.id, person,
                         f"{where}: only {_hours(gap)} h after the shift (needs {need:g} h, or "
                         f"shift plus session within {rest.max_hours_with_shift:g} h)")
    gap = shift.start - e
    if gap >= timedelta(hours=rest.before_shift_hours) or shift.end - s <= attached:
        return None
    return Violation("rest", session.id, person,
                     f"{where}: only {_hours(gap)} h before the shift (needs "
                     f"{rest.before_shift_hours:g} h, or session plus shift within "
                     f"{rest.max_hours_with_shift:g} h)")


def _hours(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 3600:g}"


def pay_week_start(facts: Facts, instant: datetime) -> datetime:
    """Start (UTC) of the fixed pay week holding ``instant`` (local day and time of the week)."""
    pay = facts.config.pay
    local = instant.astimezone(facts.zone)
    back = (local.weekday() - WEEKDAYS.index(pay.week_start_day)) % 7
    day = local.date() - timedelta(days=back)
    at = parse_clock(pay.week_start_time)
    start = datetime.combine(day, at, tzinfo=facts.zone).astimezone(UTC)
    if start > instant:
        start = datetime.combine(day - timedelta(days=7), at, tzinfo=facts.zone).astimezone(UTC)
    return start


def _pay_week_end(facts: Facts, week_start: datetime) -> datetime:
    local = week_start.astimezone(facts.zone)
    at = parse_clock(facts.config.pay.week_start_time)
    return datetime.combine(local.date() + timedelta(days=7), at, tzinfo=facts.zone).astimezone(UTC)


def week_hours(facts: Facts, sessions: list[Session]) -> dict[datetime, float]:
    """Hours of ``sessions`` falling in each pay week (a session across a boundary is split)."""
    hours: dict[datetime, float] = defaultdict(float)
    for session in sessions:
        cursor = session.start
        while cursor < session.end:
            week = pay_week_start(facts, cursor)
            stop = min(session.end, _pay_week_end(facts, week))
            hours[week] += (stop - cursor).total_seconds() / 3600
            cursor = stop
    return hours


def sessions_of_person(facts: Facts) -> dict[str, list[Session]]:
    """Every session a person is in and bound by rule 3 for."""
    mine: dict[str, list[Session]] = defaultdict(list)
    for session in facts.sessions:
        for person in dict.fromkeys(p for p, _ in people_bound_by_rule3(facts, session)):
            mine[person].append(session)
    return mine


def _weekly_caps(facts: Facts) -> Iterator[Violation]:
    capped = {p: e.max_training_hours_per_week for p, e in facts.config.exceptions.items()
              if e.max_training_hours_per_week is not None}
    if not capped:
        return
    mine = sessions_of_person(facts)
    for person in sorted(capped):
        limit = capped[person]
        assert limit is not None
        own = mine.get(person, [])
        for week, total in sorted(week_hours(facts, own).items()):
            if total > limit + 1e-9:
                inside = [s for s in own if pay_week_start(facts, s.start) == week
                          or pay_week_start(facts, s.end - timedelta(microseconds=1)) == week]
                local = week.astimezone(facts.zone)
                yield Violation(
                    "weekly_training_cap", inside[-1].id, person,
                    f"{person} has {total:g} training hours in the pay week from "
                    f"{local:%a %Y-%m-%d %H:%M} (cap {limit:g} h): "
                    f"{', '.join(s.id for s in inside)}")
