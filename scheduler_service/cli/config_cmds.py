"""`traincal validate`, `traincal shifts`, `traincal config schema`, `traincal init`."""

from __future__ import annotations

import functools
import json
from datetime import date, timedelta
from pathlib import Path

import click
from rich.table import Table

from scheduler_service.cli.common import config_option, console, load, write_json
from scheduler_service.clock import SystemClock
from scheduler_service.config.schema import Config
from scheduler_service.errors import TraincalError
from scheduler_service.model import Shift
from scheduler_service.rotations import expand_shifts, team_cycles


def register(cli: click.Group) -> None:
    cli.add_command(validate)
    cli.add_command(shifts)
    cli.add_command(config_group)
    cli.add_command(init)


@click.command()
@config_option
def validate(config_path: Path) -> None:
    """Check the configuration; report every problem at once (exit 1 if any)."""
    config = load(config_path)
    people = config.roster
    console.print(
        f"[green]ok[/] {config_path}: {config.organisation.name}, {len(people)} people, "
        f"{sum(len(r.teams) for r in config.rotations.values())} teams, "
        f"{len(config.trainings)} trainings, zone {config.organisation.timezone}"
    )


class DateType(click.ParamType):  # type: ignore[type-arg]  # generic only in newer stubs
    """A YYYY-MM-DD date, checked before the config is read (bad dates are usage errors)."""

    name = "DATE"

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> date:
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date (YYYY-MM-DD)", param, ctx)


DATE = DateType()


@click.command()
@config_option
@click.option("--from", "start", type=DATE, help="First day (default: today).")
@click.option("--to", "end", type=DATE, help="Last day, inclusive (default: a week on).")
@click.option("--person", "person", metavar="ID", help="Only this person's shifts.")
@click.option("--team", "team", metavar="TEAM", help="Only this team's shifts.")
@click.option("--json", "json_target", metavar="FILE", help="Write the shifts JSON ('-': stdout).")
def shifts(
    config_path: Path,
    start: date | None,
    end: date | None,
    person: str | None,
    team: str | None,
    json_target: str | None,
) -> None:
    """Expand the rotations into concrete shifts (wall-clock times, DST-correct)."""
    config = load(config_path)
    first = start or SystemClock().now().astimezone(config.zone).date()
    last = end or first + timedelta(days=6)
    if last < first:
        raise click.BadParameter("--to is before --from", param_hint="--to")
    known = {p.id for p in config.roster}
    if person is not None and person not in known:
        raise TraincalError(f"unknown person {person!r} (not in the roster)")
    people = [person] if person else None
    found = expand_shifts(config, first, last, people)
    teams = {t for r in config.rotations.values() for t in r.teams}
    if team is not None and team not in teams:
        raise TraincalError(f"unknown team {team!r} (known: {', '.join(sorted(teams))})")
    if team is not None:
        found = [s for s in found if s.team == team]
    if json_target is not None:
        write_json([s.to_json(config.zone) for s in found], json_target)
        if json_target != "-":
            console.print(f"wrote {len(found)} shifts to {json_target}")
        return
    _print_cycles(config)
    _print_shifts(config, found)


def _print_cycles(config: Config) -> None:
    table = Table(title="Rotations (explicit form)", title_justify="left")
    for col in ("rotation", "preset", "team", "cycle", "offset", "anchor"):
        # a long cycle (Panama: 56 days) wraps rather than being cut off with an ellipsis
        table.add_column(col, overflow="fold" if col == "cycle" else "ellipsis")
    for row in team_cycles(config):
        table.add_row(
            *(
                str(row[c]) if row[c] is not None else "-"
                for c in ("rotation", "preset", "team", "cycle", "offset", "anchor")
            )
        )
    console.print(table)


def _print_shifts(config: Config, found: list[Shift]) -> None:
    zone = config.zone
    names = {p.id: p.name for p in config.roster}
    table = Table(title=f"Shifts ({config.organisation.timezone})", title_justify="left")
    for col in ("day", "start", "end", "hours", "shift", "team", "person"):
        table.add_column(col)
    for s in found:
        start, end = s.start.astimezone(zone), s.end.astimezone(zone)
        table.add_row(
            f"{start:%a %Y-%m-%d}",
            f"{start:%H:%M}",
            f"{end:%H:%M}" + (" +1" if s.overnight else ""),
            f"{s.hours:g}",
            s.shift,
            s.team or "-",
            f"{names.get(s.person, s.person)} ({s.person})",
        )
    console.print(table)


@click.group("config")
def config_group() -> None:
    """Configuration helpers."""


@config_group.command("schema")
def schema() -> None:
    """Print the JSON Schema of the configuration file."""
    click.echo(json.dumps(Config.model_json_schema(), indent=2))


def example_config_text() -> str:
    """The annotated example configuration shipped with the package."""
    from importlib.resources import files

    return (files("scheduler_service") / "data" / "config.example.toml").read_text("utf-8")


@click.command()
@functools.partial(config_option, help="Where to write the config.")
def init(config_path: Path) -> None:
    """Write a starter config.toml from the annotated example (never overwrites)."""
    if config_path.exists():
        raise TraincalError(f"{config_path} already exists; not overwriting it")
    config_path.write_text(example_config_text(), encoding="utf-8")
    console.print(
        f"wrote {config_path}; edit it, then run `traincal validate --config {config_path}`"
    )
