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
    empty = IntervalBag()
    done_end: dict[tuple[str, str], int] = {}
    edge_count: dict[str, int] = {}
    weekly: dict[str, dict[int, int]] = {}
    for op in sol.openings.values():
        for f in op.facilitators:
            c = prob.candidates[op.cid]
            busy.setdefault(f, IntervalBag()).add(c.start, c.end)
    order = sorted(sol.openings.values(),
                   key=lambda o: (list(prob.trainings).index(prob.candidates[o.cid].training),
                                  prob.candidates[o.cid].rnd, prob.candidates[o.cid].start, o.cid))
    for op in order:
        c = prob.candidates[op.cid]
        info = prob.trainings[c.training]
        edge = unpopular(prob, c.start, c.end)
        chosen: list[str] = []
        for gid, n in sorted(op.seats.items()):
            group = prob.groups[gid]
            taken = out.placed.setdefault((c.training, c.rnd), set())
            pool = []
            for pid in info.demand.get((c.rnd, gid), ()):
                if pid in taken:
                    continue
                if busy.get(pid, empty).overlaps(c.start, c.end):
                    continue
                if not _prereqs_ok(prob, pid, c.training, c.start, done_end, group.trainings):
                    continue
                if group.weekly_limit is not None and not _weekly_ok(
                    prob, weekly.setdefault(pid, {}), c.start, c.end, group.weekly_limit
                ):
                    continue
                pool.append(pid)
            was = prev_seat.get((c.training, op.cid), set())
            pool.sort(key=lambda p: (p not in was, edge_count.get(p, 0) if edge else 0, p))
            got = pool[:n]
            if len(got) < n:
                out.short.append((op.cid, gid, n - len(got)))
            for pid in got:
                taken.add(pid)
                busy.setdefault(pid, IntervalBag()).add(c.start, c.end)
                key = (c.training, pid)
                done_end[key] = min(done_end.get(key, c.end), c.end)
                if edge:
                    edge_count[pid] = edge_count.get(pid, 0) + 1
                if group.weekly_limit is not None:
                    for w, m in prob.weeks.split(c.start, c.end).items():
                        weekly[pid][w] = weekly[pid].get(w, 0) + m
            chosen.extend(got)
        out.attendees[op.cid] = sorted(chosen)
    return out


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

