"""Greedy seat counts that the people can really fill (the staff-meeting shortfall at 2,000)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from planner_fixtures import make_config, training

from scheduler_service.checker import verify
from scheduler_service.config.schema import Config
from scheduler_service.planner import make_plan
from scheduler_service.planner.assign import assign
from scheduler_service.planner.greedy import GreedyState, greedy
from scheduler_service.planner.problem import Problem, build_problem
from scheduler_service.planner.repair import repair
from scheduler_service.planner.solution import Opening

NOW = datetime(2027, 2, 1, tzinfo=UTC)
FIRST, LAST = date(2027, 3, 1), date(2027, 3, 7)
EVERY = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
K = 4  # one profile of 3 * K off-duty people


def config() -> Config:
    roster: list[dict[str, Any]] = [
        {"id": "trainer", "name": "T", "email": "t@example.org", "role": "facilitator"},
        {"id": "f1", "name": "F", "email": "f@example.org", "role": "facilitator"}]
    roster += [{"id": f"x{i:03d}", "name": f"X{i}", "email": f"x{i}@example.org",
                "role": "advocate"} for i in range(3 * K)]
    window = {"days": EVERY, "start": "08:00", "end": "21:00"}
    return make_config(
        {"ce": training(duration_minutes=180, capacity=K, audience={"everyone": True},
                        facilitators=["f1"]),
         "meeting": training(duration_minutes=60, capacity=2 * K,
                             audience={"everyone": True}, facilitators=["trainer"])},
        people=roster, staffing={"minimum": 0, "training_while_on_shift": "never"},
        facilitators={"trainer": {"availability": [window]}, "f1": {"availability": [window]}})


def first_cand(prob: Problem, training: str, start: int | None = None) -> int:
    return next(c.cid for c in prob.candidates
                if c.training == training and (start is None or c.start >= start))


def test_members_busy_elsewhere_may_be_exactly_those_who_still_need_the_training() -> None:
    prob = build_problem(config(), FIRST, LAST, NOW)
    gid = prob.groups[0].gid
    assert prob.groups[0].size == 3 * K
    state = GreedyState(prob)
    early = prob.candidates[first_cand(prob, "meeting")]
    state.open(early, Opening(early.cid, ("trainer",), {gid: 2 * K}))  # K still need it
    ce = prob.candidates[first_cand(prob, "ce", early.end + 60)]
    state.open(ce, Opening(ce.cid, ("f1",), {gid: K}))  # K busy from ce.start
    late = prob.candidates[first_cand(prob, "meeting", ce.start)]
    assert late.start < ce.end
    # 3K - K members are free at `late`, but the K busy ones may be the K still needing it
    assert state.time_room(late, gid) <= 0
    after = prob.candidates[first_cand(prob, "meeting", ce.end)]
    assert state.time_room(after, gid) == K


def test_greedy_seats_can_always_be_given_to_named_people() -> None:
    prob = build_problem(config(), FIRST, LAST, NOW)
    att = assign(prob, greedy(prob))
    assert att.short == []
    placed = sum(len(v) for v in att.placed.values())
    assert placed == 2 * (3 * K + 1)  # each facilitator attends the other training


def test_repair_seats_a_person_the_profile_counts_left_out() -> None:
    prob = build_problem(config(), FIRST, LAST, NOW)
    sol = greedy(prob)
    att = assign(prob, sol)
    cid = next(c for c, people in att.attendees.items()
               if prob.candidates[c].training == "meeting" and len(people) > 1)
    c = prob.candidates[cid]
    pid = att.attendees[cid][0]
    att.attendees[cid] = att.attendees[cid][1:]  # as if naming people had come up short
    att.placed[("meeting", c.rnd)].discard(pid)
    assert repair(prob, sol, att) == 1
    assert pid in att.placed[("meeting", c.rnd)]
    assert repair(prob, sol, att) == 0


def test_full_plans_place_everyone_and_break_no_rule() -> None:
    cfg = config()
    for greedy_only in (True, False):
        plan = make_plan(cfg, FIRST, LAST, now=NOW, greedy_only=greedy_only)
        assert plan.unplaced == ()
        assert verify(cfg, plan) == []


def test_timing_reports_when_the_solver_first_beat_the_greedy_plan() -> None:
    plan = make_plan(config(), FIRST, LAST, now=NOW)
    timing = plan.stats["timing"]
    first = timing["first_improved_seconds"]
    solver = plan.stats["solver"]
    if first is None:  # never better than the greedy hint
        assert solver["objective"] is None or solver["objective"] >= solver["hint_objective"]
    else:
        assert 0 < first <= timing["total_seconds"]
        assert solver["objective"] < solver["hint_objective"]
    greedy_plan = make_plan(config(), FIRST, LAST, now=NOW, greedy_only=True)
    assert greedy_plan.stats["timing"]["first_improved_seconds"] is None
