"""The CPU server's memory: peak resident set of `stepresearch serve --engine llama-cpp` through served researches.

    python benchmarks/server_memory.py [--researches 2]

For each server configuration, one after another (never two servers at once), it starts llama-cpp-python's
server with SmolLM2 on a free loopback port, runs the same researches against it (two rounds, eight
sub-questions, eight policy calls at once: `search_concurrency=8`, lexical judge, the offline Wikipedia
corpus), and reads the server's peak resident memory from the kernel (`VmHWM` in /proc/PID/status). It
prints each configuration's peak and wall time, the time as a ratio to the first (the old default) measured
in the same run, and the start-up capability probe's answers for the served SmolLM2.

Configurations:
- `old default`: what `serve` started before: logits kept for every position (`--logits_all True`) and
  llama-cpp-python's RAM prefix cache on at its default 2 GiB;
- `cache N MiB`: the command as it is now, with the RAM cache turned back on and capped at N MiB
  (`--cache-mib`);
- `ours (no cache)`: `serving.launch.llama_cpp_server_command` as it is now.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from pathlib import Path

import structlog
from langgraph.checkpoint.memory import InMemorySaver

from stepresearch import build_graph, research_context
from stepresearch.judge import probe_capability
from stepresearch.serving.launch import LLAMA_CPP_CACHE_BYTES, llama_cpp_server_command
from stepresearch.serving.openai_compatible import OpenAICompatibleChatModel
from stepresearch.tools import wiki_search_tool

QUESTIONS = [
    "When was the Suez Canal opened, who built it, and how long is it?",
    "Who composed The Magic Flute, and in which city did it first play?",
    "When did the Chernobyl disaster happen, and where is the plant?",
]
BUDGETS = {"max_rounds": 2, "max_sub_questions": 8, "min_sub_questions": 8, "search_concurrency": 8}
N_CTX = 8192  # as the integration tests serve it


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def with_flag(command: list[str], flag: str, value: str) -> list[str]:
    out = list(command)
    if flag in out:
        out[out.index(flag) + 1] = value
    else:
        out += [flag, value]
    return out


def configurations(port: int, cache_mib: list[int]) -> dict[str, list[str]]:
    ours = llama_cpp_server_command(None, port, n_ctx=N_CTX)
    cached = with_flag(ours, "--cache", "True")
    old = with_flag(with_flag(cached, "--logits_all", "True"), "--cache_size", str(2 << 30))
    sized = {f"cache {mib} MiB": with_flag(cached, "--cache_size", str(mib * 1024**2)) for mib in cache_mib}
    return {"old default": old, **sized, "ours (no cache)": ours}


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def measure(name: str, command: list[str], port: int, researches: int, probe: bool) -> tuple[float, float]:
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        policy = OpenAICompatibleChatModel(base_url=f"http://127.0.0.1:{port}/v1", max_tokens=200)
        policy.check_health(wait_s=120)
        if probe:
            result = probe_capability(policy)
            print(f"capability probe of the served SmolLM2: {result.summary()}")
            for answer in result.answers:
                print(f"  {answer.task:<12} expected {answer.expected:<11} answered {answer.answered or '(unusable)'}")
        context = research_context(policy, [wiki_search_tool()], budgets=BUDGETS, judge="lexical")
        graph = build_graph(checkpointer=InMemorySaver(), max_concurrency=8)
        began = time.perf_counter()
        for i in range(researches):
            question = QUESTIONS[i % len(QUESTIONS)]
            graph.invoke({"question": question}, {"configurable": {"thread_id": f"{name}-{i}"}}, context=context)
        wall = time.perf_counter() - began
        return peak_rss_mb(server.pid), wall
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--researches", type=int, default=2)
    parser.add_argument(
        "--cache-mib",
        type=int,
        nargs="*",
        default=[512, LLAMA_CPP_CACHE_BYTES // 1024**2, 32],
        help="RAM cache sizes to try beside ours",
    )
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))  # errors only: figures on stdout
    port = free_port()
    rows = []
    for i, (name, command) in enumerate(configurations(port, args.cache_mib).items()):
        peak, wall = measure(name, command, port, args.researches, probe=i == 0)
        rows.append((name, peak, wall))
    print(f"\n{args.researches} researches per server, {BUDGETS}, n_ctx {N_CTX}")
    print(f"{'server':<16} {'peak RSS MB':>12} {'wall s':>8} {'time vs old default':>20}")
    for name, peak, wall in rows:
        print(f"{name:<16} {peak:>12.0f} {wall:>8.1f} {wall / rows[0][2]:>19.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
