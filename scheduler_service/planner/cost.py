"""The planning cost, in hours (documented in docs: one number the coordinator can read).

Parts, for a plan:

* ``facilitator_hours``: sessions x facilitators x duration;
* ``paid_hours_off_shift``: attendee hours not spent on a shift (a session adjacent to a shift or
  on a day off is paid time), plus ``pay.travel_minutes`` for an in-person or hybrid session that
  is not adjacent to a shift (the person comes in specially);
* ``overtime_hours``: extra overtime the training causes, per person and fixed pay week:
  daily overtime (hours of a local day over ``pay.daily_overtime_hours``, and again over
  ``daily_double_time_hours``) plus weekly overtime (hours over ``pay.weekly_overtime_hours``
  not already paid as daily overtime). Shifts count on the local day they start; a session counts
  on the local day and pay week of its start;
* ``rest_interruption_hours``: hours of sessions in the middle of someone's rest or day off (not
  adjacent to a shift, not on a shift).

``total = sum(weight_part x part) + weights.session x sessions``. The default overtime weight
(1.5) is the overtime premium: an overtime hour costs 1.5 paid hours on top of being paid.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from scheduler_service.config.schema import Config, parse_clock
from scheduler_service.planner.availability import ATTACHED, FREE, RELEASED, ShiftSpan
from scheduler_service.planner.timeutil import WEEKDAYS, local, to_min

SCALE = 100  # model cost units per hour


@dataclass(frozen=True)
class PayWeeks:
    """The fixed pay week: starts on ``week_start_day`` at ``week_start_time`` local."""

    zone: ZoneInfo
    weekday: int
    minute: int

    @classmethod
    def of(cls, config: Config) -> PayWeeks:
        at = parse_clock(config.pay.week_start_time)
        return cls(config.zone, WEEKDAYS.index(config.pay.week_start_day), at.hour * 60 + at.minute)

    def start_of(self, instant: int) -> int:
        return _week_start(self, instant)

    def compute_start(self, instant: int) -> int:
        loc = local(instant, self.zone)
        day = loc.date() - timedelta(days=(loc.weekday() - self.weekday) % 7)
        start = to_min(
            datetime(day.year, day.month, day.day, self.minute // 60, self.minute % 60,
                     tzinfo=self.zone)
        )
        if start > instant:
            day -= timedelta(days=7)
            start = to_min(
                datetime(day.year, day.month, day.day, self.minute // 60, self.minute % 60,
                         tzinfo=self.zone)
            )
        return start

    def split(self, start: int, end: int) -> dict[int, int]:
        """Minutes of [start, end) in each pay week (keyed by the week's start)."""
        out: dict[int, int] = {}
        cursor = start
        while cursor < end:
            week = self.start_of(cursor)
            nxt = self.start_of(week + 8 * 24 * 60)
            part = min(end, nxt) - cursor
            out[week] = out.get(week, 0) + part
            cursor += part
        return out


@lru_cache(maxsize=1 << 18)
def _week_start(weeks: PayWeeks, instant: int) -> int:
    return weeks.compute_start(instant)


@lru_cache(maxsize=1 << 18)
def _local_day(zone: ZoneInfo, instant: int) -> date:
    return local(instant, zone).date()


@dataclass(frozen=True)
class PayRules:
    weekly: int
    daily: int | None
    double: int | None
    travel: int

    @classmethod
    def of(cls, config: Config) -> PayRules:
        pay = config.pay

        def mins(h: float | None) -> int | None:
            return None if h is None else round(h * 60)

        return cls(round(pay.weekly_overtime_hours * 60), mins(pay.daily_overtime_hours),
                   mins(pay.daily_double_time_hours), pay.travel_minutes)

    def overtime(self, by_day: dict[date, int]) -> int:
        """Overtime minutes of one pay week, given worked minutes per local day."""
        daily, double, total = self.parts(by_day)
        return daily + double + max(0, total - daily - self.weekly)

    def parts(self, by_day: dict[date, int]) -> tuple[int, int, int]:
        """(daily overtime, double time, total worked) minutes of one pay week."""
        daily = sum(max(0, m - self.daily) for m in by_day.values()) if self.daily else 0
        double = sum(max(0, m - self.double) for m in by_day.values()) if self.double else 0
        return daily, double, sum(by_day.values())


class WorkLedger:
    """Scheduled minutes per pay week and local day, for one shift pattern."""

    def __init__(self, shifts: Iterable[ShiftSpan], weeks: PayWeeks) -> None:
        self.weeks = weeks
        self.shifts = tuple(shifts)
        self._one: dict[tuple[int, date, int, PayRules], int] = {}
        self._parts: dict[tuple[int, PayRules], tuple[int, int, int, int]] = {}
        self.days: dict[int, dict[date, int]] = {}
        for start, end, _o, _n in self.shifts:
            wk = weeks.start_of(start)
            day = _local_day(weeks.zone, start)
            bucket = self.days.setdefault(wk, {})
            bucket[day] = bucket.get(day, 0) + (end - start)

    def extra_one(self, pay: PayRules, start: int, minutes: int) -> int:
        """``extra_overtime`` of a single item (memoised: only its day and week matter)."""
        return self.extra_at(pay, self.weeks.start_of(start), _local_day(self.weeks.zone, start),
                             minutes)

    def extra_at(self, pay: PayRules, wk: int, day: date, minutes: int) -> int:
        """``extra_one`` for an item in pay week ``wk`` on local day ``day``."""
        key = (wk, day, minutes, pay)
        found = self._one.get(key)
        if found is None:
            found = self._one[key] = self._extra_single(pay, wk, day, minutes)
        return found

    def _extra_single(self, pay: PayRules, wk: int, day: date, minutes: int) -> int:
        """``extra_overtime`` of one item, from the week's memoised overtime parts."""
        parts = self._parts.get((wk, pay))
        if parts is None:
            base = self.days.get(wk, {})
            parts = self._parts[(wk, pay)] = (*pay.parts(base), pay.overtime(base))
        daily, double, total, before = parts
        old = self.days.get(wk, {}).get(day, 0)
        new = old + minutes
        if pay.daily:
            daily += max(0, new - pay.daily) - max(0, old - pay.daily)
        if pay.double:
            double += max(0, new - pay.double) - max(0, old - pay.double)
        total += minutes
        return daily + double + max(0, total - daily - pay.weekly) - before

    def extra_overtime(self, pay: PayRules, sessions: Iterable[tuple[int, int]]) -> int:
        """Extra overtime minutes caused by worked ``(start, minutes)`` training items."""
        added: dict[int, dict[date, int]] = {}
        for start, minutes in sessions:
            wk = self.weeks.start_of(start)
            day = _local_day(self.weeks.zone, start)
            bucket = added.setdefault(wk, {})
            bucket[day] = bucket.get(day, 0) + minutes
        extra = 0
        for wk, items in added.items():
            base = self.days.get(wk, {})
            merged = dict(base)
            for day, m in items.items():
                merged[day] = merged.get(day, 0) + m
            extra += pay.overtime(merged) - pay.overtime(base)
        return extra


@dataclass(frozen=True)
class SeatCost:
    """What one attendee seat costs, in minutes per part, and the weighted model units."""

    kind: int
    paid: int
    overtime: int
    rest: int
    units: int


def seat_cost(
    kind: int, start: int, duration: int, in_person: bool, ledger: WorkLedger, pay: PayRules,
    config: Config,
) -> SeatCost:
    return seat_cost_at(kind, ledger.weeks.start_of(start), _local_day(ledger.weeks.zone, start),
                        duration, in_person, ledger, pay, config)


def seat_cost_at(
    kind: int, wk: int, day: date, duration: int, in_person: bool, ledger: WorkLedger,
    pay: PayRules, config: Config,
) -> SeatCost:
    """``seat_cost`` for a session starting in pay week ``wk`` on local day ``day``."""
    w = config.planning.weights
    if kind == RELEASED:
        return SeatCost(kind, 0, 0, 0, 0)
    travel = pay.travel if (kind == FREE and in_person) else 0
    paid = duration + travel
    overtime = ledger.extra_at(pay, wk, day, paid)
    rest = duration if kind == FREE else 0
    units = round(SCALE * (w.paid_hours_off_shift * paid + w.overtime_hours * overtime
                           + w.rest_interruption_hours * rest) / 60)
    assert kind in (ATTACHED, FREE)
    return SeatCost(kind, paid, overtime, rest, units)


def session_units(config: Config, duration: int, facilitators: int) -> int:
    w = config.planning.weights
    return round(SCALE * (w.facilitator_hours * facilitators * duration / 60 + w.session))


def hours(minutes: float) -> float:
    return round(minutes / 60, 2)

