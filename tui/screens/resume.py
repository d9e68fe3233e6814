"""Where the app starts: the article the reader was left open on, if any.

Apart from the reader so that deciding costs a query, not the reader's code: a start
on the library draws without loading the reader at all.
"""

from __future__ import annotations

from store import NotFound, Store

REOPEN_SETTING = "tui.reader_open"  # True while the reader is open: restart returns to it


def resume_target(store: Store) -> str | None:
    """The article to reopen on start: the last one, if the reader was left open."""
    if not store.setting(REOPEN_SETTING, False):
        return None
    doc_id = store.last_document()
    if doc_id is None:
        return None
    try:
        store.document(doc_id)
    except NotFound:
        return None
    return doc_id
