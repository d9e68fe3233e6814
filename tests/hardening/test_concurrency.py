"""Several programs on one database at once: no lost writes, no "database is locked".

Processes, not threads: two annotating processes (driver.py write, through the
same store functions the app uses) and a `sidenote import` of a folder, all on
one file at the same moment. Every write each writer was told succeeded is in
the database with the state it reported; nobody sees an error. (Two *app*
instances are covered at the Pilot level in tests/tui.)
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import threading
from itertools import pairwise

import pytest

from store import StoreError, create_annotation, open_store
from store.db.write_queue import WriteQueue
from store.importing.ingest import import_paths, prepare_file

from .checks import assert_consistent
from .conftest import SEEDS
from .corpus import write_pool
from .ledger import DRIVER, expected_after, read_report

WRITERS = 2
WRITES_EACH = 250
# Files at the start of the import that wait until every writer waits for the lock:
# each is followed by a commit of every writer (driver.py `import_in_rounds`).
ROUNDS = 10
# Only turns a hang into a failure.
HANG_SECONDS = 300


def test_two_writers_and_an_import_lose_nothing(tmp_path, figures):
    db = tmp_path / "shared.db"
    with open_store(db) as store:
        assert import_paths(store, [SEEDS]).ok
    pool = tmp_path / "pool"
    write_pool(pool, seed=7, files=200, big_chars=300_000)
    stop = tmp_path / "stop"
    writers = [
        subprocess.Popen(
            [sys.executable, str(DRIVER), "write", str(db), str(seed), str(WRITES_EACH), str(stop)],
            stdout=subprocess.PIPE,
            stderr=(tmp_path / f"writer{seed}.err").open("w"),
            text=True,
            env={**os.environ, "SIDENOTE_ANNOTATOR": f"writer{seed}"},
        )
        for seed in range(WRITERS)
    ]
    # The import starts once both writers are writing, and they go on writing
    # until it is over: the three really run at the same time.
    for writer in writers:
        assert writer.stdout.readline().startswith("OPEN ")
    # Their output is read as it comes: a writer whose pipe is full blocks on its
    # next print, and would look as if the database had kept it waiting.
    rests = [_read_in_background(writer.stdout) for writer in writers]
    # `sidenote import --json POOL`, whose first files meet the writers (see ROUNDS).
    importer = subprocess.Popen(
        [sys.executable, str(DRIVER), "import", str(db), str(pool), str(ROUNDS)]
        + [str(seed) for seed in range(WRITERS)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    imported, import_errors = importer.communicate(timeout=HANG_SECONDS)
    stop.touch()
    outputs = []
    for seed, (writer, rest) in enumerate(zip(writers, rests, strict=True)):
        writer.wait(timeout=HANG_SECONDS)
        out = rest()  # the rest, after the line read above
        outputs.append((out, (tmp_path / f"writer{seed}.err").read_text()))

    longest = 0.0
    for writer, (out, err) in zip(writers, outputs, strict=True):
        assert writer.returncode == 0 and err == "", err
        last = out.splitlines()[-1]
        assert last.startswith("DONE "), out[-500:]
        longest = max(longest, json.loads(last[5:])["longest_seconds"])
    assert importer.returncode == 0 and import_errors == "", import_errors
    summary = json.loads(imported)

    final = assert_consistent(db)
    reported = 0
    for out, _ in outputs:
        report = read_report(out)
        assert not report.errors and report.in_flight is None
        for key, state in expected_after(report).items():
            assert final.state(key) == state, f"{key}: reported {state}, stored {final.state(key)}"
            reported += 1
    expected_docs = {d.id for path in pool.iterdir() for d in prepare_file(path).documents}
    assert expected_docs <= final.documents
    assert summary["added"] + summary["unchanged"] == len(summary["documents"])

    switches, during_import = _interleaving(db)
    # The writers really wrote at the same time: their commits alternate. (They
    # write from before the import starts until after it ends, by construction, and
    # both commit in each of the ROUNDS, so these hold on any machine.)
    assert switches >= ROUNDS
    # And they were not held until the import was over: an import steps aside
    # between two files for a writer that waits (store/db/write_queue.py).
    assert during_import >= ROUNDS
    figures.update(
        writers=WRITERS,
        writes_each=WRITES_EACH,
        annotations_checked=reported,
        documents_imported=summary["added"],
        writer_switches=switches,
        writer_commits_during_import=during_import,
        longest_wait_seconds=longest,
        writes_lost=0,
        locked_errors=0,
    )


def _read_in_background(stream):
    """Read `stream` to its end in a thread; returns a function giving all it read."""
    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.append(stream.read()), daemon=True)
    reader.start()

    def rest() -> str:
        reader.join(timeout=HANG_SECONDS)
        return "".join(chunks)

    return rest


def _interleaving(db) -> tuple[int, int]:
    """How often the committing writer changed, and how many writer commits fell
    between the import's first and last document."""
    with contextlib.closing(sqlite3.connect(db)) as conn:
        actors = [r[0] for r in conn.execute("SELECT actor FROM events ORDER BY seq")]
        first, last = conn.execute(
            "SELECT min(imported_at), max(imported_at) FROM documents WHERE origin LIKE '%gen%'"
        ).fetchone()
        during = conn.execute(
            "SELECT count(*) FROM events WHERE at BETWEEN ? AND ?", [first, last]
        ).fetchone()[0]
    switches = sum(1 for a, b in pairwise(actors) if a != b)
    return switches, during


