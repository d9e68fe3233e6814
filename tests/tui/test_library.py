"""The library screen: counts, progress, filtering, opening, the empty database."""

from __future__ import annotations

from store import Store, create_annotation, open_store
from tui.app import SidenoteApp
from tui.screens.library import LibraryScreen, filter_documents
from tui.screens.reader import ReaderScreen

from .conftest import NEWS_TITLE, UNICODE_TITLE, drive


def table_titles(app) -> list[str]:
    table = app.screen.query_one("#library-table")
    return [str(table.get_row_at(row)[-1]) for row in range(table.row_count)]


def test_rows_show_counts_and_progress(library: Store) -> None:
    doc_id = library.document_ids()[0]
    sentence = library.sentences(doc_id)[0]
    create_annotation(library, doc_id, sentence.start, sentence.end, "claim")
    seen = {}

    async def scenario(pilot, app):
        table = app.screen.query_one("#library-table")
        seen["row"] = [str(cell) for cell in table.get_row(doc_id)]
        seen["progress"] = str(app.screen.query_one("#library-progress").render())

    drive(SidenoteApp(library), scenario)
    notes, links, length, outlet, title = seen["row"]
    assert (notes, outlet, title) == ("1", "Vienna Post", NEWS_TITLE)
    assert "annotated 1 / total 3" in seen["progress"]


def test_typing_a_filter_keeps_fuzzy_matches_and_enter_opens_the_best(library: Store) -> None:
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("slash", *"reprot cafe")  # misspelt, and in the wrong order
        seen["titles"] = table_titles(app)
        await pilot.press("enter")
        await pilot.pause()
        seen["screen"] = type(app.screen)
        seen["doc"] = app.screen.doc_id

    drive(SidenoteApp(library), scenario)
    assert seen["titles"] == [UNICODE_TITLE]
    assert seen["screen"] is ReaderScreen
    assert seen["doc"] == library.document_ids()[1]


def test_escape_clears_the_filter(library: Store) -> None:
    counts = []

    async def scenario(pilot, app):
        await pilot.press("slash", *"vienna")
        counts.append(len(table_titles(app)))
        await pilot.press("escape")
        counts.append(len(table_titles(app)))

    drive(SidenoteApp(library), scenario)
    assert counts == [1, 3]


def test_filter_matches_every_word_and_ranks_best_first(library: Store) -> None:
    documents = library.document_summaries()
    assert [d.title for d in filter_documents(documents, "border deal")] == [NEWS_TITLE]
    assert filter_documents(documents, "") == documents
    assert filter_documents(documents, "zzzzqqq") == []


def test_counts_refresh_when_coming_back_from_the_reader(library: Store) -> None:
    notes = []

    async def scenario(pilot, app):
        await pilot.press("enter", "c", "j", "q", "escape")
        table = app.screen.query_one("#library-table")
        notes.append(str(table.get_row(library.document_ids()[0])[0]))

    drive(SidenoteApp(library), scenario)
    assert notes == ["2"]


def test_an_empty_database_explains_how_to_import() -> None:
    seen = {}

    async def scenario(pilot, app):
        assert isinstance(app.screen, LibraryScreen)
        seen["message"] = str(app.screen.query_one("#library-empty").render())
        seen["table_shown"] = app.screen.query_one("#library-table").display

    with open_store(":memory:") as store:
        drive(SidenoteApp(store), scenario)
    assert "sidenote --db :memory: import FOLDER" in seen["message"]
    assert seen["table_shown"] is False
