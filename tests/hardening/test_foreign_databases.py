"""A database is only changed when it is ours and we may.

`--db` pointed at another program's SQLite file, at a database from a newer
Sidenote, or at a database in a folder the user cannot write to: Sidenote refuses
(or only reads) before it writes anything, so the file is left byte for byte as it
was, with the same modification time and nothing new beside it.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from store import create_annotation, open_store
from store.db.migrations import SCHEMA_VERSION
from store.importing.ingest import import_paths
from tui.cli.main import cli

from .test_damaged_databases import ONE_SEED, OTHER_SEED, _without_privileges, run_unprivileged

THIRD_SEED = sorted(ONE_SEED.parent.glob("002_*.txt"))[0]
FOREIGN = (
    "not a Sidenote database (it holds another program's tables); "
    "--db must name a Sidenote database or a new file"
)


def sidenote(path: Path | str, *args: str):
    return CliRunner().invoke(cli, ["--db", str(path), *args])


def seed_ids() -> list[str]:
    """The ids of the articles in ONE_SEED (an aggregator page: several articles)."""
    with open_store(":memory:") as scratch:
        assert import_paths(scratch, [ONE_SEED]).ok
        return scratch.document_ids()


def listed_ids(result) -> list[str]:
    return [line.split()[0] for line in result.stdout.splitlines()]


def folder_state(folder: Path) -> dict[str, tuple[bytes, int] | None]:
    """Every file of the folder: its bytes and modification time. Of a -shm file
    only that it is there: it is SQLite's shared memory, in which every reader of a
    WAL database, even a read-only one, marks what it reads."""
    return {
        p.name: None if p.name.endswith("-shm") else (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
    }


def journal_mode(path: Path) -> str:
    """The journal mode written in the file's header (bytes 18-19: 1 rollback, 2 WAL),
    read without opening the database, which could change it."""
    header = path.read_bytes()[:20]
    return {b"\x01\x01": "rollback", b"\x02\x02": "wal"}[header[18:20]]


# -- another program's database ------------------------------------------------------


def make_foreign(path: Path, mode: str) -> None:
    """A small database of some other program: a `notes` table with rows."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        if mode == "wal":
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.executemany("INSERT INTO notes (body) VALUES (?)", [("milk",), ("eggs",)])
        conn.commit()
    assert journal_mode(path) == mode


@pytest.mark.parametrize("mode", ["rollback", "wal"])
@pytest.mark.parametrize(
    "command",
    [["docs"], ["search", "milk"], ["export"], ["stats"], ["import", str(ONE_SEED)], ["undo"]],
)
def test_another_programs_database_is_refused_and_left_alone(tmp_path, mode, command):
    path = tmp_path / "other-app.db"
    make_foreign(path, mode)
    before = folder_state(tmp_path)
    result = sidenote(path, *command)
    assert result.exit_code == 1, result.output
    assert result.stderr == f"sidenote: {path}: {FOREIGN}\n"
    assert result.stdout == ""
    assert folder_state(tmp_path) == before
    assert journal_mode(path) == mode


def test_an_empty_file_and_a_database_without_tables_count_as_new(tmp_path):
    """Neither holds anything to lose: `--db` may name them to start a new database."""
    empty = tmp_path / "empty.db"
    empty.touch()
    bare = tmp_path / "bare.db"
    with contextlib.closing(sqlite3.connect(bare)) as conn:
        conn.execute("VACUUM")  # writes the header: an SQLite file with no tables
    assert bare.read_bytes()[:16] == b"SQLite format 3\x00"
    for path in (empty, bare):
        result = sidenote(path, "import", str(ONE_SEED))
        assert result.exit_code == 0, result.output
        assert listed_ids(sidenote(path, "docs")) == seed_ids()


# -- a newer Sidenote's database -----------------------------------------------------


def test_a_newer_database_in_rollback_mode_is_refused_before_any_write(tmp_path):
    path = tmp_path / "newer.db"
    with open_store(path) as store:
        assert import_paths(store, [ONE_SEED]).ok
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        conn.commit()
    before = folder_state(tmp_path)
    for command in (["docs"], ["search", "the"], ["import", str(OTHER_SEED)], ["undo"]):
        result = sidenote(path, *command)
        assert result.exit_code == 1, command
        assert result.stderr == (
            f"sidenote: {path}: made by a newer Sidenote (schema {SCHEMA_VERSION + 1}, this "
            f"version knows {SCHEMA_VERSION}); upgrade Sidenote to open it\n"
        )
        assert folder_state(tmp_path) == before, command
    assert journal_mode(path) == "rollback"


