"""Nearest neighbours across articles: exact for a small corpus, an HNSW index beyond.

Pure: vectors and files, no database. The meaning stage needs, for every sentence, its
first few neighbours among sentences of *other* articles. Exactly, that is every row
against every row: quadratic, minutes at 100,000 sentences and hours at a million. So
past `EXACT_UP_TO` rows, when the optional `usearch` package is installed, the
candidates come from an HNSW graph (approximate: a true neighbour is occasionally
missed) and are then scored exactly and in order from the rows' own vectors. Below
the cut, and without the package, the search stays exact, so small corpora and the
tests keep exact results.

The index is keyed by the sentence *text* (`key_of` its hash), not by a row: rows
change from one run to the next, a text's vector never does, and a text that appears
in two articles is one point. So it can live between runs in a file beside the
database, grow by the new texts only (`add`), and be memory-mapped when nothing is
added. A file is never trusted blindly: `open_index` refuses it (the caller rebuilds)
unless its model, width and key fingerprint match what was recorded when it was
written and a sample of its vectors matches the caller's.

A new article changes few neighbour lists: its own (from the index), and those of the
old sentences it comes closer to than their current last neighbour (`entering`, exact)
which `insert_neighbours` updates in place; nothing is searched again for the rest.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

EXACT_UP_TO = 50_000
"""Rows up to which the neighbour search is exact: below this, all-rows exact search
costs seconds to a few minutes, and its results are the reference the tests pin."""

BLOCK = 1024
"""Rows of the query block in the exact product: peak memory is BLOCK x n floats."""

PAD = 8
"""Candidates asked of the index beyond k: room for same-article hits to be dropped."""

_ROUNDS = 3  # times the candidate count is doubled for rows still short of k
_CHECKED = 64  # stored vectors compared with the caller's before a file is used
_TOLERANCE = 0.02  # float16/int8 storage moves a unit vector by less than this
_KEY_MASK = (1 << 63) - 1

# HNSW settings: connectivity (M) 16 and deeper traversal than usearch's defaults;
# recall against exact search is measured in benchmarks/meaning_scale_bench.py.
_CONNECTIVITY = 16
_EXPANSION_ADD = 128
_EXPANSION_SEARCH = 96


def ann_available() -> bool:
    """Whether the HNSW index can be used (the `usearch` package is installed)."""
    try:
        import usearch.index  # noqa: F401
    except ImportError:
        return False
    return True


def key_of(text_sha: str) -> int:
    """The index key of a text: 63 bits of its SHA-256 (hex), stable across runs."""
    return int(text_sha[:16], 16) & _KEY_MASK


def fingerprint(keys: np.ndarray) -> str:
    """Count, sum and xor of the keys: any key added, lost or changed shows."""
    keys = np.asarray(keys, dtype=np.uint64)
    total = int(keys.sum(dtype=np.uint64)) if len(keys) else 0
    xor = int(np.bitwise_xor.reduce(keys)) if len(keys) else 0
    return f"{len(keys)}:{total:016x}:{xor:016x}"


# -- exact ----------------------------------------------------------------------------------


def _top_k(sims: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Columns and values of each row's k largest, best first; -inf places hold -1."""
    part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
    vals = np.take_along_axis(sims, part, axis=1)
    order = np.argsort(-vals, axis=1, kind="stable")
    part = np.take_along_axis(part, order, axis=1)
    vals = np.take_along_axis(vals, order, axis=1)
    return np.where(np.isfinite(vals), part, -1), vals


