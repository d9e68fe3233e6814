"""Redo puts back exactly what undo took.

Undoing a tag also unhooks the links found since that name the annotation (they
were stored by linking, outside the tag's change group). Redo must hook them again,
or the annotation comes back without its echoes.
"""

from __future__ import annotations

from store import NewDocument, add_document, create_annotation, redo, undo
from store.links import list_links, relink

QUOTE = (
    "“We are ready to send peacekeeping troops to Ukraine as soon as a ceasefire is signed, "
    "but only with American air cover and intelligence support,” the minister told reporters "
    "in Paris on Tuesday."
)
OPENING = "The talks in Paris lasted for more than four hours."
OTHER = "Markets in Europe closed slightly higher on Tuesday."


def add(store, text: str, title: str) -> str:
    with store.transaction() as db:
        doc_id, _ = add_document(db, NewDocument(text=text, title=title, source="News"))
    return doc_id


def annotation_ids_on_links(store) -> list[tuple[str | None, str | None]]:
    return [(r.a.annotation_id, r.b.annotation_id) for r in list_links(store)]


def test_undo_then_redo_of_a_tag_hooks_its_links_again(store) -> None:
    a = add(store, f"{OPENING}\n\n{QUOTE}", "Alpha")
    add(store, f"{QUOTE}\n\n{OTHER}", "Beta")
    start = len(OPENING) + 2
    tagged = create_annotation(store, a, start, start + len(QUOTE), "quote")
    relink(store)
    before = annotation_ids_on_links(store)
    assert any(tagged.id in pair for pair in before)

    undo(store)
    assert not any(tagged.id in pair for pair in annotation_ids_on_links(store))
    redo(store)

    assert [n.id for n in store.annotations(a)] == [tagged.id]
    assert annotation_ids_on_links(store) == before


def test_undo_after_redo_takes_the_links_off_again_and_a_second_redo_restores_them(store) -> None:
    a = add(store, f"{OPENING}\n\n{QUOTE}", "Alpha")
    add(store, f"{QUOTE}\n\n{OTHER}", "Beta")
    start = len(OPENING) + 2
    tagged = create_annotation(store, a, start, start + len(QUOTE), "quote")
    relink(store)
    before = annotation_ids_on_links(store)

    undo(store)
    redo(store)
    undo(store)
    assert store.annotations(a) == []
    assert not any(tagged.id in pair for pair in annotation_ids_on_links(store))
    redo(store)
    assert annotation_ids_on_links(store) == before
