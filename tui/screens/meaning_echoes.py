"""Meaning echoes in the background: the same statement in other words, found after a tag.

`store.meaning_echoes` embeds the span, which takes far longer than a key may: the
screens ask for it here, in a worker thread, and are called back on the UI thread when
it is done. Only the latest question counts: an answer for a span the screen no
longer asks about (the user tagged another, left the article, closed the panel) is
dropped, and the store itself stores nothing for an annotation undone meanwhile.
Without the `meaning` extra the answer is None and nothing is called back; in a store
with no sentence vectors yet, no worker is started at all.

A screen may ask after a quiet period (`quiet`): the question is put to the store only
when that long has passed without another one. The reader does so for its tags: an
embedding is CPU the app's process spends while keys are handled, and of a burst of
tags (a sentence after another, `.` repeating a label) only the last one's answer
would be shown, so the others' embeddings are not made at all.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.screen import Screen
from textual.timer import Timer

from store import Echo, SidenoteError, Store, meaning_echoes, meaning_possible

if TYPE_CHECKING:
    from .echoes import EchoQuery

Arrived = Callable[["EchoQuery", list[Echo]], None]


class MeaningEchoes:
    """One screen's questions to the meaning stage, one span at a time."""

    def __init__(self, screen: Screen, store: Store, arrived: Arrived, *,
                 quiet: float = 0.0) -> None:
        self._screen = screen
        self._store = store
        self._arrived = arrived
        self._quiet = quiet  # seconds without another question before one is asked
        self._latest: EchoQuery | None = None
        self._timer: Timer | None = None  # set while the latest question waits
        self._asked = 0  # questions asked so far: a timer fired for an older one is stale
        self._using = threading.Lock()  # held while a worker uses the store
        self._closing = False

    @property
    def pending(self) -> bool:
        """Whether an answer is still awaited for the latest question."""
        return self._latest is not None

    @property
    def waiting(self) -> bool:
        """Whether the latest question waits for its quiet period (not yet put)."""
        return self._timer is not None

    def ask(self, query: EchoQuery) -> None:
        """Find the meaning echoes of `query` in a worker, after the quiet period if
        there is one; a question asked before this one is answered no more (and is
        not put at all if it was still waiting)."""
        self._latest = query
        self._asked += 1
        self._stop_timer()
        if self._quiet > 0:
            asked = self._asked
            self._timer = self._screen.set_timer(self._quiet, lambda: self._put(asked))
        else:
            self._put(self._asked)

    def ask_now(self) -> None:
        """Put the waiting question at once, without the rest of its quiet period."""
        if self._timer is not None:
            self._stop_timer()
            self._put(self._asked)

    def forget(self) -> None:
        """Drop the answer to the question pending, whenever it comes."""
        self._latest = None
        self._stop_timer()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _put(self, asked: int) -> None:
        """Start the worker for question number `asked`, if it is still the latest (a
        timer that fired just before a newer question was asked is ignored)."""
        query = self._latest
        if asked != self._asked or query is None or self._closing:
            return
        self._timer = None
        try:
            possible = meaning_possible(self._store)
        except SidenoteError as error:
            self._failed(query, str(error))
            return
        if not possible:  # no sentence vectors yet: nothing to compare the span with
            self._latest = None
            return
        self._screen.run_worker(lambda: self._find(query), thread=True,
                                group="meaning-echoes", exclusive=True)

    def _find(self, query: EchoQuery) -> None:
        with self._using:
            if self._closing or query is not self._latest:
                return
            try:
                found = meaning_echoes(self._store, query.doc_id, query.start, query.end,
                                       query.annotation_id)
            except SidenoteError as error:
                self._screen.app.call_from_thread(self._failed, query, str(error))
                return
        self._screen.app.call_from_thread(self._done, query, found)

    def _done(self, query: EchoQuery, found: list[Echo] | None) -> None:
        if query is not self._latest or not self._screen.is_attached:
            return
        self._latest = None
        if found is not None:
            self._arrived(query, found)

    def _failed(self, query: EchoQuery, message: str) -> None:
        if query is self._latest:
            self._latest = None
            self._screen.notify(message, severity="error", markup=False)

    async def close(self) -> None:
        """Let a worker still using the store finish before the app may close it."""
        self._closing = True
        self._latest = None
        self._stop_timer()
        await asyncio.to_thread(self._using.acquire)
        self._using.release()
