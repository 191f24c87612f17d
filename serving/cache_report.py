"""Prefix-cache figures for a run: the radix-replay upper bound and the policy's own count."""

from __future__ import annotations

from typing import Any

from stepresearch.state import PromptRecord, Usage

from .radix import RadixTree


def cache_figures(prompts: list[PromptRecord], usage: Usage | None) -> dict[str, Any]:
    """`replay_reuse_ratio`, `unique_prompt_tokens` and `server_cached_tokens`, overall and by node.

    Units are tokens when the policy could tokenize its prompts (the embedded model; a server with a
    tokenize endpoint), characters otherwise: `unit` says which, and the floor is then
    `unique_prompt_chars`.
    `server_cached_tokens` is null when the policy never said how much it reused.
    """
    tree = RadixTree()
    total = reused = 0
    by_node: dict[str, dict[str, Any]] = {}
    for record in prompts:
        units = record.units
        hit = tree.insert(units)
        total += len(units)
        reused += hit
        node = by_node.setdefault(record.node, {"calls": 0, "replay_prompt_units": 0, "replay_reused": 0})
        node["calls"] += 1
        node["replay_prompt_units"] += len(units)
        node["replay_reused"] += hit
    for name, node in by_node.items():
        node["replay_reuse_ratio"] = (
            round(node["replay_reused"] / node["replay_prompt_units"], 4) if node["replay_prompt_units"] else 0.0
        )
        part = usage.by_node.get(name) if usage else None
        node["prompt_tokens"] = part.prompt_tokens if part else 0
        node["server_cached_tokens"] = part.cached_tokens if part and part.cache_reports else None
    totals = usage.total if usage else None
    unit = "tokens" if all(p.tokens is not None for p in prompts) else "chars"
    return {
        "unit": unit,
        "replay_prompt_units": total,
        "replay_reuse_ratio": round(reused / total, 4) if total else 0.0,
        # Named by its unit: a count of characters is never labelled tokens.
        f"unique_prompt_{unit}": tree.size,
        "prompt_tokens": totals.prompt_tokens if totals else 0,
        "server_cached_tokens": totals.cached_tokens if totals and totals.cache_reports else None,
        "computed_prefill_tokens": (totals.prompt_tokens - totals.cached_tokens)
        if totals and totals.cache_reports
        else None,
        "by_node": by_node,
    }
