"""Shared helpers for the iCal feed tests: a small tricky config, hand-built plans, and the
checks every generated feed must pass (raw-byte lexical rules, icalendar, vobject)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import vobject
from icalendar import Calendar, Event

from scheduler_service.config import Config, parse_config
from scheduler_service.ical.feeds import build_feeds
from scheduler_service.ical.items import plan_items
from scheduler_service.ical.state import ItemState, advance
from scheduler_service.model import Plan, Session

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")

CONFIG_TOML = r"""
people = [
  { id = "ana", name = "Ana María Núñez", email = "ana.nunez@example.org", team = "A" },
  { id = "bo", name = "Bo Chen", email = "bo.chen@example.org", team = "A" },
{ id = "cy", name = "Cy Okafor", email = "cy@example.org", team = "B", timezone = "Europe/Berlin"},
  { id = "dee", name = "Dee Lindqvist", email = "dee.lindqvist@example.org", team = "B" },
  { id = "fay", name = "Fay Trainer", email = "fay.trainer@example.org", role = "facilitator" },
  { id = "cora", name = "Cora Ordinator", email = "cora@example.org", role = "coordinator" },
]

[organisation]
name = "Test Line, Inc."
timezone = "America/New_York"
coordinator = { name = "Cora Ordinator", email = "cora@example.org" }
from_address = "training@line.example.org"

[shifts.day]
code = "D"
start = "07:00"
end = "19:00"

[shifts.night]
code = "N"
start = "19:00"
end = "07:00"

[rotations.floor]
anchor = 2026-01-05
teams = ["A", "B"]
cycles = { A = "DDNN", B = "NNDD" }

[trainings.intro]
title = "Intro; listening, safety \\ care"
description = "Agenda: welcome, call flow; breaks.\nBring: ID, laptop\\charger."
duration_minutes = 120
audience = { everyone = true }
facilitators = ["fay"]
room = "Room 1, east wing"
address = "1 Main St; Suite 2, Springfield"
content_note = "Talks about self-harm; step out any time."

[[trainings.intro.homework]]
title = "Read chapter 1, part A; notes"
due_days_before = 2
description = "Pages 1-20.\nTake notes."

[[trainings.intro.homework]]
title = "Reflection"
due_days_before = -1

