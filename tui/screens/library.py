"""The library: every article with its counts, a fuzzy filter, and the way in."""

from __future__ import annotations

from rapidfuzz import fuzz, process, utils
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Header, Input, Static

from store import DocumentSummary, SidenoteError, Store, delete_document, deletion_summary

from ..limits import QUERY_CHARS
from ..messages import OpenDocument
from ..widgets.document_table import DocumentTable
from ..widgets.key_bar import KeyBar
from .base import StoreScreen
from .dialogs import DeleteDialog, excerpt

FILTER_CUTOFF = 70  # rapidfuzz partial_ratio every query word must reach
DEBOUNCE_ROWS = 2000  # above this many articles, filter after a pause in typing
DEBOUNCE_SECONDS = 0.15


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


def starts_filter(event: events.Key, library_keys: set[str]) -> bool:
    """Whether a key typed on the table begins a filter instead of running a command.

    A letter or digit is a command only when the library binds it itself (j k g G d L);
    every other letter starts the filter, so typing a title never runs the app's
    one-letter keys (`u` would undo a change in another article). Other printable
    keys (`/`, `?`) keep their meaning, and a space starts nothing.
    """
    character = event.character
    if not event.is_printable or character is None or character.isspace():
        return False
    return not (event.key in library_keys or not character.isalnum())


