"""The screen's shown key bindings, wrapped onto at most two lines.

Textual's `Footer` is one line that scrolls sideways; the reader has more keys than
fit in 120 columns, and a key scrolled out of sight is a key nobody finds. Wrapping
every key would take four of 24 rows at 80 columns, so the bar keeps two lines and
shows the keys in the order the screen binds them (most used first), skipping those
that do not fit, and always the help key, whose screen lists every key. The bar is
built from the screen's active bindings whenever they change, never from a list
typed by hand, so a remapped key shows as remapped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual.binding import ActiveBinding, Binding
from textual.geometry import Size
from textual.widget import Widget

NBSP = "\u00a0"  # inside an entry: a copy of the bar reads as one key per entry
SEPARATOR = "  "
MAX_LINES = 2
HELP_ACTION = "help"  # always shown: help lists the keys the bar leaves out


def help_entry(bindings: Mapping[str, ActiveBinding],
               entries: list[tuple[str, str, bool]],
               key_display: Callable[[Binding], str]) -> int | None:
    """The index of the help key's entry in `entries`, if the screen shows one."""
    for active in bindings.values():
        binding = active.binding
        if binding.action == HELP_ACTION and binding.show and binding.description:
            shown = (key_display(binding), binding.description, active.enabled)
            return entries.index(shown) if shown in entries else None
    return None


def key_bar_entries(
    bindings: Mapping[str, ActiveBinding], key_display: Callable[[Binding], str]
) -> list[tuple[str, str, bool]]:
    """(keys, description, enabled) per entry: actions of one group share an entry."""
    by_action: dict[tuple[int, str], list[ActiveBinding]] = {}
    for active in bindings.values():
        if active.binding.show and active.binding.description:
            by_action.setdefault((id(active.node), active.binding.action), []).append(active)
    entries: list[tuple[str, str, bool]] = []
    last_group = None
    for actives in by_action.values():
        binding = actives[0].binding
        keys = key_display(binding)
        enabled = actives[0].enabled
        group = binding.group
        if group is not None and group == last_group and entries:
            previous_keys, description, previous_enabled = entries[-1]
            entries[-1] = (f"{previous_keys}{NBSP}{keys}", description, previous_enabled)
            continue
        last_group = group
        entries.append((keys, group.description if group else binding.description, enabled))
    return entries


def _cells(entry: tuple[str, str, bool]) -> int:
    keys, description, _ = entry
    return cell_len(keys) + 1 + cell_len(description)


def key_bar_lines(
    entries: list[tuple[str, str, bool]],
    width: int,
    max_lines: int | None = None,
    pinned: int | None = None,
) -> list[list[int]]:
    """The entries (by index) on each line: as many as fit, never one split in two.

    When they need more than `max_lines`, entries are placed in order and one that
    does not fit is left out (a later, shorter one may still fit); `pinned` (the help
    entry) ends the last line. Laid out here rather than by Rich's wrapping, which
    breaks at any white space, the no-break space included, and so could leave a key
    on one line and what it does on the next.
    """
    lines = _wrap(entries, width)
    if max_lines is None or len(lines) <= max_lines:
        return lines
    return _fit(entries, width, max_lines, pinned)


def _wrap(entries: list[tuple[str, str, bool]], width: int) -> list[list[int]]:
    """Every entry, on as many lines as they need."""
    lines: list[list[int]] = [[]]
    used = 0
    for index, entry in enumerate(entries):
        cells = _cells(entry)
        needed = cells if not lines[-1] else cells + len(SEPARATOR)
        if lines[-1] and used + needed > width:
            lines.append([])
            used, needed = 0, cells
        lines[-1].append(index)
        used += needed
    return lines if lines[0] else []


def _fit(
    entries: list[tuple[str, str, bool]], width: int, max_lines: int, pinned: int | None
) -> list[list[int]]:
    """The entries that fit on `max_lines` lines, in order, `pinned` last."""
    capacity = [width] * max_lines
    if pinned is not None:
        capacity[-1] -= _cells(entries[pinned]) + len(SEPARATOR)
    kept: list[list[int]] = [[] for _ in range(max_lines)]
    taken = [0] * max_lines
    line = 0
    for index, entry in enumerate(entries):
        if index == pinned:
            continue
        cells = _cells(entry)
        while True:
            needed = cells + (len(SEPARATOR) if kept[line] else 0)
            if taken[line] + needed <= capacity[line]:
                kept[line].append(index)
                taken[line] += needed
                break
            if line == max_lines - 1:
                break  # left out: the help screen lists it
            line += 1
    if pinned is not None:
        kept[-1].append(pinned)
    return [indexes for indexes in kept if indexes]


class KeyBar(Widget):
    """The keys of the active screen, like a footer that wraps instead of scrolling."""

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description"}

    def __init__(self) -> None:
        super().__init__()
        self._drawn: tuple[list[tuple[str, str, bool]], int] | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: object) -> None:
        # The signal comes on every focus change, mostly with the same keys: laying the
        # screen out again for those would cost a pass for nothing.
        if self._drawn is None or self._drawn != (self._entries(), self.content_region.width):
            self.refresh(layout=True)

    def on_resize(self) -> None:
        if self._drawn is None or self._drawn[1] != self.content_region.width:
            self.refresh(layout=True)  # as many lines as the new width needs

    def _entries(self) -> list[tuple[str, str, bool]]:
        return key_bar_entries(self.screen.active_bindings, self.app.get_key_display)

    def _lines(self, entries: list[tuple[str, str, bool]], width: int) -> list[list[int]]:
        pinned = help_entry(self.screen.active_bindings, entries, self.app.get_key_display)
        return key_bar_lines(entries, max(1, width), MAX_LINES, pinned)

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self._lines(self._entries(), width))

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        description_style = self.get_component_rich_style("key-bar--description", partial=True)
        text = Text(end="", no_wrap=True, overflow="ellipsis")
        entries = self._entries()
        self._drawn = (entries, self.content_region.width)
        width = max(1, self.content_region.width or self.app.size.width)
        for number, line in enumerate(self._lines(entries, width)):
            if number:
                text.append("\n")
            for position, index in enumerate(line):
                keys, description, enabled = entries[index]
                if position:
                    text.append(SEPARATOR)
                text.append(keys, key_style if enabled else key_style + Style(dim=True))
                text.append(NBSP + description.replace(" ", NBSP), description_style)
        return text
