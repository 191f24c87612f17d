"""End-to-end benchmark of the embedded default: SmolLM2-135M in-process over the Wikipedia corpus.

    python benchmarks/e2e.py                 # the project's own eight questions (the tuned set)
    python benchmarks/e2e.py --set dev       # sets/questions_dev.jsonl: misses printed, to study
    python benchmarks/e2e.py --set test      # sets/questions_test.jsonl: figures only, never its misses

Per question it prints wall time, busy time per node, prompt / cached /
completion tokens, how many of the question's obviously relevant articles
were retrieved, how many cited sources are on a hand-made on-topic list, and
how many of the asked facts (who, when, ...) the short answer states. Absolute seconds are noisy on a shared 2-core
machine, so the figures that matter are ratios against baselines measured in
the same run: prefill computed versus the prompt tokens a cache-less engine
would prefill, and each node's share of the run.
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
from typing import NamedTuple

import structlog

from stepresearch.runner import run_research
from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel
from stepresearch.tools import wiki_search_tool


class Case(NamedTuple):
    """A benchmark question with what a careful reader expects of its report, decided before any run."""

    question: str
    relevant: set[str]  # articles a good search should retrieve
    on_topic: set[str]  # articles a section may cite: about the question's subject
    facts: list[list[str]]  # per asked part, strings of which one must be in the short answer


CASES: list[Case] = [
    Case(
        "When and how did the Byzantine Empire end, and which state conquered its capital?",
        {"Fall of Constantinople", "Byzantine Empire", "Ottoman Empire"},
        {"Fall of Constantinople", "Byzantine Empire", "Ottoman Empire", "Constantinople", "Mehmed II",
         "Roman Empire", "Istanbul", "Siege of Constantinople"},
        [["1453"], ["Ottoman"]],
    ),
    Case(
        "Who discovered penicillin and when?",
        {"Penicillin", "Alexander Fleming"},
        {"Penicillin", "Alexander Fleming", "Antibiotic", "Howard Florey", "Ernst Chain"},
        [["Fleming"], ["1928"]],
    ),
    Case(
        "What caused the 1918 flu pandemic, and how many people did it infect?",
        {"Spanish flu"},
        {"Spanish flu", "Influenza", "Pandemic", "Influenza A virus subtype H1N1"},
        [["H1N1", "influenza A"], ["500 million", "a third"]],
    ),
    Case(
        "What did Marie Curie discover, and when did she win the Nobel Prize in Chemistry?",
        {"Marie Curie", "Radium", "Polonium"},
        {"Marie Curie", "Pierre Curie", "Radium", "Polonium", "Radioactivity", "Henri Becquerel", "Nobel Prize",
         "Nobel Prize in Chemistry", "Curium"},
        [["radium", "polonium", "radioactivity"], ["1911"]],
    ),
    Case(
        "Who commanded Apollo 11, and when did the first crewed Moon landing happen?",
        {"Apollo 11", "Moon landing", "Neil Armstrong"},
        {"Apollo 11", "Moon landing", "Neil Armstrong", "Apollo program", "Buzz Aldrin", "Michael Collins", "Moon",
         "History of spaceflight", "Saturn V"},
        [["Armstrong"], ["1969"]],
    ),
    Case(
        "How high is Mount Everest, and on which border does it lie?",
        {"Mount Everest"},
        {"Mount Everest", "Himalayas", "Nepal", "Tibet", "Edmund Hillary", "Tenzing Norgay"},
        [["8,848", "8848"], ["Nepal", "China"]],
    ),
    Case(
        "Who invented the movable-type printing press, and how did it change Europe?",
        {"Johannes Gutenberg", "Printing press"},
        {"Johannes Gutenberg", "Printing press", "Printing", "Gutenberg Bible", "Movable type"},
        [["Gutenberg"], ["Europe", "Renaissance", "Reformation", "information revolution"]],
    ),
    Case(
        "When did the French Revolution begin, and what caused it?",
        {"French Revolution"},
        {"French Revolution", "Louis XVI", "Estates General of 1789", "Storming of the Bastille", "Ancien Régime",
         "Reign of Terror", "French First Republic"},
        [["1789"], ["social", "economic", "political"]],
    ),
]  # fmt: skip
# The first five questions, kept for the faithfulness and prefix-cache benchmarks.
QUESTIONS: list[tuple[str, set[str]]] = [(c.question, c.relevant) for c in CASES[:5]]
NODES = ("clarify", "plan", "search", "verify", "reflect", "draft_section", "write")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=None, help="how many of the questions to run (default: all)")
    parser.add_argument("--out", type=Path, default=None, help="keep the run folders here")
    parser.add_argument("--set", choices=["dev", "test"], help="a held-out question set instead of the own eight")
    args = parser.parse_args(argv)
    cases = load_cases(args.set) if args.set else CASES
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))

    started = time.perf_counter()
    policy = LlamaCppChatModel()
    tools = [wiki_search_tool()]
    setup_s = time.perf_counter() - started
    out_root = args.out or Path(tempfile.mkdtemp(prefix="stepresearch-bench-"))

    rows = []
    for i, case in enumerate(cases[: args.questions or len(cases)], start=1):
        question, relevant = case.question, case.relevant
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
                "phantom": state["citations"].phantom if state.get("citations") else 0,
                "disagreements": disagreement_lines(state["report"].markdown),
                "generation": json.loads(result.run_json_path.read_text(encoding="utf-8")).get("generation", {}),
                **on_topic_and_facts(case, state),
            }
        )
        print(f"q{i} done in {wall:.1f} s" + ("" if args.set == "test" else f": {question}"), file=sys.stderr)

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


def load_cases(split: str) -> list[Case]:
    from stepresearch.benchmarks.sets import load

    return [Case(r["question"], set(r["relevant"]), set(r["on_topic"]), r["facts"]) for r in load("questions", split)]


def on_topic_and_facts(case: Case, state: dict) -> dict:
    """Of the sources cited in the short answer and the sections, how many are on the hand-made on-topic
    list; of the asked facts, how many the short answer states (as a fact or as a flagged disagreement)."""
    report = state["report"]
    sources = state["sources"]
    cited_ids = {sid for s in report.short_answer for sid in s.source_ids}
    cited_ids |= {sid for section in report.sections for s in section.sentences for sid in s.source_ids}
    titles = {sources[sid].title for sid in cited_ids if sid in sources}
    misses = [f"off-topic source cited: {t}" for t in sorted(titles - case.on_topic)]
    answer = (
        report.markdown.split("## Short answer")[1].split("\n## ")[0] if "## Short answer" in report.markdown else ""
    )
    answer = _plain(answer)
    question = _plain(case.question)
    found = 0
    for alternatives in case.facts:
        # Strict: a fact the question itself contains is never counted as found (the answer may repeat it).
        counted = [a for a in alternatives if _plain(a) not in question]
        if any(_plain(a) in answer for a in counted):
            found += 1
        else:
            misses.append(f"asked fact missing from the short answer: {' / '.join(alternatives)}")
    return {
        "on_topic": len(titles & case.on_topic),
        "cited_in_body": len(titles),
        "facts_found": found,
        "facts": len(case.facts),
        "misses": misses,
    }


def disagreement_lines(markdown: str) -> int:
    """The disagreements a reader sees: the items of "Where sources disagree"."""
    if "## Where sources disagree" not in markdown:
        return 0
    section = markdown.split("## Where sources disagree")[1].split("\n## ")[0]
    return len(re.findall(r"^- ", section, re.MULTILINE))


def _plain(text: str) -> str:
    """Lower-cased with every kind of space as one space: the corpus writes "66\u00a0million"."""
    return " ".join(text.replace("\u00a0", " ").lower().split())


if __name__ == "__main__":
    sys.exit(main())
