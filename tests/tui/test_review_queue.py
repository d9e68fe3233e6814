"""The review queue, the spread view and the annotation browser, driven by keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from store import Store, create_annotation, list_links, open_store, queue_progress
from tests.store.test_review_queue import linked_corpus
from tui.app import SidenoteApp
from tui.screens.annotations import AnnotationsScreen, parse_filter
from tui.screens.queue import QueueScreen
from tui.screens.reader import ReaderScreen
from tui.screens.spread import SpreadScreen, timeline
from tui.widgets.row_table import RowTable

from .conftest import drive


@pytest.fixture
def linked() -> Iterator[Store]:
    with open_store(":memory:") as store:
        linked_corpus(store)
        yield store


def statuses(store: Store) -> list[str]:
    return sorted(link.status.value for link in list_links(store))


def test_accept_reject_skip_from_the_queue_and_undo_takes_back_each_in_turn(linked: Store):
    async def scenario(pilot, app):
        await pilot.press("ctrl+k")
        await pilot.pause()
        assert isinstance(app.screen, QueueScreen)
        assert app.screen.table.count == 5
        await pilot.press("a")  # accepts the first; the next comes under the cursor
        await pilot.press("r")
        await pilot.press("s")
        await pilot.pause()
        assert statuses(linked).count("confirmed") == 1
        assert statuses(linked).count("rejected") == 1
        assert queue_progress(linked).line() == "3 of 5 reviewed"
        assert "3 of 5 reviewed" in app.screen.progress_line
        await pilot.press("u")  # undoes the skip: the newest step
        await pilot.pause()
        assert statuses(linked).count("rejected") == 1
        assert "2 of 5 reviewed" in app.screen.progress_line
        await pilot.press("u")  # then the rejection
        await pilot.pause()
        assert statuses(linked).count("rejected") == 0
        assert app.screen.table.count == 4  # the rejected pair is back in the queue

    drive(SidenoteApp(linked), scenario)


def test_marked_pairs_are_accepted_together_and_undone_as_one_step(linked: Store):
    async def scenario(pilot, app):
        await pilot.press("ctrl+k", "space", "space", "space", "a")
        await pilot.pause()
        assert statuses(linked).count("confirmed") == 3
        await pilot.press("u")
        await pilot.pause()
        assert statuses(linked) == ["suggested"] * 5

    drive(SidenoteApp(linked), scenario)


def test_marks_stay_on_their_pairs_when_the_queue_is_read_again(linked: Store):
    async def scenario(pilot, app):
        await pilot.press("ctrl+k", "a")  # accept the best pair: u brings it back on top
        await pilot.pause()
        screen = app.screen
        await pilot.press("space", "space")
        await pilot.pause()
        marked = {screen.item(0).id, screen.item(1).id}
        await pilot.press("u")  # rows move down by one as the queue is read again
        await pilot.pause()
        assert screen.table.count == 5
        shown = {screen.item(row).id for row in range(5) if screen.table.marked_at(row)}
        assert shown == marked
        await pilot.press("a")
        await pilot.pause()
        confirmed = {link.id for link in list_links(linked) if link.status.value == "confirmed"}
        assert confirmed == marked

    drive(SidenoteApp(linked), scenario)


def test_accept_above_a_score_asks_first_and_keeps_to_one_method(linked: Store):
    async def scenario(pilot, app):
        await pilot.press("ctrl+k")
        await pilot.pause()
        method = app.screen.current.method
        await pilot.press("A", "n")
        await pilot.pause()
        assert statuses(linked) == ["suggested"] * 5
        await pilot.press("A", "y")
        await pilot.pause()
        judged = [link for link in list_links(linked) if link.status.value == "confirmed"]
        assert judged and {str(link.method) for link in judged} == {method}

    drive(SidenoteApp(linked), scenario)


def test_progress_and_skips_survive_a_restart(tmp_path: Path):
    path = tmp_path / "s.sqlite"
    with open_store(path) as store:
        linked_corpus(store)

        async def first(pilot, app):
            await pilot.press("ctrl+k", "s", "s")
            await pilot.pause()

        drive(SidenoteApp(store), first)
    with open_store(path) as store:

        async def second(pilot, app):
            await pilot.press("ctrl+k")
            await pilot.pause()
            assert "2 of 5 reviewed" in app.screen.progress_line
            assert app.screen.table.cursor_row == 2  # where the reviewer stopped

        drive(SidenoteApp(store), second)


def test_the_spread_lists_each_outlet_and_enter_opens_a_member(linked: Store):
    async def scenario(pilot, app):
        await pilot.press("ctrl+k", "v")
        await pilot.pause()
        spread = app.screen
        assert isinstance(spread, SpreadScreen)
        outlets = {m.outlet for m in spread.statement.members}
        picture = timeline(spread.statement).plain
        assert all(outlet in picture for outlet in outlets)
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        member = spread.statement.members[1]
        assert (app.screen.doc_id, app.screen.view.caret) == (member.doc_id, member.start)

    drive(SidenoteApp(linked), scenario)


def test_w_in_the_spread_writes_the_brief_with_each_wording_exactly(
    linked: Store, tmp_path: Path
):
    target = tmp_path / "brief.md"

    async def scenario(pilot, app):
        await pilot.press("ctrl+k", "v", "w")
        await pilot.pause()
        field = app.screen.query_one("#report-path")
        field.value = str(target)
        await pilot.press("enter")
        await pilot.pause()
        text = target.read_text(encoding="utf-8")
        for member in app.screen.statement.members:
            assert f"\n{member.text}\n" in text

    drive(SidenoteApp(linked), scenario)


def test_s_in_the_reader_opens_the_spread_of_the_tagged_quote(linked: Store):
    doc_id = linked.document_ids()[0]
    text = linked.document(doc_id).text
    start = text.index("Opposition")
    quote = create_annotation(linked, doc_id, start, text.index(".", start) + 1, "quote")

    async def scenario(pilot, app):
        app.open_document(doc_id, quote.start)
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SpreadScreen)
        places = {(m.doc_id, m.start) for m in app.screen.statement.members}
        assert (doc_id, quote.start) in places
        assert app.screen.statement.outlet_count == 3

    drive(SidenoteApp(linked), scenario)


def test_the_annotation_browser_filters_sorts_and_opens(linked: Store):
    ids = linked.document_ids()
    made = []
    for doc_id, label, note in ((ids[0], "quote", "check this"), (ids[1], "claim", "")):
        text = linked.document(doc_id).text
        made.append(create_annotation(linked, doc_id, 0, text.index(".") + 1, label, note=note))

    async def scenario(pilot, app):
        await pilot.press("ctrl+b")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AnnotationsScreen)
        assert screen.query_one(RowTable).count == 2
        await pilot.press("slash", *"label:quote")
        await pilot.pause()
        assert [row.id for row in screen.shown] == [made[0].id]
        screen.query_one("#annotations-filter").value = "has:note"
        await pilot.pause()
        assert [row.id for row in screen.shown] == [made[0].id]
        screen.query_one("#annotations-filter").value = ""
        await pilot.press("enter", "ctrl+s", "ctrl+s")  # sort by label
        await pilot.pause()
        assert [row.label for row in screen.shown] == ["claim", "quote"]
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReaderScreen)
        assert app.screen.doc_id == made[1].doc_id

    drive(SidenoteApp(linked), scenario)


def test_parse_filter_reads_keys_quotes_and_words():
    found = parse_filter('label:quote outlet:"Japan Today" linked has:note tariff deal')
    assert (found.label, found.outlet, found.linked_only, found.has_note, found.text) == (
        "quote", "Japan Today", True, True, "tariff deal")


def test_search_takes_the_cli_filters_in_the_query_box(linked: Store):
    ids = linked.document_ids()
    for doc_id, label in ((ids[0], "quote"), (ids[1], "claim")):
        text = linked.document(doc_id).text
        start = text.index("Opposition")
        create_annotation(linked, doc_id, start, text.index(".", start) + 1, label)

    async def scenario(pilot, app):
        await pilot.press("ctrl+f", *"Opposition leaders label:claim")
        app.screen.run_search(app.screen.query_one("#search-input").value)  # not the timer
        await app.workers.wait_for_complete()
        await pilot.pause()
        labels = {r.label for r in app.screen.results if getattr(r, "label", None)}
        assert labels == {"claim"}

    drive(SidenoteApp(linked), scenario)
