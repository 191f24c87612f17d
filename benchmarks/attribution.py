"""Attribution benchmark: does the judge keep faithful paraphrases and reject subtly wrong sentences?

    python benchmarks/attribution.py                      # the lexical judge
    python benchmarks/attribution.py --policy embedded    # also the embedded SmolLM2 as policy judge
    python benchmarks/attribution.py --policy http://127.0.0.1:30000/v1 --model NAME

Each case (`attribution_cases.py`) is a sentence citing one summary of the default corpus. A faithful
sentence should be entailed by it; a wrong one should not. Every sentence goes through the same path as
`stepresearch verify --fix`: a report with one citation per sentence, validated against the retrieved
summaries. The figures are kept and rejected counts per kind, for each split: `tuned` (the sentences the
judge's rules were shaped on), `holdout` (written after, and used to find general failures) and `fresh`
(written last and never used to change a rule: the honest estimate).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

import structlog

from stepresearch.benchmarks.attribution_cases import CASES, FRESH_CASES, HOLDOUT_CASES, WRONG_KINDS
from stepresearch.judge import Judge, LexicalJudge, PolicyJudge
from stepresearch.nodes.citation_check import validate_markdown
from stepresearch.state import Source, stable_source_id
from stepresearch.tools.wiki import load_wiki_passages, wiki_data_path, wiki_uri


def sources_for(cases: list[tuple[str, str, str]]) -> dict[str, Source]:
    summaries = {p.title: p.text for p in load_wiki_passages(wiki_data_path())}
    out = {}
    for title, _, _ in cases:
        if title not in out:
            uri = wiki_uri(title)
            out[title] = Source(
                id=stable_source_id(uri), title=title, uri=uri, text=summaries[title], tool="wiki", origin=uri
            )
    return out


def kept_by_validator(sentence: str, source: Source, sources: list[Source], judge: Judge) -> bool:
    """The sentence survives `verify --fix` with its citation to its source, as a person would check it."""
    markdown = (
        f"# Check\n\n## Short answer\n\n{sentence[:-1]} [1].\n\n## Sources\n\n[1] {source.title} — {source.uri}\n"
    )
    result = validate_markdown(markdown, sources, judge)
    return result.stats.valid == 1


def run(cases: list[tuple[str, str, str]], judge: Judge) -> Counter:
    sources = sources_for(cases)
    every = list(sources.values())
    kept: Counter = Counter()
    for title, kind, sentence in cases:
        kept[(kind, kept_by_validator(sentence, sources[title], every, judge))] += 1
    return kept


def table(name: str, split: str, counts: Counter) -> list[str]:
    rows = []
    faithful_kept = counts[("faithful", True)]
    faithful_total = faithful_kept + counts[("faithful", False)]
    rows.append(
        f"| {name} | {split} | faithful | {faithful_total} | kept {faithful_kept} ({_pct(faithful_kept, faithful_total)}) |"
    )
    wrong_rejected = wrong_total = 0
    for kind in WRONG_KINDS:
        rejected, total = counts[(kind, False)], counts[(kind, False)] + counts[(kind, True)]
        wrong_rejected += rejected
        wrong_total += total
        rows.append(f"| {name} | {split} | {kind} | {total} | rejected {rejected} ({_pct(rejected, total)}) |")
    rows.append(
        f"| {name} | {split} | **all wrong** | {wrong_total} | rejected {wrong_rejected} ({_pct(wrong_rejected, wrong_total)}) |"
    )
    return rows


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.0f}%" if total else "—"


def make_policy(spec: str, model: str):
    if spec == "embedded":
        from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel

        return LlamaCppChatModel()
    from stepresearch.serving.openai_compatible import OpenAICompatibleChatModel

    return OpenAICompatibleChatModel(base_url=spec, model=model)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", help="also run the policy judge: 'embedded' or an OpenAI-compatible base URL")
    parser.add_argument("--model", default="", help="the served model's name, with a base URL")
    args = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    judges: list[tuple[str, Judge]] = [("lexical", LexicalJudge())]
    if args.policy:
        judges.append(("policy", PolicyJudge(make_policy(args.policy, args.model))))
    every = CASES + HOLDOUT_CASES + FRESH_CASES
    subjects = len({t for t, _, _ in every})
    print(
        f"{len(CASES)} tuned + {len(HOLDOUT_CASES)} holdout + {len(FRESH_CASES)} fresh sentences over {subjects} "
        "subjects of the default corpus"
    )
    print("| judge | split | kind | sentences | result |")
    print("|---|---|---|---|---|")
    for name, judge in judges:
        for split, cases in (("tuned", CASES), ("holdout", HOLDOUT_CASES), ("fresh", FRESH_CASES)):
            print("\n".join(table(name, split, run(cases, judge))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
