"""Greedy construction: a fast plan that respects every hard constraint.

Trainings are taken in prerequisite order, rounds in date order. Sessions kept from the previous
plan are re-opened first (stability). Then, repeatedly, the candidate with the lowest cost per
placed person is opened (weighted set cover; lazy re-evaluation with a heap), filling its seats
with the cheapest profiles first, until nobody in the round can be placed any more. The result is
complete and feasible, so it doubles as the CP-SAT hint.
"""

from __future__ import annotations

import heapq
from bisect import insort
from collections.abc import Callable, Sequence

import numpy as np

from scheduler_service.planner.availability import RELEASED
from scheduler_service.planner.cost import session_units
from scheduler_service.planner.intervals import IntervalBag
from scheduler_service.planner.problem import Candidate, Problem, TrainingInfo
from scheduler_service.planner.solution import Opening, Solution

EMPTY = IntervalBag()


class GreedyState:
    def __init__(self, prob: Problem) -> None:
        self.p = prob
        nseg = len(prob.timeline.points)
        self.released = np.zeros(nseg, dtype=np.int64)
        self.team_released: dict[str, np.ndarray] = {
            t: np.zeros(nseg, dtype=np.int64) for t in prob.timeline.team_cap
        }
        self.remaining: dict[tuple[str, int, int], int] = {
            (t, r, g): len(v) for t, info in prob.trainings.items()
            for (r, g), v in info.demand.items()
        }
        self.fac_busy: dict[str, IntervalBag] = {}
        self.room_busy: dict[str, IntervalBag] = {}
        self.group_busy: dict[int, IntervalBag] = {}
        self.group_busy_in: dict[tuple[int, str], IntervalBag] = {}  # (group, training)
        self.count: dict[tuple[str, int], int] = {}
        self.started: dict[tuple[str, int], list[tuple[int, int]]] = {}
        self.finished: dict[tuple[str, int], list[tuple[int, int]]] = {}
        self.weekly: dict[int, dict[int, int]] = {}
        self.solution = Solution(method="greedy")
        self.fac_load: dict[str, int] = {}
        self.done = completed_by_group(prob)
        self.deadline = _deadlines(prob)
        # (seat units, group) sorted, per seat template (candidates with equal seats share it)
        self._order: dict[int, list[tuple[int, int]]] = {}
        # the orders only shrink when a profile's demand in the round runs out: filter lazily
        self._round_version: dict[tuple[str, int], int] = {}
        self._order_version: dict[int, int] = {}
        self._size = [g.size for g in prob.groups]
        self._fac_of = [g.facilitator for g in prob.groups]
        self._capped = {g.gid for g in prob.groups if g.weekly_limit is not None}
        self.left: dict[tuple[str, int], int] = {}  # people still to seat per round
        for (t, r, _g), n in self.remaining.items():
            self.left[(t, r)] = self.left.get((t, r), 0) + n

    # --- evaluation ---------------------------------------------------------------------

    def headroom(self, c: Candidate, team: str | None) -> int:
        tl = self.p.timeline
        if not c.segs:
            return 0
        seg = slice(c.segs.start, c.segs.stop)
        room = int((tl.cap[seg] - self.released[seg]).min())
        if team is not None and team in tl.team_cap:
            room = min(room, int((tl.team_cap[team][seg] - self.team_released[team][seg]).min()))
        return max(0, room)

    def prereq_slack(self, c: Candidate, gid: int) -> int:
        info = self.p.trainings[c.training]
        group = self.p.groups[gid]
        slack = 1 << 30
        for pre, gap in info.prereqs:
            if pre not in group.trainings or self._completed(pre, gid):
                continue
            starts = self.started.get((c.training, gid), [])
            ends = self.finished.get((pre, gid), [])
            points = [c.start] + [s for s, _ in starts if s > c.start]
            for tau in points:
                done = sum(n for e, n in ends if e <= tau - gap)
                begun = sum(n for s, n in starts if s <= tau)
                slack = min(slack, done - begun)
        return max(0, slack)

    def _completed(self, training: str, gid: int) -> bool:
        return training in self.done.get(gid, ())

    def time_room(self, c: Candidate, gid: int) -> int:
        fac = self._fac_of[gid]
        if fac is not None and self.fac_busy.get(fac, EMPTY).overlaps(c.start, c.end):
            return 0
        need = self.remaining.get((c.training, c.rnd, gid), 0)
        bag = self.group_busy.get(gid)
        busy = 0 if bag is None else bag.load(c.start, c.end)
        if busy == 0:  # (the bags only hold positive weights: nothing in the training either)
            return min(self._size[gid], need)
        room = self._size[gid] - busy
        # Counting seats per instant is not enough: the members busy elsewhere may be exactly
        # those who still need this training. Only seat as many as are surely free and still
        # need it, so that naming the people afterwards never comes up short.
        same = self.group_busy_in.get((gid, c.training), EMPTY).load(c.start, c.end)
        return min(room, need - (busy - same))

    def weekly_room(self, c: Candidate, gid: int) -> int:
        limit = self.p.groups[gid].weekly_limit
        if limit is None:
            return 1 << 30
        used = self.weekly.get(gid, {})
        for wk, minutes in self.p.weeks.split(c.start, c.end).items():
            if used.get(wk, 0) + minutes > round(limit * 60):
                return 0
        return 1 << 30

    def choose_facilitators(self, c: Candidate) -> tuple[str, ...] | None:
        need = self.p.trainings[c.training].spec.facilitators_needed
        free = [f for f in c.facilitators
                if not self.fac_busy.get(f, EMPTY).overlaps(c.start, c.end)]
        if len(free) < need:
            return None
        free.sort(key=lambda f: (self.fac_load.get(f, 0), f))
        return tuple(sorted(free[:need]))

    def live_order(self, c: Candidate) -> list[tuple[int, int]]:
        """(seat units, group) of the profiles that still need this round, cheapest first
        (pruned as profiles are served: demand only ever goes down)."""
        key = (c.training, c.rnd)
        version = self._round_version.get(key, 0)
        okey = c.template if c.template >= 0 else -1 - c.cid
        order = self._order.get(okey)
        if order is None:
            order = sorted((seat.units, gid) for gid, seat in c.seats.items())
        elif self._order_version[okey] == version:
            return order
        rem = self.remaining
        training, rnd = key
        order = [x for x in order if rem.get((training, rnd, x[1]), 0) > 0]
        self._order[okey] = order
        self._order_version[okey] = version
        return order

    def evaluate(self, c: Candidate, prefer: dict[int, int] | None = None
                 ) -> tuple[float, Opening] | None:
        order = self.live_order(c)
        if not order:
            return None  # nobody this candidate could seat still needs the round
        info = self.p.trainings[c.training]
        existing = self.solution.openings.get(c.cid)
        cap = info.spec.capacity
        if existing is not None:  # top up an open session: no new session cost
            facs: tuple[str, ...] | None = existing.facilitators
            cap -= existing.size
            units = 0
            if cap <= 0:
                return None
        else:
            limit = info.offerings()
            if limit is not None and self.count.get((c.training, c.rnd), 0) >= limit:
                return None
            if info.room and self.room_busy.get(info.room, EMPTY).overlaps(c.start, c.end):
                return None
            facs = self.choose_facilitators(c)
            units = session_units(self.p.config, info.duration, info.spec.facilitators_needed)
        if facs is None:
            return None
        team_cap = self.p.timeline.team_cap
        seats: dict[int, int] = {}
        team_used: dict[str | None, int] = {}
        team_room: dict[str | None, int] = {}
        room_any: int | None = None
        any_release = 0
        total = 0
        remaining, deadline, groups = self.remaining, self.deadline, self.p.groups
        training, rnd, end = c.training, c.rnd, c.end
        fac_of, capped = self._fac_of, self._capped
        for u, gid in order:  # cheapest profiles first, until the session is full
            if total >= cap:
                break
            want = remaining.get((training, rnd, gid), 0)
            if prefer is not None:
                want = min(want, prefer.get(gid, 0))  # a kept session keeps its own people
            if want <= 0:
                continue
            fac = fac_of[gid]
            if fac is not None and fac in facs:
                continue
            if end > deadline.get((training, gid), end):
                continue
            want = min(want, self.time_room(c, gid))
            if gid in capped:
                want = min(want, self.weekly_room(c, gid))
            if want > 0 and info.prereqs:
                want = min(want, self.prereq_slack(c, gid))
            if want <= 0:
                continue
            take = min(want, cap - total)
            if c.seats[gid].kind == RELEASED:
                g = groups[gid]
                team = g.team if team_cap else None
                if room_any is None:
                    room_any = self.headroom(c, None)
                if team not in team_room:
                    team_room[team] = self.headroom(c, team)
                room_all = room_any - any_release
                room_team = team_room[team] - team_used.get(g.team, 0)
                take = min(take, room_all, room_team)
                if take <= 0:
                    continue
                any_release += take
                team_used[g.team] = team_used.get(g.team, 0) + take
            seats[gid] = take
            total += take
            units += u * take
        if total <= 0:
            return None
        if existing is None and total < info.min_size(c.rnd) and not any(
                g in c.sole for g in seats):
            return None
        return units / total, Opening(c.cid, facs, seats)

    # --- commit -------------------------------------------------------------------------

    def open(self, c: Candidate, op: Opening) -> None:
        info = self.p.trainings[c.training]
        existing = self.solution.openings.get(c.cid)
        if existing is not None:
            for gid, n in op.seats.items():
                existing.seats[gid] = existing.seats.get(gid, 0) + n
        else:
            self.solution.openings[c.cid] = Opening(c.cid, op.facilitators, dict(op.seats))
            self.count[(c.training, c.rnd)] = self.count.get((c.training, c.rnd), 0) + 1
            if info.room:
                self.room_busy.setdefault(info.room, IntervalBag()).add(c.start, c.end)
            for f in op.facilitators:
                self.fac_busy.setdefault(f, IntervalBag()).add(c.start, c.end)
                self.fac_load[f] = self.fac_load.get(f, 0) + 1
        seg = slice(c.segs.start, c.segs.stop)
        rkey = (c.training, c.rnd)
        for gid, n in op.seats.items():
            g = self.p.groups[gid]
            self.remaining[(c.training, c.rnd, gid)] -= n
            self.left[rkey] -= n
            if self.remaining[(c.training, c.rnd, gid)] <= 0:  # a profile leaves the orders
                self._round_version[rkey] = self._round_version.get(rkey, 0) + 1
            self.group_busy.setdefault(gid, IntervalBag()).add(c.start, c.end, n)
            self.group_busy_in.setdefault((gid, c.training), IntervalBag()).add(
                c.start, c.end, n)
            if g.facilitator is not None:
                self.fac_busy.setdefault(g.facilitator, IntervalBag()).add(c.start, c.end)
            insort(self.started.setdefault((c.training, gid), []), (c.start, n))
            insort(self.finished.setdefault((c.training, gid), []), (c.end, n))
            if g.weekly_limit is not None:
                wk = self.weekly.setdefault(gid, {})
                for w, m in self.p.weeks.split(c.start, c.end).items():
                    wk[w] = wk.get(w, 0) + m * n
            if c.seats[gid].kind == RELEASED:
                self.released[seg] += n
                if g.team in self.team_released:
                    self.team_released[g.team][seg] += n


