"""`sidenote search`: annotations and linked statements, grouped by statement;
with `--articles`, the text of the articles themselves."""

from __future__ import annotations

import re

import click

from store import InputError
from store.search import DEFAULT_LIMIT, ArticleMatch, StatementGroup, search_articles
from store.search import search as run_search

from ..context import CliContext
from ..output import echo, json_line, literal, pipe_may_close
from ..params import AsciiInt

STATUS_MARK = {"confirmed": "✓", "suggested": "?", "annotated": "·"}


def _show(group: StatementGroup) -> None:
    outlets = len({a.doc_id for a in group.appearances})
    cluster = f"  [{literal(group.cluster)}]" if group.cluster else ""
    statement = literal(group.statement, 160)
    if not statement.startswith(("“", '"', "‘", "'")):
        statement = f"“{statement}”"  # quote it, unless the text brings its own marks
    echo(
        f"{statement}  "
        f"{outlets} article{'s' if outlets != 1 else ''}{cluster}"
    )
    for a in group.appearances:
        label = literal(a.label or "-")
        echo(
            f"  {STATUS_MARK[a.status]} {literal(a.source or '-', 18):<18} "
            f"{literal(a.title, 44):<44} "
            f"{literal(a.doc_id)} {a.start}:{a.end}  {label:<8} {literal(a.status)}"
        )


def _one_line(text: str) -> str:
    """A stretch of article text on one line: its line breaks and runs of spaces as one."""
    return literal(re.sub(r"\s+", " ", text))


def _show_article(match: ArticleMatch) -> None:
    where = "title" if match.start is None else f"{match.start}:{match.end}"
    echo(
        f"{literal(match.title or '(untitled)', 60)}  {literal(match.source or '-', 18)}  "
        f"{literal(match.doc_id)} {where}"
    )
    if match.match:
        echo(f"    …{_one_line(match.before)}[{_one_line(match.match)}]{_one_line(match.after)}…")
    elif match.after:
        echo(f"    {_one_line(match.after)}…")


def _search_articles(
    obj: CliContext, text: str, source: str | None, limit: int, as_json: bool
) -> None:
    matches = search_articles(obj.store(write=False), text, source=source, limit=limit)
    with pipe_may_close():
        for match in matches:
            if as_json:
                click.echo(json_line(match.as_dict()))
            else:
                _show_article(match)
    if not matches and not as_json:
        echo("No matches.", err=True)


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--label", help="Only annotations with this label (claim, quote, proposal).")
@click.option("--source", help="Only matches in articles from this outlet (case-insensitive).")
@click.option("--linked", is_flag=True, help="Only statements linked to another article.")
@click.option(
    "--articles",
    is_flag=True,
    help="Search the text of the articles instead: title, outlet, the words around the match.",
)
@click.option(
    "--limit",
    default=DEFAULT_LIMIT,
    show_default=True,
    type=AsciiInt(),
    help="At most this many statements.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per statement, per line.")
@click.pass_obj
def search(
    obj: CliContext,
    query: tuple[str, ...],
    label: str | None,
    source: str | None,
    linked: bool,
    articles: bool,
    limit: int,
    as_json: bool,
) -> None:
    """Search annotations (text, note, speaker) and linked statements.

    Words are matched with stemming ("forces" finds "force"); "quoted words" must
    appear together; a trailing * matches a prefix. When nothing matches, typos are
    corrected from the words in your annotations ("resilency" finds "resiliency").
    Each statement is shown once with every article where it appears:
    ✓ confirmed link, ? suggested link, · annotated only.

    With --articles, the full text of every article is searched instead (the same
    query syntax, no typo correction); each article is shown with the words around its
    best match, marked [like this], and the match's offsets.
    """
    text = " ".join(query)
    if articles:
        for flag, given in (("--label", label), ("--linked", linked)):
            if given:
                raise InputError(flag, "annotations only: it does not apply to --articles")
        _search_articles(obj, text, source, limit, as_json)
        return
    store = obj.store(write=False)
    groups = run_search(store, text, label=label, source=source, linked=linked, limit=limit)
    if groups and groups[0].fuzzy and not as_json:
        echo(f"No exact match; showing results for: {literal(groups[0].query)}", err=True)
    with pipe_may_close():
        for group in groups:
            if as_json:
                click.echo(json_line(group.as_dict()))
            else:
                _show(group)
    if not groups and not as_json:
        echo("No matches.", err=True)


commands: list[click.Command] = [search]
