"""Export from the command palette, written by a worker to the path the user gave."""

from __future__ import annotations

import json
from pathlib import Path

from store import Store, create_annotation, open_store
from store.exchange.formats import EXPORT_FORMATS
from tui.app import SidenoteApp
from tui.screens.export import ExportDialog

from .conftest import NEWS, NEWS_TITLE, add, drive, record_notifications


async def open_export_dialog(pilot, app) -> None:
    await pilot.press("ctrl+p", *"export annotations")
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def test_export_jsonl_from_the_palette(tmp_path: Path) -> None:
    db = tmp_path / "export.db"
    with open_store(db) as store:
        doc_id = add(store, NEWS, NEWS_TITLE, "Vienna Post")
        for sentence in store.sentences(doc_id)[:3]:
            create_annotation(store, doc_id, sentence.start, sentence.end, "claim")
    target = tmp_path / "out.jsonl"
    seen = {}

    async def scenario(pilot, app):
        seen["messages"] = record_notifications(app)
        await open_export_dialog(pilot, app)
        assert isinstance(app.screen, ExportDialog)
        path = app.screen.query_one("#export-path")
        seen["default"] = path.value
        path.value = str(target)
        path.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()

    with open_store(db) as store:
        drive(SidenoteApp(store), scenario)
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 3
    assert all(r["text"] == NEWS[r["start"] : r["end"]] for r in records)
    assert seen["default"] == "~/sidenote-export.jsonl"
    assert f"exported 3 annotations as jsonl to {target}" in seen["messages"]


def test_choosing_brat_proposes_a_folder_and_writes_it(library: Store, tmp_path: Path) -> None:
    doc_id = library.document_ids()[0]
    sentence = library.sentences(doc_id)[0]
    create_annotation(library, doc_id, sentence.start, sentence.end, "quote")
    target = tmp_path / "brat"
    seen = {}

    async def scenario(pilot, app):
        seen["messages"] = record_notifications(app)
        await open_export_dialog(pilot, app)
        await pilot.press(*["down"] * list(EXPORT_FORMATS).index("brat"), "enter", "tab")
        await pilot.pause()
        path = app.screen.query_one("#export-path")
        seen["default"] = path.value
        path.value = str(target)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()

    drive(SidenoteApp(library), scenario)
    assert seen["default"] == "~/sidenote-export-brat"
    assert {".ann", ".txt"} <= {p.suffix for p in target.iterdir()}
    assert f"exported 1 annotation as brat to {target}" in seen["messages"]


def _annotated_db(tmp_path: Path) -> Path:
    db = tmp_path / "export.db"
    with open_store(db) as store:
        doc_id = add(store, NEWS, NEWS_TITLE, "Vienna Post")
        for sentence in store.sentences(doc_id)[:2]:
            create_annotation(store, doc_id, sentence.start, sentence.end, "claim")
    return db


def test_an_existing_file_is_replaced_only_after_a_yes(tmp_path: Path) -> None:
    db = _annotated_db(tmp_path)
    target = tmp_path / "notes.jsonl"
    target.write_text("my notes\n", "utf-8")
    target.chmod(0o640)
    seen = {}

    async def scenario(pilot, app):
        seen["messages"] = record_notifications(app)
        await open_export_dialog(pilot, app)
        path = app.screen.query_one("#export-path")
        path.value = str(target)
        path.focus()
        await pilot.press("enter")
        await pilot.pause()
        seen["asked"] = type(app.screen).__name__
        await pilot.press("n")  # keep it: back in the export dialog, nothing written
        await app.workers.wait_for_complete()
        await pilot.pause()
        seen["after no"] = (type(app.screen).__name__, target.read_text("utf-8"))
        await pilot.press("enter", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()

    with open_store(db) as store:
        drive(SidenoteApp(store), scenario)
    assert seen["asked"] == "ReplaceDialog"
    assert seen["after no"] == ("ExportDialog", "my notes\n")
    assert len(target.read_text("utf-8").splitlines()) == 2
    assert target.stat().st_mode & 0o777 == 0o640
    assert f"exported 2 annotations as jsonl to {target}" in seen["messages"]


def test_the_dialog_refuses_the_database_itself(tmp_path: Path) -> None:
    db = _annotated_db(tmp_path)
    seen = {}

    async def scenario(pilot, app):
        seen["messages"] = record_notifications(app)
        await open_export_dialog(pilot, app)
        path = app.screen.query_one("#export-path")
        path.value = str(db)
        path.focus()
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        seen["screen"] = type(app.screen).__name__

    with open_store(db) as store:
        drive(SidenoteApp(store), scenario)
    assert seen["screen"] == "ExportDialog"
    assert any("is the database" in message for message in seen["messages"])
    with open_store(db) as store:  # still the database, annotations and all
        assert len(store.annotations(store.document_ids()[0])) == 2
