"""The library's table of articles, drawn one visible row at a time.

Textual's `DataTable` builds every row up front (about two seconds for 10,000
articles on this machine); this Line-API table keeps the summaries in a list and
draws only the rows on screen, so the library paints at once however big the
database is. Choosing a row posts `OpenDocument`; the app decides what to do.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store import WorkItem

from ..messages import OpenDocument
from .lines import cut_at_word, text_strip
from .text_layout import display_text, outlet_text

GAP = 2
NARROW_GAP = 1
MIN_TITLE_CELLS = 30  # below this, headers shorten and outlets narrow before the title does
ASCENDING, DESCENDING = "\u25b2", "\u25bc"


def length_label(chars: int) -> str:
    return f"{chars / 1000:.1f}k" if chars >= 1000 else str(chars)


def read_label(item: WorkItem) -> str:
    if item.done:
        return "done"
    return "" if item.read is None else f"{item.read}%"


# "22 minutes ago" as "22min ago" in a narrow table: the date keeps its meaning and
# fits; other values (dates, "yesterday") are shown as the page gave them.
_RELATIVE = re.compile(
    r"^(?P<count>an?|one|\d{1,3})\s+(?P<unit>second|minute|min|hour|hr|day|week|month|year)s?"
    r"\s+ago$", re.IGNORECASE)
_UNITS = {"second": "s", "minute": "min", "min": "min", "hour": "h", "hr": "h", "day": "d",
          "week": "w", "month": "mo", "year": "y"}


def short_published(published: str) -> str:
    found = _RELATIVE.match(published.strip())
    if found is None:
        return display_text(published)
    count = found["count"].lower()
    number = "1" if count in ("a", "an", "one") else count
    return f"{number}{_UNITS[found['unit'].lower()]} ago"


def _count(value: int) -> str:
    return str(value) if value else ""


@dataclass(frozen=True)
class Column:
    """One fixed column: its sort name, header (long and short) and cell text."""

    name: str
    header: str
    short: str
    cell: Callable[[WorkItem], str]
    numeric: bool = True  # right-aligned
    short_cell: Callable[[WorkItem], str] | None = None  # in a narrow table
    limit: int = 0  # most cells (0: as wide as its widest value)
    narrow_limit: int = 0


COLUMNS = (
    Column("read", "Read", "Read", read_label),
    Column("annotations", "Annotations", "Ann", lambda i: _count(i.annotations)),
    Column("confirmed", "Confirmed", "Conf", lambda i: _count(i.confirmed)),
    Column("suggested", "Suggested", "Sugg", lambda i: _count(i.suggested)),
    Column("length", "Length", "Len", lambda i: length_label(i.chars)),
    Column("published", "Published", "Published", lambda i: display_text(i.published),
           numeric=False, limit=16, narrow_limit=10,
           short_cell=lambda i: short_published(i.published)),
    Column("outlet", "Outlet", "Outlet", lambda i: outlet_text(i.source), numeric=False,
           limit=22, narrow_limit=12),
)
NARROW_DROPS = {"length"}  # left out when the title would get too little room


@dataclass(frozen=True)
class Layout:
    """Where each column sits at one width: the title takes what the others leave."""

    columns: tuple[tuple[Column, int], ...]  # the column and its cell width
    gap: int
    short: bool

    @classmethod
    def fit(cls, rows: Sequence[WorkItem], width: int, sort: str = "imported") -> Layout:
        """The wide layout if every title fits whole beside it, else the narrow one,
        which still shows the column the rows are sorted by: headers shorten (and
        Length goes) before a title loses a word."""
        wide = cls._make(rows, short=False, gap=GAP, sort=sort)
        room = width - wide.fixed_cells
        if room >= MIN_TITLE_CELLS and all(
            cell_len(display_text(row.title)) <= room for row in rows
        ):
            return wide
        return cls._make(rows, short=True, gap=NARROW_GAP, sort=sort)

    @classmethod
    def _make(cls, rows: Sequence[WorkItem], short: bool, gap: int, sort: str) -> Layout:
        columns = []
        for column in COLUMNS:
            if short and column.name in NARROW_DROPS and column.name != sort:
                continue
            header = column.short if short else column.header
            cell = column.short_cell if short and column.short_cell else column.cell
            cells = max([cell_len(header) + 1] + [cell_len(cell(r)) for r in rows])
            limit = column.narrow_limit if short else column.limit
            if limit:
                cells = min(cells, max(limit, cell_len(header) + 1))
            columns.append((column, cells))
        return cls(tuple(columns), gap, short)

    @property
    def names(self) -> tuple[str, ...]:
        """The sort names of the columns shown, the title last."""
        return (*(column.name for column, _ in self.columns), "title")

    @property
    def fixed_cells(self) -> int:
        return sum(cells + self.gap for _, cells in self.columns)

    def column_at(self, x: int) -> str:
        """The sort name of the column at cell `x` of a row (the title after the rest)."""
        left = 0
        for column, cells in self.columns:
            if x < left + cells + self.gap:
                return column.name
            left += cells + self.gap
        return "title"

    def header(self, sort: str, descending: bool) -> Text:
        arrow = DESCENDING if descending else ASCENDING
        text = Text(end="", no_wrap=True)
        for column, cells in self.columns:
            label = (column.short if self.short else column.header) + (
                arrow if column.name == sort else "")
            text.append((label.rjust(cells) if column.numeric else label.ljust(cells))
                        + " " * self.gap)
        text.append("Title" + (arrow if sort == "title" else ""))
        return text

    def row(self, item: WorkItem, marks: Marks | None, match_style: Style) -> Text:
        """One article's line; titles and outlets are data, marked where the filter
        matched them."""
        text = Text(end="", no_wrap=True)
        for column, cells in self.columns:
            cell_of = column.short_cell if self.short and column.short_cell else column.cell
            value = cell_of(item)
            if column.numeric:
                text.append(value.rjust(cells))
            else:
                cell = Text(value)
                if column.name == "outlet" and marks is not None:
                    _stylise(cell, marks.outlet, match_style)
                cell = cut_at_word(cell, cells)
                cell.pad_right(cells - cell.cell_len)
                text.append_text(cell)
            text.append(" " * self.gap)
        title = Text(display_text(item.title) or "(untitled)")
        if marks is not None and item.title:
            _stylise(title, marks.title, match_style)
        text.append_text(title)
        return text


@dataclass(frozen=True)
class Marks:
    """Where a filter matched an article: code point spans of its title and outlet."""

    title: tuple[tuple[int, int], ...] = ()
    outlet: tuple[tuple[int, int], ...] = ()


def _stylise(text: Text, spans: Sequence[tuple[int, int]], style: Style) -> None:
    for start, end in spans:
        text.stylize(style, start, end)


class DocumentTable(ScrollView, can_focus=True, inherit_bindings=False):
    """Articles with their counts; a row cursor; enter (or a click on it) opens one;
    a click on a column's header asks for that sort."""

    COMPONENT_CLASSES = {
        "document-table--header", "document-table--cursor", "document-table--match",
    }

    class HeaderClicked(Message):
        """The user clicked the header of `column` (a `store.WORKLIST_SORTS` name)."""

        def __init__(self, column: str) -> None:
            super().__init__()
            self.column = column

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
        self.rows: list[WorkItem] = []
        self.cursor_row = 0
        self.marks: Mapping[str, Marks] = {}
        self.sort = "imported"
        self.descending = False
        self._layouts: dict[int, Layout] = {}  # by width, for the rows shown
        self._cache: LRUCache[tuple, Strip] = LRUCache(512)

    # -- attributes down ---------------------------------------------------------

    def set_rows(self, rows: list[WorkItem], marks: Mapping[str, Marks] | None = None,
                 sort: str = "imported", descending: bool = False) -> None:
        """Show `rows` (already filtered and ordered, with where the filter matched
        each); the cursor goes to the first."""
        self.rows = rows
        self.marks = marks or {}
        self.sort, self.descending = sort, descending
        self._layouts.clear()
        self._cache.clear()
        self.cursor_row = 0
        self.scroll_to(y=0, animate=False)
        self._set_height()
        self.refresh()

    def update_rows(self, rows: list[WorkItem]) -> None:
        """The same documents with new counts: keep the cursor and the scroll."""
        self.rows = rows
        self._layouts.clear()
        self.cursor_row = min(self.cursor_row, max(0, len(rows) - 1))
        self._set_height()
        self.refresh()

    def move_to(self, doc_id: str) -> None:
        for index, row in enumerate(self.rows):
            if row.id == doc_id:
                self._move(index)
                return

    def shown_columns(self) -> tuple[str, ...]:
        """The sort names of the columns drawn at the table's width now."""
        return self._layout(self.scrollable_content_region.width).names

    @property
    def current(self) -> WorkItem | None:
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
        if position is None:
            return
        if position.y == 0:
            layout = self._layout(self.scrollable_content_region.width)
            self.post_message(self.HeaderClicked(layout.column_at(position.x)))
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

    def _layout(self, width: int) -> Layout:
        layout = self._layouts.get(width)
        if layout is None:
            layout = self._layouts[width] = Layout.fit(self.rows, width, self.sort)
        return layout

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        layout = self._layout(width)
        if y == 0:
            header = layout.header(self.sort, self.descending)
            return self._strip(header, base + self._style("document-table--header"), width)
        row = int(self.scroll_y) + y - 1
        if row >= len(self.rows):
            return Strip.blank(width, base)
        document = self.rows[row]
        cursor = row == self.cursor_row
        marks = self.marks.get(document.id)
        key = (document, marks, cursor, width, layout)
        strip = self._cache.get(key)
        if strip is None:
            text = cut_at_word(layout.row(document, marks, self._style("document-table--match")),
                               width)
            style = base + self._style("document-table--cursor") if cursor else base
            strip = self._cache[key] = self._strip(text, style, width)
        return strip

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name)

    def _strip(self, text: Text, style: Style, width: int) -> Strip:
        return text_strip(text, style, width, self.app.console)
