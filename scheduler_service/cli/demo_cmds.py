"""`traincal demo`: the whole flow on the annotated example, with nothing sent anywhere."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path

import click
from rich.table import Table

from scheduler_service.cli.common import console
from scheduler_service.clock import SystemClock
from scheduler_service.config import Config, parse_config
from scheduler_service.config.loader import load_config
from scheduler_service.model import Plan
from scheduler_service.rotations import expand_shifts
from scheduler_service.store import Store


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
@click.option("--greedy", is_flag=True, help="Plan with the fast greedy preview only.")
def demo(config_path: Path | None, start: str | None, greedy: bool) -> None:
    """Validate the example, show the week's rota, plan the trainings and publish the feeds.

    Everything stays local: the database is the SQLite file of [storage], feeds are written
    to [feeds].directory, and nothing is sent anywhere.
    """
    config, source = _demo_config(config_path)
    console.rule(f"traincal demo: {config.organisation.name}")
    console.print(
        f"[green]valid[/] {source}: {len(config.roster)} people, "
        f"{sum(len(r.teams) for r in config.rotations.values())} teams, "
        f"{len(config.trainings)} trainings"
    )
    now = SystemClock().now()
    first = date.fromisoformat(start) if start else now.astimezone(config.zone).date()
    week_rota(config, first)
    plan_first, plan_last = _demo_horizon(config, now, builtin=config_path is None)
    store = Store(config.storage.url)
    plan, version = _plan(config, store, plan_first, plan_last, now, greedy)
    _publish(config, store, now)
    console.print(
        f"\nPlan version {version} ({len(plan.sessions)} sessions) is saved in "
        f"{config.storage.url}. Next: `traincal init`, edit config.toml, then `traincal plan`, "
        "`traincal publish`, `traincal feeds links` and `traincal serve`."
    )


def _demo_horizon(config: Config, now: datetime, *, builtin: bool) -> tuple[date, date]:
    """The example's trainings fall in fixed dates: plan exactly those; otherwise the default."""
    windows = [t.window for t in config.trainings.values() if t.window is not None]
    if builtin and windows:
        return min(w.start for w in windows), max(w.end for w in windows)
    start = now.astimezone(config.zone).date() + timedelta(days=1)
    return start, start + timedelta(days=config.planning.horizon_days - 1)


def _plan(
    config: Config, store: Store, first: date, last: date, now: datetime, greedy: bool
) -> tuple[Plan, int]:
    from scheduler_service.planner import make_plan

    console.rule(f"Plan {first} to {last}")
    previous = store.latest_published()
    plan = make_plan(
        config,
        first,
        last,
        now=now,
        previous=previous[1] if previous else None,
        greedy_only=greedy,
    )
    version = store.save_plan(plan, note="demo")
    table = Table(title="Sessions per training", title_justify="left")
    for col in ("training", "sessions", "seats taken", "unplaced (required)"):
        table.add_column(col)
    for key, training in config.trainings.items():
        sessions = [s for s in plan.sessions if s.training == key]
        unplaced = sum(1 for u in plan.unplaced if u.training == key)
        table.add_row(
            f"{training.title} ({key})",
            str(len(sessions)),
            str(sum(len(s.attendees) for s in sessions)),
            str(unplaced if training.required else "-"),
        )
    console.print(table)
    cost = plan.stats.get("cost", {})
    if cost:
        parts = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in cost.items())
        console.print(f"Cost in hours: {parts}")
    for item in plan.unplaced[:5]:
        console.print(f"  unplaced: {item.person} / {item.training}: {item.reason}", markup=False)
    if len(plan.unplaced) > 5:
        console.print(f"  ... and {len(plan.unplaced) - 5} more (see `traincal plan`)")
    return plan, version


def _publish(config: Config, store: Store, now: datetime) -> None:
    from scheduler_service.feeds import ensure_tokens
    from scheduler_service.publish_ics import publish_ics

    console.rule("Publish")
    result = publish_ics(config, store, Path(config.feeds.directory), now=now)
    ensure_tokens(config, store, now=now)
    files = result.files
    console.print(
        f"{result.feeds} iCalendar feeds in {result.directory}/ ({len(files.written)} written, "
        f"{len(files.unchanged)} unchanged); `traincal feeds links` lists each person's "
        "private subscribe link."
    )


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
