"""What accepting a link writes on the other side, and that the statement, its spread,
its report and search then show that article once, at the annotation's span."""

from __future__ import annotations

import pytest

from store import NewDocument, add_document, create_annotation, statement_of
from store.exchange.brief import brief_markdown
from store.links import accept, echoes, list_links, relink
from store.quotes.reported import speaker_in
from store.search import search

MAINICHI = "d1477ab7147860cc"  # AP's report as The Mainichi ran it
JAPAN_TODAY = "fc1fd47365bdf21b"  # "European leaders to join Ukraine's Zelenskyy …"
WITKOFF = "Special U.S. envoy Steve Witkoff said Sunday that Putin agreed"


def add(store, title: str, text: str) -> str:
    with store.transaction() as db:
        doc_id, _ = add_document(db, NewDocument(text=text, title=title, source=f"{title} News"))
    return doc_id


def places_in(doc_id: str, places) -> list[tuple[int, int]]:
    return [(p.start, p.end) for p in places if p.doc_id == doc_id]


@pytest.fixture
def accepted_lede(seeded_store):
    """The outside user's steps: `q` on the AP lede with a speaker, ctrl+k, `a` on the
    trimmed echo in Japan Today (Witkoff's sentence)."""
    store = seeded_store
    relink(store)
    lede = store.document(MAINICHI).text
    end = lede.index(" Trump envoy Steve Witkoff")
    mine = create_annotation(store, MAINICHI, 0, end, "quote", speaker="U.S. official")
    echo = next(e for e in echoes(store, MAINICHI, 0, end, mine.id) if e.doc_id == JAPAN_TODAY)
    made = accept(store, echo.link_id)
    return store, echo, made


def test_accepting_a_whole_sentence_tags_the_whole_sentence_on_the_other_side(accepted_lede):
    store, echo, made = accepted_lede
    text = store.document(JAPAN_TODAY).text
    start = text.index(WITKOFF)
    end = text.index("the 3 1/2-year war.", start) + len("the 3 1/2-year war.")
    assert (made.doc_id, made.start, made.end) == (JAPAN_TODAY, start, end)
    assert made.text == text[start:end]


def test_after_accepting_spread_report_and_search_show_japan_today_once(accepted_lede):
    store, echo, made = accepted_lede
    statement = statement_of(store, echo.link_id)
    assert places_in(JAPAN_TODAY, statement.members) == [(made.start, made.end)]
    member = next(m for m in statement.members if m.doc_id == JAPAN_TODAY)
    assert member.annotation_id == made.id and member.text == made.text
    report = brief_markdown(statement)
    assert report.count(f"Article: `{JAPAN_TODAY}`") == 1
    assert f"Article: `{JAPAN_TODAY}`, characters {made.start}\u2013{made.end}" in report
    group = next(g for g in search(store, "security guarantee") if g.key == statement.id)
    assert places_in(JAPAN_TODAY, group.appearances) == [(made.start, made.end)]
    assert group.statement.startswith(("NEW YORK (AP)", WITKOFF))


def test_accepting_takes_the_speaker_the_other_article_names(accepted_lede):
    store, echo, made = accepted_lede
    assert made.speaker == "Steve Witkoff"


# -- a quote inside a longer sentence ------------------------------------------------------

QUOTE = "we will send peacekeeping troops to Ukraine as soon as a ceasefire is signed"
ALPHA = (
    "The talks in Paris lasted for more than four hours. The minister, speaking after four "
    f"hours of talks with her counterparts in Paris on Tuesday, said that '{QUOTE}' and left "
    "without taking questions."
)
BETA = (
    "Markets in Europe closed slightly higher. Dmitry Peskov, asked about the plans late on "
    f"Wednesday in Moscow by reporters from several agencies, said: '{QUOTE[0].upper()}"
    f"{QUOTE[1:]}.'"
)


def quote_accepted(store, speaker: str, beta: str = BETA):
    a, b = add(store, "Alpha", ALPHA), add(store, "Beta", beta)
    start = ALPHA.index(QUOTE)
    mine = create_annotation(store, a, start, start + len(QUOTE), "quote", speaker=speaker)
    echo = next(e for e in echoes(store, a, mine.start, mine.end, mine.id) if e.doc_id == b)
    return b, echo, accept(store, echo.link_id)


def test_a_quote_inside_a_longer_sentence_tags_the_aligned_words_shown_once(store):
    b, echo, made = quote_accepted(store, "the minister")
    assert made.text.casefold() == QUOTE.casefold()  # not Beta's whole sentence
    statement = statement_of(store, echo.link_id)
    assert places_in(b, statement.members) == [(made.start, made.end)]
    groups = [g for g in search(store, "peacekeeping troops") if places_in(b, g.appearances)]
    assert [g.key for g in groups] == [statement.id]
    assert places_in(b, groups[0].appearances) == [(made.start, made.end)]


def test_the_speaker_is_carried_unless_the_other_article_names_someone_else(store):
    b, echo, made = quote_accepted(store, "Maria Zakharova")
    assert made.speaker == "Dmitry Peskov"


def test_the_same_person_named_differently_keeps_the_speaker_given(store):
    b, echo, made = quote_accepted(store, "Peskov")
    assert made.speaker == "Peskov"


def test_the_speaker_is_carried_when_the_other_article_names_nobody(store):
    anonymous = BETA.replace("Dmitry Peskov, asked about the plans", "Asked about the plans")
    anonymous = anonymous.replace(", said: '", ", the answer was: '")
    b, echo, made = quote_accepted(store, "Maria Zakharova", anonymous)
    assert made.speaker == "Maria Zakharova"
    assert [r.status for r in list_links(store) if r.id == echo.link_id] == ["confirmed"]


@pytest.mark.parametrize("sentence", [
    "Security guarantees for Ukraine, France and Germany are said to be part of the talks.",
    "Guarantees for Ukraine were said by France to matter a great deal to Kyiv.",
    "Officials were widely said to agree on the ceasefire terms before the summit.",
])
def test_a_passive_speech_verb_names_no_speaker(sentence):
    # "are said to be": the words before the verb are what was said, not who said it,
    # so accepting a link must not take them as the other article's speaker.
    assert speaker_in(sentence, 0, len(sentence)) is None
