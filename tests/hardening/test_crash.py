"""Crash safety: SIGKILL a busy Sidenote at random moments; nothing reported saved is lost.

A driver process (driver.py) imports files (the seeds and a generated folder of
every format, with one big article so that kills land inside long transactions),
tags, edits, deletes, undoes, redoes, deletes whole articles, relinks the corpus,
looks for echoes, accepts and rejects links, re-imports annotations from its own
export, and imports changed versions of articles (a paragraph inserted, a word
changed: annotations move to the new version or go to review, links follow, the
old version goes). It prints each
action before it starts and once its store call has returned. The test kills it
with SIGKILL after a random delay, then checks the file from outside:

- `PRAGMA integrity_check` is ok, foreign keys hold, the FTS indexes match;
- every annotation's text is document[start:end]; every document has exactly the
  sentences its text splits into (none stored without them); the event log
  explains every annotation;
- everything reported saved is there, in the state reported (an annotation that
  a new version could not place is accounted for by its row in the review list; one
  that moved keeps its id); the action in flight happened entirely or not at all;
- the next run carries on: an import of everything completes and adds the rest.

Most kills hit a child forked from a warm zygote (fork: ~1 ms; an interpreter
start: ~0.4 s), some a freshly started interpreter (kills during start-up and
open), some a brand-new database (kills during creation and schema migration).

SIDENOTE_KILLS (default 220) sets the number of kills, SIDENOTE_KILL_SEED the seed.
"""

from __future__ import annotations

import collections
import contextlib
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from store import links, open_store
from store.db.migrations import STEP_NAMES
from store.importing.ingest import import_paths, prepare_file

from .checks import Snapshot, assert_consistent, connect, snapshot
from .corpus import write_pool
from .ledger import DRIVER, read_report, verify

KILLS = int(os.environ.get("SIDENOTE_KILLS", "220"))
SEED = int(os.environ.get("SIDENOTE_KILL_SEED", random.SystemRandom().randrange(10**6)))
EMPTY = Snapshot(frozenset(), {}, {})
# Share of kills aimed at a fresh interpreter and at a brand-new database.
FRESH_SHARE = 0.05
NEW_DB_SHARE = 0.05
LONG_SHARE = 0.1


