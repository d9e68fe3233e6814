"""The side panel: the article's annotations in text order, following the cursor.

A Line-API view with a fixed height per item, so thousands of annotations cost no
more than ten: an item is drawn only when it is on screen, and finding an item's
row is arithmetic. Clicking an item, or moving to it with the keys once `tab` has
brought the focus here, posts `AnnotationChosen`; the screen decides (it puts the
article's caret on the annotation, so the text follows the list).
"""

from __future__ import annotations

import textwrap
from bisect import bisect_left
from collections.abc import Iterable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store import Annotation, Label

from ..messages import AnnotationChosen
from .lines import cut_at_word, text_strip
from .text_layout import display_text

ITEM_HEIGHT = 4
EMPTY_HINT = [  # paragraphs, wrapped to the panel's width (it follows the terminal's)
    "No annotations yet.",
    "",
    "Move with j/k, select with v then w, b, ), ( or drag; tag with c (claim), q (quote) "
    "or p (proposal). With no selection c/q/p tag the current sentence.",
]


def hint_lines(width: int) -> list[str]:
    """The empty panel's hint at `width` cells, broken between words."""
    lines: list[str] = []
    for paragraph in EMPTY_HINT:
        lines += textwrap.wrap(paragraph, max(8, width), break_on_hyphens=False) or [""]
    return lines


def _order(annotation: Annotation) -> tuple[int, int, str]:
    return annotation.start, annotation.end, annotation.id


