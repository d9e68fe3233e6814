"""Generated news corpora with planted statements, for the echo benchmark (`echo_bench.py`).

Built from how news text behaves, not from how Sidenote's linker works (nothing here
imports `store`): articles are a dateline and paragraphs of reporter's sentences made
by a small phrase grammar (noun phrases, verb phrases, prepositional phrases with
dates, places, numbers and names), over word lists drawn with a Zipf-like law. Real
English words fill the frequent ranks; the long tail is made-up words, so the number
of word types keeps growing with the corpus as in real news (Heaps' law). Stock
phrases ("said in a statement on Tuesday", "did not immediately respond to a request
for comment"), titled names and agency datelines recur across many articles.

Statements are planted into 2-5 articles each, one kind of echo per arm:

- `verbatim`: exact copies (the control);
- `embedded-quote`: the statement (maybe cut) quoted inside a reporter's sentence with a
  speech verb: `Kellogg said "..." on Tuesday.`;
- `stripped`: lowercased, punctuation removed, no full stop, running into the next
  sentence;
- `trimmed-reworded`: 55-80% of the words kept (cut from either end or both), 1-3 words
  replaced by a synonym-like word or a random one;
- `split`: "A, and B." written by one outlet as "A. B" with the connective changed;
- `same-topic`: pairs of different statements built on the same topic words, each
  copied verbatim; links between the two of a pair are false;
- `common-words` is not an arm inside a corpus but a vocabulary: `generate(...,
  vocabulary="common")` draws filler and statements from ~2,000 fixed words, so in a
  large corpus every word bigram is common.

Each statement's first place is written in full (as a sentence of its own, maybe
quoted with an attribution); the others are the arm's echo. The gold is every place
(document id, start, end in code points, end exclusive, `text == doc[start:end]`),
and the spans of stock phrases and datelines (which must never be linked).

    .venv/bin/python benchmarks/echo_corpus.py 200 --seed 1     # print a sample
"""

from __future__ import annotations

import argparse
import random
import re
from collections import Counter
from dataclasses import dataclass, field

# -- vocabulary ------------------------------------------------------------------------
# Frequent news words first (roughly by frequency): the Zipf draw maps low ranks here.

NOUNS = """
government people officials year week police country state president minister talks
deal city court war military security report plan law election party leader members
time group company forces troops country's ministry economy market prices workers
border attack people's agreement percent money support region decision statement
months years days spokesman parliament administration office officials' question
power rights health families children women students residents lawmakers voters
system policy budget tax taxes funding aid program project investigation case trial
judge lawyers charges evidence prosecutors suspects victims protesters protest crisis
conflict ceasefire peace sanctions weapons missiles drones strikes attacks casualties
hospital schools water fuel energy gas oil power electricity food supplies shortages
bank banks rates inflation growth jobs unemployment wages trade exports imports tariffs
companies firms shares investors analysts industry sector production factory plant
climate weather storm flooding fire wildfire earthquake damage rescue emergency
campaign candidates vote votes ballot polls results seats coalition opposition
committee council board agency department service services union unions strike
negotiations proposal measures reforms changes rules regulations restrictions
intelligence officials network networks internet data technology platform users
contract contracts billion million dollars euros costs spending debt deficit loans
summit meeting visit talks' delegation envoy diplomats embassy allies partners
territory region's villages town towns capital streets district province areas
guarantees commitment promise threat risk concerns warning pressure demands response
situation issue issues problem problems challenge progress steps effort efforts
access control authority authorities operation operations mission units soldiers
army navy officers commander commanders fighters militants rebels prisoners hostages
border's migrants refugees asylum camps shelter aid's convoy route corridor port
""".split()

VERBS = """
said announced agreed rejected approved signed launched warned called expected
planned accused denied confirmed reported killed arrested injured raised cut
increased reduced ended began opened closed held met discussed proposed supported
blocked urged criticized welcomed condemned ordered banned allowed sent received
offered demanded refused delayed postponed resumed suspended extended expanded
imposed lifted struck hit destroyed captured seized fired released returned moved
reached won lost secured faced pushed pressed sought backed dropped passed voted
filed sued charged convicted sentenced fined paid spent invested borrowed sold bought
built repaired restored protected defended attacked targeted deployed withdrew
""".split()

