"""Link the whole corpus in a worker thread, with a progress bar that keeps moving.

`store.links.relink` runs on its own connection (a file database), so the reader's
connection stays free for the screens; the worker reports progress as messages,
which the screen turns into the bar's position.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import ProgressBar, Static

from store import (
    MEANING_METHOD,
    LinkReport,
    MeaningReport,
    SidenoteError,
    Store,
    corpus_stats,
    open_store,
    relink,
    threshold_for,
)


@dataclass(eq=False)
class LinkProgress(Message):
    done: int
    total: int


def report_line(report: LinkReport) -> str:
    """`12 links (exact 8, trimmed 3, reworded 1), 4 new, in 2.1 s; meaning: 5
    suggestions (reworded-meaning), 5 new, in 3.0 s`."""
    methods = ", ".join(f"{method} {count}" for method, count in sorted(report.by_method.items()))
    methods = f" ({methods})" if methods else ""
    line = (f"linked: {report.found} link{'' if report.found == 1 else 's'}{methods}, "
            f"{report.new} new, in {report.seconds:.1f} s")
    return line + meaning_part(report.meaning)


def meaning_part(report: MeaningReport | None) -> str:
    """What the meaning stage did, or that it is off (the extra is not installed)."""
    if report is None:
        return ""
    if report.unavailable is not None:
        return "; meaning stage off (the `meaning` extra is not installed)"
    return (f"; meaning: {report.found} suggestion{'' if report.found == 1 else 's'} "
            f"({MEANING_METHOD}), {report.new} new, {report.embedded} sentences embedded, "
            f"in {report.seconds:.1f} s")


def links_in_all(store: Store) -> str:
    """`27 links in all (25 suggested, 2 confirmed)`: the stored totals, as `sidenote
    stats` counts them. A run's own figures are what it found, which leaves out links
    stored before (by `sidenote link --meaning`, or by echoes)."""
    try:
        stats = corpus_stats(store)
    except SidenoteError as error:
        return f"totals unavailable: {error}"
    statuses = ", ".join(f"{count} {status}" for status, count in stats.by_status.items())
    return f"{stats.links} link{'' if stats.links == 1 else 's'} in all" + (
        f" ({statuses})" if statuses else ""
    )


class LinkCorpusScreen(ModalScreen[LinkReport | None]):
    """Shows the progress of one relink; closes itself with the report when done."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store

    def compose(self) -> ComposeResult:
        with Vertical(id="link-dialog"):
            yield Static(Content("Linking every sentence and annotation of the corpus, "
                                 "then looking for the same statements in other words "
                                 "(the meaning stage, when its extra is installed; each "
                                 "sentence is embedded once, so a first run is slow)\u2026"),
                         id="link-title")
            yield ProgressBar(id="link-progress", show_eta=True)

    def on_mount(self) -> None:
        self.run_relink()

    @work(thread=True, exit_on_error=False)
    def run_relink(self) -> None:
        path = self.store.path
        own = path != ":memory:"
        store = open_store(path) if own else self.store
        try:
            # The meaning stage too, as `sidenote link` runs it by default: without
            # its extra it reports itself off and nothing else changes.
            report = relink(store, threshold=threshold_for(store), meaning=True,
                            progress=lambda done, total: self.post_message(
                                LinkProgress(done, total)))
        except SidenoteError as error:
            self.app.call_from_thread(self._failed, str(error))
            return
        finally:
            if own:
                store.close()
        self.app.call_from_thread(self.dismiss, report)

    def _failed(self, message: str) -> None:
        self.notify(message, severity="error", markup=False)
        self.dismiss(None)

    def on_link_progress(self, message: LinkProgress) -> None:
        self.query_one(ProgressBar).update(total=message.total, progress=message.done)
