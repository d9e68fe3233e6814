"""App-wide behaviour: help from the bindings, remapping, mouse, palette, two instances."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding

from store import InputError, Label, Store, create_annotation, open_store
from tui.app import SidenoteApp
from tui.cli.commands.reader import load_keymap
from tui.screens.help import HelpScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.annotation_list import AnnotationList
from tui.widgets.article_view import ArticleView
from tui.widgets.key_bar import KeyBar

from .conftest import NEWS, NEWS_TITLE, add, drive


def binding_ids(*classes: type) -> set[str]:
    return {binding.id for cls in classes for binding in cls.BINDINGS if not binding.system}


def test_every_binding_of_ours_has_an_id() -> None:
    from tui.screens.library import LibraryScreen
    from tui.widgets.document_table import DocumentTable

    for cls in (SidenoteApp, ReaderScreen, ArticleView, LibraryScreen, DocumentTable):
        for binding in cls.BINDINGS:
            assert isinstance(binding, Binding) and binding.id, (cls, binding)


def test_help_lists_every_key_of_the_reader_with_its_id(library: Store) -> None:
    rows = []

    async def scenario(pilot, app):
        await pilot.press("enter", "f1")
        assert isinstance(app.screen, HelpScreen)
        rows.extend(app.screen.rows)
        await pilot.press("escape")
        assert isinstance(app.screen, ReaderScreen)

    drive(SidenoteApp(library), scenario)
    shown_ids = {row.binding_id for row in rows}
    expected = binding_ids(ArticleView, ReaderScreen, SidenoteApp)
    assert expected <= shown_ids
    keys = {row.binding_id: row.keys for row in rows}
    assert keys["reader.next_sentence"] == "j / \u2193"
    assert keys["app.quit"] == "^q"


def test_a_keymap_remaps_a_key_and_help_shows_it(library: Store) -> None:
    rows = []

    async def scenario(pilot, app):
        await pilot.press("enter", "Q")  # remapped: Q tags a quote
        await pilot.press("f1")
        rows.extend(app.screen.rows)

    drive(SidenoteApp(library, keymap={"reader.tag_quote": "Q"}), scenario)
    [annotation] = library.annotations()
    assert annotation.label is Label.quote
    assert {row.binding_id: row.keys for row in rows}["reader.tag_quote"] == "Q"


def test_docs_keys_md_matches_the_bindings() -> None:
    """docs/keys.md is generated from the bindings; regenerate it when they change."""
    from tui.app import app_key_sections
    from tui.screens.help import keys_markdown

    docs = Path(__file__).resolve().parents[2] / "docs" / "keys.md"
    assert docs.read_text(encoding="utf-8") == keys_markdown(app_key_sections()), (
        "docs/keys.md is stale: run `python -m tui.app`"
    )


def test_load_keymap_reads_toml_and_rejects_bad_files(tmp_path: Path) -> None:
    good = tmp_path / "keymap.toml"
    good.write_text('[keymap]\n"reader.tag_quote" = "Q"\n')
    assert load_keymap(good) == {"reader.tag_quote": "Q"}
    assert load_keymap(tmp_path / "absent.toml") == {}
    bad = tmp_path / "bad.toml"
    bad.write_text("[keymap]\nreader = 3\n")
    with pytest.raises(InputError, match="bad.toml"):
        load_keymap(bad)


def test_the_key_bar_shows_every_shown_binding_when_wide(library: Store) -> None:
    """Two lines of 200 columns hold every key of the reader (narrower, the bar keeps
    two lines and leaves the last ones to help: test_library_leftovers)."""
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("enter")
        seen["bar"] = str(app.screen.query_one(KeyBar).render()).replace("\u00a0", " ")

    drive(SidenoteApp(library), scenario, size=(200, 50))
    for fragment in ("j k sentence", "c q p tag", "e note", "x delete", "u undo",
                     "^r redo", "/ find", "] [ article", "f1 help", "^q quit"):
        assert fragment in seen["bar"]


def test_dragging_the_mouse_selects_characters(library: Store) -> None:
    async def scenario(pilot, app):
        await pilot.press("enter")
        view = app.screen.query_one(ArticleView)
        first = view.cell_of(NEWS.index("six"))
        last = view.cell_of(NEWS.index("six countries") + len("six countries") - 1)
        await pilot.mouse_down(view, offset=first)
        await pilot.hover(view, offset=last)
        await pilot.mouse_up(view, offset=last)
        assert view.selection is not None
        await pilot.press("q")

    drive(SidenoteApp(library), scenario, size=(140, 30))
    [annotation] = library.annotations()
    assert annotation.text == "six countries"


def test_clicking_an_annotation_in_the_panel_moves_the_cursor_to_it(library: Store) -> None:
    doc_id = library.document_ids()[0]
    last = library.sentences(doc_id)[-1]
    create_annotation(library, doc_id, last.start, last.end, "proposal")
    carets = []

    async def scenario(pilot, app):
        await pilot.press("enter")
        view = app.screen.query_one(ArticleView)
        carets.append(view.caret)
        await pilot.click(AnnotationList, offset=(3, 1))
        carets.append(view.caret)

    drive(SidenoteApp(library), scenario)
    assert carets == [0, last.start]


def test_clicking_an_annotation_in_the_text_focuses_it(library: Store) -> None:
    focused = []

    async def scenario(pilot, app):
        await pilot.press("enter", "j", "q", "k")
        view = app.screen.query_one(ArticleView)
        focused.append(view.focused_annotation)
        await pilot.click(view, offset=view.cell_of(library.annotations()[0].start + 5))
        focused.append(view.focused_annotation)

    drive(SidenoteApp(library), scenario)
    [annotation] = library.annotations()
    assert focused == [None, annotation.id]


def test_a_change_by_another_instance_appears_after_the_poll(tmp_path: Path) -> None:
    path = tmp_path / "shared.db"
    with open_store(path) as store:
        doc_id = add(store, NEWS, NEWS_TITLE, "Vienna Post")
    seen = []

    async def scenario(pilot, app):
        await pilot.press("enter")
        with open_store(path) as other:
            sentence = other.sentences(doc_id)[1]
            create_annotation(other, doc_id, sentence.start, sentence.end, "claim")
        app.check_for_changes()  # what the 1 s timer and app focus do
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        seen.append(len(view.annotations_at(sentence.start)))
        await pilot.press("escape")
        seen.append(app.screen.query_one("#library-table").rows[0].annotations)

    with open_store(path) as store:
        drive(SidenoteApp(store), scenario)
    assert seen == [1, 1]


def test_two_instances_writing_keep_both_annotations(tmp_path: Path) -> None:
    path = tmp_path / "both.db"
    with open_store(path) as store:
        add(store, NEWS, NEWS_TITLE, "Vienna Post")

    async def tag(pilot, app):
        await pilot.press("enter", "q")
        with open_store(path) as other:
            drive_inner = other.document_ids()[0]
            sentence = other.sentences(drive_inner)[1]
            create_annotation(other, drive_inner, sentence.start, sentence.end, "claim")
        app.check_for_changes()
        await pilot.press("j", "j", "p")

    with open_store(path) as store:
        drive(SidenoteApp(store), tag)
    with open_store(path) as store:
        labels = sorted(a.label.value for a in store.annotations())
    assert labels == ["claim", "proposal", "quote"]


def test_the_palette_jumps_to_an_article(library: Store) -> None:
    shown = []

    async def scenario(pilot, app):
        await pilot.press("ctrl+p", *"café 東京")
        await app.workers.wait_for_complete()  # the palette searches in a worker
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        shown.append((type(app.screen), getattr(app.screen, "doc_id", None)))

    drive(SidenoteApp(library), scenario)
    assert shown == [(ReaderScreen, library.document_ids()[1])]
