"""Every annotation in the corpus as one list, for the app's annotation browser.

One query reads them all with their article's outlet and title, and one more which
of them a link (not rejected) names; filtering and sorting happen on the rows, so the
browser answers each key without asking the database again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from . import link_table
from .db.connection import Store
from .errors import InputError


@dataclass(frozen=True)
class BrowsedAnnotation:
    """One annotation with where it is."""

    id: str
    doc_id: str
    start: int
    end: int
    label: str
    text: str
    note: str
    speaker: str
    annotator: str
    outlet: str
    title: str
    updated_at: str
    linked: bool


@dataclass(frozen=True)
class AnnotationFilter:
    """What the browser keeps: each set field must match (text: every word, any case)."""

    label: str | None = None
    outlet: str | None = None
    speaker: str | None = None
    annotator: str | None = None
    linked_only: bool = False
    has_note: bool = False
    text: str = ""

    def keeps(self, row: BrowsedAnnotation) -> bool:
        if self.label and row.label != self.label:
            return False
        if self.outlet and row.outlet.casefold() != self.outlet.casefold():
            return False
        if self.speaker and self.speaker.casefold() not in row.speaker.casefold():
            return False
        if self.annotator and row.annotator.casefold() != self.annotator.casefold():
            return False
        if self.linked_only and not row.linked:
            return False
        if self.has_note and not row.note.strip():
            return False
        if self.text:
            haystack = " ".join((row.text, row.note, row.speaker)).casefold()
            return all(word in haystack for word in self.text.casefold().split())
        return True


SORT_COLUMNS = ("outlet", "title", "label", "speaker", "annotator", "text", "updated_at", "linked")


def all_annotations(store: Store) -> list[BrowsedAnnotation]:
    """Every annotation, in article order (outlet, title, then place in the text)."""
    linked = link_table.linked_annotation_ids(store.db)
    rows = store.db.execute(
        'SELECT a.id, a.doc_id, a.start, a."end", a.label, a.text, a.note, a.speaker, '
        "a.annotator, coalesce(d.source, ''), coalesce(d.title, ''), a.updated_at "
        "FROM annotations a JOIN documents d ON d.id = a.doc_id "
        "ORDER BY d.source, d.title, a.doc_id, a.start, a.id"
    )
    return [BrowsedAnnotation(*row, linked=row[0] in linked) for row in rows]


def browse(
    rows: Iterable[BrowsedAnnotation],
    keep: AnnotationFilter,
    sort: str = "outlet",
    descending: bool = False,
) -> list[BrowsedAnnotation]:
    """The rows `keep` keeps, sorted by one column (ties keep article order)."""
    if sort not in SORT_COLUMNS:
        raise InputError("sort", f"unknown column {sort!r} (use {', '.join(SORT_COLUMNS)})")

    def key(row: BrowsedAnnotation) -> object:
        value = getattr(row, sort)
        return value.casefold() if isinstance(value, str) else value

    kept = [row for row in rows if keep.keeps(row)]
    return sorted(kept, key=key, reverse=descending)
