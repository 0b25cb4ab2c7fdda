"""Rules 2, 9 and 10: who may attend, who must be seated or listed, prerequisite order, ids."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from scheduler_service.checker.facts import Facts, day_in_round, round_of, rounds_in_horizon
from scheduler_service.checker.timing import round_label
from scheduler_service.checker.violation import Violation, span
from scheduler_service.config.schema import Training
from scheduler_service.model import Session

Seat = tuple[str, str]  # (person, training)


def check_coverage(facts: Facts) -> Iterator[Violation]:
    yield from _ids(facts)
    yield from _audience(facts)
    yield from _repeats(facts)
    yield from _unplaced_missing(facts)
    yield from _prerequisites(facts)


def _ids(facts: Facts) -> Iterator[Violation]:
    for sid, n in sorted(Counter(s.id for s in facts.plan.sessions).items()):
        if n > 1:
            yield Violation("duplicate_session_id", sid, None,
                            f"session id {sid} is used by {n} sessions")
    for session in facts.sessions:
        if session.training not in facts.config.trainings:
            yield Violation("unknown_training", session.id, None,
                            f"session {session.id} is of unknown training {session.training!r}")


def _audience(facts: Facts) -> Iterator[Violation]:
    for session in facts.sessions:
        if session.training not in facts.config.trainings:
            continue
        audience = facts.audiences[session.training]
        day = facts.local_date(session.start)
        where = f"session {session.id} at {span(session.start, session.end, facts.zone)}"
        for person in dict.fromkeys(session.attendees):
            p = facts.people.get(person)
            if p is None:
                yield Violation("audience", session.id, person,
                                f"{person} attends {where} but is not on the roster")
            elif person not in audience:
                yield Violation("audience", session.id, person,
                                f"{person} attends {where} but is not in the audience of "
                                f"{session.training}")
            elif p.start_date is not None and day < p.start_date:
                yield Violation("audience", session.id, person,
                                f"{person} attends {where} before their start date "
                                f"{p.start_date}")


def attended(facts: Facts) -> dict[Seat, list[Session]]:
    seats: dict[Seat, list[Session]] = defaultdict(list)
    for session in facts.sessions:
        for person in dict.fromkeys(session.attendees):
            seats[(person, session.training)].append(session)
    return seats


def _repeats(facts: Facts) -> Iterator[Violation]:
    """A person sits one session of a training (one per round for recurring trainings)."""
    for (person, key), own in sorted(attended(facts).items()):
        training = facts.config.trainings.get(key)
        if training is None:
            continue
        rounds = Counter(round_of(training, facts.local_date(s.start)) for s in own)
        for rnd, n in sorted(rounds.items(), key=lambda kv: kv[0] or (0, 0)):
            if n > 1:
                scope = f" in round {round_label(training, rnd)}" if rnd is not None else ""
                yield Violation("duplicate_attendance", own[-1].id, person,
                                f"{person} attends {n} sessions of {key}{scope}: "
                                f"{', '.join(s.id for s in own)}")


def _unplaced_missing(facts: Facts) -> Iterator[Violation]:
    listed = {(u.person, u.training) for u in facts.plan.unplaced}
    seats = attended(facts)
    for key, training in sorted(facts.config.trainings.items()):
        if not training.required:
            continue
        rounds = (rounds_in_horizon(training, facts.first, facts.last)
                  if training.recurrence is not None else [])
        for person in sorted(facts.audiences[key]):
            if (person, key) in listed:
                continue
            own = seats.get((person, key), [])
            starts = facts.people[person].start_date if person in facts.people else None
            if training.recurrence is None:
                last = facts.last
                if training.window is not None:
                    last = min(last, training.window.end)
                if starts is not None and starts > last:
                    continue  # not yet employed while the training can run: not required
                if not own:
                    yield Violation("unplaced_missing", None, person,
                                    f"{person} is in the audience of required training {key} "
                                    "but neither attends a session nor is listed as unplaced")
                continue
            have = {round_of(training, facts.local_date(s.start)) for s in own}
            for rnd in rounds:
                if starts is not None and starts > _round_last_day(training, rnd, facts):
                    continue  # starts after this round: not required in it
                if rnd not in have:
                    yield Violation("unplaced_missing", None, person,
                                    f"{person} attends no session of required training {key} "
                                    f"in round {round_label(training, rnd)} and is not listed "
                                    "as unplaced")


def _round_last_day(training: Training, rnd: tuple[int, int], facts: Facts) -> date:
    """The last day of the horizon on which a session of round ``rnd`` may fall."""
    assert training.recurrence is not None
    day, found = facts.first, facts.first
    while day <= facts.last:
        if (round_of(training, day) == rnd
                and day_in_round(training, day) <= training.recurrence.first_days):
            found = day
        day += timedelta(days=1)
    return found


def _history(facts: Facts) -> dict[Seat, list[Session]]:
    seats: dict[Seat, list[Session]] = defaultdict(list)
    for session in facts.history:
        for person in dict.fromkeys(session.attendees):
            seats[(person, session.training)].append(session)
    return seats


def _prerequisites(facts: Facts) -> Iterator[Violation]:
    seats = attended(facts)
    before = _history(facts)
    unplaced = {(u.person, u.training): u.reason for u in facts.plan.unplaced}
    for (person, key), own in sorted(seats.items()):
        training = facts.config.trainings.get(key)
        if training is None:
            continue
        for pre in training.prerequisites:
            if person not in facts.audiences.get(pre.training, frozenset()):
                continue
            gap = timedelta(days=pre.min_gap_days)
            done = seats.get((person, pre.training), []) + before.get((person, pre.training), [])
            for session in own:
                if not any(p.end <= session.start - gap for p in done):
                    yield Violation(
                        "prerequisite", session.id, person,
                        f"{person} attends {session.id} at "
                        f"{span(session.start, session.end, facts.zone)} without a session of "
                        f"prerequisite {pre.training} ending {pre.min_gap_days:g} day(s) before")
    yield from _unplaced_reasons(facts, unplaced, before)


def _unplaced_reasons(
    facts: Facts, unplaced: dict[Seat, str], before: dict[Seat, list[Session]]
) -> Iterator[Violation]:
    """Unplaced in a prerequisite means unplaced in the later training, saying so."""
    for (person, key), why in sorted(unplaced.items()):
        training = facts.config.trainings.get(key)
        if training is None:
            continue
        missing = [p.training for p in training.prerequisites
                   if (person, p.training) in unplaced and (person, p.training) not in before
                   and person in facts.audiences.get(p.training, frozenset())]
        if missing and not any(m in why for m in missing):
            yield Violation(
                "prerequisite", None, person,
                f"{person} is unplaced in prerequisite {' and '.join(missing)} of {key}, but "
                f"the reason for {key} does not say so (got {why!r})")
