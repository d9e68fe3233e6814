"""Resuming in an article draws the reader before the matcher loads.

The reader's first frame needs the article, its annotations and which of its spans
have echoes; the matcher (numpy, rapidfuzz) and the meaning stage are for finding
echoes, which the warm-up does after the first frame. Checked in a fresh interpreter,
where nothing else has loaded them; how long the start takes is measured by
benchmarks/startup_bench.py and benchmarks/tui_bench.py.
"""

from __future__ import annotations

import json
import subprocess
import sys

from .conftest import ROOT

# Opens the reader on an article of a new database and reports, when the reader has
# shown it (before the first frame, so before the app's warm-up starts), which of the
# heavy modules were loaded.
SCRIPT = """
import asyncio, json, sys
from store import NewDocument, add_document, open_store
from tui.app import SidenoteApp
from tui.screens.reader import ReaderScreen

seen = {}
shown = ReaderScreen.show_document

def show_document(self, *args, **kwargs):
    shown(self, *args, **kwargs)
    seen.setdefault("loaded", sorted(set(sys.modules) & set(json.loads(sys.argv[2]))))

ReaderScreen.show_document = show_document

async def main():
    with open_store(sys.argv[1]) as store:
        with store.transaction() as db:
            doc_id, _ = add_document(db, NewDocument(
                text="The council met on Tuesday. It approved the budget.", title="Budget"))
        app = SidenoteApp(store, doc_id)
        async with app.run_test() as pilot:
            await pilot.pause()
            assert isinstance(app.screen, ReaderScreen), app.screen
            await app.workers.wait_for_complete()

asyncio.run(main())
print(json.dumps(seen["loaded"]))
"""

MATCHER = ["numpy", "rapidfuzz", "store.links", "store.matching", "store.meaning_links"]


def test_the_reader_shows_an_article_without_loading_the_matcher(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "s.db"), json.dumps(MATCHER)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    assert json.loads(result.stdout.splitlines()[-1]) == []
