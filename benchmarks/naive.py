"""A naive coordinator's plan, the benchmark's baseline.

What a coordinator with a spreadsheet does: for every training, one session per team (per
round for recurring trainings) on that team's first day off inside the training's dates, at the
training's earliest start; a team larger than the capacity gets back-to-back sessions that day.
The coordinator does pick a facilitator who is free and available, and moves a session later in
the day (or to the team's next day off) when the room or facilitator is taken, but checks
neither staffing, nor rest after a night, nor prerequisite gaps, nor time off. People without a
team (facilitators, office staff, part-timers on personal patterns) form one group, "office",
whose days off are all allowed days.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from scheduler_service.checker.facts import audience_of
from scheduler_service.config.schema import Config, Facilitator, Training, parse_clock
from scheduler_service.model import Plan, Session

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
Busy = dict[str, list[tuple[datetime, datetime]]]


def naive_plan(config: Config, first: date, last: date, now: datetime) -> Plan:
    zone = config.zone
    busy: Busy = defaultdict(list)  # facilitators and rooms
    sessions: list[Session] = []
    used: set[str] = set()
    for key in sorted(config.trainings):
        training = config.trainings[key]
        groups = _groups(config, key)
        for days in _rounds(config, training, first, last):
            for team in sorted(groups):
                off = _days_off(config, team, groups[team], days)
                members = groups[team]
                for i in range(0, len(members), training.capacity):
                    chunk = tuple(members[i:i + training.capacity])
                    for day in off:  # the first day off, or the next one if that day is full
                        made = _place(config, key, training, day, chunk, busy, used, zone)
                        if made is not None:
                            sessions.append(made)
                            break
    return Plan(generated_at=now, timezone=config.organisation.timezone,
                horizon_start=datetime.combine(first, time(0), tzinfo=zone),
                horizon_end=datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone),
                sessions=tuple(sorted(sessions, key=lambda s: (s.start, s.id))),
                stats={"planner": "naive coordinator"})


def _groups(config: Config, key: str) -> dict[str, list[str]]:
    audience = audience_of(config, key)
    groups: dict[str, list[str]] = defaultdict(list)
    for person in config.roster:
        if person.id in audience:
            groups[person.team or "office"].append(person.id)
    return groups


def _rounds(config: Config, training: Training, first: date, last: date) -> list[list[date]]:
    """The days a session may fall on, per round (one round unless the training recurs)."""
    rounds: dict[tuple[int, int], list[date]] = defaultdict(list)
    day = first
    while day <= last:
        if _allowed(config, training, day):
            rec = training.recurrence
            if rec is None:
                rounds[(0, 0)].append(day)
            elif rec.every == "month" and day.day <= rec.first_days:
                rounds[(day.year, day.month)].append(day)
            elif rec.every == "week" and day.isoweekday() <= rec.first_days:
                iso = day.isocalendar()
                rounds[(iso.year, iso.week)].append(day)
        day += timedelta(days=1)
    return [rounds[k] for k in sorted(rounds)]


def _allowed(config: Config, training: Training, day: date) -> bool:
    cal = config.calendar
    if WEEK[day.weekday()] not in training.allowed_days or day in cal.holidays:
        return False
    if any(b.start <= day <= (b.end or b.start) for b in cal.blackouts):
        return False
    win = training.window
    return win is None or win.start <= day <= win.end


def _days_off(config: Config, team: str, members: list[str], days: list[date]) -> list[date]:
    """The team's days off among ``days``, once every member has started."""
    chosen = set(members)
    starts = [p.start_date for p in config.roster if p.id in chosen and p.start_date]
    ready = max(starts) if starts else None
    found = config.rotation_of_team(team)
    return [day for day in days if (ready is None or day >= ready) and (
        found is None or found[1].letter_at(team, (day - found[1].anchor).days) is None)]


def _place(
    config: Config, key: str, training: Training, day: date, people: tuple[str, ...],
    busy: Busy, used: set[str], zone: ZoneInfo,
) -> Session | None:
    grid = timedelta(minutes=config.planning.grid_minutes)
    length = timedelta(minutes=training.duration_minutes)
    start = datetime.combine(day, parse_clock(training.earliest_start), tzinfo=zone)
    latest = datetime.combine(day, parse_clock(training.latest_end), tzinfo=zone)
    room = f"room:{training.room}" if training.delivery != "virtual" else None
    while start + length <= latest:
        end = (start.astimezone(UTC) + length).astimezone(zone)
        leads = _free_facilitators(config, training, start, end, busy)
        if leads is not None and (room is None or not _clash(busy, room, start, end)):
            for who in leads + ((room,) if room is not None else ()):
                busy[who].append((start.astimezone(UTC), end.astimezone(UTC)))
            sid = _new_id(key, start, used)
            return Session(id=sid, training=key, title=training.title, start=start, end=end,
                           location=training.room, virtual_url=training.virtual_url,
                           facilitators=leads, attendees=people, capacity=training.capacity)
        start += grid
    return None


def _free_facilitators(
    config: Config, training: Training, start: datetime, end: datetime, busy: Busy
) -> tuple[str, ...] | None:
    free = [f for f in training.facilitators
            if _available(config.facilitators.get(f, Facilitator()), start, end)
            and not _clash(busy, f, start, end)]
    if len(free) < training.facilitators_needed:
        return None
    return tuple(free[:training.facilitators_needed])


def _available(entry: Facilitator, start: datetime, end: datetime) -> bool:
    if any(off.start <= start.date() <= off.end for off in entry.time_off):
        return False
    return any(WEEK[start.weekday()] in w.days and parse_clock(w.start) <= start.time()
               and end.time() <= parse_clock(w.end) for w in entry.availability)


def _clash(busy: Busy, who: str, start: datetime, end: datetime) -> bool:
    s0, e0 = start.astimezone(UTC), end.astimezone(UTC)
    return any(s < e0 and s0 < e for s, e in busy.get(who, ()))


def _new_id(key: str, start: datetime, used: set[str]) -> str:
    base = f"{key}-{start:%Y%m%dT%H%M}"
    sid, n = base, 1
    while sid in used:
        n += 1
        sid = f"{base}-{n}"
    used.add(sid)
    return sid
