"""`sidenote read [DOC_ID]`: how the command opens the app, and its one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from store import open_store
from tui.app import SidenoteApp
from tui.cli.main import cli

from .conftest import NEWS, NEWS_TITLE, add


@pytest.fixture
def database(tmp_path: Path) -> tuple[Path, str]:
    path = tmp_path / "read.db"
    with open_store(path) as store:
        doc_id = add(store, NEWS, NEWS_TITLE, "Vienna Post")
    return path, doc_id


@pytest.fixture
def opened(monkeypatch) -> list[SidenoteApp]:
    """Apps the command would run (not run: there is no terminal in a test)."""
    apps: list[SidenoteApp] = []
    monkeypatch.setattr(SidenoteApp, "run", lambda self, *a, **k: apps.append(self))
    return apps


def invoke(path: Path, *args: str, config: Path | None = None):
    env = {"XDG_CONFIG_HOME": str(config)} if config else None
    return CliRunner().invoke(cli, ["--db", str(path), *args], env=env)


def test_read_with_an_id_prefix_opens_that_article(database, opened, tmp_path) -> None:
    path, doc_id = database
    result = invoke(path, "read", doc_id[:6], config=tmp_path)
    assert result.exit_code == 0, result.output
    [app] = opened
    assert app.doc_id == doc_id


def test_sidenote_without_a_command_opens_the_reader(database, opened, tmp_path) -> None:
    path, _ = database
    result = invoke(path, config=tmp_path)
    assert result.exit_code == 0, result.output
    [app] = opened
    assert app.doc_id is None


def test_an_unknown_article_is_a_one_line_error(database, opened, tmp_path) -> None:
    path, _ = database
    result = invoke(path, "read", "nope", config=tmp_path)
    assert result.exit_code == 1
    assert result.output.strip() == "sidenote: no document with id 'nope'"
    assert opened == []


def test_a_keymap_file_is_loaded_and_a_broken_one_named(database, opened, tmp_path) -> None:
    path, _ = database
    folder = tmp_path / "sidenote"
    folder.mkdir()
    keymap = folder / "keymap.toml"
    keymap.write_text('[keymap]\n"reader.tag_quote" = "Q"\n')
    assert invoke(path, "read", config=tmp_path).exit_code == 0
    assert opened[0].user_keymap == {"reader.tag_quote": "Q"}
    keymap.write_text("[keymap\n")
    result = invoke(path, "read", config=tmp_path)
    assert result.exit_code == 1
    assert str(keymap) in result.output and "not valid TOML" in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b'[keymap]\n"app.undo" = "\xe9"\n', "not UTF-8"),
        (b"[keymap\n", "not valid TOML"),
        (b'keymap = "z"\n', "[keymap] must"),
        (b'[keymap]\n"app.undo" = 3\n', "'app.undo' must be keys in a string"),
        (b'[keymaps]\n"app.undo" = "z"\n', "keymaps"),
        (b'[keymap]\n"reader.tag_qoute" = "Q"\n', "reader.tag_qoute"),
        (b'[keymap]\n"app.undo" = "ctrl+zz"\n', "ctrl+zz"),
        (b'[keymap]\n"app.undo" = "hyperctrl+z"\n', "hyperctrl+z"),
        (b'[keymap]\n"app.undo" = ""\n', "app.undo"),
        (b'[keymap]\n"app.undo" = "z,"\n', "app.undo"),
    ],
)
def test_a_bad_keymap_is_one_line_naming_the_file(
    database, opened, tmp_path, content: bytes, problem: str
) -> None:
    path, _ = database
    keymap = tmp_path / "sidenote" / "keymap.toml"
    keymap.parent.mkdir()
    keymap.write_bytes(content)
    result = invoke(path, "read", config=tmp_path)
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert line.startswith(f"sidenote: {keymap}: ") and problem in line
    assert opened == []


def test_a_keymap_takes_key_names_help_shows(database, opened, tmp_path) -> None:
    path, _ = database
    keymap = tmp_path / "sidenote" / "keymap.toml"
    keymap.parent.mkdir()
    keys = {
        "app.undo": "z,ctrl+shift+z",
        "app.redo": "f5",
        "reader.find": "question_mark",
        "reader.escape": "escape",
        "reader.top": "home",
        "reader.bottom": "?",
        "reader.page_down": "space",
        "reader.tag_quote": "Q",
    }
    keymap.write_text("[keymap]\n" + "".join(f'"{k}" = "{v}"\n' for k, v in keys.items()))
    result = invoke(path, "read", config=tmp_path)
    assert result.exit_code == 0, result.output
    assert opened[0].user_keymap == keys
