"""Statements: one link per pair of places, clusters that merge, dates from the pages,
and the statement record (members in time order, outlets, first appearance)."""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from store import (
    NewDocument,
    accept,
    add_document,
    create_annotation,
    echoes,
    judge_links,
    list_links,
    list_statements,
    open_store,
    relink,
    statement_of,
    undo,
)
from store.errors import NotFound
from store.importing.dates import order_key, resolve
from store.importing.ingest import parse_page

AP_LEDE = "NEW YORK (AP) -- Russian leader Vladimir Putin agreed at his summit"
MAINICHI, JAPAN_TODAY = "d1477ab7147860cc", "fc1fd47365bdf21b"
OLD_DATABASES = Path(__file__).resolve().parents[1] / "fixtures" / "old_databases"


def overlapping_pairs(rows) -> list[tuple[str, str]]:
    """Links joining the same two articles at places that overlap on both sides."""

    def places(row):
        x = (row.a.doc_id, row.a.start, row.a.end)
        y = (row.b.doc_id, row.b.start, row.b.end)
        return (x, y) if x <= y else (y, x)

    found = []
    rows = list(rows)
    for i, first in enumerate(rows):
        for second in rows[i + 1 :]:
            p, q = places(first), places(second)
            if all(s[0] == t[0] and s[1] < t[2] and t[1] < s[2] for s, t in zip(p, q, strict=True)):
                found.append((first.id, second.id))
    return found


def tag_inside_the_ap_lede(store):
    """A quote tagged inside the AP lede (The Mainichi), as a reader would."""
    text = store.document(MAINICHI).text
    start = text.index("Putin agreed at his summit")
    end = text.index("collective defense mandate") + len("collective defense mandate")
    return create_annotation(store, MAINICHI, start, end, "quote", speaker="Steve Witkoff")


def test_accepting_a_tagged_quote_then_relinking_stores_each_pair_of_places_once(seeded_store):
    store = seeded_store
    relink(store)
    quote = tag_inside_the_ap_lede(store)
    found = echoes(store, quote.doc_id, quote.start, quote.end, quote.id)
    accept(store, found[0].link_id)  # tags the matching part in Japan Today
    for _ in range(2):
        relink(store)
        rows = list(list_links(store))
        assert overlapping_pairs(rows) == []
        assert [r.status.value for r in rows if r.id == found[0].link_id] == ["confirmed"]
    assert len(rows) == 2


def test_echoes_of_the_part_an_accepted_link_tagged_add_no_second_link(seeded_store):
    store = seeded_store
    relink(store)
    quote = tag_inside_the_ap_lede(store)
    found = echoes(store, quote.doc_id, quote.start, quote.end, quote.id)
    made = accept(store, found[0].link_id)  # the matching part in Japan Today, tagged
    before = {r.id for r in list_links(store)}
    again = echoes(store, made.doc_id, made.start, made.end, made.id)
    assert [e.doc_id for e in again] == [MAINICHI]
    assert {r.id for r in list_links(store)} == before


def add(store, title: str, source: str, text: str) -> str:
    with store.transaction() as db:
        doc_id, _ = add_document(db, NewDocument(text=text, title=title, source=source))
    return doc_id


SAID = (
    "The minister said the peacekeeping force would only deploy once a ceasefire "
    "had been signed by both sides in Geneva."
)


