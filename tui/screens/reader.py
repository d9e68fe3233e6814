"""The reader: one article, its annotations, and every key that tags, edits or moves.

The screen is the only part of the reader that talks to the store. Its widgets get
data (attributes down) and report what the user did (messages up); each change the
user makes is written at once, in one transaction, through `store.annotations`.
"""

from __future__ import annotations

import os
from bisect import bisect_left, bisect_right
from typing import TYPE_CHECKING

from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import Input, Static

from store import (
    Annotation,
    Label,
    NotFound,
    SidenoteError,
    Store,
    create_annotation,
    delete_annotation,
    known_speakers,
    previous_grapheme,
    set_annotation_span,
    snap_to_graphemes,
    update_annotation,
)

from ..limits import QUERY_CHARS
from ..messages import AnnotationChosen, CursorMoved
from ..widgets import motions
from ..widgets.annotation_list import AnnotationList
from ..widgets.article_view import ArticleView
from ..widgets.key_bar import KeyBar
from ..widgets.legend import Legend
from ..widgets.status_line import StatusLine
from ..widgets.text_layout import display_text, find_all
from .base import StoreScreen
from .dialogs import NoteDialog, NoteEdit, excerpt
from .navigation import Navigation, Place, citation
from .resume import REOPEN_SETTING

# The echoes (store.links: the matcher and numpy) are imported where they are first
# used, so the library's first frame does not wait for them.
if TYPE_CHECKING:
    from store import Echo, Quote

    from .echoes import EchoQuery, OpenTarget
    from .meaning_echoes import MeaningEchoes

PANEL_SETTING = "tui.panel_hidden"  # the side panel stays as the user left it
SAVE_POSITION_SECONDS = 0.5

TAG = Binding.Group("tag", compact=True)
FIND = Binding.Group("match", compact=True)
ARTICLE = Binding.Group("article", compact=True)
ANNOTATION = Binding.Group("annotation", compact=True)
QUOTES_IN_THREAD = 100_000  # characters: a longer article's quotes are found off the UI thread
# A tag's meaning echoes are looked for once the user has not tagged for this long: a
# burst of tags embeds its last span only, and no embedding runs while the keys come.
MEANING_QUIET_SECONDS = 0.4


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop white space at either end of a span (a selection made word by word has some)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# Moving and editing by annotation, quote suggestions: the keys of a day's annotating.
EDIT_BINDINGS = [
    Binding("right_curly_bracket", "step_annotation(1)", "next", id="reader.next_annotation",
            group=ANNOTATION, tooltip="next annotation (and quote suggestion, while shown)"),
    Binding("left_curly_bracket", "step_annotation(-1)", "previous",
            id="reader.previous_annotation", group=ANNOTATION,
            tooltip="previous annotation (and quote suggestion, while shown)"),
    Binding("C", "step_label('claim')", "next claim", id="reader.next_claim", show=False,
            tooltip="next claim (then n / N: next / previous claim)"),
    Binding("Q", "step_label('quote')", "next quote", id="reader.next_quote", show=False,
            tooltip="next quote (then n / N: next / previous quote)"),
    Binding("P", "step_label('proposal')", "next proposal", id="reader.next_proposal",
            show=False, tooltip="next proposal (then n / N: next / previous proposal)"),
    Binding("greater_than_sign", "move_edge(1)", "edge right", id="reader.edge_right",
            show=False, tooltip="annotation under the cursor: its end takes the next word "
                                "(after o: its start drops its first word)"),
    Binding("less_than_sign", "move_edge(-1)", "edge left", id="reader.edge_left",
            show=False, tooltip="annotation under the cursor: its end drops its last word "
                                "(after o: its start takes the word before)"),
    Binding("o", "other_edge", "other edge", id="reader.other_edge", show=False,
            tooltip="switch the edge that > and < move (start / end); in a selection, "
                    "go to its other end"),
    Binding("quotation_mark", "select_quotation", "quotation", id="reader.select_quotation",
            show=False, tooltip="select the quotation around the cursor, inside its marks "
                                "(again: with the marks)"),
    Binding("full_stop", "repeat_tag", "repeat tag", id="reader.repeat_tag", show=False,
            tooltip="repeat the last tag (c, q or p) here"),
    Binding("S", "toggle_suggestions", "quotes?", id="reader.suggestions",
            tooltip="show or hide the quotations the quote finder sees, as suggestions"),
    Binding("enter", "accept_suggestion", "accept", id="reader.accept_suggestion", show=False,
            tooltip="tag the quote suggestion under the cursor as a quote, with its speaker "
                    "(q does the same)"),
    Binding("tab", "switch_focus", "panel", id="reader.panel", show=False,
            tooltip="move between the text and the side panel (there j / k move the caret)"),
]


