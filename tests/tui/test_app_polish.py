"""The same thing said the same way on every screen: a statement's id in its report's
file name and heading, a link's score, an article that names no outlet."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from store import NewDocument, Store, add_document, list_statements, open_store, relink
from store.corpus import bundled_seed_paths
from store.importing.ingest import import_paths
from tui.app import SidenoteApp
from tui.screens.echoes import echo_prompt
from tui.screens.spread import SpreadScreen
from tui.widgets.document_table import DocumentTable

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
