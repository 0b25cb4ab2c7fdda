"""Small synthetic hotline configurations for the planner tests (built in code, no files)."""

from __future__ import annotations

from typing import Any

from scheduler_service.config.schema import Config

BASE: dict[str, Any] = {
    "organisation": {
        "name": "Test Line", "timezone": "America/New_York",
        "coordinator": {"name": "Coord", "email": "coord@example.org"},
        "from_address": "training@example.org",
    },
    "shifts": {
        "day12": {"code": "D", "start": "07:00", "end": "19:00"},
        "night12": {"code": "N", "start": "19:00", "end": "07:00"},
    },
    "rotations": {
        "floor": {"preset": "pitman", "anchor": "2026-01-05", "teams": ["A", "B", "C", "D"]},
    },
    "staffing": {"minimum": 1, "training_while_on_shift": "if_staffed"},
    "rest": {"after_shift_hours": 10, "after_overnight_hours": 12, "before_shift_hours": 2,
             "buffer_minutes": 30, "max_hours_with_shift": 12},
    "planning": {"horizon_days": 28, "grid_minutes": 60, "time_limit_seconds": 20,
                 "deterministic_time": 0.3, "seed": 3},
    "facilitators": {"trainer": {"availability": [
        {"days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], "start": "08:00",
         "end": "21:00"}]}},
}


def people(per_team: int, teams: str = "ABCD") -> list[dict[str, Any]]:
    out = [{"id": "trainer", "name": "Trainer", "email": "trainer@example.org",
            "role": "facilitator"}]
    for team in teams:
        for i in range(per_team):
            pid = f"{team.lower()}{i:03d}"
            out.append({"id": pid, "name": f"P {pid}", "email": f"{pid}@example.org",
                        "team": team, "role": "advocate"})
    return out


def training(**kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "title": "T", "duration_minutes": 120, "audience": {"roles": ["advocate"]},
        "capacity": 10, "facilitators": ["trainer"], "delivery": "virtual",
        "virtual_url": "https://meet.example.org/x",
    }
    base.update(kw)
    return base


def make_config(trainings: dict[str, dict[str, Any]], per_team: int = 3,
                **overrides: Any) -> Config:
    data: dict[str, Any] = {**BASE, "people": people(per_team), "trainings": trainings}
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return Config.model_validate(data)
