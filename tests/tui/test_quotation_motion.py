"""The quotation around the caret (`"` in the reader), in the marks news text uses."""

from __future__ import annotations

import pytest

from tui.widgets.motions import quotation_around

TEXT = (
    "He said 'we will win' and left. “Ready,” she said, “to go ‘now’ at once.” "
    "The critics' view. 'This is it, isn't it,' he said. Told to ‘shut up' here.\n"
    "«Oui», dit-il. „Ja“, sagte er."
)


@pytest.mark.parametrize(("caret_at", "inner"), [
    ("will", "we will win"),
    ("Ready", "Ready,"),
    ("now", "now"),
    ("once", "to go ‘now’ at once."),
    ("isn't", "This is it, isn't it,"),
    ("shut", "shut up"),
    ("Oui", "Oui"),
    ("Ja", "Ja"),
])
def test_the_innermost_quotation_inside_and_with_its_marks(caret_at: str, inner: str) -> None:
    found = quotation_around(TEXT, TEXT.index(caret_at))
    assert found is not None
    start, end, outer_start, outer_end = found
    assert TEXT[start:end] == inner
    assert (outer_start, outer_end) == (start - 1, end + 1)


@pytest.mark.parametrize("caret_at", ["critics", "view", "left", "dit-il"])
def test_apostrophes_and_plain_text_are_not_quotations(caret_at: str) -> None:
    assert quotation_around(TEXT, TEXT.index(caret_at)) is None
