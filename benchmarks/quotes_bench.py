"""How long find_quotes takes: the longest bundled article and two 1 MB articles.

    .venv/bin/python benchmarks/quotes_bench.py [--runs 7] [--only varied|repeated|seed]
    .venv/bin/python benchmarks/quotes_bench.py --write varied.txt   # the text, to look at

The 1 MB article that matters ("1 MB varied") does not repeat itself: a finder that
reads something once per distinct phrase gains nothing a real long article would not
give it. It is written from the bundled articles: narrative sentences come from a word
chain over their quote-free sentences (each word followed by a word that follows it
there), and the people are made up (several hundred, each with a first name, a surname,
a title and a gender), introduced in full and then named by surname or pronoun, as news
does. Quotes come in the attribution shapes of the bundled articles, in about their
proportions ("…,” Varenko said.", "said Gen. Ilse Varenko", "X told Y", "X wrote on X:",
a pronoun, a quote split by its attribution, one over two paragraphs, a reported phrase,
a nested quote, "according to", a quote with no speaker, scare quotes) and at their
density: a quote for every 480 characters, as in the bundled articles (119 in 57,316).
The quoted words come from the same chain. A fixed random seed makes it the same text on
every run and every checkout.

"1 MB repeated" is the bundled articles repeated until 1,000,000 characters: every
sentence is there 17 times, which flatters anything cached per distinct text.

Each article is timed --runs times; the table gives the medians of the wall-clock time
and of the process's CPU time. On a busy machine the wall clock also counts the time
spent waiting for a core; the CPU time is the finder's own cost.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store import open_store  # noqa: E402
from store.corpus import bundled_seed_paths  # noqa: E402
from store.importing.ingest import import_paths  # noqa: E402
from store.quotes import find_quotes  # noqa: E402

SIZE = 1_000_000
# The bundled articles' density: 119 quotes in 57,316 characters.
CHARS_PER_QUOTE = 57_316 / 119
PEOPLE = 600
CAST = (3, 7)  # people per section, a section being about one news article long
SECTION_CHARS = (2_000, 9_000)

QUOTE_MARK_RE = re.compile(r"[\"“”‘„«»「」]|(?<!\w)['’]|['’](?!\w)")
SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]")

SYLLABLES_FIRST = "ka ma li an to re sa vi el no da mi ju be ro se la ni ar ha".split()
SYLLABLES_SUR = (
    "var en ko tal mir ost bel rud shen gor lan fie kov dal mun pet sar hol tri zan".split()
)
SURNAME_ENDINGS = ["", "ov", "enko", "son", "ez", "i", "a", "berg", "ski", "man"]
TITLES = [
    "", "", "", "Gen.", "Foreign Minister", "Defence Secretary", "Sen.", "Dr.", "Ambassador",
    "Prime Minister", "spokesperson", "former envoy", "U.S. Secretary of State", "Lt. Col.",
]
NATIONALITIES = ["", "", "", "", "French", "Ukrainian", "German", "British", "Polish"]
OUTLETS = ["CNN", "Fox Business", "Reuters", "the BBC", "Politico", "reporters", "the paper"]
VERBS_AFTER = ["said", "said", "said", "added", "told reporters", "warned", "argued", "insisted"]
SCARE = ["so-called", "dubbed", "known as"]
# Attribution shapes and their weights, about the bundled articles' mix.
SHAPES = {
    "said_after": 16, "inverted": 5, "pronoun": 13, "said_before": 8, "told": 4, "wrote": 1,
    "phrase": 30, "split": 12, "multi": 4, "nested": 2, "according": 2, "none": 4, "scare": 3,
}
Person = tuple[str, str, str, str]  # title, first name, surname, pronoun
ANON = ["a senior NATO official", "one European diplomat", "a source familiar with the talks"]


def seed_texts() -> list[str]:
    with open_store(":memory:") as store:
        import_paths(store, bundled_seed_paths())
        return [store.document_text(i) for i in store.document_ids()]


def word_chain(texts: list[str]) -> dict[str, list[str]]:
    """Each word of the bundled articles' quote-free sentences -> the words after it ("" ends
    a sentence, and the chain's start is the key "")."""
    chain: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        for sentence in SENTENCE_RE.findall(text):
            if QUOTE_MARK_RE.search(sentence):
                continue
            words = sentence.split()
            if len(words) < 6:
                continue
            for a, b in zip([""] + words, words + [""], strict=True):
                chain[a].append(b)
    return chain


