"""Two Sidenote windows on one database file, driven at the same time.

Both apps run in one event loop and their keys are interleaved, as two people
(or one person with two terminals) would type. Each window sees the other's
changes after its poll of `PRAGMA data_version`, and no error reaches the screen.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from store import open_store
from tui import app as app_module
from tui.app import SidenoteApp
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.screens.review import ReviewScreen
from tui.widgets.article_view import ArticleView

from .conftest import NEWS, NEWS_TITLE, UNICODE, UNICODE_TITLE, add, record_notifications

SIZE = (120, 35)


@pytest.fixture(autouse=True)
def no_timed_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests call `check_for_changes` where the poll would. The timed poll (every
    second, or whenever a busy machine lets it run) would also fire at moments of its
    own choosing: before the change a test makes, say, so that the test's own call
    finds nothing new and no longer tests what it says."""
    monkeypatch.setattr(app_module, "POLL_SECONDS", 3600)


def two_apps(path: Path, scenario) -> None:
    async def main() -> None:
        with open_store(path) as one_store, open_store(path) as two_store:
            one, two = SidenoteApp(one_store), SidenoteApp(two_store)
            async with one.run_test(size=SIZE) as p1, two.run_test(size=SIZE) as p2:
                await p1.pause()
                await p2.pause()
                await scenario(p1, one, p2, two)

    asyncio.run(main())


def test_a_tag_in_one_window_appears_in_the_other(tmp_path: Path) -> None:
    path = tmp_path / "two.db"
    with open_store(path) as store:
        doc_id = add(store, NEWS, NEWS_TITLE, "Vienna Post")
        add(store, UNICODE, UNICODE_TITLE, "東京 Times")
    seen = {}

    async def scenario(p1, one, p2, two):
        seen["one"] = record_notifications(one)
        seen["two"] = record_notifications(two)
        await p1.press("enter")
        await p2.press("enter", "j")
        await p1.press("j", "j", "q")  # window one tags the third sentence...
        await p2.press("c")  # ...while window two tags the second
        one.check_for_changes()  # what the 1 s poll does
        two.check_for_changes()
        await p1.pause()
        await p2.pause()
        seen["one_sees"] = shown_labels(one, one_store_ids(path))
        seen["two_sees"] = shown_labels(two, one_store_ids(path))
        await p1.press("escape")
        seen["library_count"] = one.screen.query_one("#library-table").rows[0].annotations

    two_apps(path, scenario)
    with open_store(path) as store:
        assert sorted(a.label.value for a in store.annotations(doc_id)) == ["claim", "quote"]
    assert seen["one_sees"] == seen["two_sees"] == ["claim", "quote"]
    assert seen["library_count"] == 2
    assert not [m for m in seen["one"] + seen["two"] if "locked" in m]


def one_store_ids(path: Path) -> list[str]:
    with open_store(path) as store:
        return [a.id for a in store.annotations()]


def shown_labels(app: SidenoteApp, ids: list[str]) -> list[str]:
    """Labels of the stored annotations that the app's article view shows."""
    view = app.screen.query_one(ArticleView)
    return sorted(view.annotation(i).label.value for i in ids if view.annotation(i))


def test_an_article_deleted_in_one_window_closes_in_the_other(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    with open_store(path) as store:
        add(store, NEWS, NEWS_TITLE, "Vienna Post")
        add(store, UNICODE, UNICODE_TITLE, "東京 Times")
    seen = {}

    async def scenario(p1, one, p2, two):
        seen["two"] = record_notifications(two)
        await p2.press("enter")  # window two reads the first article
        assert isinstance(two.screen, ReaderScreen)
        await p1.press("d", "y")  # window one deletes it
        await p1.pause()
        two.check_for_changes()
        await p2.pause()
        seen["screen"] = type(two.screen)
        seen["rows"] = len(two.screen.query_one("#library-table").rows)

    two_apps(path, scenario)
    assert seen["screen"] is LibraryScreen
    assert seen["rows"] == 1
    assert any("was deleted" in m for m in seen["two"])


def push_while_a_change_arrives(tmp_path: Path, screen_type) -> tuple[object, list[str]]:
    """Push a `screen_type` screen in window two and poll for a change (made by another
    connection) before the screen has composed its widgets: the poll can find a change
    at any moment. Returns the screen and window two's notifications."""
    path = tmp_path / "early.db"
    with open_store(path) as store:
        add(store, NEWS, NEWS_TITLE, "Vienna Post")
    seen = {}

    async def scenario(p1, one, p2, two):
        seen["notifications"] = record_notifications(two)
        with open_store(path) as store:
            add(store, UNICODE, UNICODE_TITLE, "東京 Times")
        seen["screen"] = screen_type(two.store)
        two.push_screen(seen["screen"])
        two.check_for_changes()  # before the screen has composed its widgets
        await p2.pause()
        assert two.screen is seen["screen"]

    two_apps(path, scenario)  # re-raises an exception from inside the app
    return seen["screen"], seen["notifications"]


def test_a_change_arriving_while_the_library_is_still_being_built_is_shown(tmp_path: Path) -> None:
    library, notifications = push_while_a_change_arrives(tmp_path, LibraryScreen)
    assert sorted(row.title for row in library.table.rows) == sorted([NEWS_TITLE, UNICODE_TITLE])
    assert notifications == []


def test_a_change_arriving_while_the_review_list_is_still_being_built_is_no_error(
    tmp_path: Path,
) -> None:
    _, notifications = push_while_a_change_arrives(tmp_path, ReviewScreen)
    assert notifications == []
