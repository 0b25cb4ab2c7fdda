"""Every generated feed parses (icalendar and vobject with validation), follows the lexical
rules on its raw bytes, carries the feed metadata, and is byte-identical when rebuilt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ical_support import (
    BERLIN,
    GENERATED,
    NY,
    basic_plan,
    check_feed,
    check_lexical,
    events_by_uid,
    local,
    make_config,
    make_plan,
    make_session,
    publish,
    unfold,
)

from scheduler_service.ical.feeds import COORDINATOR_KEY, build_feeds
from scheduler_service.ical.names import feed_filename


@pytest.mark.parametrize("team_feeds", [False, True])
@pytest.mark.parametrize("homework_as", ["all_day", "timed"])
def test_every_feed_passes_every_check(team_feeds: bool, homework_as: str) -> None:
    config = make_config(team_feeds=team_feeds, homework_as=homework_as)
    _, files = publish(config, basic_plan(), {})
    kinds = {name.split("-")[0] for name in files}
    assert kinds == ({"person", "facilitator", "coordinator"} | ({"team"} if team_feeds else set()))
    for data in files.values():
        check_feed(data)


def test_feed_names_come_from_names_module() -> None:
    config = make_config(team_feeds=True)
    _, files = publish(config, basic_plan(), {})
    expected = {feed_filename("person", p.id) for p in config.roster}
    expected |= {feed_filename("facilitator", "fay"), feed_filename("coordinator", COORDINATOR_KEY)}
    expected |= {feed_filename("team", "A"), feed_filename("team", "B")}
    assert set(files) == expected


def test_person_feed_holds_own_sessions_and_homework() -> None:
    config = make_config()
    _, files = publish(config, basic_plan(), {})
    events = events_by_uid(files[feed_filename("person", "ana")])
    domain = "line.example.org"
    assert set(events) == {
        f"intro-1@{domain}",
        f"intro-1-homework-1@{domain}",
        f"intro-1-homework-2@{domain}",
        f"webinar-1@{domain}",
    }
    # a person without sessions still gets a valid (empty) feed, so their link keeps working
    empty = files[feed_filename("person", "cora")]
    assert not events_by_uid(check_feed_bytes(empty))


def check_feed_bytes(data: bytes) -> bytes:
    check_feed(data)
    return data


def test_feed_metadata() -> None:
    config = make_config(refresh_minutes=90)
    _, files = publish(config, basic_plan(), {})
    lines = unfold(files[feed_filename("person", "ana")])
    assert "REFRESH-INTERVAL;VALUE=DURATION:PT1H30M" in lines
    assert "X-PUBLISHED-TTL:PT1H30M" in lines
    assert "METHOD:PUBLISH" in lines
    assert "NAME:Test Line\\, Inc. training: Ana María Núñez" in lines
    assert "X-WR-CALNAME:Test Line\\, Inc. training: Ana María Núñez" in lines
    assert "X-WR-TIMEZONE:America/New_York" in lines
    cy = unfold(files[feed_filename("person", "cy")])
    assert "X-WR-TIMEZONE:Europe/Berlin" in cy  # the person's own zone
    assert any(ln.startswith("DTSTART;TZID=Europe/Berlin:") for ln in cy)


def test_event_content() -> None:
    config = make_config(alarm_minutes=45)
    _, files = publish(config, basic_plan(), {})
    events = events_by_uid(files[feed_filename("person", "ana")])
    intro = events["intro-1@line.example.org"]
    assert str(intro["SUMMARY"]) == "Intro; listening, safety \\ care"
    assert str(intro["LOCATION"]) == "Room 1, east wing, 1 Main St; Suite 2, Springfield"
    assert intro["TRANSP"] == "OPAQUE" and intro["STATUS"] == "CONFIRMED"
    assert [str(c) for c in intro["CATEGORIES"].cats] == ["other"]
    description = str(intro["DESCRIPTION"])
    assert description.startswith(
        "Agenda: welcome, call flow; breaks.\nBring: ID, laptop\\charger."
    )
    assert "Content note: Talks about self-harm; step out any time." in description
    assert "- Read chapter 1, part A; notes (due Sun 10 Jan 2027): Pages 1-20.\nTake notes." in (
        description
    )
    assert "When: Tue 12 Jan 2027, 10:00 EST to 12:00 EST" in description
    assert "Address: 1 Main St; Suite 2, Springfield" in description
    (alarm,) = intro.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(minutes=45)
    webinar = events["webinar-1@line.example.org"]
    assert str(webinar["URL"]) == "https://meet.example.org/web?id=1,2;3"
    assert [str(c) for c in webinar["CATEGORIES"].cats] == ["continuing_ed"]
    assert "Join online: https://meet.example.org/web?id=1,2;3" in str(webinar["DESCRIPTION"])


def test_no_alarm_when_not_configured() -> None:
    _, files = publish(make_config(alarm_minutes=None), basic_plan(), {})
    assert b"BEGIN:VALARM" not in files[feed_filename("coordinator", COORDINATOR_KEY)]


def test_two_builds_are_byte_identical() -> None:
    config = make_config(team_feeds=True)
    state, first = publish(config, basic_plan(), {})
    second = build_feeds(config, basic_plan(), state)
    assert first == second
    # and publishing the same plan again (state advanced once more) changes nothing either
    _, third = publish(config, basic_plan(), state)
    assert third == first


def test_replan_leaves_untouched_feeds_identical() -> None:
    """DTSTAMP comes from the plan version that last revised an item, not from now: a new plan
    version that changes only Ana's sessions leaves the other feeds byte for byte the same."""
    config = make_config()
    state, first = publish(config, basic_plan(), {})
    later = GENERATED + timedelta(days=3)
    moved = basic_plan(generated=later)
    sessions = list(moved.sessions)
    sessions[0] = make_session("intro-1", local(2027, 1, 12, 13), attendees=("ana", "bo"))
    replanned = make_plan(*sessions, generated=later)
    _, second = publish(config, replanned, state)
    for pid in ("cy", "dee", "cora"):
        name = feed_filename("person", pid)
        assert second[name] == first[name], pid
    assert second[feed_filename("person", "ana")] != first[feed_filename("person", "ana")]
    event = events_by_uid(second[feed_filename("person", "ana")])["intro-1@line.example.org"]
    assert event.decoded("DTSTAMP") == later


