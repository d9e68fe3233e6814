"""Review: annotations that could not be placed safely on a changed article.

Each item shows the quote in its old context beside the best candidate in the new
text. `a` places the annotation on the candidate, `x` discards it; both are one
undoable change in the store (`store.review.resolve_review`).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store import ReviewItem, SidenoteError, Store, resolve_review, review_items

from ..widgets.choice_list import ChoiceList
from ..widgets.key_bar import KeyBar
from ..widgets.text_layout import display_text
from .base import StoreScreen
from .dialogs import excerpt

CONTEXT_CHARS = 40


def in_context(prefix: str, text: str, suffix: str) -> Text:
    """`…prefix[text]suffix…` on one line, the quote emphasised; all of it data."""
    line = Text(end="")
    line.append("\u2026" + excerpt(prefix[-CONTEXT_CHARS:], CONTEXT_CHARS), style="dim")
    line.append(excerpt(text, 80), style="bold reverse")
    line.append(excerpt(suffix[:CONTEXT_CHARS], CONTEXT_CHARS) + "\u2026", style="dim")
    return line


def review_prompt(item: ReviewItem) -> Text:
    text = Text(end="")
    text.append(f"{item.label} in ", style="italic")
    text.append(display_text(item.doc_title or item.doc_id), style="bold")
    text.append(f" \u2014 {display_text(item.reason)}\n", style="dim")
    text.append("  was: ")
    text.append_text(in_context(item.old_prefix, item.text, item.old_suffix))
    text.append("\n  now: ")
    if item.best_text is None:
        text.append("no candidate in the new text (x discards)", style="dim")
    else:
        text.append_text(in_context(item.best_prefix, item.best_text, item.best_suffix))
        if item.best_score is not None:
            text.append(f"  score {item.best_score:.0f}", style="dim")
    return text


class ReviewScreen(StoreScreen):
    """The open review items, oldest first."""

    SUB_TITLE = "review"
    BINDINGS = [
        Binding("a", "place", "place", id="review.place",
                tooltip="place the annotation on the candidate in the new text"),
        Binding("x", "discard", "discard", id="review.discard",
                tooltip="discard the annotation (u undoes)"),
        Binding("escape", "close", "close", id="review.close", tooltip="close the review"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.items: list[ReviewItem] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="review-box"):
            yield Static(Content("Annotations to review: their article changed and the "
                                 "quote was not found with confidence"), id="review-title")
            yield ChoiceList(id="review-list")
            yield Static(id="review-empty")
        yield KeyBar()

    def on_mount(self) -> None:
        self.store_changed()
        self.query_one(OptionList).focus()

    def store_changed(self, doc_id: str | None = None, offset: int | None = None) -> None:
        try:
            items = review_items(self.store)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        option_list = self.query_one(OptionList)
        highlighted = option_list.highlighted or 0
        self.items = items
        option_list.set_options(Option(review_prompt(item), id=item.id) for item in items)
        if items:
            option_list.highlighted = min(highlighted, len(items) - 1)
        empty = self.query_one("#review-empty", Static)
        empty.display = not items
        empty.update(Content("Nothing to review."))

    @property
    def current(self) -> ReviewItem | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.items):
            return None
        return self.items[index]

    def _resolve(self, accept: bool) -> None:
        item = self.current
        if item is None:
            return
        try:
            placed = resolve_review(self.store, item.id, accept=accept)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if placed is not None:
            where = excerpt(placed.text, 40)
            self.notify(f"placed the {placed.label.value} on \u201c{where}\u201d", markup=False)
        else:
            self.notify(f"discarded the {item.label} (u undoes)", markup=False)
        self.store_changed()

    def action_place(self) -> None:
        self._resolve(True)

    def action_discard(self) -> None:
        self._resolve(False)

    def action_close(self) -> None:
        self.dismiss()
