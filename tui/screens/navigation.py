"""Where the reader has been and what it copies: the jump list and citations.

The jump list is the app's, handed to each reader it opens (attributes down), so
`ctrl+o` still returns to the article left before the reader was closed and opened
again from the library.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from store import Annotation, Document

JUMPS_KEPT = 100
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Place:
    """A caret in an article: what a jump leaves and what back returns to."""

    doc_id: str
    offset: int


@dataclass
class JumpList:
    """Vim's jump list: places left by a jump, newest last, and the ones went back from."""

    back: list[Place] = field(default_factory=list)
    ahead: list[Place] = field(default_factory=list)

    def record(self, place: Place) -> None:
        """`place` was left by a jump: back returns to it; what was ahead is gone."""
        if not self.back or self.back[-1] != place:
            self.back.append(place)
            del self.back[:-JUMPS_KEPT]
        self.ahead.clear()

    def go_back(self, here: Place) -> Place | None:
        """The place before `here`, which forward then returns to; None at the start."""
        while self.back and self.back[-1] == here:
            self.back.pop()  # returning to where one stands is no move
        if not self.back:
            return None
        self.ahead.append(here)
        return self.back.pop()

    def go_forward(self, here: Place) -> Place | None:
        """The place went back from last; None when nothing is ahead."""
        while self.ahead and self.ahead[-1] == here:
            self.ahead.pop()
        if not self.ahead:
            return None
        self.back.append(here)
        return self.ahead.pop()


@dataclass
class Navigation:
    """What a reader gets from the app to move between articles: the shared jump list,
    and the library's order now (its filter and sort), which `]` and `[` follow."""

    jumps: JumpList = field(default_factory=JumpList)
    order: Callable[[], list[str] | None] | None = None


def _flat(text: str) -> str:
    """One line, without control characters: a citation is pasted into other programs."""
    return " ".join(_CONTROL.sub(" ", text).split())


def citation(annotation: Annotation, document: Document) -> str:
    """The annotation as a citation: “quote” — speaker, outlet, “title”, date. URL

    Parts the article does not have are left out, never filled with a placeholder.
    """
    line = f"\u201c{_flat(annotation.text)}\u201d"
    source = [_flat(part) for part in (annotation.speaker, document.source) if part.strip()]
    if document.title.strip():
        source.append(f"\u201c{_flat(document.title)}\u201d")
    if document.published.strip():
        source.append(_flat(document.published))
    if source:
        line += " \u2014 " + ", ".join(source)
    url = _flat(document.url)
    return f"{line}. {url}" if url else line
