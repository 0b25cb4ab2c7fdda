"""Load ``config.toml`` into a validated :class:`Config`, or raise one ConfigError naming every
problem at once (file, line where known, dotted field path, what was expected)."""

from __future__ import annotations

import csv
import difflib
import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from scheduler_service.config.crossref import cross_check
from scheduler_service.config.locate import TomlLocator
from scheduler_service.config.schema import Config, Person
from scheduler_service.errors import ConfigError, ConfigProblem

_SECRET_KEY = re.compile(
    r"(^|_)(password|passwd|secret|token|api_key|apikey|private_key|client_secret)$", re.I
)
ROSTER_COLUMNS = ("id", "name", "email", "team", "role")
ROSTER_OPTIONAL = ("start_date", "cohort", "timezone", "notes")


def load_config(path: str | Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            [ConfigProblem(str(path), "", "file not found (create one with `traincal init`)")]
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigProblem(str(path), "", f"cannot read: {exc}")]) from None
    return parse_config(text, str(path), base_dir=path.parent)


def parse_config(text: str, filename: str = "config.toml", base_dir: Path | None = None) -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = _syntax_error_line(str(exc))
        raise ConfigError(
            [ConfigProblem(filename, "", f"TOML syntax error: {exc}", line=line)]
        ) from None
    locate = TomlLocator(text)
    place = _Placer(filename, locate)
    problems = [place(p, msg) for p, msg in _find_secrets(raw, "")]
    people = raw.get("people")
    if isinstance(people, str):
        roster_path = (base_dir or Path(".")) / people
        rows, roster_problems, place.roster_lines = read_roster_rows(roster_path)
        place.roster_file = str(roster_path)
        problems += roster_problems
        raw = {**raw, "people": rows}
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            if not _reported_elsewhere(err["loc"], raw, place.roster_file is not None):
                problems.append(place(_dotted(err["loc"]), _describe(err, raw)))
        raise ConfigError(problems) from None
    if problems:
        raise ConfigError(problems)
    if config.calendar.holidays_ics:
        config = _merge_holidays_ics(config, filename, base_dir or Path("."), locate)
    cross = [place(p, msg) for p, msg in cross_check(config)]
    if cross:
        raise ConfigError(cross)
    return config


def _merge_holidays_ics(
    config: Config, filename: str, base_dir: Path, locate: TomlLocator
) -> Config:
    """Add the all-day dates of every VEVENT in ``calendar.holidays_ics`` to the holidays."""
    from datetime import date, datetime, timedelta

    from icalendar import Calendar

    assert config.calendar.holidays_ics is not None
    ics_path = base_dir / config.calendar.holidays_ics
    field = "calendar.holidays_ics"
    try:
        calendar = Calendar.from_ical(ics_path.read_bytes())
    except OSError as exc:
        raise ConfigError(
            [ConfigProblem(filename, field, f"cannot read {ics_path}: {exc}", locate(field))]
        ) from None
    except ValueError as exc:
        raise ConfigError(
            [ConfigProblem(str(ics_path), "", f"not a valid iCalendar file: {exc}")]
        ) from None
    days = set(config.calendar.holidays)
    for event in calendar.walk("VEVENT"):
        start = event.decoded("DTSTART", None)
        if start is None:
            continue
        first = start.date() if isinstance(start, datetime) else start
        end = event.decoded("DTEND", None)
        last = first
        if isinstance(end, date) and not isinstance(end, datetime) and end > first:
            last = end - timedelta(days=1)  # DTEND of an all-day event is exclusive
        while first <= last:
            days.add(first)
            first += timedelta(days=1)
    calendar_rules = config.calendar.model_copy(update={"holidays": sorted(days)})
    return config.model_copy(update={"calendar": calendar_rules})


class _Placer:
    """Turns (dotted path, message) into a ConfigProblem with its file and line; people that
    came from a roster CSV are placed at their CSV row."""

    def __init__(self, filename: str, locate: TomlLocator) -> None:
        self.filename = filename
        self.locate = locate
        self.roster_file: str | None = None
        self.roster_lines: list[int] = []

    def __call__(self, dotted: str, message: str) -> ConfigProblem:
        row = re.match(r"people\[(\d+)\]\.?(.*)$", dotted)
        if self.roster_file is not None and row and int(row.group(1)) < len(self.roster_lines):
            column = f"column {row.group(2)}" if row.group(2) else ""
            line = self.roster_lines[int(row.group(1))]
            return ConfigProblem(self.roster_file, column, message, line)
        return ConfigProblem(self.filename, dotted, message, self.locate(dotted))


