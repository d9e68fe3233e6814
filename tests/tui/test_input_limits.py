"""Every text box has a length limit: a huge paste or a held key stops at it.

Without one, typing a megabyte into the search box (a terminal without bracketed
paste sends it as keys) ran a search per key on an ever longer query. At the limit
the box refuses more, so the value, and the work done per key, stay bounded.
"""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input

from store import Store, create_annotation
from tui.app import SidenoteApp
from tui.limits import NOTE_CHARS, PATH_CHARS, QUERY_CHARS, SPEAKER_CHARS
from tui.screens.dialogs import NoteDialog
from tui.screens.export import ExportDialog

from .conftest import NEWS, drive

HUGE = "y" * 1_000_000


async def open_search(pilot, app, store):
    await pilot.press("ctrl+f")


async def open_filter(pilot, app, store):
    await pilot.press("slash")


async def open_find(pilot, app, store):
    await pilot.press("enter", "slash")


def note_dialog(label: str):
    async def open_dialog(pilot, app, store):
        doc_id = store.document_ids()[0]
        annotation = create_annotation(store, doc_id, 0, NEWS.index(" "), label)
        app.push_screen(NoteDialog(annotation))

    return open_dialog


async def open_export(pilot, app, store):
    app.push_screen(ExportDialog())


CASES = [
    ("search", open_search, "#search-input", QUERY_CHARS),
    ("library filter", open_filter, "#library-filter", QUERY_CHARS),
    ("find in article", open_find, "#find", QUERY_CHARS),
    ("note", note_dialog("claim"), "#note-input", NOTE_CHARS),
    ("speaker", note_dialog("quote"), "#speaker-input", SPEAKER_CHARS),
    ("export path", open_export, "#export-path", PATH_CHARS),
]


@pytest.mark.parametrize(
    ("opener", "selector", "limit"), [case[1:] for case in CASES], ids=[c[0] for c in CASES]
)
def test_a_box_stops_at_its_limit_for_pastes_and_keys(
    library: Store, opener, selector: str, limit: int
) -> None:
    seen = {}

    async def scenario(pilot, app):
        await opener(pilot, app, library)
        await pilot.pause()
        box = app.screen.query_one(selector, Input)
        box.focus()
        box.value = ""
        await pilot.pause()
        box.post_message(events.Paste(HUGE))  # far past the limit: refused whole
        await pilot.pause()
        seen["after huge paste"] = len(box.value)
        box.post_message(events.Paste("x" * (limit - 2)))  # fits
        await pilot.pause()
        await pilot.press(*"abcdef")  # two fit, four are refused
        seen["after keys"] = box.value[-4:]
        seen["length"] = len(box.value)

    drive(SidenoteApp(library), scenario)
    assert seen["after huge paste"] == 0
    assert seen["after keys"] == "xxab"
    assert seen["length"] == limit


def test_a_stored_note_longer_than_the_limit_can_still_be_shortened(library: Store) -> None:
    doc_id = library.document_ids()[0]
    long_note = "n" * (NOTE_CHARS + 50)
    annotation = create_annotation(library, doc_id, 0, NEWS.index(" "), "claim", note=long_note)
    seen = {}

    async def scenario(pilot, app):
        app.push_screen(NoteDialog(annotation))
        await pilot.pause()
        box = app.screen.query_one("#note-input", Input)
        box.focus()
        await pilot.press("end", "backspace", "backspace", "z")
        seen["value"] = box.value

    drive(SidenoteApp(library), scenario)
    assert seen["value"] == "n" * (NOTE_CHARS + 48) + "z"
