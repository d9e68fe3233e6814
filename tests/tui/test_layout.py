"""Wrapping and caret motions: the view's logic, tested without a screen."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from store.text import is_grapheme_boundary
from tui.widgets import motions
from tui.widgets.text_layout import display_text, find_all, offset_at_cell, wrap

PIECES = ["news ", "the ", "minister ", "said. ", "\n", "  ", "東京", "「改革」",
          "👩\u200d👩\u200d👧", "🇫🇷", "e\u0301", "\x1b[31m", "\t", "—",
          "supercalifragilisticexpialidocious", "’s ", "\u0301", "\x07\u0301", "\u200d"]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(texts, st.integers(min_value=4, max_value=40))
def test_wrapped_lines_fit_cover_the_text_and_never_split_a_character(text, width):
    layout = wrap(text, width)
    previous_end = 0
    for start, end in zip(layout.starts, layout.ends, strict=True):
        assert cell_len(display_text(text[start:end])) <= max(width, 2)
        assert is_grapheme_boundary(text, start) and is_grapheme_boundary(text, end)
        # only white space is left out between lines
        assert text[previous_end:start].strip() == ""
        previous_end = end
    assert text[previous_end:].strip() == ""
    for offset in range(len(text) + 1):
        line = layout.line_of(offset)
        assert layout.starts[line] <= offset or line == 0


def test_display_text_has_one_visible_character_per_code_point():
    raw = "a\x1b[0m\x00\x07\x7f\x85\u202e\u2028b\tc\n"
    shown = display_text(raw)
    assert len(shown) == len(raw)
    assert shown == "a\u241b[0m\u2400\u2407\u2421\ufffd\ufffd\u2424b c\n"


def test_offset_at_cell_counts_wide_characters_as_two_cells():
    text = "ab東京cd"
    assert [offset_at_cell(text, 0, len(text), x) for x in range(8)] == [0, 1, 2, 2, 3, 3, 4, 5]


def test_find_all_is_case_insensitive_and_literal():
    assert find_all("The [b]the[/b] THE", "the") == [(0, 3), (7, 10), (15, 18)]
    assert find_all("a.b axb", "a.b") == [(0, 3)]
    assert find_all("text", "") == []


SENTENCE = "Critics say the plan's costs rose 40% (again)."


def test_word_motions_stop_at_word_starts_and_ends():
    starts, pos = [], 0
    while pos < len(SENTENCE):
        pos = motions.next_word_start(SENTENCE, pos)
        starts.append(pos)
    assert [SENTENCE[s:s + 4] for s in starts[:-1]] == [
        "say ", "the ", "plan", "cost", "rose", "40% ", "agai"]
    assert motions.next_word_end(SENTENCE, 0) == len("Critics")
    assert motions.next_word_end(SENTENCE, 3) == len("Critics")  # inside a word: its end
    assert motions.previous_word_start(SENTENCE, len(SENTENCE)) == SENTENCE.index("again")
    assert motions.previous_word_end(SENTENCE, SENTENCE.index("the")) == len("Critics say")


def test_word_motions_never_split_graphemes():
    text = "re\u0301sume\u0301 👩\u200d👩\u200d👧 cafe\u0301"
    for pos in range(len(text) + 1):
        for motion in (motions.next_word_start, motions.next_word_end,
                       motions.previous_word_start, motions.previous_word_end):
            assert is_grapheme_boundary(text, motion(text, pos))


def test_previous_word_start_far_back_in_a_long_text():
    text = "word " + " " * 5000
    assert motions.previous_word_start(text, len(text)) == 0
    long_word = "x" * 3000
    assert motions.previous_word_start(long_word, 3000) == 0


def test_boundaries_bisect():
    bounds = [0, 10, 20]
    assert motions.next_boundary(bounds, 10, -1) == 20
    assert motions.next_boundary(bounds, 20, -1) == -1
    assert motions.previous_boundary(bounds, 10, -1) == 0
    assert motions.previous_boundary(bounds, 0, -1) == -1
