"""The benchmark's synthetic hotline and naive baseline (benchmarks/ is not a package)."""

from __future__ import annotations

import math
import sys
from collections import Counter
from datetime import UTC, datetime
from itertools import combinations, product
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from metrics import figures, min_sessions, training_bound  # noqa: E402
from naive import naive_plan  # noqa: E402
from synthetic import SIZES, Size, generate, instance  # noqa: E402

from scheduler_service.checker import verify  # noqa: E402

NOW = datetime(2027, 2, 1, tzinfo=UTC)


def test_same_seed_same_config_other_seed_other_config() -> None:
    assert generate(60, 7, 28, seed=3) == generate(60, 7, 28, seed=3)
    assert generate(60, 7, 28, seed=3) != generate(60, 7, 28, seed=4)


def test_instance_has_the_promised_mix() -> None:
    config = instance(SIZES["200"]).config
    assert len(config.roster) == 200 and len(config.trainings) == 10
    presets = {r.preset for r in config.rotations.values()}
    assert presets == {"pitman", "continental"}
    assert any(e.pattern is not None for e in config.exceptions.values())
    assert any(e.time_off for e in config.exceptions.values())
    chain = [t for t in config.trainings.values() if t.prerequisites]
    assert len(chain) >= 2 and all(t.audience.cohorts == ["academy"] for t in chain)
    meeting = config.trainings["staff-meeting"]
    assert meeting.recurrence is not None and meeting.audience.everyone
    deliveries = Counter(t.delivery for t in config.trainings.values())
    assert deliveries["virtual"] and deliveries["in_person"]


def test_naive_baseline_is_checked_and_measured() -> None:
    inst = instance(Size("tiny", 40, 6, 28))
    plan = naive_plan(inst.config, inst.first, inst.last, NOW)
    found = verify(inst.config, plan)
    numbers = figures(inst.config, plan, inst.first, inst.last, found)
    assert numbers.sessions == len(plan.sessions) > 0
    assert numbers.capacity_bound <= numbers.sessions
    assert 0 < numbers.placed_pairs <= numbers.required_pairs
    # the coordinator ignores rest after nights: the checker notices
    assert numbers.violation_kinds.get("rest", 0) > 0
    assert numbers.overtime_hours >= 0


def test_teams_on_opposite_shifts_need_two_sessions() -> None:
    # 4 day people can only make start 0, 4 night people only start 1: one room of 10 would
    # hold all 8 (capacity bound 1), but no single start suits both teams.
    groups = [(4, frozenset({0})), (4, frozenset({1}))]
    assert math.ceil(8 / 10) == 1
    assert min_sessions(groups, capacity=10) == (2, True)


def test_shared_start_and_capacity() -> None:
    assert min_sessions([(4, frozenset({0, 1})), (4, frozenset({1}))], 10) == (1, True)
    assert min_sessions([(25, frozenset({0, 1, 2, 3}))], 10) == (3, True)
    # nobody who cannot be seated at all is counted
    assert min_sessions([(5, frozenset())], 10) == (0, True)


def _brute(groups: list[tuple[int, frozenset[int]]], capacity: int) -> int:
    groups = [(n, e) for n, e in groups if n and e]
    cands = sorted(set().union(*(e for _n, e in groups))) if groups else []
    subsets = [sub for r in range(1, len(groups) + 1)
               for sub in combinations(range(len(groups)), r)]
    for k in range(sum(n for n, _e in groups) + 1):
        for split in product(range(k + 1), repeat=len(cands)):
            if sum(split) != k:
                continue
            opened = dict(zip(cands, split, strict=True))
            # Hall: every set of groups fits into the sessions any of them can attend
            if all(sum(groups[i][0] for i in sub) <= capacity * sum(
                    opened[c] for c in set().union(*(groups[i][1] for i in sub)))
                   for sub in subsets):
                return k
    raise AssertionError("unreachable: one session per person seats everyone")


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 6), st.frozensets(st.integers(0, 3), max_size=3)),
                max_size=3),
       st.integers(2, 8))
def test_min_sessions_matches_brute_force(groups: list[tuple[int, frozenset[int]]],
                                          capacity: int) -> None:
    assert min_sessions(groups, capacity) == (_brute(groups, capacity), True)


def test_training_bound_on_a_synthetic_instance() -> None:
    inst = instance(Size("tiny", 40, 6, 28))
    bound = training_bound(inst.config, inst.first, inst.last, NOW)
    plan = naive_plan(inst.config, inst.first, inst.last, NOW)
    numbers = figures(inst.config, plan, inst.first, inst.last, verify(inst.config, plan))
    assert bound.proven and bound.rounds > 0
    assert 0 < bound.seatable_pairs <= numbers.required_pairs
    # never below what the people it counts need by room size alone
    assert bound.sessions >= math.ceil(bound.seatable_pairs / max(
        t.capacity for t in inst.config.trainings.values()))
