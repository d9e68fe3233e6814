"""Re-anchoring never puts an annotation on text that does not match its quote.

For arbitrary texts (awkward Unicode included), arbitrary spans and arbitrary
edits (insertions, deletions, replacements, anywhere), `store.importing.reanchor.place`:
places the quote exactly (`position`, `exact`), or on a close match whose score
clears the threshold and which is marked `fuzzy`, or not at all (review). The
same holds end to end through `import_annotations` onto an edited article.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from store import create_annotation, open_store
from store.documents import NewDocument, add_document
from store.exchange.read import import_annotations
from store.exchange.records import annotation_records
from store.importing.pages import clean_text
from store.importing.reanchor import MIN_QUOTE_SCORE, Anchor, EditMap, place
from store.text import context, snap_to_graphemes, span_problem

from .checks import assert_consistent
from .strategies import AWKWARD

PROPERTY = settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
END_TO_END = settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])

WORDS = (
    "the envoy said troops could deploy west of the river while ministers met to discuss "
    "guarantees and a ceasefire"
).split()
word = st.one_of(st.sampled_from(WORDS), st.sampled_from(AWKWARD[:10]), st.text(max_size=6))
sentence = st.lists(word, min_size=3, max_size=14).map(lambda ws: " ".join(ws) + ".")
article = st.lists(sentence, min_size=2, max_size=12).map(lambda ss: clean_text(" ".join(ss)))


@st.composite
def edited(draw):
    """(old text, span, new text): a text, a valid span of it, and an edited copy."""
    old = draw(article.filter(lambda t: len(t) > 10))
    a = draw(st.integers(0, len(old) - 1))
    b = draw(st.integers(a + 1, min(len(old), a + 120)))
    start, end = snap_to_graphemes(old, a, b)
    new = old
    for _ in range(draw(st.integers(0, 3))):
        pos = draw(st.integers(0, len(new)))
        kind = draw(st.sampled_from(["insert", "delete", "replace"]))
        cut = draw(st.integers(0, 40)) if kind != "insert" else 0
        piece = draw(sentence) if kind != "delete" else ""
        new = new[:pos] + piece + new[pos + cut :]
    return old, (start, end), new


def check_placement(anchor: Anchor, new: str, placement) -> None:
    if not placement.placed:
        assert placement.start is None and placement.end is None
        return
    start, end = placement.start, placement.end
    assert 0 <= start < end <= len(new)
    assert span_problem(new, start, end) is None  # never splits a character
    found = new[start:end]
    if placement.method in ("position", "exact"):
        assert found == anchor.text
    else:
        assert placement.method == "fuzzy"
        # Marked fuzzy, and the text it sits on really matches at that score.
        assert placement.score >= MIN_QUOTE_SCORE
        assert abs(fuzz.ratio(anchor.text, found) - placement.score) <= 0.1


@PROPERTY
@given(case=edited())
def test_place_puts_a_quote_only_on_matching_text(case, figures_count):
    figures_count("re-anchoring cases")
    old, (start, end), new = case
    prefix, suffix = context(old, start, end)
    anchor = Anchor(start, end, old[start:end], prefix, suffix)
    edits = EditMap.between(old, new)
    with_map = place(anchor, new, edits=edits)
    check_placement(anchor, new, with_map)
    check_placement(anchor, new, place(anchor, new))
    # An annotation in untouched text moves with its text, exactly.
    mapped = edits.span(start, end)
    if mapped and span_problem(new, *mapped) is None:
        assert with_map.method == "position" and (with_map.start, with_map.end) == mapped


@END_TO_END
@given(old=article.filter(lambda t: len(t) > 40), data=st.data())
def test_import_annotations_onto_an_edited_article_never_lands_on_wrong_text(
    old, data, figures_count
):
    figures_count("re-anchoring imports")
    with tempfile.TemporaryDirectory() as folder:
        with open_store(":memory:") as first:
            with first.transaction() as db:
                doc_id, _ = add_document(db, NewDocument(text=old, title="T", url="http://x/a"))
            for _ in range(data.draw(st.integers(1, 5))):
                a = data.draw(st.integers(0, len(old) - 1))
                s, e = snap_to_graphemes(old, a, min(len(old), a + data.draw(st.integers(1, 60))))
                create_annotation(first, doc_id, s, e, "quote")
            records = list(annotation_records(first))
        new = old
        for _ in range(data.draw(st.integers(1, 3))):
            pos = data.draw(st.integers(0, len(new)))
            new = new[:pos] + data.draw(sentence) + new[pos + data.draw(st.integers(0, 30)) :]
        new = clean_text(new)
        if not new or new == old:
            return
        path = Path(folder) / "export.jsonl"
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        with open_store(Path(folder) / "second.db") as second:
            with second.transaction() as db:
                add_document(db, NewDocument(text=new, title="T", url="http://x/a"))
            report = import_annotations(second, path)
            placed = {a.id: a for a in second.annotations()}
            review = {r[0] for r in second.db.execute("SELECT id FROM review")}
            for record in records:
                assert (record["id"] in placed) != (record["id"] in review)
                if record["id"] in placed:
                    text = placed[record["id"]].text
                    assert (
                        text == record["text"]
                        or fuzz.ratio(record["text"], text) >= MIN_QUOTE_SCORE
                    )
            assert report.records == len(records)
            assert_consistent(second.db.conn)
