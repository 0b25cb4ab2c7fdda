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
    name: str = Field(description="Display name.")
    email: Email = Field(description="Email address (name@domain.tld).")


class Organisation(Strict):
    name: str = Field(description="Shown in feed names, invitations and reports.")
    timezone: ZoneName = Field(description="IANA zone in which shifts are wall-clock times.")
    coordinator: Contact = Field(
        description="The training coordinator (name and email); receives RSVP summaries.",
    )
    from_address: Email = Field(description="The address invitations and reminders come from.")
    reply_to: Email | None = Field(None, description="Where calendar replies go (default: from).")


# --- shifts and rotations -------------------------------------------------------------------


class ShiftDef(Strict):
    code: str = Field(description="The single letter that stands for this shift in cycles.")
    start: ClockTime = Field(description="Local start time, \"HH:MM\".")
    end: ClockTime = Field(description="Local end; an end at or before the start crosses midnight.")
    label: str | None = Field(
        None,
        description="Human-readable name shown in reports (default: the shift name).",
    )

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
    label: str | None = Field(None, description="Human-readable team name.")
    site: str | None = Field(None, description="Site or office the team works from.")


# --- people ---------------------------------------------------------------------------------


class Person(Strict):
    id: Ident = Field(
        description=(
            "Stable person id, used everywhere else in the config (letters, digits, '.', "
            "'_', '-')."
        ),
    )
    name: str = Field(min_length=1, description="Full name, shown in invitations and rosters.")
    email: Email = Field(description="Email address invitations go to (name@domain.tld).")
    team: Ident | None = Field(
        None,
        description=(
            "Rotation team the person works on; advocates and supervisors need one (or a "
            "personal pattern)."
        ),
    )
    role: Role = Field(
        "advocate",
        description=(
            "advocate, supervisor, facilitator or coordinator; audiences can select by "
            "role."
        ),
    )
    start_date: date | None = Field(
        None,
        description="First working day: no shifts before it (new hires).",
    )
    cohort: str | None = Field(
        None,
        description="Training cohort, e.g. \"2027-01\"; audiences can select by cohort.",
    )
    timezone: ZoneName | None = Field(
        None,
        description="Personal IANA time zone, when it differs from the organisation's.",
    )
    notes: str | None = Field(None, description="Free text for the coordinator; never published.")


class Window(Strict):
    start: date = Field(description="First day.")
    end: date = Field(description="Inclusive last day.")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class TimeOff(Window):
    reason: str | None = Field(None, description="Free text, for the coordinator only.")


class PersonalPattern(Strict):
    cycle: str = Field(description="Shift letters per day from the anchor; 'O'/'-' is off.")
    anchor: date = Field(description="Day 0 of the personal cycle.")


class Exception_(Strict):
    """Per-person exceptions: time off, a personal pattern, part-time limits."""

    time_off: list[TimeOff] = Field(
        default_factory=list,
        description="Date ranges off work: no shifts and no training on these days.",
    )
    pattern: PersonalPattern | None = Field(
        None, description="Replaces the team rotation for this person (part-time, custom)."
    )
    max_training_hours_per_week: float | None = Field(
        None,
        ge=0,
        description="Cap on training hours in one pay week (part-time staff).",
    )


class Availability(Strict):
    days: list[Weekday] = Field(
        default_factory=lambda: list(WORK_DAYS),
        description="Days of the week this window applies to.",
    )
    start: ClockTime = Field("09:00", description="Local start, \"HH:MM\".")
    end: ClockTime = Field("17:00", description="Local end, \"HH:MM\" (same day).")


class Facilitator(Strict):
    availability: list[Availability] = Field(
        default_factory=lambda: [Availability()],
        description=(
            "Weekly windows in which the facilitator can lead sessions (default: weekdays "
            "09:00-17:00)."
        ),
    )
    time_off: list[TimeOff] = Field(
        default_factory=list,
        description="Date ranges on which the facilitator leads no session.",
    )


# --- line staffing, rest, pay -----------------------------------------------------------------


