"""Which spans of an article have echoes: what the reader marks when it opens one.

Apart from `store.links` because the reader needs it for its first frame, and
`store.links` brings the matcher (numpy, rapidfuzz) and the meaning stage with it:
this module reads the `links` table through `store.link_table` alone, so resuming in
an article does not wait for them.
"""

from __future__ import annotations

from . import link_table
from .db.connection import Store


def echo_spans(store: Store, doc_id: str) -> list[tuple[int, int]]:
    """Spans of this document with links not rejected: the app marks those sentences."""
    return link_table.spans_in(store.db, doc_id)


__all__ = ["echo_spans"]