def _reported_elsewhere(loc: tuple[Any, ...], raw: dict[str, Any], from_csv: bool) -> bool:
    """Errors that would only repeat another: roster rows (checked row by row with their CSV
    line) and the branch of ``people: str | list`` that the file did not use."""
    if not loc or loc[0] != "people":
        return False
    if from_csv:
        return True
    unused = "str" if isinstance(raw.get("people"), list) else "list[Person]"
    return len(loc) > 1 and loc[1] == unused


def read_roster(path: Path) -> tuple[list[dict[str, Any]], list[ConfigProblem]]:
    """Read a roster CSV into person dicts; problems name the CSV file and line."""
    rows, problems, _ = read_roster_rows(path)
    return rows, problems


def read_roster_rows(
    path: Path,
) -> tuple[list[dict[str, Any]], list[ConfigProblem], list[int]]:
    """Like :func:`read_roster`, plus the CSV line number of every row."""
    problems: list[ConfigProblem] = []
    lines: list[int] = []
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        return [], [ConfigProblem(str(path), "people", f"cannot read roster: {exc}")], []
    rows: list[dict[str, Any]] = []
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [c for c in ROSTER_COLUMNS if c not in header]
        unknown = [c for c in header if c not in ROSTER_COLUMNS + ROSTER_OPTIONAL]
        if missing:
            problems.append(
                ConfigProblem(str(path), "", f"missing columns: {', '.join(missing)}", line=1)
            )
        for col in unknown:
            problems.append(
                ConfigProblem(
                    str(path),
                    "",
                    f"unknown column {col!r}{_hint(col, ROSTER_COLUMNS + ROSTER_OPTIONAL)}",
                    line=1,
                )
            )
        for row in reader:
            clean = {k.strip(): (v or "").strip() for k, v in row.items() if k is not None}
            person = {k: v for k, v in clean.items() if v != "" or k in ROSTER_COLUMNS}
            if person.get("team") == "":
                person["team"] = None
            try:
                Person.model_validate(person)
            except ValidationError as exc:
                for err in exc.errors():
                    problems.append(
                        ConfigProblem(
                            str(path),
                            f"column {_dotted(err['loc'])}",
                            _describe(err, person),
                            line=reader.line_num,
                        )
                    )
            rows.append(person)
            lines.append(reader.line_num)
    return rows, problems, lines


def _find_secrets(node: Any, prefix: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(value, str) and value and _SECRET_KEY.search(str(key)):
                found.append(
                    (
                        here,
                        "secrets must not be stored in the config file; put the value in an "
                        f"environment variable and name it in `{key}_env`",
                    )
                )
            else:
                found += _find_secrets(value, here)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            found += _find_secrets(item, f"{prefix}[{i}]")
    return found


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-after", "function-before")) or part in (
            "list[Person]",
            "str",
            "int",
            "constrained-str",
            "literal['as_needed']",
        ):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def _describe(err: Any, raw: dict[str, Any]) -> str:
    kind = err["type"]
    if kind == "extra_forbidden":
        key = str(err["loc"][-1])
        siblings = _model_fields_at(err["loc"][:-1])
        return f"unknown key {key!r}{_hint(key, siblings)}"
    if kind == "missing":
        return "required field is missing"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if (
        "input" in err
        and kind not in ("model_type", "dict_type")
        and not isinstance(err["input"], dict | list)
    ):
        msg += f" (got {err['input']!r})"
    return msg


def _model_fields_at(loc: tuple[Any, ...]) -> list[str]:
    """The field names valid at a location, by walking the schema (for did-you-mean hints)."""
    model: Any = Config
    for part in loc:
        if isinstance(part, int) or model is None:
            continue
        fields = getattr(model, "model_fields", None)
        if fields is None:
            return []
        if part in fields:
            model = _inner_model(fields[part].annotation)
        else:
            # a dict key (e.g. a training id): the value model is the dict's value type
            continue
    fields = getattr(model, "model_fields", None)
    return list(fields) if fields else []


def _inner_model(annotation: Any) -> Any:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in reversed(typing.get_args(annotation)):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _hint(word: str, choices: tuple[str, ...] | list[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


def _syntax_error_line(message: str) -> int | None:
    found = re.search(r"line (\d+)", message)
    return int(found.group(1)) if found else None
