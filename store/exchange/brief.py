"""A statement as a Markdown brief, for a fact-check write-up (`sidenote report`).

Each outlet's wording is quoted exactly as stored: in a fenced code block whose fence
is longer than any run of backticks in the text, so no character of an article (a
leading '#', '>' or '1.', an HTML tag, an asterisk) is read as Markdown and the text
between the fences is the stored text, byte for byte. Titles, outlets, speakers and
URLs are single values on a line: Markdown's punctuation in them is escaped with a
backslash, and line breaks become spaces.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..db.connection import Store
from ..files.writing import output_file
from ..statements import Statement, StatementMember, statement_of

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]<>&|~!])")
_BACKTICKS = re.compile(r"`+")


def inline(text: str) -> str:
    """One value on one Markdown line, shown as written."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", " ".join(text.split()))


def fenced(text: str, info: str = "text") -> str:
    """`text` exactly, as a fenced code block no line of it can close."""
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text}\n{fence}"


def _url(url: str) -> str:
    if url and not re.search(r"[\s<>]", url):
        return f"<{url}>"
    return inline(url) if url else "(none given)"


def _when(member: StatementMember) -> str:
    if member.dated_by_import:
        return f"{inline(member.imported_at)} (import time: the page gives no date)"
    return inline(member.published)


def _member(number: int, member: StatementMember, first: StatementMember | None) -> list[str]:
    outlet = inline(member.outlet) if member.outlet else "(outlet not named)"
    mark = " (first)" if member is first else ""
    lines = [
        f"## {number}. {outlet}{mark}",
        "",
        f"- Title: {inline(member.title)}",
        f"- Published: {_when(member)}",
        f"- URL: {_url(member.url)}",
        f"- Article: `{member.doc_id}`, characters {member.start}–{member.end}",
        f"- Link status: {member.status}",
    ]
    if member.label:
        lines.append(f"- Tagged: {member.label}")
    if member.speaker:
        lines.append(f"- Speaker: {inline(member.speaker)}")
    lines += ["", "Wording:", "", fenced(member.text)]
    if member.note:
        lines += ["", "Note:", "", fenced(member.note)]
    return [*lines, ""]


def brief_markdown(found: Statement) -> str:
    """The brief of one statement: a summary, then every place that carries it, in
    time order, then the places reached only by rejected links."""
    first = found.first
    counts = ", ".join(f"{n} {status}" for status, n in sorted(found.status_counts.items()))
    outlets = ", ".join(inline(o) if o else "(outlet not named)" for o in found.outlets)
    lines = [
        f"# Statement `{found.id}`",
        "",
        f"- Outlets ({found.outlet_count}): {outlets or '(none)'}",
        f"- First appearance: {_first(first)}",
        f"- Links: {counts or 'none'}",
        "",
        "Dates are as each page gives them; a relative time (\"2 hours ago\") is relative "
        "to when that page was captured.",
        "",
    ]
    carriers = found.carriers
    for number, member in enumerate(carriers, start=1):
        lines += _member(number, member, first)
    rejected = [m for m in found.members if not m.carries]
    if rejected:
        lines += ["# Rejected by a reviewer", ""]
        for number, member in enumerate(rejected, start=len(carriers) + 1):
            lines += _member(number, member, None)
    return "\n".join(lines).rstrip("\n") + "\n"


def _first(member: StatementMember | None) -> str:
    if member is None:
        return "(none: every link was rejected)"
    outlet = inline(member.outlet) if member.outlet else "(outlet not named)"
    return f"{outlet}, {_when(member)}"


def write_brief(
    store: Store, statement_id: str, path: str | Path, *, force: bool = False
) -> Statement:
    """Write the brief of a statement (or of a link's or an annotation's statement) to
    `path`, whole or not at all, with the rules of every export: never the database or
    its files, a device or a pipe; an existing file only with `force`."""
    found = statement_of(store, statement_id)
    text = brief_markdown(found)
    with output_file(path, database=store.path, force=force) as handle:
        handle.write(text)
    return found