BASE_VERBS = """
accept support stop protect end build bring keep allow give take make help continue
change pay reach find send provide meet face push defend restore ensure guarantee
negotiate sign respect reject discuss fight win lose hold open close offer demand
""".split()

ADJECTIVES = """
new former local national federal international military economic political public
foreign senior major key top large small high low strong weak long short last next
early late final full serious significant important critical possible potential
recent current similar different human civilian regional global domestic legal
financial private official independent joint direct clear difficult hard simple
open free fair safe dangerous violent peaceful nuclear western eastern northern
southern central russian european american chinese british french german ukrainian
annual monthly daily temporary permanent previous initial broad limited further
""".split()

ADVERBS = """
also still already now again never always quickly recently immediately largely
nearly fully directly publicly openly repeatedly sharply slightly widely finally
""".split()

PREPOSITIONS = (
    "in on at for with from about after before over under against during since near".split()
)
DETERMINERS = "the the the the a a an this that its their our his her some several many".split()
CONNECTIVES = ["and", "but", "because", "while", "so", "although"]
SPLIT_CONNECTIVES = {
    "and": ["Also,", "And", "In addition,"],
    "but": ["However,", "Still,", "Yet"],
    "because": ["That is because", "The reason is that", ""],
    "while": ["Meanwhile,", "At the same time,", ""],
    "so": ["That is why", "So", "Therefore,"],
    "although": ["Even so,", "Still,", "But"],
}
SUBJECTS = [
    "we", "I", "the government", "this administration", "our country", "the people",
    "nobody", "everyone", "the president", "this agreement", "the situation", "they",
]  # fmt: skip
MODALS = ["will", "will not", "cannot", "must", "should", "would", "could", "need to", "plan to"]
OPINION = ["I think", "we believe", "it is clear that", "the fact is", "frankly,", "we know that"]

SYNONYMS = {
    "said": "stated", "talks": "negotiations", "negotiations": "talks", "deal": "agreement",
    "agreement": "deal", "troops": "soldiers", "soldiers": "troops", "attack": "assault",
    "large": "big", "big": "large", "help": "assist", "end": "stop", "stop": "halt",
    "begin": "start", "start": "begin", "people": "citizens", "country": "nation",
    "nation": "country", "support": "backing", "rejected": "dismissed", "quickly": "rapidly",
    "important": "crucial", "crucial": "important", "serious": "grave", "will": "would",
    "would": "will", "cannot": "can't", "must": "have to", "threat": "danger",
    "guarantees": "assurances", "plan": "proposal", "proposal": "plan", "aid": "assistance",
    "strong": "robust", "leaders": "heads", "officials": "authorities", "war": "conflict",
    "conflict": "war", "new": "fresh", "cut": "reduced", "increased": "raised",
    "never": "not ever", "now": "today", "we": "our side", "continue": "keep going",
}  # fmt: skip

DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
MONTHS = ("January February March April May June July August September October November "
          "December").split()  # fmt: skip
