"""Damaged, read-only and locked database files: one clear line, exit 1, no traceback.

Each case goes through the command line as a user runs it, and the file is left
exactly as it was.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import random
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from store import open_store
from store.db import connection
from store.importing.ingest import import_paths
from tests.fake_clock import FakeClock
from tui.cli.main import cli

from .conftest import SEEDS, SIDENOTE

ONE_SEED = SEEDS / "000_b9d1d3dea66b6ad9.txt"
OTHER_SEED = SEEDS / "001_d2d9838aba44a127.txt"


@pytest.fixture(scope="module")
def good_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("damaged") / "good.db"
    with open_store(path) as opened:
        assert import_paths(opened, [ONE_SEED]).ok
    return path


def sidenote(path: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(path), *args])


def assert_one_line(result, path: Path, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stderr == f"sidenote: {path}: {message}\n"
    assert result.stdout == ""


def corrupted(good: Path, target: Path, how: str) -> Path:
    data = good.read_bytes()
    rng = random.Random(how)
    if how == "random bytes after the header":
        data = data[:16] + rng.randbytes(len(data) - 16)
    elif how == "truncated to half":
        data = data[: len(data) // 2]
    elif how == "truncated inside the header":
        data = data[:60]
    elif how == "first page overwritten":
        data = data[:100] + rng.randbytes(4096 - 100) + data[4096:]
    target.write_bytes(data)
    return target


DAMAGE = [
    "random bytes after the header",
    "truncated to half",
    "truncated inside the header",
    "first page overwritten",
]


@pytest.mark.parametrize("how", DAMAGE)
@pytest.mark.parametrize("command", [["docs"], ["import", str(OTHER_SEED)], ["history"]])
def test_a_damaged_file_is_reported_in_one_line(good_db, tmp_path, how, command, figures_count):
    figures_count("damaged files")
    path = corrupted(good_db, tmp_path / "bad.db", how)
    before = raw_bytes(path)
    result = sidenote(path, *command)
    assert_one_line(result, path, "the database file is damaged (not a valid SQLite database)")
    assert raw_bytes(path) == before


def test_damage_inside_the_data_is_one_line_without_traceback(good_db, tmp_path):
    """Pages in the middle of the file overwritten: the schema still reads, so the
    file opens; reading the damaged table then fails with one line, exit 1."""
    data = bytearray(good_db.read_bytes())
    with contextlib.closing(sqlite3.connect(good_db)) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        # The pages of the documents table itself.
        pages = [r[0] for r in conn.execute("SELECT pageno FROM dbstat WHERE name = 'documents'")]
    rng = random.Random(5)
    for page in pages:
        start = (page - 1) * page_size
        data[start : start + page_size] = rng.randbytes(page_size)
    path = tmp_path / "inside.db"
    path.write_bytes(bytes(data))
    result = sidenote(path, "docs")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines == [
        f"sidenote: {path}: the database file is damaged (not a valid SQLite database)"
    ]
    assert "Traceback" not in result.output


def raw_bytes(path: Path) -> bytes:
    return path.read_bytes()


def test_a_file_that_is_not_a_database(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("shopping list\n")
    assert_one_line(sidenote(path, "docs"), path, "not a Sidenote database (not an SQLite file)")
    assert path.read_text() == "shopping list\n"


def test_a_folder_given_as_the_database(tmp_path):
    assert_one_line(sidenote(tmp_path, "docs"), tmp_path, "is a folder, not a database file")


# -- read-only --------------------------------------------------------------------


def _without_privileges() -> None:
    """Run the child as a user whom file permissions bind. Tests may run as root,
    whom chmod does not stop: drop every capability (CAP_DAC_OVERRIDE above all),
    so the child is an ordinary process for the kernel's permission checks."""
    if os.geteuid() == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in range(64):
            libc.prctl(24, capability, 0, 0, 0)  # PR_CAPBSET_DROP: gone after exec


def run_unprivileged(path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SIDENOTE, "--db", str(path), *args],
        capture_output=True,
        text=True,
        preexec_fn=_without_privileges,
        timeout=120,  # only turns a hang into a failure
    )


