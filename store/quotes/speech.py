"""Which quoted text is speech: names, titles and scare quotes are not."""

from __future__ import annotations

import re
from itertools import islice

import regex

from .marks import Marked

# Both are read backwards from the quote ((?r)): they end where it starts.
SCARE_BEFORE_RE = regex.compile(
    r"(?r)(?:so[- ]called|dubbed|nicknamed|known as|termed|the word|the term|labelled|labeled)\s*$",
    regex.I,
)
# A name is preceded by an outlet's possessive or a preposition: NBC's "Meet the Press".
NAME_BEFORE_RE = regex.compile(r"(?r)(?:['’]s|\bon|\bthe|\bin|\bat|\bfrom|\baboard)\s*$")
SPEECH_AFTER_RE = regex.compile(
    r"^[\s,]*(?:\p{L}+\s+){0,3}(?:said|says|told|tells|added|asked|wrote|replied|declared)\b"
)
SMALL_WORDS = frozenset("of the and on in for a an to de at by or".split())
HEADLINE_VERB_RE = regex.compile(
    r"\b(?:says|said|tells|told|warns|urges|vows|insists|claims|declares|slams|calls|asks|"
    r"admits|denies|hits back|rejects|writes)\b|:\s*\S",
    regex.I,
)


NOT_SPACE_RE = re.compile(r"\S")
WORD_RE = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’.-]*")
SENTENCE_CLOSE_RE = regex.compile(r"[.!?]['\"”’]?$")
# A quote of more words than this is read as speech whatever its case.
NAME_WORDS = 6
# The last letter of every word SCARE_BEFORE_RE looks for, in either case.
SCARE_LAST_LETTERS = frozenset("dDmMsSſ")


def _short_title_case(inner: str) -> bool:
    """Whether the quote has at most NAME_WORDS words, all in Title Case (small words
    aside, but not the first). Reads words only until one settles it: most quotes are
    sentences, settled by their second word."""
    for count, match in enumerate(WORD_RE.finditer(inner)):
        word = match.group()
        if count == NAME_WORDS or not word[:1].isupper() and (
            count == 0 or word.lower() not in SMALL_WORDS
        ):
            return False
    return True


def _word_count_above(inner: str, count: int) -> bool:
    """Whether the quote has more than `count` words; reads no further than that."""
    return sum(1 for _ in islice(WORD_RE.finditer(inner), count + 1)) > count


def _scare_quoted(before: str) -> bool:
    """Whether `before` ends on "so-called", "dubbed" and the like."""
    # Every such word ends in d, m or s (ſ folds to s): most quotes are ruled out without
    # running the pattern, which a backward search makes costly.
    tail = before.rstrip()
    return bool(tail) and tail[-1] in SCARE_LAST_LETTERS and bool(SCARE_BEFORE_RE.search(before))


def is_speech(text: str, m: Marked) -> bool:
    """False for scare quotes, titles of shows and nicknames, and short names in speech."""
    inner = text[m.start : m.end]
    if WORD_RE.search(inner) is None:
        return False
    before = text[max(0, m.start - 41) : max(0, m.start - 1)]
    if _scare_quoted(before):
        return False
    if m.depth > 0 and not _word_count_above(inner, 4):
        return False
    if _reads_as_a_name(text, m, inner, before):
        return False
    if text.rfind("\n", 0, m.start) < 0 and is_headline(text):
        line = text[: text.find("\n")]
        return bool(HEADLINE_VERB_RE.search(line.replace(inner, "")))
    return True


def _reads_as_a_name(text: str, m: Marked, inner: str, before: str) -> bool:
    """A few words in Title Case after a possessive or a preposition, or with no speech
    verb after them, name a show, a book or a nickname."""
    if inner.isupper() or "!" in inner or "?" in inner:
        return False
    if not _short_title_case(inner):
        return False
    after = text[m.end + 1 : m.end + 60]
    return bool(NAME_BEFORE_RE.search(before)) or not SPEECH_AFTER_RE.search(after)


def is_headline(text: str) -> bool:
    """A first line that is short, unpunctuated and followed by more text."""
    cut = text.find("\n")
    # Whether anything but white space follows, without copying a long article: `re`'s \s
    # is str.isspace, what str.strip removes.
    if cut < 0 or NOT_SPACE_RE.search(text, cut) is None:
        return False
    line = text[:cut].rstrip()
    return len(line.split()) <= 25 and not SENTENCE_CLOSE_RE.search(line)
