"""The app in monochrome (NO_COLOR) and on a light theme; a crash that says where it went."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from store import Store, create_annotation, open_store
from tui.app import SidenoteApp
from tui.cli.main import cli
from tui.screens.library import LibraryScreen
from tui.widgets.annotation_list import AnnotationList
from tui.widgets.article_view import ArticleView

from .conftest import NEWS, NEWS_TITLE, add, drive


def annotated(store: Store) -> str:
    """Annotate the first article: a claim with a note, and a quote without one (whose
    empty note row is the line with nothing on it)."""
    doc_id = store.document_ids()[0]
    first, *_, last = store.sentences(doc_id)
    create_annotation(store, doc_id, first.start, first.end, "claim", note="check the figures")
    create_annotation(store, doc_id, last.start, last.end, "quote")
    return doc_id


def screen_text(app: SidenoteApp) -> str:
    """What the terminal shows, as text (the screenshot passes every line filter)."""
    return app.export_screenshot().replace("&#160;", " ").replace("\u00a0", " ")


def render_reader(store: Store, size: tuple[int, int] = (120, 35)) -> list[str]:
    """Open the annotated article, tag one more sentence, and return the screen's text."""
    doc_id = annotated(store)
    shown: list[str] = []

    async def scenario(pilot, app):
        await pilot.press("j", "p")
        await pilot.pause()
        panel = app.screen.query_one(AnnotationList)
        shown.append(str(panel.count))
        shown.append(screen_text(app))

    drive(SidenoteApp(store, doc_id), scenario, size=size)
    return shown


def test_no_color_renders_the_annotated_reader(library: Store, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    count, screen = render_reader(library)
    assert count == "3"
    assert "check" in screen and "figures" in screen
    assert "proposal" in screen and "claim" in screen and "quote" in screen


def test_no_color_renders_at_80_by_24_and_in_the_library(library: Store, monkeypatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    annotated(library)
    shown: list[str] = []

    async def scenario(pilot, app):
        await pilot.press("enter", "j", "v", "w", "w", "c", "escape", "escape")
        assert isinstance(app.screen, LibraryScreen)
        shown.append(screen_text(app))

    drive(SidenoteApp(library), scenario, size=(80, 24))
    assert "Vienna" in shown[0]
    assert len(library.annotations()) == 3


def test_a_light_theme_paints_every_cell_of_the_panel(library: Store) -> None:
    """On `textual-light` every cell of the panel has the theme's colours; a cell left
    unstyled would show the terminal's own (dark) colours inside the light panel."""
    doc_id = annotated(library)
    seen: dict[str, object] = {}

    async def scenario(pilot, app):
        app.theme = "textual-light"
        await pilot.press("j", "q")
        await pilot.pause()
        seen["dark"] = app.current_theme.dark
        panel = app.screen.query_one(AnnotationList)
        seen["styles"] = [
            segment.style for y in range(panel.size.height) for segment in panel.render_line(y)
        ]
        seen["screen"] = screen_text(app)

    drive(SidenoteApp(library, doc_id), scenario)
    assert seen["dark"] is False
    for style in seen["styles"]:
        assert style is not None and style.color is not None and style.bgcolor is not None
        assert style.color != style.bgcolor
    assert "check" in seen["screen"] and "quote" in seen["screen"]


# -- a crash: non-zero exit, the terminal restored, the traceback in a file -----------


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "crash.db"
    with open_store(path) as store:
        add(store, NEWS, NEWS_TITLE, "Vienna Post")
    return path


def test_a_crash_exits_non_zero_and_names_the_traceback_file(
    database: Path, tmp_path: Path, monkeypatch
) -> None:
    """The real `App.run`, headless, with the library failing as it mounts."""

    def broken(self) -> None:
        raise RuntimeError("the library broke")

    monkeypatch.setattr(LibraryScreen, "on_mount", broken)
    run = SidenoteApp.run
    monkeypatch.setattr(SidenoteApp, "run", lambda self: run(self, headless=True))
    state = tmp_path / "state"
    env = {"XDG_STATE_HOME": str(state), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    result = CliRunner().invoke(cli, ["--db", str(database), "read"], env=env)

    assert result.exit_code == 1
    [line] = result.output.splitlines()
    prefix = "sidenote: the app crashed; the traceback is in "
    assert line.startswith(prefix)
    log = Path(line.removeprefix(prefix))
    assert log.parent == state / "sidenote" / "log"
    assert log.name.startswith("sidenote-crash-") and log.suffix == ".log"
    report = log.read_text(encoding="utf-8")
    assert "RuntimeError" in report and "the library broke" in report
    assert "\x1b[" not in report  # plain text, readable in any editor


def contrast(style) -> float:
    """WCAG contrast ratio of a style's text on its background."""

    def luminance(color) -> float:
        def channel(value: int) -> float:
            c = value / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, b = color.triplet
        return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)

    high, low = sorted((luminance(style.color), luminance(style.bgcolor)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["textual-dark", "textual-light"])
def test_every_label_is_legible_on_both_themes(library: Store, theme: str) -> None:
    doc_id = annotated(library)
    ratios: dict[str, float] = {}

    async def scenario(pilot, app):
        app.theme = theme
        await pilot.pause()
        view = app.screen.query_one(ArticleView)
        for label in ("claim", "quote", "proposal"):
            style = view.rich_style + view.get_component_rich_style(f"label--{label}")
            ratios[label] = contrast(style)

    drive(SidenoteApp(library, doc_id), scenario)
    assert min(ratios.values()) >= 3, ratios  # WCAG's floor for text that stands out


def test_no_color_reverses_the_selection(library: Store, monkeypatch) -> None:
    """In greys the selection is hard to tell from the cursor sentence; reversed, it is not."""
    monkeypatch.setenv("NO_COLOR", "1")
    doc_id = annotated(library)
    reversed_: list[bool] = []

    async def scenario(pilot, app):
        view = app.screen.query_one(ArticleView)
        reversed_.append(bool(view.get_component_rich_style("article-view--selection").reverse))

    drive(SidenoteApp(library, doc_id), scenario)
    assert reversed_ == [True]
