"""What a feed shows, independent of who looks: one :class:`FeedItem` per session and per
homework due date, derived from a plan and the configuration.

Items are plain frozen data with a JSON form, so the publication state can keep the last version
of a session that disappeared from the plan and still show it as cancelled.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, Literal

from scheduler_service.config.schema import Config, Training
from scheduler_service.model import Plan, Session

ItemKind = Literal["session", "homework"]


@dataclass(frozen=True)
class HomeworkDue:
    title: str
    description: str | None
    due: datetime  # the instant it is due (session start minus due_days_before days), UTC
    due_date: date  # its date in the organisation's zone

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "description": self.description,
            "due": self.due.isoformat(),
            "due_date": self.due_date.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HomeworkDue:
        return cls(
            title=data["title"],
            description=data["description"],
            due=datetime.fromisoformat(data["due"]),
            due_date=date.fromisoformat(data["due_date"]),
        )


@dataclass(frozen=True)
class FeedItem:
    """One calendar event: a session, or the due date of one piece of homework for a session.

    ``start``/``end`` are UTC instants; ``all_day`` is set for all-day homework (then the
    event covers that single date). ``attendees`` and ``facilitators`` decide whose feeds show
    the item; they are rendered only in facilitator and coordinator views.
    """

    uid: str
    session_id: str
    kind: ItemKind
    training: str
    category: str
    title: str
    start: datetime
    end: datetime
    all_day: date | None
    location: str | None
    url: str | None
    agenda: str | None
    content_note: str | None
    room: str | None
    address: str | None
    homework: tuple[HomeworkDue, ...]
    session_title: str
    session_start: datetime
    attendees: tuple[str, ...]
    facilitators: tuple[str, ...]
    capacity: int | None
    status: str  # "confirmed" | "cancelled"

    @property
    def cancelled(self) -> bool:
        return self.status == "cancelled"

    def as_cancelled(self) -> FeedItem:
        return replace(self, status="cancelled")

    def significant(self) -> str:
        """Hash of the properties whose change is a significant revision (RFC 5546 2.1.4):
        start, end, location, status and recurrence (sessions do not recur: always none)."""
        if self.all_day is not None:
            when = [self.all_day.isoformat()]
        else:
            when = [self.start.isoformat(), self.end.isoformat()]
        return _digest([*when, self.location, self.status, None])

    def content(self) -> str:
        """Hash of everything shown to an attendee (not who else attends)."""
        data = self.to_json()
        del data["attendees"]
        return _digest(data)

    def to_json(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "session_id": self.session_id,
            "kind": self.kind,
            "training": self.training,
            "category": self.category,
            "title": self.title,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "all_day": self.all_day.isoformat() if self.all_day else None,
            "location": self.location,
            "url": self.url,
            "agenda": self.agenda,
            "content_note": self.content_note,
            "room": self.room,
            "address": self.address,
            "homework": [h.to_json() for h in self.homework],
            "session_title": self.session_title,
            "session_start": self.session_start.isoformat(),
            "attendees": list(self.attendees),
            "facilitators": list(self.facilitators),
            "capacity": self.capacity,
            "status": self.status,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FeedItem:
        return cls(
            uid=data["uid"],
            session_id=data["session_id"],
            kind=data["kind"],
            training=data["training"],
            category=data["category"],
            title=data["title"],
            start=datetime.fromisoformat(data["start"]),
            end=datetime.fromisoformat(data["end"]),
            all_day=date.fromisoformat(data["all_day"]) if data["all_day"] else None,
            location=data["location"],
            url=data["url"],
            agenda=data["agenda"],
            content_note=data["content_note"],
            room=data["room"],
            address=data["address"],
            homework=tuple(HomeworkDue.from_json(h) for h in data["homework"]),
            session_title=data["session_title"],
            session_start=datetime.fromisoformat(data["session_start"]),
            attendees=tuple(data["attendees"]),
            facilitators=tuple(data["facilitators"]),
            capacity=data["capacity"],
            status=data["status"],
        )


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def uid_domain(config: Config) -> str:
    return config.organisation.from_address.rsplit("@", 1)[1].lower()


def session_uid(session_id: str, domain: str) -> str:
    """The UID of a session's event: stable forever, because session ids survive re-plans."""
    return f"{session_id}@{domain}"


def homework_uid(session_id: str, index: int, domain: str) -> str:
    return f"{session_id}-homework-{index + 1}@{domain}"


def _room(session: Session, training: Training | None) -> str | None:
    """The room alone: the planner writes ``location`` as "room, address"."""
    address = training.address if training else None
    location = session.location
    if location and address and location.endswith(address):
        location = location[: -len(address)].rstrip(", ") or None
    return location or (training.room if training else None)


def _location(session: Session, training: Training | None) -> str | None:
    """LOCATION: room and address, or the virtual link for an online-only session."""
    room = _room(session, training)
    address = training.address if training else None
    parts = [p for p in (room, address) if p]
    if parts:
        return ", ".join(parts)
    return session.virtual_url or (training.virtual_url if training else None)


def _homework(config: Config, session: Session, training: Training | None) -> list[HomeworkDue]:
    if training is None:
        return []
    found = []
    for hw in training.homework:
        due = session.start - timedelta(days=hw.due_days_before)
        local_date = due.astimezone(config.zone).date()
        found.append(HomeworkDue(hw.title, hw.description, due, local_date))
    return found


def session_items(
    config: Config, session: Session, homework_as: Literal["all_day", "timed"]
) -> list[FeedItem]:
    """The session's own event followed by one event per homework due date."""
    training = config.trainings.get(session.training)
    domain = uid_domain(config)
    homework = _homework(config, session, training)
    url = session.virtual_url or (training.virtual_url if training else None)
    base = FeedItem(
        uid=session_uid(session.id, domain),
        session_id=session.id,
        kind="session",
        training=session.training,
        category=training.kind if training else "other",
        title=session.title,
        start=session.start,
        end=session.end,
        all_day=None,
        location=_location(session, training),
        url=url,
        agenda=training.description if training else None,
        content_note=training.content_note if training else None,
        room=_room(session, training),
        address=training.address if training else None,
        homework=tuple(homework),
        session_title=session.title,
        session_start=session.start,
        attendees=tuple(session.attendees),
        facilitators=tuple(session.facilitators),
        capacity=session.capacity,
        status="cancelled" if session.status == "cancelled" else "confirmed",
    )
    items = [base]
    for index, hw in enumerate(homework):
        items.append(_homework_item(base, index, hw, domain, homework_as))
    return items


HOMEWORK_TIMED_MINUTES = 30


def _homework_item(
    base: FeedItem,
    index: int,
    hw: HomeworkDue,
    domain: str,
    homework_as: Literal["all_day", "timed"],
) -> FeedItem:
    all_day = homework_as == "all_day"
    return replace(
        base,
        uid=homework_uid(base.session_id, index, domain),
        kind="homework",
        title=f"Due: {hw.title}",
        start=hw.due - timedelta(minutes=HOMEWORK_TIMED_MINUTES),
        end=hw.due,
        all_day=hw.due_date if all_day else None,
        location=None,
        url=None,
        agenda=hw.description,
        homework=(hw,),
    )


def plan_items(config: Config, plan: Plan) -> list[FeedItem]:
    """Every item of a plan, in a stable order (session start, then uid)."""
    items: list[FeedItem] = []
    for session in sorted(plan.sessions, key=lambda s: (s.start, s.id)):
        items.extend(session_items(config, session, config.feeds.homework_as))
    return items
