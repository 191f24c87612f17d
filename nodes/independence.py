"""Which retrieved sources count as independent witnesses.

Two sources are one witness when they share an origin (the same document, or
the same web domain) or when one repeats the other: a mirrored page or a
copied file says nothing new. Near-copies are found by word 5-gram shingles
and grouped with networkx's connected components, so A≈B and B≈C puts all three
in one group.
"""

from __future__ import annotations

import networkx as nx

from stepresearch.core.text import words
from stepresearch.state import Source

SHINGLE = 5
DUPLICATE_CONTAINMENT = 0.8  # share of the shorter text's shingles found in the longer one
MIN_SHARED_SHINGLES = 15  # two short texts telling the same fact alike are not copies of each other


def independence_groups(sources: dict[str, Source]) -> dict[str, str]:
    """Map each source id to the key of its witness group (the group's first source id)."""
    graph = nx.Graph()
    graph.add_nodes_from(sources)
    by_origin: dict[str, str] = {}
    for source_id, source in sources.items():
        first = by_origin.setdefault(source.origin, source_id)
        if first != source_id:
            graph.add_edge(first, source_id)
    shingles = {sid: _shingles(s.text) for sid, s in sources.items()}
    ids = list(sources)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            if is_near_copy(shingles[a], shingles[b]):
                graph.add_edge(a, b)
    groups: dict[str, str] = {}
    for component in nx.connected_components(graph):
        key = min(component, key=ids.index)
        for source_id in component:
            groups[source_id] = key
    return groups


def is_near_copy(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    smaller, larger = (a, b) if len(a) <= len(b) else (b, a)
    shared = len(smaller & larger)
    return shared >= MIN_SHARED_SHINGLES and shared / len(smaller) >= DUPLICATE_CONTAINMENT


def _shingles(text: str) -> set[tuple[str, ...]]:
    tokens = words(text)
    return {tuple(tokens[i : i + SHINGLE]) for i in range(max(0, len(tokens) - SHINGLE + 1))}
