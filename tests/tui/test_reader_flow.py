"""The whole reading flow, driven by keys, checked in the store (not only on screen)."""

from __future__ import annotations

from pathlib import Path

from textual.events import Key

from store import Label, Store, open_store
from tui.app import SidenoteApp
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.annotation_list import ITEM_HEIGHT, AnnotationList
from tui.widgets.article_view import ArticleView
from tui.widgets.status_line import StatusLine

from .conftest import NEWS, NEWS_TITLE, add, drive


def first_doc(store: Store) -> str:
    return store.document_ids()[0]


def assert_exact(store: Store) -> None:
    """Every annotation's text is the document text between its offsets."""
    for annotation in store.annotations():
        text = store.document(annotation.doc_id).text
        assert annotation.text == text[annotation.start : annotation.end]


def test_enter_j_j_q_tags_the_quotation_in_the_third_sentence(library: Store) -> None:
    async def scenario(pilot, app):
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("enter", "j", "j", "q")

    drive(SidenoteApp(library), scenario)
    doc_id = first_doc(library)
    quotation = "We have a deal that protects everyone,"
    start = NEWS.index(quotation)
    [annotation] = library.annotations()
    assert annotation.label is Label.quote
    assert (annotation.doc_id, annotation.start, annotation.end) == (
        doc_id, start, start + len(quotation))
    assert annotation.speaker == "the Austrian minister"


def test_enter_j_j_c_tags_the_third_sentence_as_a_claim(library: Store) -> None:
    async def scenario(pilot, app):
        await pilot.press("enter", "j", "j", "c")

    drive(SidenoteApp(library), scenario)
    doc_id = first_doc(library)
    third = library.sentences(doc_id)[2]
    [annotation] = library.annotations()
    assert annotation.label is Label.claim
    assert (annotation.doc_id, annotation.start, annotation.end) == (doc_id, third.start, third.end)
    assert annotation.text == NEWS[third.start : third.end]


def test_undo_removes_the_tag_and_redo_restores_it(library: Store) -> None:
    counts = []

    async def scenario(pilot, app):
        await pilot.press("enter", "c")
        counts.append(len(library.annotations()))
        await pilot.press("u")
        counts.append(len(library.annotations()))
        await pilot.press("ctrl+r")
        counts.append(len(library.annotations()))

    drive(SidenoteApp(library), scenario)
    assert counts == [1, 0, 1]
    assert library.annotations()[0].label is Label.claim


def test_undo_jumps_to_the_article_where_the_change_was(library: Store) -> None:
    shown = []

    async def scenario(pilot, app):
        await pilot.press("enter", "j", "p", "right_square_bracket")
        shown.append(app.screen.doc_id)
        await pilot.press("u")
        shown.append(app.screen.doc_id)

    drive(SidenoteApp(library), scenario)
    first, second = library.document_ids()[:2]
    assert shown == [second, first]
    assert library.annotations() == []


def test_a_selection_made_word_by_word_is_stored_exactly(library: Store) -> None:
    async def scenario(pilot, app):
        # caret to the second word, select three words, tag as claim
        await pilot.press("enter", "w", "v", "w", "w", "w", "c")

    drive(SidenoteApp(library), scenario)
    [annotation] = library.annotations()
    assert annotation.text == "from six countries"
    assert_exact(library)


def test_sentence_and_character_extension(library: Store) -> None:
    async def scenario(pilot, app):
        await pilot.press("enter", "v", "right_parenthesis", "right_parenthesis",
                          "shift+left", "p")

    drive(SidenoteApp(library), scenario)
    [annotation] = library.annotations()
    sentences = library.sentences(first_doc(library))
    assert annotation.start == sentences[0].start
    assert annotation.end == sentences[1].end - 1  # the final full stop given back
    assert annotation.label is Label.proposal
    assert_exact(library)


def test_a_tag_key_on_an_annotation_changes_its_label(library: Store) -> None:
    async def scenario(pilot, app):
        await pilot.press("enter", "j", "q", "c")

    drive(SidenoteApp(library), scenario)
    [annotation] = library.annotations()
    assert annotation.label is Label.claim


