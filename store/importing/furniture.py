"""Page furniture: the rules that tell article text from the page around it.

Every rule lives here, has a name, and is general: it describes a kind of widget or
credit line as news sites print it, never a sentence of one particular article.
`store/importing/pages.py` applies them while it splits a page into articles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_I = re.IGNORECASE


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    opens_zone: bool = False  # everything short that follows is furniture too


def _rule(name: str, pattern: str, *, opens_zone: bool = False, flags: int = _I) -> Rule:
    return Rule(name, re.compile(pattern, flags), opens_zone)


# Whole-line rules, tried in order; the first match names the line's kind.
LINE_RULES: tuple[Rule, ...] = (
    _rule("hashtags", r"^(hashtags|tags|topics)\s*:?$", opens_zone=True),
    _rule("hashtag list", r"^(#[\w-]+[\s,]*)+$"),
    _rule(
        "comments widget",
        r"^(comments?|\d+\s+comments?|no comments yet\W*|leave a comment\W*|"
        r"be the first to comment\W*|join the conversation\W*|show comments)$",
        opens_zone=True,
    ),
    _rule(
        "share widget",
        r"^(share|share this( article| story| page)?|share on \w+|tweet|email|print|"
        r"copy link|follow us( on (social( media)?|\w+))?)\W*$",
    ),
    _rule(
        "related header",
        r"^(related|related articles|related stories|related content|read more|more from [\w .']+|"
        r"recommended( for you)?|you may also like|latest( news| stories)?|more stories|"
        r"most read|trending( now)?|top stories)\s*:?$",
        opens_zone=True,
    ),
    _rule(
        "ai prompt",
        r"^(try our ai features?|(explore|see|discover|find out) what [\w .'-]{0,40}\bai\b "
        r"can do for you( today)?)\W*$",
    ),
    _rule(
        "newsletter prompt",
        r"^(newsletters?|(subscribe|sign up|sign-up|join)\b.{0,200}\b(newsletter|round-?up|"
        r"briefing|inbox|updates)\b.*)$",
        opens_zone=True,
    ),
    _rule(
        "more link",
        r"^((keep|continue) reading|read (more|less)|show (less|more)|see more)"
        r"(\s*((keep|continue) reading|read (more|less)|show (less|more)|see more))*\W*$",
    ),
    _rule(
        "photo credit",
        r"^((top|main|lead|header|featured|cover) )?(photo|image|picture|video)s?"
        r"( credit)?s?\s*:\s.*$",
    ),
    _rule(
        "agency credit",
        r"^[\w.'’ -]{2,60}/(getty images|afp|ap|ap photo|reuters|epa|efe|shutterstock|alamy|pool|"
        r"bloomberg|sipa|zuma|anadolu|tass|sputnik|xinhua|nurphoto|sopa images|"
        r"[\w ]+ via getty images)\W*$",
    ),
    _rule(
        "captioned agency credit",
        # (?=[^/]*/): most lines have no slash; checking that first is linear, while
        # .{20,400} backtracks over every position of a long paragraph.
        r"^(?=[^/]*/).{20,400}\b(REUTERS|AP Photo|AFP|EPA|Getty Images|Shutterstock)\s*/\s*"
        r"[\w .'’-]+\)?\.?$",
        flags=0,
    ),
    _rule("breadcrumb", r"^[\w'’&. -]{1,30}(\s\|\s[\w'’&. -]{1,30}){1,3}$"),
    _rule("copyright line", r"^(©|\(c\)|copyright\b).{0,200}$"),
    _rule("all rights reserved", r"^all rights reserved\.?$"),
)

# A zone of furniture ends at a line longer than this that no rule claims.
ZONE_LINE_LIMIT = 60


def _any_rule(rules: tuple[Rule, ...]) -> re.Pattern[str]:
    """One pattern trying `rules` in order (an alternation stops at the first whose
    whole-line pattern matches): one regex call per line instead of one per rule,
    which made up a sixth of an import's parsing time."""
    alternatives = []
    for number, rule in enumerate(rules):
        scope = "?i:" if rule.pattern.flags & re.IGNORECASE else "?:"
        alternatives.append(f"(?P<rule{number}>({scope}{rule.pattern.pattern}))")
    return re.compile("|".join(alternatives))


_ANY_LINE_RULE = _any_rule(LINE_RULES)


def line_rule(line: str) -> Rule | None:
    """The furniture rule a whole line matches, if any (the first, in order)."""
    text = line.strip()
    if not text:
        return None
    match = _ANY_LINE_RULE.match(text)
    if match is None:
        return None
    name = next(name for name, value in match.groupdict().items() if value is not None)
    return LINE_RULES[int(name.removeprefix("rule"))]


_RELATIVE_TIME = re.compile(
    r"^(just now|yesterday|(an?|one|\d{1,3})\s+(second|minute|min|hour|hr|day|week|month|year)s?"
    r"\s+ago)$",
    _I,
)


def is_relative_time(line: str) -> bool:
    """'an hour ago', '22 minutes ago': the timestamp aggregators print on teasers."""
    return bool(_RELATIVE_TIME.match(line.strip()))


