"""Attach a speaker to each quote: its own sentence first, then its neighbours.

Order matters and follows how reporters write: an attribution right after the quote
("…,' he said"), then a speech verb earlier in the sentence ("Rubio said it would be
'…'"), then one at the end of it ("…, says RUSI's Melvin"), then "according to". A quote
with none of these takes the speaker of the quote it continues (a quote split by its
attribution, the next paragraph of a long quote), else the speaker named in the sentence
before or after it.
"""

from __future__ import annotations

import regex

from .marks import Marked
from .names import NAME_RUN_RE
from .speakers import (
    ACCORDING_RE,
    AFTER_DIRECT_RE,
    AFTER_INVERTED_RE,
    FIRST_PERSON,
    LEAD_FILLERS,
    PARTICIPLES,
    PRONOUNS,
    TAIL_RE,
    VERB_LIST,
    VERB_RE,
    Context,
)
from .speech import is_headline

Found = tuple[str | None, str]
SHAPE_OF_VERB = {
    "told": "told", "tells": "told", "wrote": "wrote", "writes": "wrote", "posted": "wrote"
}
NORM_RE = regex.compile(r"[^\p{L}\p{N}]+")
VERB_FIRST_LETTERS = frozenset(verb[0] for verb in VERB_LIST)


def mask(text: str, outer: list[Marked]) -> str:
    """`text` with quoted words replaced by §, keeping a final . ! ? that ends a sentence."""
    parts: list[str] = []
    pos = 0
    for m in outer:
        if m.start < pos:
            continue
        keep = 1 if m.end > m.start and text[m.end - 1] in ".!?…" else 0
        parts.append(text[pos : m.start])
        parts.append("§" * (m.end - m.start - keep))
        parts.append(text[m.end - keep : m.end])
        pos = m.end
    parts.append(text[pos:])
    return "".join(parts)


def attribute(text: str, outer: list[Marked], hosts: dict[Marked, Marked]) -> dict[Marked, Found]:
    """A speaker (or None) and the shape that gave it, for every quote: `outer` in the
    narrative, and the quotes inside them (`hosts`: each one's outer quote)."""
    ctx = Context(text, mask(text, outer))
    found: dict[Marked, Found] = {}
    for m in outer:
        speaker, shape = _own_sentence(ctx, m)
        found[m] = (speaker, shape)
        if speaker:
            ctx.by_sentence[ctx.sentence_of(m.start)] = speaker
    _neighbours(ctx, outer, found)
    _headline(ctx, outer, found)
    for n, host in hosts.items():
        found[n] = _nested(ctx, n, host, found[host][0])
    return found


def _own_sentence(ctx: Context, m: Marked) -> Found:
    """The speaker the quote's own sentence names, in the order reporters write it."""
    s_start, _ = ctx.sentence(ctx.sentence_of(m.start - 1))
    _, s_end = ctx.sentence(ctx.sentence_of(m.end))
    after = "" if m.continues else ctx.masked[m.end + 1 : s_end]
    return (
        _right_after(ctx, m, after)
        or _according_right_after(ctx, m, after)
        or _earlier_in_sentence(ctx, m, s_start)
        or _end_of_sentence(ctx, m, after)
        or _according_in_sentence(ctx, m, s_start, s_end)
        or (None, "none")
    )


def _right_after(ctx: Context, m: Marked, after: str) -> Found | None:
    """"…,' he said", "…," Witkoff told CNN", "…," said Mark Episkopos."""
    read = ctx.after_reads.get(after) or _read_after(ctx, after)
    direct_np, direct_verb, inverted_np = read
    if direct_np is not None:
        who = ctx.speaker_of(direct_np, m.start)
        if who:
            if direct_np.strip().lower() in PRONOUNS:
                return who, "pronoun"
            return who, SHAPE_OF_VERB.get(direct_verb, "said_after")
    if inverted_np is not None:
        who = ctx.speaker_of(inverted_np, m.start)
        if who:
            return who, "said_after"
    return None


