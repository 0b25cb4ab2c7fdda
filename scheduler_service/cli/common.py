"""Shared CLI plumbing: the --config option, config loading, JSON output, consoles."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console

from scheduler_service.config import Config, load_config

console = Console(highlight=False, soft_wrap=True)
console_err = Console(stderr=True, highlight=False, soft_wrap=True)

F = TypeVar("F", bound=Callable[..., Any])


def config_option(func: F, *, help: str = "The traincal configuration file.") -> F:
    """``--config PATH`` (default ``./config.toml``), passed on as ``config_path``."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        default=Path("config.toml"),
        show_default=True,
        help=help,
    )(func)


def load(config_path: Path) -> Config:
    return load_config(config_path)


def write_json(data: Any, target: str) -> None:
    """Write JSON to a file, or to stdout when ``target`` is '-'."""
    text = json.dumps(data, indent=2, sort_keys=False, ensure_ascii=False) + "\n"
    if target == "-":
        click.echo(text, nl=False)
    else:
        Path(target).write_text(text, encoding="utf-8")
