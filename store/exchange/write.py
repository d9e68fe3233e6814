"""The writers, one per export format: records (store/exchange/records.py) to text.

Each writer takes the store, its target and an `ExportFilter`, and returns how many
annotations (for `documents`: articles) it wrote. The line formats write to an open
text stream; `brat` fills an empty folder. store/exchange/formats.py lists them.
"""

from __future__ import annotations

import contextlib
import csv
import re
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO
from urllib.parse import quote

from ..db.connection import Store
from .link_records import link_records
from .offsets import Offsets
from .records import (
    ENCODE,
    RECORD_FIELDS,
    ExportFilter,
    annotation_records,
    articles,
    document_records,
    jsonl_lines,
    snapshot,
)

WRITE_BATCH = 512  # lines joined per write() call


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


def write_lines(records: Iterable[dict], stream: IO[str]) -> int:
    """One JSON object per line."""
    return write_encoded((ENCODE(record) + "\n" for record in records), stream)


# closing() in every writer: a failed write (a full disk, a closed pipe) ends the
# read snapshot at once, not whenever the generator is collected.


def write_jsonl(store: Store, stream: IO[str], flt: ExportFilter) -> int:
    """The annotation records, then a record per link (store/exchange/link_records.py),
    read in one snapshot; returns how many annotations."""
    with snapshot(store):
        with contextlib.closing(jsonl_lines(store, label=flt.label, doc=flt.doc_id)) as lines:
            count = write_encoded(lines, stream)
        with contextlib.closing(link_records(store, flt)) as links:
            for record in links:
                stream.write(ENCODE(record) + "\n")
    return count


def write_documents(store: Store, stream: IO[str], flt: ExportFilter) -> int:
    with contextlib.closing(document_records(store, label=flt.label, doc=flt.doc_id)) as records:
        return write_lines(records, stream)


# -- W3C Web Annotation -------------------------------------------------------

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
DOC_IRI_PREFIX = "urn:sidenote:doc:"
ANNOTATION_IRI_PREFIX = "urn:sidenote:annotation:"


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
    """The target's source when the article's address is not known."""
    return DOC_IRI_PREFIX + quote(doc_id, safe="")


def w3c_annotation(record: dict, unit: str = "codepoints", offsets: Offsets | None = None) -> dict:
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
    if record.get("speaker"):
        # Who said the quote: the body names the target's speaker (`identifying`).
        body.append({"type": "TextualBody", "value": record["speaker"], "purpose": "identifying"})
    # The page's address when known, so a client on the page can anchor the
    # annotation (by its quote: the positions count Sidenote's cleaned text).
    url = record["url"]
    source: dict = {
        "id": url if url and _is_absolute_iri(url) else document_iri(record["doc_id"]),
        "type": "Text",
        "format": "text/plain",
    }
    start, end = record["start"], record["end"]
    if offsets is not None:
        start, end = offsets.to_unit(start), offsets.to_unit(end)
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
            {"type": "TextPositionSelector", "start": start, "end": end},
        ],
    }
    if source["id"] != DOC_IRI_PREFIX + quote(record["doc_id"], safe=""):
        # Sidenote's own name of the article, so an import finds it by id too.
        target["scope"] = document_iri(record["doc_id"])
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


def _w3c_annotations(store: Store, flt: ExportFilter) -> Iterator[dict]:
    unit = flt.offsets or "codepoints"
    for article in articles(store, flt):
        offsets = None if unit == "codepoints" else Offsets(article.text, unit)
        for row in article.annotations:
            yield w3c_annotation(article.record(row), unit, offsets)


def write_w3c(store: Store, stream: IO[str], flt: ExportFilter) -> int:
    """One AnnotationCollection whose first (only) page holds every annotation; with
    `lines`, one annotation per line. The collection is streamed: `total` comes last
    (JSON objects have no order)."""
    with contextlib.closing(_w3c_annotations(store, flt)) as annotations:
        if flt.lines:
            return write_lines(annotations, stream)
        stream.write(
            f'{{"@context": {ENCODE([W3C_CONTEXT, LDP_CONTEXT])}, "type": "AnnotationCollection", '
            f'"label": "Sidenote annotations", "first": {{"type": "AnnotationPage", '
            f'"startIndex": 0, "items": ['
        )
        count = 0
        for annotation in annotations:
            del annotation["@context"]  # the collection's context covers its items
            stream.write(("\n" if count == 0 else ",\n") + ENCODE(annotation))
            count += 1
        stream.write(f'\n]}}, "total": {count}}}\n')
        return count