def test_write_transactions_take_the_write_lock_when_they_begin(tmp_path):
    """A transaction that reads and then writes must not fail at its first write
    because another process committed in between (SQLITE_BUSY_SNAPSHOT, reported
    at once as "database is locked", busy timeout or not). So every write
    transaction begins with the write lock: while one is open, another writer
    cannot even begin."""
    path = tmp_path / "lock.db"
    with open_store(path) as store, store.transaction() as db:
        db.execute("SELECT count(*) FROM documents").fetchone()
        with contextlib.closing(sqlite3.connect(path, timeout=0)) as other:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            # Readers are not blocked (WAL).
            assert other.execute("SELECT count(*) FROM documents").fetchone() == (0,)


def test_a_read_then_write_waits_for_a_concurrent_writer_instead_of_failing(
    tmp_path, monkeypatch
):
    """The scenario that lost most writes before the fix, made deterministic: a
    writer commits while another connection's change group is between its read
    and its write. The second one must wait for the lock and succeed."""
    path = tmp_path / "race.db"
    with open_store(path) as first:
        from store.documents import NewDocument, add_document

        with first.transaction() as db:
            doc_id, _ = add_document(
                db, NewDocument(text="Alpha beta gamma. Delta epsilon.", title="t")
            )
    # Set once the other writer has either found the lock taken and waits for it, or
    # finished (as it could with a deferred BEGIN): no time window to guess.
    settled = threading.Event()
    store_waiting = WriteQueue.waiting

    @contextlib.contextmanager
    def waiting(queue):
        with store_waiting(queue):
            settled.set()
            yield

    monkeypatch.setattr(WriteQueue, "waiting", waiting)
    results: dict[str, object] = {}
    with open_store(path) as a, open_store(path) as b:
        entered = threading.Event()

        def other_writer() -> None:
            entered.wait(HANG_SECONDS)
            try:
                results["b"] = create_annotation(b, doc_id, 0, 5, "claim").id
            except StoreError as error:  # what the user would see
                results["b"] = error
            finally:
                settled.set()

        thread = threading.Thread(target=other_writer)
        thread.start()
        with a.transaction() as db:
            db.execute("SELECT count(*) FROM annotations").fetchone()
            entered.set()
            # The other writer tries to write in between, as it would with a
            # deferred BEGIN; with the lock held it can only wait.
            assert settled.wait(HANG_SECONDS)
            results["b_finished_inside"] = not thread.is_alive()
            a.set_setting("written after the read", True)
        thread.join(HANG_SECONDS)
    assert not isinstance(results["b"], Exception), results["b"]
    assert results["b_finished_inside"] is False
    with open_store(path) as store:
        assert [n.id for n in store.annotations()] == [results["b"]]
        assert store.setting("written after the read") is True


def test_programs_opening_a_new_database_at_once_all_succeed(tmp_path, figures):
    """The app and an import started together on a new database: both upgrade it
    from nothing, but only one may, and the other must simply find it done."""
    opened = 0
    for attempt in range(3):
        path = tmp_path / f"new{attempt}.db"
        # Each program loads Sidenote, says so, and opens the database when told:
        # all three open at once however long their start-up took.
        code = (
            "import sys; from store import open_store; "
            "print('ready', flush=True); sys.stdin.readline(); "
            f"open_store({str(path)!r}).close(); print('ok')"
        )
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", code],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        for proc in procs:
            assert proc.stdout.readline() == "ready\n", proc.stderr.read()
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for proc in procs:
            out, err = proc.communicate(timeout=HANG_SECONDS)
            assert (out, err) == ("ok\n", ""), err
            opened += 1
        assert_consistent(path)
    figures.update(simultaneous_first_opens=opened)
