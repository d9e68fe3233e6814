"""The spread of a statement: which outlets carried it, when, in what words, who first.

Opened from the reader (the annotation or sentence under the caret), the echoes
panel, search or the review queue, with an id `store.statement_of` understands (a
statement, a link or an annotation). The top shows a timeline: one row per outlet,
its appearances placed in time order along the line (absolute times by date, pages'
relative times and undated articles after, as `StatementMember.order` ranks them).
Below, every member with its time (published as the page gave it, else the import
time, marked), its status and its wording; `enter` opens the article at it, `w`
writes the Markdown brief (`store.write_brief`: the rules of every export).
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from store import SidenoteError, Statement, StatementMember, Store, statement_of, write_brief

from ..widgets.choice_list import ChoiceList
from ..widgets.key_bar import KeyBar
from ..widgets.text_layout import display_text, outlet_text
from .base import StoreScreen
from .dialogs import excerpt
from .echoes import OpenTarget

TIMELINE_CELLS = 48
OUTLET_CELLS = 20
INDENT = 5  # the wrapped title and wording start under the outlet
STATUS_MARK = {"confirmed": "\u2713", "suggested": "?", "rejected": "\u2717"}


def when_text(member: StatementMember) -> str:
    if member.dated_by_import:
        return f"{member.imported_at[:16]} (imported; the page gives no date)"
    return member.published


def timeline(found: Statement, cells: int = TIMELINE_CELLS) -> Text:
    """One row per outlet, `o` where it carried the statement along the time order
    (`*` for the first appearance), `-` between; plain characters, any terminal."""
    carriers = found.carriers
    text = Text(end="")
    if not carriers:
        text.append("(no outlet carries it: every link was rejected)", style="dim")
        return text
    slots = max(1, len(carriers) - 1)
    place = {id(member): round(i * (cells - 1) / slots) for i, member in enumerate(carriers)}
    rows: dict[str, list[StatementMember]] = {}
    for member in carriers:
        rows.setdefault(member.outlet.casefold() or member.doc_id, []).append(member)
    first = found.first
    text.append(" " * (OUTLET_CELLS + 1) + "earliest" + " " * (cells - 14) + "latest\n",
                style="dim")
    for members in rows.values():
        line = ["-"] * cells
        for member in members:
            line[place[id(member)]] = "*" if member is first else "o"
        name = excerpt(outlet_text(members[0].outlet), OUTLET_CELLS)
        text.append(name.ljust(OUTLET_CELLS) + " ", style="bold")
        text.append("".join(line))
        text.append(f"  {len(members)}\n", style="dim")
    return text


def member_prompt(number: int, member: StatementMember, first: bool) -> Group:
    """`3. ✓ Outlet — 2 hours ago · quote (speaker)`, then the article's title and the
    whole wording, each wrapped under the number: the wording is what a fact-checker
    compares across outlets, so none of it is cut. All data as text."""
    head = Text()
    head.append(f"{number:>3}. {STATUS_MARK.get(member.status, '?')} ")
    head.append(outlet_text(member.outlet), style="bold")
    head.append(" \u2014 " + display_text(when_text(member)))
    if first:
        head.append("  first", style="bold reverse")
    if member.label:
        head.append(f" \u00b7 {member.label}", style="italic")
        if member.speaker:
            head.append(f" ({display_text(member.speaker)})", style="italic")
    title = Text(flat(member.title or "(untitled)"), style="dim")
    wording = Text(flat(member.text))
    return Group(head, Padding(title, (0, 0, 0, INDENT)), Padding(wording, (0, 0, 0, INDENT)))


def flat(text: str) -> str:
    """`text` on one line (its line breaks and runs of spaces as one space), displayable."""
    return display_text(" ".join(text.split()))


class ReportDialog(ModalScreen[str | None]):
    """Where to write the brief: a path, prefilled; `enter` writes, `escape` does not."""

    BINDINGS = [Binding("escape", "cancel", "cancel", id="report.cancel",
                        tooltip="write nothing")]

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        with Vertical(id="report-dialog"):
            yield Static(Content("Write the Markdown brief of this statement to:"))
            yield Input(self.path, id="report-path")
            yield Static(Content("enter writes (never over an existing file) \u00b7 "
                                 "escape cancels"))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SpreadScreen(StoreScreen, ModalScreen[OpenTarget | None]):
    """A statement across outlets and time; closing with a member chosen opens it."""

    SUB_TITLE = "spread"
    BINDINGS = [
        Binding("enter", "open", "open", id="spread.open", priority=True,
                tooltip="open the article at this appearance"),
        Binding("w", "report", "write report", id="spread.report",
                tooltip="write the statement's Markdown brief to a file"),
        Binding("escape", "close", "close", id="spread.close", tooltip="close the spread"),
        Binding("f1,question_mark", "app.help", "help", id="spread.help",
                tooltip="this help (a modal screen hides the app's keys)"),
    ]

    def __init__(self, store: Store, statement_id: str) -> None:
        super().__init__(store)
        self.statement_id = statement_id
        self.statement: Statement | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="spread-dialog"):
            yield Static(id="spread-title")
            yield Static(id="spread-timeline")
            yield ChoiceList(id="spread-members")
        yield KeyBar()

    def on_mount(self) -> None:
        self.reload()
        self.query_one(OptionList).focus()

    def reload(self) -> None:
        try:
            found = statement_of(self.store, self.statement_id)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            self.dismiss(None)
            return
        self.statement = found
        first = found.first
        outlets = found.outlet_count
        counts = ", ".join(f"{n} {status}" for status, n in sorted(found.status_counts.items()))
        # The whole statement, wrapped: the screen is about it.
        title = (f"\u201c{flat(found.text)}\u201d\n{outlets} outlet"
                 f"{'s' if outlets != 1 else ''} \u00b7 {len(found.members)} places \u00b7 "
                 f"links: {counts or 'none'}")
        if first is not None:
            title += f" \u00b7 first: {outlet_text(first.outlet)}, {when_text(first)}"
        self.query_one("#spread-title", Static).update(Content(title))
        self.query_one("#spread-timeline", Static).update(timeline(found))
        members = self.query_one(OptionList)
        highlighted = members.highlighted or 0
        members.set_options(
            Option(member_prompt(i, m, m is first)) for i, m in enumerate(found.members, 1)
        )
        if found.members:
            members.highlighted = min(highlighted, len(found.members) - 1)

    @property
    def current(self) -> StatementMember | None:
        index = self.query_one(OptionList).highlighted
        if self.statement is None or index is None:
            return None
        members = self.statement.members
        return members[index] if 0 <= index < len(members) else None

    def action_open(self) -> None:
        member = self.current
        if member is not None:
            self.dismiss(OpenTarget(member.doc_id, member.start))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_report(self) -> None:
        if self.statement is None:
            return
        # The whole id, as the brief's heading and `sidenote spread` give it.
        default = str(Path.cwd() / f"statement-{self.statement.id}.md")

        def chosen(path: str | None) -> None:
            if path is None or self.statement is None:
                return
            try:
                write_brief(self.store, self.statement.id, Path(path).expanduser())
            except SidenoteError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self.notify(f"wrote the brief to {path}", markup=False)

        self.app.push_screen(ReportDialog(default), chosen)

    def store_changed(self, doc_id: str | None = None, offset: int | None = None) -> None:
        self.reload()
