"""Changing an annotation's span in place: one undoable step, text and links follow."""

from __future__ import annotations

import pytest

from store import (
    InputError,
    Label,
    NewDocument,
    add_document,
    create_annotation,
    known_speakers,
    redo,
    set_annotation_span,
    undo,
    update_annotation,
)
from store.links import accept, echoes, list_links

TEXT = "The minister said the plan is underfunded. Critics agree with her."
QUOTE = (
    "“We are ready to send peacekeeping troops to Ukraine as soon as a ceasefire is signed, "
    "but only with American air cover and intelligence support,” the minister told reporters "
    "in Paris on Tuesday."
)
SHORT = (
    "'We are ready to send peacekeeping troops to Ukraine as soon as a ceasefire is signed,' "
    "the minister said."
)


def add(store, text: str, title: str) -> str:
    with store.transaction() as db:
        doc_id, _ = add_document(db, NewDocument(text=text, title=title, source="Wire"))
    return doc_id


def test_resize_keeps_everything_but_the_span_and_undo_redo_move_it_back(store):
    doc = add(store, TEXT, "One")
    start = TEXT.index("the plan")
    made = create_annotation(store, doc, start, start + len("the plan"), Label.claim,
                             note="check the audit")
    update_annotation(store, made.id, speaker="Critics")
    grown = set_annotation_span(store, made.id, start, TEXT.index("."))
    assert grown.text == "the plan is underfunded" == TEXT[grown.start:grown.end]
    assert (grown.id, grown.label, grown.note, grown.speaker) == (
        made.id, Label.claim, "check the audit", "Critics")
    undone = undo(store)
    assert undone is not None and undone.description == "resize claim"
    back = store.annotation(made.id)
    assert (back.start, back.end, back.text) == (start, start + 8, "the plan")
    redo(store)
    again = store.annotation(made.id)
    assert (again.start, again.end, again.text) == (grown.start, grown.end, grown.text)


@pytest.mark.parametrize(("start", "end"), [(5, 5), (10, 4), (-1, 3), (0, 10_000)])
def test_a_bad_span_is_refused_and_nothing_changes(store, start, end):
    doc = add(store, TEXT, "One")
    made = create_annotation(store, doc, 0, 12, Label.claim)
    with pytest.raises(InputError):
        set_annotation_span(store, made.id, start, end)
    assert store.annotation(made.id) == made


def test_links_follow_the_resized_annotation_with_their_verdict(store):
    a = add(store, "The talks in Paris lasted for more than four hours. " + QUOTE, "Alpha")
    b = add(store, SHORT + " Markets closed higher.", "Beta")
    text = store.document(a).text
    start = text.index("We are ready")
    end = text.index("signed,") + len("signed")
    made = create_annotation(store, a, start, end, Label.quote)
    [echo] = echoes(store, a, start, end, made.id)
    accept(store, echo.link_id)
    [before] = [r for r in list_links(store) if r.id == echo.link_id]
    side = "a" if before.a.doc_id == a else "b"
    assert getattr(before, side).annotation_id == made.id

    grown = set_annotation_span(store, made.id, start, text.index("support") + len("support"))
    [after] = [r for r in list_links(store) if r.id == echo.link_id]
    mine = getattr(after, side)
    assert (mine.start, mine.end, mine.annotation_id) == (grown.start, grown.end, made.id)
    assert mine.text == grown.text
    assert after.status == before.status == "confirmed"
    other = getattr(after, "b" if side == "a" else "a")
    assert other.doc_id == b

    undo(store)
    [restored] = [r for r in list_links(store) if r.id == echo.link_id]
    assert getattr(restored, side).start == start and getattr(restored, side).end == end


def test_known_speakers_most_named_first(store):
    doc = add(store, TEXT, "One")
    create_annotation(store, doc, 0, 3, Label.quote, speaker="Ana Lopez")
    create_annotation(store, doc, 4, 12, Label.claim, speaker="Ben Ode")
    create_annotation(store, doc, 13, 17, Label.quote, speaker="Ben Ode")
    create_annotation(store, doc, 18, 21, Label.proposal)
    assert known_speakers(store) == ["Ben Ode", "Ana Lopez"]
