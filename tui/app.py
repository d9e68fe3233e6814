"""SidenoteApp: the screens, the app-wide keys and the watch on the database."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from rich.console import Console
from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen

from store import Change, SidenoteError, Store, mark_run_start, next_undo, redo, undo

from . import input_driver
from .messages import OpenDocument
from .screens.base import StoreScreen
from .screens.dialogs import ConfirmDialog, DeleteDialog, NoteDialog, ReplaceDialog, excerpt
from .screens.library import LibraryScreen
from .screens.navigation import JumpList, Navigation
from .screens.resume import resume_target

# The screens an action opens are imported by that action: they bring the matcher
# (numpy), search and export, which the first frame does not need. The reader too:
# a start on the library draws without it.
if TYPE_CHECKING:
    from textual.command import Provider

    from store import LinkReport

    from .screens.echoes import OpenTarget
    from .screens.export import ExportChoice

POLL_SECONDS = 1.0


def _jump_provider() -> type[Provider]:
    """The palette's jump commands, imported when the palette first opens (Textual takes
    a function for a provider): their fuzzy matcher, rapidfuzz, is not needed to draw."""
    from .screens.palette import JumpProvider

    return JumpProvider


class SidenoteApp(App[None]):
    """The reader app on an open store. Quitting leaves the store open for the caller."""

    CSS_PATH = "app.tcss"
    TITLE = "Sidenote"
    KEYS_NOTE = (
        "The key bar at the bottom keeps to two lines, so that the text keeps its rows at "
        "80\u00d724: it shows a screen's keys in the order of the tables below, leaves out "
        "those that do not fit and always ends with `f1 help`, which lists every key."
    )
    COMMANDS = App.COMMANDS | {_jump_provider}
    BINDINGS = [
        Binding("ctrl+q", "quit", "quit", priority=True, id="app.quit", tooltip="quit"),
        Binding("ctrl+c", "help_quit", show=False, system=True, id="app.help_quit"),
        Binding("f1,question_mark", "help", "help", id="app.help",
                tooltip="this help: every key where you are"),
        Binding("ctrl+p", "command_palette", "jump", id="app.command_palette", show=False,
                tooltip="jump to an article or an annotation (command palette)"),
        Binding("u,ctrl+z", "undo", "undo", id="app.undo",
                tooltip="undo the last change, in any article, even after a restart"),
        Binding("ctrl+r", "redo", "redo", id="app.redo", tooltip="redo what was undone"),
        Binding("ctrl+f", "search", "search", id="app.search",
                tooltip="search annotations and linked statements in every article"),
        Binding("ctrl+k", "review_queue", "review queue", id="app.review_queue",
                tooltip="every suggested link in the corpus, best first, to accept or reject"),
        Binding("ctrl+b", "annotations", "annotations", id="app.annotations",
                tooltip="every annotation in the corpus: filter, sort, open"),
    ]

    def __init__(
        self, store: Store, doc_id: str | None = None, keymap: Mapping[str, str] | None = None
    ) -> None:
        super().__init__(driver_class=input_driver.driver_class())
        self.store = store
        self.doc_id = doc_id
        self.user_keymap = dict(keymap or {})
        self._data_version = 0
        self.jumps = JumpList()  # shared by every reader opened: back outlives a reader
        self._warming = threading.Lock()  # held while the warm-up thread uses the store
        self._closing = False
        # Textual prints a crash's traceback on `error_console` once the terminal is
        # restored. Kept here instead, so that the user sees one line and the
        # traceback goes to a file (`crash_report`, written by the `read` command).
        self._crash_output = io.StringIO()
        self.error_console = Console(
            file=self._crash_output, markup=False, highlight=False, color_system=None
        )

    @property
    def crash_report(self) -> str:
        """The traceback of the error that stopped the app, as plain text; empty if none."""
        return self._crash_output.getvalue()

    def on_mount(self) -> None:
        mark_run_start(self.store)  # undo asks before taking back what others do from now
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        self.push_screen(LibraryScreen(self.store))
        target = self.doc_id or resume_target(self.store)
        if target is not None:
            from .screens.reader import ReaderScreen

            self.push_screen(ReaderScreen(self.store, target, navigation=self._navigation()))
        self._data_version = self.store.data_version()
        self.set_interval(POLL_SECONDS, self.check_for_changes)
        # After the first paint: the warm-up holds the GIL in long stretches, and the
        # library's first query, made row by row, would wait on it (5 s at 10,000 articles).
        self.call_after_refresh(self.warm_indexes)

    @work(thread=True, exit_on_error=False)
    def warm_indexes(self) -> None:
        """Build the echoes index and the search vocabulary off the main thread, so the
        first `l` and the first search answer at once."""
        with self._warming:
            if self._closing:
                return
            from store import warm
            from store.search import warm_up

            try:
                warm(self.store)
                warm_up(self.store)
            except SidenoteError as error:
                self.call_from_thread(self.notify, str(error), severity="warning", markup=False)

    async def on_unmount(self) -> None:
        """Wait for a warm-up still using the store: the caller closes it after we return,
        and a thread left writing to it would hold the database's write lock."""
        self._closing = True
        await asyncio.to_thread(self._warming.acquire)
        self._warming.release()

    # -- the command palette's commands -------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Link the whole corpus",
                            "find every repeated statement in every article (in the background)",
                            self.action_link_corpus)
        yield SystemCommand("Export annotations\u2026",
                            "write every annotation as jsonl, documents, w3c, brat or csv",
                            self.action_export)
        yield SystemCommand("Review re-anchored annotations",
                            "annotations whose article changed: place them or discard them",
                            self.action_review)

    def action_review(self) -> None:
        from .screens.review import ReviewScreen

        if not isinstance(self.screen, ReviewScreen):
            self.push_screen(ReviewScreen(self.store))

    def action_export(self) -> None:
        from .screens.export import ExportDialog

        def chosen(choice: ExportChoice | None) -> None:
            if choice is not None:
                self.notify(f"exporting to {choice.path}\u2026", markup=False)
                self.export_in_background(choice)

        self.push_screen(ExportDialog(self.store.path), chosen)

    @work(thread=True, group="export", exit_on_error=False)
    def export_in_background(self, choice: ExportChoice) -> None:
        from .screens.export import run_export

        try:
            done = run_export(self.store, choice)
        except SidenoteError as error:
            self.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        self.call_from_thread(self.notify, done.line, markup=False)

    def action_link_corpus(self) -> None:
        from .screens.linking import LinkCorpusScreen, links_in_all, report_line

        def done(report: LinkReport | None) -> None:
            if report is not None:
                self.notify(f"{report_line(report)} \u00b7 {links_in_all(self.store)}",
                            markup=False)
                self.refresh_store_screens()

        self.push_screen(LinkCorpusScreen(self.store), done)

    def refresh_store_screens(self) -> None:
        for screen in self._store_screens():
            screen.store_changed()

    # -- another Sidenote on the same database -------------------------------------

    def on_app_focus(self) -> None:
        self.check_for_changes()

    def check_for_changes(self) -> None:
        """Re-read what the screens show when another connection has committed."""
        try:
            version = self.store.data_version()
        except SidenoteError:
            return  # the next poll tries again; a broken store shows up on the next write
        if version != self._data_version:
            self._data_version = version
            for screen in self._store_screens():
                screen.store_changed()

    def _store_screens(self) -> list[StoreScreen]:
        """The screens showing the store, top first. Not one still mounting (it reads
        the store when mounted), nor any once the app is exiting (the poll timer can
        still fire while the screens take their widgets down)."""
        return [
            s
            for s in reversed(self.screen_stack)
            if isinstance(s, StoreScreen) and s.is_mounted and s.is_attached
        ]

    # -- navigation ------------------------------------------------------------------------

    def on_open_document(self, message: OpenDocument) -> None:
        self.open_document(message.doc_id, message.offset)

    def open_document(self, doc_id: str, offset: int | None = None) -> None:
        from .screens.reader import ReaderScreen

        screens = self._store_screens()
        top = screens[0] if screens else None
        if isinstance(top, ReaderScreen):
            top.show_document(doc_id, offset)
        else:
            self.push_screen(ReaderScreen(self.store, doc_id, offset, self._navigation()))

    def _navigation(self) -> Navigation:
        return Navigation(self.jumps, self._library_order)

    def _library_order(self) -> list[str] | None:
        """The articles as the library lists them now (its filter and sort)."""
        for screen in self.screen_stack:
            if isinstance(screen, LibraryScreen):
                return screen.article_order()
        return None

    def action_search(self) -> None:
        from .screens.search import SearchScreen

        if isinstance(self.screen, SearchScreen):
            return

        def chosen(target: OpenTarget | None) -> None:
            if target is not None:
                self.open_document(target.doc_id, target.offset)

        self.push_screen(SearchScreen(self.store), chosen)

    def action_review_queue(self) -> None:
        from .screens.queue import QueueScreen

        if not isinstance(self.screen, QueueScreen):
            self.push_screen(QueueScreen(self.store))

    def action_annotations(self) -> None:
        from .screens.annotations import AnnotationsScreen

        if not isinstance(self.screen, AnnotationsScreen):
            self.push_screen(AnnotationsScreen(self.store))

    # -- undo and redo: global, persistent, shown where they happened ------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # In the library letters filter: undo is its own ctrl+z, and `u` is not shown.
        return not (action == "undo" and isinstance(self.screen, LibraryScreen))

    def action_undo(self) -> None:
        """Undo is global, so the newest step may be another program's (the command line
        on the same file) or an earlier run's: that one is taken back only after a yes,
        and only if it is still the newest when the answer comes."""
        try:
            step = next_undo(self.store)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if step is None or step.own:
            only = None if step is None else step.group_id
            self._move_history(lambda store: undo(store, only), "undid", "nothing to undo")
            return
        where = "" if step.title is None else (
            f" in \u201c{excerpt(step.title or '(untitled)', 60)}\u201d"
        )
        question = (f"The newest change was made by another program while this one was open: "
                    f"{step.description}{where}. Undo it?")

        def answered(yes: bool | None) -> None:
            if yes:
                self._move_history(lambda store: undo(store, step.group_id), "undid",
                                   "nothing to undo")

        self.push_screen(ConfirmDialog(question, "y: undo it \u00b7 n: keep it"), answered)

    def action_redo(self) -> None:
        self._move_history(redo, "redid", "nothing to redo")

    def _move_history(
        self, move: Callable[[Store], Change | None], verb: str, nothing: str
    ) -> None:
        try:
            change = move(self.store)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if change is None:
            self.notify(nothing, markup=False)
            return
        screens = self._store_screens()
        for screen in screens[1:]:
            screen.store_changed()
        if screens:
            screens[0].store_changed(change.doc_id, change.start)
        self.notify(self._change_line(verb, change, screens[0] if screens else None),
                    markup=False)

    @staticmethod
    def _change_line(verb: str, change: Change, top: StoreScreen | None) -> str:
        """`undid tag claim in “Title”`, and how to open it where it is not shown:
        the reader opens the article itself; the library puts its cursor on it."""
        line = f"{verb} {change.description}"
        if change.title is not None:
            line += f" in \u201c{excerpt(change.title or '(untitled)', 60)}\u201d"
        if (
            isinstance(top, LibraryScreen)
            and change.doc_id is not None
            and top.table.current is not None
            and top.table.current.id == change.doc_id
        ):
            line += " \u00b7 \u23ce opens it"
        return line

    # -- help --------------------------------------------------------------------------------

    def action_help(self) -> None:
        from .screens.help import HelpScreen, help_rows

        screen = self.screen
        rows = help_rows(screen.active_bindings, self.get_key_display)
        self.push_screen(HelpScreen(screen.sub_title or "Sidenote", rows))


