"""Metadata for opening a Sidenote database in Datasette (0.65, the stable line).

`datasette_metadata(store)` describes every table, view and column a person reads,
hides the bookkeeping (undo stacks, search indexes, reading positions, vectors,
full-text shadow tables), names the full-text index Datasette's search box should
use, and adds canned queries. It is built from the database's own schema, so it
lists what this database holds and nothing else.

    sidenote datasette-metadata -o metadata.json
    datasette corpus.db -m metadata.json

Datasette 0.65 takes descriptions, hidden tables and canned queries from one file
(`-m`); its 1.0 alphas split some of these into a separate configuration file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO

from ..db.connection import Store
from ..files.writing import output_file

UNITS = (
    "Offsets (start, end, a_start, ...) count Unicode code points of documents.text, "
    "end exclusive: the span is substr(documents.text, start + 1, end - start), "
    "since SQLite's substr counts code points too."
)

# Tables a reader of the data has no use for: how Sidenote keeps its own state.
BOOKKEEPING = {
    "_sqlite_migrations": "schema steps applied",
    "sqlite_sequence": "SQLite's AUTOINCREMENT counters",
    "settings": "the app's settings",
    "positions": "where the reader left each article",
    "history": "the undo and redo stacks",
    "link_texts": "both sides' text of every link, for full-text search",
    "search_vocab": "the words typo correction chooses from",
    "search_vocab_state": "how far the vocabulary has been filled",
    "sentence_vectors": "sentence embeddings of the meaning stage",
    "review_marks": "what the review queue showed and when",
    "done_marks": "articles the reader marked done",
    "trigram_pending": "rows waiting for the trigram search indexes",
}

_SPAN = "code point offset in the article's text"
_TIME = "ISO 8601, UTC"

DESCRIBED: dict[str, tuple[str, dict[str, str]]] = {
    "documents": (
        "The articles, one row per version of a text. The id is derived from the "
        "normalised text, so the same article imported twice is one row.",
        {
            "id": "the article's id (`sidenote docs`, `sidenote show ID`)",
            "title": "the title the page or file gave",
            "source": "the outlet (called outlet in the views); '' when the page named none",
            "url": "the page's address, when known",
            "published": "the date as the page gave it, not normalised ('' when none)",
            "text": "the stored text: every offset counts code points of it",
            "sha256": "SHA-256 of the stored text",
            "origin": "JSON: the file or page it was imported from",
            "imported_at": _TIME,
        },
    ),
    "sentences": (
        "Sentence spans of each article (what linking compares).",
        {
            "doc_id": "the article",
            "idx": "the sentence's number in the article, from 0",
            "start": _SPAN,
            "end": _SPAN + ", exclusive",
        },
    ),
    "annotations": (
        "Spans a reader tagged as a claim, a quote or a proposal.",
        {
            "id": "the annotation's id",
            "doc_id": "the article",
            "start": _SPAN,
            "end": _SPAN + ", exclusive",
            "label": "claim, quote or proposal",
            "text": "the span's text, exactly the article's text from start to end",
            "prefix": "text just before the span (to re-anchor it on a changed article)",
            "suffix": "text just after the span",
            "note": "the reader's note",
            "speaker": "who said it (quotes)",
            "annotator": "who tagged it",
            "created_at": _TIME,
            "updated_at": _TIME,
        },
    ),
    "events": (
        "Every change to annotations, links and articles, in order; never changed or "
        "deleted (the audit log behind `sidenote history`).",
        {
            "seq": "order of the change",
            "at": _TIME,
            "group_id": "the change (one undo step) this event belongs to",
            "action": "create, update or delete",
            "entity": "annotation, link, document ...",
            "entity_id": "the id of what changed",
            "doc_id": "the article concerned, when there is one",
            "before": "JSON: the row before the change (null for create)",
            "after": "JSON: the row after the change (null for delete)",
            "actor": "who made it",
            "origin": "user, import, linking ...",
        },
    ),
    "links": (
        "Pairs of places that carry the same statement, found by `sidenote link` and "
        "judged by readers. Each side is a span of an article, with the annotation "
        "there if any.",
        {
            "id": "the link's id",
            "pair_key": "the two places, as a key that makes a pair unique",
            "a_doc_id": "side A: the article",
            "a_start": "side A: " + _SPAN,
            "a_end": "side A: " + _SPAN + ", exclusive",
            "a_annotation_id": "side A: the annotation there, if any",
            "b_doc_id": "side B: the article",
            "b_start": "side B: " + _SPAN,
            "b_end": "side B: " + _SPAN + ", exclusive",
            "b_annotation_id": "side B: the annotation there, if any",
            "a_match_start": "side A: where the matched part starts (null: the whole side)",
            "a_match_end": "side A: where the matched part ends, exclusive",
            "b_match_start": "side B: where the matched part starts (null: the whole side)",
            "b_match_end": "side B: where the matched part ends, exclusive",
            "score": "similarity, 0 to 100",
            "method": "exact, trimmed, reworded, passage or reworded-meaning",
            "status": "suggested, confirmed or rejected (a reader's verdict)",
            "cluster": "the statement this link belongs to ('' for none)",
            "created_at": _TIME,
            "updated_at": _TIME,
        },
    ),
    "review": (
        "Annotations that could not be placed safely on a changed article, waiting "
        "for a reader (`sidenote review`).",
        {
            "id": "the annotation's id",
            "doc_id": "the article's new version",
            "record": "JSON: the annotation as it was",
            "reason": "why it could not be placed",
            "best_start": "the best candidate place: " + _SPAN,
            "best_end": "the best candidate place: " + _SPAN + ", exclusive",
            "best_score": "how closely that place matches, 0 to 100",
            "created_at": _TIME,
            "resolved_at": _TIME + "; null while waiting",
        },
    ),
    "annotations_with_articles": (
        "Each annotation with its article's outlet, title, date and address.",
        {
            "id": "the annotation's id",
            "label": "claim, quote or proposal",
            "text": "the annotated span",
            "speaker": "who said it (quotes)",
            "outlet": "the article's outlet",
            "title": "the article's title",
            "published": "the date as the page gave it",
            "url": "the page's address",
            "note": "the reader's note",
            "annotator": "who tagged it",
            "doc_id": "the article",
            "start": _SPAN,
            "end": _SPAN + ", exclusive",
            "created_at": _TIME,
            "updated_at": _TIME,
        },
    ),
    "statement_places": (
        "Each place a statement (a cluster of links) is carried: one row per span.",
        {
            "statement": "the statement's id (links.cluster)",
            "doc_id": "the article",
            "start": _SPAN,
            "end": _SPAN + ", exclusive",
            "text": "the wording at this place",
            "outlet": "the article's outlet",
            "title": "the article's title",
            "published": "the date as the page gave it",
            "url": "the page's address",
            "status": "the best verdict of the links reaching this place "
            "(confirmed, suggested, rejected)",
        },
    ),
    "statements": (
        "One row per statement: its wording, how many outlets carried it, and every "
        "place. Places reached only by rejected links are left out.",
        {
            "statement": "the statement's id (links.cluster)",
            "text": "its wording at one place (a confirmed one when there is one)",
            "status": "confirmed when any place is confirmed, else suggested",
            "outlets": "outlets that carried it (by name, ASCII case folded; an article "
            "without an outlet counts as one)",
            "outlet_names": "JSON list of the outlets' names",
            "articles": "articles that carried it",
            "places": "places that carry it",
            "members": "JSON list of the places: doc_id, start, end, text, outlet, title, "
            "published, url, status",
        },
    ),
}

# Which full-text index Datasette's search box uses on a table.
FTS_TABLES = {"documents": "documents_fts", "annotations": "annotations_fts"}
LABEL_COLUMNS = {"documents": "title"}

QUERIES = {
    "statements_by_outlets": {
        "title": "Statements carried by the most outlets",
        "description": "Each statement with its outlets, the most widely carried first.",
        "sql": (
            "SELECT statement, outlets, articles, outlet_names, text, status\n"
            "FROM statements\n"
            "ORDER BY outlets DESC, articles DESC, statement"
        ),
    },
    "quotes_by_speaker": {
        "title": "Quotes by speaker",
        "description": "Every quote with its speaker and article, speaker by speaker; "
        "give a speaker (any case) to see only theirs.",
        "sql": (
            "SELECT speaker, text, outlet, title, published, url, doc_id, start, \"end\"\n"
            "FROM annotations_with_articles\n"
            "WHERE label = 'quote' AND (:speaker = '' OR speaker = :speaker COLLATE NOCASE)\n"
            "ORDER BY speaker = '', speaker COLLATE NOCASE, outlet, start"
        ),
    },
}


def _schema(store: Store) -> tuple[dict[str, list[str]], set[str]]:
    """Every table and view with its columns; and the full-text virtual tables."""
    objects = store.db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name"
    ).fetchall()
    virtual = {name for name, sql in objects if (sql or "").upper().startswith("CREATE VIRTUAL")}
    columns = {
        name: [row[1] for row in store.db.execute(f'PRAGMA table_info("{name}")')]
        for name, _ in objects
    }
    return columns, virtual


def hidden(name: str, virtual: set[str]) -> bool:
    """Bookkeeping, a full-text index, or one of an index's shadow tables."""
    return name in BOOKKEEPING or any(name == v or name.startswith(v + "_") for v in virtual)


