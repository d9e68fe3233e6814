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

# A word as FTS5's unicode61 tokenizer sees one: letters, digits, marks, private use.
_WORD = regex.compile(r"[\p{L}\p{N}\p{M}\p{Co}]+")
# Scripts written without spaces: unicode61 makes one token of a whole run, so a
# word typed from the middle of it can only match as a prefix.
_UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")
_CONTROL = regex.compile(r"[\p{Cc}\p{Cf}]")
_MARKS = regex.compile(r"\p{Mn}+")


def fold_like_index(text: str) -> str:
    """Case and accents folded, as FTS5's `unicode61 remove_diacritics 2` folds them.

    Not `store.matching.normalise.fold`, on purpose: that one maps curly quotes and
    dashes to ASCII one code point for one, so offsets found in its output are
    offsets in the document. This one must agree with the search index instead
    ("Café" and "cafe" are one word there), and dropping accents changes lengths.
    """
    if text.isascii():
        return text.lower()
    return unicodedata.normalize(
        "NFC", _MARKS.sub("", unicodedata.normalize("NFD", text.casefold()))
    )


def words_of(text: str) -> list[str]:
    """The words of `text` as the index holds them (folded, split like unicode61)."""
    return _WORD.findall(fold_like_index(text))


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase of the query, already folded like the index."""

    words: tuple[str, ...]
    prefix: bool = False
    phrase: bool = False
    typing: bool = False  # the word being typed: itself, or any word it begins

    def fts(self, alternatives: Iterable[str] = ()) -> str:
        """This term as FTS5 syntax: always quoted, so it can never be an operator."""
        star = "*" if self.prefix or _UNSPACED.search(self.words[-1]) else ""
        main = '"' + " ".join(self.words) + '"' + star
        if self.typing:
            # The whole word goes through the stemmer ("forces" finds "force"); a
            # prefix does not, so both are asked for.
            main = f'({main} OR "{" ".join(self.words)}"*)'

        others = [f'"{word}"' for word in alternatives if word != self.words[0]]
        return main if not others else "(" + " OR ".join([main, *others]) + ")"


def parse_query(query: str) -> list[Term]:
    """The terms of a user's query; anything that is not a word is dropped."""
    query = _CONTROL.sub(" ", query[:MAX_QUERY_CHARS])
    terms: list[Term] = []
    pieces = query.split('"')
    for i, piece in enumerate(pieces):
        # Odd pieces were between quotes (an unclosed quote runs to the end).
        if i % 2 == 1:
            words = tuple(words_of(piece))
            if words:
                terms.append(Term(words, prefix=piece.rstrip().endswith("*"), phrase=True))
            continue
        for chunk in piece.split():
            words = tuple(words_of(chunk))
            if words:
                terms.append(Term(words, prefix=chunk.endswith("*")))
    return terms[:MAX_TERMS]


def typing_last_word(query: str, terms: list[Term]) -> list[Term]:
    """`terms` with the last word also matching the words it begins, while it is
    being typed (the query does not end with a space and it is not a phrase)."""
    if not terms or query[-1:].isspace() or terms[-1].phrase:
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


def wanted_words(terms: list[Term], replacements: dict[int, str] | None = None) -> str:
    """The query as plain folded words, to compare candidates with."""
    replacements = replacements or {}
    return " ".join(replacements.get(i, " ".join(t.words)) for i, t in enumerate(terms))


def shown_query(terms: list[Term], replacements: dict[int, str] | None = None) -> str:
    """The query as searched for, to show the user (after typo correction)."""
    replacements = replacements or {}
    out = []
    for i, term in enumerate(terms):
        words = " ".join(term.words) if i not in replacements else replacements[i]
        out.append(f'"{words}"' if term.phrase else words + ("*" if term.prefix else ""))
    return " ".join(out)