class HourRule(Strict):
    days: list[Weekday] = Field(
        default_factory=lambda: list(ALL_DAYS),
        description="Days of the week the rule applies to.",
    )
    start: ClockTime = Field(description="Local start, \"HH:MM\".")
    end: ClockTime = Field(description="Local end, \"HH:MM\" (same day).")
    minimum: int = Field(
        ge=0,
        description="People on duty at every minute of the window, at least.",
    )


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
    after_shift_hours: float = Field(
        8,
        ge=0,
        description=(
            "Hours between the end of a shift and a session, unless the session is "
            "attached to the shift."
        ),
    )
    after_overnight_hours: float = Field(
        11,
        ge=0,
        description="Hours between the end of an overnight shift and a session.",
    )
    before_shift_hours: float = Field(
        2,
        ge=0,
        description=(
            "Hours between the end of a session and the start of the next shift, unless "
            "attached to it."
        ),
    )
    buffer_minutes: int = Field(15, ge=0, description="Gap kept between a shift and a session.")
    max_hours_with_shift: float = Field(
        12, gt=0, description="A shift plus an adjacent session may not exceed this many hours."
    )


class Pay(Strict):
    week_start_day: Weekday = Field(
        "sun",
        description="Day the fixed 168-hour pay week starts (FLSA workweek).",
    )
    week_start_time: ClockTime = Field(
        "00:00",
        description="Local time the pay week starts, \"HH:MM\".",
    )
    weekly_overtime_hours: float = Field(
        40,
        gt=0,
        description="Hours worked in a pay week above which overtime is paid.",
    )
    daily_overtime_hours: float | None = Field(None, gt=0, description="e.g. 8 in California")
    daily_double_time_hours: float | None = Field(None, gt=0, description="e.g. 12 in California")
    overtime_premium: float = Field(1.5, ge=1, description="Pay multiplier for overtime hours.")
    travel_minutes: int = Field(
        30, ge=0, description="Paid travel for an in-person day-off session."
    )


class CostWeights(Strict):
    facilitator_hours: float = Field(1.0, ge=0, description="Weight of facilitator hours.")
    paid_hours_off_shift: float = Field(
        1.0,
        ge=0,
        description="Weight of attendees' paid hours outside their shifts.",
    )
    overtime_hours: float = Field(1.5, ge=0, description="Weight of overtime hours.")
    rest_interruption_hours: float = Field(
        0.5,
        ge=0,
        description="Weight of hours that fall in someone's rest between shifts.",
    )
    session: float = Field(0.0, ge=0, description="Fixed cost per session, in hours.")


class Planning(Strict):
    horizon_days: int = Field(
        56,
        gt=0,
        le=400,
        description="How many days ahead the planner places sessions.",
    )
    grid_minutes: Literal[15, 30, 60] = Field(
        30,
        description="Sessions start on this grid (minutes past the hour).",
    )
    time_limit_seconds: float = Field(
        60, gt=0,
        description="Wall-clock safety net for a whole `traincal plan` run: the solver gets what "
        "is left after building the problem, keeping time to name people. Normally the "
        "deterministic budget below stops the solver first, which keeps plans reproducible.",
    )
    deterministic_time: float = Field(
        8, gt=0,
        description=("CP-SAT deterministic time budget (reproducible work units, about 1-3 s "
                     "each on 2 cores); 8 plans 200 people in under 10 s"),
    )
    seed: int = Field(
        7,
        description="Solver random seed; the same input and seed give the same plan.",
    )
    extra_sessions_percent: float = Field(
        1.0, ge=0, le=100,
        description=(
            "The planner first looks for the fewest sessions that seat everyone (each round "
            "of each training as a set cover solved with CP-SAT), then minimises the cost in "
            "hours. It may use up to this many percent more sessions than that starting plan "
            "(rounded down) when that lowers the cost (e.g. moves people from overtime on a "
            "day off to paid time next to their shift); beyond that, a session is added only "
            "to seat a required person. 0: never more sessions to save hours."),
    )
    weights: CostWeights = Field(
        default_factory=CostWeights,
        description="Weights of the cost terms the planner minimises (in hours).",
    )


