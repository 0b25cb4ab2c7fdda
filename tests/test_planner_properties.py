"""Property tests: random small feasible hotlines are planned completely and validly; the
vectorised and the explaining availability rules agree."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from planner_fixtures import make_config, training

from scheduler_service.checker import verify
from scheduler_service.planner import make_plan
from scheduler_service.planner.availability import RestRules, explain_time, status_codes

NOW = datetime(2027, 2, 1, tzinfo=UTC)


@st.composite
def instances(draw: st.DrawFn) -> tuple[dict[str, dict[str, object]], int, bool]:
    n = draw(st.integers(1, 3))
    trainings: dict[str, dict[str, object]] = {}
    for i in range(n):
        teams = draw(st.lists(st.sampled_from("ABCD"), min_size=1, max_size=4, unique=True))
        trainings[f"t{i}"] = training(
            duration_minutes=draw(st.sampled_from([60, 90, 120, 180])),
            capacity=draw(st.integers(2, 12)),
            audience={"teams": sorted(teams)},
        )
    if n >= 2 and draw(st.booleans()):
        trainings["t1"]["prerequisites"] = [{"training": "t0", "min_gap_days": 1}]
    return trainings, draw(st.integers(1, 3)), draw(st.booleans())


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_feasible_instances_place_everyone(case: tuple[dict[str, dict[str, object]], int, bool]
                                           ) -> None:
    trainings, per_team, greedy_only = case
    # Two weeks, every day 08-21, facilitator always free, generous rest: always feasible
    # (every Pitman team has several whole days off in any 14 days).
    config = make_config(trainings, per_team=per_team,
                         planning={"deterministic_time": 0.2})
    plan = make_plan(config, date(2027, 3, 1), date(2027, 3, 14), now=NOW,
                     greedy_only=greedy_only)
    assert verify(config, plan) == []
    assert plan.stats["placed_required"] == plan.stats["required_pairs"]
    assert plan.unplaced == ()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60 * 24 * 6), st.integers(4 * 60, 13 * 60), st.booleans()),
             min_size=0, max_size=5),
    st.integers(30, 300),
    st.booleans(),
    st.integers(0, 60), st.integers(0, 14), st.integers(0, 4), st.integers(4, 14),
)
def test_vector_and_scalar_rules_agree(raw: list[tuple[int, int, bool]], duration: int,
                                       release: bool, buffer: int, after: int, before: int,
                                       max_with: int) -> None:
    shifts = []
    cursor = 0
    for gap, length, overnight in sorted(raw):
        start = max(cursor, gap)
        shifts.append((start, start + length, overnight, "s"))
        cursor = start + length + 60
    rules = RestRules(buffer=buffer, after=after * 60, after_overnight=(after + 2) * 60,
                      before=before * 60, max_with_shift=max_with * 60, release=release)
    grid = np.arange(-24 * 60, 8 * 24 * 60, 30, dtype=np.int64)
    codes = status_codes(shifts, grid, duration, rules)
    for i, s in enumerate(grid.tolist()):
        code, _why, _sh = explain_time(shifts, s, s + duration, rules)
        assert code == codes[i], (s, code, codes[i])


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.booleans())
def test_random_mixed_instances_never_break_a_hard_rule(seed: int, greedy_only: bool) -> None:
    from planner_fixtures import random_config

    config, first, last = random_config(seed)
    plan = make_plan(config, first, last, now=NOW, greedy_only=greedy_only)
    assert verify(config, plan) == []
    assert all(u.reason for u in plan.unplaced)
