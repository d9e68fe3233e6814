"""Writers take turns: a long run of transactions (an import) lets a waiting writer in.

Two connections to one file, as the app and a `sidenote import` would have. The
import-like run commits transaction after transaction with nothing between them;
SQLite alone would leave the other writer retrying on its back-off schedule until
the run was over (measured: up to 0.7 s per tag during a 3 s import).
"""

from __future__ import annotations

import contextlib
import threading
import time

from store import open_store
from store.db import write_queue as write_queue_module
from store.db.write_queue import WriteQueue
from store.importing.ingest import import_paths
from tests.fake_clock import FakeClock

RUN_LENGTH = 150  # transactions in the import-like run
WAITED_AT = 10  # the run's transaction during which the other writer starts waiting
# Only turns a hang into a failure.
HANG_SECONDS = 120


def _wait_until(condition, what: str) -> None:
    """Wait for a state another thread or process reaches (not for a time)."""
    deadline = time.monotonic() + HANG_SECONDS
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.001)


def _bulk_run(path, inside: threading.Event) -> None:
    with open_store(path) as store, contextlib.closing(WriteQueue(str(path))) as probe:
        for index in range(RUN_LENGTH):
            store.let_waiting_writers_in()
            with store.transaction() as db:
                db.execute("INSERT INTO settings (key, value) VALUES (?, 'bulk')", [f"bulk{index}"])
                if index == WAITED_AT:
                    # Hold the lock until the other writer has found it taken and waits.
                    inside.set()
                    _wait_until(probe.someone_waiting, "the other writer waits for the lock")


def test_a_waiting_writer_gets_in_between_two_transactions_of_a_long_run(tmp_path, monkeypatch):
    # The run steps aside for as long as the writer waits, however busy the machine:
    # the cap (for a writer stuck on another program's lock) is tested on its own below.
    monkeypatch.setattr(write_queue_module, "STEP_ASIDE_SECONDS", HANG_SECONDS)
    path = tmp_path / "turns.db"
    open_store(path).close()
    inside = threading.Event()
    bulk = threading.Thread(target=_bulk_run, args=(path, inside))
    bulk.start()
    assert inside.wait(HANG_SECONDS)
    with open_store(path) as writer, writer.transaction() as db:
        db.execute("INSERT INTO settings (key, value) VALUES ('tag', 'writer')")
    bulk.join(HANG_SECONDS)
    with open_store(path) as store:
        order = [r[0] for r in store.db.execute("SELECT key FROM settings ORDER BY rowid")]
    assert order.count("tag") == 1 and len(order) - order.index("bulk0") == RUN_LENGTH + 1
    # The run finished the transaction it was in, then let the writer in: not the
    # other ~140 first.
    assert order.index("tag") == order.index(f"bulk{WAITED_AT}") + 1, order


def test_someone_waiting_is_seen_from_another_connection_and_ends_with_the_wait(tmp_path):
    path = str(tmp_path / "signal.db")
    waiter, importer = WriteQueue(path), WriteQueue(path)
    try:
        assert not importer.someone_waiting()
        with waiter.waiting():
            assert importer.someone_waiting()
            assert importer.someone_waiting()  # probing does not take the wait over
        assert not importer.someone_waiting()
    finally:
        waiter.close()
        importer.close()


def test_stepping_aside_has_a_limit(tmp_path, monkeypatch):
    """A writer stuck waiting for another program's lock must not stop an import."""
    clock = FakeClock()
    monkeypatch.setattr(write_queue_module, "time", clock)
    path = str(tmp_path / "stuck.db")
    waiter, importer = WriteQueue(path), WriteQueue(path)
    try:
        with waiter.waiting():
            assert importer.step_aside() is True
            limit = write_queue_module.STEP_ASIDE_SECONDS
            # It waited out the limit, and not one retry longer.
            assert limit <= clock.now <= limit + write_queue_module.RETRY_SECONDS
        assert importer.step_aside() is False
    finally:
        waiter.close()
        importer.close()


def test_where_the_signal_file_cannot_be_made_nothing_waits_and_nothing_fails(tmp_path):
    """A folder the signal file cannot be created in: writers fall back to SQLite's
    own retries, and an import never steps aside."""
    queue = WriteQueue(str(tmp_path / "missing-folder" / "plain.db"))
    with queue.waiting():
        assert not queue.someone_waiting()
    assert queue.step_aside() is False
    queue.close()


def test_an_import_nobody_waited_for_leaves_no_file_beside_the_database(tmp_path):
    path = tmp_path / "quiet.db"
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("Title\n\nOne sentence here. Another one there.\n")
    with open_store(path) as store:
        assert import_paths(store, [tmp_path / "in"]).ok
    assert not (tmp_path / "quiet.db-writers").exists()