PLACES = """
Washington Moscow Kyiv London Paris Berlin Brussels Beijing Tokyo Geneva Vienna Rome
Madrid Warsaw Ankara Cairo Tehran Jerusalem Gaza Beirut Damascus Baghdad Riyadh Doha
Istanbul Delhi Islamabad Kabul Seoul Manila Jakarta Bangkok Hanoi Sydney Ottawa
Mexico Havana Caracas Bogota Lima Brasilia Nairobi Lagos Johannesburg Khartoum Tripoli
Minsk Tbilisi Yerevan Baku Helsinki Oslo Stockholm Copenhagen Dublin Lisbon Athens
""".split()
AGENCIES = ["Reuters", "AP", "AFP", "dpa", "Bloomberg", "Kyodo", "Xinhua", "Anadolu"]
OUTLETS = ["NBC News", "the BBC", "CNN", "Fox News", "The Times", "Le Monde", "Al Jazeera"]
FIRST = """
John Michael David James Robert Mark Peter Paul Andrew Thomas Daniel Steven Richard
Mary Anna Maria Elena Sarah Laura Julia Olga Natalia Sophie Emma Claire Karen Linda
Ahmed Mohammed Ali Hassan Omar Yusuf Sergei Dmitry Igor Oleksandr Andriy Viktor Jan
Pierre Jean Luis Carlos Jose Miguel Hiroshi Kenji Li Wei Chen Raj Amit Kofi Samuel
""".split()
SURNAMES = """
Kellogg Miller Smith Johnson Brown Walker Harris Clark Lewis Young Hall Allen Wright
King Scott Green Baker Adams Nelson Carter Mitchell Roberts Turner Phillips Campbell
Parker Evans Edwards Collins Stewart Morris Rogers Reed Cook Morgan Bell Murphy Bailey
Petrov Ivanov Sokolov Volkov Kovalenko Shevchenko Bondarenko Melnyk Novak Kowalski
Nowak Schmidt Schneider Fischer Weber Meyer Wagner Becker Dubois Martin Bernard Moreau
Rossi Russo Ferrari Garcia Martinez Lopez Gonzalez Rodriguez Hernandez Perez Sanchez
Tanaka Suzuki Watanabe Kim Park Lee Wang Zhang Liu Khan Singh Patel Haddad Nasser
""".split()
TITLES = [
    "President", "Prime Minister", "Foreign Minister", "Defense Minister", "Secretary of State",
    "Finance Minister", "Interior Minister", "Senator", "Governor", "Mayor", "General",
    "spokesman", "spokeswoman", "Ambassador", "Chancellor", "Special Envoy",
]  # fmt: skip
ORGS = [
    "the United Nations", "NATO", "the European Union", "the World Bank", "the Kremlin",
    "the White House", "the Pentagon", "the State Department", "the central bank",
    "the International Monetary Fund", "the Red Cross", "the foreign ministry",
    "the defense ministry", "the health ministry", "the supreme court", "Congress",
]  # fmt: skip
SPEECH = ["said", "told reporters", "said in a statement", "added", "warned", "insisted",
          "stressed", "wrote on social media", "told a news conference", "argued"]  # fmt: skip
STOCK = [
    "said in a statement on {day}",
    "told reporters on {day}",
    "did not immediately respond to a request for comment",
    "according to a person familiar with the matter",
    "speaking on condition of anonymity because they were not authorized to speak publicly",
    "said in an interview with {outlet}",
    "the {title} said at a news conference in {place} on {day}",
    "officials said on {day}",
    "according to a statement released by {org}",
    "declined to comment on the report",
    "could not be reached for comment",
    "according to local media reports",
]  # fmt: skip

COMMON_SIZE = 2000  # fixed vocabulary of the common-words corpora
COMMON_ALPHA = 1.3  # and a steeper law within it: most words are among the first few hundred
COMMON_OFFSET = 6
COMMON_NUMBERS = ["two", "three", "five", "10", "12", "20", "100", "1,000", "$1 billion"]
ZIPF_ALPHA = 0.6  # rank tail P(rank > r) ~ r^-alpha: word frequency ~ rank^-(1 + alpha)
ZIPF_OFFSET = 40
SENTENCES_PER_DOC = 20
FAMILY_SIZE = (2, 5)
ARMS = ("verbatim", "embedded-quote", "stripped", "trimmed-reworded", "split", "same-topic")
NEGATIVE = "stock-phrase"
_PUNCT = re.compile(r"[^\w\s]")
_SENTENCE = re.compile(r"(?<=[.!?])[\"']?\s+")

_ONSETS = ["b", "br", "c", "ch", "d", "dr", "f", "g", "gr", "h", "k", "l", "m", "n", "p",
           "pr", "r", "s", "sh", "st", "t", "tr", "v", "w"]  # fmt: skip
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ou"]
_CODAS = ["", "n", "r", "l", "s", "t", "nd", "rk", "st", "m"]


