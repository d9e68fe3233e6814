"""Who a span of an article says is speaking: its quotations' speakers, else the
subject of the speech verb of its sentence ("Special U.S. envoy Steve Witkoff said
Sunday that Putin agreed …"). Pure: no database.

Accepting a link carries the source annotation's speaker to the other article; that
article may name someone else for the same words, and then its own attribution is
the one to keep (`store.links` asks `speaker_in` and `same_speaker`).
"""

from __future__ import annotations

import regex

from . import find_quotes
from .attribute import mask
from .marks import find_marked
from .speakers import DETERMINERS, PARTICIPLES, VERB_RE, Context
from .speech import is_speech

_WORD_RE = regex.compile(r"[\p{L}\p{N}]+")


def speaker_in(text: str, start: int, end: int) -> str | None:
    """The speaker `text[start:end]` is attributed to, or None when it names none.

    First what `q` pre-fills: the speaker of the found quotation that overlaps the
    span the most. A span with no quotation (reported speech) takes the subject of the
    first speech verb in the sentences holding it, read as the quote finder reads one
    ("a U.S. official said", "Steve Witkoff said").
    """
    best, overlap = None, 0
    for quote in find_quotes(text):
        shared = min(end, quote.end) - max(start, quote.start)
        if quote.speaker and shared > overlap:
            best, overlap = quote.speaker, shared
    if best:
        return best
    outer = [m for m in find_marked(text) if is_speech(text, m) and m.depth == 0]
    ctx = Context(text, mask(text, outer))
    first = ctx.sentence(ctx.sentence_of(start))[0]
    last = ctx.sentence(ctx.sentence_of(max(start, end - 1)))[1]
    for verb in VERB_RE.finditer(ctx.masked, first, last):
        if verb.group() in PARTICIPLES or _passive(ctx.masked, verb.start()):
            continue
        sentence_start = ctx.sentence(ctx.sentence_of(verb.start()))[0]
        who = ctx.subject_before(sentence_start, verb.start(), verb.start())
        if who:
            return who
    return None


# "are said to be", "was told": the words before such a verb are what was said or
# who was told, never who spoke.
_BE_BEFORE = regex.compile(r"\b(?:is|are|was|were|be|been|being)\s+(?:\p{L}+ly\s+)?$", regex.I)


def _passive(masked: str, verb_start: int) -> bool:
    return _BE_BEFORE.search(masked[max(0, verb_start - 40):verb_start]) is not None


def same_speaker(a: str, b: str) -> bool:
    """Whether two speaker names may be the same person: "a U.S. official" and "U.S.
    official", "Witkoff" and "Steve Witkoff" are; "U.S. official" and "Steve Witkoff"
    are not. Words compared case-folded, without a leading determiner; one name's
    words all in the other's, or the same last word (a surname)."""
    x, y = _words(a), _words(b)
    if not x or not y:
        return False
    return set(x) <= set(y) or set(y) <= set(x) or x[-1] == y[-1]


def _words(name: str) -> list[str]:
    words = [w.casefold() for w in _WORD_RE.findall(name)]
    while words and words[0] in DETERMINERS:
        words = words[1:]
    return words
