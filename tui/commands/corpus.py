"""`sidenote import`, `docs`, `show` and `stats`: the corpus on the command line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from store.ingest import ImportReport, import_paths

from ..context import CliContext

# Below this many files an import is quick enough that a progress bar only flickers.
PROGRESS_MIN_FILES = 10


def _write_stdout(text: str) -> None:
    """Write text as UTF-8 whatever the locale, so `show` is byte-exact."""
    sys.stdout.flush()
    sys.stdout.buffer.write(text.encode("utf-8"))
    sys.stdout.buffer.flush()


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
        click.echo(f"sidenote: updated {line}", err=True)
    for warning in report.warnings:
        click.echo(f"sidenote: warning: {warning}", err=True)
    for error in report.errors:
        click.echo(f"sidenote: {error}", err=True)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    elif report.files:
        click.echo(
            f"Imported {report.added} new article{'s' if report.added != 1 else ''} "
            f"from {report.files} file{'s' if report.files != 1 else ''}"
            f" ({report.unchanged} already present)."
        )
    if not report.ok:
        sys.exit(1)


def _run_import(store, paths: list[str], encoding: str | None) -> ImportReport:
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
                task = bar.add_task(Path(path).name, total=total)
            bar.update(task, completed=done, description=Path(path).name)

        return import_paths(store, paths, encoding=encoding, progress=progress, parallel=True)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_obj
def docs(obj: CliContext, as_json: bool) -> None:
    """List the articles: id, outlet, title and counts."""
    for summary in obj.store().document_summaries():
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
            click.echo(json.dumps(record, ensure_ascii=False))
        else:
            source = summary.source or "-"
            click.echo(
                f"{summary.id}  {source[:18]:<18}  {summary.chars:>7} chars  "
                f"{summary.sentences:>4} sent  {summary.annotations:>4} ann  {summary.title}"
            )


@click.command()
@click.argument("doc_id")
@click.pass_obj
def show(obj: CliContext, doc_id: str) -> None:
    """Print an article's stored text exactly (offsets refer to this text)."""
    _write_stdout(obj.store().find_document(doc_id).text)


@click.command()
@click.pass_obj
def stats(obj: CliContext) -> None:
    """Counts of articles, sentences, annotations and links."""
    db = obj.store().db

    def count(sql: str) -> int:
        return db.execute(sql).fetchone()[0]

    click.echo(f"database     {obj.choice.path}")
    click.echo(f"articles     {count('SELECT count(*) FROM documents')}")
    click.echo(f"sentences    {count('SELECT count(*) FROM sentences')}")
    click.echo(f"annotations  {count('SELECT count(*) FROM annotations')}")
    for label, n in db.execute(
        "SELECT label, count(*) FROM annotations GROUP BY label ORDER BY label"
    ).fetchall():
        click.echo(f"  {label:<10} {n}")
    click.echo(f"links        {count('SELECT count(*) FROM links')}")
    for status, n in db.execute(
        "SELECT status, count(*) FROM links GROUP BY status ORDER BY status"
    ).fetchall():
        click.echo(f"  {status:<10} {n}")
    click.echo(f"events       {count('SELECT count(*) FROM events')}")
    review = count("SELECT count(*) FROM review WHERE resolved_at IS NULL")
    if review:
        click.echo(f"to review    {review}  (see `sidenote review`)")


commands = [import_, docs, show, stats]
