"""A command that fails leaves no new database behind: a mistyped --db followed by an
error must not leave an empty file that the next command opens as the user's. Only
what the failing command created goes; anything that was there before, or that holds
what the command stored before it failed, stays."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli.main import cli

from .conftest import SEEDS

ARTICLE = SEEDS / "001_d2d9838aba44a127.txt"


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args])


def names(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


def document_count(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]


@pytest.fixture
def inputs(tmp_path) -> Path:
    """Bad input files, kept apart from the folder the database would be made in."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    # A record of our own format for an article this database does not have.
    (folder / "unknown.jsonl").write_text(
        json.dumps(
            {"doc_id": "d" * 16, "start": 0, "end": 5, "label": "claim", "text": "Hello"}
        )
        + "\n",
        encoding="utf-8",
    )
    # A W3C annotation with no target.
    (folder / "w3c.jsonl").write_text(
        json.dumps({"type": "Annotation", "body": {"value": "claim"}}) + "\n", encoding="utf-8"
    )
    return folder


FAILING = [
    pytest.param(["import-annotations", "{inputs}/unknown.jsonl"], id="import-annotations"),
    pytest.param(
        ["import-annotations", "--from", "w3c", "{inputs}/w3c.jsonl"], id="import-annotations-w3c"
    ),
    pytest.param(["import", "{inputs}/missing.txt"], id="import-missing-file"),
    pytest.param(["delete", "nope"], id="delete-unknown-article"),
    pytest.param(["links", "accept", "zzz"], id="accept-unknown-link"),
]


@pytest.mark.parametrize("command", FAILING)
def test_a_failed_command_on_a_missing_database_leaves_no_file(tmp_path, inputs, command):
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / "e.sqlite"
    result = run(db, *(part.format(inputs=inputs) for part in command))
    assert result.exit_code == 1, result.output
    assert result.output.startswith("sidenote: ") and result.output.count("\n") == 1
    assert names(folder) == set()  # no database, -wal, -shm, -journal or -writers


@pytest.mark.parametrize("command", FAILING)
def test_a_failed_command_keeps_a_database_that_was_there(tmp_path, inputs, command):
    db = tmp_path / "db" / "e.sqlite"
    db.parent.mkdir()
    assert run(db, "import", str(ARTICLE)).exit_code == 0
    result = run(db, *(part.format(inputs=inputs) for part in command))
    assert result.exit_code == 1, result.output
    assert document_count(db) == 1


def test_an_empty_database_that_was_there_is_kept(tmp_path, inputs):
    db = tmp_path / "e.sqlite"
    assert run(db, "link", "--no-meaning").exit_code == 0  # made, and left empty
    assert run(db, "import-annotations", str(inputs / "unknown.jsonl")).exit_code == 1
    assert db.exists() and document_count(db) == 0


def test_files_beside_the_missing_database_that_were_there_stay(tmp_path, inputs):
    folder = tmp_path / "db"
    folder.mkdir()
    db = folder / "e.sqlite"
    side = folder / "e.sqlite.vectors.neighbours.npz"
    side.write_bytes(b"kept")
    assert run(db, "import-annotations", str(inputs / "unknown.jsonl")).exit_code == 1
    assert names(folder) == {side.name}
    assert side.read_bytes() == b"kept"


def test_a_failed_import_keeps_the_new_database_with_the_articles_it_stored(tmp_path):
    db = tmp_path / "e.sqlite"
    result = run(db, "import", str(ARTICLE), str(tmp_path / "missing.txt"))
    assert result.exit_code == 1
    assert "Imported 1 new article" in result.output
    assert document_count(db) == 1


def test_a_successful_command_on_a_missing_database_creates_it(tmp_path):
    db = tmp_path / "e.sqlite"
    assert run(db, "link", "--no-meaning").exit_code == 0
    assert db.exists() and document_count(db) == 0
