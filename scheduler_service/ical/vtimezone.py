"""VTIMEZONE components written with yearly RRULEs, derived from zoneinfo transitions.

icalendar's own ``Timezone.from_tzid`` emits one observance per offset with long RDATE lists;
Outlook misreads those (events in summer time shifted by an hour). Here each run of years that
follow the same rule ("second Sunday of March at 02:00") becomes one STANDARD or DAYLIGHT
observance with ``RRULE:FREQ=YEARLY;BYMONTH=..;BYDAY=..``, closed with ``UNTIL`` when the rule
changes later. Only the years a feed needs are examined, extended backwards while the rule holds,
so a zone that has kept its rule since 2007 gets a VTIMEZONE that starts in 2007.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard, vRecur

EARLIEST_YEAR = 1970
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Transition:
    """One change of offset (or of summer-time flag or abbreviation) of a zone."""

    at: datetime  # UTC instant
    offset_from: timedelta
    offset_to: timedelta
    name: str
    dst: bool

    @property
    def local(self) -> datetime:
        """Wall-clock time of the transition, in the offset that was in force before it."""
        return (self.at + self.offset_from).replace(tzinfo=None)

    def shape(self) -> tuple[object, ...]:
        """What must be equal for two years to share one rule (apart from the week ordinal)."""
        local = self.local
        return (
            local.month,
            local.weekday(),
            local.time(),
            self.offset_from,
            self.offset_to,
            self.name,
            self.dst,
        )

    def ordinals(self) -> frozenset[int]:
        """Ways to name the day in a BYDAY rule: nth weekday of the month, -1 if it is the last."""
        day = self.local.day
        found = {(day - 1) // 7 + 1}
        if (self.local + timedelta(days=7)).month != self.local.month:
            found.add(-1)
        return frozenset(found)


Pattern = tuple[Transition, ...]  # the transitions of one year


def _state(zone: ZoneInfo, at: datetime) -> tuple[timedelta, bool, str]:
    local = at.astimezone(zone)
    offset = local.utcoffset()
    dst = local.dst()
    assert offset is not None and dst is not None
    return offset, dst > timedelta(0), local.tzname() or ""


def _bisect(zone: ZoneInfo, lo: datetime, hi: datetime) -> datetime:
    """The first instant in (lo, hi] whose state differs from the state at lo (1 s resolution)."""
    before = _state(zone, lo)
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if _state(zone, mid) == before:
            lo = mid
        else:
            hi = mid
    return hi


@lru_cache(maxsize=4096)
def transitions_in_year(tzid: str, year: int) -> tuple[Transition, ...]:
    """Every transition of ``tzid`` whose UTC instant falls in ``year`` (daily scan + bisection)."""
    zone = ZoneInfo(tzid)
    found: list[Transition] = []
    day = datetime(year, 1, 1, tzinfo=UTC)
    end = datetime(year + 1, 1, 1, tzinfo=UTC)
    current = _state(zone, day)
    while day < end:
        nxt = min(day + timedelta(days=1), end)
        state = _state(zone, nxt)
        if state != current:
            at = _bisect(zone, day, nxt)
            to_offset, dst, name = _state(zone, at)
            if to_offset != current[0]:
                # tzdata gives Europe/Dublin a negative save in winter: call the larger offset
                # of a pair "daylight", which is what calendar clients expect
                dst = to_offset > current[0]
            found.append(Transition(at, current[0], to_offset, name, dst))
            current = _state(zone, at)
            day = at
            continue
        day = nxt
    return tuple(found)


def _compatible(group: list[Pattern], year: Pattern) -> bool:
    first = group[0]
    if len(first) != len(year):
        return False
    for slot, transition in enumerate(year):
        if transition.shape() != first[slot].shape():
            return False
        common = transition.ordinals()
        for other in group:
            common &= other[slot].ordinals()
        if not common:
            return False
    return True


def _year_groups(tzid: str, first_year: int, last_year: int) -> tuple[int, list[list[Pattern]]]:
    """Consecutive years with one shared rule, from the first needed year's rule onwards.

    Returns the first year of the first group and the groups (each a list of yearly patterns).
    """
    groups: list[list[Pattern]] = []
    for year in range(first_year, last_year + 1):
        pattern = transitions_in_year(tzid, year)
        if groups and _compatible(groups[-1], pattern):
            groups[-1].append(pattern)
        else:
            groups.append([pattern])
    year = first_year - 1
    while year >= EARLIEST_YEAR:
        pattern = transitions_in_year(tzid, year)
        if not _compatible(groups[0], pattern):
            break
        groups[0].insert(0, pattern)
        year -= 1
    return year + 1, groups


def _ordinal(group: list[Pattern], slot: int) -> int:
    common = group[0][slot].ordinals()
    for pattern in group[1:]:
        common &= pattern[slot].ordinals()
    positive = sorted(n for n in common if n > 0)
    return positive[0] if positive else -1


def _observance(
    group: list[Pattern], slot: int, closed: bool
) -> TimezoneStandard | TimezoneDaylight:
    first = group[0][slot]
    part = TimezoneDaylight() if first.dst else TimezoneStandard()
    part.add("tzname", first.name)
    part.add("tzoffsetfrom", first.offset_from)
    part.add("tzoffsetto", first.offset_to)
    part.add("dtstart", first.local)
    if len(group) > 1:
        local = first.local
        rule: dict[str, object] = {
            "FREQ": "YEARLY",
            "BYMONTH": local.month,
            "BYDAY": f"{_ordinal(group, slot)}{_WEEKDAYS[local.weekday()]}",
        }
        if closed:
            rule["UNTIL"] = group[-1][slot].at
        part.add("rrule", vRecur(rule))
    return part


def _fixed(tzid: str, year: int) -> TimezoneStandard:
    """The single observance of a zone without transitions in the years used."""
    offset, _dst, name = _state(ZoneInfo(tzid), datetime(year, 1, 1, tzinfo=UTC))
    part = TimezoneStandard()
    part.add("tzname", name)
    part.add("tzoffsetfrom", offset)
    part.add("tzoffsetto", offset)
    part.add("dtstart", datetime(year, 1, 1))  # noqa: DTZ001 - VTIMEZONE DTSTART is local time
    return part


@lru_cache(maxsize=256)
def _build(tzid: str, first_year: int, last_year: int) -> bytes:
    start, groups = _year_groups(tzid, first_year - 1, last_year)
    component = Timezone()
    component.add("tzid", tzid)
    observances: list[TimezoneStandard | TimezoneDaylight] = []
    if not groups[0][0]:
        # no change in the first years: one fixed observance until the next group's rule
        observances.append(_fixed(tzid, start))
    for index, group in enumerate(groups):
        closed = index < len(groups) - 1
        for slot in range(len(group[0])):
            observances.append(_observance(group, slot, closed))
    for part in observances:
        component.add_component(part)
    data: bytes = component.to_ical()
    return data


def vtimezone_bytes(tzid: str, first_year: int, last_year: int) -> bytes:
    """An RRULE-based VTIMEZONE for ``tzid``, serialised, valid for local times in
    ``first_year``..``last_year`` (cached: every feed in a zone shares it)."""
    if last_year < first_year:
        raise ValueError(f"last year {last_year} is before first year {first_year}")
    return _build(tzid, first_year, last_year)
