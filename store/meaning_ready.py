"""Whether the meaning stage has anything to compare a span with, asked cheaply.

The app asks this before it starts a worker for a tag's meaning echoes
(`store.links.meaning_echoes`): most stores have no sentence vectors until the first
`sidenote link`, and then the worker would find nothing. Apart from
`store.meaning_links` so that asking does not load numpy.
"""

from __future__ import annotations

from .db.connection import Store


def meaning_possible(store: Store) -> bool:
    """Whether some sentence has a stored vector (`sidenote link` makes them): without
    one, `meaning_echoes` finds nothing in other words. One row read."""
    return store.db.execute("SELECT 1 FROM sentence_vectors LIMIT 1").fetchone() is not None


__all__ = ["meaning_possible"]
