"""Find the line of a dotted config path (`trainings.intro.room`, `people[3].team`) in TOML.

``tomllib`` keeps no positions, so this is a best-effort scan of the text. It prefers a less
precise line to a wrong one: an index into an array that is not written one element per line
stays on the array's line, and a key missing from an inline-table row points at the row.
"""

from __future__ import annotations

import re

_TOKENS = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
_OPEN_ARRAY = re.compile(r"=\s*\[\s*(#.*)?$")


def _key_pattern(key: str) -> re.Pattern[str]:
    k = re.escape(key)
    return re.compile(
        rf"^\s*(\[\[?\s*([\w.\-\"]*\.)?\"?{k}\"?\s*\]\]?|\"?{k}\"?\s*=)|[{{,]\s*\"?{k}\"?\s*="
        rf"|^\s*\[\[?\s*\"?{k}\"?\."  # a table inside it, e.g. [rotations.floor] for "rotations"
    )


class TomlLocator:
    """Callable: dotted path -> 1-based line number, or None when the path is not found."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def __call__(self, dotted: str) -> int | None:
        start, found, in_row = 0, None, False
        for index, key in _TOKENS.findall(dotted):
            if index:
                if found is None:
                    return None
                element = self._element(found - 1, int(index))
                if element is None:
                    return found
                start, in_row = element
                found = start + 1
            elif in_row:
                if not _key_pattern(key).search(self.lines[start]):
                    return found
            else:
                hit = self._find(key, start)
                if hit is not None:
                    found, start = hit + 1, hit
        return found

    def _find(self, key: str, start: int) -> int | None:
        pattern = _key_pattern(key)
        for i in range(start, len(self.lines)):
            if pattern.search(self.lines[i]):
                return i
        return None

    def _element(self, at: int, index: int) -> tuple[int, bool] | None:
        """(line, is a one-line inline table) of element ``index`` of the array on line ``at``."""
        line = self.lines[at].strip()
        if line.startswith("[["):
            same = [i for i in range(at, len(self.lines)) if self.lines[i].strip() == line]
            return (same[index], False) if index < len(same) else None
        if not _OPEN_ARRAY.search(line):
            return None
        rows: list[int] = []
        for i in range(at + 1, len(self.lines)):
            text = self.lines[i].strip()
            if text.startswith("]"):
                break
            if text.startswith("{"):
                rows.append(i)
        return (rows[index], True) if index < len(rows) else None
