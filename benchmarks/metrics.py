"""Plan figures the benchmark prints, computed from the config and the plan alone.

- capacity bound: for every training (and round of a recurring one), ceil(people seated /
  capacity), summed. No plan can seat the same people in fewer sessions.
- required placed: (person, required training, round) pairs with a seat, over all such pairs.
- per-training bound: each required training and round alone, the fewest sessions seating
  every audience member who can be seated at all (set cover, CP-SAT; see ``training_bound``).
- overtime hours caused by training: per person and fixed pay week (local week start from the
  config), with S = hours of shifts starting in that week and X = session hours outside the
  person's shifts plus paid travel for an in-person session not inside a shift,
  max(0, S + X - threshold) - max(0, S - threshold). Weekly overtime only (no daily rules).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from scheduler_service.checker import Violation
from scheduler_service.checker.facts import audience_of, round_of, rounds_in_horizon
from scheduler_service.config.schema import Config, parse_clock
from scheduler_service.model import Plan, Session, Shift
from scheduler_service.planner.availability import RELEASED
from scheduler_service.rotations import expand_shifts

WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Figures:
    sessions: int
    capacity_bound: int
    required_pairs: int
    placed_pairs: int
    violations: int
    staffing_violations: int
    violation_kinds: dict[str, int]
    overtime_hours: float
    off_shift_hours: float

    @property
    def placed_share(self) -> float:
        return self.placed_pairs / self.required_pairs if self.required_pairs else 1.0


def figures(config: Config, plan: Plan, first: date, last: date,
            found: list[Violation]) -> Figures:
    sessions = [s for s in plan.sessions if s.status != "cancelled"]
    shifts = expand_shifts(config, first - timedelta(days=2), last + timedelta(days=1))
    kinds = Counter(v.kind for v in found)
    required, placed = _placement(config, sessions, first, last)
    overtime, off_shift = _overtime(config, sessions, shifts)
    return Figures(
        sessions=len(sessions), capacity_bound=_capacity_bound(config, sessions),
        required_pairs=required, placed_pairs=placed, violations=len(found),
        staffing_violations=kinds.get("staffing", 0), violation_kinds=dict(sorted(kinds.items())),
        overtime_hours=round(overtime, 1), off_shift_hours=round(off_shift, 1),
    )


def _round(config: Config, session: Session) -> tuple[str, tuple[int, int] | None]:
    training = config.trainings[session.training]
    return session.training, round_of(training, session.start.astimezone(config.zone).date())


def _capacity_bound(config: Config, sessions: list[Session]) -> int:
    return sum(capacity_by_training(config, sessions).values())


def capacity_by_training(config: Config, sessions: list[Session]) -> dict[str, int]:
    """Per training, ceil(people seated / capacity) summed over its rounds."""
    seated: dict[tuple[str, tuple[int, int] | None], set[str]] = defaultdict(set)
    for s in sessions:
        if s.training in config.trainings and s.status != "cancelled":
            seated[_round(config, s)].update(s.attendees)
    out: dict[str, int] = defaultdict(int)
    for (key, _), people in seated.items():
        out[key] += math.ceil(len(people) / config.trainings[key].capacity)
    return dict(sorted(out.items()))


def _placement(config: Config, sessions: list[Session], first: date, last: date) -> tuple[int, int]:
    have: set[tuple[str, str, tuple[int, int] | None]] = set()
    for s in sessions:
        if s.training in config.trainings:
            key, rnd = _round(config, s)
            have.update((p, key, rnd) for p in s.attendees)
    required = placed = 0
    for key, training in config.trainings.items():
        if not training.required:
            continue
        rounds: list[tuple[int, int] | None] = (
            list(rounds_in_horizon(training, first, last)) if training.recurrence else [None])
        for person in audience_of(config, key):
            for rnd in rounds:
                required += 1
                placed += (person, key, rnd) in have
    return required, placed


def _week_of(config: Config, instant: datetime) -> date:
    """The local date on which the pay week holding ``instant`` starts."""
    pay = config.pay
    local = instant.astimezone(config.zone)
    day = local.date() - timedelta(days=(local.weekday() - WEEK.index(pay.week_start_day)) % 7)
    if datetime.combine(day, parse_clock(pay.week_start_time), tzinfo=config.zone) > local:
        day -= timedelta(days=7)
    return day


def _outside(session: Session, own: list[Shift]) -> timedelta:
    inside = timedelta(0)
    for sh in own:
        lo, hi = max(session.start, sh.start), min(session.end, sh.end)
        if lo < hi:
            inside += hi - lo
    return (session.end - session.start) - inside


def _overtime(config: Config, sessions: list[Session], shifts: list[Shift]) -> tuple[float, float]:
    by_person: dict[str, list[Shift]] = defaultdict(list)
    worked: dict[tuple[str, date], float] = defaultdict(float)
    for sh in shifts:
        by_person[sh.person].append(sh)
        worked[(sh.person, _week_of(config, sh.start))] += sh.hours
    extra: dict[tuple[str, date], float] = defaultdict(float)
    travel = config.pay.travel_minutes / 60
    for s in sessions:
        delivery = config.trainings[s.training].delivery if s.training in config.trainings else ""
        for person in set(s.attendees) | set(s.facilitators):
            out = _outside(s, by_person.get(person, [])).total_seconds() / 3600
            if out > 0:
                out += travel if delivery == "in_person" else 0.0
                extra[(person, _week_of(config, s.start))] += out
    limit = config.pay.weekly_overtime_hours
    overtime = sum(max(0.0, worked[k] + x - limit) - max(0.0, worked[k] - limit)
                   for k, x in extra.items())
    return overtime, sum(extra.values())


@dataclass(frozen=True)
class TrainingBound:
    """Sum over required trainings and rounds of each one's set-cover optimum (or best bound)."""

    sessions: int
    proven: bool
    rounds: int
    seatable_pairs: int
    per_training: dict[str, int]  # training -> its bound summed over rounds


