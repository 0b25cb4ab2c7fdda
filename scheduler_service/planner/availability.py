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


def _cover(grid: IntArray, lo: IntArray, hi: IntArray, lo_open: bool, hi_open: bool,
           when: np.ndarray | None = None) -> np.ndarray:
    """Grid points inside any of the ranges (lo_i, hi_i) (ends open or closed), vectorised."""
    n = len(grid)
    a = np.searchsorted(grid, lo, "right" if lo_open else "left")
    b = np.searchsorted(grid, hi, "left" if hi_open else "right")
    if when is not None:
        a, b = a[when], b[when]
    keep = b > a
    diff = np.zeros(n + 1, dtype=np.int64)
    np.add.at(diff, a[keep], 1)
    np.add.at(diff, b[keep], -1)
    out: np.ndarray = np.cumsum(diff[:n]) > 0
    return out


def status_codes(
    shifts: Sequence[ShiftSpan],
    grid: IntArray,
    duration: int,
    rules: RestRules,
) -> CodeArray:
    """Codes for sessions [g, g + duration) at every start g of the sorted ``grid``."""
    n = len(grid)
    codes = np.full(n, FREE, dtype=np.int8)
    if not shifts:
        return codes
    d = duration
    start = np.array([sh[0] for sh in shifts], dtype=np.int64)
    end = np.array([sh[1] for sh in shifts], dtype=np.int64)
    overnight = np.array([bool(sh[2]) for sh in shifts], dtype=bool)
    a, b = start - rules.buffer, end + rules.buffer
    rel_lo, rel_hi = start, end - d
    rel = (rel_lo <= rel_hi) if rules.release else np.zeros(len(shifts), dtype=bool)
    blocked = _cover(grid, a - d, rel_lo, True, True, rel)
    blocked |= _cover(grid, rel_hi, b, True, True, rel)
    blocked |= _cover(grid, a - d, b, True, True, ~rel)
    released = _cover(grid, rel_lo, rel_hi, False, False, rel)
    rest_after = np.where(overnight, rules.after_overnight, rules.after)
    # after the shift: s - end < rest_after and s + d - start > max_with_shift
    lo = np.maximum(end, start + rules.max_with_shift - d + 1)
    blocked |= _cover(grid, lo, end + rest_after, False, True, lo < end + rest_after)
    # before the shift: start - (s + d) < before and end - s > max_with_shift
    hi = np.minimum(start - d, end - rules.max_with_shift - 1)
    first = start - rules.before - d
    blocked |= _cover(grid, first, hi, True, False, first < hi + 1)
    attached = _cover(grid, b, start + rules.max_with_shift - d, False, False)
    attached |= _cover(grid, end - rules.max_with_shift, a - d, False, False)
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
