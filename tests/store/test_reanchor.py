"""Re-anchoring: an annotation follows its text, or goes to review; it never lands on
other words."""

from __future__ import annotations

import pytest

from store import change_group, undo
from store.documents import NewDocument, add_document
from store.importing.reanchor import (
    Anchor,
    EditMap,
    carry_annotations,
    place,
    same_article,
)
from store.importing.versions import Replacement, replace_previous_version
from store.text import context
from tests.exchange_data import add_doc, tag

OLD = (
    "Kyiv, May 13.\n"
    "Kellogg said troops from France, Germany, the UK and Poland could form a "
    "'resiliency force' west of the Dnieper River.\n"
    "Moscow warned that foreign troops would be treated as legitimate targets.\n"
    "The talks in Istanbul are expected on Thursday, officials said.\n"
    "Analysts said the talks in Istanbul are expected to be short."
)
FORCE = "troops from France, Germany, the UK and Poland could form a 'resiliency force'"
WARNING = "Moscow warned that foreign troops would be treated as legitimate targets."
TALKS = "the talks in Istanbul are expected"
PARAGRAPH = "A new opening paragraph, added by the editors after publication.\n"


def anchor(text: str, quote: str, occurrence: int = 1) -> Anchor:
    start = -1
    for _ in range(occurrence):
        start = text.index(quote, start + 1)
    end = start + len(quote)
    prefix, suffix = context(text, start, end)
    return Anchor(start, end, quote, prefix, suffix)


def placed_text(result, text: str) -> str:
    assert result.placed, result
    return text[result.start : result.end]


@pytest.mark.parametrize("with_old_text", [True, False])
def test_a_paragraph_inserted_before_moves_the_span_with_its_text(with_old_text):
    new = PARAGRAPH + OLD
    edits = EditMap.between(OLD, new) if with_old_text else None
    result = place(anchor(OLD, FORCE), new, edits=edits)
    assert placed_text(result, new) == FORCE
    assert result.start == OLD.index(FORCE) + len(PARAGRAPH)


def test_an_edit_after_the_span_keeps_its_place():
    new = OLD.replace("on Thursday", "on Friday")
    result = place(anchor(OLD, FORCE), new, edits=EditMap.between(OLD, new))
    assert result.method == "position" and (result.start, result.end) == (
        OLD.index(FORCE),
        OLD.index(FORCE) + len(FORCE),
    )


def test_an_edit_before_the_span_shifts_it():
    new = OLD.replace("Kyiv, May 13.", "KYIV, Ukraine, 13 May 2025 (Reuters).")
    result = place(anchor(OLD, WARNING), new, edits=EditMap.between(OLD, new))
    assert result.method == "position" and placed_text(result, new) == WARNING


def test_one_word_changed_inside_a_long_quote_reanchors_on_the_edited_words():
    new = PARAGRAPH + OLD.replace("could form", "would form")
    result = place(anchor(OLD, FORCE), new)
    assert result.method == "fuzzy"
    assert placed_text(result, new) == FORCE.replace("could", "would")


def test_a_reworded_short_sentence_goes_to_review_rather_than_a_guess():
    new = OLD.replace("Moscow warned that", "The Kremlin insisted")
    result = place(anchor(OLD, WARNING), new)
    assert not result.placed
    assert "matches" in result.reason and result.best_score < 85


def test_one_word_change_in_a_short_quote_never_lands_on_other_words():
    new = PARAGRAPH + OLD.replace("foreign troops", "Western soldiers")
    result = place(anchor(OLD, WARNING), new)
    if result.placed:
        assert placed_text(result, new) == WARNING.replace("foreign troops", "Western soldiers")
    else:
        assert result.best_start is not None


def test_a_deleted_passage_goes_to_review():
    new = OLD.replace(WARNING + "\n", "")
    result = place(anchor(OLD, WARNING), new)
    assert not result.placed and result.reason


def test_a_lookalike_elsewhere_is_not_taken_for_a_deleted_quote():
    lookalike = "Moscow warned that foreign troops would be treated as legitimate visitors."
    new = OLD.replace(WARNING, "") + "\nIn 1999, " + lookalike
    result = place(anchor(OLD, WARNING), new)
    assert not result.placed


def test_a_repeated_quote_goes_to_the_occurrence_nearest_its_old_place():
    text = "Intro. " + "He said: the force is ready. " * 3 + "End."
    second = anchor(text, "the force is ready", occurrence=2)
    new = text.replace("Intro. ", "Intro, longer now. ")
    result = place(second, new)
    assert result.start == new.index("the force is ready", new.index("the force is ready") + 1)


def test_a_repeated_quote_follows_its_own_context_not_the_stale_offset():
    quote = "talks in Istanbul are expected"
    second = anchor(OLD, quote, occurrence=2)  # "Analysts said the talks in Istanbul ..."
    new = PARAGRAPH + OLD
    # The old offset is now nearer the first occurrence than the second.
    firsts = new.index(quote)
    assert abs(firsts - second.start) < abs(new.index(quote, firsts + 1) - second.start)
    result = place(second, new)
    assert new[: result.start].endswith("Analysts said the ")


