"""Faithfulness benchmark: are the citations true, and are the claims cross-checked?

    python benchmarks/faithfulness.py

Runs the embedded default (SmolLM2-135M in-process) over the five benchmark
questions on the Wikipedia corpus, the planted-disagreement question on
`tests/data/planted`, and the disagreement told in different words in
`tests/data/paraphrased`. Per run it prints citations total / valid /
re-attributed / removed / phantom, claims by verdict, and the share of the
report's factual sentences (the short answer, the sections and the
disagreements) that carry a citation the validator confirmed. The baseline in
the same run is the policy's own citing: how many of the sentences it wrote
survived attribution at all.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

import structlog

from stepresearch.app.runner import run_research
from stepresearch.benchmarks.e2e import QUESTIONS
from stepresearch.core.text import split_sentences
from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel
from stepresearch.tools import folder_search_tool, wiki_search_tool

PLANTED = Path(__file__).resolve().parents[1] / "tests" / "data" / "planted"
PLANTED_QUESTION = (
    "When did the Great Fire of Kelmar destroy the old town, where did it start, and how long did it burn?"
)
FACTUAL_SECTIONS = re.compile(r"^## (?!Scope and method|Verification|Sources)")
# Sentences of the report's own framing, which claim nothing a source must support.
FRAMING = re.compile(r"^(?:No retrieved source answers|On “.*” the sources disagree|\(\d+ independent)")
PARAPHRASED = Path(__file__).resolve().parents[1] / "tests" / "data" / "paraphrased"
PARAPHRASED_QUESTION = "When did the Vellmar Bridge collapse, how many workers died, and what caused it?"


def factual_sentences(markdown: str) -> tuple[int, int]:
    """(sentences in factual sections, of which carry a citation)."""
    total = cited = 0
    in_factual = False
    for line in markdown.split("\n## Sources\n")[0].splitlines():
        if line.startswith("## "):
            in_factual = bool(FACTUAL_SECTIONS.match(line))
            continue
        if not in_factual or not line.strip() or line.startswith("|"):
            continue
        for sentence in split_sentences(line.lstrip("- ").strip()):
            if len(sentence.split()) >= 4 and not FRAMING.match(sentence):
                total += 1
                cited += bool(re.search(r"\[\d+\]", sentence)) and "*(unverified)*" not in sentence
    return total, cited


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=len(QUESTIONS))
    args = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    policy = LlamaCppChatModel()
    wiki = [wiki_search_tool()]
    runs = [(q, wiki) for q, _ in QUESTIONS[: args.questions]] + [
        (PLANTED_QUESTION, [folder_search_tool(PLANTED)]),
        (PARAPHRASED_QUESTION, [folder_search_tool(PARAPHRASED)]),
    ]
    out = Path(tempfile.mkdtemp(prefix="stepresearch-faith-"))
    print(
        "| run | citations | valid | re-attributed | removed | phantom | claims by verdict | factual sentences cited | policy sentences kept |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    all_total = all_cited = phantoms = 0
    for i, (question, tools) in enumerate(runs, start=1):
        result = run_research(question, out / f"r{i}", policy=policy, tools=tools)
        state = result.state
        stats = state["citations"]
        verdicts = Counter(c.verdict for c in state.get("claims", []))
        total, cited = factual_sentences(state["report"].markdown)
        policy_sentences = sum(
            1 for section in [state["report"].short_answer, *(s.sentences for s in state["report"].sections)]
            for sentence in section if sentence.origin == "policy"
        )  # fmt: skip
        dropped = next((int(n) for note in state.get("notes", []) for n in re.findall(r"^(\d+) sentence", note)), 0)
        all_total += total
        all_cited += cited
        phantoms += stats.phantom
        label = f"q{i}" if tools is wiki else ("planted" if question == PLANTED_QUESTION else "paraphrased")
        print(
            f"| {label} | {stats.total} | {stats.valid} | {stats.reattributed} | {stats.removed} | {stats.phantom} | "
            + ", ".join(f"{v} {n}" for v, n in sorted(verdicts.items()))
            + f" | {cited}/{total} | {policy_sentences}/{policy_sentences + dropped} |"
        )
        print(f"run {label} done", file=sys.stderr)
    print()
    print(f"phantom citations across all runs: {phantoms} (target 0)")
    print(
        f"factual sentences with a supporting citation: {all_cited}/{all_total} = {all_cited / max(all_total, 1):.0%} (target >= 80%)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
