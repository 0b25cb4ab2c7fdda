"""Candidate session times (RULES.md rule 1), audiences (rule 2) and facilitator availability
(rule 6).

Rounds: a training with a window (or none) has one round: the horizon clipped to the window. With
a recurrence, every calendar month (ISO week) that intersects the horizon is a round whose
sessions fall on days 1..N of that month (Mon.. of that week). A round whose days 1..N all lie
outside the horizon cannot be planned in this horizon and is left out (it belongs to an earlier or
later plan).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from scheduler_service.config.schema import (
    Config,
    Facilitator,
    Training,
    parse_clock,
)
from scheduler_service.planner.availability import (
    ATTACHED,
    FREE,
    IntArray,
    RestRules,
    ShiftSpan,
    explain_time,
    near,
)
from scheduler_service.planner.timeutil import WEEKDAYS, clock_minutes, days, local, wall


@dataclass(frozen=True)
class Round:
    index: int
    label: str
    days: tuple[date, ...]  # allowed local dates of this round inside the horizon


def rounds_of(training: Training, first: date, last: date) -> list[Round]:
    rec = training.recurrence
    if rec is None:
        lo, hi = first, last
        if training.window is not None:
            lo, hi = max(lo, training.window.start), min(hi, training.window.end)
        return [Round(0, "", tuple(days(lo, hi)))]
    out: list[Round] = []
    periods: list[tuple[str, date]] = []
    if rec.every == "month":
        cursor = date(first.year, first.month, 1)
        while cursor <= last:
            periods.append((f"{cursor:%Y-%m}", cursor))
            cursor = date(cursor.year + cursor.month // 12, cursor.month % 12 + 1, 1)
    else:
        cursor = first - timedelta(days=first.weekday())
        while cursor <= last:
            iso = cursor.isocalendar()
            periods.append((f"{iso.year}-W{iso.week:02d}", cursor))
            cursor += timedelta(days=7)
    for label, start in periods:
        span = [start + timedelta(days=n) for n in range(rec.first_days)]
        # days 1..N of that month, or of that ISO week only
        span = [d for d in span if d.month == start.month] if rec.every == "month" else span[:7]
        inside = tuple(d for d in span if first <= d <= last)
        if inside:
            out.append(Round(len(out), label, inside))
    return out


def round_of_day(training: Training, day: date) -> str:
    """The round label a local date belongs to ('' for non-recurring trainings)."""
    rec = training.recurrence
    if rec is None:
        return ""
    if rec.every == "month":
        return f"{day:%Y-%m}"
    iso = day.isocalendar()
    return f"{iso.year}-W{iso.week:02d}"


def audience(config: Config, training: Training) -> list[str]:
    aud = training.audience
    if aud.everyone:
        own = set(training.facilitators)
        return sorted(p.id for p in config.roster if p.id not in own)
    out = {
        p.id
        for p in config.roster
        if p.role in aud.roles
        or (p.team is not None and p.team in aud.teams)
        or (p.cohort is not None and p.cohort in aud.cohorts)
        or p.id in aud.people
    }
    return sorted(out)


def audiences(config: Config, keys: list[str]) -> dict[str, list[str]]:
    """``audience`` of every training in ``keys``, from one index of the roster."""
    everyone = sorted(p.id for p in config.roster)
    index: dict[tuple[str, str], list[str]] = {}
    for p in config.roster:
        index.setdefault(("role", p.role), []).append(p.id)
        if p.team is not None:
            index.setdefault(("team", p.team), []).append(p.id)
        if p.cohort is not None:
            index.setdefault(("cohort", p.cohort), []).append(p.id)
    known = set(everyone)
    out: dict[str, list[str]] = {}
    for key in keys:
        training = config.trainings[key]
        aud = training.audience
        if aud.everyone:
            own = set(training.facilitators)
            out[key] = [pid for pid in everyone if pid not in own]
            continue
        found: set[str] = set()
        for kind, values in (("role", aud.roles), ("team", aud.teams), ("cohort", aud.cohorts)):
            for v in values:
                found.update(index.get((kind, v), ()))
        found.update(pid for pid in aud.people if pid in known)
        out[key] = sorted(found)
    return out


def day_blocked(config: Config, training: Training, day: date) -> str | None:
    """Why a local date is not allowed for the training (rule 1), or None."""
    if WEEKDAYS[day.weekday()] not in training.allowed_days:
        return f"{WEEKDAYS[day.weekday()].capitalize()} is not an allowed day"
    if day in config.calendar.holidays:
        return "holiday"
    for b in config.calendar.blackouts:
        if b.start <= day <= (b.end or b.start):
            return f"blackout{': ' + b.reason if b.reason else ''}"
    return None


def day_starts(config: Config, training: Training, day: date) -> list[int]:
    """Grid starts on one local date that satisfy rule 1's clock conditions."""
    lo = clock_minutes(parse_clock(training.earliest_start))
    hi = clock_minutes(parse_clock(training.latest_end))
    return list(_day_starts(config.organisation.timezone, day, lo, hi,
                            training.duration_minutes, config.planning.grid_minutes))


