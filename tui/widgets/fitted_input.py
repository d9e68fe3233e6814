"""An `Input` whose placeholder fits its width: the longest wording that fits whole,
else the shortest cut at a word end with an ellipsis.

Textual crops a placeholder at the field's edge, mid-word and with no sign that more
was there ("(filters: label:quote" at 80 columns), so a narrow terminal hid the rest
of a prompt's filters without saying so.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import Input

from .lines import cut_at_word


def fit_placeholder(wordings: Sequence[str], width: int) -> str:
    """The first of `wordings` (longest first) that fits in `width` cells, else the
    last cut between words with an ellipsis."""
    for wording in wordings:
        if cell_len(wording) <= width:
            return wording
    return cut_at_word(Text(wordings[-1], end=""), width).plain


class FittedInput(Input):
    """An `Input` given several placeholder wordings, longest first."""

    def __init__(self, placeholders: Sequence[str], *, id: str | None = None,
                 max_length: int = 0) -> None:
        super().__init__(placeholder=placeholders[0], id=id, max_length=max_length)
        self.placeholders = tuple(placeholders)

    def on_resize(self, event: events.Resize) -> None:
        # One cell for the cursor, drawn after the placeholder's first character.
        width = max(1, self.content_region.width - 1)
        self.placeholder = fit_placeholder(self.placeholders, width)
