"""The independent plan checker: :func:`verify` lists every broken hard constraint."""

from scheduler_service.checker.verify import verify
from scheduler_service.checker.violation import KINDS, Violation

__all__ = ["KINDS", "Violation", "verify"]
