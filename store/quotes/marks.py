"""Where the quotation marks are: pairs of marks around quoted text, by paragraph.

A mark's direction comes from what touches it, as in CommonMark's flanking rules: a
mark with a space (or the start of the line) before it and a character after it opens,
one with a character before it and a space or punctuation after it closes, and one
between two letters is an apostrophe ("it's", "Zelenskyy’s", "Trump‘s"). The glyph only
breaks ties, because newsrooms type ‘ for apostrophes and German closes with “.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

# Each mark belongs to a family; a quote closes only with a mark of its own family.
FAMILIES: dict[str, str] = {
    '"': "double", "“": "double", "”": "double", "„": "double", "‟": "double",
    "'": "single", "‘": "single", "’": "single", "‚": "single", "‛": "single",
    "«": "guillemet", "»": "guillemet",
    "‹": "single_guillemet", "›": "single_guillemet",
    "「": "corner", "」": "corner",
    "『": "white_corner", "』": "white_corner",
}
MARK_RE = regex.compile("[" + regex.escape("".join(FAMILIES)) + "]")

# Marks whose glyph points one way, used only when the context allows both.
OPENING_GLYPHS = frozenset("“‘„‚‛‟«‹「『")
CLOSING_GLYPHS = frozenset("”’»›」』")
# CJK corner brackets sit between letters without spaces: the glyph decides alone.
FIXED_OPEN = frozenset("「『")
FIXED_CLOSE = frozenset("」』")

# What may stand just outside an opening or a closing mark besides a space.
BEFORE_OPENING = set("([{—–-/:;,") | set(FAMILIES)
AFTER_CLOSING = set(".,;:!?)]}…—–-/") | set(FAMILIES)


@dataclass(frozen=True, slots=True)
class Marked:
    """Quoted text between two marks: `text[start:end]`, marks at start-1 and end.

    `depth` is 0 for a quote in the narrative and 1 or more for a quote inside a quote.
    `continues` is set on a paragraph of a multi-paragraph quote that the next paragraph
    carries on (it has no closing mark: `end` is the end of its paragraph).
    """

    start: int
    end: int
    depth: int
    continues: bool = False


def _is_space(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Zs", "Cc", "Cf")


def _direction(text: str, i: int) -> tuple[bool, bool]:
    """(can open, can close) for the mark at `i`."""
    ch = text[i]
    if ch in FIXED_OPEN:
        return True, False
    if ch in FIXED_CLOSE:
        return False, True
    before = text[i - 1] if i > 0 else "\n"
    after = text[i + 1] if i + 1 < len(text) else "\n"
    # French sets guillemets apart with a (narrow) space inside: « Nous sommes prêts ».
    if ch == "«" and _is_space(after) and (i == 0 or _is_space(before)):
        return True, False
    if ch == "»" and _is_space(before) and i > 0 and (_is_space(after) or after in AFTER_CLOSING):
        return False, True
    can_open = not _is_space(after) and (_is_space(before) or before in BEFORE_OPENING)
    can_close = not _is_space(before) and (_is_space(after) or after in AFTER_CLOSING)
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
    line_starts = [0] + [m.end() for m in regex.finditer(r"\n", text)]
    for n, line_start in enumerate(line_starts):
        line_end = line_starts[n + 1] - 1 if n + 1 < len(line_starts) else len(text)
        _pair_line(text, line_start, line_end, found)
    found.sort(key=lambda q: (q.start, -q.end))
    return found


def _first_mark(text: str, start: int, end: int) -> int | None:
    """Position of the mark opening a paragraph (after its indentation), if any."""
    i = start
    while i < end and _is_space(text[i]):
        i += 1
    return i if i < end and text[i] in FAMILIES else None


def _pair_line(text: str, start: int, end: int, found: list[Marked]) -> None:
    """Pair the marks of one paragraph; a quote left open may continue in the next."""
    stack: list[tuple[int, str]] = []  # (position of the opening mark, family)
    orphans: list[int] = []  # closing marks that found nothing to close
    for m in MARK_RE.finditer(text, start, end):
        i = m.start()
        family = FAMILIES[text[i]]
        can_open, can_close = _direction(text, i)
        if can_close and any(f == family for _, f in stack):
            while stack[-1][1] != family:
                stack.pop()
            opened, _ = stack.pop()
            found.append(Marked(opened + 1, i, len(stack)))
        elif can_open:
            stack.append((i, family))
        elif can_close:
            orphans.append(i)
    # A quote opened with " and closed with ' (a broken conversion of curly quotes).
    while stack and orphans:
        opened, _ = stack[0]
        later = [o for o in orphans if o > opened]
        if not later:
            break
        found.append(Marked(opened + 1, later[0], 0))
        orphans.remove(later[0])
        stack.pop(0)
    if not stack:
        return
    opened, family = stack[0]
    nxt = end + 1
    while nxt < len(text) and text[nxt] in "\r\n \t":  # blank lines between paragraphs
        nxt += 1
    next_end = text.find("\n", nxt)
    next_end = len(text) if next_end < 0 else next_end
    first = _first_mark(text, nxt, next_end) if nxt < len(text) else None
    if first is not None and FAMILIES[text[first]] == family and len(stack) == 1:
        stop = end
        while stop > opened + 1 and _is_space(text[stop - 1]):
            stop -= 1
        found.append(Marked(opened + 1, stop, 0, continues=True))
