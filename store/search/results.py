"""What a search returns: statements, each with every place it appears."""

from __future__ import annotations

from dataclasses import asdict, dataclass

DEFAULT_LIMIT = 50


@dataclass(frozen=True)
class Appearance:
    """One place a statement appears: an annotation, or a side of a link."""

    doc_id: str
    title: str
    source: str  # the outlet
    start: int
    end: int
    text: str
    label: str | None  # the annotation's label; None for a span nobody annotated
    annotation_id: str | None
    status: str  # "confirmed" / "suggested" (best link touching it), or "annotated" (no link)
    matched: bool  # this is where the query matched

    @property
    def place(self) -> tuple[str, int, int]:
        """Where it is: one appearance per place in a statement group."""
        return (self.doc_id, self.start, self.end)


@dataclass(frozen=True)
class StatementGroup:
    """A statement, once, and every article where it appears."""

    key: str  # the cluster id, else the link id, else the (first) annotation id
    cluster: str | None
    statement: str
    appearances: tuple[Appearance, ...]
    score: float  # higher is better; comparable within one result list only
    fuzzy: bool  # found by the typo or relaxed fallback
    query: str  # the words searched for (after typo correction)

    @property
    def linked(self) -> bool:
        return any(a.status in ("confirmed", "suggested") for a in self.appearances)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["appearances"] = [asdict(a) for a in self.appearances]
        data["linked"] = self.linked
        return data