def min_sessions(groups: list[tuple[int, frozenset[int]]], capacity: int,
                 limit: float = 5.0, released: list[frozenset[int]] | None = None,
                 headroom: dict[int, int] | None = None) -> tuple[int, bool]:
    """Fewest sessions seating every group: ``(people, eligible candidate starts)`` pairs.

    Several sessions may open at one start (rooms are ignored), so a start seats ``capacity``
    times the sessions opened there. With ``released`` (per group, the starts at which it would
    be released from the phones) and ``headroom`` (per start, how many people the staffing
    minimum lets go at once with nobody else released), the released seats at each start stay
    within its headroom. A set-cover ILP (CP-SAT, one worker, fixed seed); when not proven
    optimal within ``limit`` seconds, the solver's best objective bound (rounded up) is
    returned: still a lower bound. Groups with no eligible candidate are left out."""
    from ortools.sat.python import cp_model

    rel = released if released is not None else [frozenset()] * len(groups)
    kept = [(n, elig, r) for (n, elig), r in zip(groups, rel, strict=True) if n > 0 and elig]
    groups = [(n, elig) for n, elig, _r in kept]
    rel = [r for _n, _e, r in kept]
    if not groups:
        return 0, True
    model = cp_model.CpModel()
    reach: dict[int, int] = {}  # candidate -> people who could take it
    for n, elig in groups:
        for c in elig:
            reach[c] = reach.get(c, 0) + n
    # sessions opened at each start: parallel sessions are allowed (rooms are ignored)
    opened = {c: model.new_int_var(0, math.ceil(m / capacity), f"open{c}")
              for c, m in sorted(reach.items())}
    seated: dict[int, list[cp_model.IntVar]] = {c: [] for c in opened}
    freed: dict[int, list[cp_model.IntVar]] = {}
    for i, (n, elig) in enumerate(groups):
        seats = []
        for c in sorted(elig):
            x = model.new_int_var(0, n, f"x{i}_{c}")
            seats.append(x)
            seated[c].append(x)
            if c in rel[i]:
                freed.setdefault(c, []).append(x)
        model.add(sum(seats) == n)
    for c, xs in sorted(freed.items()):
        if headroom is not None and c in headroom:
            model.add(sum(xs) <= headroom[c])
    for c, var in opened.items():
        model.add(sum(seated[c]) <= capacity * var)
    total = sum(n for n, _e in groups)
    model.add(sum(opened.values()) >= math.ceil(total / capacity))
    model.minimize(sum(opened.values()))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    if status == cp_model.OPTIMAL:
        return round(solver.objective_value), True
    bound = max(math.ceil(total / capacity), math.ceil(solver.best_objective_bound - 1e-6))
    return bound, False


