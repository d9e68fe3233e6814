"""The library's table of articles, drawn one visible row at a time.

Textual's `DataTable` builds every row up front (about two seconds for 10,000
articles on this machine); this Line-API table keeps the summaries in a list and
draws only the rows on screen, so the library paints at once however big the
database is. Choosing a row posts `OpenDocument`; the app decides what to do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store import DocumentSummary

from ..messages import OpenDocument
from .lines import text_strip
from .text_layout import display_text

MAX_OUTLET_CELLS = 22
GAP = 2


def length_label(chars: int) -> str:
    return f"{chars / 1000:.1f}k" if chars >= 1000 else str(chars)


@dataclass(frozen=True)
class Columns:
    """Cell widths of the fixed columns; the title takes the rest of the line."""

    notes: int
    links: int
    length: int
    outlet: int

    @classmethod
    def fit(cls, rows: Sequence[DocumentSummary]) -> Columns:
        return cls(
            notes=max([len("Notes")] + [len(str(r.annotations)) for r in rows]),
            links=max([len("Links")] + [len(str(r.links)) for r in rows]),
            length=max([len("Length")] + [len(length_label(r.chars)) for r in rows]),
            outlet=min(MAX_OUTLET_CELLS, max([len("Outlet")] + [cell_len(display_text(r.source))
                                                                for r in rows])),
        )

    def cells(self, notes: str, links: str, length: str, outlet: str, title: str) -> Text:
        """One row (or the header) laid out in the columns; titles and outlets are data."""
        text = Text(end="", no_wrap=True)
        text.append(notes.rjust(self.notes) + " " * GAP)
        text.append(links.rjust(self.links) + " " * GAP)
        text.append(length.rjust(self.length) + " " * GAP)
        outlet_text = Text(outlet)
        outlet_text.truncate(self.outlet, overflow="ellipsis", pad=True)
        text.append_text(outlet_text)
        text.append(" " * GAP)
        text.append(title)
        return text


class DocumentTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Articles with their counts; a row cursor; enter (or a click on it) opens one."""

    COMPONENT_CLASSES = {"document-table--header", "document-table--cursor"}

    BINDINGS = [
        Binding("enter", "open", "open", id="library.open", tooltip="open the article"),
        Binding("j", "down", "next article", show=False, id="library.down"),
        Binding("down", "down", "next article", show=False, id="library.down"),
        Binding("k", "up", "previous article", show=False, id="library.up"),
        Binding("up", "up", "previous article", show=False, id="library.up"),
        Binding("pagedown", "page_down", "page down", show=False, id="library.page_down"),
        Binding("pageup", "page_up", "page up", show=False, id="library.page_up"),
        Binding("g", "first", "first article", show=False, id="library.first"),
        Binding("home", "first", "first article", show=False, id="library.first"),
        Binding("G", "last", "last article", show=False, id="library.last"),
        Binding("end", "last", "last article", show=False, id="library.last"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.rows: list[DocumentSummary] = []
        self.cursor_row = 0
        self._columns = Columns.fit([])
        self._cache: LRUCache[tuple, Strip] = LRUCache(512)

    # -- attributes down ---------------------------------------------------------

    def set_rows(self, rows: list[DocumentSummary]) -> None:
        """Show `rows` (already filtered and ordered); the cursor goes to the first."""
        self.rows = rows
        self._columns = Columns.fit(rows)
        self._cache.clear()
        self.cursor_row = 0
        self.scroll_to(y=0, animate=False)
        self._set_height()
        self.refresh()

    def update_rows(self, rows: list[DocumentSummary]) -> None:
        """The same documents with new counts: keep the cursor and the scroll."""
        self.rows = rows
        self._columns = Columns.fit(rows)
        self.cursor_row = min(self.cursor_row, max(0, len(rows) - 1))
        self._set_height()
        self.refresh()

    def move_to(self, doc_id: str) -> None:
        for index, row in enumerate(self.rows):
            if row.id == doc_id:
                self._move(index)
                return

    @property
    def current(self) -> DocumentSummary | None:
        return self.rows[self.cursor_row] if 0 <= self.cursor_row < len(self.rows) else None

    def _set_height(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.rows) + 1)

    def on_resize(self, event: events.Resize) -> None:
        self._set_height()

    # -- cursor --------------------------------------------------------------------

    def _move(self, row: int) -> None:
        if not self.rows:
            return
        previous = self.cursor_row
        self.cursor_row = max(0, min(row, len(self.rows) - 1))
        visible = max(1, self.scrollable_content_region.height - 1)
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False)
        else:
            self.refresh_lines(previous + 1)
            self.refresh_lines(self.cursor_row + 1)

    def action_down(self) -> None:
        self._move(self.cursor_row + 1)

    def action_up(self) -> None:
        self._move(self.cursor_row - 1)

    def action_page_down(self) -> None:
        self._move(self.cursor_row + max(1, self.scrollable_content_region.height - 2))

    def action_page_up(self) -> None:
        self._move(self.cursor_row - max(1, self.scrollable_content_region.height - 2))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.rows) - 1)

    def action_open(self) -> None:
        if self.current is not None:
            self.post_message(OpenDocument(self.current.id))

    def on_click(self, event: events.Click) -> None:
        position = event.get_content_offset(self)
        if position is None or position.y == 0:
            return
        row = int(self.scroll_y) + position.y - 1
        if row == self.cursor_row:
            self.action_open()
        elif 0 <= row < len(self.rows):
            self._move(row)

    # -- rendering --------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            header = self._columns.cells("Notes", "Links", "Length", "Outlet", "Title")
            return self._strip(header, base + self._style("document-table--header"), width)
        row = int(self.scroll_y) + y - 1
        if row >= len(self.rows):
            return Strip.blank(width, base)
        document = self.rows[row]
        cursor = row == self.cursor_row
        key = (document, cursor, width, self._columns)
        strip = self._cache.get(key)
        if strip is None:
            text = self._columns.cells(
                str(document.annotations or ""),
                str(document.links or ""),
                length_label(document.chars),
                display_text(document.source),
                display_text(document.title) or "(untitled)",
            )
            style = base + self._style("document-table--cursor") if cursor else base
            strip = self._cache[key] = self._strip(text, style, width)
        return strip

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name)

    def _strip(self, text: Text, style: Style, width: int) -> Strip:
        return text_strip(text, style, width, self.app.console)
