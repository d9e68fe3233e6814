"""`sidenote search`: annotations and linked statements, grouped by statement."""

from __future__ import annotations

import click

from store.search import DEFAULT_LIMIT, StatementGroup
from store.search import search as run_search

from ..context import CliContext
from ..output import echo, json_line, literal, pipe_may_close

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


@click.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--label", help="Only annotations with this label (claim, quote, proposal).")
@click.option("--source", help="Only matches in articles from this outlet (case-insensitive).")
@click.option("--linked", is_flag=True, help="Only statements linked to another article.")
@click.option(
    "--limit", default=DEFAULT_LIMIT, show_default=True, help="At most this many statements."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per statement, per line.")
@click.pass_obj
def search(
    obj: CliContext,
    query: tuple[str, ...],
    label: str | None,
    source: str | None,
    linked: bool,
    limit: int,
    as_json: bool,
) -> None:
    """Search annotations (text, note, speaker) and linked statements.

    Words are matched with stemming ("forces" finds "force"); "quoted words" must
    appear together; a trailing * matches a prefix. When nothing matches, typos are
    corrected from the words in your annotations ("resilency" finds "resiliency").
    Each statement is shown once with every article where it appears:
    ✓ confirmed link, ? suggested link, · annotated only.
    """
    text = " ".join(query)
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
