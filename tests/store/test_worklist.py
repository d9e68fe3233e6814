"""The library's worklist: counts that say what they are, progress from the saved
position, a done mark that is stored and survives deleting and undoing the article,
and a sort by any column."""

from __future__ import annotations

from store import (
    NewDocument,
    Store,
    accept,
    add_document,
    create_annotation,
    delete_document,
    list_links,
    open_store,
    relink,
    set_done,
    sort_worklist,
    undo,
    work_items,
)

SHARED = ("The finance minister said the budget would be balanced by the end of next year "
          "without new taxes.")
ARTICLES = [
    ("Daily One", "Budget plan", "2025-08-17", f"{SHARED} Filler sentence one here. Two more."),
    ("Two Times", "Minister budget", "3 hours ago", f"Lead para here. {SHARED}"),
    ("Third Post", "Farm aid", "", "Nothing in common with the others at all here."),
]


def corpus(store: Store) -> list[str]:
    ids = []
    for outlet, title, published, text in ARTICLES:
        with store.transaction() as db:
            doc_id, _ = add_document(db, NewDocument(text=text, title=title, source=outlet,
                                                     published=published))
        ids.append(doc_id)
    return ids


def by_id(store: Store) -> dict:
    return {item.id: item for item in work_items(store)}


def test_links_are_counted_as_confirmed_or_suggested_per_article():
    with open_store(":memory:") as store:
        first, second, third = corpus(store)
        relink(store)
        [link] = list_links(store)
        assert by_id(store)[first].suggested == 1 and by_id(store)[first].confirmed == 0
        accept(store, link.id)
        items = by_id(store)
        assert (items[first].confirmed, items[first].suggested) == (1, 0)
        assert (items[second].confirmed, items[second].suggested) == (1, 0)
        assert (items[third].confirmed, items[third].suggested) == (0, 0)


def test_read_percent_comes_from_the_saved_position_and_none_when_never_opened():
    with open_store(":memory:") as store:
        first, second, _ = corpus(store)
        assert by_id(store)[first].read is None
        store.set_position(first, 0)  # on the first of three sentences
        store.set_position(second, 1)  # on the last of two
        items = by_id(store)
        assert (items[first].sentences, items[first].read) == (3, 33)
        assert items[second].read == 100


def test_done_is_stored_toggled_and_comes_back_with_an_undone_deletion(tmp_path):
    path = tmp_path / "s.sqlite"
    with open_store(path) as store:
        first, _, _ = corpus(store)
        set_done(store, first, True)
        set_done(store, first, True)  # twice is still done
    with open_store(path) as store:
        assert by_id(store)[first].done
        delete_document(store, first)
        undo(store)
        assert by_id(store)[first].done
        set_done(store, first, False)
        assert not by_id(store)[first].done


def test_sort_by_any_column_keeps_ties_in_import_order():
    with open_store(":memory:") as store:
        first, second, third = corpus(store)
        create_annotation(store, third, 0, 7, "claim")
        items = work_items(store)
        assert [i.id for i in sort_worklist(items, "annotations", descending=True)] == \
            [third, first, second]
        assert [i.title for i in sort_worklist(items, "title")] == \
            ["Budget plan", "Farm aid", "Minister budget"]
        # dates first (absolute, then relative), articles without one last
        assert [i.id for i in sort_worklist(items, "published")] == [first, second, third]
        assert [i.id for i in sort_worklist(items, "imported", descending=True)] == \
            [third, second, first]
