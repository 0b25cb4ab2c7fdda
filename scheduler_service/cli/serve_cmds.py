"""``traincal serve``: the feed server (uvicorn running the Starlette app)."""

from __future__ import annotations

import os
from pathlib import Path

import click
import uvicorn

from scheduler_service.cli.common import config_option, console_err, load
from scheduler_service.feeds.feed_key import load_feed_key
from scheduler_service.feeds.server import (
    ACCESS_LOG_ENV,
    CONFIG_ENV,
    log_config,
    uvicorn_options,
)
from scheduler_service.store import Store


def register(cli: click.Group) -> None:
    cli.add_command(serve)


@click.command()
@config_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes.")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["debug", "info", "warning", "error"]))
@click.option("--access-log/--no-access-log", default=True, show_default=True,
              help="One line per request (paths with tokens redacted).")
def serve(
    config_path: Path, host: str, port: int, workers: int, log_level: str, access_log: bool
) -> None:
    """Serve the feeds at /feeds/<token>.ics, /healthz, and the coordinator page at /."""
    config = load(config_path)  # fail here, with a clear message, not in a worker
    Store(config.storage.url)
    load_feed_key(config.storage.url)
    if not os.environ.get(config.feeds.admin_password_env):
        console_err.print(f"note: {config.feeds.admin_password_env} is not set; the coordinator "
                          "page is disabled")
    os.environ[CONFIG_ENV] = str(config_path.resolve())
    os.environ[ACCESS_LOG_ENV] = "1" if access_log else "0"
    uvicorn.run(
        "scheduler_service.feeds.server:app_from_env", factory=True,
        log_config=log_config(log_level.upper()), log_level=log_level,
        **uvicorn_options(host, port, workers),
    )
