"""`jsonl` carries everything a reader decided: a second database that imports an
export exports the same bytes, and a rejected pair stays rejected there, even after
`sidenote link` runs again."""

from __future__ import annotations

import sqlite3

import jsonschema
from click.testing import CliRunner

from store import open_store
from store.exchange.link_records import link_schema
from store.links import reject
from tests.exchange_data import ENVOY, MULTISCRIPT, POST, add_doc, tag
from tui.cli.main import cli

# A wire story printed by two outlets: its sentences are linked to each other
# without anyone annotating them.
WIRE = (
    "Ministers met in Brussels on Monday to discuss the plan for Ukraine.\n"
    "The meeting ended without a joint statement from the delegations.\n"
    "Officials said a second round of talks would follow in the spring."
)
REPRINT = "Reprinted from the wire.\n" + WIRE + "\nA local reaction followed."
ARTICLES = [
    (ENVOY, {"title": "Envoy", "source": "RT", "url": "https://example.org/envoy"}),
    (POST, {"title": "Post", "source": "Newsweek"}),
    (MULTISCRIPT, {"title": "Multi", "source": "Wire"}),
    (WIRE, {"title": "Wire", "source": "AP"}),
    (REPRINT, {"title": "Reprint", "source": "Daily"}),
]


def sidenote(db, *args: str):
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    assert result.exit_code == 0, result.output
    return result


def links_by_pair(db) -> dict[str, tuple]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT pair_key, id, status, method, score, cluster, a_annotation_id, "
            "b_annotation_id, a_match_start, a_match_end, created_at, updated_at FROM links"
        ).fetchall()
    return {row[0]: row[1:] for row in rows}


def fill(db) -> None:
    with open_store(db) as store:
        for text, fields in ARTICLES:
            add_doc(store, text, **fields)


def test_a_second_database_exports_the_same_bytes_and_keeps_every_verdict(tmp_path):
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    fill(first)
    with open_store(first) as store:
        envoy = store.db.execute("SELECT id FROM documents WHERE title = 'Envoy'").fetchone()[0]
        tag(store, envoy, "'resiliency force.'", "quote", note="a\r\nnote", speaker="Kellogg")
    sidenote(first, "link")
    links = links_by_pair(first)
    sentence_only = [k for k, v in links.items() if v[5] is None and v[6] is None]
    assert len(sentence_only) >= 3, links
    with open_store(first) as store:
        reject(store, links[sentence_only[0]][0])
    before = links_by_pair(first)
    assert before[sentence_only[0]][1] == "rejected"

    exported = tmp_path / "first.jsonl"
    sidenote(first, "export", "-o", str(exported))
    schema = link_schema()
    link_lines = [line for line in exported.read_text("utf-8").splitlines() if '"a": {' in line]
    assert len(link_lines) == len(before)
    for line in link_lines:
        jsonschema.validate(__import__("json").loads(line), schema)

    fill(second)
    sidenote(second, "import-annotations", str(exported))
    again = tmp_path / "second.jsonl"
    sidenote(second, "export", "-o", str(again))
    assert again.read_bytes() == exported.read_bytes()
    assert links_by_pair(second) == before

    # Linking again in the second database suggests nothing the reader rejected.
    sidenote(second, "link")
    after = links_by_pair(second)
    assert after[sentence_only[0]][1] == "rejected"
    assert {k: v[1] for k, v in after.items()} == {k: v[1] for k, v in before.items()}
