"""Passage alignment over whole articles: a statement linked wherever it sits.

Each case is a small pair of hand-written articles. A link's sides are document
offsets (`text == document[start:end]`); these tests check that each side is exactly
the words a reader would want highlighted, not the sentence around them.
"""

from __future__ import annotations

import sys
from pathlib import Path

from store import NewDocument, add_document
from store.importing.sentences import split_sentences
from store.links import echoes, relink, sentence_units
from store.matching.linking import Index, Unit, link_units

STATEMENT = (
    "Negotiators from both delegations will return to Geneva next month to finish "
    "the draft agreement on prisoner exchanges"
)


def article(name: str, *sentences: str) -> tuple[str, list[Unit]]:
    """An article whose sentences are separated by one space, and its sentence units."""
    units, offset = [], 0
    for seq, text in enumerate(sentences):
        units.append(Unit(name, offset, offset + len(text), text, seq=seq))
        offset += len(text) + 1
    return " ".join(sentences), units


def linked(*articles: tuple[str, list[Unit]]) -> list[tuple[str, str]]:
    """Each link as the two aligned texts (in the order of the articles given)."""
    texts = {units[0].doc: text for text, units in articles}
    order = [units[0].doc for _, units in articles]
    out = []
    for m in link_units([u for _, units in articles for u in units]):
        sides = sorted((m.a, m.b), key=lambda s: order.index(s.doc))
        out.append(tuple(texts[s.doc][s.match_start : s.match_end] for s in sides))
    return out


def test_a_quote_inside_a_reporters_sentence_links_just_the_quoted_words():
    full = article(
        "full", "The talks ended without a deal on Monday.", STATEMENT + ", the ministry said."
    )
    quoted = article(
        "quoted",
        "Markets barely moved.",
        'Envoy Mark Kellogg said "negotiators from both delegations will return to Geneva next '
        'month to finish the draft agreement" on Tuesday.',
    )
    assert linked(full, quoted) == [
        (
            "Negotiators from both delegations will return to Geneva next month to finish the "
            "draft agreement",
            "negotiators from both delegations will return to Geneva next month to finish the "
            "draft agreement",
        )
    ]


def test_a_copy_without_punctuation_running_into_the_next_sentence():
    full = article(
        "full",
        "Rates were left alone.",
        STATEMENT + ", a senior official at the foreign ministry told reporters in Vienna.",
    )
    stripped = article(
        "stripped",
        "negotiators from both delegations will return to geneva next month to finish the draft "
        "agreement on prisoner exchanges analysts expect little from the meeting in the spring.",
    )
    assert linked(full, stripped) == [
        (
            STATEMENT,
            "negotiators from both delegations will return to geneva next month to finish the "
            "draft agreement on prisoner exchanges",
        )
    ]


def test_a_trimmed_and_reworded_copy():
    full = article(
        "full",
        "Both governments agreed to release the detained fishermen before the talks restart in "
        "the coming days, a senior diplomat told reporters in Oslo.",
    )
    reworded = article(
        "reworded",
        "The weather was calm.",
        "Both governments agreed to free the detained fishermen before the talks resume in the "
        "coming days.",
    )
    assert linked(full, reworded) == [
        (
            "Both governments agreed to release the detained fishermen before the talks restart "
            "in the coming days",
            "Both governments agreed to free the detained fishermen before the talks resume in "
            "the coming days",
        )
    ]


def test_a_statement_split_over_two_sentences_links_once_and_touches_both():
    whole = article(
        "whole",
        "Russia will withdraw its troops from the northern border region by the end of March, "
        "and it will allow international monitors to inspect the abandoned sites.",
    )
    split = article(
        "split",
        "Russia will withdraw its troops from the northern border region by the end of March.",
        "It will also allow international monitors to inspect the abandoned sites.",
        "Nobody believes it.",
    )
    assert linked(whole, split) == [
        (
            whole[0][:-1],
            "Russia will withdraw its troops from the northern border region by the end of "
            "March. It will also allow international monitors to inspect the abandoned sites",
        )
    ]
    index = Index.build([*whole[1], *split[1]])
    for sentence in (0, 1):
        i = index.find("split", split[1][sentence].start, split[1][sentence].end)
        assert [m.method for m in index.matches_for(i)] == [m.method for m in link_units(index)]


