"""A sorted bag of weighted intervals with fast overlap queries (sessions last < 1 day)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

MAX_SPAN = 24 * 60


class IntervalBag:
    def __init__(self) -> None:
        self._items: list[tuple[int, int, int]] = []  # (start, end, weight), sorted
        self._starts: list[int] = []  # the items' starts, for bisecting on plain ints
        self._positive = True  # every weight > 0: any overlap means a positive load

    def add(self, start: int, end: int, weight: int = 1) -> None:
        i = bisect_right(self._items, (start, end, weight))
        self._items.insert(i, (start, end, weight))
        self._starts.insert(i, start)
        if weight <= 0:
            self._positive = False

    def load(self, start: int, end: int) -> int:
        """Total weight of the intervals that overlap [start, end)."""
        items = self._items
        if not items:
            return 0
        total = 0
        for i in range(bisect_left(self._starts, start - MAX_SPAN), len(items)):
            s, e, w = items[i]
            if s >= end:
                break
            if e > start:
                total += w
        return total

    def overlaps(self, start: int, end: int) -> bool:
        items = self._items
        if not items:
            return False
        if not self._positive:
            return self.load(start, end) > 0
        for i in range(bisect_left(self._starts, start - MAX_SPAN), len(items)):
            s, e, _w = items[i]
            if s >= end:
                return False
            if e > start:
                return True
        return False

    def __len__(self) -> int:
        return len(self._items)

    def remove(self, start: int, end: int, weight: int = 1) -> None:
        i = bisect_left(self._items, (start, end, weight))
        if i < len(self._items) and self._items[i] == (start, end, weight):
            del self._items[i]
            del self._starts[i]
