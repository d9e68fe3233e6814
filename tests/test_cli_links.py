"""`sidenote link` and `sidenote links` as a user types them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from store import NewDocument, add_document, open_store
from tui.cli.main import cli

from .conftest import SEEDS


@pytest.fixture
def run(tmp_path):
    db = tmp_path / "cli.db"

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--db", str(db), *args])

    invoke.db = db
    return invoke


def test_link_the_seeds_then_list_them_as_jsonl(run):
    assert run("import", str(SEEDS)).exit_code == 0
    result = run("link", "--no-meaning")  # the string stages (the meaning stage: test_meaning)
    assert result.exit_code == 0, result.output
    assert "2 links found" in result.stdout
    assert "trimmed" in result.stdout and "2 new" in result.stdout

    listed = run("links", "--format", "jsonl")
    assert listed.exit_code == 0
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert len(rows) == 2
    for row in rows:
        assert list(row) == ["id", "score", "method", "status", "cluster", "a", "b"]
        assert list(row["a"]) == ["doc_id", "start", "end", "text", "annotation_id"]
        assert row["status"] == "suggested"
    assert any("Article 5-like security guarantees" in row["a"]["text"] for row in rows)


def test_links_filters_by_status_and_says_when_there_are_none(run):
    run("import", str(SEEDS))
    run("link", "--no-meaning")
    result = run("links", "--status", "confirmed")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "No links" in result.stderr


def test_relinking_adds_nothing_new(run):
    run("import", str(SEEDS))
    run("link", "--no-meaning")
    again = run("link", "--rebuild", "--no-meaning")
    assert again.exit_code == 0
    assert "0 new, 2 already stored" in again.stdout
    assert "0 old suggestions removed" in again.stdout


def test_bad_threshold_is_one_line_and_exit_1(run):
    result = run("link", "--threshold", "0")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "sidenote: --threshold: 0 is not a score between 1 and 100"
    ]


def test_table_prints_article_text_literally(run):
    quote = (
        "“We are ready to send [bold]peacekeeping troops[/bold] to Ukraine as soon as a "
        "ceasefire is signed, but only with American air cover,” the minister said \x1b[31m."
    )
    with open_store(run.db) as store, store.transaction() as db:
        add_document(db, NewDocument(text=f"Talks in Paris ran late. {quote}", title="One"))
        add_document(db, NewDocument(text=f"{quote} Markets were calm.", title="Two"))
    assert run("link").exit_code == 0
    table = run("links")
    assert table.exit_code == 0
    assert "[bold]peacekeeping troops[/bold]" in table.stdout
    assert "\x1b" not in table.stdout and "␛[31m" in table.stdout
    assert "1 link." in table.stdout


def _linked(run) -> list[str]:
    run("import", str(SEEDS))
    run("link", "--no-meaning")
    listed = run("links", "--format", "jsonl")
    return [json.loads(line)["id"] for line in listed.stdout.splitlines()]


def test_links_accept_and_reject_take_a_unique_prefix_of_the_id(run):
    first, second = _linked(run)
    accepted = run("links", "accept", first[:8])
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout.startswith("Accepted 1 link")
    rejected = run("links", "reject", second[:8])
    assert rejected.exit_code == 0, rejected.output
    rows = {json.loads(line)["id"]: json.loads(line)["status"]
            for line in run("links", "--format", "jsonl").stdout.splitlines()}
    assert rows == {first: "confirmed", second: "rejected"}


def test_links_accept_refuses_a_prefix_of_several_ids_and_changes_nothing(run):
    first, second = _linked(run)
    shared = 0
    while first[shared] == second[shared]:
        shared += 1
    result = run("links", "accept", second, first[:shared])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "more than one link" in result.stderr
    statuses = {json.loads(line)["status"]
                for line in run("links", "--format", "jsonl").stdout.splitlines()}
    assert statuses == {"suggested"}


def test_the_links_table_shows_scores_to_one_decimal_as_the_app_does(run):
    _linked(run)
    shown = run("links")
    assert shown.exit_code == 0, shown.output
    scores = [line.split("│")[1].strip() for line in shown.stdout.splitlines()
              if line.startswith("│") and "trimmed" in line]
    assert scores == ["100.0", "97.7"]
