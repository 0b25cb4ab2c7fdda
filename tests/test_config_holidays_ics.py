"""Holidays can come from an .ics file next to the config (all-day DTEND is exclusive)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scheduler_service.config import load_config
from scheduler_service.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent

HOLIDAYS = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n"
    "BEGIN:VEVENT\r\nUID:a@example.org\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART;VALUE=DATE:20270215\r\nDTEND;VALUE=DATE:20270217\r\nSUMMARY:Two days\r\n"
    "END:VEVENT\r\n"
    "BEGIN:VEVENT\r\nUID:b@example.org\r\nDTSTAMP:20260101T000000Z\r\n"
    "DTSTART;VALUE=DATE:20270704\r\nSUMMARY:One day\r\nEND:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def _config_with_ics(tmp_path: Path, ics_name: str) -> Path:
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    text = text.replace('# holidays_ics = "holidays.ics"', f'holidays_ics = "{ics_name}"')
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_ics_holidays_are_merged(tmp_path: Path) -> None:
    (tmp_path / "holidays.ics").write_text(HOLIDAYS, encoding="utf-8")
    config = load_config(_config_with_ics(tmp_path, "holidays.ics"))
    days = set(config.calendar.holidays)
    assert {date(2027, 2, 15), date(2027, 2, 16), date(2027, 7, 4)} <= days
    assert date(2027, 2, 17) not in days  # DTEND is exclusive
    assert date(2026, 12, 25) in days  # the inline list is kept


def test_missing_ics_names_the_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_config_with_ics(tmp_path, "missing.ics"))
    (problem,) = caught.value.problems
    assert problem.path == "calendar.holidays_ics"
    assert problem.line is not None
    assert "missing.ics" in problem.message
