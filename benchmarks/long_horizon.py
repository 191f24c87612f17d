"""Long horizons: a research of many rounds over a large folder corpus, with a log that must compact.

    python benchmarks/long_horizon.py [--docs 2000] [--rounds 7] [--window 3000] [--reader policy] [--latency-s 0.2]

Part 1, the llama-cpp server: `stepresearch serve --engine llama-cpp` (SmolLM2) on a free loopback port,
and one research of up to `--rounds` rounds over a generated folder of `--docs` documents about one
invented subject (each states its own dated facts, so every round leaves gaps to search), planned for a
`--window`-token context so that the research log compacts. It prints where every evidence item ended up (in the prompt, in a digest, dropped), the
prompt tokens per call, and, for each stretch between compactions, the replay reuse and the prefill the
server really computed (its own "prefix-match hit, remaining N prompt tokens to eval" lines) over the
unique-token floor of that stretch (a radix tree over every prompt's token ids, from the server's
tokenizer). By default the policy reads each branch's documents (`--reader policy`), over the same brief
and research log every other prompt carries; `--reader lexical` runs it with the lexical passages.

Part 2, a latency-bound server: a loopback OpenAI-compatible server that answers every request after a
fixed latency and serves up to 8 at once. It measures latency-bound concurrency, NOT model quality: its
replies are fixed. It runs 32 independent policy calls, then a whole research, with 1, 2, 4 and 8
calls at once, and prints the speedups over 1 measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import structlog
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.messages import HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from stepresearch import build_graph, research_context
from stepresearch.core.policy_calls import aask_many
from stepresearch.graphs.checkpoints import serializer
from stepresearch.nodes.layout import log_accounting
from stepresearch.serving.openai_compatible import OpenAICompatibleChatModel
from stepresearch.serving.radix import RadixTree
from stepresearch.state import Budgets
from stepresearch.tools import folder_search_tool

# Broad on purpose, over a generated corpus in which every document is about the one subject and states its own
# facts: each round leaves single-source claims and unanswered facets, so the research keeps going.
QUESTION = (
    "What were the Kelmar Empire's cities, rulers, wars, laws, temples and trade routes, and when did each begin?"
)
SUBJECT = "Kelmar Empire"
FACETS = {
    "city": ("founded the city of {name} in {year}", "{name} had {n} thousand people by {year2}"),
    "ruler": ("was ruled by {name} from {year}", "{name} raised {n} thousand soldiers in {year2}"),
    "war": ("fought the {name} War from {year}", "the {name} War cost {n} thousand lives by {year2}"),
    "law": ("passed the {name} Law in {year}", "the {name} Law taxed {n} hundred guilds after {year2}"),
    "temple": ("built the Temple of {name} in {year}", "the Temple of {name} held {n} hundred priests in {year2}"),
    "trade route": ("opened the {name} Road in {year}", "the {name} Road carried {n} thousand carts a year by {year2}"),
}
SYLLABLES = ["ka", "lor", "vin", "dra", "mel", "tos", "ur", "bel", "sar", "quin", "ne", "thal", "om", "res", "ga"]
CONCURRENCY = (1, 2, 4, 8)
SERVER_SLOTS = 8  # the latency server answers this many requests at once (benchmarks/latency_server.py)
INDEPENDENT_CALLS = 32
REMAINING = re.compile(r"remaining (\d+) prompt tokens to eval")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def generate_corpus(folder: Path, size: int) -> int:
    """`size` Markdown documents about the Kelmar Empire, one fact pair each, reproducibly (a fixed seed)."""
    import random

    rng = random.Random(2025)
    names: list[str] = []
    while len(names) < size:
        name = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        if name not in names:
            names.append(name)
    facets = list(FACETS.items())
    for i, name in enumerate(names):
        facet, (first, second) = facets[i % len(facets)]
        # Every document leads to another, as sources do: a research that follows leads keeps finding new ones.
        lead = (i * 7 + 3) % size
        lead_facet = facets[lead % len(facets)][0]
        year = rng.randint(200, 1400)
        values = {"name": name, "year": year, "year2": year + rng.randint(5, 80), "n": rng.randint(2, 90)}
        title = f"{name} ({SUBJECT} {facet})"
        text = (
            f"The {SUBJECT} {first.format(**values)}. In the {SUBJECT}, {second.format(**values)}. "
            f"Chronicles of the {SUBJECT} tie {name} to {names[lead]}, one of its {lead_facet}s, in {year + 1}."
        )
        (folder / f"{i:05d}_{name}.md").write_text(f"# {title}\n\n{text}\n", encoding="utf-8")
    return size


class Calls(BaseCallbackHandler):
    """Every prompt's text and the prompt tokens each reply reports, in the order the calls happened."""

    def __init__(self) -> None:
        self.prompts: list[str] = []
        self.prompt_tokens: list[int] = []
        self._lock = threading.Lock()

    def on_chat_model_start(self, serialized: Any, messages: Any, **kwargs: Any) -> None:
        with self._lock:
            self.prompts += ["".join(f"<|{m.type}|>\n{m.content}\n" for m in batch) for batch in messages]

    def on_llm_end(self, response: Any, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                meta = getattr(generation.message, "usage_metadata", None) or {}
                with self._lock:
                    self.prompt_tokens.append(int(meta.get("input_tokens") or 0))


def long_budgets(rounds: int, window: int | None, concurrency: int = 4) -> Budgets:
    return Budgets(
        max_rounds=rounds, min_sub_questions=6, max_sub_questions=6, max_follow_ups=8, max_tool_calls=1000,
        max_prompt_tokens=5_000_000, max_wall_s=7200, search_concurrency=concurrency, max_context_tokens=window,
    )  # fmt: skip


def run_research(
    policy: Any, tool: Any, budgets: Budgets, judge: str, calls: Calls | None = None, reader: str = "lexical"
) -> dict:
    graph = build_graph(checkpointer=InMemorySaver(serde=serializer()), max_concurrency=budgets.search_concurrency)
    config: dict[str, Any] = {"configurable": {"thread_id": "long"}, "callbacks": [calls] if calls else []}
    context = research_context(policy, [tool], budgets=budgets, judge=judge, reader=reader)
    graph.invoke({"question": QUESTION}, config, context=context)
    return graph.get_state(config).values


def part_one(args: argparse.Namespace, tool: Any, docs: int) -> None:
    port = free_port()
    log_path = Path(tempfile.mkdtemp(prefix="stepresearch-long-")) / "server.log"
    with log_path.open("w") as server_log:
        server = subprocess.Popen(
            [sys.executable, "-m", "stepresearch", "serve", "--engine", "llama-cpp", "--port", str(port)],
            stdout=server_log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        policy = OpenAICompatibleChatModel(base_url=f"http://127.0.0.1:{port}/v1", max_tokens=200)
        policy.check_health(wait_s=180)
        calls = Calls()
        began = time.perf_counter()
        state = run_research(policy, tool, long_budgets(args.rounds, args.window), "lexical", calls, args.reader)
        wall = time.perf_counter() - began
        computed = [int(n) for n in REMAINING.findall(log_path.read_text(errors="replace"))]
        token_ids = [policy.tokenize(text) for text in calls.prompts]
    finally:
        server.terminate()
        server.wait(timeout=60)
    sub_questions = state.get("sub_questions", [])
    rounds = max((sq.round for sq in sub_questions), default=0)
    print(
        f"Part 1: SmolLM2 behind llama-cpp-python's server on 127.0.0.1; {docs} generated documents; window {args.window}; "
        f"reader {args.reader}"
    )
    print(f"  {rounds} rounds, {len(sub_questions)} sub-questions, {len(calls.prompts)} policy calls, {wall:.0f} s")
    per_round = [sum(1 for sq in sub_questions if sq.round == r) for r in range(1, rounds + 1)]
    print(f"  sub-questions per round: {', '.join(map(str, per_round))}")
    print(f"  stopped: {state.get('stop_reason') or 'budget'}")
    accounting = log_accounting(state["sources"], state["evidence"], state.get("digests"))
    print(
        f"  evidence: {len(state['evidence'])} items; in prompt {accounting['evidence_in_prompt']}, "
        f"digested {accounting['evidence_digested']}, dropped {accounting['evidence_dropped']}"
    )
    compactions = state.get("compactions", [])
    for c in compactions:
        print(
            f"  compaction in round {c.round}: {len(c.evidence_ids)} items, log {c.log_tokens_before} -> "
            f"{c.log_tokens_after} tokens (budget {c.budget_tokens}), digest {c.digest_tokens} tokens"
        )
    sizes = [len(ids) for ids in token_ids]
    print(f"  prompt tokens per call: median {statistics.median(sizes):.0f}, max {max(sizes)} (window {args.window})")
    if len(computed) != len(token_ids):
        print(
            f"  (server logged {len(computed)} evaluations for {len(token_ids)} calls; figures below are approximate)"
        )
    print(f"\n  {'stretch':<24} {'calls':>6} {'replay reuse':>13} {'prefill / floor':>16}")
    tree = RadixTree()
    stretch: tuple[str, ...] = ()
    rows: list[tuple[str, int, int, int, int, int]] = []
    for i, (text, ids) in enumerate(zip(calls.prompts, token_ids)):
        # A stretch runs from one compaction to the next (the log's digest headers change); a call without the
        # log (the policy writing a digest) stays in the stretch it came in.
        headers = tuple(line for line in text.split("\n") if line.startswith("### Digest"))
        changed = "## Research log" in text and headers != stretch
        if changed or not rows:
            stretch = headers if "## Research log" in text else stretch
            label = f"after compaction {len(rows)}" if rows else "before any compaction"
            rows.append((label, 0, 0, 0, 0, 0))
        size_before = tree.size
        hit = tree.insert(ids)
        name, n, total, reused, floor, prefill = rows[-1]
        real = computed[i] if i < len(computed) else len(ids) - hit
        rows[-1] = (name, n + 1, total + len(ids), reused + hit, floor + tree.size - size_before, prefill + real)
    for name, n, total, reused, floor, prefill in rows:
        print(f"  {name:<24} {n:>6} {reused / total:>13.2f} {prefill / max(floor, 1):>15.2f}x")
    all_total = sum(r[2] for r in rows)
    all_reused = sum(r[3] for r in rows)
    print(
        f"  {'whole run':<24} {len(token_ids):>6} {all_reused / all_total:>13.2f} "
        f"{sum(r[5] for r in rows) / max(sum(r[4] for r in rows), 1):>15.2f}x"
    )


def part_two(args: argparse.Namespace, tool: Any) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "stepresearch.benchmarks.latency_server", "--port", str(port),
         "--latency-s", str(args.latency_s), "--slots", str(SERVER_SLOTS)],
    )  # fmt: skip
    try:
        policy = OpenAICompatibleChatModel(
            base_url=f"http://127.0.0.1:{port}/v1", max_tokens=64, structured="json_object"
        )
        policy.check_health(wait_s=30)
        measure_concurrency(args, tool, policy)
    finally:
        server.terminate()
        server.wait(timeout=30)


