"""Names in an article: who a noun phrase names, and the fullest form of a surname.

News names a speaker once in full with a title ("U.S. Secretary of State Marco Rubio")
and then by surname ("Rubio said"); a fact-checker wants one spelling per person, the
fullest the article gives, without the title. Organisations and anonymous sources ("a
senior NATO official") are kept in the article's words: there is no name to shorten.
"""

from __future__ import annotations

import re
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


def _without_possessive(word: str) -> str:
    """POSSESSIVE_RE.sub("", word) for a word with no line break, without a pattern call:
    most words end in neither ' nor ’ nor s."""
    if word[-1:] in "'’":
        return word[:-1]
    if word[-2:] in ("'s", "’s"):
        return word[:-2]
    return word


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


# Where a run of several words may be, read with the standard library's `re`, which scans
# a long text several times faster than `regex`: a capital, the rest of its word, spaces,
# any particles and another capital, and so on. The classes are supersets of the run's:
# any character outside ASCII counts as a capital and as a letter but for blocks with no
# capital (Latin-1 signs, general punctuation such as “ ” – —, CJK punctuation) or no
# letter or mark at all (general punctuation, but ’); tests/store/test_quotes.py holds
# them to \p{Lu} and [\p{L}\p{M}]. So a match starts at or before a run's first capital,
# and where a run goes on (spaces, particles, a capital) a match goes on too: each run of
# several words lies in one match, no run crosses a match's ends, and NAME_RUN_RE reads the
# matches alone. Explicit ranges, not \w, and possessive repeats (a word never holds a
# space, so nothing given back could help) keep the scan cheap.
MAY_BE_UPPER = r"A-Z\u00c0-\u00d6\u00d8-\u00de\u0100-\u1fff\u2070-\u2fff\u3040-\U0010ffff"
MAY_BE_WORD = r"0-9A-Za-z_'’.\-\u0080-\u1fff\u2070-\U0010ffff"
_PARTICLES = "|".join(sorted(NAME_PARTICLES))
_SEVERAL_WORDS_HINT_RE = re.compile(
    rf"[{MAY_BE_UPPER}][{MAY_BE_WORD}]*+"
    rf"(?:[ \t]++(?:(?:{_PARTICLES})[ \t]+)*[{MAY_BE_UPPER}][{MAY_BE_WORD}]*+)+"
)
# Most matches are plain words (ASCII letters, ' ’ and -, each opening with a capital) one
# space apart: NAME_RUN_RE reads such a match whole, as one run, so it need not be called.
_PLAIN_RUN_RE = re.compile(rf"[A-Z][A-Za-z'’-]*(?: (?:(?:{_PARTICLES}) )*[A-Z][A-Za-z'’-]*)+")


def runs_of_several_words(text: str) -> Iterator[str]:
    """Every run of NAME_RUN_RE in `text` that has several words, in reading order, as a
    scan of the whole text finds them, reading only the stretches that may hold one."""
    finditer = NAME_RUN_RE.finditer
    plain = _PLAIN_RUN_RE.fullmatch
    for hint in _SEVERAL_WORDS_HINT_RE.finditer(text):
        found = hint.group()
        if plain(found):
            yield found
            continue
        for run in finditer(text, hint.start(), hint.end()):
            found = run.group()
            if " " in found or "\t" in found:
                yield found


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

    The runs of several capitalised words are found once per article and filed under
    their last word (possessive dropped), the only word a full name can end on; what a run
    names is worked out only for the surnames asked about. A surname's full name counts
    every place the article gives it, so the answer does not depend on where it is asked.
    """

    def __init__(self, text: str) -> None:
        self._text = text
        self._full: dict[str, str | None] = {}
        self._names: dict[str, str | None] = {}  # run -> indexed_name(run)
        self._runs_by_last_word: dict[str, list[str]] | None = None

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
        for run in self._runs_ending_on(surname):
            if run not in self._names:
                self._names[run] = indexed_name(run)
            name = self._names[run]
            if name is None or name.rsplit(" ", 1)[-1] != surname:
                continue
            counts[name] = counts.get(name, 0) + 1
            if best is None or (counts[name], len(name)) > (counts[best], len(best)):
                best = name
        return best

    def _runs_ending_on(self, surname: str) -> list[str]:
        """The runs of several words whose last word is `surname` (possessive dropped), in
        reading order: every run whose full name can end on it (indexed_name keeps a run's
        last word as the name's)."""
        if self._runs_by_last_word is None:
            index: dict[str, list[str]] = {}
            for run in runs_of_several_words(self._text):
                # run.split()[-1]: a run's words are parted by spaces and tabs only.
                last = run[max(run.rfind(" "), run.rfind("\t")) + 1 :]
                if last[-1] in "'’s":  # the only endings a possessive may have
                    last = _without_possessive(last)
                bucket = index.get(last)
                if bucket is None:
                    index[last] = [run]
                else:
                    bucket.append(run)
            self._runs_by_last_word = index
        return self._runs_by_last_word.get(surname, [])
