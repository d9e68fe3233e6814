"""`sidenote export`, `import-annotations`, `review` and `annotate`: annotations in and out."""

from __future__ import annotations

import re

import click

from store import (
    FORMATS,
    TOOLS,
    InputError,
    ReviewItem,
    annotation_record,
    create_annotation,
    export_format,
    export_to_path,
    export_to_stream,
    import_annotations,
    import_from_tool,
    parse_map,
    resolve_review,
    review_items,
)

from ..context import CliContext
from ..output import data_stdout, echo, json_line, literal, pipe_may_close
from ..params import AsciiInt
from .quotes import tag_found_quotes


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# -- export -------------------------------------------------------------------


@click.command()
@click.option(
    "--format",
    "fmt",
    default="jsonl",
    show_default=True,
    metavar="FORMAT",
    help=f"One of: {', '.join(FORMATS)}. See docs/formats.md.",
)
@click.option(
    "-o",
    "--output",
    default="-",
    show_default=True,
    metavar="PATH",
    help="File to write ('-' for standard output); a new or empty folder for brat.",
)
@click.option(
    "--force", is_flag=True, help="Replace the file at PATH if there is one (it keeps its mode)."
)
@click.option("--label", help="Only annotations with this label (claim, quote, proposal).")
@click.option(
    "--doc", "doc", metavar="DOC_ID", help="Only this article (an id or a unique prefix)."
)
@click.option(
    "--offsets",
    metavar="UNIT",
    help="codepoints, utf16 or bytes; default: the unit the format's tool counts in "
    "(doccano: utf16; the others: codepoints). See docs/formats.md.",
)
@click.option("--lines", is_flag=True, help="w3c: one annotation per line, not one collection.")
@click.pass_obj
def export(
    obj: CliContext,
    fmt: str,
    output: str,
    force: bool,
    label: str | None,
    doc: str | None,
    offsets: str | None,
    lines: bool,
) -> None:
    """Export annotations: jsonl (default, lossless), documents, w3c, doccano,
    label-studio, prodigy, spacy, brat or csv.

    Offsets are code points of the stored text (`sidenote show DOC_ID`) unless the
    format's tool counts otherwise (--offsets); jsonl adds UTF-16 offsets for
    JavaScript tools. A file is written whole or not at all; an existing file is
    replaced only with --force, and never the database, its files, a device or a pipe.
    """
    store = obj.store(write=False)
    form = export_format(fmt)
    options = {"label": label, "doc": doc, "offsets": offsets, "lines": lines}
    if output == "-":
        if form.binary:
            raise InputError(f"--format {fmt}", "writes a binary file: give one with -o FILE")
        with data_stdout("export", json_format=form.json) as stream:
            count = export_to_stream(store, fmt, stream, **options)
        echo(f"Exported {_plural(count, form.counts)}.", err=True)
        return
    count = export_to_path(store, fmt, output, force=force, **options)
    echo(f"Exported {_plural(count, form.counts)} to {literal(output)}.")


# -- import-annotations -------------------------------------------------------


