"""The meaning stage of `sidenote link`: reworded statements, offered for a person to judge.

`store.matching.meaning` embeds and ranks; this module keeps the vectors and writes
the suggestions. Three rules:

- a sentence is embedded once, ever: vectors are stored by the hash of the normalised
  sentence text and the model (`sentence_vectors`), so a re-import, a new version of
  an article or the same sentence in another outlet costs nothing;
- a meaning suggestion is a link with method `reworded-meaning` and status
  `suggested`, and it has no cluster: it joins statements only once a person accepts
  it (`relink` clusters confirmed links);
- a pair of sentences that a stored link already joins, by any method and with any
  status, even on parts of the sentences, is not suggested again; nor is a rejected
  meaning pair.

Without the optional extra (`pip install sidenote[meaning]`) the stage is absent:
`MeaningReport.unavailable` says why, and nothing else changes.
"""

from __future__ import annotations

import bisect
import hashlib
import os
import threading
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

import numpy as np

from . import link_table
from .db.connection import Store, utc_now
from .matching import meaning, neighbours, static
from .matching.linking import Unit, pair_key, span_key
from .models import LinkStatus

Progress = Callable[[int, int], None]

EMBED_BATCH = 64
"""Sentences embedded and stored per transaction: small enough that an interrupted run
keeps nearly all its work, large enough for the encoder's batching."""
_LOOKUP_CHUNK = 500  # keys per `IN (...)` query, under SQLite's variable limit
VECTORS_VERSION = "meaning_vectors_version"
"""A setting changed with every batch of sentence vectors stored: cheaper to read than a
count of the table, whose rows hold the vectors themselves."""


@dataclass
class MeaningReport:
    unavailable: str | None = None  # why the stage did not run (the extra is missing)
    sentences: int = 0
    embedded: int = 0  # vectors computed this run; the rest were stored already
    found: int = 0  # pairs ranked in the tiers asked for
    new: int = 0
    kept: int = 0  # stored already as meaning suggestions (any status but rejected)
    linked_already: int = 0  # joined by a string-stage link (on the pair or inside it)
    rejected_skipped: int = 0
    dropped: int = 0
    seconds: float = 0.0
    # The large-corpus path (past `static.LARGE_FROM` sentences): static vectors
    # computed this run, and the candidate pairs e5 judged.
    static_embedded: int = 0
    candidates: int = 0
    static_unavailable: str | None = None  # why a large corpus was ranked without it


# -- vectors, once per sentence ---------------------------------------------------------


def _stored(store: Store, keys: Sequence[str], model: str) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    unique = list(dict.fromkeys(keys))
    for lo in range(0, len(unique), _LOOKUP_CHUNK):
        chunk = unique[lo : lo + _LOOKUP_CHUNK]
        rows = store.db.execute(
            f"SELECT text_sha, dim, vector FROM sentence_vectors WHERE model = ? "
            f"AND text_sha IN ({','.join('?' * len(chunk))})",
            [model, *chunk],
        )
        for sha, dim, blob in rows:
            found[sha] = np.frombuffer(blob, dtype="<f2", count=dim)
    return found


def ensure_vectors(
    store: Store,
    texts: Sequence[str],
    encoder: meaning.Encoder,
    progress: Progress | None = None,
) -> tuple[np.ndarray, int]:
    """Unit float32 vectors for `texts` (one row each) and how many had to be embedded.

    Only texts whose normalised form has no stored vector for this model are embedded,
    each distinct text once, EMBED_BATCH at a time, each batch stored in its own
    transaction: an interrupted run resumes where it stopped.
    """
    keys = [meaning.text_key(t) for t in texts]
    have = _stored(store, keys, encoder.name)
    missing: dict[str, str] = {}
    for key, text in zip(keys, texts, strict=True):
        if key not in have:
            missing.setdefault(key, text)
    todo = list(missing.items())
    for lo in range(0, len(todo), EMBED_BATCH):
        batch = todo[lo : lo + EMBED_BATCH]
        vectors = meaning.embed([text for _, text in batch], encoder)
        with store.transaction() as db:
            db.conn.executemany(
                "INSERT OR IGNORE INTO sentence_vectors (text_sha, model, dim, vector) "
                "VALUES (?, ?, ?, ?)",
                [
                    (key, encoder.name, encoder.dim, row.astype("<f2").tobytes())
                    for (key, _), row in zip(batch, vectors, strict=True)
                ],
            )
            # Tells every open store that vectors were added (`_Corpus` reloads only
            # the sentences still waiting for one).
            store.set_setting(VECTORS_VERSION, uuid.uuid4().hex)
        for (key, _), row in zip(batch, vectors, strict=True):
            have[key] = row.astype("<f2")
        if progress is not None:
            progress(min(lo + EMBED_BATCH, len(todo)), len(todo))
    if not keys:
        return np.zeros((0, encoder.dim), dtype=np.float32), 0
    matrix = np.stack([have[key] for key in keys]).astype(np.float32)
    # float16 storage moves a unit vector off unit length by ~1e-3: scale it back.
    return meaning.unit_rows(matrix), len(todo)


