"""New hires are not required in trainings (or rounds) that end before their start date."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from scheduler_service.checker import verify
from scheduler_service.config import load_config
from scheduler_service.planner import make_plan

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)


def test_december_staff_meeting_does_not_require_january_hires() -> None:
    config = load_config(EXAMPLE)
    hires = {p.id for p in config.roster if p.start_date == date(2027, 1, 4)}
    assert hires, "the example has a January cohort"
    plan = make_plan(config, date(2026, 12, 1), date(2027, 1, 10), now=NOW, greedy_only=True)
    december = [s for s in plan.sessions if s.training == "staff-meeting"
                and s.start < datetime(2027, 1, 1, tzinfo=UTC)]
    assert december
    assert not any(set(s.attendees) & hires for s in december)
    assert not [u for u in plan.unplaced if u.person in hires and "start date" in u.reason]
    # in January they are employed: each hire attends the January round or is listed
    january = [s for s in plan.sessions if s.training == "staff-meeting"
               and s.start >= datetime(2027, 1, 2, tzinfo=UTC)]
    listed = {u.person for u in plan.unplaced if u.training == "staff-meeting"}
    for pid in hires:
        assert pid in listed or any(pid in s.attendees for s in january)
    assert verify(config, plan) == []


def test_checker_still_requires_hires_once_they_start() -> None:
    config = load_config(EXAMPLE)
    plan = make_plan(config, date(2026, 12, 1), date(2027, 1, 10), now=NOW, greedy_only=True)
    hire = next(p.id for p in config.roster if p.start_date == date(2027, 1, 4))
    stripped = [replace(s, attendees=tuple(a for a in s.attendees if a != hire))
                for s in plan.sessions if s.attendees != (hire,)]
    unplaced = tuple(u for u in plan.unplaced if u.person != hire)
    kinds = {v.kind for v in verify(config, replace(plan, sessions=tuple(stripped),
                                                      unplaced=unplaced))
             if v.person == hire}
    assert "unplaced_missing" in kinds