def made_up_word(rank: int) -> str:
    """A pronounceable word for a tail rank: distinct ranks give distinct words, and lower
    ranks get shorter words (two syllables, then three, then four), as in real language."""
    syllable = len(_ONSETS) * len(_VOWELS) * len(_CODAS)
    for count in (2, 3, 4, 5):
        band = syllable**count
        if rank < band:
            code = (rank * 1_000_003) % band  # a bijection of the band (1000003 is prime)
            parts = []
            for _ in range(count):
                code, s = divmod(code, syllable)
                s, coda = divmod(s, len(_CODAS))
                onset, vowel = divmod(s, len(_VOWELS))
                parts.append(_ONSETS[onset] + _VOWELS[vowel] + _CODAS[coda])
            return "".join(parts)
        rank -= band
    raise ValueError("rank beyond the made-up lexicon")


class Lexicon:
    """Word classes drawn with a Zipf-like law; in `common` mode each class is capped so
    the whole vocabulary is about COMMON_SIZE words whatever the corpus size."""

    def __init__(self, rng: random.Random, vocabulary: str) -> None:
        if vocabulary not in ("news", "common"):
            raise ValueError(f"vocabulary must be news or common, not {vocabulary!r}")
        self.rng = rng
        self.common = vocabulary == "common"
        # Shares of the ~2,000 common words, by class (nouns dominate news vocabulary).
        share = {"noun": 0.5, "verb": 0.18, "base": 0.07, "adj": 0.17, "surname": 0.08}
        self.caps = {k: int(COMMON_SIZE * v) for k, v in share.items()}
        self.lists = {"noun": NOUNS, "verb": VERBS, "base": BASE_VERBS, "adj": ADJECTIVES,
                      "surname": SURNAMES}  # fmt: skip
        self.offsets = {"noun": 0, "verb": 1 << 22, "base": 2 << 22, "adj": 3 << 22,
                        "surname": 4 << 22}  # fmt: skip
        self.names: dict[str, str] = {}

    def rank(self, cap: int | None = None) -> int:
        if cap is None:
            return int(ZIPF_OFFSET * (self.rng.paretovariate(ZIPF_ALPHA) - 1))
        while True:  # the law truncated to the fixed vocabulary
            r = int(COMMON_OFFSET * (self.rng.paretovariate(COMMON_ALPHA) - 1))
            if r < cap:
                return r

    def word(self, kind: str) -> str:
        words = self.lists[kind]
        r = self.rank(self.caps[kind] if self.common else None)
        if r < len(words):
            return words[r]
        # Tail words of different classes come from disjoint parts of the lexicon.
        made = made_up_word(self.offsets[kind] + r - len(words))
        return made.capitalize() if kind == "surname" else made

    def name(self) -> str:
        return f"{self.rng.choice(FIRST)} {self.word('surname')}"

    def titled(self) -> str:
        return f"{self.rng.choice(TITLES)} {self.name()}"


# -- sentences ---------------------------------------------------------------------------


