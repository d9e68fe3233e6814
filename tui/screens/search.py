"""Search as you type: each statement once, then every article where it appears;
below them, "in articles", the articles whose own text holds the words.

Typing restarts a short timer; when it fires, `store.search.search` and
`store.search.search_articles` run in a worker thread, and only the newest query's
results are shown, so typing never waits for the database. `enter` closes the
screen with the place to open: an annotation, a side of a link, or where an
article's text matched.
"""

from __future__ import annotations

import asyncio
import re
import threading

from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from store import SidenoteError, Store
from store.search import Appearance, ArticleMatch, StatementGroup, search, search_articles

from ..limits import QUERY_CHARS
from ..widgets.fitted_input import FittedInput
from ..widgets.key_bar import KeyBar
from ..widgets.text_layout import display_text, outlet_text
from .base import StoreScreen
from .dialogs import excerpt
from .echoes import OpenTarget

DEBOUNCE_SECONDS = 0.15
STATEMENT_CHARS = 100
ARTICLES_SHOWN = 20
SNIPPET_CHARS = 100
MARKS = {"confirmed": "\u2713", "suggested": "?", "annotated": "\u00b7"}
_SPACES = re.compile(r"\s+")
MARK_HELP = "\u2713 confirmed link \u00b7 ? suggested link \u00b7 \u00b7 annotated, no link"


_FILTER = re.compile(r'(?i)(?:^|\s)(?:(label|outlet|source):("[^"]*"|\S+)|(linked))(?=\s|$)')


def search_filters(query: str) -> tuple[str, str | None, str | None, bool]:
    """The query's words and its filters: `label:quote`, `outlet:"Japan Today"` (or
    `source:`), `linked` (statements with a link not rejected), as the CLI's flags."""
    label = source = None
    linked = False
    for match in _FILTER.finditer(query):
        key, value, flag = match.groups()
        if flag:
            linked = True
        elif key.casefold() == "label":
            label = value.strip('"').casefold() or None
        else:
            source = value.strip('"') or None
    words = _FILTER.sub(" ", query)
    return (words if words.strip() else "", label, source, linked)


def statement_prompt(group: StatementGroup) -> Text:
    text = Text(excerpt(group.statement, STATEMENT_CHARS), style="bold", end="")
    if group.fuzzy:
        text.append(f"  (for \u201c{display_text(group.query)}\u201d)", style="dim italic")
    return text


def appearance_prompt(appearance: Appearance) -> Text:
    """`  ✓ outlet — title · quote`: outlet and title are data, appended as plain text."""
    text = Text("  ", end="")
    text.append(MARKS.get(appearance.status, "\u00b7") + " ", style="bold")
    text.append(outlet_text(appearance.source), style="bold")
    text.append(" \u2014 ")
    text.append(display_text(appearance.title or "(untitled)"))
    if appearance.label:
        text.append(f" \u00b7 {appearance.label}", style="italic")
    return text


def _one_line(text: str) -> str:
    return _SPACES.sub(" ", text)


def article_prompt(match: ArticleMatch) -> Text:
    """`  outlet — title` and, under it, the words around the match (all data)."""
    text = Text("  ", end="")
    text.append(outlet_text(match.source), style="bold")
    text.append(" \u2014 ")
    text.append(display_text(match.title or "(untitled)"))
    if match.match or match.after:
        room = max(20, SNIPPET_CHARS - len(match.match)) // 2
        before, after = _one_line(match.before)[-room:], _one_line(match.after)[:room]
        text.append("\n    \u2026" + display_text(before), style="dim")
        text.append(display_text(_one_line(match.match)), style="bold underline")
        text.append(display_text(after) + "\u2026", style="dim")
    return text


# The prompt, longest first: the field shows the longest that fits its width.
PROMPTS = ("Search annotations, linked statements and articles "
           "(filters: label:quote outlet:name linked)",
           "Search (filters: label:quote outlet:name linked)")


