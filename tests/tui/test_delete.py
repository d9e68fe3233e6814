"""Deleting an article from the library: asked first, told what goes, undone by `u`."""

from __future__ import annotations

from store import Store, create_annotation
from tui.app import SidenoteApp
from tui.screens.dialogs import DeleteDialog
from tui.screens.library import LibraryScreen

from .conftest import drive


def annotate_second(store: Store) -> str:
    doc_id = store.document_ids()[1]
    for sentence in store.sentences(doc_id)[:2]:
        create_annotation(store, doc_id, sentence.start, sentence.end, "claim")
    return doc_id


def test_delete_asks_with_the_counts_then_deletes_and_undo_restores(library: Store) -> None:
    doc_id = annotate_second(library)
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("j", "d")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, DeleteDialog)
        seen["summary"] = (dialog.summary.doc_id, dialog.summary.annotations)
        seen["shown"] = str(dialog.query_one("#delete-summary").render())
        await pilot.press("y")
        await pilot.pause()
        seen["after_delete"] = library.document_ids()
        seen["rows"] = [row.id for row in app.screen.query_one("#library-table").rows]
        await pilot.press("ctrl+z")  # the library undoes with ctrl+z
        await pilot.pause()
        seen["after_undo"] = len(library.annotations(doc_id))
        seen["cursor"] = app.screen.query_one("#library-table").current.id

    drive(SidenoteApp(library), scenario)
    assert seen["summary"] == (doc_id, 2)
    assert "2 annotations" in seen["shown"]
    assert doc_id not in seen["after_delete"] and doc_id not in seen["rows"]
    assert seen["after_undo"] == 2
    assert seen["cursor"] == doc_id


def test_escape_keeps_the_article(library: Store) -> None:
    doc_id = annotate_second(library)
    screens = []

    async def scenario(pilot, app):
        await pilot.press("j", "d", "escape")
        await pilot.pause()
        screens.append(type(app.screen))

    drive(SidenoteApp(library), scenario)
    assert screens == [LibraryScreen]
    assert doc_id in library.document_ids()
    assert len(library.annotations(doc_id)) == 2
