"""The planner's vectorised shortcuts give the answers of the rules they stand for: availability
codes for many shift patterns at once, facilitator checks for every grid start at once, and the
interval bag's early-exit overlap test."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from planner_fixtures import random_config

from scheduler_service.planner.availability import (
    RestRules,
    explain_time,
    status_codes_many,
)
from scheduler_service.planner.candidates import FacilitatorTable, day_starts, facilitator_free
from scheduler_service.planner.intervals import IntervalBag
from scheduler_service.planner.profiles import ShiftBook

shift_lists = st.lists(
    st.tuples(st.integers(0, 60 * 24 * 6), st.integers(4 * 60, 13 * 60), st.booleans()),
    min_size=0, max_size=5)


def _spaced(raw: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool, str]]:
    shifts = []
    cursor = 0
    for gap, length, overnight in sorted(raw):
        start = max(cursor, gap)
        shifts.append((start, start + length, overnight, "s"))
        cursor = start + length + 60
    return shifts


@settings(max_examples=40, deadline=None)
@given(st.lists(shift_lists, min_size=1, max_size=4), st.integers(30, 300), st.booleans(),
       st.integers(0, 60), st.integers(0, 14), st.integers(0, 4), st.integers(4, 14))
def test_many_patterns_at_once_match_the_scalar_rule(
    raws: list[list[tuple[int, int, bool]]], duration: int, release: bool, buffer: int,
    after: int, before: int, max_with: int,
) -> None:
    patterns = [_spaced(raw) for raw in raws]
    rules = RestRules(buffer=buffer, after=after * 60, after_overnight=(after + 2) * 60,
                      before=before * 60, max_with_shift=max_with * 60, release=release)
    grid = np.arange(-24 * 60, 8 * 24 * 60, 45, dtype=np.int64)
    table = status_codes_many(patterns, grid, duration, rules)
    assert table.shape == (len(patterns), len(grid))
    for row, shifts in zip(table, patterns, strict=True):
        for i, s in enumerate(grid.tolist()):
            code, _why, _sh = explain_time(shifts, s, s + duration, rules)
            assert code == row[i], (shifts, s, code, row[i])


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 10_000))
def test_facilitator_table_matches_the_rule(seed: int) -> None:
    config, first, last = random_config(seed)
    rules = RestRules.of(config)
    shifts = ShiftBook(config, first, last).by_person()
    starts: set[int] = set()
    day = first
    while day <= last:
        for spec in config.trainings.values():
            starts.update(day_starts(config, spec, day))
        day += timedelta(days=1)
    grid = np.array(sorted(starts), dtype=np.int64)
    table = FacilitatorTable(config, grid, shifts, rules)
    fids = sorted({f for t in config.trainings.values() for f in t.facilitators})
    for fid in fids:
        for dur in (60, 180):
            ok = table.ok(fid, dur)
            for i, s in enumerate(grid.tolist()):
                why = facilitator_free(config, fid, s, s + dur, shifts.get(fid), rules)
                assert bool(ok[i]) == (why is None), (fid, dur, s, why)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 8000), st.integers(1, 600), st.integers(-2, 3)),
                max_size=16),
       st.lists(st.tuples(st.integers(-100, 8200), st.integers(1, 600)), min_size=1,
                max_size=12),
       st.integers(0, 6))
def test_interval_bag_matches_brute_force(items: list[tuple[int, int, int]],
                                          queries: list[tuple[int, int]], removed: int) -> None:
    bag = IntervalBag()
    for start, length, weight in items:
        bag.add(start, start + length, weight)
    for start, length, weight in items[:removed]:
        bag.remove(start, start + length, weight)
    left = items[removed:]
    for start, length in queries:
        end = start + length
        load = sum(w for s, n, w in left if s < end and s + n > start)
        assert bag.load(start, end) == load
        assert bag.overlaps(start, end) == (load > 0)


def test_interval_bag_after_removing_an_early_interval() -> None:
    bag = IntervalBag()
    bag.add(100, 200)
    bag.add(3000, 3100, 2)
    bag.remove(100, 200)
    assert bag.load(3050, 3060) == 2
    assert bag.overlaps(3050, 3060)
    assert not bag.overlaps(100, 200)
    assert len(bag) == 1
