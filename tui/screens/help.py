"""Help built from the bindings that are active where the user pressed the key.

Nothing here lists keys by hand: the table is generated from the screen's active
bindings, so it shows remapped keys and can never drift from what the keys do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.keys import format_key
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

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
    """One row per action: its keys joined, its tooltip (the long description)."""
    grouped: dict[tuple[int, str], list[ActiveBinding]] = {}
    for active in bindings.values():
        binding = active.binding
        if not binding.description or binding.system:
            continue
        grouped.setdefault((id(active.node), binding.action), []).append(active)
    rows = []
    for actives in grouped.values():
        binding = actives[0].binding
        description = binding.tooltip or binding.description
        rows.append(
            HelpRow(
                keys=" / ".join(key_display(a.binding) for a in actives),
                description=description,
                binding_id=binding.id or "",
                enabled=any(a.enabled for a in actives),
            )
        )
    return rows


WIDE_HELP = 100  # cells from which the keymap id gets a column of its own


class HelpTable:
    """The help rows as a table that wraps its descriptions between words at any width.

    Wide: key, what it does, keymap id. Narrow: the id goes under the description, so
    the description keeps the room and no id is broken across lines.
    """

    def __init__(self, rows: Sequence[HelpRow]) -> None:
        self.rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        wide = options.max_width >= WIDE_HELP
        table = Table(box=None, expand=True, show_edge=False, pad_edge=False,
                      padding=(0, 1), header_style="bold")
        key_cells = max([len("Key")] + [cell_len(part) for row in self.rows
                                        for part in row.keys.split(" / ")])
        table.add_column("Key", no_wrap=False, min_width=min(key_cells, 18), max_width=24)
        table.add_column("What it does", ratio=1, overflow="fold")
        if wide:
            table.add_column("Keymap id", no_wrap=True)
        for row in self.rows:
            style = "" if row.enabled else "dim"
            keys = Text(" / ".join(row.keys.split(" / ")), style=f"bold {style}".strip())
            description = Text(row.description, style=style)
            if wide:
                table.add_row(keys, description, Text(row.binding_id, style="dim"))
            else:
                description.append(f"\n{row.binding_id}", style="dim")
                table.add_row(keys, description)
        yield table


class HelpScreen(ModalScreen[None]):
    """Every key that works on the screen below, with its id for remapping."""

    BINDINGS = [
        Binding("escape,f1,question_mark", "dismiss", "close", id="help.close"),
        Binding("j", "scroll(1)", "down", id="help.down", show=False, tooltip="scroll down"),
        Binding("k", "scroll(-1)", "up", id="help.up", show=False, tooltip="scroll up"),
    ]

    def __init__(self, title: str, rows: list[HelpRow]) -> None:
        super().__init__()
        self.help_title = title
        self.rows = rows

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog"):
            yield Static(Content(f"Keys \u2014 {self.help_title}"), id="help-title")
            with VerticalScroll(id="help-table"):
                yield Static(HelpTable(self.rows), id="help-rows")
            yield Static(Content(MOUSE_HELP), id="help-mouse")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#help-table", VerticalScroll).focus()

    def action_scroll(self, lines: int) -> None:
        self.query_one("#help-table", VerticalScroll).scroll_relative(y=lines, animate=False)


# -- the same table as Markdown, for docs/keys.md and the README ---------------------

KEYMAP_HELP = """Remap any key in `keymap.toml` in your user config folder
(`~/.config/sidenote/keymap.toml` on Linux), by the binding's id:

```toml
[keymap]
"reader.tag_quote" = "Q"
"app.undo" = "z"
```"""


def doc_key_display(binding: Binding) -> str:
    """`ctrl+r`, `]`, `shift+→`: keys spelled for a document rather than a footer."""
    if binding.key_display:
        return binding.key_display
    *modifiers, key = binding.key.split("+")
    return "+".join([*modifiers, format_key(key)])


def keys_markdown(sections: Sequence[tuple[str, Sequence[type[DOMNode]]]]) -> str:
    """A Markdown table per section, from the classes' `BINDINGS`.

    The sections are given, not looked up: only the app knows every screen and widget
    (`tui.app.app_key_sections`), and a screen importing the app would be a cycle.
    """
    lines = [
        "# Sidenote keys",
        "",
        "Generated from the key bindings by `python -m tui.app`; a test checks",
        "that this file matches them. In the app, `f1` or `?` shows the same table.",
    ]
    for title, classes in sections:
        bindings: dict[str, ActiveBinding] = {}
        for cls in classes:
            for number, binding in enumerate(Binding.make_bindings(cls.BINDINGS)):
                bindings[f"{cls.__name__}.{number}"] = ActiveBinding(cls, binding, True)
        lines += ["", f"## {title}", ""]
        # A screen whose keys need a rule said once (not per key) gives it as KEYS_NOTE.
        lines += [f"{note}\n" for cls in classes if (note := getattr(cls, "KEYS_NOTE", ""))]
        lines += ["| Keys | What it does | Keymap id |", "|---|---|---|"]
        for row in help_rows(bindings, doc_key_display):
            keys = " / ".join(f"`{key}`" for key in row.keys.split(" / "))
            lines.append(f"| {keys} | {row.description} | `{row.binding_id}` |")
    lines += ["", "## Mouse", "", MOUSE_HELP.split(" Remap")[0], "", "## Remapping", "",
              KEYMAP_HELP, ""]
    return "\n".join(lines)
