"""`sidenote quotes` and `sidenote annotate --quotes` as a user types them."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from store import open_store
from tests.exchange_data import add_doc
from tui.cli.main import cli

ARTICLE = (
    "Retired Lieutenant General Keith Kellogg spoke on Tuesday.\n"
    "'We have a plan,' Kellogg said. 'It is ready.'\n"
    "It's Ukraine's choice, a so-called 'coalition of the willing' said nothing.\n"
    "Ed \u202eevil\u202c wrote: \"Danger \x1b[31m here.\"\n"
)


@pytest.fixture
def run(tmp_path):
    db = tmp_path / "cli.db"
    with open_store(db) as store:
        doc_id = add_doc(store, ARTICLE, title="Envoy", source="RT")

    def invoke(*args: str):
        return CliRunner().invoke(cli, ["--db", str(db), *args])

    invoke.doc_id = doc_id
    return invoke


def test_quotes_json_lines_slice_the_stored_text_exactly(run):
    shown = run("show", run.doc_id).output
    result = run("quotes", run.doc_id[:6], "--json")
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.output.splitlines()]
    assert [(r["text"], r["speaker"]) for r in records] == [
        ("We have a plan,", "Keith Kellogg"),
        ("It is ready.", "Keith Kellogg"),
        ("Danger \x1b[31m here.", "Ed"),
    ]
    for r in records:
        assert set(r) == {"doc_id", "start", "end", "text", "speaker"}
        assert shown[r["start"] : r["end"]] == r["text"]


def test_quotes_never_print_control_or_bidi_characters_raw(run):
    for args in (("quotes", run.doc_id), ("quotes", run.doc_id, "--json"), ("quotes", "--all")):
        output = run(*args).output
        assert "\x1b" not in output and "\u202e" not in output


def test_quotes_all_covers_every_article_with_its_id(run):
    result = run("quotes", "--all")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert all(line.startswith(run.doc_id) for line in lines[:3])


def test_quotes_needs_one_article_or_all(run):
    for args in (("quotes",), ("quotes", run.doc_id, "--all")):
        result = run(*args)
        assert result.exit_code == 1
        assert result.output.strip().endswith("sidenote: quotes: give one DOC_ID or --all")


def test_annotate_quotes_is_one_undo_step_and_skips_annotated_spans(run):
    first = run("annotate", run.doc_id, "--label", "claim", "--quote", "We have a plan,")
    assert first.exit_code == 0, first.output
    tagged = run("annotate", run.doc_id, "--quotes", "--json")
    assert tagged.exit_code == 0, tagged.output
    records = [json.loads(line) for line in tagged.output.splitlines() if line.startswith("{")]
    assert [(r["text"], r["speaker"], r["label"]) for r in records] == [
        ("It is ready.", "Keith Kellogg", "quote"),
        ("Danger \x1b[31m here.", "Ed", "quote"),
    ]
    again = run("annotate", run.doc_id, "--quotes", "--json")
    assert [line for line in again.output.splitlines() if line.startswith("{")] == []
    assert run("undo").exit_code == 0
    listed = run("export", "--format", "jsonl").output
    assert [json.loads(line)["label"] for line in listed.splitlines() if line.startswith("{")] == [
        "claim"
    ]


def test_annotate_quotes_refuses_a_label_or_span(run):
    result = run("annotate", run.doc_id, "--quotes", "--label", "claim")
    assert result.exit_code == 1
    assert "sidenote: --quotes: takes no --label" in result.output
