"""The records Sidenote stores, as frozen dataclasses.

Offsets everywhere are Unicode code points into `Document.text`, end exclusive, so
`annotation.text == document.text[annotation.start:annotation.end]` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Label(StrEnum):
    """What a highlighted span is."""

    claim = "claim"
    quote = "quote"
    proposal = "proposal"


class LinkStatus(StrEnum):
    suggested = "suggested"
    confirmed = "confirmed"
    rejected = "rejected"


class LinkMethod(StrEnum):
    """How two spans were found to carry the same statement."""

    exact = "exact"  # identical after normalisation
    trimmed = "trimmed"  # one is a cut-down version of the other
    reworded = "reworded"  # a few words differ
    reworded_meaning = "reworded-meaning"  # other words, same meaning: suggested only


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    source: str
    url: str
    published: str
    text: str
    sha256: str
    origin: str  # JSON: {"file": ..., "start": ..., "end": ...} in the raw file
    imported_at: str


@dataclass(frozen=True)
class DocumentSummary:
    """A library row: everything about a document except its text."""

    id: str
    title: str
    source: str
    chars: int
    sentences: int
    annotations: int
    links: int


@dataclass(frozen=True)
class Sentence:
    doc_id: str
    idx: int
    start: int
    end: int


@dataclass(frozen=True)
class Annotation:
    id: str
    doc_id: str
    start: int
    end: int
    label: Label
    text: str
    prefix: str = ""
    suffix: str = ""
    note: str = ""
    speaker: str = ""
    annotator: str = ""
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class LinkSide:
    """One side of a stored link: a span of one document, and the annotation it names."""

    doc_id: str
    start: int
    end: int
    text: str  # document.text[start:end]
    annotation_id: str | None = None


@dataclass(frozen=True)
class LinkRecord:
    """A stored link, as the store hands it to the app, the command line and scripts.

    `store.matching` has its own `Match`/`Side` (what the matcher found, before it is
    stored); `store.links.Echo` is one link seen from one of its sides. A method is a
    plain string because matching stages add methods (see `LinkMethod`).
    """

    id: str
    score: float
    method: str
    status: LinkStatus
    cluster: str  # "" for a meaning suggestion not yet accepted
    a: LinkSide
    b: LinkSide

    def as_dict(self) -> dict:
        """The plain shape `sidenote links --format jsonl` prints, keys in this order."""
        return {
            "id": self.id,
            "score": self.score,
            "method": self.method,
            "status": self.status.value,
            "cluster": self.cluster,
            **{
                name: {
                    "doc_id": side.doc_id,
                    "start": side.start,
                    "end": side.end,
                    "text": side.text,
                    "annotation_id": side.annotation_id,
                }
                for name, side in (("a", self.a), ("b", self.b))
            },
        }
