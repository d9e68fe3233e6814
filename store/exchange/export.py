"""Annotations out of Sidenote: generators of plain dicts, and a writer per format.

Every generator walks the database with SQL cursors, one document at a time (its
text, annotations and links), so memory stays flat however many annotations there
are. The formats are described field by field in docs/formats.md:

- `jsonl`      one annotation per line; the lossless format `import-annotations` reads back
- `documents`  one article per line with its spans (spaCy `Doc.char_span`, Prodigy, doccano)
- `w3c`        one W3C Web Annotation (JSON-LD) per line
- `brat`       a folder of `DOC.txt` + `DOC.ann` standoff files and an `annotation.conf`
- `csv`        one annotation per row, for spreadsheets

Writing to a path goes through `output_target`: a temporary file (or folder) renamed
into place on success, so a failed export never leaves a half-written file behind,
and never lands on the database, a device or a file the user did not agree to replace.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import importlib.resources
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import quote

from .. import link_table
from ..db.connection import Store
from ..errors import InputError, NotFound
from ..files.writing import output_file, output_folder
from ..models import Label

FORMATS = ("jsonl", "documents", "w3c", "brat", "csv")
LINE_FORMATS = ("jsonl", "documents", "w3c", "csv")

# The fields of a `jsonl` record, in the order they are written. Also the order of
# the `csv` columns (where `links` is JSON text). Part of the interface: see
# docs/formats.md and store/exchange/annotation_schema.json.
RECORD_FIELDS = (
    "id",
    "doc_id",
    "doc_title",
    "source",
    "url",
    "label",
    "start",
    "end",
    "utf16_start",
    "utf16_end",
    "text",
    "prefix",
    "suffix",
    "note",
    "speaker",
    "annotator",
    "created",
    "updated",
    "links",
    "cluster",
)

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
DOC_IRI_PREFIX = "urn:sidenote:doc:"
ANNOTATION_IRI_PREFIX = "urn:sidenote:annotation:"

SCHEMA_FILE = "annotation_schema.json"


def annotation_schema() -> dict:
    """The JSON Schema of a `jsonl` record, shipped inside the package."""
    schema = importlib.resources.files("store.exchange").joinpath(SCHEMA_FILE)
    return json.loads(schema.read_text("utf-8"))


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_ENCODE = json.JSONEncoder(ensure_ascii=False).encode


class Utf16Offsets:
    """Code point offsets of one text to UTF-16 code unit offsets, in O(log n) each.

    JavaScript tools count UTF-16 code units: every character outside the Basic
    Multilingual Plane (most emoji, some CJK) counts as two.
    """

    def __init__(self, text: str) -> None:
        if text.isascii() or len(text.encode("utf-16-le")) == 2 * len(text):
            self._astral: list[int] = []
        else:
            self._astral = [m.start() for m in _ASTRAL.finditer(text)]

    def __call__(self, pos: int) -> int:
        if not self._astral:
            return pos
        return pos + bisect.bisect_left(self._astral, pos)


@dataclass(frozen=True)
class ExportFilter:
    """Which annotations to export: all, or one label and/or one document."""

    label: str | None = None
    doc_id: str | None = None

    def __post_init__(self) -> None:
        if self.label is not None and self.label not in Label.__members__:
            raise InputError(
                "--label", f"unknown label {self.label!r} (use claim, quote or proposal)"
            )


# -- reading, one document at a time ------------------------------------------


def _document_rows(store: Store, flt: ExportFilter) -> Iterator[tuple]:
    """(id, title, source, url) of the documents to visit, in a stable order."""
    if flt.doc_id is not None:
        sql = "SELECT id, title, source, url FROM documents WHERE id = ?"
        return store.db.execute(sql, [flt.doc_id])
    # Only documents holding at least one (matching) annotation: one index probe each.
    sql = (
        "SELECT id, title, source, url FROM documents d WHERE EXISTS "
        "(SELECT 1 FROM annotations a WHERE a.doc_id = d.id"
        + (" AND a.label = ?" if flt.label else "")
        + ") ORDER BY id"
    )
    return store.db.execute(sql, [flt.label] if flt.label else [])


_ANNOTATION_COLUMNS = (
    'id, start, "end", label, text, prefix, suffix, note, speaker, annotator, '
    "created_at, updated_at"
)


def _annotations_of(store: Store, doc_id: str, label: str | None) -> Iterator[tuple]:
    sql = f"SELECT {_ANNOTATION_COLUMNS} FROM annotations WHERE doc_id = ?"
    params: list = [doc_id]
    if label:
        sql += " AND label = ?"
        params.append(label)
    sql += ' ORDER BY start, "end", id'
    return store.db.execute(sql, params)


def _links_of(store: Store, doc_id: str) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """For each annotation of a document: the other side of its links, and its cluster.

    One query per document (both sides), so the cost does not grow per annotation.
    Rejected links are kept: a reader's "no" is information worth carrying. Each
    entry has the link's id, the other side's span and the link's method too, so
    that `import-annotations` can restore the link, and recognise it when it is
    already there.
    """
    links: dict[str, list[dict]] = {}
    clusters: dict[str, str] = {}
    for row in link_table.export_rows(store.db, doc_id):  # link_table.EXPORT_COLUMNS
        (
            link_id,
            a_ann,
            a_doc,
            a_start,
            a_end,
            b_ann,
            b_doc,
            b_start,
            b_end,
            score,
            method,
            status,
            cluster,
        ) = row
        sides = (
            (a_ann, a_doc, b_ann, b_doc, b_start, b_end),
            (b_ann, b_doc, a_ann, a_doc, a_start, a_end),
        )
        for mine, my_doc, other, other_doc, other_start, other_end in sides:
            if mine is None or my_doc != doc_id:
                continue
            links.setdefault(mine, []).append(
                {
                    "link_id": link_id,
                    "annotation_id": other,
                    "doc_id": other_doc,
                    "start": other_start,
                    "end": other_end,
                    "score": score,
                    "method": method,
                    "status": status,
                }
            )
            if cluster and status != "rejected":
                current = clusters.get(mine)
                clusters[mine] = cluster if current is None else min(current, cluster)
    for entries in links.values():
        entries.sort(key=_entry_order)
    return links, clusters


def _entry_order(entry: dict) -> tuple:
    other = entry["annotation_id"] or ""
    return entry["doc_id"], entry["start"], entry["end"], other, entry["link_id"]


@contextlib.contextmanager
def _snapshot(store: Store) -> Iterator[None]:
    """One read transaction, so the export is a consistent picture of the database.

    A deferred BEGIN takes no write lock: other programs keep writing (WAL) while
    we read. It is a transaction on the store's connection, though, so a program
    that writes while it exports (the app) should export on a connection of its
    own: `export_to_path(open_store(store.path), ...)` in a worker.
    """
    conn = store.db.conn
    if conn.in_transaction:
        yield  # inside the caller's transaction, which is already a snapshot
        return
    conn.execute("BEGIN")
    try:
        yield
    finally:
        if conn.in_transaction:
            conn.execute("COMMIT")  # nothing was written: this only ends the snapshot


# -- jsonl --------------------------------------------------------------------


def annotation_records(
    store: Store, *, label: str | None = None, doc: str | None = None
) -> Iterator[dict]:
    """Every annotation as a `jsonl` record (see RECORD_FIELDS), document by document."""
    flt = ExportFilter(label, doc)
    with _snapshot(store):
        for doc_id, title, source, url in list_or_iter(_document_rows(store, flt)):
            text_row = store.db.execute(
                "SELECT text FROM documents WHERE id = ?", [doc_id]
            ).fetchone()
            utf16 = Utf16Offsets(text_row[0])
            del text_row
            links, clusters = _links_of(store, doc_id)
            for (
                ann_id,
                start,
                end,
                lab,
                text,
                prefix,
                suffix,
                note,
                speaker,
                annotator,
                created,
                updated,
            ) in _annotations_of(store, doc_id, flt.label):
                yield {
                    "id": ann_id,
                    "doc_id": doc_id,
                    "doc_title": title,
                    "source": source,
                    "url": url,
                    "label": lab,
                    "start": start,
                    "end": end,
                    "utf16_start": utf16(start),
                    "utf16_end": utf16(end),
                    "text": text,
                    "prefix": prefix,
                    "suffix": suffix,
                    "note": note,
                    "speaker": speaker,
                    "annotator": annotator,
                    "created": created,
                    "updated": updated,
                    "links": links.get(ann_id, []),
                    "cluster": clusters.get(ann_id),
                }


_STRING = json.encoder.encode_basestring  # the C encoder json.dumps(ensure_ascii=False) uses


def jsonl_lines(store: Store, *, label: str | None = None, doc: str | None = None) -> Iterator[str]:
    """`annotation_records`, already encoded: the same lines `json.dumps` would give.

    The export's hot path (a test checks both agree byte for byte): formatting the
    known record shape directly is about twice as fast as building a dict and
    encoding it generically, and the per-article fields are encoded once.
    """
    flt = ExportFilter(label, doc)
    with _snapshot(store):
        for doc_id, title, source, url in list_or_iter(_document_rows(store, flt)):
            text_row = store.db.execute(
                "SELECT text FROM documents WHERE id = ?", [doc_id]
            ).fetchone()
            utf16 = Utf16Offsets(text_row[0])
            del text_row
            links, clusters = _links_of(store, doc_id)
            shared = (
                f', "doc_id": {_STRING(doc_id)}, "doc_title": {_STRING(title)}, '
                f'"source": {_STRING(source)}, "url": {_STRING(url)}, "label": '
            )
            for (
                ann_id,
                start,
                end,
                lab,
                text,
                prefix,
                suffix,
                note,
                speaker,
                annotator,
                created,
                updated,
            ) in _annotations_of(store, doc_id, flt.label):
                linked = links.get(ann_id)
                cluster = clusters.get(ann_id)
                yield (
                    f'{{"id": {_STRING(ann_id)}{shared}{_STRING(lab)}, '
                    f'"start": {start}, "end": {end}, '
                    f'"utf16_start": {utf16(start)}, "utf16_end": {utf16(end)}, '
                    f'"text": {_STRING(text)}, '
                    f'"prefix": {_STRING(prefix)}, "suffix": {_STRING(suffix)}, '
                    f'"note": {_STRING(note)}, '
                    f'"speaker": {_STRING(speaker)}, "annotator": {_STRING(annotator)}, '
                    f'"created": {_STRING(created)}, "updated": {_STRING(updated)}, '
                    f'"links": {_ENCODE(linked) if linked else "[]"}, '
                    f'"cluster": {"null" if cluster is None else _STRING(cluster)}}}\n'
                )


def annotation_record(store: Store, annotation_id: str) -> dict:
    """One annotation as a `jsonl` record (what `sidenote annotate --json` prints)."""
    annotation = store.annotation(annotation_id)
    for record in annotation_records(store, doc=annotation.doc_id, label=annotation.label.value):
        if record["id"] == annotation_id:
            return record
    raise NotFound(f"no annotation with id {annotation_id!r}")


def list_or_iter(cursor: Iterable[tuple]) -> Iterator[tuple]:
    """Document rows are few and small; reading them first frees the cursor for the
    per-document queries that run while we walk them."""
    return iter(list(cursor))


# -- documents ----------------------------------------------------------------


def document_records(
    store: Store, *, label: str | None = None, doc: str | None = None
) -> Iterator[dict]:
    """Each article with its spans: `{"id","title","source","url","text","spans":[...]}`."""
    flt = ExportFilter(label, doc)
    with _snapshot(store):
        for doc_id, title, source, url in list_or_iter(_document_rows(store, flt)):
            text = store.db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()[
                0
            ]
            spans = [
                {"id": row[0], "start": row[1], "end": row[2], "label": row[3]}
                for row in _annotations_of(store, doc_id, flt.label)
            ]
            yield {
                "id": doc_id,
                "title": title,
                "source": source,
                "url": url,
                "text": text,
                "spans": spans,
            }


# -- W3C Web Annotation -------------------------------------------------------


def annotation_iri(annotation_id: str) -> str:
    """`urn:uuid:…` for Sidenote's UUIDs; any other id is percent-encoded into a URN."""
    try:
        return (
            uuid.UUID(annotation_id).urn if len(annotation_id) == 36 else _other_iri(annotation_id)
        )
    except ValueError:
        return _other_iri(annotation_id)