# -- CSV ----------------------------------------------------------------------

# A cell starting with one of these is a formula to Excel, LibreOffice and Google
# Sheets (OWASP "CSV injection"): article text is data, so such cells get a leading
# apostrophe, which spreadsheets show as "treat as text".
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_row(record: dict) -> list:
    """A record as a row of RECORD_FIELDS: `links` as JSON text, nulls as empty cells."""
    row = dict(record)
    row["links"] = ENCODE(record["links"]) if record["links"] else ""
    row["cluster"] = record["cluster"] or ""
    return [csv_cell(row[name]) for name in RECORD_FIELDS]


def write_csv(store: Store, stream: IO[str], flt: ExportFilter) -> int:
    """UTF-8 with a byte-order mark (so Excel reads it as UTF-8), CRLF rows (RFC 4180)."""
    with contextlib.closing(annotation_records(store, label=flt.label, doc=flt.doc_id)) as records:
        stream.write("\ufeff")
        writer = csv.writer(stream, lineterminator="\r\n")
        writer.writerow(RECORD_FIELDS)
        count = 0
        for record in records:
            writer.writerow(csv_row(record))
            count += 1
        return count


# -- brat ---------------------------------------------------------------------

BRAT_VISUAL_CONF = """# Written by `sidenote export --format brat`.
[labels]
claim | Claim
quote | Quote
proposal | Proposal

[drawing]
claim\tbgColor:#ffe08a
quote\tbgColor:#9fd3ff
proposal\tbgColor:#b8f0b0
"""

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


def brat_ann(
    document_text: str, annotations: Iterable[tuple], offsets: Offsets | None = None
) -> Iterator[str]:
    """The lines of a `.ann` file for (id, start, end, label, note, speaker) tuples."""
    unit = offsets.to_unit if offsets is not None else int
    t = 0
    for _ann_id, start, end, label, note, speaker in annotations:
        fragments = brat_fragments(document_text, start, end)
        if not fragments:
            continue  # a span of line breaks only has nothing brat can show
        t += 1
        offsets_text = ";".join(f"{unit(a)} {unit(b)}" for a, b in fragments)
        shown = " ".join(document_text[a:b] for a, b in fragments)
        yield f"T{t}\t{label} {offsets_text}\t{shown}\n"
        comment = _one_line(note)
        if speaker:
            comment = f"{comment} (speaker: {_one_line(speaker)})".strip()
        if comment:
            yield f"#{t}\tAnnotatorNotes T{t}\t{comment}\n"


def write_brat(store: Store, folder: Path, flt: ExportFilter) -> int:
    """Fill an empty folder with DOC.txt / DOC.ann per article and annotation.conf."""
    count = 0
    (folder / "annotation.conf").write_text(BRAT_CONF, encoding="utf-8")
    (folder / "visual.conf").write_text(BRAT_VISUAL_CONF, encoding="utf-8")
    with contextlib.closing(articles(store, flt)) as walk:
        for article in walk:
            name = _safe_file_name(article.id)
            # newline="": the .txt must hold exactly the stored text (brat counts code
            # points of the file; a CRLF translation would shift every offset).
            with open(folder / f"{name}.txt", "w", encoding="utf-8", newline="") as handle:
                handle.write(article.text)
            rows = ((r[0], r[1], r[2], r[3], r[7], r[8]) for r in article.annotations)
            with open(folder / f"{name}.ann", "w", encoding="utf-8", newline="") as handle:
                unit = flt.offsets or "codepoints"
                offsets = None if unit == "codepoints" else Offsets(article.text, unit)
                for line in brat_ann(article.text, rows, offsets):
                    if line.startswith("T"):
                        count += 1
                    handle.write(line)
    return count


def _safe_file_name(doc_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", doc_id) or "_"
