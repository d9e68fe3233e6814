"""Re-importing a changed article moves the reader's work onto the new text."""

from __future__ import annotations

import pytest

from store import create_annotation, redo, undo
from store.importing.ingest import import_paths

HEADLINE = "Envoy outlines a resiliency force for Ukraine"
BODY = [
    "The envoy said on Friday that allied troops could take over zones of responsibility.",
    "He added that no American troops would be involved in the force.",
    "Moscow rejected the plan within hours, calling it a provocation by the West.",
]


def page(paragraphs: list[str]) -> str:
    return HEADLINE + "\n" + "\n".join(paragraphs) + "\n"


@pytest.fixture
def article(store, tmp_path):
    path = tmp_path / "envoy.txt"
    path.write_text(page(BODY), encoding="utf-8")
    report = import_paths(store, [path])
    doc_id = report.documents[0].id
    text = store.document(doc_id).text
    quote = "no American troops would be involved"
    first = create_annotation(
        store, doc_id, text.index(quote), text.index(quote) + len(quote), "quote"
    )
    claim = "calling it a provocation by the West"
    second = create_annotation(
        store, doc_id, text.index(claim), text.index(claim) + len(claim), "claim"
    )
    return path, doc_id, first, second


def test_inserted_paragraph_and_changed_word(store, article):
    path, old_id, first, second = article
    edited = [BODY[0], "A new paragraph now stands before the quote, added by the editors.",
              BODY[1], BODY[2].replace("provocation", "provocations")]
    report = import_paths(store, [path.write_text(page(edited), encoding="utf-8") and path])
    assert report.ok and report.added == 1 and len(report.replaced) == 1
    assert store.document_ids() == [report.documents[0].id]  # the old version is gone
    new_id = report.documents[0].id
    text = store.document(new_id).text
    moved = store.annotation(first.id)
    assert moved.doc_id == new_id and moved.text == first.text
    assert text[moved.start:moved.end] == first.text and moved.start > first.start
    in_review = store.db.execute("SELECT count(*) FROM review WHERE id = ?", [second.id])
    if in_review.fetchone()[0]:
        kept = store.db.execute("SELECT count(*) FROM annotations WHERE id = ?", [second.id])
        assert kept.fetchone()[0] == 0
    else:
        placed = store.annotation(second.id)
        assert text[placed.start:placed.end] == placed.text
        assert "provocations by the West" in placed.text or placed.text.startswith("calling it")


def test_undo_brings_back_the_old_version_with_its_annotations(store, article):
    path, old_id, first, _ = article
    path.write_text(page([BODY[0], "Inserted paragraph here, before everything else.", *BODY[1:]]),
                    encoding="utf-8")
    new_id = import_paths(store, [path]).documents[0].id
    assert store.document_ids() == [new_id]
    undo(store)
    assert store.document_ids() == [old_id]
    restored = store.annotation(first.id)
    assert restored.doc_id == old_id and restored.start == first.start
    redo(store)
    assert store.document_ids() == [new_id]
    assert store.annotation(first.id).doc_id == new_id


def test_a_different_article_with_the_same_file_is_not_a_new_version(store, article):
    path, old_id, first, _ = article
    path.write_text(page(["Completely different story about harvests in Kansas this year.",
                          "Farmers expect record yields of wheat and corn, officials said."]),
                    encoding="utf-8")
    report = import_paths(store, [path])
    assert report.replaced == []
    assert old_id in store.document_ids() and store.annotation(first.id).doc_id == old_id
