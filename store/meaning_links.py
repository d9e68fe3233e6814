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
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import perf_counter

import numpy as np

from . import link_table
from .db.connection import Store, utc_now
from .matching import meaning
from .matching.linking import Unit, pair_key, span_key
from .models import LinkStatus

Progress = Callable[[int, int], None]

EMBED_BATCH = 64
"""Sentences embedded and stored per transaction: small enough that an interrupted run
keeps nearly all its work, large enough for the encoder's batching."""
_LOOKUP_CHUNK = 500  # keys per `IN (...)` query, under SQLite's variable limit


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
    progress: Progress | None = None,
) -> MeaningReport:
    """Store reworded-meaning suggestions between the sentences `units` (one per sentence).

    `more` adds the lower tier ("show more"). `rebuild` removes stored meaning
    suggestions (status `suggested` only) that this run no longer offers.
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
    vectors, report.embedded = ensure_vectors(store, texts, encoder, progress)
    ranked = meaning.suggest(vectors, [unit.doc for unit in units], texts)
    chosen = [s for s in ranked if more or s.tier == "default"]
    report.found = len(chosen)
    _store_suggestions(store, units, chosen, rebuild, report)
    report.seconds = perf_counter() - began
    return report


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


__all__ = ["EMBED_BATCH", "MeaningReport", "ensure_vectors", "suggest_meaning"]
