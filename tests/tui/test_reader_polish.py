"""The reader's answers to a day's use by someone who did not read the code: `q` on a
sentence that holds a quotation, find's highlights after find is closed, what resizing
an annotation reports.

Each test drives the reader by keys and checks what is kept or what is shown.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from store import Label, Store, create_annotation, open_store
from store.corpus import bundled_seed_paths
from store.importing.ingest import import_paths
from tui.app import SidenoteApp
from tui.screens.reader import ReaderScreen
from tui.widgets.article_view import ArticleView
from tui.widgets.status_line import StatusLine

from .conftest import drive

PUTIN_TITLE = "Putin wins Ukraine concessions in Alaska"
THREE_YEARS = ("For three years, they talked about Russia's isolation, and today they saw the "
               "red carpet rolled out to welcome the Russian president to the United States,")
WESTERN = ("Western media are in a state that could be described as derangement verging on "
           "complete insanity,")


def reader(app: SidenoteApp) -> tuple[ReaderScreen, ArticleView]:
    screen = app.screen
    assert isinstance(screen, ReaderScreen)
    return screen, screen.query_one(ArticleView)


@pytest.fixture
def putin() -> Iterator[tuple[Store, str]]:
    """The bundled corpus, and the article where Maria Zakharova is quoted twice."""
    with open_store(":memory:") as store:
        assert import_paths(store, bundled_seed_paths()).ok
        doc_id = next(d for d in store.document_ids()
                      if store.document(d).title.startswith(PUTIN_TITLE))
        yield store, doc_id


# -- q on a sentence that holds a quotation -------------------------------------------------


def test_q_on_a_sentence_with_one_quotation_tags_the_quotation_with_its_speaker(putin):
    store, doc = putin

    async def scenario(pilot, app):
        reader(app)
        await pilot.press("4", "j", "q")

    drive(SidenoteApp(store, doc), scenario)
    [quote] = store.annotations(doc)
    assert quote.text == THREE_YEARS
    assert quote.label is Label.quote
    assert quote.speaker == "Maria Zakharova"


def test_q_tags_the_quotation_under_the_caret(putin):
    store, doc = putin
    text = store.document(doc).text

    async def scenario(pilot, app):
        screen, view = reader(app)
        view.move_caret(text.index("derangement"))
        await pilot.press("q")

    drive(SidenoteApp(store, doc), scenario)
    [quote] = store.annotations(doc)
    assert quote.text == WESTERN
    assert quote.speaker == "Maria Zakharova"


def test_q_with_a_selection_tags_the_selection(putin):
    store, doc = putin
    text = store.document(doc).text
    start = text.index("For three years")

    async def scenario(pilot, app):
        screen, view = reader(app)
        view.select(start, start + len("For three years"))
        await pilot.press("q")

    drive(SidenoteApp(store, doc), scenario)
    [quote] = store.annotations(doc)
    assert (quote.start, quote.end) == (start, start + len("For three years"))


def test_c_on_a_sentence_with_a_quotation_still_tags_the_sentence(putin):
    store, doc = putin
    text = store.document(doc).text

    async def scenario(pilot, app):
        reader(app)
        await pilot.press("4", "j", "c")

    drive(SidenoteApp(store, doc), scenario)
    [claim] = store.annotations(doc)
    assert claim.text.endswith("she said.")
    assert text[claim.start] == '"'


# -- find's highlights ---------------------------------------------------------------------


def test_esc_after_a_find_clears_its_highlights_and_n_shows_them_again(putin):
    store, doc = putin
    text = store.document(doc).text
    start = text.index("deadliest")
    drawn = []

    async def scenario(pilot, app):
        screen, view = reader(app)
        await pilot.press("slash", *"deadliest", "enter")
        drawn.append(view.matches)
        await pilot.press("escape")
        drawn.append(view.matches)
        await pilot.press("c")
        drawn.append(view.matches)
        await pilot.press("n")
        drawn.append(view.matches)

    drive(SidenoteApp(store, doc), scenario)
    found = [(start, start + len("deadliest"))]
    assert drawn == [found, [], [], found]


# -- what resizing reports ----------------------------------------------------------------


def test_moving_an_edge_reports_that_edge_of_the_annotation(putin):
    store, doc = putin
    text = store.document(doc).text
    start = text.index("Western media are")
    end = text.index("derangement") + len("derangement")
    claim = create_annotation(store, doc, start, end, "claim")
    said = []

    async def scenario(pilot, app):
        screen, view = reader(app)
        view.move_caret(claim.start)
        await pilot.press("greater_than_sign")
        said.append(app.screen.query_one(StatusLine).text)
        await pilot.press("o", "greater_than_sign")
        said.append(app.screen.query_one(StatusLine).text)

    drive(SidenoteApp(store, doc), scenario)
    # The moved edge is the end of the excerpt shown; words are never cut in the middle.
    assert "claim now \u201c\u2026be described as derangement verging\u201d" in said[0]
    assert "claim now \u201cmedia are in a state that could be\u2026\u201d" in said[1]


def test_a_burst_typed_after_slash_goes_whole_into_find(putin):
    """A terminal delivers fast typing in one read: every key is queued before the find
    box has the focus. None of them may run a reader key (`d`, `e`, `a`... tag or move)."""
    from textual import events

    store, doc = putin
    text = store.document(doc).text
    start = text.index("deadliest")
    seen = {}

    async def scenario(pilot, app):
        screen, view = reader(app)
        for key, character in [("slash", "/"), *[(c, c) for c in "deadliest"]]:
            app.post_message(events.Key(key, character))
        await pilot.pause()
        await pilot.pause()
        seen["find"] = screen.query_one("#find").value
        await pilot.press("enter")
        seen["matches"] = view.matches
        seen["annotations"] = len(store.annotations(doc))

    drive(SidenoteApp(store, doc), scenario)
    assert seen["find"] == "deadliest"
    assert seen["matches"] == [(start, start + len("deadliest"))]
    assert seen["annotations"] == 0  # no letter of the burst ran a tag key
