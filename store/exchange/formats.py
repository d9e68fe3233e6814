"""The export formats as one table, and the two ways to run an export.

A format is its writer and what the command line and the app need to know about
it: the file name ending to propose, whether it fills a folder, what its count
counts, whether its text is JSON. `sidenote export --format`, the app's export
dialog and docs/formats.md all list `FORMATS`, in this order (the first is the
default). A new format is a writer in store/exchange/write.py and a row here.

Writing to a path goes through store/files/writing.py: a temporary file (or folder)
renamed into place on success, so a failed export never leaves a half-written file
behind, and never lands on the database, a device or a file the user did not agree
to replace.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Any

from ..db.connection import Store
from ..errors import InputError
from ..files.writing import output_file, output_folder
from .offsets import check_unit
from .records import ExportFilter
from .tools_write import write_doccano, write_label_studio, write_prodigy, write_spacy
from .write import write_brat, write_csv, write_documents, write_jsonl, write_w3c

# (store, target, filter) -> how many written. The target is an open text stream,
# or for a folder format an empty folder.
Writer = Callable[[Store, Any, ExportFilter], int]


@dataclass(frozen=True)
class ExportFormat:
    name: str
    write: Writer
    suffix: str  # the file name ending the app proposes; "" for a folder
    description: str  # one line in the app's export dialog
    counts: str = "annotation"  # what the writer's count counts
    folder: bool = False  # fills a folder (-o FOLDER) instead of writing one stream
    json: bool = True  # JSON text: shown on a terminal with JSON escapes
    offsets: bool = True  # carries offsets, so --offsets applies
    binary: bool = False  # bytes, not text: a file only (-o FILE)


EXPORT_FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat(
            "jsonl",
            write_jsonl,
            ".jsonl",
            "one annotation per line, lossless (import-annotations reads it back)",
        ),
        ExportFormat(
            "documents",
            write_documents,
            ".jsonl",
            "one article per line with its annotations",
            counts="article",
            offsets=False,
        ),
        ExportFormat(
            "w3c",
            write_w3c,
            ".jsonld",
            "W3C Web Annotation: one AnnotationCollection (--lines: one annotation per line)",
        ),
        ExportFormat(
            "doccano",
            write_doccano,
            ".jsonl",
            "doccano sequence labelling JSONL, one article per line",
            counts="article",
        ),
        ExportFormat(
            "label-studio",
            write_label_studio,
            ".json",
            "Label Studio tasks (JSON array) with labels, speaker and note regions",
            counts="article",
        ),
        ExportFormat(
            "prodigy",
            write_prodigy,
            ".jsonl",
            "Prodigy tasks: text, spans, meta, one article per line",
            counts="article",
        ),
        ExportFormat(
            "spacy",
            write_spacy,
            ".spacy",
            "a spaCy DocBin, spans in doc.spans['sidenote'] (needs sidenote[spacy])",
            counts="article",
            json=False,
            binary=True,
        ),
        ExportFormat(
            "brat",
            write_brat,
            "",
            "a folder of .txt and .ann files for brat",
            folder=True,
            json=False,
        ),
        ExportFormat(
            "csv",
            write_csv,
            ".csv",
            "a spreadsheet, one annotation per row",
            json=False,
            offsets=False,
        ),
    )
}
FORMATS = tuple(EXPORT_FORMATS)


def export_format(name: str) -> ExportFormat:
    """The format called `name`, or the one-line error that lists them."""
    try:
        return EXPORT_FORMATS[name]
    except KeyError:
        raise InputError(
            "--format", f"unknown format {name!r} (use {', '.join(FORMATS)})"
        ) from None


def _filter(
    store: Store,
    form: ExportFormat,
    label: str | None,
    doc: str | None,
    offsets: str | None = None,
    lines: bool = False,
) -> ExportFilter:
    """The filter, its document found by id or unique prefix (after the label is checked)."""
    if offsets is not None:
        check_unit(offsets)
        if not form.offsets or form.name == "jsonl":
            raise InputError("--offsets", f"--format {form.name} has code point offsets only")
    if lines and form.name != "w3c":
        raise InputError("--lines", "applies to --format w3c only")
    flt = ExportFilter(label, doc, offsets, lines)
    return flt if doc is None else replace(flt, doc_id=store.find_document(doc).id)


def export_to_stream(
    store: Store,
    fmt: str,
    stream: IO[str],
    *,
    label: str | None = None,
    doc: str | None = None,
    offsets: str | None = None,
    lines: bool = False,
) -> int:
    """Write a line format to an open text stream; returns how many records."""
    form = export_format(fmt)
    if form.folder:
        raise InputError(f"--format {fmt}", "writes a folder: give one with -o FOLDER")
    if form.binary:
        raise InputError(f"--format {fmt}", "writes a binary file: give one with -o FILE")
    return form.write(store, stream, _filter(store, form, label, doc, offsets, lines))


def export_to_path(
    store: Store,
    fmt: str,
    path: str | Path,
    *,
    label: str | None = None,
    doc: str | None = None,
    force: bool = False,
    offsets: str | None = None,
    lines: bool = False,
) -> int:
    """Export to a file (or, for a folder format, a folder) that appears whole or not
    at all.

    The target is checked by `output_target`: never the database or its files, a
    device, a pipe or a socket; an existing file only with `force`.
    Returns the number of annotations (for `documents`: of articles) written.
    """
    form = export_format(fmt)
    flt = _filter(store, form, label, doc, offsets, lines)
    if form.folder:
        with output_folder(path, database=store.path) as folder:
            return form.write(store, folder, flt)
    # newline="": CSV rows end in CRLF by design, JSON lines in LF, on every platform.
    with output_file(path, database=store.path, force=force) as handle:
        return form.write(store, handle, flt)
