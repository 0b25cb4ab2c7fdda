"""Build the planning problem: profiles, candidate sessions with their seats, staffing timeline.

Everything the greedy, the CP-SAT model, the assignment and the explanations share lives in one
:class:`Problem`. Built once per ``make_plan`` call; pure (no I/O, no clock).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from scheduler_service.config.schema import Config, Person, Training
from scheduler_service.model import Plan, Session
from scheduler_service.planner.availability import (
    BLOCKED,
    FREE,
    RELEASED,
    CodeArray,
    IntArray,
    RestRules,
    ShiftSpan,
    status_codes_many,
)
from scheduler_service.planner.candidates import (
    FacilitatorTable,
    Round,
    audiences,
    day_blocked,
    day_starts,
    round_of_day,
    rounds_of,
)
from scheduler_service.planner.cost import PayRules, PayWeeks, SeatCost, WorkLedger, seat_cost_at
from scheduler_service.planner.profiles import Group, ShiftBook, group_people
from scheduler_service.planner.timeline import Timeline, build_timeline
from scheduler_service.planner.timeutil import local, to_min, wall_loose


@dataclass
class Candidate:
    cid: int
    training: str
    rnd: int
    start: int
    end: int
    seats: dict[int, SeatCost]  # group id -> what a seat costs (its kind inside)
    facilitators: tuple[str, ...]
    sole: frozenset[int] = frozenset()  # groups for which this is the only option in the round
    segs: range = range(0)
    template: int = -1  # candidates of a round with the same template have equal seats


@dataclass
class RoundSeats:
    """A round's candidates (ids ``first`` ..) against its groups, as arrays: which group each
    candidate offers a seat and the seat's units."""

    first: int
    gids: list[int]
    offered: npt.NDArray[np.bool_]  # (candidates, groups)
    units: IntArray  # (candidates, groups); 0 where no seat


@dataclass
class TrainingInfo:
    key: str
    spec: Training
    rounds: list[Round]
    audience: tuple[str, ...]
    demand: dict[tuple[int, int], tuple[str, ...]]  # (round, group) -> people who need a seat
    prereqs: list[tuple[str, int]]  # (training, gap in minutes)
    room: str | None
    in_person: bool
    by_round: dict[int, list[int]] = field(default_factory=dict)  # round -> candidate ids
    dropped_days: dict[date, str] = field(default_factory=dict)  # rule-1 reason per day
    seat_table: dict[int, RoundSeats] = field(default_factory=dict)  # round -> seats as arrays
    _min: dict[int, int] = field(default_factory=dict, repr=False)

    @property
    def duration(self) -> int:
        return self.spec.duration_minutes

    def min_size(self, rnd: int) -> int:
        """min_attendees, or the whole round's demand when that is smaller."""
        found = self._min.get(rnd)
        if found is None:
            total = sum(len(v) for (r, _g), v in self.demand.items() if r == rnd)
            found = self._min[rnd] = max(1, min(self.spec.min_attendees, total))
        return found

    def offerings(self) -> int | None:
        return self.spec.offerings if isinstance(self.spec.offerings, int) else None


@dataclass
class Problem:
    config: Config
    first: date
    last: date
    now: datetime
    rules: RestRules
    weeks: PayWeeks
    pay: PayRules
    groups: list[Group]
    person_group: dict[str, int]
    trainings: dict[str, TrainingInfo]  # in prerequisite (topological) order
    candidates: list[Candidate]
    timeline: Timeline
    shifts: dict[str, tuple[ShiftSpan, ...]]
    ledgers: dict[int, WorkLedger]
    previous: Plan | None
    keep: dict[int, Session]  # candidate id -> previous session at that exact time
    completed: dict[tuple[str, str], frozenset[str]]  # (training, round label) -> people
    pruned: int = 0
    done: dict[str, frozenset[str]] = field(default_factory=dict)  # training -> attended before
    people: dict[str, Person] = field(default_factory=dict)
    attended: dict[tuple[str, str], str] = field(default_factory=dict)  # (training, person) -> id

    def attended_before(self, training: str, pid: str) -> bool:
        return pid in self.done.get(training, frozenset())

    @property
    def zone(self) -> ZoneInfo:
        return self.config.zone

    @property
    def horizon(self) -> tuple[int, int]:
        zone = self.config.zone
        return (wall_loose(self.first, time(0), zone),
                wall_loose(self.last + timedelta(days=1), time(0), zone))


