"""Times: DST-crossing sessions keep their UTC instants through icalendar and vobject; the
RRULE-based VTIMEZONEs agree with zoneinfo; homework due dates as all-day or timed events."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import vobject
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Timezone
from test_ical_support import (
    check_feed,
    events_by_uid,
    local,
    make_config,
    make_plan,
    make_session,
    publish,
    unfold,
)

from scheduler_service.ical.feeds import COORDINATOR_KEY
from scheduler_service.ical.names import feed_filename
from scheduler_service.ical.vtimezone import transitions_in_year, vtimezone_bytes

UID = "night-1@line.example.org"


def _vobject_event(data: bytes, uid: str) -> vobject.base.Component:
    vcal = vobject.readOne(data.decode("utf-8"), validate=True)
    return next(c for c in vcal.components() if c.name == "VEVENT" and c.uid.value == uid)


def test_overnight_session_across_spring_forward() -> None:
    """01:00 EST to 04:00 EDT on 2027-03-14 is two hours: 06:00Z to 08:00Z."""
    config = make_config()
    session = make_session("night-1", local(2027, 3, 14, 1), minutes=120, attendees=("ana", "cy"))
    assert session.end == datetime(2027, 3, 14, 8, 0, tzinfo=UTC)
    _, files = publish(config, make_plan(session), {})
    ana = files[feed_filename("person", "ana")]
    check_feed(ana)
    assert "DTSTART;TZID=America/New_York:20270314T010000" in unfold(ana)
    assert "DTEND;TZID=America/New_York:20270314T040000" in unfold(ana)
    event = events_by_uid(ana)[UID]
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 14, 6, 0, tzinfo=UTC)
    assert event.decoded("DTEND").astimezone(UTC) == datetime(2027, 3, 14, 8, 0, tzinfo=UTC)
    vevent = _vobject_event(ana, UID)
    assert vevent.dtstart.value.astimezone(UTC) == datetime(2027, 3, 14, 6, 0, tzinfo=UTC)
    assert vevent.dtend.value.astimezone(UTC) == datetime(2027, 3, 14, 8, 0, tzinfo=UTC)
    # Cy's feed shows the same instants in Berlin time
    cy = files[feed_filename("person", "cy")]
    assert "DTSTART;TZID=Europe/Berlin:20270314T070000" in unfold(cy)
    assert events_by_uid(cy)[UID].decoded("DTEND").astimezone(UTC) == session.end


def test_session_in_the_repeated_hour_of_fall_back() -> None:
    """01:30 EDT (the first 01:30) on 2027-11-07 keeps its UTC instant 05:30Z."""
    config = make_config()
    start = datetime(2027, 11, 7, 5, 30, tzinfo=UTC)
    session = make_session("night-1", start, minutes=90, attendees=("ana",))
    _, files = publish(config, make_plan(session), {})
    data = files[feed_filename("person", "ana")]
    check_feed(data)
    for parsed in (
        events_by_uid(data)[UID].decoded("DTSTART"),
        _vobject_event(data, UID).dtstart.value,
    ):
        assert parsed.astimezone(UTC) == start


def _renamed_tz(tzid: str, first: int, last: int) -> Timezone:
    """The generated VTIMEZONE under a name no library knows, so its rules must be used (one
    name per zone and range: icalendar caches time zones by TZID)."""
    name = f"Traincal-Test-{tzid.replace('/', '-')}-{first}-{last}"
    data = vtimezone_bytes(tzid, first, last).replace(tzid.encode(), name.encode())
    component = Timezone.from_ical(data)
    assert isinstance(component, Timezone)
    return component


@pytest.mark.parametrize(
    "tzid", ["America/New_York", "Europe/Berlin", "Australia/Sydney", "America/Santiago"]
)
def test_vtimezone_has_standard_and_daylight_rrules(tzid: str) -> None:
    data = vtimezone_bytes(tzid, 2026, 2027)
    lines = unfold(data)
    assert "BEGIN:STANDARD" in lines and "BEGIN:DAYLIGHT" in lines
    assert any(ln.startswith("RRULE:FREQ=YEARLY;") for ln in lines)
    assert not any(ln.startswith("RDATE") for ln in lines)
    assert len([ln for ln in lines if ln.startswith("DTSTART")]) == 2


def test_vtimezone_without_dst_has_one_observance() -> None:
    lines = unfold(vtimezone_bytes("Asia/Tokyo", 2026, 2027))
    assert lines.count("BEGIN:STANDARD") == 1 and "BEGIN:DAYLIGHT" not in lines
    assert "TZOFFSETTO:+0900" in lines


_ZONES = [
    "America/New_York",
    "America/Los_Angeles",
    "America/Chicago",
    "Europe/Berlin",
    "Europe/London",
    "Europe/Dublin",
    "Australia/Sydney",
    "America/Santiago",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Pacific/Auckland",
]


@settings(max_examples=60, deadline=None)
@given(
    tzid=st.sampled_from(_ZONES),
    instant=st.datetimes(
        # hypothesis takes naive bounds and attaches the zone itself
        min_value=datetime(2026, 1, 1),  # noqa: DTZ001
        max_value=datetime(2028, 12, 31),  # noqa: DTZ001
        timezones=st.just(UTC),
    ),
)
def test_vtimezone_rules_agree_with_zoneinfo(tzid: str, instant: datetime) -> None:
    """dateutil evaluates our VTIMEZONE (via icalendar's to_tz) and must match zoneinfo."""
    tz = _renamed_tz(tzid, 2026, 2028).to_tz()
    assert instant.astimezone(tz).utcoffset() == instant.astimezone(ZoneInfo(tzid)).utcoffset()


def test_vtimezone_closes_rules_that_changed() -> None:
    """Mexico City dropped summer time after 2022: the old rule ends with UNTIL."""
    data = vtimezone_bytes("America/Mexico_City", 2022, 2023)
    lines = unfold(data)
    assert any(ln.startswith("RRULE:") and "UNTIL=2022" in ln for ln in lines)
    tz = _renamed_tz("America/Mexico_City", 2022, 2023).to_tz()
    for instant in (datetime(2022, 7, 1, tzinfo=UTC), datetime(2023, 7, 1, tzinfo=UTC)):
        assert (
            instant.astimezone(tz).utcoffset()
            == instant.astimezone(ZoneInfo("America/Mexico_City")).utcoffset()
        )


def test_transitions_found_to_the_second() -> None:
    (spring, fall) = transitions_in_year("America/New_York", 2027)
    assert spring.at == datetime(2027, 3, 14, 7, 0, tzinfo=UTC) and spring.dst
    assert fall.at == datetime(2027, 11, 7, 6, 0, tzinfo=UTC) and not fall.dst


def test_homework_all_day() -> None:
    config = make_config(homework_as="all_day")
    session = make_session("intro-1", local(2027, 1, 12, 10), attendees=("ana",))
    _, files = publish(config, make_plan(session), {})
    events = events_by_uid(files[feed_filename("person", "ana")])
    before = events["intro-1-homework-1@line.example.org"]  # due 2 days before
    assert before.decoded("DTSTART") == date(2027, 1, 10)
    assert before.decoded("DTEND") == date(2027, 1, 11)  # exclusive end: one day
    assert before["DTSTART"].params["VALUE"] == "DATE"
    assert before["TRANSP"] == "TRANSPARENT"
    assert str(before["SUMMARY"]) == "Due: Read chapter 1, part A; notes"
    after = events["intro-1-homework-2@line.example.org"]  # due 1 day after
    assert after.decoded("DTSTART") == date(2027, 1, 13)


def test_homework_timed() -> None:
    config = make_config(homework_as="timed")
    session = make_session("intro-1", local(2027, 1, 12, 10), attendees=("ana",))
    _, files = publish(config, make_plan(session), {})
    data = files[feed_filename("person", "ana")]
    check_feed(data)
    event = events_by_uid(data)["intro-1-homework-1@line.example.org"]
    assert event.decoded("DTEND") == local(2027, 1, 10, 10)
    assert event.decoded("DTSTART") == local(2027, 1, 10, 9, 30)
    assert "due Sun 10 Jan 2027, 10:00 EST" in str(event["DESCRIPTION"])


def test_homework_due_date_moves_with_the_session_and_keeps_its_uid() -> None:
    config = make_config()
    session = make_session("intro-1", local(2027, 1, 12, 10), attendees=("ana",))
    state, _ = publish(config, make_plan(session), {})
    moved = make_session("intro-1", local(2027, 1, 20, 10), attendees=("ana",))
    _, files = publish(config, make_plan(moved), state)
    event = events_by_uid(files[feed_filename("coordinator", COORDINATOR_KEY)])[
        "intro-1-homework-1@line.example.org"
    ]
    assert event.decoded("DTSTART") == date(2027, 1, 18)
    assert int(event["SEQUENCE"]) == 1


def test_same_day_move_does_not_revise_all_day_homework() -> None:
    config = make_config()
    session = make_session("intro-1", local(2027, 1, 12, 10), attendees=("ana",))
    state, _ = publish(config, make_plan(session), {})
    moved = make_session("intro-1", local(2027, 1, 12, 15), attendees=("ana",))
    state, _ = publish(config, make_plan(moved), state)
    assert state["intro-1@line.example.org"].sequence == 1
    assert state["intro-1-homework-1@line.example.org"].sequence == 0


def test_vobject_and_icalendar_agree_on_every_event() -> None:
    config = make_config()
    sessions = [
        make_session(f"s-{day}", local(2027, 3, day, 1), minutes=180, attendees=("ana",))
        for day in range(10, 17)
    ]
    _, files = publish(config, make_plan(*sessions), {})
    data = files[feed_filename("person", "ana")]
    vcal = vobject.readOne(data.decode("utf-8"), validate=True)
    parsed = Calendar.from_ical(data)
    by_uid = {str(e["UID"]): e for e in parsed.walk("VEVENT")}
    for vevent in (c for c in vcal.components() if c.name == "VEVENT"):
        mine = by_uid[vevent.uid.value]
        assert vevent.dtstart.value == mine.decoded("DTSTART")
        assert vevent.dtend.value == mine.decoded("DTEND")
    crossing = by_uid["s-14@line.example.org"]  # 01:00 EST + 3 hours = 05:00 EDT
    assert crossing.decoded("DTEND").hour == 5
    elapsed = crossing.decoded("DTEND").astimezone(UTC) - crossing.decoded("DTSTART")
    assert elapsed == timedelta(hours=3)
