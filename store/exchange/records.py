"""What an export reads: one consistent walk over the database, article by article,
and the one builder of an annotation's `jsonl` record.

Every format is built on `articles()`: the documents to visit, each with its text
and a cursor over its annotations, read in one snapshot, so memory holds one
article at a time however many annotations there are. `Article.record()` is the
record of docs/formats.md (RECORD_FIELDS); `jsonl_lines()` writes the same records
already encoded, the export's hot path (a test holds the two equal byte for byte).
"""

from __future__ import annotations

import bisect
import contextlib
import importlib.resources
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from .. import link_table
from ..db.connection import Store
from ..errors import InputError, NotFound
from ..models import Label

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

SCHEMA_FILE = "annotation_schema.json"


def annotation_schema() -> dict:
    """The JSON Schema of a `jsonl` record, shipped inside the package."""
    schema = importlib.resources.files("store.exchange").joinpath(SCHEMA_FILE)
    return json.loads(schema.read_text("utf-8"))


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
ENCODE = json.JSONEncoder(ensure_ascii=False).encode  # what json.dumps(ensure_ascii=False) gives
_STRING = json.encoder.encode_basestring  # the C string encoder behind ENCODE


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
    offsets: str | None = None  # the unit of offsets (store/exchange/offsets.py); None: the tool's
    lines: bool = False  # w3c: one annotation per line instead of one collection

    def __post_init__(self) -> None:
        if self.label is not None and self.label not in Label.__members__:
            raise InputError(
                "--label", f"unknown label {self.label!r} (use claim, quote or proposal)"
            )


# -- reading, one document at a time ------------------------------------------

# The columns of an annotation row, in the order `Article.annotations` gives them.
_ANNOTATION_COLUMNS = (
    'id, start, "end", label, text, prefix, suffix, note, speaker, annotator, '
    "created_at, updated_at"
)


@dataclass(frozen=True)
class Article:
    """One document's share of an export: its fields, its text, and a cursor over its
    (matching) annotations as rows of `_ANNOTATION_COLUMNS`, in span order."""

    store: Store
    id: str
    title: str
    source: str
    url: str
    text: str
    annotations: Iterator[tuple]

    @cached_property
    def utf16(self) -> Utf16Offsets:
        return Utf16Offsets(self.text)

    @cached_property
    def _links(self) -> tuple[dict[str, list[dict]], dict[str, str]]:
        return _links_of(self.store, self.id)

    @property
    def links(self) -> dict[str, list[dict]]:
        """For each annotation id: the other side of its links (see `_links_of`)."""
        return self._links[0]

    @property
    def clusters(self) -> dict[str, str]:
        """For each annotation id: the cluster of its statement, if it has one."""
        return self._links[1]

    def record(self, row: tuple) -> dict:
        """The `jsonl` record (RECORD_FIELDS) of one of this article's annotation rows."""
        (
            ann_id,
            start,
            end,
            label,
            text,
            prefix,
            suffix,
            note,
            speaker,
            annotator,
            created,
            updated,
        ) = row
        return {
            "id": ann_id,
            "doc_id": self.id,
            "doc_title": self.title,
            "source": self.source,
            "url": self.url,
            "label": label,
            "start": start,
            "end": end,
            "utf16_start": self.utf16(start),
            "utf16_end": self.utf16(end),
            "text": text,
            "prefix": prefix,
            "suffix": suffix,
            "note": note,
            "speaker": speaker,
            "annotator": annotator,
            "created": created,
            "updated": updated,
            "links": self.links.get(ann_id, []),
            "cluster": self.clusters.get(ann_id),
        }


def articles(store: Store, flt: ExportFilter) -> Iterator[Article]:
    """The articles to export, in a stable order, inside one read snapshot.

    An article's annotation cursor is valid until the next article is asked for.
    """
    with snapshot(store):
        # Document rows are few and small; reading them first frees the cursor for
        # the per-document queries that run while we walk them.
        for doc_id, title, source, url in list(_document_rows(store, flt)):
            text = store.db.execute("SELECT text FROM documents WHERE id = ?", [doc_id]).fetchone()
            yield Article(
                store,
                doc_id,
                title,
                source,
                url,
                text[0],
                _annotations_of(store, doc_id, flt.label),
            )


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
def snapshot(store: Store) -> Iterator[None]:
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


# -- records ------------------------------------------------------------------


def annotation_records(
    store: Store, *, label: str | None = None, doc: str | None = None
) -> Iterator[dict]:
    """Every annotation as a `jsonl` record (see RECORD_FIELDS), document by document."""
    for article in articles(store, ExportFilter(label, doc)):
        for row in article.annotations:
            yield article.record(row)


def jsonl_lines(store: Store, *, label: str | None = None, doc: str | None = None) -> Iterator[str]:
    """`annotation_records`, already encoded: the same lines `json.dumps` would give.

    The export's hot path: building a dict per annotation and encoding it
    generically costs more than the rest of the export together, so the known
    record shape is formatted directly, the article's fields encoded once
    (benchmarks/export_bench.py measures it). A field added to `Article.record`
    must be added here too; a test holds the two equal.
    """
    for article in articles(store, ExportFilter(label, doc)):
        links, clusters, utf16 = article.links, article.clusters, article.utf16
        shared = (
            f', "doc_id": {_STRING(article.id)}, "doc_title": {_STRING(article.title)}, '
            f'"source": {_STRING(article.source)}, "url": {_STRING(article.url)}, "label": '
        )
        for (
            ann_id,
            start,
            end,
            label_,
            text,
            prefix,
            suffix,
            note,
            speaker,
            annotator,
            created,
            updated,
        ) in article.annotations:
            linked = links.get(ann_id)
            cluster = clusters.get(ann_id)
            yield (
                f'{{"id": {_STRING(ann_id)}{shared}{_STRING(label_)}, '
                f'"start": {start}, "end": {end}, '
                f'"utf16_start": {utf16(start)}, "utf16_end": {utf16(end)}, '
                f'"text": {_STRING(text)}, '
                f'"prefix": {_STRING(prefix)}, "suffix": {_STRING(suffix)}, '
                f'"note": {_STRING(note)}, '
                f'"speaker": {_STRING(speaker)}, "annotator": {_STRING(annotator)}, '
                f'"created": {_STRING(created)}, "updated": {_STRING(updated)}, '
                f'"links": {ENCODE(linked) if linked else "[]"}, '
                f'"cluster": {"null" if cluster is None else _STRING(cluster)}}}\n'
            )


def annotation_record(store: Store, annotation_id: str) -> dict:
    """One annotation as a `jsonl` record (what `sidenote annotate --json` prints)."""
    annotation = store.annotation(annotation_id)
    for record in annotation_records(store, doc=annotation.doc_id, label=annotation.label.value):
        if record["id"] == annotation_id:
            return record
    raise NotFound(f"no annotation with id {annotation_id!r}")


def document_records(
    store: Store, *, label: str | None = None, doc: str | None = None
) -> Iterator[dict]:
    """Each article with its spans: `{"id","title","source","url","text","spans":[...]}`."""
    for article in articles(store, ExportFilter(label, doc)):
        spans = [
            {"id": row[0], "start": row[1], "end": row[2], "label": row[3]}
            for row in article.annotations
        ]
        yield {
            "id": article.id,
            "title": article.title,
            "source": article.source,
            "url": article.url,
            "text": article.text,
            "spans": spans,
        }
