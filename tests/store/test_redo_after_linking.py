"""Redo stays possible after linking stored suggestions in between.

Linking writes suggestions outside any change group (they are not the reader's
work), so it does not clear the redo stack. Redoing the deletion of an article, or
the import of a new version that replaces it, must not then fail because a
suggestion found since still touches the article.
"""

from __future__ import annotations

import pytest

from store import NewDocument, add_document, create_annotation, redo, undo
from store.deletion import delete_document
from store.documents import prepare_document
from store.importing.versions import replace_previous_version
from store.links import list_links, relink

QUOTE = (
    "“We are ready to send peacekeeping troops to Ukraine as soon as a ceasefire is signed, "
    "but only with American air cover and intelligence support,” the minister told reporters "
    "in Paris on Tuesday."
)
OPENING = "The talks in Paris lasted for more than four hours."
OTHER = "Markets in Europe closed slightly higher on Tuesday."


def add(store, text: str, title: str, source: str) -> str:
    with store.transaction() as db:
        doc_id, _ = add_document(db, NewDocument(text=text, title=title, source=source))
    return doc_id


@pytest.fixture
def two(store):
    a = add(store, f"{OPENING}\n\n{QUOTE}", "Alpha", "Alpha News")
    b = add(store, f"{QUOTE}\n\n{OTHER}", "Beta", "Beta News")
    create_annotation(store, a, 0, len(OPENING), "claim")
    return store, a, b


def touching(store, doc_id: str) -> list[dict]:
    return [r for r in list_links(store) if doc_id in (r.a.doc_id, r.b.doc_id)]


def test_redo_of_an_article_deletion_after_a_relink_deletes_the_new_suggestions_too(two):
    store, a, b = two
    delete_document(store, a)
    undo(store)
    relink(store)
    assert touching(store, a)
    change = redo(store)
    assert change is not None and a not in store.document_ids()
    assert touching(store, a) == [] and touching(store, b) == []
    undo(store)
    assert a in store.document_ids() and len(store.annotations(a)) == 1


def test_redo_of_a_new_version_after_a_relink_replaces_the_old_version_again(two):
    store, a, b = two
    edited = f"{OPENING}\n\nUpdate: the minister spoke again on Wednesday.\n\n{QUOTE}"
    new = NewDocument(text=edited, title="Alpha", source="Alpha News")
    with store.transaction() as db:
        new_id, _ = add_document(db, prepare_document(new))
        assert replace_previous_version(store, new_id, new) is not None
    undo(store)
    assert a in store.document_ids()
    relink(store)
    assert touching(store, a)
    redo(store)
    assert a not in store.document_ids()
    [moved] = store.annotations(new_id)
    assert moved.text == OPENING
