"""Moving and editing by annotation, speakers in one key, quote suggestions (issue #15).

Each test drives the reader by keys, as a person annotating all day would, and checks
the store (what is kept), not only the screen.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from store import Label, Store, create_annotation, open_store
from store.corpus import bundled_seed_paths
from store.importing.ingest import import_paths
from tui.app import SidenoteApp
from tui.screens.dialogs import NoteDialog
from tui.screens.reader import ReaderScreen
from tui.widgets.annotation_list import AnnotationList
from tui.widgets.article_view import ArticleView
from tui.widgets.status_line import StatusLine

from .conftest import NEWS, drive

KELLOGG_TITLE = "Trump envoy tells Alaska summit critics"
LIVING = "We're living in a really historic time,"


def reader(app: SidenoteApp) -> tuple[ReaderScreen, ArticleView]:
    screen = app.screen
    assert isinstance(screen, ReaderScreen)
    return screen, screen.query_one(ArticleView)


def news_doc(store: Store) -> str:
    return store.document_ids()[0]


@pytest.fixture
def seeds() -> Iterator[tuple[Store, str]]:
    """The bundled corpus, and the article in which the finder names Keith Kellogg."""
    with open_store(":memory:") as store:
        assert import_paths(store, bundled_seed_paths()).ok
        doc_id = next(d for d in store.document_ids()
                      if store.document(d).title.startswith(KELLOGG_TITLE))
        yield store, doc_id


# -- moving by annotation ---------------------------------------------------------------


def test_braces_step_through_annotations_and_capitals_through_one_label(library: Store):
    doc = news_doc(library)
    spans = {word: NEWS.index(word) for word in ("Ministers", "agreement", "Critics", "report")}
    claim1 = create_annotation(library, doc, spans["Ministers"], spans["Ministers"] + 9, "claim")
    quote = create_annotation(library, doc, spans["agreement"], spans["agreement"] + 9, "quote")
    claim2 = create_annotation(library, doc, spans["Critics"], spans["Critics"] + 7, "claim")
    proposal = create_annotation(library, doc, spans["report"], spans["report"] + 6, "proposal")
    carets = []

    async def scenario(pilot, app):
        screen, view = reader(app)
        view.move_caret(0)
        await pilot.press("right_curly_bracket")
        carets.append(view.caret)  # Ministers starts at 0: the next one is the quote
        await pilot.press("right_curly_bracket", "right_curly_bracket")
        carets.append(view.caret)
        await pilot.press("left_curly_bracket")
        carets.append(view.caret)
        await pilot.press("g", "C")
        carets.append(view.caret)
        await pilot.press("n")
        carets.append(view.caret)
        await pilot.press("N")
        carets.append(view.caret)
        await pilot.press("g", "2", "right_curly_bracket")
        carets.append(view.caret)
        await pilot.press("P")
        carets.append(view.caret)

    drive(SidenoteApp(library, doc), scenario)
    assert carets == [quote.start, proposal.start, claim2.start, claim2.start, claim2.start,
                      claim1.start, claim2.start, proposal.start]


# -- editing an annotation's span in place ------------------------------------------------


def test_angle_brackets_grow_and_shrink_the_annotation_in_place(library: Store):
    doc = news_doc(library)
    start = NEWS.index("Critics say")
    made = create_annotation(library, doc, start, start + len("Critics say"), "claim",
                             note="who?")
    seen = []

    async def scenario(pilot, app):
        screen, view = reader(app)
        view.move_caret(start + 2)
        await pilot.press("greater_than_sign", "greater_than_sign")  # + "the", + "plan"
        seen.append(library.annotation(made.id).text)
        await pilot.press("2", "greater_than_sign")  # + "is underfunded"
        seen.append(library.annotation(made.id).text)
        await pilot.press("greater_than_sign")  # + "."
        seen.append(library.annotation(made.id).text)
        await pilot.press("o", "greater_than_sign")  # the start drops "Critics"
        seen.append(library.annotation(made.id).text)
        await pilot.press("less_than_sign", "o", "less_than_sign")  # start back, end drops "."
        seen.append(library.annotation(made.id).text)
        await pilot.press("u")
        seen.append(library.annotation(made.id).text)

    drive(SidenoteApp(library, doc), scenario)
    assert seen == [
        "Critics say the plan", "Critics say the plan is underfunded",
        "Critics say the plan is underfunded.", "say the plan is underfunded.",
        "Critics say the plan is underfunded", "Critics say the plan is underfunded.",
    ]
    [only] = library.annotations()  # edited in place: nothing nested, nothing new
    assert (only.id, only.label, only.note) == (made.id, Label.claim, "who?")
    assert only.text == NEWS[only.start:only.end]


# -- the quotation around the caret, counts, repeat ------------------------------------------


def test_quote_mark_key_selects_inside_the_quotation_then_with_its_marks(library: Store):
    doc = news_doc(library)
    inner = "We have a deal that protects everyone,"
    start = NEWS.index(inner)
    selections = []

    async def scenario(pilot, app):
        screen, view = reader(app)
        view.move_caret(start + 10)
        await pilot.press("quotation_mark")
        selections.append(view.selection)
        await pilot.press("quotation_mark")
        selections.append(view.selection)
        await pilot.press("quotation_mark", "q")

    drive(SidenoteApp(library, doc), scenario)
    end = start + len(inner)
    assert selections == [(start, end), (start - 1, end + 1)]
    [tagged] = library.annotations()
    assert (tagged.label, tagged.text) == (Label.quote, inner)


def test_counts_repeat_moves_and_dot_repeats_the_last_tag(library: Store):
    doc = news_doc(library)
    sentences = library.sentences(doc)
    seen = []

    async def scenario(pilot, app):
        screen, view = reader(app)
        await pilot.press("g", "3", "j")
        seen.append(view.sentence)
        await pilot.press("k")
        seen.append(view.sentence)
        await pilot.press("g", "v", "5", "w")
        seen.append(view.selection)
        await pilot.press("p", "j", "j", "full_stop")

    drive(SidenoteApp(library, doc), scenario)
    first_five = NEWS.index("agreed") - 1  # "Ministers from six countries agreed"
    assert seen[:2] == [3, 2]
    assert seen[2] == (0, first_five + len(" agreed"))
    labels = [(a.label, a.start) for a in library.annotations()]
    assert labels == [(Label.proposal, 0), (Label.proposal, sentences[2].start)]


# -- the side panel ---------------------------------------------------------------------------


def test_tab_reaches_the_side_panel_where_moving_moves_the_caret(library: Store):
    doc = news_doc(library)
    starts = [NEWS.index(w) for w in ("agreement", "Critics", "report")]
    for start in starts:
        create_annotation(library, doc, start, start + 6, "claim")
    seen = []

    async def scenario(pilot, app):
        screen, view = reader(app)
        panel = screen.query_one(AnnotationList)
        view.move_caret(0)
        await pilot.press("tab")
        seen.append((panel.has_focus, view.caret))
        await pilot.press("j")
        seen.append((panel.has_focus, view.caret))
        await pilot.press("j", "k")
        seen.append((panel.has_focus, view.caret))
        await pilot.press("tab")
        seen.append((view.has_focus, view.caret))

    drive(SidenoteApp(library, doc), scenario)
    assert seen == [(True, starts[0]), (True, starts[1]), (True, starts[1]), (True, starts[1])]


# -- speakers ---------------------------------------------------------------------------------


def test_a_claim_has_a_speaker_field_that_completes_from_the_database(library: Store):
    doc = news_doc(library)
    create_annotation(library, doc, 0, 9, "quote", speaker="Karl Nehammer")
    start = NEWS.index("Critics")
    claim = create_annotation(library, doc, start, start + 7, "claim")
    focused = []

    async def scenario(pilot, app):
        screen, view = reader(app)
        view.move_caret(start)
        await pilot.press("e")
        assert isinstance(app.screen, NoteDialog)
        await pilot.press(*"checked", "tab")
        focused.append(app.screen.focused.id)
        await pilot.press("k", "a", "r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("right", "enter")

    drive(SidenoteApp(library, doc), scenario)
    assert focused == ["speaker-input"]
    saved = library.annotation(claim.id)
    assert (saved.note, saved.speaker) == ("checked", "Karl Nehammer")


def test_q_in_a_seed_article_takes_the_full_speaker_from_the_quote_finder(seeds):
    store, doc = seeds
    text = store.document(doc).text
    where = text.index(LIVING)

    async def scenario(pilot, app):
        screen, view = reader(app)
        view.move_caret(where + 5)
        await pilot.press("q")

    drive(SidenoteApp(store, doc), scenario)
    [quote] = store.annotations(doc)
    assert LIVING in quote.text
    assert quote.speaker == "Keith Kellogg"


# -- quote suggestions ------------------------------------------------------------------------


def test_shift_s_shows_suggestions_n_steps_and_enter_accepts_with_the_speaker(seeds):
    store, doc = seeds
    text = store.document(doc).text
    seen = []

    async def scenario(pilot, app):
        screen, view = reader(app)
        view.move_caret(0)
        await pilot.press("S")
        seen.append(list(view.suggestions))
        seen.append(len(store.annotations(doc)))  # suggestions are not annotations
        await pilot.press("n", "n")
        seen.append(view.caret)
        await pilot.press("enter")
        await pilot.press("n", "q")
        seen.append(list(view.suggestions))

    drive(SidenoteApp(store, doc), scenario)
    suggested, count, caret, after = seen
    assert count == 0 and len(suggested) >= 3
    assert all(text[s - 1] in "\"'‘“" for s, _ in suggested)
    assert caret == suggested[1][0]
    tagged = store.annotations(doc)
    assert [(a.start, a.end) for a in tagged] == [suggested[1], suggested[2]]
    assert {a.label for a in tagged} == {Label.quote}
    assert all(a.speaker == "Keith Kellogg" for a in tagged)
    assert after == [s for s in suggested if s not in (suggested[1], suggested[2])]


def test_suggestions_of_a_long_article_are_found_off_the_ui_thread(store: Store, monkeypatch):
    import store as store_package

    from .conftest import add

    paragraph = ('"We will not back down on this," the mayor, Ada Byrne, said on Monday. '
                 "The council meets again next week to vote on the budget.\n")
    text = paragraph * (120_000 // len(paragraph))
    doc = add(store, text, "Long", "Wire")
    finder = store_package.find_quotes
    threads = []

    def recording_finder(text: str):
        threads.append(threading.current_thread())
        return finder(text)

    monkeypatch.setattr(store_package, "find_quotes", recording_finder)
    seen = []

    async def scenario(pilot, app):
        screen, view = reader(app)
        await pilot.press("S")
        await app.workers.wait_for_complete()
        await pilot.pause()
        seen.append(len(view.suggestions))
        seen.append(app.screen.query_one(StatusLine).text)

    drive(SidenoteApp(store, doc), scenario)
    assert threads and all(t is not threading.main_thread() for t in threads)
    assert seen[0] == text.count(paragraph)
    assert f"{seen[0]} quote suggestions" in seen[1]
