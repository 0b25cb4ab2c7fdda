"""The checker's result type and the wording helpers every check shares."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

KINDS = (
    "session_time",
    "holiday_blackout",
    "window",
    "audience",
    "on_shift",
    "rest",
    "time_off",
    "weekly_training_cap",
    "double_booked",
    "duplicate_attendance",
    "staffing",
    "facilitator_count",
    "facilitator_not_listed",
    "facilitator_unavailable",
    "facilitator_double_booked",
    "capacity",
    "min_attendees",
    "room_overlap",
    "offerings",
    "prerequisite",
    "unplaced_missing",
    "unknown_training",
    "duplicate_session_id",
)


@dataclass(frozen=True, order=True)
class Violation:
    """One broken hard constraint. ``session``/``person`` are ids, None when not about one."""

    kind: str
    session: str | None
    person: str | None
    message: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown violation kind {self.kind!r}")

    def __str__(self) -> str:
        return f"[{self.kind}] {self.message}"


def when(instant: datetime, zone: ZoneInfo) -> str:
    """A local instant as people read it: 'Tue 2027-01-12 09:00 EST'."""
    local = instant.astimezone(zone)
    return f"{local:%a %Y-%m-%d %H:%M} {local.tzname()}"


def span(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """A local interval: 'Tue 2027-01-12 09:00-12:00 EST' (end date shown when it differs)."""
    ls, le = start.astimezone(zone), end.astimezone(zone)
    end_text = f"{le:%H:%M}" if le.date() == ls.date() else f"{le:%a %Y-%m-%d %H:%M}"
    return f"{ls:%a %Y-%m-%d %H:%M}-{end_text} {le.tzname()}"
