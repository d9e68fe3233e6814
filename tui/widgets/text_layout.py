"""Article text laid out for a terminal: visible escapes, cell widths and word wrap.

Pure functions over strings, so the hardest part of the article view is tested
without a screen. Offsets are code points into the document text. The display form
of a text has exactly one character per code point (a control character becomes a
one-cell picture such as `␛`), so a code-point range of the document is the same
range of its display form.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

import regex
from rich.cells import cell_len

from ..escapes import escape_table

_ESCAPES = escape_table()
_GRAPHEME = regex.compile(r"\X", regex.DOTALL)
# Characters that are one cell wide and a grapheme cluster on their own: printable
# ASCII, Latin-1 (but the soft hyphen), Latin Extended, spacing modifiers, general
# punctuation (dashes, curly quotes, ellipsis) and the euro sign. A paragraph made
# only of these (most news text) is wrapped by counting code points.
_SIMPLE = re.compile(r"[\t\x20-\x7e\u00a0-\u00ac\u00ae-\u02ff\u2010-\u2027\u2030-\u205e\u20ac]*\Z")


def display_text(text: str) -> str:
    """`text` with control characters replaced by visible one-cell stand-ins."""
    return text.translate(_ESCAPES)


NO_OUTLET = "(no outlet)"  # an article whose page names none, said alike on every screen


def outlet_text(source: str) -> str:
    """An article's outlet for display, or NO_OUTLET when its page names none."""
    return display_text(source) if source else NO_OUTLET


def is_simple(text: str, start: int = 0, end: int | None = None) -> bool:
    """True if every code point of `text[start:end]` is one cell and one grapheme."""
    return _SIMPLE.match(text, start, len(text) if end is None else end) is not None


_WIDTHS: dict[str, int] = {}
_MAX_WIDTHS = 50_000


def _cells(cluster: str) -> int:
    """Cell width of a displayed grapheme cluster (memoised: text repeats its characters)."""
    width = _WIDTHS.get(cluster)
    if width is None:
        if len(_WIDTHS) > _MAX_WIDTHS:
            _WIDTHS.clear()
        width = _WIDTHS[cluster] = cell_len(cluster)
    return width


def graphemes(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(offset, cell width) of each grapheme cluster of `text[start:end]`, as displayed.

    Clusters are found in the displayed form (one character per code point), so
    their offsets are offsets of `text`. In `text` a control character is a cluster
    of its own; its picture may join a following mark, never split one, so every
    boundary found here is a boundary of `text` too.
    """
    if is_simple(text, start, end):
        return [(offset, 1) for offset in range(start, end)]
    shown = display_text(text[start:end])
    return [(start + match.start(), _cells(match.group())) for match in _GRAPHEME.finditer(shown)]


@dataclass(frozen=True)
class Layout:
    """Visual lines of a text wrapped to `width` cells: line i shows `starts[i]:ends[i]`.

    White space where a line was broken, and the newline ending a paragraph, belong
    to no line; an offset there counts as part of the line before.
    """

    width: int
    starts: list[int]
    ends: list[int]

    def __len__(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        """The visual line showing `offset` (bisect: never walks the text)."""
        return max(0, bisect_right(self.starts, offset) - 1)


def wrap(text: str, width: int) -> Layout:
    """Word-wrap `text` into lines of at most `width` cells, paragraph by paragraph.

    Lines break at spaces; a word longer than a line, or text without spaces (Chinese,
    Japanese), breaks between grapheme clusters, never inside one.
    """
    width = max(1, width)
    starts: list[int] = []
    ends: list[int] = []
    paragraph_start = 0
    length = len(text)
    while paragraph_start <= length:
        newline = text.find("\n", paragraph_start)
        paragraph_end = length if newline < 0 else newline
        if paragraph_end == paragraph_start:
            starts.append(paragraph_start)
            ends.append(paragraph_start)
        elif is_simple(text, paragraph_start, paragraph_end):
            _wrap_simple(text, paragraph_start, paragraph_end, width, starts, ends)
        else:
            _wrap_graphemes(text, paragraph_start, paragraph_end, width, starts, ends)
        if newline < 0:
            break
        paragraph_start = newline + 1
    return Layout(width, starts, ends)


def _skip_spaces(text: str, pos: int, end: int) -> int:
    while pos < end and text[pos] in " \t":
        pos += 1
    return pos


def _wrap_simple(
    text: str, start: int, end: int, width: int, starts: list[int], ends: list[int]
) -> None:
    """Wrap a paragraph whose code points are all one cell wide."""
    line_start = start
    while True:
        if end - line_start <= width:
            starts.append(line_start)
            ends.append(end)
            return
        limit = line_start + width
        space = text.rfind(" ", line_start + 1, limit + 1)
        if space < 0:
            starts.append(line_start)
            ends.append(limit)
            line_start = limit
        else:
            starts.append(line_start)
            ends.append(space)
            line_start = _skip_spaces(text, space, end)
            if line_start >= end:
                return


def _wrap_graphemes(
    text: str, start: int, end: int, width: int, starts: list[int], ends: list[int]
) -> None:
    """Wrap a paragraph grapheme by grapheme, measuring each in terminal cells."""
    clusters = graphemes(text, start, end)
    count = len(clusters)
    # A line may break at a cluster that is a lone breaking space (a space carrying a
    # combining mark is a visible character, and a no-break space does not break).
    cluster_ends = [offset for offset, _ in clusters[1:]] + [end]
    breakable = [
        text[offset] in " \t\u3000" and cluster_end == offset + 1
        for (offset, _), cluster_end in zip(clusters, cluster_ends, strict=True)
    ]
    index = 0
    while index < count:
        used = 0
        cursor = index
        last_space = -1
        while cursor < count:
            cells = clusters[cursor][1]
            if used + cells > width and cursor > index:
                break
            if breakable[cursor]:
                last_space = cursor
            used += cells
            cursor += 1
        if cursor >= count:
            starts.append(clusters[index][0])
            ends.append(end)
            return
        if breakable[cursor]:
            break_at = cursor
        elif last_space > index:
            break_at = last_space
        else:
            starts.append(clusters[index][0])
            ends.append(clusters[cursor][0])
            index = cursor
            continue
        starts.append(clusters[index][0])
        ends.append(clusters[break_at][0])
        index = break_at
        while index < count and breakable[index]:
            index += 1


def offset_at_cell(text: str, start: int, end: int, x: int) -> int:
    """The offset of the grapheme drawn at cell `x` of a line showing `text[start:end]`.

    Past the end of the line gives `end`.
    """
    if x <= 0:
        return start
    used = 0
    for offset, cells in graphemes(text, start, end):
        used += cells
        if used > x:
            return offset
    return end


def find_all(text: str, query: str) -> list[tuple[int, int]]:
    """Spans of every case-insensitive occurrence of `query` (a literal, not a pattern)."""
    if not query:
        return []
    pattern = regex.compile(regex.escape(query), regex.IGNORECASE | regex.V1)
    return [match.span() for match in pattern.finditer(text)]