def test_a_new_link_between_two_statements_merges_their_clusters(store):
    a, b, c, d = (
        add(store, f"Story {n}", f"Outlet {n}", f"Intro {n} of the day here. {SAID}")
        for n in "ABCD"
    )
    relink(store)
    rows = list(list_links(store))
    assert len({r.cluster for r in rows}) == 1  # the batch clusters all of them
    # Split them in two statements by hand, as echoes could leave them: A-B and C-D.
    with store.transaction() as db:
        db.execute("DELETE FROM links")
    link = next(r for r in rows if {r.a.doc_id, r.b.doc_id} == {a, b})
    other = next(r for r in rows if {r.a.doc_id, r.b.doc_id} == {c, d})
    with store.transaction() as db:
        for row, cluster in ((link, "sfirst"), (other, "ssecond")):
            db.execute(
                "INSERT INTO links (id, pair_key, a_doc_id, a_start, a_end, b_doc_id, b_start, "
                "b_end, score, method, status, cluster, created_at, updated_at) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, 100, 'exact', 'suggested', ?, 'now', 'now')",
                [row.id, f"{row.id}-key", row.a.doc_id, row.a.start, row.a.end,
                 row.b.doc_id, row.b.start, row.b.end, cluster],
            )  # fmt: skip
    start = store.document(b).text.index(SAID)
    echoes(store, b, start, start + len(SAID))  # finds C and D from B: joins the two
    clusters = {r.cluster for r in list_links(store)}
    assert len(clusters) == 1
    merged = statement_of(store, link.id)
    assert {m.doc_id for m in merged.members} == {a, b, c, d}
    assert merged.outlet_count == 4


def test_an_old_database_loses_its_duplicate_suggestions_and_keeps_its_verdicts(tmp_path):
    release = next(OLD_DATABASES.glob("v5-*.sidenote-db"))
    path = tmp_path / "old.db"
    shutil.copyfile(release, path)
    with contextlib.closing(sqlite3.connect(path)) as conn:
        (link_id, a_doc, a_start, a_end, b_doc, b_start, b_end) = conn.execute(
            "SELECT id, a_doc_id, a_start, a_end, b_doc_id, b_start, b_end FROM links"
        ).fetchone()
        # What the earlier release stored after `L`: the confirmed pair found again on
        # a part of each side, twice, as suggestions; and one elsewhere that stays.
        duplicates = [
            ("dup-1", a_doc, a_start, a_end, b_doc, b_start + 1, b_end),
            ("dup-2", b_doc, b_start, b_end - 1, a_doc, a_start + 2, a_end),
            ("elsewhere", a_doc, a_end + 1, a_end + 20, b_doc, b_end + 1, b_end + 20),
        ]
        for row in duplicates:
            conn.execute(
                "INSERT INTO links (id, pair_key, a_doc_id, a_start, a_end, b_doc_id, b_start, "
                "b_end, score, method, status, cluster, created_at, updated_at) VALUES "
                "(?, ?, ?, ?, ?, ?, ?, ?, 97.7, 'trimmed', 'suggested', '', 'then', 'then')",
                [row[0], f"{row[0]}-key", *row[1:]],
            )
        conn.commit()
    with open_store(path) as upgraded:
        rows = {r.id: r.status.value for r in list_links(upgraded)}
    assert rows == {link_id: "confirmed", "elsewhere": "suggested"}


# -- dates --------------------------------------------------------------------------------

AGGREGATOR = """Main story title here for the page
The main story says something long enough to be a paragraph of its own, really.


The Mainichi
22 minutes ago
- The Mainichi
Putin agrees that US, Europe could offer guarantees
The first story's body is here and it is long enough to be an article of its own.


Japan Today
2 hours ago
- Japan Today
European leaders to join the meeting in Washington
The second story's body is here and it is long enough to be an article of its own.
"""


def test_aggregator_blocks_keep_their_relative_times_without_a_page_date():
    documents = parse_page(AGGREGATOR, "page.txt")
    assert [(d.source, d.published) for d in documents] == [
        ("", ""), ("The Mainichi", "22 minutes ago"), ("Japan Today", "2 hours ago"),
    ]  # fmt: skip


def test_relative_times_resolve_against_the_page_date_to_its_precision():
    documents = parse_page(AGGREGATOR, "page.html", "2025-08-18T10:00:00+00:00")
    assert [d.published for d in documents[1:]] == [
        "2025-08-18T09:38+00:00", "2025-08-18T08:00+00:00",
    ]  # fmt: skip
    # A page dated to the day resolves days, not hours (which may be the day before).
    assert resolve("3 days ago", "2025-08-18") == "2025-08-15"
    assert resolve("2 hours ago", "2025-08-18") == "2 hours ago"
    assert resolve("2 months ago", "2025-08-18T10:00:00") == "2 months ago"


