"""Help built from the bindings that are active where the user pressed the key.

Nothing here lists keys by hand: the table is generated from the screen's active
bindings, so it shows remapped keys and can never drift from what the keys do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

MOUSE_HELP = (
    "Mouse: drag over text to select it; click an annotation (in the text or in the "
    "side panel) to put the cursor on it. Remap any key by its id in keymap.toml."
)


@dataclass(frozen=True)
class HelpRow:
    keys: str
    description: str
    binding_id: str
    enabled: bool


def help_rows(
    bindings: Mapping[str, ActiveBinding], key_display: Callable[[Binding], str]
) -> list[HelpRow]:
    """One row per action: its keys joined, described with its group, in chain order."""
    grouped: dict[tuple[int, str], list[ActiveBinding]] = {}
    for active in bindings.values():
        binding = active.binding
        if not binding.description or binding.system:
            continue
        grouped.setdefault((id(active.node), binding.action), []).append(active)
    rows = []
    for actives in grouped.values():
        binding = actives[0].binding
        description = binding.description
        if binding.group is not None and binding.group.description not in description:
            description = f"{binding.group.description}: {description}"
        rows.append(
            HelpRow(
                keys=" / ".join(key_display(a.binding) for a in actives),
                description=description,
                binding_id=binding.id or "",
                enabled=any(a.enabled for a in actives),
            )
        )
    return rows


class HelpScreen(ModalScreen[None]):
    """Every key that works on the screen below, with its id for remapping."""

    BINDINGS = [Binding("escape,f1,question_mark", "dismiss", "close", id="help.close")]

    def __init__(self, title: str, rows: list[HelpRow]) -> None:
        super().__init__()
        self.help_title = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(Content(f"Keys \u2014 {self.help_title}"), id="help-title")
            table: DataTable = DataTable(id="help-table", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static(Content(MOUSE_HELP), id="help-mouse")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Key", "What it does", "Keymap id")
        for row in self.rows:
            style = "" if row.enabled else "dim"
            table.add_row(
                Text(row.keys, style=f"bold {style}".strip()),
                Text(row.description, style=style),
                Text(row.binding_id, style="dim"),
            )
        table.focus()
