"""The meaning stage of a large corpus: static vectors find candidates, e5 judges them.

Vectors are chosen here (no encoder is run, except the real static one in the last
test): unrelated sentences get random unit vectors; a planted rewording gets its
original's vector moved a little, under both encoders. The size cut is lowered so a
few hundred sentences take the large path.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from store import NewDocument, add_document, open_store
from store.links import sentence_units
from store.matching import meaning, neighbours, static
from store.meaning_links import index_path, suggest_meaning

DIM = 24
WORDS = (
    "harbour orchard quarry meadow glacier canyon lagoon prairie tundra savanna marshes "
    "plateau volcano estuary delta fjords geyser oasis steppe jungle lantern compass "
    "anchor beacon saddle kettle ribbon thimble walrus pelican"
).split()


def sentence(i: int) -> str:
    """A sentence of its own words (no figures: the figures rule is not under test)."""
    w = [WORDS[(i * p + q) % len(WORDS)] for p, q in ((1, 0), (7, 3), (11, 5), (13, 9))]
    tag = "".join(chr(97 + (i // 26**k) % 26) for k in range(3))  # its own word
    return f"The {w[0]} beside the {w[1]} held {w[2]} and {w[3]} near the {tag}ville gate."


# Planted rewordings: (original's row, rewording's row, the rewording's text).
PLANTED = [
    (3, 57, "Officials said the harbour talks over the lagoon dispute would resume soon."),
    (21, 144, "The glacier inquiry into the canyon collapse reported its findings today."),
    (88, 190, "Residents of the prairie town rejected the quarry expansion in a vote."),
]
ORIGINALS = {
    3: "Officials said harbour talks over the lagoon dispute were set to restart soon.",
    21: "The glacier inquiry into the canyon collapse has published its findings.",
    88: "Prairie town residents voted to reject the expansion of the quarry.",
}


class TableEncoder:
    """Vectors looked up by text; every text it is asked for is recorded."""

    def __init__(self, name: str, table: dict[str, np.ndarray]) -> None:
        self.name, self.dim, self.table = name, DIM, table
        self.asked: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.asked.extend(texts)
        return np.stack([self.table[t] for t in texts])


def texts_and_vectors(n: int, seed: int = 5) -> tuple[list[str], np.ndarray, np.ndarray]:
    """n sentences (10 an article), their e5-like and static-like vectors."""
    rng = np.random.default_rng(seed)
    texts = [ORIGINALS.get(i, sentence(i)) for i in range(n)]
    e5 = rng.normal(size=(n, DIM))
    for a, b, text in PLANTED:
        if b < n:
            texts[b] = text
            e5[b] = e5[a] + 0.05 * rng.normal(size=DIM)
    flat = e5 + 0.3 * rng.normal(size=(n, DIM))  # the static view: rougher
    return (
        texts,
        meaning.unit_rows(e5.astype(np.float32)),
        meaning.unit_rows(flat.astype(np.float32)),
    )


def make_store(path, texts: list[str]):
    store = open_store(str(path))
    with store.transaction() as db:
        for a in range(0, len(texts), 10):
            body = " ".join(texts[a : a + 10])
            add_document(db, NewDocument(title=f"Article {a // 10}", text=body, source=f"s{a}"))
    return store


def encoders(texts, e5, flat):
    table_e5 = {meaning.normalise(t): v for t, v in zip(texts, e5, strict=True)}
    table_flat = {meaning.normalise(t): v for t, v in zip(texts, flat, strict=True)}
    return TableEncoder("fake-e5", table_e5), TableEncoder("fake-static", table_flat)


def suggested(store) -> set[tuple[str, str]]:
    rows = store.db.execute(
        "SELECT substr(da.text, l.a_start + 1, l.a_end - l.a_start), "
        "substr(db.text, l.b_start + 1, l.b_end - l.b_start) FROM links l "
        "JOIN documents da ON da.id = l.a_doc_id JOIN documents db ON db.id = l.b_doc_id "
        "WHERE l.method = ?",
        [meaning.METHOD],
    )
    return {tuple(sorted(r)) for r in rows}


def planted_pairs(texts) -> set[tuple[str, str]]:
    return {tuple(sorted((texts[a], texts[b]))) for a, b, _ in PLANTED if b < len(texts)}


SMALL_SAMPLE = static.CandidateParams(sample=40)


def test_below_the_size_cut_the_static_encoder_is_never_used(tmp_path):
    texts, e5, flat = texts_and_vectors(200)
    store = make_store(tmp_path / "s.sqlite", texts)
    units = sentence_units(store)
    fake_e5, fake_static = encoders(texts, e5, flat)
    report = suggest_meaning(store, units, encoder=fake_e5, static_encoder=fake_static)
    assert fake_static.asked == [] and report.static_embedded == 0 and report.candidates == 0
    # ...and the suggestions are exactly what the exact e5 ranking gives.
    vectors = np.stack([fake_e5.table[meaning.normalise(u.text)] for u in units])
    ranked = meaning.suggest(vectors, [u.doc for u in units], [u.text for u in units])
    expected = {tuple(sorted((units[s.a].text, units[s.b].text)))
                for s in ranked if s.tier == "default"}  # fmt: skip
    assert suggested(store) == expected
    assert planted_pairs(texts) <= expected


@pytest.mark.parametrize("hnsw", [False, True], ids=["exact", "hnsw-index"])
def test_the_large_path_embeds_every_sentence_once_ever(tmp_path, monkeypatch, hnsw):
    monkeypatch.setattr(static, "LARGE_FROM", 50)
    if hnsw:  # the static neighbours then come from the index kept beside the database
        monkeypatch.setattr(neighbours, "EXACT_UP_TO", 50)
    texts, e5, flat = texts_and_vectors(210)
    old, new = texts[:200], texts[200:]
    store = make_store(tmp_path / "s.sqlite", old)
    fake_e5, fake_static = encoders(texts, e5, flat)

    first = suggest_meaning(store, sentence_units(store), encoder=fake_e5,
                            static_encoder=fake_static, candidates=SMALL_SAMPLE)  # fmt: skip
    assert first.static_embedded == 200 and sorted(fake_static.asked) == sorted(old)
    # e5 reads the candidates' sentences and the cut sample, not the whole corpus.
    assert first.candidates > 0 and 40 <= first.embedded < 200
    assert planted_pairs(old) <= suggested(store)

    again = suggest_meaning(store, sentence_units(store), encoder=fake_e5,
                            static_encoder=fake_static, candidates=SMALL_SAMPLE)  # fmt: skip
    assert (again.static_embedded, again.embedded) == (0, 0)

    # A new article (its first sentence rewords an old one): only its sentences are new.
    with store.transaction() as db:
        add_document(db, NewDocument(title="Article new", text=" ".join(new), source="new"))
    grown = suggest_meaning(store, sentence_units(store), encoder=fake_e5,
                            static_encoder=fake_static, candidates=SMALL_SAMPLE)  # fmt: skip
    assert grown.static_embedded == 10
    assert len(fake_static.asked) == len(set(fake_static.asked)) == 210
    assert len(fake_e5.asked) == len(set(fake_e5.asked)), "a sentence embedded twice by e5"
    assert set(fake_e5.asked) - set(old) <= set(new)
    assert planted_pairs(texts) <= suggested(store)
    path = index_path(store)
    if hnsw:
        record = neighbours.record_path(path).read_text()
        index = neighbours.open_index(path, fake_static.name, np.zeros(0), np.zeros((0, DIM)))
        assert fake_static.name in record and len(index) == 210
    else:
        assert not path.exists()


def test_candidates_are_judged_by_the_exact_stages_rules():
    texts, e5, flat = texts_and_vectors(200)
    docs = np.arange(200) // 10
    ctx = meaning.Context(docs, texts)
    idf = meaning.Idf.fit(ctx.terms)
    top_i, top_s = meaning.knn_other_docs(flat, docs, 10)
    pairs = static.candidate_pairs(top_i, top_s, 0.0, ctx, idf)
    assert {(a, b) for a, b, _ in PLANTED} <= set(map(tuple, pairs.tolist()))
    rows = np.unique(pairs)
    cuts = meaning.corpus_cuts(e5, docs)
    ranked = static.rerank(pairs, rows, e5[rows], ctx, idf, cuts)
    assert ranked
    for s in ranked:  # each verdict is judge_pair's, on e5's cosine
        assert s.cosine == pytest.approx(float(e5[s.a] @ e5[s.b]), abs=1e-6)
        assert s == meaning.judge_pair(ctx, s.a, s.b, s.cosine, (s.rank_ab, s.rank_ba), cuts, idf)
    assert {(a, b) for a, b, _ in PLANTED} <= {(s.a, s.b) for s in ranked if s.tier == "default"}


def test_a_pair_the_words_refuse_is_no_candidate():
    texts = [
        "Putin said the meeting in Alaska had produced a constructive outcome overall.",
        "Filler about the orchard and the meadow near the river bank.",
        "Zelensky said the meeting in Alaska had produced a constructive outcome overall.",
        "Filler about the glacier and the canyon near the mountain pass.",
    ]
    docs = np.array([0, 0, 1, 1])
    ctx = meaning.Context(docs, texts)
    idf = meaning.Idf.fit(ctx.terms)
    top_i = np.array([[2, 3], [2, 3], [0, 1], [0, 1]])
    top_s = np.array([[0.99, 0.1], [0.1, 0.1], [0.99, 0.1], [0.1, 0.1]], dtype=np.float32)
    every = static.CandidateParams(share=1.0)
    assert static.candidate_pairs(top_i, top_s, 0.5, ctx, idf, every).tolist() == [], (
        "two different speakers are two statements"
    )
    texts[2] = texts[2].replace("Zelensky", "Putin")
    ctx = meaning.Context(docs, texts)
    assert static.candidate_pairs(top_i, top_s, 0.5, ctx, idf, every).tolist() == [[0, 2]]


def test_e5_reads_at_most_the_share_of_sentences_the_best_pairs_first():
    texts, _, flat = texts_and_vectors(200)
    docs = np.arange(200) // 10
    ctx = meaning.Context(docs, texts)
    idf = meaning.Idf.fit(ctx.terms)
    top_i, top_s = meaning.knn_other_docs(flat, docs, 10)
    every = static.candidate_pairs(top_i, top_s, 0.0, ctx, idf, static.CandidateParams(share=1))
    few = static.candidate_pairs(top_i, top_s, 0.0, ctx, idf, static.CandidateParams(share=0.05))
    assert len(np.unique(every)) > 10 >= len(np.unique(few))
    assert set(map(tuple, few.tolist())) < set(map(tuple, every.tolist()))
    # The planted rewordings share their words and vectors: they are the best pairs.
    assert {(a, b) for a, b, _ in PLANTED} <= set(map(tuple, few.tolist()))


def test_the_static_encoder_reads_its_files_from_the_package():
    encoder = static.load_static_encoder()
    vectors = meaning.embed(
        [
            "Officials said talks would resume next week.",
            "Negotiations are set to restart in the coming days, officials said.",
            "The football club signed a young goalkeeper from Portugal.",
            "",
        ],
        encoder,
    )
    assert vectors.shape == (4, encoder.dim) and encoder.dim == 256
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert not vectors[3].any(), "an empty text is nobody's neighbour"