def test_published_values_order_absolute_then_relative_oldest_first():
    values = ["22 minutes ago", "", "2025-08-18", "an hour ago", "2 hours ago",
              "2025-08-17T23:00:00+00:00", "last Tuesday"]  # fmt: skip
    assert sorted(values, key=order_key) == [
        "2025-08-17T23:00:00+00:00", "2025-08-18", "2 hours ago", "an hour ago",
        "22 minutes ago", "last Tuesday", "",
    ]  # fmt: skip


# -- the statement record -------------------------------------------------------------------


def test_the_spread_of_the_ap_lede_lists_both_outlets_with_the_pages_times_in_order(
    seeded_store,
):
    store = seeded_store
    relink(store)
    quote = tag_inside_the_ap_lede(store)
    found = statement_of(store, quote.id)
    assert [(m.outlet, m.published) for m in found.members] == [
        ("Japan Today", "2 hours ago"), ("The Mainichi", "22 minutes ago"),
    ]  # fmt: skip
    assert found.first is found.members[0]
    assert not any(m.dated_by_import for m in found.members)
    mainichi = found.members[1]
    assert mainichi.text.startswith(AP_LEDE)
    assert mainichi.text == store.document(MAINICHI).text[mainichi.start : mainichi.end]
    # The same statement by its link's id and by its own id.
    link_id = found.links[0].id
    assert statement_of(store, link_id).id == found.id == statement_of(store, found.id).id


def test_statements_list_each_place_in_one_statement(seeded_store):
    relink(seeded_store)
    found = list_statements(seeded_store, min_outlets=2)
    assert len(found) == 2
    places = [m.place for s in found for m in s.members]
    assert len(places) == len(set(places))
    assert all(s.outlets == ("Japan Today", "The Mainichi") for s in found)


def test_an_unknown_id_is_not_found(seeded_store):
    with pytest.raises(NotFound):
        statement_of(seeded_store, "no-such-id")


def test_judging_several_links_is_one_undoable_step_and_an_unknown_id_changes_nothing(
    seeded_store,
):
    store = seeded_store
    relink(store)
    ids = [r.id for r in list_links(store)]
    with pytest.raises(NotFound):
        judge_links(store, [ids[0], "no-such-link"], "confirmed")
    assert {r.status.value for r in list_links(store)} == {"suggested"}
    assert judge_links(store, ids, "rejected") == 2
    assert {r.status.value for r in list_links(store)} == {"rejected"}
    undo(store)
    assert {r.status.value for r in list_links(store)} == {"suggested"}


def test_accepting_a_meaning_suggestion_puts_it_in_a_statement_and_undo_takes_it_out(store):
    a = add(store, "Story A", "Outlet A", f"Intro A of the day here. {SAID}")
    b = add(store, "Story B", "Outlet B", "Officials said troops would go in only after a truce.")
    start = store.document(a).text.index(SAID)
    end_b = len(store.document(b).text)
    with store.transaction() as db:
        db.execute(
            "INSERT INTO links (id, pair_key, a_doc_id, a_start, a_end, b_doc_id, b_start, "
            "b_end, score, method, status, cluster, created_at, updated_at) VALUES "
            "('m1', 'm1-key', ?, ?, ?, ?, 0, ?, 40, 'reworded-meaning', 'suggested', '', "
            "'now', 'now')",
            [a, start, start + len(SAID), b, end_b],
        )
    assert list_statements(store) == []  # a candidate pair, not yet a statement
    judge_links(store, ["m1"], "confirmed")
    (found,) = list_statements(store)
    assert found.outlets == ("Outlet A", "Outlet B") and found.status_counts == {"confirmed": 1}
    undo(store)
    assert list_statements(store) == []