def training_bound(config: Config, first: date, last: date, now: datetime,
                   limit: float = 5.0, seated: Plan | None = None) -> TrainingBound:
    """Each required training and round alone: the fewest sessions seating every audience member
    who can be seated at all (ignoring rooms, other trainings and staffing interactions).

    With ``seated`` (a plan), only the people that plan seats in the round count: the fewest
    sessions for the same people, the fair bound for a plan that leaves someone out.

    Eligibility comes from the planner's candidates (``build_problem``): a person's profile can
    attend a candidate when the candidate offers that profile a seat. The planner prunes a start
    only when a neighbouring start offers a superset, which leaves the set-cover optimum as is."""
    from scheduler_service.planner.problem import build_problem

    problem = build_problem(config, first, last, now, None)
    tl = problem.timeline
    # how many people the staffing minimum lets go at once at each candidate, nobody else out
    headroom = {c.cid: max(0, int(tl.cap[c.segs.start:c.segs.stop].min())) if c.segs else 0
                for c in problem.candidates}
    took: dict[tuple[str, str], set[date]] = defaultdict(set)  # (training, person) -> days
    if seated is not None:
        for sess in seated.sessions:
            if sess.status != "cancelled":
                day = sess.start.astimezone(config.zone).date()
                for p in sess.attendees:
                    took[(sess.training, p)].add(day)
    total = rounds = pairs = 0
    proven = True
    per: dict[str, int] = {}
    for info in problem.trainings.values():
        if not info.spec.required:
            continue
        for rnd, cids in sorted(info.by_round.items()):
            people: Counter[tuple[frozenset[int], frozenset[int]]] = Counter()
            days = set(info.rounds[rnd].days) if rnd < len(info.rounds) else set()
            for (r, gid), who in info.demand.items():
                if r == rnd:
                    elig = frozenset(c for c in cids if gid in problem.candidates[c].seats)
                    freed = frozenset(c for c in elig
                                      if problem.candidates[c].seats[gid].kind == RELEASED)
                    n = len(who) if seated is None else sum(
                        1 for p in who if took.get((info.key, p), set()) & days)
                    if elig and n:
                        people[(elig, freed)] += n
            if not people:
                continue
            keyed = sorted(((k, e, f) for (e, f), k in people.items()),
                           key=lambda g: (sorted(g[1]), sorted(g[2])))
            n, done = min_sessions([(k, e) for k, e, _f in keyed], info.spec.capacity, limit,
                                   [f for _k, _e, f in keyed], headroom)
            total, rounds, pairs = total + n, rounds + 1, pairs + sum(people.values())
            per[info.key] = per.get(info.key, 0) + n
            proven = proven and done
    return TrainingBound(sessions=total, proven=proven, rounds=rounds, seatable_pairs=pairs,
                         per_training=dict(sorted(per.items())))


def now_for(first: date) -> datetime:
    """A fixed 'now' for benchmark runs: two weeks before the horizon, UTC midnight."""
    return datetime.combine(first - timedelta(days=14), datetime.min.time(), tzinfo=UTC)