def _deadlines(prob: Problem) -> dict[tuple[str, int], int]:
    """Latest useful end of a prerequisite session per (training, profile): after it, no
    candidate of a dependent training the profile needs is far enough away."""
    latest: dict[tuple[str, int], int] = {}
    dependent = {k for k, info in prob.trainings.items() if info.prereqs}
    for c in prob.candidates:
        if c.training not in dependent:
            continue  # only trainings with prerequisites bound anything below
        for gid in c.seats:
            tg = (c.training, gid)
            latest[tg] = max(latest.get(tg, c.start), c.start)
    out: dict[tuple[str, int], int] = {}
    for key in reversed(list(prob.trainings)):
        info = prob.trainings[key]
        for pre, gap in info.prereqs:
            for g in prob.groups:
                if key not in g.trainings or pre not in g.trainings:
                    continue
                if (key, g.gid) not in latest:
                    continue  # no time for the later training: the prerequisite still counts
                last_t = min(latest[(key, g.gid)],
                             out.get((key, g.gid), 1 << 40) - info.duration)
                bound = last_t - gap
                out[(pre, g.gid)] = min(out.get((pre, g.gid), bound), bound)
    return out


def completed_by_group(prob: Problem) -> dict[int, set[str]]:
    """Trainings each profile already attended before the horizon (from the previous plan)."""
    out: dict[int, set[str]] = {}
    for (training, _label), who in prob.completed.items():
        for pid in who:
            gid = prob.person_group.get(pid)
            if gid is not None:
                out.setdefault(gid, set()).add(training)
    return out