def _other_iri(annotation_id: str) -> str:
    return ANNOTATION_IRI_PREFIX + quote(annotation_id, safe="")


def document_iri(doc_id: str) -> str:
    """The target's source. Not the web address: positions count in Sidenote's cleaned
    text, which is not the text of the web page, so the page goes in `scope`."""
    return DOC_IRI_PREFIX + quote(doc_id, safe="")


def w3c_annotation(record: dict) -> dict:
    """A `jsonl` record as a W3C Web Annotation (https://www.w3.org/TR/annotation-model/)."""
    body = [{"type": "TextualBody", "value": record["label"], "purpose": "tagging"}]
    if record["note"]:
        body.append(
            {
                "type": "TextualBody",
                "value": record["note"],
                "purpose": "commenting",
                "format": "text/plain",
            }
        )
    source: dict = {"id": document_iri(record["doc_id"]), "type": "Text", "format": "text/plain"}
    target: dict = {
        "type": "SpecificResource",
        "source": source,
        "selector": [
            {
                "type": "TextQuoteSelector",
                "exact": record["text"],
                "prefix": record["prefix"],
                "suffix": record["suffix"],
            },
            {"type": "TextPositionSelector", "start": record["start"], "end": record["end"]},
        ],
    }
    if record["url"] and _is_absolute_iri(record["url"]):
        target["scope"] = record["url"]
    annotation: dict = {
        "@context": W3C_CONTEXT,
        "id": annotation_iri(record["id"]),
        "type": "Annotation",
        "motivation": "classifying",
        "created": record["created"],
        "modified": record["updated"],
        "body": body,
        "target": target,
    }
    if record["annotator"]:
        annotation["creator"] = {"type": "Person", "nickname": record["annotator"]}
    return annotation


