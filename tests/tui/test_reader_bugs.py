"""Bugs a day of real use found in the reader and the library (issue #15, "Bugs seen").

Each test drives the app by keys, as the person did, and checks what they relied on.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from textual.widgets import Input, RadioButton, Static
from textual.worker import WorkerCancelled

from store import Store, create_annotation, open_store
from tui.app import SidenoteApp
from tui.messages import OpenDocument
from tui.screens.dialogs import ConfirmDialog
from tui.screens.echoes import EchoesScreen
from tui.screens.export import ExportDialog
from tui.screens.library import LibraryScreen
from tui.screens.palette import JumpProvider
from tui.screens.search import SearchScreen
from tui.widgets.annotation_list import AnnotationList
from tui.widgets.article_view import ArticleView
from tui.widgets.status_line import StatusLine

from .conftest import NEWS, NEWS_TITLE, UNICODE_TITLE, add, drive, record_notifications
from .test_echoes import FIRST, SECOND, SHARED, sentence_index
from .test_search import type_and_wait


def status(app: SidenoteApp) -> str:
    return app.screen.query_one(StatusLine).text


# -- the status line is recomputed after every change and every switch -------------------


def test_after_undoing_a_relabel_the_status_says_the_label_now_there(library: Store) -> None:
    seen = []

    async def scenario(pilot, app):
        await pilot.press("enter", "c", "p")
        seen.append(status(app))
        await pilot.press("u")
        await pilot.pause()
        seen.append(status(app))

    drive(SidenoteApp(library), scenario)
    assert "claim \u2192 proposal" in seen[0]
    assert "claim \u2192 proposal" not in seen[1]
    assert "on claim" in seen[1] and "on proposal" not in seen[1]


def test_after_undoing_a_nested_tag_the_status_counts_what_the_panel_shows(library: Store) -> None:
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("enter", "c", "v", "w", "w", "q")  # a quote inside the claim
        seen["tagged"] = status(app)
        await pilot.press("u")
        await pilot.pause()
        seen["panel"] = app.screen.query_one(AnnotationList).count
        seen["status"] = status(app)

    drive(SidenoteApp(library), scenario)
    assert "2 annotations" in seen["tagged"]
    assert seen["panel"] == 1
    assert "1 annotation " in seen["status"] + " " and "2 annotations" not in seen["status"]


def test_after_undoing_a_delete_the_status_no_longer_says_deleted(library: Store) -> None:
    seen = []

    async def scenario(pilot, app):
        await pilot.press("enter", "c", "x")
        seen.append(status(app))
        await pilot.press("u")
        await pilot.pause()
        seen.append(status(app))

    drive(SidenoteApp(library), scenario)
    assert "deleted claim" in seen[0]
    assert "deleted" not in seen[1] and "on claim" in seen[1]


def test_jumping_to_another_article_shows_its_sentence_count_at_once(library: Store) -> None:
    news, other = library.document_ids()[0], library.document_ids()[1]
    create_annotation(library, news, 0, 9, "claim")
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("enter")
        seen["before"] = status(app)
        app.post_message(OpenDocument(other))  # what the palette (ctrl+p) does
        await pilot.pause()
        seen["after"] = status(app)

    drive(SidenoteApp(library), scenario)
    count = len(library.sentences(other))
    assert f"/{len(library.sentences(news))} " in seen["before"]
    assert seen["after"].startswith(f"sentence 1/{count} ")
    assert "0 annotations" in seen["after"]


# -- find ----------------------------------------------------------------------------------


def test_a_failed_find_says_not_found_and_selects_nothing(library: Store) -> None:
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("enter", "slash", *"Viennx", "enter")  # "Vienn" matched on the way
        await pilot.pause()
        seen["selection"] = app.screen.query_one(ArticleView).selection
        seen["status"] = status(app)
        await pilot.press("c")
        await pilot.pause()

    drive(SidenoteApp(library), scenario)
    assert seen["selection"] is None
    assert "not found" in seen["status"]
    [tagged] = library.annotations()
    assert "Vienn" not in tagged.text  # the `c` tagged the sentence at the caret


def test_a_find_typed_past_its_last_match_drops_the_selection(library: Store) -> None:
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("enter", "slash", *"Vienn")
        seen["matched"] = app.screen.query_one(ArticleView).selection
        await pilot.press("x")
        seen["typed_on"] = app.screen.query_one(ArticleView).selection
        seen["status"] = status(app)

    drive(SidenoteApp(library), scenario)
    start = NEWS.index("Vienn")
    assert seen["matched"] == (start, start + 5)
    assert seen["typed_on"] is None
    assert "not found" in seen["status"]


# -- the library: letters filter, undo says where -----------------------------------------


def test_typing_a_title_in_the_library_filters_and_runs_no_command(library: Store) -> None:
    news = library.document_ids()[0]
    create_annotation(library, news, 0, 9, "claim")
    seen = {}

    async def scenario(pilot, app):
        await pilot.press(*"the cafe ukraine")  # u is undo elsewhere, e is a reader key
        await pilot.pause()
        screen = app.screen
        seen["screen"] = type(screen)
        seen["filter"] = screen.query_one("#library-filter", Input).value

    drive(SidenoteApp(library), scenario)
    assert seen == {"screen": LibraryScreen, "filter": "the cafe ukraine"}
    assert len(library.annotations()) == 1  # no undo ran


def test_library_keys_still_move_and_a_letter_replaces_nothing_else(library: Store) -> None:
    seen = {}

    async def scenario(pilot, app):
        screen = app.screen
        await pilot.press("j", "j", "k")
        seen["row"] = screen.table.cursor_row
        await pilot.press("m")
        seen["filter"] = (screen.filter.value, app.focused is screen.filter)

    drive(SidenoteApp(library), scenario)
    assert seen == {"row": 1, "filter": ("m", True)}


def test_a_library_filter_that_matches_nothing_says_so(library: Store) -> None:
    seen = {}

    async def scenario(pilot, app):
        await pilot.press(*"zqxw")
        await pilot.pause()
        message = app.screen.query_one("#library-empty", Static)
        seen["shown"] = message.display
        seen["text"] = str(message.render())

    drive(SidenoteApp(library), scenario)
    assert seen["shown"] and "zqxw" in seen["text"] and "esc clears" in seen["text"]


def test_undo_in_the_library_names_the_article_and_goes_to_it(library: Store) -> None:
    other = library.document_ids()[1]
    create_annotation(library, other, 0, 9, "claim")
    seen = {}

    async def scenario(pilot, app):
        messages = record_notifications(app)
        await pilot.press("ctrl+z")
        await pilot.pause()
        seen["message"] = messages[-1]
        seen["current"] = app.screen.table.current.id
        await pilot.press("enter")
        await pilot.pause()
        seen["opened"] = getattr(app.screen, "doc_id", None)

    drive(SidenoteApp(library), scenario)
    assert library.annotations() == []
    assert UNICODE_TITLE in seen["message"] and seen["message"].startswith("undid tag claim")
    assert "\u23ce opens it" in seen["message"]
    assert seen["current"] == other and seen["opened"] == other


def test_redo_in_the_reader_names_the_article(library: Store) -> None:
    seen = {}

    async def scenario(pilot, app):
        messages = record_notifications(app)
        await pilot.press("enter", "c", "u", "ctrl+r")
        await pilot.pause()
        seen["messages"] = messages[-2:]

    drive(SidenoteApp(library), scenario)
    assert seen["messages"] == [f"undid tag claim in \u201c{NEWS_TITLE}\u201d",
                                f"redid tag claim in \u201c{NEWS_TITLE}\u201d"]


def test_keys_typed_while_the_library_mounts_reach_its_table(library: Store) -> None:
    seen = {}

    async def scenario(pilot, app):
        app.push_screen(LibraryScreen(library))  # as at start: keys queued before it shows
        await pilot.press("j", "j")
        await pilot.pause()
        screen = app.screen
        seen["filter"] = screen.filter.value
        seen["row"] = screen.table.cursor_row

    drive(SidenoteApp(library), scenario)
    assert seen == {"filter": "", "row": 2}


# -- echoes: a confirmed link is overturned only after a yes; an empty list says why --------


@pytest.fixture
def pair() -> Iterator[tuple[Store, str, str]]:
    """The same statement in two articles (the echoes tests' pair)."""
    with open_store(":memory:") as store:
        first = add(store, FIRST, "Leaders meet in Paris", "The Mainichi")
        second = add(store, SECOND, "Tokyo watches the talks", "Japan Today")
        yield store, first, second


def confirmed_echo(store: Store, first: str):
    async def scenario(pilot, app):
        await pilot.press(*["j"] * sentence_index(store, first, SHARED), "q", "l")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()

    return scenario


def link_status(store: Store) -> str:
    return store.db.execute("SELECT status FROM links").fetchone()[0]


def test_rejecting_a_confirmed_echo_asks_first(pair) -> None:
    store, first, second = pair
    seen = {}

    async def scenario(pilot, app):
        await confirmed_echo(store, first)(pilot, app)
        await pilot.press("r")
        await pilot.pause()
        seen["asked"] = isinstance(app.screen, ConfirmDialog)
        seen["while_asking"] = link_status(store)
        await pilot.press("n")
        await pilot.pause()
        seen["kept"] = (type(app.screen), link_status(store))
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        seen["overturned"] = link_status(store)
        empty = app.screen.query_one("#echoes-empty", Static)
        seen["empty"] = (empty.display, str(empty.render()))

    drive(SidenoteApp(store, first), scenario)
    assert seen["asked"] and seen["while_asking"] == "confirmed"
    assert seen["kept"] == (EchoesScreen, "confirmed")
    assert seen["overturned"] == "rejected"
    shown, text = seen["empty"]
    assert shown and "rejected" in text and "u " in text


def test_an_echoes_list_with_nothing_found_says_why_and_what_to_do(pair) -> None:
    store, first, second = pair
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("l")  # the first sentence is in no other article
        await pilot.pause()
        empty = app.screen.query_one("#echoes-empty", Static)
        seen["shown"] = empty.display and empty.region.height > 0
        seen["text"] = str(empty.render())
        seen["list"] = app.screen.query_one("#echoes-list").display

    drive(SidenoteApp(store, first), scenario)
    assert seen["shown"] and not seen["list"]
    assert "esc" in seen["text"] and "L" in seen["text"]


# -- the search box and the palette ---------------------------------------------------------


def test_the_search_box_says_when_nothing_matches(library: Store) -> None:
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("ctrl+f")
        await type_and_wait(pilot, app, "zebrafish")
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        seen["empty"] = str(screen.query_one("#search-empty", Static).render())

    drive(SidenoteApp(library), scenario)
    assert "zebrafish" in seen["empty"] and "nothing" in seen["empty"].lower()


def test_the_search_box_says_when_no_statement_matches_but_articles_do(library: Store) -> None:
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("ctrl+f")
        await type_and_wait(pilot, app, "Vienna")
        seen["empty"] = str(app.screen.query_one("#search-empty", Static).render())

    drive(SidenoteApp(library), scenario)
    assert "no annotation" in seen["empty"].lower() and "Vienna" in seen["empty"]


def test_the_palette_finds_annotations_by_speaker_and_note(library: Store) -> None:
    news = library.document_ids()[0]
    start = NEWS.index("\"We have")
    quote = create_annotation(library, news, start, start + 40, "quote",
                              speaker="Karl Nehammer", note="check against the audit office")
    seen = {}

    async def scenario(pilot, app):
        provider = JumpProvider(app.screen)
        await provider.startup()
        for query in ("nehammer", "audit office"):
            seen[query] = [hit.text async for hit in provider.search(query)]

    drive(SidenoteApp(library), scenario)
    for query in ("nehammer", "audit office"):
        assert any("Karl Nehammer" in text for text in seen[query]), query
    assert quote.speaker == "Karl Nehammer"


def test_the_palette_says_what_to_do_when_nothing_matches(library: Store) -> None:
    seen = {}

    async def scenario(pilot, app):
        provider = JumpProvider(app.screen)
        await provider.startup()
        seen["hits"] = [hit.text async for hit in provider.search("zebrafish")]

    drive(SidenoteApp(library), scenario)
    [hint] = seen["hits"]
    assert "zebrafish" in hint and "ctrl+f" in hint


# -- the export dialog without colour --------------------------------------------------------


def test_without_colour_the_chosen_export_format_is_still_marked(monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    seen = {}

    async def scenario(pilot, app):
        app.action_export()
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportDialog)
        seen["marks"] = [str(b.render())[:3] for b in dialog.query(RadioButton)]

    with open_store(":memory:") as store:
        drive(SidenoteApp(store), scenario)
    first, *rest = seen["marks"]
    assert rest and all(mark != first for mark in rest)


def test_link_all_reports_the_corpus_totals_that_stats_prints(pair) -> None:
    store, first, second = pair
    seen = {}

    async def scenario(pilot, app):
        messages = record_notifications(app)
        await pilot.press("escape", "L")
        # On two small articles the linking screen may already have closed itself.
        screen = app.screen
        for worker in [w for w in app.workers if w.node is screen]:
            with contextlib.suppress(WorkerCancelled):  # it ends when its screen closes
                await worker.wait()
        await pilot.pause()
        seen["screen"] = type(app.screen).__name__
        seen["message"] = messages[-1]

    drive(SidenoteApp(store, first), scenario)
    links = store.db.execute("SELECT count(*) FROM links").fetchone()[0]
    assert seen["screen"] == "LibraryScreen"  # the linking screen closed with its report
    assert seen["message"].startswith("linked: ")
    assert f"{links} links in all" in seen["message"]
