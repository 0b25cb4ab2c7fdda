"""Build every feed of a plan: ``build_feeds(config, plan, state, stamp=...) -> {filename: bytes}``.

Feeds (file names from :func:`scheduler_service.ical.names.feed_filename`):

- ``person``: one per roster person (empty when they have nothing: a subscribed link keeps
  working); their own sessions and homework only, and no other person's name or email anywhere
  (not even the facilitators');
- ``facilitator``: one per person who leads sessions or is a facilitator in the config: the
  sessions they lead, with facilitators and the attendee count (attendee names only when
  ``feeds.facilitator_sees_names``);
- ``coordinator``: one feed with everything (key :data:`COORDINATOR_KEY`);
- ``team``: with ``feeds.team_feeds``, one per team with members: sessions its members attend,
  no names.

These are the feeds :mod:`scheduler_service.feeds.links` entitles people to.

The build is pure and deterministic: items are ordered by start and UID, DTSTAMP is the plan
version that last revised the item (never the current time), and VEVENT bytes are built once per
item, view and zone and shared by all feeds that show them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, vDuration, vText

from scheduler_service.config.schema import Config, Person
from scheduler_service.ical.events import (
    EventOptions,
    Revision,
    View,
    build_event,
    describe,
    description_line,
    roster_for,
    with_line,
)
from scheduler_service.ical.items import FeedItem, plan_items
from scheduler_service.ical.names import feed_filename
from scheduler_service.ical.state import ItemState
from scheduler_service.ical.vtimezone import vtimezone_bytes
from scheduler_service.model import Plan

COORDINATOR_KEY = "all"
PRODID = "-//traincal//traincal feeds//EN"
_BEGIN = b"BEGIN:VCALENDAR\r\n"
_END = b"END:VCALENDAR\r\n"


def _properties(*props: tuple[str, Any, dict[str, str] | None]) -> bytes:
    """Content lines of calendar properties, serialised (escaped and folded) by icalendar."""
    cal = Calendar()
    for name, value, params in props:
        if params is None:
            cal.add(name, value)
        else:
            cal.add(name, value, parameters=params)
    data: bytes = cal.to_ical()
    assert data.startswith(_BEGIN) and data.endswith(_END)
    return data[len(_BEGIN) : -len(_END)]


@dataclass(frozen=True)
class FeedSpec:
    """One feed: who it is for, what it is called and which items (by view) it shows."""

    kind: str  # person | facilitator | coordinator | team
    key: str  # person id, team id, or COORDINATOR_KEY
    name: str
    description: str
    tzid: str
    view: View
    items: tuple[FeedItem, ...] = field(default=())

    @property
    def filename(self) -> str:
        return feed_filename(self.kind, self.key)


def shown_items(
    config: Config, plan: Plan, state: Mapping[str, ItemState]
) -> tuple[list[FeedItem], dict[str, Revision]]:
    """Items to publish (the plan's, then cancelled ones still retained) and their revisions."""
    stamp = plan.generated_at
    items = [i for i in plan_items(config, plan) if not _hidden(state, i.uid)]
    present = {i.uid for i in items}
    retained = [
        entry.item
        for uid, entry in state.items()
        if uid not in present and not entry.hidden and entry.item.cancelled
    ]
    items.extend(retained)
    items.sort(key=lambda i: (i.start, i.uid))
    revisions = {
        i.uid: (
            Revision(state[i.uid].sequence, state[i.uid].modified_at)
            if i.uid in state
            else Revision(0, stamp)
        )
        for i in items
    }
    return items, revisions


def _hidden(state: Mapping[str, ItemState], uid: str) -> bool:
    entry = state.get(uid)
    return entry is not None and entry.hidden


def _zone_of(config: Config, person: Person | None) -> str:
    if person is not None and person.timezone:
        return person.timezone
    return config.organisation.timezone


def _index(items: list[FeedItem]) -> tuple[dict[str, list[FeedItem]], dict[str, list[FeedItem]]]:
    """Items by attendee, and sessions by facilitator (both keep the items' order)."""
    attends: dict[str, list[FeedItem]] = {}
    leads: dict[str, list[FeedItem]] = {}
    for item in items:
        for pid in item.attendees:
            attends.setdefault(pid, []).append(item)
        if item.kind == "session":
            for pid in item.facilitators:
                leads.setdefault(pid, []).append(item)
    return attends, leads


def feed_specs(config: Config, items: Iterable[FeedItem]) -> list[FeedSpec]:
    """Every feed to write for these items, in a stable order."""
    items = list(items)
    attends, leads = _index(items)
    org = config.organisation.name
    specs: list[FeedSpec] = []
    for person in sorted(config.roster, key=lambda p: p.id):
        zone = _zone_of(config, person)
        specs.append(
                FeedSpec(
                    "person",
                    person.id,
                    f"{org} training: {person.name}",
                    f"Your training sessions and homework at {org}.",
                    zone,
                    "attendee",
                    tuple(attends.get(person.id, ())),
                )
            )
        if person.id in leads or _facilitates(config, person):
            specs.append(
                FeedSpec(
                    "facilitator",
                    person.id,
                    f"{org}: sessions led by {person.name}",
                    f"Training sessions you facilitate at {org}, with attendee counts.",
                    zone,
                    "facilitator",
                    tuple(leads.get(person.id, ())),
                )
            )
    specs.append(
        FeedSpec(
            "coordinator",
            COORDINATOR_KEY,
            f"{org} training: all sessions",
            f"Every training session and homework due date at {org}.",
            config.organisation.timezone,
            "coordinator",
            tuple(items),
        )
    )
    if config.feeds.team_feeds:
        specs.extend(_team_specs(config, items, attends))
    return specs


def _facilitates(config: Config, person: Person) -> bool:
    """Facilitators get a feed even before they lead anything, so their link never breaks."""
    if person.role == "facilitator" or person.id in config.facilitators:
        return True
    return any(person.id in t.facilitators for t in config.trainings.values())


def _team_specs(
    config: Config, items: list[FeedItem], attends: Mapping[str, list[FeedItem]]
) -> list[FeedSpec]:
    teams = sorted({p.team for p in config.roster if p.team})
    org = config.organisation.name
    specs = []
    for team in teams:
        uids = {
            i.uid
            for p in config.roster
            if p.team == team
            for i in attends.get(p.id, ())
            if i.kind == "session"
        }
        shown = tuple(i for i in items if i.uid in uids)
        label = config.teams[team].label if team in config.teams else None
        specs.append(
            FeedSpec(
                "team",
                team,
                f"{org} training: {label or 'team ' + team}",
                f"Training sessions attended by members of team {team} at {org}.",
                config.organisation.timezone,
                "attendee",
                shown,
            )
        )
    return specs


class _Builder:
    """Builds feeds of one plan, sharing VEVENT and VTIMEZONE bytes between feeds."""

    def __init__(
        self, config: Config, revisions: Mapping[str, Revision], years: tuple[int, int]
    ) -> None:
        self.config = config
        self.revisions = revisions
        self.years = years
        self.options = EventOptions(
            alarm_minutes=config.feeds.alarm_minutes,
            homework_all_day=config.feeds.homework_as == "all_day",
            facilitator_sees_names=config.feeds.facilitator_sees_names,
        )
        people = {p.id: p.name for p in config.roster}
        self.name: Callable[[str], str] = lambda pid: people.get(pid, pid)
        self._events: dict[tuple[str, View, str], bytes] = {}
        self._skeletons: dict[tuple[str, str], bytes] = {}
        self._static: bytes | None = None
        self._about: dict[tuple[str, str], bytes] = {}

    def event(self, item: FeedItem, view: View, tzid: str) -> bytes:
        key = (item.uid, view, tzid)
        found = self._events.get(key)
        if found is None:
            zone = ZoneInfo(tzid)
            roster = roster_for(item, view, self.options, self.name)
            text = description_line(describe(item, zone, roster, self.options))
            found = self._events[key] = with_line(self._skeleton(item, tzid), text)
        return found

    def _skeleton(self, item: FeedItem, tzid: str) -> bytes:
        """The event without its DESCRIPTION, shared by every view in one zone."""
        key = (item.uid, tzid)
        found = self._skeletons.get(key)
        if found is None:
            event = build_event(item, self.revisions[item.uid], ZoneInfo(tzid), self.options)
            found = self._skeletons[key] = event.to_ical()
        return found

    def header(self, spec: FeedSpec) -> bytes:
        """BEGIN:VCALENDAR and the calendar properties (shared parts built once per build)."""
        if self._static is None:
            refresh = timedelta(minutes=self.config.feeds.refresh_minutes)
            self._static = _properties(
                ("prodid", PRODID, None),
                ("version", "2.0", None),
                ("calscale", "GREGORIAN", None),
                ("method", "PUBLISH", None),
                ("refresh-interval", vDuration(refresh), {"VALUE": "DURATION"}),
                ("x-published-ttl", vDuration(refresh), None),
            )
        about = self._about.get((spec.description, spec.tzid))
        if about is None:
            about = self._about[(spec.description, spec.tzid)] = _properties(
                ("description", vText(spec.description), None),
                ("x-wr-caldesc", vText(spec.description), None),
                ("x-wr-timezone", vText(spec.tzid), None),
            )
        name = _properties(
            ("name", vText(spec.name), None), ("x-wr-calname", vText(spec.name), None)
        )
        return b"".join((_BEGIN, self._static, name, about))

    def feed(self, spec: FeedSpec) -> bytes:
        parts = [self.header(spec)]
        # always there, so even a feed without events has a component (RFC 5545 3.6)
        parts.append(vtimezone_bytes(spec.tzid, *self.years))
        parts.extend(self.event(i, spec.view, spec.tzid) for i in spec.items)
        parts.append(_END)
        return b"".join(parts)


def _years(plan: Plan, items: list[FeedItem], zones: Iterable[str]) -> tuple[int, int]:
    """First and last local year any feed may need a VTIMEZONE for (same for every feed)."""
    instants: list[datetime] = [plan.horizon_start, plan.horizon_end]
    instants += [i.start for i in items] + [i.end for i in items]
    years = [t.astimezone(ZoneInfo(z)).year for z in set(zones) for t in instants]
    return min(years), max(years)


def build_feeds(
    config: Config, plan: Plan, state: Mapping[str, ItemState], *, stamp: datetime | None = None
) -> dict[str, bytes]:
    """Every feed file of ``plan`` as bytes, keyed by file name.

    ``state`` is the publication state already advanced with this plan
    (:func:`scheduler_service.ical.state.advance`): it gives SEQUENCE, the revision time and the
    cancelled sessions still shown. Items missing from it get SEQUENCE 0 and ``stamp`` (default
    ``plan.generated_at``) as their revision time.
    """
    if stamp is not None:
        plan = _restamped(plan, stamp)
    items, revisions = shown_items(config, plan, state)
    specs = feed_specs(config, items)
    builder = _Builder(config, revisions, _years(plan, items, (s.tzid for s in specs)))
    return {spec.filename: builder.feed(spec) for spec in specs}


def _restamped(plan: Plan, stamp: datetime) -> Plan:
    return replace(plan, generated_at=stamp)
