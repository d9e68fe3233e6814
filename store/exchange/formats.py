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
from .records import ExportFilter
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
        ),
        ExportFormat("w3c", write_w3c, ".jsonld", "W3C Web Annotation JSON-LD"),
        ExportFormat(
            "brat",
            write_brat,
            "",
            "a folder of .txt and .ann files for brat",
            folder=True,
            json=False,
        ),
        ExportFormat(
            "csv", write_csv, ".csv", "a spreadsheet, one annotation per row", json=False
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


def _filter(store: Store, label: str | None, doc: str | None) -> ExportFilter:
    """The filter, its document found by id or unique prefix (after the label is checked)."""
    flt = ExportFilter(label, doc)
    return flt if doc is None else replace(flt, doc_id=store.find_document(doc).id)


def export_to_stream(
    store: Store, fmt: str, stream: IO[str], *, label: str | None = None, doc: str | None = None
) -> int:
    """Write a line format to an open text stream; returns how many records."""
    form = export_format(fmt)
    if form.folder:
        raise InputError(f"--format {fmt}", "writes a folder: give one with -o FOLDER")
    return form.write(store, stream, _filter(store, label, doc))


def export_to_path(
    store: Store,
    fmt: str,
    path: str | Path,
    *,
    label: str | None = None,
    doc: str | None = None,
    force: bool = False,
) -> int:
    """Export to a file (or, for a folder format, a folder) that appears whole or not
    at all.

    The target is checked by `output_target`: never the database or its files, a
    device, a pipe or a socket; an existing file only with `force`.
    Returns the number of annotations (for `documents`: of articles) written.
    """
    form = export_format(fmt)
    flt = _filter(store, label, doc)
    if form.folder:
        with output_folder(path, database=store.path) as folder:
            return form.write(store, folder, flt)
    # newline="": CSV rows end in CRLF by design, JSON lines in LF, on every platform.
    with output_file(path, database=store.path, force=force) as handle:
        return form.write(store, handle, flt)