class Writer:
    """The varied article, paragraph by paragraph (paragraphs are lines, as stored)."""

    def __init__(self, texts: list[str], seed: int = 14) -> None:
        self.rng = random.Random(seed)
        self.chain = word_chain(texts)
        self.people = self._people()
        self.lines: list[str] = []
        self.size = 0
        self.quotes = 0
        self.dq, self.sq = ('"', '"'), ("'", "'")

    def _people(self) -> list[Person]:
        """(title, first name, surname, pronoun), distinct surnames."""
        rng = self.rng
        seen: set[str] = set()
        people = []
        while len(people) < PEOPLE:
            sur = "".join(rng.choice(SYLLABLES_SUR) for _ in range(rng.randint(1, 2)))
            sur = (sur + rng.choice(SURNAME_ENDINGS)).capitalize()
            if sur in seen or len(sur) < 4:
                continue
            seen.add(sur)
            first = "".join(rng.choice(SYLLABLES_FIRST) for _ in range(rng.randint(2, 3)))
            title = " ".join(t for t in (rng.choice(NATIONALITIES), rng.choice(TITLES)) if t)
            people.append((title, first.capitalize(), sur, rng.choice(["he", "she"])))
        return people

    # -- prose ---------------------------------------------------------------

    def words(self, low: int, high: int) -> str:
        """A chain of `low` to about `high` words, no final full stop."""
        rng = self.rng
        out: list[str] = []
        word = ""
        while True:
            followers = self.chain[word]
            word = rng.choice(followers)
            if not word:
                if len(out) >= low:
                    break
                word = ""
                continue
            out.append(word)
            if len(out) >= high and word[-1:] not in ",;:":
                break
        text = " ".join(out).rstrip(".!?,;:")
        return text[:1].upper() + text[1:]

    def sentence(self) -> str:
        return self.words(8, 30) + "."

    def clause(self) -> str:
        """Words for inside a sentence: lower case first letter unless a name."""
        text = self.words(5, 14)
        return text if text[:2].isupper() or " " not in text else text[:1].lower() + text[1:]

    def add(self, line: str, quotes: int = 0) -> None:
        self.lines.append(line)
        self.size += len(line) + 1
        self.quotes += quotes

    # -- the article -----------------------------------------------------------

    def write(self) -> str:
        while self.size < SIZE:
            self.section()
        return "\n".join(self.lines)[:SIZE]

    def section(self) -> None:
        rng = self.rng
        cast = rng.sample(self.people, rng.randint(*CAST))
        straight = rng.random() < 0.5
        self.dq, self.sq = (('"', '"'), ("'", "'")) if straight else (("“", "”"), ("‘", "’"))
        introduced: set[str] = set()
        end = self.size + rng.randint(*SECTION_CHARS)
        self.add(self.words(5, 12))  # a headline
        while self.size < end and self.size < SIZE:
            if self.quotes * CHARS_PER_QUOTE < self.size:
                person = rng.choice(cast)
                self.quote_paragraph(person, person[2] in introduced)
                introduced.add(person[2])
            else:
                self.add(" ".join(self.sentence() for _ in range(rng.randint(1, 3))))

    def full(self, person: Person) -> str:
        title, first, sur, _ = person
        return f"{title} {first} {sur}".strip()

    def q(self, words: str, end: str = "") -> str:
        return f"{self.dq[0]}{words}{end}{self.dq[1]}"

    def quote_paragraph(self, person: Person, known: bool) -> None:
        """One paragraph with a quote (two for a split or a long quote) in one of SHAPES."""
        rng = self.rng
        name = person[2] if known else self.full(person)
        verb = rng.choice(VERBS_AFTER)
        shape = rng.choices(list(SHAPES), list(SHAPES.values()))[0]
        lead = self.sentence() + " " if rng.random() < 0.4 else ""
        getattr(self, f"_{shape}")(person, name, verb, lead)

    def _said_after(self, person: Person, name: str, verb: str, lead: str) -> None:
        self.add(f"{lead}{self.q(self.words(6, 25), ',')} {name} {verb}.", 1)

    def _inverted(self, person: Person, name: str, verb: str, lead: str) -> None:
        self.add(f"{lead}{self.q(self.words(6, 25), ',')} said {self.full(person)}.", 1)

    def _pronoun(self, person: Person, name: str, verb: str, lead: str) -> None:
        if name != person[2]:
            self.add(f"{self.full(person)} {self.clause()}.")
        self.add(f"{self.q(self.words(6, 25), ',')} {person[3]} {verb}.", 1)

    def _said_before(self, person: Person, name: str, verb: str, lead: str) -> None:
        self.add(f"{lead}{name} said: {self.q(self.words(8, 30), '.')}", 1)

    def _told(self, person: Person, name: str, verb: str, lead: str) -> None:
        outlet = self.rng.choice(OUTLETS)
        self.add(f"{self.q(self.words(6, 25), ',')} {name} told {outlet}.", 1)

    def _wrote(self, person: Person, name: str, verb: str, lead: str) -> None:
        self.add(f"{name} wrote on X: {self.q(self.words(8, 30), '.')}", 1)

    def _phrase(self, person: Person, name: str, verb: str, lead: str) -> None:
        o, c = self.sq if self.rng.random() < 0.5 else self.dq
        self.add(
            f"{lead}{name} said the {self.clause()} was {o}{self.words(2, 6).lower()}{c} "
            f"and {self.clause()}.",
            1,
        )

    def _split(self, person: Person, name: str, verb: str, lead: str) -> None:
        first = self.q(self.words(5, 15), ",")
        self.add(f"{first} {name} {verb}. {self.q(self.words(6, 20), '.')}", 2)

    def _multi(self, person: Person, name: str, verb: str, lead: str) -> None:
        self.add(f"{self.dq[0]}{self.words(10, 30)}.")  # left open: the next line goes on
        self.add(f"{self.q(self.words(6, 20), ',')} {name} {verb}.", 2)

    def _nested(self, person: Person, name: str, verb: str, lead: str) -> None:
        inner = f"{self.sq[0]}{self.words(6, 12)}{self.sq[1]}"
        outer = self.q(self.clause() + " " + inner + " " + self.clause(), ",")
        self.add(f"{outer} {name} {verb}.", 1)

    def _according(self, person: Person, name: str, verb: str, lead: str) -> None:
        rng = self.rng
        quoted = self.q(self.words(3, 8).lower())
        source = rng.choice([self.full(person), rng.choice(ANON)])
        self.add(f"The {self.clause()} was {quoted}, according to {source}.", 1)

    def _none(self, person: Person, name: str, verb: str, lead: str) -> None:
        self.add(f"{self.sentence()} {self.q(self.words(6, 20), '.')}", 1)

    def _scare(self, person: Person, name: str, verb: str, lead: str) -> None:
        scare = self.rng.choice(SCARE)
        self.add(
            f"{lead}{name} {self.clause()} a {scare} "
            f"{self.dq[0]}{self.words(2, 4).title()}{self.dq[1]} {self.clause()}."
        )


