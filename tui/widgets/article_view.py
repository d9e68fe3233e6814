"""The article text, wrapped to the window and drawn one visible line at a time.

Its size is one job's: drawing one article's text and moving in it.

A Line-API `ScrollView` in the manner of Textual's `Log` and toolong's `LogLines`:
the text is wrapped once per width into visual lines (a code-point range each), and
`render_line` builds the `Strip` of one visible line from that range alone, cached by
everything that can change it. Cursor, selection and highlight lookups bisect
precomputed arrays, and annotations are indexed per visual line, so no keypress
walks the whole article and a 1 MB article costs what a short one does.

The view owns the caret (a code-point offset) and the selection (anchor to caret);
it never touches the store. The reader screen gives it the text, sentences,
annotations and find matches, and hears about the caret through `CursorMoved`.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Offset, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store import Annotation, next_grapheme, previous_grapheme

from ..messages import CursorMoved
from . import motions
from .text_layout import Layout, display_text, graphemes, offset_at_cell, wrap

GUTTER = "\u258c"  # marks the lines of the current sentence, so it shows without colour
ECHO_MARK = "\u2248"  # beside the first line of a passage repeated in other articles
GUTTER_WIDTH = 2
SCROLL_MARGIN = 2
MIN_WRAP_WIDTH = 10
MAX_COUNT = 9999  # a count typed by mistake (a held digit) stays a count, not a hang

MOVE = Binding.Group("sentence", compact=True)
PAGE = Binding.Group("page", compact=True)
ENDS = Binding.Group("top/end", compact=True)
SELECT = Binding.Group("select", compact=True)


@dataclass(frozen=True)
class Span:
    start: int
    end: int

    def clip(self, start: int, end: int) -> tuple[int, int] | None:
        """The part of this span inside `start:end`, as offsets relative to `start`."""
        if self.end <= start or self.start >= end:
            return None
        return max(self.start, start) - start, min(self.end, end) - start


class ArticleView(ScrollView, can_focus=True, inherit_bindings=False):
    """Shows a document's text with its annotations, a sentence cursor and a selection."""

    ALLOW_SELECT = False  # dragging selects a span to tag, not text to copy

    KEYS_NOTE = (
        "Counts as in vim: digits before a move repeat it (`3j` three sentences down, `5w` "
        "five words, `2}` two annotations on, `3>` three words). `n` / `N` repeat the "
        "last jump of its kind: the find (`/`), the label (`C` `Q` `P`), or the quote "
        "suggestions while `s` shows them. An annotation's edges move in place with `>` "
        "/ `<` (the end; `o` switches to the start and back): its label, note, speaker "
        "and links stay."
    )

    COMPONENT_CLASSES = {
        "label--claim",
        "label--quote",
        "label--proposal",
        "article-view--cursor",
        "article-view--caret",
        "article-view--selection",
        "article-view--match",
        "article-view--suggestion",
        "article-view--focus",
        "article-view--gutter",
    }

    # Arrow keys share the id of their letter: remapping an id moves both. The
    # description is short for the key bar; the tooltip is what help shows.
    BINDINGS = [
        Binding("j", "next_sentence", "next", id="reader.next_sentence", group=MOVE,
                tooltip="next sentence"),
        Binding("down", "next_sentence", "next", id="reader.next_sentence", show=False,
                tooltip="next sentence"),
        Binding("k", "previous_sentence", "previous", id="reader.previous_sentence",
                group=MOVE, tooltip="previous sentence"),
        Binding("up", "previous_sentence", "previous", id="reader.previous_sentence",
                show=False, tooltip="previous sentence"),
        Binding("pagedown", "page_down", "page down", id="reader.page_down", group=PAGE,
                tooltip="a screen down"),
        Binding("space", "page_down", "page down", id="reader.page_down", show=False,
                tooltip="a screen down"),
        Binding("pageup", "page_up", "page up", id="reader.page_up", group=PAGE,
                tooltip="a screen up"),
        Binding("g", "top", "top", id="reader.top", group=ENDS, tooltip="first sentence"),
        Binding("G", "bottom", "end", id="reader.bottom", group=ENDS, tooltip="last sentence"),
        Binding("v", "start_selection", "select", id="reader.select", group=SELECT,
                tooltip="start a selection at the caret"),
        Binding("w", "word_forward", "word forward", id="reader.word_forward", group=SELECT,
                tooltip="selection: extend by a word (no selection: caret to next word)"),
        Binding("b", "word_backward", "word back", id="reader.word_backward", group=SELECT,
                tooltip="selection: shrink by a word (no selection: caret to previous word)"),
        Binding("right_parenthesis", "sentence_forward", "sentence forward",
                id="reader.sentence_forward", group=SELECT,
                tooltip="selection: extend to a sentence end (no selection: next sentence)"),
        Binding("left_parenthesis", "sentence_backward", "sentence back",
                id="reader.sentence_backward", group=SELECT,
                tooltip="selection: shrink by a sentence (no selection: previous sentence)"),
        Binding("shift+right", "char_forward", "character forward", key_display="\u21e7\u2192",
                id="reader.char_forward", group=SELECT,
                tooltip="selection: extend by a character (starts one if none)"),
        Binding("shift+left", "char_backward", "character back", key_display="\u21e7\u2190",
                id="reader.char_backward", group=SELECT,
                tooltip="selection: shrink by a character (starts one if none)"),
    ]

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.text = ""
        self.caret = 0
        self.anchor: int | None = None
        self.focused_annotation: str | None = None
        self._sentence_starts: list[int] = []
        self._sentence_ends: list[int] = []
        self._layout = Layout(0, [0], [0])
        self._annotations: dict[str, Annotation] = {}
        self._by_line: dict[int, list[Annotation]] = {}
        self._line_versions: dict[int, int] = {}
        self._matches: list[tuple[int, int]] = []
        self._match_ends: list[int] = []
        self._suggestions: list[tuple[int, int]] = []
        self._suggestion_ends: list[int] = []
        self._pending_count = 0
        self.count = 1  # the count typed before the key being handled (`5w`), else 1
        self._cache: LRUCache[tuple, Strip] = LRUCache(1024)
        self._styles: dict[str, Style] = {}
        self._layered: dict[tuple[str, ...], Style] = {}
        self._drag_origin: int | None = None
        self._painted: tuple[tuple[int, int] | None, ...] = ()
        self._reported: tuple[int, tuple[int, int] | None] | None = None  # last CursorMoved
        self._echo_spans: list[tuple[int, int]] = []
        self._echo_lines: frozenset[int] = frozenset()

    # -- what the screen gives the view ---------------------------------------

    def load(
        self,
        text: str,
        sentences: Sequence[tuple[int, int]],
        annotations: Iterable[Annotation],
        caret: int = 0,
    ) -> None:
        """Show a new document."""
        self.text = text
        self._sentence_starts = [start for start, _ in sentences]
        self._sentence_ends = [end for _, end in sentences]
        self._annotations = {a.id: a for a in annotations}
        self._matches, self._match_ends = [], []
        self._suggestions, self._suggestion_ends = [], []
        self.anchor = None
        self.focused_annotation = None
        self.caret = motions.snap_back(text, caret)
        self._reported = None  # a new document: report the caret even if it is unchanged
        self._layout = Layout(0, [0], [0])
        self._relayout()
        self._cursor_changed()

    def set_annotations(self, annotations: Iterable[Annotation]) -> None:
        """Replace every annotation (after an undo or another instance's change)."""
        self._annotations = {a.id: a for a in annotations}
        self._index_annotations()
        self._line_versions.clear()
        self._cache.clear()
        self.refresh()

    def put_annotation(self, annotation: Annotation) -> None:
        """Add or replace one annotation; only its lines are redrawn."""
        old = self._annotations.get(annotation.id)
        if old is not None:
            self._unindex(old)
        self._annotations[annotation.id] = annotation
        self._index(annotation)
        previous = None if old is None else (old.start, old.end)
        self._refresh_spans([(annotation.start, annotation.end), previous])

    def remove_annotation(self, annotation_id: str) -> None:
        old = self._annotations.pop(annotation_id, None)
        if old is not None:
            self._unindex(old)
            self._refresh_span((old.start, old.end))

    def set_echo_spans(self, spans: Iterable[tuple[int, int]]) -> None:
        """Mark the passages that have echoes in other articles (a sign in the gutter)."""
        spans = sorted(spans)
        if spans == self._echo_spans:
            return
        self._echo_spans = spans
        self._index_echoes()
        self.refresh()

    def _index_echoes(self) -> None:
        if not self._layout.width:
            self._echo_lines = frozenset()
            return
        self._echo_lines = frozenset(self._layout.line_of(start) for start, _ in self._echo_spans)

    @property
    def echo_lines(self) -> frozenset[int]:
        """Visual lines that carry the echo mark."""
        return self._echo_lines

    def set_matches(self, matches: list[tuple[int, int]]) -> None:
        """Highlight find results (sorted, non-overlapping spans)."""
        self._matches = matches
        self._match_ends = [end for _, end in matches]
        self.refresh()

    @property
    def matches(self) -> list[tuple[int, int]]:
        """The find results drawn highlighted."""
        return self._matches

    def set_suggestions(self, spans: list[tuple[int, int]]) -> None:
        """Show quotations the finder saw (sorted, non-overlapping), in their own style:
        offered, not yet annotations."""
        if spans == self._suggestions:
            return
        self._suggestions = spans
        self._suggestion_ends = [end for _, end in spans]
        self.refresh()

    @property
    def suggestions(self) -> list[tuple[int, int]]:
        return self._suggestions

    def suggestion_at(self, offset: int) -> tuple[int, int] | None:
        """The suggestion holding `offset`, if any."""
        index = bisect_right(self._suggestion_ends, offset)
        if index < len(self._suggestions) and self._suggestions[index][0] <= offset:
            return self._suggestions[index]
        return None

    # -- what the screen reads --------------------------------------------------

    @property
    def sentence_count(self) -> int:
        return len(self._sentence_starts)

    @property
    def sentence(self) -> int:
        """Index of the sentence holding the caret (or the last one before it)."""
        return max(0, bisect_right(self._sentence_starts, self.caret) - 1)

    def sentence_span(self, index: int | None = None) -> tuple[int, int] | None:
        index = self.sentence if index is None else index
        if not 0 <= index < len(self._sentence_starts):
            return None
        return self._sentence_starts[index], self._sentence_ends[index]

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected span (start < end), or None."""
        if self.anchor is None or self.anchor == self.caret:
            return None
        return min(self.anchor, self.caret), max(self.anchor, self.caret)

    def annotations_at(self, offset: int) -> list[Annotation]:
        """Annotations covering `offset`, innermost (shortest) first."""
        line = self._layout.line_of(offset)
        found = [a for a in self._by_line.get(line, ()) if a.start <= offset < a.end]
        return sorted(found, key=lambda a: (a.end - a.start, a.start))

    def annotation(self, annotation_id: str) -> Annotation | None:
        return self._annotations.get(annotation_id)

    def selection_start(self) -> int:
        """Where the selection begins, or the caret when nothing is selected."""
        selection = self.selection
        return selection[0] if selection else self.caret

    # -- caret and selection ------------------------------------------------------

    def move_caret(self, offset: int, *, extend: bool = False) -> None:
        """Put the caret at `offset`; with `extend`, grow the selection to it."""
        self._place_caret(offset, extend=extend)
        self._cursor_changed()

    def _place_caret(self, offset: int, *, extend: bool) -> None:
        if extend and self.anchor is None:
            self.anchor = self.caret
        elif not extend:
            self.anchor = None
        self.caret = max(0, min(offset, len(self.text)))

    def select(self, start: int, end: int) -> None:
        """Select `start:end`, the caret at its end (as after dragging left to right)."""
        self.anchor = max(0, min(start, len(self.text)))
        self.caret = max(0, min(end, len(self.text)))
        self._cursor_changed()

    def clear_selection(self) -> None:
        self.anchor = None
        self._cursor_changed()

    def set_focused_annotation(self, annotation_id: str | None) -> None:
        if annotation_id != self.focused_annotation:
            self._refresh_annotation(self.focused_annotation)
            self.focused_annotation = annotation_id
            self._refresh_annotation(annotation_id)

    def _cursor_changed(self) -> None:
        """Scroll to the cursor and redraw the lines whose look changed, then tell the screen."""
        painted = self._painted
        self._painted = self._cursor_spans()
        if not self._scroll_to_cursor():
            self._refresh_spans([*painted, *self._painted])
        state = (self.caret, self.selection)
        if state != self._reported:  # a key that moved nothing (e.g. j on the last
            self._reported = state   # sentence) costs no message
            self.post_message(CursorMoved(self.caret, self.sentence, self.selection))

    def _cursor_spans(self) -> tuple[tuple[int, int] | None, ...]:
        """The spans drawn differently because of the cursor: sentence, selection, caret."""
        return self.sentence_span(), self.selection, (self.caret, self.caret + 1)

    def _refresh_span(self, span: tuple[int, int] | None) -> None:
        self._refresh_spans([span])

    def _refresh_spans(self, spans: Iterable[tuple[int, int] | None]) -> None:
        """Redraw the lines of `spans` (None: nothing), each line once: the spans of a
        key often share lines (old and new sentence, caret), and each refresh costs."""
        if not self._layout.width:
            return
        ranges = sorted(
            (lines.start, lines.stop)
            for span in spans
            if span is not None
            for lines in (self._lines_of(span[0], max(span[1], span[0] + 1)),)
        )
        merged: list[list[int]] = []
        for first, stop in ranges:
            if merged and first <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], stop)
            else:
                merged.append([first, stop])
        for first, stop in merged:
            self.refresh_lines(first, stop - first)

    def _refresh_annotation(self, annotation_id: str | None) -> None:
        annotation = self._annotations.get(annotation_id or "")
        if annotation is not None:
            self._refresh_span((annotation.start, annotation.end))

    def _scroll_to_cursor(self) -> bool:
        """Scroll so the cursor is in view; True if it scrolled (and so repaints all)."""
        height = self.scrollable_content_region.height
        if not height or not self._layout.width:
            return False
        span = self.selection or self.sentence_span() or (self.caret, self.caret)
        first = self._layout.line_of(span[0])
        last = self._layout.line_of(max(span[0], span[1] - 1))
        caret_line = self._layout.line_of(self.caret)
        if last - first + 1 > height - 2 * SCROLL_MARGIN:
            first = last = caret_line  # a span taller than the window: follow the caret
        top = int(self.scroll_y)
        if first < top + SCROLL_MARGIN:
            # Jump rather than creep a line at a time (scrolling repaints the whole
            # view, so do it rarely): going up, the cursor lands two thirds down...
            top = max(first - 2 * height // 3, last - height + 1 + SCROLL_MARGIN)
        elif last > top + height - 1 - SCROLL_MARGIN:
            # ... going down, a third of the way down.
            top = max(first - height // 3, last - height + 1 + SCROLL_MARGIN)
        top = max(0, min(top, len(self._layout) - height))
        if top == int(self.scroll_y):
            return False
        self.scroll_to(y=top, animate=False)
        return True

    # -- actions --------------------------------------------------------------

    # -- counts ---------------------------------------------------------------

    def on_key(self, event: events.Key) -> None:
        """Digits typed before a key are its count (`5w`, `3j`), as in vim.

        A digit is kept and goes no further; any other key takes the count typed so
        far as `count` for its own action and starts the next count afresh. A leading
        0 is not a count.
        """
        digit = event.character
        if digit is not None and digit.isdecimal() and event.key == digit and (
            self._pending_count or digit != "0"
        ):
            self._pending_count = min(self._pending_count * 10 + int(digit), MAX_COUNT)
            event.stop()
            event.prevent_default()
            return
        self.count = max(1, self._pending_count)
        self._pending_count = 0

    @property
    def pending_count(self) -> int:
        """Digits typed so far for the next key (0: none)."""
        return self._pending_count

    def _repeat(self, step: Callable[[], None]) -> None:
        for _ in range(self.count):
            step()

    def _sentence_start(self, index: int) -> int:
        return self._sentence_starts[index] if self._sentence_starts else 0

    def action_next_sentence(self) -> None:
        if self._sentence_starts:
            index = min(self.sentence + self.count, self.sentence_count - 1)
            if self.caret < self._sentence_starts[0]:
                index = self.count - 1
            self.move_caret(self._sentence_start(min(index, self.sentence_count - 1)))

    def action_previous_sentence(self) -> None:
        if self._sentence_starts:
            self.move_caret(self._sentence_start(max(0, self.sentence - self.count)))

    def _move_by_lines(self, lines: int) -> None:
        """Scroll by `lines` and put the cursor on the sentence at the same place."""
        layout = self._layout
        if not self._sentence_starts:
            return
        target = max(0, min(layout.line_of(self.caret) + lines, len(layout) - 1))
        index = self._sentence_index_at(layout.starts[target])
        if index == self.sentence:
            index = max(0, min(index + (1 if lines > 0 else -1), self.sentence_count - 1))
        self._place_caret(self._sentence_start(index), extend=False)
        self.scroll_to(y=max(0, int(self.scroll_y) + lines), animate=False)
        self._cursor_changed()

    def _sentence_index_at(self, offset: int) -> int:
        return max(0, bisect_right(self._sentence_starts, offset) - 1)

    def action_page_down(self) -> None:
        self._move_by_lines(max(1, self.scrollable_content_region.height - 2))

    def action_page_up(self) -> None:
        self._move_by_lines(-max(1, self.scrollable_content_region.height - 2))

    def action_top(self) -> None:
        self.move_caret(self._sentence_start(0))

    def action_bottom(self) -> None:
        if self._sentence_starts:
            self.move_caret(self._sentence_starts[-1])

    def action_start_selection(self) -> None:
        self.anchor = self.caret
        self._cursor_changed()

    def _forward(self) -> bool:
        """Whether the selection grows rightwards (ends move) rather than leftwards."""
        return self.anchor is None or self.caret >= self.anchor

    def action_word_forward(self) -> None:
        self._repeat(self._word_forward)

    def action_word_backward(self) -> None:
        self._repeat(self._word_backward)

    def action_sentence_forward(self) -> None:
        self._repeat(self._sentence_forward)

    def action_sentence_backward(self) -> None:
        self._repeat(self._sentence_backward)

    def action_char_forward(self) -> None:
        self._repeat(lambda: self.move_caret(next_grapheme(self.text, self.caret), extend=True))

    def action_char_backward(self) -> None:
        self._repeat(
            lambda: self.move_caret(previous_grapheme(self.text, self.caret), extend=True)
        )

    def _word_forward(self) -> None:
        text = self.text
        if self.anchor is None:
            self.move_caret(motions.next_word_start(text, self.caret))
        elif self._forward():
            self.move_caret(motions.next_word_end(text, self.caret), extend=True)
        else:
            self.move_caret(min(motions.next_word_start(text, self.caret), self.anchor),
                            extend=True)

    def _word_backward(self) -> None:
        text = self.text
        if self.anchor is None:
            self.move_caret(motions.previous_word_start(text, self.caret))
        elif self.caret > self.anchor:
            self.move_caret(max(motions.previous_word_end(text, self.caret), self.anchor),
                            extend=True)
        else:
            self.move_caret(motions.previous_word_start(text, self.caret), extend=True)

    def _sentence_forward(self) -> None:
        starts, ends, end_of_text = self._sentence_starts, self._sentence_ends, len(self.text)
        if self.anchor is None:
            self.move_caret(motions.next_boundary(starts, self.caret, self.caret))
        elif self._forward():
            self.move_caret(motions.next_boundary(ends, self.caret, end_of_text), extend=True)
        else:
            target = motions.next_boundary(starts, self.caret, self.anchor)
            self.move_caret(min(target, self.anchor), extend=True)

    def _sentence_backward(self) -> None:
        starts, ends = self._sentence_starts, self._sentence_ends
        if self.anchor is None:
            self.move_caret(motions.previous_boundary(starts, self.caret, 0))
        elif self.caret > self.anchor:
            target = motions.previous_boundary(ends, self.caret, self.anchor)
            self.move_caret(max(target, self.anchor), extend=True)
        else:
            self.move_caret(motions.previous_boundary(starts, self.caret, 0), extend=True)


    # -- mouse --------------------------------------------------------------------

    def cell_of(self, offset: int) -> Offset:
        """Where `offset` is drawn, relative to the widget (as mouse events count)."""
        line = self._layout.line_of(offset)
        start = self._layout.starts[line]
        x = GUTTER_WIDTH + sum(cells for _, cells in graphemes(self.text, start, offset))
        return self.content_offset + Offset(x, line - int(self.scroll_y))

    def _offset_at(self, event: events.MouseEvent) -> int | None:
        """The offset of the character under the mouse pointer."""
        position = event.get_content_offset(self)
        if position is None or not self._layout.width:
            return None
        line = int(self.scroll_y) + position.y
        if not 0 <= line < len(self._layout):
            return None
        start, end = self._layout.starts[line], self._layout.ends[line]
        return offset_at_cell(self.text, start, end, position.x - GUTTER_WIDTH)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = self._offset_at(event)
        if offset is None or event.button != 1:
            return
        self.focus()
        self._drag_origin = offset
        self.capture_mouse()
        self.move_caret(offset)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_origin is None:
            return
        offset = self._offset_at(event)
        if offset is None:
            return
        origin = self._drag_origin
        if offset >= origin:
            self.anchor = origin
            self.caret = next_grapheme(self.text, offset)
        else:
            self.anchor = next_grapheme(self.text, origin)
            self.caret = offset
        self._cursor_changed()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_origin is not None:
            self._drag_origin = None
            self.release_mouse()

    # -- layout -----------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._relayout()

    def _relayout(self) -> None:
        """Wrap the text to the current width (only when the width changed)."""
        region = self.scrollable_content_region
        if region.width <= 0:
            return
        width = max(MIN_WRAP_WIDTH, region.width - GUTTER_WIDTH)
        if width == self._layout.width:
            return
        self._layout = wrap(self.text, width)
        self._index_annotations()
        self._index_echoes()
        self._line_versions.clear()
        self._cache.clear()
        self.virtual_size = Size(region.width, len(self._layout))
        self.refresh()
        # Lines moved: what is under the caret is known again only now.
        self._reported = None
        self._cursor_changed()

    def _lines_of(self, start: int, end: int) -> range:
        layout = self._layout
        return range(layout.line_of(start), layout.line_of(max(start, end - 1)) + 1)

    def _index_annotations(self) -> None:
        self._by_line = {}
        for annotation in self._annotations.values():
            for line in self._lines_of(annotation.start, annotation.end):
                self._by_line.setdefault(line, []).append(annotation)

    def _index(self, annotation: Annotation) -> None:
        for line in self._lines_of(annotation.start, annotation.end):
            self._by_line.setdefault(line, []).append(annotation)
            self._line_versions[line] = self._line_versions.get(line, 0) + 1

    def _unindex(self, annotation: Annotation) -> None:
        for line in self._lines_of(annotation.start, annotation.end):
            bucket = self._by_line.get(line, [])
            self._by_line[line] = [a for a in bucket if a.id != annotation.id]
            self._line_versions[line] = self._line_versions.get(line, 0) + 1

    # -- rendering ----------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._layered.clear()
        self._cache.clear()

    def _base_style(self) -> Style:
        """The view's own style (Textual recomputes `rich_style` from the DOM on each
        call; it changes only with the stylesheet, when `_styles` is cleared)."""
        style = self._styles.get("")
        if style is None:
            style = self._styles[""] = self.rich_style
        return style

    def _style(self, name: str) -> Style:
        """A component style. Backgrounds are blended over the view's (for tints);
        label styles are partial, so that overlapping labels combine."""
        style = self._styles.get(name)
        if style is None:
            partial = name.startswith("label--") or name == "article-view--focus"
            style = self.get_component_rich_style(name, partial=partial)
            self._styles[name] = style
        return style

    def _matches_on(self, start: int, end: int) -> tuple[tuple[int, int], ...]:
        return _spans_on(self._matches, self._match_ends, start, end)

    def render_line(self, y: int) -> Strip:
        region_width = self.scrollable_content_region.width
        line = int(self.scroll_y) + y
        layout = self._layout
        if not 0 <= line < len(layout) or not layout.width:
            return Strip.blank(region_width, self._base_style())
        start, end = layout.starts[line], layout.ends[line]
        sentence = self.sentence_span()
        cursor = Span(*sentence).clip(start, end) if sentence else None
        in_sentence = sentence is not None and (
            layout.line_of(sentence[0]) <= line <= layout.line_of(max(sentence[0], sentence[1] - 1))
        )
        selection = self.selection
        selected = Span(*selection).clip(start, end) if selection else None
        caret = None
        if selection is None and start <= self.caret < end:
            caret = self.caret - start
        focus = self._annotations.get(self.focused_annotation or "")
        focused = Span(focus.start, focus.end).clip(start, end) if focus else None
        key = (
            line, region_width, self._line_versions.get(line, 0), in_sentence,
            line in self._echo_lines, cursor,
            selected, caret, focused, self._matches_on(start, end) if self._matches else (),
            _spans_on(self._suggestions, self._suggestion_ends, start, end)
            if self._suggestions else (),
        )
        strip = self._cache.get(key)
        if strip is None:
            strip = self._build_line(start, end, key, region_width)
            self._cache[key] = strip
        return strip

    def _build_line(self, start: int, end: int, key: tuple, width: int) -> Strip:
        (line, _, _, in_sentence, echoed, cursor, selected, caret, focused, matches,
         suggested) = key
        # Layers in the order they combine, later ones over earlier ones.
        layers: list[tuple[int, int, str]] = []
        if cursor:
            layers.append((*cursor, "article-view--cursor"))
        for annotation in sorted(self._by_line.get(line, ()), key=lambda a: (a.start, -a.end)):
            clip = Span(annotation.start, annotation.end).clip(start, end)
            if clip:
                layers.append((*clip, f"label--{annotation.label.value}"))
        layers.extend((*span, "article-view--suggestion") for span in suggested)
        layers.extend((*match, "article-view--match") for match in matches)
        if focused:
            layers.append((*focused, "article-view--focus"))
        if selected:
            layers.append((*selected, "article-view--selection"))
        if caret is not None:
            caret_end = next_grapheme(self.text, start + caret) - start
            layers.append((caret, caret_end, "article-view--caret"))
        gutter = (GUTTER if in_sentence else " ") + (ECHO_MARK if echoed else " ")
        segments = [Segment(gutter, self._combined(("article-view--gutter",)))]
        segments.extend(self._styled(display_text(self.text[start:end]), layers))
        return Strip(segments).crop_extend(0, width, self._base_style())

    def _styled(self, text: str, layers: list[tuple[int, int, str]]) -> Iterator[Segment]:
        """`text` cut where layers begin and end, each piece in the styles over it.

        What `rich.text.Text.render` does, with the combined styles kept between
        lines (Rich combines them again for every line: most of a line's cost).
        """
        if not layers:
            yield Segment(text, self._base_style())
            return
        cuts = sorted({0, len(text), *(a for a, _, _ in layers), *(b for _, b, _ in layers)})
        for left, right in pairwise(cuts):
            if left < right:
                names = tuple(name for a, b, name in layers if a <= left < b)
                yield Segment(text[left:right], self._combined(names))

    def _combined(self, names: tuple[str, ...]) -> Style:
        """The base style with the named component styles over it, in order."""
        style = self._layered.get(names)
        if style is None:
            style = Style.combine([self._base_style(), *(self._style(n) for n in names)])
            self._layered[names] = style
        return style


def _spans_on(
    spans: list[tuple[int, int]], ends: list[int], start: int, end: int
) -> tuple[tuple[int, int], ...]:
    """The parts of sorted, non-overlapping `spans` on `start:end`, relative to `start`."""
    index = bisect_right(ends, start)
    found = []
    while index < len(spans) and spans[index][0] < end:
        clip = Span(*spans[index]).clip(start, end)
        if clip:
            found.append(clip)
        index += 1
    return tuple(found)
