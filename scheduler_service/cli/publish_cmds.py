"""``traincal publish --target ics``: write the feeds of the latest plan and say what changed."""

from __future__ import annotations

from pathlib import Path

import click

from scheduler_service.cli.common import config_option, console, load, write_json
from scheduler_service.clock import SystemClock
from scheduler_service.ical.changes import PersonChanges, SessionRef
from scheduler_service.publish_ics import IcsPublication, publish_ics
from scheduler_service.store import Store


def register(cli: click.Group) -> None:
    cli.add_command(publish)


@click.command()
@click.option(
    "--target",
    type=click.Choice(["ics"]),
    default="ics",
    show_default=True,
    help="Where to publish: ics writes the iCalendar feed files.",
)
@config_option
@click.option("--json", "json_target", metavar="FILE", help="Write the change summary as JSON.")
def publish(target: str, config_path: Path, json_target: str | None) -> None:
    """Publish the latest plan version (run `traincal plan` first)."""
    config = load(config_path)
    store = Store(config.storage.url)
    result = publish_ics(config, store, Path(config.feeds.directory), now=SystemClock().now())
    if json_target is not None:
        write_json(result.to_json(), json_target)
        if json_target == "-":
            return
    _print(result)


def _print(result: IcsPublication) -> None:
    files = result.files
    console.print(
        f"Published plan version {result.version} as {result.feeds} feeds in {result.directory}/: "
        f"{len(files.written)} written, {len(files.unchanged)} unchanged, "
        f"{len(files.removed)} removed."
    )
    if not result.changes:
        console.print("No session changed for anyone.")
    for change in result.changes:
        _print_person(change)


def _print_person(change: PersonChanges) -> None:
    console.print(
        f"[bold]{change.name}[/] ({change.person}): {len(change.new)} new, "
        f"{len(change.updated)} updated, {len(change.cancelled)} cancelled"
    )
    for label, refs in (
        ("new", change.new),
        ("updated", change.updated),
        ("cancelled", change.cancelled),
    ):
        for ref in refs:
            console.print(f"  {label:9} {_ref(ref)}", markup=False)


def _ref(ref: SessionRef) -> str:
    return f"{ref.start[:16].replace('T', ' ')}  {ref.title}  [{ref.session_id}]"
