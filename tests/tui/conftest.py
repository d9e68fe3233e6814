"""Fixtures for the app: an in-memory store with realistic articles, and a Pilot runner.

The articles are chosen to break naive terminal code: wide CJK characters, emoji
sequences, combining marks, Rich markup and a raw ANSI escape sequence.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from store import NewDocument, Store, add_document, open_store
from tui.app import SidenoteApp

NEWS_TITLE = "Ministers agree on a border deal"
NEWS = (
    "Ministers from six countries agreed on Monday to share the cost of patrolling the "
    "northern border. The agreement, reached after two days of talks in Vienna, runs for "
    "three years. \"We have a deal that protects everyone,\" the Austrian minister said.\n"
    "Critics say the plan is underfunded. A report by the audit office found that "
    "patrols cost 40% more than budgeted last year. The opposition proposed a "
    "parliamentary inquiry into the spending.\n"
    "The ministers will meet again in March to review the first figures."
)

UNICODE_TITLE = "Café 東京 👩‍👩‍👧 report"
UNICODE = (
    "Le café ouvre à 8 h ☕ chaque matin. "
    "東京都の知事は「改革を進める」と述べた。 "
    "The family 👩‍👩‍👧 waved a flag 🇫🇷 at the crowd. "
    "Noe\u0308l and Zoe\u0308 wrote the re\u0301sume\u0301 together."
)

MARKUP_TITLE = "Markup [bold red]in[/] a title"
MARKUP = (
    "The post read [bold red]X[/] in the feed. "
    "The raw bytes \x1b[31mred\x1b[0m followed it. "
    "A bell \x07 and a delete \x7f came last."
)


def add(store: Store, text: str, title: str, source: str) -> str:
    with store.transaction() as db:
        doc_id, _ = add_document(db, NewDocument(text=text, title=title, source=source))
    return doc_id


@pytest.fixture
def library() -> Iterator[Store]:
    """A store with three articles: plain news, Unicode, markup and escapes."""
    with open_store(":memory:") as store:
        add(store, NEWS, NEWS_TITLE, "Vienna Post")
        add(store, UNICODE, UNICODE_TITLE, "東京 Times")
        add(store, MARKUP, MARKUP_TITLE, "[red]Wire[/]")
        yield store


Scenario = Callable[[Pilot, SidenoteApp], Awaitable[None]]


def drive(app: SidenoteApp, scenario: Scenario, size: tuple[int, int] = (120, 35)) -> None:
    """Run `scenario` against the app headless (no pytest-asyncio needed)."""

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await scenario(pilot, app)

    asyncio.run(main())


async def freeze_blink(pilot: Pilot) -> None:
    """Stop text cursors blinking so snapshots are the same on every run."""
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await pilot.pause()


def record_notifications(app: SidenoteApp) -> list[str]:
    """The messages the app notifies from now on (screens notify through the app)."""
    messages: list[str] = []
    notify = app.notify

    def recording(message: str, *args, **kwargs) -> None:
        messages.append(str(message))
        notify(message, *args, **kwargs)

    app.notify = recording  # type: ignore[method-assign]
    return messages
