"""How long `sidenote` takes to start, as whole processes, beside Python itself.

Each case is a fresh process, timed from spawn to exit (or, for the app, to the first
frame that shows the library):

- `python -c pass` and `python -c "import textual.app"`: the floor, measured in the
  same run so a busy machine moves every row together;
- `sidenote --version`, `sidenote --help` and `sidenote docs` (a command that reads
  the database and prints);
- `sidenote` (the app) in a pseudo-terminal of 120x35, until a title from the library
  has been written to the terminal;
- the app again on a database whose reader was left open, until the reader's status
  line has been written: the start of someone who quit while reading (no target of
  its own; it shows what resuming costs beyond the library).

The cases take turns within each run, so drift in the machine's load is shared, and
each figure is the median over `--runs` runs. The app starts on a fresh copy of a
database holding the bundled articles, with empty config and data folders, so no
keymap or remembered position changes what it draws first.

The command line is started the way the installed `sidenote` script starts it, from
each checkout given by `--root` (default: this one), so an older worktree is measured
in the same run as the current one: `git worktree add /tmp/old HEAD~3`, then
`--root /tmp/old .`.

Run: .venv/bin/python benchmarks/startup_bench.py [--runs N] [--root DIR ...]

Targets (issue #15): `--version` <= 3x `python -c pass`; first paint <= 1.3x the
bare `import textual.app` + 0.3 s.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZE = (35, 120)  # rows, columns
# The console script's own lines: what `.venv/bin/sidenote` runs.
ENTRY = "import re, sys; from tui.cli.main import main; sys.exit(main())"
# On the library's first screen: a title of one of the bundled articles.
LIBRARY_MARK = b"Trump envoy"
# On the reader's first screen: its status line.
READER_MARK = b"sentence 1/"
# Leaves the reader open on the first article, as quitting while reading does.
LEAVE_READER_OPEN = (
    "import sys; from store import open_store; s = open_store(sys.argv[1]); "
    "s.set_setting('tui.reader_open', True); "
    "s.set_setting('last_document', s.document_summaries()[0].id); s.close()"
)
PAINT_TIMEOUT = 60.0
# What Textual writes between the cells of a row: escape sequences and cursor moves.
ESCAPES = re.compile(rb"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", ENTRY, *args]


def timed_run(argv: list[str], env: dict[str, str], root: Path = ROOT) -> float:
    """Seconds from spawn to exit; output discarded, a failure stops the benchmark."""
    start = time.perf_counter()
    result = subprocess.run(argv, cwd=root, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"startup_bench: {argv[-1]!r} failed: {result.stderr.decode()[-500:]}")
    return elapsed


def first_paint(argv: list[str], env: dict[str, str], root: Path,
                mark: bytes = LIBRARY_MARK) -> float:
    """Seconds from spawn until `mark` has been written to the terminal."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", *SIZE, 0, 0))
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=root, env=env, stdin=slave, stdout=slave,
                               stderr=slave, start_new_session=True)
    os.close(slave)
    seen = b""
    try:
        while mark not in ESCAPES.sub(b"", seen):
            if time.perf_counter() - start > PAINT_TIMEOUT:
                sys.exit(f"startup_bench: no {mark!r} after {PAINT_TIMEOUT:.0f} s: {seen[-300:]!r}")
            ready, _, _ = select.select([master], [], [], 1.0)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:  # EIO: the app exited before drawing the mark
                    sys.exit(f"startup_bench: the app exited: {seen[-500:]!r}")
        return time.perf_counter() - start
    finally:
        _quit(process, master)


def _quit(process: subprocess.Popen, master: int) -> None:
    """ctrl+q, as a person would; then the terminal is drained until the app is gone."""
    os.write(master, b"\x11")
    deadline = time.monotonic() + 20
    while process.poll() is None and time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                break
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    process.wait()
    os.close(master)


def build_database(folder: Path, env: dict[str, str], root: Path) -> Path:
    template = folder / "template.sqlite"
    subprocess.run(cli("--db", str(template), "import", str(ROOT / "seeds")), cwd=root,
                   env=env, check=True, stdout=subprocess.DEVNULL)
    return template