def varied_article(texts: list[str]) -> str:
    return Writer(texts).write()


def repeated_article(texts: list[str]) -> str:
    corpus = "\n".join(texts)
    return (corpus * (SIZE // len(corpus) + 1))[:SIZE]


def timed(text: str, runs: int) -> tuple[float, float, int]:
    """Median wall-clock ms, median CPU ms and the number of quotes found."""
    wall: list[float] = []
    cpu: list[float] = []
    count = 0
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        count = len(find_quotes(text))
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--only", choices=["seed", "varied", "repeated"])
    parser.add_argument("--write", type=Path, help="Write the varied article here and stop.")
    args = parser.parse_args()
    texts = seed_texts()
    if args.write:
        args.write.write_text(varied_article(texts), encoding="utf-8")
        return
    articles = {
        "seed": ("longest bundled", lambda: max(texts, key=len)),
        "varied": ("1 MB varied", lambda: varied_article(texts)),
        "repeated": ("1 MB repeated", lambda: repeated_article(texts)),
    }
    print("| article | characters | quotes | median ms | median CPU ms |")
    print("|---|---:|---:|---:|---:|")
    for key, (name, make) in articles.items():
        if args.only and key != args.only:
            continue
        text = make()
        ms, cpu_ms, count = timed(text, args.runs)
        print(f"| {name} | {len(text):,} | {count:,} | {ms:.1f} | {cpu_ms:.1f} |")


if __name__ == "__main__":
    main()
