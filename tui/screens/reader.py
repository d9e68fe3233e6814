"""The reader: one article, its annotations, and every key that tags, edits or moves.

The screen is the only part of the reader that talks to the store. Its widgets get
data (attributes down) and report what the user did (messages up); each change the
user makes is written at once, in one transaction, through `store.annotations`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

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
    echo_spans,
    snap_to_graphemes,
    update_annotation,
)

from ..limits import QUERY_CHARS
from ..messages import AnnotationChosen, CursorMoved
from ..widgets.annotation_list import AnnotationList
from ..widgets.article_view import ArticleView
from ..widgets.key_bar import KeyBar
from ..widgets.legend import Legend
from ..widgets.status_line import StatusLine
from ..widgets.text_layout import display_text, find_all
from .base import StoreScreen
from .dialogs import NoteDialog, NoteEdit, excerpt
from .echoes import EchoesScreen, EchoQuery, OpenTarget

REOPEN_SETTING = "tui.reader_open"  # True while the reader is open: restart returns to it
SAVE_POSITION_SECONDS = 0.5

TAG = Binding.Group("tag", compact=True)
FIND = Binding.Group("match", compact=True)
ARTICLE = Binding.Group("article", compact=True)


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop white space at either end of a span (a selection made word by word has some)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class ReaderScreen(StoreScreen, inherit_bindings=False):
    """Shows one document; `]`/`[` move to the next or previous one in import order.

    Textual's screen keys (tab focus cycling, ctrl+c copy) are left out: the article
    view holds the focus and draws its own selection.
    """

    SUB_TITLE = "reader"
    BINDINGS = [
        Binding("c", "tag('claim')", "claim", id="reader.tag_claim", group=TAG,
                tooltip="tag the selection (else the sentence) as a claim, or relabel"),
        Binding("q", "tag('quote')", "quote", id="reader.tag_quote", group=TAG,
                tooltip="tag the selection (else the sentence) as a quote, or relabel"),
        Binding("p", "tag('proposal')", "proposal", id="reader.tag_proposal", group=TAG,
                tooltip="tag the selection (else the sentence) as a proposal, or relabel"),
        Binding("e", "edit", "note", id="reader.edit",
                tooltip="edit the note (and speaker) of the annotation under the cursor"),
        Binding("x", "delete", "delete", id="reader.delete",
                tooltip="delete the annotation under the cursor"),
        Binding("l", "echoes", "echoes", id="reader.echoes",
                tooltip="echoes: where the annotation (else the sentence) under the cursor "
                        "is repeated in other articles"),
        Binding("slash", "find", "find", id="reader.find", tooltip="find in this article"),
        Binding("n", "find_next", "next match", id="reader.find_next", group=FIND,
                tooltip="next match"),
        Binding("N", "find_previous", "previous match", id="reader.find_previous", group=FIND,
                tooltip="previous match"),
        Binding("right_square_bracket", "next_article", "next article",
                id="reader.next_article", group=ARTICLE, tooltip="next article"),
        Binding("left_square_bracket", "previous_article", "previous article",
                id="reader.previous_article", group=ARTICLE, tooltip="previous article"),
        Binding("escape", "escape", "back", id="reader.escape",
                tooltip="close find, else cancel the selection, else back to the library"),
    ]

    def __init__(self, store: Store, doc_id: str, offset: int | None = None) -> None:
        super().__init__(store)
        self.doc_id = doc_id
        self._start_offset = offset
        self.title_text = ""
        self.text = ""
        self._pinned: str | None = None  # annotation the user picked, kept focused
        self._matches: list[tuple[int, int]] = []
        self._match_starts: list[int] = []
        self._saved_sentence: int | None = None
        self._find_origin = 0  # incremental search looks from where it started
        self._last_action = ""
        # The caret and selection the panel and status line last showed: the view's
        # `CursorMoved` for a change the screen already showed is then skipped.
        self._shown_cursor: tuple[int, tuple[int, int] | None] | None = None
        self.view = ArticleView(id="article")
        self.panel = AnnotationList(id="annotations")
        self.status = StatusLine(id="reader-status")

    @staticmethod
    def resume_target(store: Store) -> str | None:
        """The article to reopen on start: the last one, if the reader was left open."""
        if not store.setting(REOPEN_SETTING, False):
            return None
        doc_id = store.last_document()
        if doc_id is None:
            return None
        try:
            store.document(doc_id)
        except NotFound:
            return None
        return doc_id

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
        self.show_document(self.doc_id, self._start_offset)
        self.view.focus()
        self.set_interval(SAVE_POSITION_SECONDS, self.save_position)

    def on_unmount(self) -> None:
        self.save_position()

    # -- loading --------------------------------------------------------------------------

    def show_document(self, doc_id: str, offset: int | None = None) -> None:
        """Open `doc_id` at `offset`, or where the reader last left it."""
        if self.text:
            self.save_position()
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
        try:
            annotations = self.store.annotations(self.doc_id)
            echoed = echo_spans(self.store, self.doc_id)
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.view.set_annotations(annotations)
        self.view.set_echo_spans(echoed)
        self.panel.set_annotations(annotations)
        if offset is not None:
            self.view.move_caret(offset)
        else:
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
            self.view.focus()

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
        if focused is not None:
            parts.append(f"on {focused.label.value} \u201c{excerpt(focused.text, 40)}\u201d")
        if self._last_action:
            parts.append(self._last_action)
            self._last_action = ""
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
        view = self.view
        selection = view.selection
        existing = self._focus() if selection is None else None
        span = self._target_span()
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
                annotation = update_annotation(self.store, existing.id, label=label)
                self._last_action = f"{existing.label.value} \u2192 {label.value}"
            elif span is None:
                self._say("nothing to tag here")
                return
            else:
                annotation = create_annotation(self.store, self.doc_id, *span, label)
                self._last_action = f"tagged {label.value}"
        except SidenoteError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self._pinned = annotation.id
        view.put_annotation(annotation)
        self.panel.put(annotation)
        view.move_caret(annotation.start)
        self._cursor_moved(view.caret, view.selection)

    def _say(self, text: str) -> None:
        self._last_action = text
        self._update_status(self._focus())

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

        self.app.push_screen(NoteDialog(annotation), save)

    # -- echoes ---------------------------------------------------------------------------------

    def action_echoes(self) -> None:
        """Open the echoes of the annotation under the cursor, else of the sentence."""
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

    # -- find -----------------------------------------------------------------------------------

    def action_find(self) -> None:
        self._find_origin = self.view.selection_start()
        find = self.query_one("#find", Input)
        find.display = True
        find.focus()

    def _close_find(self) -> None:
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
        self._go_to_match(bisect_left(self._match_starts, self._find_origin))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "find":
            return
        event.stop()
        self._close_find()
        if not self._matches and event.value:
            self._say(f"not found: {event.value}")

    def _go_to_match(self, index: int) -> None:
        if not self._matches:
            return
        index %= len(self._matches)
        start, end = self._matches[index]
        self.view.select(start, end)
        self._last_action = f"match {index + 1}/{len(self._matches)}"

    def action_find_next(self) -> None:
        if not self._matches:
            self._say("no matches: press / to find")
            return
        self._go_to_match(bisect_right(self._match_starts, self.view.selection_start()))

    def action_find_previous(self) -> None:
        if not self._matches:
            self._say("no matches: press / to find")
            return
        self._go_to_match(bisect_left(self._match_starts, self.view.selection_start()) - 1)

    # -- navigation -----------------------------------------------------------------------------

    def _step_article(self, step: int) -> None:
        ids = self.store.document_ids()
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
        """Close the find bar, else drop the selection, else go back to the library."""
        if self.query_one("#find", Input).display:
            self._set_matches([])
            self._close_find()
        elif self.view.selection is not None:
            self.view.clear_selection()
        else:
            self.save_position()
            self._write_setting(REOPEN_SETTING, False)
            self.dismiss()
