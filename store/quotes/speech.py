"""Which quoted text is speech: names, titles and scare quotes are not."""

from __future__ import annotations

import regex

from .marks import Marked

SCARE_BEFORE_RE = regex.compile(
    r"(?:so[- ]called|dubbed|nicknamed|known as|termed|the word|the term|labelled|labeled)\s*$",
    regex.I,
)
# A name is preceded by an outlet's possessive or a preposition: NBC's "Meet the Press".
NAME_BEFORE_RE = regex.compile(r"(?:['’]s|\bon|\bthe|\bin|\bat|\bfrom|\baboard)\s*$")
SPEECH_AFTER_RE = regex.compile(
    r"^[\s,]*(?:\p{L}+\s+){0,3}(?:said|says|told|tells|added|asked|wrote|replied|declared)\b"
)
SMALL_WORDS = frozenset("of the and on in for a an to de at by or".split())
HEADLINE_VERB_RE = regex.compile(
    r"\b(?:says|said|tells|told|warns|urges|vows|insists|claims|declares|slams|calls|asks|"
    r"admits|denies|hits back|rejects|writes)\b|:\s*\S",
    regex.I,
)


def _title_case(words: list[str]) -> bool:
    return bool(words) and words[0][:1].isupper() and all(
        w[:1].isupper() or w.lower() in SMALL_WORDS for w in words
    )


def is_speech(text: str, m: Marked) -> bool:
    """False for scare quotes, titles of shows and nicknames, and short names in speech."""
    inner = text[m.start : m.end]
    words = regex.findall(r"[\p{L}\p{N}][\p{L}\p{N}'’.-]*", inner)
    if not words:
        return False
    before = text[max(0, m.start - 41) : max(0, m.start - 1)]
    if SCARE_BEFORE_RE.search(before):
        return False
    if m.depth > 0 and len(words) <= 4:
        return False
    if len(words) <= 6 and not inner.isupper() and not regex.search(r"[!?]", inner):
        if _title_case(words):
            after = text[m.end + 1 : m.end + 60]
            if NAME_BEFORE_RE.search(before) or not SPEECH_AFTER_RE.search(after):
                return False
    line_start = text.rfind("\n", 0, m.start) + 1
    if line_start == 0 and _is_headline(text):
        line = text[: text.find("\n")]
        return bool(HEADLINE_VERB_RE.search(line.replace(inner, "")))
    return True


def _is_headline(text: str) -> bool:
    """A first line that is short, unpunctuated and followed by more text."""
    cut = text.find("\n")
    if cut < 0 or not text[cut:].strip():
        return False
    line = text[:cut].rstrip()
    return len(line.split()) <= 25 and not regex.search(r"[.!?]['\"”’]?$", line)
