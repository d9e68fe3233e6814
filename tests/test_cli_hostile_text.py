"""Every command, fed hostile text in every field, keeps the terminal safe.

Article titles, texts, outlets and urls, annotation ids, notes, speakers and
annotators, file names and the --db path all carry an OSC title sequence, a
screen-clearing CSI, a C1 CSI, DEL and bidirectional overrides. No such code point
may reach stdout or stderr raw; JSON output still parses to the original text.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from store import create_annotation, open_store
from store.links import relink
from tests.exchange_data import add_doc
from tui.cli.main import cli

# OSC 0 (set the window title) ended by BEL, CSI 2J (clear the screen), a C1 CSI,
# DEL, a right-to-left override and a left-to-right isolate.
HOSTILE = "\x1b]0;PWN\x07\x1b[2J\x9b\x7f\u202e\u2066"
SHARED = f"The envoy said {HOSTILE} the resiliency force would deploy within weeks."


def bad(word: str) -> str:
    return f"{word}{HOSTILE}end"


def raw_controls(text: str) -> list[str]:
    """Code points that could drive a terminal: C0 but newline and tab, DEL, C1, bidi."""
    found = []
    for char in text:
        code = ord(char)
        if (
            (code < 0x20 and char not in "\n\t")
            or 0x7F <= code < 0xA0
            or 0x202A <= code <= 0x202E
            or 0x2066 <= code <= 0x2069
            or code in (0x200E, 0x200F, 0x061C)
        ):
            found.append(f"U+{code:04X}")
    return found


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [*strings(k), *strings(v)]]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> dict:
    """A database template with hostile text in every field, and hostile files."""
    root = tmp_path_factory.mktemp("hostile")
    template = root / "template.db"
    with open_store(template) as store:
        a = add_doc(
            store,
            f"{bad('Opening')} line.\n{SHARED}\nA closing remark.",
            title=bad("Title"),
            source=bad("Outlet"),
            url=f"https://example.org/{HOSTILE}",
        )
        b = add_doc(
            store,
            f"Another article.\n{SHARED}\n{bad('Tail')} here.\n"
            f"\u201cThe plan {HOSTILE} is ready,\u201d said {bad('Speaker')} on Tuesday.",
            title=bad("Second"),
            source=bad("Wire"),
        )
        text = store.document(a).text
        start = text.index("Opening")
        create_annotation(
            store,
            a,
            start,
            start + len(bad("Opening")),
            "claim",
            note=bad("note"),
            speaker=bad("speaker"),
            annotator=bad("annotator"),
        )
        start = text.index(SHARED)
        create_annotation(store, a, start, start + len(SHARED), "quote", note=bad("n2"))
        relink(store)
    # Annotations with hostile ids come in through import-annotations, as they would
    # from a file someone sent: one placed as is, one for the review list.
    records = root / f"in{HOSTILE}.jsonl"
    placed = text.index("closing")
    lines = [
        {
            "id": bad("id1"),
            "doc_id": a,
            "label": "proposal",
            "start": placed,
            "end": placed + len("closing"),
            "text": "closing",
            "note": bad("imported"),
            "speaker": bad("who"),
            "annotator": bad("by"),
        },
        {
            "id": bad("id2"),
            "doc_id": a,
            "label": "quote",
            "start": 0,
            "end": 4,
            "text": "Gone",
            "prefix": "",
            "suffix": bad(" words that are not there"),
        },
    ]
    records.write_text("".join(json.dumps(r) + "\n" for r in lines), "utf-8")
    result = CliRunner().invoke(cli, ["--db", str(template), "import-annotations", str(records)])
    assert result.exit_code == 0, result.output
    empty = root / f"empty{HOSTILE}.txt"
    empty.write_bytes(b"")
    article = root / f"art{HOSTILE}.txt"
    article.write_text(f"A {HOSTILE} headline\n\nA body {HOSTILE} of text.\n", "utf-8")
    return {
        "root": root,
        "template": template,
        "doc": a,
        "other": b,
        "ann": bad("id1"),
        "review": bad("id2"),
        "records": str(records),
        "empty": str(empty),
        "article": str(article),
    }


def invocations(w: dict, out: Path) -> dict[str, list[tuple[list[str], bool]]]:
    """Per command: (arguments, whether stdout is JSON whose strings must round-trip)."""
    tag = ["annotate", w["doc"], "--label", "claim", "--quote", "closing"]
    return {
        "annotate": [
            ([*tag, "--note", bad("n"), "--speaker", bad("s")], False),
            ([*tag, "--note", bad("n"), "--speaker", bad("s"), "--json"], True),
            (["annotate", w["doc"], "--label", "claim", "--quote", bad("absent")], False),
            (["annotate", w["doc"], "--label", bad("label"), "--span", "0:3"], False),
            (["annotate", w["doc"], "--label", "claim", "--span", "0:\u00b2"], False),
            (["annotate", w["other"], "--quotes"], False),
            (["annotate", w["other"], "--quotes", "--json"], True),
        ],
        "delete": [(["delete", w["doc"]], False), (["delete", bad("doc")], False)],
        "docs": [(["docs"], False), (["docs", "--json"], True)],
        "export": [
            (["export", "--format", fmt, "-o", str(out / f"x{HOSTILE}.{fmt}")], False)
            for fmt in ("jsonl", "documents", "w3c", "csv", "doccano", "label-studio", "prodigy")
        ]
        + [
            (["export", "--format", "w3c", "--lines", "-o", str(out / f"l{HOSTILE}.jsonl")], False),
            (["export", "--format", "spacy", "-o", str(out / f"s{HOSTILE}.spacy")], False),
        ]
        + [
            (["export", "--format", "brat", "-o", str(out / f"brat{HOSTILE}")], False),
            (["export", "--doc", bad("doc")], False),
            (["export", "--format", bad("fmt")], False),
        ],
        "history": [(["history"], False), (["history", "--json"], True)],
        "import": [
            (["import", w["empty"]], False),
            (["import", w["article"]], False),
            (["import", w["empty"], "--json"], True),
            (["import", w["article"], "--json"], True),
        ],
        "import-annotations": [
            (["import-annotations", w["records"]], False),
            (["import-annotations", w["records"], "--json"], True),
            (["import-annotations", w["empty"]], False),
        ],
        "link": [(["link"], False), (["link", "--rebuild"], False)],
        "links": [
            (["links"], False),
            (["links", "--format", "jsonl"], True),
            (["links", "accept", bad("nope")], False),
            (["links", "reject", bad("nope")], False),
        ],
        "datasette-metadata": [
            # To standard output it is data, exact into a pipe (as `export -o -`).
            (["datasette-metadata", "-o", str(out / f"m{HOSTILE}.json")], False),
            (["datasette-metadata", "--name", bad("name"), "-o", str(out / "n.json")], False),
        ],
        "statements": [(["statements"], False), (["statements", "--json"], True)],
        "spread": [
            (["spread", w["ann"]], False),
            (["spread", w["ann"], "--json"], False),
            (["spread", bad("nope")], False),
        ],
        "report": [
            (["report", w["ann"]], False),
            (["report", w["ann"], "-o", str(out / f"r{HOSTILE}.md")], False),
            (["report", bad("nope")], False),
        ],
        "quotes": [
            (["quotes", w["other"]], False),
            (["quotes", w["other"], "--json"], True),
            (["quotes", "--all"], False),
            (["quotes", bad("doc")], False),
        ],
        "read": [(["read", bad("doc")], False)],
        "redo": [(["redo"], False)],
        "review": [
            (["review"], False),
            (["review", "--json"], True),
            (["review", "--all"], False),
            (["review", "place", w["review"], "--span", "0:7"], False),
            (["review", "place", bad("nope")], False),
            (["review", "discard", w["review"]], False),
            (["review", "discard", bad("nope")], False),
        ],
        "search": [
            (["search", "note"], False),
            (["search", "note", "--json"], True),
            (["search", "Opening"], False),
            (["search", bad("qury")], False),
        ],
        "show": [(["show", bad("doc")], False)],
        "stats": [(["stats"], False)],
        "undo": [(["undo"], False)],
    }


# The same table with placeholder values: enough to know its commands and cases.
_SHAPE = dict.fromkeys(("doc", "other", "ann", "review", "records", "empty", "article"), "x")


def test_every_command_is_fed_hostile_text():
    """A new command must come with its hostile invocations below."""
    assert set(cli.commands) <= set(invocations(_SHAPE, Path(".")))
    review = cli.commands["review"]
    assert isinstance(review, click.Group) and set(review.commands) == {"place", "discard"}


def _cases() -> list[tuple[str, int]]:
    shape = invocations(_SHAPE, Path("."))
    # Only commands this version has (a command being added may be listed first).
    return [
        (name, i) for name, calls in shape.items() if name in cli.commands
        for i in range(len(calls))
    ]


@pytest.mark.parametrize("name,index", _cases())
def test_no_raw_control_reaches_the_output(world, tmp_path, name, index):
    db = tmp_path / f"db{HOSTILE}.sqlite"
    shutil.copyfile(world["template"], db)
    args, is_json = invocations(world, tmp_path)[name][index]
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    assert "Traceback" not in result.stdout + result.stderr
    assert not isinstance(result.exception, (AssertionError, TypeError, ValueError)), result
    assert raw_controls(result.stdout) == [], result.stdout
    assert raw_controls(result.stderr) == [], result.stderr
    if result.exit_code != 0:
        lines = result.stderr.strip().splitlines()
        assert result.exit_code == 1 and len(lines) == 1 and lines[0].startswith("sidenote: ")
    if is_json and result.exit_code == 0:
        parsed = [json.loads(line) for line in result.stdout.splitlines()]
        assert parsed and any(HOSTILE in s for s in strings(parsed)), result.stdout


def test_stats_shows_the_database_path_with_visible_escapes(world, tmp_path):
    db = tmp_path / f"db{HOSTILE}.sqlite"
    shutil.copyfile(world["template"], db)
    result = CliRunner().invoke(cli, ["--db", str(db), "stats"])
    assert result.exit_code == 0
    line = result.stdout.splitlines()[0]
    assert "PWN" in line and "\u241b" in line and "\\u202e" in line and "\\x9b" in line


def test_history_escapes_before_it_cuts(world, tmp_path):
    db = tmp_path / "h.db"
    shutil.copyfile(world["template"], db)
    result = CliRunner().invoke(cli, ["--db", str(db), "history", "--limit", "50"])
    assert result.exit_code == 0 and raw_controls(result.stdout) == []
    assert "id2\u241b]0;P  " in result.stdout  # the first 8 characters, escaped


def test_click_usage_errors_are_escaped(world, tmp_path):
    for args in (["docs", f"--x{HOSTILE}"], [f"--x{HOSTILE}"], [bad("cmd")]):
        result = CliRunner().invoke(cli, ["--db", str(tmp_path / "u.db"), *args])
        assert result.exit_code == 2
        assert raw_controls(result.stdout + result.stderr) == [], result.stderr


def test_span_with_a_unicode_digit_is_a_one_line_error(world, tmp_path):
    db = tmp_path / "s.db"
    shutil.copyfile(world["template"], db)
    for span in ("0:\u00b2", "\u0663:5", "1:\uff15"):
        result = CliRunner().invoke(
            cli, ["--db", str(db), "annotate", world["doc"], "--label", "claim", "--span", span]
        )
        assert result.exit_code == 1, result.output
        assert result.stderr.startswith("sidenote: --span: ") and "internal error" not in (
            result.stderr
        )
        assert len(result.stderr.strip().splitlines()) == 1


# -- stdout a terminal: a pty in a child process --------------------------------


def _through_a_terminal(args: list[str]) -> tuple[str, str, int]:
    """Run `sidenote ARGS` with stdout on a pseudo-terminal; what the terminal got."""
    controller, terminal = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", "from tui.cli.main import main; main()", *args],
        stdout=terminal,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "SIDENOTE_DEBUG": "0"},
    )
    os.close(terminal)
    received = bytearray()
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    stderr = process.stderr.read().decode("utf-8")
    process.stderr.close()
    code = process.wait()
    os.close(controller)
    # The terminal's line discipline turns each \n into \r\n.
    return received.decode("utf-8").replace("\r\n", "\n"), stderr, code


def _json_values(text: str) -> list:
    """The JSON values of an export: one document (w3c, label-studio) or one per line."""
    try:
        return [json.loads(text)]
    except json.JSONDecodeError:
        return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("fmt", ["jsonl", "documents", "w3c", "doccano", "label-studio", "prodigy"])
def test_json_export_to_a_terminal_is_escaped_and_still_the_same_data(world, tmp_path, fmt):
    db = tmp_path / "t.db"
    shutil.copyfile(world["template"], db)
    shown, stderr, code = _through_a_terminal(["--db", str(db), "export", "--format", fmt])
    assert code == 0, stderr
    assert raw_controls(shown) == [] and raw_controls(stderr) == []
    exact = tmp_path / f"exact.{fmt}"
    assert CliRunner().invoke(
        cli, ["--db", str(db), "export", "--format", fmt, "-o", str(exact)]
    ).exit_code == 0
    from_file = _json_values(exact.read_text("utf-8"))
    assert any(HOSTILE in s for s in strings(from_file))
    assert _json_values(shown) == from_file


@pytest.mark.parametrize("args", [["export", "--format", "csv"], ["show", "DOC"]])
def test_text_output_to_a_terminal_shows_visible_escapes(world, tmp_path, args):
    db = tmp_path / "t.db"
    shutil.copyfile(world["template"], db)
    args = [world["doc"] if a == "DOC" else a for a in args]
    shown, stderr, code = _through_a_terminal(["--db", str(db), *args])
    assert code == 0, stderr
    assert raw_controls(shown) == [] and raw_controls(stderr) == []
    assert "Opening\u241b]0;PWN\u2407\u241b[2J\\x9b\u2421\\u202e\\u2066end" in shown
    assert "-o FILE" in stderr  # says how to get the exact text


def test_text_output_to_a_pipe_stays_exact(world, tmp_path):
    db = tmp_path / "p.db"
    shutil.copyfile(world["template"], db)
    shown = CliRunner().invoke(cli, ["--db", str(db), "show", world["doc"]])
    assert bad("Opening") in shown.stdout
    exported = CliRunner().invoke(cli, ["--db", str(db), "export", "--format", "csv"])
    assert bad("note") in exported.stdout
    target = tmp_path / "exact.csv"
    CliRunner().invoke(cli, ["--db", str(db), "export", "--format", "csv", "-o", str(target)])
    assert target.read_text("utf-8") == exported.stdout  # a file is data: byte-faithful


# -- file names that are not UTF-8 -------------------------------------------------

REPO = Path(__file__).resolve().parent.parent


def _sidenote_bytes(*args: str | bytes, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    """Run `sidenote ARGS` with arguments as raw bytes, as a shell passes $'caf\\xe9'."""
    return subprocess.run(
        [sys.executable, "-c", "from tui.cli.main import main; main()", *args],
        cwd=cwd,
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "SIDENOTE_DEBUG": "0", "PYTHONPATH": str(REPO)},
        check=False,
    )


def test_a_folder_with_a_file_name_that_is_not_utf8_imports_every_file(tmp_path):
    folder = tmp_path / "lat"
    folder.mkdir()
    with open(os.fsencode(folder) + b"/caf\xe9.txt", "wb") as named:
        named.write(b"A cafe headline\n\nThe cafe opened on Monday in the old town.\n")
    (folder / "ok.txt").write_text("Other headline\n\nThe council met on Tuesday.\n", "utf-8")
    result = _sidenote_bytes("--db", "lat.db", "import", "lat", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert b"Imported 2 new articles from 2 files" in result.stdout
    assert b"internal error" not in result.stderr
    with sqlite3.connect(tmp_path / "lat.db") as conn:
        origins = conn.execute("SELECT origin FROM documents").fetchall()
    files = sorted(json.loads(origin)["file"] for (origin,) in origins)
    assert files == ["lat/caf\\xe9.txt", "lat/ok.txt"]  # the byte shown as an escape


def test_a_database_at_a_path_that_is_not_utf8_works_for_every_command(tmp_path):
    (tmp_path / "a.txt").write_text("Headline\n\nThe envoy spoke on Monday.\n", "utf-8")
    db = b"caf\xe9.db"
    assert _sidenote_bytes("--db", db, "import", "a.txt", cwd=tmp_path).returncode == 0
    for args in (["docs"], ["stats"], ["search", "envoy", "--articles"], ["history"]):
        result = _sidenote_bytes("--db", db, *args, cwd=tmp_path)
        assert result.returncode == 0, (args, result.stderr)
        (result.stdout + result.stderr).decode("utf-8")  # the byte shown as \xe9, never raw


@pytest.mark.parametrize(
    "args",
    [
        [b"--db", b"c2.db", b"export", b"-o", b"o\x9b2J\xff\x1b.jsonl"],
        [b"--db", b"db\x9b2J", b"stats"],
    ],
)
def test_bytes_of_a_file_name_that_is_not_utf8_are_shown_escaped(tmp_path, args):
    open_store(tmp_path / os.fsdecode(args[1])).close()  # read-only commands need a database
    result = _sidenote_bytes(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = (result.stdout + result.stderr).decode("utf-8")  # no stray byte: valid UTF-8
    assert raw_controls(out) == [], out
    assert "\\x9b2J" in out


def test_lone_surrogates_are_escaped_as_the_bytes_they_stand_for():
    from tui.cli.output import echo, json_line, literal  # noqa: F401 - echo uses the same table

    assert literal("o\udc9b2J\udcff") == "o\\x9b2J\\xff"
    assert literal("half \ud800 pair") == "half \\ud800 pair"
    assert json.loads(json_line({"file": "caf\udce9"})) == {"file": "caf\udce9"}


# -- numeric options: ASCII digits, in range -------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["history", "--limit", "9223372036854775808"],
        ["history", "--limit", "\u0663"],
        ["search", "envoy", "--limit", "0"],
        ["search", "envoy", "--limit", "\u0663"],
        ["search", "envoy", "--articles", "--limit", "-1"],
        ["annotate", "DOC", "--quote", "envoy", "--occurrence", "\u0663"],
        ["annotate", "DOC", "--quote", "envoy", "--occurrence", "9223372036854775808"],
        ["link", "--threshold", "\u0663"],
        ["link", "--threshold", "nan"],
    ],
)
def test_a_numeric_option_out_of_range_or_not_ascii_is_a_usage_error(world, tmp_path, args):
    db = tmp_path / "n.db"
    shutil.copyfile(world["template"], db)
    args = [world["doc"] if a == "DOC" else a for a in args]
    result = CliRunner().invoke(cli, ["--db", str(db), *args])
    assert result.exit_code == 2, result.output
    assert "Invalid value for" in result.stderr and "internal error" not in result.stderr
    flag = args[-2]
    assert flag in result.stderr


def test_numeric_options_in_ascii_digits_still_work(world, tmp_path):
    db = tmp_path / "ok.db"
    shutil.copyfile(world["template"], db)
    found = CliRunner().invoke(cli, ["--db", str(db), "search", "envoy", "--limit", "1"])
    assert found.exit_code == 0 and found.stdout.count("\n  ") >= 1, found.output
    logged = CliRunner().invoke(cli, ["--db", str(db), "history", "--limit", "1000000000"])
    assert logged.exit_code == 0, logged.output


# -- keymap.toml ------------------------------------------------------------------------


def test_a_keymap_nested_too_deeply_is_one_line_naming_the_file(world, tmp_path, monkeypatch):
    from tui.app import SidenoteApp

    monkeypatch.setattr(SidenoteApp, "run", lambda self, *a, **k: None)
    keymap = tmp_path / "sidenote" / "keymap.toml"
    keymap.parent.mkdir()
    keymap.write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n", "utf-8")
    db = tmp_path / "k.db"
    shutil.copyfile(world["template"], db)
    result = CliRunner().invoke(
        cli, ["--db", str(db), "read"], env={"XDG_CONFIG_HOME": str(tmp_path)}
    )
    assert result.exit_code == 1
    problem = "not a keymap: arrays or tables nested too deeply"
    assert result.stderr == f"sidenote: {keymap}: {problem}\n"