[trainings.webinar]
title = "Webinar"
kind = "continuing_ed"
duration_minutes = 60
audience = { everyone = true }
facilitators = ["fay"]
delivery = "virtual"
virtual_url = "https://meet.example.org/web?id=1,2;3"
"""

GENERATED = datetime(2027, 1, 2, 9, 30, tzinfo=UTC)
NOW = datetime(2027, 1, 3, 12, 0, tzinfo=UTC)


def make_config(**feeds: Any) -> Config:
    config = parse_config(CONFIG_TOML, "test.toml")
    if feeds:
        config = config.model_copy(update={"feeds": config.feeds.model_copy(update=feeds)})
    return config


def local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def make_session(
    sid: str,
    start: datetime,
    *,
    training: str = "intro",
    minutes: int = 120,
    attendees: tuple[str, ...] = ("ana", "bo"),
    **fields: Any,
) -> Session:
    fields.setdefault("title", "Intro; listening, safety \\ care")
    fields.setdefault("location", "Room 1, east wing" if training == "intro" else None)
    fields.setdefault("facilitators", ("fay",))
    fields.setdefault("capacity", 12)
    return Session(
        id=sid,
        training=training,
        start=start,
        end=start.astimezone(UTC) + timedelta(minutes=minutes),  # elapsed, not wall clock
        attendees=attendees,
        **fields,
    )


def make_plan(*sessions: Session, generated: datetime = GENERATED) -> Plan:
    return Plan(
        generated_at=generated,
        timezone="America/New_York",
        horizon_start=datetime(2027, 1, 4, tzinfo=NY),
        horizon_end=datetime(2027, 3, 29, tzinfo=NY),
        sessions=tuple(sessions),
    )


def basic_plan(generated: datetime = GENERATED) -> Plan:
    return make_plan(
        make_session("intro-1", local(2027, 1, 12, 10), attendees=("ana", "bo")),
        make_session("intro-2", local(2027, 1, 14, 14), attendees=("cy", "dee")),
        make_session(
            "webinar-1",
            local(2027, 1, 20, 18),
            training="webinar",
            minutes=60,
            title="Webinar",
            attendees=("ana", "cy"),
            virtual_url="https://meet.example.org/web?id=1,2;3",
        ),
        generated=generated,
    )


def publish(
    config: Config, plan: Plan, before: Mapping[str, ItemState], now: datetime = NOW
) -> tuple[dict[str, ItemState], dict[str, bytes]]:
    """The pure publication step: advance the state, then build every feed."""
    state = advance(
        before,
        plan_items(config, plan),
        stamp=plan.generated_at,
        now=now,
        retention_days=config.feeds.cancelled_retention_days,
    )
    return state, build_feeds(config, plan, state)


# --- checks --------------------------------------------------------------------------------

_CONTENT_LINE = re.compile(rb"^[A-Za-z0-9-]+[;:]")


def check_lexical(data: bytes) -> None:
    """RFC 5545 3.1 on the raw bytes, stricter where icalendar allows it (interop checklist)."""
    assert data.endswith(b"\r\n"), "stream must end with CRLF"
    assert b"\r\n" in data
    body = data[:-2]
    for line in body.split(b"\r\n"):
        assert b"\r" not in line and b"\n" not in line, f"bare CR or LF in {line!r}"
        assert len(line) <= 75, f"line of {len(line)} octets: {line!r}"
        line.decode("utf-8")  # every physical line is valid UTF-8 on its own
        if line.startswith((b" ", b"\t")):
            assert len(line) > 1, "empty continuation line"
        else:
            assert _CONTENT_LINE.match(line), f"not a content line: {line!r}"
    unfolded = unfold(data)
    begins = [ln[6:] for ln in unfolded if ln.startswith("BEGIN:")]
    ends = [ln[4:] for ln in unfolded if ln.startswith("END:")]
    assert sorted(begins) == sorted(ends)
    assert unfolded[0] == "BEGIN:VCALENDAR" and unfolded[-1] == "END:VCALENDAR"


def unfold(data: bytes) -> list[str]:
    """Content lines: unfolded on bytes (CRLF + one space/tab), then decoded."""
    text = re.sub(rb"\r\n[ \t]", b"", data)
    return [line.decode("utf-8") for line in text.split(b"\r\n") if line]


def check_feed(data: bytes) -> Calendar:
    """Every check a feed must pass; returns the icalendar parse."""
    check_lexical(data)
    calendar = Calendar.from_ical(data)
    calendar.validate()  # PRODID, VERSION, at least one component
    for component in calendar.walk():
        assert not component.errors, component.errors
    assert not calendar.get_missing_tzids()
    vcal = vobject.readOne(data.decode("utf-8"), validate=True)
    assert vcal.name == "VCALENDAR"
    check_semantics(calendar, data)
    return calendar


def check_semantics(calendar: Calendar, data: bytes) -> None:
    text = "\n".join(unfold(data))
    assert "ATTENDEE" not in text and "RSVP" not in text
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    assert "\nREFRESH-INTERVAL;VALUE=DURATION:PT" in text
    lines = unfold(data)
    refresh = next(ln for ln in lines if ln.startswith("REFRESH-INTERVAL"))
    ttl = next(ln for ln in lines if ln.startswith("X-PUBLISHED-TTL:"))
    assert refresh.split(":", 1)[1] == ttl.split(":", 1)[1]
    for key in ("NAME", "X-WR-CALNAME", "DESCRIPTION", "X-WR-CALDESC", "X-WR-TIMEZONE"):
        assert key in calendar, key
    tzids = {tz["TZID"] for tz in calendar.walk("VTIMEZONE")}
    assert str(calendar["X-WR-TIMEZONE"]) in tzids
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert len(uids) == len(set(uids))
    for event in calendar.walk("VEVENT"):
        check_event(event, tzids)


def check_event(event: Event, tzids: set[str]) -> None:
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert event["DTSTAMP"].to_ical().endswith(b"Z")
    assert "DURATION" not in event
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert end > start
    if isinstance(start, datetime):
        assert start.tzinfo is not None and end.tzinfo is not None  # never floating
        assert event["DTSTART"].params["TZID"] in tzids
        assert event["DTEND"].params["TZID"] in tzids
    else:
        assert event["DTSTART"].params.get("VALUE") == "DATE"
        assert end - start == timedelta(days=1)
    assert event["STATUS"] in ("CONFIRMED", "CANCELLED")
    assert event["TRANSP"] in ("OPAQUE", "TRANSPARENT")
    assert int(event["SEQUENCE"]) >= 0


def events_by_uid(data: bytes) -> dict[str, Event]:
    calendar = Calendar.from_ical(data)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}
