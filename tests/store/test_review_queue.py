"""The corpus-wide review queue: order, verdicts as one undoable step, progress kept
across restarts, bulk verdicts by method and score, and word-by-word differences."""

from __future__ import annotations

from pathlib import Path

from store import (
    NewDocument,
    ReviewQueue,
    Store,
    add_document,
    judge_in_queue,
    list_links,
    open_store,
    queue_items,
    queue_order,
    queue_progress,
    relink,
    skip_in_queue,
    suggestions_at_least,
    undo,
    word_diff,
)

S1 = ("The finance minister said the budget would be balanced by the end of next year "
      "without new taxes.")
S2 = ("Opposition leaders called the plan a fantasy and demanded an independent review of "
      "the figures.")
S3 = "Officials expect the first payments to reach farmers before the harvest begins in September."
ARTICLES = [
    ("Daily One", "Budget plan", f"{S1} {S2} Filler sentence one here. {S3}"),
    ("Two Times", "Minister budget",
     f"Lead para here. {S1.replace('without new taxes', 'without any new taxes')} {S2}"),
    ("Third Post", "Farm aid", f"{S3} Other words entirely here. {S2[:60]}."),
]


def linked_corpus(store: Store) -> None:
    """Three outlets sharing three sentences: five suggestions (exact, trimmed, reworded)."""
    for outlet, title, text in ARTICLES:
        with store.transaction() as db:
            add_document(db, NewDocument(text=text, title=title, source=outlet))
    relink(store)


def statuses(store: Store) -> dict[str, str]:
    return {link.id: link.status.value for link in list_links(store)}


def test_the_queue_lists_every_suggestion_once_best_first():
    with open_store(":memory:") as store:
        linked_corpus(store)
        order = queue_order(store)
        assert sorted(order) == sorted(statuses(store))
        scores = [queue_items(store, order)[i].score for i in order]
        assert scores == sorted(scores, reverse=True)
        by_method = [queue_items(store, order)[i].method for i in queue_order(store, "method")]
        assert by_method == sorted(by_method)


def test_by_outlet_pairs_come_grouped_by_their_two_outlets_best_first_in_a_group():
    with open_store(":memory:") as store:
        linked_corpus(store)
        order = queue_order(store, "outlet")
        items = queue_items(store, order)
        groups = [tuple(sorted((items[i].a.outlet, items[i].b.outlet))) for i in order]
        pairs = [("Daily One", "Third Post"), ("Daily One", "Two Times"),
                 ("Third Post", "Two Times")]  # fmt: skip
        assert sorted(set(groups)) == pairs
        assert groups == sorted(groups, key=pairs.index)
        for group in pairs:
            scores = [items[i].score for i, g in zip(order, groups, strict=True) if g == group]
            assert scores == sorted(scores, reverse=True)
        paged = ReviewQueue(store, "outlet")
        assert [item.id for item in paged.page(0, 10)] == order


def test_a_bulk_verdict_is_one_undoable_step_and_counts_as_reviewed():
    with open_store(":memory:") as store:
        linked_corpus(store)
        order = queue_order(store)
        before = statuses(store)
        assert judge_in_queue(store, order[:3], "confirmed").done == tuple(order[:3])
        assert [statuses(store)[i] for i in order[:3]] == ["confirmed"] * 3
        assert queue_progress(store).line() == "3 of 5 reviewed"
        undo(store)
        assert statuses(store) == before
        assert queue_progress(store).line() == "0 of 5 reviewed"


def test_everything_above_a_score_for_one_method_leaves_the_other_methods():
    with open_store(":memory:") as store:
        linked_corpus(store)
        items = queue_items(store, queue_order(store))
        exact = suggestions_at_least(store, "exact", 99)
        assert exact and {items[i].method for i in exact} == {"exact"}
        assert len(exact) == sum(1 for i in items.values() if i.method == "exact")
        judge_in_queue(store, exact, "rejected")
        assert {i: s for i, s in statuses(store).items() if s == "rejected"}.keys() == set(exact)


def test_skips_and_progress_survive_a_restart_and_the_queue_resumes_after_them(
    tmp_path: Path,
):
    path = tmp_path / "s.sqlite"
    with open_store(path) as store:
        linked_corpus(store)
        first, second, third, *_ = queue_order(store)
        skip_in_queue(store, [first])
        judge_in_queue(store, [second], "rejected")
    with open_store(path) as store:
        assert queue_progress(store).line() == "2 of 5 reviewed"
        queue = ReviewQueue(store)
        assert queue.count() == 4  # the judged pair is no longer a suggestion
        start = queue.first_unreviewed()
        assert [item.id for item in queue.page(start, 1)] == [third]
        assert queue.page(0, 1)[0].mark == "skipped"


def test_word_diff_marks_a_changed_wording_and_a_trimmed_part():
    a = "The minister said the budget would be balanced next year, officials added."
    b = "The minister said the budget would surely be balanced next year"
    found = word_diff(a, b)
    assert [b[s:e] for s, e in found.b] == ["surely"]
    assert [a[s:e] for s, e in found.a] == ["officials added."]