# -- pairs a stored link covers already ------------------------------------------------------


class _Sentences:
    """The sentence units of each document, to find the ones a link side touches."""

    def __init__(self, units: Sequence[Unit]) -> None:
        self._by_doc: dict[str, list[tuple[int, int, int]]] = {}
        for row, unit in enumerate(units):
            self._by_doc.setdefault(unit.doc, []).append((unit.start, unit.end, row))
        for spans in self._by_doc.values():
            spans.sort()
        self._starts = {doc: [s for s, _, _ in spans] for doc, spans in self._by_doc.items()}

    def touching(self, doc: str, start: int, end: int) -> list[int]:
        """Rows of the sentences of `doc` that overlap [start, end)."""
        spans = self._by_doc.get(doc, [])
        at = max(bisect.bisect_right(self._starts.get(doc, []), start) - 1, 0)
        rows = []
        for s, e, row in spans[at:]:
            if s >= end:
                break
            if e > start:
                rows.append(row)
        return rows


def _covered(store: Store, sentences: _Sentences) -> set[tuple[int, int]]:
    """Sentence pairs (rows, smaller first) joined by a link that is not a meaning one."""
    covered: set[tuple[int, int]] = set()
    rows = link_table.sides_not_by(store.db, meaning.METHOD)
    for a_doc, a_start, a_end, b_doc, b_start, b_end in rows:
        for i in sentences.touching(a_doc, a_start, a_end):
            for j in sentences.touching(b_doc, b_start, b_end):
                covered.add((min(i, j), max(i, j)))
    return covered


# -- the stage -----------------------------------------------------------------------------------


def suggest_meaning(
    store: Store,
    units: Sequence[Unit],
    *,
    more: bool = False,
    rebuild: bool = False,
    encoder: meaning.Encoder | None = None,
    static_encoder: meaning.Encoder | None = None,
    candidates: static.CandidateParams | None = None,
    progress: Progress | None = None,
) -> MeaningReport:
    """Store reworded-meaning suggestions between the sentences `units` (one per sentence).

    `more` adds the lower tier ("show more"). `rebuild` removes stored meaning
    suggestions (status `suggested` only) that this run no longer offers. Past
    `static.LARGE_FROM` sentences, with the static encoder installed (or given), e5
    judges only the candidates the static vectors find (`_large_corpus`, with the
    knobs `candidates`).
    """
    began = perf_counter()
    report = MeaningReport(sentences=len(units))
    if encoder is None:
        try:
            encoder = meaning.load_encoder()
        except meaning.EncoderUnavailable as error:
            report.unavailable = str(error)
            return report
    texts = [unit.text for unit in units]
    docs = [unit.doc for unit in units]
    if len(units) > static.LARGE_FROM and static_encoder is None and static.available():
        try:
            static_encoder = static.load_static_encoder()
        except meaning.EncoderUnavailable as error:
            report.static_unavailable = str(error)  # e5 on every sentence, as below the cut
    if len(units) > static.LARGE_FROM and static_encoder is not None:
        ranked = _large_corpus(
            store, units, encoder, static_encoder, progress, report,
            candidates or static.CandidateParams(),
        )
    else:
        vectors, report.embedded = ensure_vectors(store, texts, encoder, progress)
        near = corpus_neighbours(store, units, vectors, encoder.name)
        ranked = meaning.suggest(vectors, docs, texts, neighbours_of=near)
    chosen = [s for s in ranked if more or s.tier == "default"]
    report.found = len(chosen)
    _store_suggestions(store, units, chosen, rebuild, report)
    report.seconds = perf_counter() - began
    return report


