"""Neighbours across articles from the HNSW index: the same answers as exact search on
what matters (planted near-copies), a new article found without a rebuild, and an index
file beside the database used only when it can be trusted.

Vectors are made here (no encoder): clustered unit vectors in articles of ten rows,
plus planted pairs, a row and a slightly moved copy of it in another article, which
are each other's first neighbour by construction.
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Sequence

import numpy as np
import pytest

from store import NewDocument, add_document, open_store
from store.links import sentence_units
from store.matching import meaning, neighbours
from store.meaning_links import (
    corpus_neighbours,
    ensure_vectors,
    index_path,
    lists_path,
    suggest_meaning,
)

DIM = 32


def corpus(n: int, planted: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray, list]:
    """(vectors, doc ids, planted (row, copy) pairs): n clustered rows, 10 an article."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(max(2, n // 50), DIM))
    rows = centres[rng.integers(0, len(centres), n)] + 0.6 * rng.normal(size=(n, DIM))
    docs = np.arange(n) // 10
    pairs = []
    for p in range(planted):
        a, b = 2 * p * 7 % n, (2 * p * 7 + 35) % n  # rows of different articles
        if docs[a] == docs[b] or a in dict(pairs) or b in dict(pairs):
            continue
        rows[b] = rows[a] + 0.01 * rng.normal(size=DIM)
        pairs.append((a, b))
    return meaning.unit_rows(rows.astype(np.float32)), docs, pairs


def keys_of(n: int) -> np.ndarray:
    return np.arange(1, n + 1, dtype=np.uint64) * 7919


def test_the_index_agrees_with_exact_search_on_planted_pairs():
    vectors, docs, pairs = corpus(3000, 40)
    keys = keys_of(len(vectors))
    index = neighbours.VectorIndex.build(keys, vectors, "test")
    ann_i, ann_s = neighbours.ann_other_docs(index, vectors, keys, docs, 10)
    exact_i, exact_s = neighbours.exact_other_docs(vectors, docs, 10)
    assert len(pairs) >= 30
    for a, b in pairs:
        assert ann_i[a, 0] == b and ann_i[b, 0] == a
        assert exact_i[a, 0] == b and exact_i[b, 0] == a
    # Never a row of the same article; similarities exact and best first.
    assert not (docs[ann_i] == docs[:, None]).any()
    assert np.allclose(np.einsum("id,ijd->ij", vectors, vectors[ann_i]), ann_s, atol=1e-5)
    assert (np.diff(ann_s, axis=1) <= 1e-6).all()
    recall = np.mean([len(set(ann_i[r]) & set(exact_i[r])) / 10 for r in range(len(vectors))])
    assert recall >= 0.95


def test_a_text_in_two_articles_is_one_point_and_each_row_sees_the_other():
    vectors, docs, _ = corpus(400, 0)
    keys = keys_of(len(vectors))
    keys[205] = keys[5]  # row 205 (article 20) is the same text as row 5 (article 0)
    vectors[205] = vectors[5]
    index = neighbours.VectorIndex.build(keys, vectors, "test")
    assert len(index) == 399
    ann_i, _ = neighbours.ann_other_docs(index, vectors, keys, docs, 5)
    assert ann_i[5, 0] == 205 and ann_i[205, 0] == 5


def test_a_new_article_is_added_and_found_without_a_rebuild():
    vectors, docs, _ = corpus(2030, 0)
    old = 2000
    # The new article (rows 2000..2029) holds near-copies of old rows 100..129.
    rng = np.random.default_rng(5)
    vectors[old:] = meaning.unit_rows(vectors[100:130] + 0.01 * rng.normal(size=(30, DIM)))
    docs[old:] = 999
    keys = keys_of(len(vectors))
    index = neighbours.VectorIndex.build(keys[:old], vectors[:old], "test")
    top_i, top_s = neighbours.ann_other_docs(index, vectors[:old], keys[:old], docs[:old], 10)

    assert index.add(keys, vectors) == 30  # only the new texts
    new = np.arange(old, len(vectors))
    new_i, new_s = neighbours.ann_other_docs(index, vectors, keys, docs, 10, only=new)
    assert list(new_i[:, 0]) == list(range(100, 130))

    grown_i = np.vstack([top_i, new_i])
    grown_s = np.vstack([top_s, new_s])
    entries = neighbours.entering(vectors, docs, new, top_s[:, -1])
    changed = neighbours.insert_neighbours(grown_i, grown_s, entries)
    assert list(grown_i[100:130, 0]) == list(new)
    # Exact search over the grown corpus: the lists that take a new row are these.
    exact_i, _ = neighbours.exact_other_docs(vectors, docs, 10)
    assert changed == {r for r in range(old) if set(exact_i[r]) & set(new)}
    for row in changed:
        assert list(grown_i[row]) == list(exact_i[row])