class LibraryScreen(StoreScreen):
    """Lists the articles; the app opens the reader when this screen asks for it."""

    SUB_TITLE = "library"
    # The table, not the filter box above it, takes the keys from the first moment:
    # keys typed while the screen mounts would otherwise land in the filter.
    AUTO_FOCUS = "#library-table"
    KEYS_NOTE = (
        "Typing a title filters: on the list, a letter or digit that is not one of the "
        "library's own keys below (`j` `k` `g` `G` `d` `L`) opens the filter with that "
        "letter, as in lazygit and k9s. So the app's one-letter keys do not work here: "
        "undo is `ctrl+z` in the library (`u` elsewhere). An undo or redo names the article "
        "it changed and puts the cursor on it (`⏎` opens it); in the reader, the article "
        "opens at the change."
    )
    BINDINGS = [
        Binding("slash", "filter", "filter", id="library.filter",
                tooltip="type to filter by title and outlet (fuzzy)"),
        Binding("escape", "clear_filter", "clear filter", id="library.clear_filter",
                tooltip="clear the filter"),
        Binding("L", "app.link_corpus", "link all", id="library.link_corpus",
                tooltip="link the whole corpus: find every repeated statement (in the background)"),
        Binding("ctrl+z", "undo", "undo", id="library.undo",
                tooltip="undo the last change, in any article (u is a filter letter here)"),
        Binding("d", "delete", "delete", id="library.delete",
                tooltip="delete the article with its annotations and links "
                        "(asks first; ctrl+z undoes)"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.documents: list[DocumentSummary] = []
        self._filter_timer: Timer | None = None
        # Kept, not queried: a change from another Sidenote can arrive while the
        # screen is still mounting its children, or already removing them.
        self.table = DocumentTable(id="library-table")
        self.progress = Static(id="library-progress")
        self.filter = Input(placeholder="Filter by title or outlet (press / to type)",
                            id="library-filter", max_length=QUERY_CHARS,
                            select_on_focus=False)  # the letter that opened it stays
        self.empty_message = Static(id="library-empty")

    def compose(self) -> ComposeResult:
        yield Header()
        yield self.progress
        yield self.filter
        yield self.table
        yield self.empty_message
        yield KeyBar()

    def on_mount(self) -> None:
        self.store_changed()
        self.table.focus()

    def on_screen_resume(self) -> None:
        if self.documents:
            self.store_changed()

    # -- data -------------------------------------------------------------------------

    def store_changed(self, doc_id: str | None = None, offset: int | None = None) -> None:
        """Re-read the summaries (one query); keep the filter, cursor and scroll."""
        try:
            documents = self.store.document_summaries()
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        same_documents = [d.id for d in documents] == [d.id for d in self.documents]
        self.documents = documents
        if same_documents:
            by_id = {d.id: d for d in documents}
            self.table.update_rows([by_id[d.id] for d in self.table.rows])
        else:
            self._apply_filter()
        self._show_empty(not documents)
        self._update_progress()
        if doc_id is not None:
            self.show_article(doc_id)

    def show_article(self, doc_id: str) -> bool:
        """Put the cursor on `doc_id` (clearing a filter that hides it), so that enter
        opens it; False if it is not in the library (deleted)."""
        if not any(d.id == doc_id for d in self.documents):
            return False
        if not any(d.id == doc_id for d in self.table.rows):
            self.filter.value = ""
            self._filter_now()
        self.table.move_to(doc_id)
        return True

    def _show_empty(self, empty: bool) -> None:
        self.table.display = not empty
        self.filter.display = not empty
        message = self.empty_message
        message.display = empty or not self.table.rows  # else a filter matched nothing
        if empty:
            message.update(
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
        shown = len(self.table.rows)
        showing = "" if shown == total else f" \u00b7 showing {shown}"
        self.progress.update(
            Content(f"annotated {annotated} / total {total} articles \u00b7 {notes} annotation"
                    f"{'' if notes == 1 else 's'}{showing}"),
            layout=False,
        )

    # -- filtering ------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        if len(self.documents) > DEBOUNCE_ROWS:
            self._filter_timer = self.set_timer(DEBOUNCE_SECONDS, self._filter_now)
        else:
            self._filter_now()

    def _filter_now(self) -> None:
        self._apply_filter()
        self._update_progress()

    def _apply_filter(self) -> None:
        query = self.filter.value
        rows = filter_documents(self.documents, query)
        self.table.set_rows(rows)
        if self.documents:  # an empty library says how to import instead
            message = self.empty_message
            message.display = not rows
            if not rows:
                message.update(Content(
                    f"No article's title or outlet matches \u201c{excerpt(query, 60)}\u201d.\n\n"
                    "esc clears the filter \u00b7 ctrl+f searches the articles' text."
                ))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._filter_timer is not None:
            self._filter_timer.stop()
            self._filter_now()
        # Posted by the screen itself: a message a parent sends through its child
        # stops bubbling at the parent, and the app must hear this one.
        if self.table.current is not None:
            self.post_message(OpenDocument(self.table.current.id))

    def on_key(self, event: events.Key) -> None:
        if event.key == "down" and self.focused is self.filter:
            self.table.focus()
            event.stop()
        elif self.focused is self.table and starts_filter(event, self._library_keys()):
            event.stop()
            event.prevent_default()
            self.filter.value = event.character or ""
            self.filter.cursor_position = len(self.filter.value)
            self.filter.focus()

    def _library_keys(self) -> set[str]:
        """The keys the library itself binds (the table's and this screen's), after
        the user's keymap."""
        return {
            key for key, active in self.active_bindings.items() if active.node is not self.app
        }

    def action_filter(self) -> None:
        self.filter.focus()

    def action_clear_filter(self) -> None:
        if self.filter.value:
            self.filter.value = ""
            self._filter_now()
        self.table.focus()

    def action_undo(self) -> None:
        # The app's undo, under a key that is not a letter: its `u` is hidden here.
        self.app.action_undo()  # type: ignore[attr-defined]

    # -- deleting ---------------------------------------------------------------------------

    def action_delete(self) -> None:
        """Ask, showing what goes with the article, then delete it in one undoable change."""
        current = self.table.current
        if current is None or self.focused is not self.table:
            return
        try:
            summary = deletion_summary(self.store, current.id)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            try:
                done = delete_document(self.store, summary.doc_id)
            except SidenoteError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self.notify(f"deleted {done.description.removeprefix('delete ')} · ctrl+z undoes",
                        markup=False)
            self.store_changed()

        self.app.push_screen(DeleteDialog(summary), confirmed)
