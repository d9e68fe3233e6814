"""A large annotated database for the search and export benchmarks, built fast.

Articles are made of sentences of the bundled seed pages in random order, with
some words swapped for pseudo-words from a Zipf-distributed lexicon, so the
vocabulary grows with the corpus as real news does (names, places, numbers)
instead of staying at the seeds' few thousand words. Annotations are sentences or
parts of sentences of their article, with labels, some notes and speakers. A few
percent are linked in clusters of two to six annotations across articles (the
same statement in several outlets), with the planted Kellogg "resiliency force"
statement among them.

Everything is inserted with `executemany` in one transaction. The annotation FTS
triggers are set aside during the bulk insert and the index is rebuilt once
(`'rebuild'`), which is what any bulk loader would do; the database is then
exactly what Sidenote's own writes produce.
"""

from __future__ import annotations

import random
import time
import uuid
from pathlib import Path

from store import open_store
from store.documents import sha256_text
from store.importing.sentences import split_sentences
from store.search import refresh_vocabulary
from store.text import context

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
OUTLETS = [
    "RT",
    "Reuters",
    "AP",
    "Newsweek",
    "Bloomberg",
    "Japan Today",
    "The Mainichi",
    "MailOnline",
    "Kyiv Independent",
    "Le Monde",
    "TASS",
    "BBC",
    "Al Jazeera",
    "DW",
    "NHK",
]
SPEAKERS = [
    "Keith Kellogg",
    "Vladimir Putin",
    "Volodymyr Zelensky",
    "Emmanuel Macron",
    "Donald Trump",
    "Keir Starmer",
    "Ursula von der Leyen",
    "Mark Rutte",
    "Sergey Lavrov",
    "Steve Witkoff",
]
LABELS = ["claim", "quote", "proposal"]
KELLOGG = "a post-ceasefire resiliency force in support of Ukraine's sovereignty"
ANNOTATIONS_PER_DOC = 100
SENTENCES_PER_DOC = 40
LEXICON = 200_000
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "sor",
    "vat",
    "re",
    "tu",
    "gan",
    "pel",
    "dra",
    "shi",
    "ov",
    "en",
    "ur",
    "zak",
    "bri",
    "mon",
    "tes",
    "la",
    "kov",
    "ian",
    "ber",
    "gol",
    "hai",
]


def seed_sentences() -> list[str]:
    sentences = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text("utf-8")
        sentences.extend(text[s:e] for s, e in split_sentences(text) if 40 <= e - s <= 400)
    return sentences


def lexicon(rng: random.Random, size: int) -> list[str]:
    words = set()
    while len(words) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        words.add(word.capitalize() if rng.random() < 0.5 else word)
    return sorted(words)


def _vary(sentence: str, rng: random.Random, words: list[str]) -> str:
    """Swap one or two words for pseudo-words drawn with a Zipf-like skew."""
    tokens = sentence.split(" ")
    for _ in range(rng.randint(0, 2)):
        i = rng.randrange(len(tokens))
        rank = min(len(words) - 1, int(rng.paretovariate(1.1)) - 1)
        tokens[i] = words[(rank * 7919) % len(words)] if rng.random() < 0.7 else rng.choice(words)
    return " ".join(tokens)


