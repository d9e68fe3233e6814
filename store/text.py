"""Text helpers shared by every part of the core: spans, graphemes, context.

Offsets are code points into the stored document text, end exclusive. A user-visible
span never splits a grapheme cluster (an emoji sequence, a letter and its combining
marks), so spans are checked or snapped with the extended grapheme rules of `regex`.
"""

from __future__ import annotations

import regex

CONTEXT_CHARS = 32
_GRAPHEME = regex.compile(r"\X", regex.DOTALL)
# How far back a boundary search may start. A newline always ends a cluster, so
# the search starts after the last newline before the position, or this far back.
_LOOKBACK = 256


def context(text: str, start: int, end: int) -> tuple[str, str]:
    """The CONTEXT_CHARS characters before and after a span (W3C TextQuoteSelector
    style): what re-anchoring compares when the text around an annotation changes."""
    return text[max(0, start - CONTEXT_CHARS) : start], text[end : end + CONTEXT_CHARS]


def _cluster_starts_near(text: str, pos: int) -> list[int]:
    """Start offsets of the grapheme clusters around `pos`, from a safe anchor."""
    floor = max(0, pos - _LOOKBACK)
    newline = text.rfind("\n", floor, pos)
    anchor = newline + 1 if newline >= 0 else floor
    starts = []
    for match in _GRAPHEME.finditer(text, anchor, min(len(text), pos + _LOOKBACK)):
        starts.append(match.start())
        if match.start() > pos:
            break
    return starts


def is_grapheme_boundary(text: str, pos: int) -> bool:
    if pos <= 0 or pos >= len(text):
        return 0 <= pos <= len(text)
    before, after = text[pos - 1], text[pos]
    if before < "\x80" and after < "\x80":
        # Between two ASCII characters only CR LF is one cluster: no ASCII character
        # extends, joins or prepends (the usual case, answered without the regex).
        return not (before == "\r" and after == "\n")
    return pos in _cluster_starts_near(text, pos)


def snap_to_graphemes(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a span outwards until neither end splits a grapheme cluster."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    if not is_grapheme_boundary(text, start):
        start = max(s for s in _cluster_starts_near(text, start) if s < start)
    if not is_grapheme_boundary(text, end):
        # The last cluster has no start after it: the end of the text ends it.
        end = min((s for s in _cluster_starts_near(text, end) if s > end), default=len(text))
    return start, end


def next_grapheme(text: str, pos: int) -> int:
    """The offset just after the grapheme cluster starting at or containing `pos`."""
    if pos >= len(text):
        return len(text)
    later = [s for s in _cluster_starts_near(text, pos) if s > pos]
    return later[0] if later else len(text)


def previous_grapheme(text: str, pos: int) -> int:
    """The start of the grapheme cluster before `pos`."""
    if pos <= 0:
        return 0
    earlier = [s for s in _cluster_starts_near(text, pos) if s < pos]
    return earlier[-1] if earlier else 0


def span_problem(text: str, start: int, end: int) -> str | None:
    """Why `start:end` is not a valid span of `text`, or None if it is."""
    if isinstance(start, bool) or isinstance(end, bool):
        return "offsets must be whole numbers"
    if not isinstance(start, int) or not isinstance(end, int):
        return "offsets must be whole numbers"
    if start < 0 or end > len(text):
        return f"span {start}:{end} is outside the document (0:{len(text)})"
    if end <= start:
        return f"span {start}:{end} is empty or reversed"
    if not is_grapheme_boundary(text, start) or not is_grapheme_boundary(text, end):
        return f"span {start}:{end} splits a character (grapheme cluster)"
    return None