@click.command("import-annotations")
@click.argument("file", type=click.Path(dir_okay=True))
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable summary.")
@click.option(
    "--new-ids",
    is_flag=True,
    help="Import records whose id is another annotation's under fresh ids (printed "
    "old → new) instead of refusing the file.",
)
@click.option(
    "--from",
    "tool",
    default="sidenote",
    show_default=True,
    metavar="TOOL",
    help=f"The file's tool: {', '.join(TOOLS)} (sidenote: our jsonl export).",
)
@click.option(
    "--offsets",
    metavar="UNIT",
    help="codepoints, utf16 or bytes; default: the unit the tool counts in.",
)
@click.option(
    "--map",
    "maps",
    multiple=True,
    metavar="OTHER=LABEL",
    help="Import the tool's label OTHER as claim, quote or proposal (repeatable).",
)
@click.pass_obj
def import_annotations_command(
    obj: CliContext,
    file: str,
    as_json: bool,
    new_ids: bool,
    tool: str,
    offsets: str | None,
    maps: tuple[str, ...],
) -> None:
    """Import annotations: our jsonl export, or a doccano, Label Studio, Prodigy,
    brat (folder), W3C or documents file. All or nothing, idempotent.

    Articles are matched by their text and imported when new. Annotations whose
    article text has changed are re-anchored; those that cannot be placed safely
    are listed by `sidenote review`. A record whose id is already another
    annotation's refuses the file, unless --new-ids. The whole import is one
    `undo` step in the app.
    """
    if tool == "sidenote":
        if offsets or maps:
            raise InputError("--from sidenote", "takes no --offsets or --map (it is ours)")
        report = import_annotations(obj.store(), file, new_ids=new_ids)
    else:
        if new_ids:
            raise InputError("--new-ids", "applies to --from sidenote only")
        report = import_from_tool(
            obj.store(), tool, file, offsets=offsets, mapping=parse_map(maps)
        )
    if as_json:
        click.echo(json_line(report.as_dict()))
        return
    echo(f"{literal(file)}: {literal(report.summary())}.")
    for old, new in report.new_ids.items():
        echo(f"  {literal(old)} → {new}")


# -- review -------------------------------------------------------------------


def _item_dict(item: ReviewItem) -> dict:
    return {
        "id": item.id,
        "doc_id": item.doc_id,
        "doc_title": item.doc_title,
        "reason": item.reason,
        "label": item.label,
        "text": item.text,
        "old_prefix": item.old_prefix,
        "old_suffix": item.old_suffix,
        "best_start": item.best_start,
        "best_end": item.best_end,
        "best_score": item.best_score,
        "best_text": item.best_text,
        "best_prefix": item.best_prefix,
        "best_suffix": item.best_suffix,
        "resolved_at": item.resolved_at,
    }


def _show_item(item: ReviewItem) -> None:
    echo(
        f"{literal(item.id)}  {literal(item.label)}  in {literal(item.doc_id)} "
        f"{literal(item.doc_title)}"
    )
    echo(f"  why:  {literal(item.reason)}")
    echo(
        f"  was:  …{literal(item.old_prefix)}[{literal(item.text)}]{literal(item.old_suffix)}…"
    )
    if item.best_text is not None:
        echo(
            f"  best: …{literal(item.best_prefix)}[{literal(item.best_text)}]"
            f"{literal(item.best_suffix)}… "
            f"({item.best_start}:{item.best_end}, {item.best_score:.0f}%)"
        )
    else:
        echo("  best: no candidate")


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.option("--all", "include_resolved", is_flag=True, help="Include items already resolved.")
@click.pass_context
def review(ctx: click.Context, as_json: bool, include_resolved: bool) -> None:
    """List annotations that could not be re-anchored safely on a changed text.

    Each shows the quote with its old context and the best candidate in the new
    text. Decide with `sidenote review place ID` or `sidenote review discard ID`.
    """
    if ctx.invoked_subcommand is not None:
        return
    items = review_items(ctx.obj.store(write=False), include_resolved=include_resolved)
    with pipe_may_close():
        for item in items:
            if as_json:
                click.echo(json_line(_item_dict(item)))
            else:
                _show_item(item)
    if not as_json:
        echo(f"{_plural(len(items), 'annotation')} to review.", err=True)


# ASCII digits only: `str.isdigit` and `int` each accept some other Unicode digits
# (superscripts, Arabic-Indic), and not the same ones.
_SPAN = re.compile(r"\s*([0-9]+)\s*:\s*([0-9]+)\s*", re.ASCII)


def parse_span(value: str, where: str = "--span") -> tuple[int, int]:
    match = _SPAN.fullmatch(value)
    if match is None:
        raise InputError(where, f"expected START:END (whole numbers), got {value!r}")
    return int(match[1]), int(match[2])


