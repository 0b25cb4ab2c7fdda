"""Planner: valid plans, determinism, stability, explanations, staffing, prerequisites, DST."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from planner_fixtures import make_config, people, training

from scheduler_service.checker import verify
from scheduler_service.config.schema import Config
from scheduler_service.model import Plan
from scheduler_service.planner import explain_person, make_plan
from scheduler_service.rotations import expand_shifts

NOW = datetime(2027, 2, 1, tzinfo=UTC)
FIRST = date(2027, 3, 1)
LAST = date(2027, 3, 14)


def canonical(plan: Plan) -> str:
    data = plan.to_json()
    data["stats"] = {k: v for k, v in data["stats"].items() if k != "timing"}
    return json.dumps(data, sort_keys=True)


def released_counts(config: Config, plan: Plan) -> list[tuple[datetime, int, int]]:
    """(instant, on duty, released) at every session start: my own staffing arithmetic."""
    shifts = expand_shifts(config, FIRST - timedelta(days=2), LAST + timedelta(days=1))
    out = []
    for s in plan.sessions:
        t = s.start
        on = [sh for sh in shifts if sh.start <= t < sh.end]
        on_ids = {sh.person for sh in on}
        rel = sum(1 for x in plan.sessions if x.start <= t < x.end
                  for p in x.attendees if p in on_ids)
        out.append((t, len(on), rel))
    return out


@pytest.mark.parametrize("greedy_only", [True, False])
def test_small_plan_places_everyone_and_is_valid(greedy_only: bool) -> None:
    config = make_config({"ce": training(capacity=6)})
    plan = make_plan(config, FIRST, LAST, now=NOW, greedy_only=greedy_only)
    assert plan.stats["placed_required"] == plan.stats["required_pairs"] == 12
    assert plan.unplaced == ()
    assert verify(config, plan) == []
    seen = [p for s in plan.sessions for p in s.attendees]
    assert sorted(seen) == sorted(set(seen))
    assert all(len(s.attendees) <= 6 for s in plan.sessions)
    assert plan.stats["sessions"] >= plan.stats["lower_bound_sessions"] == 2
    assert set(plan.stats["solver"]) >= {"status", "objective", "best_bound", "gap",
                                         "deterministic_time"}
    assert set(plan.stats["cost"]) == {"facilitator_hours", "paid_hours_off_shift",
                                       "overtime_hours", "rest_interruption_hours", "total"}


def test_same_input_gives_identical_json() -> None:
    config = make_config({"ce": training(capacity=5), "meet": training(
        duration_minutes=60, capacity=20, audience={"everyone": True})})
    a = make_plan(config, FIRST, LAST, now=NOW)
    b = make_plan(config, FIRST, LAST, now=NOW)
    assert canonical(a) == canonical(b)
    assert "timing" in a.stats


def test_session_ids_follow_the_rule() -> None:
    config = make_config({"ce": training(capacity=6)})
    plan = make_plan(config, FIRST, LAST, now=NOW, greedy_only=True)
    for s in plan.sessions:
        local = s.start.astimezone(config.zone)
        assert s.id.startswith(f"ce-{local:%Y%m%dT%H%M}")


@pytest.mark.parametrize("greedy_only", [True, False])
def test_adding_a_person_or_training_keeps_published_sessions(greedy_only: bool) -> None:
    config = make_config({"ce": training(capacity=6)})
    first = make_plan(config, FIRST, LAST, now=NOW, greedy_only=greedy_only)
    roster = people(3) + [{"id": "zz", "name": "New", "email": "zz@example.org", "team": "B"}]
    bigger = make_config({"ce": training(capacity=6), "extra": training(
        duration_minutes=60, capacity=20)}, people=roster)
    second = make_plan(bigger, FIRST, LAST, now=NOW, previous=first, greedy_only=greedy_only)
    after = {s.id: s for s in second.sessions}
    for s in first.sessions:
        assert s.id in after
        assert (after[s.id].start, after[s.id].end) == (s.start, s.end)
    assert second.stats["moved"] == []
    assert verify(bigger, second) == []
    assert second.stats["placed_required"] == second.stats["required_pairs"]


def test_a_removed_day_moves_the_session_and_says_why() -> None:
    config = make_config({"ce": training(capacity=12)})
    first = make_plan(config, FIRST, LAST, now=NOW, greedy_only=True)
    days = sorted({s.start.astimezone(config.zone).date() for s in first.sessions})
    blocked = make_config({"ce": training(capacity=12)},
                          calendar={"holidays": [d.isoformat() for d in days]})
    second = make_plan(blocked, FIRST, LAST, now=NOW, previous=first, greedy_only=True)
    reasons = {m["session"]: m["reason"] for m in second.stats["moved"]}
    assert set(reasons) == {s.id for s in first.sessions}
    assert all("holiday" in r for r in reasons.values())
    assert verify(blocked, second) == []


def test_person_on_shift_or_resting_at_every_allowed_hour_is_unplaced() -> None:
    # Team A works days on Mon 2027-03-01 and Tue 2027-03-02 (Pitman anchor 2026-01-05).
    config = make_config(
        {"ce": training(window={"start": "2027-03-01", "end": "2027-03-02"},
                        earliest_start="09:00", latest_end="17:00",
                        audience={"teams": ["A"]})},
        staffing={"minimum": 1, "training_while_on_shift": "never"},
    )
    shifts = expand_shifts(config, date(2027, 3, 1), date(2027, 3, 2))
    assert {s.team for s in shifts if s.shift == "day12"} == {"A"}
    plan = make_plan(config, FIRST, LAST, now=NOW)
    assert plan.sessions == ()
    assert len(plan.unplaced) == 3
    for u in plan.unplaced:
        assert u.reason.startswith("on shift at all ")
        assert "candidate times" in u.reason
    assert verify(config, plan) == []


def test_facilitator_unavailable_all_window_is_the_reason() -> None:
    config = make_config(
        {"ce": training(window={"start": "2027-03-01", "end": "2027-03-07"})},
        facilitators={"trainer": {"time_off": [{"start": "2027-02-20", "end": "2027-03-10"}]}},
    )
    plan = make_plan(config, FIRST, LAST, now=NOW)
    assert plan.sessions == ()
    assert {u.reason for u in plan.unplaced} == {
        "facilitator trainer unavailable in the whole window"}
    assert any("no candidate time" in f for f in plan.stats["precheck"])


def test_release_on_shift_keeps_the_staffing_minimum() -> None:
    # Only on-shift times are allowed (9-17 on a day when only team A works days), so
    # everyone attends released from the phones; 5 people on duty, minimum 3.
    config = make_config(
        {"ce": training(window={"start": "2027-03-01", "end": "2027-03-01"},
                        earliest_start="09:00", latest_end="17:00", audience={"teams": ["A"]},
                        capacity=10, duration_minutes=60)},
        per_team=5, staffing={"minimum": 3, "training_while_on_shift": "if_staffed"},
    )
    plan = make_plan(config, FIRST, LAST, now=NOW)
    assert verify(config, plan) == []
    assert plan.stats["placed_required"] == 5  # several sessions, at most 2 released at once
    for _t, on_duty, released in released_counts(config, plan):
        assert released == 0 or on_duty - released >= 3
    assert min(plan.stats["coverage"].values()) >= 0
    assert any("staffing" not in u.reason for u in plan.unplaced) or not plan.unplaced


def test_prerequisite_order_with_gap() -> None:
    config = make_config({
        "m1": training(window={"start": "2027-03-01", "end": "2027-03-14"}, capacity=4),
        "m2": training(window={"start": "2027-03-01", "end": "2027-03-14"}, capacity=4,
                       prerequisites=[{"training": "m1", "min_gap_days": 3}]),
    })
    plan = make_plan(config, FIRST, LAST, now=NOW)
    assert verify(config, plan) == []
    assert plan.stats["placed_required"] == plan.stats["required_pairs"] == 24
    ends = {(p, s.training): s for s in plan.sessions for p in s.attendees}
    for s in plan.sessions:
        if s.training == "m2":
            for p in s.attendees:
                assert ends[(p, "m1")].end <= s.start - timedelta(days=3)


def test_missing_prerequisite_is_the_reason() -> None:
    config = make_config({
        "m1": training(window={"start": "2027-03-01", "end": "2027-03-03"},
                       facilitators=["trainer"]),
        "m2": training(window={"start": "2027-03-05", "end": "2027-03-14"},
                       prerequisites=[{"training": "m1", "min_gap_days": 1}]),
    }, facilitators={"trainer": {"time_off": [{"start": "2027-03-01", "end": "2027-03-03"}]}})
    plan = make_plan(config, FIRST, LAST, now=NOW)
    m2 = [u for u in plan.unplaced if u.training == "m2"]
    assert len(m2) == 12
    assert {u.reason for u in m2} == {"prerequisite m1 not placed"}


def test_dst_crossing_horizon() -> None:
    config = make_config({"ce": training(capacity=12, earliest_start="08:00",
                                         latest_end="21:00")})
    first, last = date(2027, 3, 8), date(2027, 3, 21)  # US spring forward on 2027-03-14
    plan = make_plan(config, first, last, now=NOW)
    assert verify(config, plan) == []
    assert plan.stats["placed_required"] == plan.stats["required_pairs"]
    for s in plan.sessions:
        local = s.start.astimezone(config.zone)
        assert local.minute == 0 and local.hour >= 8
        assert s.end - s.start == timedelta(minutes=120)
    data: dict[str, Any] = plan.to_json()
    offsets = {s["start"][-6:] for s in data["sessions"]}
    assert offsets <= {"-05:00", "-04:00"}


def test_explain_person_lists_every_candidate_time() -> None:
    config = make_config({"ce": training(window={"start": "2027-03-01", "end": "2027-03-02"},
                                         earliest_start="09:00", latest_end="12:00")},
                         staffing={"minimum": 1, "training_while_on_shift": "never"})
    rows = explain_person(config, FIRST, LAST, "a000", "ce", now=NOW)
    assert len(rows) == 2 * 2  # 09:00 and 10:00 starts (2 h, until 12:00) on two days
    assert all(r.status == "blocked" and "on shift" in r.blockers[0] for r in rows)
    rows_c = explain_person(config, FIRST, LAST, "c000", "ce", now=NOW)
    assert any(r.status == "possible" for r in rows_c) or all(r.blockers for r in rows_c)


def test_weekly_training_cap_and_time_off_respected() -> None:
    config = make_config(
        {"a": training(duration_minutes=180), "b": training(duration_minutes=180)},
        exceptions={"b000": {"max_training_hours_per_week": 3},
                    "c000": {"time_off": [{"start": "2027-03-01", "end": "2027-03-10"}]}},
    )
    plan = make_plan(config, FIRST, LAST, now=NOW)
    assert verify(config, plan) == []
    for s in plan.sessions:
        if "c000" in s.attendees:
            assert s.start.astimezone(config.zone).date() > date(2027, 3, 10)


def test_example_config_smoke() -> None:
    from pathlib import Path

    from scheduler_service.config import load_config

    loaded = load_config(Path(__file__).resolve().parent.parent / "config.example.toml")
    config = loaded.model_copy(update={"planning": loaded.planning.model_copy(
        update={"deterministic_time": 0.3})})
    plan = make_plan(config, date(2027, 1, 4), date(2027, 1, 17), now=NOW)
    assert verify(config, plan) == []
    assert plan.stats["placed_required"] >= plan.stats["required_pairs"] - len(plan.unplaced)
    assert plan.stats["solver"]["status"] in ("OPTIMAL", "FEASIBLE")
    assert all(u.reason for u in plan.unplaced)
    for s in plan.sessions:
        assert s.id.startswith(s.training + "-")


def test_large_instances_are_improved_training_by_training(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from scheduler_service.planner import cpsat

    monkeypatch.setattr(cpsat, "LARGE_MODEL", 0)
    config = make_config({"ce": training(capacity=5), "meet": training(
        duration_minutes=60, capacity=20, audience={"everyone": True}),
        "m2": training(capacity=6, prerequisites=[{"training": "ce", "min_gap_days": 1}])})
    plan = make_plan(config, FIRST, LAST, now=NOW)
    solver = plan.stats["solver"]
    assert solver["method"] == "per-training" and solver["steps"] >= 3
    assert solver["objective"] <= solver["hint_objective"]
    assert verify(config, plan) == []
    assert plan.stats["placed_required"] == plan.stats["required_pairs"]
    again = make_plan(config, FIRST, LAST, now=NOW)
    assert canonical(again) == canonical(plan)


def test_people_who_attended_before_the_horizon_are_not_planned_again() -> None:
    config = make_config({"ce": training(capacity=12)})
    first = make_plan(config, FIRST, LAST, now=NOW, greedy_only=True)
    later = make_plan(config, LAST + timedelta(days=1), LAST + timedelta(days=14), now=NOW,
                      previous=first, greedy_only=True)
    assert later.sessions == ()
    assert {u.person for u in later.unplaced} == {p for s in first.sessions for p in s.attendees}
    assert all("already attended ce-" in u.reason for u in later.unplaced)
    assert verify(config, later) == []


def test_prerequisite_is_placed_even_when_the_later_training_is_outside_the_horizon() -> None:
    config = make_config({
        "m1": training(window={"start": "2027-03-01", "end": "2027-03-14"}, capacity=12),
        "m2": training(window={"start": "2027-04-01", "end": "2027-04-14"}, capacity=12,
                       prerequisites=[{"training": "m1", "min_gap_days": 1}]),
    })
    plan = make_plan(config, FIRST, LAST, now=NOW, greedy_only=True)
    assert {u.training for u in plan.unplaced} == {"m2"}
    assert sum(len(s.attendees) for s in plan.sessions) == 12
    assert verify(config, plan) == []


def test_weekly_rounds_stay_inside_their_iso_week() -> None:
    config = make_config({"w": training(recurrence={"every": "week", "first_days": 10},
                                        capacity=12, duration_minutes=60)})
    plan = make_plan(config, FIRST, LAST, now=NOW, greedy_only=True)
    assert verify(config, plan) == []
    for s in plan.sessions:
        local = s.start.astimezone(config.zone).date()
        assert local.isocalendar().week in (9, 10)
    per_person: dict[str, int] = {}
    for s in plan.sessions:
        for p in s.attendees:
            per_person[p] = per_person.get(p, 0) + 1
    assert set(per_person.values()) <= {1, 2}


def test_explain_someone_outside_the_audience() -> None:
    config = make_config({"ce": training(audience={"teams": ["A"]},
                                         window={"start": "2027-03-01", "end": "2027-03-01"})})
    rows = explain_person(config, FIRST, LAST, "b000", "ce", now=NOW)
    assert rows and all(r.blockers == ("not in the audience of ce",) for r in rows)


def test_removed_training_cancels_its_sessions() -> None:
    config = make_config({"ce": training(capacity=12), "old": training(capacity=12)})
    first = make_plan(config, FIRST, LAST, now=NOW, greedy_only=True)
    fewer = make_config({"ce": training(capacity=12)})
    second = make_plan(fewer, FIRST, LAST, now=NOW, previous=first, greedy_only=True)
    old_ids = {s.id for s in first.sessions if s.training == "old"}
    reasons = {m["session"]: m["reason"] for m in second.stats["moved"]}
    assert set(reasons) == old_ids
    assert all("no longer in the configuration" in r for r in reasons.values())
