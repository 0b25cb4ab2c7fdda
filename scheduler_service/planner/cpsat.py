"""The optimising model (OR-Tools CP-SAT 9.15) at profile level.

Variables: ``y[c]`` candidate c is opened; ``f[c,k]`` facilitator k leads it; ``n[c,g]`` seats for
profile g; ``u[t,r,g]`` people of profile g left unplaced in round r of training t. Hard
constraints mirror RULES.md: capacity and minimum size, demand, offerings per round, rooms and
facilitators one session at a time, profile members one place at a time, staffing per timeline
segment for released seats (also per team), weekly training-hour caps, and prerequisites through
cumulative counts (started T by tau <= finished P by tau - gap, per profile).

Objective, lexicographic by weights: unplaced people (required ones first), sessions beyond the
session budget, previous sessions not kept, then the weighted cost in hours (``cost.py``). The
session budget is the number of sessions the session-count-first cover (``cover.py``) opened
plus ``planning.extra_sessions_percent``: within it the solver may add sessions when that lowers
the cost in hours (say, moves people from overtime on a day off to paid time next to a shift);
beyond it a session costs more than any seat can save, so it is opened only to seat someone who
is required. See :func:`weights`.

Reproducibility: one worker, a fixed seed and ``max_deterministic_time``; the wall-clock limit is
only a safety net (if it is the one that stops the search, the result may vary with load).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from scheduler_service.planner.availability import RELEASED
from scheduler_service.planner.cost import SCALE, session_units
from scheduler_service.planner.problem import Candidate, Problem
from scheduler_service.planner.solution import Opening, Solution

W_MOVE = 200 * SCALE
LARGE_MODEL = 60_000  # variables; above this the model is solved training by training
BOUND_MODEL = 10_000  # variables; up to this a whole-model pass always runs (for the gap)


@dataclass(frozen=True)
class Weights:
    """Model units of the lexicographic tiers (``SCALE`` units = one weighted hour)."""

    unplaced: int
    unplaced_optional: int
    over_budget: int
    budget: int | None  # sessions allowed before ``over_budget`` applies (None: no budget)


def weights(prob: Problem, budget: int | None) -> Weights:
    """A session over the budget costs more than the seats of any one session can save
    (capacity x the dearest seat, plus the session's own cost); an unplaced required person
    costs more than two such sessions, and at least 1,000 hours."""
    over = 0
    for info in prob.trainings.values():
        top = 0
        for cids in info.by_round.values():
            for cid in cids:
                top = max([top, *(s.units for s in prob.candidates[cid].seats.values())])
        fixed = session_units(prob.config, info.duration, info.spec.facilitators_needed)
        over = max(over, info.spec.capacity * top + fixed + 1)
    # above moving a published session and above an unplaced optional person too
    over = max(over, W_MOVE + 1, 100 * SCALE + 1)
    return Weights(unplaced=max(1000 * SCALE, 2 * over + 1),
                   unplaced_optional=100 * SCALE, over_budget=over, budget=budget)


def session_budget(prob: Problem, start: Solution, fewest: int | None = None) -> int:
    """``fewest`` plus ``planning.extra_sessions_percent`` (rounded down: the default 1 % adds
    nothing below 100 sessions). ``fewest`` is what the cover stage opened (``make_plan``), else
    the starting plan's count. Sessions the greedy pass added for people the covers left out
    count against the budget: the solver is pushed to merge them away, never at the price of
    an unplaced required person."""
    pct = prob.config.planning.extra_sessions_percent
    base = len(start.openings) if fewest is None else fewest
    return math.floor(base * (1 + pct / 100) + 1e-9)


class Model:
    def __init__(self, prob: Problem, w: Weights, only: set[int] | None = None) -> None:
        self.p = prob
        self.w = w
        self.only = only  # restrict to these candidate ids (decomposition)
        self.m = cp_model.CpModel()
        self.y: dict[int, Any] = {}
        self.f: dict[tuple[int, str], Any] = {}
        self.n: dict[tuple[int, int], Any] = {}
        self.ub: dict[int, int] = {}  # id(seat var) -> upper bound
        self.u: dict[tuple[str, int, int], Any] = {}
        self.aux: list[tuple[Any, list[tuple[int, int]]]] = []  # prefix var = sum of n keys
        self.objective: list[tuple[Any, int]] = []
        self.constant = 0
        self.over: Any = None

    def cands(self) -> list[Candidate]:
        if self.only is None:
            return self.p.candidates
        return [c for c in self.p.candidates if c.cid in self.only]

    def fix(self, sol: Solution, keep: frozenset[str]) -> None:
        """Freeze every opening of ``sol`` outside the trainings ``keep`` (decomposition)."""
        for cid, op in sol.openings.items():
            c = self.p.candidates[cid]
            if c.training in keep or cid not in self.y:
                continue
            self.m.add(self.y[cid] == 1)
            for k in c.facilitators:
                if (cid, k) in self.f:
                    self.m.add(self.f[(cid, k)] == int(k in op.facilitators))
            for gid in c.seats:
                if (cid, gid) in self.n:
                    self.m.add(self.n[(cid, gid)] == op.seats.get(gid, 0))

    # --- variables ------------------------------------------------------------------------

    def build(self) -> None:
        p = self.p
        m = self.m
        for c in self.cands():
            info = p.trainings[c.training]
            y = m.new_bool_var(f"y{c.cid}")
            self.y[c.cid] = y
            need = info.spec.facilitators_needed
            if need:
                if len(c.facilitators) == need:
                    for k in c.facilitators:
                        self.f[(c.cid, k)] = y
                else:
                    fs = [m.new_bool_var(f"f{c.cid}_{k}") for k in c.facilitators]
                    for k, v in zip(c.facilitators, fs, strict=True):
                        self.f[(c.cid, k)] = v
                    m.add(sum(fs) == need * y)
            seats = []
            for gid in sorted(c.seats):
                demand = len(info.demand.get((c.rnd, gid), ()))
                ub = min(info.spec.capacity, demand, p.groups[gid].size)
                if ub <= 0:
                    continue
                v = m.new_int_var(0, ub, f"n{c.cid}_{gid}")
                self.n[(c.cid, gid)] = v
                self.ub[id(v)] = ub
                m.add(v <= ub * y)
                seats.append(v)
                self.objective.append((v, c.seats[gid].units))
            m.add(sum(seats) <= info.spec.capacity * y)
            size = info.min_size(c.rnd)
            sole = [self.n[(c.cid, g)] for g in sorted(c.sole) if (c.cid, g) in self.n]
            if size > 1 and sole:
                m.add(sum(seats) >= size * y - size * sum(sole))
            else:
                m.add(sum(seats) >= size * y)
            self.objective.append((y, session_units(p.config, info.duration, need)))
            if c.cid in p.keep:
                self.objective.append((y, -W_MOVE))
                self.constant += W_MOVE
        self._demand()
        self._budget()
        self._capacity_cuts()
        self._offerings()
        self._rooms()
        self._facilitators()
        self._groups()
        self._staffing()
        self._weekly()
        self._prerequisites()
        self.m.minimize(sum(coef * v for v, coef in self.objective) + self.constant)

    def _budget(self) -> None:
        """Sessions over the budget: ``over >= sum(y) - budget``."""
        budget = self.w.budget
        if budget is None or len(self.y) <= budget:
            return
        self.over = self.m.new_int_var(0, len(self.y) - budget, "over_budget")
        self.m.add(sum(self.y.values()) - self.over <= budget)
        self.objective.append((self.over, self.w.over_budget))

    def _demand(self) -> None:
        by: dict[tuple[str, int, int], list[Any]] = {}
        for (cid, gid), v in self.n.items():
            c = self.p.candidates[cid]
            by.setdefault((c.training, c.rnd, gid), []).append(v)
        for key, info in self.p.trainings.items():
            weight = self.w.unplaced if info.spec.required else self.w.unplaced_optional
            for (r, gid), members in info.demand.items():
                u = self.m.new_int_var(0, len(members), f"u_{key}_{r}_{gid}")
                self.u[(key, r, gid)] = u
                self.m.add(sum(by.get((key, r, gid), [])) + u == len(members))
                self.objective.append((u, weight))

    def _capacity_cuts(self) -> None:
        """Sessions per round >= ceil(demand / capacity) - unplaced (valid; helps the bound)."""
        for key, info in self.p.trainings.items():
            for r, all_cids in sorted(info.by_round.items()):
                cids = [c for c in all_cids if c in self.y]
                us = [u for (t, rr, _g), u in self.u.items() if t == key and rr == r]
                demand = sum(len(v) for (rr, _g), v in info.demand.items() if rr == r)
                need = -(-demand // info.spec.capacity)
                if need > 0 and cids:
                    self.m.add(sum(self.y[c] for c in cids) + sum(us) >= need)

    def _offerings(self) -> None:
        for info in self.p.trainings.values():
            limit = info.offerings()
            if limit is None:
                continue
            for all_cids in info.by_round.values():
                cids = [c for c in all_cids if c in self.y]
                if len(cids) > limit:
                    self.m.add(sum(self.y[c] for c in cids) <= limit)

    def _at_most_one_over_time(self, items: list[tuple[Candidate, Any]]) -> None:
        """At every start, at most one of the (candidate, literal) items covering it."""
        for group in _cliques([(c.start, c.end, v) for c, v in items]):
            if len(group) > 1:
                self.m.add_at_most_one(group)

    def _rooms(self) -> None:
        rooms: dict[str, list[tuple[Candidate, Any]]] = {}

        for c in self.cands():
            room = self.p.trainings[c.training].room
            if room:
                rooms.setdefault(room, []).append((c, self.y[c.cid]))
        for room in sorted(rooms):
            self._at_most_one_over_time(rooms[room])

    def _facilitators(self) -> None:
        per: dict[str, list[tuple[Candidate, Any]]] = {}
        for (cid, k), v in self.f.items():
            per.setdefault(k, []).append((self.p.candidates[cid], v))
        for g in self.p.groups:
            if g.facilitator is None:
                continue
            for (cid, gid), v in self.n.items():
                if gid == g.gid:
                    per.setdefault(g.facilitator, []).append((self.p.candidates[cid], v))
        for k in sorted(per):
            self._at_most_one_over_time(per[k])

    def _groups(self) -> None:
        per: dict[int, list[tuple[int, int, Any, int, str]]] = {}
        for (cid, gid), v in self.n.items():
            c = self.p.candidates[cid]
            if self.p.groups[gid].facilitator is not None:
                continue  # covered with their facilitating in _facilitators
            per.setdefault(gid, []).append((c.start, c.end, v, self.ub[id(v)],
                                            c.training))
        for gid in sorted(per):
            size = self.p.groups[gid].size
            items = per[gid]
            if len({t for *_x, t in items}) < 2:
                continue
            seen: set[tuple[int, ...]] = set()
            for clique in _cliques_full(items):
                trainings = {it[4] for it in clique}
                if len(trainings) < 2 or sum(it[3] for it in clique) <= size:
                    continue
                key = tuple(sorted(id(it[2]) for it in clique))
                if key in seen:
                    continue
                seen.add(key)
                self.m.add(sum(it[2] for it in clique) <= size)

    def _staffing(self) -> None:
        tl = self.p.timeline
        per_seg: dict[int, list[tuple[Any, int]]] = {}
        for (cid, gid), v in self.n.items():
            c = self.p.candidates[cid]
            if c.seats[gid].kind != RELEASED:
                continue
            for i in c.segs:
                per_seg.setdefault(i, []).append((v, gid))
        done: dict[tuple[int, ...], int] = {}
        team_done: dict[tuple[str, tuple[int, ...]], int] = {}
        for i in sorted(per_seg):
            items = per_seg[i]
            cap = int(tl.cap[i])
            ub = sum(self.ub[id(v)] for v, _g in items)
            key = tuple(sorted(id(v) for v, _g in items))
            if ub > cap and done.get(key, 1 << 30) > cap:
                done[key] = cap
            for team, tcap in tl.team_cap.items():
                sub = [v for v, g in items if self.p.groups[g].team == team]
                if not sub:
                    continue
                tkey = (team, tuple(sorted(id(v) for v in sub)))
                c_ = int(tcap[i])
                if sum(self.ub[id(v)] for v in sub) > c_ and \
                        team_done.get(tkey, 1 << 30) > c_:
                    team_done[tkey] = c_
                    self.m.add(sum(sub) <= c_)
        vars_by_id = {id(v): v for (_c, _g), v in self.n.items()}
        for key, cap in sorted(done.items(), key=lambda kv: kv[0]):
            self.m.add(sum(vars_by_id[x] for x in key) <= cap)

    def _weekly(self) -> None:
        for g in self.p.groups:
            if g.weekly_limit is None:
                continue
            per_week: dict[int, list[tuple[Any, int]]] = {}
            for (cid, gid), v in self.n.items():
                if gid != g.gid:
                    continue
                c = self.p.candidates[cid]
                for wk, minutes in self.p.weeks.split(c.start, c.end).items():
                    per_week.setdefault(wk, []).append((v, minutes))
            limit = round(g.weekly_limit * 60)
            for wk in sorted(per_week):
                items = per_week[wk]
                self.m.add(sum(mins * v for v, mins in items) <= limit)

    def _prerequisites(self) -> None:
        from scheduler_service.planner.greedy import completed_by_group

        done = completed_by_group(self.p)
        by: dict[tuple[str, int], list[int]] = {}
        for (cid, gid) in self.n:
            by.setdefault((self.p.candidates[cid].training, gid), []).append(cid)
        for key, info in self.p.trainings.items():
            for pre, gap in info.prereqs:
                for g in self.p.groups:
                    if key not in g.trainings or pre not in g.trainings:
                        continue
                    if pre in done.get(g.gid, set()):
                        continue
                    t_c = by.get((key, g.gid), [])
                    if not t_c:
                        continue
                    self._chain(g.gid, pre, key, gap, by.get((pre, g.gid), []), t_c)

    def _chain(self, gid: int, pre: str, key: str, gap: int, p_c: list[int], t_c: list[int]
               ) -> None:
        cands = self.p.candidates
        p_sorted = sorted(p_c, key=lambda c: cands[c].end)
        p_ends = [cands[c].end for c in p_sorted]
        p_prefix = self._prefix(gid, p_sorted, f"P{pre}_{gid}")
        t_sorted = sorted(t_c, key=lambda c: cands[c].start)
        t_prefix = self._prefix(gid, t_sorted, f"T{key}_{gid}")
        from bisect import bisect_right

        for i, cid in enumerate(t_sorted):
            if i + 1 < len(t_sorted) and cands[t_sorted[i + 1]].start == cands[cid].start:
                continue  # constrain once per distinct start, after all ties
            k = bisect_right(p_ends, cands[cid].start - gap)
            if k == 0:
                self.m.add(t_prefix[i] == 0)
            else:
                self.m.add(t_prefix[i] <= p_prefix[k - 1])

    def _prefix(self, gid: int, cids: list[int], name: str) -> list[Any]:
        out: list[Any] = []
        size = self.p.groups[gid].size
        for i, cid in enumerate(cids):
            v = self.m.new_int_var(0, size, f"{name}_{i}")
            term = self.n[(cid, gid)]
            self.m.add(v == (out[-1] + term if out else term))
            self.aux.append((v, [(c, gid) for c in cids[: i + 1]]))
            out.append(v)
        return out

    # --- hints and extraction ---------------------------------------------------------------

    def hint(self, sol: Solution) -> int:
        """Add a complete hint from ``sol``; returns its objective value."""
        values: dict[int, int] = {}

        def put(var: Any, value: int) -> None:
            if var.index not in values:
                values[var.index] = value
                self.m.add_hint(var, value)

        for cid, y in self.y.items():
            put(y, int(cid in sol.openings))
        for (cid, k), v in self.f.items():
            op = sol.openings.get(cid)
            put(v, int(op is not None and k in op.facilitators))
        for (cid, gid), v in self.n.items():
            op = sol.openings.get(cid)
            put(v, op.seats.get(gid, 0) if op else 0)
        placed: dict[tuple[str, int, int], int] = {}
        for cid, op in sol.openings.items():
            c = self.p.candidates[cid]
            for gid, seats in op.seats.items():
                trg = (c.training, c.rnd, gid)
                placed[trg] = placed.get(trg, 0) + seats
        for (t, r, gid), u in self.u.items():
            demand = len(self.p.trainings[t].demand[(r, gid)])
            put(u, demand - placed.get((t, r, gid), 0))
        if self.over is not None and self.w.budget is not None:
            opened = sum(1 for cid in self.y if cid in sol.openings)
            put(self.over, max(0, opened - self.w.budget))
        for v, keys in self.aux:
            total = 0
            for cid, gid in keys:
                op = sol.openings.get(cid)
                total += op.seats.get(gid, 0) if op else 0
            put(v, total)
        return self.constant + sum(coef * values.get(v.index, 0) for v, coef in self.objective)

    def extract(self, solver: cp_model.CpSolver) -> Solution:
        sol = Solution(method="cp-sat")
        for cid, y in self.y.items():
            if not solver.boolean_value(y):
                continue
            c = self.p.candidates[cid]
            facs = tuple(sorted(k for k in c.facilitators
                                if (cid, k) in self.f and solver.boolean_value(self.f[(cid, k)])))
            seats = {gid: int(solver.value(self.n[(cid, gid)])) for gid in sorted(c.seats)
                     if (cid, gid) in self.n and solver.value(self.n[(cid, gid)]) > 0}
            sol.openings[cid] = Opening(cid, facs, seats)
        return sol


def _cliques(items: list[tuple[int, int, Any]]) -> list[list[Any]]:
    """Maximal sets of intervals sharing a start point (enough for interval overlap)."""
    out = []
    for clique in _cliques_full([(s, e, v, 1, "") for s, e, v in items]):
        out.append([it[2] for it in clique])
    return out


def _cliques_full(items: list[tuple[int, int, Any, int, str]]
                  ) -> list[list[tuple[int, int, Any, int, str]]]:
    """For each distinct start, the items covering it; dominated (subset) sets are dropped."""
    items = sorted(items, key=lambda it: (it[0], it[1]))
    starts = sorted({it[0] for it in items})
    out: list[list[tuple[int, int, Any, int, str]]] = []
    active: list[tuple[int, int, Any, int, str]] = []
    j = 0
    prev_ids: set[int] = set()
    for tau in starts:
        active = [it for it in active if it[1] > tau]
        while j < len(items) and items[j][0] <= tau:
            if items[j][1] > tau:
                active.append(items[j])
            j += 1
        ids = {id(it) for it in active}
        if ids <= prev_ids:
            continue
        out.append(list(active))
        prev_ids = ids
    return out


def objective_of(prob: Problem, sol: Solution, w: Weights) -> int:
    """The model's objective for a solution, computed directly (model units)."""
    total = 0
    if w.budget is not None:
        total += w.over_budget * max(0, len(sol.openings) - w.budget)
    placed: dict[tuple[str, int, int], int] = {}
    for cid, op in sol.openings.items():
        c = prob.candidates[cid]
        info = prob.trainings[c.training]
        total += session_units(prob.config, info.duration, info.spec.facilitators_needed)
        for gid, k in op.seats.items():
            total += c.seats[gid].units * k
            trg = (c.training, c.rnd, gid)
            placed[trg] = placed.get(trg, 0) + k
    for key, info in prob.trainings.items():
        weight = w.unplaced if info.spec.required else w.unplaced_optional
        for (r, gid), members in info.demand.items():
            total += weight * (len(members) - placed.get((key, r, gid), 0))
    total += W_MOVE * sum(1 for cid in prob.keep if cid not in sol.openings)
    return total


def model_size(prob: Problem) -> int:
    """Rough variable count of the full model, known before building it."""
    return sum(1 + len(c.seats) + len(c.facilitators) for c in prob.candidates)


def solve(prob: Problem, hint: Solution, time_limit: float, fewest: int | None = None
          ) -> tuple[Solution, dict[str, Any], dict[str, int]]:
    """Training-by-training passes first (fast, large gains: each step gets a share of the
    whole deterministic budget); then, for models that are not too large, the whole model with
    the budget the passes left uncharged (when they stopped improving early)."""
    import time as _time

    t0 = _time.perf_counter()
    budget = prob.config.planning.deterministic_time
    large = model_size(prob) > LARGE_MODEL
    w = weights(prob, session_budget(prob, hint, fewest))
    # a small model keeps part of the budget for the whole-model pass, which reports CP-SAT's
    # proven bound (the gap); larger ones use it all for the passes (the bound pass cost 200
    # people about 3 s of wall time for a bound of little use)
    small = model_size(prob) <= BOUND_MODEL
    passes = budget - min(1.0, 0.125 * budget) if small else budget
    sol, stats, size = solve_by_training(prob, hint, time_limit, passes, w)
    stats["session_budget"] = w.budget
    left_wall = time_limit - (_time.perf_counter() - t0)
    left_dtime = budget - stats.pop("charged")
    if large or left_wall <= 0 or left_dtime <= 0.05:
        return sol, stats, size
    sol2, whole, size2 = solve_whole(prob, sol, left_wall, left_dtime, w)
    whole["session_budget"] = w.budget
    whole["hint_objective"] = stats["hint_objective"]
    whole["method"] = "per-training+whole"
    whole["measured_deterministic_time"] = round(
        whole["measured_deterministic_time"] + stats["measured_deterministic_time"], 3)
    whole["deterministic_time"] = round(whole["deterministic_time"] + stats["deterministic_time"],
                                        3)
    for k in ("steps", "improved_steps", "step_statuses"):
        whole[k] = stats[k]
    if stats["stopped_by"] == "wall_time":
        whole["stopped_by"] = "wall_time"
    whole["improved_at"] = _first(stats["improved_at"], whole["improved_at"])
    return sol2, whole, {**size, **size2}


class _Watch(cp_model.CpSolverSolutionCallback):
    """Notes the wall-clock moment of the first solution better than ``threshold`` (timing
    only: a callback does not change the single-worker search)."""

    def __init__(self, threshold: float) -> None:
        super().__init__()
        self.threshold = threshold
        self.at: float | None = None

    def on_solution_callback(self) -> None:
        if self.at is None and self.objective_value < self.threshold - 1e-6:
            self.at = _perf()


def _perf() -> float:
    import time as _time

    return _time.perf_counter()


def _first(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def _params(solver: cp_model.CpSolver, prob: Problem, dtime: float, wall: float) -> None:
    params = solver.parameters
    params.num_workers = 1
    # A light presolve: on these models full presolve (probing, symmetry) can eat the whole
    # deterministic budget before the search even loads the (complete, feasible) hint.
    params.symmetry_level = 0
    params.cp_model_probing_level = 0
    params.max_presolve_iterations = 1
    params.random_seed = prob.config.planning.seed
    params.max_deterministic_time = dtime
    params.max_time_in_seconds = max(0.1, wall)


def solve_by_training(prob: Problem, hint: Solution, time_limit: float, budget: float,
                      w: Weights) -> tuple[Solution, dict[str, Any], dict[str, int]]:
    """Large instances: re-optimise one training at a time with everything else frozen (a
    deterministic large-neighbourhood search). Each step starts from the current solution as
    a complete hint, so the objective never gets worse. Passes repeat while one improves and
    the budget lasts."""
    import time as _time

    clock = _time.perf_counter  # safety net only; the deterministic budget normally binds
    t0 = clock()
    sol = Solution(method="cp-sat", openings={
        cid: Opening(cid, op.facilitators, dict(op.seats)) for cid, op in hint.openings.items()})
    keys = [k for k, info in prob.trainings.items() if info.by_round]
    per = budget / max(1, 2 * len(keys))
    dtime = 0.0
    steps = improved = 0
    largest = {"variables": 0, "constraints": 0}
    start_obj = objective_of(prob, sol, w)
    statuses: dict[str, int] = {}
    stopped = "deterministic_time"
    order: list[frozenset[str]] = [frozenset([k]) for k in keys]
    improved_now = True
    first_at: float | None = None
    charged = 0.0  # every step is charged its full allotment: a fixed, reproducible step count
    while improved_now and order and charged + per <= budget + 1e-9:
        improved_now = False
        # first, trainings leaving required people out, together with the trainings they share
        # a room or facilitators with (what blocks them is often one of those); then one by one
        for key in [*neighbourhoods(prob, sol), *order]:
            if charged + per > budget + 1e-9:
                break
            charged += per
            left = time_limit - (clock() - t0)
            if left <= 0:
                stopped = "wall_time"
                break
            better, step = _step(prob, sol, key, per, left, w)
            first_at = _first(first_at, step["improved_at"])
            dtime += step["dtime"]
            steps += 1
            statuses[step["status"]] = statuses.get(step["status"], 0) + 1
            largest = {k: max(largest[k], step[k]) for k in largest}
            if step["wall"]:
                stopped = "wall_time"
            if better is not None:
                sol = better
                improved += 1
                improved_now = True
        if stopped == "wall_time":
            break
    final = objective_of(prob, sol, w)
    stats: dict[str, Any] = {
        "status": "FEASIBLE", "method": "per-training", "objective": final / SCALE,
        # the budget charged (reproducible); what CP-SAT measured varies in the last digits
        "best_bound": None, "gap": None, "deterministic_time": round(charged, 3),
        "measured_deterministic_time": round(dtime, 3),
        "hint_objective": start_obj / SCALE, "steps": steps, "improved_steps": improved,
        "step_statuses": dict(sorted(statuses.items())), "stopped_by": stopped,
        "used": "cp-sat", "improved_at": first_at, "charged": charged,
    }
    return sol, stats, {"largest_step_" + k: v for k, v in largest.items()}


def neighbourhoods(prob: Problem, sol: Solution, most: int = 6) -> list[frozenset[str]]:
    """For each training with required people unplaced in ``sol``: it and up to ``most - 1``
    trainings sharing its room or a facilitator (most shared first)."""
    placed: dict[str, int] = {}
    for cid, op in sol.openings.items():
        key = prob.candidates[cid].training
        placed[key] = placed.get(key, 0) + op.size
    out: list[frozenset[str]] = []
    for key, info in prob.trainings.items():
        demand = sum(len(v) for v in info.demand.values())
        if not info.spec.required or not info.by_round or placed.get(key, 0) >= demand:
            continue
        mine = set(info.spec.facilitators)
        shared = []
        for other, o in prob.trainings.items():
            if other == key or not o.by_round:
                continue
            score = 2 * int(info.room is not None and info.room == o.room) + len(
                mine & set(o.spec.facilitators))
            if score:
                shared.append((-score, other))
        group = frozenset([key, *(k for _s, k in sorted(shared)[: most - 1])])
        if len(group) > 1 and group not in out:
            out.append(group)
    return out


def _step(prob: Problem, sol: Solution, keys: frozenset[str], per: float, left: float,
          w: Weights) -> tuple[Solution | None, dict[str, Any]]:
    """Re-optimise the trainings ``keys`` with every other opening of ``sol`` frozen."""
    only = {c.cid for c in prob.candidates if c.training in keys} | set(sol.openings)
    model = Model(prob, w, only)
    model.build()
    model.fix(sol, keys)
    before = model.hint(sol)
    proto = model.m.proto
    solver = cp_model.CpSolver()
    _params(solver, prob, per, left)
    watch = _Watch(before)
    status = solver.solve(model.m, watch)
    info: dict[str, Any] = {
        "dtime": solver.deterministic_time, "status": solver.status_name(status),
        "improved_at": watch.at,
        "variables": len(proto.variables), "constraints": len(proto.constraints),
        "wall": status != cp_model.OPTIMAL and solver.deterministic_time < 0.98 * per,
    }
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) and solver.objective_value < before:
        if info["improved_at"] is None:  # found without a callback (e.g. in presolve)
            info["improved_at"] = _perf()
        return model.extract(solver), info
    return None, info


def solve_whole(prob: Problem, hint: Solution, time_limit: float, budget: float,
                w: Weights) -> tuple[Solution, dict[str, Any], dict[str, int]]:
    model = Model(prob, w)
    model.build()
    hint_obj = model.hint(hint)
    proto = model.m.proto
    size = {"variables": len(proto.variables), "constraints": len(proto.constraints)}
    solver = cp_model.CpSolver()
    _params(solver, prob, budget, time_limit)
    watch = _Watch(hint_obj)
    status = solver.solve(model.m, watch)
    name = solver.status_name(status)
    stopped = "wall_time" if (status != cp_model.OPTIMAL and solver.deterministic_time
                              < 0.98 * budget) else "deterministic_time"
    stats: dict[str, Any] = {"status": name, "method": "whole", "objective": None,
                             "stopped_by": stopped,
                             "best_bound": None, "gap": None,
                             "deterministic_time": round(budget, 3),
                             "measured_deterministic_time": round(solver.deterministic_time, 3),
                             "hint_objective": hint_obj / SCALE, "improved_at": watch.at}
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        stats.update({"objective": hint_obj / SCALE, "used": "greedy"})
        return hint, stats, size
    obj = solver.objective_value
    bound = solver.best_objective_bound
    if obj > hint_obj:
        stats.update({"objective": hint_obj / SCALE, "best_bound": round(bound / SCALE, 2),
                      "used": "greedy"})
        return hint, stats, size
    if obj < hint_obj and stats["improved_at"] is None:
        stats["improved_at"] = _perf()
    gap = 0.0 if obj <= 0 else max(0.0, (obj - bound) / obj)
    found = model.extract(solver)
    stats.update({"objective": round(obj / SCALE, 2), "best_bound": round(bound / SCALE, 2),
                  "gap": round(gap, 4), "used": "cp-sat", **_hours_gap(prob, found, w, obj,
                                                                        bound)})
    return found, stats, size


def _hours_gap(prob: Problem, sol: Solution, w: Weights, obj: float, bound: float
               ) -> dict[str, float | None]:
    """The gap on the cost in hours alone. The objective also holds the tiers (unplaced people,
    sessions over the budget, moved sessions), which dwarf the hours. Every plan whose tier part
    is no larger than this one's (the lexicographic optimum among them) has hours of at least
    bound minus this plan's tier part."""
    hours = _hours_units(prob, sol)
    tier = objective_of(prob, sol, w) - hours
    if hours <= 0:
        return {"cost_hours": 0.0, "cost_bound_hours": None, "cost_gap": None}
    low = max(0.0, bound - tier)
    return {"cost_hours": round(hours / SCALE, 2), "cost_bound_hours": round(low / SCALE, 2),
            "cost_gap": round(max(0.0, (hours - low) / hours), 4)}


def _hours_units(prob: Problem, sol: Solution) -> int:
    """Model units of the weighted cost in hours alone (sessions and seats)."""
    total = 0
    for cid, op in sol.openings.items():
        c = prob.candidates[cid]
        info = prob.trainings[c.training]
        total += session_units(prob.config, info.duration, info.spec.facilitators_needed)
        total += sum(c.seats[gid].units * k for gid, k in op.seats.items())
    return total
