"""Stored links: relinking, echoes of one span, accepting and rejecting, and the seeds."""

from __future__ import annotations

import pytest

from store import NewDocument, add_document, create_annotation, undo
from store.links import (
    accept,
    echo_spans,
    echoes,
    link_counts,
    list_links,
    reject,
    relink,
    sentence_units,
)

QUOTE = (
    "“We are ready to send peacekeeping troops to Ukraine as soon as a ceasefire is signed, "
    "but only with American air cover and intelligence support,” the minister told reporters "
    "in Paris on Tuesday."
)
SHORT = (
    "'We are ready to send peacekeeping troops to Ukraine as soon as a ceasefire is signed,' "
    "the minister said."
)
REWORDED = QUOTE.replace("ready", "prepared").replace("Tuesday", "Wednesday")
TAGGED = "send peacekeeping troops to Ukraine as soon as a ceasefire is signed"


def add(store, title: str, *sentences: str) -> str:
    with store.transaction() as db:
        doc_id, _ = add_document(db, NewDocument(text=" ".join(sentences), title=title,
                                                 source=f"{title} News"))  # fmt: skip
    return doc_id


@pytest.fixture
def three(store):
    """The same quote in three articles: whole, trimmed, reworded."""
    a = add(store, "Alpha", "The talks in Paris lasted for more than four hours.", QUOTE)
    b = add(store, "Beta", SHORT, "Markets in Europe closed slightly higher on Tuesday.")
    c = add(store, "Gamma", "A spokesman declined to comment on the report.", REWORDED)
    return store, a, b, c


def keys(store, status=None) -> set[str]:
    return {row.id for row in list_links(store, status)}


def test_relink_stores_each_pair_once_with_counts_by_method(three):
    store, a, b, c = three
    report = relink(store)
    assert report.found == 3 and report.new == 3
    # whole-short: trimmed; whole-reworded: reworded; short-reworded: both, so reworded.
    assert report.by_method == {"trimmed": 1, "reworded": 2}
    again = relink(store)
    assert again.new == 0 and again.kept == 3
    assert len(keys(store)) == 3


def test_jsonl_shape_and_text_is_the_document_slice(three):
    store, a, b, c = three
    relink(store)
    for row in list_links(store):
        shape = row.as_dict()
        assert list(shape) == ["id", "score", "method", "status", "cluster", "a", "b"]
        for side in (shape["a"], shape["b"]):
            assert list(side) == ["doc_id", "start", "end", "text", "annotation_id"]
            assert side["text"] == store.document(side["doc_id"]).text[side["start"]:side["end"]]


def test_rejected_pair_stays_rejected_across_relink_and_rebuild(three):
    store, a, b, c = three
    relink(store)
    victim = next(r for r in list_links(store) if {r.a.doc_id, r.b.doc_id} == {a, c})
    reject(store, victim.id)
    for rebuild in (False, True):
        report = relink(store, rebuild=rebuild)
        assert report.rejected_skipped == 1
        assert keys(store, "rejected") == {victim.id}
        assert len(keys(store, "suggested")) == 2


def test_confirmed_link_survives_a_rebuild_at_a_threshold_that_no_longer_finds_it(three):
    store, a, b, c = three
    relink(store)
    rows = list(list_links(store))
    whole_reworded = next(r for r in rows if {r.a.doc_id, r.b.doc_id} == {a, c})
    whole_short = next(r for r in rows if {r.a.doc_id, r.b.doc_id} == {a, b})
    accept(store, whole_reworded.id)
    report = relink(store, threshold=99, rebuild=True)
    # At 99 neither the reworded quote nor the trimmed one is similar enough as whole
    # sentences; the trimmed one's aligned passage is, and the suggestion moves there
    # (one link per pair of places) instead of being dropped and added again...
    assert report.dropped == 0
    moved = next(r for r in list_links(store) if r.id == whole_short.id)
    assert moved.method == "passage" and moved.score == 100
    assert whole_short.a.start <= moved.a.start < moved.a.end <= whole_short.a.end
    # ...but what the reader confirmed stays.
    assert keys(store, "confirmed") == {whole_reworded.id}


def test_echoes_of_a_new_annotation_find_the_quote_elsewhere_without_relinking(three):
    store, a, b, c = three
    text_a = store.document(a).text
    start = text_a.index(TAGGED)
    annotation = create_annotation(store, a, start, start + len(TAGGED), "quote")
    found = echoes(store, a, annotation.start, annotation.end, annotation.id)
    assert {e.doc_id for e in found} == {b, c}
    for echo in found:
        other = store.document(echo.doc_id).text
        assert TAGGED.lower() in other[echo.match_start:echo.match_end].lower()
        assert echo.title in ("Beta", "Gamma") and echo.source.endswith("News")
    assert echo_spans(store, b)  # stored: the other article can mark its sentence


