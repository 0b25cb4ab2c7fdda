"""Session-count-first planning: the cover stage and the session budget.

The fewest sessions are computed here by brute force, with the independent checker as the only
judge of who may attend at which time; the planner must reach that number.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

import pytest
from planner_fixtures import make_config, training

from scheduler_service.checker import verify
from scheduler_service.config.schema import Config
from scheduler_service.model import Plan, Session
from scheduler_service.planner import make_plan

NOW = datetime(2027, 2, 1, tzinfo=UTC)
FIRST = date(2027, 3, 1)
LAST = date(2027, 3, 7)
ZONE = ZoneInfo("America/New_York")


def meeting_config(pct: float = 0.0, **kw: object) -> Config:
    spec = training(capacity=100, duration_minutes=120, earliest_start="08:00",
                    latest_end="20:00", window={"start": "2027-03-01", "end": "2027-03-05"})
    spec.update(kw)
    return make_config({"meeting": spec}, per_team=4,
                       staffing={"minimum": 0, "training_while_on_shift": "if_staffed"},
                       planning={"horizon_days": 7, "grid_minutes": 60,
                                 "time_limit_seconds": 30, "deterministic_time": 1.0,
                                 "seed": 3, "extra_sessions_percent": pct})


def who_can_attend(config: Config, start: datetime, minutes: int) -> frozenset[str] | None:
    """Advocates the checker accepts in a session at ``start`` (None: the time itself is
    invalid for the session)."""
    everyone = tuple(p.id for p in config.roster if p.role == "advocate")
    session = Session(id="meeting-x", training="meeting", title="T", start=start,
                      end=start + timedelta(minutes=minutes), facilitators=("trainer",),
                      attendees=everyone, virtual_url="https://meet.example.org/x",
                      capacity=100)
    plan = Plan(generated_at=NOW, timezone="America/New_York",
                horizon_start=datetime.combine(FIRST, time(0), tzinfo=ZONE),
                horizon_end=datetime.combine(LAST + timedelta(days=1), time(0), tzinfo=ZONE),
                sessions=(session,))
    found = verify(config, plan)
    if any(v.person is None or v.person == "trainer" for v in found):
        return None
    return frozenset(everyone) - {v.person for v in found}


def fewest_sessions(config: Config) -> tuple[int, int]:
    """(fewest sessions seating everyone who can attend at all, how many that is)."""
    sets: set[frozenset[str]] = set()
    day = date(2027, 3, 1)
    while day <= date(2027, 3, 5):
        for hour in range(8, 19):
            got = who_can_attend(config, datetime.combine(day, time(hour), tzinfo=ZONE), 120)
            if got:
                sets.add(got)
        day += timedelta(days=1)
    reachable = frozenset().union(*sets)
    ordered = sorted(sets, key=lambda s: (-len(s), sorted(s)))
    for k in range(1, len(ordered) + 1):
        if any(frozenset().union(*combo) == reachable for combo in combinations(ordered, k)):
            return k, len(reachable)
    raise AssertionError("no cover")


def test_the_plan_uses_the_fewest_sessions_a_brute_force_finds() -> None:
    config = meeting_config()
    fewest, reachable = fewest_sessions(config)
    plan = make_plan(config, FIRST, LAST, now=NOW)
    assert verify(config, plan) == []
    assert sum(len(s.attendees) for s in plan.sessions) == reachable
    assert len(plan.sessions) == fewest
    assert plan.stats["cover"]["sessions"] == fewest
    assert plan.stats["solver"]["session_budget"] == fewest


def test_greedy_preview_skips_the_cover_stage() -> None:
    plan = make_plan(meeting_config(), FIRST, LAST, now=NOW, greedy_only=True)
    assert plan.stats["cover"] is None
    assert verify(meeting_config(), plan) == []


@pytest.mark.parametrize("pct", [0.0, 50.0, 100.0])
def test_the_session_budget_is_the_fewest_plus_the_allowed_percent(pct: float) -> None:
    config = meeting_config(pct, capacity=5)
    plan = make_plan(config, FIRST, LAST, now=NOW)
    fewest = plan.stats["cover"]["sessions"]
    budget = plan.stats["solver"]["session_budget"]
    assert budget == math.floor(fewest * (1 + pct / 100) + 1e-9)
    assert verify(config, plan) == []
    assert plan.unplaced == ()
    # everyone fits within the budget here, so the solver never goes beyond it
    assert len(plan.sessions) <= budget
    if pct == 0:
        assert len(plan.sessions) == fewest


def test_the_extra_session_percent_trades_sessions_for_paid_hours() -> None:
    """Two day teams: one session seats both (one team on its day off), two sessions let each
    team attend on shift. With no extra sessions allowed the plan holds one; allowing 100 %
    more, the solver opens the second session because it saves paid hours."""
    fewest = make_plan(meeting_config(0.0, audience={"teams": ["A", "B"]}), FIRST, LAST,
                       now=NOW)
    traded = make_plan(meeting_config(100.0, audience={"teams": ["A", "B"]}), FIRST, LAST,
                       now=NOW)
    for plan in (fewest, traded):
        assert verify(meeting_config(audience={"teams": ["A", "B"]}), plan) == []
        assert plan.unplaced == ()
    assert len(fewest.sessions) == 1
    assert fewest.stats["cost"]["paid_hours_off_shift"] > 0
    assert len(traded.sessions) == 2
    assert traded.stats["cost"]["paid_hours_off_shift"] == 0
    assert traded.stats["cost"]["total"] < fewest.stats["cost"]["total"]
