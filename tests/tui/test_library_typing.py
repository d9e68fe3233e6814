"""Letters typed fast in the library all reach the filter.

A terminal delivers a fast typist's (or a paste's) keys in one burst: they are all
queued before the focus moves from the list to the filter box. Each of them must
land in the filter, in order; none may run a library command (`j`, `k`, `g`...).
"""

from __future__ import annotations

from textual import events

from store import open_store
from tui.app import SidenoteApp
from tui.widgets.document_table import DocumentTable

from .conftest import add, drive


def burst(app, text: str) -> None:
    """Queue keys all at once, as a terminal read delivers them: no wait between."""
    for character in text:
        key = "slash" if character == "/" else character
        app.post_message(events.Key(key, character))


def test_a_burst_after_slash_lands_whole_in_the_filter() -> None:
    seen = {}
    with open_store(":memory:") as store:
        add(store, "Oil text.", "Kurdistan oil is the Bermuda Triangle of the Middle East", "Rudaw")
        add(store, "Troops text.", "Trump envoy reveals NATO troop deployment plans", "RT")

        async def scenario(pilot, app):
            burst(app, "/nato")
            await pilot.pause()
            await pilot.pause()
            seen["filter"] = app.screen.filter.value
            seen["rows"] = [row.title for row in app.screen.query_one(DocumentTable).rows]

        drive(SidenoteApp(store), scenario)
    assert seen["filter"] == "nato"
    assert seen["rows"] == ["Trump envoy reveals NATO troop deployment plans"]


def test_a_burst_of_a_title_with_library_keys_in_it_stays_text() -> None:
    seen = {}
    with open_store(":memory:") as store:
        add(store, "Oil text.", "Kurdistan oil is the Bermuda Triangle of the Middle East", "Rudaw")
        add(store, "Troops text.", "Trump envoy reveals NATO troop deployment plans", "RT")

        async def scenario(pilot, app):
            burst(app, "trump envoy")  # 'j'-free, but 'e', 'n', 'v' ... and a space
            await pilot.pause()
            await pilot.pause()
            seen["filter"] = app.screen.filter.value

        drive(SidenoteApp(store), scenario)
    assert seen["filter"] == "trump envoy"
