"""The review screen: annotations that lost their text, placed or discarded by key."""

from __future__ import annotations

import io
from pathlib import Path

from store import Store, create_annotation, open_store
from store.exchange.formats import export_to_stream
from store.exchange.read import import_annotations
from store.review import review_items
from tui.app import SidenoteApp
from tui.screens.review import ReviewScreen

from .conftest import NEWS, NEWS_TITLE, add, drive

OLD = "the plan is underfunded"
NEW = "the budget is far too small"


def store_with_review_items(store: Store, tmp_path: Path, phrases: list[str]) -> str:
    """Annotations made on NEWS, imported onto a rewritten NEWS: they go to review."""
    with open_store(":memory:") as original:
        doc_id = add(original, NEWS, NEWS_TITLE, "Vienna Post")
        for phrase in phrases:
            start = NEWS.index(phrase)
            create_annotation(original, doc_id, start, start + len(phrase), "claim")
        out = io.StringIO()
        export_to_stream(original, "jsonl", out)
    path = tmp_path / "old.jsonl"
    path.write_text(out.getvalue(), encoding="utf-8")
    rewritten = NEWS.replace(OLD, NEW).replace("audit office", "state auditors")
    new_id = add(store, rewritten, NEWS_TITLE, "Vienna Post")
    import_annotations(store, path)
    return new_id


async def open_review(pilot, app) -> None:
    await pilot.press("ctrl+p", *"review re-anchored")
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def test_place_puts_it_on_the_candidate_discard_drops_it_undo_restores(tmp_path) -> None:
    with open_store(":memory:") as store:
        doc_id = store_with_review_items(store, tmp_path, [OLD, "A report by the audit office"])
        assert len(review_items(store)) == 2
        seen = {}

        async def scenario(pilot, app):
            await open_review(pilot, app)
            screen = app.screen
            assert isinstance(screen, ReviewScreen)
            seen["listed"] = [item.text for item in screen.items]
            seen["prompt"] = str(screen.query_one("#review-list").get_option_at_index(0).prompt)
            await pilot.press("a")
            await pilot.pause()
            seen["left"] = [item.text for item in screen.items]
            await pilot.press("x")
            await pilot.pause()
            seen["empty"] = screen.items
            await pilot.press("u")  # undo brings the discarded item back
            await pilot.pause()
            seen["undone"] = [item.text for item in screen.items]
            await pilot.press("x")
            await pilot.pause()

        drive(SidenoteApp(store), scenario)
        [placed] = store.annotations(doc_id)
        text = store.document(doc_id).text
        assert seen["listed"] == [OLD, "A report by the audit office"]
        assert "was: " in seen["prompt"] and "now: " in seen["prompt"] and NEW in seen["prompt"]
        assert placed.text == text[placed.start : placed.end] == NEW
        assert seen["left"] == ["A report by the audit office"] and seen["empty"] == []
        assert seen["undone"] == ["A report by the audit office"]
        assert review_items(store) == []
