"""`traincal demo`: the whole flow on the annotated example, with nothing sent anywhere."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import click
from rich.table import Table

from scheduler_service.cli.common import console
from scheduler_service.clock import SystemClock
from scheduler_service.config import Config, parse_config
from scheduler_service.config.loader import load_config
from scheduler_service.rotations import expand_shifts


def register(cli: click.Group) -> None:
    cli.add_command(demo)


def _demo_config(config_path: Path | None) -> tuple[Config, str]:
    if config_path is not None:
        return load_config(config_path), str(config_path)
    from scheduler_service.cli.config_cmds import example_config_text

    return parse_config(example_config_text(), "config.example.toml"), "the built-in example"


@click.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Run on this config instead of the built-in example.",
)
@click.option("--from", "start", metavar="DATE", help="First day of the rota (default: today).")
def demo(config_path: Path | None, start: str | None) -> None:
    """Validate the example, show the coming week's rota (and plan and publish it)."""
    config, source = _demo_config(config_path)
    console.rule(f"traincal demo: {config.organisation.name}")
    console.print(
        f"[green]valid[/] {source}: {len(config.roster)} people, "
        f"{sum(len(r.teams) for r in config.rotations.values())} teams, "
        f"{len(config.trainings)} trainings"
    )
    first = (
        date.fromisoformat(start) if start else SystemClock().now().astimezone(config.zone).date()
    )
    week_rota(config, first)


def week_rota(config: Config, first: date) -> None:
    """Per day and shift: which team is on, and how many people."""
    zone = config.zone
    grid: dict[tuple[date, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    shift_names: list[str] = list(config.shifts)
    for s in expand_shifts(config, first, first + timedelta(days=6)):
        grid[(s.start.astimezone(zone).date(), s.shift)][s.team] += 1
    table = Table(title=f"Rota, week of {first:%a %Y-%m-%d}", title_justify="left")
    table.add_column("day")
    for name in shift_names:
        shift = config.shifts[name]
        table.add_column(f"{shift.label or name} {shift.start}-{shift.end}")
    for n in range(7):
        day = first + timedelta(days=n)
        cells = []
        for name in shift_names:
            teams = grid.get((day, name), {})
            cells.append(", ".join(f"{t} ({c})" for t, c in sorted(teams.items())) or "-")
        table.add_row(f"{day:%a %m-%d}", *cells)
    console.print(table)
