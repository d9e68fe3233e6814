"""No word cut where the room exists: the spread shows whole wordings, headings and
status lines end at a word, the library shortens its headers before a title loses a
word, the annotation browser's columns fit their names and sort only by what it
shows, prompts fit their field, toasts stay clear of the key bar, and the note
dialog shows which field takes the typing."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pytest
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import Input, Label, OptionList, Static

from store import (
    NewDocument,
    Store,
    add_document,
    create_annotation,
    list_links,
    open_store,
    relink,
)
from tui.app import SidenoteApp
from tui.screens.annotations import AnnotationsScreen
from tui.screens.dialogs import NoteDialog
from tui.screens.spread import SpreadScreen
from tui.widgets.document_table import DocumentTable
from tui.widgets.key_bar import KeyBar
from tui.widgets.row_table import RowTable
from tui.widgets.status_line import StatusLine

from .conftest import drive

SHARED = ("Special envoy Steve Witkoff said on Sunday that the president agreed at the meeting "
          "in Alaska to allow the United States and its European allies to offer Ukraine a "
          "security guarantee resembling the collective defense mandate of the alliance as "
          "part of an eventual deal to end the war, a senior official said.")
LONG_TITLE = ("Putin agrees that US and Europe could offer alliance-style security guarantees "
              "to Ukraine, envoy says")
ELLIPSIS = "\u2026"


def drawn(widget) -> list[str]:
    """The widget's lines as drawn, its padding and border included."""
    region = Region(0, 0, widget.outer_size.width, widget.outer_size.height)
    return [strip.text for strip in widget.render_lines(region)]


def joined(lines: list[str]) -> str:
    """Drawn lines as one run of words (borders and scroll bars left out)."""
    return " ".join(re.sub(r"[\u2580-\u259f]", " ", line).strip() for line in lines).split()


def whole_words_of(shown: str, source: str) -> None:
    """`shown` ends with an ellipsis after a whole word of `source`, or is all of it."""
    assert shown.endswith(ELLIPSIS) or shown == source
    kept = shown.removesuffix(ELLIPSIS).rstrip()
    assert source.startswith(kept)
    assert source[len(kept):][:1] in ("", " "), f"cut inside a word: {shown!r}"


@pytest.fixture
def spread_store() -> Iterator[Store]:
    with open_store(":memory:") as store:
        for outlet, title, lead in (("Japan Today", LONG_TITLE, "An opening line here."),
                                    ("The Mainichi", "Envoy says", "Another lead altogether.")):
            with store.transaction() as db:
                add_document(db, NewDocument(text=f"{lead} {SHARED} Then other words.",
                                             title=title, source=outlet))
        relink(store)
        assert list(list_links(store))
        yield store


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
def test_the_spread_shows_the_statement_titles_and_wordings_whole(spread_store, size):
    seen = {}

    async def scenario(pilot, app):
        app.push_screen(SpreadScreen(spread_store, list(list_links(spread_store))[0].id))
        await pilot.pause()
        seen["title"] = joined(drawn(app.screen.query_one("#spread-title", Static)))
        seen["list"] = joined(drawn(app.screen.query_one(OptionList)))

    drive(SidenoteApp(spread_store), scenario, size=size)
    words = SHARED.split()
    assert " ".join(seen["title"]).startswith("\u201c" + SHARED + "\u201d")
    shown = " ".join(seen["list"])
    assert SHARED in shown  # 240 characters and "…" before, at any width
    if size[0] == 200:
        assert shown.count(SHARED) == 2 and LONG_TITLE in shown
    assert ELLIPSIS not in shown and words[-1] in seen["list"]


def test_headings_cut_at_a_word_end(spread_store):
    """The shared `excerpt` cuts every screen's headings (the queue's, the echoes')."""
    from tui.screens.dialogs import excerpt

    for limit in (20, 41, 57, 90):
        whole_words_of(excerpt(SHARED, limit), SHARED)
        assert len(excerpt(SHARED, limit)) <= limit
    assert excerpt("Antidisestablishmentarianism", 10) == "Antidises" + ELLIPSIS


class StatusApp(App[None]):
    def compose(self) -> ComposeResult:
        yield StatusLine()


def test_the_status_line_cuts_at_a_word_end():
    seen = {}

    async def scenario(pilot, app):
        line = app.query_one(StatusLine)
        line.show(SHARED)
        await pilot.pause()
        seen["line"] = drawn(line)[0].rstrip()

    drive(StatusApp(), scenario, size=(60, 5))  # type: ignore[arg-type]
    whole_words_of(seen["line"], SHARED)
    assert len(seen["line"]) >= 50


