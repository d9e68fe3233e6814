"""Wide characters, grapheme clusters, markup and escape codes in real articles."""

from __future__ import annotations

from rich.cells import cell_len

from store import Store
from store.text import is_grapheme_boundary
from tui.app import SidenoteApp
from tui.widgets.article_view import ArticleView
from tui.widgets.document_table import DocumentTable
from tui.widgets.status_line import StatusLine

from .conftest import MARKUP, UNICODE, drive


def visible_lines(view: ArticleView) -> list[str]:
    return [view.render_line(y).text for y in range(view.scrollable_content_region.height)]


def test_a_selection_across_emoji_and_combining_marks_is_exact(library: Store) -> None:
    unicode_id = library.document_ids()[1]
    family = UNICODE.index("👩")

    async def scenario(pilot, app):
        view = app.screen.query_one(ArticleView)
        view.move_caret(family)
        # one character at a time over the family emoji (5 code points, 1 grapheme)
        await pilot.press("v", "shift+right", "shift+right", "shift+left", "shift+right")
        await pilot.press("q")

    drive(SidenoteApp(library, unicode_id), scenario)
    [annotation] = library.annotations()
    assert annotation.text == UNICODE[annotation.start : annotation.end]
    # the family is 5 code points but one character; the space selected after it is
    # trimmed, as white space at the ends of a selection always is
    assert annotation.text == "👩\u200d👩\u200d👧"
    assert is_grapheme_boundary(UNICODE, annotation.start)
    assert is_grapheme_boundary(UNICODE, annotation.end)


def test_word_selection_keeps_combining_marks_with_their_letters(library: Store) -> None:
    unicode_id = library.document_ids()[1]
    noel = UNICODE.index("Noe\u0308l")

    async def scenario(pilot, app):
        app.screen.query_one(ArticleView).move_caret(noel)
        await pilot.press("v", "w", "c")

    drive(SidenoteApp(library, unicode_id), scenario)
    [annotation] = library.annotations()
    assert annotation.text == "Noe\u0308l"


def test_cjk_sentence_is_tagged_exactly(library: Store) -> None:
    unicode_id = library.document_ids()[1]

    async def scenario(pilot, app):
        await pilot.press("j", "p")

    drive(SidenoteApp(library, unicode_id), scenario)
    [annotation] = library.annotations()
    assert annotation.text == "東京都の知事は「改革を進める」と述べた。"
    assert annotation.text == UNICODE[annotation.start : annotation.end]


def test_wide_characters_fill_lines_to_the_same_width(library: Store) -> None:
    unicode_id = library.document_ids()[1]
    widths = []

    async def scenario(pilot, app):
        view = app.screen.query_one(ArticleView)
        width = view.scrollable_content_region.width
        widths.extend({cell_len(line) for line in visible_lines(view)} | {width})

    drive(SidenoteApp(library, unicode_id), scenario, size=(60, 20))
    assert len(set(widths)) == 1  # every line is exactly the view's width in cells


def test_markup_and_escape_sequences_are_shown_literally(library: Store) -> None:
    markup_id = library.document_ids()[2]
    seen = {}

    async def scenario(pilot, app):
        view = app.screen.query_one(ArticleView)
        strips = [view.render_line(y) for y in range(view.scrollable_content_region.height)]
        seen["text"] = "".join(strip.text for strip in strips)
        seen["segments"] = [segment.text for strip in strips for segment in strip]
        seen["title"] = str(app.screen.query_one("#reader-title").render())

    drive(SidenoteApp(library, markup_id), scenario, size=(200, 20))
    assert "[bold red]X[/]" in seen["text"]
    assert "\u241b[31mred\u241b[0m" in seen["text"]  # ESC drawn as the ␛ picture
    assert "\u2407" in seen["text"] and "\u2421" in seen["text"]  # BEL and DEL
    assert not any(ch in text for text in seen["segments"] for ch in "\x1b\x07\x7f")
    assert "Markup [bold red]in[/] a title" in seen["title"]
    assert "[red]Wire[/]" in seen["title"]


def test_tagging_text_that_looks_like_markup_stores_it_verbatim(library: Store) -> None:
    markup_id = library.document_ids()[2]

    async def scenario(pilot, app):
        await pilot.press("q", "j", "c")

    drive(SidenoteApp(library, markup_id), scenario)
    texts = sorted(a.text for a in library.annotations())
    assert texts == sorted([
        "The post read [bold red]X[/] in the feed.",
        "The raw bytes \x1b[31mred\x1b[0m followed it.",
    ])
    for annotation in library.annotations():
        assert annotation.text == MARKUP[annotation.start : annotation.end]


def test_the_status_line_shows_a_tagged_excerpt_literally(library: Store) -> None:
    markup_id = library.document_ids()[2]
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("j", "q")  # the sentence with the raw escape sequence
        status = app.screen.query_one(StatusLine)
        strip = status.render_line(0)
        seen["text"] = strip.text
        seen["segments"] = [segment.text for segment in strip]

    drive(SidenoteApp(library, markup_id), scenario, size=(200, 20))
    assert "tagged quote" in seen["text"]
    assert "on quote \u201cThe raw bytes \u241b[31mred\u241b[0m followed it.\u201d" in seen["text"]
    assert not any("\x1b" in text for text in seen["segments"])


def test_library_shows_markup_in_titles_and_outlets_literally(library: Store) -> None:
    cells = []

    async def scenario(pilot, app):
        table = app.screen.query_one(DocumentTable)
        cells.append(table.render_line(3).text)  # header, then the third article

    drive(SidenoteApp(library), scenario)
    assert "Markup [bold red]in[/] a title" in cells[0]
    assert "[red]Wire[/]" in cells[0]
