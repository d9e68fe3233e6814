"""A Sidenote database opened in Datasette (0.65) with `sidenote datasette-metadata`:
every table a person reads is described, bookkeeping is hidden, the views and the
canned queries answer, and full-text search works, read as JSON from a real server."""

from __future__ import annotations

import contextlib
import json
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from store import open_store
from store.exchange.datasette import BOOKKEEPING, datasette_metadata
from tests.exchange_data import MULTISCRIPT, add_doc, link, tag
from tui.cli.main import cli

SAID = "we will cut the tax next year"
WIRE = f"The minister told reporters: {SAID}. Critics asked how."
PAPER = f"Tax pledge\nAt the rally she said: {SAID}. The crowd cheered 🎉."
BLOG = f"She repeated that {SAID}, once more."
READY_ATTEMPTS = 600  # 0.05 s apart: Datasette starts in about a second on a busy machine


@pytest.fixture
def corpus(tmp_path) -> Path:
    path = tmp_path / "corpus.db"
    with open_store(path) as store:
        wire = add_doc(store, WIRE, title="Minister pledges", source="Wire", url="https://w.example/1")
        paper = add_doc(store, PAPER, title="Tax pledge", source="Paper", published="2025-08-17")
        blog = add_doc(store, BLOG, title="Again", source="")
        multi = add_doc(store, MULTISCRIPT, title="北京", source="Xinhua")
        a = tag(store, wire, SAID, "quote", speaker="Minister Ito")
        b = tag(store, paper, SAID, "quote", speaker="minister ito")
        c = tag(store, blog, SAID, "claim")
        tag(store, multi, "北京欢迎你", "quote", speaker="记者")
        link(store, a, b, status="confirmed", cluster="s-tax")
        link(store, b, c, status="suggested", cluster="s-tax")
        rejected = tag(store, multi, "Cafe\u0301 owners shrugged", "claim")
        link(store, a, rejected, status="rejected", cluster="s-tax")
    return path


def test_every_table_and_column_is_described_or_hidden(corpus):
    with open_store(corpus) as store:
        metadata = datasette_metadata(store)
        names = [
            row[0]
            for row in store.db.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            )
        ]
    tables = metadata["databases"]["corpus"]["tables"]
    assert sorted(tables) == sorted(names)
    shown = {name: entry for name, entry in tables.items() if not entry.get("hidden")}
    assert set(shown) == {
        "documents", "sentences", "annotations", "events", "links", "review",
        "annotations_with_articles", "statement_places", "statements",
    }
    for name, entry in shown.items():
        assert entry["description"], name
        assert all(entry["columns"].values()), (name, entry["columns"])
    for name in BOOKKEEPING.keys() & set(names):
        assert tables[name] == {"hidden": True}
    assert "code points" in metadata["databases"]["corpus"]["description"]


def test_the_views_slice_the_articles_text_in_code_points(corpus):
    with open_store(corpus) as store:
        rows = store.db.execute(
            "SELECT v.text, d.text, v.start, v.\"end\" FROM annotations_with_articles v "
            "JOIN documents d ON d.id = v.doc_id"
        ).fetchall()
        places = store.db.execute(
            "SELECT p.text, d.text, p.start, p.\"end\" FROM statement_places p "
            "JOIN documents d ON d.id = p.doc_id"
        ).fetchall()
    assert len(rows) == 5 and len(places) == 4
    for text, article, start, end in rows + places:
        assert text == article[start:end]


def _free_port() -> int:
    with contextlib.closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_listening(server: subprocess.Popen, port: int, log: Path) -> None:
    """Poll the port a bounded number of times; fail with what the server said."""
    for _ in range(READY_ATTEMPTS):
        if server.poll() is not None:
            server.wait()
            pytest.fail(f"datasette exited with {server.returncode}:\n{log.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.05)
    pytest.fail(f"datasette did not listen on {port}:\n{log.read_text()}")


@pytest.fixture
def served(corpus, tmp_path):
    metadata = tmp_path / "metadata.json"
    result = CliRunner().invoke(
        cli, ["--db", str(corpus), "datasette-metadata", "-o", str(metadata)]
    )
    assert result.exit_code == 0, result.output
    port = _free_port()
    log = tmp_path / "datasette.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "datasette", "serve", str(corpus), "-m", str(metadata),
             "-h", "127.0.0.1", "-p", str(port)],
            stdout=output, stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_listening(server, port, log)

        def get(path: str, **params: str):
            """A page as JSON; rows as a plain list (`_shape=array`) for tables,
            views and queries."""
            if path.count("/") > 1:
                params = {**params, "_shape": "array"}
            url = f"http://127.0.0.1:{port}{path}?{urllib.parse.urlencode(params)}"
            with urllib.request.urlopen(url, timeout=30) as response:
                return json.load(response)

        yield get, json.loads(metadata.read_text(encoding="utf-8"))
    finally:
        server.terminate()
        server.wait()


def test_datasette_serves_the_metadata_views_queries_and_search(served):
    get, metadata = served
    assert get("/-/metadata.json") == metadata
    database = get("/corpus.json")
    hidden = {t["name"] for t in database["tables"] if t["hidden"]}
    assert {"history", "settings", "positions", "link_texts", "search_vocab",
            "_sqlite_migrations", "documents_fts_data", "annotations_trigram"} <= hidden
    assert {"statements", "annotations_with_articles"} <= {v["name"] for v in database["views"]}

    rows = get("/corpus/annotations_with_articles.json", _sort="start")
    quotes = {
        (r["outlet"], r["title"], r["speaker"], r["text"]) for r in rows if r["label"] == "quote"
    }
    assert ("Wire", "Minister pledges", "Minister Ito", SAID) in quotes
    assert ("Xinhua", "北京", "记者", "北京欢迎你") in quotes

    [statement] = get("/corpus/statements.json")
    assert (statement["statement"], statement["text"], statement["outlets"]) == ("s-tax", SAID, 3)
    assert json.loads(statement["outlet_names"]) == ["Paper", "Wire"]
    members = json.loads(statement["members"])
    assert sorted(m["outlet"] for m in members) == ["", "Paper", "Wire"]  # not the rejected one

    [top] = get("/corpus/statements_by_outlets.json")
    assert (top["statement"], top["outlets"]) == ("s-tax", 3)
    ito = get("/corpus/quotes_by_speaker.json", speaker="MINISTER ITO")
    assert sorted(r["outlet"] for r in ito) == ["Paper", "Wire"]
    assert len(get("/corpus/quotes_by_speaker.json")) == 3

    found = get("/corpus/documents.json", _search="rally")
    assert [r["title"] for r in found] == ["Tax pledge"]
    found = get("/corpus/annotations.json", _search="Ito")
    assert sorted(r["doc_id"] for r in found) == sorted(
        r["doc_id"] for r in rows if r["speaker"].lower() == "minister ito"
    )
