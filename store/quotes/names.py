"""Names in an article: who a noun phrase names, and the fullest form of a surname.

News names a speaker once in full with a title ("U.S. Secretary of State Marco Rubio")
and then by surname ("Rubio said"); a fact-checker wants one spelling per person, the
fullest the article gives, without the title. Organisations and anonymous sources ("a
senior NATO official") are kept in the article's words: there is no name to shorten.
"""

from __future__ import annotations

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
NAME_PARTICLES = frozenset({"von", "van", "der", "den", "de", "del", "da", "di", "al", "bin", "le", "la"})

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
            or (head[:1].isupper() and low.endswith(("ian", "ish", "ese", "ch", "an")) and len(out) > 2)
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


class NameIndex:
    """Full names seen in an article, looked up by surname."""

    def __init__(self, text: str) -> None:
        self._full: dict[str, str] = {}
        counts: dict[str, int] = {}
        for m in NAME_RUN_RE.finditer(text):
            if " " not in m.group() and "\t" not in m.group():
                continue  # one word is a surname at most: nothing to index
            name = name_from_run(m.group())
            if not name or " " not in name:
                continue
            tokens = name.split()
            # "Defending Trump's shift": a gerund opening a heading is no first name.
            while len(tokens) > 1 and tokens[0].lower().endswith("ing"):
                tokens.pop(0)
            if len(tokens) < 2:
                continue
            if tokens[-1].lower().strip(".") in ORG_WORDS:
                continue
            surname = POSSESSIVE_RE.sub("", tokens[-1])
            if len(surname) < 2:
                continue
            name = " ".join(tokens[:-1] + [surname])
            counts[name] = counts.get(name, 0) + 1
            known = self._full.get(surname)
            if known is None or (counts[name], len(name)) > (counts[known], len(known)):
                self._full[surname] = name

    def is_person(self, name: str) -> bool:
        """Whether the article gives this name (or its surname) as a person's full name."""
        tokens = name.split()
        return bool(tokens) and POSSESSIVE_RE.sub("", tokens[-1]) in self._full

    def fullest(self, name: str) -> str:
        """"Kellogg" → "Keith Kellogg" when the article gives the full name."""
        tokens = name.split()
        if not tokens:
            return name
        surname = POSSESSIVE_RE.sub("", tokens[-1])
        full = self._full.get(surname)
        if full and len(full) >= len(name):
            return full
        return " ".join(tokens[:-1] + [surname])
