"""One VEVENT per feed item and view, built with icalendar.

A view decides what an event may say about people: ``attendee`` (person and team feeds: nobody's
name, not even the facilitators'), ``facilitator`` (facilitators and the attendee count, names
only when ``feeds.facilitator_sees_names``) and ``coordinator`` (everything).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from icalendar import Alarm, Event, vText

from scheduler_service.ical.items import FeedItem
from scheduler_service.ical.render import Roster, homework_description, session_description

View = Literal["attendee", "facilitator", "coordinator"]


@dataclass(frozen=True)
class EventOptions:
    """The feed settings that shape an event."""

    alarm_minutes: int | None
    homework_all_day: bool
    facilitator_sees_names: bool


@dataclass(frozen=True)
class Revision:
    """SEQUENCE and revision time of an item, from the publication state."""

    sequence: int
    modified_at: datetime


def roster_for(
    item: FeedItem, view: View, options: EventOptions, name: Callable[[str], str]
) -> Roster | None:
    if view == "attendee":
        return None
    show_names = view == "coordinator" or options.facilitator_sees_names
    names = tuple(sorted(name(p) for p in item.attendees)) if show_names else ()
    return Roster(
        facilitators=tuple(name(p) for p in item.facilitators),
        count=len(item.attendees),
        capacity=item.capacity,
        names=names,
    )


def _summary(item: FeedItem) -> str:
    return f"Cancelled: {item.title}" if item.cancelled else item.title


def _times(event: Event, item: FeedItem, zone: ZoneInfo) -> None:
    if item.all_day is not None:
        event.add("dtstart", item.all_day)
        event.add("dtend", item.all_day + timedelta(days=1))  # DTEND of a DATE is exclusive
    else:
        event.add("dtstart", item.start.astimezone(zone))
        event.add("dtend", item.end.astimezone(zone))


def _alarm(item: FeedItem, minutes: int) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", vText(f"Reminder: {item.title}"))
    alarm.add("trigger", timedelta(minutes=-minutes))
    return alarm


def build_event(
    item: FeedItem,
    revision: Revision,
    zone: ZoneInfo,
    options: EventOptions,
    description: str | None = None,
) -> Event:
    """The VEVENT for ``item`` as seen in a feed rendered in ``zone``.

    Without ``description`` the event has no DESCRIPTION: feeds add the one of their view with
    :func:`description_line`, so views share the rest of the serialised event.
    """
    event = Event()
    event.add("uid", item.uid)
    event.add("dtstamp", revision.modified_at)
    event.add("last-modified", revision.modified_at)
    event.add("sequence", revision.sequence)
    _times(event, item, zone)
    event.add("summary", _summary(item))
    if description is not None:
        event.add("description", description)
    if item.location:
        event.add("location", item.location)
    if item.url:
        event.add("url", item.url)
    event.add("categories", [item.category])
    event.add("status", "CANCELLED" if item.cancelled else "CONFIRMED")
    # a session blocks time; a due date does not make the whole day busy
    event.add("transp", "OPAQUE" if item.kind == "session" else "TRANSPARENT")
    if item.kind == "session" and not item.cancelled and options.alarm_minutes is not None:
        event.add_component(_alarm(item, options.alarm_minutes))
    return event


def describe(item: FeedItem, zone: ZoneInfo, roster: Roster | None, options: EventOptions) -> str:
    if item.kind == "homework":
        return homework_description(item, zone, roster)
    return session_description(item, zone, roster, options.homework_all_day)


_BEGIN = b"BEGIN:VEVENT\r\n"
_END = b"END:VEVENT\r\n"


def description_line(text: str) -> bytes:
    """The DESCRIPTION content line (escaped and folded by icalendar) for :func:`with_line`."""
    event = Event()
    event.add("description", text)
    data: bytes = event.to_ical()
    assert data.startswith(_BEGIN) and data.endswith(_END)
    return data[len(_BEGIN) : -len(_END)]


def with_line(event: bytes, line: bytes) -> bytes:
    """A serialised VEVENT with one more property line (right after BEGIN:VEVENT)."""
    assert event.startswith(_BEGIN)
    return b"".join((_BEGIN, line, event[len(_BEGIN) :]))
