"""The Echoes panel's index, reused call after call, answers as a fresh one would.

The app keeps one `Index` per store and, for a span that is not a unit yet, adds it
for the call and drops it again; the index keeps its per-unit columns and the passage
alignments of each article between calls. What it answers must not depend on what was
asked before.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from store import NewDocument, Store, add_document, open_store
from store.importing.sentences import split_sentences
from store.links import echoes, list_links, relink
from store.matching.linking import Index, Unit, link_units


@pytest.fixture(scope="module")
def units() -> list[Unit]:
    benchmarks = str(Path(__file__).resolve().parents[2] / "benchmarks")
    sys.path.insert(0, benchmarks)
    try:
        from echo_corpus import generate
    finally:
        sys.path.remove(benchmarks)
    corpus = generate(400, seed=5, vocabulary="common")
    found = []
    for name, text in corpus.docs.items():
        for seq, (start, end) in enumerate(split_sentences(text)):
            found.append(Unit(name, start, end, text[start:end], seq=seq))
    return found


def _keys(matches) -> set[tuple]:
    return {(m.pair_key, m.method, m.score, m.a.match_start, m.b.match_start) for m in matches}


def test_after_temporary_spans_come_and_go_each_answer_is_a_fresh_indexs(units):
    everything = link_units(Index.build(units))
    touched = {(s.doc, s.start) for m in everything for s in (m.a, m.b)}
    asked = [i for i, u in enumerate(units) if (u.doc, u.start) in touched][:16]
    asked += list(range(0, len(units), 80))
    reference = Index.build(units)
    kept = Index.build(units)
    for i in asked:
        unit = units[i]
        # A quote tagged inside the sentence: a unit of its own for one call.
        cut = unit.text.rfind(" ", 0, len(unit.text) * 2 // 3)
        quote = Unit(unit.doc, unit.start, unit.start + cut, unit.text[:cut], annotation_id="q")
        mark = len(kept)
        kept.extend([quote])
        temporary = _keys(kept.matches_for(mark))
        kept.truncate(mark)
        fresh = Index.build(units)
        fresh.extend([quote])
        assert temporary == _keys(fresh.matches_for(len(units))), quote.text
        assert _keys(kept.matches_for(i)) == _keys(reference.matches_for(i)), unit.text


def test_echoes_of_every_sentence_are_the_links_the_whole_corpus_run_stores(units):
    """Asked sentence after sentence, each article's passages aligned a pair at a time
    and kept: the links stored are `sidenote link`'s, no more and no fewer."""
    asked, linked = _store_of(units), _store_of(units)
    rows = asked.db.execute('SELECT doc_id, start, "end" FROM sentences ORDER BY doc_id, idx')
    for doc_id, start, end in rows.fetchall():
        echoes(asked, doc_id, start, end)
    relink(linked)
    incremental = _stored(asked)
    assert any(method == "passage" for method, *_ in incremental)
    assert incremental == _stored(linked)


def _store_of(units: list[Unit]) -> Store:
    texts: dict[str, list[Unit]] = {}
    for unit in units:
        texts.setdefault(unit.doc, []).append(unit)
    store = open_store(":memory:")
    with store.transaction() as db:
        for name, members in texts.items():
            # One sentence a line: the store's sentences are the units above.
            add_document(db, NewDocument(text="\n".join(u.text for u in members), title=name))
    return store


def _stored(store: Store) -> set[tuple]:
    return {
        (link.method, link.score, link.a.doc_id, link.a.start, link.a.end, link.b.doc_id,
         link.b.start, link.b.end)
        for link in list_links(store)
    }  # fmt: skip
