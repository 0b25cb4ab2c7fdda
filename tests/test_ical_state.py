"""SEQUENCE grows exactly on significant changes; UIDs survive re-plans; cancelled sessions stay
as CANCELLED for the retention period and then drop out."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ical_support import (
    GENERATED,
    NOW,
    check_feed,
    events_by_uid,
    local,
    make_config,
    make_plan,
    make_session,
    publish,
)

from scheduler_service.ical.feeds import COORDINATOR_KEY
from scheduler_service.ical.names import feed_filename
from scheduler_service.model import Session

UID = "intro-1@line.example.org"
COORD = feed_filename("coordinator", COORDINATOR_KEY)


def base() -> Session:
    return make_session("intro-1", local(2027, 1, 12, 10), attendees=("ana", "bo"))


def sequence_after(change: Session, steps: int = 1) -> int:
    config = make_config()
    state, _ = publish(config, make_plan(base()), {})
    for _ in range(steps):
        state, files = publish(config, make_plan(change), state)
    event = events_by_uid(check_feed(files[COORD]).to_ical())[UID]
    return int(event["SEQUENCE"])


@pytest.mark.parametrize(
    "change",
    [
        {"start": local(2027, 1, 12, 11), "end": local(2027, 1, 12, 13)},  # moved
        {"end": local(2027, 1, 12, 13)},  # longer
        {"location": "Room 7"},
        {"status": "cancelled"},
    ],
    ids=["start", "end", "location", "status"],
)
def test_significant_change_increments_sequence_once(change: dict[str, object]) -> None:
    changed = replace(base(), **change)
    assert sequence_after(changed) == 1
    assert sequence_after(changed, steps=3) == 1  # republishing the same plan: no more bumps


@pytest.mark.parametrize(
    "change",
    [
        {"attendees": ("ana", "bo", "cy", "dee")},
        {"attendees": ("ana",)},
        {"title": "Intro (renamed)"},
        {"capacity": 30},
        {"facilitators": ()},
        {"virtual_url": "https://meet.example.org/x"},
    ],
    ids=["more-attendees", "fewer-attendees", "title", "capacity", "facilitators", "url"],
)
def test_other_changes_keep_sequence(change: dict[str, object]) -> None:
    assert sequence_after(replace(base(), **change)) == 0


def test_each_significant_change_adds_one() -> None:
    config = make_config()
    state, _ = publish(config, make_plan(base()), {})
    versions = [
        replace(base(), location="Room 2"),
        replace(base(), location="Room 2", attendees=("ana",)),
        replace(base(), location="Room 3"),
        replace(base(), location="Room 3", start=local(2027, 1, 12, 9)),
    ]
    seen = []
    for version in versions:
        state, _ = publish(config, make_plan(version), state)
        seen.append(state[UID].sequence)
    assert seen == [1, 1, 2, 3]


_MOVES = st.lists(
    st.tuples(st.integers(0, 3), st.sampled_from(["Room 1", "Room 2"]), st.booleans()),
    min_size=1,
    max_size=8,
)


@settings(max_examples=30, deadline=None)
@given(moves=_MOVES)
def test_sequence_counts_exactly_the_significant_changes(
    moves: list[tuple[int, str, bool]],
) -> None:
    """Over any run of re-plans, SEQUENCE = the number of times start or location changed."""
    config = make_config()
    state, _ = publish(config, make_plan(base()), {})
    previous = (base().start, base().location)
    changes = 0
    for hour_shift, room, more_people in moves:
        start = local(2027, 1, 12, 10 + hour_shift)
        session = replace(
            base(),
            start=start,
            end=start + timedelta(hours=2),
            location=room,
            attendees=("ana", "bo", "cy") if more_people else ("ana", "bo"),
        )
        changes += (session.start, session.location) != previous
        previous = (session.start, session.location)
        state, _ = publish(config, make_plan(session), state)
        assert state[UID].sequence == changes


def test_uids_survive_replans() -> None:
    config = make_config()
    first = make_session("intro-1", local(2027, 1, 12, 10), attendees=("ana", "bo"))
    state, files = publish(config, make_plan(first), {})
    uids_before = set(events_by_uid(files[feed_filename("person", "ana")]))
    moved = make_session("intro-1", local(2027, 1, 19, 15), attendees=("ana", "cy"))
    _, files = publish(config, make_plan(moved), state)
    assert set(events_by_uid(files[feed_filename("person", "ana")])) == uids_before
    assert UID in events_by_uid(files[feed_filename("person", "cy")])


def test_dropped_session_stays_cancelled_then_goes() -> None:
    config = make_config(cancelled_retention_days=10)
    other = make_session("intro-2", local(2027, 1, 14, 10), attendees=("cy",))
    state, _ = publish(config, make_plan(base(), other), {})
    later = GENERATED + timedelta(days=1)
    state, files = publish(config, make_plan(other, generated=later), state)
    for owner in ("ana", "bo"):
        event = events_by_uid(check_feed(files[feed_filename("person", owner)]).to_ical())[UID]
        assert event["STATUS"] == "CANCELLED"
        assert int(event["SEQUENCE"]) == 1
        assert str(event["SUMMARY"]).startswith("Cancelled: ")
        assert not event.walk("VALARM")  # no reminder for a cancelled session
    homework = events_by_uid(files[feed_filename("person", "ana")])[
        "intro-1-homework-1@line.example.org"
    ]
    assert homework["STATUS"] == "CANCELLED"
    assert UID in events_by_uid(files[COORD])
    assert UID not in events_by_uid(files[feed_filename("person", "cy")])
    # still there on day 10 after the cancellation, gone after it
    state, files = publish(config, make_plan(other), state, now=NOW + timedelta(days=10))
    assert UID in events_by_uid(files[feed_filename("person", "ana")])
    state, files = publish(config, make_plan(other), state, now=NOW + timedelta(days=10, hours=1))
    assert UID not in events_by_uid(files[feed_filename("person", "ana")])
    assert UID not in state


def test_cancelled_in_plan_is_hidden_after_retention_but_remembered() -> None:
    config = make_config(cancelled_retention_days=0)
    state, _ = publish(config, make_plan(base()), {})
    cancelled = replace(base(), status="cancelled")
    state, files = publish(config, make_plan(cancelled), state)
    assert events_by_uid(files[COORD])[UID]["STATUS"] == "CANCELLED"
    state, files = publish(config, make_plan(cancelled), state, now=NOW + timedelta(hours=1))
    assert UID not in events_by_uid(files[COORD])
    assert state[UID].hidden and state[UID].sequence == 1


def test_revived_session_gets_a_higher_sequence() -> None:
    config = make_config()
    state, _ = publish(config, make_plan(base()), {})
    state, _ = publish(config, make_plan(), state)
    assert state[UID].sequence == 1 and state[UID].item.cancelled
    state, files = publish(config, make_plan(base()), state)
    event = events_by_uid(files[COORD])[UID]
    assert event["STATUS"] == "CONFIRMED" and int(event["SEQUENCE"]) == 2