def _read_after(ctx: Context, after: str) -> tuple[str | None, str, str | None]:
    """The subject and verb of a direct attribution ("he said") at the start of `after`, and
    the subject of an inverted one ("said Kellogg"): what the rest of a sentence gives
    wherever it stands, read once per article for the rests it repeats."""
    direct = AFTER_DIRECT_RE.match(after)
    inverted = _starts_with_a_verb(after) and AFTER_INVERTED_RE.match(after)
    read = (
        direct.group("np") if direct else None,
        direct.group("verb") if direct else "",
        inverted.group("np") if inverted else None,
    )
    ctx.after_reads[after] = read
    return read


def _starts_with_a_verb(after: str) -> bool:
    """Whether the first character past spaces and commas may start a speech verb: a cheap
    test that spares most quotes AFTER_INVERTED_RE. str.isspace holds for every character
    the pattern's \\s takes, so the character found is the one the pattern reads."""
    for ch in after:
        if ch != "," and not ch.isspace():
            return ch in VERB_FIRST_LETTERS
    return False


def _according_right_after(ctx: Context, m: Marked, after: str) -> Found | None:
    rest = after.lstrip(" ,")
    if rest[:1] not in ("a", "A"):  # the pattern's first letter: no call for most quotes
        return None
    according = ACCORDING_RE.match(rest)
    if according:
        who = ctx.speaker_of(according.group("np"), m.start)
        if who:
            return who, "according_to"
    return None


def _earlier_in_sentence(ctx: Context, m: Marked, s_start: int) -> Found | None:
    """The last speech verb before the quote and its subject ("Rubio said it would be
    '…'"); a participle alone ("saying '…'") takes the sentence's first name."""
    before_end = m.start - 1
    verbs = list(VERB_RE.finditer(ctx.masked, s_start, before_end))
    finite = [v for v in verbs if v.group() not in PARTICIPLES]
    if finite:
        verb = finite[-1]
        who = ctx.subject_before(s_start, verb.start(), m.start)
        if who:
            gap = ctx.masked[verb.end() : before_end]
            close = len(gap) < 60 and gap.rstrip().endswith((":", ","))
            shape = SHAPE_OF_VERB.get(verb.group(), "said_before") if close else "phrase"
            return who, shape
    elif verbs:
        who = _sentence_subject(ctx, s_start, verbs[0].start(), m.start)
        if who:
            return who, "phrase"
    return None


def _end_of_sentence(ctx: Context, m: Marked, after: str) -> Found | None:
    """"…, says RUSI's Melvin." at the end of the quote's sentence."""
    tail = TAIL_RE.search(after)
    if tail:
        who = ctx.speaker_of(tail.group("np1") or tail.group("np2") or "", m.start)
        if who:
            return who, "said_after"
    return None


def _according_in_sentence(ctx: Context, m: Marked, s_start: int, s_end: int) -> Found | None:
    according = ACCORDING_RE.search(ctx.masked, s_start, s_end)
    if according:
        who = ctx.speaker_of(according.group("np"), m.start)
        if who:
            return who, "according_to"
    return None


def _sentence_subject(ctx: Context, start: int, end: int, pos: int) -> str | None:
    """The first name in a sentence: the subject of a 'saying …' participle."""
    for run in NAME_RUN_RE.finditer(ctx.masked, start, end):
        if run.group().lower() in LEAD_FILLERS:
            continue
        return ctx.speaker_of(run.group(), pos)
    return None


