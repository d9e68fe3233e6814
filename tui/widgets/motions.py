"""Where the caret goes for a word or sentence motion: pure functions over offsets.

Each looks only at text near the caret (a window that grows if needed) or bisects
precomputed sentence boundaries, so a motion costs the same in a 1 MB article as in
a short one. Results are grapheme boundaries: a selection never splits a character.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

import regex

from store import is_grapheme_boundary, next_grapheme, previous_grapheme

WORD = regex.compile(r"\w+(?:['’\-]\w+)*")
_WINDOW = 256


def snap_back(text: str, pos: int) -> int:
    """`pos`, or the start of the grapheme cluster it falls inside."""
    pos = max(0, min(pos, len(text)))
    return pos if is_grapheme_boundary(text, pos) else previous_grapheme(text, pos)


def snap_forward(text: str, pos: int) -> int:
    """`pos`, or the end of the grapheme cluster it falls inside."""
    pos = max(0, min(pos, len(text)))
    return pos if is_grapheme_boundary(text, pos) else next_grapheme(text, pos)


def next_word_start(text: str, pos: int) -> int:
    match = WORD.search(text, pos)
    while match is not None and match.start() <= pos:
        match = WORD.search(text, match.end())
    return snap_back(text, match.start()) if match else len(text)


def next_word_end(text: str, pos: int) -> int:
    """The end of the word the caret is in, or of the next word."""
    match = WORD.search(text, pos)
    while match is not None and match.end() <= pos:
        match = WORD.search(text, match.end())
    return snap_forward(text, match.end()) if match else len(text)


def _words_before(text: str, pos: int) -> list[tuple[int, int]]:
    """Word spans starting before `pos` (cut at `pos`), from a window near the caret."""
    window = _WINDOW
    while True:
        floor = max(0, pos - window)
        spans = [m.span() for m in WORD.finditer(text, floor, pos)]
        if floor > 0 and spans and spans[0][0] == floor:
            spans = spans[1:]  # it may be the tail of a word that starts further back
        if spans or floor == 0:
            return spans
        window *= 4


def previous_word_start(text: str, pos: int) -> int:
    """The start of the word the caret is inside, or of the word before."""
    starts = [start for start, _ in _words_before(text, pos) if start < pos]
    return snap_back(text, starts[-1]) if starts else 0


def previous_word_end(text: str, pos: int) -> int:
    ends = [end for _, end in _words_before(text, pos) if end < pos]
    return snap_forward(text, ends[-1]) if ends else 0


def next_boundary(boundaries: Sequence[int], pos: int, default: int) -> int:
    """The first of the sorted `boundaries` after `pos`."""
    index = bisect_right(boundaries, pos)
    return boundaries[index] if index < len(boundaries) else default


def previous_boundary(boundaries: Sequence[int], pos: int, default: int) -> int:
    """The last of the sorted `boundaries` before `pos`."""
    index = bisect_left(boundaries, pos) - 1
    return boundaries[index] if index >= 0 else default


# -- an annotation's edges ------------------------------------------------------------------

# A word, or one punctuation mark: an edge steps over "said." as "said" then ".", so a
# claim can be grown to take its full stop, or trimmed of a trailing comma.
TOKEN = regex.compile(r"\w+(?:['’\-]\w+)*|[^\w\s]")


def _tokens_before(text: str, pos: int) -> list[tuple[int, int]]:
    """Token spans starting before `pos` (cut at `pos`), from a window near it."""
    window = _WINDOW
    while True:
        floor = max(0, pos - window)
        spans = [m.span() for m in TOKEN.finditer(text, floor, pos)]
        if floor > 0 and spans and spans[0][0] == floor:
            spans = spans[1:]
        if spans or floor == 0:
            return spans
        window *= 4


def grow_end(text: str, start: int, end: int) -> int:
    """The end moved over the next word or punctuation after it."""
    match = TOKEN.search(text, end)
    return snap_forward(text, match.end()) if match else end


def shrink_end(text: str, start: int, end: int) -> int:
    """The end moved back over its last word or punctuation; never to `start`."""
    ends = [e for s, e in _tokens_before(text, end) if start < e < end and s >= start]
    return snap_forward(text, ends[-1]) if ends else end


def grow_start(text: str, start: int, end: int) -> int:
    """The start moved back over the word or punctuation before it."""
    starts = [s for s, _ in _tokens_before(text, start)]
    return snap_back(text, starts[-1]) if starts else start


def shrink_start(text: str, start: int, end: int) -> int:
    """The start moved forward past its first word or punctuation; never to `end`."""
    first = TOKEN.search(text, start, end)
    if first is None:
        return start
    following = TOKEN.search(text, first.end(), end)
    return snap_back(text, following.start()) if following else start


# -- the quotation around the caret ---------------------------------------------------------

# Opening mark -> its closing marks. Straight quotes open and close alike; „ closes with
# “ (German) or ” (Polish); » « in German and Danish text; ‘ closes with ' in text typed
# with both.
PAIRS = {
    "\u201c": "\u201d", "\u201e": "\u201c\u201d", "\u00ab": "\u00bb", "\u00bb": "\u00ab",
    "\u300c": "\u300d", "\u300e": "\u300f", "\u2018": "\u2019'", '"': '"', "'": "'",
}
_SINGLE = "\u2018\u2019'"  # also apostrophes: told apart by the letters around them
_MARKS = frozenset(PAIRS) | frozenset("".join(PAIRS.values()))
_PARAGRAPH_CHARS = 20_000  # a quotation longer than this is not looked for


def quotation_around(text: str, pos: int) -> tuple[int, int, int, int] | None:
    """The innermost quotation holding `pos`: (inner start, inner end, outer start,
    outer end), inner without its marks and outer with them; None if there is none.

    Marks are paired within the paragraph of `pos` (a quotation in news text closes in
    its paragraph), innermost first: `pos` on a mark counts as inside its quotation.
    """
    floor = text.rfind("\n", max(0, pos - _PARAGRAPH_CHARS), pos) + 1
    ceiling = text.find("\n", pos, pos + _PARAGRAPH_CHARS)
    if ceiling < 0:
        ceiling = min(len(text), pos + _PARAGRAPH_CHARS)
    stack: list[tuple[str, int]] = []
    best: tuple[int, int, int, int] | None = None
    for index in range(floor, ceiling):
        if text[index] not in _MARKS:
            continue
        opener = _closes(text, index, stack)
        if opener is None:
            if text[index] in PAIRS and _may_open(text, index):
                stack.append((text[index], index))
            continue
        open_at = stack[opener][1]
        del stack[opener:]
        if open_at <= pos <= index and (best is None or index - open_at < best[3] - best[2]):
            best = (open_at + 1, index, open_at, index + 1)
    return best


def _closes(text: str, index: int, stack: list[tuple[str, int]]) -> int | None:
    """Which open mark on `stack` the mark at `index` closes, if it closes one.

    A single mark between two letters is an apostrophe (it's), not a quote mark; a
    straight ' closes only after a word (before one it opens a quote in a quote).
    """
    char = text[index]
    if char in _SINGLE and _between_letters(text, index):
        return None
    if char == "'" and (index == 0 or text[index - 1].isspace()):
        return None
    return next((i for i in range(len(stack) - 1, -1, -1) if char in PAIRS[stack[i][0]]), None)


def _may_open(text: str, index: int) -> bool:
    """A straight ' opens only before a word, after a space (else it is a stray closing
    mark or an elision); other opening marks always may."""
    if text[index] != "'":
        return text[index] not in _SINGLE or not _between_letters(text, index)
    before_word = index + 1 < len(text) and not text[index + 1].isspace()
    return before_word and (index == 0 or text[index - 1].isspace() or text[index - 1] in PAIRS)


def _between_letters(text: str, index: int) -> bool:
    return 0 < index < len(text) - 1 and text[index - 1].isalnum() and text[index + 1].isalnum()
