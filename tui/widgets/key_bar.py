"""Every shown key binding of the screen, wrapped onto as many lines as it needs.

Textual's `Footer` is one line that scrolls sideways; the reader has more keys than
fit in 120 columns, and a key scrolled out of sight is a key nobody finds. This bar
is built from the screen's active bindings whenever they change, never from a list
typed by hand, so a remapped key shows as remapped.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from rich.style import Style
from rich.text import Text
from textual.binding import ActiveBinding, Binding
from textual.widget import Widget

NBSP = "\u00a0"  # inside an entry, so lines break only between entries


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


class KeyBar(Widget):
    """The keys of the active screen, like a footer that wraps instead of scrolling."""

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description"}

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def _bindings_changed(self, screen: object) -> None:
        self.refresh(layout=True)

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key", partial=True)
        description_style = self.get_component_rich_style("key-bar--description", partial=True)
        text = Text(end="")
        entries = key_bar_entries(self.screen.active_bindings, self.app.get_key_display)
        for index, (keys, description, enabled) in enumerate(entries):
            if index:
                text.append("  ")
            text.append(keys, key_style if enabled else key_style + Style(dim=True))
            text.append(NBSP + description.replace(" ", NBSP), description_style)
        return text
