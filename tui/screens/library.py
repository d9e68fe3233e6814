"""The library: every article with its counts, a fuzzy filter, and the way in."""

from __future__ import annotations

import re
import unicodedata

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Header, Input, Static

from store import (
    WORKLIST_SORTS,
    SidenoteError,
    Store,
    WorkItem,
    delete_document,
    deletion_summary,
    set_done,
    sort_worklist,
    work_items,
)

from ..limits import QUERY_CHARS
from ..messages import OpenDocument
from ..widgets.document_table import DocumentTable, Marks
from ..widgets.key_bar import KeyBar
from .base import StoreScreen
from .dialogs import DeleteDialog, excerpt

DEBOUNCE_ROWS = 2000  # above this many articles, filter after a pause in typing
DEBOUNCE_SECONDS = 0.15
# A sort chosen afresh starts with the most (or the newest) first for these columns,
# A to Z for the others.
MOST_FIRST = frozenset({"read", "annotations", "confirmed", "suggested", "length", "published"})
TYPO_FROM = 5  # a query word this long may differ from the title's word by one edit
# The sort, filter and article under the cursor, as the user left them: a restart
# (or a crash) brings back the worklist they were going through.
PLACE_SETTING = "tui.library"
SAVE_PLACE_SECONDS = 2.0

# A word: letters, digits and the combining marks that belong to them ("Noe\u0308l").
_WORD = re.compile(r"(?:\w|[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff])+")


def _fold(text: str) -> str:
    """Comparison form: case-folded, accents dropped, so "cafe" finds "Café"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _words(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded) for each word of `text`, offsets in code points."""
    return [(m.start(), m.end(), _fold(m.group())) for m in _WORD.finditer(text)]


def _prefix_end(text: str, start: int, end: int, folded_length: int) -> int:
    """Where the part of `text[start:end]` whose folded form is `folded_length` long ends."""
    length = 0
    for index in range(start, end):
        length += len(_fold(text[index]))
        if length >= folded_length:
            return index + 1
    return end


def _word_match(query: str, text: str, words: list[tuple[int, int, str]]) -> tuple[int, int] | None:
    """The span of `text` that query word `query` (folded) matches: the start of one of
    its words, or, for a long query word, a word one typo away; None if none does."""
    for start, end, folded in words:
        if folded.startswith(query):
            return start, _prefix_end(text, start, end, len(query))
    if len(query) >= TYPO_FROM:
        from rapidfuzz.distance import OSA  # here: the library's first frame does not wait

        for start, end, folded in words:
            candidates = {folded[:len(query) + shift] for shift in (-1, 0, 1)}
            if any(OSA.distance(query, c, score_cutoff=1) <= 1 for c in candidates):
                return start, end
    return None


Words = list[tuple[int, int, str]]  # (start, end, folded) per word, as _words gives


class WordIndex:
    """Each article's title and outlet cut into words once, for a filter typed a letter
    at a time over thousands of articles."""

    def __init__(self, documents: list[WorkItem]) -> None:
        # Cut lazily, on the first filter that reaches an article: the library's first
        # frame must not wait for 10,000 titles to be cut when nobody filters.
        self._texts = {d.id: (d.title, d.source) for d in documents}
        self.words: dict[str, tuple[Words, Words]] = {}

    def _words_of(self, doc_id: str) -> tuple[Words, Words]:
        words = self.words.get(doc_id)
        if words is None:
            title, source = self._texts[doc_id]
            words = self.words[doc_id] = (_words(title), _words(source))
        return words

    def match(
        self, documents: list[WorkItem], query: str
    ) -> tuple[list[WorkItem], dict[str, Marks]]:
        """The documents (in their order) whose title or outlet has every word of
        `query` as the start of one of its words, with where; `@word` matches the
        outlet alone."""
        terms = [(w.startswith("@"), _fold(w.lstrip("@"))) for w in query.split()]
        terms = [(outlet_only, word) for outlet_only, word in terms if word]
        if not terms:
            return documents, {}
        kept: list[WorkItem] = []
        marks: dict[str, Marks] = {}
        for document in documents:
            title_words, outlet_words = self._words_of(document.id)
            title_spans: list[tuple[int, int]] = []
            outlet_spans: list[tuple[int, int]] = []
            for outlet_only, word in terms:
                found = None if outlet_only else _word_match(word, document.title, title_words)
                if found is not None:
                    title_spans.append(found)
                    continue
                found = _word_match(word, document.source, outlet_words)
                if found is None:
                    break
                outlet_spans.append(found)
            else:
                kept.append(document)
                marks[document.id] = Marks(tuple(title_spans), tuple(outlet_spans))
        return kept, marks