def datasette_metadata(store: Store, name: str | None = None) -> dict:
    """Datasette metadata for this database (0.65's `-m metadata.json`).

    `name` is the database's name in Datasette: the file name without its last
    suffix (`corpus.db` is `corpus`), which is what Datasette chooses for a file.
    """
    name = name or Path(store.path or "sidenote").stem
    columns, virtual = _schema(store)
    tables: dict[str, dict] = {}
    for table, names in columns.items():
        if hidden(table, virtual):
            tables[table] = {"hidden": True}
            continue
        description, described = DESCRIBED.get(table, ("", {}))
        entry: dict = {
            "description": description,
            "columns": {column: described.get(column, "") for column in names},
        }
        if table in FTS_TABLES and FTS_TABLES[table] in columns:
            entry["fts_table"] = FTS_TABLES[table]
        if table in LABEL_COLUMNS:
            entry["label_column"] = LABEL_COLUMNS[table]
        tables[table] = entry
    return {
        "title": "Sidenote annotations",
        "description": (
            "Articles, the statements readers annotated in them, and the links between "
            "the places that carry the same statement. " + UNITS
        ),
        "databases": {
            name: {
                "description": UNITS,
                "tables": tables,
                "queries": {key: dict(query) for key, query in QUERIES.items()},
            }
        },
    }


def write_datasette_metadata(
    store: Store, stream: IO[str], name: str | None = None
) -> None:
    """The metadata as indented JSON (UTF-8, keys in a stable order)."""
    json.dump(datasette_metadata(store, name), stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def datasette_metadata_to_path(
    store: Store, path: str | Path, *, name: str | None = None, force: bool = False
) -> None:
    """Write the metadata to a file, whole or not at all (never over the database)."""
    with output_file(path, database=store.path, force=force) as handle:
        write_datasette_metadata(store, handle, name)
