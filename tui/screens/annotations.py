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
from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Input, Static

from store import (
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
from ..widgets.fitted_input import FittedInput
from ..widgets.key_bar import KeyBar
from ..widgets.row_table import RowTable
from ..widgets.text_layout import display_text
from .base import StoreScreen
from .dialogs import excerpt

FILTER_HELP = (  # longest first: the field shows the longest that fits its width
    'filter: words  label:quote  outlet:"Japan Today"  speaker:name  annotator:name  '
    "linked  has:note",
    "filter: words label:quote outlet:name speaker:name annotator:name linked has:note",
    "filter: words label: outlet: speaker: annotator: linked has:note",
)
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


# The columns a row shows, left to right, by their sort names: `ctrl+s` steps through
# these only (a sort by a column not on screen orders rows by values nobody sees).
SHOWN_SORTS = ("label", "linked", "outlet", "speaker", "text")
HEADERS = {"label": "label", "linked": "\u21c4", "outlet": "outlet", "speaker": "speaker",
           "text": "text"}
OUTLET_CELLS, SPEAKER_CELLS = 16, 20  # at most: wider names are cut at a word


@dataclass(frozen=True)
class Widths:
    """Cells of the outlet and speaker columns: as wide as the widest value (so
    "Maria Zakharova" is not cut to "Maria Zakharo…"), up to a cap."""

    outlet: int = 7
    speaker: int = 8

    @classmethod
    def of(cls, rows: Sequence[BrowsedAnnotation]) -> Widths:
        outlet = max((len(row.outlet or "(no outlet)") for row in rows), default=0)
        speaker = max((len(row.speaker) for row in rows), default=0)
        return cls(max(7, min(outlet, OUTLET_CELLS)), max(8, min(speaker, SPEAKER_CELLS)))


def annotation_line(row: BrowsedAnnotation, widths: Widths = Widths()) -> Text:
    text = Text(end="", no_wrap=True)
    text.append(f"{row.label:<9}", style="bold")
    text.append("\u21c4 " if row.linked else "  ")
    outlet = display_text(excerpt(row.outlet or "(no outlet)", widths.outlet))
    text.append(outlet.ljust(widths.outlet + 1))
    speaker = display_text(excerpt(row.speaker, widths.speaker))
    text.append(speaker.ljust(widths.speaker + 1), style="italic")
    text.append(display_text(" ".join(row.text.split())))
    if row.note.strip():
        text.append("  \u270e " + display_text(excerpt(row.note, 40)), style="dim")
    return text


def header_line(widths: Widths, sort: str, descending: bool) -> Text:
    """The column names, the sorted one marked with its direction."""

    def name(column: str) -> str:
        return HEADERS[column] + (("\u25bc" if descending else "\u25b2") if column == sort else "")

    return Text(f"{name('label'):<9}{name('linked'):<2}{name('outlet'):<{widths.outlet + 1}}"
                f"{name('speaker'):<{widths.speaker + 1}}{name('text')}", end="")


class AnnotationsScreen(StoreScreen):
    """A filter box over every annotation; the list keeps the keys to move and open."""

    SUB_TITLE = "annotations"
    BINDINGS = [
        Binding("ctrl+s", "sort", "sort", id="annotations.sort",
                tooltip="sort by the next column shown (label, linked, outlet, speaker, text)"),
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
        self.widths = Widths()
        self.sort = "outlet"
        self.descending = False

    def compose(self) -> ComposeResult:
        with Vertical(id="annotations-box"):
            yield FittedInput(FILTER_HELP, id="annotations-filter", max_length=QUERY_CHARS)
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
        self.widths = Widths.of(self.rows)
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
        header = header_line(self.widths, self.sort, self.descending)
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
        return annotation_line(self.shown[row], self.widths) if row < len(self.shown) else Text("")

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
        self.sort = SHOWN_SORTS[(SHOWN_SORTS.index(self.sort) + 1) % len(SHOWN_SORTS)]
        self.refilter()

    def action_reverse(self) -> None:
        self.descending = not self.descending
        self.refilter()

    def action_close(self) -> None:
        self.app.pop_screen()

    def store_changed(self, doc_id: str | None = None, offset: int | None = None) -> None:
        self.reload()
