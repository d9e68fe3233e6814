"""The comparison form of a text, and its content words. Pure: no database.

Every step maps one code point to one code point, so a position found in the
normalised text is a position in the document: a link's sides are exact offsets.
"""

from __future__ import annotations

import re

from rapidfuzz.utils import default_process

_FOLD = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u00a0": " ", "\u2009": " ", "\u202f": " ",
    }
)  # fmt: skip
# Scripts written without spaces between words (Han, kana, Thai, Lao, Myanmar, Khmer):
# each of their characters is a word of its own. A sentence in them is otherwise one
# "word", too short to link, with no word bigrams to be found by. Korean and Arabic
# put spaces between words and are read like Latin.
CONTINUOUS_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x3134F),  # CJK extensions B-G
)
_CONTINUOUS = "".join(f"{chr(lo)}-{chr(hi)}" for lo, hi in CONTINUOUS_RANGES)
_TOKEN = re.compile(rf"[{_CONTINUOUS}]|[^\s{_CONTINUOUS}]+")
_IS_CONTINUOUS = re.compile(rf"[{_CONTINUOUS}]+")


def fold(text: str) -> str:
    """Curly quotes and dashes to ASCII; one code point to one code point."""
    return text.translate(_FOLD)


def processed(text: str) -> str:
    # default_process maps each code point to one code point, then strips the ends;
    # sentinels keep the ends, so offsets in the result are offsets in `text`.
    return default_process("a" + fold(text) + "a")[1:-1]


def normalise(text: str) -> str:
    """The comparison form: folded, `default_process`ed, its words (see `token_spans`)
    joined by single spaces."""
    return " ".join(_TOKEN.findall(processed(text)))


def token_spans(text: str) -> list[tuple[int, int]]:
    """Where each word of `normalise(text)` lies in `text` (offsets into `text`): runs
    of other characters between spaces, and each character of a script written
    without spaces."""
    return [(m.start(), m.end()) for m in _TOKEN.finditer(processed(text))]


def is_continuous(word: str) -> bool:
    """Whether `word` is written in scripts without spaces (see `CONTINUOUS_RANGES`)."""
    return _IS_CONTINUOUS.fullmatch(word) is not None


# -- content words: what a stock phrase lacks ---------------------------------------

_STOP = frozenset(
    """
    a about above after again against all almost also although am among an and another any
    are around as at away back be became because become been before being below between both
    but by can cannot could did do does doing done down during each either else even ever
    every few for from further get gets got had has have having he her here hers herself him
    himself his how however i if in including into is it its itself just least less like
    made make many may me might more most much must my myself near neither no nor not now of
    off on once one only onto or other others our ours ourselves out over own per rather
    same several shall she should since so some still such than that the their theirs them
    themselves then there these they this those though through thus to too toward towards
    under until up upon us very via was we well were what whatever when where whether which
    while who whom whose why will with within without would yet you your yours yourself
    yourselves s t d ll m re ve don didn doesn isn wasn aren weren won wouldn couldn
    shouldn
    said says say saying told tell tells telling added adds according asked asks wrote
    writes stated states reported reports reportedly announced claimed noted
    mr mrs ms dr gen president presidents minister ministers prime secretary chancellor
    official officials spokesperson spokesman spokeswoman envoy leader leaders chief head
    former deputy senior general
    monday tuesday wednesday thursday friday saturday sunday january february march april
    june july august september october november december today yesterday tomorrow week
    weeks weekend month months year years day days time last next earlier later ago
    """.split()
)


def _word_forms(text: str) -> dict[str, bool]:
    """Each word (lower case) of `text` -> whether every occurrence is capitalised."""
    forms: dict[str, bool] = {}
    for token in _processed_tokens_with_case(text):
        lower = token.lower()
        capital = token[:1].isupper()
        forms[lower] = forms.get(lower, True) and capital
    return forms


def _processed_tokens_with_case(text: str) -> list[str]:
    """The words of `text` with their case; in scripts without spaces, whose single
    characters are words too common to carry a statement, each pair of adjacent
    characters instead (never a name: those scripts have no capitals)."""
    folded = fold(text)
    tokens = []
    previous: tuple[int, int] | None = None
    for s, e in token_spans(text):
        word = folded[s:e]
        if is_continuous(word):
            if previous is not None and previous[1] == s:
                tokens.append(folded[previous[0] : e])
            previous = (s, e)
            continue
        previous = None
        tokens.append(word)
    return tokens


STOCK_WORDS = _STOP | frozenset(
    """
    immediately respond responded request comment comments statement interview news
    conference reporters familiar matter condition anonymity authorized authorised speak
    speaking publicly declined reached
    von der van den del della bin ibn
    """.split()
)
"""Stop words, the words of the agencies' stock phrases ("did not immediately respond to
a request for comment", "speaking on condition of anonymity") and the lower-case
particles of names ("von der Leyen"): a passage found anywhere in an article, not a
whole sentence, must share content beyond them."""


def shared_content_words(a: str, b: str, stop: frozenset[str] = _STOP) -> set[str]:
    """Words both texts carry that are not stop words, titles, days, or names.

    A word counts as a name when it is capitalised everywhere in both texts; a
    sentence that only repeats "President Donald Trump said on Sunday" shares none.
    """
    forms_a, forms_b = _word_forms(a), _word_forms(b)
    shared = set()
    for word in forms_a.keys() & forms_b.keys():
        if word in stop or (len(word) < 3 and not word.isdigit() and not is_continuous(word)):
            continue
        if forms_a[word] and forms_b[word]:
            continue
        shared.add(word)
    return shared


def content_words(text: str) -> set[str]:
    """The content words of one text (names excluded when always capitalised)."""
    return shared_content_words(text, text)
