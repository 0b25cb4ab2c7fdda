"""Every plan the planner produces passes the independent checker (small generated hotlines).

The hotlines vary team sizes, staffing minimum, release policy, trainings (duration, capacity,
audience, window, delivery, a prerequisite pair, a monthly meeting) and facilitator hours.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scheduler_service.checker import verify
from scheduler_service.config import Config, parse_config
from scheduler_service.planner import make_plan

FIRST, LAST = date(2027, 3, 1), date(2027, 3, 14)  # crosses the US spring-forward night
NOW = datetime(2027, 2, 15, tzinfo=UTC)

HEAD = """
[organisation]
name = "Generated Line"
timezone = "America/Chicago"
coordinator = { name = "Coord", email = "coord@example.org" }
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
preset = "pitman"
anchor = 2027-02-22
teams = ["A", "B", "C", "D"]

[rest]
after_shift_hours = 10
after_overnight_hours = 11
before_shift_hours = 3
buffer_minutes = 30

[planning]
grid_minutes = 30
deterministic_time = 2
"""


@st.composite
def hotlines(draw: st.DrawFn) -> str:
    sizes = [draw(st.integers(2, 5)) for _ in "ABCD"]
    people = []
    for team, size in zip("ABCD", sizes, strict=True):
        for i in range(size):
            pid = f"{team.lower()}{i}"
            cohort = ', cohort = "new"' if i == 0 else ""
            people.append(f'{{ id = "{pid}", name = "{pid}", email = "{pid}@example.org", '
                          f'team = "{team}"{cohort} }}')
    people += ['{ id = "f1", name = "f1", email = "f1@example.org", role = "facilitator" }',
               '{ id = "f2", name = "f2", email = "f2@example.org", role = "facilitator" }']
    text = "people = [\n  " + ",\n  ".join(people) + "\n]\n" + HEAD
    minimum = draw(st.integers(1, 2))
    policy = draw(st.sampled_from(["if_staffed", "never"]))
    text += f'\n[staffing]\nminimum = {minimum}\ntraining_while_on_shift = "{policy}"\n'
    late = draw(st.sampled_from(["17:00", "20:00"]))
    text += ('\n[facilitators.f1]\navailability = [{ days = ["mon", "tue", "wed", "thu", "fri", '
             f'"sat", "sun"], start = "08:00", end = "{late}" }}]\n')
    for k in range(draw(st.integers(1, 3))):
        text += _training(draw, k)
    text += _academy(draw)
    if draw(st.booleans()):
        text += ('\n[trainings.meeting]\ntitle = "Meeting"\nduration_minutes = 60\n'
                 'audience = { teams = ["A", "C"] }\nrecurrence = { every = "month", '
                 'first_days = 10 }\ncapacity = 30\nfacilitators = ["f1"]\n'
                 'delivery = "virtual"\nvirtual_url = "https://meet.example.org/m"\n')
    return text


def _training(draw: st.DrawFn, k: int) -> str:
    teams = draw(st.lists(st.sampled_from("ABCD"), min_size=1, max_size=4, unique=True))
    start = draw(st.integers(1, 6))
    end = draw(st.integers(start + 4, 14))
    virtual = draw(st.booleans())
    where = ('delivery = "virtual"\nvirtual_url = "https://meet.example.org/x"\n' if virtual
             else 'room = "R1"\n')
    return (f'\n[trainings.t{k}]\ntitle = "T{k}"\n'
            f"duration_minutes = {draw(st.sampled_from([60, 90, 120, 180]))}\n"
            f"audience = {{ teams = {sorted(teams)!r} }}\n".replace("'", '"')
            + f"window = {{ start = 2027-03-{start:02d}, end = 2027-03-{end:02d} }}\n"
            f"capacity = {draw(st.integers(2, 8))}\n"
            f"required = {str(draw(st.booleans()) or k == 0).lower()}\n"
            f'facilitators = ["f1", "f2"]\n' + where)


def _academy(draw: st.DrawFn) -> str:
    gap = draw(st.sampled_from([0, 1, 2]))
    common = ('audience = { cohorts = ["new"] }\ncapacity = 4\nfacilitators = ["f2"]\n'
              'room = "R2"\nduration_minutes = 120\n')
    return (f'\n[trainings.academy-1]\ntitle = "A1"\n{common}'
            f'window = {{ start = 2027-03-01, end = 2027-03-07 }}\n'
            f'\n[trainings.academy-2]\ntitle = "A2"\n{common}'
            f'window = {{ start = 2027-03-08, end = 2027-03-14 }}\n'
            f'prerequisites = [{{ training = "academy-1", min_gap_days = {gap} }}]\n')


def _check(config: Config, greedy_only: bool) -> None:
    plan = make_plan(config, FIRST, LAST, now=NOW, greedy_only=greedy_only,
                     time_limit_seconds=2)
    found = verify(config, plan)
    assert found == [], "\n".join(str(v) for v in found)


@settings(max_examples=6, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(hotlines())
def test_greedy_and_final_plans_pass_the_checker(text: str) -> None:
    config = parse_config(text)
    _check(config, greedy_only=True)
    _check(config, greedy_only=False)


def test_example_config_plan_passes_the_checker() -> None:
    from pathlib import Path

    from scheduler_service.config import load_config

    config = load_config(Path(__file__).resolve().parents[1] / "config.example.toml")
    plan = make_plan(config, date(2027, 1, 4), date(2027, 2, 5), now=NOW, greedy_only=True)
    found = verify(config, plan)
    assert found == [], "\n".join(str(v) for v in found)
