"""Creating, editing and deleting annotations, each change logged for undo (`history`)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

from . import link_table
from .db.connection import Store, row_to_annotation, utc_now
from .errors import InputError, NotFound
from .history import ChangeGroup, change_group, current_row, default_annotator
from .models import Annotation, Label
from .text import context, span_problem


def annotation_row(
    text: str,
    doc_id: str,
    start: int,
    end: int,
    label: Label | str,
    *,
    note: str = "",
    speaker: str = "",
    annotator: str = "",
    annotation_id: str | None = None,
    created_at: str | None = None,
    updated_at: str | None = None,
) -> dict:
    """A complete `annotations` row for `text[start:end]`; raises on a bad span."""
    problem = span_problem(text, start, end)
    if problem:
        raise InputError(f"document {doc_id}", problem)
    try:
        label = Label(label)
    except ValueError:
        raise InputError(
            f"document {doc_id}", f"unknown label {label!r} (use claim, quote or proposal)"
        ) from None
    prefix, suffix = context(text, start, end)
    now = utc_now()
    return {
        "id": annotation_id or str(uuid.uuid4()),
        "doc_id": doc_id,
        "start": start,
        "end": end,
        "label": label.value,
        "text": text[start:end],
        "prefix": prefix,
        "suffix": suffix,
        "note": note,
        "speaker": speaker,
        "annotator": annotator,
        "created_at": created_at or now,
        "updated_at": updated_at or created_at or now,
    }


def create_annotation(
    store: Store,
    doc_id: str,
    start: int,
    end: int,
    label: Label | str,
    *,
    note: str = "",
    speaker: str = "",
    annotator: str | None = None,
    group: ChangeGroup | None = None,
) -> Annotation:
    """Tag `document.text[start:end]`. Overlapping and nested annotations are allowed."""
    row = annotation_row(
        store.document_text(doc_id),
        doc_id,
        start,
        end,
        label,
        note=note,
        speaker=speaker,
        annotator=default_annotator() if annotator is None else annotator,
    )
    if group is None:
        with change_group(store, f"tag {row['label']}") as own:
            own.set_state("annotation", row["id"], row)
    else:
        group.set_state("annotation", row["id"], row)
    return row_to_annotation(row)


def update_annotation(
    store: Store,
    annotation_id: str,
    *,
    label: Label | str | None = None,
    note: str | None = None,
    speaker: str | None = None,
    group: ChangeGroup | None = None,
) -> Annotation:
    """Change an annotation's label, note or speaker."""
    current = store.annotation(annotation_id)
    changes: dict = {}
    if label is not None:
        try:
            changes["label"] = Label(label).value
        except ValueError:
            raise InputError("label", f"unknown label {label!r}") from None
    if note is not None:
        changes["note"] = note
    if speaker is not None:
        changes["speaker"] = speaker
    with _group_or(store, group, "edit annotation") as own:
        before = current_row(own.db, "annotations", annotation_id)
        if before is None:
            raise NotFound(f"no annotation with id {annotation_id!r}")
        after = {**before, **changes}
        if after != before:
            after["updated_at"] = utc_now()
            own.set_state("annotation", annotation_id, after)
    return store.annotation(current.id)


def set_annotation_span(
    store: Store,
    annotation_id: str,
    start: int,
    end: int,
    *,
    group: ChangeGroup | None = None,
) -> Annotation:
    """Move an annotation's start and end in place, as one undoable step.

    The text, its context and `updated_at` follow the span; the label, note, speaker,
    id and creation time stay, so a claim tagged a word short is fixed rather than
    deleted and tagged again. The links that name the annotation follow it
    (`_follow_span`).
    """
    current = store.annotation(annotation_id)
    text = store.document_text(current.doc_id)
    problem = span_problem(text, start, end)
    if problem:
        raise InputError(f"annotation {annotation_id}", problem)
    with _group_or(store, group, f"resize {current.label.value}") as own:
        before = current_row(own.db, "annotations", annotation_id)
        if before is None:
            raise NotFound(f"no annotation with id {annotation_id!r}")
        if (before["start"], before["end"]) == (start, end):
            return current
        prefix, suffix = context(text, start, end)
        after = {
            **before, "start": start, "end": end, "text": text[start:end],
            "prefix": prefix, "suffix": suffix, "updated_at": utc_now(),
        }
        own.set_state("annotation", annotation_id, after)
        _follow_span(own, annotation_id, before, after)
    return store.annotation(annotation_id)


def _follow_span(group: ChangeGroup, annotation_id: str, before: dict, after: dict) -> None:
    """Carry the links that name a resized annotation to its new span.

    A link records that two places say the same thing; a person who widens or trims
    their claim by a few words still means that statement, so its links (and a
    verdict on them: confirmed or rejected) move with it, and the part that matched
    is cut to the new span. A link whose matched part lies wholly outside the new span
    no longer joins what the annotation says, and one whose move would land on a pair
    already linked would duplicate it: those stay at the old place, unhooked from the
    annotation (as when it is deleted), so nothing the linker found is lost.
    """
    # The matcher's package loads numpy and the index: only a resize needs its keys.
    from .matching.units import pair_key, span_key

    old = (before["doc_id"], before["start"], before["end"])
    start, end = after["start"], after["end"]
    for row in link_table.link_rows_naming(group.db, annotation_id):
        moved = dict(row)
        for side in ("a", "b"):
            place = (row[f"{side}_doc_id"], row[f"{side}_start"], row[f"{side}_end"])
            if row[f"{side}_annotation_id"] != annotation_id or place != old:
                continue
            match_start, match_end = row[f"{side}_match_start"], row[f"{side}_match_end"]
            if match_start is not None and match_end is not None:
                match_start, match_end = max(match_start, start), min(match_end, end)
                if match_end <= match_start:
                    moved[f"{side}_annotation_id"] = None
                    continue
            moved.update({f"{side}_start": start, f"{side}_end": end,
                          f"{side}_match_start": match_start, f"{side}_match_end": match_end})
        moved["pair_key"] = pair_key(
            span_key(moved["a_doc_id"], moved["a_start"], moved["a_end"]),
            span_key(moved["b_doc_id"], moved["b_start"], moved["b_end"]),
        )
        if moved["pair_key"] != row["pair_key"]:
            taken = link_table.link_by_pair(group.db, moved["pair_key"])
            if taken is not None:
                moved = {
                    **row,
                    **{f"{side}_annotation_id": None for side in ("a", "b")
                       if row[f"{side}_annotation_id"] == annotation_id},
                }
        if moved != row:
            moved["updated_at"] = utc_now()
            group.set_state("link", row["id"], moved)


def known_speakers(store: Store) -> list[str]:
    """Every speaker named on an annotation, the most often named first: what the
    speaker field offers as the user types."""
    rows = store.db.execute(
        "SELECT speaker FROM annotations WHERE speaker != '' GROUP BY speaker "
        "ORDER BY count(*) DESC, speaker"
    )
    return [speaker for (speaker,) in rows]


def delete_annotation(
    store: Store, annotation_id: str, *, group: ChangeGroup | None = None
) -> Annotation:
    current = store.annotation(annotation_id)
    with _group_or(store, group, f"delete {current.label.value}") as own:
        own.set_state("annotation", annotation_id, None)
    return current


@contextmanager
def _group_or(store: Store, group: ChangeGroup | None, description: str):
    if group is not None:
        yield group
    else:
        with change_group(store, description) as own:
            yield own
