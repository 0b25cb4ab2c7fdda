"""Event descriptions, rendered from the jinja2 templates in ``scheduler_service/templates``.

Times are written out in the feed's zone with English day and month names (not the process
locale), so the same plan always renders the same bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import jinja2

from scheduler_service.ical.items import FeedItem

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Roster:
    """Who is in a session, for facilitator and coordinator views only."""

    facilitators: tuple[str, ...]
    count: int
    capacity: int | None
    names: tuple[str, ...]  # empty unless the viewer may see attendee names


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("scheduler_service", "templates"),
        autoescape=False,  # plain text for iCalendar TEXT values; icalendar escapes them
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


def format_date(value: date) -> str:
    return f"{_DAYS[value.weekday()]} {value.day} {_MONTHS[value.month - 1]} {value.year}"


def format_time(value: datetime, zone: ZoneInfo) -> str:
    local = value.astimezone(zone)
    return f"{format_date(local.date())}, {local:%H:%M} {local.tzname()}"


def format_span(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    first, last = start.astimezone(zone), end.astimezone(zone)
    if first.date() == last.date():
        return f"{format_time(start, zone)} to {last:%H:%M} {last.tzname()}"
    return f"{format_time(start, zone)} to {format_time(end, zone)}"


def _tidy(text: str) -> str:
    text = "\n".join(line.rstrip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def _due(item: FeedItem, zone: ZoneInfo, all_day: bool) -> list[dict[str, str | None]]:
    return [
        {
            "title": hw.title,
            "description": hw.description,
            "due": format_date(hw.due_date) if all_day else format_time(hw.due, zone),
        }
        for hw in item.homework
    ]


def session_description(
    item: FeedItem, zone: ZoneInfo, roster: Roster | None, homework_all_day: bool
) -> str:
    template = _environment().get_template("session_description.txt.j2")
    return _tidy(
        template.render(
            cancelled=item.cancelled,
            agenda=item.agenda,
            content_note=item.content_note,
            homework=_due(item, zone, homework_all_day),
            when=format_span(item.start, item.end, zone),
            url=item.url,
            room=item.room,
            address=item.address,
            roster=roster,
        )
    )


def homework_description(item: FeedItem, zone: ZoneInfo, roster: Roster | None) -> str:
    template = _environment().get_template("homework_description.txt.j2")
    hw = item.homework[0]
    return _tidy(
        template.render(
            cancelled=item.cancelled,
            title=hw.title,
            due=format_date(item.all_day) if item.all_day else format_time(hw.due, zone),
            description=hw.description,
            session_title=item.session_title,
            session_when=format_time(item.session_start, zone),
            roster=roster,
        )
    )