class Writer:
    """A reporter's sentences from a phrase grammar over the lexicon."""

    def __init__(self, lex: Lexicon, rng: random.Random) -> None:
        self.lex = lex
        self.rng = rng

    def number(self) -> str:
        rng = self.rng
        if self.lex.common:
            return rng.choice(COMMON_NUMBERS)
        kind = rng.random()
        if kind < 0.4:
            return str(rng.choice([2, 3, 4, 5, 6, 10, 12, 15, 20, 30, 50, 100]) + rng.randrange(5))
        if kind < 0.7:
            return f"{rng.randrange(1, 999):,}"
        if kind < 0.85:
            return f"${rng.randrange(1, 99)}.{rng.randrange(10)} billion"
        return f"{rng.randrange(1, 95)} percent of"

    def date(self) -> str:
        rng = self.rng
        kind = rng.random()
        if kind < 0.5:
            return f"on {rng.choice(DAYS)}"
        if kind < 0.75:
            return f"on {rng.choice(MONTHS)} {rng.randrange(1, 29)}"
        if kind < 0.9:
            return f"in {rng.choice(MONTHS)}"
        return f"since {rng.randrange(1990, 2026)}"

    def np(self, topic: list[str] | None = None, pronoun: bool = True) -> list[str]:
        rng, lex = self.rng, self.lex
        roll = rng.random()
        noun = rng.choice(topic) if topic and rng.random() < 0.6 else lex.word("noun")
        if roll < 0.55:
            words = [rng.choice(DETERMINERS)]
            if rng.random() < 0.35:
                words.append(lex.word("adj"))
            words.append(noun)
            if rng.random() < 0.15:
                words += ["of", "the", lex.word("noun")]
            if words[0] == "a" and words[1][0] in "aeiou":
                words[0] = "an"
            elif words[0] == "an" and words[1][0] not in "aeiou":
                words[0] = "a"
            return words
        if roll < 0.68:
            return lex.name().split() if rng.random() < 0.6 else lex.titled().split()
        if roll < 0.78:
            return [*self.number().split(), noun]
        if roll < 0.86:
            return rng.choice(ORGS).split()
        if roll < 0.93 and pronoun:
            return [rng.choice(["it", "they", "he", "she", "this", "officials"])]
        return [lex.word("adj"), noun]

    def pp(self, topic: list[str] | None = None) -> list[str]:
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            return self.date().split()
        if roll < 0.45:
            return ["in", rng.choice(PLACES)]
        return [rng.choice(PREPOSITIONS), *self.np(topic, pronoun=False)]

    def clause(self, topic: list[str] | None = None) -> list[str]:
        rng, lex = self.rng, self.lex
        words = self.np(topic)
        if rng.random() < 0.15:
            words.append(rng.choice(ADVERBS))
        words.append(lex.word("verb"))
        words += self.np(topic, pronoun=False)
        for _ in range(rng.choice([0, 1, 1, 2])):
            words += self.pp(topic)
        return words

    def filler(self) -> tuple[str, tuple[int, int] | None]:
        """One reporter's sentence; the span of a stock phrase in it, if any."""
        rng = self.rng
        words = self.clause()
        if rng.random() < 0.3:
            words[-1] += ","
            words += [rng.choice(CONNECTIVES), *self.clause()]
        stock = None
        roll = rng.random()
        if roll < 0.18:
            phrase = self.stock()
            head = capitalise(" ".join(words)) + ", "
            text = head + phrase + "."
            return text, (len(head), len(head) + len(phrase))
        if roll < 0.35:
            words = [*self.np(), rng.choice(SPEECH), "that", *words]
        elif roll < 0.55:
            # Quoted remarks are a large part of news text: other people's, not planted.
            who = self.lex.name() if rng.random() < 0.5 else self.lex.titled()
            words = self._remark(None)
            words[-1] += ","
            remark = capitalise(" ".join([*words, rng.choice(CONNECTIVES), *self.clause()]))
            return f'"{remark}," {who} {rng.choice(SPEECH)}.', None
        return capitalise(" ".join(words)) + ".", stock

    def stock(self) -> str:
        rng = self.rng
        return rng.choice(STOCK).format(
            day=rng.choice(DAYS), outlet=rng.choice(OUTLETS), title=rng.choice(TITLES).lower(),
            place=rng.choice(PLACES), org=rng.choice(ORGS),
        )  # fmt: skip

    def statement(
        self, topic: list[str] | None = None, phrase: list[str] | None = None
    ) -> Statement:
        """A quotable remark: two clauses joined by a connective, 14-40 words. A topic
        phrase ("security guarantees for Kyiv"), when given, ends one of the clauses."""
        while True:
            first = self._remark(topic)
            second = self._remark(topic)
            if phrase:
                (first if self.rng.random() < 0.5 else second).extend(phrase)
            words = len(first) + len(second) + 1
            if 14 <= words <= 40:
                return Statement(first, self.rng.choice(CONNECTIVES), second)

    def _remark(self, topic: list[str] | None) -> list[str]:
        rng, lex = self.rng, self.lex
        words: list[str] = []
        if rng.random() < 0.25:
            words += rng.choice(OPINION).split()
        roll = rng.random()
        if roll < 0.5:
            words += [rng.choice(SUBJECTS), *rng.choice(MODALS).split(), lex.word("base"),
                      *self.np(topic)]  # fmt: skip
        else:
            words += self.clause(topic)
        if rng.random() < 0.5:
            words += self.pp(topic)
        return words


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass
class Statement:
    first: list[str]
    connective: str
    second: list[str]

    @property
    def words(self) -> list[str]:
        return [*self.first[:-1], self.first[-1] + ",", self.connective, *self.second]

    def text(self) -> str:
        return capitalise(" ".join(self.words))