def test_x_deletes_the_annotation_under_the_cursor(library: Store) -> None:
    async def scenario(pilot, app):
        await pilot.press("enter", "q", "j", "c", "k", "x")

    drive(SidenoteApp(library), scenario)
    [annotation] = library.annotations()
    assert annotation.label is Label.claim


def test_nested_and_overlapping_annotations_are_kept(library: Store) -> None:
    async def scenario(pilot, app):
        # the whole first sentence as a claim, then two words inside it as a quote
        await pilot.press("enter", "c", "w", "v", "w", "w", "q")

    drive(SidenoteApp(library), scenario)
    claim, quote = sorted(library.annotations(), key=lambda a: a.end - a.start, reverse=True)
    assert claim.label is Label.claim and quote.label is Label.quote
    assert claim.start <= quote.start < quote.end <= claim.end
    assert_exact(library)


def test_e_edits_note_and_speaker_of_a_quote(library: Store) -> None:
    async def scenario(pilot, app):
        await pilot.press("enter", "j", "j", "q", "e")
        await pilot.press(*"checked")
        await pilot.press("tab", *"Austrian minister", "enter")

    drive(SidenoteApp(library), scenario)
    [annotation] = library.annotations()
    assert (annotation.note, annotation.speaker) == ("checked", "Austrian minister")


def test_escape_cancels_the_selection_then_returns_to_the_library(library: Store) -> None:
    screens = []

    async def scenario(pilot, app):
        await pilot.press("enter", "v", "w", "escape")
        screens.append((type(app.screen), app.screen.query_one(ArticleView).selection))
        await pilot.press("escape")
        screens.append((type(app.screen), None))

    drive(SidenoteApp(library), scenario)
    assert screens == [(ReaderScreen, None), (LibraryScreen, None)]


def test_find_selects_matches_and_n_moves_to_the_next(library: Store) -> None:
    selections = []

    async def scenario(pilot, app):
        await pilot.press("enter", "slash", *"the", "enter")
        view = app.screen.query_one(ArticleView)
        selections.append(view.selection)
        await pilot.press("n")
        selections.append(view.selection)
        await pilot.press("N")
        selections.append(view.selection)

    drive(SidenoteApp(library), scenario)
    first = NEWS.lower().find("the")
    second = NEWS.lower().find("the", first + 1)
    assert selections == [(first, first + 3), (second, second + 3), (first, first + 3)]


def test_brackets_step_through_articles(library: Store) -> None:
    shown = []

    async def scenario(pilot, app):
        await pilot.press("enter")
        for key in ("right_square_bracket", "right_square_bracket", "left_square_bracket"):
            await pilot.press(key)
            shown.append(app.screen.doc_id)

    drive(SidenoteApp(library), scenario)
    ids = library.document_ids()
    assert shown == [ids[1], ids[2], ids[1]]


def test_paging_and_ends_move_the_sentence_cursor(library: Store) -> None:
    positions = []

    async def scenario(pilot, app):
        await pilot.press("enter")
        view = app.screen.query_one(ArticleView)
        for key in ("G", "g", "pagedown"):
            await pilot.press(key)
            positions.append(view.sentence)

    drive(SidenoteApp(library), scenario, size=(60, 12))
    last = len(library.sentences(first_doc(library))) - 1
    assert positions[:2] == [last, 0]
    assert positions[2] > 0


def test_restart_returns_to_the_same_article_and_sentence(tmp_path: Path) -> None:
    path = tmp_path / "reader.db"
    with open_store(path) as store:
        add(store, NEWS, NEWS_TITLE, "Vienna Post")
        add(store, "Another article. It has two sentences.", "Other", "Wire")

    async def read_some(pilot, app):
        await pilot.press("enter", "right_square_bracket", "left_square_bracket",
                          "j", "j", "j")

    with open_store(path) as store:
        drive(SidenoteApp(store), read_some)
    reopened = []

    async def look(pilot, app):
        reopened.append((type(app.screen), app.screen.doc_id,
                         app.screen.query_one(ArticleView).sentence))

    with open_store(path) as store:
        doc_id = store.document_ids()[0]
        drive(SidenoteApp(store), look)
    assert reopened == [(ReaderScreen, doc_id, 3)]


