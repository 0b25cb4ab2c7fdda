"""The planner: place every training's sessions around the rotations (pure core).

``make_plan`` builds the problem (profiles, candidate times, staffing timeline), runs the greedy
construction, then (unless ``greedy_only``) CP-SAT seeded with the greedy solution, assigns
people to seats and explains whoever is left unplaced.

Modules: ``timeutil`` (epoch minutes), ``availability`` (rule 3), ``candidates`` (rules 1, 2, 6),
``profiles`` (availability profiles), ``timeline`` (rule 5), ``cost`` (the cost in hours),
``problem`` (everything above, built once; dominated starts pruned), ``greedy``, ``cpsat``
(training-by-training passes, then the whole model when it is not too large), ``assign``
(people into seats), ``repair`` (seats the counts per profile left out), ``explain``
(reasons), ``precheck``, ``result`` (ids, stats, the Plan).

``Plan.stats``: ``sessions``, ``lower_bound_sessions`` (sum of ceil(demand / capacity) per
training and round), ``greedy_sessions`` (of the starting plan: the cover-seeded greedy, or the
plain greedy for a preview), ``cover`` (the cover stage: solves, sessions it opened, proven
solves, people left to the greedy pass, trainings given first pick; None for a preview),
``placed_required``/``required_pairs``,
``placed_optional``/``optional_pairs``, ``cost`` (hours: facilitator_hours,
paid_hours_off_shift, overtime_hours, rest_interruption_hours, weighted total), ``solver``
(status, method, objective and best_bound in weighted hours including the tier weights for
unplaced people and sessions over the budget, see ``cpsat.weights``; gap, deterministic_time
charged, hint_objective = the starting plan's, session_budget), ``moved`` ([{session,
reason}] for previous sessions moved or cancelled), ``session_pay`` (per session: on_shift,
adjacent, day_off attendees), ``coverage`` ({local date: lowest on duty - released - required}),
``precheck`` (messages), ``model`` (sizes), ``repaired_seats`` (seats added person by person
after naming people, see ``repair``) and ``timing`` (wall clock: build, greedy, solver, total
``first_cover_plan_seconds``, when the first complete cover-seeded plan existed,
``first_improved_seconds``, when CP-SAT first beat the starting plan, both from the call's
start, and the deterministic time CP-SAT measured, which varies in its last digits).

Determinism: the same input gives the same plan JSON, except ``stats["timing"]`` which holds
wall-clock figures only; compare plans with that key removed. The search is reproducible while
``planning.deterministic_time`` is what stops CP-SAT; ``planning.time_limit_seconds`` is a safety
net for the whole call (the solver gets what building and the greedy left of it, minus as much
again for naming people), and when it is what stopped the search
``stats["timing"]["solver_stopped_by"]`` says "wall_time" (raise the limit or lower the
deterministic time). On a 2-core machine one unit of deterministic time took 1-3 s of wall time
on these models.
"""

from __future__ import annotations

import time as _time
from datetime import date, datetime
from typing import Any

from scheduler_service.config.schema import Config
from scheduler_service.model import Plan
from scheduler_service.planner.assign import Assignment, assign
from scheduler_service.planner.explain import CandidateExplanation, explanations
from scheduler_service.planner.greedy import greedy
from scheduler_service.planner.precheck import precheck
from scheduler_service.planner.problem import Problem, build_problem
from scheduler_service.planner.repair import repair
from scheduler_service.planner.result import build_plan
from scheduler_service.planner.solution import Solution

__all__ = ["CandidateExplanation", "explain_person", "make_plan"]


