"""A second naive baseline: the coordinator who avoids overtime by training teams on shift.

For every training (per round for recurring trainings) and every team in its audience, one
session during that team's first suitable shift: the session lies inside the shift, inside the
training's dates, allowed days, earliest start and latest end, on the planning grid, and a
facilitator is free and available (and the room free) at that time; otherwise the next start in
the shift, then the team's next shift. The whole team (in chunks of the capacity) is pulled off
the phones at once: no staffing check, no rest check, no time-off check. Once every member of
the team has started, as in the day-off baseline. People without a team form the "office" group
and are placed exactly as the day-off baseline places them (first allowed day, earliest start).

A team that has no suitable shift in a round (a night team when every facilitator works days, a
session longer than the part of the shift inside the training's hours) is left unplaced there;
``fallback=True`` sends it to its first day off instead, as the day-off baseline would.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from naive import Busy, _clash, _days_off, _free_facilitators, _groups, _new_id, _place, _rounds

from scheduler_service.config.schema import Config, Training, parse_clock
from scheduler_service.model import Plan, Session
from scheduler_service.rotations import expand_shifts

Interval = tuple[datetime, datetime]  # UTC


def naive_shift_plan(
    config: Config, first: date, last: date, now: datetime, fallback: bool = False
) -> Plan:
    """The on-shift coordinator's plan. A team chunk with no suitable shift in the round stays
    unplaced, or with ``fallback`` goes on the team's first day off as in the day-off baseline.
    """
    zone = config.zone
    busy: Busy = defaultdict(list)  # facilitators and rooms
    sessions: list[Session] = []
    used: set[str] = set()
    team_shifts = _team_shifts(config, first, last)
    for key in sorted(config.trainings):
        training = config.trainings[key]
        groups = _groups(config, key)
        for days in _rounds(config, training, first, last):
            for team in sorted(groups):
                members = groups[team]
                for i in range(0, len(members), training.capacity):
                    chunk = tuple(members[i:i + training.capacity])
                    if team == "office" or team not in team_shifts:
                        made = _day_off(config, key, training, "office", members, days,
                                        chunk, busy, used)
                    else:
                        made = _on_shift(config, key, training, team_shifts[team],
                                         _started(config, members, days), chunk, busy, used)
                        if made is None and fallback:
                            made = _day_off(config, key, training, team, members, days, chunk,
                                            busy, used)
                    if made is not None:
                        sessions.append(made)
    return Plan(generated_at=now, timezone=config.organisation.timezone,
                horizon_start=datetime.combine(first, time(0), tzinfo=zone),
                horizon_end=datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone),
                sessions=tuple(sorted(sessions, key=lambda s: (s.start, s.id))),
                stats={"planner": "naive coordinator on shift"
                                      + (", day-off fallback" if fallback else "")})


def _team_shifts(config: Config, first: date, last: date) -> dict[str, list[Interval]]:
    """Per team, the distinct shift intervals its members work, in order (the team's rota)."""
    team_of = {p.id: p.team for p in config.roster if p.team}
    out: dict[str, set[Interval]] = defaultdict(set)
    for sh in expand_shifts(config, first - timedelta(days=1), last):
        team = team_of.get(sh.person)
        if team is not None:
            out[team].add((sh.start, sh.end))
    return {team: sorted(found) for team, found in out.items()}


def _started(config: Config, members: list[str], days: list[date]) -> set[date]:
    """The round's days on which every member of the team has started."""
    chosen = set(members)
    starts = [p.start_date for p in config.roster if p.id in chosen and p.start_date]
    ready = max(starts) if starts else None
    return {d for d in days if ready is None or d >= ready}


def _day_off(
    config: Config, key: str, training: Training, team: str, members: list[str],
    days: list[date], chunk: tuple[str, ...], busy: Busy, used: set[str],
) -> Session | None:
    """The day-off baseline's placement ("office": people without a team, any allowed day)."""
    for day in _days_off(config, team, members, days):
        made = _place(config, key, training, day, chunk, busy, used, config.zone)
        if made is not None:
            return made
    return None


def _on_shift(
    config: Config, key: str, training: Training, shifts: list[Interval], days: set[date],
    chunk: tuple[str, ...], busy: Busy, used: set[str],
) -> Session | None:
    zone = config.zone
    length = timedelta(minutes=training.duration_minutes)
    room = f"room:{training.room}" if training.delivery != "virtual" else None
    for lo, hi in shifts:
        for start in _starts(config, training, lo, hi, days, zone):
            end = (start.astimezone(UTC) + length).astimezone(zone)
            leads = _free_facilitators(config, training, start, end, busy)
            if leads is None or (room is not None and _clash(busy, room, start, end)):
                continue
            for who in leads + ((room,) if room is not None else ()):
                busy[who].append((start.astimezone(UTC), end.astimezone(UTC)))
            return Session(id=_new_id(key, start, used), training=key, title=training.title,
                           start=start, end=end, location=training.room,
                           virtual_url=training.virtual_url, facilitators=leads,
                           attendees=chunk, capacity=training.capacity)
    return None


def _starts(
    config: Config, training: Training, lo: datetime, hi: datetime, days: set[date],
    zone: ZoneInfo,
) -> Iterator[datetime]:
    """Local grid starts, in order, of sessions inside the shift [lo, hi) and the day's hours."""
    grid = config.planning.grid_minutes
    length = timedelta(minutes=training.duration_minutes)
    first_min = _minutes(parse_clock(training.earliest_start))
    first_min = -(-first_min // grid) * grid  # the grid counts from local midnight
    latest = parse_clock(training.latest_end)
    local_days = sorted({lo.astimezone(zone).date(), (hi - timedelta(seconds=1)).astimezone(
        zone).date()})
    for day in local_days:
        if day not in days:
            continue
        for minute in range(first_min, 24 * 60, grid):
            start = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
            s_utc = start.astimezone(UTC)
            e_utc = s_utc + length
            end = e_utc.astimezone(zone)
            if end.date() != day or end.time() > latest:
                break
            if lo <= s_utc and e_utc <= hi:
                yield start


def _minutes(at: time) -> int:
    return at.hour * 60 + at.minute
