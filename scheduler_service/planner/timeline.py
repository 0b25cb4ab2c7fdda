"""Line staffing over time (RULES.md rule 5) as piecewise-constant segments.

Breakpoints are every shift start/end, every wall-clock rule boundary and every candidate session
start/end, so on-duty counts and minima are constant on each segment and every session covers
whole segments. ``cap[i]`` is how many on-shift attendees may be released during segment ``i``:
``max(0, on_duty - required)`` (and per team when ``staffing.per_team`` is set).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta

import numpy as np

from scheduler_service.config.schema import Config, parse_clock
from scheduler_service.planner.availability import IntArray, ShiftSpan
from scheduler_service.planner.timeutil import WEEKDAYS, days, wall_loose


@dataclass
class Timeline:
    points: IntArray  # segment i = [points[i], points[i + 1])
    on_duty: IntArray
    required: IntArray
    cap: IntArray
    team_on_duty: dict[str, IntArray] = field(default_factory=dict)
    team_cap: dict[str, IntArray] = field(default_factory=dict)
    per_team: int = 0

    def segments(self, start: int, end: int) -> range:
        a = int(np.searchsorted(self.points, start, "left"))
        b = int(np.searchsorted(self.points, end, "left"))
        return range(a, b)


def _windows(config: Config, first: date, last: date) -> list[tuple[int, int, int]]:
    """(start, end, minimum) wall-clock rule windows from by_shift and by_hour."""
    zone = config.zone
    out: list[tuple[int, int, int]] = []
    for day in days(first - timedelta(days=1), last + timedelta(days=1)):
        for name, minimum in config.staffing.by_shift.items():
            sd = config.shifts.get(name)
            if sd is None:
                continue
            end_day = day + timedelta(days=1) if sd.overnight else day
            out.append((wall_loose(day, parse_clock(sd.start), zone),
                        wall_loose(end_day, parse_clock(sd.end), zone), minimum))
        for rule in config.staffing.by_hour:
            if WEEKDAYS[day.weekday()] not in rule.days:
                continue
            a, b = parse_clock(rule.start), parse_clock(rule.end)
            end_day = day + timedelta(days=1) if b <= a else day
            out.append((wall_loose(day, a, zone), wall_loose(end_day, b, zone), rule.minimum))
    return out


def build_timeline(
    config: Config,
    first: date,
    last: date,
    shifts_by_person: dict[str, tuple[ShiftSpan, ...]],
    team_of: dict[str, str | None],
    extra_points: Iterable[int],
) -> Timeline:
    windows = _windows(config, first, last)
    pts: set[int] = set(extra_points)
    for a, b, _m in windows:
        pts.update((a, b))
    # Identical shift tuples (a whole team) are counted once with a weight.
    weight: dict[tuple[tuple[ShiftSpan, ...], str], int] = {}
    for pid, sh in shifts_by_person.items():
        key = (sh, team_of.get(pid) or "")
        weight[key] = weight.get(key, 0) + 1
    # every shift once per pattern: start, end, weight and team index (-1: none)
    teams = sorted({team for _sh, team in weight if team})
    team_ix = {t: i for i, t in enumerate(teams)}
    starts: list[int] = []
    ends: list[int] = []
    counts: list[int] = []
    owner: list[int] = []
    for (sh, team), count in weight.items():
        for s, e, _o, _n in sh:
            starts.append(s)
            ends.append(e)
        counts.extend([count] * len(sh))
        owner.extend([team_ix[team] if team else -1] * len(sh))
    pts.update(starts)
    pts.update(ends)
    points = np.array(sorted(pts), dtype=np.int64)
    n = len(points)
    i_arr = np.searchsorted(points, np.array(starts, dtype=np.int64), "left")
    j_arr = np.searchsorted(points, np.array(ends, dtype=np.int64), "left")
    w_arr = np.array(counts, dtype=np.int64)
    o_arr = np.array(owner, dtype=np.int64)

    def net(mask: np.ndarray | None) -> np.ndarray:
        ii, jj, ww = (i_arr, j_arr, w_arr) if mask is None else (
            i_arr[mask], j_arr[mask], w_arr[mask])
        out: np.ndarray = (np.bincount(ii, ww, minlength=n + 1)
                           - np.bincount(jj, ww, minlength=n + 1)).astype(np.int64)
        return out

    diff = net(None)
    team_diff = {t: net(o_arr == team_ix[t]) for t in teams}
    on_duty = np.cumsum(diff)[:n]
    required = np.full(n, config.staffing.minimum, dtype=np.int64)
    for a, b, m in windows:
        i = int(np.searchsorted(points, a, "left"))
        j = int(np.searchsorted(points, b, "left"))
        np.maximum(required[i:j], m, out=required[i:j])
    cap = np.maximum(0, on_duty - required)
    tl = Timeline(points, on_duty, required, cap, per_team=config.staffing.per_team)
    if config.staffing.per_team > 0:
        for team, td in sorted(team_diff.items()):
            t_on = np.cumsum(td)[:n]
            tl.team_on_duty[team] = t_on
            tl.team_cap[team] = t_on - np.minimum(config.staffing.per_team, t_on)
    return tl


def margins_by_day(
    tl: Timeline, released: Sequence[int], first: date, last: date, config: Config
) -> dict[str, int]:
    """Lowest on_duty - released - required per local day of the horizon."""
    zone = config.zone
    margin = tl.on_duty - np.asarray(released, dtype=np.int64) - tl.required
    out: dict[str, int] = {}
    if len(tl.points) < 2:
        return out
    seg_starts = tl.points[:-1]
    for day in days(first, last):
        lo = wall_loose(day, time(0), zone)
        hi = wall_loose(day + timedelta(days=1), time(0), zone)
        a = int(np.searchsorted(seg_starts, lo, "left"))
        b = int(np.searchsorted(seg_starts, hi, "left"))
        if a < b:
            out[day.isoformat()] = int(margin[a:b].min())
    return out


def overlapping(tl: Timeline, start: int, end: int) -> range:
    """Segments that overlap [start, end), for arbitrary (not grid-aligned) times."""
    a = max(0, int(np.searchsorted(tl.points, start, "right")) - 1)
    b = int(np.searchsorted(tl.points, end, "left"))
    return range(a, max(a, b))