def test_a_statement_of_common_words_in_a_corpus_where_every_bigram_is_common():
    """Every word pair of the statement is found in more sentences than the bigram
    index keeps (`df_cap`), so sentence units never meet; its 4-grams are still rare."""
    said = "We will not give up and we will keep working with our partners for peace"
    words = said.lower().split()
    bigrams = [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    filler = [
        article(f"filler{k:03d}", " ".join(f"{p} w{k}x{j}" for j, p in enumerate(bigrams)) + ".")
        for k in range(120)
    ]
    full = article("full", f'"{said}," the minister told parliament.')
    quoted = article("quoted", f"On Tuesday she said {said[0].lower()}{said[1:]} and left.")
    found = linked(full, quoted, *filler)
    assert found == [(said, said[0].lower() + said[1:])]


def test_stock_phrases_and_names_are_not_linked():
    first = article(
        "first",
        "The airline did not immediately respond to a request for comment on the new rules.",
        "European Commission President Ursula von der Leyen, speaking at a news conference in "
        "Brussels, promised more money for farmers.",
    )
    second = article(
        "second",
        "A spokesman for the ministry did not immediately respond to a request for comment.",
        "European Commission President Ursula von der Leyen, speaking at a news conference in "
        "Brussels on Monday, dismissed the report as speculation.",
    )
    assert linked(first, second) == []


def test_a_stored_passage_link_shows_on_every_sentence_it_touches(store):
    """`sidenote link` stores the passage; the Echoes panel of either sentence it runs
    over shows it, with the aligned words of the other article."""
    whole_text = (
        "The ceasefire held overnight. "
        + STATEMENT
        + ", a senior official at the foreign ministry told reporters in Vienna on Friday."
    )
    split_text = (
        "Negotiators from both delegations will return to Geneva next month. They will finish "
        "the draft agreement on prisoner exchanges, officials in Kyiv and Moscow said late on "
        "Friday after a long day of meetings in the Austrian capital."
    )
    with store.transaction() as db:
        whole, _ = add_document(db, NewDocument(text=whole_text, title="Whole", source="W"))
        split, _ = add_document(db, NewDocument(text=split_text, title="Split", source="S"))
    report = relink(store)
    assert report.by_method == {"passage": 1}
    sentences = [u for u in sentence_units(store) if u.doc == split]
    assert len(sentences) == 2
    for sentence in sentences:
        (echo,) = echoes(store, split, sentence.start, sentence.end)
        assert echo.method == "passage" and echo.doc_id == whole
        assert whole_text[echo.match_start : echo.match_end] == STATEMENT
        assert split_text[echo.this_start : echo.this_end] == (
            "Negotiators from both delegations will return to Geneva next month. They will "
            "finish the draft agreement on prisoner exchanges"
        )


def test_one_sentence_gets_exactly_the_links_the_whole_corpus_run_makes_that_touch_it():
    """What the Echoes panel finds for a sentence (`Index.matches_for`) is what
    `sidenote link` stores for it, passages included, on a generated corpus with
    every kind of echo planted."""
    benchmarks = str(Path(__file__).resolve().parents[2] / "benchmarks")
    sys.path.insert(0, benchmarks)
    try:
        from echo_corpus import generate
    finally:
        sys.path.remove(benchmarks)
    corpus = generate(400, seed=5, vocabulary="common")
    units = []
    for name, text in corpus.docs.items():
        for seq, (start, end) in enumerate(split_sentences(text)):
            units.append(Unit(name, start, end, text[start:end], seq=seq))
    index = Index.build(units)
    everything = link_units(index)
    assert any(m.method == "passage" for m in everything)
    passages = [s for m in everything if m.method == "passage" for s in (m.a, m.b)]
    for i, unit in enumerate(units):
        near = any(s.doc == unit.doc and s.start < unit.end and unit.start < s.end
                   for s in passages)  # fmt: skip
        if not near and i % 5:
            continue  # every sentence a passage touches, and a fifth of the others
        touching = {
            m.pair_key
            for m in everything
            for s in (m.a, m.b)
            if s.doc == unit.doc
            and (
                s.start < unit.end and unit.start < s.end
                if m.method == "passage"
                else s.start <= unit.start and unit.end <= s.end
            )  # fmt: skip
        }
        assert {m.pair_key for m in index.matches_for(i)} == touching, unit.text
