"""What a publication changes for each person: new, updated and cancelled sessions.

Compared with what was last published (the publication state before this run), per person and
per session they attend or lead: *new* (now in their calendar, was not), *updated* (in both, and
something they see changed: time, place, title, description, ...), *cancelled* (was in their
calendar and no longer is: the session was cancelled or dropped, or they were taken off it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from scheduler_service.config.schema import Config
from scheduler_service.ical.items import FeedItem
from scheduler_service.ical.state import ItemState


@dataclass(frozen=True)
class SessionRef:
    session_id: str
    title: str
    start: str  # ISO 8601 in the organisation's zone

    def to_json(self) -> dict[str, str]:
        return {"session": self.session_id, "title": self.title, "start": self.start}


@dataclass(frozen=True)
class PersonChanges:
    person: str
    name: str
    new: tuple[SessionRef, ...]
    updated: tuple[SessionRef, ...]
    cancelled: tuple[SessionRef, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "person": self.person,
            "name": self.name,
            "new": [r.to_json() for r in self.new],
            "updated": [r.to_json() for r in self.updated],
            "cancelled": [r.to_json() for r in self.cancelled],
        }


def _live_sessions(items: Iterable[FeedItem]) -> dict[str, FeedItem]:
    return {i.session_id: i for i in items if i.kind == "session" and not i.cancelled}


def _by_person(sessions: Mapping[str, FeedItem]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for sid, item in sessions.items():
        for pid in (*item.attendees, *item.facilitators):
            found.setdefault(pid, set()).add(sid)
    return found


def person_changes(
    config: Config, before: Mapping[str, ItemState], items: Iterable[FeedItem]
) -> list[PersonChanges]:
    """Per person with any change, sorted by person id. ``before`` is the state before the run."""
    old = _live_sessions(entry.item for entry in before.values() if not entry.hidden)
    new = _live_sessions(items)
    old_people, new_people = _by_person(old), _by_person(new)
    zone = config.zone
    names = {p.id: p.name for p in config.roster}
    result = []
    for pid in sorted(set(old_people) | set(new_people)):
        had, has = old_people.get(pid, set()), new_people.get(pid, set())
        updated = {s for s in had & has if old[s].content() != new[s].content()}
        change = PersonChanges(
            person=pid,
            name=names.get(pid, pid),
            new=_refs(new, has - had, zone),
            updated=_refs(new, updated, zone),
            cancelled=_refs(old, had - has, zone),
        )
        if change.new or change.updated or change.cancelled:
            result.append(change)
    return result


def _refs(items: Mapping[str, FeedItem], ids: set[str], zone: ZoneInfo) -> tuple[SessionRef, ...]:
    chosen = sorted((items[s] for s in ids), key=lambda i: (i.start, i.session_id))
    return tuple(
        SessionRef(i.session_id, i.title, i.start.astimezone(zone).isoformat()) for i in chosen
    )