def test_the_library_shortens_headers_before_it_cuts_a_title():
    title = "Putin agrees that US and Europe could offer security guarantees"  # 63 cells
    seen = {}
    with open_store(":memory:") as store:
        with store.transaction() as db:
            add_document(db, NewDocument(text="One sentence here.", title=title,
                                         source="The Mainichi"))

        async def scenario(pilot, app):
            await pilot.pause()
            seen["lines"] = drawn(app.screen.query_one(DocumentTable))

        drive(SidenoteApp(store), scenario, size=(120, 35))
    assert title in seen["lines"][1]  # "Putin agrees that US, Europe…" beside wide headers
    assert "Ann" in seen["lines"][0]


def test_the_annotation_browser_fits_speakers_and_sorts_only_by_shown_columns():
    seen = {}
    with open_store(":memory:") as store:
        with store.transaction() as db:
            doc, _ = add_document(db, NewDocument(text=SHARED, title="t", source="Japan Today"))
        create_annotation(store, doc, 0, len(SHARED), "quote", speaker="Maria Zakharova")

        async def scenario(pilot, app):
            await pilot.press("ctrl+b")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, AnnotationsScreen)
            seen["lines"] = drawn(screen.query_one(RowTable))
            sorts = []
            for _ in range(8):
                await pilot.press("ctrl+s")
                sorts.append(screen.sort)
            seen["sorts"] = sorts
            seen["header"] = drawn(screen.query_one(RowTable))[0]

        drive(SidenoteApp(store), scenario, size=(80, 24))
    assert "Maria Zakharova" in seen["lines"][1]
    header = seen["lines"][0].casefold()
    assert all(sort in header for sort in seen["sorts"] if sort != "linked")
    assert set(seen["sorts"]) >= {"label", "outlet", "speaker", "text"}
    row = seen["lines"][1].rstrip()
    whole_words_of(row[row.index("Special"):], SHARED)


@pytest.mark.parametrize("screen_key", ["ctrl+f", "ctrl+b"])
def test_a_prompt_never_stops_mid_way_without_saying_so(library, screen_key):
    seen = {}

    async def scenario(pilot, app):
        await pilot.press(screen_key)
        await pilot.pause()
        field = app.screen.query_one(Input)
        seen["placeholder"] = field.placeholder
        seen["room"] = field.content_region.width

    drive(SidenoteApp(library), scenario, size=(80, 24))
    assert len(seen["placeholder"]) < seen["room"]  # shown whole, with the cursor's cell


def test_a_toast_sits_above_the_key_bar_and_status_line_and_wraps(library):
    message = ("tmux passes a program's copy on to the system clipboard only with "
               "`set -g set-clipboard on` in ~/.tmux.conf")
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("enter")
        await pilot.pause()
        app.notify(message, markup=False)
        await pilot.pause()
        toast = app.screen.query_one("Toast")
        seen["toast"] = toast.region
        seen["bar"] = app.screen.query_one(KeyBar).region
        seen["status"] = app.screen.query_one("#reader-status").region
        seen["text"] = " ".join(joined(drawn(toast)))

    async def main() -> None:
        app = SidenoteApp(library)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await pilot.pause()
            await scenario(pilot, app)

    asyncio.run(main())
    assert seen["toast"].bottom <= seen["status"].y  # above the status line and key bar
    assert seen["toast"].bottom <= seen["bar"].y
    assert message in seen["text"]


@pytest.mark.parametrize("no_color", [False, True])
def test_the_note_dialog_shows_which_field_has_the_focus(library, no_color, monkeypatch):
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    seen = []

    async def scenario(pilot, app):
        doc_id = library.document_ids()[0]
        annotation = create_annotation(library, doc_id, 0, 9, "claim")
        await app.push_screen(NoteDialog(annotation))
        app.screen.query_one("#note-input", Input).focus()
        await pilot.pause()
        for _ in range(2):
            labels = app.screen.query(Label)
            inputs = app.screen.query(Input)
            seen.append([(bool(label.styles.text_style.reverse), str(field.styles.border_top[0]))
                         for label, field in zip(labels, inputs, strict=True)])
            await pilot.press("tab")
            await pilot.pause()

    drive(SidenoteApp(library), scenario, size=(80, 24))
    # From the note, tab moves to the speaker: each time only the field
    # that has the focus is marked, by a reversed label and a border of its own shape.
    (note_focused, speaker_blurred), (note_blurred, speaker_focused) = seen
    assert note_focused[0] and not speaker_blurred[0]
    assert speaker_focused[0] and not note_blurred[0]
    assert note_focused[1] != speaker_blurred[1] and speaker_focused[1] == note_focused[1]


def test_a_placeholder_takes_the_longest_wording_that_fits_else_ends_at_a_word():
    from tui.widgets.fitted_input import fit_placeholder

    assert fit_placeholder(["a [b] c d e f", "a [b]"], 5) == "a [b]"
    assert fit_placeholder(["alpha beta gamma"], 12) == "alpha beta" + ELLIPSIS
