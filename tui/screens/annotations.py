"""Every annotation in the corpus in one list: filter, sort, open.

The rows are read once (`store.all_annotations`) and filtered on every key, so typing
a filter never waits for the database. The filter box takes words to find (in the
text, note or speaker) and any of `label:quote`, `outlet:"Japan Today"`,
`speaker:witkoff`, `annotator:ana`, `linked`, `has:note`; `ctrl+s` sorts by the
next column, `ctrl+d` turns the order round; `enter` opens the article at the
annotation.
"""

from __future__ import annotations

import shlex

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from store import (
    SORT_COLUMNS,
    AnnotationFilter,
    BrowsedAnnotation,
    InputError,
    SidenoteError,
    Store,
    all_annotations,
    browse,
)

from ..limits import QUERY_CHARS
from ..messages import OpenDocument
from ..widgets.key_bar import KeyBar
from ..widgets.row_table import RowTable
from ..widgets.text_layout import display_text
from .base import StoreScreen
from .dialogs import excerpt

FILTER_HELP = ('filter: words  label:quote  outlet:"Japan Today"  speaker:name  '
               "annotator:name  linked  has:note")
_KEYS = {"label", "outlet", "speaker", "annotator"}


def parse_filter(query: str) -> AnnotationFilter:
    """The filter box's text as a filter; an unknown `key:` is an error, said in one line."""
    try:
        parts = shlex.split(query)
    except ValueError:
        parts = query.split()  # an unclosed quote: take the words as they are
    fields: dict[str, str] = {}
    words: list[str] = []
    linked = has_note = False
    for part in parts:
        key, colon, value = part.partition(":")
        if part.casefold() == "linked":
            linked = True
        elif part.casefold() == "has:note":
            has_note = True
        elif colon and key.casefold() in _KEYS:
            fields[key.casefold()] = value
        elif colon and key.isalpha() and not value.startswith("/"):
            raise InputError("filter", f"unknown filter {key!r} (use {', '.join(sorted(_KEYS))})")
        else:
            words.append(part)
    return AnnotationFilter(
        label=fields.get("label") or None, outlet=fields.get("outlet") or None,
        speaker=fields.get("speaker") or None, annotator=fields.get("annotator") or None,
        linked_only=linked, has_note=has_note, text=" ".join(words),
    )  # fmt: skip


def annotation_line(row: BrowsedAnnotation) -> Text:
    text = Text(end="", no_wrap=True)
    text.append(f"{row.label:<9}", style="bold")
    text.append("\u21c4 " if row.linked else "  ")
    text.append(display_text(excerpt(row.outlet or "(no outlet)", 16)).ljust(17))
    text.append(display_text(excerpt(row.speaker, 14)).ljust(15), style="italic")
    text.append(display_text(" ".join(row.text.split())))
    if row.note.strip():
        text.append("  \u270e " + display_text(excerpt(row.note, 40)), style="dim")
    return text


class AnnotationsScreen(StoreScreen):
    """A filter box over every annotation; the list keeps the keys to move and open."""

    SUB_TITLE = "annotations"
    BINDINGS = [
        Binding("ctrl+s", "sort", "sort", id="annotations.sort",
                tooltip="sort by the next column (outlet, title, label, speaker, ...)"),
        Binding("ctrl+d", "reverse", "reverse", id="annotations.reverse",
                tooltip="turn the order round"),
        Binding("slash", "filter", "filter", id="annotations.filter",
                tooltip="type a filter (enter goes back to the list)"),
        Binding("tab", "focus_next", "list / filter", id="annotations.focus", show=False),
        # One key, two bindings: with a filter typed, escape clears it (check_action
        # hides this one when there is none, and the next one closes the browser).
        Binding("escape", "clear_filter", "clear filter", id="annotations.clear_filter",
                tooltip="clear the filter"),
        Binding("escape", "close", "back", id="annotations.close",
                tooltip="close the annotation browser (once the filter is clear)"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.rows: list[BrowsedAnnotation] = []
        self.shown: list[BrowsedAnnotation] = []
        self.sort = "outlet"
        self.descending = False

    def compose(self) -> ComposeResult:
        with Vertical(id="annotations-box"):
            yield Input(placeholder=FILTER_HELP, id="annotations-filter",
                        max_length=QUERY_CHARS)
            yield Static(id="annotations-status")
            yield RowTable(id="annotations-rows")
            yield Static(id="annotations-empty")
        yield KeyBar()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(RowTable).focus()

    def reload(self) -> None:
        try:
            self.rows = all_annotations(self.store)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            self.rows = []
        self.refilter()

    def refilter(self) -> None:
        status = self.query_one("#annotations-status", Static)
        query = self.query_one(Input).value
        try:
            keep = parse_filter(query)
        except InputError as error:
            status.update(Content(str(error)))
            return
        self.shown = browse(self.rows, keep, self.sort, self.descending)
        order = "descending" if self.descending else "ascending"
        status.update(Content(f"{len(self.shown):,} of {len(self.rows):,} annotations \u00b7 "
                              f"sorted by {self.sort}, {order} \u00b7 / filters"))
        header = Text(f"{'label':<9}  {'outlet':<17}{'speaker':<15}text", end="")
        self.query_one(RowTable).show(len(self.shown), self._line, header)
        self._show_empty(query)

    def _show_empty(self, query: str) -> None:
        """Say why the list is empty: no annotations at all, or a filter that matched none."""
        empty = self.query_one("#annotations-empty", Static)
        empty.display = not self.shown
        self.query_one(RowTable).display = bool(self.shown)
        if self.shown:
            return
        if not self.rows:
            empty.update(Content("No annotations yet: in the reader, c, q and p tag a claim, "
                                 "a quote and a proposal."))
        else:
            empty.update(Content(
                f"No annotation matches \u201c{excerpt(query, 60)}\u201d.\n\n"
                "esc clears the filter \u00b7 / edits it \u00b7 ctrl+f searches the "
                "articles' text."))

    def _line(self, row: int, width: int) -> Text:
        return annotation_line(self.shown[row]) if row < len(self.shown) else Text("")

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.refilter()
        self.refresh_bindings()  # escape clears a filter, or closes with none

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.shown:  # else the filter keeps the focus, to be mended
            self.query_one(RowTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # While the filter has the focus, `/` is a character of the filter.
        if action == "filter":
            return not isinstance(self.focused, Input)
        if action == "clear_filter":
            return bool(self.query_one(Input).value)
        return True

    def action_clear_filter(self) -> None:
        self.query_one(Input).value = ""  # refilters through Input.Changed
        self.query_one(RowTable).focus()

    def action_filter(self) -> None:
        self.query_one(Input).focus()

    def on_row_table_chosen(self, message: RowTable.Chosen) -> None:
        if 0 <= message.row < len(self.shown):
            chosen = self.shown[message.row]
            self.app.pop_screen()
            self.app.post_message(OpenDocument(chosen.doc_id, chosen.start))

    def action_sort(self) -> None:
        self.sort = SORT_COLUMNS[(SORT_COLUMNS.index(self.sort) + 1) % len(SORT_COLUMNS)]
        self.refilter()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.refilter()

    def action_close(self) -> None:
        self.app.pop_screen()

    def store_changed(self, doc_id: str | None = None, offset: int | None = None) -> None:
        self.reload()