def app_key_sections() -> list[tuple[str, Sequence[type[DOMNode]]]]:
    """Where each key works, in the order a new user meets them: for docs/keys.md and
    for checking a keymap's ids. Here because the app is what knows every screen."""
    from .screens.annotations import AnnotationsScreen
    from .screens.echoes import EchoesScreen
    from .screens.export import ExportDialog
    from .screens.help import HelpScreen
    from .screens.queue import BulkDialog, QueueScreen
    from .screens.reader import ReaderScreen
    from .screens.review import ReviewScreen
    from .screens.search import SearchScreen
    from .screens.spread import ReportDialog, SpreadScreen
    from .widgets.annotation_list import AnnotationList
    from .widgets.article_view import ArticleView
    from .widgets.choice_list import ChoiceList
    from .widgets.document_table import DocumentTable
    from .widgets.row_table import RowTable

    return [
        ("Everywhere", [SidenoteApp]),
        ("Library", [DocumentTable, LibraryScreen]),
        ("Reader", [ArticleView, ReaderScreen]),
        ("Side panel (tab from the reader)", [AnnotationList]),
        ("Echoes", [ChoiceList, EchoesScreen]),
        ("Search", [SearchScreen]),
        ("Review queue", [RowTable, QueueScreen]),
        ("Spread", [ChoiceList, SpreadScreen]),
        ("Annotations", [RowTable, AnnotationsScreen]),
        ("Review", [ChoiceList, ReviewScreen]),
        ("Note dialog", [NoteDialog]),
        ("Delete dialog", [DeleteDialog]),
        ("Confirm dialog", [ConfirmDialog]),
        ("Export dialog", [ExportDialog]),
        ("Replace dialog", [ReplaceDialog]),
        ("Bulk verdict dialog", [BulkDialog]),
        ("Report dialog", [ReportDialog]),
        ("Help", [HelpScreen]),
    ]


if __name__ == "__main__":
    from pathlib import Path

    from .screens.help import keys_markdown

    target = Path(__file__).resolve().parents[1] / "docs" / "keys.md"
    target.write_text(keys_markdown(app_key_sections()), encoding="utf-8")
    print(f"wrote {target}")
