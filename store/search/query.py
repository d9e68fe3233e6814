"""The user's query, understood: words and phrases, folded as the index folds them,
and written back as FTS5 syntax that can only ever mean "these words".

The user's string is never handed to FTS5 as syntax: it is cut into words
(double-quoted runs stay phrases, a trailing `*` asks for a prefix) and every word
or phrase is quoted, so `AND`, `NEAR`, parentheses, stray quotes and any script
are just text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import regex

MAX_QUERY_CHARS = 1000
MAX_TERMS = 16

# A word as FTS5's unicode61 tokenizer sees one: letters, digits, private use. Marks
# are separators there (those it strips as accents are gone after folding), so an
# Arabic or Hebrew word written with its vowel marks is several tokens, in the index
# and in the query alike.
_WORD = regex.compile(r"[\p{L}\p{N}\p{Co}]+")
# Scripts that unicode61 cannot cut into words: a run of Han, kana or Thai is one
# token (and marks cut Thai and Khmer at random), Korean glues particles to words,
# emoji are dropped. Text holding any of these is also in the `*_trigram` indexes
# (migration m009 has the same ranges in its triggers' GLOB), where a query term is
# found anywhere inside a run.
SUBSTRING_SCRIPTS = (
    "\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u2600-\u27bf"
    "\u3005-\u3007\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U0001f300-\U0001faff\U00020000-\U0003ffff"
)
# Symbols (`So`: emoji, musical and other pictographs such as U+1D11E 𝄞) are
# separators to unicode61, so they are found like text without spaces, wherever
# they are, in or outside the Basic Multilingual Plane. trigrams.RULE names this set:
# rows queued under an older set are looked at again.
_SUBSTRING = regex.compile(f"[{SUBSTRING_SCRIPTS}\\p{{So}}]")
TRIGRAM = 3  # the trigram index finds a substring of at least this many code points
_CONTROL = regex.compile(r"[\p{Cc}\p{Cf}]")
# The combining marks FTS5's `remove_diacritics` strips (its `sqlite3Fts5UnicodeIsdiacritic`:
# a bitmask over U+0300..U+0331); every other mark stays in the text, as a separator.
_DIACRITICS = frozenset(
    chr(0x300 + bit)
    for mask, offset in ((0x08029FDF, 0), (0x000361F8, 32))
    for bit in range(offset, offset + 32)
    if mask >> (bit - offset) & 1 and 0x300 + bit <= 0x331
)


def _fold_char(char: str) -> str:
    """One character (lower-cased) as unicode61 with `remove_diacritics 2` folds it: a
    Latin letter with accents becomes its ASCII letter, a stray accent goes, and any
    other character stays (kana keep their voicing marks: が is not か)."""
    if char in _DIACRITICS:
        return ""
    if char.isascii() or unicodedata.combining(char):
        return char
    parts = unicodedata.normalize("NFD", char)
    if len(parts) > 1 and parts[0].isascii() and all(m in _DIACRITICS for m in parts[1:]):
        return parts[0]
    return char


def fold_like_index(text: str) -> str:
    """Case and accents folded, as FTS5's `unicode61 remove_diacritics 2` folds them.

    Not `store.matching.normalise.fold`, on purpose: that one maps curly quotes and
    dashes to ASCII one code point for one, so offsets found in its output are
    offsets in the document. This one must agree with the search index instead
    ("Café" and "cafe" are one word there), and dropping accents changes lengths.
    Only what FTS5 strips is stripped: a query folded further than the index (kana
    without their voicing marks) would ask for words the index does not hold.
    """
    if text.isascii():
        return text.lower()
    return "".join(_fold_char(char) for char in text.lower())


def words_of(text: str) -> list[str]:
    """The words of `text` as the index holds them (folded, split like unicode61)."""
    return _WORD.findall(fold_like_index(text))


def needs_trigrams(text: str) -> bool:
    """Whether `text` holds a character that only the trigram index can find."""
    return _SUBSTRING.search(text) is not None


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase of the query, already folded like the index; or, for
    text in a script without spaces (`substring`), the text as typed, found anywhere
    through the trigram index (which folds case itself, as it folds the query)."""

    words: tuple[str, ...]
    prefix: bool = False
    phrase: bool = False
    typing: bool = False  # the word being typed: itself, or any word it begins
    substring: bool = False  # words == (the text as typed,)

    @property
    def wanted(self) -> str:
        """The term as candidates are compared with it (folded)."""
        return fold_like_index(self.words[0]) if self.substring else " ".join(self.words)

    def fts(self, alternatives: Iterable[str] = ()) -> str:
        """This term as FTS5 syntax: always quoted, so it can never be an operator."""
        if self.substring:
            return '"' + self.words[0] + '"'  # never holds '"': the query is cut at them
        main = '"' + " ".join(self.words) + '"' + ("*" if self.prefix else "")
        if self.typing:
            # The whole word goes through the stemmer ("forces" finds "force"); a
            # prefix does not, so both are asked for.
            main = f'({main} OR "{" ".join(self.words)}"*)'

        others = [f'"{word}"' for word in alternatives if word != self.words[0]]
        return main if not others else "(" + " OR ".join([main, *others]) + ")"


