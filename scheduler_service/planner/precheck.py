"""Capacity pre-check: cheap arithmetic, before any solving, that explains shortfalls.

For each training and round: seats the offerings limit allows vs people who need one; people
with no candidate time at all; facilitator-hours and room-hours needed (capacity bound x
duration) vs the hours in which they could be used. Messages are sorted and deterministic.
"""

from __future__ import annotations

import math

from scheduler_service.planner.problem import Problem


def _union_minutes(intervals: list[tuple[int, int]]) -> int:
    total, cur_s, cur_e = 0, None, None
    for s, e in sorted(intervals):
        if cur_e is None or s > cur_e:
            if cur_e is not None and cur_s is not None:
                total += cur_e - cur_s
            cur_s, cur_e = s, e
        else:
            cur_e = max(cur_e, e)
    if cur_e is not None and cur_s is not None:
        total += cur_e - cur_s
    return total


def precheck(prob: Problem) -> list[str]:
    out: list[str] = []
    fac_need: dict[str, float] = {}
    fac_time: dict[str, list[tuple[int, int]]] = {}
    room_need: dict[str, int] = {}
    room_time: dict[str, list[tuple[int, int]]] = {}
    for key, info in prob.trainings.items():
        cap = info.spec.capacity
        for r in info.rounds:
            where = f"{key}" + (f" round {r.label}" if r.label else "")
            demand = sum(len(v) for (rr, _g), v in info.demand.items() if rr == r.index)
            if demand == 0:
                continue
            cands = [prob.candidates[c] for c in info.by_round.get(r.index, [])]
            if not cands:
                out.append(f"{where}: no candidate time any of its {demand} people can attend "
                           "with a facilitator available")
                continue
            reach = {g for c in cands for g in c.seats}
            stuck = sum(len(v) for (rr, g), v in info.demand.items()
                        if rr == r.index and g not in reach)
            if stuck:
                out.append(f"{where}: {stuck} of {demand} people can attend none of its "
                           "candidate times")
            limit = info.offerings()
            if limit is not None and limit * cap < demand:
                out.append(f"{where}: {limit} offerings x capacity {cap} = {limit * cap} seats "
                           f"for {demand} people; {demand - limit * cap} cannot be placed")
            sessions = math.ceil(demand / cap)
            if info.spec.facilitators_needed:
                share = sessions * info.duration * info.spec.facilitators_needed
                facs = sorted({f for c in cands for f in c.facilitators})
                for f in facs:
                    fac_need[f] = fac_need.get(f, 0) + share / max(1, len(facs))
                    fac_time.setdefault(f, []).extend(
                        (c.start, c.end) for c in cands if f in c.facilitators)
            if info.room:
                room_need[info.room] = room_need.get(info.room, 0) + sessions * info.duration
                room_time.setdefault(info.room, []).extend((c.start, c.end) for c in cands)
    for f in sorted(fac_need):
        have = _union_minutes(fac_time[f])
        if fac_need[f] > have:
            out.append(f"facilitator {f}: about {fac_need[f] / 60:.1f} h of sessions needed, "
                       f"only {have / 60:.1f} h available at usable times")
    for room in sorted(room_need):
        have = _union_minutes(room_time[room])
        if room_need[room] > have:
            out.append(f"room {room}: {room_need[room] / 60:.1f} h of sessions needed, only "
                       f"{have / 60:.1f} h at usable times")
    return out