# --- trainings --------------------------------------------------------------------------------


class Audience(Strict):
    everyone: bool = Field(False, description="Everyone in the roster.")
    roles: list[Role] = Field(default_factory=list, description="People with any of these roles.")
    teams: list[Ident] = Field(default_factory=list, description="People on any of these teams.")
    cohorts: list[str] = Field(default_factory=list, description="People in any of these cohorts.")
    people: list[Ident] = Field(default_factory=list, description="These person ids.")

    @model_validator(mode="after")
    def _non_empty(self) -> Audience:
        if not (self.everyone or self.roles or self.teams or self.cohorts or self.people):
            raise ValueError("an audience needs everyone = true or roles/teams/cohorts/people")
        return self


class Recurrence(Strict):
    every: Literal["month", "week"] = Field(
        "month",
        description="Period: one round of sessions each month or each week.",
    )
    first_days: int = Field(10, ge=1, le=31, description="Within the first N days of the period.")


class Prerequisite(Strict):
    training: str = Field(description="Key of the training that comes first.")
    min_gap_days: float = Field(
        0,
        ge=0,
        description=(
            "Days between the end of the prerequisite and the start of this training, at "
            "least."
        ),
    )


class Homework(Strict):
    title: str = Field(description="Short title of the homework item.")
    description: str | None = Field(None, description="Longer instructions.")
    due_days_before: float = Field(
        0, description="Due this many days before the session (negative: after it)."
    )


class Training(Strict):
    title: str = Field(description="Title shown in invitations and feeds.")
    description: str | None = Field(None, description="Longer text for the invitation body.")
    kind: TrainingKind = Field(
        "other",
        description="onboarding, academy, staff_meeting, continuing_ed or other.",
    )
    duration_minutes: int = Field(gt=0, le=24 * 60, description="Length of one session.")
    audience: Audience = Field(
        description=(
            "Who must (or may) attend: everyone, roles, teams, cohorts or listed people "
            "(any match)."
        ),
    )
    required: bool = Field(
        True,
        description="Required trainings must be attended; optional ones are offered.",
    )
    offerings: int | Literal["as_needed"] = Field(
        "as_needed",
        description=(
            "How many sessions to offer, or \"as_needed\" to offer as many as the "
            "audience needs."
        ),
    )
    window: Window | None = Field(None, description="Dates the sessions must fall in.")
    recurrence: Recurrence | None = Field(
        None,
        description=(
            "Repeat every month or week instead of a window (e.g. a monthly staff "
            "meeting)."
        ),
    )
    allowed_days: list[Weekday] = Field(
        default_factory=lambda: list(ALL_DAYS),
        description="Days of the week sessions may be held on.",
    )
    earliest_start: ClockTime = Field("08:00", description="Earliest local start time, \"HH:MM\".")
    latest_end: ClockTime = Field(
        "21:00",
        description="Latest local end time, \"HH:MM\" (same day).",
    )
    capacity: int = Field(20, gt=0, description="Most attendees per session.")
    min_attendees: int = Field(1, ge=1, description="Fewest attendees for a session to be held.")
    facilitators: list[Ident] = Field(
        default_factory=list,
        description="Person ids who can lead this training.",
    )
    facilitators_needed: int = Field(1, ge=0, description="Facilitators leading each session.")
    delivery: Literal["in_person", "virtual", "hybrid"] = Field(
        "in_person",
        description=(
            "in_person (needs room), virtual (needs virtual_url or create_meet) or hybrid "
            "(both)."
        ),
    )
    room: str | None = Field(None, description="Room for in-person and hybrid sessions.")
    address: str | None = Field(None, description="Street address shown as the event location.")
    virtual_url: str | None = Field(
        None,
        description="Meeting link for virtual and hybrid sessions.",
    )
    create_meet: bool = Field(
        False,
        description="Create a Google Meet link when publishing to Google Calendar.",
    )
    prerequisites: list[Prerequisite] = Field(
        default_factory=list,
        description="Trainings that must be completed first, each with a minimum gap.",
    )
    homework: list[Homework] = Field(
        default_factory=list,
        description="Homework items, each due relative to the session.",
    )
    ce_hours: float = Field(0, ge=0, description="Continuing-education hours earned by attending.")
    content_note: str | None = Field(
        None,
        description="Content warning shown in invitations (e.g. for trauma-related material).",
    )

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
    start: date = Field(description="First day.")
    end: date | None = Field(None, description="Last day, inclusive (default: the start day).")
    reason: str | None = Field(None, description="Free text shown to the coordinator.")


