"""Small modal dialogs. They return what the user typed; the caller writes it."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from store import Annotation, DeletionSummary
from store import Label as Tag

from ..limits import NOTE_CHARS, SPEAKER_CHARS, limit_for
from ..widgets.text_layout import display_text

EXCERPT_CHARS = 60


@dataclass(frozen=True)
class NoteEdit:
    note: str
    speaker: str | None  # None: the annotation has no speaker field (not a quote)


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """One line of `text`, shortened with an ellipsis, safe to display."""
    flat = " ".join(display_text(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "\u2026"


class NoteDialog(ModalScreen[NoteEdit | None]):
    """Edit an annotation's note, and its speaker when it is a quote."""

    BINDINGS = [
        Binding("escape", "cancel", "cancel", id="dialog.cancel"),
        Binding("ctrl+s", "save", "save", id="dialog.save"),
    ]

    def __init__(self, annotation: Annotation) -> None:
        super().__init__()
        self.annotation = annotation

    def compose(self) -> ComposeResult:
        annotation = self.annotation
        with Vertical(id="note-dialog"):
            yield Static(
                Content(f"{annotation.label.value}: \u201c{excerpt(annotation.text)}\u201d"),
                id="note-dialog-title",
            )
            yield Label("Note")
            yield Input(annotation.note, placeholder="Why this matters, a source, a check…",
                        id="note-input", max_length=limit_for(annotation.note, NOTE_CHARS))
            if annotation.label is Tag.quote:
                yield Label("Speaker")
                yield Input(annotation.speaker, placeholder="Who said it", id="speaker-input",
                            max_length=limit_for(annotation.speaker, SPEAKER_CHARS))
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#note-input", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        note = self.query_one("#note-input", Input).value
        speakers = self.query("#speaker-input")
        speaker = speakers.first(Input).value if speakers else None
        self.dismiss(NoteEdit(note, speaker))

    def action_cancel(self) -> None:
        self.dismiss(None)


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


class DeleteDialog(ModalScreen[bool]):
    """Ask before deleting an article: say what goes with it, and that undo restores it."""

    BINDINGS = [
        Binding("y", "confirm", "delete", id="delete.confirm", tooltip="delete the article"),
        Binding("escape,n", "cancel", "keep", id="delete.cancel", tooltip="keep the article"),
    ]

    def __init__(self, summary: DeletionSummary) -> None:
        super().__init__()
        self.summary = summary

    def compose(self) -> ComposeResult:
        summary = self.summary
        with Vertical(id="delete-dialog"):
            yield Static(Content(f"Delete \u201c{excerpt(summary.title or '(untitled)')}\u201d?"),
                         id="delete-title")
            yield Static(Content(
                f"This removes the article, its {plural(summary.sentences, 'sentence')}, "
                f"{plural(summary.annotations, 'annotation')} and "
                f"{plural(summary.links, 'link')} to other articles.\n"
                "u (undo) brings them all back."
            ), id="delete-summary")
        yield Footer()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ReplaceDialog(ModalScreen[bool]):
    """Ask before an export replaces a file that is already there (the CLI's --force)."""

    BINDINGS = [
        Binding("y", "confirm", "replace", id="replace.confirm", tooltip="replace the file"),
        Binding("escape,n", "cancel", "keep", id="replace.cancel", tooltip="keep the file"),
    ]

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(id="replace-dialog"):
            yield Static(Content("Replace the file?"), id="replace-title")
            yield Static(Content(
                f"{display_text(self.path)}\nis already there. y writes the export in its place "
                "(its permissions are kept); n goes back to choose another name."
            ), id="replace-summary")
        yield Footer()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
