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


def random_config(seed: int) -> tuple[Config, Any, Any]:
    """A random small hotline mixing every feature; returns (config, first, last)."""
    import random
    from datetime import date, timedelta

    rnd = random.Random(seed)
    everyday = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    trainings: dict[str, dict[str, Any]] = {}
    for i in range(rnd.randint(2, 5)):
        facs = rnd.sample(["trainer", "f1", "f2"], rnd.randint(1, 3))
        kw: dict[str, Any] = dict(
            duration_minutes=rnd.choice([60, 90, 120, 180, 240]), capacity=rnd.randint(3, 15),
            audience=rnd.choice([{"everyone": True},
                                 {"teams": sorted(rnd.sample("ABCD", rnd.randint(1, 3)))},
                                 {"people": ["a000", "b001", "c002"]}]),
            facilitators=facs, facilitators_needed=rnd.randint(0, len(facs)),
            min_attendees=rnd.choice([1, 1, 2, 3]),
            earliest_start=rnd.choice(["06:00", "08:00", "09:00"]),
            latest_end=rnd.choice(["17:00", "20:00", "22:00"]),
            allowed_days=rnd.choice([everyday[:5], everyday]))
        if rnd.random() < 0.4:
            kw.update(delivery="in_person", room=rnd.choice(["R1", "R2"]), virtual_url=None)
        if rnd.random() < 0.3:
            kw["recurrence"] = {"every": rnd.choice(["week", "month"]),
                                "first_days": rnd.randint(2, 10)}
        elif rnd.random() < 0.5:
            a = date(2027, 3, 1) + timedelta(days=rnd.randint(0, 10))
            kw["window"] = {"start": a.isoformat(),
                            "end": (a + timedelta(days=rnd.randint(2, 12))).isoformat()}
        if i > 0 and rnd.random() < 0.4:
            kw["prerequisites"] = [{"training": f"t{rnd.randint(0, i - 1)}",
                                    "min_gap_days": rnd.choice([0, 1, 2.5])}]
        if rnd.random() < 0.2:
            kw["offerings"] = rnd.randint(1, 4)
        trainings[f"t{i}"] = training(**kw)
    roster = people(rnd.randint(2, 4)) + [
        {"id": "f1", "name": "F1", "email": "f1@example.org", "role": "facilitator"},
        {"id": "f2", "name": "F2", "email": "f2@example.org", "role": "facilitator",
         "team": "A"}]
    exceptions: dict[str, Any] = {}
    if rnd.random() < 0.5:
        exceptions["a001"] = {"time_off": [{"start": "2027-03-03", "end": "2027-03-06"}]}
    if rnd.random() < 0.5:
        exceptions["b000"] = {"max_training_hours_per_week": rnd.choice([1, 2, 4])}
    if rnd.random() < 0.3:
        exceptions["c001"] = {"pattern": {"cycle": "DDOOOOO", "anchor": "2026-01-05"}}
    config = make_config(
        trainings, people=roster, exceptions=exceptions,
        facilitators={"trainer": {"availability": [{"days": everyday, "start": "07:00",
                                                    "end": "22:00"}]},
                      "f1": {"availability": [{"days": ["mon", "wed", "fri"], "start": "09:00",
                                               "end": "17:00"}]}},
        staffing={"minimum": rnd.randint(0, 3),
                  "training_while_on_shift": rnd.choice(["never", "if_staffed"]),
                  "per_team": rnd.choice([0, 0, 1, 2]),
                  "by_shift": rnd.choice([{}, {"night12": 2}]),
                  "by_hour": rnd.choice([[], [{"days": ["fri", "sat"], "start": "20:00",
                                               "end": "23:59", "minimum": 3}]])},
        calendar={"holidays": ["2027-03-10"],
                  "blackouts": [{"start": "2027-03-12", "end": "2027-03-13"}]},
        planning={"deterministic_time": 0.2, "grid_minutes": rnd.choice([30, 60])},
    )
    first = date(2027, 3, 1) + timedelta(days=rnd.randint(0, 5))
    return config, first, first + timedelta(days=rnd.randint(7, 20))
