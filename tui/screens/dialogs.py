"""Small modal dialogs. They return what the user typed; the caller writes it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Footer, Input, Label, Static

from store import Annotation, DeletionSummary, snap_to_graphemes
from store import Label as Tag

from ..limits import NOTE_CHARS, SPEAKER_CHARS, limit_for
from ..widgets.text_layout import display_text

EXCERPT_CHARS = 60
TITLE_CHARS = 180  # the note dialog's heading: up to three wrapped lines of its width


@dataclass(frozen=True)
class NoteEdit:
    note: str
    speaker: str | None  # None: leave the speaker as it is


def excerpt(text: str, limit: int = EXCERPT_CHARS, *, end: bool = False) -> str:
    """One line of `text`, shortened with an ellipsis, safe to display; `end` keeps
    its end instead (where an edge just moved), never starting inside a character.

    The cut falls between words ("guarantees to…", not "guarantees to Ukra…": a cut
    word reads as another word); only a word longer than half the room is cut inside.
    """
    flat = " ".join(display_text(text).split())
    if len(flat) <= limit:
        return flat
    if limit <= 1:
        return "\u2026"[:limit]
    if end:
        cut = snap_to_graphemes(flat, len(flat) - limit + 1, len(flat))[0]
        space = flat.find(" ", cut - 1, len(flat) - limit // 2)
        if space >= 0:
            cut = space + 1
        return "\u2026" + flat[cut:]
    space = flat.rfind(" ", limit // 2, limit)
    if space > 0:
        return flat[:space] + "\u2026"
    return flat[: limit - 1] + "\u2026"


class NoteDialog(ModalScreen[NoteEdit | None]):
    """Edit an annotation's note and speaker (any label: a claim or a proposal has
    someone behind it too). The speaker completes from `speakers` as it is typed
    (`→` takes the completion); `tab` goes between the two fields."""

    BINDINGS = [
        Binding("escape", "cancel", "cancel", id="dialog.cancel"),
        Binding("ctrl+s", "save", "save", id="dialog.save"),
    ]

    def __init__(self, annotation: Annotation, speakers: Sequence[str] = ()) -> None:
        super().__init__()
        self.annotation = annotation
        self.speakers = list(speakers)

    def compose(self) -> ComposeResult:
        annotation = self.annotation
        with Vertical(id="note-dialog"):
            yield Static(
                Content(f"{annotation.label.value}: "
                        f"\u201c{excerpt(annotation.text, TITLE_CHARS)}\u201d"),
                id="note-dialog-title",
            )
            # Each field with its label: the focused one's label is marked (class
            # -active), so typing never goes into a field the user did not mean.
            with Vertical(classes="note-field"):
                yield Label("Note")
                yield Input(annotation.note, placeholder="Why this matters, a source, a check…",
                            id="note-input", max_length=limit_for(annotation.note, NOTE_CHARS))
            with Vertical(classes="note-field"):
                yield Label("Speaker (\u2192 takes the completion)")
                yield Input(annotation.speaker, placeholder="Who said it", id="speaker-input",
                            max_length=limit_for(annotation.speaker, SPEAKER_CHARS),
                            suggester=SuggestFromList(self.speakers, case_sensitive=False))
        yield Footer()

    def on_mount(self) -> None:
        # A quote still without its speaker most needs one: start there.
        first = "#speaker-input" if self.annotation.label is Tag.quote and not \
            self.annotation.speaker else "#note-input"
        self.query_one(first, Input).focus()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # A class, not :focus-within: Textual restyles the container on a focus move
        # but not the label inside it, which kept the field left marked too.
        for field in self.query(".note-field"):
            field.set_class(event.widget.parent is field, "-active")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        note = self.query_one("#note-input", Input).value
        speaker = self.query_one("#speaker-input", Input).value
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
                "ctrl+z (undo) brings them all back."
            ), id="delete-summary")
        yield Footer()

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ConfirmDialog(ModalScreen[bool]):
    """Ask yes or no before undoing a decision the user made earlier (a confirmed link):
    one stray key must not overturn it."""

    BINDINGS = [
        Binding("y", "confirm", "yes", id="confirm.yes", tooltip="yes, go ahead"),
        Binding("escape,n", "cancel", "no", id="confirm.no", tooltip="no, keep it as it is"),
    ]

    def __init__(self, question: str, detail: str) -> None:
        super().__init__()
        self.question = question
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Static(Content(self.question), id="confirm-title")
            yield Static(Content(self.detail), id="confirm-detail")
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