def measure_concurrency(args: argparse.Namespace, tool: Any, policy: OpenAICompatibleChatModel) -> None:
    prompts = [[HumanMessage(content=f"TASK: call {i}")] for i in range(INDEPENDENT_CALLS)]
    print(f"\nPart 2: a latency-bound server on 127.0.0.1 ({args.latency_s:g} s per request, {SERVER_SLOTS} at once).")
    print("  It measures latency-bound concurrency, not model quality: its replies are fixed.")
    print(
        f"\n  {'calls at once':>13} {f'{INDEPENDENT_CALLS} calls, s':>14} {'speedup':>8} {'research, s':>12} {'speedup':>8}"
    )
    base_calls = base_research = 0.0
    for n in CONCURRENCY:
        began = time.perf_counter()
        asyncio.run(aask_many(policy, prompts, node="bench", max_tokens=8, max_concurrency=n))
        calls_s = time.perf_counter() - began
        began = time.perf_counter()
        run_research(policy, tool, long_budgets(2, None, concurrency=n), "policy")
        research_s = time.perf_counter() - began
        base_calls, base_research = (calls_s, research_s) if n == 1 else (base_calls, base_research)
        print(
            f"  {n:>13} {calls_s:>14.2f} {base_calls / calls_s:>7.2f}x {research_s:>12.2f} "
            f"{base_research / research_s:>7.2f}x"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument(
        "--reader", choices=["policy", "lexical"], default="policy",
        help="part 1: the policy reads each branch's documents over the shared log (default), or lexical passages",
    )  # fmt: skip
    parser.add_argument("--window", type=int, default=3000, help="the context window the run plans for (tokens)")
    parser.add_argument("--latency-s", type=float, default=0.2)
    parser.add_argument("--skip-llama", action="store_true", help="only the latency-bound part")
    parser.add_argument("--skip-latency", action="store_true", help="only the llama-cpp part")
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))  # errors only: figures on stdout
    folder = Path(tempfile.mkdtemp(prefix="stepresearch-corpus-"))
    docs = generate_corpus(folder, args.docs)
    tool = folder_search_tool(folder, cache_dir=folder.parent / (folder.name + "-index"))
    if not args.skip_llama:
        part_one(args, tool, docs)
    if not args.skip_latency:
        part_two(args, tool)
    return 0


if __name__ == "__main__":
    sys.exit(main())
