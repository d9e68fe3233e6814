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
