"""`sidenote statements`, `spread` and `report`: where a statement travelled, and when."""

from __future__ import annotations

import click

from store import (
    Statement,
    StatementMember,
    brief_markdown,
    links_outside_statements,
    list_statements,
    statement_of,
    write_brief,
)

from ..context import CliContext
from ..output import data_stdout, echo, json_line, literal, pipe_may_close
from ..params import AsciiInt

STATUSES = ("suggested", "confirmed", "rejected")


@click.command()
@click.option(
    "--min-outlets",
    type=AsciiInt(),
    default=1,
    show_default=True,
    help="Only statements carried by at least this many outlets.",
)
@click.option(
    "--status", type=click.Choice(STATUSES), help="Only statements with a link of this status."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per statement, per line.")
@click.pass_obj
def statements(obj: CliContext, min_outlets: int, status: str | None, as_json: bool) -> None:
    """List statements (clusters of links) with their outlets and first appearance.

    The most widely carried first. A statement whose links were all rejected is
    listed only with --status rejected. Suggestions in other words (the meaning
    stage) join a statement only when accepted; how many wait is said on stderr.
    JSON objects carry every member (outlet, title, url, published, span, wording,
    annotation) and every link.
    """
    store = obj.store(write=False)
    found = list_statements(store, min_outlets=min_outlets, status=status)
    with pipe_may_close():
        if as_json:
            for item in found:
                click.echo(json_line(item.as_dict()))
            return
        outside = _outside_note(links_outside_statements(store, status or "suggested"), status)
        if not found:
            if outside:
                echo(f"No statements. {outside}", err=True)
            elif status:
                echo(f"No statements with a {status} link.", err=True)
            else:
                echo("No statements. Run `sidenote link` to find them.", err=True)
            return
        for item in found:
            counts = ", ".join(f"{n} {s}" for s, n in sorted(item.status_counts.items()))
            echo(f"{literal(item.id)}  {_reach(item)}  ({counts})")
            first = item.first
            if first is not None:
                echo(f"  first: {_outlet(first)}, {_when(first)}")
            echo(f"  {literal(item.text, 160)}")
        echo(f"{len(found)} statement{'s' if len(found) != 1 else ''}.")
        if outside:
            echo(outside, err=True)


def _reach(item: Statement) -> str:
    """The outlets that carry it; for a statement all of whose links were rejected,
    the outlets it was judged in (none carries it any more)."""
    if item.carriers:
        outlets, lead = item.outlets, ""
    else:
        outlets, lead = tuple(dict.fromkeys(m.outlet for m in item.members)), "rejected in "
    named = ", ".join(literal(o or "(no outlet)", 40) for o in outlets)
    return f"{lead}{len(outlets)} outlet{'s' if len(outlets) != 1 else ''}: {named}"


def _outside_note(count: int, status: str | None) -> str:
    """What to say about links in other words, which are in no statement (yet)."""
    if not count:
        return ""
    status = status or "suggested"
    links = f"{count} {status} link{'s' if count != 1 else ''} in other words"
    if status == "suggested":
        return (f"{links} are not statements until accepted: `sidenote links --status "
                "suggested`, or the review queue (ctrl+k in the app).")
    return f"{links} are in no statement: `sidenote links --status {status}`."


@click.command()
@click.argument("statement_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True, help="The statement as one JSON object.")
@click.pass_obj
def spread(obj: CliContext, statement_id: str, as_json: bool) -> None:
    """Show each outlet that carried a statement, when, and in what words.

    ID is a statement's id (`sidenote statements`), a link's or an annotation's.
    Times are as the page gives them ("2 hours ago" is relative to when that page
    was captured); an article whose page gives none shows its import time, marked.
    """
    found = statement_of(obj.store(write=False), statement_id)
    with pipe_may_close():
        if as_json:
            click.echo(json_line(found.as_dict()))
            return
        _print_spread(found)


def _print_spread(found: Statement) -> None:
    echo(f"Statement {literal(found.id)}: {found.outlet_count} outlet"
         f"{'s' if found.outlet_count != 1 else ''}")  # fmt: skip
    first = found.first
    for member in found.members:
        mark = "first" if member is first else ("rejected" if not member.carries else "")
        echo(f"{mark:>8}  {_when(member)}  {_outlet(member)} · {literal(member.title, 70)}")
        echo(f"          {literal(member.doc_id)} {member.start}:{member.end}  {member.status}")
        echo(f"          {literal(member.text, 300)}")


def _outlet(member: StatementMember) -> str:
    return literal(member.outlet, 40) if member.outlet else "(no outlet)"


def _when(member: StatementMember) -> str:
    if member.dated_by_import:
        return f"{literal(member.imported_at, 25)} (imported; no date on the page)"
    return literal(member.published, 40)


@click.command()
@click.argument("statement_id", metavar="ID")
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    metavar="FILE",
    help="Markdown file to write ('-' for standard output).",
)
@click.option(
    "--force", is_flag=True, help="Replace the file at FILE if there is one (it keeps its mode)."
)
@click.pass_obj
def report(obj: CliContext, statement_id: str, output: str, force: bool) -> None:
    """Write a Markdown brief of a statement for a fact-check write-up.

    Each outlet's wording exactly as stored (in a fenced block, so nothing in it is
    read as Markdown), its date, URL, speaker and notes. ID is a statement's, a
    link's or an annotation's. A file is written whole or not at all, never over
    the database, a device or a pipe, and over an existing file only with --force.
    """
    store = obj.store(write=False)
    if output == "-":
        text = brief_markdown(statement_of(store, statement_id))
        with data_stdout("report", json_format=False) as stream:
            stream.write(text)
        return
    found = write_brief(store, statement_id, output, force=force)
    echo(f"Wrote the brief of statement {literal(found.id)} "
         f"({len(found.members)} places) to {literal(output)}.")  # fmt: skip


commands: list[click.Command] = [statements, spread, report]