def _large_corpus(
    store: Store,
    units: Sequence[Unit],
    encoder: meaning.Encoder,
    static_encoder: meaning.Encoder,
    progress: Progress | None,
    report: MeaningReport,
    params: static.CandidateParams,
) -> list[meaning.Suggestion]:
    """The ranking of a corpus too big for e5 on every sentence.

    Static vectors for every sentence (kept: each embedded once), their cross-article
    neighbours (the HNSW index beside the database, kept between runs), candidate
    pairs, then e5 vectors for the candidates' sentences and a fixed sample (kept
    too), and e5's verdict on each pair. A run after an import embeds only the new
    sentences, with each encoder, and only those of them that become candidates
    with e5.
    """
    texts = [unit.text for unit in units]
    docs = np.asarray([unit.doc for unit in units])
    flat, report.static_embedded = ensure_vectors(store, texts, static_encoder, progress)
    near = corpus_neighbours(store, units, flat, static_encoder.name, k=params.k)
    if near is None:
        near = neighbours.exact_other_docs(flat, docs, params.k)
    ctx = meaning.Context(docs, texts)
    idf = meaning.Idf.fit(ctx.terms)
    (close_cut,) = meaning.cross_doc_percentiles(flat, docs, [params.close_percentile])
    del flat
    pairs = static.candidate_pairs(near[0], near[1], close_cut, ctx, idf, params)
    report.candidates = len(pairs)
    sample = static.sample_rows(docs, params.sample)
    rows = np.union1d(sample, pairs.reshape(-1))
    vectors, report.embedded = ensure_vectors(store, [texts[r] for r in rows], encoder, progress)
    cuts = meaning.corpus_cuts(vectors[np.searchsorted(rows, sample)], docs[sample])
    return static.rerank(pairs, rows, vectors, ctx, idf, cuts)


INDEX_SUFFIX = ".vectors.usearch"
"""The neighbour index's file beside the database (and its record, + ".json")."""
LISTS_SUFFIX = ".vectors.neighbours.npz"
"""Every sentence's neighbour list from the last run, beside the database."""
REVERSE_UP_TO = 5_000
"""New sentences up to which the old lists they enter are found exactly (the new rows
times every row); an import bigger than this searches every row again instead."""
_LISTS_CHECKED = 1_024  # stored lists whose similarities are recomputed before use


def index_path(store: Store) -> Path | None:
    """Where the database's neighbour index lives; None for a database in memory."""
    if not store.path or store.path == ":memory:":
        return None
    return Path(store.path + INDEX_SUFFIX)


def lists_path(store: Store) -> Path | None:
    """Where the last run's neighbour lists live; None for a database in memory."""
    if not store.path or store.path == ":memory:":
        return None
    return Path(store.path + LISTS_SUFFIX)


def corpus_neighbours(
    store: Store,
    units: Sequence[Unit],
    vectors: np.ndarray,
    model: str,
    k: int = meaning.Params().k,
) -> tuple[np.ndarray, np.ndarray] | None:
    """Each sentence's cross-article neighbours from the HNSW index, for a corpus past
    exact search; None (search exactly) below the cut or without `usearch`.

    The index beside the database is opened (memory-mapped when it holds every
    text already), grown by the texts it lacks, or rebuilt when missing or not
    trusted. The last run's lists are kept beside it too: a sentence that was there
    before keeps its list unless a neighbour in it went, and only the new sentences
    are searched, plus the old lists they enter. Nothing is searched again for the rest.
    """
    if len(units) <= neighbours.EXACT_UP_TO or not neighbours.ann_available():
        return None
    shas = [meaning.text_key(u.text) for u in units]
    keys = np.array([neighbours.key_of(sha) for sha in shas], dtype=np.uint64)
    ids = np.array(
        [
            neighbours.key_of(hashlib.sha256(f"{u.doc}\0{u.start}\0{sha}".encode()).hexdigest())
            for u, sha in zip(units, shas, strict=True)
        ],
        dtype=np.int64,
    )
    docs = np.asarray([u.doc for u in units])
    index = _side_index(store, keys, vectors, model)
    path = lists_path(store)
    old = None if path is None else _read_lists(path, model, k)
    fresh = np.ones(len(ids), dtype=bool) if old is None else ~np.isin(ids, old[0])
    if old is None or fresh.sum() > REVERSE_UP_TO:
        top_i, top_s = neighbours.ann_other_docs(index, vectors, keys, docs, k)
    else:
        top_i, top_s, kept = neighbours.carry_over(*old, ids)
        if not _lists_hold(vectors, top_i, top_s, kept):
            kept[:] = False
        redo = np.flatnonzero(~kept)
        if len(redo):
            top_i[redo], top_s[redo] = neighbours.ann_other_docs(
                index, vectors, keys, docs, k, only=redo
            )
        floor = np.where(kept, top_s[:, -1], np.inf).astype(np.float32)
        entries = neighbours.entering(vectors, docs, np.flatnonzero(fresh), floor)
        neighbours.insert_neighbours(top_i, top_s, entries)
    if path is not None and not store.readonly:
        _write_lists(path, model, ids, top_i, top_s)
    return top_i, top_s


