"""A sorted bag of weighted intervals with fast overlap queries (sessions last < 1 day)."""

from __future__ import annotations

from bisect import bisect_left, insort

MAX_SPAN = 24 * 60


class IntervalBag:
    def __init__(self) -> None:
        self._items: list[tuple[int, int, int]] = []  # (start, end, weight), sorted

    def add(self, start: int, end: int, weight: int = 1) -> None:
        insort(self._items, (start, end, weight))

    def load(self, start: int, end: int) -> int:
        """Total weight of the intervals that overlap [start, end)."""
        items = self._items
        if not items:
            return 0
        total = 0
        for i in range(bisect_left(items, (start - MAX_SPAN, -1, -1)), len(items)):
            s, e, w = items[i]
            if s >= end:
                break
            if e > start:
                total += w
        return total

    def overlaps(self, start: int, end: int) -> bool:
        return self.load(start, end) > 0

    def __len__(self) -> int:
        return len(self._items)

    def remove(self, start: int, end: int, weight: int = 1) -> None:
        i = bisect_left(self._items, (start, end, weight))
        if i < len(self._items) and self._items[i] == (start, end, weight):
            del self._items[i]
