"""Back-pressure on typed keys: a burst of keys waits in the terminal, not in memory.

Textual's input thread reads the terminal, parses what it read and posts every key
onto the app's event loop at once. Keys arriving faster than the app handles them
(text pasted without bracketed paste, a stuck key, a script writing to the terminal)
therefore pile up as queued events, a few KB each, before any text box can refuse
them. The driver here lets a bounded number of keys be in flight at a time: the
input thread waits for one of them to be finished with before it posts the next, so
the rest of a burst stays unread in the terminal (whose writer then waits), and
memory stays flat however fast keys come.

A key is in flight until its event object is gone. Whoever drops it last (the focused
widget that consumed it, the app after it bubbled back up, a screen that closed with
it still queued) gives its slot back, so no handler has to remember to. The wait also
ends when the input thread is asked to stop (quit, suspend), so stopping never hangs
on a full app. Pastes, mouse events and focus reports are posted as before.

Only the POSIX terminal driver is wrapped; on Windows, under `TEXTUAL_DRIVER` and in
headless runs (`run_test`) Textual's own driver is used unchanged.
"""

from __future__ import annotations

import sys
import threading
import weakref
from queue import Empty, SimpleQueue
from typing import TYPE_CHECKING, Any

from textual import constants, events
from textual.driver import Driver
from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App

KEYS_IN_FLIGHT = 64
"""Keys posted to the app and not yet finished with. Far more than typing by hand ever
has in flight (a key is finished with once handled); small enough to cost about 200 KB."""

STOP_POLL_SECONDS = 0.1
"""How often a waiting input thread looks whether it is asked to stop: the same
interval at which Textual's input thread polls the terminal."""


class KeySlots:
    """A fixed number of slots, taken by the input thread and given back from anywhere.

    Slots are given back by weakref callbacks, which can run in any thread, in the middle
    of any code, including inside `take` itself. `SimpleQueue.put` is documented as
    reentrant for exactly that use, where a lock could deadlock.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._free: SimpleQueue[bool] = SimpleQueue()
        for _ in range(size):
            self._free.put(True)

    @property
    def free(self) -> int:
        """Slots free now (exact when no slot is being taken or given at the same time)."""
        return self._free.qsize()

    def take(self, stop: threading.Event) -> bool:
        """Wait for a free slot and take it; False if `stop` was set first."""
        while not stop.is_set():
            try:
                return self._free.get(timeout=STOP_POLL_SECONDS)
            except Empty:
                continue
        return False

    def give(self) -> None:
        """Give a slot back."""
        self._free.put(True)

    def hold_until_gone(self, message: Message) -> None:
        """Give the slot taken for `message` back when the message object is freed."""
        release = weakref.finalize(message, self.give)
        release.atexit = False  # at interpreter exit nobody waits for a slot


def driver_class() -> type[Driver] | None:
    """The driver for `App(driver_class=...)`; None leaves the choice to Textual."""
    if sys.platform == "win32" or constants.DRIVER is not None:
        return None
    return BoundedKeysDriver


if sys.platform != "win32":
    from textual.drivers.linux_driver import LinuxDriver

    class BoundedKeysDriver(LinuxDriver):
        """Textual's terminal driver, posting at most `KEYS_IN_FLIGHT` keys at a time."""

        def __init__(
            self,
            app: App[Any],
            *,
            debug: bool = False,
            mouse: bool = True,
            size: tuple[int, int] | None = None,
        ) -> None:
            super().__init__(app, debug=debug, mouse=mouse, size=size)
            self.key_slots = KeySlots(KEYS_IN_FLIGHT)

        def process_message(self, message: Message) -> None:
            # Runs in the input thread: waiting here leaves the rest of a burst unread.
            # Keys read before the thread was asked to stop (at most one 4 KB read) are
            # posted without a slot, as Textual would post them.
            if isinstance(message, events.Key) and self.key_slots.take(self.exit_event):
                self.key_slots.hold_until_gone(message)
            super().process_message(message)
