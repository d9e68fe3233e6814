"""Who said a quote: the attribution shapes of news prose, read around the quote.

Quoted text is masked before any pattern runs, so a name inside someone's words is
never taken for the speaker, and sentence ends inside a quote do not split the
sentence that carries it.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

import regex

from .names import NAME_RUN_RE, NameIndex, name_from_run
from .scan import positions_of


def alternation(words: Iterable[str]) -> str:
    """A regex matching any of `words`, written as a trie ("sa(?:id|y(?:ing|s)?)").

    Python's regex engines try every alternative of a flat list at every position; shared
    prefixes make a scan of a sentence several times cheaper. Each use below ends the words
    with a word boundary or a space, so at most one word can match at a position and the
    order of the alternatives changes nothing.
    """
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _render(trie)


def _render(node: dict[str, dict]) -> str:
    branches = [regex.escape(ch) + _render(node[ch]) for ch in sorted(node) if ch]
    if not branches:
        return ""
    if "" in node:
        return "(?:" + "|".join(branches) + ")?"
    return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


VERB_LIST = """
    said says say told tells added adds wrote writes posted stated declared explained warned
    warns insisted argued replied asked noted stressed concluded claimed claims acknowledged
    called claim described wondered promise applauded urged announced continued vowed pledged
    promised recalled tweeted remarked responded suggested welcomed reported saying adding
    telling calling describing
    """.split() + ["quoted as saying", "put it"]
VERBS = alternation(VERB_LIST)
PARTICIPLES = frozenset({"saying", "adding", "telling", "calling", "describing"})
VERB_RE = regex.compile(rf"\b(?:{VERBS})\b")
# Words between a subject and its verb ("Kellogg has also said").
AUX = frozenset(
    """
    has have had also was were is are did does not explicitly reportedly repeatedly
    previously later then openly already famously would will just once again recently been
    """.split()
)
# Words that end the subject going backwards from the verb.
BOUNDARY_WORDS = """
    that what which who and but as because if while when after before since though although
    so where whom whose how why said told says than
    """.split()
BOUNDARY = rf"(?:,|;|:|\(|\)|—|–|\b(?:{alternation(BOUNDARY_WORDS)})\b)"
# Read backwards ((?r)): only the last boundary before the verb matters. Boundaries never
# overlap, so the last one found backwards is the last one a forward scan finds.
LAST_BOUNDARY_RE = regex.compile(rf"(?r){BOUNDARY}")
DETERMINERS = frozenset("the a an one another two three several some many a few".split())
LEAD_FILLERS = frozenset("indeed even later then now but and so meanwhile also however".split())
PRONOUNS = frozenset({"he", "she", "they"})
FIRST_PERSON = frozenset({"i", "we"})
NOT_SPEAKERS = frozenset({"it", "this", "that", "there"})
# "the person said": the source the article introduced earlier ("one source familiar …").
ANONYMOUS_NOUNS = frozenset({"person", "source", "official", "diplomat"})
ANONYMOUS_RE = regex.compile(r"\b(?:said|told)\s+((?:one|a|an|another)\s+[^,.;:!?]+)")
ABBREVIATIONS = """
    Gen Dr Mr Mrs Ms Lt Col Sen Rep St Jr Sr Gov Prof Sgt Adm Maj Capt U.S U.K U.N E.U
    """.split()
ABBREV = rf"{alternation(ABBREVIATIONS)}\."
# Possessive (++, *+, {}+) where giving back characters can never help: a word is
# followed by a space or a comma, which it never holds, and the clause between commas by
# a comma, which it never holds either. The failing search, the common one, no longer
# retries every shorter word and clause.
AFTER_DIRECT_RE = regex.compile(
    rf"^[\s,]*(?P<np>(?:[\p{{L}}\p{{M}}.’'-]++\s++){{0,7}}?[\p{{L}}\p{{M}}.’'-]++)"
    rf"(?:\s*+,[^,]{{1,160}}+,)?\s++(?:(?:{alternation(AUX)})\s+)*(?P<verb>{VERBS})\b"
)
AFTER_INVERTED_RE = regex.compile(
    rf"^[\s,]*(?:{VERBS})\s+(?P<np>(?:{ABBREV}|[^,.;:!?\n—–])+)"
)
TAIL_RE = regex.compile(
    rf",\s*(?:(?P<np1>[^,]{{1,80}}?)\s+(?:{VERBS})"
    rf"|(?:{VERBS})\s+(?P<np2>(?:{ABBREV}|[^,.;:!?])+))"
    r"[^,]{0,40}[.!?]?\s*$"
)
ACCORDING_RE = regex.compile(rf"\baccording to\s+(?P<np>(?:{ABBREV}|[^,.;:!?\n])+)", regex.I)
# "Kellogg on Monday", "Rubio in Brussels": what follows a subject is not its name.
TIME_LIST = """
    on in at last this after before during
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday
    """.split()
TIME_WORDS = regex.compile(
    rf"\s+{alternation(TIME_LIST)}\b.*$"
)
SENTENCE_END_RE = regex.compile(r"[.!?…]['\"”’»」]*[ \t]+(?=[\p{Lu}\"“‘'«「\[])|\n")
ABBREV_END_RE = regex.compile(rf"(?:\b{ABBREV}|\b\p{{Lu}}\.)$")

# Every sentence end starts with one of these: str.find locates them at memory speed,
# and the pattern is tried only there.
SENTENCE_END_CHARS = ".!?…\n"
CLOSING_AFTER_END = frozenset("'\"”’»」")
UPPER_RE = regex.compile(r"\p{Lu}")
# The ASCII characters that may stand before the full stop of an ABBREV_END_RE match: a
# capital (\p{Lu}.) or the last letter of an abbreviation. After any other ASCII
# character (most full stops end a sentence on a small letter) the pattern is not run.
MAY_END_ABBREV = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ") | {a[-1] for a in ABBREVIATIONS}


def sentence_ends(masked: str) -> list[int]:
    """Where each sentence after the first starts: after a line break, or after . ! ? …
    and a space before a capital, unless the full stop ends an abbreviation ("Gen.")."""
    candidates = positions_of(masked, SENTENCE_END_CHARS)
    ends: list[int] = []
    size = len(masked)
    for at in candidates:
        ch = masked[at]
        if ch == "\n":
            ends.append(at + 1)
            continue
        # SENTENCE_END_RE read by hand: a long article has thousands of full stops, and a
        # pattern call costs more than these few character tests.
        after = at + 1
        while after < size and masked[after] in CLOSING_AFTER_END:
            after += 1
        start = after
        while start < size and masked[start] in " \t":
            start += 1
        if start in (after, size) or not _opens_a_sentence(masked[start]):
            continue
        if (
            ch == "."
            and (at == 0 or masked[at - 1] in MAY_END_ABBREV or not masked[at - 1].isascii())
            and ABBREV_END_RE.search(masked, max(0, at - 6), at + 1)
        ):
            continue
        ends.append(start)
    return ends


def _opens_a_sentence(ch: str) -> bool:
    """A capital, an opening quote or a bracket: what SENTENCE_END_RE's lookahead accepts."""
    if ch.isascii():
        return "A" <= ch <= "Z" or ch in "\"'["
    return ch in "“‘«「" or UPPER_RE.match(ch) is not None


