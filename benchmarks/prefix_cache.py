"""Prefix-cache benchmark: our prompt layout against the naive one, on the embedded default.

    python benchmarks/prefix_cache.py [--questions N]

Runs the same questions twice, each time with a fresh SmolLM2 in-process:
once with our layout (system block, brief, append-only log, then the task)
and once with the naive layout most peers use (task first, then the context).
Prints, side by side: the radix-replay reuse ratio, the prefill tokens llama.cpp
actually computed, `unique_prompt_tokens` (the floor no cache can go below),
and wall time, with the ratio naive/ours. Both arms run in this process on this
machine, so the ratios hold even when absolute seconds drift.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import structlog

from stepresearch.app.run_record import run_record
from stepresearch.app.runner import run_research
from stepresearch.benchmarks.e2e import QUESTIONS
from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel
from stepresearch.tools import wiki_search_tool

LAYOUTS = ("prefix", "naive")


def run_arm(layout: str, questions: list[str], out: Path) -> dict[str, float]:
    policy = LlamaCppChatModel(prefix_snapshots="off")  # sequential calls: the KV prefix alone is what we measure
    tools = [wiki_search_tool()]
    totals = {"prompt": 0, "cached": 0, "replay_units": 0, "replay_reused": 0, "unique": 0, "wall_s": 0.0, "calls": 0}
    for i, question in enumerate(questions, start=1):
        began = time.perf_counter()
        result = run_research(
            question, out / layout / f"q{i}", policy=policy, tools=tools, graph_options={"prompt_layout": layout}
        )
        totals["wall_s"] += time.perf_counter() - began
        cache = run_record(result.state, total_s=0.0, thread_id="").cache
        usage = result.state["usage"].total
        totals["prompt"] += usage.prompt_tokens
        totals["cached"] += usage.cached_tokens
        totals["calls"] += usage.calls
        totals["replay_units"] += cache["replay_prompt_units"]
        totals["replay_reused"] += round(cache["replay_reuse_ratio"] * cache["replay_prompt_units"])
        totals["unique"] += cache["unique_prompt_tokens"]
        print(
            f"{layout} q{i}: {time.perf_counter() - began:.1f} s, reuse {cache['replay_reuse_ratio']:.2f}",
            file=sys.stderr,
        )
    totals["computed"] = totals["prompt"] - totals["cached"]
    totals["reuse"] = totals["replay_reused"] / max(totals["replay_units"], 1)
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=len(QUESTIONS))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    questions = [q for q, _ in QUESTIONS[: args.questions]]
    out = args.out or Path(tempfile.mkdtemp(prefix="stepresearch-prefix-"))
    arms = {layout: run_arm(layout, questions, out) for layout in LAYOUTS}
    ours, naive = arms["prefix"], arms["naive"]

    def row(label: str, key: str, fmt: str = "{:.0f}") -> None:
        a, b = ours[key], naive[key]
        ratio = b / a if a else float("inf")
        print(f"| {label} | {fmt.format(a)} | {fmt.format(b)} | {ratio:.2f}x |")

    print(f"{len(questions)} questions, per-call prompts replayed per run (units: tokens)\n")
    print("| figure | ours (prefix layout) | naive (task first) | naive / ours |")
    print("|---|---|---|---|")
    row("policy calls", "calls")
    row("prompt tokens sent", "prompt")
    row("replay reuse ratio", "reuse", "{:.3f}")
    row("unique_prompt_tokens (floor)", "unique")
    row("prefill tokens computed by llama.cpp", "computed")
    row("wall time, s", "wall_s", "{:.1f}")
    print()
    print(
        f"ours: computed prefill is {ours['computed'] / max(ours['unique'], 1):.2f}x unique_prompt_tokens "
        f"(target <= 1.3); replay reuse {ours['reuse']:.3f} (target >= 0.85); "
        f"naive computes {naive['computed'] / max(ours['computed'], 1):.2f}x our prefill (target >= 3)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
