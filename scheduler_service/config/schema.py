"""The configuration schema (pydantic). One schema drives parsing, errors, JSON Schema and docs.

Field-level validation lives here; checks that look across sections (unknown team, prerequisite
cycles, coverage gaps, ...) live in :mod:`scheduler_service.config.crossref`.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from scheduler_service.config.patterns import OFF_CODES, PRESETS

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ALL_DAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORK_DAYS: tuple[Weekday, ...] = ALL_DAYS[:5]
Role = Literal["advocate", "supervisor", "facilitator", "coordinator"]
TrainingKind = Literal["onboarding", "academy", "staff_meeting", "continuing_ed", "other"]

_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z]{2,}$")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _check_email(value: str) -> str:
    if not _EMAIL.match(value):
        raise ValueError(f"{value!r} is not an email address (expected name@domain.tld)")
    return value


def _check_zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        import difflib

        hint = difflib.get_close_matches(value, sorted(available_timezones()), n=1)
        extra = f"; did you mean {hint[0]!r}?" if hint else ""
        raise ValueError(
            f"{value!r} is not an IANA time zone (e.g. 'America/New_York'){extra}"
        ) from None
    return value


def _check_id(value: str) -> str:
    if not _ID.match(value):
        raise ValueError(
            f"{value!r} is not a valid id (letters, digits, '.', '_' or '-', starting with a "
            "letter or digit)"
        )
    return value


def _check_clock(value: str) -> str:
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        raise ValueError(f"{value!r} is not a 24-hour local time 'HH:MM'")
    return value


Email = Annotated[str, AfterValidator(_check_email)]
ZoneName = Annotated[str, AfterValidator(_check_zone)]
Ident = Annotated[str, AfterValidator(_check_id)]
ClockTime = Annotated[str, AfterValidator(_check_clock)]


def parse_clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


# --- organisation -------------------------------------------------------------------------


class Contact(Strict):
    name: str
    email: Email


class Organisation(Strict):
    name: str = Field(description="Shown in feed names, invitations and reports.")
    timezone: ZoneName = Field(description="IANA zone in which shifts are wall-clock times.")
    coordinator: Contact
    from_address: Email = Field(description="The address invitations and reminders come from.")
    reply_to: Email | None = Field(None, description="Where calendar replies go (default: from).")


# --- shifts and rotations -------------------------------------------------------------------


class ShiftDef(Strict):
    code: str = Field(description="The single letter that stands for this shift in cycles.")
    start: ClockTime
    end: ClockTime = Field(description="Local end; an end at or before the start crosses midnight.")
    label: str | None = None

    @field_validator("code")
    @classmethod
    def _one_letter(cls, v: str) -> str:
        if len(v) != 1 or not v.isalpha() or v.upper() == "O":
            raise ValueError(f"{v!r}: a shift code is one letter other than 'O' (days off)")
        return v

    @property
    def overnight(self) -> bool:
        return parse_clock(self.end) <= parse_clock(self.start)


class Rotation(Strict):
    """A rotation: per team, a cycle string and a day offset from the anchor date."""

    preset: str | None = Field(
        None, description=f"Optional named preset: one of {', '.join(sorted(PRESETS))}."
    )
    anchor: date = Field(description="Day 0 of the cycle.")
    teams: list[Ident] = Field(min_length=1, description="Teams on this rotation, in slot order.")
    cycles: dict[str, str] | None = Field(
        None, description="Cycle string per team (filled from the preset when omitted)."
    )
    offsets: dict[str, int] | None = Field(
        None, description="Day offset per team (filled from the preset when omitted)."
    )
    shift_map: dict[str, str] = Field(
        default_factory=dict,
        description="Cycle letter -> shift name, when a letter is not the shift's own code.",
    )

    @model_validator(mode="after")
    def _expand_preset(self) -> Rotation:
        if self.preset is not None:
            preset = PRESETS.get(self.preset)
            if preset is None:
                import difflib

                hint = difflib.get_close_matches(self.preset, list(PRESETS), n=1)
                extra = f"; did you mean {hint[0]!r}?" if hint else ""
                raise ValueError(
                    f"unknown preset {self.preset!r} (known: {', '.join(sorted(PRESETS))}){extra}"
                )
            if len(self.teams) != preset.team_count:
                raise ValueError(
                    f"preset {preset.name!r} needs exactly {preset.team_count} teams, "
                    f"got {len(self.teams)}"
                )
            if preset.anchor_weekday is not None and self.anchor.weekday() != preset.anchor_weekday:
                raise ValueError(f"preset {preset.name!r} needs an anchor date on a Monday")
            want_cycles = dict(zip(self.teams, preset.cycles, strict=True))
            want_offsets = dict(zip(self.teams, preset.offsets, strict=True))
            if self.cycles is not None and self.cycles != want_cycles:
                raise ValueError(
                    f"cycles do not match preset {preset.name!r}, which stands for {want_cycles}"
                )
            if self.offsets is not None and self.offsets != want_offsets:
                raise ValueError(
                    f"offsets do not match preset {preset.name!r}, which stands for {want_offsets}"
                )
            object.__setattr__(self, "cycles", want_cycles)
            object.__setattr__(self, "offsets", want_offsets)
        if self.cycles is None:
            raise ValueError("give either a preset or explicit cycles (one string per team)")
        if set(self.cycles) != set(self.teams):
            raise ValueError("cycles must name exactly the rotation's teams")
        offsets = self.offsets or {}
        if set(offsets) - set(self.teams):
            raise ValueError("offsets name a team that is not in this rotation")
        object.__setattr__(self, "offsets", {t: offsets.get(t, 0) for t in self.teams})
        for team, cycle in self.cycles.items():
            if not cycle or not cycle.isascii() or not all(c.isalpha() or c == "-" for c in cycle):
                raise ValueError(f"cycle of team {team!r} must be letters (shift codes) and '-'")
        return self

    def letter_at(self, team: str, day_index: int) -> str | None:
        """The shift letter team works on day ``day_index`` from the anchor, None when off."""
        assert self.cycles is not None and self.offsets is not None
        cycle = self.cycles[team]
        letter = cycle[(day_index + self.offsets[team]) % len(cycle)]
        return None if letter in OFF_CODES else letter


class Team(Strict):
    label: str | None = None
    site: str | None = None


# --- people ---------------------------------------------------------------------------------


class Person(Strict):
    id: Ident
    name: str = Field(min_length=1)
    email: Email
    team: Ident | None = None
    role: Role = "advocate"
    start_date: date | None = None
    cohort: str | None = None
    timezone: ZoneName | None = None
    notes: str | None = None


class Window(Strict):
    start: date
    end: date = Field(description="Inclusive last day.")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class TimeOff(Window):
    reason: str | None = None


class PersonalPattern(Strict):
    cycle: str = Field(description="Shift letters per day from the anchor; 'O'/'-' is off.")
    anchor: date


class Exception_(Strict):
    """Per-person exceptions: time off, a personal pattern, part-time limits."""

    time_off: list[TimeOff] = Field(default_factory=list)
    pattern: PersonalPattern | None = Field(
        None, description="Replaces the team rotation for this person (part-time, custom)."
    )
    max_training_hours_per_week: float | None = Field(None, ge=0)


class Availability(Strict):
    days: list[Weekday] = Field(default_factory=lambda: list(WORK_DAYS))
    start: ClockTime = "09:00"
    end: ClockTime = "17:00"


class Facilitator(Strict):
    availability: list[Availability] = Field(default_factory=lambda: [Availability()])
    time_off: list[TimeOff] = Field(default_factory=list)


# --- line staffing, rest, pay -----------------------------------------------------------------


class HourRule(Strict):
    days: list[Weekday] = Field(default_factory=lambda: list(ALL_DAYS))
    start: ClockTime
    end: ClockTime
    minimum: int = Field(ge=0)


class Staffing(Strict):
    minimum: int = Field(1, ge=0, description="People on duty at every minute, at least.")
    by_shift: dict[str, int] = Field(
        default_factory=dict, description="Minimum on duty during a shift, by shift name."
    )
    by_hour: list[HourRule] = Field(
        default_factory=list, description="Minimum on duty during hours of the week."
    )
    per_team: int = Field(0, ge=0, description="Minimum from each team that is on duty.")
    training_while_on_shift: Literal["never", "if_staffed"] = Field(
        "if_staffed",
        description="'never': only off-shift attendance; 'if_staffed': release from the phones "
        "while the minimum holds at every minute.",
    )


class Rest(Strict):
    after_shift_hours: float = Field(8, ge=0)
    after_overnight_hours: float = Field(11, ge=0)
    before_shift_hours: float = Field(2, ge=0)
    buffer_minutes: int = Field(15, ge=0, description="Gap kept between a shift and a session.")
    max_hours_with_shift: float = Field(
        12, gt=0, description="A shift plus an adjacent session may not exceed this many hours."
    )


class Pay(Strict):
    week_start_day: Weekday = "sun"
    week_start_time: ClockTime = "00:00"
    weekly_overtime_hours: float = Field(40, gt=0)
    daily_overtime_hours: float | None = Field(None, gt=0, description="e.g. 8 in California")
    daily_double_time_hours: float | None = Field(None, gt=0, description="e.g. 12 in California")
    overtime_premium: float = Field(1.5, ge=1)
    travel_minutes: int = Field(
        30, ge=0, description="Paid travel for an in-person day-off session."
    )


class CostWeights(Strict):
    facilitator_hours: float = Field(1.0, ge=0)
    paid_hours_off_shift: float = Field(1.0, ge=0)
    overtime_hours: float = Field(1.5, ge=0)
    rest_interruption_hours: float = Field(0.5, ge=0)
    session: float = Field(0.0, ge=0, description="Fixed cost per session, in hours.")


class Planning(Strict):
    horizon_days: int = Field(56, gt=0, le=400)
    grid_minutes: Literal[15, 30, 60] = 30
    time_limit_seconds: float = Field(60, gt=0)
    deterministic_time: float = Field(20, gt=0, description="CP-SAT max_deterministic_time")
    seed: int = 7
    weights: CostWeights = Field(default_factory=CostWeights)


# --- trainings --------------------------------------------------------------------------------


class Audience(Strict):
    everyone: bool = False
    roles: list[Role] = Field(default_factory=list)
    teams: list[Ident] = Field(default_factory=list)
    cohorts: list[str] = Field(default_factory=list)
    people: list[Ident] = Field(default_factory=list)

    @model_validator(mode="after")
    def _non_empty(self) -> Audience:
        if not (self.everyone or self.roles or self.teams or self.cohorts or self.people):
            raise ValueError("an audience needs everyone = true or roles/teams/cohorts/people")
        return self


class Recurrence(Strict):
    every: Literal["month", "week"] = "month"
    first_days: int = Field(10, ge=1, le=31, description="Within the first N days of the period.")


class Prerequisite(Strict):
    training: str
    min_gap_days: float = Field(0, ge=0)


class Homework(Strict):
    title: str
    description: str | None = None
    due_days_before: float = Field(
        0, description="Due this many days before the session (negative: after it)."
    )


class Training(Strict):
    title: str
    description: str | None = None
    kind: TrainingKind = "other"
    duration_minutes: int = Field(gt=0, le=24 * 60)
    audience: Audience
    required: bool = True
    offerings: int | Literal["as_needed"] = "as_needed"
    window: Window | None = None
    recurrence: Recurrence | None = None
    allowed_days: list[Weekday] = Field(default_factory=lambda: list(ALL_DAYS))
    earliest_start: ClockTime = "08:00"
    latest_end: ClockTime = "21:00"
    capacity: int = Field(20, gt=0)
    min_attendees: int = Field(1, ge=1)
    facilitators: list[Ident] = Field(default_factory=list)
    facilitators_needed: int = Field(1, ge=0)
    delivery: Literal["in_person", "virtual", "hybrid"] = "in_person"
    room: str | None = None
    address: str | None = None
    virtual_url: str | None = None
    create_meet: bool = False
    prerequisites: list[Prerequisite] = Field(default_factory=list)
    homework: list[Homework] = Field(default_factory=list)
    ce_hours: float = Field(0, ge=0)
    content_note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Training:
        if self.window is not None and self.recurrence is not None:
            raise ValueError("give a window or a recurrence, not both")
        if self.delivery in ("in_person", "hybrid") and not self.room:
            raise ValueError(f"delivery {self.delivery!r} needs a room")
        if self.delivery in ("virtual", "hybrid") and not (self.virtual_url or self.create_meet):
            raise ValueError(f"delivery {self.delivery!r} needs virtual_url or create_meet = true")
        if self.facilitators_needed > len(self.facilitators):
            raise ValueError(
                f"facilitators_needed = {self.facilitators_needed} but only "
                f"{len(self.facilitators)} facilitators listed"
            )
        if self.min_attendees > self.capacity:
            raise ValueError("min_attendees is larger than capacity")
        return self


# --- calendar, notifications, targets -----------------------------------------------------------


class Blackout(Strict):
    start: date
    end: date | None = None
    reason: str | None = None


class CalendarRules(Strict):
    holidays: list[date] = Field(default_factory=list)
    blackouts: list[Blackout] = Field(default_factory=list)
    holidays_ics: str | None = Field(None, description="Path to an .ics file of holidays.")


SummaryRecipient = Literal["facilitators", "coordinator"]
_SUMMARY_DEFAULT: tuple[SummaryRecipient, ...] = ("facilitators", "coordinator")


class Notifications(Strict):
    invite_lead_days: int = Field(14, ge=0)
    reminder_minutes: list[int] = Field(default_factory=lambda: [1440, 60])
    homework_reminder_days: list[int] = Field(default_factory=lambda: [3, 1])
    rsvp_summary_lead_hours: int = Field(24, ge=0)
    rsvp_summary_to: list[SummaryRecipient] = Field(
        default_factory=lambda: list(_SUMMARY_DEFAULT)
    )


class Feeds(Strict):
    directory: str = "calendars"
    base_url: str = "https://training.example.org"
    refresh_minutes: int = Field(60, ge=5)
    cancelled_retention_days: int = Field(30, ge=0)
    alarm_minutes: int | None = Field(60, ge=0)
    homework_as: Literal["all_day", "timed"] = "all_day"
    facilitator_sees_names: bool = False
    team_feeds: bool = False
    admin_password_env: str = Field(
        "TRAINCAL_ADMIN_PASSWORD", description="Env variable holding the coordinator page password."
    )

    @field_validator("base_url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not re.match(r"^https?://[^/\s]+", v):
            raise ValueError(f"{v!r} is not an http(s) URL")
        return v.rstrip("/")


class Google(Strict):
    enabled: bool = False
    calendar_id: str = "primary"
    credentials_file: str = "service-account.json"
    delegated_user: str | None = None
    api_endpoint: str = "https://www.googleapis.com/calendar/v3/"
    send_updates: Literal["all", "externalOnly", "none"] = "all"


class Smtp(Strict):
    host: str = "localhost"
    port: int = Field(587, gt=0, lt=65536)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password_env: str | None = Field(
        None, description="Name of the env variable with the password."
    )


class Replies(Strict):
    source: Literal["maildir", "imap"] = "maildir"
    path: str = "replies"
    host: str | None = None
    port: int = Field(993, gt=0, lt=65536)
    username: str | None = None
    password_env: str | None = None
    folder: str = "INBOX"


class Mail(Strict):
    transport: Literal["maildir", "smtp"] = "maildir"
    outbox: str = "outbox"
    smtp: Smtp = Field(default_factory=Smtp)
    replies: Replies = Field(default_factory=Replies)


class Storage(Strict):
    url: str = Field("sqlite:///traincal.db", description="SQLAlchemy database URL.")


# --- the whole file ----------------------------------------------------------------------------


class Config(Strict):
    organisation: Organisation
    shifts: dict[Ident, ShiftDef]
    rotations: dict[Ident, Rotation]
    teams: dict[Ident, Team] = Field(default_factory=dict)
    people: str | list[Person] = Field(description="Inline people, or the path of a roster CSV.")
    exceptions: dict[Ident, Exception_] = Field(default_factory=dict)
    facilitators: dict[Ident, Facilitator] = Field(default_factory=dict)
    staffing: Staffing = Field(default_factory=Staffing)
    rest: Rest = Field(default_factory=Rest)
    pay: Pay = Field(default_factory=Pay)
    planning: Planning = Field(default_factory=Planning)
    trainings: dict[Ident, Training]
    calendar: CalendarRules = Field(default_factory=CalendarRules)
    notifications: Notifications = Field(default_factory=Notifications)
    feeds: Feeds = Field(default_factory=Feeds)
    google: Google = Field(default_factory=Google)
    mail: Mail = Field(default_factory=Mail)
    storage: Storage = Field(default_factory=Storage)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.organisation.timezone)

    @property
    def roster(self) -> list[Person]:
        """The people (after loading, always a list: a CSV path is resolved by the loader)."""
        assert isinstance(self.people, list), "config was not loaded through load_config"
        return self.people

    def person(self, person_id: str) -> Person:
        for p in self.roster:
            if p.id == person_id:
                return p
        raise KeyError(person_id)

    def shift_by_letter(self, rotation: Rotation, letter: str) -> tuple[str, ShiftDef]:
        name = rotation.shift_map.get(letter)
        if name is not None:
            return name, self.shifts[name]
        for shift_name, shift in self.shifts.items():
            if shift.code == letter:
                return shift_name, shift
        raise KeyError(letter)

    def rotation_of_team(self, team: str) -> tuple[str, Rotation] | None:
        for name, rotation in self.rotations.items():
            if team in rotation.teams:
                return name, rotation
        return None