def filter_documents(documents: list[WorkItem], query: str) -> list[WorkItem]:
    """Documents whose title or outlet has every word of `query` (see `WordIndex`)."""
    return WordIndex(documents).match(documents, query)[0]


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
        "opens at the change. The sort, the filter and the article under the cursor are "
        "kept across restarts. `ctrl+s` steps through the columns shown at the terminal's "
        "width (a narrow one leaves Length out; a sort by Length kept from a wider "
        "terminal shows the column)."
    )
    BINDINGS = [
        Binding("slash", "filter", "filter", id="library.filter",
                tooltip="type to filter: every word starts a word of the title or outlet "
                        "(a long word may have one typo); @word: the outlet only"),
        Binding("at", "filter_outlet", "this outlet", id="library.filter_outlet",
                tooltip="show only the articles of the outlet under the cursor (@ in the filter)"),
        Binding("ctrl+s", "sort", "sort", id="library.sort",
                tooltip="sort by the next column (or click a column's header)"),
        Binding("ctrl+d", "reverse", "reverse", id="library.reverse",
                tooltip="reverse the order"),
        Binding("space", "toggle_done", "done", id="library.done",
                tooltip="mark the article under the cursor done, or not done"),
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
        self.documents: list[WorkItem] = []
        self._words = WordIndex([])
        self.sort = "imported"
        self.descending = False
        self._filter_timer: Timer | None = None
        # Set between a key that opens the filter and the moment the filter has the
        # focus: keys typed in that window go into the filter too.
        self._filter_opening = False
        self._saved_place: object = None  # what save_place wrote (or read) last
        self._read_at: tuple[int, int] | None = None  # store.change_mark() at the last read
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
        current = self._restore_place()
        self.store_changed()
        if current is not None:
            self.table.move_to(current)
        self.table.focus()
        # The cursor moves without telling the screen: its place is written now and
        # then (only when changed), and when the screen is left or the app quits.
        self.set_interval(SAVE_PLACE_SECONDS, self.save_place)

    def on_screen_resume(self) -> None:
        # The first resume follows the mount's read at once: read again only when
        # something was written since (here, or by another program).
        if self.documents and self._read_at != self.store.change_mark():
            self.store_changed()

    def on_screen_suspend(self) -> None:
        self.save_place()  # an article opens: a crash in the reader keeps the place

    def on_unmount(self) -> None:
        self.save_place()

    # -- the place kept across restarts ------------------------------------------------------

    def _restore_place(self) -> str | None:
        """Take the sort and filter left last time; the article the cursor was on."""
        try:
            saved = self.store.setting(PLACE_SETTING)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return None
        if not isinstance(saved, dict):
            return None
        sort, query, current = saved.get("sort"), saved.get("filter"), saved.get("current")
        if sort in WORKLIST_SORTS:
            self.sort = sort
            self.descending = saved.get("descending") is True
        if isinstance(query, str):
            # Quietly: the filter is applied once, with the rows, in store_changed.
            with self.prevent(Input.Changed):
                self.filter.value = query[:QUERY_CHARS]
        self._saved_place = saved
        return current if isinstance(current, str) else None

    def _place(self) -> dict[str, object]:
        current = self.table.current
        return {"sort": self.sort, "descending": self.descending, "filter": self.filter.value,
                "current": None if current is None else current.id}

    def save_place(self) -> None:
        """Write the sort, filter and cursor when they changed since the last write."""
        place = self._place()
        if place == self._saved_place or not self.documents:
            return
        try:
            self.store.set_setting(PLACE_SETTING, place)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self._saved_place = place

    # -- data -------------------------------------------------------------------------

    def store_changed(self, doc_id: str | None = None, offset: int | None = None) -> None:
        """Re-read the summaries (one query); keep the filter, cursor and scroll."""
        try:
            documents = work_items(self.store)
            self._read_at = self.store.change_mark()
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        same_documents = [d.id for d in documents] == [d.id for d in self.documents]
        self.documents = documents
        if same_documents and self.sort == "imported":
            by_id = {d.id: d for d in documents}
            self.table.update_rows([by_id[d.id] for d in self.table.rows])
        else:
            # Counts changed under a sort by counts (or articles came and went): order
            # again, keeping the cursor on the article it was on.
            current = self.table.current
            self._words = WordIndex(documents)
            self._apply_filter()
            if current is not None:
                self.table.move_to(current.id)
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
        done = sum(1 for d in self.documents if d.done)
        notes = sum(d.annotations for d in self.documents)
        shown = len(self.table.rows)
        showing = "" if shown == total else f" \u00b7 showing {shown}"
        order = "" if self.sort == "imported" and not self.descending else (
            f" \u00b7 by {self.sort}{' (reversed)' if self.descending else ''}")
        self.progress.update(
            Content(f"annotated {annotated} / total {total} articles \u00b7 done {done} \u00b7 "
                    f"{notes} annotation{'' if notes == 1 else 's'}{showing}{order}"),
            layout=False,
        )

    def article_order(self) -> list[str]:
        """The articles as listed now (filter and sort): what ] and [ step through."""
        return [row.id for row in self.table.rows]

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
        ordered = sort_worklist(self.documents, self.sort, descending=self.descending)
        rows, marks = self._words.match(ordered, query)
        self.table.set_rows(rows, marks, self.sort, self.descending)
        if self.documents:  # an empty library says how to import instead
            message = self.empty_message
            message.display = not rows
            if not rows:
                message.update(Content(
                    f"No article's title or outlet has the words \u201c{excerpt(query, 60)}\u201d."
                    "\n\n"
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
        elif self._filter_opening and self.focused is not self.filter and (
            event.is_printable or event.key == "backspace"
        ):
            # Focus moves after the keys already queued: letters typed right after
            # `/` or the first letter belong to the filter, not to the table's keys.
            event.stop()
            event.prevent_default()
            if event.key == "backspace":
                self._type_into_filter(self.filter.value[:-1])
            else:
                self._type_into_filter(self.filter.value + (event.character or ""))
        elif self.focused is self.table and starts_filter(event, self._library_keys()):
            event.stop()
            event.prevent_default()
            self._type_into_filter(event.character or "")
            self._open_filter()

    def _type_into_filter(self, value: str) -> None:
        self.filter.value = value
        self.filter.cursor_position = len(value)

    def _open_filter(self) -> None:
        self._filter_opening = True
        self.filter.focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget is self.filter:
            self._filter_opening = False

    def _library_keys(self) -> set[str]:
        """The keys the library itself binds (the table's and this screen's), after
        the user's keymap."""
        return {
            key for key, active in self.active_bindings.items() if active.node is not self.app
        }

    def action_filter(self) -> None:
        self._open_filter()

    def action_clear_filter(self) -> None:
        self._filter_opening = False
        if self.filter.value:
            self.filter.value = ""
            self._filter_now()
        self.table.focus()

    # -- the worklist: order, outlet, done ------------------------------------------------------

    def action_sort(self) -> None:
        """The next column shown at this width (a hidden one would sort by values the
        user cannot see), after the order of import."""
        shown = {"imported", *self.table.shown_columns()}
        names = [name for name in WORKLIST_SORTS if name in shown or name == self.sort]
        column = names[(names.index(self.sort) + 1) % len(names)]
        self._sort_by(column, descending=column in MOST_FIRST)

    def action_reverse(self) -> None:
        self._sort_by(self.sort, descending=not self.descending)

    def on_document_table_header_clicked(self, event: DocumentTable.HeaderClicked) -> None:
        """A click on the sorted column's header reverses it; on another, sorts by it."""
        event.stop()
        column = event.column
        same = column == self.sort
        self._sort_by(column, descending=not self.descending if same else column in MOST_FIRST)

    def _sort_by(self, column: str, *, descending: bool) -> None:
        current = self.table.current
        self.sort, self.descending = column, descending
        self._apply_filter()
        if current is not None:
            self.table.move_to(current.id)
        self._update_progress()
        self.table.focus()
        self.save_place()

    def action_filter_outlet(self) -> None:
        current = self.table.current
        if current is None or not current.source:
            self.notify("this article names no outlet", markup=False)
            return
        self.filter.value = " ".join(f"@{word}" for word in current.source.split())
        self._filter_now()
        self.table.move_to(current.id)
        self.table.focus()

    def action_toggle_done(self) -> None:
        current = self.table.current
        if current is None or self.focused is not self.table:
            return
        try:
            set_done(self.store, current.id, not current.done)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.store_changed()

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
