"""The benchmark's synthetic hotline and naive baseline (benchmarks/ is not a package)."""

from __future__ import annotations

import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from metrics import figures  # noqa: E402
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
