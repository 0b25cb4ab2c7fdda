"""Benchmark: build every iCal feed for 1,000 people over 12 weeks.

A synthetic hotline (1,000 advocates in 8 teams, 10 trainings, sessions of at most 25 people,
homework on half the trainings, a few people in another time zone) and a hand-made plan; the
figure is the wall time of ``build_feeds`` (all person, facilitator, team and coordinator feeds),
best of a few runs ("first" is the cold run: VTIMEZONE derivation, template compilation), plus
advancing the publication state and writing the files. Target: build under 5 s.

    python benchmarks/feeds_build.py [--people 1000] [--weeks 12] [--repeat 3]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from scheduler_service.config import Config, parse_config
from scheduler_service.ical.feeds import build_feeds
from scheduler_service.ical.items import plan_items
from scheduler_service.ical.state import advance
from scheduler_service.ical.writer import write_feeds
from scheduler_service.model import Plan, Session

TEAMS = ["A", "B", "C", "D", "E", "F", "G", "H"]
TRAININGS = 10
FACILITATORS = 6
GROUP = 25
ZONE = ZoneInfo("America/New_York")


def _config(people: int) -> Config:
    lines = ["people = ["]
    for n in range(people):
        zone = ', timezone = "America/Chicago"' if n % 50 == 0 else ""
        lines.append(
            f'  {{ id = "p{n:04d}", name = "Person {n:04d} Example", '
            f'email = "p{n:04d}@example.org", team = "{TEAMS[n % len(TEAMS)]}"{zone} }},'
        )
    for f in range(FACILITATORS):
        lines.append(
            f'  {{ id = "f{f}", name = "Facilitator {f}", email = "f{f}@example.org", '
            'role = "facilitator" },'
        )
    lines.append("]")
    lines.append(
        """
[organisation]
name = "Benchmark Line"
timezone = "America/New_York"
coordinator = { name = "Facilitator 0", email = "f0@example.org" }
from_address = "training@example.org"

[shifts.day]
code = "D"
start = "07:00"
end = "19:00"

[shifts.night]
code = "N"
start = "19:00"
end = "07:00"

[rotations.floor]
anchor = 2026-01-05
"""
    )
    lines.append(f"teams = {TEAMS!r}".replace("'", '"'))
    cycles = ", ".join(
        f'{t} = "{"DDNNOOOO"[i % 8 :] + "DDNNOOOO"[: i % 8]}"' for i, t in enumerate(TEAMS)
    )
    lines.append(f"cycles = {{ {cycles} }}")
    lines.append("\n[feeds]\nteam_feeds = true\n")
    for t in range(TRAININGS):
        lines.append(
            f"""
[trainings.t{t}]
title = "Training {t}: topic, part {t}; details"
description = "Agenda for training {t}: check-in, practice, debrief."
kind = "{"academy" if t < 4 else "continuing_ed"}"
duration_minutes = 120
audience = {{ everyone = true }}
facilitators = ["f{t % FACILITATORS}", "f{(t + 1) % FACILITATORS}"]
room = "Room {t}"
address = "1 Main St, Springfield"
virtual_url = "https://meet.example.org/t{t}"
delivery = "hybrid"
capacity = {GROUP}
"""
        )
        if t % 2 == 0:
            lines.append(
                'content_note = "Discusses difficult topics."\n'
                f'homework = [{{ title = "Prepare for training {t}", due_days_before = 2 }}]'
            )
    return parse_config("\n".join(lines), "benchmark.toml")


def _plan(config: Config, weeks: int) -> Plan:
    people = [p.id for p in config.roster if p.role == "advocate"]
    first = datetime(2027, 1, 4, tzinfo=ZONE)
    sessions = []
    for t in range(TRAININGS):
        groups = [people[i : i + GROUP] for i in range(0, len(people), GROUP)]
        for g, group in enumerate(groups):
            day = (t * 7 + g * 2) % (weeks * 7)
            start = datetime.combine(
                (first + timedelta(days=day)).date(), datetime.min.time(), ZONE
            ) + timedelta(hours=9 + (g % 4) * 2)
            sessions.append(
                Session(
                    id=f"t{t}-{g:03d}",
                    training=f"t{t}",
                    title=config.trainings[f"t{t}"].title,
                    start=start,
                    end=start.astimezone(UTC) + timedelta(minutes=120),
                    location=f"Room {t}",
                    virtual_url=f"https://meet.example.org/t{t}",
                    facilitators=(f"f{t % FACILITATORS}",),
                    attendees=tuple(group),
                    capacity=GROUP,
                )
            )
    return Plan(
        generated_at=datetime(2027, 1, 1, 12, tzinfo=UTC),
        timezone="America/New_York",
        horizon_start=first,
        horizon_end=first + timedelta(weeks=weeks),
        sessions=tuple(sessions),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    config = _config(args.people)
    plan = _plan(config, args.weeks)
    now = datetime(2027, 1, 2, tzinfo=UTC)
    t0 = time.perf_counter()
    state = advance(
        {}, plan_items(config, plan), stamp=plan.generated_at, now=now, retention_days=30
    )
    advance_s = time.perf_counter() - t0
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        files = build_feeds(config, plan, state)
        times.append(time.perf_counter() - t0)
    size = sum(len(b) for b in files.values())
    person = [len(b) for name, b in files.items() if name.startswith("person-")]
    print(
        f"people={args.people} weeks={args.weeks} sessions={len(plan.sessions)} "
        f"items={len(state)} feeds={len(files)} bytes={size} "
        f"person_feed_avg={sum(person) // len(person)}B"
    )
    print(f"advance state: {advance_s:.2f} s")
    print(f"build all feeds: best {min(times):.2f} s, first {times[0]:.2f} s (target < 5 s)")
    with tempfile.TemporaryDirectory() as directory:
        t0 = time.perf_counter()
        write_feeds(Path(directory), files)
        first_write = time.perf_counter() - t0
        t0 = time.perf_counter()
        unchanged = write_feeds(Path(directory), files)
        second_write = time.perf_counter() - t0
    assert not unchanged.written
    print(f"write all files: {first_write:.2f} s; again, unchanged: {second_write:.2f} s")


if __name__ == "__main__":
    main()
