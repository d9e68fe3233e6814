"""The side panel: the article's annotations in text order, following the cursor.

A Line-API view with a fixed height per item, so thousands of annotations cost no
more than ten: an item is drawn only when it is on screen, and finding an item's
row is arithmetic. Clicking an item posts `AnnotationChosen`; the screen decides.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from rich.style import Style
from rich.text import Text
from textual import events
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store.models import Annotation

from ..messages import AnnotationChosen
from .text_layout import display_text

ITEM_HEIGHT = 4
EMPTY_HINT = [
    "No annotations yet.",
    "",
    "Move with j/k, select with v",
    "then w, b, ), ( or drag;",
    "tag with c (claim), q (quote)",
    "or p (proposal). With no",
    "selection c/q/p tag the",
    "current sentence.",
]


def _order(annotation: Annotation) -> tuple[int, int, str]:
    return annotation.start, annotation.end, annotation.id


class AnnotationList(ScrollView, can_focus=False, inherit_bindings=False):
    """Label, excerpt, speaker and note of each annotation; the focused one marked."""


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
        self._cache: LRUCache[tuple, Strip] = LRUCache(256)
        self._version = 0

    # -- attributes down ---------------------------------------------------------

    def set_annotations(self, annotations: Iterable[Annotation]) -> None:
        self._items = sorted(annotations, key=_order)
        self._keys = [_order(a) for a in self._items]
        self._key_of = {a.id: key for a, key in zip(self._items, self._keys)}
        self._changed()

    def put(self, annotation: Annotation) -> None:
        """Add or replace one annotation, keeping text order."""
        self._drop(annotation.id)
        key = _order(annotation)
        index = bisect_left(self._keys, key)
        self._keys.insert(index, key)
        self._items.insert(index, annotation)
        self._key_of[annotation.id] = key
        self._changed()

    def remove(self, annotation_id: str) -> None:
        if self._drop(annotation_id):
            self._changed()

    def _drop(self, annotation_id: str) -> bool:
        index = self._index_of(annotation_id)
        if index is None:
            return False
        del self._items[index]
        del self._keys[index]
        del self._key_of[annotation_id]
        return True

    def _index_of(self, annotation_id: str) -> int | None:
        key = self._key_of.get(annotation_id)
        return None if key is None else bisect_left(self._keys, key)

    def follow(self, offset: int, focused: str | None) -> None:
        """Mark `focused` and scroll to it, or to the first annotation from `offset` on."""
        if focused != self.focused:
            self.focused = focused
            self._version += 1
            self.refresh()
        if not self._items:
            return
        index = self._index_of(focused) if focused else None
        if index is None:
            index = min(bisect_left(self._keys, (offset,)), len(self._items) - 1)
        self._reveal(index)

    def _reveal(self, index: int) -> None:
        height = self.scrollable_content_region.height
        top, bottom = index * ITEM_HEIGHT, (index + 1) * ITEM_HEIGHT
        scroll_y = int(self.scroll_y)
        if top < scroll_y:
            self.scroll_to(y=top, animate=False)
        elif height and bottom > scroll_y + height:
            self.scroll_to(y=bottom - height, animate=False)

    def _changed(self) -> None:
        self._version += 1
        self._cache.clear()
        count = len(self._items)
        self.border_title = f"Annotations ({count})"
        rows = count * ITEM_HEIGHT if count else len(EMPTY_HINT)
        self.virtual_size = Size(self.scrollable_content_region.width, rows)
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._changed()

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

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        row = int(self.scroll_y) + y
        key = (row, width, self._version)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._cache[key] = self._build(row, width)
        return strip

    def _build(self, row: int, width: int) -> Strip:
        base = self.rich_style
        if not self._items:
            line = EMPTY_HINT[row] if row < len(EMPTY_HINT) else ""
            return Strip(Text(line, style=base, end="").render(self.app.console)).crop_extend(
                0, width, base
            )
        index, part = divmod(row, ITEM_HEIGHT)
        if index >= len(self._items):
            return Strip.blank(width, base)
        item = self._items[index]
        focused = item.id == self.focused
        style = base + self.get_component_rich_style("annotation-list--focus") if focused else base
        text = self._item_line(item, part, focused)
        text.stylize_before(style)
        text.truncate(width, overflow="ellipsis", pad=True)
        return Strip(text.render(self.app.console)).crop_extend(0, width, style)

    def _item_line(self, item: Annotation, part: int, focused: bool) -> Text:
        marker = "\u25b6 " if focused else "  "
        if part == 0:
            label_style = self.get_component_rich_style(f"label--{item.label.value}", partial=True)
            text = Text(marker, end="")
            text.append(item.label.value, label_style)
            if item.speaker:
                text.append("  ")
                text.append(display_text(item.speaker), self._partial("annotation-list--speaker"))
            return text
        if part == 1:
            excerpt = " ".join(display_text(item.text).split())
            return Text(f"  \u201c{excerpt}\u201d", end="", no_wrap=True)
        if part == 2 and item.note:
            note = " ".join(display_text(item.note).split())
            return Text(f"  {note}", style=self._partial("annotation-list--note"), end="")
        return Text("", end="")

    def _partial(self, name: str) -> Style:
        return self.get_component_rich_style(name, partial=True)
