"""The linking decisions, on hand-made pairs whose right answer we decided by reading them.

Each test builds documents of a few sentences (`doc`) and asks `link_units` which
statements it links. Expected decisions come from reading the texts, never from the
code's output.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from rapidfuzz import fuzz, process

from store.matching.linking import (
    Index,
    Unit,
    cluster_id,
    link_units,
    normalise,
    pair_key,
    span_key,
    token_spans,
)

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"


def doc(name: str, *sentences: str) -> tuple[str, list[Unit]]:
    """A document whose sentences are separated by one space."""
    units, offset = [], 0
    for seq, text in enumerate(sentences):
        units.append(Unit(name, offset, offset + len(text), text, seq=seq))
        offset += len(text) + 1
    return " ".join(sentences), units


def link(*docs: tuple[str, list[Unit]], extra: list[Unit] = ()) -> list:
    return link_units([u for _, units in docs for u in units] + list(extra))


def linked_texts(matches, *docs) -> set[frozenset[str]]:
    texts = {name: text for name, text in ((d[1][0].doc, d[0]) for d in docs)}
    return {frozenset((texts[m.a.doc][m.a.start : m.a.end], texts[m.b.doc][m.b.start : m.b.end]))
            for m in matches}  # fmt: skip


QUOTE = (
    "“We are ready to send peacekeeping troops to Ukraine as soon as a ceasefire is signed, "
    "but only with American air cover and intelligence support,” the minister told reporters "
    "in Paris on Tuesday."
)
FILLER_A = "The talks in Paris lasted for more than four hours behind closed doors."
FILLER_B = "Markets in Europe closed slightly higher after a quiet session on Tuesday."


def test_same_quote_with_other_punctuation_and_case_is_exact():
    a = doc("a", FILLER_A, QUOTE)
    shouted = (
        '"WE ARE READY TO SEND PEACEKEEPING TROOPS TO UKRAINE AS SOON AS A CEASEFIRE IS SIGNED '
        '-- BUT ONLY WITH AMERICAN AIR COVER AND INTELLIGENCE SUPPORT," THE MINISTER TOLD '
        "REPORTERS IN PARIS ON TUESDAY."
    )
    b = doc("b", shouted, FILLER_B)
    (match,) = link(a, b)
    assert match.method == "exact" and match.score == 100


def test_trimmed_quote_is_linked_and_the_aligned_part_is_recorded():
    short = (
        "'We are ready to send peacekeeping troops to Ukraine as soon as a ceasefire is "
        "signed,' the minister said."
    )
    a = doc("a", FILLER_A, QUOTE)
    b = doc("b", FILLER_B, short)
    (match,) = link(a, b)
    assert match.method == "trimmed"
    long_side = match.a if match.a.doc == "a" else match.b
    aligned = a[0][long_side.match_start : long_side.match_end]
    assert aligned.startswith("We are ready to send peacekeeping troops")
    assert "air cover" not in aligned  # the part the short version dropped is not matched


def test_quote_tagged_inside_a_longer_sentence_links_on_its_own():
    tagged = "send peacekeeping troops to Ukraine as soon as a ceasefire is signed"
    text_b, units_b = doc("b", FILLER_B, f"Paris has promised to {tagged}, officials said.")
    start = text_b.index(tagged)
    annotation = Unit("b", start, start + len(tagged), tagged, annotation_id="ann-1")
    matches = link(doc("a", FILLER_A, QUOTE), (text_b, units_b), extra=[annotation])
    sides = {(m.a.doc, m.a.start, m.a.end) for m in matches} | {
        (m.b.doc, m.b.start, m.b.end) for m in matches
    }
    assert ("b", annotation.start, annotation.end) in sides


def test_reworded_quote_is_linked_as_reworded():
    reworded = QUOTE.replace("ready", "prepared").replace("Tuesday", "Wednesday")
    (match,) = link(doc("a", QUOTE, FILLER_A), doc("b", reworded, FILLER_B))
    assert match.method == "reworded"
    assert 85 <= match.score < 100


@pytest.mark.parametrize(
    "first,second",
    [
        # Same stock opening, different statements.
        (
            "President Donald Trump said on Sunday that the new tariffs on Chinese steel "
            "would take effect next month.",
            "President Donald Trump said on Sunday that the war in Ukraine had gone on far "
            "too long.",
        ),
        # Only names and titles in common.
        (
            "Russian President Vladimir Putin met Chinese President Xi Jinping in Moscow on "
            "Friday.",
            "Russian President Vladimir Putin met Indian Prime Minister Narendra Modi in "
            "Moscow on Friday.",
        ),
        # A short sentence that is nothing but a stock phrase, inside a longer one.
        (
            "Ukrainian President Volodymyr Zelenskyy said on Sunday.",
            "Ukrainian President Volodymyr Zelenskyy said on Sunday that the war in Ukraine "
            "would not end with a frozen front line.",
        ),
    ],
)
def test_sentences_sharing_only_stock_phrases_or_names_are_not_linked(first, second):
    assert link(doc("a", FILLER_A, first), doc("b", second, FILLER_B)) == []


def test_page_furniture_is_too_short_to_link():
    furniture = ["Follow us on social", "Comments", "Try Our AI Features", "Read more"]
    assert link(doc("a", *furniture), doc("b", *furniture)) == []


def test_sentences_of_the_same_document_never_link():
    assert link(doc("a", QUOTE, FILLER_A, QUOTE)) == []


def test_statement_split_in_two_sentences_links_to_both_together():
    whole = (
        '"We welcome President Trump\'s willingness to contribute to Article 5-like security '
        "guarantees for Ukraine and the 'coalition of the willing' -- including the European "
        'Union -- is ready to do its share," she said.'
    )
    first = (
        "European Commission President Ursula von der Leyen, speaking at a news conference in "
        "Brussels with Zelenskyy, said 'we welcome President Trump's willingness to contribute "
        "to Article 5-like security guarantees for Ukraine."
    )
    second = (
        "And the 'Coalition of the willing' -- including the European Union -- is ready to do "
        "its share.'"
    )
    a = doc("a", FILLER_A, whole)
    b = doc("b", FILLER_B, first, second)
    (match,) = link(a, b)
    b_side = match.a if match.a.doc == "b" else match.b
    assert b[0][b_side.start : b_side.end] == f"{first} {second}"


def test_statement_each_outlet_cut_differently_is_linked():
    mainichi = (
        "NEW YORK (AP) -- Russian leader Vladimir Putin agreed at his summit with President "
        "Donald Trump that the United States and its European allies could offer Ukraine a "
        "security guarantee resembling NATO's collective defense mandate as part of an "
        "eventual deal to end the war, a U.S. official said Sunday."
    )
    japan_today = (
        "Special U.S. envoy Steve Witkoff said Sunday that Putin agreed at the meeting in "
        "Alaska with Trump to allow the U.S. and European allies to offer Ukraine a security "
        "guarantee resembling NATO's collective defense mandate as part of an eventual deal to "
        "end the 3 1/2-year war."
    )
    (match,) = link(doc("a", mainichi, FILLER_A), doc("b", FILLER_B, japan_today))
    assert match.method == "trimmed"


def test_one_statement_in_three_documents_is_one_cluster_named_by_its_longest_member():
    short = (
        "'We are ready to send peacekeeping troops to Ukraine as soon as a ceasefire is "
        "signed,' the minister said."
    )
    other = "A spokesman for the alliance declined to comment on the report."
    docs = [doc("a", QUOTE, FILLER_A), doc("b", short, FILLER_B), doc("c", other, QUOTE)]
    matches = link(*docs)
    assert len(matches) == 3  # a-b, a-c, b-c
    # Both full quotes are longest; the tie goes to the first document.
    assert {m.cluster for m in matches} == {cluster_id("a", 0, len(QUOTE))}


def test_pair_key_is_the_same_from_either_side():
    one, two = span_key("d1", 0, 10), span_key("d2", 5, 9)
    assert pair_key(one, two) == pair_key(two, one)


def test_normalised_words_map_back_to_exact_offsets():
    text = "“Article 5–like” guarantees — for Ukraine’s army"
    words = normalise(text).split(" ")
    spans = token_spans(text)
    assert words == ["article", "5", "like", "guarantees", "for", "ukraine", "s", "army"]
    assert [text[s:e].lower() for s, e in spans] == words


# -- against the exhaustive arm and the planted truth, on a generated corpus ---------------


@pytest.fixture(scope="module")
def corpus():
    sys.path.insert(0, str(BENCHMARKS))
    try:
        from corpus_gen import generate
    finally:
        sys.path.remove(str(BENCHMARKS))
    return generate(3000, seed=11)


def _found(corpus, matches) -> set[tuple[int, int]]:
    span = {(u.doc, u.start, u.end): i for i, u in enumerate(corpus.units)}
    pairs = set()
    for m in matches:
        a, b = span.get((m.a.doc, m.a.start, m.a.end)), span.get((m.b.doc, m.b.start, m.b.end))
        if a is not None and b is not None:
            pairs.add((min(a, b), max(a, b)))
    return pairs


def test_blocking_finds_what_exhaustive_comparison_finds(corpus):
    norms = [normalise(u.text) for u in corpus.units]
    docs = np.array([u.doc for u in corpus.units])
    matrix = process.cdist(norms, norms, scorer=fuzz.ratio, score_cutoff=85, dtype=np.uint8,
                           workers=-1)  # fmt: skip
    rows, cols = np.nonzero(matrix)
    keep = (rows < cols) & (docs[rows] != docs[cols])
    exhaustive = set(zip(rows[keep].tolist(), cols[keep].tolist(), strict=True))
    truth = corpus.truth()
    ours = _found(corpus, link_units(corpus.units))
    assert exhaustive & truth  # the corpus has findable pairs
    assert len(ours & exhaustive & truth) >= 0.98 * len(exhaustive & truth)
    assert len(ours & truth) >= 0.85 * len(truth)  # trimmed quotes too, which ratio misses
    false = ours - corpus.related()
    assert len(false) <= 0.05 * len(ours)


def test_matching_one_unit_gives_the_same_links_as_the_whole_corpus(corpus):
    units = corpus.units[:800]
    batch = {(m.pair_key, m.method, m.score) for m in link_units(units)}
    index = Index.build(units)
    incremental = set()
    for i in range(len(units)):
        incremental |= {(m.pair_key, m.method, m.score) for m in index.matches_for(i)}
    assert batch and incremental == batch


def test_index_truncate_forgets_a_temporary_unit(corpus):
    units = corpus.units[:300]
    index = Index.build(units)
    before = (len(index), index.long_units, len(index.segments))
    mark = len(index)
    index.extend([Unit("zz", 0, len(QUOTE), QUOTE, annotation_id="tmp")])
    index.truncate(mark)
    assert (len(index), index.long_units, len(index.segments)) == before
    assert index.find("zz", 0, len(QUOTE)) is None