def test_a_database_without_tables_but_a_newer_version_is_refused_untouched(tmp_path):
    """No tables, but the header's version says a newer Sidenote made it: it is not
    a blank file to start afresh in, and it must not even be switched to WAL."""
    path = tmp_path / "u2.db"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 2}")
    before = folder_state(tmp_path)
    for command in (["docs"], ["import", str(ONE_SEED)]):
        result = sidenote(path, *command)
        assert result.exit_code == 1, command
        assert result.stderr == (
            f"sidenote: {path}: made by a newer Sidenote (schema {SCHEMA_VERSION + 2}, this "
            f"version knows {SCHEMA_VERSION}); upgrade Sidenote to open it\n"
        )
        assert folder_state(tmp_path) == before, command
    assert journal_mode(path) == "rollback"


def test_a_schema_step_this_version_does_not_know_means_a_newer_sidenote(tmp_path):
    """A newer Sidenote records its steps in `_sqlite_migrations`; one step we do not
    know is enough to refuse, whatever the header's version says."""
    path = tmp_path / "future.db"
    with open_store(path) as store:
        assert import_paths(store, [ONE_SEED]).ok
    doc_id = seed_ids()[0]
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
        conn.execute(
            "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
            "VALUES ('sidenote', 'm099_future', '2030-01-01')"
        )
        conn.commit()
    before = folder_state(tmp_path)
    for command in (["docs"], ["annotate", doc_id, "--label", "claim", "--span", "0:5"]):
        result = sidenote(path, *command)
        assert result.exit_code == 1, command
        assert result.stderr == (
            f"sidenote: {path}: made by a newer Sidenote (it has the schema step "
            "m099_future, which this version does not know); upgrade Sidenote to open it\n"
        )
        assert result.stdout == ""
        assert folder_state(tmp_path) == before, command
    assert journal_mode(path) == "rollback"


def test_a_migrations_table_of_another_shape_is_another_programs(tmp_path):
    """A table that merely shares sqlite-utils' name is no record of Sidenote's steps."""
    path = tmp_path / "mig.db"
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.executescript("CREATE TABLE _sqlite_migrations (x); CREATE TABLE documents (id);")
    before = folder_state(tmp_path)
    result = sidenote(path, "docs")
    assert result.exit_code == 1, result.output
    assert result.stderr == f"sidenote: {path}: {FOREIGN}\n"
    assert folder_state(tmp_path) == before


# -- a database in a folder the user cannot write to -----------------------------------

READ_COMMANDS = [
    ["docs"], ["search", "minister"], ["export"], ["stats"], ["history"], ["links"],
    ["quotes", "--all"],
]


