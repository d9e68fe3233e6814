"""Keys typed in a burst wait in the terminal, not in the app's memory.

The driver under test reads a pipe standing in for the terminal, through Textual's own
input thread (`run_input_thread`), and posts to an app run headless by `run_test`.
The app's first key handler blocks the event loop until the input thread either waits
for room or has posted the whole burst, so the thread outruns the app as it does under
a paste without bracketed paste. Keys in flight are counted from outside the driver:
keys it posted minus keys the app's screens have handled.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from textual import events
from textual.app import App
from textual.message import Message
from textual.screen import Screen

from store import open_store
from tui.app import SidenoteApp
from tui.input_driver import KEYS_IN_FLIGHT, BoundedKeysDriver, KeySlots

HANG_SECONDS = 120  # only turns a hang into a failure
LAST = "."  # every burst ends with it; it bubbles up to the app


class Typist(App[None]):
    """Records every key its screens handle, in order."""

    def __init__(self, first_screen: Screen[None]) -> None:
        super().__init__()
        self.first_screen = first_screen
        self.seen: list[str] = []
        self.room_or_all_posted = threading.Event()
        self.last_seen = asyncio.Event()
        self.queued_at_close: list[int] = []

    def on_mount(self) -> None:
        self.push_screen(self.first_screen)

    def saw(self, event: events.Key) -> None:
        if not self.seen and not self.room_or_all_posted.wait(HANG_SECONDS):
            raise AssertionError("the input thread neither waited for room nor finished")
        self.seen.append(event.character or event.key)
        if len(self.seen) % 2 and event.character != LAST:
            event.stop()  # half the keys end at the screen, half bubble up to the app

    def on_key(self, event: events.Key) -> None:
        # The last key, seen here after every key before it, so no key is left to
        # handle when the test leaves the app.
        if event.character == LAST:
            self.last_seen.set()


class KeyLog(Screen[None]):
    def on_key(self, event: events.Key) -> None:
        typist: Typist = self.app  # type: ignore[assignment]
        typist.saw(event)


class ClosingKeyLog(Screen[None]):
    """On `!`, waits until keys are queued behind it, then is replaced with them queued."""

    async def on_key(self, event: events.Key) -> None:
        typist: Typist = self.app  # type: ignore[assignment]
        typist.saw(event)
        if event.character != "!":
            return
        while self.message_queue_size < KEYS_IN_FLIGHT // 4:
            await asyncio.sleep(0)  # a yield, not a delay: the app forwards posted keys
        typist.queued_at_close.append(self.message_queue_size)
        typist.switch_screen(ClosingKeyLog())


class StuckKeyLog(Screen[None]):
    """Finishes no key until unstuck: every key posted meanwhile stays queued."""

    def __init__(self) -> None:
        super().__init__()
        self.unstick = asyncio.Event()

    async def on_key(self, event: events.Key) -> None:
        await self.unstick.wait()
        typist: Typist = self.app  # type: ignore[assignment]
        typist.saw(event)


class WatchedSlots(KeySlots):
    """Sets `room_wanted` when the input thread is about to wait for a slot."""

    def __init__(self, size: int, room_wanted: threading.Event) -> None:
        super().__init__(size)
        self.room_wanted = room_wanted

    def take(self, stop: threading.Event) -> bool:
        if self.free == 0:
            self.room_wanted.set()
        return super().take(stop)


@asynccontextmanager
async def terminal(app: Typist, keys: str) -> AsyncIterator[Callable[[], int]]:
    """A bounded-keys driver for `app`, its input thread reading `keys` from a pipe.

    Yields a function giving the most keys in flight at once so far."""
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTSTP, signal.SIGCONT)}
    try:
        driver = BoundedKeysDriver(app, mouse=False)
    finally:
        for sig, handler in handlers.items():  # the driver installs its suspend handlers
            signal.signal(sig, handler)
    driver.key_slots = WatchedSlots(KEYS_IN_FLIGHT, app.room_or_all_posted)
    posted = 0
    most = 0
    post = driver.send_message

    def counting_post(message: Message) -> None:
        nonlocal posted, most
        if isinstance(message, events.Key):
            posted += 1
            most = max(most, posted - len(app.seen))
            if posted == len(keys):
                app.room_or_all_posted.set()
        post(message)

    driver.send_message = counting_post  # type: ignore[method-assign]
    read_end, write_end = os.pipe()
    driver.fileno = read_end
    assert os.write(write_end, keys.encode()) == len(keys)  # fits the pipe's buffer
    thread = threading.Thread(target=driver.run_input_thread, name="test-input")
    thread.start()
    try:
        yield lambda: most
    finally:
        driver.exit_event.set()
        thread.join(HANG_SECONDS)
        os.close(write_end)
        os.close(read_end)
    assert not thread.is_alive(), "the input thread did not stop"


def test_a_burst_of_keys_is_posted_a_bounded_number_at_a_time_and_all_arrive_in_order():
    keys = "".join(chr(ord("a") + i % 26) for i in range(20_000)) + LAST

    async def main() -> tuple[list[str], int]:
        app = Typist(KeyLog())
        async with app.run_test(), terminal(app, keys) as most_in_flight:
            await asyncio.wait_for(app.last_seen.wait(), HANG_SECONDS)
            return app.seen, most_in_flight()

    seen, most = asyncio.run(main())
    assert "".join(seen) == keys
    assert most <= KEYS_IN_FLIGHT


def test_keys_queued_for_a_screen_that_closes_give_their_room_back():
    # Five screens are replaced with keys queued for them: more keys than the bound, so
    # the burst only gets through if those keys give their slots back.
    keys = ("x" * 300 + "!") * 5 + "y" * 300 + LAST

    async def main() -> tuple[Typist, int]:
        app = Typist(ClosingKeyLog())
        async with app.run_test(), terminal(app, keys) as most_in_flight:
            await asyncio.wait_for(app.last_seen.wait(), HANG_SECONDS)
            return app, most_in_flight()

    app, most = asyncio.run(main())
    assert len(app.queued_at_close) == 5
    assert sum(app.queued_at_close) > KEYS_IN_FLIGHT
    assert "".join(app.seen) == keys
    assert most <= KEYS_IN_FLIGHT


def test_the_input_thread_stops_while_it_waits_for_a_busy_app():
    """Quit and suspend stop the input thread and wait for it to end: keys the app has
    not finished with must not keep it waiting."""
    keys = "z" * 1_000 + LAST
    stuck = StuckKeyLog()

    async def main() -> int:
        app = Typist(stuck)
        async with app.run_test():
            async with terminal(app, keys) as most_in_flight:
                await asyncio.to_thread(app.room_or_all_posted.wait, HANG_SECONDS)
                most = most_in_flight()
            # leaving `terminal` stopped its input thread and checked that it ended
            stuck.unstick.set()
            await asyncio.wait_for(app.last_seen.wait(), HANG_SECONDS)
            return most

    assert asyncio.run(main()) == KEYS_IN_FLIGHT


def test_the_app_reads_the_terminal_through_the_bounded_driver():
    with open_store(":memory:") as store:
        assert SidenoteApp(store).driver_class is BoundedKeysDriver
