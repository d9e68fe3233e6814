"""The library screen: counts, progress, filtering, opening, the empty database."""

from __future__ import annotations

from store import Store, create_annotation, open_store
from tui.app import SidenoteApp
from tui.screens.library import LibraryScreen, filter_documents
from tui.screens.reader import ReaderScreen
from tui.widgets.document_table import DocumentTable

from .conftest import NEWS_TITLE, UNICODE_TITLE, drive


def table_titles(app) -> list[str]:
    return [document.title for document in app.screen.query_one(DocumentTable).rows]


def rendered_rows(app) -> list[str]:
    """The table's lines as drawn (header first)."""
    table = app.screen.query_one(DocumentTable)
    return [table.render_line(y).text for y in range(len(table.rows) + 1)]


def test_rows_show_counts_and_progress(library: Store) -> None:
    doc_id = library.document_ids()[0]
    sentence = library.sentences(doc_id)[0]
    create_annotation(library, doc_id, sentence.start, sentence.end, "claim")
    seen = {}

    async def scenario(pilot, app):
        seen["rows"] = rendered_rows(app)
        seen["progress"] = str(app.screen.query_one("#library-progress").render())

    drive(SidenoteApp(library), scenario)
    header, first = seen["rows"][:2]
    assert header.split() == ["Read", "Annotations", "Confirmed", "Suggested", "Length",
                              "Published", "Outlet", "Title"]
    # never opened, one annotation, no links, 506 characters
    assert first.split()[:2] == ["1", "506"]
    assert "Vienna Post" in first and first.rstrip().endswith(NEWS_TITLE)
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
        notes.append(app.screen.query_one(DocumentTable).rows[0].annotations)
        notes.append(rendered_rows(app)[1].split()[:2])

    drive(SidenoteApp(library), scenario)
    assert notes == [2, ["28%", "2"]]  # left on the second of seven sentences


def test_an_empty_database_explains_how_to_import() -> None:
    seen = {}

    async def scenario(pilot, app):
        assert isinstance(app.screen, LibraryScreen)
        seen["message"] = str(app.screen.query_one("#library-empty").render())
        seen["table_shown"] = app.screen.query_one(DocumentTable).display

    with open_store(":memory:") as store:
        drive(SidenoteApp(store), scenario)
    assert "sidenote --db :memory: import FOLDER" in seen["message"]
    assert seen["table_shown"] is False


def test_undo_in_the_library_points_at_the_article_it_changed(library: Store) -> None:
    seen = []

    async def scenario(pilot, app):
        await pilot.press("j", "j", "enter", "c", "escape", "g")
        table = app.screen.query_one(DocumentTable)
        seen.append(table.cursor_row)
        await pilot.press("ctrl+z")  # u would start the filter here
        seen.append(table.cursor_row)
        seen.append(table.rows[2].annotations)

    drive(SidenoteApp(library), scenario)
    assert seen == [0, 2, 0]
    assert library.annotations() == []
