"""Radix replay against hand-computed cases, and the run's cache figures."""

from __future__ import annotations

from stepresearch.serving.cache_report import cache_figures
from stepresearch.serving.radix import RadixTree, replay
from stepresearch.state import CallUsage, PromptRecord, Usage


def test_radix_insert_counts_the_shared_prefix_and_splits_edges():
    tree = RadixTree()
    assert tree.insert([1, 2, 3, 4]) == 0 and tree.size == 4
    assert tree.insert([1, 2, 9]) == 2 and tree.size == 5  # splits the edge after [1, 2]
    assert tree.insert([1, 2, 3, 4]) == 4 and tree.size == 5  # a repeat is served whole
    assert tree.insert([1, 2]) == 2 and tree.size == 5  # a prefix of what is stored
    assert tree.insert([1, 2, 3, 4, 5]) == 4 and tree.size == 6
    assert tree.insert([7]) == 0 and tree.size == 7


def test_replay_of_a_shared_system_block():
    # system block S (5 units) then three tasks: "SSSSSa", "SSSSSbb", "SSSSSa" + "c"
    prompts = ["SSSSSa", "SSSSSbb", "SSSSSac"]
    total, unique, reused = replay(prompts)
    assert total == 6 + 7 + 7
    assert reused == [0, 5, 6]
    assert unique == total - sum(reused) == 9


def test_cache_figures_by_node_and_server_count():
    prompts = [
        PromptRecord(node="plan", tokens=[1, 2, 3, 4]),
        PromptRecord(node="write", tokens=[1, 2, 3, 4, 5, 6]),
        PromptRecord(node="write", tokens=[1, 2, 3, 4, 5, 7]),
    ]
    usage = Usage(by_node={
        "plan": CallUsage(calls=1, prompt_tokens=4, cached_tokens=0, cache_reports=1),
        "write": CallUsage(calls=2, prompt_tokens=12, cached_tokens=9, cache_reports=2),
    })  # fmt: skip
    figures = cache_figures(prompts, usage)
    assert figures["unit"] == "tokens"
    assert figures["replay_prompt_units"] == 16
    assert figures["replay_reuse_ratio"] == round((0 + 4 + 5) / 16, 4)
    assert figures["unique_prompt_tokens"] == 7
    assert figures["server_cached_tokens"] == 9
    assert figures["by_node"]["write"]["replay_reused"] == 9
    assert figures["by_node"]["plan"]["server_cached_tokens"] == 0


def test_server_cached_tokens_is_null_when_nothing_was_reported():
    figures = cache_figures(
        [PromptRecord(node="plan", text="abc")], Usage(by_node={"plan": CallUsage(calls=1, prompt_tokens=3)})
    )
    assert figures["unit"] == "chars"
    assert figures["unique_prompt_chars"] == 3 and "unique_prompt_tokens" not in figures  # never chars as tokens
    assert figures["server_cached_tokens"] is None
    assert figures["by_node"]["plan"]["server_cached_tokens"] is None
