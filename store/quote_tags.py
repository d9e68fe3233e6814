"""Tag every quotation the finder sees in an article, with its speaker, as one change."""

from __future__ import annotations

from dataclasses import dataclass

from .annotations import create_annotation
from .db.connection import Store
from .history import change_group
from .models import Annotation, Label
from .quotes import find_quotes


@dataclass(frozen=True, slots=True)
class QuoteTagging:
    """What `tag_quotes` did: the new annotations and how many quotes it left alone."""

    created: list[Annotation]
    skipped: int


def tag_quotes(store: Store, doc_id: str) -> QuoteTagging:
    """Annotate each found quote as a `quote` with its speaker, in one undoable step.

    A quote overlapping an existing annotation is skipped: the person's own tag (and
    their speaker) wins, and running this twice adds nothing.
    """
    quotes = find_quotes(store.document_text(doc_id))
    taken = [(a.start, a.end) for a in store.annotations(doc_id)]
    created: list[Annotation] = []
    skipped = 0
    with change_group(store, "tag quotes") as group:
        for quote in quotes:
            if any(quote.start < end and start < quote.end for start, end in taken):
                skipped += 1
                continue
            created.append(
                create_annotation(
                    store,
                    doc_id,
                    quote.start,
                    quote.end,
                    Label.quote,
                    speaker=quote.speaker or "",
                    group=group,
                )
            )
    return QuoteTagging(created, skipped)