class CalendarRules(Strict):
    holidays: list[date] = Field(
        default_factory=list,
        description="Dates on which no session is placed.",
    )
    blackouts: list[Blackout] = Field(
        default_factory=list,
        description="Date ranges on which no session is placed.",
    )
    holidays_ics: str | None = Field(None, description="Path to an .ics file of holidays.")


SummaryRecipient = Literal["facilitators", "coordinator"]
_SUMMARY_DEFAULT: tuple[SummaryRecipient, ...] = ("facilitators", "coordinator")


class Notifications(Strict):
    invite_lead_days: int = Field(
        14,
        ge=0,
        description="Invitations go out this many days before a session.",
    )
    reminder_minutes: list[int] = Field(
        default_factory=lambda: [1440, 60],
        description="Session reminders, in minutes before the start.",
    )
    homework_reminder_days: list[int] = Field(
        default_factory=lambda: [3, 1],
        description="Homework reminders, in days before the due date.",
    )
    rsvp_summary_lead_hours: int = Field(
        24,
        ge=0,
        description="RSVP summaries go out this many hours before a session.",
    )
    rsvp_summary_to: list[SummaryRecipient] = Field(
        default_factory=lambda: list(_SUMMARY_DEFAULT),
        description="Who receives the RSVP summary: facilitators and/or the coordinator.",
    )


class Feeds(Strict):
    directory: str = Field("calendars", description="Folder the .ics feed files are written to.")
    base_url: str = Field(
        "https://training.example.org",
        description="Public URL the feeds are served under (http or https).",
    )
    refresh_minutes: int = Field(
        60,
        ge=5,
        description="Suggested refresh interval (REFRESH-INTERVAL, X-PUBLISHED-TTL).",
    )
    cancelled_retention_days: int = Field(
        30,
        ge=0,
        description="Cancelled sessions stay in feeds as CANCELLED for this many days.",
    )
    alarm_minutes: int | None = Field(
        60,
        ge=0,
        description="VALARM minutes before each session; remove the key for no alarm.",
    )
    homework_as: Literal["all_day", "timed"] = Field(
        "all_day",
        description="Homework items appear as all-day or timed events.",
    )
    facilitator_sees_names: bool = Field(
        False,
        description="Facilitator feeds list attendees' names.",
    )
    team_feeds: bool = Field(False, description="Also write a feed per team.")
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
    enabled: bool = Field(False, description="Publish sessions to Google Calendar.")
    calendar_id: str = Field("primary", description="Calendar to publish to.")
    credentials_file: str = Field(
        "service-account.json",
        description="Service-account key or OAuth token file (kept out of this file).",
    )
    delegated_user: str | None = Field(
        None,
        description="User a service account acts for (domain-wide delegation).",
    )
    api_endpoint: str = Field(
        "https://www.googleapis.com/calendar/v3/",
        description="Calendar API base URL (override for tests or proxies).",
    )
    send_updates: Literal["all", "externalOnly", "none"] = Field(
        "all",
        description="Google's sendUpdates: who gets email about changes.",
    )


class Smtp(Strict):
    host: str = Field("localhost", description="SMTP server host name.")
    port: int = Field(587, gt=0, lt=65536, description="SMTP server port.")
    security: Literal["starttls", "tls", "none"] = Field(
        "starttls",
        description="starttls, tls (implicit TLS) or none.",
    )
    username: str | None = Field(
        None,
        description="Login name; the password comes from password_env.",
    )
    password_env: str | None = Field(
        None, description="Name of the env variable with the password."
    )


