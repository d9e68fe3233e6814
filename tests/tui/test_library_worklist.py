"""The library as a worklist: columns that say what they count, a sort by any column,
a done mark, the outlet filter, and a filter that matches words and shows where."""

from __future__ import annotations

from store import NewDocument, Store, add_document, open_store, relink, work_items
from tui.app import SidenoteApp
from tui.widgets.document_table import DocumentTable

from .conftest import add, drive

SHARED = ("The finance minister said the budget would be balanced by the end of next year "
          "without new taxes.")


def titles(app) -> list[str]:
    return [row.title for row in app.screen.query_one(DocumentTable).rows]


def lines(app) -> list[str]:
    table = app.screen.query_one(DocumentTable)
    return [table.render_line(y).text for y in range(len(table.rows) + 1)]


def test_the_filter_matches_words_not_scattered_letters_and_marks_them() -> None:
    seen = {}
    with open_store(":memory:") as store:
        add(store, "Oil text.", "Kurdistan oil is the Bermuda Triangle of the Middle East",
            "Rudaw")
        nato = add(store, "Troops text.", "Trump envoy reveals NATO troop deployment plans",
                   "Russia Today")

        async def scenario(pilot, app):
            await pilot.press("slash", *"nato")
            seen["titles"] = titles(app)
            seen["marks"] = app.screen.query_one(DocumentTable).marks[nato]

        drive(SidenoteApp(store), scenario)
    assert seen["titles"] == ["Trump envoy reveals NATO troop deployment plans"]
    title = "Trump envoy reveals NATO troop deployment plans"
    assert [title[start:end] for start, end in seen["marks"].title] == ["NATO"]


def test_columns_count_annotations_and_confirmed_and_suggested_links_apart() -> None:
    seen = {}
    with open_store(":memory:") as store:
        for outlet, title, text in [("Daily One", "Budget plan", f"{SHARED} Filler here."),
                                    ("Two Times", "Minister budget", f"Lead here. {SHARED}")]:
            with store.transaction() as db:
                add_document(db, NewDocument(text=text, title=title, source=outlet,
                                             published="2 hours ago"))
        relink(store)

        async def scenario(pilot, app):
            seen["lines"] = lines(app)

        drive(SidenoteApp(store), scenario)
    header, first = seen["lines"][:2]
    assert header.split()[:4] == ["Read", "Annotations", "Confirmed", "Suggested"]
    assert "Published" in header
    # never opened, no annotations, no confirmed link, one suggested, then its length
    assert first.split()[:2] == ["1", str(len(SHARED) + len(" Filler here."))]
    assert first.index("1 ") > header.index("Confirmed") + len("Confirmed")
    assert "2 hours ago" in first


def test_sort_by_any_column_from_the_keys_and_the_header(library: Store) -> None:
    seen = []

    async def scenario(pilot, app):
        table = app.screen.query_one(DocumentTable)
        seen.append(titles(app))
        header = table.render_line(0).text
        await pilot.click(DocumentTable, offset=(1 + header.index("Title"), 0))
        seen.append(titles(app))
        await pilot.click(DocumentTable, offset=(1 + header.index("Title"), 0))
        seen.append(titles(app))
        await pilot.press("ctrl+s")  # from title round to the import order
        seen.append((table.sort, table.descending))
        await pilot.press("ctrl+s")
        seen.append((table.sort, table.descending))

    drive(SidenoteApp(library), scenario)
    imported = seen[0]
    assert seen[1] == sorted(imported, key=str.casefold)
    assert seen[2] == sorted(imported, key=str.casefold, reverse=True)
    assert seen[3:] == [("imported", False), ("read", True)]


def test_space_marks_the_article_done_and_it_is_stored(library: Store) -> None:
    seen = []

    async def scenario(pilot, app):
        await pilot.press("j", "space")
        seen.append(lines(app)[2].split()[0])
        seen.append([item.done for item in work_items(library)])
        await pilot.press("space")
        seen.append([item.done for item in work_items(library)])

    drive(SidenoteApp(library), scenario)
    assert seen == ["done", [False, True, False], [False, False, False]]


def test_at_shows_only_the_outlet_under_the_cursor() -> None:
    seen = {}
    with open_store(":memory:") as store:
        add(store, "One.", "Putin wins Ukraine concessions", "Japan Today")
        add(store, "Two.", "Japan Today reports on summit", "The Mainichi")
        add(store, "Three.", "European leaders to join talks", "Japan Today")

        async def scenario(pilot, app):
            await pilot.press("at")
            seen["filter"] = app.screen.query_one("#library-filter").value
            seen["titles"] = titles(app)

        drive(SidenoteApp(store), scenario)
    assert seen["filter"] == "@Japan @Today"
    # the article whose title says "Japan Today" is not from that outlet
    assert seen["titles"] == ["Putin wins Ukraine concessions", "European leaders to join talks"]