def test_echoes_never_show_a_rejected_link_and_keep_confirmed_ones(three):
    store, a, b, c = three
    sentence = next(u for u in sentence_units(store) if u.doc == a and "peacekeeping" in u.text)
    first = echoes(store, a, sentence.start, sentence.end)
    assert {e.doc_id for e in first} == {b, c}
    to_b = next(e for e in first if e.doc_id == b)
    to_c = next(e for e in first if e.doc_id == c)
    reject(store, to_b.link_id)
    accept(store, to_c.link_id)
    second = echoes(store, a, sentence.start, sentence.end)
    assert [(e.doc_id, e.status) for e in second] == [(c, "confirmed")]


def test_incremental_echoes_store_the_same_links_as_a_batch_relink(three, store):
    store, a, b, c = three
    d = add(store, "Delta", SHORT.replace("minister", "foreign minister"), QUOTE)
    text_d = store.document(d).text
    start = text_d.index(TAGGED)
    create_annotation(store, d, start, start + len(TAGGED), "quote")

    def snapshot():
        return {(r.a.doc_id, r.a.start, r.b.doc_id, r.b.start,
                 r.method, r.score) for r in list_links(store)}  # fmt: skip

    for unit in sentence_units(store):
        echoes(store, unit.doc, unit.start, unit.end)
    for ann in store.annotations():
        echoes(store, ann.doc_id, ann.start, ann.end, ann.id)
    incremental = snapshot()
    store.db.execute("DELETE FROM links")
    relink(store)
    assert incremental and incremental == snapshot()


def test_accept_tags_the_matching_span_elsewhere_with_the_same_label_and_undo_reverts(three):
    store, a, b, c = three
    text_a = store.document(a).text
    start = text_a.index(TAGGED)
    mine = create_annotation(store, a, start, start + len(TAGGED), "proposal", speaker="minister")
    echo = next(e for e in echoes(store, a, mine.start, mine.end, mine.id) if e.doc_id == b)
    made = accept(store, echo.link_id)
    assert made is not None and made.doc_id == b
    assert made.label == "proposal" and made.speaker == "minister"
    assert made.text.lower().startswith("send peacekeeping troops")
    assert made.text == store.document(b).text[made.start:made.end]
    row = next(r for r in list_links(store) if r.id == echo.link_id)
    assert row.status == "confirmed"
    assert made.id in (row.a.annotation_id, row.b.annotation_id)

    change = undo(store)
    assert change is not None and change.description == "accept link"
    assert store.annotations(b) == []
    row = next(r for r in list_links(store) if r.id == echo.link_id)
    assert row.status == "suggested"


def _sentence_link_to(store, a, b) -> dict:
    """The stored sentence-level link between two articles (from `sidenote link`)."""
    return next(r for r in list_links(store) if {r.a.doc_id, r.b.doc_id} == {a, b})


def _accept_from_echoes_tags_the_other_side(store, a, b, tagged: tuple[int, int], label: str):
    annotation = create_annotation(store, a, *tagged, label)
    echo = next(e for e in echoes(store, a, *tagged, annotation.id) if e.doc_id == b)
    made = accept(store, echo.link_id)
    assert made is not None and made.doc_id == b and made.label == label
    text_b = store.document(b).text
    assert made.text == text_b[made.start : made.end]
    assert TAGGED.lower() in made.text.lower()
    row = next(r for r in list_links(store) if r.id == echo.link_id)
    assert {row.a.annotation_id, row.b.annotation_id} == {annotation.id, made.id}
    return echo, made


def test_tagging_a_linked_sentence_then_accepting_its_echo_tags_the_other_article(three):
    store, a, b, c = three
    relink(store)
    link = _sentence_link_to(store, a, b)
    side = link.a if link.a.doc_id == a else link.b
    assert side.annotation_id is None
    echo, made = _accept_from_echoes_tags_the_other_side(
        store, a, b, (side.start, side.end), "claim"
    )
    assert echo.link_id == link.id


def test_tagging_a_quote_inside_a_linked_sentence_then_accepting_tags_the_other_article(three):
    store, a, b, c = three
    relink(store)
    link = _sentence_link_to(store, a, b)
    side = link.a if link.a.doc_id == a else link.b
    # A quote too short to be a unit of its own: its echo is the sentence's link.
    start = store.document(a).text.index("peacekeeping troops", side.start)
    tagged = (start, start + len("peacekeeping troops"))
    echo, made = _accept_from_echoes_tags_the_other_side(store, a, b, tagged, "quote")
    assert echo.link_id == link.id


