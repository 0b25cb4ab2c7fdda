"""A seeded synthetic hotline: people on mixed 24/7 rotations, facilitators, a training mix.

``generate(people, trainings, days, seed)`` returns a validated :class:`Config` (built as a dict,
validated with ``Config.model_validate`` and the cross-section checks of the loader) plus the
planning horizon. The same arguments always give the same config.

What is in it (shares of the roster are approximate):
- about 60 % on Pitman 12 h teams (fixed days / fixed nights), 30 % on Continental 8 h teams
  (D/S/N), 4 % part-timers on a personal 8 h pattern with a weekly training cap; the rest are
  facilitators and one coordinator without a team. About 4 % have a few days of time off.
- supervisors (8 %) spread over the teams; a cohort of new hires (5 %, at least 4) starting in
  the first week, who take onboarding and an Academy chain (modules in consecutive weeks with a
  prerequisite gap between them).
- a monthly all-staff meeting (virtual, everyone, first 10 days of every month);
- continuing education and other trainings for subsets of teams (about 30 % of the roster
  each), in person in one of the rooms or virtual, some optional.
- staffing: a minimum of about half the people on duty, a higher minimum on weekend evenings;
  release from the phones allowed while the minimum holds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from scheduler_service.config.crossref import cross_check
from scheduler_service.config.schema import Config

START = date(2027, 3, 1)  # a Monday; the horizon crosses the US spring-forward night
ZONE = "America/Chicago"
WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

SHIFTS = {
    "day12": {"code": "D", "start": "07:00", "end": "19:00"},
    "night12": {"code": "N", "start": "19:00", "end": "07:00"},
    "early8": {"code": "E", "start": "07:00", "end": "15:00"},
    "swing8": {"code": "S", "start": "15:00", "end": "23:00"},
    "late8": {"code": "L", "start": "23:00", "end": "07:00"},
}


@dataclass(frozen=True)
class Instance:
    name: str
    config: Config
    first: date
    last: date


@dataclass(frozen=True)
class Size:
    name: str
    people: int
    trainings: int
    days: int


SIZES = {
    "50": Size("50", 50, 6, 56),
    "200": Size("200", 200, 10, 56),
    "1000": Size("1000", 1000, 12, 56),
    "2000": Size("2000", 2000, 50, 90),
}


def instance(size: Size, seed: int = 1) -> Instance:
    config = generate(size.people, size.trainings, size.days, seed)
    return Instance(size.name, config, START, START + timedelta(days=size.days - 1))


def generate(people: int, trainings: int, days: int, seed: int = 1) -> Config:
    """A valid config for ``people`` people and ``trainings`` trainings over ``days`` days."""
    if people < 20 or trainings < 6:
        raise ValueError("need at least 20 people and 6 trainings (Academy chain + meeting)")
    rng = random.Random(seed)
    builder = _Builder(rng, people, days)
    raw = builder.build(trainings)
    config = Config.model_validate(raw)
    problems = cross_check(config)
    if problems:
        raise ValueError(f"synthetic config is invalid: {problems}")
    return config


class _Builder:
    def __init__(self, rng: random.Random, people: int, days: int) -> None:
        self.rng = rng
        self.total = people
        self.days = days
        self.last = START + timedelta(days=days - 1)
        self.roster: list[dict[str, Any]] = []
        self.exceptions: dict[str, dict[str, Any]] = {}
        self.facilitators: list[str] = []
        self.cohort: list[str] = []
        self.team_sizes: dict[str, int] = {}

    # --- people ---------------------------------------------------------------------------

    def build(self, trainings: int) -> dict[str, Any]:
        staff = self._staff()
        rooms = [f"Room {i + 1}" for i in range(max(2, self.total // 200))]
        return {
            "organisation": {
                "name": f"Synthetic Line {self.total}",
                "timezone": ZONE,
                "coordinator": {"name": "Coordinator", "email": "coord@example.org"},
                "from_address": "training@example.org",
            },
            "shifts": SHIFTS,
            "rotations": self._rotations(),
            "teams": {t: {"label": f"Team {t}"} for t in self.team_sizes},
            "people": self.roster,
            "exceptions": self.exceptions,
            "facilitators": self._facilitator_windows(),
            "staffing": self._staffing(staff),
            "rest": {"after_shift_hours": 10, "after_overnight_hours": 11,
                     "before_shift_hours": 3, "buffer_minutes": 30, "max_hours_with_shift": 12},
            "pay": {"week_start_day": "sun", "weekly_overtime_hours": 40},
            "planning": {"horizon_days": self.days, "grid_minutes": 30, "seed": 7,
                         "time_limit_seconds": 120},
            "trainings": _Trainings(self, rooms).build(trainings),
            "calendar": {
                "holidays": [str(START + timedelta(days=32))],
                "blackouts": [{"start": str(START + timedelta(days=45)),
                               "end": str(START + timedelta(days=46)),
                               "reason": "accreditation visit"}],
            },
        }

    def _add(self, pid: str, team: str | None, role: str, **extra: Any) -> None:
        row: dict[str, Any] = {"id": pid, "name": pid.upper(), "email": f"{pid}@example.org",
                               "role": role, "team": team}
        row.update(extra)
        self.roster.append(row)
        if team is not None:
            self.team_sizes[team] = self.team_sizes.get(team, 0) + 1

    def _staff(self) -> int:
        n_fac = max(4, self.total // 100)
        n_part = max(1, self.total * 4 // 100)
        staff = self.total - n_fac - n_part - 1
        n_pitman = staff * 2 // 3
        teams = [f"P{i}" for i in range(1, 5)] + [f"C{i}" for i in range(1, 5)]
        n_cohort = max(4, self.total * 5 // 100)
        for i in range(staff):
            team = teams[i % 4] if i < n_pitman else teams[4 + i % 4]
            pid = f"s{i:04d}"
            role = "supervisor" if self.rng.random() < 0.08 else "advocate"
            extra: dict[str, Any] = {}
            if role == "advocate" and len(self.cohort) < n_cohort and i % 3 == 1:
                extra = {"cohort": "academy", "start_date": str(START + timedelta(
                    days=self.rng.randrange(0, 3)))}
                self.cohort.append(pid)
            self._add(pid, team, role, **extra)
            if self.rng.random() < 0.04:
                self._time_off(pid)
        for i in range(n_part):
            pid = f"pt{i:03d}"
            self._add(pid, None, "advocate")
            self.exceptions[pid] = {
                "pattern": {"cycle": self.rng.choice(["SSSOOOO", "OOSSSOO", "EEOOOEO"]),
                            "anchor": str(START)},
                "max_training_hours_per_week": 6,
            }
        for i in range(n_fac):
            pid = f"f{i:02d}"
            self._add(pid, None, "facilitator")
            self.facilitators.append(pid)
        self._add("coord", None, "coordinator")
        return staff

    def _time_off(self, pid: str) -> None:
        begin = START + timedelta(days=self.rng.randrange(0, self.days - 7))
        end = begin + timedelta(days=self.rng.randrange(2, 7))
        self.exceptions[pid] = {"time_off": [{"start": str(begin), "end": str(end),
                                               "reason": "leave"}]}

    def _rotations(self) -> dict[str, Any]:
        return {
            "floor": {"preset": "pitman", "anchor": str(START - timedelta(days=3)),
                      "teams": ["P1", "P2", "P3", "P4"]},
            "continental": {"preset": "continental", "anchor": str(START - timedelta(days=10)),
                            "teams": ["C1", "C2", "C3", "C4"],
                            "shift_map": {"D": "early8", "S": "swing8", "N": "late8"}},
        }

    def _facilitator_windows(self) -> dict[str, Any]:
        shapes = [
            [{"days": WEEK[:5], "start": "08:00", "end": "18:00"}],
            [{"days": WEEK[:5], "start": "08:00", "end": "18:00"},
             {"days": ["sat", "sun"], "start": "09:00", "end": "17:00"}],
            [{"days": WEEK, "start": "08:00", "end": "21:00"}],
            [{"days": ["tue", "wed", "thu", "fri", "sat"], "start": "10:00", "end": "21:00"}],
        ]
        out: dict[str, Any] = {}
        for i, pid in enumerate(self.facilitators):
            entry: dict[str, Any] = {"availability": shapes[i % len(shapes)]}
            if i % 5 == 4:
                off = START + timedelta(days=self.rng.randrange(7, self.days - 7))
                entry["time_off"] = [{"start": str(off), "end": str(off + timedelta(days=2))}]
            out[pid] = entry
        return out

    def _staffing(self, staff: int) -> dict[str, Any]:
        on_duty = sum(size for team, size in self.team_sizes.items()
                      if team in ("P1", "C1"))  # one team of each rotation works at a time
        minimum = max(2, on_duty // 2)
        return {
            "minimum": minimum,
            "by_hour": [{"days": ["fri", "sat"], "start": "20:00", "end": "23:59",
                         "minimum": minimum + max(1, on_duty // 10)}],
            "training_while_on_shift": "if_staffed",
        }


class _Trainings:
    """The training mix: onboarding + Academy chain, a monthly meeting, then CE and others."""

    def __init__(self, people: _Builder, rooms: list[str]) -> None:
        self.p = people
        self.rng = people.rng
        self.rooms = rooms
        self.teams = sorted(people.team_sizes)

    def build(self, count: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        out.update(self._academy(chain=2 if count < 10 else 3 if count < 20 else 4))
        out["staff-meeting"] = {
            "title": "All-Staff Meeting", "kind": "staff_meeting", "duration_minutes": 60,
            "audience": {"everyone": True}, "recurrence": {"every": "month", "first_days": 10},
            "capacity": 100, "facilitators": ["coord", self.p.facilitators[0]],
            "delivery": "virtual", "virtual_url": "https://meet.example.org/all",
            "earliest_start": "08:00", "latest_end": "21:00",
        }
        i = 0
        while len(out) < count:
            out[f"ce-{i + 1:02d}"] = self._ce(i)
            i += 1
        return out

    def _academy(self, chain: int) -> dict[str, Any]:
        lead = self.p.facilitators[1:3]
        common = {"audience": {"cohorts": ["academy"]}, "capacity": 20,
                  "facilitators": lead, "delivery": "in_person", "room": self.rooms[0]}
        out: dict[str, Any] = {"onboarding": {
            **common, "title": "Onboarding", "kind": "onboarding", "duration_minutes": 180,
            "window": {"start": str(START), "end": str(START + timedelta(days=6))},
        }}
        before = "onboarding"
        for k in range(1, chain + 1):
            begin = START + timedelta(days=7 * k)
            out[f"academy-{k}"] = {
                **common, "title": f"Academy module {k}", "kind": "academy",
                "duration_minutes": 240 if k % 2 else 180,
                "window": {"start": str(begin), "end": str(begin + timedelta(days=6))},
                "prerequisites": [{"training": before, "min_gap_days": 2}],
            }
            before = f"academy-{k}"
        return out

    def _ce(self, i: int) -> dict[str, Any]:
        rng = self.rng
        teams = rng.sample(self.teams, k=max(1, round(len(self.teams) * 0.3)))
        virtual = i % 5 in (1, 3)
        span = self.p.days
        length = min(span, rng.choice([21, 28, 42, span]))
        begin = START + timedelta(days=rng.randrange(0, span - length + 1))
        spec: dict[str, Any] = {
            "title": f"Continuing education {i + 1}",
            "kind": "continuing_ed" if i % 5 != 4 else "other",
            "duration_minutes": rng.choice([60, 90, 120, 180, 240]),
            "audience": {"teams": sorted(teams), "roles": ["supervisor"] if i % 4 == 0 else []},
            "required": i % 5 != 2,
            "window": {"start": str(begin), "end": str(begin + timedelta(days=length - 1))},
            "capacity": 40 if virtual else 25,
            "facilitators": rng.sample(self.p.facilitators, k=min(2, len(self.p.facilitators))),
            "ce_hours": 2,
        }
        if virtual:
            spec.update(delivery="virtual", virtual_url=f"https://meet.example.org/ce{i}")
        else:
            spec.update(delivery="in_person", room=self.rooms[i % len(self.rooms)])
        return spec


def describe(config: Config) -> str:
    """One line about an instance, for logs."""
    return (f"{len(config.roster)} people, {len(config.trainings)} trainings, "
            f"{len(config.rotations)} rotations, {len(config.facilitators)} facilitators")
