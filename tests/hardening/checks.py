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

import regex

from store.documents import document_id, sha256_text
from store.importing.sentences import split_sentences
from store.text import context

FTS_TABLES = ("documents_fts", "annotations_fts", "link_texts_fts")
_GRAPHEME = regex.compile(r"\X", regex.DOTALL)

# An annotation's state as the tests track it: (doc_id, start, end, label, note).
AnnotationState = tuple[str, int, int, str, str]


# A link's state: (status, a_annotation_id, b_annotation_id).
LinkState = tuple[str, str | None, str | None]


@dataclass(frozen=True)
class Snapshot:
    documents: frozenset[str]
    annotations: dict[str, AnnotationState]
    links: dict[str, LinkState]
    # Annotations that re-anchoring could not place: their rows in `review`.
    review: frozenset[str] = frozenset()

    def state(self, key: str) -> object:
        """The state of "document:<id>" or "review:<id>" (True/False), "annotation:<id>"
        or "link:<id>" (a tuple, or None when absent)."""
        kind, _, ident = key.partition(":")
        if kind == "document":
            return ident in self.documents
        if kind == "review":
            return ident in self.review
        return (self.annotations if kind == "annotation" else self.links).get(ident)

    def keys(self) -> set[str]:
        return (
            {f"document:{d}" for d in self.documents}
            | {f"annotation:{a}" for a in self.annotations}
            | {f"link:{k}" for k in self.links}
            | {f"review:{r}" for r in self.review}
        )

    def changes_to(self, later: Snapshot) -> dict[str, object]:
        """Each key whose state differs in `later`, with its state there (as JSON has it)."""
        changed = {}
        for key in sorted(self.keys() | later.keys()):
            value = later.state(key)
            if value != self.state(key):
                changed[key] = list(value) if isinstance(value, tuple) else value
        return changed


def connect(path: str | Path) -> sqlite3.Connection:
    return sqlite3.connect(str(path), timeout=30)


@contextlib.contextmanager
def _opened(target: str | Path | sqlite3.Connection):
    if isinstance(target, sqlite3.Connection):
        yield target  # an open store's connection (e.g. in memory): left open
    else:
        with contextlib.closing(connect(target)) as conn:
            yield conn


def snapshot(target: str | Path | sqlite3.Connection) -> Snapshot:
    with _opened(target) as conn:
        documents = frozenset(r[0] for r in conn.execute("SELECT id FROM documents"))
        annotations = {
            r[0]: tuple(r[1:])
            for r in conn.execute('SELECT id, doc_id, start, "end", label, note FROM annotations')
        }
        links = {
            r[0]: tuple(r[1:])
            for r in conn.execute("SELECT id, status, a_annotation_id, b_annotation_id FROM links")
        }
        review = frozenset(r[0] for r in conn.execute("SELECT id FROM review"))
    return Snapshot(documents, annotations, links, review)


def assert_consistent(target: str | Path | sqlite3.Connection) -> Snapshot:
    """Fail with a precise message if anything in the database is inconsistent.

    `target` is a database file (opened afresh, as after a crash) or the
    connection of an open store (`store.db.conn`, e.g. an in-memory one).
    """
    with _opened(target) as conn:
        assert [tuple(r) for r in conn.execute("PRAGMA integrity_check")] == [("ok",)]
        assert list(conn.execute("PRAGMA foreign_key_check")) == []
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        for fts in FTS_TABLES:
            if fts in tables:
                # FTS5's own check that the index matches the table it indexes.
                conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('integrity-check')")
        texts = _check_documents(conn)
        _check_annotations(conn, texts)
        _check_links(conn, texts, "link_texts" in tables)
        _check_event_log(conn)
    return snapshot(target)


_EXPECTED: dict[str, tuple[str, list[tuple[int, int]]]] = {}
_BOUNDS: dict[str, frozenset[int]] = {}


def _expected_for_text(text_sha: str, text: str) -> tuple[str, list[tuple[int, int]]]:
    """A text's id and sentences, computed once per distinct text (the crash test
    checks the same documents hundreds of times)."""
    if text_sha not in _EXPECTED:
        _EXPECTED[text_sha] = (document_id(text), split_sentences(text))
    return _EXPECTED[text_sha]