@lru_cache(maxsize=65536)
def _day_starts(zone_name: str, day: date, lo: int, hi: int, dur: int, grid: int
                ) -> tuple[int, ...]:
    zone = ZoneInfo(zone_name)
    first_slot = -(-lo // grid) * grid
    out: list[int] = []
    for m in range(first_slot, hi - dur + 1, grid):
        start = wall(day, time(m // 60, m % 60), zone)
        if start is None:
            continue
        end_local = local(start + dur, zone)
        if end_local.date() != day or end_local.hour * 60 + end_local.minute > hi:
            continue
        out.append(start)
    return tuple(out)


def default_facilitator() -> Facilitator:
    return Facilitator()


def facilitator_free(
    config: Config, fid: str, start: int, end: int, shifts: tuple[ShiftSpan, ...] | None,
    rules: RestRules,
) -> str | None:
    """Why facilitator ``fid`` cannot lead [start, end), or None when they can (rule 6)."""
    return FacilitatorRules.of(config, fid).why_not(config.zone, start, end, shifts, rules)


@dataclass(frozen=True)
class FacilitatorRules:
    """A facilitator's time off and availability windows, read once from the config."""

    time_off: tuple[tuple[date, date], ...]
    windows: tuple[tuple[frozenset[str], int, int], ...]

    @classmethod
    def of(cls, config: Config, fid: str) -> FacilitatorRules:
        spec = config.facilitators.get(fid) or default_facilitator()
        return cls(tuple((t.start, t.end) for t in spec.time_off),
                   tuple((frozenset(days), lo, hi) for days, lo, hi in _windows(spec)))

    def why_not(self, zone: ZoneInfo, start: int, end: int,
                shifts: tuple[ShiftSpan, ...] | None, rules: RestRules) -> str | None:
        return self.why_not_at(Slot.of(zone, start, end), shifts, rules)

    def why_not_at(self, slot: Slot, shifts: tuple[ShiftSpan, ...] | None, rules: RestRules
                   ) -> str | None:
        if self.off_on(slot.day):
            return "time off"
        if not self.fits(slot.same_day, slot.weekday, slot.start_min, slot.end_min):
            return "outside their availability"
        return self.shift_clash(slot.start, slot.end, shifts, rules)

    def off_on(self, day: date) -> bool:
        return any(lo <= day <= hi for lo, hi in self.time_off)

    def fits(self, same_day: bool, weekday: str, start_min: int, end_min: int) -> bool:
        """A session starting ``start_min`` and ending ``end_min`` (local clock) fits a
        window."""
        return same_day and any(
            weekday in days and start_min >= lo and end_min <= hi for days, lo, hi in self.windows
        )

    @staticmethod
    def shift_clash(start: int, end: int, shifts: tuple[ShiftSpan, ...] | None,
                    rules: RestRules) -> str | None:
        if shifts:
            code, why, _ = explain_time(shifts, start, end, rules)
            if code not in (ATTACHED, FREE):
                return why if code == 0 else "on shift"
        return None


@dataclass(frozen=True)
class Slot:
    """[start, end) with its local start date, weekday and clock minutes."""

    start: int
    end: int
    day: date
    weekday: str
    start_min: int
    end_min: int
    same_day: bool

    @classmethod
    def of(cls, zone: ZoneInfo, start: int, end: int) -> Slot:
        a, b = _local(start, zone), _local(end, zone)
        return cls(start, end, a.date(), WEEKDAYS[a.weekday()], a.hour * 60 + a.minute,
                   b.hour * 60 + b.minute, a.date() == b.date())


@lru_cache(maxsize=1 << 16)
def _local(instant: int, zone: ZoneInfo) -> datetime:
    return local(instant, zone)


@lru_cache(maxsize=4096)
def _clock(value: str) -> int:
    return clock_minutes(parse_clock(value))


def _windows(spec: Facilitator) -> list[tuple[list[str], int, int]]:
    return [(list(w.days), _clock(w.start), _clock(w.end)) for w in spec.availability]


class FacilitatorTable:
    """Rule 6 for every grid start at once: ``ok(fid, dur)[i]`` says whether ``fid`` may lead
    [grid[i], grid[i] + dur) (time off, availability windows, their own shifts). Computed per
    facilitator and duration on first use; the same answers as :meth:`FacilitatorRules.why_not`
    (the shift check is that very code, run only where the calendar checks pass)."""

    def __init__(self, config: Config, grid: IntArray, shifts: dict[str, tuple[ShiftSpan, ...]],
                 rules: RestRules) -> None:
        self.config, self.grid, self.shifts, self.rules = config, grid, shifts, rules
        zone = config.zone
        starts = [_local(int(s), zone) for s in grid.tolist()]
        self.days = [a.date() for a in starts]
        self.day_ord = np.array([d.toordinal() for d in self.days], dtype=np.int64)
        self.weekday = np.array([a.weekday() for a in starts], dtype=np.int64)
        self.start_min = np.array([a.hour * 60 + a.minute for a in starts], dtype=np.int64)
        self._ends: dict[int, tuple[IntArray, npt.NDArray[np.bool_]]] = {}
        self._ok: dict[tuple[str, int], npt.NDArray[np.bool_]] = {}

    def _end(self, dur: int) -> tuple[IntArray, npt.NDArray[np.bool_]]:
        found = self._ends.get(dur)
        if found is None:
            zone = self.config.zone
            ends = [_local(int(s) + dur, zone) for s in self.grid.tolist()]
            end_min = np.array([b.hour * 60 + b.minute for b in ends], dtype=np.int64)
            same = np.array([b.date() == d for b, d in zip(ends, self.days, strict=True)],
                            dtype=bool)
            found = self._ends[dur] = (end_min, same)
        return found

    def ok(self, fid: str, dur: int) -> npt.NDArray[np.bool_]:
        found = self._ok.get((fid, dur))
        if found is None:
            found = self._ok[(fid, dur)] = self._compute(fid, dur)
        return found

    def _compute(self, fid: str, dur: int) -> npt.NDArray[np.bool_]:
        spec = FacilitatorRules.of(self.config, fid)
        end_min, same = self._end(dur)
        fits = np.zeros(len(self.grid), dtype=bool)
        for names, lo, hi in spec.windows:
            wds = [i for i, w in enumerate(WEEKDAYS) if w in names]
            fits |= np.isin(self.weekday, wds) & (self.start_min >= lo) & (end_min <= hi)
        ok = fits & same
        for a, b in spec.time_off:
            ok &= ~((self.day_ord >= a.toordinal()) & (self.day_ord <= b.toordinal()))
        sh = self.shifts.get(fid, ())
        if sh:
            shift_starts = [s[0] for s in sh]
            reach = self.rules.reach
            for i in np.flatnonzero(ok).tolist():
                s = int(self.grid[i])
                nearby = tuple(near(sh, shift_starts, s, s + dur, reach))
                if spec.shift_clash(s, s + dur, nearby, self.rules) is not None:
                    ok[i] = False
        return ok
