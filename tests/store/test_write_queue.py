"""Writers take turns: a long run of transactions (an import) lets a waiting writer in.

Two connections to one file, as the app and a `sidenote import` would have. The
import-like run commits transaction after transaction with nothing between them;
SQLite alone would leave the other writer retrying on its back-off schedule until
the run was over (measured: up to 0.7 s per tag during a 3 s import).
"""

from __future__ import annotations

import threading
import time

from store import open_store
from store import write_queue as write_queue_module
from store.ingest import import_paths
from store.write_queue import WriteQueue

RUN_LENGTH = 150  # transactions in the import-like run, ~5 ms each


def _bulk_run(path, started: threading.Event) -> None:
    with open_store(path) as store:
        for index in range(RUN_LENGTH):
            store.let_waiting_writers_in()
            with store.transaction() as db:
                db.execute("INSERT INTO settings (key, value) VALUES (?, 'bulk')", [f"bulk{index}"])
                time.sleep(0.005)  # the time a file takes to store
            if index == 10:
                started.set()


def test_a_waiting_writer_gets_in_between_two_transactions_of_a_long_run(tmp_path):
    path = tmp_path / "turns.db"
    open_store(path).close()
    started = threading.Event()
    bulk = threading.Thread(target=_bulk_run, args=(path, started))
    bulk.start()
    assert started.wait(30)
    with open_store(path) as writer:
        count = "SELECT count(*) FROM settings WHERE value = 'bulk'"
        before = writer.db.execute(count).fetchone()[0]  # committed when the wait began
        with writer.transaction() as db:
            db.execute("INSERT INTO settings (key, value) VALUES ('tag', 'writer')")
    bulk.join(60)
    with open_store(path) as store:
        order = [r[0] for r in store.db.execute("SELECT key FROM settings ORDER BY rowid")]
    bulk_before_tag = order.index("tag") - order.index("bulk0")
    assert order.count("tag") == 1 and len(order) - order.index("bulk0") == RUN_LENGTH + 1
    # The run had finished at most the transaction it was in, and perhaps the next
    # one it had already begun, when the writer got its turn: not the other ~140.
    assert bulk_before_tag <= before + 2, (before, bulk_before_tag)


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
    monkeypatch.setattr(write_queue_module, "STEP_ASIDE_SECONDS", 0.2)
    path = str(tmp_path / "stuck.db")
    waiter, importer = WriteQueue(path), WriteQueue(path)
    try:
        with waiter.waiting():
            began = time.monotonic()
            assert importer.step_aside() is True
            assert 0.2 <= time.monotonic() - began < 2
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
