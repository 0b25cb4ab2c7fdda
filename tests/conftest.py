"""Shared fixtures: the repository's example config, a fixed clock, and the CLI (in-process
for speed, or as a real process when the exit status of the real program is the point)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scheduler_service.clock import FixedClock

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


RunCli = Callable[..., CliResult]


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

    def run(*args: str | Path, cwd: Path | None = None) -> CliResult:
        env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "scheduler_service", *map(str, args)],
            cwd=cwd or REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
        )
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def traincal(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> RunCli:
    """Run the ``traincal`` entry point in this process: same code path as the console script
    (``scheduler_service.cli.main``, which maps errors to exit statuses), without a new
    interpreter per call."""
    from scheduler_service.cli import main

    def run(*args: str | Path, cwd: Path | None = None) -> CliResult:
        monkeypatch.chdir(cwd or REPO)
        monkeypatch.setattr(sys, "argv", ["traincal", *map(str, args)])
        capsys.readouterr()
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run
