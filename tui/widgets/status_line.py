"""One line of plain text: the reader's status (sentence i/n, % read, what a key did).

It changes on almost every key, so it is drawn the cheap way: one cached `Strip`,
rebuilt only when the text or the width changes. (A `Static` lays its content out
through Textual's visual pipeline on each update: a third of a millisecond per key.)
The text is shown as data: no markup, control characters as visible stand-ins.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from .lines import cut_at_word
from .text_layout import display_text


class StatusLine(Widget):
    """A one-line status bar; `show(text)` replaces its text."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = ""
        self._strip: tuple[int, Strip] | None = None  # (width, strip)
        self._style: Style | None = None

    def show(self, text: str) -> None:
        """Replace the text; nothing is redrawn if it is the same."""
        if text != self.text:
            self.text = text
            self._strip = None
            self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strip = None
        self._style = None

    def render_line(self, y: int) -> Strip:
        width = self.content_region.width
        if self._style is None:  # `rich_style` walks the DOM on every call
            self._style = self.rich_style
        style = self._style
        if y:
            return Strip.blank(width, style)
        if self._strip is None or self._strip[0] != width:
            # Cut between words: "Russian le…" reads as a different word.
            line = cut_at_word(Text(display_text(self.text), end="", no_wrap=True), width)
            # One segment in the widget's style (`Text.render` would drop the style
            # of a text without spans, leaving the terminal's default colours).
            strip = Strip([Segment(line.plain, style)]).crop_extend(0, width, style)
            self._strip = (width, strip)
        return self._strip[1]