def aggregator_block_outlet(lines: list[str], i: int) -> str | None:
    """The outlet, if lines[i:i+3] are an aggregator's article header.

    Aggregators list embedded articles as three lines: the outlet, how long ago,
    and the outlet again behind a dash ("Russia Today" / "an hour ago" /
    "- Russia Today").
    """
    if i + 2 >= len(lines):
        return None
    outlet = lines[i].strip()
    if not outlet or len(outlet) > 80 or not is_relative_time(lines[i + 1]):
        return None
    repeat = lines[i + 2].strip().lstrip("-–— ").strip()
    return outlet if repeat.casefold() == outlet.casefold() else None


def is_tag_line(line: str) -> bool:
    """A run of topic names with no sentence in it ('Diplomacy Watch Donald Trump Putin')."""
    text = line.strip()
    words = text.split()
    if not 1 <= len(words) <= 12 or re.search(r"[.!?,:;\"“”]", text):
        return False
    return all(word[0].isupper() or word[0].isdigit() for word in words)


def is_headline(line: str) -> bool:
    """A line that reads as a title: short, several words, no closing full stop."""
    text = line.strip()
    words = text.split()
    return 3 <= len(words) <= 25 and len(text) <= 160 and not text.endswith((".", ":", ";", ","))


def is_short_label(line: str) -> bool:
    """An image alt text or section label above a teaser ('Middle East', 'Trump tariffs')."""
    text = line.strip()
    return 0 < len(text.split()) <= 5 and not text.endswith((".", "!", "?", ":"))


# -- inline furniture at the edges of a paragraph ---------------------------------

_TRAILING_COPYRIGHT = re.compile(r"\s*(©|\(c\)\s|Copyright ©?\s?\d{4}).*$", re.DOTALL)
_LEADING_CAPS_BYLINE = re.compile(
    r"^(?:(?P<caption>[^\n]{20,400}?[.!?])\s+)?"
    r"By\s+(?P<names>[A-Z][A-Z'’.-]+(?:\s+(?:and\s+|AND\s+|,\s*)?[A-Z][A-Z'’.-]+)+)\s+(?=[A-Z])"
)
_LEADING_NAME_BYLINE = re.compile(
    r"^By\s+(?P<first>[A-Z][a-z'’-]+)\s+(?P<rest>(?:[A-Z][\w'’-]*\s+){1,2})"
)
# Words that start a sentence rather than end a name ("By Jane Doe In a few hours").
_SENTENCE_STARTERS = frozenset(
    "A An The In On At As After Before For When While It This That These Those He She They We "
    "Its His Her Their Our If But And Although Despite During Since Until With Without".split()
)


def strip_edge_furniture(paragraph: str, *, first: bool, last: bool) -> str:
    """Remove a leading caption + byline (first paragraph) and a trailing copyright
    notice (last paragraph) from an article body flattened onto few lines."""
    text = paragraph
    if first:
        text = _strip_byline(text)
    if last:
        text = _TRAILING_COPYRIGHT.sub("", text)
    return text


def _strip_byline(text: str) -> str:
    caps = _LEADING_CAPS_BYLINE.match(text)
    if caps and any(ch.islower() for ch in text[caps.end() : caps.end() + 40]):
        return text[caps.end() :]
    named = _LEADING_NAME_BYLINE.match(text)
    if named:
        rest = named.group("rest").split()
        kept = []
        for word in rest:
            if word in _SENTENCE_STARTERS:
                break
            kept.append(word)
        if kept:
            cut = len("By ") + len(named.group("first")) + 1 + len(" ".join(kept)) + 1
            return text[cut:].lstrip()
    return text


# -- the outlet, where a page states it -------------------------------------------

_NAME = r"(?P<outlet>[A-Z][\w&.’'-]*(?:\s+[A-Z][\w&.’'-]*){0,3})"
# (words a line must contain, pattern): the cheap test keeps the regex off most lines.
_OUTLET_PATTERNS = (
    # "Newsweek has contacted NATO ... for comment"
    (
        ("for comment",),
        re.compile(rf"^{_NAME} (?:has )?(?:contacted|reached out to)\b.{{0,200}}\bfor comment"),
    ),
    # "The MoD declined MailOnline's request for comment"
    (("request for comment",), re.compile(rf"\bdeclined {_NAME}['’]s request for comment")),
    # "Marc Champion is a Bloomberg Opinion columnist"
    (
        ("columnist", "correspondent", "reporter", "editor", "contributor"),
        re.compile(rf"\bis an? {_NAME} (?:columnist|correspondent|reporter|editor|contributor)\b"),
    ),
)


def outlet_from_text(text: str) -> str:
    """The outlet an article names as itself, or '' when it does not say."""
    for needles, pattern in _OUTLET_PATTERNS:
        if not any(needle in text for needle in needles):
            continue  # the usual case: no line to look at
        for line in text.split("\n"):
            if any(needle in line for needle in needles):
                match = pattern.search(line)
                if match:
                    return match.group("outlet").strip()
    return ""
