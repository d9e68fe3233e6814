"""From a page's text to clean articles: character cleaning, furniture, splitting.

A scraped page may hold more than one article: aggregators append "Related Articles"
(outlet, time, title and body for each) and magazines append teaser blocks ending in
"keep reading". Each becomes its own article with its own title, outlet and origin
range (code points of the raw file). The page's main article keeps the page title.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import furniture

# Removed everywhere: zero-width space, word joiner, BOM/zero-width no-break space,
# soft hyphen, C0 controls except tab and newline, DEL and C1 controls. Zero-width
# joiner and non-joiner (U+200D, U+200C) stay: emoji sequences and Arabic and Indic
# scripts need them.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile("\r\n|\r|\n|\u2028|\u2029")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


@dataclass(frozen=True)
class PageLine:
    """One cleaned line and where it came from in the raw file (code points)."""

    text: str
    start: int
    end: int
    blank_before: bool = False
    index: int = 0  # position among the page's non-blank lines


@dataclass
class PageArticle:
    title: str = ""
    source: str = ""
    kind: str = "main"  # main | related | teaser
    published: str = ""  # as the page gives it ("2 hours ago" on an aggregator block)
    lines: list[PageLine] = field(default_factory=list)
    header_start: int | None = None

    @property
    def origin(self) -> tuple[int, int]:
        starts = [line.start for line in self.lines]
        if self.header_start is not None:
            starts.append(self.header_start)
        return min(starts), max(line.end for line in self.lines)

    def text(self) -> str:
        parts: list[str] = []
        previous: PageLine | None = None
        for line in self.lines:
            if previous is not None:
                # A paragraph break where the page had a blank line, or where
                # furniture between two kept lines was taken out.
                gap = line.blank_before or line.index != previous.index + 1
                parts.append("\n\n" if gap else "\n")
            parts.append(line.text)
            previous = line
        return "".join(parts)


def surrogate_problem(text: str) -> str | None:
    match = _SURROGATE.search(text)
    if match:
        line = text.count("\n", 0, match.start()) + 1
        return f"invalid Unicode (an unpaired surrogate) on line {line}"
    return None


# A line's leading white space goes, except tabs: a tab at the start of a line is
# indentation the source meant (tables, verse, code), and the README promises tabs
# are kept. Spaces before it go, as do trailing spaces and tabs. Identity is not
# touched: a document's id collapses all white space (store/documents.py), so an
# article imported before (without its tab) keeps its id and stored text.
_LEADING_SPACE = re.compile(r"^[^\S\t]+")


def trim_line(text: str) -> str:
    """A line without trailing white space and without leading white space other than
    tabs; a line of white space only is empty."""
    text = text.rstrip()
    return _LEADING_SPACE.sub("", text) if text[:1].isspace() else text


def clean_line(text: str) -> str:
    return trim_line(_INVISIBLE.sub("", text))


def clean_text(raw: str) -> str:
    """Character cleaning alone, for texts that arrive already structured (JSONL).

    CRLF and CR become LF, invisible and control characters go, lines are trimmed
    and runs of blank lines collapse to one. No other Unicode normalisation.
    """
    lines = [clean_line(line) for line in _LINE_BREAK.split(raw)]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def page_lines(raw: str) -> list[PageLine]:
    """The page's non-blank lines, cleaned, with raw offsets and paragraph breaks."""
    lines: list[PageLine] = []
    position = 0
    blank = False
    # Most pages have no invisible characters at all: then trimming is all it takes.
    clean = clean_line if _INVISIBLE.search(raw) else trim_line
    for match in [*_LINE_BREAK.finditer(raw), None]:
        end = match.start() if match else len(raw)
        text = clean(raw[position:end])
        if text:
            lines.append(
                PageLine(text, position, end, blank_before=blank and bool(lines), index=len(lines))
            )
            blank = False
        else:
            blank = True
        if match is None:
            break
        position = match.end()
    return lines


