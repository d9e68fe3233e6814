"""The review queue and undo while another program (the command line) works on the
same file: a skip undone by `u`, progress that an outside verdict never lowers, `u`
asking before it takes back another program's step, the queue naming what another
program did, the A/R question counted again, and the columns at 80x24.

A second store on the file stands for `sidenote ...` in another shell; the tests
call the app's poll (`check_for_changes`) where it would run.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from store import judge_links, list_links, open_store, queue_order, undo
from tests.store.test_review_queue import linked_corpus
from tui import app as app_module
from tui.app import SidenoteApp
from tui.screens.dialogs import ConfirmDialog
from tui.screens.queue import BulkDialog, QueueScreen, cut_words, outlets_width

from .conftest import drive, record_notifications


@pytest.fixture(autouse=True)
def no_timed_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(app_module, "POLL_SECONDS", 3600)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    path = tmp_path / "s.sqlite"
    with open_store(path) as store:
        linked_corpus(store)
    return path


def statuses(path: Path) -> dict[str, str]:
    with open_store(path) as store:
        return {link.id: link.status.value for link in list_links(store)}


def cli_judge(path: Path, link_id: str, verdict: str) -> None:
    with open_store(path) as cli:
        judge_links(cli, [link_id], verdict)


async def open_queue(pilot) -> QueueScreen:
    await pilot.press("ctrl+k")
    await pilot.pause()
    assert isinstance(pilot.app.screen, QueueScreen)
    return pilot.app.screen


def run(path: Path, scenario, size: tuple[int, int] = (120, 35)) -> None:
    with open_store(path) as store:
        drive(SidenoteApp(store), scenario, size)


def test_u_right_after_s_takes_back_the_skip_and_not_the_verdict_before_it(path: Path):
    seen = {}

    async def scenario(pilot, app):
        notes = record_notifications(app)
        queue = await open_queue(pilot)
        seen["accepted"] = queue.current.id
        await pilot.press("a")
        await pilot.pause()
        seen["skipped"] = queue.current.id
        await pilot.press("s")
        await pilot.pause()
        seen["before"] = queue.progress_line
        await pilot.press("u")
        await pilot.pause()
        seen["after"] = queue.progress_line
        seen["notes"] = list(notes)
        seen["mark"] = queue.item(queue.queue.row_of(seen["skipped"])).mark
        await pilot.press("ctrl+r")
        await pilot.pause()
        seen["redone"] = queue.progress_line

    run(path, scenario)
    assert statuses(path)[seen["accepted"]] == "confirmed"
    assert (seen["before"], seen["after"], seen["redone"]) == (
        "2 of 5 reviewed", "1 of 5 reviewed", "2 of 5 reviewed")
    assert any(n.startswith("undid skip 1 link") for n in seen["notes"])
    assert seen["mark"] is None


def test_progress_counts_verdicts_from_the_command_line_and_never_goes_back(path: Path):
    with open_store(path) as store:
        order = queue_order(store)
    seen = []

    async def scenario(pilot, app):
        queue = await open_queue(pilot)
        await pilot.press("s")  # skip the first pair
        await pilot.pause()
        seen.append(queue.progress_line)
        cli_judge(path, order[3], "rejected")
        app.check_for_changes()
        await pilot.pause()
        seen.append(queue.progress_line)
        cli_judge(path, order[0], "confirmed")  # the skipped pair, accepted elsewhere
        app.check_for_changes()
        await pilot.pause()
        seen.append(queue.progress_line)

    run(path, scenario)
    assert seen == ["1 of 5 reviewed", "2 of 5 reviewed", "2 of 5 reviewed"]


def test_u_asks_before_undoing_another_programs_step_and_n_keeps_it(path: Path):
    with open_store(path) as store:
        order = queue_order(store)
    seen = {}

    async def scenario(pilot, app):
        notes = record_notifications(app)
        queue = await open_queue(pilot)
        await pilot.press("r")  # the app's own verdict on order[0]
        await pilot.pause()
        cli_judge(path, order[2], "confirmed")  # `sidenote links accept` meanwhile
        app.check_for_changes()
        await pilot.pause()
        seen["title"] = str(queue._title.render())
        await pilot.press("u")
        await pilot.pause()
        seen["dialog"] = isinstance(app.screen, ConfirmDialog) and app.screen.question
        await pilot.press("n")
        await pilot.pause()
        seen["kept"] = statuses(path)[order[2]]
        await pilot.press("u", "y")
        await pilot.pause()
        seen["undone"] = statuses(path)[order[2]]
        await pilot.press("u")  # the newest step is the app's own again: no question
        await pilot.pause()
        seen["own"] = (type(app.screen), statuses(path)[order[0]])
        seen["notes"] = list(notes)

    run(path, scenario)
    assert "another program: accept 1 link" in seen["title"]
    assert seen["dialog"] and seen["dialog"].startswith(
        "The newest change was made by another program while this one was open: accept 1 link "
        "in \u201c"
    )
    assert seen["kept"] == "confirmed"
    assert seen["undone"] == "suggested"
    assert seen["own"] == (QueueScreen, "suggested")
    assert any("another program: accept 1 link \u2014 list refreshed" in n for n in seen["notes"])


def test_the_queue_says_when_another_program_undid_a_verdict_made_here(path: Path):
    seen = {}

    async def scenario(pilot, app):
        notes = record_notifications(app)
        queue = await open_queue(pilot)
        await pilot.press("a")
        await pilot.pause()
        with open_store(path) as cli:
            undo(cli)  # `sidenote undo` in another shell takes the app's verdict back
        app.check_for_changes()
        await pilot.pause()
        seen["title"] = str(queue._title.render())
        seen["notes"] = list(notes)

    run(path, scenario)
    assert "another program: undid accept 1 link" in seen["title"]
    assert any("undid accept 1 link \u2014 list refreshed" in n for n in seen["notes"])


def test_the_accept_above_question_is_counted_again_when_a_pair_is_judged_elsewhere(
    path: Path,
):
    seen = {}

    async def scenario(pilot, app):
        queue = await open_queue(pilot)
        first = queue.current
        same = [queue.item(row) for row in range(queue.table.count)]
        same = [i.id for i in same if i.method == first.method and i.score >= first.score]
        seen["same"] = same
        await pilot.press("A")
        await pilot.pause()
        seen["asked"] = app.screen.question
        cli_judge(path, same[-1], "rejected")
        app.check_for_changes()
        await pilot.pause()
        assert isinstance(app.screen, BulkDialog)
        seen["recounted"] = app.screen.question
        await pilot.press("y")
        await pilot.pause()

    run(path, scenario)
    n = len(seen["same"])
    assert f"Accept all {n} " in seen["asked"]
    assert (f"Accept all {n - 1} " if n > 2 else "Accept the 1 ") in seen["recounted"]
    now = statuses(path)
    assert [now[i] for i in seen["same"]] == ["confirmed"] * (n - 1) + ["rejected"]


def test_at_80_columns_the_wording_gets_the_room_and_outlets_are_cut_at_word_ends(
    path: Path,
):
    seen = {}

    async def scenario(pilot, app):
        queue = await open_queue(pilot)
        width = queue.table.scrollable_content_region.width
        item = queue.current
        seen["line"] = queue._line(queue.table.cursor_row, width).plain[:width]
        seen["wording"] = " ".join(item.a.text.split())

    run(path, scenario, size=(80, 24))
    line, wording = seen["line"], seen["wording"]
    shown = line[line.index(wording[:10]):]
    assert len(shown) >= 30  # was 16: "Kellogg and Ste…"
    assert "\u2194" in line and "\u2026" in line


def test_outlet_names_are_cut_at_a_word_end():
    assert cut_words("Kellogg and Stewart Daily", 16) == "Kellogg and\u2026"
    assert cut_words("Reuters", 16) == "Reuters"
    assert cut_words("Supercalifragilistic", 8) == "Superca\u2026"
    assert outlets_width(78) < 36 and outlets_width(200) == 36
