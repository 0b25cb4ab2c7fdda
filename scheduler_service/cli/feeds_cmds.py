"""``traincal feeds list|links|rotate|revoke``: subscription feed tokens and links.

Links contain secret tokens: ``links`` and ``rotate`` print them for the coordinator to send, each
person only their own. Everything else shows a short hash prefix instead.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from scheduler_service.cli.common import config_option, console, console_err, load, write_json
from scheduler_service.feeds.links import KIND_ORDER
from scheduler_service.feeds.service import FeedLink, FeedService, open_feed_service

_KIND = click.option(
    "--kind", "kinds", multiple=True, type=click.Choice(KIND_ORDER),
    help="Only feeds of this kind (repeatable); default: all of the person's feeds.",
)
_JSON = click.option("--json", "json_target", default=None, metavar="FILE",
                     help="Write JSON to FILE ('-' for stdout).")


def _service(config_path: Path) -> FeedService:
    return open_feed_service(load(config_path))


def register(cli: click.Group) -> None:
    cli.add_command(feeds)


@click.group()
def feeds() -> None:
    """Per-person calendar feed tokens and subscribe links."""


@feeds.command("list")
@config_option
@_JSON
def list_cmd(config_path: Path, json_target: str | None) -> None:
    """Who has which feed: state, since when, and the token's hash prefix (never the token)."""
    service = _service(config_path)
    statuses = service.statuses()
    if json_target is not None:
        write_json([s.to_json() for s in statuses], json_target)
        return
    zone = service.config.zone
    table = Table("person", "name", "feed", "state", "since", "hash")
    for s in statuses:
        rec = s.record
        when = None if rec is None else (rec.created_at if rec.active else rec.revoked_at)
        table.add_row(
            s.ref.holder, s.name or "(not in roster)", _feed(s.ref.kind, s.ref.key), s.state,
            "" if when is None else when.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "" if rec is None else rec.hash_prefix,
        )
    console.print(table)


@feeds.command("links")
@config_option
@_JSON
@click.argument("people", nargs=-1)
def links_cmd(config_path: Path, json_target: str | None, people: tuple[str, ...]) -> None:
    """Subscribe links (https, webcal, Google) per person; issues tokens that are missing."""
    service = _service(config_path)
    links = service.links(people)
    _warn_http(service)
    if json_target is not None:
        write_json([link.to_json() for link in links], json_target)
    else:
        _print_links(links)


@feeds.command("rotate")
@config_option
@_JSON
@_KIND
@click.option("--all", "everyone", is_flag=True, help="Rotate every active feed of everyone.")
@click.argument("person", required=False)
def rotate_cmd(
    config_path: Path, json_target: str | None, kinds: tuple[str, ...], everyone: bool,
    person: str | None,
) -> None:
    """New token(s) for PERSON's feeds; the old links stop working at once."""
    if (person is None) == (not everyone):
        raise click.UsageError("give a PERSON or --all (not both)")
    service = _service(config_path)
    links = service.rotate(person, kinds)
    if json_target is not None:
        write_json([link.to_json() for link in links], json_target)
        return
    console_err.print(f"rotated {len(links)} feed token(s); the old links no longer work. "
                      "Send each person their new link:")
    _print_links(links)


@feeds.command("revoke")
@config_option
@_KIND
@click.argument("person")
def revoke_cmd(config_path: Path, kinds: tuple[str, ...], person: str) -> None:
    """Revoke PERSON's feed token(s) at once (``rotate`` issues a new one later)."""
    revoked = _service(config_path).revoke(person, kinds)
    if not revoked:
        console.print(f"{person} has no active feed token to revoke")
        return
    for rec in revoked:
        console.print(f"revoked {_feed(rec.ref.kind, rec.ref.key)} of {person} "
                      f"(token {rec.hash_prefix}…)")


def _feed(kind: str, key: str) -> str:
    return kind if key in ("all", "") or kind in ("person", "facilitator") else f"{kind} {key}"


def _print_links(links: list[FeedLink]) -> None:
    for link in links:
        console.print(f"[bold]{escape(link.name)}[/] ({escape(link.ref.holder)}, "
                      f"{escape(link.email)}) - "
                      f"{_feed(link.ref.kind, link.ref.key)} feed", markup=True)
        console.print(f"  https:  {link.links.https}", soft_wrap=True)
        console.print(f"  webcal: {link.links.webcal}", soft_wrap=True)
        console.print(f"  Google: {link.links.google}", soft_wrap=True)


def _warn_http(service: FeedService) -> None:
    if service.config.feeds.base_url.startswith("http://"):
        console_err.print("warning: feeds.base_url is http://; links carry secret tokens and "
                          "should use https://")
