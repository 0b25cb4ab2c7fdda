"""A solution at profile level: which candidates are open, their facilitators and seats per
profile. Both the greedy and the CP-SAT model produce one; the assignment turns it into people."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Opening:
    cid: int
    facilitators: tuple[str, ...]
    seats: dict[int, int]  # group id -> seats

    @property
    def size(self) -> int:
        return sum(self.seats.values())


@dataclass
class Solution:
    openings: dict[int, Opening] = field(default_factory=dict)
    method: str = "greedy"
    solver: dict[str, Any] = field(default_factory=dict)

    def sorted(self) -> list[Opening]:
        return [self.openings[c] for c in sorted(self.openings)]
