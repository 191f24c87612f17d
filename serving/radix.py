"""Replaying a run's prompts through a radix tree: what an unbounded prefix cache would have served.

SGLang's RadixAttention keeps the KV of every prompt prefix it has seen in a
radix tree; llama.cpp keeps the previous prompt's. Replaying the prompts a run
sent, in order, through an unbounded radix tree gives the upper bound on
reuse, and the tree's size is the physical lower bound on prefill: tokens no
cache can avoid computing at least once.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence


class _Node:
    __slots__ = ("children", "edge")

    def __init__(self, edge: tuple[Hashable, ...] = ()) -> None:
        self.edge = edge
        self.children: dict[Hashable, _Node] = {}


class RadixTree:
    """A compressed trie over token (or character) sequences."""

    def __init__(self) -> None:
        self._root = _Node()
        self.size = 0  # tokens stored: the sum of all edge lengths

    def insert(self, sequence: Sequence[Hashable]) -> int:
        """Insert `sequence`; return how many of its leading tokens were already in the tree."""
        seq = tuple(sequence)
        node, i = self._root, 0
        while i < len(seq):
            child = node.children.get(seq[i])
            if child is None:
                node.children[seq[i]] = _Node(seq[i:])
                self.size += len(seq) - i
                return i
            edge = child.edge
            common = 0
            limit = min(len(edge), len(seq) - i)
            while common < limit and edge[common] == seq[i + common]:
                common += 1
            if common < len(edge):  # split the edge where the new sequence leaves it
                middle = _Node(edge[:common])
                child.edge = edge[common:]
                middle.children[child.edge[0]] = child
                node.children[seq[i]] = middle
                child = middle
            i += common
            node = child
        return i


def replay(prompts: Sequence[Sequence[Hashable]]) -> tuple[int, int, list[int]]:
    """(total tokens, unique tokens, reused tokens per prompt) for prompts sent in this order."""
    tree = RadixTree()
    reused = [tree.insert(p) for p in prompts]
    return sum(len(p) for p in prompts), tree.size, reused
