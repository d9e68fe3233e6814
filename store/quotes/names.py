"""Names in an article: who a noun phrase names, and the fullest form of a surname.

News names a speaker once in full with a title ("U.S. Secretary of State Marco Rubio")
and then by surname ("Rubio said"); a fact-checker wants one spelling per person, the
fullest the article gives, without the title. Organisations and anonymous sources ("a
senior NATO official") are kept in the article's words: there is no name to shorten.
"""

from __future__ import annotations

from collections.abc import Iterator

import regex

# Words that qualify a name rather than being part of it.
TITLES = frozenset(
    """
    president president-elect vice prime minister foreign defence defense interior
    secretary state chancellor general gen gen. lieutenant lt lt. colonel col col.
    major maj. captain admiral retired ret. sergeant special envoy representative
    ambassador spokesman spokeswoman spokesperson senator sen. sen rep. rep governor
    mayor king queen prince princess pope sheikh dr dr. mr mr. mrs mrs. ms ms. prof
    prof. professor sir dame lord lady judge justice chief commander director leader
    deputy senior fellow lecturer head chairman chairwoman chair commissioner
    minister-president premier press commission council house white national
    security adviser advisor aide councillor mp mep the former acting interim
    ukraine russia america europe britain france germany china iran israel kyiv
    moscow washington
    """.split()
)
# Tokens that make a capitalised run an organisation or a place, kept whole.
ORG_WORDS = frozenset(
    """
    journal times post staff ministry institute office kremlin commission council
    agency service department pentagon reuters bloomberg cnn wsj axios telegraph
    guardian government army forces committee bank fund union report paper tass
    news newspaper network party house organization organisation group court parliament
    """.split()
)
ABBREVIATIONS = frozenset({"U.S.", "U.K.", "US", "UK", "UN", "EU", "NATO", "E.U.", "U.N."})
# Capitalised only because they open a sentence: "In Brussels", "As Trump told me".
LEADING_STOPWORDS = frozenset(
    "in on at as but and for when after before while if the a an this that so then "
    "during under with from by to of since although though even indeed".split()
)
NAME_PARTICLES = frozenset("von van der den de del da di al bin le la".split())
# "French", "Ukrainian", "Chinese": nationalities ahead of a name, dropped with the titles.
NATIONALITY_ENDINGS = ("ian", "ish", "ese", "ch", "an")

# A capitalised word; a full stop belongs to it only in an abbreviation ("Gen.", "U.S.").
_WORD = (
    r"(?:(?:Gen|Dr|Mr|Mrs|Ms|Lt|Col|Sen|Rep|St|Jr|Sr|Gov|Prof|Sgt|Adm|Maj|Capt)\."
    r"|\p{Lu}\.(?:\p{Lu}\.)+|\p{Lu}[\p{L}\p{M}'’-]*)"
)
# A run of capitalised words on one line, allowing particles ("Ursula von der Leyen").
NAME_RUN_RE = regex.compile(
    rf"{_WORD}(?:[ \t]+(?:(?:{'|'.join(sorted(NAME_PARTICLES))})[ \t]+)*{_WORD})*"
)
POSSESSIVE_RE = regex.compile(r"['’]s?$")
POSSESSIVE_SPLIT_RE = regex.compile(r"['’]s\s+")


def _clean_token(token: str) -> str:
    return token.rstrip(",;:")


def strip_titles(tokens: list[str]) -> list[str]:
    """Drop leading titles and nationalities: "French Gen. Dominique Trinquand"."""
    out = list(tokens)
    while len(out) > 1:
        head = out[0]
        low = head.lower()
        if (
            low in TITLES
            or head in ABBREVIATIONS
            or low == "of"
            or (head[:1].isupper() and low.endswith(NATIONALITY_ENDINGS) and len(out) > 2)
        ):
            out.pop(0)
        else:
            break
    return out


def name_from_run(run: str) -> str | None:
    """The person or organisation a capitalised run names, titles dropped."""
    # "the Quincy Institute’s Mark Episkopos": the name follows the possessive.
    parts = POSSESSIVE_SPLIT_RE.split(run)
    tail = parts[-1].strip()
    tokens = [_clean_token(t) for t in tail.split()]
    tokens = [t for t in tokens if t]
    while tokens and tokens[0].lower() in LEADING_STOPWORDS:
        tokens.pop(0)
    if not tokens:
        return None
    if tokens[-1].lower().strip(".") in ORG_WORDS:
        return " ".join(tokens)
    tokens = strip_titles(tokens)
    if len(tokens) == 1 and (tokens[0].lower() in TITLES or tokens[0] in ABBREVIATIONS):
        return None
    return " ".join(tokens) or None


# Runs are made of words (letters, marks, ' ’ . -) and the spaces or tabs between them. A
# word with no capital that is not a particle ("said", "e.g.") is in no run, and neither is
# any other character: the runs of a stretch between two of these are the runs a scan of
# the whole text finds there.
_WORD_CHARS = r"[\p{L}\p{M}'’.\-]"
_WORD_AT_RE = regex.compile(rf"{_WORD_CHARS}*")
_WORD_ENDING_AT_RE = regex.compile(rf"(?r){_WORD_CHARS}*")
_NEXT_WORD_RE = regex.compile(rf"[ \t]+({_WORD_CHARS}+)")
_PREVIOUS_WORD_RE = regex.compile(rf"(?r)({_WORD_CHARS}+)[ \t]+")
_UPPER_RE = regex.compile(r"\p{Lu}")
_ASCII_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'.-")


