"""The bundled pages become clean, separate articles."""

from __future__ import annotations

import json

import pytest

from store.corpus import bundled_seed_paths

# What a reader sees on these pages around the articles. Each phrase was read off
# the raw pages in seeds/ and must not survive into any article.
FURNITURE = [
    "Hashtags",
    "Try Our AI Features",
    "Explore what Daily8 AI can do for you",
    "No comments yet",
    "Related Articles",
    "keep reading",
    "Show less",
    "Top Photo Credit",
    "Top image credit",
    "Top photo credit",
    "Andrew Harnik/Getty Images",
    "REUTERS/El Tayeb Siddig",
    "Follow us on social",
    "Reporting | QiOSK",
    "Subscribe now to our weekly round-up",
    "© Thomson Reuters",
    "All rights reserved",
    "- Russia Today",
    "an hour ago",
    "22 minutes ago",
]


def by_title(store) -> dict:
    return {store.document(i).title: store.document(i) for i in store.document_ids()}


def test_five_pages_become_fourteen_articles(seeded_store):
    # 5 main articles, 3 + 3 related articles on the two aggregator pages,
    # 3 teasers at the foot of the magazine page.
    assert seeded_store.document_count() == 14


def test_each_article_has_its_own_title(seeded_store):
    titles = set(by_title(seeded_store))
    assert len(titles) == 14
    assert {
        "Trump envoy reveals NATO troop deployment plans for Ukraine",
        "Trump envoy tells Alaska summit critics to ‘shut up'",
        "Ukraine kills civilians with US-made rockets",
        "The King in Moscow: A historic visit turns symbolism into strategy",
        "Macron fails to get Europe to send troops to Ukraine",
        "The U.S. is letting Putin string it along on Ukraine",
        "Putin wins Ukraine concessions in Alaska but did not get all he wanted",
        "European leaders to join Ukraine's Zelenskyy for meeting with Trump",
        "Sudan civil war takes dark turn as RSF launches 'parallel government'",
    } <= titles


def test_outlets_are_recorded_where_the_page_states_them(seeded_store):
    titles = by_title(seeded_store)
    assert titles["Ukraine kills civilians with US-made rockets"].source == "Russia Today"
    assert titles["European leaders to join Ukraine's Zelenskyy for meeting with Trump"].source == (
        "Japan Today"
    )
    assert titles["Putin agrees that US, Europe could offer NATO-style security guarantees to "
                  "Ukraine, Trump envoy says"].source == "The Mainichi"
    assert titles["The U.S. is letting Putin string it along on Ukraine"].source == (
        "Bloomberg Opinion"
    )
    # The aggregator's own page never names the outlet of its main article.
    assert titles["Trump envoy reveals NATO troop deployment plans for Ukraine"].source == ""


@pytest.mark.parametrize("phrase", FURNITURE)
def test_no_furniture_is_left(seeded_store, phrase):
    for doc_id in seeded_store.document_ids():
        document = seeded_store.document(doc_id)
        assert phrase.casefold() not in document.text.casefold(), (phrase, document.title)


def test_duplicated_caption_is_gone_but_the_article_is_whole(seeded_store):
    texts = [seeded_store.document(i).text for i in seeded_store.document_ids()]
    caption = "U.S. Special Envoy for Ukraine and Russia Keith Kellogg in the White House"
    assert not any(caption in text for text in texts)
    newsweek = next(t for t in texts if t.startswith("NATO troops from Europe"))
    assert "What People Are Saying" in newsweek
    assert newsweek.rstrip().endswith("by the end of April.")


def test_origin_points_at_the_article_in_the_raw_file(seeded_store):
    raw = {str(p): p.read_text(encoding="utf-8") for p in bundled_seed_paths()}
    for doc_id in seeded_store.document_ids():
        document = seeded_store.document(doc_id)
        origin = json.loads(document.origin)
        excerpt = raw[origin["file"]][origin["start"]:origin["end"]]
        first_line = document.text.split("\n", 1)[0][:80]
        last_line = document.text.rsplit("\n", 1)[-1][-80:]
        # An article's range starts at its header (outlet line, image caption or
        # title), so its title or, for a derived title, its first line opens it.
        head = excerpt[:300]
        assert document.title[:30] in head or head.lstrip().startswith(first_line), document.title
        assert first_line in excerpt and last_line in excerpt, document.title


def test_sentences_keep_abbreviations_inside(seeded_store):
    sentences = []
    for doc_id in seeded_store.document_ids():
        text = seeded_store.document(doc_id).text
        sentences += [text[s.start:s.end] for s in seeded_store.sentences(doc_id)]
    assert not any(s in ("U.S.", "D.C.", "St.") or s.endswith((" U.S.", " St.")) and len(s) < 20
                   for s in sentences)
    assert any(s.startswith("On Friday, another Trump envoy, Steve Witkoff, met with Russian "
                            "President Vladimir Putin in St. Petersburg") for s in sentences)
    assert any("a force led by France and the U.K. to oversee west of the Dnieper River" in s
               for s in sentences)


def test_sentence_spans_are_trimmed_slices(seeded_store):
    for doc_id in seeded_store.document_ids():
        text = seeded_store.document(doc_id).text
        spans = seeded_store.sentences(doc_id)
        assert spans, doc_id
        previous_end = 0
        for sentence in spans:
            piece = text[sentence.start:sentence.end]
            assert piece == piece.strip() and piece
            assert sentence.start >= previous_end
            previous_end = sentence.end
