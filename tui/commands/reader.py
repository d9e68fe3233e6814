"""`sidenote read`: the terminal app."""

from __future__ import annotations

import click

from ..context import CliContext


@click.command()
@click.argument("doc_id", required=False)
@click.pass_obj
def read(obj: CliContext, doc_id: str | None) -> None:
    """Open the reader (on DOC_ID, or where you left off)."""
    click.echo(click.get_current_context().parent.get_help())


commands = [read]