class Zygote:
    """driver.py serve: forks a workload per run and kills it when told."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, str(DRIVER), "serve"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run_and_kill(self, db: Path, seed: int, out: Path, pool: Path, delay: float) -> str:
        self.proc.stdin.write(f"RUN {db} {seed} {out} {pool}\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().startswith("PID ")
        time.sleep(delay)  # the random kill point
        self.proc.stdin.write("KILL\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().strip()

    def close(self) -> None:
        self.proc.stdin.write("QUIT\n")
        self.proc.stdin.close()
        self.proc.wait(timeout=120)  # only turns a hang into a failure


def fresh_run_and_kill(db: Path, seed: int, out: Path, pool: Path, delay: float) -> str:
    with out.open("wb") as handle:
        proc = subprocess.Popen(
            [sys.executable, str(DRIVER), "run", str(db), str(seed), str(pool)],
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
        time.sleep(delay)
        proc.kill()
        code = proc.wait(timeout=120)
    return "EXIT signal 9" if code == -9 else f"EXIT code {code}"


def check_new_database(path: Path) -> None:
    """A database killed while being created opens, complete, on the next run."""
    if path.exists():
        with contextlib.closing(connect(path)) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with open_store(path) as store:
        names = [r[0] for r in store.db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
        assert names == STEP_NAMES
    assert_consistent(path)


def test_sigkill_at_random_points_loses_nothing(tmp_path, seeds_copy, figures):
    rng = random.Random(SEED)
    print(f"kill test: seed {SEED}, {KILLS} kills")
    pool = tmp_path / "pool"
    write_pool(pool, SEED)
    for seed_file in seeds_copy.iterdir():
        shutil.copy(seed_file, pool / seed_file.name)
    files = {path.name: [d.id for d in prepare_file(path).documents] for path in pool.iterdir()}
    db = tmp_path / "crash.db"
    counts: collections.Counter = collections.Counter()
    confirmed = 0
    done_ops: collections.Counter = collections.Counter()
    versions: collections.Counter = collections.Counter()
    checking = 0.0
    started = time.monotonic()
    zygote = Zygote()
    try:
        for kill in range(KILLS):
            run_seed = SEED * 1000 + kill
            out = tmp_path / f"run{kill}.out"
            lane = rng.random()
            before = snapshot(db) if _has_schema(db) else EMPTY
            if lane < NEW_DB_SHARE:
                lane_name, target = "new database", tmp_path / f"new{kill}.db"
                status = zygote.run_and_kill(target, run_seed, out, pool, rng.uniform(0, 0.05))
            elif lane < NEW_DB_SHARE + FRESH_SHARE:
                lane_name, target = "fresh interpreter", db
                status = fresh_run_and_kill(target, run_seed, out, pool, rng.uniform(0.15, 0.7))
            else:
                lane_name, target = "forked", db
                # Mostly short runs; some long enough for a corpus relink to finish,
                # so that there are links to accept and reject.
                delay = (
                    rng.uniform(0.3, 1.2) if rng.random() < LONG_SHARE else rng.uniform(0.005, 0.25)
                )
                status = zygote.run_and_kill(db, run_seed, out, pool, delay)
            text = out.read_text()
            context = f"kill {kill} ({lane_name}, seed {run_seed}):\n{text[-3000:]}"
            assert status == "EXIT signal 9", f"the driver stopped by itself: {status}\n{context}"
            report = read_report(text, files)
            assert not report.errors, context
            if target != db:
                check_new_database(target)
                for leftover in tmp_path.glob(f"new{kill}.db*"):
                    leftover.unlink()
                counts[lane_name] += 1
                continue
            if not _has_schema(db):
                counts["before the schema existed"] += 1
                continue
            tick = time.monotonic()
            after = assert_consistent(db)
            outcome = verify(before, report, after)
            checking += time.monotonic() - tick
            confirmed += len(report.done)
            for payload in report.done:
                done_ops[payload["op"]] += 1
                if payload["op"] == "new_version":
                    _count_version(payload, versions)
            counts[lane_name] += 1
            flight = report.in_flight["op"] if report.in_flight else "between actions"
            counts[f"in flight: {flight}"] += 1
            counts[f"in flight {outcome}"] += 1
            out.unlink()
    finally:
        zygote.close()

    # The next run carries on: importing everything completes and adds the rest,
    # and relinking the corpus completes.
    with open_store(db) as store:
        result = import_paths(store, [pool])
        assert result.ok, result.errors
        present = set(store.document_ids())
        links.relink(store)
    assert {doc_id for ids in files.values() for doc_id in ids} <= present
    assert_consistent(db)
    final = snapshot(db)
    elapsed = time.monotonic() - started
    figures.update(
        seed=SEED,
        kills=KILLS,
        actions_confirmed_then_checked=confirmed,
        writes_lost=0,
        annotations_at_end=len(final.annotations),
        documents_at_end=len(final.documents),
        links_at_end=len(final.links),
        review_at_end=len(final.review),
        new_versions=dict(sorted(versions.items())),
        seconds=round(elapsed, 1),
        seconds_checking=round(checking, 1),
        **{k: v for k, v in sorted(counts.items())},
        confirmed_by_action=dict(sorted(done_ops.items())),
    )
    print(figures)
    assert (
        sum(
            counts[k]
            for k in ("forked", "fresh interpreter", "new database", "before the schema existed")
        )
        == KILLS
    )


def _count_version(payload: dict, versions: collections.Counter) -> None:
    """Tally what a new version did; an annotation it removed must be in the review
    list (its state there was checked with the rest), never just gone."""
    versions["replaced"] += payload["replaced"]
    effects = payload["effects"]
    for key, value in effects.items():
        kind, _, ident = key.partition(":")
        if kind == "annotation" and value is not None:
            versions["annotations moved"] += 1
        elif kind == "annotation":
            assert effects.get(f"review:{ident}") is True, (
                f"a new version removed annotation {ident} without a review row"
            )
            versions["annotations to review"] += 1


def _has_schema(path: Path) -> bool:
    if not path.exists():
        return False
    with contextlib.closing(connect(path)) as conn:
        return bool(
            conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'annotations'").fetchone()
        )