_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+$")


def _is_absolute_iri(value: str) -> bool:
    return bool(_IRI.match(value))


def w3c_records(
    store: Store, *, label: str | None = None, doc: str | None = None
) -> Iterator[dict]:
    for record in annotation_records(store, label=label, doc=doc):
        yield w3c_annotation(record)


# -- CSV ----------------------------------------------------------------------

CSV_FIELDS = RECORD_FIELDS
# A cell starting with one of these is a formula to Excel, LibreOffice and Google
# Sheets (OWASP "CSV injection"): article text is data, so such cells get a leading
# apostrophe, which spreadsheets show as "treat as text".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_row(record: dict) -> list:
    row = dict(record)
    row["links"] = _ENCODE(record["links"]) if record["links"] else ""
    row["cluster"] = record["cluster"] or ""
    return [csv_cell(row[name]) for name in CSV_FIELDS]


# -- writers ------------------------------------------------------------------


WRITE_BATCH = 512  # lines joined per write() call


def write_lines(records: Iterable[dict], stream: IO[str]) -> int:
    """One JSON object per line."""
    return write_encoded((_ENCODE(record) + "\n" for record in records), stream)


def write_encoded(lines: Iterable[str], stream: IO[str]) -> int:
    """Ready-made lines, joined in batches: fewer, larger writes."""
    count = 0
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == WRITE_BATCH:
            stream.write("".join(batch))
            count += len(batch)
            batch.clear()
    stream.write("".join(batch))
    return count + len(batch)