# -- the file beside the database ------------------------------------------------------------


def test_a_saved_index_is_used_only_when_it_matches(tmp_path):
    vectors, _, _ = corpus(500, 0)
    keys = keys_of(len(vectors))
    path = tmp_path / "s.sqlite.vectors.usearch"
    neighbours.VectorIndex.build(keys, vectors, "model-a").save(path)

    assert neighbours.open_index(path, "model-a", keys, vectors) is not None
    assert len(neighbours.open_index(path, "model-a", keys, vectors, view=True)) == 500
    # Another model's, or vectors that are not these texts' (another database).
    assert neighbours.open_index(path, "model-b", keys, vectors) is None
    other = meaning.unit_rows(vectors[::-1].copy())
    assert neighbours.open_index(path, "model-a", keys, other) is None
    # The index file replaced behind its record's back (a crash between the two saves).
    neighbours.VectorIndex.build(keys[:400], vectors[:400], "model-a")._index.save(str(path))
    assert neighbours.open_index(path, "model-a", keys, vectors) is None
    # A record that is not JSON, and a missing index.
    neighbours.record_path(path).write_text("{not json", encoding="utf-8")
    assert neighbours.open_index(path, "model-a", keys, vectors) is None
    assert neighbours.open_index(tmp_path / "none.usearch", "model-a", keys, vectors) is None


class FakeEncoder:
    """Vectors chosen by the test: every text's row is looked up in `table`."""

    name = "fake-test-encoder"
    dim = DIM

    def __init__(self, table: dict[str, np.ndarray]) -> None:
        self.table = table

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self.table[t] for t in texts])


def seeded_store(path, articles: int = 24):
    """A store of `articles` articles of 10 sentences each (the first 24 always the
    same), and an encoder for its sentences."""
    vectors, _, pairs = corpus(240, 12, seed=3)
    if articles > 24:
        more, _, _ = corpus(10 * (articles - 24), 0, seed=4)
        vectors = np.vstack([vectors, more])
    store = open_store(str(path))
    words = (
        "harbour orchard quarry meadow glacier canyon lagoon prairie tundra savanna "
        "marshes plateau volcano estuary delta fjords geyser oasis steppe jungle"
    ).split()
    texts = [
        f"The {words[i % 20]} beside the {words[i * 7 % 19]} held {words[i * 3 % 17]}, "
        f"{words[i * 11 % 13]} and {words[i % 11]} number {i}."
        for i in range(10 * articles)
    ]
    with store.transaction() as db:
        for a in range(articles):
            body = " ".join(texts[a * 10 : a * 10 + 10])
            add_document(db, NewDocument(title=f"Article {a}", text=body, source=f"s{a}"))
    units = sentence_units(store)
    table = {meaning.normalise(u.text): vectors[texts.index(u.text)] for u in units}
    return store, units, FakeEncoder(table), pairs


def suggested_pairs(store) -> set[tuple]:
    """The meaning suggestions as (document title, start) pairs: the same in two stores."""
    rows = store.db.execute(
        "SELECT da.title, l.a_start, db.title, l.b_start FROM links l "
        "JOIN documents da ON da.id = l.a_doc_id JOIN documents db ON db.id = l.b_doc_id "
        "WHERE l.method = ?",
        [meaning.METHOD],
    )
    return {tuple(sorted([(a, s), (b, t)])) for a, s, b, t in rows}


