"""The review list: annotations that could not be placed safely on a changed text.

Re-anchoring (store/importing/reanchor.py) never guesses; what it cannot place lands here
with the annotation as it was, the document it belongs on and the best candidate
span. A person then places it (on the candidate or on a span of their choice) or
discards it. Both are undoable change groups, like every other edit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .db.connection import Store, utc_now
from .errors import InputError, NotFound
from .history import change_group
from .importing.reanchor import Placement, placed_row
from .models import Annotation
from .text import context


@dataclass(frozen=True)
class ReviewItem:
    """One annotation waiting for a decision, with what is needed to make it."""

    id: str
    doc_id: str  # the document it belongs on now
    doc_title: str
    reason: str
    label: str
    text: str  # the quote as it was
    old_prefix: str
    old_suffix: str
    note: str
    speaker: str
    best_start: int | None
    best_end: int | None
    best_score: float | None
    best_text: str | None  # the candidate span's text in the document, if any
    best_prefix: str
    best_suffix: str
    created_at: str
    resolved_at: str | None
    record: dict


def review_items(store: Store, *, include_resolved: bool = False) -> list[ReviewItem]:
    """Open review items (with `include_resolved`, every item), oldest first."""
    sql = (
        "SELECT r.*, d.title AS doc_title, d.text AS doc_text FROM review r "
        "LEFT JOIN documents d ON d.id = r.doc_id"
    )
    if not include_resolved:
        sql += " WHERE r.resolved_at IS NULL"
    sql += " ORDER BY r.created_at, r.rowid"  # same millisecond: the order they were sent
    return [_item(row) for row in store.db.query(sql)]


def review_item(store: Store, review_id: str) -> ReviewItem:
    rows = list(
        store.db.query(
            "SELECT r.*, d.title AS doc_title, d.text AS doc_text FROM review r "
            "LEFT JOIN documents d ON d.id = r.doc_id WHERE r.id = ?",
            [review_id],
        )
    )
    if not rows:
        raise NotFound(f"no review item with id {review_id!r}")
    return _item(rows[0])


def _item(row: dict) -> ReviewItem:
    record = json.loads(row["record"])
    text = row["doc_text"] or ""
    best_text = None
    best_prefix = best_suffix = ""
    if (
        row["best_start"] is not None
        and row["best_end"] is not None
        and row["best_end"] <= len(text)
    ):
        best_text = text[row["best_start"] : row["best_end"]]
        best_prefix, best_suffix = context(text, row["best_start"], row["best_end"])
    return ReviewItem(
        id=row["id"],
        doc_id=row["doc_id"],
        doc_title=row["doc_title"] or "",
        reason=row["reason"],
        label=record.get("label", ""),
        text=record.get("text", ""),
        old_prefix=record.get("prefix", ""),
        old_suffix=record.get("suffix", ""),
        note=record.get("note", ""),
        speaker=record.get("speaker", ""),
        best_start=row["best_start"],
        best_end=row["best_end"],
        best_score=row["best_score"],
        best_text=best_text,
        best_prefix=best_prefix,
        best_suffix=best_suffix,
        created_at=row["created_at"],
        resolved_at=row["resolved_at"],
        record=record,
    )


def resolve_review(
    store: Store,
    review_id: str,
    *,
    accept: bool,
    start: int | None = None,
    end: int | None = None,
) -> Annotation | None:
    """Place a review item (on `start:end`, default the best candidate) or discard it.

    Returns the placed annotation, or None when discarded. One undoable change.
    """
    item = review_item(store, review_id)
    if item.resolved_at is not None:
        raise InputError(f"review {review_id}", "is already resolved")
    row = list(store.db.query("SELECT * FROM review WHERE id = ?", [review_id]))[0]
    if not accept:
        with change_group(store, "discard review item") as group:
            group.set_state("review", review_id, {**row, "resolved_at": utc_now()})
        return None
    start = item.best_start if start is None else start
    end = item.best_end if end is None else end
    if start is None or end is None:
        raise InputError(f"review {review_id}", "has no candidate span; give --span START:END")
    if store.db.execute("SELECT 1 FROM annotations WHERE id = ?", [review_id]).fetchone():
        raise InputError(f"review {review_id}", "an annotation with this id already exists")
    document = store.document(item.doc_id)
    placement = Placement("manual", start, end, 100.0)
    new_row = placed_row(item.record, document.id, document.text, placement)
    with change_group(store, f"place {new_row['label']} from review") as group:
        group.set_state("annotation", review_id, new_row)
        group.set_state("review", review_id, {**row, "resolved_at": utc_now()})
    return store.annotation(review_id)