class SearchScreen(StoreScreen):
    """A query box over grouped results; the reader opens where `enter` points."""

    SUB_TITLE = "search"
    BINDINGS = [
        Binding("enter", "open", "open", id="search.open", priority=True,
                tooltip="open the article at the highlighted match"),
        Binding("down", "move(1)", "next result", id="search.down", show=False),
        Binding("up", "move(-1)", "previous result", id="search.up", show=False),
        Binding("escape", "close", "close", id="search.close", tooltip="close the search"),
    ]

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        # Per option: where it opens; None for a heading (a statement, "in articles").
        self.results: list[Appearance | ArticleMatch | None] = []
        self._timer: Timer | None = None
        self.searched = ""  # the query whose results are shown
        self._searching = threading.Lock()  # held while a search thread uses the store
        self._closing = False

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield FittedInput(PROMPTS, id="search-input", max_length=QUERY_CHARS)
            yield Static(Content(MARK_HELP), id="search-help")
            yield Static(id="search-empty")
            yield OptionList(id="search-results")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(OptionList).can_focus = False
        self.query_one("#search-empty", Static).display = False
        self.query_one(Input).focus()

    # -- typing ------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE_SECONDS, self._search_now)

    def _search_now(self) -> None:
        self.run_search(self.query_one(Input).value)

    @work(thread=True, exclusive=True, group="search", exit_on_error=False)
    def run_search(self, query: str) -> None:
        with self._searching:
            if self._closing:
                return
            try:
                words, label, source, linked = search_filters(query)
                groups = search(self.store, words, label=label, source=source, linked=linked,
                                as_you_type=True)
                articles = search_articles(self.store, words, as_you_type=True,
                                           limit=ARTICLES_SHOWN)
            except SidenoteError as error:
                self.app.call_from_thread(self.notify, str(error), severity="error",
                                          markup=False)
                return
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.show_results, query, groups, articles)

    def show_results(
        self, query: str, groups: list[StatementGroup], articles: list[ArticleMatch]
    ) -> None:
        if query != self.query_one(Input).value:
            return  # typed on since: a newer search is coming
        self.searched = query
        options: list[Option] = []
        self.results = []
        for group in groups:
            options.append(Option(statement_prompt(group), disabled=True))
            self.results.append(None)
            for appearance in group.appearances:
                options.append(Option(appearance_prompt(appearance)))
                self.results.append(appearance)
        if articles:
            options.append(Option(Text("in articles", style="bold italic"), disabled=True))
            self.results.append(None)
        for match in articles:
            options.append(Option(article_prompt(match)))
            self.results.append(match)
        self._show_empty(query, bool(groups), bool(articles))
        results = self.query_one(OptionList)
        results.set_options(options)
        first = next((i for i, a in enumerate(self.results) if a is not None), None)
        results.highlighted = first

    def _show_empty(self, query: str, statements: bool, articles: bool) -> None:
        """Say which part found nothing, and what to try: an empty box is not an answer."""
        empty = self.query_one("#search-empty", Static)
        asked = excerpt(query, 60)
        if not query.strip() or statements:
            empty.display = False
            return
        if articles:
            line = (f"No annotation or linked statement says \u201c{asked}\u201d: "
                    "the articles whose text has it are below.")
        else:
            line = (f"Nothing found for \u201c{asked}\u201d in annotations, linked statements "
                    "or article text. Check the spelling, or try fewer words.")
        empty.update(Content(line))
        empty.display = True

    @property
    def current(self) -> Appearance | ArticleMatch | None:
        index = self.query_one(OptionList).highlighted
        if index is None or not 0 <= index < len(self.results):
            return None
        return self.results[index]

    # -- keys ---------------------------------------------------------------------------

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_open()

    def on_key(self, event: events.Key) -> None:
        if event.key in ("down", "up"):  # the input keeps the focus; arrows move the results
            event.stop()
            self.action_move(1 if event.key == "down" else -1)

    def action_move(self, step: int) -> None:
        results = self.query_one(OptionList)
        if step > 0:
            results.action_cursor_down()
        else:
            results.action_cursor_up()

    def action_open(self) -> None:
        chosen = self.current
        if isinstance(chosen, ArticleMatch):
            # A match only in the title opens the article at its beginning.
            self.dismiss(OpenTarget(chosen.doc_id, chosen.start or 0))
        elif chosen is not None:
            self.dismiss(OpenTarget(chosen.doc_id, chosen.start))

    def action_close(self) -> None:
        self.dismiss(None)

    async def on_unmount(self) -> None:
        """Let a search still reading the store finish before the app may close it."""
        self._closing = True
        await asyncio.to_thread(self._searching.acquire)
        self._searching.release()

    def store_changed(self, doc_id: str | None = None, offset: int | None = None) -> None:
        if self.searched:
            self.run_search(self.searched)
