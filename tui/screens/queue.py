"""The review queue: every suggested link in the corpus, one row per pair, to judge.

The list is a `RowTable` over `store.ReviewQueue`: the screen reads the page of pairs
the table is drawing and keeps a few pages, so a queue of 100,000 suggestions moves
as fast as one of ten. Under the list, the pair under the cursor side by side, the
words that differ highlighted (`store.word_diff`). `a`/`r`/`s` judge or skip the pair
(or the pairs marked with `space`); `A`/`R` judge every suggestion of the cursor's
method scoring at least its score, after a yes. Each verdict is one undoable change.

The first frame already holds the rows: the queue is read in `compose`, before the
first layout, instead of after it (which would lay out and draw the screen twice).
The pair pane's height follows the terminal, not the pair (app.tcss), so showing
another pair redraws the pane alone and never lays out the screen again. Marks are
link ids, kept across a reload (a verdict elsewhere, an undo, another order) as long
as the pair is still a suggestion.

The database may change under the queue (the command line, another window; the app
polls `PRAGMA data_version` and calls `store_changed`). A verdict goes to the link ids
the reader saw, and only to those still suggestions when it is written
(`judge_in_queue`): a pair judged elsewhere keeps that verdict, and the status line
says so. When the list is read again after such a change, the cursor stays on the
pair it was on; if that pair is gone, the next key on the row that took its place
is not taken as a verdict on a pair the reader has not seen yet.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from store import (
    QUEUE_SORTS,
    QueueItem,
    ReviewQueue,
    SidenoteError,
    Store,
    judge_in_queue,
    newest_event,
    outside_steps,
    queue_items,
    skip_in_queue,
    suggestions_at_least,
    word_diff,
)

from ..messages import OpenDocument
from ..widgets.key_bar import KeyBar
from ..widgets.row_table import RowTable
from ..widgets.text_layout import display_text, outlet_text
from .base import StoreScreen
from .dialogs import excerpt
from .echoes import OpenTarget

PAGE = 64  # pairs read at once
SIDE_CHARS = 600  # of each wording, in the pane under the list
STATUS_MARK = {"suggested": " ", "confirmed": "\u2713", "rejected": "\u2717"}
JUDGED_AS = {"confirmed": "accepted", "rejected": "rejected", "gone": "removed by relinking"}
SCAN_ROWS = 32 * PAGE  # rows looked through for where the cursor goes after a verdict


def diff_text(text: str, spans: tuple[tuple[int, int], ...], style: str) -> Text:
    """The wording (data: never markup) with the words that differ in `style`."""
    shown = Text(display_text(text[:SIDE_CHARS]), end="")
    for start, end in spans:
        if start < SIDE_CHARS:
            shown.stylize(style, start, min(end, SIDE_CHARS))
    if len(text) > SIDE_CHARS:
        shown.append("\u2026")
    return shown


def pair_view(item: QueueItem) -> Table:
    """The two wordings side by side: a changed or trimmed part is highlighted."""
    diff = word_diff(item.a.text, item.b.text)
    table = Table.grid(expand=True, padding=(0, 2))
    table.add_column(ratio=1)
    table.add_column(ratio=1)
    heads = []
    for side in (item.a, item.b):
        head = Text(outlet_text(side.outlet), style="bold", end="")
        head.append(" \u2014 " + display_text(excerpt(side.title or "(untitled)", 50)))
        heads.append(head)
    table.add_row(*heads)
    table.add_row(diff_text(item.a.text, diff.a, "bold red underline"),
                  diff_text(item.b.text, diff.b, "bold green underline"))
    return table


LEAD = 26  # status and skip marks, score, method: the columns before the outlets
OUTLETS_MAX = 36


def outlets_width(width: int) -> int:
    """The outlets column of a row `width` cells wide: a third of what the score and
    method leave, so the wording keeps two thirds (at 80 columns 17 for the outlets,
    35 for the wording), never more than it needs at 120 and over."""
    return max(11, min(OUTLETS_MAX, (width - LEAD) // 3))


def cut_words(text: str, limit: int) -> str:
    """One line of `text` in at most `limit` characters, cut at a word's end with an
    ellipsis (inside a word only when its first word is too long)."""
    flat = " ".join(display_text(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat.rfind(" ", 0, limit)  # the last word end that leaves room for the "…"
    if cut <= 0:
        return flat[: max(0, limit - 1)] + "\u2026"
    return flat[:cut].rstrip(" ,;:\u2014-") + "\u2026"


def outlets_cell(a: str, b: str, width: int) -> str:
    """"A ↔ B" in `width` columns, padded: each outlet gets half, a short one leaves
    the rest to the other."""
    room = width - 4  # " ↔ " and a space before the wording
    a, b = outlet_text(a), outlet_text(b)
    half = room // 2
    a_cut = cut_words(a, max(half, room - len(b)))
    b_cut = cut_words(b, room - len(a_cut))
    return f"{a_cut} \u2194 {b_cut}".ljust(width)[:width]


def elsewhere_line(elsewhere: dict[str, str]) -> str:
    """What a verdict left alone because it was given elsewhere first."""
    if len(elsewhere) == 1:
        (status,) = elsewhere.values()
        return f"already {JUDGED_AS.get(status, status)} elsewhere \u2014 list refreshed"
    return f"{len(elsewhere)} already judged elsewhere \u2014 list refreshed"


def bulk_question(
    verdict: str, count: int, method: str, score: float, *, recounted: bool = False
) -> str:
    noun = "accept" if verdict == "confirmed" else "reject"
    which = f"the 1 {method} suggestion" if count == 1 else f"all {count:,} {method} suggestions"
    line = (f"{noun.capitalize()} {which} scoring {score:.1f} or more? "
            f"(one step: u undoes it)")
    if recounted:
        line += "\nCounted again: another program changed the links meanwhile."
    return line


class BulkDialog(ModalScreen[bool]):
    """Asks before a verdict on many pairs at once: `y` goes ahead, anything else not."""

    BINDINGS = [
        Binding("y", "answer(True)", "yes", id="queue_bulk.yes", tooltip="judge them all"),
        Binding("n,escape", "answer(False)", "no", id="queue_bulk.no", tooltip="leave them"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="queue-bulk"):
            yield Static(Content(self.question), id="queue-bulk-question")
            yield Static(Content("y: yes \u00b7 n: no"))

    def ask(self, question: str) -> None:
        """Another question in place (the count changed under it)."""
        self.question = question
        if self.is_mounted:
            self.query_one("#queue-bulk-question", Static).update(Content(question))

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class QueueScreen(StoreScreen):
    """Every suggestion in the corpus, best first; judge, skip, or open its spread."""

    SUB_TITLE = "review queue"
    AUTO_FOCUS = "#queue-rows"  # focused as the screen is composed: no second frame
    BINDINGS = [
        Binding("a", "judge('confirmed')", "accept", id="queue.accept",
                tooltip="accept the pair (or the marked pairs)"),
        Binding("r", "judge('rejected')", "reject", id="queue.reject",
                tooltip="reject the pair (or the marked pairs): never suggested again"),
        Binding("s", "skip", "skip", id="queue.skip",
                tooltip="skip the pair (or the marked pairs): reviewed for now, judged later"),
        Binding("space", "mark", "mark", id="queue.mark",
                tooltip="mark the pair for a verdict on all marked pairs at once"),
        Binding("A", "bulk('confirmed')", "accept \u2265 score", id="queue.accept_above",
                tooltip="accept every suggestion of this pair's method scoring at least its "
                        "score (asks first)"),
        Binding("R", "bulk('rejected')", "reject \u2265 score", id="queue.reject_above",
                tooltip="reject every suggestion of this pair's method scoring at least its "
                        "score (asks first)"),
        Binding("o", "order", "order", id="queue.order",
                tooltip="order by score, outlet, article or method"),
        Binding("v", "spread", "spread", id="queue.spread",
                tooltip="the spread of the pair's statement: outlets, times, wordings"),
        Binding("escape", "close", "back", id="queue.close", tooltip="close the queue"),
    ]

    def __init__(self, store: Store, sort: str = "best") -> None:
        super().__init__(store)
        self.sort = sort
        self.queue = ReviewQueue(store, sort)
        self._pages: LRUCache[int, list[QueueItem]] = LRUCache(32)
        self._marked: set[str] = set()
        self.progress_line = ""
        self._title = Static(id="queue-title")
        self._table = RowTable(id="queue-rows")
        self._pair = Static(id="queue-pair")
        self._title_shown = ""
        self._pair_shown: tuple[str, str, str | None] | None = None
        # (the pair the reader was looking at, the one that took its row, its fate)
        # after a change elsewhere took the first out of the queue; cleared on a move.
        self._replaced: tuple[str, str, str] | None = None
        # The log's newest event when the list was last read: steps after it that
        # another program made are named in the title line when the list is refreshed.
        self._seen_seq = 0
        self._outside = ""  # what another program did, shown until the next verdict
        # The open A/R question: (the dialog, the method and score it counts from,
        # the ids it would judge), recounted when the database changes under it.
        self._bulk: tuple[BulkDialog, str, float, str, list[str]] | None = None

    def compose(self) -> ComposeResult:
        self.reload(cursor=self.queue.first_unreviewed())
        yield self._title  # straight on the screen: a container is one more widget to style
        yield self._table
        yield self._pair
        yield KeyBar()

    @property
    def table(self) -> RowTable:
        return self._table

    # -- data ------------------------------------------------------------------------------

    def item(self, row: int) -> QueueItem | None:
        page, at = divmod(row, PAGE)
        items = self._pages.get(page)
        if items is None:
            items = self._pages[page] = self.queue.page(page * PAGE, PAGE)
        return items[at] if at < len(items) else None

    @property
    def current(self) -> QueueItem | None:
        return self.item(self.table.cursor_row) if self.table.count else None

    def reload(self, cursor: int | None = None) -> None:
        """Read the queue again (after a verdict, an undo, a relink): keep the row, and
        the marks on pairs that are still suggestions."""
        self._pages.clear()
        row = self.table.cursor_row if cursor is None else cursor
        try:
            self._seen_seq = newest_event(self.store)
            count, progress = self.queue.counts()
            self.progress_line = progress.line()
            if self._marked:
                found = queue_items(self.store, sorted(self._marked))
                self._marked = {i for i, item in found.items() if item.status == "suggested"}
        except SidenoteError as error:
            count, self.progress_line = 0, str(error)
        self.table.show(count, self._line, self._header, cursor=min(row, max(0, count - 1)),
                        marked_at=self._is_marked)
        self._pair_shown = None  # the pair's status or mark may have changed
        self._show_title()
        self._show_pair()

    def _is_marked(self, row: int) -> bool:
        found = self.item(row) if self._marked else None
        return found is not None and found.id in self._marked

    def _line(self, row: int, width: int) -> Text:
        found = self.item(row)
        if found is None:
            return Text("")
        text = Text(end="", no_wrap=True)
        mark = "\u2192" if found.mark == "skipped" and found.status == "suggested" else " "
        text.append(STATUS_MARK.get(found.status, "?") + mark)
        text.append(f"{found.score:5.1f}  {found.method:<16} ", style="dim")
        text.append(outlets_cell(found.a.outlet, found.b.outlet, outlets_width(width)))
        text.append(display_text(" ".join(found.a.text.split())[:width]))
        return text

    @staticmethod
    def _header(width: int) -> Text:
        return Text(f"  score  {'method':<17}{'outlets':<{outlets_width(width)}}wording",
                    end="")

    def _show_title(self) -> None:
        count = self.table.count
        line = (f"Review queue \u00b7 {self.progress_line} \u00b7 {count:,} suggested "
                f"\u00b7 order: {self.sort}")
        if self._marked:
            line += f" \u00b7 {len(self._marked)} marked"
        if self._outside:
            line += f"\n{excerpt(self._outside, 200)}"
        if not count:
            line += "\nNo suggestions to review: L in the library links the whole corpus."
        if line != self._title_shown:  # may wrap to another height: a layout then
            self._title_shown = line
            self._title.update(Content(line))

    def _show_pair(self) -> None:
        found = self.current
        shown = None if found is None else (found.id, found.status, found.mark)
        if shown == self._pair_shown and shown is not None:
            return
        self._pair_shown = shown
        self._pair.update("" if found is None else pair_view(found), layout=False)

    def on_row_table_moved(self, message: RowTable.Moved) -> None:
        self._show_pair()
        found = self.current
        if self._replaced is not None and (found is None or found.id != self._replaced[1]):
            self._replaced = None  # the reader moved: what is under the cursor now is seen

    def on_row_table_chosen(self, message: RowTable.Chosen) -> None:
        self.action_spread()

    # -- verdicts ------------------------------------------------------------------------------

    def _targets(self) -> list[str]:
        if self._marked:
            return sorted(self._marked)
        found = self.current
        if found is None:
            return []
        if found.status != "suggested":  # kept in its place by the outlet and article orders
            self.notify(f"already {JUDGED_AS.get(found.status, found.status)}", markup=False)
            return []
        return [found.id]

    def _unseen(self, key: str) -> bool:
        """True (and says so) when the row under the cursor took the place of a pair
        judged elsewhere a moment ago: the reader pressed the key for the pair they saw.
        The next press judges the pair now shown."""
        found, replaced = self.current, self._replaced
        self._replaced = None
        if self._marked or found is None or replaced is None or found.id != replaced[1]:
            return False
        self.notify(f"the pair you were on was {JUDGED_AS.get(replaced[2], replaced[2])} "
                    f"elsewhere; this is the next one \u2014 press {key} again for it",
                    markup=False)
        return True

    def action_judge(self, verdict: str) -> None:
        if self._unseen("a" if verdict == "confirmed" else "r"):
            return
        self._judge(self._targets(), verdict)

    def _judge(self, ids: list[str], verdict: str) -> None:
        if not ids:
            return
        self._outside = ""
        after = self._next_pending(set(ids))
        try:
            result = judge_in_queue(self.store, ids, verdict)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        parts = []
        if result.done:
            count = len(result.done)
            noun = "accepted" if verdict == "confirmed" else "rejected"
            parts.append(f"{noun} {count} link{'s' if count != 1 else ''} \u00b7 u undoes")
        if result.elsewhere:
            parts.append(elsewhere_line(result.elsewhere))
        self.notify(" \u00b7 ".join(parts), markup=False)
        self._marked -= set(ids)
        self._reload_at(after)

    def action_skip(self) -> None:
        if self._unseen("s"):
            return
        ids = self._targets()
        if not ids:
            return
        self._outside = ""
        after = self._next_pending(set(ids))
        try:
            result = skip_in_queue(self.store, ids)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if result.elsewhere:
            self.notify(elsewhere_line(result.elsewhere), markup=False)
        self._marked -= set(ids)
        self._reload_at(after)

    def _next_pending(self, leaving: set[str]) -> str | None:
        """The first pair from the cursor down that is still to judge after a verdict
        on `leaving`: where the cursor goes, so it keeps its place in the list."""
        row = self.table.cursor_row
        for at in range(row, min(self.table.count, row + SCAN_ROWS)):
            found = self.item(at)
            if found is not None and found.id not in leaving and found.status == "suggested":
                return found.id
        return None

    def _reload_at(self, link_id: str | None) -> None:
        """Read the queue again with the cursor on this pair (kept on its row when the
        pair is no longer in the queue)."""
        try:
            row = None if link_id is None else self.queue.row_of(link_id)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            row = None
        self.reload(cursor=row)

    def action_mark(self) -> None:
        found = self.current
        if found is None:
            return
        row = self.table.cursor_row
        self._marked ^= {found.id}
        self.table.redraw()
        self.table.move_to(row + 1)
        self._show_title()

    def action_bulk(self, verdict: str) -> None:
        found = self.current
        if found is None:
            return
        try:
            ids = suggestions_at_least(self.store, found.method, found.score)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        dialog = BulkDialog(bulk_question(verdict, len(ids), found.method, found.score))
        self._bulk = (dialog, found.method, found.score, verdict, ids)

        def answered(yes: bool | None) -> None:
            asked, self._bulk = self._bulk, None
            if yes and asked is not None:
                self._judge(asked[4], verdict)  # the ids of the last count shown

        self.app.push_screen(dialog, answered)

    def _recount_bulk(self) -> None:
        """The database changed under the open A/R question: count again, so the
        number asked about is the number that would be judged."""
        if self._bulk is None:
            return
        dialog, method, score, verdict, _ = self._bulk
        try:
            ids = suggestions_at_least(self.store, method, score)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self._bulk = (dialog, method, score, verdict, ids)
        dialog.ask(bulk_question(verdict, len(ids), method, score, recounted=True))

    def action_order(self) -> None:
        self.sort = QUEUE_SORTS[(QUEUE_SORTS.index(self.sort) + 1) % len(QUEUE_SORTS)]
        try:
            self.queue = ReviewQueue(self.store, self.sort)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.reload(cursor=0)

    def action_spread(self) -> None:
        from .spread import SpreadScreen

        found = self.current
        if found is None:
            return

        def opened(target: OpenTarget | None) -> None:
            if target is not None:
                self.app.pop_screen()
                self.app.post_message(OpenDocument(target.doc_id, target.offset))
            else:
                self.reload()

        self.app.push_screen(SpreadScreen(self.store, found.id), opened)

    def action_close(self) -> None:
        self.app.pop_screen()

    def _note_outside(self) -> None:
        """Name what another program did through the log since the list was read (the
        command line's verdicts and undos), in the title line and the status line."""
        try:
            steps = outside_steps(self.store, self._seen_seq)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if not steps:
            return
        shown = "; ".join(steps[-2:])
        if len(steps) > 2:
            shown = f"{len(steps) - 2} more; " + shown
        self._outside = f"another program: {shown}"
        self.notify(f"{self._outside} \u2014 list refreshed", markup=False)

    def store_changed(self, doc_id: str | None = None, offset: int | None = None) -> None:
        if doc_id is not None:  # an undo or redo made here: what it moved shows at the row
            self._outside = ""  # the reader has acted since
            self.reload()
            return
        # Written elsewhere: the cursor stays on the pair the reader is looking at.
        seen = self._pair_shown[0] if self._pair_shown is not None else None
        self._note_outside()
        self._reload_at(seen)
        self._recount_bulk()
        found = self.current
        if seen is None or found is None or found.id == seen:
            return
        try:
            fate = queue_items(self.store, [seen]).get(seen)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        status = "gone" if fate is None else fate.status
        self._replaced = (seen, found.id, status)
        self.notify(f"the pair under the cursor was {JUDGED_AS.get(status, status)} "
                    "elsewhere \u2014 list refreshed", markup=False)