def _neighbours(ctx: Context, outer: list[Marked], found: dict[Marked, Found]) -> None:
    """Quotes with no attribution of their own borrow one from around them."""
    # The paragraphs of one long quote share its speaker, wherever it is named.
    chain: list[Marked] = []
    for m in outer:
        chain.append(m)
        if m.continues:
            continue
        named = [found[q][0] for q in chain if found[q][0]]
        if len(chain) > 1 and named:
            for q in chain:
                if not found[q][0]:
                    found[q] = (named[0], "multi_paragraph")
        chain = []
    previous: Marked | None = None
    for m in outer:
        if found[m][0] is None:
            found[m] = _borrow(ctx, m, previous, found)
            if found[m][0]:
                ctx.by_sentence[ctx.sentence_of(m.start)] = found[m][0]
        previous = m


def _borrow(ctx: Context, m: Marked, previous: Marked | None, found: dict[Marked, Found]) -> Found:
    here = ctx.sentence_of(m.start - 1)
    if previous is not None and found[previous][0]:
        gap_start = previous.end + 1
        gap = ctx.masked[gap_start : m.start - 1]
        near = here - ctx.sentence_of(previous.end) <= 1 and len(gap) < 200
        verbs = [v for v in VERB_RE.finditer(gap) if v.group() not in PARTICIPLES] if near else []
        if near and (verbs or not gap.strip(" ,.;:\n")):
            # "…,' he said. '…'" continues; "…' while Johnson said that …" is someone new.
            if verbs:
                who = ctx.subject_before(gap_start, gap_start + verbs[-1].start(), m.start)
                if who and who != found[previous][0]:
                    return who, "previous_sentence"
            return found[previous][0], "split"
    for idx, shape in ((here - 1, "previous_sentence"), (here + 1, "next_sentence")):
        if idx < 0 or idx >= len(ctx.starts):
            continue
        start, end = ctx.sentence(idx)
        if shape == "next_sentence" and ctx.masked[ctx.sentence(here)[0] : m.start - 1].strip():
            continue
        verbs = VERB_RE.finditer(ctx.masked, start, end)
        finite = [v for v in verbs if v.group() not in PARTICIPLES]
        if finite:
            who = ctx.subject_before(start, finite[-1].start(), m.start)
            if who:
                return who, shape
    return None, "none"


def _headline(ctx: Context, outer: list[Marked], found: dict[Marked, Found]) -> None:
    """A quote in the headline is the body's quote: same words, same speaker."""
    if not is_headline(ctx.text):
        return
    cut = ctx.text.find("\n")
    if not outer or outer[0].start > cut:
        return  # no quote in the headline: the body's quotes need no key
    body = {_words_of(ctx.text, q): found[q][0] for q in outer if q.start > cut}
    line = ctx.masked[:cut]
    for m in outer:
        if m.start > cut:
            break
        who = body.get(_words_of(ctx.text, m))
        if who is None and ":" in line[: m.start]:
            who = ctx.speaker_of(line[: line.find(":")], m.start)
        found[m] = (who or found[m][0], "headline")


def _words_of(text: str, m: Marked) -> str:
    """A quote's words, lower case, without punctuation: the key that matches a headline's
    quote to the body's."""
    return NORM_RE.sub(" ", text[m.start : m.end]).strip().lower()


def _nested(ctx: Context, n: Marked, host: Marked, host_speaker: str | None) -> Found:
    """A quote inside a quote: the person the speaker names, else the speaker."""
    inside = ctx.text[host.start : n.start - 1]
    cut = max(inside.rfind(". "), inside.rfind("? "), inside.rfind("! "))
    inside = inside[cut + 1 :]
    verbs = list(VERB_RE.finditer(inside))
    if verbs:
        words = inside[: verbs[-1].start()].replace(",", " ").split()
        while words and words[-1].lower() in ("has", "had", "also", "once"):
            words.pop()
        subject = " ".join(words[-3:])
        if words and words[-1].lower() not in FIRST_PERSON | {"me", "us"}:
            runs = [r.group() for r in NAME_RUN_RE.finditer(subject)]
            if runs:
                return ctx.speaker_of(runs[-1], n.start), "nested"
    return host_speaker, "nested"
