"""Researches side by side on one event loop, against one loopback policy server.

    python benchmarks/concurrency.py [--sizes 1 4 8] [--port P]

Starts `stepresearch serve --engine llama-cpp` (SmolLM2) on a free loopback port, then runs the same
small researches (one round, two sub-questions, lexical judge, the offline Wikipedia corpus) first one
after another (the baseline), then N at once with `asyncio.gather(graph.ainvoke(...))` on one event
loop, for each N. It prints the wall time, the throughput as a ratio to the sequential baseline
measured in the same run, and the most threads the process had while they ran.

What to expect: llama-cpp-python's server generates one request at a time, so the policy is the
bottleneck and throughput barely moves; the figure shows what the graph adds or loses around it.
Under `ainvoke` the nodes' policy calls are awaited on the loop (`stepresearch.core.steps`) and only their
CPU-bound work between calls goes to the loop's default executor, so the thread count should stay
flat as researches are added, rather than grow with them.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import threading
import time

import structlog
from langgraph.checkpoint.memory import InMemorySaver

from stepresearch import build_graph, research_context
from stepresearch.serving.openai_compatible import OpenAICompatibleChatModel
from stepresearch.tools import wiki_search_tool

QUESTIONS = [
    "When and how did the Byzantine Empire end?",
    "Who discovered penicillin and when?",
    "Where was the printing press invented?",
    "When did the Berlin Wall fall?",
    "Who painted the Mona Lisa?",
    "When was the Eiffel Tower built?",
    "Who wrote the theory of general relativity?",
    "Where did the Wright brothers first fly?",
]
BUDGETS = {"max_rounds": 1, "max_sub_questions": 2, "min_sub_questions": 2}
SAMPLE_S = 0.2  # how often the thread count is sampled


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    """The server starts loading; the policy's own start-up wait (`check_health`) waits for it."""
    command = [sys.executable, "-m", "stepresearch", "serve", "--engine", "llama-cpp", "--port", str(port)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class ThreadPeak:
    """The most threads this process had while a block ran, sampled in a thread of its own."""

    def __init__(self) -> None:
        self.peak = threading.active_count()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.wait(SAMPLE_S):
            self.peak = max(self.peak, threading.active_count())

    def __enter__(self) -> ThreadPeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 8])
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))  # errors only: figures on stdout
    port = free_port()
    server = start_server(port)
    try:
        policy = OpenAICompatibleChatModel(base_url=f"http://127.0.0.1:{port}/v1", max_tokens=200)
        policy.check_health(wait_s=120)
        context = research_context(policy, [wiki_search_tool()], budgets=BUDGETS, judge="lexical")
        graph = build_graph(checkpointer=InMemorySaver(), max_concurrency=4)
        n = max(args.sizes)
        questions = (QUESTIONS * (n // len(QUESTIONS) + 1))[:n]
        graph.invoke({"question": questions[0]}, {"configurable": {"thread_id": "warm"}}, context=context)

        with ThreadPeak() as seq_threads:
            began = time.perf_counter()
            for i, question in enumerate(questions):
                graph.invoke({"question": question}, {"configurable": {"thread_id": f"seq{i}"}}, context=context)
            sequential = time.perf_counter() - began
        per_research = sequential / len(questions)
        print(f"policy: SmolLM2-135M behind llama-cpp-python's server on 127.0.0.1; {len(questions)} questions")
        print(f"sequential baseline: {per_research:.1f} s per research, peak threads {seq_threads.peak}\n")
        print(f"{'at once':>8} {'wall s':>8} {'throughput vs sequential':>26} {'peak threads':>13}")
        for size in args.sizes:

            async def together(size: int = size) -> None:
                await asyncio.gather(*(
                    graph.ainvoke({"question": q}, {"configurable": {"thread_id": f"c{size}-{i}"}}, context=context)
                    for i, q in enumerate(questions[:size])
                ))  # fmt: skip

            with ThreadPeak() as threads:
                began = time.perf_counter()
                asyncio.run(together())
                wall = time.perf_counter() - began
            ratio = (size / wall) / (1 / per_research)
            print(f"{size:>8} {wall:>8.1f} {ratio:>25.2f}x {threads.peak:>13}")
    finally:
        server.terminate()
        server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
