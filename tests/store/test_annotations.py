"""Annotations: exact text, context, validation, and undo/redo from the events log."""

from __future__ import annotations

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from store import (
    InputError,
    Label,
    create_annotation,
    delete_annotation,
    open_store,
    redo,
    undo,
    update_annotation,
)
from store.deletion import delete_document
from store.documents import NewDocument, add_document
from store.history import history
from store.text import is_grapheme_boundary

TEXT = "Kellogg said troops could form a 'resiliency force.' Moscow rejected it. 👩‍👩‍👧 e\u0301"


@pytest.fixture
def doc(store):
    with store.transaction() as db:
        doc_id, _ = add_document(db, NewDocument(text=TEXT, title="Envoy"))
    return doc_id


def test_annotation_text_is_the_document_slice(store, doc):
    start = TEXT.index("'resiliency")
    end = TEXT.index(" Moscow")
    note = create_annotation(store, doc, start, end, Label.quote, speaker="Kellogg")
    stored = store.annotation(note.id)
    assert stored.text == TEXT[start:end] == "'resiliency force.'"
    assert stored.prefix == TEXT[max(0, start - 32):start]
    assert stored.suffix == TEXT[end:end + 32]
    assert stored.label is Label.quote and stored.speaker == "Kellogg"


def test_spans_that_split_a_grapheme_are_refused(store, doc):
    family = TEXT.index("👩")
    with pytest.raises(InputError, match="splits a character"):
        create_annotation(store, doc, family, family + 1, "claim")
    accent = TEXT.index("e\u0301")
    with pytest.raises(InputError, match="splits a character"):
        create_annotation(store, doc, accent, accent + 1, "claim")


@pytest.mark.parametrize("start,end", [(-1, 3), (5, 5), (8, 2), (0, len(TEXT) + 1)])
def test_out_of_range_spans_are_refused(store, doc, start, end):
    with pytest.raises(InputError):
        create_annotation(store, doc, start, end, "claim")
    assert store.annotation_count() == 0


def test_unknown_label_is_refused(store, doc):
    with pytest.raises(InputError, match="unknown label"):
        create_annotation(store, doc, 0, 7, "rumour")


def test_overlapping_and_nested_annotations_are_allowed(store, doc):
    create_annotation(store, doc, 0, 40, "claim")
    create_annotation(store, doc, 10, 20, "quote")
    create_annotation(store, doc, 30, 60, "proposal")
    assert [a.label.value for a in store.annotations(doc)] == ["claim", "quote", "proposal"]


def test_undo_and_redo_walk_back_and_forth(store, doc):
    note = create_annotation(store, doc, 0, 7, "claim")
    update_annotation(store, note.id, label="quote", note="checked")
    assert undo(store).description == "edit annotation"
    assert store.annotation(note.id).label is Label.claim
    undo(store)
    assert store.annotations(doc) == []
    assert undo(store) is None
    redo(store)
    assert store.annotation(note.id).label is Label.claim
    redo(store)
    assert store.annotation(note.id).note == "checked"
    assert redo(store) is None


def test_a_new_action_clears_redo(store, doc):
    first = create_annotation(store, doc, 0, 7, "claim")
    undo(store)
    create_annotation(store, doc, 8, 12, "quote")
    assert redo(store) is None
    assert [a.id for a in store.annotations(doc)] != [first.id]


def test_undo_restores_a_deleted_annotation_exactly(store, doc):
    note = create_annotation(store, doc, 0, 7, "proposal", note="n", speaker="s")
    delete_annotation(store, note.id)
    undo(store)
    assert store.annotation(note.id) == note


def test_undo_survives_a_restart(tmp_path):
    path = tmp_path / "s.db"
    with open_store(path) as store:
        with store.transaction() as db:
            doc_id, _ = add_document(db, NewDocument(text=TEXT, title="Envoy"))
        create_annotation(store, doc_id, 0, 7, "claim")
    with open_store(path) as store:
        change = undo(store)
        assert change.doc_id == doc_id and change.start == 0
    with open_store(path) as store:
        assert store.annotation_count() == 0
        redo(store)
        assert store.annotation_count() == 1


def test_every_change_is_logged_and_the_log_is_append_only(store, doc):
    note = create_annotation(store, doc, 0, 7, "claim")
    update_annotation(store, note.id, note="x")
    delete_annotation(store, note.id)
    undo(store)
    actions = [e["action"] for e in reversed(history(store))]
    assert actions == ["create", "update", "delete", "create"]
    with pytest.raises(Exception, match="append-only"):
        store.db.execute("DELETE FROM events")
    with pytest.raises(Exception, match="append-only"):
        store.db.execute("UPDATE events SET actor = 'someone else'")


def test_annotations_are_searchable_by_text_note_and_speaker(store, doc):
    note = create_annotation(store, doc, 0, 7, "quote", note="check with agency", speaker="Envoy")
    for word in ("kellogg", "agency", "envoy"):
        rows = list(store.db.query(
            "SELECT a.id FROM annotations_fts f JOIN annotations a ON a.rowid = f.rowid "
            "WHERE annotations_fts MATCH ?", [word]))
        assert [r["id"] for r in rows] == [note.id], word


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", " ", ".", "\r", "\n", "\t", "e\u0301", "\u0301", "\u200d",
                                 "👩\u200d👩\u200d👧", "🇫🇷", "\u0600", "क्ष", "東"]),
                max_size=16).map("".join))
def test_grapheme_boundaries_agree_with_the_unicode_cluster_rules(text):
    """`is_grapheme_boundary` answers ASCII neighbours without the regex; it must
    agree everywhere with the extended grapheme clusters `regex` finds."""
    starts = {match.start() for match in regex.finditer(r"\X", text)} | {len(text)}
    assert [p for p in range(len(text) + 1) if is_grapheme_boundary(text, p)] == sorted(starts)


def test_a_tag_uses_the_text_stored_now_after_the_article_was_replaced(store):
    """A document deleted and imported again with other text under the same id (ids
    ignore case and spacing) gets annotations on its new text, not a remembered one."""
    with store.transaction() as db:
        first, _ = add_document(db, NewDocument(text="Troops moved west. Talks resumed."))
    assert create_annotation(store, first, 0, 6, Label.claim).text == "Troops"
    delete_document(store, first)
    with store.transaction() as db:
        second, _ = add_document(db, NewDocument(text="TROOPS  MOVED WEST. Talks resumed."))
    assert second == first
    tagged = create_annotation(store, second, 8, 13, Label.claim)
    assert tagged.text == "MOVED" == store.document(second).text[8:13]