# -- documents and the gold ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    """Where a planted statement (or, with statement -1, a stock phrase) lies."""

    doc: str
    start: int
    end: int
    statement: int
    arm: str
    form: str  # full | the arm's echo form | stock


@dataclass
class _Piece:
    """A run of text for a paragraph, with the spans (relative to it) of what it carries."""

    text: str
    spans: list[tuple[int, int, int, str, str]] = field(default_factory=list)
    sentences: int = 1


@dataclass
class EchoCorpus:
    docs: dict[str, str]
    places: list[Place]  # planted statements
    stock: list[Place]  # stock phrases and datelines: never to be linked
    arms: dict[int, str]  # statement -> arm
    vocabulary: str
    sentences: int  # sentences written (a stripped copy and the sentence it runs into count 2)

    def word_types(self) -> int:
        return len(
            {w.lower() for text in self.docs.values() for w in _PUNCT.sub(" ", text).split()}
        )


def generate(sentences: int, seed: int = 0, vocabulary: str = "news") -> EchoCorpus:
    """About `sentences` sentences in articles of ~20, with every arm planted."""
    rng = random.Random(f"{seed}:{vocabulary}:{sentences}")
    lex = Lexicon(rng, vocabulary)
    writer = Writer(lex, rng)
    docs = max(FAMILY_SIZE[1], round(sentences / SENTENCES_PER_DOC))
    families = max(24, sentences // 250)
    bins: list[list[_Piece]] = [[] for _ in range(docs)]
    arms: dict[int, str] = {}
    planted = 0
    statement_id = 0
    for arm in ARMS:
        count = families if arm != "same-topic" else max(12, families // 2)
        for _ in range(count):
            if arm == "same-topic":
                # Two people's different remarks on one topic: shared topic words and
                # a shared topic phrase, as "security guarantees for Ukraine" recurs.
                topic = [lex.word("noun") for _ in range(5)]
                phrase = [lex.word("adj"), topic[0], rng.choice(["for", "in", "on"]),
                          rng.choice(PLACES)]  # fmt: skip
                pair = [writer.statement(topic, phrase), writer.statement(topic, phrase)]
                for stmt in pair:
                    arms[statement_id] = arm
                    planted += _plant(stmt, statement_id, arm, rng, writer, bins,
                                      size=rng.randint(2, 3))  # fmt: skip
                    statement_id += 1
                continue
            arms[statement_id] = arm
            planted += _plant(writer.statement(), statement_id, arm, rng, writer, bins,
                              size=rng.randint(*FAMILY_SIZE))  # fmt: skip
            statement_id += 1
    filler_total = max(0, sentences - planted)
    lengths = [rng.randint(8, 32) for _ in range(docs)]
    scale = filler_total / max(1, sum(lengths))
    written = planted
    for d in range(docs):
        want = max(1, round(lengths[d] * scale))
        for _ in range(want):
            text, stock = writer.filler()
            piece = _Piece(text)
            if stock:
                piece.spans.append((*stock, -1, NEGATIVE, "stock"))
            bins[d].append(piece)
        written += want
    corpus = EchoCorpus({}, [], [], arms, vocabulary, written)
    for d, pieces in enumerate(bins):
        _render(f"e{seed}{vocabulary[0]}{d:06d}", pieces, rng, corpus)
    return corpus


def _plant(stmt: Statement, sid: int, arm: str, rng: random.Random, writer: Writer,
           bins: list[list[_Piece]], size: int) -> int:  # fmt: skip
    """Put the statement in `size` different articles: once in full, then its echoes."""
    chosen = rng.sample(range(len(bins)), size)
    count = 0
    first = _full(stmt, sid, arm, rng, writer)
    for k, d in enumerate(chosen):
        if k == 0 or arm in ("verbatim", "same-topic"):
            piece = first  # the whole sentence copied, attribution included (syndication)
        elif arm == "embedded-quote":
            piece = _embedded(stmt, sid, rng, writer)
        elif arm == "stripped":
            piece = _stripped(stmt, sid, writer)
        elif arm == "trimmed-reworded":
            piece = _trimmed_reworded(stmt, sid, rng, writer)
        elif arm == "split":
            piece = _split(stmt, sid, rng)
        else:
            raise ValueError(arm)
        bins[d].append(piece)
        count += piece.sentences
    return count


def _framed(words: str, sid: int, arm: str, form: str, rng: random.Random, writer: Writer,
            end: str = ".") -> _Piece:  # fmt: skip
    """The words as a sentence of their own: plain, or quoted with an attribution."""
    roll = rng.random()
    body = capitalise(words)
    if roll < 0.4:
        return _Piece(body + end, [(0, len(body), sid, arm, form)])
    who = writer.lex.name() if rng.random() < 0.5 else writer.lex.titled()
    if roll < 0.8:
        text = f'"{body}," {who} {rng.choice(SPEECH)}.'
        return _Piece(text, [(1, 1 + len(body), sid, arm, form)])
    head = f'{who} {rng.choice(SPEECH)}: "'
    return _Piece(f'{head}{body}{end}"', [(len(head), len(head) + len(body), sid, arm, form)])


def _full(stmt: Statement, sid: int, arm: str, rng: random.Random, writer: Writer) -> _Piece:
    return _framed(" ".join(stmt.words), sid, arm, "full", rng, writer)


def _cut(words: list[str], rng: random.Random, low: float, high: float) -> list[str]:
    """A contiguous run of `low`-`high` of the words, cut from the start, the end or both."""
    keep = max(6, round(len(words) * rng.uniform(low, high)))
    keep = min(keep, len(words))
    where = rng.choice(["start", "end", "both"])
    lo = {"start": len(words) - keep, "end": 0, "both": rng.randint(0, len(words) - keep)}[where]
    return words[lo : lo + keep]


def _embedded(stmt: Statement, sid: int, rng: random.Random, writer: Writer) -> _Piece:
    words = stmt.words if rng.random() < 0.5 else _cut(stmt.words, rng, 0.6, 0.95)
    quote = " ".join(words).rstrip(",")  # words keep their own case: mid-sentence, no capital
    who = writer.lex.name() if rng.random() < 0.5 else writer.lex.titled()
    verb = rng.choice(["said", "told reporters", "warned", "insisted", "said that",
                       "wrote that", "added that"])  # fmt: skip
    tail = rng.choice([f" {writer.date()}", f" in {rng.choice(PLACES)}", "",
                       f" {writer.date()}, according to {rng.choice(AGENCIES)}",
                       f", in remarks that drew criticism from {rng.choice(ORGS)}"])  # fmt: skip
    lead = rng.choice(["", f"{capitalise(writer.date())}, ", "In a speech, "])
    head = f'{lead}{who} {verb} "'
    text = f'{capitalise(head)}{quote}"{tail}.'
    return _Piece(text, [(len(head), len(head) + len(quote), sid, "embedded-quote", "embedded")])


def _stripped(stmt: Statement, sid: int, writer: Writer) -> _Piece:
    body = " ".join(_PUNCT.sub("", " ".join(stmt.words).lower()).split())
    follow, stock = writer.filler()
    follow = follow[0].lower() + follow[1:]
    text = f"{body} {follow}"
    spans = [(0, len(body), sid, "stripped", "stripped")]
    if stock:
        spans.append((stock[0] + len(body) + 1, stock[1] + len(body) + 1, -1, NEGATIVE, "stock"))
    return _Piece(text, spans, sentences=2)


def _trimmed_reworded(stmt: Statement, sid: int, rng: random.Random, writer: Writer) -> _Piece:
    words = _cut(stmt.words, rng, 0.55, 0.80)
    changes = rng.randint(1, 3)
    for position in rng.sample(range(len(words)), min(changes, len(words))):
        old = words[position]
        core = old.rstrip(",")
        if core.lower() in SYNONYMS and rng.random() < 0.6:
            fresh = SYNONYMS[core.lower()]
        else:
            fresh = writer.lex.word(rng.choice(["noun", "adj", "verb"]))
        words[position] = fresh + old[len(core) :]
    text = " ".join(words).rstrip(",")
    return _framed(text, sid, "trimmed-reworded", "trimmed-reworded", rng, writer)


def _split(stmt: Statement, sid: int, rng: random.Random) -> _Piece:
    first = capitalise(" ".join(stmt.first))
    joiner = rng.choice(SPLIT_CONNECTIVES[stmt.connective])
    second = " ".join(stmt.second)
    second = f"{joiner} {second}" if joiner else capitalise(second)
    text = f"{first}. {capitalise(second)}"
    return _Piece(text + ".", [(0, len(text), sid, "split", "split")], sentences=2)


def _render(doc: str, pieces: list[_Piece], rng: random.Random, corpus: EchoCorpus) -> None:
    """The article's text: a dateline, then paragraphs of 1-3 pieces; records the gold."""
    rng.shuffle(pieces)
    place = rng.choice(PLACES).upper()
    agency = rng.choice(AGENCIES)
    dateline = rng.choice([f"{place} ({agency}) - ", f"{place}, {rng.choice(MONTHS)} "
                           f"{rng.randrange(1, 29)} ({agency}) - "])  # fmt: skip
    text_parts: list[str] = []
    offset = 0
    corpus.stock.append(Place(doc, 0, len(dateline) - 3, -1, NEGATIVE, "dateline"))
    paragraph: list[_Piece] = []
    paragraphs: list[list[_Piece]] = []
    for piece in pieces:
        paragraph.append(piece)
        if len(paragraph) >= rng.choice([1, 2, 2, 3]):
            paragraphs.append(paragraph)
            paragraph = []
    if paragraph:
        paragraphs.append(paragraph)
    for p, para in enumerate(paragraphs):
        if p:
            text_parts.append("\n\n")
            offset += 2
        elif dateline:
            text_parts.append(dateline)
            offset += len(dateline)
        for k, piece in enumerate(para):
            if k:
                text_parts.append(" ")
                offset += 1
            for lo, hi, sid, arm, form in piece.spans:
                target = corpus.stock if sid < 0 else corpus.places
                target.append(Place(doc, offset + lo, offset + hi, sid, arm, form))
            text_parts.append(piece.text)
            offset += len(piece.text)
    corpus.docs[doc] = "".join(text_parts)


def common_bigram_share(corpus: EchoCorpus, fraction: float = 0.001) -> float:
    """Share of the planted statements' word bigrams found in more than `fraction` of the
    corpus's sentences: how far a corpus is from having any rare bigram left to find
    a statement by. A property of the text, measured with a rough sentence split."""
    df: Counter[tuple[str, str]] = Counter()
    sentences = 0
    for text in corpus.docs.values():
        for sentence in _SENTENCE.split(text):
            words = _PUNCT.sub(" ", sentence.lower()).split()
            df.update(set(zip(words, words[1:], strict=False)))
            sentences += 1
    common = total = 0
    for place in corpus.places:
        if place.form != "full":
            continue
        words = _PUNCT.sub(" ", corpus.docs[place.doc][place.start : place.end].lower()).split()
        for bigram in set(zip(words, words[1:], strict=False)):
            total += 1
            common += df[bigram] > fraction * sentences
    return common / total if total else 0.0


def check(corpus: EchoCorpus) -> None:
    """Every gold span is exact text of its document, without surrounding white space."""
    for place in [*corpus.places, *corpus.stock]:
        text = corpus.docs[place.doc][place.start : place.end]
        if not text or text != text.strip():
            raise AssertionError(f"bad span {place}: {text!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description="print a sample echo corpus")
    parser.add_argument("sentences", type=int, nargs="?", default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--vocabulary", choices=["news", "common"], default="news")
    args = parser.parse_args()
    corpus = generate(args.sentences, args.seed, args.vocabulary)
    check(corpus)
    for doc, text in list(corpus.docs.items())[:3]:
        print(f"== {doc}\n{text}\n")
    for place in corpus.places[:40]:
        text = corpus.docs[place.doc][place.start : place.end]
        print(place.statement, place.arm, place.form, repr(text))
    print(f"{len(corpus.docs)} articles, {corpus.sentences} sentences, "
          f"{len(corpus.places)} places, "
          f"{len(corpus.stock)} stock spans, {corpus.word_types()} word types, "
          f"{common_bigram_share(corpus):.0%} of statement bigrams common")  # fmt: skip


if __name__ == "__main__":
    main()
