"""Messages widgets and screens post upwards ("attributes down, messages up").

Widgets never touch the store: they report what the user did, and the screen that
owns them decides what it means and writes it. Textual initialises dataclass
messages itself (`Message.__post_init__`).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass(eq=False)
class CursorMoved(Message):
    """The article view's caret or selection changed."""

    caret: int
    sentence: int
    selection: tuple[int, int] | None


@dataclass(eq=False)
class AnnotationChosen(Message):
    """The user clicked an annotation in the side panel, or moved to it there."""

    annotation_id: str
    take_focus: bool = True  # False: moving in the panel, which keeps the focus


@dataclass(eq=False)
class OpenDocument(Message):
    """Open the reader on a document, optionally at an offset in its text."""

    doc_id: str
    offset: int | None = None
