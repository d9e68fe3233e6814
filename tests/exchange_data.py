"""Articles, annotations and links for the export / import / search tests."""

from __future__ import annotations

import uuid

from store import Store, create_annotation
from store.db import utc_now
from store.documents import NewDocument, add_document

# Every offset trap in one article: astral emoji (2 UTF-16 units), a ZWJ family,
# a flag, CJK, a letter + combining accent, CRLF line ends, a tab, markup that is
# only text, and a formula-looking line for spreadsheets.
MULTISCRIPT = (
    "Kellogg described a 'resiliency force' \U0001f469\u200d\U0001f469\u200d\U0001f467 today.\r\n"
    "北京欢迎你，记者说。 Cafe\u0301 owners shrugged \U0001f1fa\U0001f1e6.\r\n"
    "=SUM(A1:A2) is not a formula here [bold]nor markup[/bold].\r\n"
    "Music \U0001d11e\tends the piece."
)

ENVOY = (
    "Trump envoy reveals NATO troop plans\n"
    "Speaking to Fox Business on Tuesday, Kellogg said troops from France, Germany, "
    "the UK and Poland could be part of what he described as a 'resiliency force.'\n"
    "Russia has repeatedly warned it would treat any foreign troops as legitimate targets."
)

POST = (
    "Kellogg clarifies remarks on Ukraine\n"
    "Kellogg wrote on X: I was speaking of a post-cease fire resiliency force in support "
    "of Ukraine's sovereignty.\n"
    "The Kremlin did not comment on the plan."
)


def add_doc(store: Store, text: str, **fields) -> str:
    with store.transaction() as db:
        doc_id, _ = add_document(db, NewDocument(text=text, **fields))
    return doc_id


def tag(store: Store, doc_id: str, quote: str, label: str = "quote", occurrence: int = 1, **fields):
    """Annotate the n-th occurrence of `quote` in the document."""
    text = store.document(doc_id).text
    start = -1
    for _ in range(occurrence):
        start = text.index(quote, start + 1)
    return create_annotation(store, doc_id, start, start + len(quote), label, **fields)


def link(
    store: Store,
    a,
    b,
    *,
    status: str = "suggested",
    cluster: str = "",
    score: float = 92.0,
    method: str = "reworded",
) -> str:
    """A `links` row between two annotations (or (doc_id, start, end) spans)."""

    def side(x):
        if isinstance(x, tuple):
            return x[0], x[1], x[2], None
        return x.doc_id, x.start, x.end, x.id

    a_doc, a_start, a_end, a_ann = side(a)
    b_doc, b_start, b_end, b_ann = side(b)
    link_id = str(uuid.uuid4())
    now = utc_now()
    with store.transaction() as db:
        db["links"].insert(
            {
                "id": link_id,
                "pair_key": f"{a_doc}:{a_start}:{a_end}|{b_doc}:{b_start}:{b_end}",
                "a_doc_id": a_doc,
                "a_start": a_start,
                "a_end": a_end,
                "a_annotation_id": a_ann,
                "b_doc_id": b_doc,
                "b_start": b_start,
                "b_end": b_end,
                "b_annotation_id": b_ann,
                "score": score,
                "method": method,
                "status": status,
                "cluster": cluster,
                "created_at": now,
                "updated_at": now,
            }
        )
    return link_id


def utf16(text: str, pos: int) -> int:
    """UTF-16 code units before code point `pos`, the way JavaScript counts them."""
    return len(text[:pos].encode("utf-16-le")) // 2