def test_the_stage_past_the_cut_keeps_an_index_beside_the_database(tmp_path, monkeypatch):
    exact_store, units, encoder, _ = seeded_store(tmp_path / "exact.sqlite")
    suggest_meaning(exact_store, units, more=True, encoder=encoder)
    expected = suggested_pairs(exact_store)
    assert expected and not index_path(exact_store).exists()

    monkeypatch.setattr(neighbours, "EXACT_UP_TO", 50)
    store, units, encoder, _ = seeded_store(tmp_path / "ann.sqlite")
    suggest_meaning(store, units, more=True, encoder=encoder)
    path = index_path(store)
    assert path.exists() and neighbours.record_path(path).exists()
    assert suggested_pairs(store) == expected

    # A record that says something else: not trusted, rebuilt, same answers.
    record = neighbours.record_path(path)
    record.write_text(json.dumps({"model": encoder.name, "dim": DIM, "keys": "0:0:0"}))
    suggest_meaning(store, units, more=True, rebuild=True, encoder=encoder)
    assert json.loads(record.read_text())["keys"] == neighbours.fingerprint(
        neighbours.open_index(path, encoder.name, np.zeros(0), np.zeros((0, DIM))).keys()
    )
    assert suggested_pairs(store) == expected


def test_without_usearch_the_search_is_exact(tmp_path, monkeypatch):
    real_import = builtins.__import__

    def no_usearch(name, *args, **kwargs):
        if name == "usearch" or name.startswith("usearch."):
            raise ImportError("No module named 'usearch'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_usearch)
    monkeypatch.setattr(neighbours, "EXACT_UP_TO", 50)
    assert not neighbours.ann_available()
    store, units, encoder, _ = seeded_store(tmp_path / "s.sqlite")
    vectors = encoder.encode([meaning.normalise(u.text) for u in units])
    assert corpus_neighbours(store, units, vectors, encoder.name) is None
    suggest_meaning(store, units, more=True, encoder=encoder)
    assert not index_path(store).exists() and not lists_path(store).exists()


@pytest.mark.parametrize("n", [1, 2])
def test_tiny_corpora_have_no_neighbours_in_their_own_article(n):
    vectors = meaning.unit_rows(np.ones((n, DIM), dtype=np.float32))
    top_i, _ = neighbours.exact_other_docs(vectors, np.zeros(n, dtype=int), 10)
    assert (top_i == -1).all()


def test_a_second_run_searches_only_the_new_article(tmp_path, monkeypatch):
    monkeypatch.setattr(neighbours, "EXACT_UP_TO", 50)
    store, units, encoder, _ = seeded_store(tmp_path / "s.sqlite")
    suggest_meaning(store, units, more=True, encoder=encoder)
    assert lists_path(store).exists()

    grown, units, encoder, _ = seeded_store(tmp_path / "s.sqlite", articles=25)
    assert len(units) == 250
    searched: list[int] = []
    ann = neighbours.ann_other_docs

    def counting(*args, only=None, **kwargs):
        searched.append(len(args[1]) if only is None else len(only))
        return ann(*args, only=only, **kwargs)

    monkeypatch.setattr(neighbours, "ann_other_docs", counting)
    vectors, embedded = ensure_vectors(grown, [u.text for u in units], encoder)
    assert embedded == 10
    near = corpus_neighbours(grown, units, vectors, encoder.name)
    assert searched == [10]  # the new article's sentences, nothing else
    # The lists are those exact search gives the grown corpus (up to the order of
    # similarities equal to the sixth decimal).
    exact_i, exact_s = neighbours.exact_other_docs(vectors, np.asarray([u.doc for u in units]), 10)
    assert [set(row) for row in near[0]] == [set(row) for row in exact_i]
    assert np.allclose(near[1], exact_s, atol=1e-5)

    # Nothing new: the saved index is memory-mapped, and nothing is searched at all.
    searched.clear()
    again = corpus_neighbours(grown, units, vectors, encoder.name)
    assert searched == [] and (again[0] == near[0]).all()

    # Lists that do not hold for these vectors (another database's) are not used.
    other = vectors[::-1].copy()
    monkeypatch.setattr(neighbours, "ann_other_docs", counting)
    searched.clear()
    corpus_neighbours(grown, units, other, encoder.name)
    assert searched == [250]
