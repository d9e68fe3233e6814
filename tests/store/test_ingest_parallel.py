"""Large imports: pages parsed in a worker process, the log checkpointed off-thread.

The command line imports with `parallel=True`; from `PARALLEL_MIN_FILES` files on,
pages are prepared in a worker process while this one stores them. What the user
gets must not depend on that: the same articles, sentences, messages and order.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from store import SidenoteError, open_store
from store.importing import ingest
from store.importing.ingest import PARALLEL_MIN_FILES, import_paths

PARAGRAPH = ("The minister said on Monday that talks with {n} neighbours would resume. "
             "Critics called the plan (number {n}) vague, and the U.S. envoy agreed.")


def write_corpus(folder: Path) -> list[Path]:
    """More files than the parallel threshold, with a few the importer must refuse."""
    paths = []
    for n in range(PARALLEL_MIN_FILES + 16):
        path = folder / f"{n:03d}.txt"
        if n == 7:
            path.write_bytes(b"")  # empty
        elif n == 30:
            path.write_bytes(b"\x00\x01\x02binary\x00" * 10)
        elif n == 41:
            path.write_bytes("Caf\xe9 talks resume in Vienna.\n".encode("cp1252"))  # warning
        else:
            body = "\n".join(PARAGRAPH.format(n=n + k) for k in range(3))
            path.write_text(f"Headline {n}\n" + body, encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, list[Path]]:
    """A folder of pages (see `write_corpus`) and the pages in import order."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    return folder, write_corpus(folder)


def contents(db_path: Path) -> tuple[list, list]:
    with open_store(db_path) as store:
        documents = list(store.db.execute(
            "SELECT id, title, text, origin FROM documents ORDER BY rowid"))
        sentences = list(store.db.execute(
            'SELECT doc_id, idx, start, "end" FROM sentences ORDER BY doc_id, idx'))
    return documents, sentences


def test_a_parallel_import_gives_what_a_serial_one_gives(tmp_path: Path, corpus) -> None:
    folder, _ = corpus
    reports = {}
    for mode in ("serial", "parallel"):
        with open_store(tmp_path / f"{mode}.db") as store:
            reports[mode] = import_paths(store, [folder], parallel=mode == "parallel")
    serial, parallel = reports["serial"], reports["parallel"]
    assert parallel.as_dict() == serial.as_dict()
    assert parallel.added == PARALLEL_MIN_FILES + 16 - 2
    assert len(parallel.errors) == 2 and len(parallel.warnings) == 1
    assert contents(tmp_path / "parallel.db") == contents(tmp_path / "serial.db")


def test_a_bug_while_parsing_in_the_worker_reaches_the_importer(
    tmp_path: Path, corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, paths = corpus
    broken = paths[50]
    prepare = ingest.prepare_file

    def buggy(path: Path, encoding: str | None = None):
        if path == broken:
            raise RuntimeError("a bug in the parser")
        return prepare(path, encoding)

    monkeypatch.setattr(ingest, "prepare_file", buggy)  # the forked worker inherits it
    with open_store(tmp_path / "x.db") as store:
        with pytest.raises(RuntimeError, match="a bug in the parser"):
            import_paths(store, [folder], parallel=True)
        # every file before the broken one landed whole, nothing after it
        stored = {row[0] for row in store.db.execute("SELECT origin FROM documents")}
    assert len(stored) == 50 - 2  # files 0-49 less the empty and the binary one
    assert not any(broken.name in origin for origin in stored)


def test_a_bulk_import_restores_the_checkpoint_setting_and_stops_its_thread(
    tmp_path: Path, corpus
) -> None:
    folder, _ = corpus
    with open_store(tmp_path / "x.db") as store:
        before = store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        import_paths(store, [folder], parallel=True)
        after = store.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
        count = store.document_count()
    assert after == before
    assert count == PARALLEL_MIN_FILES + 16 - 2
    assert not [t for t in threading.enumerate() if t.name == "sidenote-checkpointer"]


def test_a_worker_that_dies_is_one_clear_error_and_earlier_files_stay(
    tmp_path: Path, corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, paths = corpus
    prepare = ingest.prepare_file

    def dying(path: Path, encoding: str | None = None):
        if path == paths[20]:
            os._exit(3)  # as if the system killed the worker
        return prepare(path, encoding)

    monkeypatch.setattr(ingest, "prepare_file", dying)
    with open_store(tmp_path / "x.db") as store:
        with pytest.raises(SidenoteError) as caught:
            import_paths(store, [folder], parallel=True)
        count = store.document_count()
    message = str(caught.value)
    assert "\n" not in message and "020.txt" in message
    assert "stopped unexpectedly (exit code 3)" in message
    assert count == 20 - 1  # files 0-19, less the empty one


def test_a_worker_that_closes_the_pipe_before_it_exits_still_gives_its_exit_code(
    tmp_path: Path, corpus, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The importer learns of a dead worker from the end of the pipe, which comes a
    # moment before the exit; the worker here holds that moment open, so an exit code
    # read before reaping the worker is always None rather than only sometimes.
    folder, paths = corpus
    prepare = ingest.prepare_file

    def dying_slowly(path: Path, encoding: str | None = None):
        if path == paths[20]:
            os.closerange(3, 1 << 16)  # the pipe among them: the importer sees its end
            time.sleep(0.5)
            os._exit(3)
        return prepare(path, encoding)

    monkeypatch.setattr(ingest, "prepare_file", dying_slowly)
    with open_store(tmp_path / "x.db") as store, pytest.raises(SidenoteError) as caught:
        import_paths(store, [folder], parallel=True)
    assert "stopped unexpectedly (exit code 3)" in str(caught.value)