@review.command("place")
@click.argument("review_id")
@click.option("--span", help="START:END to use instead of the best candidate.")
@click.pass_obj
def review_place(obj: CliContext, review_id: str, span: str | None) -> None:
    """Place a review item on its best candidate (or on --span)."""
    start, end = parse_span(span) if span else (None, None)
    annotation = resolve_review(obj.store(), review_id, accept=True, start=start, end=end)
    echo(
        f"Placed {annotation.label.value} {annotation.start}:{annotation.end} "
        f"{literal(annotation.text)}"
    )


@review.command("discard")
@click.argument("review_id")
@click.pass_obj
def review_discard(obj: CliContext, review_id: str) -> None:
    """Drop a review item: the annotation is not placed."""
    resolve_review(obj.store(), review_id, accept=False)
    echo(f"Discarded {literal(review_id)}.")


# -- annotate -----------------------------------------------------------------


def find_quote(text: str, quote: str, occurrence: int, doc_id: str) -> tuple[int, int]:
    """The span of the n-th (1-based) occurrence of `quote` in `text`."""
    if not quote:
        raise InputError("--quote", "is empty")
    if occurrence < 1:
        raise InputError("--occurrence", "counts from 1")
    found, pos = 0, -1
    while True:
        pos = text.find(quote, pos + 1)
        if pos < 0:
            break
        found += 1
        if found == occurrence:
            return pos, pos + len(quote)
    if found == 0:
        raise InputError(f"document {doc_id}", f"quote {quote!r} is not in the text")
    raise InputError(
        f"document {doc_id}",
        f"quote occurs {_plural(found, 'time')}; --occurrence {occurrence} is past the last",
    )


@click.command()
@click.argument("doc_id")
@click.option("--label", help="claim, quote or proposal (not with --quotes).")
@click.option(
    "--quotes",
    "found_quotes",
    is_flag=True,
    help="Tag every quote `sidenote quotes` finds, with its speaker, as one undoable step.",
)
@click.option("--span", help="START:END in code points of the stored text (sidenote show).")
@click.option("--quote", help="Exact text to annotate (instead of --span).")
@click.option(
    "--occurrence",
    default=1,
    show_default=True,
    type=AsciiInt(),
    help="Which occurrence of --quote.",
)
@click.option("--note", default="", help="A note on the annotation.")
@click.option("--speaker", default="", help="Who said it (for quotes).")
@click.option("--json", "as_json", is_flag=True, help="Print the annotation as one JSON object.")
@click.pass_obj
def annotate(
    obj: CliContext,
    doc_id: str,
    label: str | None,
    found_quotes: bool,
    span: str | None,
    quote: str | None,
    occurrence: int,
    note: str,
    speaker: str,
    as_json: bool,
) -> None:
    """Annotate a span of an article from a script (undoable like any edit).

    Give the span by offsets (--span START:END) or by its text (--quote TEXT,
    --occurrence N for a repeated one), or tag every quote found with --quotes.
    """
    if found_quotes:
        if label or span or quote or note or speaker:
            raise InputError("--quotes", "takes no --label, --span, --quote, --note or --speaker")
        tag_found_quotes(obj.store(), doc_id, as_json)
        return
    if label is None:
        raise InputError("--label", "is required: claim, quote or proposal")
    if (span is None) == (quote is None):
        raise InputError("annotate", "give exactly one of --span START:END or --quote TEXT")
    store = obj.store()
    document = store.find_document(doc_id)
    if span is not None:
        start, end = parse_span(span)
    else:
        start, end = find_quote(document.text, quote, occurrence, document.id)
    annotation = create_annotation(
        store, document.id, start, end, label, note=note, speaker=speaker
    )
    if as_json:
        click.echo(json_line(annotation_record(store, annotation.id)))
    else:
        echo(
            f"{literal(annotation.id)}  {annotation.label.value}  "
            f"{annotation.start}:{annotation.end}  {literal(annotation.text)}"
        )


commands: list[click.Command] = [export, import_annotations_command, review, annotate]
