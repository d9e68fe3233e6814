"""The same thing said the same way on every screen: a statement's id in its report's
file name and heading, a link's score, an article that names no outlet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.style import Style

from store import (
    Echo,
    NewDocument,
    Store,
    add_document,
    list_statements,
    open_store,
    relink,
    work_items,
)
from store.corpus import bundled_seed_paths
from store.importing.ingest import import_paths
from tui.app import SidenoteApp
from tui.screens.echoes import echo_prompt
from tui.screens.spread import SpreadScreen
from tui.widgets.document_table import Layout

from .conftest import drive


@pytest.fixture
def linked() -> Iterator[Store]:
    """The bundled corpus, linked by the string stages: two statements, scores 100
    and 97.7."""
    with open_store(":memory:") as store:
        assert import_paths(store, bundled_seed_paths()).ok
        relink(store)
        yield store


def test_w_in_the_spread_names_the_file_by_the_id_its_heading_gives(
    linked: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    statement = list_statements(linked)[0]

    async def scenario(pilot, app):
        app.push_screen(SpreadScreen(linked, statement.id))
        await pilot.pause()
        await pilot.press("w")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()

    drive(SidenoteApp(linked), scenario)
    [written] = tmp_path.iterdir()
    assert written.name == f"statement-{statement.id}.md"
    assert written.read_text(encoding="utf-8").startswith(f"# Statement `{statement.id}`\n")


def test_an_echo_shows_its_score_to_one_decimal():
    echo = Echo(link_id="l1", score=21.5, method="reworded", status="suggested", cluster="",
                doc_id="d1", title="Title", source="Wire", start=0, end=4, text="Text",
                match_start=0, match_end=4, annotation_id=None, this_start=0, this_end=4)
    assert "score 21.5 \u00b7 reworded" in echo_prompt(echo).plain


def test_an_echo_and_a_library_row_name_a_missing_outlet_alike(linked: Store):
    with linked.transaction() as db:
        doc_id, _ = add_document(db, NewDocument(text="A page with no outlet named.",
                                                 title="Nameless", source=""))
    [item] = [i for i in work_items(linked) if i.id == doc_id]
    row = Layout.fit([item], 120).row(item, None, Style()).plain
    assert "(no outlet)" in row
    echo = Echo(link_id="l1", score=90.0, method="exact", status="suggested", cluster="",
                doc_id=doc_id, title="Nameless", source="", start=0, end=4, text="A pa",
                match_start=0, match_end=4, annotation_id=None, this_start=0, this_end=4)
    assert echo_prompt(echo).plain.startswith("(no outlet) \u2014 Nameless")