def split_page(lines: list[PageLine]) -> list[PageArticle]:
    """Split a page into its articles, leaving the furniture out."""
    texts = [line.text for line in lines]
    main = PageArticle(kind="main")
    articles = [main]
    current = main
    in_zone = False
    after_social = False
    i = 0
    while i < len(lines):
        text = texts[i]
        outlet = furniture.aggregator_block_outlet(texts, i)
        if outlet is not None:
            current = _related_block(lines, i, outlet)
            articles.append(current)
            in_zone = after_social = False
            i += 4
            continue
        rule = furniture.line_rule(text)
        if rule is not None:
            in_zone = in_zone or rule.opens_zone
            after_social = rule.name == "share widget"
            if rule.name == "more link":
                _carve_teaser(main, articles, lines[i])
            i += 1
            continue
        if after_social and furniture.is_tag_line(text):
            after_social = False
            i += 1
            continue
        after_social = False
        if in_zone:
            if len(text) <= furniture.ZONE_LINE_LIMIT:
                i += 1
                continue
            in_zone = False
        if i + 1 < len(lines) and texts[i + 1] == text and len(text.split()) >= 4:
            _drop_alt_text(current, lines, i)  # a figure caption printed twice
            i += 2
            continue
        current.lines.append(lines[i])
        i += 1
    _title_main(main)
    for article in articles:
        _strip_edges(article)
    return [article for article in articles if article.lines]


def _related_block(lines: list[PageLine], i: int, outlet: str) -> PageArticle:
    """An aggregator's block for another outlet's story: three header lines, then its
    title on the fourth."""
    block = PageArticle(
        source=outlet, kind="related", header_start=lines[i].start,
        published=lines[i + 1].text.strip(),
    )
    if i + 3 < len(lines):
        block.title = lines[i + 3].text.strip()
    return block


def _drop_alt_text(article: PageArticle, lines: list[PageLine], i: int) -> None:
    """Before a figure caption printed twice, the short line just above it is the
    image's alt text, not part of the article."""
    above = lines[i - 1].text
    if (
        article.lines
        and article.lines[-1] is lines[i - 1]
        and (furniture.is_short_label(above) or furniture.is_headline(above))
    ):
        article.lines.pop()


def _is_body_line(text: str) -> bool:
    return len(text) > 100 or bool(_SENTENCE_END.search(text))


def _carve_teaser(main: PageArticle, articles: list[PageArticle], marker: PageLine) -> None:
    """Move the teaser that ends at a 'keep reading' marker out of the main article.

    A teaser is a run of short header lines (image alt text, headline, section
    label) followed by body paragraphs, at the end of what has been read so far.
    """
    lines = main.lines
    body_start = len(lines)
    while body_start > 0 and _is_body_line(lines[body_start - 1].text):
        body_start -= 1
    header_start = body_start
    while header_start > 0 and body_start - header_start < 4:
        candidate = lines[header_start - 1].text
        if _is_body_line(candidate):
            break
        header_start -= 1
    header = lines[header_start:body_start]
    body = lines[body_start:]
    if not header or not body:
        return
    headlines = [line.text for line in header if furniture.is_headline(line.text)]
    title = max(headlines or [line.text for line in header], key=lambda t: len(t.split()))
    teaser = PageArticle(title=title, kind="teaser", lines=body, header_start=header[0].start)
    del lines[header_start:]
    articles.append(teaser)
    _ = marker  # the marker itself is furniture; the teaser ends at its body


def _title_main(article: PageArticle) -> None:
    """The page title: its first line when that reads as a headline."""
    if len(article.lines) >= 2 and furniture.is_headline(article.lines[0].text):
        first = article.lines.pop(0)
        article.title = first.text.strip()
        article.header_start = first.start
        rest = article.lines[0]
        article.lines[0] = PageLine(rest.text, rest.start, rest.end, False, rest.index)


def _strip_edges(article: PageArticle) -> None:
    if not article.lines:
        return
    for index in (0, len(article.lines) - 1):
        line = article.lines[index]
        cleaned = furniture.strip_edge_furniture(
            line.text, first=index == 0, last=index == len(article.lines) - 1
        )
        cleaned = trim_line(cleaned)
        article.lines[index] = PageLine(
            cleaned, line.start, line.end, line.blank_before, line.index
        )
    article.lines = [line for line in article.lines if line.text]


def derived_title(text: str, limit: int = 90) -> str:
    """A title for an article that has none: its opening words."""
    first = text.strip().split("\n", 1)[0]
    match = re.search(r"^.{20,}?[.!?](?=\s|$)", first)
    sentence = match.group(0) if match else first
    if len(sentence) <= limit:
        return sentence.rstrip(".")
    cut = sentence[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
