"""Rules 1 and 8: when a session may happen, and how many sessions a training may have."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta

from scheduler_service.checker.facts import WEEKDAYS, Facts, day_in_round, round_of
from scheduler_service.checker.violation import Violation, span
from scheduler_service.config.schema import Training, parse_clock
from scheduler_service.model import Session


def check_timing(facts: Facts) -> Iterator[Violation]:
    for session in facts.sessions:
        training = facts.training(session)
        if training is None:
            continue
        yield from _clock(facts, session, training)
        yield from _calendar(facts, session)
        yield from _window(facts, session, training)
    yield from _offerings(facts)


def _bad_time(session: Session, what: str, facts: Facts) -> Violation:
    text = f"session {session.id} at {span(session.start, session.end, facts.zone)}: {what}"
    return Violation("session_time", session.id, None, text)


def _clock(facts: Facts, session: Session, training: Training) -> Iterator[Violation]:
    ls = session.start.astimezone(facts.zone)
    le = session.end.astimezone(facts.zone)
    grid = facts.config.planning.grid_minutes
    if ls.second or ls.microsecond or (ls.hour * 60 + ls.minute) % grid:
        yield _bad_time(session, f"start is off the {grid}-minute planning grid", facts)
    minutes = (session.end - session.start).total_seconds() / 60
    if minutes != training.duration_minutes:
        yield _bad_time(
            session, f"lasts {minutes:g} minutes, the training lasts "
            f"{training.duration_minutes}", facts)
    if le.date() != ls.date():
        yield _bad_time(session, "ends on another local date", facts)
    if ls.time() < parse_clock(training.earliest_start):
        yield _bad_time(session, f"starts before earliest_start {training.earliest_start}", facts)
    if le.date() == ls.date() and le.time() > parse_clock(training.latest_end):
        yield _bad_time(session, f"ends after latest_end {training.latest_end}", facts)
    weekday = WEEKDAYS[ls.weekday()]
    if weekday not in training.allowed_days:
        yield _bad_time(
            session, f"{weekday} is not an allowed day ({', '.join(training.allowed_days)})",
            facts)


def _calendar(facts: Facts, session: Session) -> Iterator[Violation]:
    day = facts.local_date(session.start)
    cal = facts.config.calendar
    where = f"session {session.id} at {span(session.start, session.end, facts.zone)}"
    if day in cal.holidays:
        yield Violation("holiday_blackout", session.id, None, f"{where}: {day} is a holiday")
    for blackout in cal.blackouts:
        end = blackout.end or blackout.start
        if blackout.start <= day <= end:
            why = f" ({blackout.reason})" if blackout.reason else ""
            yield Violation(
                "holiday_blackout", session.id, None,
                f"{where}: {day} is inside the blackout {blackout.start}..{end}{why}")


def _window(facts: Facts, session: Session, training: Training) -> Iterator[Violation]:
    day = facts.local_date(session.start)
    where = f"session {session.id} at {span(session.start, session.end, facts.zone)}"
    if not facts.first <= day <= facts.last:
        yield Violation("window", session.id, None,
                        f"{where}: outside the planning horizon {facts.first}..{facts.last}")
    win = training.window
    if win is not None and not win.start <= day <= win.end:
        yield Violation("window", session.id, None,
                        f"{where}: outside the training window {win.start}..{win.end}")
    rec = training.recurrence
    if rec is not None and day_in_round(training, day) > rec.first_days:
        period = "month" if rec.every == "month" else "ISO week"
        yield Violation("window", session.id, None,
                        f"{where}: not within the first {rec.first_days} days of its {period}")


def _offerings(facts: Facts) -> Iterator[Violation]:
    counts: Counter[tuple[str, tuple[int, int] | None]] = Counter()
    last_seen: dict[tuple[str, tuple[int, int] | None], Session] = {}
    for session in facts.sessions:
        training = facts.training(session)
        if training is None or training.offerings == "as_needed":
            continue
        slot = (session.training, round_of(training, facts.local_date(session.start)))
        counts[slot] += 1
        last_seen[slot] = session
    for (key, rnd), n in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1] or (0, 0))):
        training = facts.config.trainings[key]
        limit = training.offerings
        assert isinstance(limit, int)
        if n > limit:
            scope = f" in round {round_label(training, rnd)}" if rnd is not None else ""
            yield Violation("offerings", last_seen[(key, rnd)].id, None,
                            f"training {key} has {n} sessions{scope}, offerings allows {limit}")


def round_label(training: Training, rnd: tuple[int, int]) -> str:
    assert training.recurrence is not None
    if training.recurrence.every == "month":
        return f"{rnd[0]}-{rnd[1]:02d}"
    monday = date.fromisocalendar(rnd[0], rnd[1], 1)
    return f"ISO week {monday}..{monday + timedelta(days=6)}"