def indexed_name(run: str) -> str | None:
    """The full name a run of several words gives a person, possessive dropped, if any."""
    if " " not in run and "\t" not in run:
        return None  # one word is a surname at most
    name = name_from_run(run)
    if not name or " " not in name:
        return None
    tokens = name.split()
    # "Defending Trump's shift": a gerund opening a heading is no first name.
    while len(tokens) > 1 and tokens[0].lower().endswith("ing"):
        tokens.pop(0)
    if len(tokens) < 2 or tokens[-1].lower().strip(".") in ORG_WORDS:
        return None
    surname = POSSESSIVE_RE.sub("", tokens[-1])
    if len(surname) < 2:
        return None
    return " ".join(tokens[:-1] + [surname])


class NameIndex:
    """Full names seen in an article, looked up by surname.

    Only the surnames asked about are looked up, each once: an article names many more
    people and places than speak, and scanning a long article for every capitalised run
    costs more than the rest of the search. A surname's full name still counts every
    place the article gives it, so the answer does not depend on where it is asked.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._full: dict[str, str | None] = {}
        self._names: dict[str, str | None] = {}  # run -> indexed_name(run)

    def is_person(self, name: str) -> bool:
        """Whether the article gives this name (or its surname) as a person's full name."""
        tokens = name.split()
        return bool(tokens) and self._full_name(POSSESSIVE_RE.sub("", tokens[-1])) is not None

    def fullest(self, name: str) -> str:
        """"Kellogg" → "Keith Kellogg" when the article gives the full name."""
        tokens = name.split()
        if not tokens:
            return name
        surname = POSSESSIVE_RE.sub("", tokens[-1])
        full = self._full_name(surname)
        if full and len(full) >= len(name):
            return full
        return " ".join(tokens[:-1] + [surname])

    def _full_name(self, surname: str) -> str | None:
        """The form of the name the article uses most (the longest on a tie), in full."""
        if surname not in self._full:
            self._full[surname] = self._most_used(surname)
        return self._full[surname]

    def _most_used(self, surname: str) -> str | None:
        counts: dict[str, int] = {}
        best: str | None = None
        for run in self._runs_around(surname):
            if run not in self._names:
                self._names[run] = indexed_name(run)
            name = self._names[run]
            if name is None or name.rsplit(" ", 1)[-1] != surname:
                continue
            counts[name] = counts.get(name, 0) + 1
            if best is None or (counts[name], len(name)) > (counts[best], len(best)):
                best = name
        return best

    def _runs_around(self, word: str) -> Iterator[str]:
        """Every run of several capitalised words, in reading order, that may end on `word`."""
        text = self._text
        scanned_to = 0
        find = text.find
        at = find(word) if word else -1
        while at >= 0:
            # Most mentions follow no space or a word no run contains: tested inline,
            # before any call, because a long article has thousands of mentions.
            if (
                at >= scanned_to
                and at > 0
                and text[at - 1] in " \t"
                and not _cannot_close_a_run(text, at)
            ):
                start, end = _stretch(text, at, scanned_to)
                if start < at:
                    for run in NAME_RUN_RE.finditer(text, start, end):
                        yield run.group()
                    scanned_to = end
            at = find(word, at + 1 if at + 1 > scanned_to else scanned_to)


def _in_a_run(word: str) -> bool:
    if word.isascii():  # no pattern call for the common case: a capital is A-Z
        return word != word.lower() or word in NAME_PARTICLES
    return word in NAME_PARTICLES or _UPPER_RE.search(word) is not None


def _stretch(text: str, at: int, low: int) -> tuple[int, int]:
    """The words around `at` that a run may span: from the last word before it (not before
    `low`) that no run contains, to the next one. Starts at `at` when the word before it
    is in no run, as after "said". The caller has ruled out, with _cannot_close_a_run,
    the mentions that certainly end no run."""
    first = _WORD_ENDING_AT_RE.match(text, low, at).start()
    start = first
    while (before := _PREVIOUS_WORD_RE.match(text, low, start)) and _in_a_run(before.group(1)):
        start = before.start()
    if start == first:
        return at, at
    end = _WORD_AT_RE.match(text, at).end()
    while (after := _NEXT_WORD_RE.match(text, end)) and _in_a_run(after.group(1)):
        end = after.end()
    return start, end


def _cannot_close_a_run(text: str, at: int) -> bool:
    """Whether the word at `at` certainly ends no run of several words, read from plain ASCII
    alone: nothing but a space may come before the last word of a run, and the word before
    that must be in a run itself ("said Trump", "said. Trump", "Kellogg, Trump" are not).
    A cheap test that spares most mentions the scan; False when it cannot tell."""
    if at == 0 or text[at - 1] not in " \t":
        return True
    end = at - 1
    while end > 0 and text[end - 1] in " \t":
        end -= 1
    start = end
    while start > 0 and text[start - 1] in _ASCII_WORD_CHARS:
        start -= 1
        if end - start > 20:
            return False
    if start > 0 and not text[start - 1].isascii():
        return False  # the word may go on in letters this test does not read
    word = text[start:end]  # ASCII only: it has a capital exactly when lowering changes it
    return word == word.lower() and word not in NAME_PARTICLES
