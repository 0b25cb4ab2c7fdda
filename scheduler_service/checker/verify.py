"""verify(): re-check every hard constraint of RULES.md on a finished plan.

Written from the rules alone: it shares only the config schema and the rotation expansion with
the rest of traincal, never planner code, so a planner bug cannot hide itself here.
"""

from __future__ import annotations

from scheduler_service.checker.availability import check_availability
from scheduler_service.checker.coverage import check_coverage
from scheduler_service.checker.facilitators import check_facilitators
from scheduler_service.checker.facts import build_facts
from scheduler_service.checker.overlap import check_overlaps
from scheduler_service.checker.seats import check_seats
from scheduler_service.checker.staffing import check_staffing
from scheduler_service.checker.timing import check_timing
from scheduler_service.checker.violation import Violation
from scheduler_service.config.schema import Config
from scheduler_service.model import Plan


def verify(config: Config, plan: Plan, previous: Plan | None = None) -> list[Violation]:
    """Every violation in ``plan`` (empty when it keeps every hard constraint), sorted.

    ``previous``: the plan this one follows, if any; its sessions before this horizon count as
    attended prerequisites.
    """
    facts = build_facts(config, plan, previous)
    found: list[Violation] = []
    for check in (check_coverage, check_timing, check_availability, check_overlaps,
                  check_facilitators, check_seats, check_staffing):
        found.extend(check(facts))
    return sorted(set(found))
