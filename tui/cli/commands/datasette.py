"""`sidenote datasette-metadata`: the file that makes the database readable in Datasette."""

from __future__ import annotations

import click

from store import datasette_metadata_to_path, write_datasette_metadata

from ..context import CliContext
from ..output import data_stdout, echo, literal


@click.command("datasette-metadata")
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    metavar="FILE",
    help="File to write ('-' for standard output).",
)
@click.option("--force", is_flag=True, help="Replace FILE if there is one (it keeps its mode).")
@click.option(
    "--name",
    metavar="NAME",
    help="The database's name in Datasette (default: the file name without its suffix).",
)
@click.pass_obj
def datasette_metadata(obj: CliContext, output: str, force: bool, name: str | None) -> None:
    """Write Datasette metadata: every table and column described, bookkeeping hidden.

    For Datasette 0.65: `datasette DB -m FILE`. Views annotations_with_articles,
    statement_places and statements, canned queries for the statements carried by
    the most outlets and for quotes by speaker; offsets are code points, end
    exclusive. See docs/formats.md.
    """
    store = obj.store(write=False)
    if output == "-":
        with data_stdout("datasette-metadata", json_format=True) as stream:
            write_datasette_metadata(store, stream, name)
        return
    datasette_metadata_to_path(store, output, name=name, force=force)
    echo(f"Wrote Datasette metadata to {literal(output)}.")


commands: list[click.Command] = [datasette_metadata]
