"""Rule 7 (seats): capacity, and no under-filled session unless someone had no other option.

"Only option" is read against the plan: an under-filled session is accepted when at least one
of its attendees could not have sat another session of the same training (same round) that has
a free seat. Another session counts as an option only when it is clearly fine for the person:
their date is on or after the start date, it is off their shifts (no release needed, so
staffing is not in question), rule 3 holds, it clashes with none of their other sessions,
prerequisite gaps on both sides still hold, and the person has no weekly training cap.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from scheduler_service.checker.availability import person_blockers
from scheduler_service.checker.facts import Facts, round_of
from scheduler_service.checker.violation import Violation, span
from scheduler_service.model import Session


def check_seats(facts: Facts) -> Iterator[Violation]:
    for session in facts.sessions:
        training = facts.training(session)
        if training is None:
            continue
        where = f"session {session.id} at {span(session.start, session.end, facts.zone)}"
        seated = len(dict.fromkeys(session.attendees))
        if seated > training.capacity:
            yield Violation("capacity", session.id, None,
                            f"{where} seats {seated}, capacity is {training.capacity}")
        if seated == 0:
            yield Violation("min_attendees", session.id, None, f"{where} has no attendees")
        elif seated < training.min_attendees and all(
            _has_alternative(facts, session, person) for person in session.attendees
        ):
            yield Violation("min_attendees", session.id, None,
                            f"{where} has {seated} attendee(s), below min_attendees "
                            f"{training.min_attendees}, and every attendee had another session")


def _has_alternative(facts: Facts, session: Session, person: str) -> bool:
    return any(_fits(facts, session, other, person) for other in _siblings(facts, session))


def _siblings(facts: Facts, session: Session) -> Iterator[Session]:
    training = facts.config.trainings[session.training]
    rnd = round_of(training, facts.local_date(session.start))
    for other in facts.sessions:
        if (other.training == session.training and other.id != session.id
                and round_of(training, facts.local_date(other.start)) == rnd
                and len(set(other.attendees)) < training.capacity):
            yield other


def _fits(facts: Facts, current: Session, other: Session, person: str) -> bool:
    p = facts.people.get(person)
    exc = facts.config.exceptions.get(person)
    if p is None or (exc is not None and exc.max_training_hours_per_week is not None):
        return False
    if p.start_date is not None and facts.local_date(other.start) < p.start_date:
        return False
    if any(sh.start < other.end and other.start < sh.end
           for sh in facts.shifts_near(person, other.start, other.end)):
        return False
    if next(person_blockers(facts, person, other), None) is not None:
        return False
    mine = [s for s in facts.sessions if s.id not in (current.id, other.id)
            and (person in s.attendees or person in s.facilitators)]
    if any(s.start < other.end and other.start < s.end for s in mine):
        return False
    return _order_holds(facts, other, person, mine)


def _order_holds(facts: Facts, other: Session, person: str, mine: list[Session]) -> bool:
    training = facts.config.trainings[other.training]
    for pre in training.prerequisites:
        gap = timedelta(days=pre.min_gap_days)
        done = [s for s in mine if s.training == pre.training and person in s.attendees]
        if person in facts.audiences[pre.training] and not any(
            s.end <= other.start - gap for s in done
        ):
            return False
    for s in mine:
        later = facts.config.trainings.get(s.training)
        for pre in later.prerequisites if later is not None else ():
            if pre.training == other.training and person in s.attendees and (
                s.start - timedelta(days=pre.min_gap_days) < other.end
            ):
                return False
    return True
