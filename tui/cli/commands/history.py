"""`sidenote history`, `undo`, `redo` and `delete`: the change log on the command line.

Undo and redo are the same global stack the app uses (it lives in the database),
so `sidenote undo` after quitting the app takes back the app's last change.
"""

from __future__ import annotations

import json

import click

from store import (
    Change,
    SidenoteError,
    change_history,
    delete_document,
    deletion_summary,
    redo,
    undo,
)

from ..context import CliContext
from ..output import echo, json_line, literal, pipe_may_close
from ..params import AsciiInt

EXCERPT_CHARS = 48


def one_line(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Text from the database as a short excerpt on one line, shown as data (see
    `output.literal`: escape codes cannot restyle the terminal)."""
    return literal(" ".join(text.split()), limit)


def _describe_event(event: dict) -> str:
    state = json.loads(event["after"] or event["before"] or "{}")
    entity = event["entity"]
    if entity == "annotation":
        return f'{state.get("label", "?")} "{one_line(state.get("text", ""))}"'
    if entity == "document":
        sentences = len(state.get("sentences") or [])
        return f'"{one_line(state.get("title", ""))}" ({sentences} sentences)'
    if entity == "link":
        return f"{state.get('status', '?')} {state.get('method', '?')} link"
    if entity == "review":
        return f"to review: {one_line(state.get('reason', ''))}"
    return ""


def _event_record(event: dict) -> dict:
    record = {k: v for k, v in event.items() if k not in ("before", "after")}
    for key in ("before", "after"):
        record[key] = None if event[key] is None else json.loads(event[key])
    return record


@click.command("history")
@click.option(
    "--limit",
    "-n",
    default=20,
    show_default=True,
    type=AsciiInt(),
    help="How many events to show.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object per event, with the full state before and after.",
)
@click.pass_obj
def history_(obj: CliContext, limit: int, as_json: bool) -> None:
    """The log of changes to annotations, links and articles, newest first.

    Every change is kept (the log is append-only); `sidenote undo` takes back the
    most recent action still in effect.
    """
    events = change_history(obj.store(write=False), limit=limit)
    if not events:
        if not as_json:
            echo("No changes yet.")
        return
    with pipe_may_close():
        for event in events:
            echo(_event_line(event, as_json))


def _event_line(event: dict, as_json: bool) -> str:
    if as_json:
        return json_line(_event_record(event))
    # Escape first, then cut: a cut never splits an escape code.
    doc = literal(event["doc_id"] or "-", 8, mark="")
    origin = "" if event["origin"] == "user" else f"  ({event['origin']})"
    actor = f"  by {one_line(event['actor'], 24)}" if event["actor"] else ""
    return (
        f"#{event['seq']:<5} {event['at'][:19].replace('T', ' ')}  "
        f"{literal(event['action']):<6} {literal(event['entity']):<10} "
        f"{literal(event['entity_id'], 8, mark='')}  doc {doc}  "
        f"{_describe_event(event)}{actor}{origin}"
    )


def _report(verb: str, change: Change | None, nothing: str) -> None:
    if change is None:
        echo(nothing)
        return
    where = f" — article {literal(change.doc_id, 8, mark='')}" if change.doc_id else ""
    if where and change.start is not None:
        where += f", offset {change.start}"
    echo(f"{verb}: {one_line(change.description, 120)}{where}")


@click.command("undo")
@click.pass_obj
def undo_(obj: CliContext) -> None:
    """Take back the most recent change (the app's `u`)."""
    _report("Undone", undo(obj.store()), "Nothing to undo.")


@click.command("redo")
@click.pass_obj
def redo_(obj: CliContext) -> None:
    """Re-apply the most recently undone change (the app's `ctrl+r`)."""
    _report("Redone", redo(obj.store()), "Nothing to redo.")


class ConfirmationNeeded(SidenoteError):
    """A destructive command was given without --yes."""


@click.command("delete")
@click.argument("doc_id")
@click.option("--yes", is_flag=True, help="Confirm deleting an article that has annotations.")
@click.pass_obj
def delete(obj: CliContext, doc_id: str, yes: bool) -> None:
    """Delete an article, with its annotations and links (one change: `sidenote undo`
    brings it all back).

    An article with annotations is only deleted with --yes.
    """
    store = obj.store()
    document = store.find_document(doc_id)
    summary = deletion_summary(store, document.id)
    if summary.annotations and not yes:
        count = f"{summary.annotations} annotation{'s' if summary.annotations != 1 else ''}"
        raise ConfirmationNeeded(
            f'deleting article {document.id} "{one_line(document.title)}" would delete '
            f"{count}; run `sidenote delete {document.id} --yes` to confirm "
            "(`sidenote undo` restores it)"
        )
    done = delete_document(store, document.id)
    links = f", {done.links} link{'s' if done.links != 1 else ''}" if done.links else ""
    echo(
        f'Deleted article {done.doc_id} "{one_line(done.title)}" with {done.annotations} '
        f"annotation{'s' if done.annotations != 1 else ''}{links}. "
        "Undo with `sidenote undo`."
    )


commands: list[click.Command] = [history_, undo_, redo_, delete]