def write_csv(records: Iterable[dict], stream: IO[str]) -> int:
    """UTF-8 with a byte-order mark (so Excel reads it as UTF-8), CRLF rows (RFC 4180)."""
    stream.write("\ufeff")
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    count = 0
    for record in records:
        writer.writerow(csv_row(record))
        count += 1
    return count


BRAT_CONF = """# Written by `sidenote export --format brat`.
[entities]
claim
quote
proposal

[relations]

[events]

[attributes]
"""

_LINE_BREAKS = re.compile(r"[^\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")


def brat_fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A span as brat fragments: brat text-bound annotations cannot cross a line break,
    so a span over several lines becomes a discontinuous annotation `a b;c d`."""
    return [(start + m.start(), start + m.end()) for m in _LINE_BREAKS.finditer(text[start:end])]


def _one_line(value: str) -> str:
    return " ".join(value.splitlines())


def brat_ann(document_text: str, annotations: Iterable[tuple]) -> Iterator[str]:
    """The lines of a `.ann` file for (id, start, end, label, note, speaker) tuples."""
    t = 0
    for _ann_id, start, end, label, note, speaker in annotations:
        fragments = brat_fragments(document_text, start, end)
        if not fragments:
            continue  # a span of line breaks only has nothing brat can show
        t += 1
        offsets = ";".join(f"{a} {b}" for a, b in fragments)
        shown = " ".join(document_text[a:b] for a, b in fragments)
        yield f"T{t}\t{label} {offsets}\t{shown}\n"
        comment = _one_line(note)
        if speaker:
            comment = f"{comment} (speaker: {_one_line(speaker)})".strip()
        if comment:
            yield f"#{t}\tAnnotatorNotes T{t}\t{comment}\n"


def write_brat(
    store: Store, folder: Path, *, label: str | None = None, doc: str | None = None
) -> int:
    """Fill an empty folder with DOC.txt / DOC.ann per article and annotation.conf."""
    flt = ExportFilter(label, doc)
    count = 0
    with _snapshot(store):
        (folder / "annotation.conf").write_text(BRAT_CONF, encoding="utf-8")
        for doc_id, _title, _source, _url in list_or_iter(_document_rows(store, flt)):
            text = store.db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()[
                0
            ]
            name = _safe_file_name(doc_id)
            # newline="": the .txt must hold exactly the stored text (brat counts code
            # points of the file; a CRLF translation would shift every offset).
            with open(folder / f"{name}.txt", "w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            rows = (
                (r[0], r[1], r[2], r[3], r[7], r[8])
                for r in _annotations_of(store, doc_id, flt.label)
            )
            with open(folder / f"{name}.ann", "w", encoding="utf-8", newline="") as handle:
                for line in brat_ann(text, rows):
                    if line.startswith("T"):
                        count += 1
                    handle.write(line)
    return count


def _safe_file_name(doc_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", doc_id) or "_"


# -- entry points -------------------------------------------------------------

RecordSource = Callable[..., Iterator[dict]]
_SOURCES: dict[str, RecordSource] = {
    "jsonl": annotation_records,
    "documents": document_records,
    "w3c": w3c_records,
    "csv": annotation_records,
}


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise InputError("--format", f"unknown format {fmt!r} (use {', '.join(FORMATS)})")


def _check_doc(store: Store, doc: str | None) -> str | None:
    return None if doc is None else store.find_document(doc).id


def export_to_stream(
    store: Store, fmt: str, stream: IO[str], *, label: str | None = None, doc: str | None = None
) -> int:
    """Write a line format to an open text stream; returns how many records."""
    _check_format(fmt)
    if fmt == "brat":
        raise InputError("--format brat", "writes a folder: give one with -o FOLDER")
    ExportFilter(label)
    doc = _check_doc(store, doc)
    # closing(): a failed write (a full disk, a closed pipe) ends the read snapshot now.
    if fmt == "jsonl":
        with contextlib.closing(jsonl_lines(store, label=label, doc=doc)) as lines:
            return write_encoded(lines, stream)
    with contextlib.closing(_SOURCES[fmt](store, label=label, doc=doc)) as records:
        if fmt == "csv":
            return write_csv(records, stream)
        return write_lines(records, stream)


def export_to_path(
    store: Store,
    fmt: str,
    path: str | Path,
    *,
    label: str | None = None,
    doc: str | None = None,
    force: bool = False,
) -> int:
    """Export to a file (or, for brat, a folder) that appears whole or not at all.

    The target is checked by `output_target`: never the database or its files, a
    device, a pipe or a socket; an existing file only with `force`.
    Returns the number of annotations (for `documents`: of articles) written.
    """
    _check_format(fmt)
    ExportFilter(label)
    doc = _check_doc(store, doc)
    if fmt == "brat":
        with output_folder(path, database=store.path) as folder:
            return write_brat(store, folder, label=label, doc=doc)
    # newline="": CSV rows end in CRLF by design, JSON lines in LF, on every platform.
    with output_file(path, database=store.path, force=force) as handle:
        return export_to_stream(store, fmt, handle, label=label, doc=doc)
