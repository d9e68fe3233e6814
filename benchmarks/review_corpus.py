"""A generated database for the review benchmarks: many suggestions, one big statement.

`build(path, links=100_000)` writes 1,000 articles from 40 outlets (60 sentences each,
half with a published date, a tenth with a relative time as an aggregator gives it),
`links` suggested links between sentences of different articles (scores 85–100, the
three string methods), and one statement of 200 members: sentence 0 of articles
0–199, joined by 199 confirmed links in one cluster. Rows go in through
`store.link_table`, as linking writes them; the texts index fills itself.
"""

from __future__ import annotations

import random
import uuid
from pathlib import Path

from store import NewDocument, add_document, open_store
from store.db.connection import utc_now
from store.link_table import insert_links
from store.matching.units import pair_key

DOCS = 1_000
SENTENCES = 60
OUTLETS = 40
BIG_STATEMENT = 200
BIG_CLUSTER = "big-statement"
WORDS = ("minister budget plan talks border deal agreement report officials critics "
         "parliament vote tax farmers harvest payments review figures spending inquiry "
         "ceasefire summit envoy guarantee security leaders capital markets").split()


def _sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(12 + n % 7)]
    return f"Sentence {n} says the " + " ".join(words) + "."


def build(path: Path, links: int = 100_000, seed: int = 7) -> dict[str, list]:
    """Write the database; returns each article's sentence spans by id."""
    rng = random.Random(seed)
    shared = "The envoy said the security guarantee was agreed at the summit on Friday."
    spans: dict[str, list[tuple[int, int]]] = {}
    with open_store(path) as store:
        with store.transaction() as db:
            for d in range(DOCS):
                sentences = [shared if d < BIG_STATEMENT else _sentence(rng, 0)]
                sentences += [_sentence(rng, k) for k in range(1, SENTENCES)]
                text = " ".join(sentences)
                published = ""
                if d % 2 == 0:
                    published = f"2025-08-{1 + d % 28:02d}T{d % 24:02d}:00:00"
                elif d % 10 == 1:
                    published = f"{1 + d % 50} minutes ago"
                doc_id, _ = add_document(db, NewDocument(
                    text=text, title=f"Article {d}", source=f"Outlet {d % OUTLETS}",
                    url=f"https://example.org/{d}", published=published))  # fmt: skip
                offsets, at = [], 0
                for sentence in sentences:
                    offsets.append((at, at + len(sentence)))
                    at += len(sentence) + 1
                spans[doc_id] = offsets
        ids = list(spans)
        now = utc_now()
        rows, keys = [], set()

        def row(a: str, ai: int, b: str, bi: int, **extra) -> dict | None:
            (sa, ea), (sb, eb) = spans[a][ai], spans[b][bi]
            key = pair_key(f"{a}:{sa}:{ea}", f"{b}:{sb}:{eb}")
            if key in keys:
                return None
            keys.add(key)
            return {
                "id": str(uuid.UUID(int=rng.getrandbits(128))), "pair_key": key,
                "a_doc_id": a, "a_start": sa, "a_end": ea, "a_annotation_id": None,
                "b_doc_id": b, "b_start": sb, "b_end": eb, "b_annotation_id": None,
                "a_match_start": sa, "a_match_end": ea, "b_match_start": sb, "b_match_end": eb,
                "score": extra.get("score", 100.0), "method": extra.get("method", "exact"),
                "status": extra.get("status", "suggested"), "cluster": extra.get("cluster", ""),
                "created_at": now, "updated_at": now,
            }  # fmt: skip

        for d in range(1, BIG_STATEMENT):
            rows.append(row(ids[0], 0, ids[d], 0, status="confirmed", cluster=BIG_CLUSTER))
        methods = ("exact", "trimmed", "reworded")
        while len(rows) < links + BIG_STATEMENT - 1:
            a, b = rng.sample(ids, 2)
            made = row(a, rng.randrange(1, SENTENCES), b, rng.randrange(1, SENTENCES),
                       score=round(rng.uniform(85, 100), 1), method=rng.choice(methods),
                       cluster=f"c{rng.randrange(links)}")  # fmt: skip
            if made is not None:
                rows.append(made)
        with store.transaction() as db:
            insert_links(db, rows)
    return spans
