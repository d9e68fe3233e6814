"""Export from the command palette: a dialog for the format and the path, then a worker.

The export runs in a thread on its own connection (`open_store(store.path)`), so a
long export never blocks the screen and never shares a transaction with the reader's
writes. `export_to_path` writes a temporary file and renames it, so the file appears
whole or not at all. The dialog checks the path with the same rule as `sidenote export`
(`store.files.writing`) before it closes: a path that can never be written is said at
once, and a file already there is replaced only after a yes (the CLI's `--force`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, RadioButton, RadioSet, Static

from store import (
    FORMATS,
    InputError,
    Store,
    TargetExists,
    check_target,
    export_format,
    export_to_path,
    open_store,
)

from ..limits import PATH_CHARS
from .dialogs import ReplaceDialog


def default_path(fmt: str) -> str:
    """`~/sidenote-export.jsonl` for the default format, else `~/sidenote-export-<format>`
    with the format's suffix (none for a folder: `~/sidenote-export-brat`)."""
    name = "sidenote-export" if fmt == FORMATS[0] else f"sidenote-export-{fmt}"
    return f"~/{name}{export_format(fmt).suffix}"


class FormatButton(RadioButton):
    """A radio button that draws its dot only when chosen. Textual draws the dot on
    every button and tells them apart by colour alone, so without colour (NO_COLOR)
    the chosen format would not show."""

    def on_mount(self) -> None:
        self._mark()

    def watch_value(self) -> None:
        super().watch_value()
        self._mark()

    def _mark(self) -> None:
        self.BUTTON_INNER = RadioButton.BUTTON_INNER if self.value else " "
        self.refresh()


@dataclass(frozen=True)
class ExportChoice:
    fmt: str
    path: Path
    force: bool = False  # replace the file at `path`: the user said yes


class ExportDialog(ModalScreen[ExportChoice | None]):
    """Choose a format and where to write; the caller runs the export."""

    BINDINGS = [
        Binding("ctrl+s", "export", "export", id="export.run", tooltip="export now"),
        Binding("escape", "cancel", "cancel", id="export.cancel", tooltip="cancel"),
    ]

    def __init__(self, database: str | None = None) -> None:
        super().__init__()
        self.fmt = FORMATS[0]
        self.database = database  # never a target, nor are the files beside it

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Static(Content("Export annotations"), id="export-title")
            with RadioSet(id="export-format"):
                for index, fmt in enumerate(FORMATS):
                    yield FormatButton(
                        Content(f"{fmt} \u2014 {export_format(fmt).description}"),
                        value=index == 0,
                        name=fmt,
                    )
            yield Label("Write to (tab reaches it; enter exports)")
            yield Input(default_path(self.fmt), id="export-path", max_length=PATH_CHARS)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(RadioSet).focus()

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        path = self.query_one("#export-path", Input)
        fmt = event.pressed.name or FORMATS[0]
        if path.value == default_path(self.fmt):  # follow the format unless the user typed
            path.value = default_path(fmt)
        self.fmt = fmt
        # The focus stays on the list: moved to the path unasked, the user's next tab
        # went back to the list and seemed to do nothing. tab reaches the path.

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_export()

    def action_export(self) -> None:
        value = self.query_one("#export-path", Input).value.strip()
        if not value:
            self.notify("give a file name to export to", severity="warning", markup=False)
            return
        path = Path(value).expanduser()
        try:
            check_target(path, database=self.database, folder=export_format(self.fmt).folder)
        except TargetExists:
            self.app.push_screen(ReplaceDialog(str(path)), self._replace_answered)
            return
        except InputError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.dismiss(ExportChoice(self.fmt, path))

    def _replace_answered(self, replace: bool | None) -> None:
        if replace:
            path = Path(self.query_one("#export-path", Input).value.strip()).expanduser()
            self.dismiss(ExportChoice(self.fmt, path, force=True))
        else:
            self.query_one("#export-path", Input).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class ExportDone:
    count: int
    choice: ExportChoice

    @property
    def line(self) -> str:
        noun = export_format(self.choice.fmt).counts
        plural = "" if self.count == 1 else "s"
        return f"exported {self.count} {noun}{plural} as {self.choice.fmt} to {self.choice.path}"


def run_export(store: Store, choice: ExportChoice) -> ExportDone:
    """The export itself, on its own connection (an in-memory store has only one)."""
    if store.path == ":memory:":
        return ExportDone(
            export_to_path(store, choice.fmt, choice.path, force=choice.force), choice
        )
    with open_store(store.path) as own:
        return ExportDone(export_to_path(own, choice.fmt, choice.path, force=choice.force), choice)
