"""`sidenote export -o PATH` never destroys what it did not write.

Each test names a path a user (or an attacker choosing the path) could give: the
database itself or one of its side files under another name, a device, a named pipe,
a socket, a folder, a file that already exists. The export refuses in one line and
the thing stays exactly as it was, or writes a file with the mode the user expects.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from store import open_store
from tests.exchange_data import ENVOY, POST, add_doc, tag
from tui.cli.main import cli


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A database with two articles and three annotations, closed."""
    path = tmp_path / "s.sqlite"
    with open_store(path) as store:
        envoy = add_doc(store, ENVOY, title="Envoy", source="RT")
        post = add_doc(store, POST, title="Post", source="Newsweek")
        tag(store, envoy, "'resiliency force.'", speaker="Kellogg")
        tag(store, post, "resiliency force", label="claim")
        tag(store, envoy, "legitimate targets", label="proposal")
    return path


def export(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), "export", *args])


def dump(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        lines = list(conn.iterdump())
    conn.close()
    return lines


def refused(result, *parts: str) -> None:
    """Exit 1 with one line on stderr naming the problem; nothing on stdout."""
    assert result.exit_code == 1, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sidenote: "), result.stderr
    for part in parts:
        assert part in lines[0], lines[0]
    assert result.stdout == ""
    assert "Traceback" not in result.output and "internal error" not in result.output


def no_part_files(folder: Path) -> list[str]:
    return [name for name in os.listdir(folder) if name.endswith(".part")]


# -- the database and its files ------------------------------------------------


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_the_database_itself_is_refused(db: Path, force: bool) -> None:
    before = dump(db)
    result = export(db, "-o", str(db), *(["--force"] if force else []))
    refused(result, str(db), "database")
    assert dump(db) == before


@pytest.mark.parametrize(
    "suffix",
    [
        *("-wal", "-shm", "-journal", "-writers", ".backup-v1", ".backup-v1.2"),
        *(".vectors.usearch", ".vectors.usearch.json", ".vectors.usearch.tmp"),
        *(".vectors.neighbours.npz", ".vectors.neighbours.npz.tmp"),
    ],
)
def test_the_files_beside_the_database_are_refused(db: Path, suffix: str) -> None:
    before = dump(db)
    side = db.with_name(db.name + suffix)
    existed = side.exists()
    result = export(db, "-o", str(side), "--force")
    refused(result, str(side), "database")
    assert side.exists() == existed
    assert dump(db) == before


def test_a_symlink_to_the_database_is_refused(db: Path, tmp_path: Path) -> None:
    before = dump(db)
    link = tmp_path / "notes.jsonl"
    link.symlink_to(db)
    result = export(db, "-o", str(link), "--force")
    refused(result, str(link), "database")
    assert link.is_symlink() and link.resolve() == db.resolve()
    assert dump(db) == before


def test_a_hard_link_to_the_database_is_refused(db: Path, tmp_path: Path) -> None:
    before = dump(db)
    other = tmp_path / "copy.jsonl"
    os.link(db, other)
    result = export(db, "-o", str(other), "--force")
    refused(result, str(other), "database")
    assert os.stat(other).st_ino == os.stat(db).st_ino
    assert dump(db) == before


def test_a_relative_path_to_the_database_is_refused(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = dump(db)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    result = CliRunner().invoke(
        cli, ["--db", "../s.sqlite", "export", "-o", "../sub/../s.sqlite", "--force"]
    )
    refused(result, "../sub/../s.sqlite", "database")
    assert dump(db) == before


def test_a_database_reached_through_a_symlinked_path_keeps_its_wal(
    db: Path, tmp_path: Path
) -> None:
    """`--db` names a symlink; SQLite keeps the -wal beside the real file."""
    link = tmp_path / "alias.sqlite"
    link.symlink_to(db)
    before = dump(db)
    refused(export(link, "-o", str(db) + "-wal"), "database")
    refused(export(link, "-o", str(db)), "database")
    assert dump(db) == before


# -- special files -------------------------------------------------------------


def test_a_named_pipe_is_refused_without_being_opened(db: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # If the export opened the pipe to write, it would wait for a reader that never
    # comes; the export has to decide from the file's type (stat), not by opening it.
    result = export(db, "-o", str(fifo), "--force")
    refused(result, str(fifo), "pipe")
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_character_device_is_refused_and_stays_a_device(db: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        # As root, a /dev/null of our own: the real one must never be at stake.
        device = tmp_path / "null"
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    else:
        device = Path(os.devnull)  # nobody but root could replace it anyway
    rdev = os.stat(device).st_rdev
    result = export(db, "-o", str(device), "--force")
    refused(result, str(device), "device")
    assert stat.S_ISCHR(os.stat(device).st_mode) and os.stat(device).st_rdev == rdev


def test_a_socket_is_refused(db: Path, tmp_path: Path) -> None:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        result = export(db, "-o", str(path), "--force")
        refused(result, str(path), "socket")
        assert stat.S_ISSOCK(os.stat(path).st_mode)


def test_a_folder_is_refused_for_a_file_format(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine", "utf-8")
    refused(export(db, "-o", str(folder), "--force"), str(folder), "folder")
    assert (folder / "keep.txt").read_text("utf-8") == "mine"


def test_brat_onto_a_file_is_refused(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("mine", "utf-8")
    refused(export(db, "--format", "brat", "-o", str(target), "--force"), str(target))
    assert target.read_text("utf-8") == "mine"


def test_brat_through_a_symlink_to_an_empty_folder_writes_into_it(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "real"
    folder.mkdir()
    link = tmp_path / "brat"
    link.symlink_to(folder)
    result = export(db, "--format", "brat", "-o", str(link))
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert {p.suffix for p in folder.iterdir()} == {".ann", ".txt", ".conf"}


def test_brat_through_a_symlink_to_a_full_folder_is_refused(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "real"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine", "utf-8")
    link = tmp_path / "brat"
    link.symlink_to(folder)
    refused(export(db, "--format", "brat", "-o", str(link)), str(link), "not empty")
    assert os.listdir(folder) == ["keep.txt"]


# -- existing files, modes ------------------------------------------------------


def test_an_existing_file_is_kept_without_force(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "notes.jsonl"
    target.write_text("my notes\n", "utf-8")
    result = export(db, "-o", str(target))
    refused(result, str(target), "--force")
    assert target.read_text("utf-8") == "my notes\n"


def test_force_replaces_an_existing_file_and_keeps_its_mode(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "notes.jsonl"
    target.write_text("my notes\n", "utf-8")
    target.chmod(0o640)
    result = export(db, "-o", str(target), "--force")
    assert result.exit_code == 0, result.output
    assert target.read_text("utf-8").count("\n") == 3
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


def test_force_through_a_symlink_replaces_the_file_and_keeps_the_link(
    db: Path, tmp_path: Path
) -> None:
    target = tmp_path / "notes.jsonl"
    target.write_text("my notes\n", "utf-8")
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)
    result = export(db, "-o", str(link), "--force")
    assert result.exit_code == 0, result.output
    assert link.is_symlink()
    assert target.read_text("utf-8").count("\n") == 3


def _with_umask(mask: int, *args: str) -> subprocess.CompletedProcess:
    code = (
        "import os, sys; os.umask(int(sys.argv[1], 8)); sys.argv = ['sidenote', *sys.argv[2:]];"
        "from tui.cli.main import main; main()"
    )
    return subprocess.run(
        [sys.executable, "-c", code, oct(mask), *args], capture_output=True, text=True, check=False
    )


def test_a_new_file_and_a_brat_folder_get_the_users_umask(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "new.jsonl"
    folder = tmp_path / "brat"
    done = _with_umask(0o022, "--db", str(db), "export", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o644
    done = _with_umask(0o022, "--db", str(db), "export", "--format", "brat", "-o", str(folder))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o755
    assert {stat.S_IMODE(os.stat(p).st_mode) for p in folder.iterdir()} == {0o644}
    private = tmp_path / "private.jsonl"
    done = _with_umask(0o077, "--db", str(db), "export", "-o", str(private))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600


def test_dash_is_standard_output(db: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = export(db, "-o", "-")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("\n") == 3
    assert not (tmp_path / "-").exists()


# -- a killed export ------------------------------------------------------------

# An export that stops in the middle of writing (after its first batch) and waits:
# the test kills it there, as a crash or `kill -9` would.
_STALLED_EXPORT = """
import sys
import store.exchange.write as write

def stall(lines, stream):
    stream.write("half an export\\n")
    stream.flush()
    print("writing", flush=True)
    sys.stdin.read()
    return 0

write.write_encoded = stall
sys.argv = ["sidenote", *sys.argv[1:]]
from tui.cli.main import main
main()
"""


def test_a_killed_export_leaves_no_part_file_after_the_next_one(db: Path, tmp_path: Path) -> None:
    """Choice: the temporary file is named `.NAME.*.part` and locked (flock) while it
    is written; the next export to that folder removes every such file whose writer is
    gone (the lock died with it), and never one still being written."""
    target = tmp_path / "out.jsonl"
    child = subprocess.Popen(
        [sys.executable, "-c", _STALLED_EXPORT, "--db", str(db), "export", "-o", str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "writing\n"
        assert no_part_files(tmp_path), "the stalled export has its temporary file"
    finally:
        child.kill()
        child.wait()
        assert child.stdin is not None and child.stdout is not None
        child.stdin.close()
        child.stdout.close()
    assert not target.exists()
    result = export(db, "-o", str(tmp_path / "other.jsonl"))
    assert result.exit_code == 0, result.output
    assert no_part_files(tmp_path) == []


def test_an_export_in_progress_keeps_its_part_file(db: Path, tmp_path: Path) -> None:
    """The clean-up must not take the file from under an export that is still running."""
    target = tmp_path / "out.jsonl"
    child = subprocess.Popen(
        [sys.executable, "-c", _STALLED_EXPORT, "--db", str(db), "export", "-o", str(target)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None and child.stdin is not None
    assert child.stdout.readline() == "writing\n"
    parts = no_part_files(tmp_path)
    result = export(db, "-o", str(tmp_path / "other.jsonl"))
    assert result.exit_code == 0, result.output
    assert no_part_files(tmp_path) == parts
    child.stdin.close()  # the stalled export goes on, and finishes
    assert child.wait() == 0
    child.stdout.close()
    assert target.read_text("utf-8") == "half an export\n"
    assert no_part_files(tmp_path) == []


# -- shared folders (sticky, world-writable: /tmp) -------------------------------

NOBODY = 65534


def shared_folder(tmp_path: Path) -> Path:
    """A folder like /tmp: anyone may create names in it, only their owner removes them."""
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o1777)
    return folder


def test_the_clean_up_leaves_other_users_part_files_and_foreign_folders(
    db: Path, tmp_path: Path
) -> None:
    """Choice: only our own regular `.part` files go, and a `.part` folder only when it
    is ours and holds nothing but the files the brat writer makes (no recursion)."""
    folder = shared_folder(tmp_path)
    theirs = folder / ".x.sidenote-aaaaaaaa.part"
    theirs.write_text("someone else's", "utf-8")
    nested = folder / ".y.sidenote-bbbbbbbb.part"
    (nested / "keep").mkdir(parents=True)
    (nested / "keep" / "data.txt").write_text("mine", "utf-8")
    ours = folder / ".z.sidenote-cccccccc.part"
    ours.mkdir()
    (ours / "annotation.conf").write_text("[entities]\n", "utf-8")
    if os.geteuid() == 0:
        theirs_folder = folder / ".w.sidenote-dddddddd.part"
        theirs_folder.mkdir()
        (theirs_folder / "a.txt").write_text("theirs", "utf-8")
        for path in (theirs, theirs_folder, theirs_folder / "a.txt"):
            os.chown(path, NOBODY, NOBODY)
    result = export(db, "-o", str(folder / "out.jsonl"))
    assert result.exit_code == 0, result.output
    assert theirs.read_text("utf-8") == "someone else's"
    assert (nested / "keep" / "data.txt").read_text("utf-8") == "mine"
    assert not ours.exists()  # a dead brat export of ours is still cleaned up
    if os.geteuid() == 0:
        assert (theirs_folder / "a.txt").read_text("utf-8") == "theirs"


@pytest.mark.parametrize("force", [False, True], ids=["plain", "force"])
def test_a_symlink_planted_by_another_user_in_a_shared_folder_is_refused(
    db: Path, tmp_path: Path, force: bool
) -> None:
    folder = shared_folder(tmp_path)
    victim_folder = tmp_path / "home"
    victim_folder.mkdir()
    victim = victim_folder / "precious.txt"
    victim.write_text("precious\n", "utf-8")
    link = folder / "out.jsonl"
    link.symlink_to(victim)
    if os.geteuid() != 0:
        # Without root the link cannot be given away: our own link is followed as before.
        result = export(db, "-o", str(link), *(["--force"] if force else []))
        assert result.exit_code == (0 if force else 1), result.output
        return
    os.lchown(link, NOBODY, NOBODY)
    result = export(db, "-o", str(link), *(["--force"] if force else []))
    refused(result, str(link), "someone else")
    assert victim.read_text("utf-8") == "precious\n"
    assert os.readlink(link) == str(victim)
    dangling = folder / "new.jsonl"  # a link to a file that does not exist yet
    dangling.symlink_to(victim_folder / "planted.jsonl")
    os.lchown(dangling, NOBODY, NOBODY)
    refused(export(db, "-o", str(dangling), *(["--force"] if force else [])), "someone else")
    assert not (victim_folder / "planted.jsonl").exists()
    brat = folder / "brat"
    brat.symlink_to(victim_folder)
    os.lchown(brat, NOBODY, NOBODY)
    refused(export(db, "--format", "brat", "-o", str(brat)), str(brat), "someone else")
    assert os.listdir(victim_folder) == ["precious.txt"]


def test_force_drops_setuid_and_keeps_the_owner(db: Path, tmp_path: Path) -> None:
    """As `cp` does: the mode is kept without setuid/setgid, and root keeps the owner."""
    target = tmp_path / "tool.jsonl"
    target.write_text("old\n", "utf-8")
    if os.geteuid() == 0:
        os.chown(target, NOBODY, NOBODY)
    target.chmod(0o6755)  # after the chown, which clears these bits
    result = export(db, "-o", str(target), "--force")
    assert result.exit_code == 0, result.output
    info = os.stat(target)
    assert stat.S_IMODE(info.st_mode) == 0o755
    assert target.read_text("utf-8").count("\n") == 3
    if os.geteuid() == 0:
        assert (info.st_uid, info.st_gid) == (NOBODY, NOBODY)
