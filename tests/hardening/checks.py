"""What must hold of a Sidenote database at every moment, checked from outside.

`assert_consistent(path)` opens the file with plain `sqlite3` (no migrations, no
Sidenote code in the way) and checks everything a crash or a race could break.
`snapshot(path)` returns the state the crash and concurrency tests compare with
what the writers reported as saved.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from store.documents import document_id, sha256_text
from store.sentences import split_sentences
from store.text import context, span_problem

FTS_TABLES = ("documents_fts", "annotations_fts", "link_texts_fts")

# An annotation's state as the tests track it: (doc_id, start, end, label, note).
AnnotationState = tuple[str, int, int, str, str]


@dataclass(frozen=True)
class Snapshot:
    documents: frozenset[str]
    annotations: dict[str, AnnotationState]

    def state(self, key: str) -> object:
        """The state of "document:<id>" (True/False) or "annotation:<id>" (tuple/None)."""
        kind, _, ident = key.partition(":")
        if kind == "document":
            return ident in self.documents
        return self.annotations.get(ident)


def connect(path: str | Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), timeout=30)
    conn.row_factory = sqlite3.Row
    return conn


def snapshot(path: str | Path) -> Snapshot:
    with contextlib.closing(connect(path)) as conn:
        documents = frozenset(r[0] for r in conn.execute("SELECT id FROM documents"))
        annotations = {
            r["id"]: (r["doc_id"], r["start"], r["end"], r["label"], r["note"])
            for r in conn.execute('SELECT id, doc_id, start, "end", label, note FROM annotations')
        }
    return Snapshot(documents, annotations)


def assert_consistent(path: str | Path) -> Snapshot:
    """Fail with a precise message if anything in the database is inconsistent."""
    with contextlib.closing(connect(path)) as conn:
        assert [tuple(r) for r in conn.execute("PRAGMA integrity_check")] == [("ok",)]
        assert list(conn.execute("PRAGMA foreign_key_check")) == []
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for fts in FTS_TABLES:
            if fts in tables:
                # FTS5's own check that the index matches the table it indexes.
                conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")
        texts = _check_documents(conn)
        _check_annotations(conn, texts)
        _check_event_log(conn)
    return snapshot(path)


def _check_documents(conn: sqlite3.Connection) -> dict[str, str]:
    texts: dict[str, str] = {}
    sentences: dict[str, list[tuple[int, int]]] = {}
    for doc_id, idx, start, end in conn.execute(
        'SELECT doc_id, idx, start, "end" FROM sentences ORDER BY doc_id, idx'
    ):
        spans = sentences.setdefault(doc_id, [])
        assert idx == len(spans), f"document {doc_id}: sentence numbers have a gap at {idx}"
        spans.append((start, end))
    for row in conn.execute("SELECT id, text, sha256 FROM documents"):
        doc_id, text = row["id"], row["text"]
        assert doc_id == document_id(text), f"document {doc_id}: id does not match its text"
        assert row["sha256"] == sha256_text(text), f"document {doc_id}: sha256 is stale"
        # Every document has exactly the sentences its text splits into: a document
        # stored without (some of) its sentences would fail here.
        assert sentences.get(doc_id, []) == split_sentences(text), (
            f"document {doc_id}: stored sentences do not match its text"
        )
        texts[doc_id] = text
    orphans = set(sentences) - set(texts)
    assert not orphans, f"sentences of missing documents: {sorted(orphans)[:3]}"
    return texts


def _check_annotations(conn: sqlite3.Connection, texts: dict[str, str]) -> None:
    for row in conn.execute("SELECT * FROM annotations"):
        text = texts[row["doc_id"]]
        start, end = row["start"], row["end"]
        where = f"annotation {row['id']}"
        assert span_problem(text, start, end) is None, f"{where}: {span_problem(text, start, end)}"
        assert row["text"] == text[start:end], f"{where}: text != document[start:end]"
        assert (row["prefix"], row["suffix"]) == context(text, start, end), f"{where}: context"


def _check_event_log(conn: sqlite3.Connection) -> None:
    """The log holds enough to restore: each annotation is what its last event says."""
    last: dict[str, str | None] = {}
    for entity_id, after in conn.execute(
        "SELECT entity_id, after FROM events WHERE entity = 'annotation' ORDER BY seq"
    ):
        last[entity_id] = after
    present = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM annotations")}
    for annotation_id, row in present.items():
        assert annotation_id in last, f"annotation {annotation_id} was never logged"
        assert json.loads(last[annotation_id] or "null") == row, (
            f"annotation {annotation_id} differs from its last logged state"
        )
    for annotation_id, after in last.items():
        if annotation_id not in present:
            assert after is None, f"annotation {annotation_id} vanished without a logged delete"
    groups = {r[0] for r in conn.execute("SELECT group_id FROM history")}
    logged = {r[0] for r in conn.execute("SELECT DISTINCT group_id FROM events")}
    assert groups <= logged, "an undo step has no events"


def dump(path: str | Path) -> str:
    """Every row of every table, as one digestible text: for "nothing changed" checks."""
    with contextlib.closing(sqlite3.connect(str(path))) as conn:
        return "\n".join(conn.iterdump())


def digest(path: str | Path) -> str:
    return hashlib.sha256(dump(path).encode("utf-8", "surrogatepass")).hexdigest()
