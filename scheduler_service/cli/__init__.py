"""The ``traincal`` command line: thin commands that parse, call the core, and print.

Exit status: 0 success, 1 a failure the user can fix (bad config, unplaceable people with
``--strict``, ...), 2 usage errors (click's own). Every :class:`TraincalError` is caught once, in
:func:`main`, and printed without a traceback.

Each command group lives in its own module, named in :data:`COMMANDS`.
"""

from __future__ import annotations

import importlib
import sys

import click

from scheduler_service.cli.common import console_err
from scheduler_service.errors import ConfigError, TraincalError

# command name -> the module whose ``register(group)`` defines it. Modules are imported only
# when their command runs (or help lists them), so `traincal validate` does not pay for the
# solver, the database or the web server.
COMMANDS = {
    "validate": "config_cmds",
    "shifts": "config_cmds",
    "config": "config_cmds",
    "init": "config_cmds",
    "plan": "plan_cmds",
    "publish": "publish_cmds",
    "feeds": "feeds_cmds",
    "serve": "serve_cmds",
    "demo": "demo_cmds",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"scheduler_service.cli.{module_name}")
        holder = click.Group()
        module.register(holder)
        return holder.commands.get(cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="traincal")
def cli() -> None:
    """traincal: training calendars for 24/7 hotlines on rotating shifts."""


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
