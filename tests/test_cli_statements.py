"""`sidenote statements`, `spread`, `report` and `links accept|reject` as a user types them."""

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


@pytest.fixture
def linked(run):
    assert run("import", str(SEEDS)).exit_code == 0
    assert run("link", "--no-meaning").exit_code == 0
    return run


def jsonl(result) -> list[dict]:
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_links_have_each_place_pair_once_and_statements_list_each_once(linked):
    rows = jsonl(linked("links", "--format", "jsonl"))
    pairs = [
        frozenset((side["doc_id"], side["start"], side["end"]) for side in (r["a"], r["b"]))
        for r in rows
    ]
    assert len(pairs) == len(set(pairs)) == 2
    found = jsonl(linked("statements", "--min-outlets", "2", "--json"))
    assert len(found) == 2 and len({s["id"] for s in found}) == 2
    for statement in found:
        assert statement["outlets"] == ["Japan Today", "The Mainichi"]
        assert statement["first"]["outlet"] == "Japan Today"
    places = [(m["doc_id"], m["start"]) for s in found for m in s["members"]]
    assert len(places) == len(set(places))


def test_spread_lists_each_outlet_with_the_pages_time_in_order(linked):
    lede = next(
        r for r in jsonl(linked("links", "--format", "jsonl"))
        if r["a"]["text"].startswith("NEW YORK (AP)") or r["b"]["text"].startswith("NEW YORK (AP)")
    )  # fmt: skip
    spread = jsonl(linked("spread", lede["id"], "--json"))[0]
    assert [(m["outlet"], m["when"], m["dated_by_import"]) for m in spread["members"]] == [
        ("Japan Today", "2 hours ago", False), ("The Mainichi", "22 minutes ago", False),
    ]  # fmt: skip
    shown = linked("spread", lede["id"])
    assert shown.exit_code == 0
    assert shown.stdout.index("2 hours ago") < shown.stdout.index("22 minutes ago")
    assert "first" in shown.stdout.splitlines()[1]


def test_spread_and_report_take_the_start_of_a_link_id_as_links_accept_does(linked):
    link_id = jsonl(linked("links", "--format", "jsonl"))[0]["id"]
    whole = jsonl(linked("spread", link_id, "--json"))
    assert jsonl(linked("spread", link_id[:8], "--json")) == whole
    assert linked("report", link_id[:8]).stdout == linked("report", link_id).stdout


def test_an_unknown_id_is_one_line_on_stderr(linked):
    for command in ("spread", "report"):
        result = linked(command, "no-such-id")
        assert result.exit_code == 1
        assert result.stderr == "sidenote: no statement, link or annotation with id 'no-such-id'\n"


HOSTILE = (
    "# ```` The minister said *the force* would <b>deploy</b> after a [signed](x) "
    "ceasefire in Geneva, `and` not &amp; before."
)


def hostile_store(path) -> None:
    """Two articles carrying a sentence full of Markdown, as their own paragraph."""
    with open_store(path) as store, store.transaction() as db:
        for outlet in ("Outlet *One*", "Outlet_Two"):
            add_document(db, NewDocument(
                text=f"A first line of {outlet} on the talks.\n\n{HOSTILE}\n\nThe end.",
                title=f"[{outlet}] #1", source=outlet, url="https://example.org/a b",
                published="2025-08-17",
            ))  # fmt: skip


def test_report_quotes_each_members_text_exactly_in_a_fence_it_cannot_close(run, tmp_path):
    hostile_store(run.db)
    assert run("link", "--no-meaning").exit_code == 0
    (statement,) = [s for s in jsonl(run("statements", "--json")) if s["text"] == HOSTILE]
    out = tmp_path / "brief.md"
    result = run("report", statement["id"], "-o", str(out))
    assert result.exit_code == 0, result.output
    brief = out.read_text(encoding="utf-8")
    assert len(statement["members"]) == 2
    for member in statement["members"]:
        assert member["text"] == HOSTILE
        assert f"\n`````text\n{member['text']}\n`````\n" in brief
    # Values on a line are shown as written, their Markdown escaped.
    assert "- Title: \\[Outlet \\*One\\*\\] #1" in brief
    assert "- URL: https://example.org/a b\n" in brief  # not a link: it has a space
    # Standard output gives the same brief.
    assert run("report", statement["id"]).stdout == brief


def test_report_refuses_the_database_and_an_existing_file_without_force(linked, tmp_path):
    (statement, *_) = jsonl(linked("statements", "--json"))
    refused = linked("report", statement["id"], "-o", str(linked.db))
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1
    out = tmp_path / "brief.md"
    out.write_text("mine", encoding="utf-8")
    kept = linked("report", statement["id"], "-o", str(out))
    assert kept.exit_code == 1 and "--force" in kept.stderr
    assert out.read_text(encoding="utf-8") == "mine"
    assert linked("report", statement["id"], "-o", str(out), "--force").exit_code == 0
    assert out.read_text(encoding="utf-8").startswith(f"# Statement `{statement['id']}`")


def test_links_accept_and_reject_several_ids_as_one_undoable_step(linked):
    ids = [r["id"] for r in jsonl(linked("links", "--format", "jsonl"))]
    refused = linked("links", "accept", ids[0], "no-such-link")
    assert refused.exit_code == 1
    assert refused.stderr == "sidenote: no link with id 'no-such-link'\n"
    assert {r["status"] for r in jsonl(linked("links", "--format", "jsonl"))} == {"suggested"}

    accepted = linked("links", "accept", *ids)
    assert accepted.exit_code == 0
    assert accepted.stdout.startswith("Accepted 2 links")
    assert {r["status"] for r in jsonl(linked("links", "--format", "jsonl"))} == {"confirmed"}
    assert linked("undo").exit_code == 0
    assert {r["status"] for r in jsonl(linked("links", "--format", "jsonl"))} == {"suggested"}

    rejected = linked("links", "reject", ids[1])
    assert rejected.exit_code == 0
    statuses = {r["id"]: r["status"] for r in jsonl(linked("links", "--format", "jsonl"))}
    assert statuses == {ids[0]: "suggested", ids[1]: "rejected"}
    # A statement whose links were all rejected is listed only when asked for.
    assert len(jsonl(linked("statements", "--json"))) == 1
    assert len(jsonl(linked("statements", "--status", "rejected", "--json"))) == 1


def _as_meaning_suggestions(db) -> None:
    """Both links as the meaning stage leaves its pairs: suggested, in no statement."""
    import sqlite3

    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE links SET cluster = '', method = 'reworded-meaning'")
    connection.close()


def test_statements_says_suggested_links_outside_statements_wait_for_acceptance(linked):
    _as_meaning_suggestions(linked.db)
    for args in ((), ("--status", "suggested")):
        result = linked("statements", *args)
        assert result.exit_code == 0
        assert result.stdout == ""
        assert "Run `sidenote link`" not in result.stderr
        assert "2 suggested links in other words are not statements until accepted" \
            in result.stderr
        assert "sidenote links --status suggested" in result.stderr


def test_statements_with_rejected_links_names_the_outlets_that_judged_them(linked):
    ids = [r["id"] for r in jsonl(linked("links", "--format", "jsonl"))]
    assert linked("links", "reject", ids[1]).exit_code == 0
    shown = linked("statements", "--status", "rejected")
    assert shown.exit_code == 0
    head = shown.stdout.splitlines()[0]
    assert "0 outlets" not in head
    assert "rejected in 2 outlets: Japan Today, The Mainichi" in head
