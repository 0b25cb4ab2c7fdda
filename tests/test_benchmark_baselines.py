"""The benchmark's two naive coordinators, checked against the rota and the independent checker.

benchmarks/ is not a package: its modules are imported from the directory.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from metrics import figures, now_for  # noqa: E402
from naive import naive_plan  # noqa: E402
from naive_shift import naive_shift_plan  # noqa: E402
from synthetic import SIZES, Instance, instance  # noqa: E402

from scheduler_service.checker import verify  # noqa: E402
from scheduler_service.config.schema import parse_clock  # noqa: E402
from scheduler_service.model import Plan, Shift  # noqa: E402
from scheduler_service.rotations import expand_shifts  # noqa: E402


@pytest.fixture(scope="module")
def inst() -> Instance:
    return instance(SIZES["50"])


@pytest.fixture(scope="module")
def shifts(inst: Instance) -> list[Shift]:
    return expand_shifts(inst.config, inst.first, inst.last)


def _team_of(inst: Instance) -> dict[str, str]:
    return {p.id: p.team for p in inst.config.roster if p.team}


def _team_work_days(inst: Instance, shifts: list[Shift]) -> dict[str, set[date]]:
    """Local dates on which some member of each team starts a shift."""
    team_of = _team_of(inst)
    out: dict[str, set[date]] = {}
    for sh in shifts:
        if sh.person in team_of:
            out.setdefault(team_of[sh.person], set()).add(sh.start.astimezone(
                inst.config.zone).date())
    return out


def test_on_shift_baseline_breaks_staffing_and_the_checker_says_so(inst: Instance) -> None:
    cfg = inst.config
    plan = naive_shift_plan(cfg, inst.first, inst.last, now_for(inst.first))
    found = verify(cfg, plan)
    staffing = [v for v in found if v.kind == "staffing"]
    assert staffing, "releasing whole teams must drop the line below half of those on duty"
    numbers = figures(cfg, plan, inst.first, inst.last, found)
    assert numbers.staffing_violations == len(staffing)
    # the day-off baseline never releases anyone, so it never breaks staffing
    day_off = naive_plan(cfg, inst.first, inst.last, now_for(inst.first))
    assert not [v for v in verify(cfg, day_off) if v.kind == "staffing"]


def test_on_shift_sessions_lie_inside_a_shift_of_the_team(
    inst: Instance, shifts: list[Shift]
) -> None:
    cfg, team_of = inst.config, _team_of(inst)
    plan = naive_shift_plan(cfg, inst.first, inst.last, now_for(inst.first))
    intervals = {(team_of[sh.person], sh.start, sh.end) for sh in shifts if sh.person in team_of}
    on_shift = 0
    for s in plan.sessions:
        teams = {team_of.get(p, "office") for p in s.attendees}
        assert len(teams) == 1, f"{s.id} mixes groups {teams}"
        (team,) = teams
        training = cfg.trainings[s.training]
        local_start, local_end = s.start.astimezone(cfg.zone), s.end.astimezone(cfg.zone)
        assert local_start.time() >= parse_clock(training.earliest_start)
        assert local_end.time() <= parse_clock(training.latest_end)
        assert local_start.date() == local_end.date()
        if team != "office":
            assert any(t == team and lo <= s.start and s.end <= hi for t, lo, hi in intervals), (
                f"{s.id} is not inside a shift of team {team}")
            on_shift += 1
    assert on_shift > 0


def test_day_off_baseline_uses_only_the_teams_days_off(
    inst: Instance, shifts: list[Shift]
) -> None:
    cfg, team_of = inst.config, _team_of(inst)
    work_days = _team_work_days(inst, shifts)
    plan = naive_plan(cfg, inst.first, inst.last, now_for(inst.first))
    team_sessions = 0
    for s in plan.sessions:
        day = s.start.astimezone(cfg.zone).date()
        for person in s.attendees:
            if person in team_of:
                assert day not in work_days[team_of[person]], (
                    f"{s.id} puts {person} in on a working day of team {team_of[person]}")
        team_sessions += any(p in team_of for p in s.attendees)
    assert team_sessions > 0


def test_fallback_places_the_teams_the_strict_on_shift_baseline_cannot(inst: Instance) -> None:
    cfg = inst.config

    def placed(plan: Plan) -> int:
        return figures(cfg, plan, inst.first, inst.last, verify(cfg, plan)).placed_pairs

    strict = naive_shift_plan(cfg, inst.first, inst.last, now_for(inst.first))
    fallback = naive_shift_plan(cfg, inst.first, inst.last, now_for(inst.first), fallback=True)
    assert {s.id for s in strict.sessions} <= {s.id for s in fallback.sessions}
    assert placed(fallback) > placed(strict)
