"""The library as a worklist: each article with what was done on it, in any order.

One row per article with the counts a fact-checker works through (annotations,
confirmed and suggested links), when it was published, how far it was read (from the
reader's saved position) and whether it was marked done. The rows come from one query
and one pass over the links table, so the library stays quick at 10,000 articles;
sorting is here, beside the rows, so the app and a script order them the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from . import link_table
from .db.connection import Store, utc_now
from .errors import NotFound
from .importing.dates import order_key


@dataclass(frozen=True)
class WorkItem:
    """An article as the library lists it: everything but its text."""

    id: str
    title: str
    source: str
    url: str
    published: str  # as the page gave it ('22 minutes ago', '2025-08-17'); '' if not
    chars: int
    sentences: int
    annotations: int
    confirmed: int  # links accepted by a person
    suggested: int  # links found by the matcher, not yet judged
    position: int | None  # the sentence the reader was last on; None if never opened
    done: bool

    @property
    def read(self) -> int | None:
        """Percent read, as the reader's status line counts it; None if never opened."""
        if self.position is None or not self.sentences:
            return None
        return min(100, (self.position + 1) * 100 // self.sentences)


# Column name -> sort key. Text sorts case-insensitively; an article never opened
# sorts below one opened at its first sentence, and done above any percentage.
SORT_KEYS: dict[str, Callable[[WorkItem], object]] = {
    "read": lambda item: (item.done, -1 if item.read is None else item.read),
    "annotations": lambda item: item.annotations,
    "confirmed": lambda item: item.confirmed,
    "suggested": lambda item: item.suggested,
    "length": lambda item: item.chars,
    "published": lambda item: order_key(item.published),
    "outlet": lambda item: item.source.casefold(),
    "title": lambda item: item.title.casefold(),
}
WORKLIST_SORTS: tuple[str, ...] = ("imported", *SORT_KEYS)  # in the library's column order


def work_items(store: Store) -> list[WorkItem]:
    """Every article with its counts, progress and done mark, in import order."""
    sql = """
        SELECT d.id, d.title, d.source, d.url, d.published, length(d.text) AS chars,
               coalesce(s.n, 0) AS sentences, coalesce(a.n, 0) AS annotations,
               p.sentence AS position, m.doc_id IS NOT NULL AS done
        FROM documents d
        LEFT JOIN (SELECT doc_id, count(*) AS n FROM sentences GROUP BY doc_id) s
               ON s.doc_id = d.id
        LEFT JOIN (SELECT doc_id, count(*) AS n FROM annotations GROUP BY doc_id) a
               ON a.doc_id = d.id
        LEFT JOIN positions p ON p.doc_id = d.id
        LEFT JOIN done_marks m ON m.doc_id = d.id
        ORDER BY d.rowid
    """
    links = link_table.status_counts_by_document(store.db)
    items = []
    for row in store.db.query(sql):
        counts = links.get(row["id"], {})
        items.append(WorkItem(
            **{**row, "done": bool(row["done"])},
            confirmed=counts.get("confirmed", 0),
            suggested=counts.get("suggested", 0),
        ))
    return items


def sort_worklist(
    items: Sequence[WorkItem], column: str, *, descending: bool = False
) -> list[WorkItem]:
    """`items` ordered by `column` (one of `WORKLIST_SORTS`); ties keep their order.

    'imported' is the order the articles came in (the order `items` are given in).
    """
    if column == "imported":
        return list(reversed(items)) if descending else list(items)
    key = SORT_KEYS[column]
    return sorted(items, key=key, reverse=descending)


def set_done(store: Store, doc_id: str, done: bool) -> None:
    """Mark an article done (or not). Not part of undo: the same key sets it back."""
    with store.transaction() as db:
        if not db.execute("SELECT 1 FROM documents WHERE id = ?", [doc_id]).fetchone():
            raise NotFound(f"no article {doc_id}")
        if done:
            db.execute(
                "INSERT INTO done_marks (doc_id, done_at) VALUES (?, ?) "
                "ON CONFLICT(doc_id) DO NOTHING",
                [doc_id, utc_now()],
            )
        else:
            db.execute("DELETE FROM done_marks WHERE doc_id = ?", [doc_id])