def _subject_words(phrase: str) -> list[str] | None:
    """The words of a subject phrase, without quote marks, a final full stop, what follows
    a time word ("on Monday") or a leading filler ("Indeed, Kellogg")."""
    phrase = phrase.strip(" ,;:\n\t\"'“”‘’")
    if phrase.endswith(".") and not ABBREV_END_RE.search(phrase):
        phrase = phrase[:-1]
    phrase = TIME_WORDS.sub("", phrase).strip(" ,")
    words = phrase.split()
    while words and words[0].lower() in LEAD_FILLERS:
        words.pop(0)
    # A masked quote is no subject.
    return None if not words or "§" in phrase else words


def _subject_chunk(before: str) -> tuple[str, int]:
    """Context._read_chunk, uncached."""
    prefix = before.rstrip()
    words = prefix.split(" ")
    while words and words[-1].lower() in AUX:
        words.pop()
    prefix = " ".join(words).rstrip()
    if prefix.endswith(","):
        inner = prefix[:-1]
        cut = inner.rfind(",")
        if cut >= 0:
            prefix = inner[:cut]
    boundary = LAST_BOUNDARY_RE.search(prefix)
    chunk = prefix[boundary.end() :] if boundary else prefix
    if not chunk.strip() and boundary and boundary.group() in ("and", "but"):
        return chunk, boundary.start()
    return chunk, -1