def _term(text: str, *, phrase: bool) -> Term | None:
    """The term a piece of the query makes, or None when it holds no word."""
    prefix = text.rstrip().endswith("*")
    if needs_trigrams(text):
        typed = " ".join(text.replace("*", " ").split())
        return Term((typed,), phrase=phrase, substring=True)
    words = tuple(words_of(text))
    return Term(words, prefix=prefix, phrase=phrase) if words else None


def parse_query(query: str) -> list[Term]:
    """The terms of a user's query; anything that is not a word is dropped."""
    query = _CONTROL.sub(" ", query[:MAX_QUERY_CHARS])
    terms: list[Term] = []
    pieces = query.split('"')
    for i, piece in enumerate(pieces):
        # Odd pieces were between quotes (an unclosed quote runs to the end).
        chunks = [piece] if i % 2 == 1 else piece.split()
        for chunk in chunks:
            term = _term(chunk, phrase=i % 2 == 1)
            if term is not None:
                terms.append(term)
    return terms[:MAX_TERMS]


def typing_last_word(query: str, terms: list[Term]) -> list[Term]:
    """`terms` with the last word also matching the words it begins, while it is
    being typed (the query does not end with a space and it is not a phrase)."""
    if not terms or query[-1:].isspace() or terms[-1].phrase or terms[-1].substring:
        return terms
    return [*terms[:-1], Term(terms[-1].words, prefix=False, typing=True)]


def fts_query(
    terms: list[Term], alternatives: dict[int, list[str]] | None = None, *, any_term: bool = False
) -> str:
    """The terms as one FTS5 query: all of them (or `any_term`), each with the
    vocabulary words tried in its place (`alternatives`, by term index)."""
    alternatives = alternatives or {}
    parts = [term.fts(alternatives.get(i, ())) for i, term in enumerate(terms)]
    return (" OR " if any_term else " AND ").join(parts)


@dataclass(frozen=True)
class Match:
    """What a query asks of each index; a row must satisfy all three parts given."""

    words: str | None  # FTS5 query for the unicode61 index (`*_fts`)
    trigrams: str | None = None  # FTS5 query for the trigram index (`*_trigram`)
    # Substrings shorter than a trigram: no index holds them, the text is read.
    contains: tuple[str, ...] = ()
    # Which rows may hold text in those scripts: "indexed" (the trigram index's, the
    # usual case), "queued" (also rows still queued for it: a read-only database
    # cannot index them), "all" (the queue predates the current rule, trigrams.RULE).
    reach: str = "indexed"

    @property
    def plain(self) -> bool:
        """Only words: the unicode61 index answers alone."""
        return self.trigrams is None and not self.contains

    def read_in_text(self, reach: str) -> Match:
        """The same match with every substring read in the text (`instr`), over the
        rows `reach` names: for rows the trigram index does not hold yet."""
        longer = self.trigrams.split(" AND ") if self.trigrams else []
        # Each long substring is '"text"' (never holding '"': match_of quotes it).
        # SQLite's lower() folds ASCII only: the text is lowered the same way.
        texts = tuple(_ascii_lower(q[1:-1]) for q in longer) + self.contains
        return Match(self.words, None, texts, reach)


def _ascii_lower(text: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in text)


def match_of(
    terms: list[Term], alternatives: dict[int, list[str]] | None = None, *, any_term: bool = False
) -> Match:
    """The terms as a `Match`: words for the word index, text in scripts without
    spaces for the trigram index (or, under three code points, for a plain reading).
    `any_term` applies to words only: text in those scripts is never relaxed."""
    alternatives = alternatives or {}
    words = {i: t for i, t in enumerate(terms) if not t.substring}
    typed = [t.words[0] for t in terms if t.substring]
    long = [f'"{text}"' for text in typed if len(text) >= TRIGRAM]
    word_query = fts_query(
        list(words.values()),
        {n: alternatives[i] for n, i in enumerate(words) if i in alternatives},
        any_term=any_term,
    )
    return Match(
        word_query or None,
        " AND ".join(long) or None,
        tuple(fold_like_index(text) for text in typed if len(text) < TRIGRAM),
    )


def wanted_words(terms: list[Term], replacements: dict[int, str] | None = None) -> str:
    """The query as plain folded words, to compare candidates with."""
    replacements = replacements or {}
    return " ".join(replacements.get(i, t.wanted) for i, t in enumerate(terms))


def shown_query(terms: list[Term], replacements: dict[int, str] | None = None) -> str:
    """The query as searched for, to show the user (after typo correction)."""
    replacements = replacements or {}
    out = []
    for i, term in enumerate(terms):
        words = " ".join(term.words) if i not in replacements else replacements[i]
        out.append(f'"{words}"' if term.phrase else words + ("*" if term.prefix else ""))
    return " ".join(out)
