"""Verdicts from the review queue when the database changes under it.

Two stores on one file stand for the app and the command line (or another window).
A verdict from the queue goes only to links that are still suggestions when it is
written, and an undo never overwrites a verdict that was given since.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from store import (
    Store,
    judge_in_queue,
    judge_links,
    list_links,
    open_store,
    queue_order,
    queue_progress,
    redo,
    skip_in_queue,
    undo,
)
from store.history import history

from .test_review_queue import linked_corpus


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "s.sqlite"
    with open_store(path) as store:
        linked_corpus(store)
    return path


@pytest.fixture
def app_store(path: Path) -> Iterator[Store]:
    with open_store(path) as store:
        yield store


def statuses(store: Store) -> dict[str, str]:
    return {link.id: link.status.value for link in list_links(store)}


def test_a_pair_rejected_elsewhere_keeps_its_verdict_and_no_undo_step_is_made(
    path: Path, app_store: Store
):
    x = queue_order(app_store)[1]
    with open_store(path) as cli:
        judge_links(cli, [x], "rejected")
    events = len(history(app_store, 1000))
    result = judge_in_queue(app_store, [x], "confirmed")
    assert result.done == ()
    assert result.elsewhere == {x: "rejected"}
    assert statuses(app_store)[x] == "rejected"
    assert len(history(app_store, 1000)) == events  # nothing logged: nothing to undo
    assert queue_progress(app_store).line() == "1 of 5 reviewed"  # judged by the CLI


def test_a_bulk_verdict_judges_only_the_pairs_still_suggested_and_undo_leaves_the_rest(
    path: Path, app_store: Store
):
    x, y, z = queue_order(app_store)[:3]
    with open_store(path) as cli:
        judge_links(cli, [y], "rejected")
    result = judge_in_queue(app_store, [x, y, z], "confirmed")
    assert result.done == (x, z)
    assert result.elsewhere == {y: "rejected"}
    now = statuses(app_store)
    assert (now[x], now[y], now[z]) == ("confirmed", "rejected", "confirmed")
    undo(app_store)  # the queue's step, the newest one
    now = statuses(app_store)
    assert (now[x], now[y], now[z]) == ("suggested", "rejected", "suggested")


def test_a_pair_relinked_away_is_reported_gone_and_the_others_are_judged(app_store: Store):
    x, y = queue_order(app_store)[:2]
    result = judge_in_queue(app_store, [x, "no-such-link"], "rejected")
    assert result.done == (x,)
    assert result.elsewhere == {"no-such-link": "gone"}
    assert statuses(app_store)[y] == "suggested"


def test_a_skip_leaves_a_pair_judged_elsewhere_unmarked(path: Path, app_store: Store):
    x = queue_order(app_store)[0]
    with open_store(path) as cli:
        judge_links(cli, [x], "rejected")
        result = skip_in_queue(app_store, [x])
        assert result.elsewhere == {x: "rejected"}
        undo(cli)  # the rejection: the pair is a suggestion again, and was never skipped
    assert queue_progress(app_store).line() == "0 of 5 reviewed"


def test_undo_and_redo_leave_a_link_whose_status_was_changed_outside_the_log(
    path: Path, app_store: Store
):
    x, y = queue_order(app_store)[:2]
    judge_in_queue(app_store, [x, y], "confirmed")
    # Another program writes the file without the change log.
    with sqlite3.connect(path) as other:
        other.execute("UPDATE links SET status = 'rejected' WHERE id = ?", [y])
    other.close()
    undo(app_store)
    now = statuses(app_store)
    assert (now[x], now[y]) == ("suggested", "rejected")
    redo(app_store)
    now = statuses(app_store)
    assert (now[x], now[y]) == ("confirmed", "rejected")