class Context:
    """One article, masked, with its sentence ends and its names."""

    def __init__(self, text: str, masked: str) -> None:
        self.text = text
        self.masked = masked
        self.names = NameIndex(text)
        self.starts = [0] + sentence_ends(masked)
        self.by_sentence: dict[int, str] = {}  # sentence index -> last speaker found there
        # What a phrase or a subject's prefix reads as does not depend on where it is:
        # an article repeats its attributions ("Trump said", "he said"), read once each.
        self._phrases: dict[str, tuple[str, str | list[str] | None]] = {}
        self._chunks: dict[str, tuple[str, int]] = {}
        # The rest of a sentence after a quote -> what attribute._read_after reads there.
        self.after_reads: dict[str, tuple[str | None, str, str | None]] = {}
        self._run_names: dict[str, str | None] = {}

    def sentence_of(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def sentence(self, idx: int) -> tuple[int, int]:
        start = self.starts[idx] if 0 <= idx < len(self.starts) else len(self.text)
        end = self.starts[idx + 1] if idx + 1 < len(self.starts) else len(self.text)
        return start, end

    # -- noun phrases -------------------------------------------------------

    def speaker_of(self, phrase: str, pos: int) -> str | None:
        """The speaker a subject phrase names; pronouns resolved before `pos`."""
        kind, value = self._phrases.get(phrase) or self._read_phrase(phrase)
        if kind == "pronoun":
            return self.antecedent(pos)
        if kind == "described":
            assert isinstance(value, list)
            return self._described(value, pos)
        assert not isinstance(value, list)
        return value

    def _read_phrase(self, phrase: str) -> tuple[str, str | list[str] | None]:
        """What a subject phrase is, apart from where it stands: a pronoun, a description
        (its words), or a name (its fullest form in the article, or None)."""
        read = self._phrase_kind(phrase)
        self._phrases[phrase] = read
        return read

    def _phrase_kind(self, phrase: str) -> tuple[str, str | list[str] | None]:
        words = _subject_words(phrase)
        if not words:
            return "name", None
        low = words[0].lower()
        if len(words) == 1 and low in PRONOUNS:
            return "pronoun", None
        if low in FIRST_PERSON or low in NOT_SPEAKERS:
            return "name", None
        if words[-1][:1].islower():
            return "described", words
        runs = [m.group() for m in NAME_RUN_RE.finditer(" ".join(words))]
        if not runs:
            return "name", None
        name = name_from_run(runs[-1])
        if name is None:
            return "name", " ".join(words) if len(words) <= 3 else None
        return "name", self.names.fullest(name)

    def _described(self, words: list[str], pos: int) -> str | None:
        """A speaker described, not named: "a senior NATO official", "Russian officials"."""
        if words[0].lower() in DETERMINERS:
            if len(words) == 2 and words[1] in ANONYMOUS_NOUNS:
                return self.anonymous_before(pos, words[1]) or " ".join(words)
            return " ".join(words) if len(words) <= 8 else None
        # "Russian officials", "South Korean officials": a group, as worded.
        return " ".join(words) if len(words) <= 4 and words[0][:1].isupper() else None

    def subject_before(self, start: int, verb_start: int, pos: int) -> str | None:
        """The subject of a speech verb at `verb_start`, reading back to `start`."""
        before = self.masked[start:verb_start]
        chunk, joined_at = self._chunks.get(before) or self._read_chunk(before)
        if joined_at >= 0:
            earlier = list(VERB_RE.finditer(self.masked, start, start + joined_at))
            if earlier:
                return self.subject_before(start, earlier[-1].start(), pos)
            return None
        return self.speaker_of(chunk, pos)

    def _read_chunk(self, before: str) -> tuple[str, int]:
        """The subject phrase at the end of `before` (the text from where the subject may
        start to its verb), or, when it ends on a bare "and" or "but" (the subject is the
        earlier verb's), the offset of that word in `before` (else -1)."""
        read = _subject_chunk(before)
        self._chunks[before] = read
        return read

    def _name_of_run(self, run: str) -> str | None:
        """name_from_run, read once per article for each run: the places a pronoun looks
        back to name the same people and places again and again."""
        if run not in self._run_names:
            self._run_names[run] = name_from_run(run)
        return self._run_names[run]

    def anonymous_before(self, pos: int, noun: str) -> str | None:
        """'the person said' refers back to 'one source familiar with ...'."""
        window = self.masked[max(0, pos - 2000) : pos]
        found = list(ANONYMOUS_RE.finditer(window))
        return found[-1].group(1).strip() if found else None

    def antecedent(self, pos: int) -> str | None:
        """He or she: the nearest named speaker or subject of a speech verb before `pos`."""
        idx = self.sentence_of(pos)
        for i in range(idx, max(-1, idx - 4), -1):
            start, end = self.sentence(i)
            end = min(end, pos)
            for verb in reversed(list(VERB_RE.finditer(self.masked, start, end))):
                if verb.group() in PARTICIPLES:
                    continue
                subject = self.masked[max(start, verb.start() - 80) : verb.start()].split()
                if subject and subject[-1].lower() in PRONOUNS:
                    continue
                who = self.subject_before(start, verb.start(), start)
                if who and who.split()[0].lower() not in DETERMINERS:
                    return who
            if i != idx and i in self.by_sentence:
                return self.by_sentence[i]
            if i == idx:
                continue
            # No speech verb: the person the sentence is about, if it names one.
            for run in NAME_RUN_RE.finditer(self.masked, start, end):
                name = self._name_of_run(run.group())
                if name and self.names.is_person(name):
                    return self.names.fullest(name)
        return None