# Back and forward through jumps, the panel, copying: keys of the layout and of leaving.
NAVIGATION_BINDINGS = [
    Binding("ctrl+o,alt+left", "jump_back", "back", id="reader.jump_back", show=False,
            tooltip="back to where the last jump left (an echo, a search result, the palette, "
                    "] or [ followed), in that article at that sentence"),
    Binding("ctrl+i,alt+right", "jump_forward", "forward", id="reader.jump_forward",
            show=False, tooltip="forward again after going back (ctrl+i only in terminals "
                                "that tell it from tab: alt+\u2192 works in all)"),
    Binding("backslash", "toggle_panel", "panel", id="reader.toggle_panel",
            tooltip="hide or show the side panel (kept across restarts)"),
    Binding("y", "copy_citation", "cite", id="reader.copy_citation",
            tooltip="copy the annotation under the cursor as a citation: quote, speaker, "
                    "outlet, title, date, URL"),
]


class ReaderScreen(StoreScreen, inherit_bindings=False):
    """Shows one document; `]`/`[` move to the next or previous one in import order.

    Textual's screen keys (tab focus cycling, ctrl+c copy) are left out: the article
    view holds the focus and draws its own selection.
    """

    SUB_TITLE = "reader"
    KEYS_NOTE = (
        "`y` sends the citation to the terminal's clipboard as an OSC 52 escape. A "
        "terminal never answers it, so Sidenote says \u201csent\u201d, not "
        "\u201ccopied\u201d: kitty, WezTerm, foot, Alacritty and Windows Terminal take it, "
        "iTerm2 once \u201cApplications in terminal may access clipboard\u201d is on, "
        "Apple's Terminal never. "
        "tmux drops it with its default `set-clipboard external`: add "
        "`set -g set-clipboard on` to ~/.tmux.conf (in tmux, `y` reminds you)."
    )
    BINDINGS = [
        Binding("c", "tag('claim')", "claim", id="reader.tag_claim", group=TAG,
                tooltip="tag the selection (else the sentence) as a claim, or relabel"),
        Binding("q", "tag('quote')", "quote", id="reader.tag_quote", group=TAG,
                tooltip="tag the selection as a quote, else the quotation the quote finder "
                        "sees under the cursor (or the sentence's only one) with its speaker, "
                        "else the sentence; or relabel"),
        Binding("p", "tag('proposal')", "proposal", id="reader.tag_proposal", group=TAG,
                tooltip="tag the selection (else the sentence) as a proposal, or relabel"),
        Binding("e", "edit", "note", id="reader.edit",
                tooltip="edit the note (and speaker) of the annotation under the cursor"),
        Binding("x", "delete", "delete", id="reader.delete",
                tooltip="delete the annotation under the cursor"),
        Binding("l", "echoes", "echoes", id="reader.echoes",
                tooltip="echoes: where the annotation (else the sentence) under the cursor "
                        "is repeated in other articles"),
        Binding("s", "spread", "spread", id="reader.spread",
                tooltip="spread: which outlets carried the statement under the cursor, and when"),
        Binding("slash", "find", "find", id="reader.find", tooltip="find in this article"),
        Binding("n", "find_next", "next match", id="reader.find_next", group=FIND,
                tooltip="next match (or next of the label C Q P went to, or quote suggestion)"),
        Binding("N", "find_previous", "previous match", id="reader.find_previous", group=FIND,
                tooltip="previous match (or of the label, or quote suggestion)"),
        *EDIT_BINDINGS,
        Binding("right_square_bracket", "next_article", "next article",
                id="reader.next_article", group=ARTICLE, tooltip="next article"),
        Binding("left_square_bracket", "previous_article", "previous article",
                id="reader.previous_article", group=ARTICLE, tooltip="previous article"),
        Binding("escape", "escape", "back", id="reader.escape",
                tooltip="close find (or its highlights), else cancel the selection, "
                        "else back to the library"),
        *NAVIGATION_BINDINGS,
    ]

    def __init__(self, store: Store, doc_id: str, offset: int | None = None,
                 navigation: Navigation | None = None) -> None:
        super().__init__(store)
        self.doc_id = doc_id
        self.navigation = navigation or Navigation()
        self._start_offset = offset
        self.title_text = ""
        self.text = ""
        self._pinned: str | None = None  # annotation the user picked, kept focused
        self._matches: list[tuple[int, int]] = []
        self._match_starts: list[int] = []
        self._saved_sentence: int | None = None
        self._find_origin = 0  # incremental search looks from where it started
        self._last_action = ""
        self._last_tag: Label | None = None  # what `.` repeats
        self._jump = "find"  # what n / N repeat: find, a label's value, or "suggestions"
        # Set from `/` until the find box has the focus: keys typed in that window (a
        # fast typist, a terminal's burst) go into the box, not to the reader's keys.
        self._find_opening = False
        self._edge = "end"  # the edge of an annotation that > and < move
        self._quotes: tuple[str, list[Quote]] | None = None  # (doc_id, the finder's quotes)
        self._suggesting = False
        self._quotes_pending: str | None = None  # the article whose quotes a thread finds
        # The found quotations' starts and the longest one's length, for `_quotes_over`.
        self._quote_starts: tuple[list[Quote], list[int], int] | None = None
        self.meaning: MeaningEchoes | None = None  # made at the first tag (imports numpy)
        # The caret and selection the panel and status line last showed: the view's
        # `CursorMoved` for a change the screen already showed is then skipped.
        self._shown_cursor: tuple[int, tuple[int, int] | None] | None = None
        self.view = ArticleView(id="article")
        self.panel = AnnotationList(id="annotations")
        self.status = StatusLine(id="reader-status")

    # -- layout -------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="reader-header"):
            yield Static(id="reader-title")
            yield Legend(id="legend")
        with Horizontal(id="reader-body"):
            yield self.view
            yield self.panel
        yield self.status
        yield Input(placeholder="Find in this article", id="find", max_length=QUERY_CHARS)
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#find", Input).display = False
        self.panel.display = not self.store.setting(PANEL_SETTING, False)
        self.show_document(self.doc_id, self._start_offset)
        self.view.focus()
        self.set_interval(SAVE_POSITION_SECONDS, self.save_position)

    async def on_unmount(self) -> None:
        self.save_position()
        if self.meaning is not None:
            await self.meaning.close()

    # -- loading --------------------------------------------------------------------------

    def show_document(self, doc_id: str, offset: int | None = None, *,
                      jump: bool = True) -> None:
        """Open `doc_id` at `offset`, or where the reader last left it; unless `jump` is
        False (back and forward themselves), the place left goes on the jump list."""
        from store import echo_spans

        if self.text:
            self.save_position()
            if jump:
                self.navigation.jumps.record(self._place())
        try:
            document = self.store.document(doc_id)
            sentences = self.store.sentences(doc_id)
            annotations = self.store.annotations(doc_id)
            position = self.store.position(doc_id)
            echoed = echo_spans(self.store, doc_id)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.doc_id = doc_id
        self.text = document.text
        self._pinned = None
        self._quotes = None
        self._suggesting = False
        self.view.set_suggestions([])
        self._set_matches([])
        self._close_find()
        if offset is None and sentences:
            offset = sentences[min(position, len(sentences) - 1)].start
        outlet = f" \u2014 {display_text(document.source)}" if document.source else ""
        self.title_text = display_text(document.title or "(untitled)")
        self.query_one("#reader-title", Static).update(
            Content(f"{self.title_text}{outlet}"), layout=False
        )
        self.panel.set_annotations(annotations)
        self.view.load(document.text, [(s.start, s.end) for s in sentences], annotations,
                       offset or 0)
        self.view.set_echo_spans(echoed)
        self._saved_sentence = None
        self.save_position()
        self._write_setting(REOPEN_SETTING, True)
        self._show_state()
        if len(self.text) > QUOTES_IN_THREAD:
            # A long article's quotations are looked for from the start, after the first
            # frame, while the user reads: left to the first `q` (or `S`, or a speaker),
            # the thread's CPU would land on that key and the keys after it.
            self.call_after_refresh(self._found_quotes)

    def store_changed(self, doc_id: str | None = None, offset: int | None = None) -> None:
        """Re-read the annotations (or open another document to show a change there)."""
        if doc_id is not None and doc_id != self.doc_id:
            self.show_document(doc_id, offset)
            return
        try:
            self.store.document(self.doc_id)
        except NotFound:
            self._article_gone()
            return
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        from store import echo_spans

        try:
            annotations = self.store.annotations(self.doc_id)
            echoed = echo_spans(self.store, self.doc_id)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.view.set_annotations(annotations)
        self.view.set_echo_spans(echoed)
        self.panel.set_annotations(annotations)
        self._refresh_suggestions()
        if offset is not None:
            self.view.move_caret(offset)
        self._show_state()

    def _show_state(self) -> None:
        """Redraw the panel's focus and the status line from the state now, after a
        change or a switch of article that the caret's position does not reveal (an
        undo, another article with the caret at the same offset)."""
        self._shown_cursor = None
        self._cursor_moved(self.view.caret, self.view.selection)

    def _article_gone(self) -> None:
        """The article was deleted (by another Sidenote, or an undo): never show stale text."""
        self.text = ""  # nothing left to save a position for
        self.notify(f"\u201c{excerpt(self.title_text, 50)}\u201d was deleted; back to the library",
                    severity="warning", markup=False)
        self._write_setting(REOPEN_SETTING, False)
        while self.app.screen is not self and len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        self.dismiss()

    # -- position ---------------------------------------------------------------------------

    def save_position(self) -> None:
        """Persist the sentence the cursor is on (on a timer: off the keypress path)."""
        if not self.text:
            return
        sentence = self.view.sentence
        if sentence == self._saved_sentence:
            return
        try:
            self.store.set_position(self.doc_id, sentence)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self._saved_sentence = sentence

    def _write_setting(self, key: str, value: object) -> None:
        try:
            self.store.set_setting(key, value)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)

    # -- cursor ---------------------------------------------------------------------------------

    def on_cursor_moved(self, message: CursorMoved) -> None:
        message.stop()
        # Keys typed fast queue several of these; the view's state now is what to show
        # (and a tag may already have shown it, with what the tag did).
        state = (self.view.caret, self.view.selection)
        if state != self._shown_cursor:
            self._cursor_moved(*state)

    def _focus(self) -> Annotation | None:
        """The annotation under the caret: the one the user picked, else the innermost.

        Computed from the view's state when needed, never cached: keys typed fast
        can run before the view's `CursorMoved` message is handled.
        """
        under = self.view.annotations_at(self.view.caret)
        for annotation in under:
            if annotation.id == self._pinned:
                return annotation
        return under[0] if under else None

    def _cursor_moved(self, caret: int, selection: tuple[int, int] | None) -> None:
        """Show what is under the caret in the view, the panel and the status line.

        Called from the view's `CursorMoved`, and directly by actions that change the
        view themselves, so that the whole change is drawn in one screen update.
        """
        self._shown_cursor = (caret, selection)
        focused = self._focus()
        if focused is None or focused.id != self._pinned:
            self._pinned = None
        focused_id = focused.id if focused else None
        self.view.set_focused_annotation(focused_id)
        self.panel.follow(caret, focused_id)
        self._update_status(focused)

    def on_annotation_chosen(self, message: AnnotationChosen) -> None:
        message.stop()
        annotation = self.view.annotation(message.annotation_id)
        if annotation is not None:
            self._pinned = annotation.id
            self.view.move_caret(annotation.start)
            if message.take_focus:
                self.view.focus()
            self._show_state()

    def _update_status(self, focused: Annotation | None = None) -> None:
        view = self.view
        count = view.sentence_count
        parts = []
        if count:
            sentence = view.sentence + 1
            parts.append(f"sentence {sentence}/{count} \u00b7 {sentence * 100 // count}% read")
        count = self.panel.count
        parts.append(f"{count} annotation{'' if count == 1 else 's'}")
        selection = view.selection
        if selection:
            parts.append(f"selected {selection[1] - selection[0]} characters")
        # What the last key did comes before what is under the caret: on a narrow
        # terminal the end of the line is cut, and the answer to a key must show.
        if self._last_action:
            parts.append(self._last_action)
            self._last_action = ""
        if focused is not None:
            parts.append(f"on {focused.label.value} \u201c{excerpt(focused.text, 40)}\u201d")
        self.status.show(" \u00b7 ".join(parts))

    # -- tagging --------------------------------------------------------------------------------

    def _target_span(self) -> tuple[int, int] | None:
        """The span a tag key applies to: the selection, else the current sentence."""
        selection = self.view.selection
        if selection is None:
            return self.view.sentence_span()
        start, end = trim_span(self.text, *selection)
        if end <= start:
            return None
        # trimming a space that carries a combining mark would split it: widen back
        return snap_to_graphemes(self.text, start, end)

    def action_tag(self, label: str) -> None:
        label = Label(label)
        self._last_tag = label
        view = self.view
        selection = view.selection
        suggestion = (view.suggestion_at(view.caret)
                      if self._suggesting and selection is None else None)
        existing = self._focus() if selection is None and suggestion is None else None
        if label is Label.quote and selection is None and suggestion is None and existing is None:
            suggestion = self._quotation_to_tag()
        span = suggestion or self._target_span()
        if existing is None and span is not None:
            existing = next(
                (a for a in view.annotations_at(span[0]) if (a.start, a.end) == span), None
            )
        try:
            if existing is not None:
                if existing.label is label:
                    self._say(f"already a {label.value}")
                    view.clear_selection()
                    return
                speaker = (self._found_speaker(existing.start, existing.end)
                           if label is Label.quote and not existing.speaker else None)
                annotation = update_annotation(self.store, existing.id, label=label,
                                               speaker=speaker or None)
                self._last_action = f"{existing.label.value} \u2192 {label.value}"
            elif span is None:
                self._say("nothing to tag here")
                return
            else:
                speaker = self._found_speaker(*span) if label is Label.quote else ""
                annotation = create_annotation(self.store, self.doc_id, *span, label,
                                               speaker=speaker)
                self._last_action = f"tagged {label.value}"
                self._look_for_meaning(annotation)
            if annotation.speaker and label is Label.quote:
                self._last_action += f" \u00b7 {excerpt(annotation.speaker, 40)}"
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self._pinned = annotation.id
        view.put_annotation(annotation)
        self.panel.put(annotation)
        self._refresh_suggestions()
        view.move_caret(annotation.start)
        self._cursor_moved(view.caret, view.selection)

    def _look_for_meaning(self, annotation: Annotation) -> None:
        """The same statement in other words, looked for in a worker (an embedding is
        too slow for a key) once no other tag has come for `MEANING_QUIET_SECONDS`; an
        answer for an annotation undone or left behind meanwhile is dropped."""
        from .echoes import EchoQuery
        from .meaning_echoes import MeaningEchoes

        if self.meaning is None:
            self.meaning = MeaningEchoes(self, self.store, self._meaning_arrived,
                                         quiet=MEANING_QUIET_SECONDS)
        self.meaning.ask(EchoQuery(self.doc_id, annotation.start, annotation.end,
                                    annotation.text, annotation.id))

    def _meaning_arrived(self, query: EchoQuery, found: list[Echo]) -> None:
        from store import MEANING_METHOD, echo_spans

        if query.doc_id != self.doc_id or self.view.annotation(query.annotation_id) is None:
            return
        reworded = sum(echo.method == MEANING_METHOD for echo in found)
        if not reworded:
            return
        try:
            self.view.set_echo_spans(echo_spans(self.store, self.doc_id))
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self._say(f"{reworded} echo{'' if reworded == 1 else 'es'} in other words \u00b7 "
                  "l lists them")

    def _say(self, text: str) -> None:
        self._last_action = text
        self._show_state()  # and so skip the view's message for a caret move just made

    def action_delete(self) -> None:
        annotation = self._focus()
        if annotation is None:
            self._say("no annotation under the cursor")
            return
        try:
            delete_annotation(self.store, annotation.id)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.view.remove_annotation(annotation.id)
        self.panel.remove(annotation.id)
        self._refresh_suggestions()
        self._last_action = f"deleted {annotation.label.value} (undo brings it back)"
        self._cursor_moved(self.view.caret, self.view.selection)

    def action_edit(self) -> None:
        annotation = self._focus()
        if annotation is None:
            self._say("no annotation under the cursor: tag one first")
            return

        def save(edit: NoteEdit | None) -> None:
            if edit is None:
                return
            try:
                updated = update_annotation(
                    self.store, annotation.id, note=edit.note, speaker=edit.speaker
                )
            except SidenoteError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self.view.put_annotation(updated)
            self.panel.put(updated)
            self._pinned = updated.id
            self._last_action = "note saved"
            self._cursor_moved(self.view.caret, self.view.selection)

        self.app.push_screen(NoteDialog(annotation, self._speaker_choices()), save)

    # -- echoes ---------------------------------------------------------------------------------

    def action_echoes(self) -> None:
        """Open the echoes of the annotation under the cursor, else of the sentence."""
        from .echoes import EchoesScreen, EchoQuery

        annotation = self._focus()
        if annotation is not None:
            query = EchoQuery(self.doc_id, annotation.start, annotation.end, annotation.text,
                              annotation.id)
        else:
            span = self._target_span()
            if span is None:
                self._say("no sentence here")
                return
            query = EchoQuery(self.doc_id, *span, self.text[span[0]:span[1]])

        def opened(target: OpenTarget | None) -> None:
            if target is not None:
                self.show_document(target.doc_id, target.offset)
            else:
                self.store_changed()

        self.app.push_screen(EchoesScreen(self.store, query), opened)

    def action_spread(self) -> None:
        """Open the spread of the annotation under the cursor, else of the sentence's
        best echo: the statement it belongs to, across outlets and time."""
        from store import echoes

        from .spread import SpreadScreen

        annotation = self._focus()
        span = (annotation.start, annotation.end) if annotation else self._target_span()
        if span is None:
            self._say("no sentence here")
            return
        try:
            found = echoes(self.store, self.doc_id, *span,
                           annotation.id if annotation else None)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if not found:
            self._say("not carried elsewhere: no link reaches this statement")
            return

        def opened(target: OpenTarget | None) -> None:
            if target is not None:
                self.show_document(target.doc_id, target.offset)
            else:
                self.store_changed()

        self.app.push_screen(SpreadScreen(self.store, found[0].link_id), opened)

    # -- find -----------------------------------------------------------------------------------

    def action_find(self) -> None:
        self._jump = "find"
        self._find_origin = self.view.selection_start()
        find = self.query_one("#find", Input)
        find.display = True
        self._find_opening = True
        find.focus()

    def on_key(self, event: events.Key) -> None:
        # The find key is taken here, not left to the app's binding check: a burst's
        # later keys reach this screen before the app has run the first key's binding,
        # so only here can the keys after it be told to go into the box.
        if not self._find_opening and self._binds_find(event.key):
            event.stop()
            event.prevent_default()
            self.action_find()
            return
        if not self._find_opening or not (event.is_printable or event.key == "backspace"):
            return
        find = self.query_one("#find", Input)
        if self.focused is find:
            return
        event.stop()
        event.prevent_default()
        typed = event.character or ""
        find.value = find.value[:-1] if event.key == "backspace" else find.value + typed
        find.cursor_position = len(find.value)

    def _binds_find(self, key: str) -> bool:
        """Whether `key` is this screen's find key (after the user's keymap)."""
        active = self.active_bindings.get(key)
        return active is not None and active.node is self and active.binding.action == "find"

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if event.widget.id == "find":
            self._find_opening = False

    def _close_find(self) -> None:
        self._find_opening = False
        find = self.query_one("#find", Input)
        if find.display:
            find.display = False
            self.view.focus()

    def _set_matches(self, matches: list[tuple[int, int]]) -> None:
        self._matches = matches
        self._match_starts = [start for start, _ in matches]
        self.view.set_matches(matches)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "find":
            return
        event.stop()
        self._set_matches(find_all(self.text, event.value))
        if self._matches or not event.value:
            self._go_to_match(bisect_left(self._match_starts, self._find_origin))
        else:
            # Nothing hidden stays selected for the next tag key to act on.
            self.view.move_caret(self._find_origin)
            self._say(f"not found: {excerpt(event.value, 40)}")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "find":
            return
        event.stop()
        self._close_find()
        if not self._matches and event.value:
            self.view.move_caret(self._find_origin)
            self._say(f"not found: {excerpt(event.value, 40)}")

    def _go_to_match(self, index: int) -> None:
        if not self._matches:
            return
        if not self.view.matches:  # hidden by esc: n / N show them again
            self.view.set_matches(self._matches)
        index %= len(self._matches)
        start, end = self._matches[index]
        self.view.select(start, end)
        self._last_action = f"match {index + 1}/{len(self._matches)}"

    def action_find_next(self) -> None:
        if self._jump != "find":
            self._jump_again(self.view.count)
            return
        if not self._matches:
            self._say("no matches: press / to find")
            return
        self._go_to_match(bisect_right(self._match_starts, self.view.selection_start()))

    def action_find_previous(self) -> None:
        if self._jump != "find":
            self._jump_again(-self.view.count)
            return
        if not self._matches:
            self._say("no matches: press / to find")
            return
        self._go_to_match(bisect_left(self._match_starts, self.view.selection_start()) - 1)

    # -- navigation -----------------------------------------------------------------------------

    def _step_article(self, step: int) -> None:
        order = self.navigation.order
        ids = (order() if order is not None else None) or self.store.document_ids()
        try:
            index = ids.index(self.doc_id) + step
        except ValueError:
            index = 0
        if not 0 <= index < len(ids):
            self._say("no next article" if step > 0 else "no previous article")
            return
        self.show_document(ids[index])

    def action_next_article(self) -> None:
        self._step_article(1)

    def action_previous_article(self) -> None:
        self._step_article(-1)

    def action_escape(self) -> None:
        """Close the find bar (or clear a closed find's highlights), else drop the
        selection, else go back to the library."""
        if self.panel.has_focus:
            self.view.focus()
        elif self.query_one("#find", Input).display:
            self._set_matches([])
            self._close_find()
        elif self.view.matches:
            # Find is over: its highlights go with the match selected, while n / N
            # still step through the matches (and show them again).
            self.view.set_matches([])
            self.view.clear_selection()
        elif self.view.selection is not None:
            self.view.clear_selection()
        else:
            self.save_position()
            self.navigation.jumps.record(self._place())  # ctrl+o in the next article returns
            self._write_setting(REOPEN_SETTING, False)
            self.dismiss()

    # -- back and forward, the panel, citations -----------------------------------------

    def _place(self) -> Place:
        return Place(self.doc_id, self.view.caret)

    def action_jump_back(self) -> None:
        place = self.navigation.jumps.go_back(self._place())
        if place is None:
            self._say("no earlier place: echoes, search results and the palette add one")
        else:
            self._return_to(place, "back (alt+\u2192 forward again)")

    def action_jump_forward(self) -> None:
        place = self.navigation.jumps.go_forward(self._place())
        if place is None:
            self._say("no later place: ctrl+o goes back first")
        else:
            self._return_to(place, "forward")

    def _return_to(self, place: Place, said: str) -> None:
        self._last_action = said
        if place.doc_id == self.doc_id:
            self.view.move_caret(min(place.offset, len(self.text)))
            self._show_state()
            return
        try:
            self.store.document(place.doc_id)
        except NotFound:
            self._say("that article was deleted")
            return
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.show_document(place.doc_id, place.offset, jump=False)

    def action_toggle_panel(self) -> None:
        shown = not self.panel.display
        if not shown and self.panel.has_focus:
            self.view.focus()
        self.panel.display = shown
        self._write_setting(PANEL_SETTING, not shown)
        self._say("side panel shown" if shown else "side panel hidden: \\ shows it")

    def action_copy_citation(self) -> None:
        annotation = self._focus()
        if annotation is None:
            self._say("no annotation under the cursor: y copies one as a citation")
            return
        try:
            document = self.store.document(self.doc_id)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        text = citation(annotation, document)
        # Textual sends the text as an OSC 52 escape and never hears whether the
        # terminal took it, so the line says it was sent, not that it arrived.
        self.app.copy_to_clipboard(text)
        self._say(f"{annotation.label.value} citation sent to the terminal's clipboard "
                  f"(OSC 52): {excerpt(text, 60)}")
        if os.environ.get("TMUX"):  # tmux's default set-clipboard 'external' drops it
            self.notify("tmux passes a program's copy on to the system clipboard only "
                        "with `set -g set-clipboard on` in ~/.tmux.conf", markup=False)

    # -- moving and editing by annotation ---------------------------------------------------

    def action_step_annotation(self, step: int) -> None:
        """`}` / `{`: the next or previous annotation (and quote suggestion, while shown)."""
        self._step(step * self.view.count, None, self._suggesting)

    def action_step_label(self, label: str) -> None:
        """`C` / `Q` / `P`: the next annotation of that label; n / N then repeat it."""
        self._jump = label
        self._step(self.view.count, Label(label), False)

    def _jump_again(self, steps: int) -> None:
        if self._jump == "suggestions":
            self._step(steps, None, True, annotations=False)
        else:
            self._step(steps, Label(self._jump), False)

    def _step(self, steps: int, label: Label | None, suggestions: bool, *,
              annotations: bool = True) -> None:
        """Move the caret `steps` annotations (or suggestions) on, or back when negative."""
        direction = 1 if steps > 0 else -1
        offset = self.view.caret
        landed: Annotation | tuple[int, int] | None = None
        for _ in range(abs(steps)):
            found = self._neighbour(offset, direction, label, annotations, suggestions)
            if found is None:
                break
            landed = found
            offset = found.start if isinstance(found, Annotation) else found[0]
        what = label.value if label else "annotation" if annotations else "quote suggestion"
        if landed is None:
            self._say(f"no {'next' if direction > 0 else 'previous'} {what}")
            return
        self._pinned = landed.id if isinstance(landed, Annotation) else None
        self.view.move_caret(offset)
        if not isinstance(landed, Annotation):
            self._last_action = f"quote suggestion{self._suggested_speaker(landed)}"
        self._show_state()

    def _neighbour(
        self, offset: int, direction: int, label: Label | None, annotations: bool,
        suggestions: bool,
    ) -> Annotation | tuple[int, int] | None:
        """The nearest annotation or suggestion starting after (before) `offset`."""
        found: list[tuple[int, Annotation | tuple[int, int]]] = []
        if annotations:
            annotation = self.panel.following(offset, direction, label)
            if annotation is not None:
                found.append((annotation.start, annotation))
        if suggestions:
            spans = self.view.suggestions
            index = bisect_right([start for start, _ in spans], offset) if direction > 0 else \
                bisect_left([start for start, _ in spans], offset) - 1
            if 0 <= index < len(spans):
                found.append((spans[index][0], spans[index]))
        if not found:
            return None
        pick = min if direction > 0 else max
        return pick(found, key=lambda item: item[0])[1]

    def action_move_edge(self, direction: int) -> None:
        """`>` / `<`: move the chosen edge of the annotation under the caret a word."""
        annotation = self._focus()
        if annotation is None:
            self._say("no annotation under the cursor: > and < move its edges")
            return
        text, start, end = self.text, annotation.start, annotation.end
        for _ in range(self.view.count):
            if self._edge == "end":
                end = (motions.grow_end if direction > 0 else motions.shrink_end)(text, start, end)
            else:
                start = (motions.shrink_start if direction > 0 else motions.grow_start)(
                    text, start, end)
        if (start, end) == (annotation.start, annotation.end):
            self._say(f"the {self._edge} of this {annotation.label.value} cannot move that way")
            return
        try:
            updated = set_annotation_span(self.store, annotation.id, start, end)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.view.put_annotation(updated)
        self.panel.put(updated)
        self._refresh_suggestions()
        self._pinned = updated.id
        edge = updated.start if self._edge == "start" else previous_grapheme(text, updated.end)
        self.view.move_caret(edge)
        shown = excerpt(updated.text, 40, end=self._edge == "end")
        self._last_action = f"{updated.label.value} now \u201c{shown}\u201d"
        self._show_state()

    def action_other_edge(self) -> None:
        """`o`: the other end of the selection, else the other edge of the annotation."""
        view = self.view
        if view.selection is not None and view.anchor is not None:
            view.select(view.caret, view.anchor)
            return
        self._edge = "start" if self._edge == "end" else "end"
        annotation = self._focus()
        if annotation is not None:
            self._pinned = annotation.id
            view.move_caret(annotation.start if self._edge == "start"
                            else previous_grapheme(self.text, annotation.end))
        self._say(f"> < now move the {self._edge}")

    def action_select_quotation(self) -> None:
        """`"`: select the quotation around the caret; again, with its marks."""
        view = self.view
        selection = view.selection
        found = motions.quotation_around(self.text, selection[0] if selection else view.caret)
        if found is None:
            self._say("no quotation around the cursor")
            return
        inner, outer = found[:2], found[2:]
        view.select(*(outer if selection == inner or inner[0] == inner[1] else inner))

    def action_repeat_tag(self) -> None:
        if self._last_tag is None:
            self._say("no tag to repeat yet: tag with c, q or p first")
            return
        self.action_tag(self._last_tag.value)

    def action_switch_focus(self) -> None:
        """`tab`: between the text and the side panel, where moving moves the caret."""
        if self.panel.has_focus:
            self.view.focus()
            self._say("back in the text")
            return
        self.panel.focus()
        if self._focus() is None:
            nearest = (self.panel.following(self.view.caret - 1, 1)
                       or self.panel.following(self.view.caret, -1))
            if nearest is not None:
                self._pinned = nearest.id
                self.view.move_caret(nearest.start)
        self._say("side panel: j / k move the caret, \u23ce or tab back to the text")

    # -- speakers and quote suggestions -------------------------------------------------------

    def _found_quotes(self) -> list[Quote] | None:
        """The quote finder's quotations in this article; None while a long article's
        are still being found (off the UI thread)."""
        if self._quotes is not None and self._quotes[0] == self.doc_id:
            return self._quotes[1]
        if len(self.text) > QUOTES_IN_THREAD:
            if self._quotes_pending != self.doc_id:  # once: a thread cannot be stopped
                self._quotes_pending = self.doc_id
                self._find_quotes_in_thread(self.doc_id, self.text)
            return None
        from store import find_quotes

        self._quotes = (self.doc_id, find_quotes(self.text))
        return self._quotes[1]

    @work(thread=True, group="quote-finder")
    def _find_quotes_in_thread(self, doc_id: str, text: str) -> None:
        from store import find_quotes

        quotes = find_quotes(text)
        self.app.call_from_thread(self._quotes_found, doc_id, quotes)

    def _quotes_found(self, doc_id: str, quotes: list[Quote]) -> None:
        if self._quotes_pending == doc_id:
            self._quotes_pending = None
        if doc_id != self.doc_id:
            return
        self._quotes = (doc_id, quotes)
        if self._suggesting:
            self._refresh_suggestions()
            self._say(self._suggestions_summary())

    def _quotes_over(self, start: int, end: int) -> list[Quote]:
        """The found quotations that overlap `start:end`, in the finder's order.

        A tag with `q` asks this, and a long article has thousands of quotations: only
        those starting late enough to reach the span are looked at (the finder gives
        them in reading order, by start)."""
        quotes = self._found_quotes()
        if not quotes:
            return []
        if self._quote_starts is None or self._quote_starts[0] is not quotes:
            longest = max(quote.end - quote.start for quote in quotes)
            self._quote_starts = (quotes, [quote.start for quote in quotes], longest)
        _, starts, longest = self._quote_starts
        low = bisect_right(starts, start - longest)  # those end by `start` at the latest
        high = bisect_left(starts, end)
        return [q for q in quotes[low:high]
                if q.start < end and q.end > start and q.end > q.start]

    def _found_speaker(self, start: int, end: int) -> str:
        """The speaker of the found quotation that overlaps `start:end` the most."""
        best, overlap = "", 0
        for quote in self._quotes_over(start, end):
            shared = min(end, quote.end) - max(start, quote.start)
            if quote.speaker and shared > overlap:
                best, overlap = quote.speaker, shared
        return best

    def _quotation_to_tag(self) -> tuple[int, int] | None:
        """What `q` tags with no selection when the finder sees a quotation in the
        sentence: the one under the caret, else the sentence's only one (a whole
        sentence would put its own marks and "she said" inside the quote). None
        leaves the sentence: no quotation there, several and the caret on none, or
        a long article's still being found."""
        view = self.view
        sentence = view.sentence_span()
        caret = view.caret
        under = next((q for q in self._quotes_over(caret, caret + 1) if not q.nested), None)
        if under is not None:
            return under.start, under.end
        if sentence is None:
            return None
        inside = [q for q in self._quotes_over(*sentence) if not q.nested]
        return (inside[0].start, inside[0].end) if len(inside) == 1 else None

    def _suggested_speaker(self, span: tuple[int, int]) -> str:
        speaker = self._found_speaker(*span)
        return f" \u00b7 {excerpt(speaker, 40)} \u00b7 q or \u23ce accepts" if speaker else \
            " \u00b7 q or \u23ce accepts"

    def _speaker_choices(self) -> list[str]:
        """What the speaker field completes from: this article's speakers, then all."""
        here = [q.speaker for q in (self._found_quotes() or ()) if q.speaker]
        try:
            known = known_speakers(self.store)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            known = []
        return list(dict.fromkeys([*here, *known]))

    def action_toggle_suggestions(self) -> None:
        """`S`: show the quotations the finder sees (not yet quotes) in their own style."""
        self._suggesting = not self._suggesting
        if not self._suggesting:
            self.view.set_suggestions([])
            if self._jump == "suggestions":
                self._jump = "find"
            self._say("quote suggestions hidden")
            return
        self._jump = "suggestions"
        if self._found_quotes() is None:
            self._say("finding quotations\u2026")
            return
        self._refresh_suggestions()
        self._say(self._suggestions_summary())

    def _suggestions_summary(self) -> str:
        count = len(self.view.suggestions)
        if not count:
            return "no quotations to suggest: each one found is tagged already"
        return (f"{count} quote suggestion{'' if count == 1 else 's'}: "
                "n / N step, q or \u23ce accepts, S hides")

    def _refresh_suggestions(self) -> None:
        """Suggest the found quotations that no quote annotation overlaps yet."""
        if not self._suggesting or self._quotes is None or self._quotes[0] != self.doc_id:
            return
        tagged = sorted((a.start, a.end) for a in self.panel.items if a.label is Label.quote)
        starts = [start for start, _ in tagged]
        reach: list[int] = []  # the furthest end among the quotes tagged up to each one
        for _, end in tagged:
            reach.append(max(end, reach[-1]) if reach else end)
        spans: list[tuple[int, int]] = []
        for quote in self._quotes[1]:
            if quote.nested or quote.end <= quote.start:
                continue
            before = bisect_left(starts, quote.end)
            if before and reach[before - 1] > quote.start:
                continue
            if spans and quote.start < spans[-1][1]:
                continue
            spans.append((quote.start, quote.end))
        self.view.set_suggestions(spans)

    def action_accept_suggestion(self) -> None:
        """`enter`: tag the suggestion under the caret as a quote, with its speaker."""
        if not self._suggesting or self.view.suggestion_at(self.view.caret) is None:
            self._say("no quote suggestion under the cursor (S shows them)")
            return
        self.action_tag(Label.quote.value)