class Replies(Strict):
    source: Literal["maildir", "imap"] = Field(
        "maildir",
        description="Read replies from a local maildir or an IMAP mailbox.",
    )
    path: str = Field("replies", description="Maildir folder (source = \"maildir\").")
    host: str | None = Field(None, description="IMAP host (source = \"imap\").")
    port: int = Field(993, gt=0, lt=65536, description="IMAP port (implicit TLS).")
    username: str | None = Field(None, description="IMAP login name.")
    password_env: str | None = Field(
        None,
        description="Name of the env variable with the IMAP password.",
    )
    folder: str = Field("INBOX", description="IMAP folder to read.")


class Mail(Strict):
    transport: Literal["maildir", "smtp"] = Field(
        "maildir",
        description=(
            "maildir writes messages to a local folder and sends nothing; smtp sends "
            "them."
        ),
    )
    outbox: str = Field("outbox", description="Maildir folder used by the maildir transport.")
    smtp: Smtp = Field(
        default_factory=Smtp,
        description="SMTP server settings (transport = \"smtp\").",
    )
    replies: Replies = Field(
        default_factory=Replies,
        description="Where invitation replies are read from.",
    )


class Storage(Strict):
    url: str = Field("sqlite:///traincal.db", description="SQLAlchemy database URL.")


# --- the whole file ----------------------------------------------------------------------------


class Config(Strict):
    organisation: Organisation = Field(
        description="Who runs the line: name, time zone, coordinator, sender address.",
    )
    shifts: dict[Ident, ShiftDef] = Field(
        description=(
            "Shift definitions by name (e.g. day12, night12): one-letter code, local "
            "start and end."
        ),
    )
    rotations: dict[Ident, Rotation] = Field(
        description="24/7 rotations by name: teams, cycle strings and offsets, or a named preset.",
    )
    teams: dict[Ident, Team] = Field(
        default_factory=dict,
        description=(
            "Optional labels for the teams named in rotations; every team listed here "
            "must be on a rotation."
        ),
    )
    people: str | list[Person] = Field(
        description=(
            "Inline people (a list of tables), or the path of a roster CSV relative to this "
            "file, with columns id, name, email, team, role and optionally start_date, cohort, "
            "timezone, notes."
        )
    )
    exceptions: dict[Ident, Exception_] = Field(
        default_factory=dict,
        description=(
            "Per-person exceptions, by person id: time off, a personal pattern, a "
            "training cap."
        ),
    )
    facilitators: dict[Ident, Facilitator] = Field(
        default_factory=dict,
        description="Facilitator availability and time off, by person id.",
    )
    staffing: Staffing = Field(
        default_factory=Staffing,
        description="Minimum staffing on the line and whether training may happen during a shift.",
    )
    rest: Rest = Field(
        default_factory=Rest,
        description="Rest rules around shifts; a training session counts as work.",
    )
    pay: Pay = Field(
        default_factory=Pay,
        description="Pay rules used to price a session (overtime, travel).",
    )
    planning: Planning = Field(
        default_factory=Planning,
        description="Planner settings: horizon, time grid, solver limits and cost weights.",
    )
    trainings: dict[Ident, Training] = Field(
        description="Trainings by key (the key is used in prerequisites, feeds and reports).",
    )
    calendar: CalendarRules = Field(
        default_factory=CalendarRules,
        description="Holidays and blackout dates on which no session is placed.",
    )
    notifications: Notifications = Field(
        default_factory=Notifications,
        description="When invitations, reminders and RSVP summaries go out.",
    )
    feeds: Feeds = Field(
        default_factory=Feeds,
        description=(
            "iCal feed publishing: output folder, public URL, refresh and display "
            "options."
        ),
    )
    google: Google = Field(
        default_factory=Google,
        description="Google Calendar publishing (off by default).",
    )
    mail: Mail = Field(
        default_factory=Mail,
        description=(
            "Mail transport for invitations and reminders, and where replies are read "
            "from."
        ),
    )
    storage: Storage = Field(
        default_factory=Storage,
        description="Where plan versions, RSVPs and publishing state are stored.",
    )

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
