"""A list of one-line rows drawn one visible row at a time, for lists of any length.

The review queue may hold 100,000 suggestions and the annotation browser every
annotation of the corpus: building a widget (or an option) per row would cost seconds
before the first frame. This table knows only how many rows there are and asks the
screen for the text of each row it draws (`line_at`), the way Textual's `Log` draws
lines; rows the screen marks (a selection, asked of `marked_at` as the rows are drawn,
so a mark follows its item when rows move) are drawn reversed-out. Moves post
`RowTable.Moved`; `enter` posts `RowTable.Chosen`. The screen reads the store.

`show` may be called before the table has a size (from the screen's `compose`, so
the first frame already has the rows): the cursor is scrolled into view once the
table is laid out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .lines import cut_at_word, text_strip

LineSource = Callable[[int, int], Text]
"""(row, width) -> the row's text; called only for the rows on screen."""

MarkSource = Callable[[int], bool]
"""row -> whether the row is marked; called only for the rows on screen."""

HeaderSource = Callable[[int], Text]
"""width -> the header's text, for a header whose columns follow the table's width."""


def _unmarked(row: int) -> bool:
    return False


class RowTable(ScrollView, can_focus=True, inherit_bindings=False):
    """A header, then `count` rows from `line_at`; a row cursor that scrolls into view."""

    COMPONENT_CLASSES = {"row-table--header", "row-table--cursor", "row-table--marked"}

    BINDINGS = [
        Binding("j,down", "move(1)", "next row", show=False, id="rows.down"),
        Binding("k,up", "move(-1)", "previous row", show=False, id="rows.up"),
        Binding("pagedown", "page(1)", "page down", show=False, id="rows.page_down"),
        Binding("pageup", "page(-1)", "page up", show=False, id="rows.page_up"),
        Binding("g,home", "first", "first row", show=False, id="rows.first"),
        Binding("G,end", "last", "last row", show=False, id="rows.last"),
        Binding("enter", "choose", "open", id="rows.choose", tooltip="open the row"),
    ]

    @dataclass
    class Moved(Message):
        table: RowTable
        row: int

    @dataclass
    class Chosen(Message):
        table: RowTable
        row: int

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.count = 0
        self.cursor_row = 0
        self.header: Text | HeaderSource = Text("")
        self.line_at: LineSource = lambda row, width: Text("")
        self.marked_at: MarkSource = _unmarked
        self._cache: LRUCache[tuple, Strip] = LRUCache(256)

    # -- attributes down ---------------------------------------------------------------

    def show(
        self,
        count: int,
        line_at: LineSource,
        header: Text | HeaderSource,
        cursor: int = 0,
        marked_at: MarkSource = _unmarked,
    ) -> None:
        """New rows (or the same rows redrawn): the cursor goes to `cursor`."""
        self.count = count
        self.line_at = line_at
        self.header = header
        self.marked_at = marked_at
        self._cache.clear()
        # No width: rows are cut to the table's width, never scrolled sideways, and a
        # width that follows the table's would lay the screen out again whenever the
        # vertical scroll bar comes or goes.
        self.virtual_size = Size(0, count + 1)
        self.cursor_row = -1
        self.move_to(cursor, announce=True)
        self.refresh()

    def redraw(self) -> None:
        """The rows' texts changed (a verdict, a mark): draw them again."""
        self._cache.clear()
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        # The cache needs no clearing: a row's strip is kept per width.
        self._scroll_to_cursor()

    # -- cursor --------------------------------------------------------------------------

    def move_to(self, row: int, *, announce: bool = True) -> None:
        if self.count == 0:
            self.cursor_row = 0
            if announce:
                self.post_message(self.Moved(self, 0))
            return
        row = max(0, min(row, self.count - 1))
        if row == self.cursor_row:
            return
        self.cursor_row = row
        self._scroll_to_cursor()
        self.refresh()
        if announce:
            self.post_message(self.Moved(self, row))

    def _scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height
        if height <= 1:
            return  # not laid out yet: on_resize scrolls
        visible = height - 1
        top, row = int(self.scroll_y), self.cursor_row
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + visible:
            self.scroll_to(y=row - visible + 1, animate=False, immediate=True)

    def action_move(self, step: int) -> None:
        self.move_to(self.cursor_row + step)

    def action_page(self, step: int) -> None:
        self.move_to(self.cursor_row + step * max(1, self.scrollable_content_region.height - 2))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.count - 1)

    def action_choose(self) -> None:
        if self.count:
            self.post_message(self.Chosen(self, self.cursor_row))

    def on_click(self, event: events.Click) -> None:
        position = event.get_content_offset(self)
        if position is None or position.y == 0:
            return
        row = int(self.scroll_y) + position.y - 1
        if row == self.cursor_row:
            self.action_choose()
        elif 0 <= row < self.count:
            self.move_to(row)

    # -- drawing ---------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            style = base + self.get_component_rich_style("row-table--header")
            # A header drawn from the width is drawn at the width the rows get: one
            # frame, not a second once the first row has told the screen the width.
            header = self.header(width) if callable(self.header) else self.header.copy()
            return text_strip(header, style, width, self.app.console)
        row = int(self.scroll_y) + y - 1
        if row >= self.count:
            return Strip.blank(width, base)
        cursor, marked = row == self.cursor_row, self.marked_at(row)
        key = (row, cursor, marked, width)
        strip = self._cache.get(key)
        if strip is None:
            style: Style = base
            if marked:
                style += self.get_component_rich_style("row-table--marked")
            if cursor:
                style += self.get_component_rich_style("row-table--cursor")
            # Cut between words: the queue's and the browser's rows are sentences.
            strip = self._cache[key] = text_strip(
                cut_at_word(self.line_at(row, width), width), style, width, self.app.console
            )
        return strip
