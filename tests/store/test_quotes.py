"""The quote finder: spans that slice exactly, the attribution shapes, the traps."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
import regex

from store.corpus import bundled_seed_paths
from store.importing.ingest import import_paths
from store.quotes import find_quotes
from store.quotes.evaluation import evaluate
from store.quotes.names import MAY_BE_UPPER, MAY_BE_WORD, NAME_RUN_RE, runs_of_several_words
from store.quotes.speakers import ABBREV_END_RE, SENTENCE_END_RE, sentence_ends

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "quotes"


def found(text: str) -> list[tuple[str, str | None]]:
    quotes = find_quotes(text)
    for q in quotes:
        assert text[q.start : q.end] == q.text
    return [(q.text, q.speaker) for q in quotes]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("'We are close,' Kellogg said.", [("We are close,", "Kellogg")]),
        ("“No deal yet,” said Keith Kellogg, the envoy.", [("No deal yet,", "Keith Kellogg")]),
        (
            'U.S. Secretary of State Marco Rubio said: "We keep talking."',
            [("We keep talking.", "Marco Rubio")],
        ),
        (
            '"It is over," according to a senior NATO official.',
            [("It is over,", "a senior NATO official")],
        ),
        ("“It went well,” Witkoff told Fox Business.", [("It went well,", "Witkoff")]),
        (
            "Keith Kellogg wrote on X: “I was NOT referring to a partition.”",
            [("I was NOT referring to a partition.", "Keith Kellogg")],
        ),
        (
            "Keith Kellogg spoke on Monday. 'We have a plan,' he said.",
            [("We have a plan,", "Keith Kellogg")],
        ),
        (
            "Keith Kellogg said troops could form what he described as a 'resiliency force.'",
            [("resiliency force.", "Keith Kellogg")],
        ),
    ],
)
def test_attribution_shapes(text, expected):
    assert found(text) == expected


def test_the_same_words_after_a_quote_name_whoever_the_pronoun_refers_to_there():
    # Attributions are read once per article; a pronoun's speaker still depends on where it is.
    text = (
        "Keith Kellogg spoke on Monday. 'We have a plan,' he said.\n"
        "Marco Rubio arrived later. 'We have a plan,' he said."
    )
    assert found(text) == [("We have a plan,", "Keith Kellogg"), ("We have a plan,", "Marco Rubio")]


def test_surname_resolves_to_the_fullest_name_in_the_article():
    text = "Retired Lieutenant General Keith Kellogg arrived. 'We are ready,' Kellogg said."
    assert found(text) == [("We are ready,", "Keith Kellogg")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "'We are ready,' Kellogg said.\nTalks went on (for hours), officials said.\n"
            "The envoy, Retired Lieutenant General Keith Kellogg, arrived late.",
            [("We are ready,", "Keith Kellogg")],
        ),
        (
            "'Europe will pay,' von der Leyen said. Ursula von der Leyen, in Brussels, agreed.",
            [("Europe will pay,", "Ursula von der Leyen")],
        ),
    ],
)
def test_the_full_name_counts_wherever_the_article_gives_it(text, expected):
    # Names are looked up only around the mentions of a surname: a full name given later,
    # between commas, or with particles must still be found.
    assert found(text) == expected


def test_a_quote_split_by_its_attribution_is_two_quotes_one_speaker():
    text = "'A ceasefire is close,' Keith Kellogg said. 'But not yet.'"
    assert found(text) == [
        ("A ceasefire is close,", "Keith Kellogg"),
        ("But not yet.", "Keith Kellogg"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "It's Ukraine's war and Zelenskyy’s plan; Trump‘s envoy didn't say.",
        "The soldiers' families waited; the Ukrainians’ homes were empty.",
        "Rock ’n’ roll in the ’90s.",
    ],
)
def test_apostrophes_are_not_quote_marks(text):
    assert found(text) == []


def test_a_quote_over_several_paragraphs_is_one_quote_per_paragraph_one_speaker():
    text = "Ed Arnold added: ‘The crisis is about money.\n‘And it will be expensive.’\nNext."
    assert found(text) == [
        ("The crisis is about money.", "Ed Arnold"),
        ("And it will be expensive.", "Ed Arnold"),
    ]


def test_nested_quotes_have_their_own_speaker():
    text = 'Kaja Kallas said: "Putin told us, \'I will never stop fighting.\' We believe him."'
    quotes = find_quotes(text)
    assert [(q.text, q.speaker, q.nested) for q in quotes] == [
        ("Putin told us, 'I will never stop fighting.' We believe him.", "Kaja Kallas", False),
        ("I will never stop fighting.", "Putin", True),
    ]


def test_a_nested_quote_belongs_to_the_quote_around_it_not_an_earlier_one():
    text = (
        "'We are close,' Keith Kellogg said.\n"
        'Kaja Kallas said: "Putin told us, \'I will never stop fighting.\' We believe him."\n'
        "'No,' Kellogg said."
    )
    quotes = find_quotes(text)
    assert [(q.text, q.speaker, q.nested) for q in quotes] == [
        ("We are close,", "Keith Kellogg", False),
        ("Putin told us, 'I will never stop fighting.' We believe him.", "Kaja Kallas", False),
        ("I will never stop fighting.", "Putin", True),
        ("No,", "Keith Kellogg", False),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Europe joins a so-called 'coalition of the willing' this week.",
        'Rubio spoke on NBC\'s "Meet the Press" on Sunday.',
        'Putin rode in the "Big Beast" limousine.',
    ],
)
def test_scare_quotes_and_names_are_not_speech(text):
    assert found(text) == []


def test_headline_quote_takes_the_speaker_of_the_same_words_in_the_body():
    text = (
        "Envoy tells critics to 'shut up'\n\n"
        "The summit was historic, Keith Kellogg said, telling critics to 'shut up.'"
    )
    assert found(text) == [("shut up", "Keith Kellogg"), ("shut up.", "Keith Kellogg")]


@pytest.mark.parametrize(
    ("text", "inner"),
    [
        ("👍🏽🇺🇦 'Peace now,' Olena Kovalenko said. 👨‍👩‍👧", "Peace now,"),
        ("和平 “我们准备好了，” Olena Kovalenko said.", "我们准备好了，"),
        ("First line.\r\n'Still here,' Olena Kovalenko said.\r\n", "Still here,"),
    ],
)
def test_offsets_are_code_points_on_emoji_cjk_and_crlf(text, inner):
    quotes = find_quotes(text)
    assert [q.text for q in quotes] == [inner]
    assert quotes[0].start == text.index(inner)
    assert quotes[0].speaker == "Olena Kovalenko"


@pytest.mark.parametrize(
    ("text", "inner"),
    [
        ("Le ministre a dit : « Nous sommes prêts ». Fin.", " Nous sommes prêts "),
        ("Der Kanzler sagte: „Wir schaffen das.“ Dann ging er.", "Wir schaffen das."),
        ("大臣は「準備はできている」と述べた。", "準備はできている"),
        ("Han sa »Vi er klare« i går.", "Vi er klare"),
    ],
)
def test_quote_marks_of_other_languages(text, inner):
    assert [q.text for q in find_quotes(text)] == [inner]


def test_unbalanced_marks_never_give_a_wrong_span():
    for text in ["He said 'never closed", "“open “open ”", "' ' '", "»«", "a”b“c"]:
        for q in find_quotes(text):
            assert text[q.start : q.end] == q.text
            assert q.start > 0 and q.end < len(text)


def _targets(total) -> None:
    assert total.precision >= 0.9
    assert total.recall >= 0.9
    assert total.speaker_accuracy >= 0.85


def test_hand_made_cases_meet_the_targets():
    gold = json.loads((FIXTURES / "handmade_gold.json").read_text(encoding="utf-8"))
    total, _ = evaluate((str(n), c["text"], c["quotes"]) for n, c in enumerate(gold["cases"]))
    _targets(total)


def test_bundled_articles_meet_the_targets(store):
    import_paths(store, bundled_seed_paths())
    gold = json.loads((FIXTURES / "seeds_gold.json").read_text(encoding="utf-8"))
    total, _ = evaluate(
        (d["doc_id"], store.document_text(d["doc_id"]), d["quotes"]) for d in gold["documents"]
    )
    assert total.labelled == 119
    _targets(total)


def _random_texts(alphabet: str, count: int, longest: int) -> list[str]:
    rng = random.Random(14)
    return [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(longest))) for _ in range(count)
    ]


def test_sentence_ends_follow_the_documented_pattern():
    """Sentences split where SENTENCE_END_RE says (and not after "Gen." or "U.S."), though
    the splitter reads the characters by hand."""
    alphabet = "ab AZÉé.!?…'\"”’»」“‘«「[\n\t.GenUS"

    def by_pattern(text: str) -> list[int]:
        return [
            m.end()
            for m in SENTENCE_END_RE.finditer(text)
            if not (
                text[m.start()] == "."
                and ABBREV_END_RE.search(text, max(0, m.start() - 6), m.start() + 1)
            )
        ]

    texts = _random_texts(alphabet, 3000, 40) + ["Gen. Smith left. Then U.S. Ann. ‘Yes.’ «Non»"]
    for text in texts:
        assert sentence_ends(text) == by_pattern(text), text



def test_names_are_found_where_a_scan_of_the_whole_text_finds_them():
    """The full names a surname resolves to come from every run of several capitalised
    words in the article, though the finder reads only the places that may hold one."""
    alphabet = "ab AKZÉéŁßİ̇ .'’-\t\n\"“”–,1_" + "ǅ々"
    texts = _random_texts(alphabet, 2000, 60)
    texts += _random_texts("Ab K’s'.-\t U.S.Gen.von der Al Mc9", 2000, 60)
    texts += ["U.S. Secretary of State Marco Rubio met Ursula von der Leyen and Gen. Ann’s Kim."]
    for text in texts:
        whole = [m.group() for m in NAME_RUN_RE.finditer(text)]
        assert list(runs_of_several_words(text)) == [
            r for r in whole if " " in r or "\t" in r
        ], text


def test_the_name_scan_classes_hold_every_capital_and_letter():
    """The standard-library classes that choose where to look hold every character the
    name pattern may read (in the Unicode version of the installed `regex`)."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    capitals = "".join(regex.findall(r"\p{Lu}", every))
    letters = "".join(regex.findall(r"[\p{L}\p{M}'’.\-]", every))
    assert re.sub(f"[{MAY_BE_UPPER}]", "", capitals) == ""
    assert re.sub(f"[{MAY_BE_WORD}]", "", letters) == ""
