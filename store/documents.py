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

from .db import utc_now
from .sentences import split_sentences


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


def add_document(db: Database, new: NewDocument) -> tuple[str, bool]:
    """Insert a document and its sentences; returns (id, whether it was new).

    Call inside a transaction (`store.transaction()`): the caller decides what
    lands together.
    """
    doc_id = document_id(new.text)
    if db.execute("SELECT 1 FROM documents WHERE id = ?", [doc_id]).fetchone():
        return doc_id, False
    db.execute(
        "INSERT INTO documents (id, title, source, url, published, text, sha256, origin, "
        "imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            doc_id,
            new.title,
            new.source,
            new.url,
            new.published,
            new.text,
            sha256_text(new.text),
            json.dumps(new.origin, ensure_ascii=False),
            utc_now(),
        ],
    )
    db.conn.executemany(
        'INSERT INTO sentences (doc_id, idx, start, "end") VALUES (?, ?, ?, ?)',
        [(doc_id, idx, start, end) for idx, (start, end) in enumerate(split_sentences(new.text))],
    )
    return doc_id, True
