"""End-to-end benchmark of the embedded default: SmolLM2-135M in-process over the Wikipedia corpus.

    python benchmarks/e2e.py                 # the project's own eight questions (the tuned set)
    python benchmarks/e2e.py --set dev       # sets/questions_dev.jsonl: misses printed, to study
    python benchmarks/e2e.py --set test      # sets/questions_test.jsonl: figures only, never its misses

A thin use of `stepresearch eval` over a task file (sets/questions_<set>.jsonl): `eval.run_and_score`
researches each question and scores its report with the one scorer, `eval.recall` (asked facts in the short
answer, cited sources on topic, relevant articles retrieved) and the citation check, with no LLM judge. This
file adds what a speed benchmark needs from each run.json: wall time, busy time per node, prompt / cached /
completion tokens. Absolute seconds are noisy on a shared 2-core machine, so the figures that matter are
ratios against baselines measured in the same run: prefill computed versus the prompt tokens a cache-less
engine would prefill, and each node's share of the run.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

import structlog

from stepresearch.eval import EvalOptions, EvalTask, load_tasks, research_with, run_and_score
from stepresearch.eval.harness import RUN_DIR, task_folder
from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel
from stepresearch.tools import wiki_search_tool

SETS = Path(__file__).parent / "sets"
NODES = ("clarify", "plan", "search", "verify", "reflect", "draft_section", "write")


def load_cases(name: str = "own") -> list[EvalTask]:
    """The task file `sets/questions_<name>.jsonl`: `own` (the tuned eight), `dev` or `test`."""
    return load_tasks(SETS / f"questions_{name}.jsonl")


# The first five own questions, kept for the faithfulness and prefix-cache benchmarks.
QUESTIONS: list[tuple[str, set[str]]] = [(c.prompt, set(c.relevant)) for c in load_cases()[:5]]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=None, help="how many of the questions to run (default: all)")
    parser.add_argument("--out", type=Path, default=None, help="keep the evaluation folder here")
    parser.add_argument("--set", choices=["dev", "test"], help="a held-out question set instead of the own eight")
    args = parser.parse_args(argv)
    cases = load_cases(args.set or "own")[: args.questions]
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))

    started = time.perf_counter()
    policy = LlamaCppChatModel()
    tools = [wiki_search_tool()]
    setup_s = time.perf_counter() - started
    out_root = args.out or Path(tempfile.mkdtemp(prefix="stepresearch-bench-"))

    def progress(event) -> None:
        if event.kind in ("finished", "failed"):
            print(f"{event.task_id} {event.kind} ({event.done}/{event.total})", file=sys.stderr)

    summary = run_and_score(
        cases, out_root, research=research_with(policy=policy, tools=tools), judge=None,
        options=EvalOptions(system="e2e"), on_event=progress,
    )  # fmt: skip
    scores = {row.task_id: row for row in summary.per_task}
    rows = []
    for i, case in enumerate(cases, start=1):
        folder = task_folder(out_root, case.id)
        record = json.loads((folder / RUN_DIR / "run.json").read_text(encoding="utf-8"))
        task_scores = json.loads((folder / "scores.json").read_text(encoding="utf-8"))
        recall = task_scores["recall"]
        usage = record["usage"]
        rows.append(
            {
                "q": i,
                "wall_s": record["timings"]["total_s"],
                "nodes": record["timings"]["by_node"],
                "prompt": usage["prompt_tokens"],
                "cached": usage["cached_tokens"],
                "completion": usage["completion_tokens"],
                "cited": len(record["sources"]),
                "phantom": (record.get("citations") or {}).get("phantom", 0),
                "disagreements": disagreement_lines((folder / RUN_DIR / "report.md").read_text(encoding="utf-8")),
                "generation": record.get("generation", {}),
                **recall,
                "cited_in_body": recall["cited"],
            }
        )
        if case.id not in scores:
            print(f"{case.id} was not scored: {summary.failed.get(case.id, 'no report')}", file=sys.stderr)

    print(f"setup (load model + open index): {setup_s:.2f} s\n")
    print(
        "| q | wall s | "
        + " | ".join(f"{n} s" for n in NODES)
        + " | prompt tok | cached tok | computed / cold prefill | completion tok | relevant found | cited |"
        + " cited on topic | asked facts in answer |"
    )
    print("|---" * (len(NODES) + 10) + "|")
    for r in rows:
        computed = r["prompt"] - r["cached"]
        print(
            f"| {r['q']} | {r['wall_s']:.1f} | "
            + " | ".join(f"{r['nodes'].get(n, 0.0):.2f}" for n in NODES)
            + f" | {r['prompt']} | {r['cached']} | {computed / max(r['prompt'], 1):.2f} | {r['completion']} | "
            f"{r['relevant_found']}/{r['relevant']} | {r['cited']} | {r['on_topic']}/{r['cited_in_body']} | "
            f"{r['facts_found']}/{r['facts']} |"
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
    on_topic = sum(r["on_topic"] for r in rows)
    cited = sum(r["cited_in_body"] for r in rows)
    facts_found = sum(r["facts_found"] for r in rows)
    facts = sum(r["facts"] for r in rows)
    print(f"cited sources on topic (short answer and sections): {on_topic}/{cited} ({on_topic / max(cited, 1):.0%})")
    print(f"asked facts in the short answer: {facts_found}/{facts} ({facts_found / max(facts, 1):.0%})")
    print(f"phantom citations: {sum(r['phantom'] for r in rows)}")
    print(
        f"disagreements reported (on Wikipedia questions each is an invented one, unless checked): "
        f"{sum(r['disagreements'] for r in rows)}"
    )
    reached = sum(r["generation"].get("tokens_in_report", 0) for r in rows)
    generated = sum(r["generation"].get("generated_tokens", 0) for r in rows)
    print(f"generated tokens that reach the report: {reached}/{generated} ({reached / max(generated, 1):.0%})")
    if args.set == "test":
        print("(test split: misses are not printed; write a new split after looking at one)")
        return 0
    for r in rows:
        for miss in r["misses"]:
            print(f"- q{r['q']}: {miss}")
    return 0


def disagreement_lines(markdown: str) -> int:
    """The disagreements a reader sees: the items of "Where sources disagree"."""
    if "## Where sources disagree" not in markdown:
        return 0
    section = markdown.split("## Where sources disagree")[1].split("\n## ")[0]
    return len(re.findall(r"^- ", section, re.MULTILINE))


if __name__ == "__main__":
    sys.exit(main())