def exact_other_docs(
    vectors: np.ndarray, doc_ids: np.ndarray, k: int, block: int = BLOCK
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k of every row among rows of other documents, by dot product, exactly.

    A block of rows times the whole matrix at a time, so memory stays at block x n
    floats whatever n is. Returns (indices, similarities), each (n, k), best first;
    with fewer than k rows in other documents the missing places hold -1 and -inf.
    """
    n = vectors.shape[0]
    k = max(1, min(k, n - 1))
    top_i = np.full((n, k), -1, dtype=np.int64)
    top_s = np.full((n, k), -np.inf, dtype=np.float32)
    if n < 2:
        return top_i, top_s
    mat = vectors.astype(np.float32, copy=False)
    for lo in range(0, n, block):
        hi = min(lo + block, n)
        sims = mat[lo:hi] @ mat.T
        sims[doc_ids[lo:hi, None] == doc_ids[None, :]] = -np.inf
        top_i[lo:hi], top_s[lo:hi] = _top_k(sims, k)
    return top_i, top_s


# -- the HNSW index ------------------------------------------------------------------------------


class VectorIndex:
    """An HNSW index of unit vectors keyed by text (`key_of`), inner product metric."""

    def __init__(self, index: object, model: str) -> None:
        self._index = index
        self.model = model

    @classmethod
    def build(
        cls, keys: np.ndarray, vectors: np.ndarray, model: str, dtype: str = "f16"
    ) -> VectorIndex:
        """A new index of `vectors` (unit rows) under `keys` (distinct)."""
        from usearch.index import Index

        index = Index(
            ndim=vectors.shape[1],
            metric="ip",
            dtype=dtype,
            connectivity=_CONNECTIVITY,
            expansion_add=_EXPANSION_ADD,
            expansion_search=_EXPANSION_SEARCH,
        )
        made = cls(index, model)
        made.add(keys, vectors)
        return made

    def __len__(self) -> int:
        return len(self._index)

    @property
    def dim(self) -> int:
        return int(self._index.ndim)

    def keys(self) -> np.ndarray:
        return np.asarray(self._index.keys, dtype=np.uint64)

    def contains(self, keys: np.ndarray) -> np.ndarray:
        if not len(keys):
            return np.zeros(0, dtype=bool)
        return np.asarray(self._index.contains(np.asarray(keys, dtype=np.uint64)), dtype=bool)

    def add(self, keys: np.ndarray, vectors: np.ndarray, threads: int = 1) -> int:
        """Add the rows whose key is not in the index yet; how many were added.

        One thread by default: the graph then depends only on the order of insertion,
        so a run can be repeated exactly; more threads (0: all) race to link each new
        point, and build faster.
        """
        keys = np.asarray(keys, dtype=np.uint64)
        keys, first = np.unique(keys, return_index=True)
        new = ~self.contains(keys)
        if new.any():
            rows = np.ascontiguousarray(vectors[first[new]], dtype=np.float32)
            self._index.add(keys[new], rows, threads=threads)
        return int(new.sum())

    def search(self, vectors: np.ndarray, count: int) -> tuple[np.ndarray, np.ndarray]:
        """The `count` nearest keys of each row and their (approximate) similarities.

        Places past what the index holds have key -1.
        """
        count = max(1, min(count, len(self)))
        found = self._index.search(np.ascontiguousarray(vectors, dtype=np.float32), count)
        keys = np.asarray(found.keys, dtype=np.int64).reshape(len(vectors), -1)
        with np.errstate(invalid="ignore"):  # sentinel distances of empty places, replaced below
            sims = 1.0 - np.asarray(found.distances, dtype=np.float32).reshape(len(vectors), -1)
        counts = np.asarray(found.counts).reshape(-1)
        missing = np.arange(keys.shape[1])[None, :] >= counts[:, None]
        keys[missing] = -1
        sims[missing] = -np.inf
        return keys, sims

    def vectors_of(self, keys: np.ndarray) -> list[np.ndarray | None]:
        return list(self._index.get(np.asarray(keys, dtype=np.uint64), dtype="f32"))

    def save(self, path: Path) -> None:
        """Write the index and its record, each through a temporary file and a rename.

        The record (model, width, key fingerprint) is written last: a crash between the
        two leaves a record that does not match, and the next open rebuilds.
        """
        temp = path.with_name(path.name + ".tmp")
        self._index.save(os.fspath(temp))
        os.replace(temp, path)
        record = {"model": self.model, "dim": self.dim, "keys": fingerprint(self.keys())}
        meta = record_path(path)
        temp = meta.with_name(meta.name + ".tmp")
        temp.write_text(json.dumps(record), encoding="utf-8")
        os.replace(temp, meta)


def record_path(path: Path) -> Path:
    """The JSON record written beside an index file."""
    return path.with_name(path.name + ".json")


def open_index(
    path: Path,
    model: str,
    keys: np.ndarray,
    vectors: np.ndarray,
    *,
    view: bool = False,
) -> VectorIndex | None:
    """The index stored at `path`, or None when it is missing or cannot be trusted.

    Trusted only when its record names this model and width, the fingerprint of the
    keys it holds is the one recorded when it was written, and the stored vectors of a
    sample of `keys` (the caller's, with their `vectors`) match. A file from another
    database, another model, a half-written save or an older copy fails one of these.
    `view` memory-maps it read-only (nothing can be added then).
    """
    from usearch.index import Index

    try:
        record = json.loads(record_path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return None
    if not path.exists() or not isinstance(record, dict):
        return None
    if record.get("model") != model or record.get("dim") != vectors.shape[1]:
        return None
    try:
        index = Index.restore(os.fspath(path), view=view)
    except (RuntimeError, ValueError, OSError):
        return None
    if index is None:
        return None
    found = VectorIndex(index, model)
    if found.dim != vectors.shape[1] or record.get("keys") != fingerprint(found.keys()):
        return None
    return found if _sample_matches(found, keys, vectors) else None


def _sample_matches(index: VectorIndex, keys: np.ndarray, vectors: np.ndarray) -> bool:
    """The index's vectors for a fixed sample of the caller's keys it holds match theirs."""
    keys = np.asarray(keys, dtype=np.uint64)
    held = np.flatnonzero(index.contains(keys))
    if not len(held):
        return len(index) == 0 or not len(keys)
    step = max(1, len(held) // _CHECKED)
    sample = held[::step][:_CHECKED]
    for row, stored in zip(sample, index.vectors_of(keys[sample]), strict=True):
        if stored is None or stored.shape[-1] != vectors.shape[1]:
            return False
        if float(np.max(np.abs(stored.reshape(-1) - vectors[row]))) > _TOLERANCE:
            return False
    return True


# -- neighbours among other documents, from the index ---------------------------------------------


class _Rows:
    """Rows grouped by key: most keys are one row; a text in two articles is two."""

    def __init__(self, row_keys: np.ndarray) -> None:
        self.keys, self.of_row, self.size = np.unique(
            np.asarray(row_keys, dtype=np.int64), return_inverse=True, return_counts=True
        )
        order = np.argsort(self.of_row, kind="stable")
        self.first = order[np.concatenate(([0], np.cumsum(self.size)[:-1]))]
        self._order = order
        self._start = np.concatenate(([0], np.cumsum(self.size)))

    def unique_of(self, keys: np.ndarray) -> np.ndarray:
        """Position of each key among the corpus's keys, -1 for keys not in it."""
        at = np.searchsorted(self.keys, keys)
        at = np.minimum(at, len(self.keys) - 1)
        return np.where((keys >= 0) & (self.keys[at] == keys), at, -1)

    def rows_of(self, u: int) -> np.ndarray:
        return self._order[self._start[u] : self._start[u + 1]]


def ann_other_docs(
    index: VectorIndex,
    vectors: np.ndarray,
    row_keys: np.ndarray,
    doc_ids: np.ndarray,
    k: int,
    only: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k of every row among rows of other documents, candidates from the index.

    Same shape and order as `exact_other_docs`; with `only`, the lists of those rows
    alone, in that order (a new article's, say). Each distinct text is searched once;
    its candidates are turned into rows of other documents and scored exactly from
    `vectors`, so only which rows are found is approximate, never their order. A row
    whose candidates are mostly from its own article is searched again with more.
    """
    n = vectors.shape[0]
    k = max(1, min(k, n - 1))
    rows = _Rows(row_keys)
    wanted = np.arange(n) if only is None else np.asarray(only, dtype=np.int64)
    place = np.full(n, -1, dtype=np.int64)
    place[wanted] = np.arange(len(wanted))
    top_i = np.full((len(wanted), k), -1, dtype=np.int64)
    top_s = np.full((len(wanted), k), -np.inf, dtype=np.float32)
    todo = np.unique(rows.of_row[wanted])
    count = k + PAD
    for _ in range(_ROUNDS + 1):
        if not len(todo):
            break
        found, _sims = index.search(vectors[rows.first[todo]], count)
        short = _fill(rows, found, todo, vectors, doc_ids, place, (top_i, top_s))
        todo = todo[short]
        if count >= len(index):
            break
        count *= 2
    return top_i, top_s


def _fill(
    rows: _Rows,
    found: np.ndarray,
    todo: np.ndarray,
    vectors: np.ndarray,
    doc_ids: np.ndarray,
    place: np.ndarray,
    out: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """Write the lists of the wanted rows of the searched texts (row r at `place[r]`);
    which texts came up short of k rows in other documents."""
    top_i, top_s = out
    k = top_i.shape[1]
    cand = rows.unique_of(found)
    short = np.zeros(len(todo), dtype=bool)
    for t, u in enumerate(todo):
        members = rows.rows_of(int(u))
        members = members[place[members] >= 0]
        hits = cand[t][cand[t] >= 0]
        if not len(hits):
            short[t] = True
            continue
        if rows.size[hits].max() == 1:
            other = rows.first[hits]
        else:
            other = np.concatenate([rows.rows_of(int(h)) for h in hits])
        for row in members:
            mine = other[doc_ids[other] != doc_ids[row]]
            if len(mine) < k:
                short[t] = True
            if not len(mine):
                continue
            sims = vectors[mine] @ vectors[row]
            order = np.argsort(-sims, kind="stable")[:k]
            top_i[place[row], : len(order)] = mine[order]
            top_s[place[row], : len(order)] = sims[order]
    return short


def knn_other_docs(
    vectors: np.ndarray,
    doc_ids: Sequence[object] | np.ndarray,
    k: int,
    *,
    index: VectorIndex | None = None,
    row_keys: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-k neighbours in other documents: exact up to `EXACT_UP_TO` rows or without
    an index, from the index (with each row's key) beyond."""
    doc = np.asarray(doc_ids)
    if index is None or row_keys is None or vectors.shape[0] <= EXACT_UP_TO:
        return exact_other_docs(vectors, doc, k)
    return ann_other_docs(index, vectors, row_keys, doc, k)


# -- a new article, incrementally ----------------------------------------------------------------


def entering(
    vectors: np.ndarray,
    doc_ids: np.ndarray,
    new_rows: np.ndarray,
    floor: np.ndarray,
    block: int = 65_536,
) -> list[tuple[int, np.ndarray, np.ndarray]]:
    """For each new row, the old rows of other documents whose lists it enters.

    `floor` is each old row's last kept similarity (its k-th; -inf while its list has
    room), for rows 0..len(floor)-1. A new row enters a list when it is more similar
    than that. HNSW answers "who are x's neighbours", not "whose neighbour is x", and
    the two differ (a row near many others is in many lists but keeps only k), so
    this is exact: the new rows times every old row, a block at a time, which for one
    article is a small product even at a million rows. Returns (new row, old rows,
    their similarities) per new row.
    """
    new_rows = np.asarray(new_rows, dtype=np.int64)
    found: list[tuple[int, list, list]] = [(int(x), [], []) for x in new_rows]
    queries = vectors[new_rows].astype(np.float32, copy=False)
    for lo in range(0, len(floor), block):
        hi = min(lo + block, len(floor))
        sims = queries @ vectors[lo:hi].T.astype(np.float32, copy=False)
        sims[doc_ids[new_rows][:, None] == doc_ids[None, lo:hi]] = -np.inf
        hits = sims > floor[None, lo:hi]
        for t, j in zip(*np.nonzero(hits), strict=True):
            found[t][1].append(lo + int(j))
            found[t][2].append(float(sims[t, j]))
    return [(x, np.asarray(js, dtype=np.int64), np.asarray(ss)) for x, js, ss in found]


def insert_neighbours(
    top_i: np.ndarray,
    top_s: np.ndarray,
    entries: Sequence[tuple[int, np.ndarray, np.ndarray]],
) -> set[int]:
    """Put new rows into old rows' neighbour lists where they now belong, in place.

    `entries` are (new row, old rows, similarities), as `entering` gives them: each
    of those old rows takes the new row in, in order, and loses its last. Returns the
    rows whose list changed: only pairs that touch one of them, or a new row, can
    change their mutual-neighbour standing, so only those need judging again.
    """
    changed: set[int] = set()
    k = top_i.shape[1]
    for x, rows, sims in entries:
        for j, sim in zip(rows, sims, strict=True):
            if not sim > top_s[j, k - 1] or x in top_i[j]:
                continue
            at = int(np.searchsorted(-top_s[j], -sim, side="right"))
            top_i[j, at + 1 :] = top_i[j, at:-1].copy()
            top_s[j, at + 1 :] = top_s[j, at:-1].copy()
            top_i[j, at], top_s[j, at] = x, sim
            changed.add(int(j))
    return changed


def carry_over(
    old_ids: np.ndarray,
    old_i: np.ndarray,
    old_s: np.ndarray,
    ids: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The previous run's lists moved onto this run's rows: (top_i, top_s, kept).

    Rows are matched by identity (`ids`: the same sentence with the same text). A row
    keeps its list only when it was there before and every neighbour in its list is
    still there; `kept` marks those. Every other row (new, or one that lost a
    neighbour) has an empty list (-1, -inf) and needs searching again.
    """
    n, k = len(ids), old_i.shape[1]
    top_i = np.full((n, k), -1, dtype=np.int64)
    top_s = np.full((n, k), -np.inf, dtype=np.float32)
    kept = np.zeros(n, dtype=bool)
    if not len(old_ids) or not n:
        return top_i, top_s, kept
    order = np.argsort(old_ids, kind="stable")
    at = np.minimum(np.searchsorted(old_ids[order], ids), len(order) - 1)
    was = order[at]
    here = old_ids[was] == ids
    now_of_old = np.full(len(old_ids), -1, dtype=np.int64)
    now_of_old[was[here]] = np.flatnonzero(here)
    rows = np.flatnonzero(here)
    listed = old_i[was[rows]]
    moved = np.where(listed >= 0, now_of_old[np.maximum(listed, 0)], -1)
    whole = (moved >= 0).all(axis=1)
    rows = rows[whole]
    top_i[rows] = moved[whole]
    top_s[rows] = old_s[was[rows]]
    kept[rows] = True
    return top_i, top_s, kept


__all__ = [
    "EXACT_UP_TO",
    "VectorIndex",
    "ann_available",
    "ann_other_docs",
    "carry_over",
    "entering",
    "exact_other_docs",
    "fingerprint",
    "insert_neighbours",
    "key_of",
    "knn_other_docs",
    "open_index",
    "record_path",
]
