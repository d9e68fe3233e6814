"""The search screen: results as you type, grouped by statement, opened with enter."""

from __future__ import annotations

import time

from store import Store, create_annotation
from store.links import accept, echoes
from store.search import ArticleMatch
from tui.app import SidenoteApp
from tui.screens.reader import ReaderScreen
from tui.screens.search import DEBOUNCE_SECONDS, SearchScreen
from tui.widgets.article_view import ArticleView

from .conftest import NEWS, NEWS_TITLE, add, drive
from .test_echoes import FIRST, SECOND, SHARED


async def type_and_wait(pilot, app, text: str) -> None:
    """Type `text`, then wait until the screen shows the results for all of it.

    The search starts after a pause in typing (a timer) and runs in a thread: on a
    busy machine neither happens within any fixed delay, so wait for the state."""
    await pilot.press(*text)
    screen = app.screen
    deadline = time.monotonic() + 120  # only turns a hang into a failure
    while screen.searched != text:
        assert time.monotonic() < deadline, f"no results shown for {text!r}"
        await pilot.pause(DEBOUNCE_SECONDS)
        await app.workers.wait_for_complete()
    await pilot.pause()


def statement_results(screen: SearchScreen) -> list:
    """The options above the "in articles" heading: statements and their appearances."""
    results = screen.results
    first = next((i for i, r in enumerate(results) if isinstance(r, ArticleMatch)), None)
    return results if first is None else results[: first - 1]


def test_results_group_a_linked_statement_with_every_article(library: Store) -> None:
    first = add(library, FIRST, "Leaders meet in Paris", "The Mainichi")
    second = add(library, SECOND, "Tokyo watches the talks", "Japan Today")
    start = FIRST.index(SHARED)
    made = create_annotation(library, first, start, start + len(SHARED), "quote")
    [echo] = echoes(library, first, made.start, made.end, made.id)
    accept(library, echo.link_id)
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("ctrl+f")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await type_and_wait(pilot, app, "security guarant")  # the last word half typed
        seen["rows"] = [
            None if a is None else (a.doc_id, a.label, a.status) for a in statement_results(screen)
        ]
        await pilot.press("down", "enter")
        await pilot.pause()
        seen["screen"] = type(app.screen)
        seen["doc"] = app.screen.doc_id
        seen["caret"] = app.screen.query_one(ArticleView).caret

    drive(SidenoteApp(library), scenario)
    rows = seen["rows"]
    assert rows[0] is None and None not in rows[1:]  # one statement, then its articles
    assert {doc for doc, _, _ in rows[1:]} == {first, second}
    assert {(doc, status) for doc, _, status in rows[1:] if status == "confirmed"} == {
        (first, "confirmed"), (second, "confirmed")}
    assert {label for _, label, _ in rows[1:]} == {"quote"}
    assert seen["screen"] is ReaderScreen
    assert seen["doc"] == rows[2][0]
    assert seen["caret"] == (SECOND if seen["doc"] == second else FIRST).index(SHARED)


def test_markup_in_a_search_result_is_shown_literally(library: Store) -> None:
    doc_id = library.document_ids()[2]
    text = library.document(doc_id).text
    start = text.index("The post read")
    create_annotation(library, doc_id, start, text.index(" in the feed"), "claim")
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("ctrl+f")
        await type_and_wait(pilot, app, "post read")
        results = app.screen.query_one("#search-results")
        seen["lines"] = [str(results.get_option_at_index(i).prompt)
                         for i in range(results.option_count)]
        await pilot.press("escape")
        seen["closed"] = not isinstance(app.screen, SearchScreen)

    drive(SidenoteApp(library), scenario)
    assert seen["lines"][0] == "The post read [bold red]X[/]"
    assert "[red]Wire[/]" in seen["lines"][1]
    assert seen["closed"]


def test_words_in_an_article_nobody_annotated_are_found_in_articles_and_open_there(
    library: Store,
) -> None:
    news = next(d for d in library.document_ids() if library.document(d).title == NEWS_TITLE)
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("ctrl+f")
        screen = app.screen
        await type_and_wait(pilot, app, "patrolling the northern")
        results = screen.query_one("#search-results")
        seen["lines"] = [str(results.get_option_at_index(i).prompt)
                         for i in range(results.option_count)]
        seen["results"] = list(screen.results)
        await pilot.press("enter")
        await pilot.pause()
        seen["screen"] = type(app.screen)
        seen["doc"] = app.screen.doc_id
        seen["caret"] = app.screen.query_one(ArticleView).caret

    drive(SidenoteApp(library), scenario)
    assert seen["lines"][0] == "in articles"  # no annotation holds the words
    [match] = [r for r in seen["results"] if r is not None]
    assert isinstance(match, ArticleMatch) and match.doc_id == news
    assert "Ministers agree" in seen["lines"][1] and "patrolling" in seen["lines"][1]
    assert seen["screen"] is ReaderScreen and seen["doc"] == news
    assert seen["caret"] == NEWS.index("patrolling the northern")
