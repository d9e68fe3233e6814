"""Snapshots of what a reader sees: the library, the reader with all three labels,
an article of markup and escape codes, the help screen and the echoes panel.

Update them after an intended change with `pytest tests/tui --snapshot-update`, and
look at the SVGs in __snapshots__ before committing.
"""

from __future__ import annotations

from store import Store, create_annotation, open_store
from tui.app import SidenoteApp

from .conftest import add, freeze_blink
from .test_echoes import FIRST, SECOND

SIZE = (120, 35)


def tag_three_labels(store: Store) -> str:
    doc_id = store.document_ids()[0]
    sentences = store.sentences(doc_id)
    create_annotation(store, doc_id, sentences[0].start, sentences[0].end, "claim",
                      annotator="test")
    create_annotation(store, doc_id, sentences[2].start, sentences[2].end, "quote",
                      speaker="Austrian minister", annotator="test")
    create_annotation(store, doc_id, sentences[5].start, sentences[5].end, "proposal",
                      note="check the parliament record", annotator="test")
    # nested inside the claim: two labels on the same words
    text = store.document(doc_id).text
    start = text.index("six countries")
    create_annotation(store, doc_id, start, start + len("six countries"), "quote",
                      annotator="test")
    return doc_id


def test_library(snap_compare, library: Store) -> None:
    tag_three_labels(library)
    assert snap_compare(SidenoteApp(library), terminal_size=SIZE, run_before=freeze_blink)


def test_reader_with_all_three_labels(snap_compare, library: Store) -> None:
    doc_id = tag_three_labels(library)
    app = SidenoteApp(library, doc_id)
    assert snap_compare(app, press=["j", "j", "w", "v", "w"], terminal_size=SIZE,
                        run_before=freeze_blink)


def test_reader_shows_markup_and_escape_codes_literally(snap_compare, library: Store) -> None:
    app = SidenoteApp(library, library.document_ids()[2])
    assert snap_compare(app, terminal_size=SIZE, run_before=freeze_blink)


def test_help_screen(snap_compare, library: Store) -> None:
    app = SidenoteApp(library, library.document_ids()[0])
    assert snap_compare(app, press=["f1"], terminal_size=SIZE, run_before=freeze_blink)


def test_echoes_screen_shows_markup_in_an_echo_literally(snap_compare) -> None:
    with open_store(":memory:") as store:
        first = add(store, FIRST, "Leaders meet in Paris", "The Mainichi")
        add(store, SECOND, "Tokyo watches the talks", "Japan Today")
        app = SidenoteApp(store, first)
        # the third sentence holds "[bold]forty[/]", repeated in the other article
        assert snap_compare(app, press=["j", "j", "l"], terminal_size=SIZE,
                            run_before=freeze_blink)
