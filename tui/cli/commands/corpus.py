"""`sidenote import`, `docs`, `show` and `stats`: the corpus on the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from store import corpus_stats

from ..context import CliContext
from ..output import data_stdout, echo, json_line, literal

# The importer (HTML extraction, sentence splitting, the re-anchoring matcher) and the
# progress bar are imported by `sidenote import` alone: `docs`, `show` and `stats`
# answer without them.
if TYPE_CHECKING:
    from store import ImportReport

# Below this many files an import is quick enough that a progress bar only flickers.
PROGRESS_MIN_FILES = 10


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--encoding", help="Decode files with this encoding instead of UTF-8 (e.g. cp1252).")
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@click.pass_obj
def import_(obj: CliContext, paths: tuple[str, ...], encoding: str | None, as_json: bool) -> None:
    """Import articles from files and folders (.txt, .md, .html, .htm, .jsonl).

    Folders are walked recursively. Each file is imported whole or not at all;
    re-importing the same content adds nothing.
    """
    store = obj.store()
    report = _run_import(store, list(paths), encoding)
    for line in report.replaced:
        echo(f"sidenote: updated {literal(line)}", err=True)
    for warning in report.warnings:
        echo(f"sidenote: warning: {literal(warning)}", err=True)
    for error in report.errors:
        echo(f"sidenote: {literal(error)}", err=True)
    if as_json:
        click.echo(json_line(report.as_dict()))
    elif report.files:
        echo(
            f"Imported {report.added} new article{'s' if report.added != 1 else ''} "
            f"from {report.files} file{'s' if report.files != 1 else ''}"
            f" ({report.unchanged} already present)."
        )
    if not report.ok:
        sys.exit(1)


def _run_import(store, paths: list[str], encoding: str | None) -> ImportReport:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from store import import_paths

    if not sys.stderr.isatty():
        return import_paths(store, paths, encoding=encoding, parallel=True)
    with Progress(
        TextColumn("importing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.description}"),
        transient=True,
        console=None,
    ) as bar:
        task = None

        def progress(done: int, total: int, path: str) -> None:
            nonlocal task
            if total < PROGRESS_MIN_FILES:
                return
            if task is None:
                task = bar.add_task(_shown_name(path), total=total)
            bar.update(task, completed=done, description=_shown_name(path))

        return import_paths(store, paths, encoding=encoding, progress=progress, parallel=True)


def _shown_name(path: str) -> str:
    """A file name for the progress bar: a file name is data, never markup or escapes."""
    from rich.markup import escape

    return escape(literal(Path(path).name))


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_obj
def docs(obj: CliContext, as_json: bool) -> None:
    """List the articles: id, outlet, title and counts."""
    for summary in obj.store(write=False).document_summaries():
        if as_json:
            record = {
                "id": summary.id,
                "title": summary.title,
                "source": summary.source,
                "chars": summary.chars,
                "sentences": summary.sentences,
                "annotations": summary.annotations,
                "links": summary.links,
            }
            click.echo(json_line(record))
        else:
            source = literal(summary.source or "-", 18)
            echo(
                f"{literal(summary.id)}  {source:<18}  {summary.chars:>7} chars  "
                f"{summary.sentences:>4} sent  {summary.annotations:>4} ann  "
                f"{literal(summary.title)}"
            )


@click.command()
@click.argument("doc_id")
@click.pass_obj
def show(obj: CliContext, doc_id: str) -> None:
    """Print an article's stored text exactly (offsets refer to this text).

    On a terminal, control characters are shown as visible escapes instead.
    """
    text = obj.store(write=False).find_document(doc_id).text
    with data_stdout("show", json_format=False) as out:
        out.write(text)


@click.command()
@click.pass_obj
def stats(obj: CliContext) -> None:
    """Counts of articles, sentences, annotations and links."""
    counts = corpus_stats(obj.store(write=False))
    echo(f"database     {literal(str(obj.choice.path))}")
    echo(f"articles     {counts.articles}")
    echo(f"sentences    {counts.sentences}")
    echo(f"annotations  {counts.annotations}")
    for label, n in counts.by_label.items():
        echo(f"  {label:<10} {n}")
    echo(f"links        {counts.links}")
    for status, n in counts.by_status.items():
        echo(f"  {status:<10} {n}")
    echo(f"events       {counts.events}")
    if counts.to_review:
        echo(f"to review    {counts.to_review}  (see `sidenote review`)")


commands = [import_, docs, show, stats]
