"""The review queue while the database changes under it, driven by keys.

A second store on the same file stands for `sidenote links accept|reject` in another
shell (or another window) between two keys. The app's poll of `PRAGMA data_version`
is called by the tests where it would run (`check_for_changes`), or not at all, for
a key pressed before the poll noticed anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from store import (
    NewDocument,
    add_document,
    judge_links,
    list_links,
    open_store,
    queue_items,
    queue_order,
    relink,
)
from store.history import history
from tests.store.test_review_queue import ARTICLES, linked_corpus
from tui import app as app_module
from tui.app import SidenoteApp
from tui.screens.queue import QueueScreen

from .conftest import drive, record_notifications


@pytest.fixture(autouse=True)
def no_timed_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests call `check_for_changes` where the poll would; a timed poll firing at
    a moment of its own would make a key land before or after it by chance."""
    monkeypatch.setattr(app_module, "POLL_SECONDS", 3600)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "s.sqlite"
    with open_store(path) as store:
        linked_corpus(store)
    return path


def statuses(path: Path) -> dict[str, str]:
    with open_store(path) as store:
        return {link.id: link.status.value for link in list_links(store)}


def elsewhere(path: Path, link_id: str, verdict: str) -> None:
    """`sidenote links accept|reject ID` in another shell."""
    with open_store(path) as cli:
        judge_links(cli, [link_id], verdict)


def run(path: Path, scenario: Callable[..., Awaitable[None]]) -> None:
    with open_store(path) as store:
        drive(SidenoteApp(store), scenario)


async def open_queue(pilot) -> QueueScreen:
    await pilot.press("ctrl+k")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, QueueScreen)
    return screen


def test_accept_on_a_pair_rejected_elsewhere_before_the_poll_keeps_the_rejection(path: Path):
    with open_store(path) as store:
        order = queue_order(store)
    x = order[1]
    seen = {}

    async def scenario(pilot, app):
        notes = record_notifications(app)
        queue = await open_queue(pilot)
        await pilot.press("j")
        await pilot.pause()
        assert queue.current.id == x
        elsewhere(path, x, "rejected")
        seen["events"] = len(history(app.store, 1000))
        await pilot.press("a")  # the page the app holds still shows x as a suggestion
        await pilot.pause()
        seen["after"] = len(history(app.store, 1000))
        seen["notes"] = list(notes)
        seen["count"] = queue.table.count
        seen["progress"] = queue.progress_line
        await pilot.press("escape", "ctrl+k")  # opened again: the judged pair is not listed
        await pilot.pause()
        seen["reopened"] = [app.screen.item(row).id for row in range(app.screen.table.count)]

    run(path, scenario)
    now = statuses(path)
    assert now[x] == "rejected"
    assert [now[i] for i in order if i != x] == ["suggested"] * 4
    assert seen["after"] == seen["events"]  # no step was logged: u has nothing of ours
    assert any("already rejected elsewhere \u2014 list refreshed" in n for n in seen["notes"])
    assert seen["count"] == 4
    assert seen["progress"] == "1 of 5 reviewed"  # judged elsewhere, reviewed all the same
    assert seen["reopened"] == [i for i in order if i != x]


def test_after_the_poll_took_the_pair_away_a_key_does_not_judge_the_pair_that_took_its_row(
    path: Path,
):
    with open_store(path) as store:
        order = queue_order(store)
    x, y = order[1], order[2]
    seen = {}

    async def scenario(pilot, app):
        notes = record_notifications(app)
        queue = await open_queue(pilot)
        await pilot.press("j")
        await pilot.pause()
        elsewhere(path, x, "rejected")
        app.check_for_changes()  # what the 1 s poll does
        await pilot.pause()
        assert queue.current.id == y  # the next pair took the row
        await pilot.press("a")  # meant for x, which the reader was looking at
        await pilot.pause()
        seen["first"] = statuses(path)[y]
        seen["notes"] = list(notes)
        await pilot.press("a")  # now for y, which is on screen
        await pilot.pause()

    run(path, scenario)
    assert seen["first"] == "suggested"
    assert any("was rejected elsewhere \u2014 list refreshed" in n for n in seen["notes"])
    assert any("press a again" in n for n in seen["notes"])
    now = statuses(path)
    assert (now[x], now[y]) == ("rejected", "confirmed")


def test_the_cursor_stays_on_its_pair_when_a_pair_above_is_judged_elsewhere(path: Path):
    with open_store(path) as store:
        order = queue_order(store)
    seen = {}

    async def scenario(pilot, app):
        queue = await open_queue(pilot)
        await pilot.press("j", "j", "j")
        await pilot.pause()
        seen["before"] = queue.current.id
        elsewhere(path, order[0], "confirmed")
        app.check_for_changes()
        await pilot.pause()
        seen["after"] = queue.current.id
        seen["row"] = queue.table.cursor_row
        await pilot.press("r")
        await pilot.pause()

    run(path, scenario)
    assert seen["after"] == seen["before"] == order[3]
    assert seen["row"] == 2
    assert statuses(path)[order[3]] == "rejected"


def test_accept_above_a_score_skips_pairs_judged_while_the_question_was_open(path: Path):
    seen = {}

    async def scenario(pilot, app):
        queue = await open_queue(pilot)
        first = queue.current
        items = [queue.item(row) for row in range(queue.table.count)]
        seen["same"] = [
            item.id for item in items
            if item.method == first.method and item.score >= first.score
        ]  # fmt: skip
        await pilot.press("A")
        await pilot.pause()
        elsewhere(path, seen["same"][-1], "rejected")  # while the question is asked
        await pilot.press("y")
        await pilot.pause()

    run(path, scenario)
    *accepted, rejected = seen["same"]
    now = statuses(path)
    assert accepted and [now[i] for i in accepted] == ["confirmed"] * len(accepted)
    assert now[rejected] == "rejected"


def test_after_a_bulk_verdict_the_cursor_is_on_the_next_pair_still_to_judge(path: Path):
    with open_store(path) as store:
        order = queue_order(store)
        items = queue_items(store, order)
    # The first pair with a pair of its method above it: `A` there takes rows above
    # the cursor out of the list too (ties are ordered by id, which is random).
    row = next(
        at for at in range(1, len(order))
        if any(items[i].method == items[order[at]].method for i in order[:at])
    )  # fmt: skip
    cursor = items[order[row]]
    judged = {i for i in order if items[i].method == cursor.method
              and items[i].score >= cursor.score}  # fmt: skip
    pending = next(i for i in order[row:] if i not in judged)
    seen = {}

    async def scenario(pilot, app):
        queue = await open_queue(pilot)
        await pilot.press(*["j"] * row)
        await pilot.pause()
        assert queue.current.id == cursor.id
        await pilot.press("A", "y")
        await pilot.pause()
        seen["now"] = queue.current.id

    run(path, scenario)
    assert seen["now"] == pending


def test_a_pair_from_an_article_without_an_outlet_says_so(tmp_path: Path):
    path = tmp_path / "s.sqlite"
    with open_store(path) as store:
        for outlet, title, text in ARTICLES:
            with store.transaction() as db:
                add_document(db, NewDocument(text=text, title=title,
                                             source="" if outlet == "Daily One" else outlet))
        relink(store)
    seen = {}

    async def scenario(pilot, app):
        queue = await open_queue(pilot)
        table = queue.table
        seen["rows"] = [table.line_at(row, 120).plain for row in range(table.count)]

    run(path, scenario)
    unnamed = [row for row in seen["rows"] if "(no outlet)" in row]
    assert unnamed and not [row for row in seen["rows"] if "?" in row.split("\u2194")[0]]