def _optimistic(state: GreedyState, c: Candidate) -> float | None:
    """A lower bound on the cost per person of opening ``c`` (cheap: no resource checks);
    the lazy heap evaluates candidates for real only when they reach the top."""
    info = state.p.trainings[c.training]
    order = state.live_order(c)
    if not order:
        return None
    cheapest = order[0][0]
    seats = sum(state.remaining[(c.training, c.rnd, gid)] for _u, gid in order)
    size = min(seats, info.spec.capacity)
    fixed = session_units(state.p.config, info.duration, info.spec.facilitators_needed)
    return fixed / size + cheapest


def _bounds(state: GreedyState, info: TrainingInfo, rnd: int, cids: list[int]
            ) -> list[float | None] | None:
    """``_optimistic`` for a whole round at once (None when ``cids`` is not the round)."""
    table = info.seat_table.get(rnd)
    if table is None or cids != list(range(table.first, table.first + len(table.units))):
        return None
    rem = state.remaining
    live = np.array([rem.get((info.key, rnd, g), 0) for g in table.gids], dtype=np.int64)
    has = table.offered & (live > 0)
    usable = has.any(axis=1)
    cheapest = np.where(has, table.units, np.iinfo(np.int64).max).min(axis=1)
    size = np.minimum(has @ live, info.spec.capacity)
    fixed = session_units(state.p.config, info.duration, info.spec.facilitators_needed)
    bound = fixed / np.where(usable, size, 1) + cheapest
    oks: list[bool] = np.asarray(usable).tolist()
    return [b if ok else None for b, ok in zip(bound.tolist(), oks, strict=True)]