def test_undo_after_restart_removes_the_tag_for_good(tmp_path: Path) -> None:
    path = tmp_path / "undo.db"
    with open_store(path) as store:
        add(store, NEWS, NEWS_TITLE, "Vienna Post")

    async def tag(pilot, app):
        await pilot.press("enter", "j", "j", "q")

    async def undo(pilot, app):
        assert isinstance(app.screen, ReaderScreen)
        await pilot.press("u")

    async def nothing(pilot, app):
        await pilot.pause()

    for scenario in (tag, undo, nothing):
        with open_store(path) as store:
            drive(SidenoteApp(store), scenario)
    with open_store(path) as store:
        assert store.annotations() == []


def test_leaving_for_the_library_means_restart_shows_the_library(tmp_path: Path) -> None:
    path = tmp_path / "library.db"
    with open_store(path) as store:
        add(store, NEWS, NEWS_TITLE, "Vienna Post")
    screens = []

    async def open_and_leave(pilot, app):
        await pilot.press("enter", "j", "escape")

    async def look(pilot, app):
        screens.append(type(app.screen))

    with open_store(path) as store:
        drive(SidenoteApp(store), open_and_leave)
    with open_store(path) as store:
        drive(SidenoteApp(store), look)
    assert screens == [LibraryScreen]


def test_read_doc_id_opens_that_article(library: Store) -> None:
    shown = []
    doc_id = library.document_ids()[1]

    async def scenario(pilot, app):
        shown.append((type(app.screen), app.screen.doc_id))
        await pilot.press("escape")
        shown.append((type(app.screen), None))

    drive(SidenoteApp(library, doc_id), scenario)
    assert shown == [(ReaderScreen, doc_id), (LibraryScreen, None)]


def test_resizing_rewraps_and_keeps_the_cursor_in_view(library: Store) -> None:
    seen = []

    async def scenario(pilot, app):
        await pilot.press("enter", "G")
        view = app.screen.query_one(ArticleView)
        for size in ((60, 14), (150, 40)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            caret_row = view.cell_of(view.caret).y
            seen.append(0 <= caret_row < view.size.height)
        seen.append(view.sentence == len(library.sentences(first_doc(library))) - 1)

    drive(SidenoteApp(library), scenario, size=(120, 35))
    assert seen == [True, True, True]


def test_the_panel_keeps_each_new_tag_in_view_down_a_long_article(library: Store) -> None:
    """Tagging sentence after sentence: the panel scrolls (in jumps) so that the
    annotation just tagged is always on screen and marked as the focused one."""
    sentences = [f"Statement number {n} was made by a minister on Monday." for n in range(30)]
    doc_id = add(library, " ".join(sentences), "Thirty statements", "Wire")
    seen = []

    async def scenario(pilot, app):
        panel = app.screen.query_one(AnnotationList)
        for number in range(len(sentences)):
            await pilot.press("c")
            [tagged] = [a for a in library.annotations(doc_id)
                        if a.text.startswith(f"Statement number {number} ")]
            top, height = int(panel.scroll_y), panel.scrollable_content_region.height
            # items are in text order, one per sentence tagged so far
            seen.append((panel.focused == tagged.id,
                         top <= number * ITEM_HEIGHT,
                         (number + 1) * ITEM_HEIGHT <= top + height))
            await pilot.press("j")

    drive(SidenoteApp(library, doc_id), scenario)
    assert len(library.annotations(doc_id)) == len(sentences)
    assert seen == [(True, True, True)] * len(sentences)


def test_keys_typed_at_once_still_show_what_the_tag_did(library: Store) -> None:
    """j, j, q arriving together (as from a fast typist or tmux): the moves' messages
    are handled after the tag and must not wipe "tagged quote" off the status line."""
    seen = {}

    async def scenario(pilot, app):
        await pilot.press("enter")
        app.screen.query_one(ArticleView).focus()
        for key in ("j", "j", "q"):  # queued without waiting for the app in between
            app.post_message(Key(key, key))
        await pilot.pause()
        seen["status"] = app.screen.query_one(StatusLine).text

    drive(SidenoteApp(library), scenario)
    assert "tagged quote" in seen["status"]
    assert "sentence 3/" in seen["status"]
