"""Hypothesis strategies for hostile text: the characters that break text tools."""

from __future__ import annotations

from hypothesis import strategies as st

# Pieces that real articles contain and that break naive text handling.
AWKWARD = [
    "👩‍👩‍👧‍👦",  # family: ZWJ sequence
    "🏳️‍🌈",  # flag with variation selector and ZWJ
    "🇺🇦🇪🇺",  # regional indicator pairs
    "👍🏽",  # skin-tone modifier
    "e\u0301\u0302",  # stacked combining marks
    "\u0915\u094d\u0937",  # Devanagari conjunct
    "مرحبا بالعالم",  # Arabic (RTL)
    "\u202eevil\u202c",  # RTL override
    "שָׁלוֹם",  # Hebrew with points
    "中文新闻。日本語のテキスト",  # CJK with ideographic full stops
    "\u200b\u200c\u200d\u2060\ufeff\u00ad",  # zero-width characters, BOM, soft hyphen
    "\x00\x01\x07\x1b[31m\x7f\x85\x9b",  # NUL, controls, ANSI escape, C1
    "\r\n",
    "\r",
    "\n\n\n\n",
    "\u2028",
    "\u2029",
    "\t",
    "[bold red]not markup[/]",
    "<script>alert(1)</script>",
    "&amp;&#0;",
    "U.S. Lt. Gen. Mr. D.C.",
    "…",
    "?!",
    "—",
    " ",
    "\u3000",
    "a" * 3000,  # a very long word
]

surrogates = st.characters(categories=["Cs"])


def hostile_text(*, allow_surrogates: bool = False, max_pieces: int = 40) -> st.SearchStrategy[str]:
    pieces = [
        st.text(max_size=30),
        st.sampled_from(AWKWARD),
        st.text(st.characters(categories=["Mn", "Me", "Cf", "Zs", "Zl", "Zp", "Cc"]), max_size=5),
        st.just(" "),
        st.just(". "),
        st.just("\n"),
    ]
    if allow_surrogates:
        pieces.append(st.text(surrogates, min_size=1, max_size=3))
    return st.lists(st.one_of(pieces), max_size=max_pieces).map("".join)
