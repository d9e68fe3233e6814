"""How long `sidenote` (the app) takes to end after ctrl+q, as a person sees it.

The app is started in a pseudo-terminal of 120x35 on a fresh copy of a database
holding the bundled articles (linked by the string stages), as `startup_bench` starts
it. Once the library is drawn, the benchmark waits `--settle` seconds (the start-up
warm-up of the echoes and search indexes is over by then), opens the first article
and looks for its echoes (`enter`, `l`, `escape`), so that the session has built what
a session builds, then sends ctrl+q and times until the process has exited: the
moment a shell would show its prompt again.

Each checkout given by `--root` (default: this one) is measured in the same run, the
cases taking turns, so an older worktree can be compared on a busy machine:
`git worktree add /tmp/old HEAD~1`, then `--root /tmp/old .`. Each figure is the
median over `--runs` runs.

Run: .venv/bin/python benchmarks/quit_bench.py [--runs N] [--settle S] [--root DIR ...]
"""

from __future__ import annotations

import argparse
import fcntl
import os
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
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from startup_bench import (  # noqa: E402 - a sibling script, not a package
    ESCAPES,
    LIBRARY_MARK,
    PAINT_TIMEOUT,
    ROOT,
    SIZE,
    build_database,
    cli,
    isolated_env,
)

EXIT_TIMEOUT = 30.0


def _read_until(master: int, mark: bytes, start: float) -> None:
    seen = b""
    while mark not in ESCAPES.sub(b"", seen):
        if time.perf_counter() - start > PAINT_TIMEOUT:
            sys.exit(f"quit_bench: no {mark!r} after {PAINT_TIMEOUT:.0f} s: {seen[-300:]!r}")
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                seen += os.read(master, 65536)
            except OSError:
                sys.exit(f"quit_bench: the app exited: {seen[-500:]!r}")


def _drain(master: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([master], [], [], left)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                return


def quit_seconds(db: Path, env: dict[str, str], root: Path, settle: float) -> float:
    """Seconds from ctrl+q until the app's process has exited."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", *SIZE, 0, 0))
    process = subprocess.Popen(cli("--db", str(db)), cwd=root, env=env, stdin=slave,
                               stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    try:
        _read_until(master, LIBRARY_MARK, time.perf_counter())
        _drain(master, settle)
        for key in (b"\r", b"l", b"\x1b"):
            os.write(master, key)
            _drain(master, 0.5)
        start = time.perf_counter()
        os.write(master, b"\x11")
        while process.poll() is None:
            if time.perf_counter() - start > EXIT_TIMEOUT:
                sys.exit(f"quit_bench: still running {EXIT_TIMEOUT:.0f} s after ctrl+q")
            ready, _, _ = select.select([master], [], [], 0.005)
            if ready:
                try:
                    os.read(master, 65536)
                except OSError:  # the terminal's other end closed: wait for the exit
                    process.wait()
        return time.perf_counter() - start
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait()
        os.close(master)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--settle", type=float, default=4.0,
                        help="seconds between the first paint and the keys (default 4)")
    parser.add_argument("--root", type=Path, nargs="+", default=[ROOT],
                        help="checkouts whose tui/ and store/ are started (default: this one)")
    args = parser.parse_args()
    roots = [root.resolve() for root in args.root]

    with tempfile.TemporaryDirectory(prefix="sidenote-quit-") as name:
        folder = Path(name)
        env = isolated_env(folder)
        templates = []
        for number, root in enumerate(roots):
            own = folder / str(number)
            own.mkdir()
            template = build_database(own, env, root)
            subprocess.run(cli("--db", str(template), "link", "--no-meaning"), cwd=root,
                           env=env, check=True, stdout=subprocess.DEVNULL)
            templates.append(template)

        def once(number: int) -> float:
            db = folder / str(number) / "app.sqlite"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            shutil.copyfile(templates[number], db)
            return quit_seconds(db, env, roots[number], args.settle)

        times: list[list[float]] = [[] for _ in roots]
        for _ in range(args.runs):
            for number in range(len(roots)):
                times[number].append(once(number))

    print(f"ctrl+q until the process exits: median of {args.runs} runs, "
          f"{os.cpu_count()} cores, --settle {args.settle:g}")
    for number, root in enumerate(roots):
        runs = ", ".join(f"{t:.2f}" for t in times[number])
        print(f"[{number}] {root}: {statistics.median(times[number]):.3f} s  ({runs})")


if __name__ == "__main__":
    main()
