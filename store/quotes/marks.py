"""Where the quotation marks are: pairs of marks around quoted text, by paragraph.

A mark's direction comes from what touches it, as in CommonMark's flanking rules: a
mark with a space (or the start of the line) before it and a character after it opens,
one with a character before it and a space or punctuation after it closes, and one
between two letters is an apostrophe ("it's", "Zelenskyy’s", "Trump‘s"). The glyph only
breaks ties, because newsrooms type ‘ for apostrophes and German closes with “.
"""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass

from .scan import positions_of

# Each mark belongs to a family; a quote closes only with a mark of its own family.
FAMILIES: dict[str, str] = {
    '"': "double", "“": "double", "”": "double", "„": "double", "‟": "double",
    "'": "single", "‘": "single", "’": "single", "‚": "single", "‛": "single",
    "«": "guillemet", "»": "guillemet",
    "‹": "single_guillemet", "›": "single_guillemet",
    "「": "corner", "」": "corner",
    "『": "white_corner", "』": "white_corner",
}

# Marks whose glyph points one way, used only when the context allows both.
OPENING_GLYPHS = frozenset("“‘„‚‛‟«‹「『")
CLOSING_GLYPHS = frozenset("”’»›」』")
# CJK corner brackets sit between letters without spaces: the glyph decides alone.
FIXED_OPEN = frozenset("「『")
FIXED_CLOSE = frozenset("」』")

# What may stand just outside an opening or a closing mark besides a space.
BEFORE_OPENING = set("([{—–-/:;,") | set(FAMILIES)
AFTER_CLOSING = set(".,;:!?)]}…—–-/") | set(FAMILIES)


@dataclass(frozen=True, slots=True, eq=False)
class Marked:
    """Quoted text between two marks: `text[start:end]`, marks at start-1 and end.

    `depth` is 0 for a quote in the narrative and 1 or more for a quote inside a quote.
    `continues` is set on a paragraph of a multi-paragraph quote that the next paragraph
    carries on (it has no closing mark: `end` is the end of its paragraph).
    Each pair of marks gives one object, so spans are keyed by identity: no hash of the
    fields on every lookup of the per-quote tables.
    """

    start: int
    end: int
    depth: int
    continues: bool = False


def _is_space(ch: str) -> bool:
    if ch.isascii():  # ASCII's spaces and controls are exactly the characters up to " ", and DEL
        return ch <= " " or ch == "\x7f"
    # Letters and digits are never spaces, controls or format characters: no lookup.
    return ch.isspace() or (not ch.isalnum() and unicodedata.category(ch) in ("Zs", "Cc", "Cf"))


def _direction(text: str, i: int) -> tuple[bool, bool]:
    """(can open, can close) for the mark at `i`."""
    ch = text[i]
    if ch in FIXED_OPEN:
        return True, False
    if ch in FIXED_CLOSE:
        return False, True
    before = text[i - 1] if i > 0 else "\n"
    after = text[i + 1] if i + 1 < len(text) else "\n"
    # _is_space inline for ASCII, the common case: a call per side costs more than the test.
    space_before = before <= " " or before == "\x7f" if before.isascii() else _is_space(before)
    space_after = after <= " " or after == "\x7f" if after.isascii() else _is_space(after)
    # French sets guillemets apart with a (narrow) space inside: « Nous sommes prêts ».
    if ch == "«" and space_after and space_before:
        return True, False
    if ch == "»" and space_before and i > 0 and (space_after or after in AFTER_CLOSING):
        return False, True
    can_open = not space_after and (space_before or before in BEFORE_OPENING)
    can_close = not space_before and (space_after or after in AFTER_CLOSING)
    return _by_glyph(ch, can_open, can_close)


def _by_glyph(ch: str, can_open: bool, can_close: bool) -> tuple[bool, bool]:
    """The glyph decides only what its surroundings leave open."""
    if can_open and can_close:
        if ch in OPENING_GLYPHS:
            return True, False
        if ch in CLOSING_GLYPHS:
            return False, True
    if can_open and ch in "’":
        # ’90s, ’n’: a right quote with nothing before it is an elision.
        return False, False
    return can_open, can_close