class AnnotationList(ScrollView, can_focus=True, inherit_bindings=False):
    """Label, excerpt, speaker and note of each annotation; the focused one marked."""

    BINDINGS = [
        Binding("j,down", "step(1)", "next", id="panel.down",
                tooltip="side panel: next annotation (the caret follows)"),
        Binding("k,up", "step(-1)", "previous", id="panel.up",
                tooltip="side panel: previous annotation (the caret follows)"),
        Binding("g,home", "step_to(0)", "first", id="panel.first",
                tooltip="side panel: first annotation"),
        Binding("G,end", "step_to(-1)", "last", id="panel.last",
                tooltip="side panel: last annotation"),
        Binding("enter", "open", "to text", id="panel.open",
                tooltip="side panel: back to the text at this annotation"),
    ]

    COMPONENT_CLASSES = {
        "label--claim",
        "label--quote",
        "label--proposal",
        "annotation-list--focus",
        "annotation-list--note",
        "annotation-list--speaker",
    }

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._items: list[Annotation] = []
        self._keys: list[tuple[int, int, str]] = []
        self._key_of: dict[str, tuple[int, int, str]] = {}
        self.focused: str | None = None
        self._cache: LRUCache[tuple, Strip] = LRUCache(512)
        self._styles: dict[tuple[str, bool], Style] = {}

    # -- attributes down ---------------------------------------------------------

    def set_annotations(self, annotations: Iterable[Annotation]) -> None:
        old_count = len(self._items)
        self._items = sorted(annotations, key=_order)
        self._keys = [_order(a) for a in self._items]
        self._key_of = {a.id: key for a, key in zip(self._items, self._keys, strict=True)}
        self._changed(0, old_count)

    def put(self, annotation: Annotation) -> None:
        """Add or replace one annotation, keeping text order."""
        old_count = len(self._items)
        dropped = self._drop(annotation.id)
        key = _order(annotation)
        index = bisect_left(self._keys, key)
        self._keys.insert(index, key)
        self._items.insert(index, annotation)
        self._key_of[annotation.id] = key
        self._changed(index if dropped is None else min(index, dropped), old_count)

    def remove(self, annotation_id: str) -> None:
        old_count = len(self._items)
        dropped = self._drop(annotation_id)
        if dropped is not None:
            self._changed(dropped, old_count)

    def _drop(self, annotation_id: str) -> int | None:
        """Remove an item; its former index, or None if it was not there."""
        index = self._index_of(annotation_id)
        if index is None:
            return None
        del self._items[index]
        del self._keys[index]
        del self._key_of[annotation_id]
        return index

    def _index_of(self, annotation_id: str) -> int | None:
        key = self._key_of.get(annotation_id)
        return None if key is None else bisect_left(self._keys, key)

    def follow(self, offset: int, focused: str | None) -> None:
        """Mark `focused` and scroll to it, or to the first annotation from `offset` on."""
        if focused != self.focused:
            self._refresh_item(self.focused)
            self.focused = focused
            self._refresh_item(focused)
        if not self._items:
            return
        index = self._index_of(focused) if focused else None
        if index is None:
            index = min(bisect_left(self._keys, (offset,)), len(self._items) - 1)
        self._reveal(index)

    def _refresh_item(self, annotation_id: str | None) -> None:
        index = self._index_of(annotation_id) if annotation_id else None
        if index is not None:
            self.refresh_lines(index * ITEM_HEIGHT, ITEM_HEIGHT)

    def _reveal(self, index: int) -> None:
        """Scroll so item `index` is in view.

        Scrolling repaints the whole panel, so it jumps rather than creeps: the item
        lands a third of the way down, and the next items tagged below it (the usual
        way through an article) show without scrolling again.
        """
        height = self.scrollable_content_region.height
        top, bottom = index * ITEM_HEIGHT, (index + 1) * ITEM_HEIGHT
        scroll_y = int(self.scroll_y)
        if top >= scroll_y and (not height or bottom <= scroll_y + height):
            return
        lead = (height // 3) // ITEM_HEIGHT * ITEM_HEIGHT
        self.scroll_to(y=max(0, min(top - lead, bottom - ITEM_HEIGHT)), animate=False)

    def _rows(self) -> int:
        """Rows to scroll through. When the items overflow the window: the items, room
        below the last for `_reveal` to jump into, rounded up to whole windows, so the
        length (and with it the scrollbar, which redraws in full) changes only every
        few items."""
        if not self._items:
            return len(hint_lines(self.scrollable_content_region.width))
        height = max(1, self.scrollable_content_region.height)
        needed = len(self._items) * ITEM_HEIGHT
        if needed <= height:
            return needed
        needed += max(0, height - height // 3 - ITEM_HEIGHT)
        return -(-needed // height) * height

    def _changed(self, first_index: int, old_count: int) -> None:
        """Items from `first_index` on moved: redraw from there to the end of the longer
        of the old and new lists (rows above are unchanged, blank rows below stay blank)."""
        rows = self._rows()
        size = Size(self.scrollable_content_region.width, rows)
        if size != self.virtual_size:
            # Assigning `virtual_size` lays out the whole screen again, which would be
            # most of what a tag costs. The panel's scrollbar is always shown (overflow-y:
            # scroll), so its layout cannot change: set the size and tell the scrollbar.
            self.set_reactive(AnnotationList.virtual_size, size)
            self.vertical_scrollbar.window_virtual_size = rows
        top = int(self.scroll_y)
        bottom = top + self.scrollable_content_region.height
        if self._items and old_count:
            first_row = max(top, first_index * ITEM_HEIGHT)
            bottom = min(bottom, max(old_count, len(self._items)) * ITEM_HEIGHT)
        else:
            first_row = top  # the hint appears or goes: redraw it all
        if first_row < bottom:
            self.refresh_lines(first_row, bottom - first_row)

    @property
    def count(self) -> int:
        return len(self._items)

    @property
    def items(self) -> list[Annotation]:
        """The annotations in text order (start, end, id): not to be changed."""
        return self._items

    def following(
        self, offset: int, step: int, label: Label | None = None
    ) -> Annotation | None:
        """The first annotation (of `label`, if given) starting after `offset` (step 1),
        or the last starting before it (step -1)."""
        if step > 0:
            index = bisect_left(self._keys, (offset + 1,))
            candidates = range(index, len(self._items))
        else:
            index = bisect_left(self._keys, (offset,))
            candidates = range(index - 1, -1, -1)
        for i in candidates:
            if label is None or self._items[i].label == label:
                return self._items[i]
        return None

    # -- keys, once the panel has the focus --------------------------------------------

    def action_step(self, step: int) -> None:
        if not self._items:
            return
        index = self._index_of(self.focused) if self.focused else None
        if index is None:
            index = 0 if step > 0 else len(self._items) - 1
        else:
            index = max(0, min(index + step, len(self._items) - 1))
        self.post_message(AnnotationChosen(self._items[index].id, take_focus=False))

    def action_step_to(self, index: int) -> None:
        if self._items:
            self.post_message(AnnotationChosen(self._items[index].id, take_focus=False))

    def action_open(self) -> None:
        if self.focused is not None:
            self.post_message(AnnotationChosen(self.focused))
        elif self._items:
            self.post_message(AnnotationChosen(self._items[0].id))

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self._rows())

    # -- messages up -------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        position = event.get_content_offset(self)
        if position is None:
            return
        index = (int(self.scroll_y) + position.y) // ITEM_HEIGHT
        if 0 <= index < len(self._items):
            self.post_message(AnnotationChosen(self._items[index].id))

    # -- rendering -------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
        self._styles.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = int(self.scroll_y) + y
        if not self._items:
            return self._hint_line(row, width)
        index, part = divmod(row, ITEM_HEIGHT)
        if index >= len(self._items):
            return Strip.blank(width, self._base_style())
        item = self._items[index]
        focused = item.id == self.focused
        # Keyed by the item, not the row: inserting an annotation shifts the rows
        # below it, and those lines are still in the cache.
        key = (item, part, focused, width)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._cache[key] = self._build(item, part, focused, width)
        return strip

    def _hint_line(self, row: int, width: int) -> Strip:
        base = self._base_style()
        hint = hint_lines(width)
        line = hint[row] if row < len(hint) else ""
        return Strip([Segment(line, base)]).crop_extend(0, width, base)

    def _build(self, item: Annotation, part: int, focused: bool, width: int) -> Strip:
        base = self._base_style()
        style = base + self._style("annotation-list--focus", partial=False) if focused else base
        line = cut_at_word(self._item_line(item, part, focused), width)
        return text_strip(line, style, width, self.app.console)

    def _item_line(self, item: Annotation, part: int, focused: bool) -> Text:
        marker = "\u25b6 " if focused else "  "
        if part == 0:
            label_style = self._style(f"label--{item.label.value}")
            text = Text(marker, end="")
            text.append(item.label.value, label_style)
            if item.speaker:
                text.append("  ")
                text.append(display_text(item.speaker), self._style("annotation-list--speaker"))
            return text
        if part == 1:
            excerpt = " ".join(display_text(item.text).split())
            return Text(f"  \u201c{excerpt}\u201d", end="", no_wrap=True)
        if part == 2 and item.note:
            note = " ".join(display_text(item.note).split())
            return Text(f"  {note}", style=self._style("annotation-list--note"), end="")
        return Text("", end="")

    def _base_style(self) -> Style:
        """The widget's own style (Textual recomputes `rich_style` from the DOM on each
        call; it changes only with the stylesheet, when `_styles` is cleared)."""
        style = self._styles.get(("", False))
        if style is None:
            style = self._styles[("", False)] = self.rich_style
        return style

    def _style(self, name: str, partial: bool = True) -> Style:
        key = (name, partial)
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = self.get_component_rich_style(name, partial=partial)
        return style