def reading_database(template: Path, env: dict[str, str], root: Path) -> Path:
    """A copy of `template` that the app opens in the reader, where it was left."""
    reading = template.with_name("reading.sqlite")
    shutil.copyfile(template, reading)
    subprocess.run([sys.executable, "-c", LEAVE_READER_OPEN, str(reading)], cwd=root,
                   env=env, check=True)
    return reading


def isolated_env(folder: Path) -> dict[str, str]:
    env = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[name] = str(folder / name.lower())
    env.pop("SIDENOTE_DB", None)
    env.pop("TEXTUAL", None)
    # Python caches compiled modules (.pyc) beside the sources, as it does for anyone
    # who runs sidenote twice; a shell that turns that off would have every start
    # compile the app's own modules again, which no user's start does.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--root", type=Path, nargs="+", default=[ROOT],
                        help="checkouts whose tui/ and store/ are started (default: this one)")
    parser.add_argument("--skip", action="append", default=[], metavar="TEXT",
                        help="leave out the cases whose name contains TEXT (e.g. 'resumed' "
                             "for a checkout that cannot resume)")
    args = parser.parse_args()
    roots = [root.resolve() for root in args.root]

    with tempfile.TemporaryDirectory(prefix="sidenote-startup-") as name:
        folder = Path(name)
        env = isolated_env(folder)
        cases: dict[str, Callable[[], float]] = {
            "python -c pass": lambda: timed_run([sys.executable, "-c", "pass"], env),
            "python -c 'import textual.app'":
                lambda: timed_run([sys.executable, "-c", "import textual.app"], env),
        }
        for number, root in enumerate(roots):
            tag = f" [{number}]" if len(roots) > 1 else ""
            # Each checkout makes its own database: an older one refuses a newer schema.
            own = folder / str(number)
            own.mkdir()
            cases |= sidenote_cases(root, tag, own, build_database(own, env, root), env)
        cases = {label: case for label, case in cases.items()
                 if not any(text in label for text in args.skip)}
        times: dict[str, list[float]] = {label: [] for label in cases}
        for case in cases.values():  # one untimed round: the OS's file cache, .pyc files
            case()
        for _ in range(args.runs):
            for label, case in cases.items():
                times[label].append(case())

    report(roots, args.runs, {label: statistics.median(v) for label, v in times.items()})


def sidenote_cases(
    root: Path, tag: str, folder: Path, template: Path, env: dict[str, str]
) -> dict[str, Callable[[], float]]:
    def run(*args: str) -> Callable[[], float]:
        return lambda: timed_run(cli(*args), env, root)

    reading = reading_database(template, env, root)

    def app(start: Path = template, mark: bytes = LIBRARY_MARK) -> float:
        db = folder / "app.sqlite"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(start, db)
        return first_paint(cli("--db", str(db)), env, root, mark)

    return {
        f"sidenote --version{tag}": run("--version"),
        f"sidenote --help{tag}": run("--help"),
        f"sidenote docs{tag}": run("--db", str(template), "docs"),
        f"sidenote (app): first paint{tag}": app,
        f"sidenote (app): resumed reader{tag}": lambda: app(reading, READER_MARK),
    }


def report(roots: list[Path], runs: int, median: dict[str, float]) -> None:
    bare = median["python -c pass"]
    textual = median["python -c 'import textual.app'"]
    print(f"median of {runs} runs, {os.cpu_count()} cores")
    for number, root in enumerate(roots):
        print(f"[{number}] {root}" if len(roots) > 1 else str(root))
    print(f"{'case':38} {'seconds':>8} {'x python':>9}")
    for label, seconds in median.items():
        print(f"{label:38} {seconds:8.3f} {seconds / bare:8.1f}x")
    paint_limit = 1.3 * textual + 0.3
    print(f"\ntargets: --version <= {3 * bare:.3f} s (3x python -c pass); first paint <= "
          f"{paint_limit:.3f} s (1.3x import textual.app + 0.3 s)")
    for label, seconds in median.items():
        limit = 3 * bare if "--version" in label else paint_limit if "paint" in label else None
        if limit is not None:
            print(f"{label:38} {seconds:8.3f} s  {'met' if seconds <= limit else 'MISSED'}")


if __name__ == "__main__":
    main()