_TEXT = st.text(alphabet=st.sampled_from(list("ab ,;\\\n:\"'äé€😀Ω")), min_size=1, max_size=60)


@settings(max_examples=40, deadline=None)
@given(title=_TEXT, room=_TEXT)
def test_escaping_round_trips(title: str, room: str) -> None:
    """Commas, semicolons, backslashes and newlines in titles and locations survive a round
    trip through the raw bytes, for icalendar and for vobject."""
    import vobject

    config = make_config()
    session = make_session(
        "odd-1", local(2027, 2, 1, 10), title=title, location=room, attendees=("ana",)
    )
    _, files = publish(config, make_plan(session), {})
    data = files[feed_filename("person", "ana")]
    check_feed(data)
    event = events_by_uid(data)["odd-1@line.example.org"]
    expected_location = f"{room}, 1 Main St; Suite 2, Springfield"
    assert str(event["SUMMARY"]) == title
    assert str(event["LOCATION"]) == expected_location
    vevent = next(
        c
        for c in vobject.readOne(data.decode("utf-8")).components()
        if c.name == "VEVENT" and c.uid.value == "odd-1@line.example.org"
    )
    assert vevent.summary.value == title
    assert vevent.location.value == expected_location


def test_long_utf8_text_folds_on_character_boundaries() -> None:
    config = make_config()
    title = "Zoë’s 😀 training — " * 12
    session = make_session("long-1", local(2027, 2, 1, 10), title=title, attendees=("ana",))
    _, files = publish(config, make_plan(session), {})
    data = files[feed_filename("person", "ana")]
    check_feed(data)  # includes: every physical line <= 75 octets and valid UTF-8
    assert max(len(line) for line in data.split(b"\r\n")) > 60
    assert str(events_by_uid(data)["long-1@line.example.org"]["SUMMARY"]) == title


def test_vtimezone_for_every_zone_used() -> None:
    config = make_config()
    _, files = publish(config, basic_plan(), {})
    for data in files.values():
        lines = unfold(data)
        tzids = {ln.split(":", 1)[1] for ln in lines if ln.startswith("TZID:")}
        used = {ln.split("TZID=", 1)[1].split(":")[0] for ln in lines if ";TZID=" in ln}
        assert used <= tzids
    cy = unfold(files[feed_filename("person", "cy")])
    assert "TZID:Europe/Berlin" in cy and "TZID:America/New_York" not in cy
    assert BERLIN.key == "Europe/Berlin" and NY.key == "America/New_York"


@pytest.mark.parametrize(
    "broken",
    [
        lambda d: d.replace(b"\r\n", b"\n"),  # LF only
        lambda d: d.replace(b"\r\n ", b""),  # unfolded: lines over 75 octets
        lambda d: d.replace("Ana María".encode(), "Ana Mar\r\n í".encode()[:-1] + b"a"),
        lambda d: d.replace(b"\r\n ", b"\r\n", 1),  # continuation without its space
        lambda d: d.replace(b"END:VEVENT\r\n", b"", 1),
    ],
    ids=["lf-only", "over-long", "split-utf8", "bad-continuation", "unbalanced"],
)
def test_the_lexical_check_catches_broken_feeds(broken) -> None:  # type: ignore[no-untyped-def]
    """The checker used on every feed above is not vacuous."""
    _, files = publish(make_config(), basic_plan(), {})
    data = files[feed_filename("person", "ana")]
    check_lexical(data)
    with pytest.raises((AssertionError, UnicodeDecodeError)):
        check_lexical(broken(data))


def test_planner_style_location_is_not_doubled() -> None:
    """The planner writes location as "room, address"; the address is not repeated."""
    config = make_config()
    planned = make_session(
        "intro-9",
        local(2027, 2, 2, 10),
        attendees=("ana",),
        location="Room 1, east wing, 1 Main St; Suite 2, Springfield",
    )
    _, files = publish(config, make_plan(planned), {})
    event = events_by_uid(files[feed_filename("person", "ana")])["intro-9@line.example.org"]
    assert str(event["LOCATION"]) == "Room 1, east wing, 1 Main St; Suite 2, Springfield"
    description = str(event["DESCRIPTION"])
    assert "Room: Room 1, east wing\n" in description
    assert description.count("1 Main St") == 1
