"""Domain types shared by every part of traincal: frozen, typed, timezone-aware.

A ``Session.id`` is the stable identity of a training session: it keys the iCal UID, the
Google event id and RSVP rows, and survives re-plans (a moved session keeps its id).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from zoneinfo import ZoneInfo


def _utc(obj: object, *names: str) -> None:
    """Normalise aware datetime fields to UTC (naive ones are a bug and raise).

    Python compares and subtracts two datetimes that share a tzinfo by wall clock, which is
    wrong across DST changes; holding UTC inside the domain avoids that trap entirely.
    """
    for name in names:
        value = getattr(obj, name)
        if value.tzinfo is UTC:
            continue  # already normalised (the common case: cheap)
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{type(obj).__name__}.{name} must be timezone-aware, got {value!r}")
        object.__setattr__(obj, name, value.astimezone(UTC))


def _iso(value: datetime, tz: tzinfo | None) -> str:
    return (value.astimezone(tz) if tz is not None else value).isoformat()


@dataclass(frozen=True, order=True)
class Shift:
    """One concrete worked shift of one person: an aware [start, end) interval."""

    start: datetime
    end: datetime
    person: str
    team: str
    shift: str  # shift name from the config, e.g. "day12"
    code: str  # the cycle letter it came from, e.g. "D"
    overnight: bool = False  # crosses local midnight

    def __post_init__(self) -> None:
        _utc(self, "start", "end")
        if self.end <= self.start:
            raise ValueError(f"shift ends before it starts: {self}")

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    def to_json(self, tz: tzinfo | None = None) -> dict[str, Any]:
        return {
            "person": self.person,
            "team": self.team,
            "shift": self.shift,
            "start": _iso(self.start, tz),
            "end": _iso(self.end, tz),
        }


@dataclass(frozen=True)
class Session:
    """One offering of a training at one time, with who leads and who attends."""

    id: str
    training: str
    title: str
    start: datetime
    end: datetime
    location: str | None = None
    virtual_url: str | None = None
    facilitators: tuple[str, ...] = ()
    attendees: tuple[str, ...] = ()
    capacity: int | None = None
    status: str = "confirmed"  # confirmed | cancelled

    def __post_init__(self) -> None:
        _utc(self, "start", "end")
        if self.end <= self.start:
            raise ValueError(f"session ends before it starts: {self.id}")

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600

    def to_json(self, tz: tzinfo | None = None) -> dict[str, Any]:
        return {
            "id": self.id,
            "training": self.training,
            "title": self.title,
            "start": _iso(self.start, tz),
            "end": _iso(self.end, tz),
            "location": self.location,
            "virtual_url": self.virtual_url,
            "facilitators": list(self.facilitators),
            "attendees": list(self.attendees),
            "capacity": self.capacity,
            "status": self.status,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Session:
        return cls(
            id=data["id"],
            training=data["training"],
            title=data["title"],
            start=datetime.fromisoformat(data["start"]),
            end=datetime.fromisoformat(data["end"]),
            location=data.get("location"),
            virtual_url=data.get("virtual_url"),
            facilitators=tuple(data.get("facilitators", ())),
            attendees=tuple(data.get("attendees", ())),
            capacity=data.get("capacity"),
            status=data.get("status", "confirmed"),
        )


@dataclass(frozen=True)
class Unplaced:
    person: str
    training: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"person": self.person, "training": self.training, "reason": self.reason}


@dataclass(frozen=True)
class Plan:
    """A complete planning result (one version). ``generated_at`` also stamps its feeds."""

    generated_at: datetime
    timezone: str
    horizon_start: datetime
    horizon_end: datetime
    sessions: tuple[Session, ...]
    unplaced: tuple[Unplaced, ...] = ()
    stats: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _utc(self, "generated_at", "horizon_start", "horizon_end")

    def to_json(self) -> dict[str, Any]:
        """The plan contract (DESIGN.md section 5); times shown in the plan's zone."""
        tz = ZoneInfo(self.timezone)
        return {
            "generated_at": _iso(self.generated_at, tz),
            "timezone": self.timezone,
            "horizon": {"start": _iso(self.horizon_start, tz), "end": _iso(self.horizon_end, tz)},
            "sessions": [s.to_json(tz) for s in self.sessions],
            "unplaced": [u.to_json() for u in self.unplaced],
            "stats": self.stats,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        return cls(
            generated_at=datetime.fromisoformat(data["generated_at"]),
            timezone=data["timezone"],
            horizon_start=datetime.fromisoformat(data["horizon"]["start"]),
            horizon_end=datetime.fromisoformat(data["horizon"]["end"]),
            sessions=tuple(Session.from_json(s) for s in data["sessions"]),
            unplaced=tuple(Unplaced(**u) for u in data.get("unplaced", ())),
            stats=dict(data.get("stats", {})),
        )

    def session(self, session_id: str) -> Session | None:
        for s in self.sessions:
            if s.id == session_id:
                return s
        return None
