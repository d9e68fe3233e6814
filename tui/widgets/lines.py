"""One line of Rich `Text` as a Textual `Strip` whose every segment has a style.

`Text.render` gives a text without spans one segment with no style at all (`None`).
Textual's monochrome filter, used when `NO_COLOR` is set, reads the colour of every
segment's style, and a terminal would show such a segment in its default colours
instead of the widget's. So the widget's style goes under every segment here.
"""

from __future__ import annotations

from rich.console import Console
from rich.style import Style
from rich.text import Text
from textual.strip import Strip


def text_strip(text: Text, style: Style, width: int, console: Console) -> Strip:
    """`text` over `style`, cut with an ellipsis or padded to exactly `width` cells."""
    text.truncate(width, overflow="ellipsis")
    return Strip(text.render(console)).apply_style(style).crop_extend(0, width, style)
