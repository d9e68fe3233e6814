"""Deleting an article, and everything that hangs on it, as one undoable change.

Deleting an article takes its annotations and links with it, so it is the one
action that can destroy a lot of work at once. It therefore goes through the event
log like any edit: links, then annotations, then the document (with its sentences
and reading position) are logged in one change group, so `undo` brings back the
article, its sentences and its annotations exactly, in the reverse order.
Callers ask first (`deletion_summary`) and confirm with the user when
`summary.annotations` is not zero.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import link_table
from .db.connection import Store
from .history import change_group


@dataclass(frozen=True)
class DeletionSummary:
    """What deleting an article removes (or removed)."""

    doc_id: str
    title: str
    sentences: int
    annotations: int
    links: int

    @property
    def description(self) -> str:
        """The change's name in `sidenote history` and in undo messages."""
        count = f"{self.annotations} annotation{'s' if self.annotations != 1 else ''}"
        return f'delete article "{self.title}" ({count})'


def deletion_summary(store: Store, doc_id: str) -> DeletionSummary:
    """What `delete_document` would remove: show it before asking for confirmation."""
    document = store.document(doc_id)
    return _summary(store, document.id, document.title)


def _summary(store: Store, doc_id: str, title: str) -> DeletionSummary:
    row = store.db.execute(
        "SELECT (SELECT count(*) FROM sentences WHERE doc_id = :d), "
        "(SELECT count(*) FROM annotations WHERE doc_id = :d)",
        {"d": doc_id},
    ).fetchone()
    links = link_table.count_touching(store.db, doc_id)
    return DeletionSummary(doc_id, title, row[0], row[1], links)


def delete_document(store: Store, doc_id: str) -> DeletionSummary:
    """Delete an article with its annotations and links: one transaction, one undo."""
    document = store.document(doc_id)
    with store.transaction():
        # Counted inside the transaction that deletes, so the summary is what went.
        summary = _summary(store, document.id, document.title)
        with change_group(store, summary.description) as group:
            db = group.db
            for link_id in link_table.link_ids_touching(db, doc_id):
                group.set_state("link", link_id, None)
            annotations = db.execute(
                'SELECT id FROM annotations WHERE doc_id = ? ORDER BY start, "end", id', [doc_id]
            ).fetchall()
            for (annotation_id,) in annotations:
                group.set_state("annotation", annotation_id, None)
            group.set_state("document", doc_id, None)
    return summary