def _read_lists(path: Path, model: str, k: int) -> tuple[np.ndarray, ...] | None:
    """(ids, top_i, top_s) of the last run, or None when missing, unreadable or made
    for another model or list length."""
    try:
        with np.load(path, allow_pickle=False) as data:
            if str(data["model"]) != model:
                return None
            ids, top_i, top_s = data["ids"], data["top_i"], data["top_s"]
    except (OSError, EOFError, ValueError, KeyError, zipfile.BadZipFile):
        return None  # missing, cut short or not ours: searched again and rewritten
    n = len(ids)
    if top_i.shape != (n, k) or top_s.shape != (n, k) or ids.dtype != np.int64:
        return None
    if n and (top_i.min() < -1 or top_i.max() >= n):
        return None
    return ids, top_i.astype(np.int64), top_s.astype(np.float32)


def _lists_hold(vectors: np.ndarray, top_i: np.ndarray, top_s: np.ndarray, kept) -> bool:
    """A fixed sample of the carried lists has the similarities their rows' vectors
    give: lists from another database, or vectors changed since, fail."""
    rows = np.flatnonzero(kept)
    rows = rows[:: max(1, len(rows) // _LISTS_CHECKED)][:_LISTS_CHECKED]
    if not len(rows):
        return True
    sims = np.einsum("id,ijd->ij", vectors[rows], vectors[top_i[rows]])
    return bool(np.allclose(sims, top_s[rows], atol=1e-3))


def _write_lists(
    path: Path, model: str, ids: np.ndarray, top_i: np.ndarray, top_s: np.ndarray
) -> None:
    """Through a temporary file and a rename: a crash leaves the old lists or the new."""
    temp = path.with_name(path.name + ".tmp")
    with open(temp, "wb") as out:
        np.savez(out, model=np.str_(model), ids=ids, top_i=top_i, top_s=top_s)
    os.replace(temp, path)


def _side_index(
    store: Store, keys: np.ndarray, vectors: np.ndarray, model: str
) -> neighbours.VectorIndex:
    """The stored index of `model`'s vectors holding every one of `keys`: opened,
    grown or rebuilt."""
    path = index_path(store)
    if path is None:
        return neighbours.VectorIndex.build(keys, vectors, model)
    index = neighbours.open_index(path, model, keys, vectors, view=True)
    if index is not None and index.contains(keys).all():
        return index
    if index is not None:  # trusted, but lacks the new texts: load it to add them
        index = neighbours.open_index(path, model, keys, vectors)
    if index is None:
        index = neighbours.VectorIndex.build(keys, vectors, model)
    else:
        index.add(keys, vectors)
    if not store.readonly:
        index.save(path)
    return index


def _store_suggestions(
    store: Store,
    units: Sequence[Unit],
    chosen: list[meaning.Suggestion],
    rebuild: bool,
    report: MeaningReport,
) -> None:
    """One transaction: new suggestions in, and (rebuild) the ones no longer offered out."""
    sentences = _Sentences(units)
    with store.transaction() as db:
        covered = _covered(store, sentences)
        stored = link_table.pairs_by_method(db, meaning.METHOD)
        annotations = _annotations_on(store)
        now = utc_now()
        offered, fresh = set(), []
        for s in chosen:
            a, b = units[s.a], units[s.b]
            key = pair_key(span_key(a.doc, a.start, a.end), span_key(b.doc, b.start, b.end))
            offered.add(key)
            if (s.a, s.b) in covered:
                report.linked_already += 1
            elif key not in stored:
                fresh.append(_row(key, a, b, s, annotations, now))
            elif stored[key][1] == LinkStatus.rejected.value:
                report.rejected_skipped += 1
            else:
                report.kept += 1
        if rebuild:
            stale = [
                link_id
                for key, (link_id, status) in stored.items()
                if status == LinkStatus.suggested.value and key not in offered
            ]
            link_table.delete_links(db, stale)
            report.dropped = len(stale)
        link_table.insert_links(db, fresh)
        report.new = len(fresh)


def _annotations_on(store: Store) -> dict[tuple[str, int, int], str]:
    """The first annotation exactly on each span: a side names it, so that accepting
    the link gives the other sentence its label."""
    found: dict[tuple[str, int, int], str] = {}
    for annotation_id, doc, start, end in store.db.execute(
        'SELECT id, doc_id, start, "end" FROM annotations ORDER BY created_at DESC, id DESC'
    ):
        found[(doc, start, end)] = annotation_id
    return found


def score(suggestion: meaning.Suggestion) -> float:
    """The stored score, 0-100, which orders the review: half for how far the cosine is
    above the corpus's own cut, half for the rare words both sentences share."""
    return round(min(100.0, max(0.0, 50.0 * suggestion.score)), 1)


def _row(
    key: str,
    a: Unit,
    b: Unit,
    suggestion: meaning.Suggestion,
    annotations: dict[tuple[str, int, int], str],
    now: str,
) -> dict:
    row: dict = {
        "id": str(uuid.uuid4()),
        "pair_key": key,
        "score": score(suggestion),
        "method": meaning.METHOD,
        "status": LinkStatus.suggested.value,
        "cluster": "",  # joins nothing until a person accepts it
        "created_at": now,
        "updated_at": now,
    }
    for name, unit in (("a", a), ("b", b)):
        row[f"{name}_doc_id"] = unit.doc
        row[f"{name}_start"] = unit.start
        row[f"{name}_end"] = unit.end
        row[f"{name}_annotation_id"] = annotations.get((unit.doc, unit.start, unit.end))
        row[f"{name}_match_start"] = None
        row[f"{name}_match_end"] = None
    return row


# -- one span, now: the reader's new annotation -----------------------------------------------

SMALL_CORPUS = 2_000
"""Rows up to which the corpus cut includes the small-corpus rule (a full kNN)."""
RECUT_GROWTH = 0.01
"""The cuts are computed again once the rows grew (or shrank) by this share: a sample
percentile of a corpus barely moves with 1% more sentences, and recomputing it costs a
sample of 400,000 pairs."""


@dataclass
class SpanSuggestion:
    """A sentence elsewhere offered as the same statement as the span, and why."""

    unit: Unit
    suggestion: meaning.Suggestion


@dataclass
class _Corpus:
    """The stored sentence vectors of one store, in memory (`Store.cache`).

    A tag compares one new vector with every sentence's: reading 100,000 vectors from
    SQLite for each would cost far more than the product itself. Rows are the
    sentences (`units`) that have a vector, in unit order when built; a sentence whose
    vector arrives later is appended. The corpus cuts and the term weights are the
    corpus stage's own (`meaning.corpus_cuts`, `meaning.Idf`), so a tag finds what
    `sidenote link` would.
    """

    lock: threading.Lock = field(default_factory=threading.Lock)  # held while in use
    model: str = ""
    documents: tuple | None = None  # fingerprint of the documents table when built
    version: object = None  # VECTORS_VERSION when last read
    units: list[Unit] = field(default_factory=list)
    first_of: dict[str, int] = field(default_factory=dict)  # doc -> its first unit
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    rows: int = 0  # rows [0, rows) of `matrix` are in use
    row_unit: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    row_doc: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    doc_code: dict[str, int] = field(default_factory=dict)
    key_row: dict[str, int] = field(default_factory=dict)  # text key -> a row with it
    waiting: dict[str, list[int]] = field(default_factory=dict)  # key -> units, no vector
    idf: meaning.Idf | None = None
    cuts: tuple[float, float] = (1.0, 1.0)
    cut_rows: int = -1  # rows when the cuts were computed

    def add(self, key: str, vector: np.ndarray) -> None:
        """A stored vector for `key`: every sentence waiting for it gets its row."""
        for unit in self.waiting.pop(key, []):
            if self.rows == self.matrix.shape[0]:
                grown = np.zeros((max(64, 2 * self.rows), vector.shape[0]), dtype=np.float32)
                grown[: self.rows] = self.matrix[: self.rows]
                self.matrix = grown
                self.row_unit = np.resize(self.row_unit, grown.shape[0])
                self.row_doc = np.resize(self.row_doc, grown.shape[0])
            self.matrix[self.rows] = vector
            self.row_unit[self.rows] = unit
            self.row_doc[self.rows] = self.doc_code.setdefault(
                self.units[unit].doc, len(self.doc_code)
            )
            self.key_row.setdefault(key, self.rows)
            self.rows += 1

    def vector_of(self, key: str) -> np.ndarray | None:
        row = self.key_row.get(key)
        return None if row is None else self.matrix[row]

    def before(self, doc: str, start: int, text: str) -> str | None:
        """What a span starting at `start` of `doc` follows: the sentence before, when it
        starts a sentence, else the part of its sentence before it."""
        first = self.first_of.get(doc)
        if first is None:
            return None
        at = first
        while at + 1 < len(self.units) and self.units[at + 1].doc == doc \
                and self.units[at + 1].start <= start:
            at += 1
        unit = self.units[at]
        if unit.start < start < unit.end:
            return text[unit.start : start]
        if unit.start == start and at > first:
            return self.units[at - 1].text
        return None


def _documents_fingerprint(store: Store) -> tuple:
    return tuple(
        store.db.execute("SELECT count(*), max(rowid), total(rowid) FROM documents").fetchone()
    )


def _rebuild(store: Store, corpus: _Corpus, units: Sequence[Unit], model: str) -> None:
    """Rows for `units` (the corpus's sentences): vectors already in memory are kept,
    the others read from the database once."""
    old = corpus if corpus.model == model else None
    corpus.model = model
    corpus.units = list(units)
    corpus.first_of = {}
    for i, unit in enumerate(corpus.units):
        corpus.first_of.setdefault(unit.doc, i)
    keys = [meaning.text_key(unit.text) for unit in corpus.units]
    known: dict[str, np.ndarray] = {}
    if old is not None:
        known = {key: old.matrix[row].copy() for key, row in old.key_row.items()}
    read = _stored(store, [key for key in keys if key not in known], model)
    corpus.waiting, corpus.key_row, corpus.doc_code = {}, {}, {}
    for i, key in enumerate(keys):
        corpus.waiting.setdefault(key, []).append(i)
    dim = next((len(v) for v in (*known.values(), *read.values())), 0)
    corpus.matrix = np.zeros((len(keys), dim), dtype=np.float32)
    corpus.row_unit = np.zeros(len(keys), dtype=np.int64)
    corpus.row_doc = np.zeros(len(keys), dtype=np.int32)
    corpus.rows = 0
    for key in dict.fromkeys(keys):  # unit order: the sample of pairs is `suggest`'s
        vector = known.get(key)
        if vector is None and key in read:
            vector = meaning.unit_rows(read[key].astype(np.float32)[None, :])[0]
        if vector is not None:
            corpus.add(key, vector)
    order = np.argsort(corpus.row_unit[: corpus.rows], kind="stable")
    corpus.matrix[: corpus.rows] = corpus.matrix[: corpus.rows][order]
    corpus.row_unit[: corpus.rows] = corpus.row_unit[: corpus.rows][order]
    corpus.row_doc[: corpus.rows] = corpus.row_doc[: corpus.rows][order]
    corpus.key_row = {}
    for row in range(corpus.rows):
        corpus.key_row.setdefault(keys[corpus.row_unit[row]], row)
    context = meaning.Context([u.doc for u in corpus.units], [u.text for u in corpus.units])
    corpus.idf = meaning.Idf.fit(context.terms)
    corpus.cut_rows = -1


def _current_corpus(
    store: Store, corpus: _Corpus, model: str, sentences: Callable[[], Sequence[Unit]]
) -> _Corpus:
    """The cached corpus brought up to date (the caller holds `corpus.lock`)."""
    documents = _documents_fingerprint(store)
    version = store.setting(VECTORS_VERSION)
    if corpus.model != model or corpus.documents != documents:
        _rebuild(store, corpus, sentences(), model)
        corpus.documents = documents
    elif version != corpus.version and corpus.waiting:
        for key, vector in _stored(store, list(corpus.waiting), model).items():
            corpus.add(key, meaning.unit_rows(vector.astype(np.float32)[None, :])[0])
    corpus.version = version
    n, last = corpus.rows, corpus.cut_rows
    if n != last and (n <= SMALL_CORPUS or abs(n - last) > RECUT_GROWTH * max(last, 1)):
        corpus.cuts = meaning.corpus_cuts(
            corpus.matrix[:n], corpus.row_doc[:n], small_corpus=SMALL_CORPUS
        )
        corpus.cut_rows = n
    return corpus


def _any_vectors(store: Store) -> bool:
    return store.db.execute("SELECT 1 FROM sentence_vectors LIMIT 1").fetchone() is not None


def _encoder_for(store: Store) -> meaning.Encoder:
    """The encoder, loaded once per store (its model takes a while to read)."""
    return store.cache("meaning.encoder", meaning.load_encoder)


def warm_meaning(store: Store, sentences: Callable[[], Sequence[Unit]]) -> None:
    """Load the encoder and the stored vectors now (the app's warm-up worker), so that
    the first tag does not wait for them. Without the extra, nothing happens."""
    if not _any_vectors(store):
        return
    try:
        encoder = _encoder_for(store)
    except meaning.EncoderUnavailable:
        return
    corpus = store.cache("meaning.corpus", _Corpus)
    with corpus.lock:
        _current_corpus(store, corpus, encoder.name, sentences)


def span_suggestions(
    store: Store,
    doc_id: str,
    start: int,
    end: int,
    sentences: Callable[[], Sequence[Unit]],
    *,
    encoder: meaning.Encoder | None = None,
) -> list[SpanSuggestion] | None:
    """Sentences of other articles that state `document[start:end]` in other words.

    The span is embedded once (its vector kept in `sentence_vectors` like a
    sentence's) and compared with every stored sentence vector; a sentence is offered
    by the corpus stage's rules (`meaning.judge_pair`: mutual neighbours, the corpus's
    own percentile, the words, the speakers, figures and quotations), default tier
    only, best first. `sentences` gives the corpus's sentence units when the cache has
    to be built. An empty list, with nothing embedded, when no sentence has a vector
    yet (`sidenote link` makes them); None when there are vectors but the meaning
    extra is not installed.
    """
    if not _any_vectors(store):
        return []
    if encoder is None:
        try:
            encoder = _encoder_for(store)
        except meaning.EncoderUnavailable:
            return None
    text = store.document(doc_id).text
    span = text[start:end]
    corpus = store.cache("meaning.corpus", _Corpus)
    with corpus.lock:
        _current_corpus(store, corpus, encoder.name, sentences)
        if corpus.rows < 2:
            return []
        vector = _span_vector(store, corpus, span, encoder)
        return _judged(corpus, doc_id, start, end, text, vector, meaning.Params())


def _span_vector(store: Store, corpus: _Corpus, span: str, encoder: meaning.Encoder) -> np.ndarray:
    key = meaning.text_key(span)
    vector = corpus.vector_of(key)
    if vector is not None:
        return vector
    stored = _stored(store, [key], encoder.name).get(key)
    if stored is None:
        with meaning.one_thread():
            (fresh,) = meaning.embed([span], encoder)
        stored = fresh.astype("<f2")
        with store.transaction() as db:
            db.execute(
                "INSERT OR IGNORE INTO sentence_vectors (text_sha, model, dim, vector) "
                "VALUES (?, ?, ?, ?)",
                [key, encoder.name, encoder.dim, stored.tobytes()],
            )
    vector = meaning.unit_rows(stored.astype(np.float32)[None, :])[0]
    if key in corpus.waiting:  # the span is a sentence that had no vector yet
        corpus.add(key, vector)
    return vector


def _neighbours(
    corpus: _Corpus, doc_id: str, vector: np.ndarray, params: meaning.Params
) -> tuple[np.ndarray, list[tuple[int, float, int]]]:
    """The span's cosine with every row, and (row, cosine, place) for its first
    `params.mutual` neighbours in other articles that reach the corpus's cut."""
    n = corpus.rows
    sims = corpus.matrix[:n] @ vector
    others = sims.copy()
    code = corpus.doc_code.get(doc_id)
    if code is not None:
        others[corpus.row_doc[:n] == code] = -np.inf
    k = min(params.mutual, n)
    top = np.argpartition(-others, k - 1)[:k]
    top = top[np.argsort(-others[top], kind="stable")]
    found = [(int(r), float(others[r]), place) for place, r in enumerate(top)
             if np.isfinite(others[r]) and others[r] >= corpus.cuts[0]]
    return sims, found


def _places_of_span(corpus: _Corpus, sims: np.ndarray, rows: list[int]) -> list[int]:
    """The span's place among each row's own neighbours in other articles than the
    row's: how many of them are closer to it than the span is."""
    n = corpus.rows
    theirs = corpus.matrix[:n] @ corpus.matrix[rows].T
    places = []
    for column, row in enumerate(rows):
        closer = (theirs[:, column] > sims[row]) & (corpus.row_doc[:n] != corpus.row_doc[row])
        places.append(int(np.count_nonzero(closer)))
    return places


def _judged(
    corpus: _Corpus,
    doc_id: str,
    start: int,
    end: int,
    text: str,
    vector: np.ndarray,
    params: meaning.Params,
) -> list[SpanSuggestion]:
    """The default-tier verdicts, each pair read with the sentences before its sides.

    A pair is judged first as if the span were its neighbour's first neighbour, the
    most it could be: only those that would then be offered need the span's true
    place among the neighbour's own (a second pass over every vector), and most
    neighbours of a span are refused before it.
    """
    sims, found = _neighbours(corpus, doc_id, vector, params)
    if not found or corpus.idf is None:
        return []
    docs: list[str] = []
    texts: list[str] = []

    def place(label: str, before: str | None, own: str) -> int:
        if before is not None:
            docs.append(label)
            texts.append(before)
        docs.append(label)
        texts.append(own)
        return len(texts) - 1

    span = place("span", corpus.before(doc_id, start, text), text[start:end])
    at = []
    for number, (row, _, _) in enumerate(found):
        i = int(corpus.row_unit[row])
        unit = corpus.units[i]
        before = corpus.units[i - 1].text if i and corpus.units[i - 1].doc == unit.doc else None
        at.append(place(f"other{number}", before, unit.text))
    context = meaning.Context(docs, texts)

    def verdict(item: tuple[int, float, int], j: int, theirs: int) -> meaning.Suggestion | None:
        _, cosine, ours = item
        return meaning.judge_pair(
            context, span, j, cosine, (ours, theirs), corpus.cuts, corpus.idf, params
        )

    hopeful = [(item, j) for item, j in zip(found, at, strict=True)
               if (v := verdict(item, j, 0)) is not None and v.tier == "default"]
    if not hopeful:
        return []
    places = _places_of_span(corpus, sims, [item[0] for item, _ in hopeful])
    result = []
    for (item, j), theirs in zip(hopeful, places, strict=True):
        judged = verdict(item, j, theirs) if theirs < params.mutual else None
        if judged is not None and judged.tier == "default":
            unit = corpus.units[int(corpus.row_unit[item[0]])]
            result.append(SpanSuggestion(unit, judged))
    result.sort(key=lambda s: -s.suggestion.score)
    return result


def store_span_suggestions(
    store: Store,
    doc_id: str,
    start: int,
    end: int,
    found: Sequence[SpanSuggestion],
    annotation_id: str | None = None,
) -> bool:
    """Store `found` as meaning suggestions of the span, in one transaction.

    A sentence that a stored link already joins to the span, or to a part of it or a
    sentence around it (any method, any status: a rejected pair is never offered
    again), is skipped. When `annotation_id` is given and that annotation is no longer
    on the span (undone, moved, deleted while the span was embedded), nothing is
    stored and False is returned: the answer is for a span nobody asks about any more.
    """
    span = (doc_id, start, end)
    with store.transaction() as db:
        if annotation_id is not None:
            row = db.execute(
                'SELECT doc_id, start, "end" FROM annotations WHERE id = ?', [annotation_id]
            ).fetchone()
            if row is None or tuple(row) != span:
                return False
        touching = [(row[f"{other}_doc_id"], row[f"{other}_start"], row[f"{other}_end"])
                    for _, other, row in link_table.rows_overlapping(db, span)]
        annotations = {(doc_id, start, end): annotation_id} if annotation_id else {}
        now, fresh = utc_now(), []
        this = Unit(doc_id, start, end, store.document(doc_id).text[start:end])
        for item in found:
            unit = item.unit
            if any(d == unit.doc and s < unit.end and unit.start < e for d, s, e in touching):
                continue
            other = _annotation_exactly_on(db, unit)
            if other is not None:
                annotations[(unit.doc, unit.start, unit.end)] = other
            a, b = sorted((this, unit), key=lambda u: span_key(u.doc, u.start, u.end))
            key = pair_key(span_key(a.doc, a.start, a.end), span_key(b.doc, b.start, b.end))
            fresh.append(_row(key, a, b, item.suggestion, annotations, now))
            touching.append((unit.doc, unit.start, unit.end))
        link_table.insert_links(db, fresh)
    return True


def _annotation_exactly_on(db, unit: Unit) -> str | None:
    row = db.execute(
        'SELECT id FROM annotations WHERE doc_id = ? AND start = ? AND "end" = ? '
        "ORDER BY created_at, id LIMIT 1",
        [unit.doc, unit.start, unit.end],
    ).fetchone()
    return row[0] if row else None


__all__ = [
    "EMBED_BATCH",
    "MeaningReport",
    "SpanSuggestion",
    "ensure_vectors",
    "span_suggestions",
    "store_span_suggestions",
    "suggest_meaning",
    "warm_meaning",
]
