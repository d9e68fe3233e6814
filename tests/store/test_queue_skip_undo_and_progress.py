"""The review queue as seen from two programs on one file: a skip is one undo step,
progress is read from what is stored (the same wherever a verdict was given), and
the log tells this run's steps from another program's."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import judge_links, open_store, queue_order, queue_progress, skip_in_queue
from store.errors import StoreError
from store.history import newest_event, next_undo, outside_steps, redo, undo
from tests.store.test_review_queue import linked_corpus, statuses


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "s.sqlite"
    with open_store(path) as store:
        linked_corpus(store)
    return path


def test_a_skip_is_one_undo_step_and_undo_right_after_it_takes_back_the_skip(path: Path):
    with open_store(path) as store:
        first, second, *_ = queue_order(store)
        judge_links(store, [second], "confirmed")  # an older, unrelated step
        skip_in_queue(store, [first])
        assert queue_progress(store).line() == "2 of 5 reviewed"
        change = undo(store)
        assert change is not None and change.description == "skip 1 link"
        assert statuses(store)[second] == "confirmed"  # the older verdict stands
        assert queue_progress(store).line() == "1 of 5 reviewed"
        assert queue_order(store)[0] == first
        redo(store)
        assert queue_progress(store).line() == "2 of 5 reviewed"


def test_undoing_a_skip_of_a_pair_relinking_removed_since_does_nothing_to_it(path: Path):
    with open_store(path) as store:
        first = queue_order(store)[0]
        skip_in_queue(store, [first])
        undo(store)
        store.db.execute("DELETE FROM links WHERE id = ?", [first])  # as relinking does
        assert redo(store) is not None  # no mark for a link that is gone, no error
        assert store.db.execute("SELECT count(*) FROM review_marks").fetchone()[0] == 0


def test_progress_is_the_same_from_every_program_and_an_outside_verdict_never_lowers_it(
    path: Path,
):
    with open_store(path) as app, open_store(path) as cli:
        first, second, third, *_ = queue_order(app)
        skip_in_queue(app, [first])
        assert queue_progress(app).line() == "1 of 5 reviewed"
        judge_links(cli, [second], "rejected")  # `sidenote links reject` in another shell
        assert queue_progress(app).line() == "2 of 5 reviewed"
        judge_links(cli, [first], "confirmed")  # the CLI accepts the skipped pair
        assert queue_progress(app).line() == "2 of 5 reviewed"
        judge_links(cli, [third], "confirmed")
        assert queue_progress(app) == queue_progress(cli)
        assert queue_progress(app).line() == "3 of 5 reviewed"


def test_the_next_undo_says_whether_this_run_made_it(path: Path):
    with open_store(path) as app, open_store(path) as cli:
        first, second, *_ = queue_order(app)
        judge_links(app, [first], "confirmed")
        step = next_undo(app)
        assert step is not None and step.own
        seq = newest_event(app)
        judge_links(cli, [second], "confirmed")
        step = next_undo(app)
        assert step is not None and not step.own and step.description == "accept 1 link"
        assert step.title == next_undo(cli).title and step.title
        assert outside_steps(app, seq) == ["accept 1 link"]
        undo(cli)  # the command line takes its own step back
        assert outside_steps(app, seq) == ["accept 1 link", "undid accept 1 link"]
        assert next_undo(app).own  # the app's verdict is the newest step again


def test_an_undo_asked_about_one_step_does_not_undo_a_newer_one(path: Path):
    with open_store(path) as app, open_store(path) as cli:
        first, second, *_ = queue_order(app)
        judge_links(app, [first], "confirmed")
        asked = next_undo(app)
        judge_links(cli, [second], "rejected")  # while the question is on screen
        with pytest.raises(StoreError, match="another program changed"):
            undo(app, only=asked.group_id)
        assert (statuses(app)[first], statuses(app)[second]) == ("confirmed", "rejected")
