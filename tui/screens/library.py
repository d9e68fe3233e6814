"""The library: every article with its counts, a fuzzy filter, and the way in."""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Static

from store import DocumentSummary, SidenoteError, Store

from ..messages import OpenDocument
from .base import StoreScreen
from ..widgets.key_bar import KeyBar
from ..widgets.text_layout import display_text

# Title last: a long title is cut at the window's edge, never the counts.
COLUMNS = (
    ("annotations", "Notes"),
    ("links", "Links"),
    ("length", "Length"),
    ("outlet", "Outlet"),
    ("title", "Title"),
)
FILTER_CUTOFF = 70  # rapidfuzz partial_ratio every query word must reach
DEBOUNCE_ROWS = 2000  # above this many articles, filter after a pause in typing
DEBOUNCE_SECONDS = 0.15


def length_label(chars: int) -> str:
    return f"{chars / 1000:.1f}k" if chars >= 1000 else str(chars)


def filter_documents(
    documents: list[DocumentSummary], query: str
) -> list[DocumentSummary]:
    """Documents whose outlet and title fuzzily contain every word of `query`, best first.

    Each word is scored with rapidfuzz's `partial_ratio` (a fuzzy substring match), so
    "natp ukraine" finds "NATO troop deployment plans for Ukraine".
    """
    words = query.split()
    if not words:
        return documents
    choices = {index: f"{d.source} {d.title}" for index, d in enumerate(documents)}
    totals: dict[int, float] = {}
    for number, word in enumerate(words):
        found = process.extract(
            word, choices, scorer=fuzz.partial_ratio, processor=utils.default_process,
            score_cutoff=FILTER_CUTOFF, limit=None,
        )
        scores = {key: score for _, score, key in found}
        if number == 0:
            totals = scores
        else:
            totals = {key: totals[key] + score for key, score in scores.items() if key in totals}
    ranked = sorted(totals, key=lambda index: (-totals[index], index))
    return [documents[index] for index in ranked]


class LibraryTable(DataTable, inherit_bindings=False):
    """The article table; `enter` opens the highlighted article."""

    BINDINGS = [
        Binding("enter", "select_cursor", "open", id="library.open"),
        Binding("j,down", "cursor_down", "next article", show=False, id="library.down"),
        Binding("k,up", "cursor_up", "previous article", show=False, id="library.up"),
        Binding("pagedown", "page_down", "page down", show=False, id="library.page_down"),
        Binding("pageup", "page_up", "page up", show=False, id="library.page_up"),
        Binding("g,home", "scroll_top", "first article", show=False, id="library.first"),
        Binding("G,end", "scroll_bottom", "last article", show=False, id="library.last"),
    ]


class LibraryScreen(StoreScreen):
    """Lists the articles; the app opens the reader when this screen asks for it."""

    SUB_TITLE = "library"
    BINDINGS = [
        Binding("slash", "filter", "filter", id="library.filter"),
        Binding("escape", "clear_filter", "clear filter", id="library.clear_filter"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.documents: list[DocumentSummary] = []
        self.shown: list[DocumentSummary] = []
        self._filter_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="library-progress")
        yield Input(placeholder="Filter by title or outlet (press / to type)", id="library-filter")
        yield LibraryTable(id="library-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="library-empty")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one(LibraryTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        self.store_changed()
        table.focus()

    def on_screen_resume(self) -> None:
        if self.documents:
            self.store_changed()

    # -- data -------------------------------------------------------------------------

    def store_changed(self, doc_id: str | None = None, offset: int | None = None) -> None:
        """Re-read the summaries; update only the rows whose counts changed."""
        try:
            documents = self.store.document_summaries()
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        same_rows = [d.id for d in documents] == [d.id for d in self.documents]
        previous = {d.id: d for d in self.documents}
        self.documents = documents
        if same_rows and self.shown:
            table = self.query_one(LibraryTable)
            for document in documents:
                if previous.get(document.id) != document:
                    for key, value in zip((k for k, _ in COLUMNS), self._cells(document)):
                        table.update_cell(document.id, key, value)
            by_id = {d.id: d for d in documents}
            self.shown = [by_id[d.id] for d in self.shown]
        else:
            self._show(self._filtered())
        self._update_progress()
        if doc_id is not None:
            self.select_document(doc_id)

    def select_document(self, doc_id: str) -> None:
        table = self.query_one(LibraryTable)
        try:
            table.move_cursor(row=table.get_row_index(doc_id))
        except KeyError:
            return

    def _filtered(self) -> list[DocumentSummary]:
        return filter_documents(self.documents, self.query_one("#library-filter", Input).value)

    def _cells(self, document: DocumentSummary) -> tuple[Text, ...]:
        return (
            Text(str(document.annotations or ""), justify="right"),
            Text(str(document.links or ""), justify="right"),
            Text(length_label(document.chars), justify="right"),
            Text(display_text(document.source)),
            Text(display_text(document.title) or "(untitled)"),
        )

    def _show(self, documents: list[DocumentSummary]) -> None:
        table = self.query_one(LibraryTable)
        table.clear()
        for document in documents:
            table.add_row(*self._cells(document), key=document.id)
        self.shown = documents
        empty = not self.documents
        table.display = not empty
        self.query_one("#library-filter", Input).display = not empty
        self.query_one("#library-empty", Static).display = empty
        if empty:
            self.query_one("#library-empty", Static).update(
                Content(
                    "No articles yet.\n\n"
                    "Import a folder of articles (text, HTML or JSONL files) with:\n\n"
                    f"    sidenote --db {self.store.path} import FOLDER\n\n"
                    "then start Sidenote again."
                )
            )

    def _update_progress(self) -> None:
        total = len(self.documents)
        annotated = sum(1 for d in self.documents if d.annotations)
        notes = sum(d.annotations for d in self.documents)
        shown = "" if len(self.shown) == total else f" \u00b7 showing {len(self.shown)}"
        self.query_one("#library-progress", Static).update(
            Content(f"annotated {annotated} / total {total} articles \u00b7 {notes} annotations"
                    f"{shown}")
        )

    # -- filtering ------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        if len(self.documents) > DEBOUNCE_ROWS:
            self._filter_timer = self.set_timer(DEBOUNCE_SECONDS, self._apply_filter)
        else:
            self._apply_filter()

    def _apply_filter(self) -> None:
        self._show(self._filtered())
        self._update_progress()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        table = self.query_one(LibraryTable)
        if table.row_count:
            self._open_row(table.cursor_row)

    def on_key(self, event: events.Key) -> None:
        if event.key == "down" and self.focused is self.query_one("#library-filter"):
            self.query_one(LibraryTable).focus()
            event.stop()

    def action_filter(self) -> None:
        self.query_one("#library-filter", Input).focus()

    def action_clear_filter(self) -> None:
        search = self.query_one("#library-filter", Input)
        if search.value:
            search.value = ""
            self._apply_filter()
        self.query_one(LibraryTable).focus()

    # -- opening ----------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(OpenDocument(str(event.row_key.value)))

    def _open_row(self, row: int) -> None:
        if 0 <= row < len(self.shown):
            self.post_message(OpenDocument(self.shown[row].id))

