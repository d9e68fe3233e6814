"""The key to the three label styles, drawn with the very styles the article uses."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from store import Label


class Legend(Widget):
    """`claim  quote  proposal`, each word in its label's style (keys are in the footer)."""

    COMPONENT_CLASSES = {"label--claim", "label--quote", "label--proposal"}

    def render(self) -> Text:
        text = Text(end="")
        for index, label in enumerate(Label):
            if index:
                text.append("  ")
            style = self.get_component_rich_style(f"label--{label.value}", partial=True)
            text.append(label.value, style)
        return text
