"""One line of Rich `Text` as a Textual `Strip` whose every segment has a style.

`Text.render` gives a text without spans one segment with no style at all (`None`).
Textual's monochrome filter, used when `NO_COLOR` is set, reads the colour of every
segment's style, and a terminal would show such a segment in its default colours
instead of the widget's. So the widget's style goes under every segment here.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip

_SPACE = re.compile(r"\s+")


def text_strip(text: Text, style: Style, width: int, console: Console) -> Strip:
    """`text` over `style`, cut with an ellipsis or padded to exactly `width` cells."""
    text.truncate(width, overflow="ellipsis")
    return Strip(text.render(console)).apply_style(style).crop_extend(0, width, style)


def cut_at_word(text: Text, width: int) -> Text:
    """`text` if it fits in `width` cells, else its words that fit and an ellipsis.

    A line cut mid-word reads as a different word ("Kellogg said troo"); a single word
    wider than the line is the one thing still cut inside, with the ellipsis.
    """
    plain = text.plain
    if cell_len(plain) <= width:
        return text
    if width <= 1:
        return Text("\u2026"[:width], end="")
    cut = None
    cells, start, in_word = 0, 0, False  # cells of plain[:start], counted once
    for space in _SPACE.finditer(plain):
        end = space.start()
        piece = plain[start:end]
        cells += cell_len(piece)
        start = end
        in_word = in_word or bool(piece.strip())
        if not in_word:
            continue  # leading white space: an indent, not a word's end
        if cells + 1 <= width:
            cut = end
        else:
            break
    if cut is None:
        text = text.copy()
        text.truncate(width, overflow="ellipsis")
        return text
    kept = text.divide([cut])[0]
    kept.append("\u2026")
    return kept