def _leave_wal_behind(path: Path, doc_id: str) -> None:
    """Annotate in a process that dies without closing the database, as a crash
    does: the annotation is committed but only in the -wal file, beside -shm."""
    script = (
        "import os\n"
        "from store import open_store, create_annotation\n"
        f"store = open_store({str(path)!r})\n"
        "store.db.execute('PRAGMA wal_autocheckpoint = 0')\n"
        f"create_annotation(store, {doc_id!r}, 0, 7, 'quote', note='only in the log')\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=Path(__file__).parents[2])


@pytest.fixture(
    scope="module", params=["rollback", "wal", "wal with -wal and -shm", "read-only files"]
)
def locked_folder(request, tmp_path_factory) -> Path:
    """A Sidenote database with two articles and an annotation, in a folder of mode
    0555; yields the database path. Variants: the file in rollback mode; in WAL mode
    closed cleanly (no -wal, -shm); in WAL mode with a committed annotation still in
    the -wal left by a crash; and the files themselves 0444 too. The tests below
    check that they leave it as it was, so they share it."""
    folder = tmp_path_factory.mktemp("locked")
    path = folder / "sidenote.db"
    with open_store(path) as store:
        assert import_paths(store, [ONE_SEED, OTHER_SEED]).ok
        doc_id = store.document_ids()[0]
        create_annotation(store, doc_id, 10, 20, "claim", note="kept")
    if request.param == "rollback":
        with contextlib.closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA journal_mode = DELETE")
    elif request.param == "wal with -wal and -shm":
        _leave_wal_behind(path, doc_id)
        assert {p.name for p in folder.iterdir()} >= {"sidenote.db-wal", "sidenote.db-shm"}
    elif request.param == "read-only files":
        _leave_wal_behind(path, doc_id)
        for file in folder.iterdir():
            file.chmod(0o444)
    folder.chmod(0o555)
    yield path
    folder.chmod(0o755)


def on_a_writable_copy(path: Path, tmp_path: Path, command: list[str]) -> tuple[str, str]:
    """What the command prints (stdout, stderr) on a writable copy of the database."""
    copy = tmp_path / "copy"
    if not copy.exists():
        shutil.copytree(path.parent, copy)
        for file in (copy, *copy.iterdir()):
            file.chmod(0o755 if file.is_dir() else 0o644)
    named = str(copy / path.name)
    result = sidenote(named, *command)
    assert result.exit_code == 0, result.output
    return result.stdout.replace(named, str(path)), result.stderr.replace(named, str(path))


def test_the_privilege_drop_binds_folders_too(tmp_path):
    """Guard for the tests below: the child cannot create a file in a 0555 folder."""
    folder = tmp_path / "probe"
    folder.mkdir()
    folder.chmod(0o555)
    probe = subprocess.run(
        [sys.executable, "-c", f"open({str(folder / 'x')!r}, 'w')"],
        capture_output=True,
        text=True,
        preexec_fn=_without_privileges,
    )
    folder.chmod(0o755)
    assert probe.returncode == 1 and "PermissionError" in probe.stderr


def test_reading_works_in_a_read_only_folder(locked_folder, tmp_path):
    """Each read command prints what it prints on a writable copy, and the folder is
    left as it was. A committed annotation still in the -wal file is part of the
    database: a reader that ignored the log (SQLite's `immutable`) would not show it."""
    before = folder_state(locked_folder.parent)
    for command in READ_COMMANDS:
        result = run_unprivileged(locked_folder, *command)
        assert result.returncode == 0, (command, result.stderr)
        assert (result.stdout, result.stderr) == on_a_writable_copy(
            locked_folder, tmp_path, command
        ), command
        if command == ["export"]:
            notes = sorted(json.loads(line)["note"] for line in result.stdout.splitlines())
        assert folder_state(locked_folder.parent) == before, command
    if locked_folder.with_name("sidenote.db-wal").exists():
        assert notes == ["kept", "only in the log"]
    else:
        assert notes == ["kept"]


def test_writing_in_a_read_only_folder_fails_in_one_line(locked_folder):
    before = folder_state(locked_folder.parent)
    doc_id = seed_ids()[0]
    for command in (
        ["import", str(THIRD_SEED)],
        ["annotate", doc_id, "--label", "claim", "--span", "0:5"],
        ["undo"],
    ):
        result = run_unprivileged(locked_folder, *command)
        assert result.returncode == 1 and result.stdout == "", command
        assert len(result.stderr.splitlines()) == 1, result.stderr
        assert result.stderr.startswith(f"sidenote: {locked_folder}: ")
        assert "read-only" in result.stderr
        assert folder_state(locked_folder.parent) == before, command


def test_changes_only_in_the_log_without_shared_memory_are_refused_not_hidden(tmp_path):
    """A -wal file holding changes, no -shm, a read-only folder: SQLite can read the
    log only by making a -shm file there. Reading the database file alone would show
    it without those changes, so Sidenote says so in one line instead."""
    folder = tmp_path / "locked"
    folder.mkdir()
    path = folder / "sidenote.db"
    with open_store(path) as store:
        assert import_paths(store, [ONE_SEED]).ok
        doc_id = store.document_ids()[0]
    _leave_wal_behind(path, doc_id)
    path.with_name("sidenote.db-shm").unlink()
    folder.chmod(0o555)
    try:
        before = folder_state(folder)
        result = run_unprivileged(path, "export")
        assert folder_state(folder) == before
    finally:
        folder.chmod(0o755)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"sidenote: {path}: its -wal file holds changes that SQLite can read only with "
        f"write access to the folder {folder}; open it once where it can be written\n"
    )


# -- an empty path -------------------------------------------------------------------


def test_an_empty_db_option_is_an_error_not_the_default_database(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("SIDENOTE_DB", raising=False)
    result = CliRunner().invoke(cli, ["--db", "", "docs"])
    assert (result.exit_code, result.stderr, result.stdout) == (
        1,
        "sidenote: --db: empty path\n",
        "",
    )
    monkeypatch.setenv("SIDENOTE_DB", "")
    result = CliRunner().invoke(cli, ["docs"])
    assert (result.exit_code, result.stderr, result.stdout) == (
        1,
        "sidenote: SIDENOTE_DB: empty path\n",
        "",
    )
    assert not (tmp_path / "data").exists()


def test_the_environment_still_names_the_database(tmp_path, monkeypatch):
    path = tmp_path / "env.db"
    monkeypatch.setenv("SIDENOTE_DB", str(path))
    assert CliRunner().invoke(cli, ["import", str(ONE_SEED)]).exit_code == 0
    assert listed_ids(CliRunner().invoke(cli, ["docs"])) == seed_ids()