def test_a_span_that_would_split_a_grapheme_is_not_placed_there():
    text = "Say cafe now. Or cafe\u0301 later."
    start = text.index("cafe")
    quote = "cafe"
    new = "Say cafe\u0301 now. Or cafe\u0301 later."
    result = place(Anchor(start, start + 4, quote, text[:start], text[start + 4 :]), new)
    if result.placed:
        assert (
            new[result.start : result.end].startswith("cafe")
            and result.end != new.index("cafe") + 4
        )


def test_carry_annotations_moves_them_in_one_undoable_group(store):
    old_id = add_doc(store, OLD, title="Envoy", url="https://example.org/envoy")
    force = tag(store, old_id, FORCE, "quote", note="key line", speaker="Kellogg")
    warning = tag(store, old_id, WARNING, "claim")
    new_text = PARAGRAPH + OLD.replace("Moscow warned that", "The Kremlin insisted")
    new_id = add_doc(store, new_text, title="Envoy", url="https://example.org/envoy")
    old_doc = store.document(old_id)

    with change_group(store, "import new version") as group:
        result = carry_annotations(group, old_doc, new_id, new_text)

    # The quote is found exactly (edits on both sides of it); the reworded one is not placed.
    assert result.as_dict() == {"kept": 0, "moved": 1, "fuzzy": 0, "review": 1}
    moved = store.annotation(force.id)
    assert moved.doc_id == new_id and moved.text == new_text[moved.start : moved.end] == FORCE
    assert (moved.note, moved.speaker, moved.created_at) == (
        "key line",
        "Kellogg",
        force.created_at,
    )
    assert [a.id for a in store.annotations(old_id)] == []
    review = list(store.db.query("SELECT * FROM review"))
    assert [r["id"] for r in review] == [warning.id] and review[0]["doc_id"] == new_id

    undo(store)
    assert {a.id for a in store.annotations(old_id)} == {force.id, warning.id}
    assert list(store.db.query("SELECT * FROM review")) == []


def import_new_version(store, new: NewDocument) -> tuple[str, Replacement | None]:
    """What `sidenote import` does with each new article: store it, then let it
    replace the version it is an edit of."""
    with store.transaction() as db:
        new_id, created = add_document(db, new)
        assert created
        return new_id, replace_previous_version(store, new_id, new)


def test_the_importer_hook_carries_from_the_previous_version_of_the_same_url(store):
    old_id = add_doc(store, OLD, title="Envoy", source="RT", url="https://example.org/envoy")
    force = tag(store, old_id, FORCE, "quote")
    new_text = OLD.replace("Kyiv, May 13.", "Kyiv, May 14 (updated).")
    new = NewDocument(text=new_text, title="Envoy", source="RT", url="https://example.org/envoy")
    new_id, replacement = import_new_version(store, new)
    assert replacement is not None and replacement.old_id == old_id
    assert replacement.result.as_dict()["kept"] == 1
    assert old_id not in store.document_ids()  # the new version replaced it
    moved = store.annotation(force.id)
    assert moved.doc_id == new_id and new_text[moved.start : moved.end] == FORCE


def test_a_different_article_under_the_same_title_keeps_its_annotations(store):
    old_id = add_doc(store, OLD, title="Live: Ukraine talks", source="RT")
    force = tag(store, old_id, FORCE, "quote")
    other = "Completely different live blog entry.\nNothing in common with the earlier one at all."
    assert not same_article(OLD, other)
    _, replacement = import_new_version(
        store, NewDocument(text=other, title="Live: Ukraine talks", source="RT")
    )
    assert replacement is None
    assert store.annotation(force.id).doc_id == old_id


def test_acceptance_paragraph_before_one_quote_and_one_word_changed_inside_another(store):
    """Issue 5: the first annotation moves with its text, the second re-anchors on
    its edited words or goes to review; none lands on other text."""
    old_id = add_doc(store, OLD, title="Envoy", url="https://example.org/envoy")
    warning = tag(store, old_id, WARNING, "claim")
    force = tag(store, old_id, FORCE, "quote")
    new_text = OLD.replace("Kyiv, May 13.\n", "Kyiv, May 13.\n" + PARAGRAPH).replace(
        "could form", "might form"
    )
    new_id = add_doc(store, new_text, title="Envoy", url="https://example.org/envoy")
    with change_group(store, "import new version") as group:
        carry_annotations(group, store.document(old_id), new_id, new_text)
    moved = store.annotation(warning.id)
    assert moved.doc_id == new_id and new_text[moved.start : moved.end] == WARNING
    edited = FORCE.replace("could form", "might form")
    in_review = [r["id"] for r in store.db.query("SELECT id FROM review")]
    if force.id in in_review:
        assert [a.id for a in store.annotations(new_id)] == [warning.id]
    else:
        placed = store.annotation(force.id)
        assert new_text[placed.start : placed.end] == placed.text == edited
