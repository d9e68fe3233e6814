"""Search finds symbols outside the Basic Multilingual Plane (𝄞 U+1D11E, emoji alone,
CJK Extension B), also in a database whose trigram queue was drained under the
older rule; and a database opened read-only finds rows still queued for the trigram
index, which it cannot index itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from store import open_store
from store.search import search, search_articles
from tests.exchange_data import add_doc, tag
from tests.hardening.test_damaged_databases import run_unprivileged

CLEF = "The score opens with a \U0001d11e on the first line."
SYMBOLS = "Symbols \U0001d11e\U0001d122 in a row."
EMOJI = "He answered \U0001f600 and left."
EXT_B = "The rare character \U00020000 appears here."
JAPANESE = "首相は記者会見で、来年までに消費税を引き下げると約束した。"


@pytest.fixture
def astral(store):
    for text in (CLEF, SYMBOLS, EMOJI, EXT_B):
        tag(store, add_doc(store, text, title="t"), text.rstrip("."), "claim")
    return store


@pytest.mark.parametrize(
    ("query", "texts"),
    [
        ("\U0001d11e", {CLEF, SYMBOLS}),  # a musical symbol, astral, not an emoji
        ("\U0001d122", {SYMBOLS}),
        ("\U0001d11e\U0001d122", {SYMBOLS}),
        ("with a \U0001d11e", {CLEF}),  # the symbol counts: not every text with "with a"
        ("\U0001f600", {EMOJI}),
        ("\U00020000", {EXT_B}),
    ],
)
def test_astral_symbols_are_found_in_statements_and_articles(astral, query, texts):
    assert set(statements(astral, query)) == {t.rstrip(".") for t in texts}
    found = search_articles(astral, query)
    assert {astral.document(a.doc_id).text for a in found} == texts
    for article in found:
        assert astral.document(article.doc_id).text[article.start : article.end] == article.match


def statements(store, query: str) -> list[str]:
    return [group.statement for group in search(store, query)]


def forget_the_rule(store) -> None:
    """The state an older Sidenote left: the row was taken off the queue without
    being indexed (its rule did not count symbols), and no rule is recorded."""
    with store.transaction() as db:
        db.execute("DELETE FROM trigram_pending")
        db.execute("DELETE FROM settings WHERE key = 'trigram_rule'")


def test_a_symbol_dropped_from_the_queue_by_an_older_rule_is_found(store):
    doc = add_doc(store, CLEF, title="clef")
    tag(store, doc, "opens with a \U0001d11e", "claim")
    forget_the_rule(store)
    assert statements(store, "\U0001d11e") == ["opens with a \U0001d11e"]
    assert [a.doc_id for a in search_articles(store, "\U0001d11e")] == [doc]
    indexed = store.db.execute("SELECT count(*) FROM documents_trigram_docsize").fetchone()[0]
    assert indexed == 1


def read_only(path: Path) -> None:
    for file in path.parent.iterdir():
        file.chmod(0o444)
    path.parent.chmod(0o555)


def searched(path: Path, *args: str) -> list[dict]:
    result = run_unprivileged(path, "search", "--json", *args)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture
def locked(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    yield folder / "s.db"
    folder.chmod(0o755)
    for file in folder.iterdir():
        file.chmod(0o644)


def test_a_read_only_database_finds_rows_still_queued_for_the_trigram_index(locked):
    with open_store(locked) as store:
        doc = add_doc(store, JAPANESE, title="NHK", source="NHK")
        tag(store, doc, "来年までに消費税を引き下げると約束した", "quote")
        queued = store.db.execute("SELECT count(*) FROM trigram_pending").fetchone()[0]
        assert queued > 0  # nothing has searched yet: the rows wait in the queue
    read_only(locked)
    [group] = searched(locked, "消費税を引き下げる")
    assert group["statement"] == "来年までに消費税を引き下げると約束した"
    [short] = searched(locked, "消費")  # under a trigram: read in the text
    assert short["statement"] == group["statement"]
    [article] = searched(locked, "--articles", "引き下げる")
    assert JAPANESE[article["start"] : article["end"]] == "引き下げる"


def test_a_read_only_database_drained_under_the_older_rule_finds_symbols(locked):
    with open_store(locked) as store:
        doc = add_doc(store, CLEF, title="clef")
        tag(store, doc, "opens with a \U0001d11e", "claim")
        forget_the_rule(store)
    read_only(locked)
    [group] = searched(locked, "\U0001d11e")
    assert group["statement"] == "opens with a \U0001d11e"
    [article] = searched(locked, "--articles", "\U0001d11e")
    assert CLEF[article["start"] : article["end"]] == "\U0001d11e"
