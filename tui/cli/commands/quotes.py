"""`sidenote quotes`: the quotations in an article and who said them."""

from __future__ import annotations

import click

from store import InputError, Quote, Store, find_quotes

from ..context import CliContext
from ..output import echo, json_line, literal, pipe_may_close


def quote_record(doc_id: str, quote: Quote) -> dict:
    return {
        "doc_id": doc_id,
        "start": quote.start,
        "end": quote.end,
        "text": quote.text,
        "speaker": quote.speaker,
    }


def _print(doc_id: str, quotes: list[Quote], as_json: bool, with_doc: bool) -> None:
    for quote in quotes:
        if as_json:
            # Article text is data: the shared JSON line escapes what could drive a
            # terminal, as every other command's JSON does.
            click.echo(json_line(quote_record(doc_id, quote)))
            continue
        where = f"{literal(doc_id)}  " if with_doc else ""
        speaker = literal(quote.speaker) if quote.speaker else "(no speaker)"
        echo(f"{where}{quote.start}:{quote.end}  {speaker}  {literal(quote.text)}")


@click.command()
@click.argument("doc_id", required=False)
@click.option("--all", "every", is_flag=True, help="Every article in the database.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_obj
def quotes(obj: CliContext, doc_id: str | None, every: bool, as_json: bool) -> None:
    """List the quotations in an article (or --all) with their likely speakers.

    Offsets are code points of the stored text (`sidenote show DOC_ID`), the quote
    marks outside the span. --json prints {"doc_id", "start", "end", "text",
    "speaker"} per line; speaker is null when the article does not say.
    `sidenote annotate DOC_ID --quotes` tags them.
    """
    if every == (doc_id is not None):
        raise InputError("quotes", "give one DOC_ID or --all")
    # Listing only reads: it works on a database the user may not change.
    store: Store = obj.store(write=False)
    ids = store.document_ids() if every else [store.find_document(doc_id).id]
    total = 0
    with pipe_may_close():
        for current in ids:
            found = find_quotes(store.document_text(current))
            total += len(found)
            _print(current, found, as_json, every)
    if not as_json:
        echo(f"{total} quote{'' if total == 1 else 's'}.", err=True)


commands: list[click.Command] = [quotes]


def tag_found_quotes(store: Store, doc_id: str, as_json: bool) -> None:
    """`sidenote annotate DOC_ID --quotes`: one change that `sidenote undo` takes back."""
    from store import annotation_record, tag_quotes

    document = store.find_document(doc_id)
    report = tag_quotes(store, document.id)
    with pipe_may_close():
        for annotation in report.created:
            if as_json:
                click.echo(json_line(annotation_record(store, annotation.id)))
            else:
                speaker = literal(annotation.speaker) if annotation.speaker else "(no speaker)"
                echo(
                    f"{literal(annotation.id)}  quote  {annotation.start}:{annotation.end}  "
                    f"{speaker}  {literal(annotation.text)}"
                )
    echo(
        f"Tagged {len(report.created)} quote{'' if len(report.created) == 1 else 's'}"
        f" in {literal(document.id)}; {report.skipped} already annotated, left alone.",
        err=True,
    )
