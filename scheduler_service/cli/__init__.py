"""The ``traincal`` command line: thin commands that parse, call the core, and print.

Exit status: 0 success, 1 a failure the user can fix (bad config, unplaceable people with
``--strict``, ...), 2 usage errors (click's own). Every :class:`TraincalError` is caught once, in
:func:`main`, and printed without a traceback.

Each command group lives in its own module and is registered in :data:`COMMAND_MODULES`.
"""

from __future__ import annotations

import importlib
import sys

import click

from scheduler_service.cli.common import console_err
from scheduler_service.errors import ConfigError, TraincalError

COMMAND_MODULES = (
    "scheduler_service.cli.config_cmds",
    "scheduler_service.cli.plan_cmds",
    "scheduler_service.cli.publish_cmds",
    "scheduler_service.cli.feeds_cmds",
    "scheduler_service.cli.serve_cmds",
    "scheduler_service.cli.demo_cmds",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="traincal")
def cli() -> None:
    """traincal: training calendars for 24/7 hotlines on rotating shifts."""


def _register() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # a command group not built yet
            raise
        module.register(cli)


_register()


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        console_err.print("aborted")
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except ConfigError as exc:
        count = len(exc.problems)
        plural = "s" if count != 1 else ""
        console_err.print(f"[bold red]error:[/] invalid configuration ({count} problem{plural}):")
        for problem in exc.problems:
            console_err.print(f"  {problem}", markup=False)
        sys.exit(1)
    except TraincalError as exc:
        console_err.print("[bold red]error:[/] ", end="")
        console_err.print(str(exc), markup=False)
        sys.exit(1)
    sys.exit(0)
