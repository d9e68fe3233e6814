"""The records Sidenote stores, as frozen dataclasses.

Offsets everywhere are Unicode code points into `Document.text`, end exclusive, so
`annotation.text == document.text[annotation.start:annotation.end]` always holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    doc_id: str
    start: int
    end: int
    annotation_id: str | None = None


@dataclass(frozen=True)
class Link:
    id: str
    a: LinkSide
    b: LinkSide
    score: float
    method: LinkMethod
    status: LinkStatus
    cluster: str
    created_at: str = ""
    extra: dict = field(default_factory=dict, compare=False)