def find_marked(text: str) -> list[Marked]:
    """Every quoted span in `text`, outermost and nested, in order of their opening mark."""
    found: list[Marked] = []
    marks = _mark_positions(text)
    first = 0
    # Marks pair within a paragraph; paragraphs with no mark are never looked at.
    while first < len(marks):
        line_end = text.find("\n", marks[first])
        line_end = len(text) if line_end < 0 else line_end
        last = bisect.bisect_left(marks, line_end, first)
        _pair_line(text, marks[first:last], line_end, found)
        first = last
    found.sort(key=lambda q: (q.start, -q.end))
    return found


def _mark_positions(text: str) -> list[int]:
    """Where every quote mark is, in order."""
    return positions_of(text, FAMILIES)


def _first_mark(text: str, start: int, end: int) -> int | None:
    """Position of the mark opening a paragraph (after its indentation), if any."""
    i = start
    while i < end and _is_space(text[i]):
        i += 1
    return i if i < end and text[i] in FAMILIES else None


def _pair_line(text: str, marks: list[int], end: int, found: list[Marked]) -> None:
    """Pair the marks of one paragraph (ending at `end`); a quote left open may continue
    in the next."""
    stack, orphans = _pair_marks(text, marks, found)
    _pair_broken_conversion(stack, orphans, found)
    if stack:
        _continue_paragraph(text, end, stack, found)


def _pair_marks(
    text: str, marks: list[int], found: list[Marked]
) -> tuple[list[tuple[int, str]], list[int]]:
    """Close each quote with the nearest mark of its family; what is left open (position,
    family) and the closing marks that found nothing to close."""
    stack: list[tuple[int, str]] = []
    orphans: list[int] = []
    size = len(text)
    for i in marks:
        # A mark between two letters or digits (it's, Ukraine’s) neither opens nor closes:
        # they are no spaces and stand in neither BEFORE_OPENING nor AFTER_CLOSING. Most
        # marks in news are such apostrophes; this spares them the call.
        if (
            0 < i < size - 1
            and text[i - 1].isalnum()
            and text[i + 1].isalnum()
            and text[i] not in FIXED_OPEN
            and text[i] not in FIXED_CLOSE
        ):
            continue
        family = FAMILIES[text[i]]
        can_open, can_close = _direction(text, i)
        # The open quote on top is nearly always the one closed: tested before the scan.
        if can_close and stack and (stack[-1][1] == family or any(f == family for _, f in stack)):
            while stack[-1][1] != family:
                stack.pop()
            opened, _ = stack.pop()
            found.append(Marked(opened + 1, i, len(stack)))
        elif can_open:
            stack.append((i, family))
        elif can_close:
            orphans.append(i)
    return stack, orphans


def _pair_broken_conversion(
    stack: list[tuple[int, str]], orphans: list[int], found: list[Marked]
) -> None:
    """A quote opened with " and closed with ' (a broken conversion of curly quotes)."""
    while stack and orphans:
        opened, _ = stack[0]
        later = [o for o in orphans if o > opened]
        if not later:
            break
        found.append(Marked(opened + 1, later[0], 0))
        orphans.remove(later[0])
        stack.pop(0)


def _continue_paragraph(
    text: str, end: int, stack: list[tuple[int, str]], found: list[Marked]
) -> None:
    """A quote left open whose next paragraph opens with its family carries on there."""
    if len(stack) != 1:
        return
    opened, family = stack[0]
    nxt = end + 1
    while nxt < len(text) and text[nxt] in "\r\n \t":  # blank lines between paragraphs
        nxt += 1
    next_end = text.find("\n", nxt)
    next_end = len(text) if next_end < 0 else next_end
    first = _first_mark(text, nxt, next_end) if nxt < len(text) else None
    if first is not None and FAMILIES[text[first]] == family:
        stop = end
        while stop > opened + 1 and _is_space(text[stop - 1]):
            stop -= 1
        found.append(Marked(opened + 1, stop, 0, continues=True))


def first_hosts(outer: list[Marked], inner: list[Marked]) -> dict[Marked, Marked]:
    """For each span of `inner`, the first span of `outer` (sorted by start) holding it.

    The first span that reaches far enough right is the only candidate: any earlier one
    ends too soon, and any later one starts no earlier. A bisect over the running
    furthest end finds it, so long articles with many quotes cost no more per quote.
    """
    reach: list[int] = []  # reach[i]: the furthest end among outer[0..i]
    for o in outer:
        reach.append(max(o.end, reach[-1]) if reach else o.end)
    hosts: dict[Marked, Marked] = {}
    for n in inner:
        i = bisect.bisect_left(reach, n.end)
        if i < len(outer) and outer[i].start <= n.start:
            hosts[n] = outer[i]
    return hosts
