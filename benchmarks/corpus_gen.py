"""Synthetic corpora for the linking benchmark and tests: Markov filler plus planted statements.

Filler is a word-level Markov chain trained on the bundled seed pages, so filler
sentences share the seeds' stock phrases ("President Donald Trump", "said on Sunday",
"the war in Ukraine") by chance, the way real news does. Two changes keep it honest
at a million sentences:

- with probability `JUMP` the chain jumps to a random word instead of following the
  seeds, so it does not replay long verbatim runs of one seed sentence;
- some content words are replaced by pseudo-words drawn from a Zipf-distributed
  lexicon, so the vocabulary grows with the corpus (Heaps' law) instead of staying
  at the seeds' few thousand words.

Planted statement families are made from a generated base sentence: exact copies,
copies trimmed by 20-45%, copies with 1-3 words replaced, trimmed and reworded, and
copies with case and punctuation noise, each in a different document.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from store.importing.sentences import split_sentences
from store.matching.linking import Unit

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
JUMP = 0.12
RARE_IN_SEEDS = 3  # stock words (frequent in the seeds) are never replaced
PSEUDO_RATE = 0.9
ZIPF_EXPONENT = 0.55
ZIPF_OFFSET = 300
LEXICON = 94**2 + 94**3 + 94**4
SENTENCES_PER_DOC = 20
FAMILY_SHARE = 0.02  # share of sentences that start a planted family
KINDS = ("exact", "trimmed", "reworded", "trimmed+reworded", "noise")
_END = re.compile(r"[.!?][\"'’”)]*$")
_SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"] + ["an", "el", "or", "is"]


class Markov:
    """A first-order word chain over the seeds' sentences, with jumps and pseudo-words."""

    def __init__(self, texts: list[str], seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.next: dict[str, list[str]] = defaultdict(list)
        self.starts: list[str] = []
        self.words: list[str] = []
        for text in texts:
            for start, end in split_sentences(text):
                tokens = text[start:end].split()
                if len(tokens) < 6:
                    continue
                self.starts.append(tokens[0])
                self.words.extend(tokens)
                for a, b in zip(tokens, tokens[1:], strict=False):
                    self.next[a].append(b)
        self.counts = Counter(w.strip(".,;:!?\"'’”“()").lower() for w in self.words)

    def pseudo(self) -> str:
        # Zipf-like rank: most draws hit a few thousand words, a long tail is rare.
        rank = int(ZIPF_OFFSET * (self.rng.paretovariate(ZIPF_EXPONENT) - 1))
        return pseudo_word(rank % LEXICON)

    def sentence(self, min_words: int = 8, max_words: int = 32) -> str:
        rng = self.rng
        word = rng.choice(self.starts)
        out = [word]
        while len(out) < max_words:
            options = self.next.get(word)
            if not options or rng.random() < JUMP:
                word = rng.choice(self.words)
            else:
                word = rng.choice(options)
            out.append(self._vary(word))
            if len(out) >= min_words and _END.search(word):
                break
        text = " ".join(out)
        return text if _END.search(text) else text.rstrip(",;:") + "."

    def _vary(self, word: str) -> str:
        core = word.strip(".,;:!?\"'’”“()")
        if (
            len(core) >= 4
            and core.isalpha()
            and self.counts[core.lower()] <= RARE_IN_SEEDS
            and self.rng.random() < PSEUDO_RATE
        ):
            fresh = self.pseudo()
            if core[0].isupper():
                fresh = fresh.capitalize()
            return word.replace(core, fresh, 1)
        return word


def pseudo_word(rank: int) -> str:
    """The lexicon's word of this rank: distinct ranks give distinct words, and frequent
    (low-rank) words are short, as in real language: 2 syllables, then 3, then 4."""
    base = len(_SYLLABLES)
    for count in (2, 3, 4, 5):
        band = base**count
        if rank < band:
            code = (rank * 1_000_003) % band  # a bijection of the band (1000003 is prime)
            return "".join(_SYLLABLES[(code // base**k) % base] for k in range(count))
        rank -= band
    raise ValueError("rank beyond the lexicon")


def seed_texts() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted(SEEDS.glob("*.txt"))]


@dataclass
class Planted:
    family: int
    kind: str
    lo: int  # which words of the base statement it keeps
    hi: int
    replaced: int


@dataclass
class Corpus:
    units: list[Unit]
    planted: dict[int, Planted] = field(default_factory=dict)  # unit index -> origin

    def truth(self) -> set[tuple[int, int]]:
        """Pairs a reader would link: same family, sharing at least half the shorter span."""
        families: dict[int, list[int]] = defaultdict(list)
        for i, p in self.planted.items():
            families[p.family].append(i)
        pairs = set()
        for members in families.values():
            for x in members:
                for y in members:
                    if x < y and self._overlap(x, y):
                        pairs.add((x, y))
        return pairs

    def related(self) -> set[tuple[int, int]]:
        """Every pair within a family (some overlap too little to count either way)."""
        families: dict[int, list[int]] = defaultdict(list)
        for i, p in self.planted.items():
            families[p.family].append(i)
        return {(x, y) for m in families.values() for x in m for y in m if x < y}

    def _overlap(self, x: int, y: int) -> bool:
        a, b = self.planted[x], self.planted[y]
        common = min(a.hi, b.hi) - max(a.lo, b.lo)
        return common * 2 >= min(a.hi - a.lo, b.hi - b.lo)


def variant(
    base: list[str], kind: str, rng: random.Random, vocab: list[str]
) -> tuple[str, int, int, int]:
    """A copy of `base` (a list of words) changed as `kind` says."""
    words = list(base)
    lo, hi, replaced = 0, len(words), 0
    if "trimmed" in kind:
        keep = max(6, round(len(words) * rng.uniform(0.55, 0.80)))
        lo = rng.randint(0, len(words) - keep)
        hi = lo + keep
        words = words[lo:hi]
    if "reworded" in kind:
        replaced = rng.randint(1, 3)
        for position in rng.sample(range(1, len(words)), min(replaced, len(words) - 1)):
            words[position] = rng.choice(vocab)
    text = " ".join(words)
    if kind == "noise":
        text = _noise(text, rng)
    return text, lo, hi, replaced


def _noise(text: str, rng: random.Random) -> str:
    choice = rng.randrange(5)
    if choice == 0:
        return text.lower()
    if choice == 1:
        return text.upper()
    if choice == 2:
        return text.replace("'", "’").replace(" - ", " — ").replace(",", "")
    if choice == 3:
        return "“" + text.rstrip(".") + ",” he said."
    return re.sub(r"[,.;:]", "", text)


def generate(sentences: int, seed: int = 0, family_share: float = FAMILY_SHARE) -> Corpus:
    """A corpus of about `sentences` units grouped in documents of ~20 sentences."""
    markov = Markov(seed_texts(), seed)
    rng = random.Random(seed + 7)
    docs = max(2, sentences // SENTENCES_PER_DOC)
    slots: list[list[tuple[str, Planted | None]]] = [[] for _ in range(docs)]
    planted_total = 0
    family = 0
    vocab = [w for w in markov.words if w.isalpha()]
    while planted_total < sentences * family_share * 3:
        base_text = markov.sentence(min_words=16, max_words=40)
        base = base_text.split()
        size = rng.randint(2, 4)
        chosen = rng.sample(range(docs), min(size, docs))
        kinds = ["base"] + [rng.choice(KINDS) for _ in chosen[1:]]
        for doc, kind in zip(chosen, kinds, strict=True):
            if kind == "base":
                text, lo, hi, replaced = base_text, 0, len(base), 0
            else:
                text, lo, hi, replaced = variant(base, kind, rng, vocab)
            slots[doc].append((text, Planted(family, kind, lo, hi, replaced)))
            planted_total += 1
        family += 1
    filler_needed = max(0, sentences - planted_total)
    for k in range(filler_needed):
        slots[k % docs].append((markov.sentence(), None))
    corpus = Corpus(units=[])
    for d, items in enumerate(slots):
        rng.shuffle(items)
        doc = f"d{d:07d}"
        offset = 0
        for seq, (text, origin) in enumerate(items):
            if origin is not None:
                corpus.planted[len(corpus.units)] = origin
            corpus.units.append(Unit(doc, offset, offset + len(text), text, seq=seq))
            offset += len(text) + 1
    return corpus


if __name__ == "__main__":
    sample = generate(200, seed=1)
    for unit in sample.units[:12]:
        print(unit.doc, sample.planted.get(sample.units.index(unit)), unit.text)
