"""A changed version of an article replaces the stored one, keeping the reader's work.

When `sidenote import` brings an article whose text changed (the same URL, else the
same title and outlet, else the same title from the same file), its annotations are
re-anchored onto the new text (`reanchor.carry_annotations`: never onto wrong text;
what cannot be placed goes to the review list), its links follow their annotations,
and the old version is deleted. All of it, the new version's arrival included,
is one undoable change.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import link_table
from ..db.connection import Store, utc_now
from ..documents import NewDocument
from ..history import ChangeGroup, change_group, document_state
from ..models import Document
from .reanchor import (
    Anchor,
    ReanchorResult,
    carry_annotations,
    find_other_version,
    place,
    same_article,
)


@dataclass(frozen=True)
class Replacement:
    old_id: str
    new_id: str
    title: str
    result: ReanchorResult
    links_kept: int
    links_dropped: int

    def describe(self) -> str:
        counts = self.result.as_dict()
        return (
            f"{self.title!r}: new version replaces {self.old_id} "
            f"(annotations kept {counts['kept']}, moved {counts['moved']}, "
            f"re-anchored {counts['fuzzy']}, to review {counts['review']}; "
            f"links kept {self.links_kept}, dropped {self.links_dropped})"
        )


def previous_version(store: Store, new_id: str, new: NewDocument) -> Document | None:
    """The stored article that `new` is a changed version of, if any."""
    old = find_other_version(store, url=new.url, title=new.title, source=new.source, exclude=new_id)
    if old is None and new.title and new.origin.get("file"):
        rows = list(
            store.db.query(
                "SELECT * FROM documents WHERE title = ? AND id != ? "
                "AND json_extract(origin, '$.file') = ? ORDER BY rowid DESC LIMIT 1",
                [new.title, new_id, new.origin["file"]],
            )
        )
        old = Document(**rows[0]) if rows else None
    if old is None or not same_article(old.text, new.text):
        return None
    return old


def replace_previous_version(store: Store, new_id: str, new: NewDocument) -> Replacement | None:
    """Move the work on the previous version of `new` onto it and delete that version."""
    old = previous_version(store, new_id, new)
    if old is None:
        return None
    with change_group(store, f"new version of {new.title or old.title}") as group:
        # The new version was stored by the import; logging its arrival here makes
        # the whole replacement one step: undo puts the old version back alone.
        group.record("document", new_id, None, document_state(group.db, new_id))
        result = carry_annotations(group, old, new_id, new.text)
        kept, dropped = _carry_links(group, old, new_id, new.text)
        group.set_state("document", old.id, None)
    return Replacement(old.id, new_id, new.title or old.title, result, kept, dropped)


def _carry_links(group: ChangeGroup, old: Document, new_id: str, new_text: str) -> tuple[int, int]:
    """Point the old version's links at the new one; drop those that cannot follow.

    A side with an annotation follows the annotation; a side without one is placed
    like an annotation would be, and a suggestion that cannot be placed is dropped
    (re-linking will find it again if it still holds).
    """
    kept = dropped = 0
    for row in link_table.link_rows_touching(group.db, old.id):
        after = dict(row)
        ok = True
        for side in ("a", "b"):
            if after[f"{side}_doc_id"] != old.id:
                continue
            span = _new_span(group, old, new_text, after, side)
            if span is None:
                ok = False
                break
            after[f"{side}_doc_id"] = new_id
            after[f"{side}_start"], after[f"{side}_end"] = span
            after[f"{side}_match_start"] = after[f"{side}_match_end"] = None
        if ok and after["a_doc_id"] != after["b_doc_id"]:
            after["updated_at"] = utc_now()
            group.set_state("link", row["id"], after)
            kept += 1
        else:
            group.set_state("link", row["id"], None)
            dropped += 1
    return kept, dropped


def _new_span(
    group: ChangeGroup, old: Document, new_text: str, row: dict, side: str
) -> tuple[int, int] | None:
    annotation_id = row[f"{side}_annotation_id"]
    if annotation_id:
        found = group.db.execute(
            'SELECT doc_id, start, "end" FROM annotations WHERE id = ?', [annotation_id]
        ).fetchone()
        if found and found[0] != old.id:
            return found[1], found[2]
    start, end = row[f"{side}_start"], row[f"{side}_end"]
    anchor = Anchor(
        start,
        end,
        old.text[start:end],
        old.text[max(0, start - 32) : start],
        old.text[end : end + 32],
    )
    placement = place(anchor, new_text)
    return (placement.start, placement.end) if placement.placed else None

