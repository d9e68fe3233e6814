"""The library and its neighbours after a day of use: the place kept across restarts,
a key bar that leaves the text its rows, a sort by what is shown, empty states that
say what to do, a tab order without dead stops, and a copy that claims no more than
it knows."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import NewDocument, Store, add_document, create_annotation, open_store
from tui.app import SidenoteApp
from tui.screens.export import ExportDialog
from tui.widgets.document_table import DocumentTable
from tui.widgets.key_bar import KeyBar

from .conftest import NEWS, NEWS_TITLE, add, drive, record_notifications

# Outlets and dates as long as the seeds': at 120 columns the table takes its narrow
# layout, which leaves the Length column out.
ARTICLES = [
    ("Budget talks stall in Vienna", "Vienna Post International",
     "The budget talks stalled. " * 3),
    ("Budget deal reached at last", "Daily One", "A deal was reached on the budget. " * 9),
    ("Storm closes the harbour", "Daily One", "The storm closed the harbour today."),
    ("Budget office finds overspending", "Two Times", "The office found overspending. " * 5),
    ("Harbour reopens after the storm", "Vienna Post International",
     "The harbour reopened. " * 2),
]


def _articles(path: Path) -> list[str]:
    ids = []
    with open_store(path) as store:
        for title, outlet, text in ARTICLES:
            with store.transaction() as db:
                ids.append(add_document(db, NewDocument(
                    text=text, title=title, source=outlet, published="22 minutes ago"))[0])
    return ids


def _table(app: SidenoteApp) -> DocumentTable:
    return app.screen.query_one(DocumentTable)


# -- 1. the library's sort, filter and place survive a restart --------------------------------

def test_the_library_keeps_its_sort_filter_and_row_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    _articles(path)
    left: dict[str, object] = {}
    found: dict[str, object] = {}

    async def work(pilot, app):
        await pilot.press("ctrl+s")  # by read %
        await pilot.press("ctrl+s")  # by annotations
        await pilot.press("ctrl+d")  # turned round
        await pilot.press("slash", *"budget", "down", "down")
        await pilot.pause()
        table = _table(app)
        left.update(sort=table.sort, descending=table.descending,
                    filter=app.screen.filter.value, current=table.current.id,
                    rows=[row.id for row in table.rows])

    async def look(pilot, app):
        table = _table(app)
        found.update(sort=table.sort, descending=table.descending,
                     filter=app.screen.filter.value, current=table.current.id,
                     rows=[row.id for row in table.rows])

    with open_store(path) as store:
        drive(SidenoteApp(store), work)
    with open_store(path) as store:
        drive(SidenoteApp(store), look)
    assert left["sort"] == "annotations" and left["descending"] is False
    assert left["filter"] == "budget" and len(left["rows"]) == 3
    assert left["current"] == left["rows"][1]  # the first down leaves the filter
    assert found == left


def test_a_place_whose_article_was_deleted_opens_on_the_first_row(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite"
    ids = _articles(path)
    found: dict[str, object] = {}

    async def work(pilot, app):
        await pilot.press("G")  # the last article

    async def look(pilot, app):
        found["current"] = _table(app).current.id

    with open_store(path) as store:
        drive(SidenoteApp(store), work)
    with open_store(path) as store:
        with store.transaction() as db:
            db.execute("DELETE FROM documents WHERE id = ?", [ids[-1]])
        drive(SidenoteApp(store), look)
    assert found["current"] == ids[0]


# -- 2. the key bar: at most two rows, whole bindings, help always there ----------------------

@pytest.mark.parametrize("size", [(80, 24), (120, 35), (200, 50)])
@pytest.mark.parametrize("screen", ["library", "reader"])
def test_the_key_bar_takes_at_most_two_rows_and_always_shows_help(
    library: Store, size: tuple[int, int], screen: str
) -> None:
    seen: dict[str, object] = {}

    async def scenario(pilot, app):
        if screen == "reader":
            await pilot.press("enter")
            await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        seen["height"] = bar.size.height
        seen["text"] = str(bar.render())

    drive(SidenoteApp(library), scenario, size=size)
    assert 1 <= seen["height"] <= 2
    assert "f1\u00a0help" in seen["text"]


# -- 3. ctrl+s sorts only by columns on screen ------------------------------------------------

@pytest.mark.parametrize("width, length_shown", [(80, False), (120, False), (200, True)])
def test_sort_cycles_through_the_columns_shown(
    tmp_path: Path, width: int, length_shown: bool
) -> None:
    path = tmp_path / "s.sqlite"
    _articles(path)
    seen: list[tuple[str, tuple[str, ...]]] = []

    async def scenario(pilot, app):
        for _ in range(10):
            await pilot.press("ctrl+s")
            table = _table(app)
            seen.append((table.sort, table.shown_columns()))

    with open_store(path) as store:
        drive(SidenoteApp(store), scenario, size=(width, 30))
    sorts = [sort for sort, _ in seen]
    assert all(sort == "imported" or sort in shown for sort, shown in seen)
    assert ("length" in sorts) is length_shown
    assert {"read", "annotations", "published", "outlet", "title", "imported"} <= set(sorts)


def test_a_sort_by_a_narrow_hidden_column_shows_that_column(tmp_path: Path) -> None:
    """A sort kept from a wide terminal, opened in a narrow one: the column is drawn."""
    path = tmp_path / "s.sqlite"
    _articles(path)
    seen: dict[str, object] = {}

    async def wide(pilot, app):
        while _table(app).sort != "length":
            await pilot.press("ctrl+s")

    async def narrow(pilot, app):
        seen["sort"] = _table(app).sort
        seen["shown"] = _table(app).shown_columns()
        seen["header"] = _table(app).render_line(0).text

    with open_store(path) as store:
        drive(SidenoteApp(store), wide, size=(200, 30))
    with open_store(path) as store:
        drive(SidenoteApp(store), narrow, size=(80, 24))
    assert seen["sort"] == "length"
    assert "length" in seen["shown"]
    assert "Len\u25bc" in seen["header"]


# -- 4. the annotation browser says when its filter matches nothing -----------------------------

def test_the_annotation_browser_says_what_matched_nothing_and_esc_clears_it(
    library: Store,
) -> None:
    doc_id = library.document_ids()[0]
    sentence = library.sentences(doc_id)[0]
    create_annotation(library, doc_id, sentence.start, sentence.end, "claim")
    seen: dict[str, object] = {}

    async def scenario(pilot, app):
        await pilot.press("ctrl+b")
        await pilot.pause()
        await pilot.press("slash", *"speaker:nobody", "enter")
        await pilot.pause()
        empty = app.screen.query_one("#annotations-empty")
        seen["shown"] = empty.display
        seen["text"] = str(empty.render())
        await pilot.press("escape")
        await pilot.pause()
        seen["after"] = (app.screen.query_one("#annotations-filter").value,
                         app.screen.query_one("#annotations-empty").display,
                         len(app.screen.shown), type(app.screen).__name__)
        await pilot.press("escape")
        await pilot.pause()
        seen["closed"] = type(app.screen).__name__

    drive(SidenoteApp(library), scenario, size=(80, 24))
    assert seen["shown"] is True
    assert "speaker:nobody" in seen["text"]
    assert "esc" in seen["text"]
    assert seen["after"] == ("", False, 1, "AnnotationsScreen")
    assert seen["closed"] == "LibraryScreen"


# -- 5. the export dialog: every tab moves to the next control ----------------------------------

async def _open_export(pilot, app) -> None:
    app.action_export()
    await pilot.pause()


def test_tab_after_choosing_a_format_goes_to_the_path(library: Store) -> None:
    seen: list[str] = []

    async def scenario(pilot, app):
        await _open_export(pilot, app)
        assert isinstance(app.screen, ExportDialog)
        seen.append(app.focused.id)
        await pilot.press("down", "enter")
        await pilot.pause()
        seen.append(app.focused.id)
        for _ in range(3):
            await pilot.press("tab")
            await pilot.pause()
            seen.append(app.focused.id)

    drive(SidenoteApp(library), scenario, size=(80, 24))
    assert seen == ["export-format", "export-format", "export-path", "export-format",
                    "export-path"]


def test_enter_in_the_path_exports_the_chosen_format(library: Store, tmp_path: Path) -> None:
    doc_id = library.document_ids()[0]
    sentence = library.sentences(doc_id)[0]
    create_annotation(library, doc_id, sentence.start, sentence.end, "claim")
    target = tmp_path / "out.jsonl"
    seen: dict[str, object] = {}

    async def scenario(pilot, app):
        seen["messages"] = record_notifications(app)
        await _open_export(pilot, app)
        await pilot.press("down", "enter", "tab")
        path = app.screen.query_one("#export-path")
        path.value = str(target)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()

    drive(SidenoteApp(library), scenario)
    assert f"exported 1 article as documents to {target}" in seen["messages"]
    assert target.read_text(encoding="utf-8").count("\n") == 1


# -- 6. y says where the citation went, and what tmux does with it -----------------------------

@pytest.mark.parametrize("in_tmux", [False, True])
def test_copying_a_citation_says_it_was_sent_not_that_it_arrived(
    monkeypatch: pytest.MonkeyPatch, in_tmux: bool
) -> None:
    if in_tmux:
        monkeypatch.setenv("TMUX", "/tmp/tmux-1000/default,1,0")
    else:
        monkeypatch.delenv("TMUX", raising=False)
    seen: dict[str, object] = {}
    with open_store(":memory:") as store:
        doc_id = add(store, NEWS, NEWS_TITLE, "Vienna Post")
        sentence = store.sentences(doc_id)[0]
        create_annotation(store, doc_id, sentence.start, sentence.end, "claim")

        async def scenario(pilot, app):
            copied: list[str] = []
            app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
            await pilot.press("enter")
            await pilot.pause()
            messages = record_notifications(app)
            await pilot.press("y")
            await pilot.pause()
            seen["copied"] = copied
            seen["said"] = app.screen.query_one("#reader-status").text
            seen["messages"] = messages

        drive(SidenoteApp(store), scenario)
    assert len(seen["copied"]) == 1 and NEWS_TITLE in seen["copied"][0]
    said = seen["said"]
    assert "copied" not in said
    assert "citation sent to the terminal's clipboard (OSC 52)" in said
    assert any("set -g set-clipboard on" in m for m in seen["messages"]) is in_tmux
