"""Whether a person may attend a session at a given time (RULES.md rule 3 a-d).

Two implementations of the same rule, kept side by side on purpose:

* :func:`status_codes` answers for many start times at once (numpy, used to build the model);
* :func:`explain_time` answers for one interval with a human reason (used by explanations).

A test checks that they agree. Codes: ``BLOCKED`` (0), ``ATTACHED`` (1: off shift, adjacent to a
shift edge), ``FREE`` (2: off shift, in the middle of rest or on a day off), ``RELEASED`` (3: on
shift, released from the phones; needs the staffing rule).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from scheduler_service.config.schema import Config

BLOCKED, ATTACHED, FREE, RELEASED = 0, 1, 2, 3

# (start, end, overnight, name) in epoch minutes
ShiftSpan = tuple[int, int, bool, str]
IntArray = npt.NDArray[np.int64]
CodeArray = npt.NDArray[np.int8]


@dataclass(frozen=True)
class RestRules:
    buffer: int
    after: int
    after_overnight: int
    before: int
    max_with_shift: int
    release: bool

    @classmethod
    def of(cls, config: Config) -> RestRules:
        rest = config.rest
        return cls(
            buffer=rest.buffer_minutes,
            after=round(rest.after_shift_hours * 60),
            after_overnight=round(rest.after_overnight_hours * 60),
            before=round(rest.before_shift_hours * 60),
            max_with_shift=round(rest.max_hours_with_shift * 60),
            release=config.staffing.training_while_on_shift == "if_staffed",
        )

    @property
    def reach(self) -> int:
        """How far from a shift the rules can look (minutes)."""
        return max(self.after, self.after_overnight, self.before, self.max_with_shift) + self.buffer


def _rng(grid: IntArray, lo: int, hi: int, lo_open: bool, hi_open: bool) -> slice:
    a = int(np.searchsorted(grid, lo, "right" if lo_open else "left"))
    b = int(np.searchsorted(grid, hi, "left" if hi_open else "right"))
    return slice(a, max(a, b))


def _cover(grid: IntArray, rows: int, owner: IntArray,
           ranges: list[tuple[IntArray, IntArray]]) -> np.ndarray:
    """(rows x grid) mask: grid points inside any closed integer range [lo_i, hi_i] of the
    row ``owner`` (one entry per range, the same for every pair in ``ranges``), vectorised."""
    n = len(grid)
    lo = np.concatenate([r[0] for r in ranges])
    hi = np.concatenate([r[1] for r in ranges])
    who = np.concatenate([owner] * len(ranges))
    a = np.searchsorted(grid, lo, "left")
    b = np.searchsorted(grid, hi, "right")
    keep = b > a
    base = who[keep] * (n + 1)
    size = rows * (n + 1)
    diff = np.bincount(base + a[keep], minlength=size) - np.bincount(base + b[keep],
                                                                      minlength=size)
    out: np.ndarray = np.cumsum(diff.reshape(rows, n + 1), axis=1)[:, :n] > 0
    return out


def status_codes(
    shifts: Sequence[ShiftSpan],
    grid: IntArray,
    duration: int,
    rules: RestRules,
) -> CodeArray:
    """Codes for sessions [g, g + duration) at every start g of the sorted ``grid``."""
    out: CodeArray = status_codes_many([shifts], grid, duration, rules)[0]
    return out


def status_codes_many(
    patterns: Sequence[Sequence[ShiftSpan]],
    grid: IntArray,
    duration: int,
    rules: RestRules,
) -> CodeArray:
    """:func:`status_codes` for several shift patterns at once: one row per pattern.

    Every bound is an integer minute, so an open bound x is the closed bound x + 1 (or x - 1).
    """
    n = len(grid)
    codes = np.full((len(patterns), n), FREE, dtype=np.int8)
    spans = [sh for shifts in patterns for sh in shifts]
    if not spans:
        return codes
    owner = np.repeat(np.arange(len(patterns), dtype=np.int64),
                      [len(shifts) for shifts in patterns])
    d = duration
    start = np.array([sh[0] for sh in spans], dtype=np.int64)
    end = np.array([sh[1] for sh in spans], dtype=np.int64)
    overnight = np.array([bool(sh[2]) for sh in spans], dtype=bool)
    a, b = start - rules.buffer, end + rules.buffer
    rel_lo, rel_hi = start, end - d
    rel = (rel_lo <= rel_hi) if rules.release else np.zeros(len(spans), dtype=bool)
    rest_after = np.where(overnight, rules.after_overnight, rules.after)
    # after the shift: s - end < rest_after and s + d - start > max_with_shift
    lo = np.maximum(end, start + rules.max_with_shift - d + 1)
    # before the shift: start - (s + d) < before and end - s > max_with_shift
    hi = np.minimum(start - d, end - rules.max_with_shift - 1)
    first = start - rules.before - d
    # overlapping the shift or its buffer: blocked, except a release inside the shift
    over_lo = np.where(rel, rel_hi + 1, a - d + 1)
    rows = len(patterns)
    blocked = _cover(grid, rows, owner, [
        (a - d + 1, np.where(rel, rel_lo - 1, b - 1)),
        (over_lo, np.where(rel, b - 1, over_lo - 1)),  # (an empty range without release)
        (lo, end + rest_after - 1),
        (first + 1, hi),
    ])
    released = _cover(grid, rows, owner, [(rel_lo, np.where(rel, rel_hi, rel_lo - 1))])
    attached = _cover(grid, rows, owner, [(b, start + rules.max_with_shift - d),
                                          (end - rules.max_with_shift, a - d)])
    codes[attached] = ATTACHED
    codes[released] = RELEASED
    codes[blocked] = BLOCKED
    return codes


def near(
    shifts: Sequence[ShiftSpan], starts: Sequence[int], s: int, e: int, reach: int
) -> list[ShiftSpan]:
    """The shifts that can matter for [s, e) (``starts`` = sorted shift starts)."""
    i = bisect_left(starts, s - reach - 48 * 60)
    out: list[ShiftSpan] = []
    while i < len(shifts) and shifts[i][0] < e + reach:
        out.append(shifts[i])
        i += 1
    return out


def explain_time(
    shifts: Sequence[ShiftSpan], s: int, e: int, rules: RestRules
) -> tuple[int, str, ShiftSpan | None]:
    """(code, reason, the binding shift) for one session [s, e), by the letter of rule 3."""
    code, why, which = FREE, "", None
    for sh in shifts:
        start, end, overnight, name = sh
        if s < end + rules.buffer and e > start - rules.buffer:
            if rules.release and start <= s and e <= end:
                if code != RELEASED:
                    code, which = RELEASED, sh
                continue
            reason = "on shift" if s < end and e > start else "within the shift buffer"
            return BLOCKED, f"{reason} ({name})", sh
        if end <= s:
            need = rules.after_overnight if overnight else rules.after
            if s - end >= need:
                continue
            if e - start <= rules.max_with_shift:
                continue
            return BLOCKED, f"resting after {name} ({need / 60:g} h rest)", sh
        need = rules.before
        if start - e >= need:
            continue
        if end - s <= rules.max_with_shift:
            continue
        return BLOCKED, f"resting before {name} ({need / 60:g} h before a shift)", sh
    if code == FREE:
        for sh in shifts:
            start, end = sh[0], sh[1]
            after = s >= end + rules.buffer and e - start <= rules.max_with_shift
            before = e <= start - rules.buffer and end - s <= rules.max_with_shift
            if after or before:
                code, which = ATTACHED, sh
                break
    if code == RELEASED:
        why = "on shift, released from the phones if staffing allows"
    elif code == ATTACHED:
        why = "adjacent to a shift"
    else:
        why = "off shift"
    return code, why, which


def in_ranges(day: date, ranges: Sequence[tuple[date, date]]) -> bool:
    return any(a <= day <= b for a, b in ranges)
