"""Shared fixtures: the repository's example config, a fixed clock, and the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scheduler_service.clock import FixedClock

REPO = Path(__file__).resolve().parent.parent

RunCli = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def example_config_path() -> Path:
    """The annotated example configuration at the repository root."""
    return REPO / "config.example.toml"


@pytest.fixture
def fixed_clock() -> FixedClock:
    """A clock stopped at Monday 2026-11-30 12:00 UTC."""
    return FixedClock(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))


@pytest.fixture
def run_cli() -> RunCli:
    """Run ``python -m scheduler_service ARGS...`` as a real process (real exit status)."""

    def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
        return subprocess.run(
            [sys.executable, "-m", "scheduler_service", *map(str, args)],
            cwd=cwd or REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    return run
