"""Creating, editing and deleting annotations, each change logged for undo (`history`)."""

from __future__ import annotations

import uuid
from contextlib import contextmanager

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
