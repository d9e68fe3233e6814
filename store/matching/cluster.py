"""Grouping matches into statements. Pure: no database."""

from __future__ import annotations

from collections.abc import Sequence

from .units import Match, cluster_id


def cluster(matches: Sequence[Match]) -> list[Match]:
    """Union-find over spans; each match gets the id of its cluster's longest span."""
    parent: dict[tuple[str, int, int], tuple[str, int, int]] = {}

    def find(x: tuple[str, int, int]) -> tuple[str, int, int]:
        parent.setdefault(x, x)
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for m in matches:
        ra, rb = find((m.a.doc, m.a.start, m.a.end)), find((m.b.doc, m.b.start, m.b.end))
        if ra != rb:
            parent[ra] = rb
    best: dict[tuple[str, int, int], tuple[str, int, int]] = {}
    for span in list(parent):
        root = find(span)
        current = best.get(root)
        if current is None or _longer(span, current):
            best[root] = span
    out = []
    for m in matches:
        rep = best[find((m.a.doc, m.a.start, m.a.end))]
        out.append(
            Match(a=m.a, b=m.b, score=m.score, method=m.method, cluster=cluster_id(*rep))
        )
    return out


def _longer(span: tuple[str, int, int], other: tuple[str, int, int]) -> bool:
    length, other_length = span[2] - span[1], other[2] - other[1]
    if length != other_length:
        return length > other_length
    return span < other
