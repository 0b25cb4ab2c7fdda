"""`traincal validate`, `shifts`, `config schema` and `init`, run as real processes.

Contracts (DESIGN.md section 5): exit 0 ok, 1 user-fixable failure, 2 usage; the shifts JSON is
``[{"person", "team", "shift", "start", "end"}]`` with ISO 8601 times carrying their offset.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, RunCli

from scheduler_service.config import Config, load_config
from scheduler_service.config.patterns import PRESETS
from scheduler_service.rotations import expand_shifts

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")
EXAMPLE = REPO / "config.example.toml"
BASE = REPO / "tests" / "broken_configs" / "base.toml"


# --- validate -------------------------------------------------------------------------------


def test_validate_example_exits_0(traincal: RunCli, example_config_path: Path) -> None:
    result = traincal("validate", "--config", example_config_path)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout and "Harbor Lifeline" in result.stdout
    assert result.stderr == ""


def test_validate_reads_config_toml_by_default(traincal: RunCli, tmp_path: Path) -> None:
    missing = traincal("validate", cwd=tmp_path)
    assert missing.returncode == 1
    assert "config.toml" in missing.stderr and "Traceback" not in missing.stderr
    (tmp_path / "config.toml").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    assert traincal("validate", cwd=tmp_path).returncode == 0


def test_usage_errors_exit_2(traincal: RunCli) -> None:
    result = traincal("validate", "--no-such-option")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_exit_statuses_of_the_real_program(run_cli: RunCli, tmp_path: Path) -> None:
    """0 ok, 1 user-fixable failure, 2 usage: as seen by a shell, not just by main()."""
    ok = run_cli("validate", "--config", EXAMPLE)
    assert (ok.returncode, ok.stderr) == (0, "")
    (tmp_path / "config.toml").write_text("# mine\n", encoding="utf-8")
    refused = run_cli("init", cwd=tmp_path)
    assert refused.returncode == 1 and "Traceback" not in refused.stderr
    usage = run_cli("shifts", "--config", EXAMPLE, "--from", "someday")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr


# --- shifts ---------------------------------------------------------------------------------


def _shifts_json(traincal: RunCli, tmp_path: Path, *args: str | Path) -> list[dict[str, Any]]:
    out = tmp_path / "shifts.json"
    result = traincal("shifts", "--config", EXAMPLE, *args, "--json", out)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def test_shifts_json_matches_the_contract(traincal: RunCli, tmp_path: Path) -> None:
    data = _shifts_json(traincal, tmp_path, "--from", "2027-03-13", "--to", "2027-03-14")
    assert data
    config = load_config(EXAMPLE)
    people = {p.id: p for p in config.roster}
    for item in data:
        assert list(item) == ["person", "team", "shift", "start", "end"]
        assert all(isinstance(v, str) for v in item.values())
        assert ISO_WITH_OFFSET.match(item["start"]) and ISO_WITH_OFFSET.match(item["end"])
        start, end = datetime.fromisoformat(item["start"]), datetime.fromisoformat(item["end"])
        assert start < end
        assert date(2027, 3, 13) <= start.date() <= date(2027, 3, 14)  # local start day
        assert start.utcoffset() == start.astimezone(config.zone).utcoffset()
        assert item["person"] in people and item["shift"] in config.shifts
        assert item["team"] == (people[item["person"]].team or "")
    expected = expand_shifts(config, date(2027, 3, 13), date(2027, 3, 14))
    assert data == [s.to_json(config.zone) for s in expected]


def test_shifts_json_across_spring_forward(traincal: RunCli, tmp_path: Path) -> None:
    data = _shifts_json(traincal, tmp_path, "--from", "2027-03-13", "--to", "2027-03-13")
    nights = [s for s in data if s["shift"] == "night12"]
    assert nights
    for night in nights:  # 19:00 EST to 07:00 EDT: 11 hours
        assert (night["start"], night["end"]) == ("2027-03-13T19:00:00-05:00",
                                                  "2027-03-14T07:00:00-04:00")


def test_shifts_json_for_one_person(traincal: RunCli, tmp_path: Path) -> None:
    # Pitman 2-2-3: a day team works 7 of every 14 days
    data = _shifts_json(traincal, tmp_path, "--from", "2027-01-04", "--to", "2027-01-17",
                        "--person", "aabara")
    assert len(data) == 7
    assert {s["person"] for s in data} == {"aabara"}
    assert {s["shift"] for s in data} == {"day12"}
    assert all(s["start"].endswith("T07:00:00-05:00") for s in data)


def test_shifts_json_to_stdout(traincal: RunCli) -> None:
    result = traincal("shifts", "--config", EXAMPLE, "--from", "2027-01-04", "--to", "2027-01-04",
                     "--person", "ngallaghe", "--json", "-")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{
        "person": "ngallaghe", "team": "E", "shift": "evening8",
        "start": "2027-01-04T15:00:00-05:00", "end": "2027-01-04T23:00:00-05:00",
    }]


def test_shifts_unknown_person_exits_1(traincal: RunCli) -> None:
    result = traincal("shifts", "--config", EXAMPLE, "--from", "2027-01-04", "--to", "2027-01-04",
                     "--person", "nobody", "--json", "-")
    assert result.returncode == 1
    assert "nobody" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("dates", [("2027-13-01", "2027-12-31"), ("2027-01-10", "2027-01-01")],
                         ids=["not-a-date", "to-before-from"])
def test_shifts_bad_dates_are_usage_errors(traincal: RunCli, dates: tuple[str, str]) -> None:
    result = traincal("shifts", "--config", EXAMPLE, "--from", dates[0], "--to", dates[1])
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_shifts_with_a_broken_config_exits_1(traincal: RunCli) -> None:
    broken = REPO / "tests" / "broken_configs" / "unknown_team.toml"
    result = traincal("shifts", "--config", broken, "--from", "2027-01-04", "--to", "2027-01-04")
    assert result.returncode == 1
    assert "people[3].team" in result.stderr


def _cycle_cells(output: str) -> dict[str, str]:
    """team -> cycle from the 'Rotations (explicit form)' table, joining wrapped lines."""
    cycles: dict[str, str] = {}
    team = ""
    for line in output.split("Shifts (")[0].splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) != 6:
            continue
        team = cells[2] or team
        cycles[team] = cycles.get(team, "") + cells[3]
    return cycles


def test_shifts_table_shows_the_explicit_cycles_even_when_long(
    traincal: RunCli, tmp_path: Path
) -> None:
    config = tmp_path / "panama.toml"
    config.write_text(BASE.read_text(encoding="utf-8").replace('"pitman"', '"panama"'),
                      encoding="utf-8")
    result = traincal("shifts", "--config", config, "--from", "2027-01-04", "--to", "2027-01-04")
    assert result.returncode == 0, result.stderr
    assert "…" not in result.stdout.split("Shifts (")[0]
    panama = PRESETS["panama"]
    assert _cycle_cells(result.stdout) == dict(zip("ABCD", panama.cycles, strict=True))


# --- config schema ----------------------------------------------------------------------------

JSON_TYPES = {"object", "array", "string", "integer", "number", "boolean", "null"}


def _walk(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        return [node] + [n for v in node.values() for n in _walk(v)]
    if isinstance(node, list):
        return [n for v in node for n in _walk(v)]
    return []


def test_config_schema_prints_the_json_schema(traincal: RunCli) -> None:
    result = traincal("config", "schema")
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    assert schema == Config.model_json_schema()
    assert schema["type"] == "object" and schema["additionalProperties"] is False
    defs = schema["$defs"]
    for node in _walk(schema):
        if "$ref" in node:
            assert node["$ref"].startswith("#/$defs/") and node["$ref"][8:] in defs
        if "type" in node and isinstance(node["type"], str):
            assert node["type"] in JSON_TYPES
        if isinstance(node.get("required"), list):
            assert set(node["required"]) <= set(node["properties"])


# --- init -------------------------------------------------------------------------------------


def test_init_writes_the_example_and_refuses_to_overwrite(traincal: RunCli, tmp_path: Path) -> None:
    first = traincal("init", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    written = tmp_path / "config.toml"
    assert written.read_text(encoding="utf-8") == EXAMPLE.read_text(encoding="utf-8")
    assert traincal("validate", cwd=tmp_path).returncode == 0

    written.write_text("# my edits\n", encoding="utf-8")
    again = traincal("init", cwd=tmp_path)
    assert again.returncode == 1
    assert "config.toml" in again.stderr and "Traceback" not in again.stderr
    assert written.read_text(encoding="utf-8") == "# my edits\n"


def test_init_to_another_path(traincal: RunCli, tmp_path: Path) -> None:
    target = tmp_path / "line.toml"
    assert traincal("init", "--config", target).returncode == 0
    assert traincal("validate", "--config", target).returncode == 0
    assert not (tmp_path / "config.toml").exists()


def test_installed_console_script_validates_the_example(tmp_path: Path) -> None:
    """The `traincal` script that `pip install` puts next to the interpreter (README)."""
    script = Path(sys.executable).parent / "traincal"
    assert script.exists(), "install the package first: pip install -e '.[test]'"
    done = subprocess.run([str(script), "validate", "--config", str(EXAMPLE)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
