"""The exception tree. The CLI catches :class:`TraincalError` once and prints it.

TraincalError
 ├── ConfigError      bad configuration: carries every problem found, each with its place
 ├── PlanningError    the planner cannot run (not: someone is unplaceable, that is a result)
 ├── StoreError       the database is unusable
 └── PublishError     a publishing target refused or failed
"""

from __future__ import annotations

from dataclasses import dataclass


class TraincalError(Exception):
    """Root of every error a user can act on. Exit status 1 at the CLI."""


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a configuration, with where it is."""

    file: str
    path: str  # dotted field path, "" for the whole file
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.path:
            where += f": {self.path}"
        return f"{where}: {self.message}"


class ConfigError(TraincalError):
    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class PlanningError(TraincalError):
    pass


class StoreError(TraincalError):
    pass


class PublishError(TraincalError):
    pass
