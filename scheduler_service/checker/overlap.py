"""Rules 4 and 7 (rooms): one place at a time for people, one session at a time per room."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from scheduler_service.checker.facts import Facts
from scheduler_service.checker.violation import Violation, span
from scheduler_service.model import Session

Entry = tuple[Session, str]  # the session and the person's role in it


def check_overlaps(facts: Facts) -> Iterator[Violation]:
    agenda: dict[str, list[Entry]] = defaultdict(list)
    for session in facts.sessions:
        yield from _listed_twice(facts, session)
        for person in dict.fromkeys(session.facilitators):
            agenda[person].append((session, "facilitator"))
        for person in dict.fromkeys(session.attendees):
            if person not in session.facilitators:
                agenda[person].append((session, "attendee"))
    for person in sorted(agenda):
        yield from _person_clashes(facts, person, agenda[person])
    yield from _rooms(facts)


def _listed_twice(facts: Facts, session: Session) -> Iterator[Violation]:
    where = f"session {session.id} at {span(session.start, session.end, facts.zone)}"
    for person, n in sorted(Counter(session.attendees).items()):
        if n > 1:
            yield Violation("double_booked", session.id, person,
                            f"attendee {person} is listed {n} times in {where}")
    for person, n in sorted(Counter(session.facilitators).items()):
        if n > 1:
            yield Violation("facilitator_double_booked", session.id, person,
                            f"facilitator {person} is listed {n} times in {where}")
    for person in sorted(set(session.facilitators) & set(session.attendees)):
        yield Violation("facilitator_double_booked", session.id, person,
                        f"{person} both leads and attends {where}")


def _person_clashes(facts: Facts, person: str, entries: list[Entry]) -> Iterator[Violation]:
    entries = sorted(entries, key=lambda en: (en[0].start, en[0].id))
    for i, (first, role_a) in enumerate(entries):
        for second, role_b in entries[i + 1:]:
            if second.start >= first.end:
                break
            kind = "double_booked" if role_a == role_b == "attendee" else (
                "facilitator_double_booked")
            yield Violation(
                kind, second.id, person,
                f"{person} is in two overlapping sessions: {role_a} of {first.id} at "
                f"{span(first.start, first.end, facts.zone)} and {role_b} of {second.id} at "
                f"{span(second.start, second.end, facts.zone)}")


def _rooms(facts: Facts) -> Iterator[Violation]:
    by_room: dict[str, list[Session]] = defaultdict(list)
    for session in facts.sessions:
        training = facts.training(session)
        if training is not None and training.delivery != "virtual" and training.room:
            by_room[training.room].append(session)
    for room in sorted(by_room):
        held = sorted(by_room[room], key=lambda s: (s.start, s.id))
        for i, first in enumerate(held):
            for second in held[i + 1:]:
                if second.start >= first.end:
                    break
                yield Violation(
                    "room_overlap", second.id, None,
                    f"room {room!r} holds {first.id} at {span(first.start, first.end, facts.zone)}"
                    f" and {second.id} at {span(second.start, second.end, facts.zone)}")
