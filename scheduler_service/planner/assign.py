"""Turn seats per profile into named attendees (deterministic).

Per profile, trainings in prerequisite order, sessions in time order: each session takes its
seat count from the members who still need the training, are free at that time, and finished
every prerequisite early enough. Ties go first to people who held a seat in the same session of
the previous plan (stability), then, for overnight-edge sessions (starting before 08:00 or ending
after 20:00 local), to those who had fewest such sessions so far (fairness), then by id.
Because profile members are interchangeable and the seat counts satisfy the cumulative
prerequisite condition, this order never gets stuck on prerequisites.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scheduler_service.planner.intervals import IntervalBag
from scheduler_service.planner.problem import Problem
from scheduler_service.planner.solution import Solution
from scheduler_service.planner.timeutil import local


@dataclass
class Assignment:
    attendees: dict[int, list[str]] = field(default_factory=dict)  # cid -> people
    placed: dict[tuple[str, int], set[str]] = field(default_factory=dict)  # (training, round)
    short: list[tuple[int, int, int]] = field(default_factory=list)  # (cid, gid, missing)


def unpopular(prob: Problem, start: int, end: int) -> bool:
    a, b = local(start, prob.config.zone), local(end, prob.config.zone)
    return a.hour < 8 or (b.hour * 60 + b.minute) > 20 * 60 or a.date() != b.date()


def assign(prob: Problem, sol: Solution) -> Assignment:
    out = Assignment()
    prev_seat: dict[tuple[str, int], set[str]] = {}
    for cid, sess in prob.keep.items():
        prev_seat[(sess.training, cid)] = set(sess.attendees)
    busy: dict[str, IntervalBag] = {}
    topo = {t: i for i, t in enumerate(prob.trainings)}
    chosen_by_cid: dict[int, list[str]] = {}
    waiting: dict[tuple[str, int, int], list[str]] = {}  # people still without a seat
    dependents: dict[str, list[str]] = {}
    for key, tinfo in prob.trainings.items():
        for pre, _gap in tinfo.prereqs:
            dependents.setdefault(pre, []).append(key)
    done_end: dict[tuple[str, str], int] = {}
    edge_count: dict[str, int] = {}
    weekly: dict[str, dict[int, int]] = {}
    for op in sol.openings.values():
        for f in op.facilitators:
            c = prob.candidates[op.cid]
            busy.setdefault(f, IntervalBag()).add(c.start, c.end)
    order = sorted(sol.openings.values(), key=lambda o: (
        prob.candidates[o.cid].start, topo[prob.candidates[o.cid].training], o.cid))
    left: dict[tuple[int, int], int] = {}
    by_group: dict[int, list[int]] = {}
    for op in order:
        for gid, n in op.seats.items():
            left[(op.cid, gid)] = n
            by_group.setdefault(gid, []).append(op.cid)
    for op in order:
        c = prob.candidates[op.cid]
        info = prob.trainings[c.training]
        edge = unpopular(prob, c.start, c.end)
        chosen: list[str] = []
        chosen_by_cid[op.cid] = chosen
        for gid, n in sorted(op.seats.items()):
            group = prob.groups[gid]
            taken = out.placed.setdefault((c.training, c.rnd), set())
            rivals = _rivals(prob, c.cid, gid, by_group[gid], left, out)
            pool = []
            queue = waiting.get((c.training, c.rnd, gid))
            if queue is None:
                queue = waiting[(c.training, c.rnd, gid)] = list(
                    info.demand.get((c.rnd, gid), ()))
            queue[:] = [p for p in queue if p not in taken]
            was = prev_seat.get((c.training, op.cid), set())
            by_id = not (was or rivals or edge)  # every other part of the sort key is equal
            for pid in sorted(queue) if by_id else queue:
                bag = busy.get(pid)
                if bag is not None and bag.overlaps(c.start, c.end):
                    continue
                if info.prereqs and not _prereqs_ok(prob, pid, c.training, c.start, done_end,
                                                    group.trainings):
                    continue
                if group.weekly_limit is not None and not _weekly_ok(
                    prob, weekly.setdefault(pid, {}), c.start, c.end, group.weekly_limit
                ):
                    continue
                pool.append(pid)
                if by_id and len(pool) >= n:
                    break  # the first n free people by id are the ones taken
            if not by_id:
                pool.sort(key=lambda p: (p not in was, sum(p not in r for r in rivals),
                                         edge_count.get(p, 0) if edge else 0, p))
            got = pool[:n]
            left[(op.cid, gid)] = 0
            if len(got) < n and group.size > 1:
                ctx = _Ctx(prob, out, busy, done_end, dependents, waiting)
                got += ctx.swap_in(c.cid, gid, n - len(got), chosen_by_cid, set(got))
                if len(got) < n:
                    got += ctx.swap_out(c.cid, gid, n - len(got), chosen_by_cid, set(got))
            if len(got) < n:
                out.short.append((op.cid, gid, n - len(got)))
            for pid in got:
                taken.add(pid)
                busy.setdefault(pid, IntervalBag()).add(c.start, c.end)
                tp = (c.training, pid)
                done_end[tp] = min(done_end.get(tp, c.end), c.end)
                if edge:
                    edge_count[pid] = edge_count.get(pid, 0) + 1
                if group.weekly_limit is not None:
                    for w, m in prob.weeks.split(c.start, c.end).items():
                        weekly[pid][w] = weekly[pid].get(w, 0) + m
            chosen.extend(got)
        chosen_by_cid[op.cid] = chosen
    for cid, people in chosen_by_cid.items():
        out.attendees[cid] = sorted(people)
    _sanitise(prob, out)
    return out


def _sanitise(prob: Problem, out: Assignment) -> None:
    """Last line of defence: drop any seat that would put a person in two places at once,
    twice in one round, or before their prerequisite (the person is then reported unplaced)."""
    seats: dict[str, list[int]] = {}
    for cid, people in out.attendees.items():
        for pid in people:
            seats.setdefault(pid, []).append(cid)
    drop: set[tuple[int, str]] = set()
    when = {cid: (prob.candidates[cid].start, cid) for cid in out.attendees}
    for pid in sorted(seats):
        cids = sorted(seats[pid], key=when.__getitem__)
        latest_end = -(1 << 62)  # of the kept seats
        kept_rounds: set[tuple[str, int]] = set()
        ends: dict[str, int] = {}
        group = prob.groups[prob.person_group[pid]]
        for cid in cids:
            c = prob.candidates[cid]
            clash = latest_end > c.start or (c.training, c.rnd) in kept_rounds
            prereqs = prob.trainings[c.training].prereqs
            early = bool(prereqs) and any(
                pre in group.trainings and not prob.attended_before(pre, pid)
                and ends.get(pre, 1 << 62) > c.start - gap
                for pre, gap in prereqs)
            if clash or early:
                drop.add((cid, pid))
                continue
            latest_end = max(latest_end, c.end)
            kept_rounds.add((c.training, c.rnd))
            ends.setdefault(c.training, c.end)
    for cid, pid in sorted(drop):
        c = prob.candidates[cid]
        out.attendees[cid] = [p for p in out.attendees[cid] if p != pid]
        out.placed.get((c.training, c.rnd), set()).discard(pid)
        out.short.append((cid, prob.person_group[pid], 1))


@dataclass
class _Ctx:
    prob: Problem
    out: Assignment
    busy: dict[str, IntervalBag]
    done_end: dict[tuple[str, str], int]
    dependents: dict[str, list[str]]
    waiting: dict[tuple[str, int, int], list[str]]

    def free(self, pid: str, start: int, end: int, ignore: tuple[int, int] | None = None
             ) -> bool:
        bag = self.busy.get(pid)
        if bag is None:
            return True
        load = bag.load(start, end)
        if ignore is not None and ignore[0] < end and start < ignore[1]:
            load -= 1
        return load <= 0

    def swap_in(self, cid: int, gid: int, missing: int, chosen: dict[int, list[str]],
                got: set[str]) -> list[str]:
        """Free seats for ``missing`` people at ``cid``: a member q attending another session
        S2 of the same training (and free now) moves here, and a member p who still needs
        the training but is busy now takes q's seat in S2."""
        prob = self.prob
        c = prob.candidates[cid]
        info = prob.trainings[c.training]
        group = prob.groups[gid]
        taken = self.out.placed[(c.training, c.rnd)]
        waiting = [p for p in info.demand.get((c.rnd, gid), ())
                   if p not in taken and p not in got]
        moved: list[str] = []
        others = [o for o in chosen if o != cid and prob.candidates[o].training == c.training
                  and prob.candidates[o].rnd == c.rnd]
        for p in waiting:
            if len(moved) >= missing:
                break
            done = False
            for o in others:
                s2 = prob.candidates[o]
                if not self.free(p, s2.start, s2.end) or not _prereqs_ok(
                        prob, p, c.training, s2.start, self.done_end, group.trainings):
                    continue
                for q in chosen[o]:
                    if prob.person_group.get(q) != gid or q in moved:
                        continue
                    if any((d, q) in self.done_end for d in self.dependents.get(c.training, [])):
                        continue
                    if not self.free(q, c.start, c.end, ignore=(s2.start, s2.end)):
                        continue
                    if not _prereqs_ok(prob, q, c.training, c.start, self.done_end,
                                       group.trainings):
                        continue
                    chosen[o].remove(q)
                    chosen[o].append(p)
                    self.busy[q].remove(s2.start, s2.end)
                    self.busy.setdefault(p, IntervalBag()).add(s2.start, s2.end)
                    self.done_end[(c.training, p)] = s2.end
                    del self.done_end[(c.training, q)]
                    taken.add(p)
                    taken.discard(q)
                    moved.append(q)
                    done = True
                    break
                if done:
                    break
        return moved

    def swap_out(self, cid: int, gid: int, missing: int, chosen: dict[int, list[str]],
                 got: set[str]) -> list[str]:
        """A member p who needs this training is busy now in an overlapping session S' of
        another training; a member q' who still needs that training and is free then takes
        p's seat in S', and p comes here."""
        prob = self.prob
        c = prob.candidates[cid]
        info = prob.trainings[c.training]
        group = prob.groups[gid]
        taken = self.out.placed[(c.training, c.rnd)]
        freed: list[str] = []
        for p in info.demand.get((c.rnd, gid), ()):
            if len(freed) >= missing:
                break
            if p in taken or p in got or not _prereqs_ok(prob, p, c.training, c.start,
                                                         self.done_end, group.trainings):
                continue
            blockers = [o for o, ppl in chosen.items() if o != cid and p in ppl
                        and prob.candidates[o].start < c.end and c.start < prob.candidates[o].end]
            if len(blockers) != 1:
                continue
            o = blockers[0]
            s2 = prob.candidates[o]
            if any((d, p) in self.done_end for d in self.dependents.get(s2.training, [])):
                continue
            if not self.free(p, c.start, c.end, ignore=(s2.start, s2.end)):
                continue
            placed2 = self.out.placed[(s2.training, s2.rnd)]
            info2 = prob.trainings[s2.training]
            for q in info2.demand.get((s2.rnd, gid), ()):
                if q in placed2 or q == p or q in got or not self.free(q, s2.start, s2.end):
                    continue
                if not _prereqs_ok(prob, q, s2.training, s2.start, self.done_end,
                                   group.trainings):
                    continue
                chosen[o].remove(p)
                chosen[o].append(q)
                self.busy[p].remove(s2.start, s2.end)
                self.busy.setdefault(q, IntervalBag()).add(s2.start, s2.end)
                del self.done_end[(s2.training, p)]
                self.done_end[(s2.training, q)] = s2.end
                placed2.discard(p)
                placed2.add(q)
                queue = self.waiting.get((s2.training, s2.rnd, gid))
                if queue is not None:
                    queue.append(p)  # p needs that training again
                freed.append(p)
                break
        return freed


