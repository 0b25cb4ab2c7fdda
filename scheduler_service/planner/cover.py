"""Session-count-first seeding: each round of a training is opened as a minimum set cover.

The greedy alone opens the candidate with the best cost per placed person, one at a time; like
every greedy set cover it can end up well above the fewest sessions that seat everyone (twice
the minimum on the all-staff meeting of a 50-person hotline). So before the greedy pass of a
round, :class:`CoverSeeder` solves that round alone as a small CP-SAT model, given everything the
greedy has opened so far (earlier trainings and rounds, rooms, facilitators, released seats,
prerequisites, weekly caps):

* variables: ``y[c]`` open candidate c; ``x[c,g]`` seats for profile g (bounded by what the
  greedy state allows: members free at that time, released seats within the staffing headroom,
  prerequisite slack, weekly caps); ``u[g]`` people of g the cover leaves to the greedy;
* at most one session of the round at any instant (so one session's facilitators, room and
  released seats never compete with another of the same round), capacity and minimum size;
  prerequisites as cumulative counts (seats started by tau <= prerequisite slack at tau);
* lexicographic objective: unplaced people, then sessions, then the cost in hours (``cost.py``).

The model is solved over a subset of the candidates: first those no other candidate dominates
(as many seats for every profile, room in the staffing headroom for what it would release), then
layers of further candidates for whoever is left. Dominance ignores the one-at-a-time rule,
prerequisite timing beyond the slack at each start and per-team headroom, so "proven" means
optimal over the candidates in the model; it is a strong heuristic, not a proof of the fewest
sessions overall (the benchmark compares the result with independent lower bounds).

The chosen sessions are then opened through the greedy's own checks (``GreedyState.evaluate``),
so the seed can never break a hard constraint; whoever the cover could not seat is left to the
greedy pass that follows. Deterministic: one worker, fixed seed, deterministic time per round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from scheduler_service.planner.availability import RELEASED
from scheduler_service.planner.cost import session_units
from scheduler_service.planner.greedy import GreedyState
from scheduler_service.planner.problem import Candidate, Problem, TrainingInfo


@dataclass
class CoverLog:
    """What the cover stage did, for ``Plan.stats["cover"]``."""

    rounds: int = 0
    sessions: int = 0
    proven: int = 0
    left_to_greedy: int = 0
    deterministic_time: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    first: list[str] = field(default_factory=list)  # trainings given first pick (a re-run)

    def as_dict(self) -> dict[str, Any]:
        # (the measured deterministic time is not reproducible to the last digit: it is
        # reported with the timings, see ``make_plan``)
        return {"rounds": self.rounds, "sessions": self.sessions, "proven_rounds": self.proven,
                "left_to_greedy": self.left_to_greedy,
                "statuses": dict(sorted(self.statuses.items())), "first": list(self.first)}


@dataclass
class _Seat:
    cid: int
    gid: int
    ub: int
    units: int
    released: bool
    # members free at that time and still needing it (``GreedyState.time_room``) when fewer
    # than the profile's demand: the greedy counts them against every earlier seat of the round
    free: int | None = None


class CoverSeeder:
    """``greedy(prob, seed=CoverSeeder(prob, dtime))``: opens each round's minimum cover."""

    def __init__(self, prob: Problem, dtime_per_round: float) -> None:
        self.p = prob
        self.dtime = dtime_per_round
        self.log = CoverLog()

    def __call__(self, state: GreedyState, training: str, rnd: int) -> None:
        info = self.p.trainings[training]
        cids = info.by_round.get(rnd, [])
        want = {g: n for (r, g), _who in info.demand.items() if r == rnd
                and (n := state.remaining.get((training, rnd, g), 0)) > 0}
        if not cids or not want:
            return
        chosen = self._solve(state, info, rnd, cids, want)
        if chosen is None:
            return
        cands = self.p.candidates
        for cid, seats in sorted(chosen.items(), key=lambda kv: (cands[kv[0]].start, kv[0])):
            got = state.evaluate(cands[cid], seats)
            if got is not None:
                state.open(cands[cid], got[1])
        self.log.left_to_greedy += sum(state.remaining.get((training, rnd, g), 0) for g in want)

    # --- the model ----------------------------------------------------------------------

    def _usable(self, state: GreedyState, info: TrainingInfo, c: Candidate) -> bool:
        """Whether a new session may open at ``c`` (offerings, room, facilitators)."""
        if c.cid in state.solution.openings:
            return True
        limit = info.offerings()
        if limit is not None and state.count.get((c.training, c.rnd), 0) >= limit:
            return False
        if info.room and state.room_busy.get(info.room) is not None and \
                state.room_busy[info.room].overlaps(c.start, c.end):
            return False
        return state.choose_facilitators(c) is not None

    def _seats(self, state: GreedyState, info: TrainingInfo, c: Candidate,
               want: dict[int, int]) -> list[_Seat]:
        out: list[_Seat] = []
        for gid, seat in sorted(c.seats.items()):
            need = want.get(gid, 0)
            if need <= 0:
                continue
            g = self.p.groups[gid]
            if g.facilitator is not None and g.facilitator in c.facilitators:
                continue
            if c.end > state.deadline.get((c.training, gid), c.end):
                continue
            free = state.time_room(c, gid)
            ub = min(need, info.spec.capacity, free, state.weekly_room(c, gid))
            if info.prereqs:
                ub = min(ub, state.prereq_slack(c, gid))
            released = seat.kind == RELEASED
            if released:
                team = g.team if self.p.timeline.team_cap else None
                ub = min(ub, state.headroom(c, None), state.headroom(c, team))
            if ub > 0:
                out.append(_Seat(c.cid, gid, ub, seat.units, released,
                                 free if free < need else None))
        return out

    def _solve(self, state: GreedyState, info: TrainingInfo, rnd: int, cids: list[int],
               want: dict[int, int]) -> dict[int, dict[int, int]] | None:
        """The round's cover. Fewest sessions first, over the maximal candidates only (small,
        fast), adding the next layer of candidates while someone is left out; then the
        cheapest cover with that many sessions (``cost.py``)."""
        p = self.p
        usable = [p.candidates[c] for c in cids if self._usable(state, info, p.candidates[c])]
        seats = {c.cid: self._seats(state, info, c, want) for c in usable}
        usable = [c for c in usable if seats[c.cid]]
        if not usable:
            return None
        subset = _maximal(usable, seats, state)
        found = self._run(state, info, rnd, subset, seats, want, None, {})
        if found is None:
            return None
        out, left = found
        stuck = 0
        while left and stuck < 2:  # add the next layer of candidates for whoever is left
            chosen = {c.cid for c in subset}
            depth = -(-_unseated(out, want) // info.spec.capacity)  # sessions they need at least
            more = _maximal([c for c in usable if c.cid not in chosen
                             and any(s.gid in left for s in seats[c.cid])], seats, state, depth)
            if len(more) > 2 * depth + 2:  # keep the model small: those seating most of them
                short = _short(out, want)
                more.sort(key=lambda c: (-sum(min(s.ub, short.get(s.gid, 0))
                                              for s in seats[c.cid]), c.start, c.cid))
                more = more[:2 * depth + 2]
            if not more:
                break
            subset = sorted(subset + more, key=lambda c: c.cid)
            again = self._run(state, info, rnd, subset, seats, want, None, out)
            if again is None:
                break
            before = _unseated(out, want)
            out, left = again
            stuck = stuck + 1 if _unseated(out, want) >= before else 0
        limits = (sum(1 for cid in out if cid not in state.solution.openings),
                  _unseated(out, want))
        cheaper = self._run(state, info, rnd, subset, seats, want, limits, out)
        if cheaper is not None:
            out = cheaper[0]
        self.log.sessions += sum(1 for cid in out if cid not in state.solution.openings)
        return out

    def _run(self, state: GreedyState, info: TrainingInfo, rnd: int, cands: list[Candidate],
             seats: dict[int, list[_Seat]], want: dict[int, int],
             limits: tuple[int, int] | None, hint: dict[int, dict[int, int]]
             ) -> tuple[dict[int, dict[int, int]], set[int]] | None:
        """One CP-SAT solve. ``limits`` None: fewest unplaced, then fewest sessions; else
        (sessions, unplaced) are capped at ``limits`` and the cost in hours is minimised."""
        m = cp_model.CpModel()
        cap = info.spec.capacity
        fixed = session_units(self.p.config, info.duration, info.spec.facilitators_needed)
        y: dict[int, Any] = {}
        x: dict[tuple[int, int], Any] = {}
        by_group: dict[int, list[Any]] = {}
        counted: list[Any] = []  # new sessions
        costs: list[Any] = []
        for c in cands:
            existing = state.solution.openings.get(c.cid)
            room = cap - (existing.size if existing else 0)
            yc = m.new_bool_var(f"y{c.cid}")
            y[c.cid] = yc
            if existing is not None:
                m.add(yc == 1)
            else:
                counted.append(yc)
            if hint:
                m.add_hint(yc, int(c.cid in hint or existing is not None))
            mine = []
            for s in seats[c.cid]:
                v = m.new_int_var(0, min(s.ub, room), f"x{c.cid}_{s.gid}")
                x[(c.cid, s.gid)] = v
                mine.append(v)
                by_group.setdefault(s.gid, []).append(v)
                costs.append(s.units * v)
                if hint:
                    m.add_hint(v, hint.get(c.cid, {}).get(s.gid, 0))
            m.add(sum(mine) <= room * yc)
            self._released_caps(m, state, c, seats[c.cid], x)
            size = info.min_size(rnd)
            if existing is None and size > 1 and not (c.sole & {s.gid for s in seats[c.cid]}):
                m.add(sum(mine) >= size * yc)
        us: dict[int, Any] = {}
        for gid, need in sorted(want.items()):
            u = us[gid] = m.new_int_var(0, need, f"u{gid}")
            m.add(sum(by_group.get(gid, [])) + u == need)
            if hint:
                m.add_hint(u, need - sum(h.get(gid, 0) for h in hint.values()))
        self._one_at_a_time(m, [c for c in cands if c.cid not in state.solution.openings], y)
        self._prerequisites(m, state, info, cands, x)
        self._busy_elsewhere(m, cands, seats, x)
        most = info.offerings()
        if most is not None:
            m.add(sum(counted) <= max(0, most - state.count.get((info.key, rnd), 0)))
        if limits is None:  # one more person seated is worth more than every session
            m.minimize((len(counted) + 1) * sum(us.values()) + sum(counted))
        else:
            m.add(sum(counted) <= limits[0])
            m.add(sum(us.values()) <= limits[1])
            m.minimize(fixed * sum(counted) + sum(costs))
        solver = cp_model.CpSolver()
        prm = solver.parameters
        prm.num_workers = 1
        prm.random_seed = self.p.config.planning.seed
        # the count is what matters; the cost is refined by the solver passes afterwards
        prm.max_deterministic_time = self.dtime if limits is None else self.dtime / 5
        prm.linearization_level = 2  # the LP relaxation proves these covers at once
        prm.cp_model_presolve = False  # small models: presolve costs more than it saves
        status = solver.solve(m)
        name = solver.status_name(status)
        self.log.rounds += 1
        self.log.deterministic_time += solver.deterministic_time
        self.log.statuses[name] = self.log.statuses.get(name, 0) + 1
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        self.log.proven += status == cp_model.OPTIMAL
        out: dict[int, dict[int, int]] = {}
        for (cid, gid), v in sorted(x.items()):
            k = int(solver.value(v))
            if k > 0 and solver.boolean_value(y[cid]):
                out.setdefault(cid, {})[gid] = k
        left = {gid for gid, u in us.items() if solver.value(u) > 0}
        return out, left

    def _released_caps(self, m: cp_model.CpModel, state: GreedyState, c: Candidate,
                       seats: list[_Seat], x: dict[tuple[int, int], Any]) -> None:
        """Released seats of one session within the staffing headroom (all, and per team)."""
        rel = [s for s in seats if s.released]
        if len(rel) < 2:
            return
        m.add(sum(x[(c.cid, s.gid)] for s in rel) <= state.headroom(c, None))
        if not self.p.timeline.team_cap:
            return
        teams: dict[str | None, list[_Seat]] = {}
        for s in rel:
            teams.setdefault(self.p.groups[s.gid].team, []).append(s)
        for team, items in sorted(teams.items(), key=lambda kv: str(kv[0])):
            if len(items) > 1:
                m.add(sum(x[(c.cid, s.gid)] for s in items) <= state.headroom(c, team))

    @staticmethod
    def _one_at_a_time(m: cp_model.CpModel, cands: list[Candidate], y: dict[int, Any]) -> None:
        """At every start, at most one session of the round covers it."""
        order = sorted(cands, key=lambda c: (c.start, c.end))
        active: list[Candidate] = []
        last: set[int] = set()
        for c in order:
            active = [a for a in active if a.end > c.start] + [c]
            ids = {a.cid for a in active}
            if len(active) > 1 and not ids <= last:
                m.add_at_most_one(y[a.cid] for a in active)
            last = ids

    @staticmethod
    def _busy_elsewhere(m: cp_model.CpModel, cands: list[Candidate],
                        seats: dict[int, list[_Seat]], x: dict[tuple[int, int], Any]) -> None:
        """Sessions are opened in start order; when some members of a profile are busy with
        another training at a candidate's time, the seats of the round up to and including it
        stay within the members surely free then (the greedy's own rule). Applied whether or not
        the candidate is used, which is stricter than needed; an indicator per seat made the
        large rounds much harder to solve and gave worse covers at 2,000 people."""
        done: dict[int, list[Any]] = {}
        for c in sorted(cands, key=lambda c: (c.start, c.cid)):
            for s in seats[c.cid]:
                v = x[(c.cid, s.gid)]
                done.setdefault(s.gid, []).append(v)
                if s.free is not None and len(done[s.gid]) > 1:
                    m.add(sum(done[s.gid]) <= s.free)

    def _prerequisites(self, m: cp_model.CpModel, state: GreedyState, info: TrainingInfo,
                       cands: list[Candidate], x: dict[tuple[int, int], Any]) -> None:
        """Seats of a profile started by each start tau stay within its prerequisite slack."""
        if not info.prereqs:
            return
        by_group: dict[int, list[Candidate]] = {}
        for (cid, gid) in x:
            by_group.setdefault(gid, []).append(self.p.candidates[cid])
        for gid, items in sorted(by_group.items()):
            items.sort(key=lambda c: (c.start, c.cid))
            so_far: list[Any] = []
            for i, c in enumerate(items):
                so_far.append(x[(c.cid, gid)])
                if i + 1 < len(items) and items[i + 1].start == c.start:
                    continue
                m.add(sum(so_far) <= state.prereq_slack(c, gid))


def _short(out: dict[int, dict[int, int]], want: dict[int, int]) -> dict[int, int]:
    """People of each profile the cover ``out`` leaves unseated."""
    got: dict[int, int] = {}
    for seats in out.values():
        for gid, k in seats.items():
            got[gid] = got.get(gid, 0) + k
    return {gid: n - got.get(gid, 0) for gid, n in want.items() if n > got.get(gid, 0)}


def _unseated(out: dict[int, dict[int, int]], want: dict[int, int]) -> int:
    return sum(want.values()) - sum(k for seats in out.values() for k in seats.values())


def _maximal(cands: list[Candidate], seats: dict[int, list[_Seat]], state: GreedyState,
             depth: int = 1) -> list[Candidate]:
    """Drop candidates whose seats at least ``depth`` other candidates offer too (at least as
    many for every profile): a cover of at most ``depth`` sessions never needs them. Among
    equal ones the cheapest (then the earliest) count as the better ones. Sessions already
    open are always kept."""
    if len(cands) < 2:
        return cands
    gids = sorted({s.gid for c in cands for s in seats[c.cid]})
    col = {g: i for i, g in enumerate(gids)}
    ub = np.zeros((len(cands), len(gids)), dtype=np.int32)
    rel = np.zeros((len(cands), len(gids)), dtype=bool)  # seats released from the phones
    head = np.zeros(len(cands), dtype=np.int64)  # how many may be released there at once
    cost = np.zeros(len(cands), dtype=np.int64)
    for i, c in enumerate(cands):
        for s in seats[c.cid]:
            ub[i, col[s.gid]] = s.ub
            rel[i, col[s.gid]] = s.released
            cost[i] += s.units * s.ub
        head[i] = state.headroom(c, None) if rel[i].any() else 1 << 40
    rank = np.lexsort((np.array([c.start for c in cands]), cost))  # cheapest, then earliest
    order = np.empty(len(cands), dtype=np.int64)
    order[rank] = np.arange(len(cands))
    new = np.array([c.cid not in state.solution.openings for c in cands])  # kept never dominate
    keep: list[Candidate] = []
    step = max(1, 4_000_000 // max(1, len(cands) * len(gids)))
    for lo in range(0, len(cands), step):
        block = ub[lo:lo + step]  # (b, G)
        # j covers i: as many seats for every profile, and whatever i could seat fits j's
        # staffing headroom for the seats j would release from the phones
        rb = rel[lo:lo + step]
        hb = head[lo:lo + step]
        fits = block.astype(np.int64) @ rel.T.astype(np.int64) <= head[None, :]  # (b, n)
        back = hb[:, None] >= (ub.astype(np.int64) @ rb.T.astype(np.int64)).T  # i fits j's
        covers = (ub[None, :, :] >= block[:, None, :]).all(axis=2) & fits & new[None, :]
        covered = (ub[None, :, :] <= block[:, None, :]).all(axis=2) & back  # i covers j
        mutual = covers & covered
        better = covers & (~mutual | (order[None, :] < order[lo:lo + step, None]))
        for k, row in enumerate(better):
            c = cands[lo + k]
            if c.cid in state.solution.openings or int(row.sum()) < depth:
                keep.append(c)
    return keep
