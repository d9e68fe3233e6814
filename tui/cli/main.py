"""The `sidenote` command line. Thin: parse, call `store`, print.

Each group of commands lives in `tui/cli/commands/`; this module wires them up and
turns every error into one line on stderr with exit status 1 (set SIDENOTE_DEBUG=1
for the traceback).
"""

from __future__ import annotations

import os
import sqlite3
import sys

import click

from store import SidenoteError

from .. import __version__
from .commands import COMMANDS
from .context import CliContext, DbChoice
from .output import literal, stop_writing


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(f"sidenote, version {__version__}")
        ctx.exit()


class SidenoteGroup(click.Group):
    """A click group that reports errors as one line instead of a traceback, and
    lists its commands without importing them (see `tui.cli.commands`)."""

    def invoke(self, ctx: click.Context):
        succeeded = False
        try:
            result = super().invoke(ctx)
            succeeded = True
            return result
        except click.exceptions.Exit as stop:
            succeeded = stop.exit_code == 0
            raise
        except (click.exceptions.Abort, click.ClickException):
            raise
        except SidenoteError as error:
            _fail(str(error), error)
        except sqlite3.DatabaseError as error:
            # Damage found while reading, after the file opened cleanly.
            obj = ctx.find_object(CliContext)
            where = obj.choice.path if obj is not None else "database"
            from store import describe_error  # loads the database layer: only on error

            _fail(f"{where}: {describe_error(error)}", error)
        except KeyboardInterrupt:
            click.echo("sidenote: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:
            succeeded = True  # the reader of our output went away: not a failure
            stop_writing()
        except Exception as error:  # noqa: BLE001 - last resort: never show a traceback
            _fail(f"internal error: {type(error).__name__}: {error}", error)
        finally:
            obj = ctx.find_object(CliContext)
            if obj is not None:
                _close(obj, failed=not succeeded)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The `Commands` section of `--help`, as click writes it, from each command's
        summary instead of the command itself, so that no command module is imported."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        rows = [
            (name, click.Command(name, help=COMMANDS.summary(name)).get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _close(obj: CliContext, *, failed: bool) -> None:
    """Close the database; after a failure, take away a new one left empty (see
    `CliContext.close`). A problem doing so is one more line, never a traceback."""
    try:
        obj.close(failed=failed)
    except SidenoteError as error:
        click.echo(f"sidenote: {literal(str(error))}", err=True)
        sys.exit(1)


def _fail(message: str, error: BaseException) -> None:
    if os.environ.get("SIDENOTE_DEBUG") == "1":
        raise error
    # Messages quote file names, ids and values the user gave: one line, shown as data.
    click.echo(f"sidenote: {literal(message)}", err=True)
    sys.exit(1)


@click.group(cls=SidenoteGroup, invoke_without_command=True, commands=COMMANDS)
@click.option(
    "--db",
    "db_path",
    metavar="PATH",
    help="Database file. Default: $SIDENOTE_DB, else sidenote.db in your user data folder.",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
@click.pass_context
def cli(ctx: click.Context, db_path: str | None) -> None:
    """Sidenote: tag claims, quotes and proposals in news articles, and find
    where the same statement appears in other sources.

    With no command, opens the reader.
    """
    ctx.obj = CliContext(DbChoice.resolve(db_path))
    if ctx.invoked_subcommand is None:
        ctx.invoke(COMMANDS["read"])


def main() -> None:
    cli(prog_name="sidenote")
