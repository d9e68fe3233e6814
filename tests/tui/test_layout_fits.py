"""A layout that fits any terminal: the side panel's width follows the terminal's and
hides with a key, the key bar never splits a binding, and neither the panel nor help
cuts a word."""

from __future__ import annotations

import re

import pytest
from textual.geometry import Region

from store import Store, create_annotation, open_store
from tui.app import SidenoteApp
from tui.screens.help import HelpScreen
from tui.widgets.annotation_list import AnnotationList
from tui.widgets.article_view import ArticleView
from tui.widgets.key_bar import KeyBar, key_bar_entries

from .conftest import drive

SIZES = [(80, 24), (120, 35), (200, 50)]
NBSP = "\u00a0"


def drawn(widget) -> list[str]:
    """The widget's lines as drawn at its size."""
    region = Region(0, 0, widget.size.width, widget.size.height)
    return [strip.text for strip in widget.render_lines(region)]


@pytest.mark.parametrize("size", SIZES)
def test_the_key_bar_never_breaks_a_binding_across_lines(library: Store, size) -> None:
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("enter")
        bar = app.screen.query_one(KeyBar)
        seen["entries"] = key_bar_entries(app.screen.active_bindings, app.get_key_display)
        seen["lines"] = drawn(bar)

    drive(SidenoteApp(library), scenario, size=size)
    whole = {f"{keys}{NBSP}{description.replace(' ', NBSP)}"
             for keys, description, _ in seen["entries"]}
    shown = [chunk for line in seen["lines"] for chunk in re.split(r" {2,}", line.strip())
             if chunk]
    assert set(shown) <= whole and len(shown) == len(set(shown))  # each entry whole, once
    assert f"f1{NBSP}help" in shown  # help lists the entries the bar leaves out
    assert len(seen["lines"]) <= 2


@pytest.mark.parametrize("size", SIZES)
def test_the_side_panel_grows_with_the_terminal_and_the_text_keeps_most(
    library: Store, size
) -> None:
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("enter")
        seen["panel"] = app.screen.query_one(AnnotationList).size.width
        seen["text"] = app.screen.query_one(ArticleView).size.width

    drive(SidenoteApp(library), scenario, size=size)
    width = size[0]
    assert seen["text"] >= width * 0.6  # 33 of 80 columns before
    assert seen["panel"] >= min(width * 0.28, 56)  # 44 at 200 columns before


def test_backslash_hides_the_panel_and_it_stays_hidden_after_a_restart(tmp_path) -> None:
    path = tmp_path / "s.sqlite"
    seen = []

    async def hide(pilot, app):
        await pilot.press("backslash")
        seen.append(app.screen.query_one(AnnotationList).display)
        seen.append(app.screen.query_one(ArticleView).size.width)

    async def look(pilot, app):
        seen.append(app.screen.query_one(AnnotationList).display)
        await pilot.press("backslash")
        seen.append(app.screen.query_one(AnnotationList).display)

    with open_store(path) as store:
        from .conftest import NEWS, add

        doc_id = add(store, NEWS, "News", "Wire")
        drive(SidenoteApp(store, doc_id), hide, size=(80, 24))
    with open_store(path) as store:
        drive(SidenoteApp(store, doc_id), look, size=(80, 24))
    assert seen[0] is False and seen[1] >= 76
    assert seen[2:] == [False, True]


# Long words, so that a cut anywhere but between words shows. (A single word wider
# than the panel is still cut, with an ellipsis: `lines.cut_at_word`.)
LONG_NOTE = ("considerations notwithstanding, representatives reconsidered their "
             "internationalisation commitments")


@pytest.mark.parametrize("size", SIZES)
def test_panel_cards_end_on_a_whole_word(library: Store, size) -> None:
    doc_id = library.document_ids()[0]
    text = library.document(doc_id).text
    sentences = library.sentences(doc_id)
    for sentence in sentences[:3]:
        create_annotation(library, doc_id, sentence.start, sentence.end, "claim",
                          note=LONG_NOTE, speaker="the Austrian interior minister's office")
    seen = {}

    async def scenario(pilot, app):
        seen["lines"] = drawn(app.screen.query_one(AnnotationList))

    drive(SidenoteApp(library, doc_id), scenario, size=size)
    words = set(re.findall(r"[\w'%]+", text + " " + LONG_NOTE + " claim the Austrian "
                                                                "interior minister's office"))
    for line in seen["lines"]:
        for word in re.findall(r"[\w'%]+", line):
            assert word in words, (word, line)


@pytest.mark.parametrize("size", SIZES)
def test_help_wraps_descriptions_instead_of_cutting_them(library: Store, size) -> None:
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("enter", "f1")
        assert isinstance(app.screen, HelpScreen)
        seen["rows"] = app.screen.rows
        seen["lines"] = drawn(app.screen.query_one("#help-rows"))

    drive(SidenoteApp(library), scenario, size=size)
    shown = " ".join(line.strip() for line in seen["lines"]).split()
    for row in seen["rows"]:
        for word in row.description.split():
            assert word in shown, (word, row.description)
        assert row.binding_id in shown