def topo_order(config: Config) -> list[str]:
    done: list[str] = []
    seen: set[str] = set()

    def visit(key: str, depth: int) -> None:
        if key in seen or depth > len(config.trainings):
            return
        for pre in sorted(p.training for p in config.trainings[key].prerequisites):
            if pre in config.trainings:
                visit(pre, depth + 1)
        if key not in seen:
            seen.add(key)
            done.append(key)

    for key in sorted(config.trainings):
        visit(key, 0)
    return done


def _completed(config: Config, previous: Plan | None, horizon_start: int
               ) -> dict[tuple[str, str], frozenset[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    if previous is None:
        return {}
    for s in previous.sessions:
        if s.status != "confirmed" or s.training not in config.trainings:
            continue
        if to_min(s.start) >= horizon_start:
            continue
        day = s.start.astimezone(config.zone).date()
        key = (s.training, round_of_day(config.trainings[s.training], day))
        out.setdefault(key, set()).update(s.attendees)
    return {k: frozenset(v) for k, v in sorted(out.items())}


def build_problem(
    config: Config, first: date, last: date, now: datetime, previous: Plan | None = None
) -> Problem:
    zone = config.zone
    rules = RestRules.of(config)
    weeks = PayWeeks.of(config)
    pay = PayRules.of(config)
    horizon_start = wall_loose(first, time(0), zone)
    order = topo_order(config)
    auds = audiences(config, order)
    rounds = {k: rounds_of(config.trainings[k], first, last) for k in order}
    completed = _completed(config, previous, horizon_start)
    memberships: dict[str, set[str]] = {}
    done_by: dict[str, set[str]] = {}
    for key in order:
        for pid in auds[key]:
            memberships.setdefault(pid, set()).add(key)
        for r in rounds[key]:
            for pid in completed.get((key, r.label), frozenset()):
                done_by.setdefault(pid, set()).add(f"{key}@{r.label}")
    fac_ids = {f for t in config.trainings.values() for f in t.facilitators}
    book = ShiftBook(config, first, last)
    shifts = book.by_person()
    groups = group_people(
        config, book, {p: frozenset(v) for p, v in memberships.items()},
        {p: frozenset(v) for p, v in done_by.items()}, fac_ids,
    )
    person_group = {m: g.gid for g in groups for m in g.members}
    infos = _trainings(config, order, auds, rounds, groups, completed, person_group)
    cand_starts = _starts(config, infos)
    grid = np.array(sorted({s for v in cand_starts.values() for ss in v.values() for s in ss}),
                    dtype=np.int64)
    shared: dict[tuple[ShiftSpan, ...], WorkLedger] = {}
    for g in groups:
        if g.shifts not in shared:
            shared[g.shifts] = WorkLedger(g.shifts, weeks)
    ledgers = {g.gid: shared[g.shifts] for g in groups}
    codes = _codes(groups, infos, grid, rules, config)
    keep_times: set[tuple[str, int]] = set()
    if previous is not None:
        keep_times = {(s.training, to_min(s.start)) for s in previous.sessions
                      if s.status == "confirmed"}
    candidates, pruned = _candidates(config, infos, cand_starts, grid, codes, ledgers, pay,
                                     rules, shifts, keep_times)
    for c in candidates:
        infos[c.training].by_round.setdefault(c.rnd, []).append(c.cid)
    team_of = {p.id: p.team for p in config.roster}
    extra = [c.start for c in candidates] + [c.end for c in candidates]
    timeline = build_timeline(config, first, last, shifts, team_of, extra)
    if candidates:
        lo = np.searchsorted(timeline.points, [c.start for c in candidates], "left")
        hi = np.searchsorted(timeline.points, [c.end for c in candidates], "left")
        for c, a, b in zip(candidates, lo.tolist(), hi.tolist(), strict=True):
            c.segs = range(a, b)
    keep: dict[int, Session] = {}
    if previous is not None:
        index = {(c.training, c.start): c.cid for c in candidates}
        for s in sorted(previous.sessions, key=lambda s: s.id):
            cid = index.get((s.training, to_min(s.start)))
            if s.status == "confirmed" and cid is not None and cid not in keep:
                keep[cid] = s
    return Problem(
        config=config, first=first, last=last, now=now, rules=rules, weeks=weeks, pay=pay,
        groups=groups, person_group=person_group, trainings=infos, candidates=candidates,
        timeline=timeline, shifts=shifts, ledgers=ledgers, previous=previous, keep=keep,
        completed=completed, pruned=pruned, done=_done(completed),
        attended=_attended(config, previous, horizon_start),
        people={p.id: p for p in config.roster},
    )


def _attended(config: Config, previous: Plan | None, horizon_start: int
              ) -> dict[tuple[str, str], str]:
    """Which previous session each person attended before the horizon, per training."""
    out: dict[tuple[str, str], str] = {}
    if previous is None:
        return out
    for s in sorted(previous.sessions, key=lambda s: (s.start, s.id)):
        if s.status == "confirmed" and to_min(s.start) < horizon_start:
            for pid in s.attendees:
                out[(s.training, pid)] = s.id
    return out


def _done(completed: dict[tuple[str, str], frozenset[str]]) -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for (training, _label), who in completed.items():
        out.setdefault(training, set()).update(who)
    return {k: frozenset(v) for k, v in out.items()}


def _trainings(
    config: Config, order: list[str], auds: dict[str, list[str]], rounds: dict[str, list[Round]],
    groups: list[Group], completed: dict[tuple[str, str], frozenset[str]],
    person_group: dict[str, int],
) -> dict[str, TrainingInfo]:
    infos: dict[str, TrainingInfo] = {}
    starts = {p.id: p.start_date for p in config.roster}
    for key in order:
        spec = config.trainings[key]
        lists: dict[tuple[int, int], list[str]] = {}
        for r in rounds[key]:
            done = completed.get((key, r.label), frozenset())
            last_day = r.days[-1] if r.days else None
            for pid in auds[key]:
                if pid in done or pid not in person_group:
                    continue
                begins = starts.get(pid)
                if begins is not None and last_day is not None and begins > last_day:
                    continue  # not yet employed while this round can run: not required
                lists.setdefault((r.index, person_group[pid]), []).append(pid)
        demand = {k: tuple(v) for k, v in lists.items()}
        prereqs = [(p.training, round(p.min_gap_days * 24 * 60)) for p in spec.prerequisites
                   if p.training in config.trainings]
        in_person = spec.delivery in ("in_person", "hybrid")
        infos[key] = TrainingInfo(
            key=key, spec=spec, rounds=rounds[key], audience=tuple(auds[key]),
            demand=dict(sorted(demand.items())), prereqs=prereqs,
            room=spec.room if in_person else None, in_person=in_person,
        )
    return infos


def _starts(config: Config, infos: dict[str, TrainingInfo]) -> dict[str, dict[int, list[int]]]:
    out: dict[str, dict[int, list[int]]] = {}
    for key, info in infos.items():
        per: dict[int, list[int]] = {}
        for r in info.rounds:
            starts: list[int] = []
            for day in r.days:
                why = day_blocked(config, info.spec, day)
                if why is not None:
                    info.dropped_days[day] = why
                    continue
                starts.extend(day_starts(config, info.spec, day))
            per[r.index] = starts
        out[key] = per
    return out


def _codes(
    groups: list[Group], infos: dict[str, TrainingInfo], grid: IntArray, rules: RestRules,
    config: Config,
) -> dict[tuple[int, int], CodeArray]:
    zone = config.zone
    grid_days = [local(int(s), zone).date() for s in grid]
    durations: dict[int, set[int]] = {}
    for g in groups:
        durations[g.gid] = {infos[t].duration for t in g.trainings if t in infos}
    out: dict[tuple[int, int], CodeArray] = {}
    # profiles share rotations: each shift pattern once per duration, all patterns at once
    patterns: dict[int, dict[tuple[ShiftSpan, ...], int]] = {}
    for g in groups:
        for dur in durations[g.gid]:
            rows = patterns.setdefault(dur, {})
            rows.setdefault(g.shifts, len(rows))
    same: dict[tuple[tuple[ShiftSpan, ...], int], CodeArray] = {}
    for dur, rows in patterns.items():
        table = status_codes_many(list(rows), grid, dur, rules)
        for shifts, i in rows.items():
            same[(shifts, dur)] = table[i]
    day_arr = np.array([d.toordinal() for d in grid_days], dtype=np.int64)
    for g in groups:
        mask = np.ones(len(grid), dtype=bool)
        if g.start_date:
            mask &= day_arr >= g.start_date.toordinal()
        for a, b in g.time_off:
            mask &= ~((day_arr >= a.toordinal()) & (day_arr <= b.toordinal()))
        for dur in sorted(durations[g.gid]):
            codes = same[(g.shifts, dur)].copy()
            codes[~mask] = BLOCKED
            out[(g.gid, dur)] = codes
    return out


def _candidates(
    config: Config, infos: dict[str, TrainingInfo], starts: dict[str, dict[int, list[int]]],
    grid: IntArray, codes: dict[tuple[int, int], CodeArray],
    ledgers: dict[int, WorkLedger], pay: PayRules, rules: RestRules,
    shifts: dict[str, tuple[ShiftSpan, ...]], keep: set[tuple[str, int]],
) -> tuple[list[Candidate], int]:
    """Candidates per training and round, dominated starts pruned before costing seats."""
    out: list[Candidate] = []
    pruned = 0
    index = {int(s): i for i, s in enumerate(grid.tolist())}
    costs = _SeatCosts(config, grid, ledgers, pay)
    facs_at = FacilitatorTable(config, grid, shifts, rules)
    for key, info in infos.items():
        dur = info.duration
        need = info.spec.facilitators_needed
        names = info.spec.facilitators
        kept_starts = {t for (k, t) in keep if k == key}
        for r in info.rounds:
            gids = sorted({g for (rr, g) in info.demand if rr == r.index})
            times = starts[key][r.index]
            if not gids or not times:
                continue
            idx = np.array([index[t] for t in times], dtype=np.int64)
            kinds = np.stack([codes[(gid, dur)][idx] for gid in gids]).T  # (times, groups)
            fac = np.stack([facs_at.ok(f, dur)[idx] for f in names], axis=1) if names else \
                np.zeros((len(times), 0), dtype=bool)
            valid = kinds.any(axis=1) & (fac.sum(axis=1) >= need)
            rows = np.flatnonzero(valid)
            t_arr = np.asarray(times, dtype=np.int64)[rows]
            kept = _prune(t_arr, kinds[rows], fac[rows], dur, kept_starts)
            pruned += len(rows) - len(kept)
            if not kept:
                continue
            sel = rows[kept]
            k_kept = kinds[sel]
            first = len(out)
            fac_rows = fac[sel].tolist()
            seat_maker = costs.round_maker(gids, dur, info.in_person)
            for j, (start, col, frow) in enumerate(zip(t_arr[kept].tolist(), k_kept.tolist(),
                                                       fac_rows, strict=True)):
                facs = tuple(f for f, ok in zip(names, frow, strict=True) if ok)
                seats, template = seat_maker(start, col)
                out.append(Candidate(first + j, key, r.index, start, start + dur, seats, facs,
                                     template=template))
            _mark_sole(out, first, k_kept, gids)
            units = costs.units([c.template for c in out[first:]])
            info.seat_table[r.index] = RoundSeats(first, gids, k_kept != BLOCKED, units)
    return out, pruned


class _SeatCosts:
    """Seat costs, shared by profiles with the same shifts; a seat's cost depends on its start
    only through the pay week and the local day."""

    def __init__(self, config: Config, grid: IntArray, ledgers: dict[int, WorkLedger],
                 pay: PayRules) -> None:
        self.config, self.ledgers, self.pay = config, ledgers, pay
        first_gid: dict[tuple[ShiftSpan, ...], int] = {}
        for gid, ledger in ledgers.items():
            first_gid.setdefault(ledger.shifts, gid)
        self.cost_key = {gid: first_gid[ledger.shifts] for gid, ledger in ledgers.items()}
        self.cache: dict[tuple[int, int, int, int, bool], SeatCost] = {}
        self._week: dict[tuple[int, int], int] = {}
        self.tables: dict[tuple[int, int, bool], dict[int, SeatCost]] = {}
        self._week_ids: dict[tuple[int, tuple[tuple[date, int], ...]], int] = {}
        self._units: list[list[int]] = []  # per template: units per group of its round
        self.when: dict[int, tuple[int, int]] = {}
        self.dates: dict[int, date] = {}
        self.released = SeatCost(RELEASED, 0, 0, 0, 0)
        weeks = next(iter(ledgers.values())).weeks if ledgers else None
        if weeks is not None:
            for s in grid.tolist():
                day = local(s, config.zone).date()
                self.when[s] = (weeks.start_of(s), day.toordinal())
                self.dates[day.toordinal()] = day

    def week(self, ckey: int, wk: int) -> int:
        """An id for the worked minutes per day of pay week ``wk`` in ``ckey``'s pattern: the
        overtime a seat adds depends on nothing else (many patterns share their weeks)."""
        found = self._week.get((ckey, wk))
        if found is None:
            content = tuple(sorted(self.ledgers[ckey].days.get(wk, {}).items()))
            found = self._week[(ckey, wk)] = self._week_ids.setdefault(
                (wk, content), len(self._week_ids))
        return found

    def cost(self, ckey: int, kind: int, wk: int, day: int, dur: int, in_person: bool
             ) -> SeatCost:
        if kind == RELEASED:
            return self.released
        # travel (the only use of in_person) is paid for seats in free time only
        ck = (self.week(ckey, wk), kind, day, dur, in_person and kind == FREE)
        sc = self.cache.get(ck)
        if sc is None:
            sc = self.cache[ck] = seat_cost_at(kind, wk, self.dates[day], dur, in_person,
                                               self.ledgers[ckey], self.pay, self.config)
        return sc

    def units(self, templates: list[int]) -> IntArray:
        """Units per group of the round, for each of the round's ``templates``."""
        lo = min(templates)
        table = np.array(self._units[lo:max(templates) + 1], dtype=np.int64)
        return table[np.asarray(templates, dtype=np.int64) - lo]

    def round_maker(self, gids: list[int], dur: int, in_person: bool
                    ) -> Callable[[int, list[int]], tuple[dict[int, SeatCost], int]]:
        """seats(start, kinds per group) -> (seats, template) for one round: identical columns
        on the same day and pay week share one template (the seats are copied per candidate)."""
        keys = [self.cost_key[g] for g in gids]
        made: dict[tuple[int, int, tuple[int, ...]], tuple[dict[int, SeatCost], int]] = {}
        weeks: dict[int, list[int]] = {}  # pay week -> 4 x week id per group position

        def seats(start: int, col: list[int]) -> tuple[dict[int, SeatCost], int]:
            wk, day = self.when[start]
            mk = (wk, day, tuple(col))
            found = made.get(mk)
            if found is None:
                wids = weeks.get(wk)
                if wids is None:
                    wids = weeks[wk] = [4 * self.week(k, wk) for k in keys]
                # the seat costs of this day and session kind, by 4 x week id + seat kind
                table = self.tables.setdefault((day, dur, in_person), {})
                got: dict[int, SeatCost] = {}
                units: list[int] = []
                for i, kind in enumerate(col):
                    if kind == BLOCKED:
                        units.append(0)
                        continue
                    sc = table.get(wids[i] + kind)
                    if sc is None:
                        sc = table[wids[i] + kind] = self.cost(keys[i], kind, wk, day, dur,
                                                               in_person)
                    got[gids[i]] = sc
                    units.append(sc.units)
                self._units.append(units)
                found = made[mk] = (got, len(self._units) - 1)
            return dict(found[0]), found[1]

        return seats


def _prune(starts: IntArray, kinds: CodeArray, fac: npt.NDArray[np.bool_], dur: int,
           keep: set[int]) -> list[int]:
    """Indices of the rows to keep. Drop a start when a neighbouring row (within 60 minutes)
    offers a strict superset of seat kinds and facilitators; among runs of equivalent starts
    keep one per session length (back-to-back sessions stay possible). Starts of previous
    sessions are always kept."""
    n = len(starts)
    dominated = np.zeros(n, dtype=bool)
    if n > 1:
        for lo, hi in ((slice(1, n), slice(0, n - 1)), (slice(0, n - 1), slice(1, n))):
            small, big = kinds[lo], kinds[hi]  # row i (small) against its neighbour (big)
            same_k = (small == big).all(axis=1)
            same_f = (fac[lo] == fac[hi]).all(axis=1)
            covers = ((small == 0) | (small == big)).all(axis=1) & (
                fac[lo] <= fac[hi]).all(axis=1)
            close = np.abs(starts[hi] - starts[lo]) <= 60
            dominated[lo] |= close & ~(same_k & same_f) & covers
    kept: list[int] = []
    last_by_sig: dict[bytes, int] = {}
    sigs = np.concatenate([kinds.astype(np.int8), fac.astype(np.int8)], axis=1)
    dom = dominated.tolist()
    for i, start in enumerate(starts.tolist()):
        if start not in keep:
            if dom[i]:
                continue
            sig = sigs[i].tobytes()
            prev = last_by_sig.get(sig)
            if prev is not None and start - prev < dur:
                continue
            last_by_sig[sig] = start
        kept.append(i)
    return kept


def _mark_sole(cands: list[Candidate], first: int, kinds: CodeArray, gids: list[int]) -> None:
    """Mark, per group of the round, the candidate that is its only option (if just one)."""
    offered = kinds != BLOCKED
    count = offered.sum(axis=0)
    which = offered.argmax(axis=0)
    sole: dict[int, list[int]] = {}
    for g, n, row in zip(gids, count.tolist(), which.tolist(), strict=True):
        if n == 1:
            sole.setdefault(row, []).append(g)
    for row, gs in sole.items():
        cands[first + row].sole = frozenset(gs)
