"""Command palette entries (ctrl+p): jump to any article or any annotation.

Matching uses rapidfuzz over plain strings and the hits are built as `Content`
(never markup), because titles and annotation text are data.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Protocol, runtime_checkable

from rapidfuzz import fuzz, process, utils
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.markup import escape

from store import Annotation, DocumentSummary, SidenoteError, Store

from ..messages import OpenDocument
from ..widgets.text_layout import display_text
from .dialogs import excerpt

HIT_LIMIT = 25
SCORE_CUTOFF = 60
DISCOVERY_COUNT = 10


def _highlight(text: str, query: str) -> Content:
    """`text` as plain content with the best fuzzy match of `query` emphasised."""
    content = Content(text)
    alignment = fuzz.partial_ratio_alignment(
        query, text, processor=utils.default_process, score_cutoff=SCORE_CUTOFF
    )
    if alignment is None or alignment.dest_end <= alignment.dest_start:
        return content
    return content.stylize("bold underline", alignment.dest_start, alignment.dest_end)


def best_matches(query: str, choices: Sequence[str]) -> list[tuple[int, float]]:
    """(index, score 0-100) of the choices that fuzzily contain `query`, best first."""
    found = process.extract(
        query, dict(enumerate(choices)), scorer=fuzz.partial_ratio,
        processor=utils.default_process, score_cutoff=SCORE_CUTOFF, limit=HIT_LIMIT,
    )
    return [(key, score) for _, score, key in found]


def annotation_line(annotation: Annotation) -> str:
    """`quote: “text…” — speaker · note`: what the palette matches an annotation by."""
    line = f"{annotation.label.value}: {excerpt(annotation.text, 80)}"
    if annotation.speaker:
        line += f" \u2014 {excerpt(annotation.speaker, 40)}"
    if annotation.note:
        line += f" \u00b7 {excerpt(annotation.note, 60)}"
    return line


@runtime_checkable
class StoreHost(Protocol):
    """An app that holds an open store, as `SidenoteApp` does.

    Textual builds the provider itself, from the screen the palette opened on (which
    may be a dialog without a store), so the store cannot be handed to it: it comes
    from the app, its one owner, named by this protocol so that no screen imports the app.
    """

    store: Store


class JumpProvider(Provider):
    """Articles by outlet and title; annotations by label, text, speaker and note."""

    @property
    def store(self) -> Store:
        host = self.app
        if not isinstance(host, StoreHost):
            raise TypeError(f"JumpProvider needs an app with a store, not {type(host).__name__}")
        return host.store

    async def startup(self) -> None:
        store = self.store
        try:
            self.documents: list[DocumentSummary] = store.document_summaries()
            self.annotations: list[Annotation] = store.annotations()
        except SidenoteError as error:
            self.app.notify(str(error), severity="error", markup=False)
            self.documents, self.annotations = [], []
        self.document_lines = [
            display_text(f"{d.title or '(untitled)'} \u2014 {d.source}") for d in self.documents
        ]
        self.annotation_lines = [annotation_line(a) for a in self.annotations]
        titles = {d.id: d.title for d in self.documents}
        self.annotation_help = [
            escape(display_text(f"annotation in {titles.get(a.doc_id, a.doc_id)}"))
            for a in self.annotations
        ]

    def _open(self, doc_id: str, offset: int | None = None) -> None:
        self.app.post_message(OpenDocument(doc_id, offset))

    async def discover(self) -> Hits:
        first = slice(DISCOVERY_COUNT)
        for document, line in zip(self.documents[first], self.document_lines[first], strict=True):
            yield DiscoveryHit(Content(line), partial(self._open, document.id), text=line,
                               help="open article")

    async def search(self, query: str) -> Hits:
        found = False
        for index, score in best_matches(query, self.document_lines):
            found = True
            line = self.document_lines[index]
            yield Hit(score / 100, _highlight(line, query),
                      partial(self._open, self.documents[index].id), text=line,
                      help="open article")
        for index, score in best_matches(query, self.annotation_lines):
            found = True
            annotation = self.annotations[index]
            line = self.annotation_lines[index]
            yield Hit(score / 100 * 0.99, _highlight(line, query),
                      partial(self._open, annotation.doc_id, annotation.start), text=line,
                      help=self.annotation_help[index])
        if not found and query.strip():
            # Said here rather than Textual's bare "No matches found": why, and what next.
            line = (f"no article title or annotation matches \u201c{excerpt(query, 40)}\u201d"
                    " \u2014 ctrl+f searches the articles' text")
            yield Hit(0.01, Content(line), partial(self.app.run_action, "app.search"),
                      text=line, help="open the search box")
