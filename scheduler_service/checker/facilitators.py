"""Rule 6: the right number of listed facilitators, each inside their availability."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from scheduler_service.checker.facts import WEEKDAYS, Facts
from scheduler_service.checker.violation import Violation, span
from scheduler_service.config.schema import Availability, Facilitator, parse_clock
from scheduler_service.model import Session

_DEFAULT = Facilitator()  # Mon-Fri 09:00-17:00, no time off


def check_facilitators(facts: Facts) -> Iterator[Violation]:
    for session in facts.sessions:
        training = facts.training(session)
        if training is None:
            continue
        where = f"session {session.id} at {span(session.start, session.end, facts.zone)}"
        leads = tuple(dict.fromkeys(session.facilitators))
        if len(leads) != training.facilitators_needed:
            yield Violation("facilitator_count", session.id, None,
                            f"{where} has {len(leads)} facilitator(s), the training needs "
                            f"{training.facilitators_needed}")
        for person in leads:
            if person not in training.facilitators:
                yield Violation("facilitator_not_listed", session.id, person,
                                f"{person} leads {where} but is not one of the training's "
                                f"facilitators ({', '.join(training.facilitators) or 'none'})")
            yield from _unavailable(facts, session, person, where)


def _unavailable(facts: Facts, session: Session, person: str, where: str) -> Iterator[Violation]:
    entry = facts.config.facilitators.get(person, _DEFAULT)
    ls = session.start.astimezone(facts.zone)
    le = session.end.astimezone(facts.zone)
    if not any(_inside(window, ls, le) for window in entry.availability):
        windows = "; ".join(f"{','.join(w.days)} {w.start}-{w.end}" for w in entry.availability)
        yield Violation("facilitator_unavailable", session.id, person,
                        f"facilitator {person} is not available for {where} "
                        f"(availability: {windows})")
    for off in entry.time_off:
        if off.start <= ls.date() <= off.end:
            yield Violation("facilitator_unavailable", session.id, person,
                            f"facilitator {person} is on time off {off.start}..{off.end} during "
                            f"{where}")


def _inside(window: Availability, ls: datetime, le: datetime) -> bool:
    return (
        WEEKDAYS[ls.weekday()] in window.days
        and le.date() == ls.date()
        and ls.time() >= parse_clock(window.start)
        and le.time() <= parse_clock(window.end)
    )
