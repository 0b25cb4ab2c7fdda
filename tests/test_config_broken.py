"""Ten deliberately broken configs: each exits 1 and names the file, line, field and expectation.

Every file in tests/broken_configs/ is a copy of base.toml with exactly one defect. Each runs
through the CLI entry point in-process (fast); a few also run as a real process, so the exit
status and the absence of a traceback are exactly what a user sees.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import RunCli

BROKEN = Path(__file__).resolve().parent / "broken_configs"
BASE = BROKEN / "base.toml"


@dataclass(frozen=True)
class Broken:
    file: str
    line: int | None  # the line the message must name (None: a whole-file problem)
    path: str  # the dotted field path the message must name ("" for a syntax error)
    expected: tuple[str, ...]  # fragments of "what was expected"


CASES = (
    Broken("syntax_error.toml", 39, "", ("TOML syntax error", "line 39")),
    Broken("unknown_key.toml", 33, "trainings.intro.capacty",
           ("unknown key 'capacty'", "did you mean 'capacity'?")),
    Broken("wrong_type.toml", 33, "trainings.intro.duration_minutes",
           ("valid integer", "'two hours'")),
    Broken("unknown_team.toml", 6, "people[3].team", ("unknown team 'E'",)),
    Broken("prerequisite_cycle.toml", 37, "trainings.intro.prerequisites",
           ("prerequisite cycle", "advanced -> intro -> advanced")),
    Broken("uncovered_hour.toml", 26, "rotations",
           ("nobody is on duty from Mon 06:00 to Mon 07:00", "unstaffed")),
    Broken("missing_email.toml", 4, "people[1].email", ("required field is missing",)),
    Broken("bad_timezone.toml", 12, "organisation.timezone",
           ("not an IANA time zone", "did you mean 'America/New_York'?")),
    Broken("duplicate_id.toml", 6, "people[3].id", ("duplicate id 'ben'",)),
    Broken("secret_in_toml.toml", 49, "mail.smtp.password",
           ("secrets must not be stored in the config file", "password_env")),
)


def test_every_broken_file_has_a_case() -> None:
    files = {p.name for p in BROKEN.glob("*.toml")} - {"base.toml"}
    assert files == {c.file for c in CASES}
    assert len(files) == 10


def test_base_config_is_valid(run_cli: RunCli) -> None:
    result = run_cli("validate", "--config", BASE)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.file.removesuffix(".toml"))
def test_broken_file_differs_from_base_in_one_place(case: Broken) -> None:
    base = BASE.read_text(encoding="utf-8").splitlines()
    broken = (BROKEN / case.file).read_text(encoding="utf-8").splitlines()
    changes = [op for op in difflib.SequenceMatcher(a=base, b=broken).get_opcodes()
               if op[0] != "equal"]
    assert len(changes) == 1, changes


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.file.removesuffix(".toml"))
def test_broken_config_exits_1_and_names_the_place(traincal: RunCli, case: Broken) -> None:
    config = BROKEN / case.file
    result = traincal("validate", "--config", config)
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "Traceback" not in output
    where = str(config) + (f":{case.line}" if case.line is not None else "")
    place = f"{where}: {case.path}: " if case.path else f"{where}: "
    lines = [line for line in result.stderr.splitlines() if place in line]
    assert lines, f"no line starts with {place!r} in:\n{result.stderr}"
    for fragment in case.expected:
        assert any(fragment in line for line in lines), (fragment, lines)


REAL_PROCESS = ("syntax_error.toml", "unknown_key.toml", "uncovered_hour.toml")


@pytest.mark.parametrize("name", REAL_PROCESS)
def test_broken_config_in_a_real_process(run_cli: RunCli, name: str) -> None:
    config = BROKEN / name
    result = run_cli("validate", "--config", config)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert str(config) in result.stderr


def test_secret_value_is_never_echoed(traincal: RunCli) -> None:
    result = traincal("validate", "--config", BROKEN / "secret_in_toml.toml")
    assert result.returncode == 1
    assert "hunter2" not in result.stdout + result.stderr


def _write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_several_problems_are_reported_at_once(traincal: RunCli, tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8")
    for old, new in (
        ('timezone = "America/New_York"', 'timezone = "Mars/Olympus"'),
        ("duration_minutes = 120\n", 'duration_minutes = "long"\n'),
        ('title = "Advanced"\n', 'title = "Advanced"\nrooom = "Room 2"\n'),
        ('password_env = "TRAINCAL_SMTP_PASSWORD"', 'password = "do-not-store"'),
        ('email = "ben@example.org"', 'email = "ben.example.org"'),
    ):
        assert text.count(old) == 1
        text = text.replace(old, new)
    config = _write(tmp_path, text)
    result = traincal("validate", "--config", config)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    for path in (
        "organisation.timezone",
        "trainings.intro.duration_minutes",
        "trainings.advanced.rooom",
        "mail.smtp.password",
        "people[1].email",
    ):
        assert f": {path}: " in result.stderr, (path, result.stderr)
    assert "did you mean 'room'?" in result.stderr


def test_cross_reference_problems_are_reported_at_once(traincal: RunCli, tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8")
    text = text.replace('team = "D"', 'team = "Q"').replace(
        'audience = { teams = ["A", "B"] }', 'audience = { teams = ["A", "Z"] }'
    ).replace('facilitators = ["fay"]\nroom = "Room 1"\nprereq', 'facilitators = ["fey"]\n'
              'room = "Room 1"\nprereq')
    config = _write(tmp_path, text)
    result = traincal("validate", "--config", config)
    assert result.returncode == 1
    assert f"{config}:6: people[3].team: unknown team 'Q'" in result.stderr
    assert "trainings.advanced.audience.teams[1]: unknown team 'Z'" in result.stderr
    assert "trainings.advanced.facilitators[0]: unknown facilitator 'fey'" in result.stderr
    assert "did you mean 'fay'?" in result.stderr


ROSTER_HEADER = "id,name,email,team,role\n"
ROSTER_ROWS = (
    "ada,Ada Adams,ada@example.org,A,advocate\n"
    "ben,Ben Brown,ben@example.org,B,advocate\n"
    "cat,Cat Clark,cat@example.org,C,advocate\n"
    "dan,Dan Diaz,dan@example.org,D,advocate\n"
    "fay,Fay Fox,fay@example.org,,facilitator\n"
)


def _config_with_roster(tmp_path: Path, roster: str) -> Path:
    text = BASE.read_text(encoding="utf-8")
    start = text.index("people = [")
    end = text.index("]\n", start) + 2
    _write(tmp_path, roster, "roster.csv")
    return _write(tmp_path, text[:start] + 'people = "roster.csv"\n' + text[end:])


def test_roster_csv_is_accepted(traincal: RunCli, tmp_path: Path) -> None:
    config = _config_with_roster(tmp_path, ROSTER_HEADER + ROSTER_ROWS)
    result = traincal("validate", "--config", config)
    assert result.returncode == 0, result.stderr
    assert "5 people" in result.stdout


def test_roster_csv_bad_row_names_csv_file_and_line(traincal: RunCli, tmp_path: Path) -> None:
    rows = ROSTER_ROWS.replace("ben@example.org", "ben-at-example.org")
    config = _config_with_roster(tmp_path, ROSTER_HEADER + rows)
    result = traincal("validate", "--config", config)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    roster = tmp_path / "roster.csv"
    assert f"{roster}:3: column email: 'ben-at-example.org' is not an email address" in (
        result.stderr
    )
    assert "Input should be a valid string" not in result.stderr  # no noise from people: str
    assert result.stderr.count("ben-at-example.org' is not an email") == 1


def test_roster_csv_cross_reference_names_csv_line(traincal: RunCli, tmp_path: Path) -> None:
    rows = ROSTER_ROWS.replace("dan@example.org,D", "dan@example.org,X")
    config = _config_with_roster(tmp_path, ROSTER_HEADER + rows)
    result = traincal("validate", "--config", config)
    assert result.returncode == 1
    assert f"{tmp_path / 'roster.csv'}:5: column team: unknown team 'X'" in result.stderr


def test_roster_csv_bad_header_names_line_1(traincal: RunCli, tmp_path: Path) -> None:
    config = _config_with_roster(tmp_path, "id,name,mail,team,role\n" + ROSTER_ROWS)
    result = traincal("validate", "--config", config)
    assert result.returncode == 1
    roster = tmp_path / "roster.csv"
    assert f"{roster}:1: missing columns: email" in result.stderr
    assert f"{roster}:1: unknown column 'mail'; did you mean 'email'?" in result.stderr


def test_missing_config_file_exits_1(traincal: RunCli, tmp_path: Path) -> None:
    result = traincal("validate", "--config", tmp_path / "nope.toml")
    assert result.returncode == 1
    assert "nope.toml" in result.stderr and "traincal init" in result.stderr
    assert "Traceback" not in result.stderr


def test_rich_markup_in_values_is_printed_verbatim(traincal: RunCli, tmp_path: Path) -> None:
    text = BASE.read_text(encoding="utf-8").replace("America/New_York", "[/]bold[red]")
    result = traincal("validate", "--config", _write(tmp_path, text))
    assert result.returncode == 1
    assert "'[/]bold[red]' is not an IANA time zone" in result.stderr
    assert "Traceback" not in result.stderr