def _grapheme_bounds(text_sha: str, text: str) -> frozenset[int]:
    """Grapheme boundaries by a whole-text \\X scan, independently of store.text."""
    if text_sha not in _BOUNDS:
        _BOUNDS[text_sha] = frozenset(m.start() for m in _GRAPHEME.finditer(text)) | {len(text)}
    return _BOUNDS[text_sha]


def _check_documents(conn: sqlite3.Connection) -> dict[str, tuple[str, str]]:
    texts: dict[str, tuple[str, str]] = {}
    sentences: dict[str, list[tuple[int, int]]] = {}
    for doc_id, idx, start, end in conn.execute(
        'SELECT doc_id, idx, start, "end" FROM sentences ORDER BY doc_id, idx'
    ):
        spans = sentences.setdefault(doc_id, [])
        assert idx == len(spans), f"document {doc_id}: sentence numbers have a gap at {idx}"
        spans.append((start, end))
    for doc_id, text, sha256 in conn.execute("SELECT id, text, sha256 FROM documents"):
        assert sha256 == sha256_text(text), f"document {doc_id}: sha256 is stale"
        expected_id, expected_sentences = _expected_for_text(sha256, text)
        assert doc_id == expected_id, f"document {doc_id}: id does not match its text"
        # Every document has exactly the sentences its text splits into: a document
        # stored without (some of) its sentences would fail here.
        assert sentences.get(doc_id, []) == expected_sentences, (
            f"document {doc_id}: stored sentences do not match its text"
        )
        texts[doc_id] = (text, sha256)
    orphans = set(sentences) - set(texts)
    assert not orphans, f"sentences of missing documents: {sorted(orphans)[:3]}"
    return texts


def _check_annotations(conn: sqlite3.Connection, texts: dict[str, tuple[str, str]]) -> None:
    for annotation_id, doc_id, start, end, quote, prefix, suffix in conn.execute(
        'SELECT id, doc_id, start, "end", text, prefix, suffix FROM annotations'
    ):
        text, sha256 = texts[doc_id]
        bounds = _grapheme_bounds(sha256, text)
        where = f"annotation {annotation_id}"
        assert 0 <= start < end <= len(text), f"{where}: span {start}:{end} out of range"
        assert start in bounds and end in bounds, f"{where}: {start}:{end} splits a character"
        assert quote == text[start:end], f"{where}: text != document[start:end]"
        assert (prefix, suffix) == context(text, start, end), f"{where}: context"


def _check_links(
    conn: sqlite3.Connection, texts: dict[str, tuple[str, str]], with_texts: bool
) -> None:
    """Both sides of a link lie in their documents (two different ones), and an
    annotation a side names is on that side's document."""
    annotation_docs = dict(conn.execute("SELECT id, doc_id FROM annotations"))
    stored_texts = (
        {
            r[0]: (r[1], r[2])
            for r in conn.execute("SELECT link_rowid, a_text, b_text FROM link_texts")
        }
        if with_texts
        else {}
    )
    for row in conn.execute(
        "SELECT id, rowid, a_doc_id, a_start, a_end, a_annotation_id, "
        "b_doc_id, b_start, b_end, b_annotation_id FROM links"
    ):
        link_id, rowid, *sides = row
        assert sides[0] != sides[4], f"link {link_id} joins a document to itself"
        slices = []
        for doc_id, start, end, annotation_id in (sides[:4], sides[4:]):
            text = texts[doc_id][0]
            assert 0 <= start < end <= len(text), f"link {link_id}: side {start}:{end} out of range"
            if annotation_id is not None:
                assert annotation_docs.get(annotation_id) == doc_id, (
                    f"link {link_id} names annotation {annotation_id} of another document"
                )
            slices.append(text[start:end])
        if with_texts:
            assert stored_texts.get(rowid) == tuple(slices), f"link {link_id}: link_texts is stale"


def _check_event_log(conn: sqlite3.Connection) -> None:
    """The log holds enough to restore: each annotation is what its last event says."""
    last = dict(
        conn.execute(
            "SELECT entity_id, after FROM events WHERE seq IN ("
            "  SELECT max(seq) FROM events WHERE entity = 'annotation' GROUP BY entity_id)"
        )
    )
    cursor = conn.execute("SELECT * FROM annotations")
    columns = [c[0] for c in cursor.description]
    present = {row["id"]: row for row in (dict(zip(columns, r, strict=True)) for r in cursor)}
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
