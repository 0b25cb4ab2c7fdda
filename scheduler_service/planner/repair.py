"""Seat required people the profile-level plan left out, one person at a time (deterministic).

Seat counts per profile cannot see which members are busy elsewhere, so after naming people some
may remain without a seat while an open session of their training still has room at a time they
are free, or while a session could still be opened for them. For each such person (required
trainings first, then optional; trainings in prerequisite order, people by id) this pass tries
the open sessions of the round, then unopened candidates, checking every hard rule the profile
level checked: the person's own availability (the candidate offers their profile a seat), one
place at a time, weekly cap, prerequisites and what depends on this training, capacity,
staffing release, facilitators, rooms and the offerings limit.
"""

from __future__ import annotations

import numpy as np

from scheduler_service.planner.assign import Assignment
from scheduler_service.planner.availability import RELEASED
from scheduler_service.planner.intervals import IntervalBag
from scheduler_service.planner.problem import Candidate, Problem
from scheduler_service.planner.solution import Opening, Solution

EMPTY = IntervalBag()


class _Repair:
    def __init__(self, prob: Problem, sol: Solution, att: Assignment) -> None:
        self.p, self.sol, self.att = prob, sol, att
        tl = prob.timeline
        self.released = np.zeros(len(tl.points), dtype=np.int64)
        self.team_released = {t: np.zeros(len(tl.points), dtype=np.int64) for t in tl.team_cap}
        self.busy: dict[str, IntervalBag] = {}
        self.room: dict[str, IntervalBag] = {}
        self.count: dict[tuple[str, int], int] = {}
        self.seat_of: dict[tuple[str, str], int] = {}  # (training, person) -> earliest cid
        for cid, op in sol.openings.items():
            c = prob.candidates[cid]
            people = att.attendees.get(cid, [])
            if not people:
                continue
            self._book(c, op.facilitators, people)

    def _book(self, c: Candidate, facs: tuple[str, ...], people: list[str]) -> None:
        info = self.p.trainings[c.training]
        if facs or people:
            for f in facs:
                self.busy.setdefault(f, IntervalBag()).add(c.start, c.end)
        released: dict[str | None, int] = {}  # released seats per team, booked at once
        for pid in people:
            on_shift, team = self._mark(c, pid)
            if on_shift:
                released[team] = released.get(team, 0) + 1
        if released:
            self._release(c, released)
        if info.room:
            self.room.setdefault(info.room, IntervalBag()).add(c.start, c.end)
        self.count[(c.training, c.rnd)] = self.count.get((c.training, c.rnd), 0) + 1

    def _seat(self, c: Candidate, pid: str) -> None:
        on_shift, team = self._mark(c, pid)
        if on_shift:
            self._release(c, {team: 1})

    def _mark(self, c: Candidate, pid: str) -> tuple[bool, str | None]:
        """Book the person's time and seat: (the seat releases them from the phones, their
        team)."""
        self.busy.setdefault(pid, IntervalBag()).add(c.start, c.end)
        key = (c.training, pid)
        old = self.seat_of.get(key)
        if old is None or self.p.candidates[old].start > c.start:
            self.seat_of[key] = c.cid
        gid = self.p.person_group[pid]
        return c.seats[gid].kind == RELEASED, self.p.groups[gid].team

    def _release(self, c: Candidate, per_team: dict[str | None, int]) -> None:
        seg = slice(c.segs.start, c.segs.stop)
        self.released[seg] += sum(per_team.values())
        for team, n in per_team.items():
            if team in self.team_released:
                self.team_released[team][seg] += n

    # --- checks ---------------------------------------------------------------------------

    def free(self, who: str, c: Candidate) -> bool:
        return not self.busy.get(who, EMPTY).overlaps(c.start, c.end)

    def staffed(self, c: Candidate, gid: int) -> bool:
        if c.seats[gid].kind != RELEASED:
            return True
        if not c.segs:
            return False
        tl = self.p.timeline
        seg = slice(c.segs.start, c.segs.stop)
        if int((tl.cap[seg] - self.released[seg]).min()) < 1:
            return False
        team = self.p.groups[gid].team
        if team is not None and team in tl.team_cap:
            return int((tl.team_cap[team][seg] - self.team_released[team][seg]).min()) >= 1
        return True

    def timing_ok(self, pid: str, c: Candidate) -> bool:
        """Prerequisites done early enough, and every dependent training already attended
        still far enough after this session."""
        prob = self.p
        group = prob.groups[prob.person_group[pid]]
        for pre, gap in prob.trainings[c.training].prereqs:
            if pre not in group.trainings or prob.attended_before(pre, pid):
                continue
            cid = self.seat_of.get((pre, pid))
            if cid is None or prob.candidates[cid].end > c.start - gap:
                return False
        for key, info in prob.trainings.items():
            for pre, gap in info.prereqs:
                if pre != c.training:
                    continue
                cid = self.seat_of.get((key, pid))
                if cid is not None and c.end > prob.candidates[cid].start - gap:
                    return False
        return True

    def weekly_ok(self, pid: str, c: Candidate) -> bool:
        limit = self.p.groups[self.p.person_group[pid]].weekly_limit
        if limit is None:
            return True
        used: dict[int, int] = {}
        for cid, people in self.att.attendees.items():
            if pid in people:
                o = self.p.candidates[cid]
                for w, m in self.p.weeks.split(o.start, o.end).items():
                    used[w] = used.get(w, 0) + m
        return all(used.get(w, 0) + m <= round(limit * 60)
                   for w, m in self.p.weeks.split(c.start, c.end).items())

    def person_ok(self, pid: str, c: Candidate) -> bool:
        gid = self.p.person_group[pid]
        return (gid in c.seats and self.free(pid, c) and self.staffed(c, gid)
                and self.timing_ok(pid, c) and self.weekly_ok(pid, c))

    def facilitators_for(self, c: Candidate, pid: str) -> tuple[str, ...] | None:
        info = self.p.trainings[c.training]
        need = info.spec.facilitators_needed
        free = [f for f in c.facilitators if f != pid and self.free(f, c)]
        if len(free) < need:
            return None
        return tuple(sorted(free)[:need])

    def can_open(self, c: Candidate) -> bool:
        info = self.p.trainings[c.training]
        limit = info.offerings()
        if limit is not None and self.count.get((c.training, c.rnd), 0) >= limit:
            return False
        if info.room and self.room.get(info.room, EMPTY).overlaps(c.start, c.end):
            return False
        # a one-person session is allowed only when it is that person's only option
        return info.spec.min_attendees <= 1

    # --- the pass -------------------------------------------------------------------------

    def place(self, pid: str, training: str, rnd: int) -> bool:
        prob = self.p
        info = prob.trainings[training]
        gid = prob.person_group[pid]
        cids = [cid for cid in info.by_round.get(rnd, []) if gid in prob.candidates[cid].seats]
        opened = [cid for cid in cids if self.att.attendees.get(cid)]
        for cid in sorted(opened, key=lambda k: (prob.candidates[k].seats[gid].units, k)):
            c = prob.candidates[cid]
            if len(self.att.attendees[cid]) >= info.spec.capacity:
                continue
            if pid in self.sol.openings[cid].facilitators or not self.person_ok(pid, c):
                continue
            self._add(c, pid)
            return True
        for cid in sorted(set(cids) - set(opened),
                          key=lambda k: (prob.candidates[k].seats[gid].units, k)):
            c = prob.candidates[cid]
            if not self.can_open(c) or not self.person_ok(pid, c):
                continue
            facs = self.facilitators_for(c, pid)
            if facs is None:
                continue
            self.sol.openings[cid] = Opening(cid, facs, {})
            self.att.attendees[cid] = []
            self._book(c, facs, [])
            self._add(c, pid)
            return True
        return False

    def _add(self, c: Candidate, pid: str) -> None:
        gid = self.p.person_group[pid]
        op = self.sol.openings[c.cid]
        op.seats[gid] = op.seats.get(gid, 0) + 1
        self.att.attendees[c.cid] = sorted([*self.att.attendees[c.cid], pid])
        self.att.placed.setdefault((c.training, c.rnd), set()).add(pid)
        self._seat(c, pid)


def repair(prob: Problem, sol: Solution, att: Assignment) -> int:
    """Seat whoever can still be seated; returns how many seats were added. Mutates both."""
    fix = _Repair(prob, sol, att)
    added = 0
    order = sorted(prob.trainings.items(), key=lambda kv: not kv[1].spec.required)
    for key, info in order:
        for r in info.rounds:
            got = att.placed.get((key, r.index), set())
            missing = sorted(pid for (rr, _g), members in info.demand.items() if rr == r.index
                             for pid in members if pid not in got)
            for pid in missing:
                if fix.place(pid, key, r.index):
                    added += 1
    return added
