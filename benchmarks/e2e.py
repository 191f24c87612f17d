"""End-to-end benchmark of the embedded default: SmolLM2-135M in-process over the Wikipedia corpus.

    python benchmarks/e2e.py            # or: python -m stepresearch.benchmarks.e2e

Per question it prints wall time, busy time per node, prompt / cached /
completion tokens, and how many of the question's obviously relevant
articles were retrieved. Absolute seconds are noisy on a shared 2-core
machine, so the figures that matter are ratios against baselines measured in
the same run: prefill computed versus the prompt tokens a cache-less engine
would prefill, and each node's share of the run.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import structlog

from stepresearch.runner import run_research
from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel
from stepresearch.tools import wiki_search_tool

QUESTIONS: list[tuple[str, set[str]]] = [
    (
        "When and how did the Byzantine Empire end, and which state conquered its capital?",
        {"Fall of Constantinople", "Byzantine Empire", "Ottoman Empire"},
    ),
    ("What caused the French Revolution, and what happened to Louis XVI?", {"French Revolution", "Louis XVI"}),
    (
        "How does photosynthesis work, and what role does chlorophyll play?",
        {"Photosynthesis", "Chlorophyll", "Chloroplast"},
    ),
    ("What did Marie Curie discover, and why did it matter?", {"Marie Curie", "Radium", "Polonium"}),
    ("How did the Apollo program land astronauts on the Moon?", {"Apollo program", "Apollo 11", "Saturn V"}),
]
NODES = ("clarify", "plan", "search", "verify", "reflect", "write")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=len(QUESTIONS), help="how many of the 5 questions to run")
    parser.add_argument("--out", type=Path, default=None, help="keep the run folders here")
    args = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))

    started = time.perf_counter()
    policy = LlamaCppChatModel()
    tools = [wiki_search_tool()]
    setup_s = time.perf_counter() - started
    out_root = args.out or Path(tempfile.mkdtemp(prefix="stepresearch-bench-"))

    rows = []
    for i, (question, relevant) in enumerate(QUESTIONS[: args.questions], start=1):
        began = time.perf_counter()
        result = run_research(question, out_root / f"q{i}", policy=policy, tools=tools)
        wall = time.perf_counter() - began
        state = result.state
        total = state["usage"].total
        retrieved = {s.title for s in state["sources"].values()}
        rows.append(
            {
                "q": i,
                "question": question,
                "wall_s": wall,
                "nodes": state.get("timings", {}),
                "prompt": total.prompt_tokens,
                "cached": total.cached_tokens,
                "completion": total.completion_tokens,
                "relevant_found": len(relevant & retrieved),
                "relevant": len(relevant),
                "cited": len(state["report"].cited_source_ids),
            }
        )
        print(f"q{i} done in {wall:.1f} s: {question}", file=sys.stderr)

    print(f"setup (load model + open index): {setup_s:.2f} s\n")
    print(
        "| q | wall s | "
        + " | ".join(f"{n} s" for n in NODES)
        + " | prompt tok | cached tok | computed / cold prefill | completion tok | relevant found | cited |"
    )
    print("|---" * (len(NODES) + 8) + "|")
    for r in rows:
        computed = r["prompt"] - r["cached"]
        print(
            f"| {r['q']} | {r['wall_s']:.1f} | "
            + " | ".join(f"{r['nodes'].get(n, 0.0):.2f}" for n in NODES)
            + f" | {r['prompt']} | {r['cached']} | {computed / max(r['prompt'], 1):.2f} | {r['completion']} | "
            f"{r['relevant_found']}/{r['relevant']} | {r['cited']} |"
        )
    walls = [r["wall_s"] for r in rows]
    prompt = sum(r["prompt"] for r in rows)
    cached = sum(r["cached"] for r in rows)
    busy = {n: sum(r["nodes"].get(n, 0.0) for r in rows) for n in NODES}
    busy_total = sum(busy.values()) or 1.0
    print()
    print(f"median wall time: {statistics.median(walls):.1f} s (max {max(walls):.1f} s) over {len(rows)} questions")
    print(
        f"prefix reuse: {cached}/{prompt} prompt tokens served from the KV cache; "
        f"prefill computed is {(prompt - cached) / max(prompt, 1):.2f}x of a cache-less engine's"
    )
    print("share of node time: " + ", ".join(f"{n} {busy[n] / busy_total:.0%}" for n in NODES))
    found = sum(r["relevant_found"] for r in rows)
    wanted = sum(r["relevant"] for r in rows)
    print(f"relevant articles retrieved: {found}/{wanted}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
