"""The meaning stage's ranking rules, on vectors made by hand (no encoder needed).

Each test puts two sentences of different articles at the same place in the vector
space, so the encoder would call them one statement, and checks what the rules that
read the words decide: a reader never sees two different remarks offered as one.
"""

from __future__ import annotations

import numpy as np

from store.matching import meaning

FILLER = [
    "The city council approved a new budget for public libraries on Tuesday evening.",
    "Heavy rain flooded several streets in the old town and closed railway lines.",
    "The football club announced the signing of a young goalkeeper from Portugal.",
    "Shares in the carmaker fell sharply after it cut its profit forecast.",
    "A new exhibition of medieval manuscripts opens at the national museum.",
    "Farmers warned that the dry summer would reduce the wheat harvest considerably.",
    "The airline added winter flights to three ski resorts in the Alps.",
    "Scientists described a new species of frog found in the cloud forests.",
    "The orchestra's spring season opens with Brahms and Dvorak symphonies.",
    "The marathon drew a record crowd of runners despite the cold weather.",
    "Engineers began repairs on the old stone bridge damaged by the storm.",
    "A bicycle lane will connect the university campus with the central station.",
]

# Nothing may be offered for the cosine alone: the rules under test decide.
LEXICAL_ANY = meaning.Params(min_lexical=0.0, mutual_strong=0)


def tier_of(first: list[str], second: list[str], pair: tuple[int, int], params) -> str | None:
    """The tier of the pair (row `pair[0]` of the first article, row `pair[1]` of the
    second), both given the same vector; other sentences point elsewhere."""
    texts = first + second + FILLER
    docs = ["one"] * len(first) + ["two"] * len(second) + [f"f{i % 4}" for i in range(12)]
    rng = np.random.default_rng(7)
    vectors = meaning.unit_rows(rng.normal(size=(len(texts), 48)).astype(np.float32))
    a, b = pair[0], len(first) + pair[1]
    vectors[b] = vectors[a]
    for s in meaning.suggest(vectors, docs, texts, params):
        if (s.a, s.b) == (a, b):
            return s.tier
    return None


def test_the_same_quotation_reported_twice_is_offered():
    she = (
        '"We welcome President Trump\'s willingness to contribute to security guarantees '
        'for Ukraine," she said.'
    )
    leyen = (
        "Ursula von der Leyen said 'we welcome President Trump's willingness to contribute "
        "to security guarantees for Ukraine.'"
    )
    assert tier_of([she], [leyen], (0, 0), LEXICAL_ANY) == "default"


def test_two_quotations_in_other_words_are_two_remarks_even_by_one_speaker():
    wish = (
        "\u201cMy wish is that the Americans are engaged at our side, but we have to be "
        "prepared for a situation in which they maybe don\u2019t join in,\u201d Macron said."
    )
    show = (
        "\"We'll show this to our American colleagues, and we'll tell them, 'Right, we're "
        "ready to do this and that, what are you prepared to do?'\" Macron said."
    )
    assert tier_of([wish], [show], (0, 0), LEXICAL_ANY) == "more"


def test_a_quotation_split_over_two_sentences_counts_as_quoted():
    # The closing mark alone: the sentence continues a quotation opened before it.
    assert meaning.quotation("And the coalition of the willing is ready to do its share.'")
    # The opening mark alone: the quotation runs on into the next sentence.
    assert meaning.quotation("'A security guarantee is a strong army.")
    assert meaning.quotation("The ministers met in London on Monday.") is None


def test_figures_that_disagree_are_two_statements():
    forty = "The call with Trump lasted 40 minutes, Kremlin aide Yury Ushakov said."
    ninety = "The call with Trump lasted 90 minutes, Kremlin aide Yury Ushakov said."
    assert tier_of([forty], [ninety], (0, 0), LEXICAL_ANY) == "more"


def test_the_same_figure_written_with_a_separator_agrees():
    assert meaning.numbers_in("North Korea sent 3,000 soldiers") == {"3000"}
    sent = "North Korea sent an additional 3,000 soldiers to Russia in January."
    troops = "Pyongyang dispatched 3000 more troops to fight for Russia in January."
    assert tier_of([sent], [troops], (0, 0), LEXICAL_ANY) == "default"


def test_he_opening_a_sentence_is_the_speaker_of_the_sentence_before():
    putin = [
        "Putin has implied that he sees Europe as a hindrance to negotiations.",
        "He has also resisted meeting Zelenskyy in person, saying that such a meeting can "
        "only take place once the groundwork for a peace deal has been laid.",
    ]
    zelensky = [
        "Vladimir Zelensky said he was ready to meet Putin on Thursday, but insisted that "
        "any talks should be preceded by the start of a 30-day ceasefire."
    ]
    assert tier_of(putin, zelensky, (1, 0), LEXICAL_ANY) == "more"


def test_a_shared_speaker_lowers_the_words_a_pair_must_share():
    params = meaning.Params(min_lexical=1.01, min_lexical_same_speaker=0.0, mutual_strong=0)
    kellogg = [
        "Kellogg said troops from France, Germany and Poland could form a resiliency force."
    ]
    again = ["Kellogg wrote that a resiliency force of allied troops could support Ukraine."]
    assert tier_of(kellogg, again, (0, 0), params) == "default"
    unnamed = ["European troops could form a resiliency force, the report said."]
    assert tier_of(unnamed, again, (0, 0), params) == "more"


def test_speakers_are_names_next_to_a_speech_verb_not_what_was_said():
    assert meaning.speakers("Yes, said Kremlin spokesman Dmitry Peskov.") == {"peskov"}
    assert meaning.speakers("Rubio said on NBC's 'Meet the Press' that talks go on.") == {
        "rubio"
    }
    # "declared" is followed by what was declared, not by who declared it.
    assert not meaning.speakers(
        "The US president declared Kiev's membership in NATO to be out of the question."
    )
