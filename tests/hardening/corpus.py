"""Generated articles for the fault tests: every importable format, awkward Unicode.

Deterministic for a seed, so a failing run can be reproduced from its printed seed.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

WORDS = (
    "the envoy said troops could deploy west of the river while ministers met in Brussels "
    "to discuss guarantees sanctions ceasefire talks officials reported that the summit "
    "would resume after a pause and analysts warned of delays in aid deliveries"
).split()
# Text a reader may well tag: emoji sequences (ZWJ, flags, skin tones), combining
# marks, right-to-left scripts, CJK, and markup that must stay data.
EXTRAS = (
    "👩‍👩‍👧",
    "🇺🇦",
    "👍🏽",
    "e\u0301",
    "n\u0303",
    "שלום",
    "مرحبا",
    "中文新闻",
    "한국어",
    "[bold red]x[/]",
    "naïve",
    "Zoë",
    "‘quoted’",
    "“double”",
    "—",
    "…",
    "क्षि",
    "\u200c",
    "\u200d",
)


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 18))]
    if rng.random() < 0.5:
        words.insert(rng.randrange(len(words)), rng.choice(EXTRAS))
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice(".!?")


def paragraph(rng: random.Random) -> str:
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 5)))


# Statements that several generated articles repeat (whole, trimmed or with a word
# changed), so that linking finds echoes between them.
STATEMENTS = [
    "The envoy said a resilience force could deploy west of the river by the spring.",
    "Ministers agreed that sanctions would stay in place until a ceasefire holds.",
    "Officials reported that aid deliveries resumed after a pause of three weeks.",
    "Analysts warned that the summit would not resume before the elections in May.",
    "The foreign minister called the guarantees “Article 5-like” for the first time.",
    "Talks in Brussels ended without a deal on the future of the security guarantees.",
]


def echo(rng: random.Random) -> str:
    """One of the shared statements, as an outlet might print it."""
    statement = rng.choice(STATEMENTS)
    words = statement.split()
    form = rng.random()
    if form < 0.3:  # trimmed
        cut = rng.randint(1, max(1, len(words) // 3))
        words = words[cut:]
    elif form < 0.6:  # a word changed
        words[rng.randrange(len(words))] = rng.choice(WORDS)
    text = " ".join(words)
    return text[0].upper() + text[1:]


def article(rng: random.Random, serial: int, paragraphs: int | None = None) -> str:
    count = paragraphs or rng.randint(2, 6)
    body = "\n\n".join(
        paragraph(rng) + (" " + echo(rng) if rng.random() < 0.4 else "") for _ in range(count)
    )
    return f"Article {serial}: {paragraph(rng)}\n\n{body}"


def write_pool(folder: Path, seed: int, files: int = 40, big_chars: int = 600_000) -> list[Path]:
    """`files` small files of every format, and one big article of ~`big_chars`."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    serial = 0
    for index in range(files):
        kind = ("txt", "txt", "md", "jsonl", "html")[index % 5]
        path = folder / f"gen{index:03d}.{kind}"
        serial += 1
        if kind == "txt":
            path.write_text(f"Headline number {serial} for testing\n\n" + article(rng, serial))
        elif kind == "md":
            path.write_text(f"# Story {serial} in markdown\n\n" + article(rng, serial))
        elif kind == "jsonl":
            records = []
            for _ in range(rng.randint(2, 5)):
                serial += 1
                records.append(
                    {
                        "text": article(rng, serial),
                        "title": f"Record {serial}",
                        "source": rng.choice(["Reuters", "AFP", "", "Радио"]),
                    }
                )
            path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
        else:
            paragraphs = "".join(f"<p>{paragraph(rng)}</p>\n" for _ in range(rng.randint(4, 8)))
            path.write_text(
                f"<html><head><title>Page {serial}</title></head><body>"
                f"<article><h1>Page {serial}</h1>\n<p>Article {serial}.</p>\n{paragraphs}"
                "</article></body></html>"
            )
        written.append(path)
    serial += 1
    big = folder / "big.txt"
    chunks = [f"A long article {serial} for testing imports\n"]
    size = 0
    while size < big_chars:
        chunk = paragraph(rng) + "\n\n"
        chunks.append(chunk)
        size += len(chunk)
    big.write_text("".join(chunks))
    written.append(big)
    return written


def write_single_line_file(path: Path, size: int, seed: int = 50) -> None:
    """A file of at least `size` bytes with no newline anywhere: one article on one line.

    Also used by benchmarks/big_file_bench.py, so the benchmark times the very file
    the test checks."""
    rng = random.Random(seed)
    words = (
        "the envoy said troops could deploy west of the river while ministers met in "
        "Brussels to discuss guarantees 👩‍👩‍👧 e\u0301 مرحبا 中文"
    ).split()
    block = "".join(
        " ".join(rng.choice(words) for _ in range(rng.randint(6, 24))) + ". " for _ in range(4000)
    ).encode("utf-8")
    with path.open("wb") as handle:
        for copy in range(size // len(block) + 1):
            handle.write(f"Part {copy}. ".encode() + block)