def _rivals(prob: Problem, cid: int, gid: int, cids: list[int], left: dict[tuple[int, int], int],
            out: Assignment) -> list[set[str]]:
    """For each other session overlapping ``cid`` that still needs people of profile ``gid``:
    the people already done with that session's training (they are no loss to take here)."""
    c = prob.candidates[cid]
    rivals: list[set[str]] = []
    for other in cids:
        if other == cid or left.get((other, gid), 0) <= 0:
            continue
        o = prob.candidates[other]
        if o.start >= c.end:
            break
        if o.end > c.start and o.training != c.training:
            rivals.append(out.placed.get((o.training, o.rnd), set()))
    return rivals


def _prereqs_ok(prob: Problem, pid: str, training: str, start: int,
                done_end: dict[tuple[str, str], int], wanted: frozenset[str]) -> bool:
    for pre, gap in prob.trainings[training].prereqs:
        if pre not in wanted:
            continue
        if prob.attended_before(pre, pid):
            continue
        end = done_end.get((pre, pid))
        if end is None or end > start - gap:
            return False
    return True


def _weekly_ok(prob: Problem, used: dict[int, int], start: int, end: int, limit: float) -> bool:
    return all(used.get(w, 0) + m <= round(limit * 60)
               for w, m in prob.weeks.split(start, end).items())

