"""What every screen that shows stored data has in common."""

from __future__ import annotations

from textual.screen import Screen

from store import Store


class StoreScreen(Screen[None]):
    """A screen that reads from and writes to the store.

    The app calls `store_changed` when the data may have changed under the screen:
    another Sidenote wrote to the database, or an undo/redo moved a change, in which
    case `doc_id` and `offset` say where, so the screen can show it.
    """

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def store_changed(self, doc_id: str | None = None, offset: int | None = None) -> None:
        raise NotImplementedError