def _span(
    text: str, offsets: list[tuple[int, int]], rng: random.Random, *, kellogg: bool
) -> tuple[int, int]:
    """A sentence to annotate, or its end from a word boundary, or the Kellogg phrase
    (annotated in several articles, so one cluster of links joins them)."""
    start, end = offsets[rng.randrange(len(offsets))]
    if kellogg:
        start = text.index(KELLOGG)
        return start, start + len(KELLOGG)
    if rng.random() < 0.5:  # a part of the sentence, on word boundaries
        cut = text.find(" ", start + (end - start) // 3, end)
        if cut > start:
            start = cut + 1
    return start, end


def build(
    path: Path, annotations: int, *, seed: int = 5, link_share: float = 0.03, quiet: bool = False
) -> dict:
    """Create the database at `path` (which must not exist); returns timings."""
    rng = random.Random(seed)
    sentences = seed_sentences()
    words = lexicon(rng, LEXICON)
    docs = max(2, annotations // ANNOTATIONS_PER_DOC)
    timings: dict[str, float] = {}
    began = time.perf_counter()
    store = open_store(path)
    db = store.db
    db.execute("PRAGMA synchronous = OFF")
    ann_rows = []
    doc_rows = []
    spans_by_doc: list[list[tuple[int, int]]] = []
    kellogg_docs = set(rng.sample(range(docs), min(docs, 12)))
    for d in range(docs):
        parts = [_vary(rng.choice(sentences), rng, words) for _ in range(SENTENCES_PER_DOC)]
        if d in kellogg_docs:
            parts[rng.randrange(len(parts))] = f"Kellogg wrote that {KELLOGG} was under discussion."
        text = "\n".join(parts)
        doc_id = f"{d:016x}"
        now = "2025-05-13T09:30:00.000Z"
        doc_rows.append(
            (
                doc_id,
                f"Article {d}",
                OUTLETS[d % len(OUTLETS)],
                "",
                "",
                text,
                sha256_text(text),
                "{}",
                now,
            )
        )
        offsets, pos = [], 0
        for part in parts:
            offsets.append((pos, pos + len(part)))
            pos += len(part) + 1
        spans_by_doc.append(offsets)
        for i in range(min(ANNOTATIONS_PER_DOC, annotations - len(ann_rows))):
            start, end = _span(text, offsets, rng, kellogg=d in kellogg_docs and i == 0)
            prefix, suffix = context(text, start, end)
            ann_rows.append(
                (
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    doc_id,
                    start,
                    end,
                    rng.choice(LABELS),
                    text[start:end],
                    prefix,
                    suffix,
                    f"check against {rng.choice(words)}" if rng.random() < 0.1 else "",
                    rng.choice(SPEAKERS) if rng.random() < 0.2 else "",
                    "bench",
                    now,
                    now,
                )
            )
    timings["generate_s"] = time.perf_counter() - began
    t = time.perf_counter()
    with store.transaction():
        db.conn.executemany("INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", doc_rows)
        triggers = list(
            db.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'trigger' AND tbl_name = 'annotations'"
            )
        )
        for name, _ in triggers:
            db.execute(f"DROP TRIGGER {name}")
        db.conn.executemany(
            'INSERT INTO annotations (id, doc_id, start, "end", label, text, prefix, suffix, note, '
            "speaker, annotator, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ann_rows,
        )
        db.execute("INSERT INTO annotations_fts(annotations_fts) VALUES ('rebuild')")
        for _, sql in triggers:
            db.execute(sql)
        link_rows = _links(rng, ann_rows, link_share)
        db.conn.executemany(
            "INSERT INTO links (id, pair_key, a_doc_id, a_start, a_end, a_annotation_id, "
            "b_doc_id, b_start, b_end, b_annotation_id, score, method, status, cluster, "
            "created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            link_rows,
        )
    timings["insert_s"] = time.perf_counter() - t
    t = time.perf_counter()
    refresh_vocabulary(store)
    timings["vocabulary_s"] = time.perf_counter() - t
    db.execute("PRAGMA optimize")
    store.close()
    timings["total_s"] = time.perf_counter() - began
    timings.update(documents=docs, annotations=len(ann_rows), links=len(link_rows))
    if not quiet:
        print(f"built {path}: {timings}")
    return timings


def _links(rng: random.Random, rows: list[tuple], share: float) -> list[tuple]:
    """Clusters of 2-6 annotations in different articles, as star-shaped links."""
    now = "2025-05-13T09:30:00.000Z"
    links = []
    kellogg = [r for r in rows if r[5] == KELLOGG]
    groups = [kellogg] if len(kellogg) > 1 else []
    budget = int(len(rows) * share)
    while budget > 0:
        size = rng.randint(2, 6)
        groups.append([rows[rng.randrange(len(rows))] for _ in range(size)])
        budget -= size
    for g, members in enumerate(groups):
        cluster = f"s{g:011x}"
        hub = members[0]
        for other in members[1:]:
            if other[1] == hub[1]:
                continue
            a, b = sorted([hub, other], key=lambda r: f"{r[1]}:{r[2]}:{r[3]}")
            key = f"{a[1]}:{a[2]}:{a[3]}|{b[1]}:{b[2]}:{b[3]}"
            status = "confirmed" if rng.random() < 0.3 else "suggested"
            links.append(
                (
                    str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    key,
                    a[1],
                    a[2],
                    a[3],
                    a[0],
                    b[1],
                    b[2],
                    b[3],
                    b[0],
                    round(rng.uniform(85, 100), 1),
                    "reworded",
                    status,
                    cluster,
                    now,
                    now,
                )
            )
    unique = {}
    for row in links:
        unique.setdefault(row[1], row)
    return list(unique.values())
