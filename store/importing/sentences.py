"""Sentence boundaries, as code-point spans of the stored text.

We use `sentencex` (Wikimedia's rule-based segmenter). Compared on the bundled pages
in docs/decisions.md, with the figures: it keeps "U.S.", "D.C.", "Lt. Gen." and "Mr."
inside sentences, keeps a closing quote mark with its sentence, and is fast enough for
the import; pysbd splits closing quotes into sentences of their own and would use most
of the import's time; blingfire splits after "Mr." and needs numpy without declaring it.
"""

from __future__ import annotations

import re

import sentencex

LANGUAGE = "en"
_STRAY_CLOSING_QUOTE = re.compile(r"['’\"”]\s+")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences in `text`, trimmed of surrounding white space.

    Paragraphs (lines) are segmented one at a time, so a sentence never crosses a
    line break, and every span satisfies `text[start:end].strip() == text[start:end]`.
    """
    spans: list[tuple[int, int]] = []
    line_start = 0
    for line in text.split("\n"):
        if line.strip():
            spans.extend(_line_spans(line, line_start))
        line_start += len(line) + 1
    return spans


def _line_spans(line: str, line_start: int) -> list[tuple[int, int]]:
    spans = []
    offset = 0
    for piece in sentencex.segment(LANGUAGE, line):
        core = piece.strip()
        if not core:
            offset += len(piece)
            continue
        # The segmenter returns consecutive pieces of the line; find() guards the
        # offsets in case it ever drops or rewrites white space between them.
        start = line.find(core, offset)
        if start < 0:
            continue
        end = start + len(core)
        closing = _STRAY_CLOSING_QUOTE.match(line, start)
        if closing and spans:
            # The segmenter sometimes leaves a closing quote mark at the start of the
            # next sentence (an apostrophe earlier confused its quote pairing): give
            # it back to the sentence it closes.
            previous_start, _ = spans[-1]
            spans[-1] = (previous_start, line_start + start + 1)
            start = closing.end()
        if end > start:
            spans.append((line_start + start, line_start + end))
        offset = end
    return spans
