"""Back and forward after a jump, `]`/`[` in the library's order, and copying an
annotation as a citation."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from store import NewDocument, Store, add_document, create_annotation, open_store
from tui.app import SidenoteApp
from tui.messages import OpenDocument
from tui.screens.reader import ReaderScreen
from tui.widgets.article_view import ArticleView

from .conftest import add, drive
from .test_echoes import FIRST, SECOND, SHARED, sentence_index


@pytest.fixture
def pair() -> Iterator[tuple[Store, str, str]]:
    """Two articles that share a sentence: an echo to follow from one to the other."""
    with open_store(":memory:") as store:
        first = add(store, FIRST, "Leaders meet in Paris", "The Mainichi")
        second = add(store, SECOND, "Tokyo watches the talks", "Japan Today")
        yield store, first, second


def place(app) -> tuple[str, int]:
    screen = app.screen
    assert isinstance(screen, ReaderScreen)
    return screen.doc_id, screen.query_one(ArticleView).sentence


def test_ctrl_o_returns_from_a_followed_echo_and_alt_right_goes_there_again(pair) -> None:
    store, first, second = pair
    seen = []

    async def scenario(pilot, app):
        await pilot.press(*["j"] * sentence_index(store, first, SHARED), "l")
        await pilot.pause()
        await pilot.press("enter")  # follow the echo into the other article
        await pilot.pause()
        seen.append(place(app))
        await pilot.press("ctrl+o")
        seen.append(place(app))
        await pilot.press("alt+right")
        seen.append(place(app))
        await pilot.press("alt+left")
        seen.append(place(app))

    drive(SidenoteApp(store, first), scenario)
    here = (first, sentence_index(store, first, SHARED))
    there = (second, sentence_index(store, second, SHARED))
    assert seen == [there, here, there, here]


def test_back_returns_from_a_palette_or_search_jump_to_the_sentence_left(pair) -> None:
    store, first, second = pair
    seen = []

    async def scenario(pilot, app):
        await pilot.press("j", "j")
        # what the palette and a chosen search result do
        app.post_message(OpenDocument(second, SECOND.index("Markets")))
        await pilot.pause()
        seen.append(place(app))
        await pilot.press("ctrl+o")
        seen.append(place(app))
        await pilot.press("ctrl+o")  # nothing further back: stays, and says so
        seen.append(place(app))
        seen.append(app.screen.query_one("#reader-status").text)

    drive(SidenoteApp(store, first), scenario)
    assert seen[:3] == [(second, 2), (first, 2), (first, 2)]
    assert "no earlier place" in seen[3]


def test_brackets_follow_the_library_sort_and_filter(library: Store) -> None:
    ids = library.document_ids()
    seen = []

    async def scenario(pilot, app):
        await pilot.press("ctrl+d", "g")  # newest import first; the top row
        await pilot.press("enter")
        seen.append(app.screen.doc_id)
        await pilot.press("right_square_bracket")
        seen.append(app.screen.doc_id)
        await pilot.press("escape", "slash", *"vienna", "enter")  # one article left
        await pilot.press("right_square_bracket")
        seen.append(app.screen.doc_id)
        seen.append(app.screen.query_one("#reader-status").text)

    drive(SidenoteApp(library), scenario)
    assert seen[:3] == [ids[2], ids[1], ids[0]]
    assert "no next article" in seen[3]


def test_y_copies_the_annotation_as_a_citation_and_says_so() -> None:
    text = ("The summit ended late. \"We will not pay for this wall,\" the mayor said on "
            "Friday. Talks resume next week.")
    seen = {}
    with open_store(":memory:") as store:
        with store.transaction() as db:
            doc_id, _ = add_document(db, NewDocument(
                text=text, title="Border talks stall", source="The Mainichi",
                url="https://example.org/talks", published="2025-08-17"))
        start = text.index("We will")
        quote = "We will not pay for this wall,"
        create_annotation(store, doc_id, start, start + len(quote), "quote",
                          speaker="the mayor")

        async def scenario(pilot, app):
            await pilot.press("j", "w")  # caret onto the quote
            await pilot.press("y")
            seen["clipboard"] = app.clipboard
            seen["status"] = app.screen.query_one("#reader-status").text

        drive(SidenoteApp(store, doc_id), scenario)
    assert seen["clipboard"] == (
        "\u201cWe will not pay for this wall,\u201d \u2014 the mayor, The Mainichi, "
        "\u201cBorder talks stall\u201d, 2025-08-17. https://example.org/talks"
    )
    assert "quote citation sent to the terminal's clipboard (OSC 52)" in seen["status"]