def _round_pass(state: GreedyState, cids: list[int], info: TrainingInfo | None = None,
                rnd: int = 0) -> None:
    prob = state.p
    heap: list[tuple[float, int, int]] = []
    bounds = None if info is None else _bounds(state, info, rnd, cids)
    for i, cid in enumerate(cids):
        c = prob.candidates[cid]
        bound = _optimistic(state, c) if bounds is None else bounds[i]
        if bound is not None:
            heap.append((bound, c.start, cid))
    heapq.heapify(heap)
    if not cids:
        return
    first = prob.candidates[cids[0]]
    rkey = (first.training, first.rnd)
    left = state.left
    while heap:
        score, start, cid = heapq.heappop(heap)
        if left.get(rkey, 0) <= 0:
            break  # everyone in the round is seated: no candidate can take anyone any more
        c = prob.candidates[cid]
        got = state.evaluate(c)
        if got is None:
            continue
        new_score, op = got
        if heap and new_score > heap[0][0] + 1e-9:
            heapq.heappush(heap, (new_score, start, cid))
            continue
        state.open(c, op)
        heapq.heappush(heap, (new_score, start, cid))  # it may take more people later


RoundSeeder = Callable[["GreedyState", str, int], None]


def greedy(prob: Problem, seed: RoundSeeder | None = None, first: Sequence[str] = ()
           ) -> Solution:
    """The greedy plan. ``seed(state, training, round)``, when given, opens sessions of a round
    first (e.g. a session-count-optimal cover, ``cover.py``); the greedy pass then seats
    whoever is left. Trainings go in prerequisite order, except that those in ``first`` without
    prerequisites of their own go before all others (to give them first pick of rooms,
    facilitators and people's free time)."""
    state = GreedyState(prob)
    for cid in sorted(prob.keep, key=lambda c: (list(prob.trainings).index(
            prob.candidates[c].training), prob.candidates[c].start, c)):
        prefer: dict[int, int] = {}
        for pid in prob.keep[cid].attendees:
            gid = prob.person_group.get(pid)
            if gid is not None:
                prefer[gid] = prefer.get(gid, 0) + 1
        got = state.evaluate(prob.candidates[cid], prefer)
        if got is not None:
            state.open(prob.candidates[cid], got[1])
    ahead = [k for k in first if k in prob.trainings and not prob.trainings[k].prereqs]
    order = [prob.trainings[k] for k in ahead] + [
        info for k, info in prob.trainings.items() if k not in ahead]
    for info in order:
        for r in info.rounds:
            if seed is not None:
                seed(state, info.key, r.index)
            _round_pass(state, info.by_round.get(r.index, []), info, r.index)
    return state.solution

