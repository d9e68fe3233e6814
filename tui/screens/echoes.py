"""Echoes: where the statement under the reader's cursor is repeated in other articles.

The screen asks `store.links.echoes` for the span the reader gives it and lists one
row per passage elsewhere; the same statement in other words (`store.meaning_echoes`,
an embedding) is looked for in a worker and joins the list when it is found. The user
confirms (`a`), rejects (`r`) or opens (`enter`)
an echo; each verdict is one undoable change in the store. Closing with a passage
chosen returns where to open it, and the reader opens it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store import Echo, SidenoteError, Store, accept, echoes, reject

from ..widgets.choice_list import ChoiceList
from ..widgets.key_bar import KeyBar
from ..widgets.text_layout import display_text, outlet_text
from .base import StoreScreen
from .dialogs import ConfirmDialog, excerpt
from .meaning_echoes import MeaningEchoes


@dataclass(frozen=True)
class OpenTarget:
    """Where to open the reader: a document and an offset in its text."""

    doc_id: str
    offset: int


@dataclass(frozen=True)
class EchoQuery:
    """The span the echoes are asked for (an annotation, else a sentence)."""

    doc_id: str
    start: int
    end: int
    text: str
    annotation_id: str | None = None


STATUS_MARK = {"confirmed": "\u2713 confirmed", "suggested": "? suggested"}


def echo_prompt(echo: Echo) -> Text:
    """Two lines: where the echo is and how good, then its text with the aligned part
    emphasised. Titles and text are data: built from plain strings, never markup."""
    text = Text(no_wrap=False, end="")
    text.append(outlet_text(echo.source), style="bold")
    text.append(" \u2014 ")
    text.append(display_text(echo.title or "(untitled)"))
    text.append(f"\n  score {echo.score:.1f} \u00b7 {echo.method} \u00b7 "
                f"{STATUS_MARK.get(echo.status, echo.status)}\n  ", style="dim")
    passage = Text(display_text(echo.text))
    first = max(0, echo.match_start - echo.start)
    last = min(len(echo.text), echo.match_end - echo.start)
    if first < last:
        passage.stylize("bold reverse", first, last)
    text.append_text(passage)
    return text


class EchoesScreen(StoreScreen, ModalScreen[OpenTarget | None]):
    """Matches of one span in other articles, with the keys to judge them.

    A store screen, so that an undo or another instance's change reloads the list.
    """

    SUB_TITLE = "echoes"
    BINDINGS = [
        Binding("a", "accept", "accept", id="echoes.accept",
                tooltip="accept the echo: the other article gets an annotation with this label"),
        Binding("r", "reject", "reject", id="echoes.reject",
                tooltip="reject the echo: it is never suggested again (asks first if confirmed)"),
        Binding("enter", "open", "open", id="echoes.open", priority=True,
                tooltip="open the other article at the match"),
        Binding("v", "spread", "spread", id="echoes.spread",
                tooltip="the spread of the echo's statement: outlets, times, wordings"),
        Binding("u", "app.undo", "undo", id="echoes.undo",
                tooltip="undo the last change (a modal screen hides the app's keys)"),
        Binding("ctrl+r", "app.redo", "redo", id="echoes.redo", show=False,
                tooltip="redo what was undone (a modal screen hides the app's keys)"),
        Binding("escape", "close", "close", id="echoes.close", tooltip="close the echoes"),
        Binding("f1,question_mark", "app.help", "help", id="echoes.help",
                tooltip="this help (a modal screen hides the app's keys)"),
    ]

    def __init__(self, store: Store, query: EchoQuery) -> None:
        super().__init__(store)
        self.echo_query = query
        self.echoes: list[Echo] = []
        self.rejected_here = 0  # echoes this screen rejected: why the list may be empty
        self.meaning = MeaningEchoes(self, store, lambda _query, _found: self.reload())

    def compose(self) -> ComposeResult:
        with Vertical(id="echoes-dialog"):
            yield Static(Content(f"Echoes of \u201c{excerpt(self.echo_query.text, 80)}\u201d"),
                         id="echoes-title")
            yield ChoiceList(id="echoes-list")
            yield Static(id="echoes-empty")
        yield KeyBar()

    def on_mount(self) -> None:
        # The same statement in other words comes later (an embedding): the list is
        # read again when it is stored.
        self.meaning.ask(self.echo_query)
        self.reload()
        self.query_one(OptionList).focus()

    async def on_unmount(self) -> None:
        await self.meaning.close()

    # -- data ------------------------------------------------------------------------

    def reload(self) -> None:
        """Ask the store for the echoes again (after a verdict, an undo or a new link)."""
        query = self.echo_query
        try:
            found = echoes(self.store, query.doc_id, query.start, query.end, query.annotation_id)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            found = []
        self.show(found)

    def show(self, found: list[Echo]) -> None:
        option_list = self.query_one(OptionList)
        highlighted = option_list.highlighted or 0
        self.echoes = found
        option_list.set_options(Option(echo_prompt(e), id=e.link_id) for e in found)
        if found:
            option_list.highlighted = min(highlighted, len(found) - 1)
        option_list.display = bool(found)
        empty = self.query_one("#echoes-empty", Static)
        empty.display = not found
        if not found:
            empty.update(Content(self._empty_text()))

    def _empty_text(self) -> str:
        """Why the list is empty and what the user can do about it."""
        if self.rejected_here:
            return ("No echoes left: you rejected the rest, and a rejected echo is never "
                    "suggested again.\nu brings back the last one rejected \u00b7 "
                    "esc closes.")
        if self.meaning.pending:
            return ("No echoes in the same words; looking for the same statement in other "
                    "words\u2026\nesc closes.")
        return ("No echoes: no other article has this statement, as far as the links "
                "found so far go.\nesc closes \u00b7 L in the library links the whole "
                "corpus, to find any.")

    @property
    def current(self) -> Echo | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.echoes):
            return None
        return self.echoes[index]

    # -- verdicts -------------------------------------------------------------------

    def action_accept(self) -> None:
        echo = self.current
        if echo is None:
            return
        try:
            made = accept(self.store, echo.link_id)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        where = display_text(echo.source or echo.title or "the other article")
        if made is not None:
            self.notify(f"accepted: tagged {made.label.value} in {where}", markup=False)
        else:
            self.notify(f"accepted the echo in {where}", markup=False)
        self.reload()

    def action_spread(self) -> None:
        from .spread import SpreadScreen

        echo = self.current
        if echo is None:
            return

        def opened(target: OpenTarget | None) -> None:
            if target is not None:
                self.dismiss(target)
            else:
                self.reload()

        self.app.push_screen(SpreadScreen(self.store, echo.link_id), opened)

    def action_reject(self) -> None:
        """Reject the echo; a confirmed one (the user's own earlier decision) only after
        a yes, since one stray key would otherwise overturn it."""
        echo = self.current
        if echo is None:
            return
        if echo.status != "confirmed":
            self._reject(echo)
            return
        where = display_text(echo.source or echo.title or "the other article")

        def answered(yes: bool | None) -> None:
            if yes:
                self._reject(echo)

        self.app.push_screen(ConfirmDialog(
            "Overturn a confirmed link?",
            f"You confirmed that {where} says this too. Rejecting it undoes that decision: "
            "the echo is never suggested again.\ny rejects it (u undoes) \u00b7 n keeps it.",
        ), answered)

    def _reject(self, echo: Echo) -> None:
        try:
            reject(self.store, echo.link_id)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.rejected_here += 1
        self.notify("rejected: not suggested again (u undoes)", markup=False)
        self.reload()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        echo = self.current
        if echo is not None:
            self.dismiss(OpenTarget(echo.doc_id, echo.match_start))

    def action_close(self) -> None:
        self.dismiss(None)

    def store_changed(self, doc_id: str | None = None, offset: int | None = None) -> None:
        self.reload()
