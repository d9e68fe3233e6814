"""`sidenote link` and `sidenote links`: find repeated statements, list the links."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from store import (
    DEFAULT_THRESHOLD,
    MEANING_METHOD,
    LinkReport,
    LinkSide,
    MeaningReport,
    check_threshold,
    judge_links,
    list_links,
    relink,
)

from ..context import CliContext
from ..output import echo, json_line, literal, pipe_may_close, utf8_stdout
from ..params import AsciiFloat

METHODS = ("exact", "trimmed", "reworded", "passage")  # the string stages
STATUSES = ("suggested", "confirmed", "rejected")


@click.command()
@click.option(
    "--threshold",
    # The range is checked by check_threshold, which says what a score is.
    type=AsciiFloat(),
    default=DEFAULT_THRESHOLD,
    show_default=True,
    help="Lowest similarity (0-100) for a suggestion; a quote inside a longer sentence "
    "needs 3 more.",
)
@click.option(
    "--rebuild",
    is_flag=True,
    help="Also drop stored suggestions that are no longer found. Confirmed and rejected "
    "links are always kept.",
)
@click.option(
    "--meaning/--no-meaning",
    default=True,
    show_default=True,
    help="Also suggest the same statement in other words (needs the `meaning` extra). "
    "Each sentence is embedded once and kept: the first run on a corpus is slow.",
)
@click.option("--more", is_flag=True, help="Also the lower tier of meaning suggestions.")
@click.pass_obj
def link(obj: CliContext, threshold: float, rebuild: bool, meaning: bool, more: bool) -> None:
    """Find statements repeated across articles (every sentence and annotation).

    New matches are stored as suggestions to review in the reader (`l`) or list with
    `sidenote links`. A pair you rejected is never suggested again. Meaning
    suggestions (method reworded-meaning) are never confirmed without you.
    """
    threshold = check_threshold(threshold)
    store = obj.store()
    if sys.stderr.isatty():
        with Progress(
            TextColumn("linking"),
            BarColumn(),
            TaskProgressColumn(),
            TimeElapsedColumn(),
            transient=True,
            console=Console(stderr=True),
        ) as bar:
            task = bar.add_task("link", total=1000)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            report = relink(
                store, threshold=threshold, rebuild=rebuild, progress=progress,
                meaning=meaning, more=more,
            )
    else:
        report = relink(store, threshold=threshold, rebuild=rebuild, meaning=meaning, more=more)
    with pipe_may_close():
        _print_report(report, rebuild)


def _print_report(report: LinkReport, rebuild: bool) -> None:
    echo(
        f"Compared {report.units} sentences and annotations in {report.seconds:.1f} s "
        f"(threshold {report.threshold:g}): {report.found} "
        f"link{'s' if report.found != 1 else ''} found."
    )
    for method in METHODS:
        echo(f"  {method:<9}{report.by_method.get(method, 0):>6}")
    parts = [f"{report.new} new", f"{report.kept} already stored"]
    if report.rejected_skipped:
        parts.append(f"{report.rejected_skipped} rejected earlier (not suggested again)")
    if rebuild:
        parts.append(f"{report.dropped} old suggestion{'s' if report.dropped != 1 else ''} removed")
    if report.merged:
        parts.append(
            f"{report.merged} duplicate suggestion{'s' if report.merged != 1 else ''} merged "
            "into the link of the same places"
        )
    echo(", ".join(parts) + ".")
    if report.meaning is not None:
        _print_meaning(report.meaning, rebuild)


def _print_meaning(report: MeaningReport, rebuild: bool) -> None:
    if report.unavailable is not None:
        echo(
            "Meaning stage off: the `meaning` extra is not installed (pip install "
            "'sidenote[meaning]', Linux and macOS on arm64), so reworded statements are "
            "not looked for."
        )
        return
    echo(
        f"Meaning: {report.sentences} sentences ({report.embedded} embedded now) in "
        f"{report.seconds:.1f} s: {report.found} "
        f"suggestion{'s' if report.found != 1 else ''} ({MEANING_METHOD})."
    )
    parts = [f"{report.new} new", f"{report.kept} already stored"]
    if report.linked_already:
        parts.append(f"{report.linked_already} linked already by the string stages")
    if report.rejected_skipped:
        parts.append(f"{report.rejected_skipped} rejected earlier (not suggested again)")
    if rebuild:
        parts.append(f"{report.dropped} old suggestion{'s' if report.dropped != 1 else ''} removed")
    echo("  " + ", ".join(parts) + ".")


@click.group(invoke_without_command=True)
@click.option("--status", type=click.Choice(STATUSES), help="Only links with this status.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "jsonl"]),
    default="table",
    show_default=True,
    help="A readable table, or one JSON object per link per line.",
)
@click.pass_context
def links(ctx: click.Context, status: str | None, fmt: str) -> None:
    """List links between articles, grouped by statement (cluster).

    JSONL lines are {"id", "score", "method", "status", "cluster", "a": {"doc_id",
    "start", "end", "text", "annotation_id"}, "b": {...}}; offsets are code points
    into the article text, end exclusive. `sidenote links accept ID…` and `sidenote
    links reject ID…` judge links by id.
    """
    if ctx.invoked_subcommand is not None:
        return
    obj: CliContext = ctx.obj
    store = obj.store(write=False)
    rows = list_links(store, status)
    if fmt == "jsonl":
        with utf8_stdout() as out:
            for row in rows:
                out.write(json_line(row.as_dict()) + "\n")
        return
    titles = {
        s.id: (s.source or "-", s.title) for s in store.document_summaries()
    }
    table = Table(show_lines=True, expand=False)
    for name, justify in (("score", "right"), ("method", "left"), ("status", "left"),
                          ("a", "left"), ("b", "left")):  # fmt: skip
        table.add_column(name, justify=justify, overflow="fold")
    count = 0
    for row in rows:
        count += 1
        table.add_row(
            f"{row.score:.1f}",
            literal(row.method),
            literal(row.status.value),
            _side(row.a, titles),
            _side(row.b, titles),
        )
    if not count:
        echo("No links. Run `sidenote link` to find them.", err=True)
        return
    with pipe_may_close():
        console = Console(
            width=None if sys.stdout.isatty() else 160,
            markup=False,
            emoji=False,
            highlight=False,
            soft_wrap=False,
        )
        console.print(table)
        echo(f"{count} link{'s' if count != 1 else ''}.")


def _side(side: LinkSide, titles: dict[str, tuple[str, str]]) -> Text:
    """One side as plain text: article text is data, never markup."""
    source, title = titles.get(side.doc_id, ("-", ""))
    text = Text()
    text.append(f"{literal(source, 24)} · {literal(title, 60)}\n", style="dim")
    text.append(f"{literal(side.doc_id)} {side.start}:{side.end}\n", style="dim")
    text.append(literal(side.text, 400))
    return text


@links.command("accept")
@click.argument("link_ids", nargs=-1, required=True, metavar="ID...")
@click.pass_obj
def accept_command(obj: CliContext, link_ids: tuple[str, ...]) -> None:
    """Confirm links (ids from `sidenote links --format jsonl`, or a unique start of
    one), as one undoable step.

    As in the reader: when one side is tagged, the other side's matching part gets the
    same label. An unknown id changes nothing.
    """
    _judge(obj, link_ids, "confirmed", "Accepted")


@links.command("reject")
@click.argument("link_ids", nargs=-1, required=True, metavar="ID...")
@click.pass_obj
def reject_command(obj: CliContext, link_ids: tuple[str, ...]) -> None:
    """Reject links (an id, or a unique start of one), as one undoable step: a
    rejected pair is never suggested again. An unknown id changes nothing."""
    _judge(obj, link_ids, "rejected", "Rejected")


def _judge(obj: CliContext, link_ids: tuple[str, ...], verdict: str, done: str) -> None:
    changed = judge_links(obj.store(), list(link_ids), verdict)
    unchanged = len(set(link_ids)) - changed
    line = f"{done} {changed} link{'s' if changed != 1 else ''}"
    if unchanged:
        line += f" ({unchanged} {'was' if unchanged == 1 else 'were'} {verdict} already)"
    echo(line + ("; `sidenote undo` takes it back." if changed else "."))


commands: list[click.Command] = [link, links]
