"""Adding documents and their sentences to the store.

A document's id is derived from its normalised text, so the same article imported
twice, or on two machines, gets the same id and re-importing adds nothing.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field

from sqlite_utils import Database

from .db.connection import utc_now
from .importing.sentences import split_sentences


def normalise_for_identity(text: str) -> str:
    """Comparison form of a text: NFKC, case-folded, white space collapsed.

    Only used to derive ids and match texts; the stored text is never normalised.
    """
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def document_id(text: str) -> str:
    digest = hashlib.sha256(normalise_for_identity(text).encode("utf-8")).hexdigest()
    return digest[:16]


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass
class NewDocument:
    """A cleaned article ready to store."""

    text: str
    title: str = ""
    source: str = ""
    url: str = ""
    published: str = ""
    origin: dict = field(default_factory=dict)


@dataclass(frozen=True)
class PreparedDocument:
    """A document with everything computed that does not need the database."""

    new: NewDocument
    id: str
    sha256: str
    sentences: list[tuple[int, int]]


def prepare_document(new: NewDocument) -> PreparedDocument:
    """The CPU-bound part of adding a document (pure: safe to run in another process)."""
    return PreparedDocument(
        new, document_id(new.text), sha256_text(new.text), split_sentences(new.text)
    )


def add_document(db: Database, new: NewDocument | PreparedDocument) -> tuple[str, bool]:
    """Insert a document and its sentences; returns (id, whether it was new).

    Call inside a transaction (`store.transaction()`): the caller decides what
    lands together.
    """
    prepared = new if isinstance(new, PreparedDocument) else prepare_document(new)
    doc = prepared.new
    if db.execute("SELECT 1 FROM documents WHERE id = ?", [prepared.id]).fetchone():
        return prepared.id, False
    db.execute(
        "INSERT INTO documents (id, title, source, url, published, text, sha256, origin, "
        "imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            prepared.id,
            doc.title,
            doc.source,
            doc.url,
            doc.published,
            doc.text,
            prepared.sha256,
            json.dumps(doc.origin, ensure_ascii=False),
            utc_now(),
        ],
    )
    db.conn.executemany(
        'INSERT INTO sentences (doc_id, idx, start, "end") VALUES (?, ?, ?, ?)',
        [(prepared.id, idx, start, end) for idx, (start, end) in enumerate(prepared.sentences)],
    )
    return prepared.id, True