def test_the_privilege_drop_is_real(tmp_path):
    """Guard for the tests below: a file with mode 0444 cannot be written by the child."""
    path = tmp_path / "probe"
    path.write_text("x")
    path.chmod(0o444)
    probe = subprocess.run(
        [sys.executable, "-c", f"open({str(path)!r}, 'a')"],
        capture_output=True,
        text=True,
        preexec_fn=_without_privileges,
    )
    assert probe.returncode == 1 and "PermissionError" in probe.stderr


@pytest.fixture
def read_only_db(good_db, tmp_path) -> Path:
    path = tmp_path / "ro.db"
    shutil.copy(good_db, path)
    with open_store(path) as opened:
        from store import create_annotation

        doc_id = opened.document_ids()[0]
        create_annotation(opened, doc_id, 0, 5, "claim")
    path.chmod(0o444)
    return path


def test_a_read_only_file_can_be_read_but_not_written(read_only_db):
    before = read_only_db.read_bytes()
    with contextlib.closing(sqlite3.connect(read_only_db)) as conn:
        ids = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY rowid")]
    listed = run_unprivileged(read_only_db, "docs")
    assert listed.returncode == 0 and listed.stderr == ""
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ids
    message = (
        f"sidenote: {read_only_db}: the database file is read-only; Sidenote needs to write to it\n"
    )
    for command in (
        ["import", str(OTHER_SEED)],
        ["undo"],
        ["delete", "--yes", listed.stdout.split()[0]],
    ):
        result = run_unprivileged(read_only_db, *command)
        assert (result.returncode, result.stderr, result.stdout) == (1, message, ""), command
    assert read_only_db.read_bytes() == before


def test_a_read_only_file_that_needs_an_upgrade(good_db, tmp_path):
    from .test_old_databases import make_old_database

    path = tmp_path / "old.db"
    make_old_database(path, 1)
    path.chmod(0o444)
    before = path.read_bytes()
    result = run_unprivileged(path, "docs")
    assert result.returncode == 1
    assert result.stderr == (
        f"sidenote: {path}: the database file is read-only; Sidenote needs to write to it\n"
    )
    assert path.read_bytes() == before
    assert not list(tmp_path.glob("*.backup-*"))


def test_a_database_in_a_read_only_folder(good_db, tmp_path):
    folder = tmp_path / "locked-folder"
    folder.mkdir()
    path = folder / "db.db"
    shutil.copy(good_db, path)
    folder.chmod(0o555)
    try:
        result = run_unprivileged(path, "import", str(OTHER_SEED))
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith(f"sidenote: {path}: ")
    assert "Traceback" not in result.stderr


# -- locked -----------------------------------------------------------------------


@pytest.fixture
def short_busy_timeout(monkeypatch):
    """The busy timeout is 10 s for users; a test need not wait that long."""
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_SECONDS", 0.3)


def test_a_write_while_another_program_holds_the_lock(
    good_db, tmp_path, short_busy_timeout, monkeypatch
):
    path = tmp_path / "busy.db"
    shutil.copy(good_db, path)
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("INSERT INTO settings (key, value) VALUES ('held', '1')")
        clock = FakeClock()  # the wait for the lock, measured exactly on any machine
        monkeypatch.setattr(connection, "time", clock)
        result = sidenote(path, "import", str(OTHER_SEED))
        assert_one_line(
            result, path, "the database is locked by another program; try again when it is done"
        )
        # It retried until the busy timeout, then gave up: not at once, not later.
        assert 0.3 <= clock.now <= 0.3 + connection.RETRY_SECONDS
        # Reading is not blocked by a writer (WAL).
        assert sidenote(path, "docs").exit_code == 0
        holder.execute("ROLLBACK")
    assert sidenote(path, "import", str(OTHER_SEED)).exit_code == 0


def test_opening_while_another_program_holds_the_file_exclusively(
    good_db, tmp_path, short_busy_timeout
):
    path = tmp_path / "exclusive.db"
    shutil.copy(good_db, path)
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as holder:
        holder.execute("PRAGMA locking_mode = EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")
        holder.execute("INSERT INTO settings (key, value) VALUES ('held', '1')")
        holder.execute("COMMIT")  # exclusive locking mode keeps the lock after commit
        result = sidenote(path, "docs")
        assert_one_line(
            result, path, "the database is locked by another program; try again when it is done"
        )
    assert sidenote(path, "docs").exit_code == 0
