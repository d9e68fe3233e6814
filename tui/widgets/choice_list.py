"""A list of choices that moves with the same keys as every other list in the app.

Textual's `OptionList` moves with the arrow keys only. Everywhere else in Sidenote
(the library, the reader, the side panel, the queue, the annotations) `j` and `k`
move too, so a reader who presses `j` in the echoes and then `r` would reject the
first echo instead of the second. The lists a screen judges or opens from use this.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import OptionList


class ChoiceList(OptionList):
    """`OptionList` with `j`/`k` (next, previous) and `g`/`G` (first, last)."""

    BINDINGS = [
        Binding("j", "cursor_down", "next in the list", show=False, id="list.down"),
        Binding("k", "cursor_up", "previous in the list", show=False, id="list.up"),
        Binding("g", "first", "first in the list", show=False, id="list.first"),
        Binding("G", "last", "last in the list", show=False, id="list.last"),
    ]
