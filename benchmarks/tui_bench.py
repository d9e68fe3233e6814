"""How fast the reader responds: first paint and milliseconds per key, headless.

Drives `SidenoteApp` with `App.run_test` on file databases (WAL, as in real use):

- the seed article with the most sentences, and a generated 1 MB article carrying
  2,000 annotations: time to first paint, then median and p95 milliseconds per key
  for 200 cursor moves (`j`/`k`) and for 50 tags (`c`/`q`/`p`, each on a new sentence);
- the library on a database of 10,000 articles: time to first paint.

A key is timed as the CPU time the process spends from the press until the app is
idle again: handling the key and repainting what changed (see `timed`). Keys are
pressed once the start-up warm-up (echoes index, search vocabulary: a worker thread)
is done, so its CPU time is not counted against them. First paint is wall time from
creating the app to the first frame of its first screen (see `first_frame`). Each
figure is the median over `--runs` runs (default 3); the machine is noisy.

Run: .venv/bin/python benchmarks/tui_bench.py [--runs N]
"unbound key" is a key bound to nothing: the share of each figure that is Pilot's own
bookkeeping rather than the app's work.

Targets (issue #3): library first paint <= 1 s at 10,000 articles; median <= 10 ms per
key on both articles; the 1 MB article no more than 1.5x the seed article.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from store import Label, NewDocument, Store, add_document, change_group, open_store
from store.annotations import annotation_row
from store.corpus import bundled_seed_paths
from store.importing.ingest import import_paths
from tui.app import SidenoteApp
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.article_view import ArticleView

SIZE = (120, 35)
MOVES = 200
TAGS = 50
BIG_CHARS = 1_000_000
BIG_ANNOTATIONS = 2_000
LIBRARY_DOCS = 10_000


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def seed_paragraphs(store: Store) -> list[str]:
    return [p for d in store.document_ids() for p in store.document(d).text.split("\n")
            if len(p) > 60]


def build_articles(folder: Path) -> tuple[Path, str, str]:
    """A database with the seeds and a 1 MB article annotated 2,000 times."""
    path = folder / "articles.db"
    with open_store(path) as store:
        report = import_paths(store, bundled_seed_paths())
        assert report.ok, report.errors
        seed_id = max(store.document_ids(), key=lambda d: len(store.sentences(d)))
        rng = random.Random(3)
        paragraphs = seed_paragraphs(store)
        chunks: list[str] = []
        size = 0
        while size < BIG_CHARS:
            paragraph = rng.choice(paragraphs)
            chunks.append(paragraph)
            size += len(paragraph) + 1
        text = "\n".join(chunks)[:BIG_CHARS]
        with store.transaction() as db:
            big_id, _ = add_document(db, NewDocument(text=text, title="One megabyte",
                                                     source="bench"))
        annotate_evenly(store, big_id, BIG_ANNOTATIONS)
        store.set_setting("tui.reader_open", False)
    return path, seed_id, big_id


def annotate_evenly(store: Store, doc_id: str, count: int) -> None:
    """`count` sentence annotations spread evenly through the document, labels in turn."""
    text = store.document(doc_id).text
    sentences = store.sentences(doc_id)
    step = len(sentences) / count
    labels = list(Label)
    with change_group(store, "bench annotations") as group:
        for number in range(count):
            sentence = sentences[int(number * step)]
            row = annotation_row(text, doc_id, sentence.start, sentence.end,
                                 labels[number % 3], annotator="bench")
            group.set_state("annotation", row["id"], row)


def annotated_copy(path: Path, seed_id: str, big_id: str) -> Path:
    """The articles database with the seed article annotated as densely as the 1 MB one."""
    copy = path.with_name("annotated-seed.db")
    with open_store(path) as source, open_store(copy) as target:
        source.db.conn.backup(target.db.conn)
        density = len(target.annotations(big_id)) / len(target.sentences(big_id))
        annotate_evenly(target, seed_id, max(1, round(density * len(target.sentences(seed_id)))))
    return copy


def build_library(folder: Path) -> Path:
    """10,000 articles made of seed paragraphs (sentences split as on import)."""
    path = folder / "library.db"
    with open_store(path) as store:
        import_paths(store, bundled_seed_paths())
        paragraphs = seed_paragraphs(store)
        rng = random.Random(5)
        outlets = ["Reuters", "AP", "BBC", "Russia Today", "Newsweek", "Japan Today"]
        with store.transaction() as db:
            for number in range(LIBRARY_DOCS - store.document_count()):
                body = "\n".join(rng.sample(paragraphs, 5))
                add_document(db, NewDocument(text=f"Report {number}\n{body}",
                                             title=f"Report {number}: {body[:60]}",
                                             source=rng.choice(outlets)))
    return path


def first_frame(app: SidenoteApp, screen_type: type, start: float) -> dict[str, float]:
    """Record, in the returned dict, the wall ms from `start` to the first frame of a
    `screen_type` screen. (Waiting for the app to be idle would also count the
    start-up warm-up, which runs after that frame, in a worker thread.)"""
    seen: dict[str, float] = {}
    display = app._display  # the one place a composed frame goes to the terminal

    def timed_display(screen, renderable) -> None:
        display(screen, renderable)
        if renderable is not None and isinstance(screen, screen_type) and not seen:
            seen["first_paint"] = (time.perf_counter() - start) * 1000

    app._display = timed_display
    return seen


async def timed(pilot, key: str) -> float:
    """CPU milliseconds the process spends on one key: handling it and redrawing.

    Wall time would mostly measure Pilot's own waiting (it sleeps in 20 ms steps until
    the app is idle), so the process's CPU time is counted instead. `pilot.press`
    can return before Textual's refresh timer has repainted what the key changed
    (that work would then land in the next key's window, or in none), so
    `pilot.pause()` follows: it waits for idle and paints whatever is still pending.
    """
    start = time.process_time()
    await pilot.press(key)
    await pilot.pause()
    return (time.process_time() - start) * 1000


def move_keys(view: ArticleView) -> list[str]:
    """200 cursor moves: down to the end (or 100 sentences), then back up, repeated."""
    keys, sentence, direction = [], view.sentence, "j"
    last = min(view.sentence_count - 1, 100)
    for _ in range(MOVES):
        if direction == "j" and sentence >= last:
            direction = "k"
        elif direction == "k" and sentence <= 0:
            direction = "j"
        sentence += 1 if direction == "j" else -1
        keys.append(direction)
    return keys


def measure_article(path: Path, doc_id: str) -> dict[str, float]:
    result: dict[str, float] = {}

    async def main() -> None:
        with open_store(path) as store:
            start = time.perf_counter()
            app = SidenoteApp(store, doc_id)
            painted = first_frame(app, ReaderScreen, start)
            async with app.run_test(size=SIZE) as pilot:
                await app.workers.wait_for_complete()
                await pilot.pause()
                result["first_paint"] = painted["first_paint"]
                assert isinstance(app.screen, ReaderScreen)
                view = app.screen.query_one(ArticleView)
                moves = [await timed(pilot, key) for key in move_keys(view)]
                await pilot.press("g")
                tags = []
                for number in range(TAGS):
                    await pilot.press("j", "j")
                    tags.append(await timed(pilot, "cqp"[number % 3]))
                for _ in range(TAGS):
                    await pilot.press("u")  # leave the database as it was
                # a key bound to nothing: what Pilot itself costs per press
                idle = [await timed(pilot, "z") for _ in range(50)]
        result.update(move_median=statistics.median(moves), move_p95=p95(moves),
                      tag_median=statistics.median(tags), tag_p95=p95(tags),
                      unbound_median=statistics.median(idle))

    asyncio.run(main())
    return result


def measure_library(path: Path) -> dict[str, float]:
    result: dict[str, float] = {}

    async def main() -> None:
        with open_store(path) as store:
            start = time.perf_counter()
            app = SidenoteApp(store)
            painted = first_frame(app, LibraryScreen, start)
            async with app.run_test(size=SIZE) as pilot:
                await app.workers.wait_for_complete()
                await pilot.pause()
                result["first_paint"] = painted["first_paint"]
                table = app.screen.query_one("#library-table")
                assert len(table.rows) == LIBRARY_DOCS, len(table.rows)
            query_start = time.perf_counter()
            store.document_summaries()
            result["summaries_query"] = (time.perf_counter() - query_start) * 1000

    asyncio.run(main())
    return result


def median_of(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print("building databases ...", flush=True)
        articles, seed_id, big_id = build_articles(folder)
        annotated = annotated_copy(articles, seed_id, big_id)
        library = build_library(folder)
        with open_store(annotated) as store:
            seed_chars = len(store.document(seed_id).text)
            seed_notes = len(store.annotations(seed_id))
            big_chars = len(store.document(big_id).text)
            big_notes = len(store.annotations(big_id))
        measure: dict[str, Callable[[], dict[str, float]]] = {
            f"seed article ({seed_chars:,} chars, no annotations)":
                lambda: measure_article(articles, seed_id),
            f"seed article, as densely annotated ({seed_notes} annotations)":
                lambda: measure_article(annotated, seed_id),
            f"1 MB article ({big_chars:,} chars, {big_notes:,} annotations)":
                lambda: measure_article(articles, big_id),
            f"library ({LIBRARY_DOCS:,} articles)": lambda: measure_library(library),
        }
        results = {name: [run() for _ in range(runs)] for name, run in measure.items()}

    print(
        f"\nmedian of {runs} runs, ms (terminal {SIZE[0]}x{SIZE[1]}, headless;"
        " per key: CPU ms)\n"
    )
    print("| scenario | first paint | move median | move p95 | tag median | tag p95 "
          "| unbound key |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, runs_ in results.items():
        cells = [f"{median_of(runs_, 'first_paint'):.0f}"]
        for key in ("move_median", "move_p95", "tag_median", "tag_p95", "unbound_median"):
            cells.append(f"{median_of(runs_, key):.1f}" if key in runs_[0] else "")
        print(f"| {name} | " + " | ".join(cells) + " |")
    bare, dense, big, lib = (results[name] for name in measure)
    for label, seed in (("bare seed", bare), ("equally annotated seed", dense)):
        move_ratio = median_of(big, "move_median") / median_of(seed, "move_median")
        tag_ratio = median_of(big, "tag_median") / median_of(seed, "tag_median")
        print(f"1 MB / {label}, median per key: moves {move_ratio:.2f}x, tags {tag_ratio:.2f}x"
              " (target <= 1.5x)")
    print(f"library summaries query alone: {median_of(lib, 'summaries_query'):.0f} ms")


if __name__ == "__main__":
    main()