def test_a_rebuild_keeps_the_annotation_echoes_recorded_inside_a_linked_sentence(three):
    store, a, b, c = three
    relink(store)
    link = _sentence_link_to(store, a, b)
    side = "a" if link.a.doc_id == a else "b"
    start = store.document(a).text.index("peacekeeping troops", getattr(link, side).start)
    quote = create_annotation(store, a, start, start + len("peacekeeping troops"), "quote")
    echoes(store, a, quote.start, quote.end, quote.id)
    relink(store, rebuild=True)
    row = next(r for r in list_links(store) if r.id == link.id)
    assert getattr(row, side).annotation_id == quote.id


def test_relink_records_an_annotation_made_on_a_linked_sentence(three):
    store, a, b, c = three
    relink(store)
    link = _sentence_link_to(store, a, b)
    side = "a" if link.a.doc_id == a else "b"
    span = getattr(link, side)
    annotation = create_annotation(store, a, span.start, span.end, "claim")
    relink(store)
    row = next(r for r in list_links(store) if r.id == link.id)
    assert getattr(row, side).annotation_id == annotation.id
    made = accept(store, link.id)
    assert made is not None and made.doc_id == b and made.label == "claim"
    assert made.text == store.document(b).text[made.start : made.end]


def test_after_accepting_the_echo_shows_confirmed_and_nothing_suggests_the_pair_again(three):
    store, a, b, c = three
    start = store.document(a).text.index(TAGGED)
    mine = create_annotation(store, a, start, start + len(TAGGED), "quote")
    echo = next(e for e in echoes(store, a, mine.start, mine.end, mine.id) if e.doc_id == b)
    made = accept(store, echo.link_id)
    # The tag made on the other side is a unit of its own now, and matches ours
    # exactly; but the two annotations are joined already.
    again = [e for e in echoes(store, a, mine.start, mine.end, mine.id) if e.doc_id == b]
    assert [(e.link_id, e.status) for e in again] == [(echo.link_id, "confirmed")]
    relink(store)
    pair = {mine.id, made.id}
    joined = [r.id for r in list_links(store)
              if {r.a.annotation_id, r.b.annotation_id} == pair]  # fmt: skip
    assert joined == [echo.link_id]


def test_accepting_twice_reuses_the_identical_annotation(three):
    store, a, b, c = three
    start = store.document(a).text.index(TAGGED)
    mine = create_annotation(store, a, start, start + len(TAGGED), "quote")
    echo = next(e for e in echoes(store, a, mine.start, mine.end, mine.id) if e.doc_id == b)
    first = accept(store, echo.link_id)
    undo(store)
    existing = create_annotation(store, b, first.start, first.end, "quote")
    again = accept(store, echo.link_id)
    assert again.id == existing.id and len(store.annotations(b)) == 1


def test_reject_is_undoable(three):
    store, a, b, c = three
    relink(store)
    link_id = next(iter(keys(store)))
    reject(store, link_id)
    assert keys(store, "rejected") == {link_id}
    undo(store)
    assert keys(store, "rejected") == set()


def test_counts_per_document_ignore_rejected_links(three):
    store, a, b, c = three
    relink(store)
    assert link_counts(store) == {a: 2, b: 2, c: 2}
    victim = next(r for r in list_links(store) if {r.a.doc_id, r.b.doc_id} == {b, c})
    reject(store, victim.id)
    assert link_counts(store) == {a: 2, b: 1, c: 1}


def test_furniture_in_a_document_never_links(store):
    furniture = (
        "Subscribe now to our weekly round-up and don't miss a beat with your favorite "
        "contributors and newsletter."
    )
    add(store, "One", "The first article is about the harvest in Kherson this year.", furniture)
    add(store, "Two", "The second article is about grain exports through Odesa.", furniture)
    assert relink(store).found == 0


def test_seeds_link_the_same_statements_in_two_agencies_reports_and_nothing_else(seeded_store):
    """Decided by reading every pair: the two AP reports (The Mainichi, Japan Today)
    share von der Leyen's Article 5 quote and the lede on Putin's security-guarantee
    concession; nothing else in the seeds is the same statement."""
    report = relink(seeded_store)
    rows = list(list_links(seeded_store))
    assert report.found == len(rows) == 2
    texts = [row.a.text + " || " + row.b.text for row in rows]
    assert any(t.count("Article 5-like security guarantees for Ukraine") == 2 for t in texts)
    assert any(t.count("security guarantee resembling NATO's collective defense mandate") == 2
               for t in texts)  # fmt: skip
    sources = {seeded_store.document(getattr(row, side).doc_id).source for row in rows
               for side in ("a", "b")}  # fmt: skip
    assert sources == {"The Mainichi", "Japan Today"}
