"""The `sidenote` command line as a user types it (click's CliRunner)."""

from __future__ import annotations

import json
import sqlite3

import pytest
from click.testing import CliRunner

from tui.cli.main import cli

from .conftest import SEEDS


@pytest.fixture
def run(tmp_path):
    db = tmp_path / "cli.db"

    def invoke(*args: str, env: dict | None = None):
        return CliRunner().invoke(cli, ["--db", str(db), *args], env=env)

    invoke.db = db
    return invoke


def document_count(path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM documents").fetchone()[0]


def test_import_seeds_twice_adds_nothing_the_second_time(run):
    first = run("import", str(SEEDS))
    assert first.exit_code == 0, first.output
    assert "Imported 14 new articles from 5 files" in first.output
    second = run("import", str(SEEDS))
    assert second.exit_code == 0
    assert "Imported 0 new articles" in second.output
    assert document_count(run.db) == 14


def test_import_json_summary(run):
    result = run("import", str(SEEDS), "--json")
    summary = json.loads(result.output)
    assert summary["added"] == 14 and summary["errors"] == []
    assert len(summary["documents"]) == 14


@pytest.mark.parametrize(
    "name,content,problem",
    [
        ("missing.txt", None, "no such file or folder"),
        ("e.txt", b"", "file is empty"),
        ("b.txt", b"\x00\x01\x02" * 50, "binary file"),
        ("j.jsonl", b'{"text": "ok"}\n[1,\n', "line 2"),
    ],
)
def test_bad_input_exits_1_with_one_line_and_no_change(run, tmp_path, name, content, problem):
    run("import", str(SEEDS / "001_d2d9838aba44a127.txt"))
    target = tmp_path / name
    if content is not None:
        target.write_bytes(content)
    result = run("import", str(target))
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1 and problem in lines[0] and str(target) in lines[0]
    assert "Traceback" not in result.output + result.stderr
    assert document_count(run.db) == 1


def test_docs_json_lists_counts(run):
    run("import", str(SEEDS))
    lines = run("docs", "--json").output.splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == 14
    assert set(records[0]) >= {"id", "title", "source", "chars", "sentences", "annotations"}
    assert all(r["sentences"] > 0 and r["chars"] > 0 for r in records)


def test_show_prints_the_stored_text_exactly(run):
    run("import", str(SEEDS))
    record = json.loads(run("docs", "--json").output.splitlines()[4])
    shown = run("show", record["id"][:8])
    assert shown.exit_code == 0
    with sqlite3.connect(run.db) as conn:
        row = conn.execute("SELECT text FROM documents WHERE id = ?", [record["id"]]).fetchone()
    stored = row[0]
    assert shown.stdout_bytes == stored.encode("utf-8")


def test_show_unknown_id_is_one_line(run):
    run("import", str(SEEDS))
    result = run("show", "nope")
    assert result.exit_code == 1
    assert result.stderr.strip() == "sidenote: no document with id 'nope'"


def test_stats(run):
    run("import", str(SEEDS))
    output = run("stats").output
    assert "articles     14" in output and "annotations  0" in output


def test_env_var_chooses_the_database(tmp_path):
    db = tmp_path / "env.db"
    result = CliRunner().invoke(cli, ["import", str(SEEDS)], env={"SIDENOTE_DB": str(db)})
    assert result.exit_code == 0
    assert document_count(db) == 14


def test_new_default_database_is_filled_with_the_bundled_corpus(tmp_path, monkeypatch):
    monkeypatch.delenv("SIDENOTE_DB", raising=False)
    monkeypatch.setattr(
        "tui.cli.context.default_db_path", lambda: tmp_path / "data" / "sidenote.db"
    )
    result = CliRunner().invoke(cli, ["stats"])
    assert result.exit_code == 0, result.output
    assert "articles     14" in result.output


def test_a_database_that_is_not_sqlite_is_one_line(tmp_path):
    bad = tmp_path / "x.db"
    bad.write_text("hello")
    result = CliRunner().invoke(cli, ["--db", str(bad), "stats"])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"sidenote: {bad}: not a Sidenote database (not an SQLite file)"


def test_version_and_help_on_every_command():
    runner = CliRunner()
    assert runner.invoke(cli, ["--version"]).output.startswith("sidenote, version ")
    for name, command in cli.commands.items():
        result = runner.invoke(cli, [name, "--help"])
        assert result.exit_code == 0 and "Usage:" in result.output, name
        assert command.help, f"{name} has no help text"
