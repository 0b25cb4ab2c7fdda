"""Why is someone not placed? Every candidate time of a training, and what blocks it.

The reasons name the binding constraint, e.g. "on shift or resting at all 14 candidate times;
3 more blocked only by the staffing minimum on Tue 2027-01-05 02:00-04:00". The analysis works
on every start time that rule 1 allows (before pruning), person by person (rule 3), then the
facilitators (rule 6), then the staffing minimum for on-shift release (rule 5), then
prerequisites (rule 9).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from scheduler_service.config.schema import Config
from scheduler_service.planner.availability import BLOCKED, RELEASED, explain_time, near
from scheduler_service.planner.candidates import day_starts, facilitator_free
from scheduler_service.planner.problem import Problem
from scheduler_service.planner.timeline import overlapping
from scheduler_service.planner.timeutil import from_min, local, span_label


@dataclass(frozen=True)
class CandidateExplanation:
    """One candidate time of a training for one person, and what (if anything) blocks it."""

    start: datetime
    end: datetime
    status: str  # "attending" | "possible" | "blocked"
    blockers: tuple[str, ...]
    session: str | None = None  # the session id when the person attends at this time

    def to_json(self, config: Config) -> dict[str, object]:
        zone = config.zone
        return {
            "start": self.start.astimezone(zone).isoformat(),
            "end": self.end.astimezone(zone).isoformat(),
            "status": self.status,
            "blockers": list(self.blockers),
            "session": self.session,
        }


@dataclass
class Verdict:
    kind: str  # person | facilitator | staffing | prerequisite | open
    detail: str


class Explainer:
    def __init__(self, prob: Problem, placed_end: dict[tuple[str, str], int] | None = None,
                 released: list[int] | None = None) -> None:
        self.p = prob
        self.placed_end = placed_end or {}
        self.released = released
        self._cache: dict[tuple[str, int, str], list[tuple[int, int, Verdict]]] = {}
        self._fac: dict[tuple[str, int, int], str | None] = {}
        self._reasons: dict[tuple[int, str, int], str] = {}
        self.unplaced: set[tuple[str, str]] = set()  # (person, training) reported so far
        self._starts = {pid: [s[0] for s in sh] for pid, sh in prob.shifts.items()}

    def starts(self, training: str, rnd: int) -> list[int]:
        info = self.p.trainings[training]
        out: list[int] = []
        for day in info.rounds[rnd].days:
            if day in info.dropped_days:
                continue
            out.extend(day_starts(self.p.config, info.spec, day))
        return out

    def personal(self, pid: str, s: int, e: int) -> str | None:
        config = self.p.config
        person = self.p.people[pid]
        day: date = local(s, config.zone).date()
        if person.start_date and day < person.start_date:
            return f"before their start date {person.start_date}"
        exc = config.exceptions.get(pid)
        if exc is not None and any(t.start <= day <= t.end for t in exc.time_off):
            return "on time off"
        sh = self.p.shifts.get(pid, ())
        code, why, _ = explain_time(near(sh, self._starts.get(pid, []), s, e, self.p.rules.reach),
                                    s, e, self.p.rules)
        if code == BLOCKED:
            return why
        return None

    def released_code(self, pid: str, s: int, e: int) -> bool:
        sh = self.p.shifts.get(pid, ())
        code, _w, _ = explain_time(near(sh, self._starts.get(pid, []), s, e, self.p.rules.reach),
                                   s, e, self.p.rules)
        return code == RELEASED

    def facilitators(self, training: str, s: int, e: int) -> str | None:
        key = (training, s, e)
        if key not in self._fac:
            self._fac[key] = self._facilitators(training, s, e)
        return self._fac[key]

    def _facilitators(self, training: str, s: int, e: int) -> str | None:
        info = self.p.trainings[training]
        need = info.spec.facilitators_needed
        if need == 0:
            return None
        bad: list[str] = []
        ok = 0
        for fid in info.spec.facilitators:
            sh = self.p.shifts.get(fid, ())
            why = facilitator_free(self.p.config, fid, s, e,
                                   tuple(near(sh, self._starts.get(fid, []), s, e,
                                              self.p.rules.reach)), self.p.rules)
            if why is None:
                ok += 1
            else:
                bad.append(f"{fid} {why}")
        if ok >= need:
            return None
        return "facilitator " + "; ".join(bad)

    def staffing(self, s: int, e: int) -> str | None:
        tl = self.p.timeline
        for i in overlapping(tl, s, e):
            used = self.released[i] if self.released is not None else 0
            if tl.cap[i] - used <= 0:
                end = int(tl.points[i + 1]) if i + 1 < len(tl.points) else e
                span = span_label(int(tl.points[i]), end, self.p.config.zone)
                return f"staffing minimum on {span}"
        return None

    def prerequisite(self, pid: str, training: str, s: int) -> str | None:
        for pre, gap in self.p.trainings[training].prereqs:
            if pre not in self.p.trainings or pid not in self.p.trainings[pre].audience:
                continue
            if self.p.attended_before(pre, pid):
                continue
            end = self.placed_end.get((pre, pid))
            if end is None:
                return f"prerequisite {pre} not placed"
            if end > s - gap:
                return f"too soon after prerequisite {pre}"
        return None

    def verdicts(self, pid: str, training: str, rnd: int) -> list[tuple[int, int, Verdict]]:
        gid = self.p.person_group.get(pid)
        key = (pid if gid is None else f"#{gid}", rnd, training)
        base = self._cache.get(key)
        if base is None:
            base = self._base(pid, training, rnd)
            self._cache[key] = base
        out: list[tuple[int, int, Verdict]] = []
        for s, e, v in base:
            if v.kind == "open":
                why = self.prerequisite(pid, training, s)
                if why is not None:
                    v = Verdict("prerequisite", why)
            out.append((s, e, v))
        return out

    def _base(self, pid: str, training: str, rnd: int) -> list[tuple[int, int, Verdict]]:
        dur = self.p.trainings[training].duration
        out: list[tuple[int, int, Verdict]] = []
        for s in self.starts(training, rnd):
            e = s + dur
            why = self.personal(pid, s, e)
            if why is not None:
                out.append((s, e, Verdict("person", why)))
                continue
            why = self.facilitators(training, s, e)
            if why is not None:
                out.append((s, e, Verdict("facilitator", why)))
                continue
            if self.released_code(pid, s, e):
                why = self.staffing(s, e)
                if why is not None:
                    out.append((s, e, Verdict("staffing", why)))
                    continue
            out.append((s, e, Verdict("open", "")))
        return out

    def reason(self, pid: str, training: str, rnd: int) -> str:
        info = self.p.trainings[training]
        gid = self.p.person_group.get(pid)
        if not info.prereqs and gid is not None:
            key = (gid, training, rnd)
            if key not in self._reasons:
                self._reasons[key] = self._reason(pid, training, rnd)
            return self._reasons[key]
        return self._reason(pid, training, rnd)

    def _reason(self, pid: str, training: str, rnd: int) -> str:
        info = self.p.trainings[training]
        for pre, _gap in info.prereqs:
            if (pre in self.p.trainings and pid in self.p.trainings[pre].audience
                    and not self.p.attended_before(pre, pid)
                    and (pre, pid) not in self.placed_end):
                return f"prerequisite {pre} not placed"
        missed = [pre for pre, _gap in info.prereqs if (pid, pre) in self.unplaced]
        if missed:  # placed in some round of a recurring prerequisite, but not in every one
            head = f"prerequisite {missed[0]} not placed in every round; "
            return head + self._detail(pid, training, rnd)
        return self._detail(pid, training, rnd)

    def _detail(self, pid: str, training: str, rnd: int) -> str:
        info = self.p.trainings[training]
        dur = info.duration
        fac_all = [self.facilitators(training, s, s + dur) for s in self.starts(training, rnd)]
        if fac_all and all(fac_all):
            return _facilitator_words([Verdict("facilitator", f or "") for f in fac_all],
                                      whole=True)
        verdicts = self.verdicts(pid, training, rnd)
        total = len(verdicts)
        if total == 0:
            return self._no_times(training, rnd)
        kinds: dict[str, list[Verdict]] = {}
        for _s, _e, v in verdicts:
            kinds.setdefault(v.kind, []).append(v)
        parts: list[str] = []
        person = kinds.get("person", [])
        if person:
            words = _person_words(person)
            if len(person) == total:
                return f"{words} at all {total} candidate times"
            parts.append(f"{words} at {len(person)} of {total} candidate times")
        fac = kinds.get("facilitator", [])
        if fac:
            if len(fac) == total:
                return _facilitator_words(fac, whole=True)
            parts.append(f"{len(fac)}{_more(parts)} blocked only by facilitator availability "
                         f"({_facilitator_words(fac, whole=False)})")
        staff = kinds.get("staffing", [])
        if staff:
            spans = sorted({v.detail.removeprefix("staffing minimum on ") for v in staff})
            shown = ", ".join(spans[:3]) + (f" and {len(spans) - 3} more" if len(spans) > 3 else "")
            if len(staff) == total:
                return f"on shift at all {total} candidate times and the staffing minimum " \
                       f"allows no release ({shown})"
            parts.append(f"{len(staff)}{_more(parts)} blocked only by the staffing minimum on "
                         f"{shown}")
        late = kinds.get("prerequisite", [])
        if late:
            parts.append(f"{len(late)}{_more(parts)} {late[0].detail}")
        free = kinds.get("open", [])
        if free:
            parts.append(f"free at {len(free)} times, but no session there had room (capacity, "
                         "offerings limit, rooms, facilitators or staffing already used)")
        return "; ".join(parts)

    def _no_times(self, training: str, rnd: int) -> str:
        info = self.p.trainings[training]
        r = info.rounds[rnd] if rnd < len(info.rounds) else None
        where = f"round {r.label}" if r and r.label else "the window"
        if r is None or not r.days:
            return f"no day of {where} lies inside the horizon"
        why: dict[str, int] = {}
        for day in r.days:
            reason = info.dropped_days.get(day)
            if reason:
                why[reason] = why.get(reason, 0) + 1
        if why:
            detail = ", ".join(f"{n} day(s) {w}" for w, n in sorted(why.items()))
            return f"no allowed time in {where} ({detail})"
        return f"no allowed time in {where} (the session does not fit the allowed hours)"


def _more(parts: list[str]) -> str:
    return " more" if parts else " candidate times"


def _person_words(verdicts: list[Verdict]) -> str:
    words: set[str] = set()
    for v in verdicts:
        d = v.detail
        if d.startswith("on shift") or d.startswith("within the shift"):
            words.add("on shift")
        elif d.startswith("resting"):
            words.add("resting")
        elif d.startswith("on time off"):
            words.add("on time off")
        elif d.startswith("before their start date"):
            words.add(d)
        else:
            words.add(d)
    order = ["on shift", "resting", "on time off"]
    listed = [w for w in order if w in words] + sorted(words - set(order))
    if listed[:2] == ["on shift", "resting"]:
        listed = ["on shift or resting"] + listed[2:]
    return ", ".join(listed)


def _facilitator_words(verdicts: list[Verdict], whole: bool) -> str:
    names: dict[str, int] = {}
    for v in verdicts:
        for part in v.detail.removeprefix("facilitator ").split("; "):
            fid = part.split(" ", 1)[0]
            names[fid] = names.get(fid, 0) + 1
    listed = sorted(names)
    label = "facilitator" if len(listed) == 1 else "facilitators"
    if whole:
        return f"{label} {', '.join(listed)} unavailable in the whole window"
    return f"{label} {', '.join(listed)}"


def explanations(prob: Problem, pid: str, training: str, attending: dict[int, str],
                 placed_end: dict[tuple[str, str], int], released: list[int]
                 ) -> list[CandidateExplanation]:
    """Every candidate time of ``training`` (all rounds) for ``pid``."""
    ex = Explainer(prob, placed_end, released)
    out: list[CandidateExplanation] = []
    info = prob.trainings[training]
    outsider = pid not in info.audience
    for r in info.rounds:
        for s, e, v in ex.verdicts(pid, training, r.index):
            if outsider:
                out.append(CandidateExplanation(from_min(s), from_min(e), "blocked",
                                                (f"not in the audience of {training}",)))
                continue
            sid = attending.get(s)
            if sid is not None:
                out.append(CandidateExplanation(from_min(s), from_min(e), "attending", (), sid))
            elif v.kind == "open":
                out.append(CandidateExplanation(from_min(s), from_min(e), "possible", ()))
            else:
                out.append(CandidateExplanation(from_min(s), from_min(e), "blocked",
                                                (v.detail,)))
    return out
