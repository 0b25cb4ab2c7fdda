"""Assemble the Plan: session ids (stable across re-plans), attendees, unplaced people with
reasons, and the statistics (cost parts, solver figures, coverage, moved sessions)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from scheduler_service.model import Plan, Session, Unplaced
from scheduler_service.planner.assign import Assignment
from scheduler_service.planner.availability import FREE, RELEASED
from scheduler_service.planner.cost import PayRules, WorkLedger, hours
from scheduler_service.planner.explain import Explainer
from scheduler_service.planner.problem import Problem
from scheduler_service.planner.solution import Solution
from scheduler_service.planner.timeline import margins_by_day
from scheduler_service.planner.timeutil import from_min, local, span_label, to_min

ALREADY = "already attended"


@dataclass
class Built:
    plan: Plan
    ids: dict[int, str]
    released: list[int]


def session_ids(prob: Problem, sol: Solution, att: Assignment) -> tuple[dict[int, str],
                                                                         list[dict[str, str]]]:
    """Ids per open candidate, and the list of previous sessions that moved or were cancelled."""
    zone = prob.config.zone
    ids: dict[int, str] = {}
    moved: list[dict[str, str]] = []
    for cid in sorted(sol.openings):
        if cid in prob.keep:
            ids[cid] = prob.keep[cid].id
    prev = [] if prob.previous is None else prob.previous.sessions
    h0, h1 = prob.horizon
    kept_ids = set(ids.values())
    open_by: dict[tuple[str, int], list[int]] = {}
    for cid in sorted(sol.openings, key=lambda c: (prob.candidates[c].start, c)):
        if cid not in ids:
            c = prob.candidates[cid]
            open_by.setdefault((c.training, c.rnd), []).append(cid)
    for s in sorted(prev, key=lambda s: (s.start, s.id)):
        if s.status != "confirmed" or s.id in kept_ids:
            continue
        start = to_min(s.start)
        if not (h0 <= start < h1):
            continue
        if s.training not in prob.trainings:
            moved.append({"session": s.id, "reason": f"cancelled: training {s.training} is no "
                          "longer in the configuration"})
            continue
        info = prob.trainings[s.training]
        day = local(start, zone).date()
        rnd = next((r.index for r in info.rounds if day in r.days), None)
        pool = open_by.get((s.training, rnd if rnd is not None else -1), [])
        why = move_reason(prob, s)
        if pool:
            best = max(pool, key=lambda c: (len(set(att.attendees.get(c, [])) & set(s.attendees)),
                                            -abs(prob.candidates[c].start - start), -c))
            pool.remove(best)
            ids[best] = s.id
            to = span_label(prob.candidates[best].start, prob.candidates[best].end, zone)
            moved.append({"session": s.id, "reason": f"moved to {to}: {why}"})
        else:
            moved.append({"session": s.id, "reason": f"cancelled: {why}"})
    taken = {s.id for s in prev} | set(ids.values())
    for cid in sorted(sol.openings, key=lambda c: (prob.candidates[c].start,
                                                     prob.candidates[c].training, c)):
        if cid in ids:
            continue
        c = prob.candidates[cid]
        base = f"{c.training}-{local(c.start, zone):%Y%m%dT%H%M}"
        sid, n = base, 1
        while sid in taken:
            n += 1
            sid = f"{base}-{n}"
        taken.add(sid)
        ids[cid] = sid
    return ids, moved


def move_reason(prob: Problem, s: Session) -> str:
    """Which hard constraint stops a previous session from staying where it was."""
    from scheduler_service.planner.candidates import day_blocked, day_starts

    info = prob.trainings[s.training]
    start = to_min(s.start)
    day = local(start, prob.config.zone).date()
    if not any(day in r.days for r in info.rounds):
        return "the date is outside the training's window or rounds"
    why = day_blocked(prob.config, info.spec, day)
    if why is not None:
        return f"the date is no longer allowed ({why})"
    if (start not in day_starts(prob.config, info.spec, day)
            or to_min(s.end) - start != info.duration):
        return "the time no longer fits the training's hours or length"
    ex = Explainer(prob)
    fac = ex.facilitators(s.training, start, start + info.duration)
    if fac is not None:
        return fac
    blocked = [p for p in s.attendees if p in prob.person_group
               and ex.personal(p, start, start + info.duration) is not None]
    if blocked:
        return f"{len(blocked)} of its attendees are now on shift, resting or away then"
    if not any(c.training == s.training and c.start == start for c in prob.candidates):
        return "nobody who still needs the training can attend then"
    return "needed to place everyone within the staffing, room and facilitator limits"


def build_plan(prob: Problem, sol: Solution, att: Assignment, stats_extra: dict[str, Any]
               ) -> Built:
    config = prob.config
    zone = config.zone
    ids, moved = session_ids(prob, sol, att)
    sessions: list[Session] = []
    released_at = np.zeros(len(prob.timeline.points) + 1, dtype=np.int64)  # differences
    placed_end: dict[tuple[str, str], int] = {}
    pay_mix: dict[str, dict[str, int]] = {}
    for cid in sorted(sol.openings, key=lambda c: (prob.candidates[c].start, ids[c])):
        op = sol.openings[cid]
        c = prob.candidates[cid]
        info = prob.trainings[c.training]
        spec = info.spec
        people = att.attendees.get(cid, [])
        if not people:
            continue  # every seat was dropped by the final sanity pass
        location = None
        if info.in_person:
            location = ", ".join(x for x in (spec.room, spec.address) if x)
        sessions.append(Session(
            id=ids[cid], training=c.training, title=spec.title,
            start=from_min(c.start), end=from_min(c.end), location=location,
            virtual_url=spec.virtual_url if spec.delivery in ("virtual", "hybrid") else None,
            facilitators=tuple(sorted(op.facilitators)), attendees=tuple(sorted(people)),
            capacity=spec.capacity,
        ))
        mix = {"on_shift": 0, "adjacent": 0, "day_off": 0}
        for pid in people:
            gid = prob.person_group[pid]
            kind = c.seats[gid].kind
            mix["on_shift" if kind == RELEASED else "day_off" if kind == FREE else "adjacent"] += 1
            tp = (c.training, pid)
            placed_end[tp] = min(placed_end.get(tp, c.end), c.end)
        if mix["on_shift"] and c.segs:
            released_at[c.segs.start] += mix["on_shift"]
            released_at[c.segs.stop] -= mix["on_shift"]
        pay_mix[ids[cid]] = mix
    released: list[int] = np.cumsum(released_at[:-1]).tolist()
    ex = Explainer(prob, placed_end, released)
    unplaced: list[Unplaced] = []
    pairs = {"required": 0, "optional": 0}
    placed = {"required": 0, "optional": 0}
    for key, info in prob.trainings.items():
        bucket = "required" if info.spec.required else "optional"
        for r in info.rounds:
            got = att.placed.get((key, r.index), set())
            for (rr, _gid), members in info.demand.items():
                if rr != r.index:
                    continue
                for pid in members:
                    pairs[bucket] += 1
                    if pid in got:
                        placed[bucket] += 1
                        continue
                    why = ex.reason(pid, key, r.index)
                    ex.unplaced.add((pid, key))
                    prefix = f"round {r.label}: " if r.label else ""
                    unplaced.append(Unplaced(pid, key, prefix + why))
    for key, info in prob.trainings.items():
        for r in info.rounds:
            for pid in sorted(prob.completed.get((key, r.label), frozenset())):
                if pid in info.audience:
                    sid = prob.attended.get((key, pid), "a previous session")
                    prefix = f"round {r.label}: " if r.label else ""
                    unplaced.append(Unplaced(pid, key, f"{prefix}{ALREADY} {sid} before this "
                                             "horizon"))
    unplaced.sort(key=lambda u: (u.training, u.person, u.reason))
    stats: dict[str, Any] = {
        "sessions": len(sessions),
        "lower_bound_sessions": lower_bound(prob),
        "placed_required": placed["required"],
        "required_pairs": pairs["required"],
        "placed_optional": placed["optional"],
        "optional_pairs": pairs["optional"],
        "cost": plan_cost(prob, sol, att),
        "moved": moved,
        "session_pay": dict(sorted(pay_mix.items())),
        "coverage": margins_by_day(prob.timeline, released, prob.first, prob.last, config),
        "model": {"candidates": len(prob.candidates), "pruned_candidates": prob.pruned,
                  "profiles": len(prob.groups)},
    }
    stats.update(stats_extra)
    h0, h1 = prob.horizon
    plan = Plan(
        generated_at=prob.now, timezone=config.organisation.timezone,
        horizon_start=from_min(h0), horizon_end=from_min(h1),
        sessions=tuple(sessions), unplaced=tuple(unplaced), stats=stats,
    )
    del zone
    return Built(plan, ids, released)


def lower_bound(prob: Problem) -> int:
    total = 0
    for info in prob.trainings.values():
        for r in info.rounds:
            demand = sum(len(v) for (rr, _g), v in info.demand.items() if rr == r.index)
            total += math.ceil(demand / info.spec.capacity)
    return total


def plan_cost(prob: Problem, sol: Solution, att: Assignment) -> dict[str, float]:
    config = prob.config
    w = config.planning.weights
    pay = PayRules.of(config)
    fac = paid = rest = 0
    work: dict[str, list[tuple[int, int]]] = {}
    sessions = 0
    for cid, op in sol.openings.items():
        if not att.attendees.get(cid):
            continue
        sessions += 1
        c = prob.candidates[cid]
        info = prob.trainings[c.training]
        fac += len(op.facilitators) * info.duration
        for pid in att.attendees.get(cid, []):
            seat = c.seats[prob.person_group[pid]]
            if seat.kind == RELEASED:
                continue
            paid += seat.paid
            rest += info.duration if seat.kind == FREE else 0
            work.setdefault(pid, []).append((c.start, seat.paid))
    overtime = 0
    ledgers: dict[int, WorkLedger] = prob.ledgers
    for pid in sorted(work):
        overtime += ledgers[prob.person_group[pid]].extra_overtime(pay, work[pid])
    total = (w.facilitator_hours * fac + w.paid_hours_off_shift * paid
             + w.overtime_hours * overtime + w.rest_interruption_hours * rest) / 60
    total += w.session * sessions
    return {
        "facilitator_hours": hours(fac),
        "paid_hours_off_shift": hours(paid),
        "overtime_hours": hours(overtime),
        "rest_interruption_hours": hours(rest),
        "total": round(total, 2),
    }