def make_plan(
    config: Config,
    first: date,
    last: date,
    *,
    now: datetime,
    previous: Plan | None = None,
    greedy_only: bool = False,
    time_limit_seconds: float | None = None,
) -> Plan:
    clock = _time.perf_counter  # elapsed-time measurement only; never enters the plan content
    t0 = clock()
    prob = build_problem(config, first, last, now, previous)
    t1 = clock()
    findings = precheck(prob)
    cover: dict[str, Any] | None = None
    first_plan: float | None = None
    cover_dtime_used: float | None = None
    if greedy_only:
        base = greedy(prob)
    else:
        # the plan to improve on: each round opened as a minimum cover first (``cover.py``)
        from scheduler_service.planner.cover import CoverSeeder

        seeder = CoverSeeder(prob, cover_dtime(config))
        base = greedy(prob, seed=seeder)
        first_plan = clock()
        # Fewer sessions can take the room, facilitator or free time a later training needed:
        # when the plain greedy seats more of some training, cover again with it going first.
        plain = _unseated(prob, greedy(prob))
        short = [k for k, n in _unseated(prob, base).items() if n > plain.get(k, 0)]
        if any(not prob.trainings[k].prereqs for k in short):
            again = CoverSeeder(prob, cover_dtime(config))
            second = greedy(prob, seed=again, first=short)
            if sum(_unseated(prob, second).values()) < sum(_unseated(prob, base).values()):
                base, seeder = second, again
                seeder.log.first = short
        cover = seeder.log.as_dict()
        cover_dtime_used = round(seeder.log.deterministic_time, 3)
    t2 = clock()
    sol = base
    solver: dict[str, Any] = {"status": "GREEDY", "objective": None, "best_bound": None,
                              "gap": None, "deterministic_time": 0.0}
    model_size: dict[str, int] = {}
    if not greedy_only:
        from scheduler_service.planner.cpsat import solve

        limit = config.planning.time_limit_seconds if time_limit_seconds is None \
            else time_limit_seconds
        # the wall-clock limit bounds the whole call: building and the greedy have used some
        # of it; naming and repairing people afterwards (twice, for the greedy comparison)
        # takes about as long as building did, twice, and CP-SAT's passes may overrun by a
        # few percent
        spent = t2 - t0
        reserve = max(2.0, 2 * (t1 - t0)) + 0.03 * limit
        # the session budget: the sessions the covers opened plus the extra percent
        fewest = None if cover is None else cover["sessions"] + sum(
            1 for cid in prob.keep if cid in base.openings)
        sol, solver, model_size = solve(prob, base, max(1.0, limit - spent - reserve), fewest)
    t3 = clock()
    greedy_sessions = len(base.openings)
    att = assign(prob, sol)
    repaired = repair(prob, sol, att)
    if sol is not base:
        # The solver counts seats per profile; if, once people are named, its plan seats
        # fewer required people than the greedy plan does, the greedy plan is the better one.
        att_base = assign(prob, base)
        repaired_base = repair(prob, base, att_base)
        if _placed_required(prob, att_base) > _placed_required(prob, att):
            sol, att, repaired = base, att_base, repaired_base
            solver["fallback"] = "greedy placed more required people"
            solver["improved_at"] = None
    stopped_by = solver.pop("stopped_by", None)
    measured = solver.pop("measured_deterministic_time", None)
    improved_at = solver.pop("improved_at", None)
    extra: dict[str, Any] = {
        "greedy_sessions": greedy_sessions,
        "cover": cover,
        "repaired_seats": repaired,
        "solver": solver,
        "precheck": findings,
    }
    built = build_plan(prob, sol, att, extra)
    built.plan.stats["model"].update(model_size)
    built.plan.stats["timing"] = {
        "solver_stopped_by": stopped_by,
        "build_seconds": round(t1 - t0, 3),
        "greedy_seconds": round(t2 - t1, 3),
        "solver_wall_seconds": round(t3 - t2, 3),
        # when CP-SAT first found a plan better than the greedy one (None: it never did)
        "first_improved_seconds": None if improved_at is None else round(improved_at - t0, 3),
        # when the first complete plan seeded by minimum covers existed (before any re-run)
        "first_cover_plan_seconds": None if first_plan is None else round(first_plan - t0, 3),
        "total_seconds": round(clock() - t0, 3),
        "solver_measured_deterministic_time": measured,
        "cover_measured_deterministic_time": cover_dtime_used,
    }
    return built.plan


def _unseated(prob: Problem, sol: Solution) -> dict[str, int]:
    """Required people per training a profile-level solution leaves without a seat."""
    got: dict[str, int] = {}
    for cid, op in sol.openings.items():
        key = prob.candidates[cid].training
        got[key] = got.get(key, 0) + op.size
    out: dict[str, int] = {}
    for key, info in prob.trainings.items():
        n = sum(len(v) for v in info.demand.values()) - got.get(key, 0)
        if info.spec.required and n > 0:
            out[key] = n
    return out


def cover_dtime(config: Config) -> float:
    """Deterministic time for each CP-SAT solve of the cover stage (most prove in far less)."""
    return min(0.5, config.planning.deterministic_time / 8)


def _placed_required(prob: Problem, att: Assignment) -> int:
    return sum(len(who) for (t, _r), who in att.placed.items()
               if prob.trainings[t].spec.required)


def explain_person(
    config: Config, first: date, last: date, person_id: str, training_key: str, *,
    now: datetime, previous: Plan | None = None, plan: Plan | None = None,
) -> list[CandidateExplanation]:
    """Every candidate time of ``training_key`` for ``person_id`` and what blocks it.

    With ``plan`` (e.g. the latest saved plan), staffing used by its released attendees and the
    person's own sessions are taken into account; without, the rules alone are checked.
    """
    from scheduler_service.errors import PlanningError
    from scheduler_service.planner.timeutil import to_min

    if training_key not in config.trainings:
        raise PlanningError(f"unknown training {training_key!r}")
    if person_id not in {p.id for p in config.roster}:
        raise PlanningError(f"unknown person {person_id!r}")
    prob = build_problem(config, first, last, now, previous)
    attending: dict[int, str] = {}
    placed_end: dict[tuple[str, str], int] = {}
    released = [0] * len(prob.timeline.points)
    if plan is not None:
        for s in plan.sessions:
            if person_id in s.attendees:
                placed_end[(s.training, person_id)] = to_min(s.end)
                if s.training == training_key:
                    attending[to_min(s.start)] = s.id
    return explanations(prob, person_id, training_key, attending, placed_end, released)
