"""Attribution benchmark: does the judge keep faithful paraphrases and reject subtly wrong sentences?

    python benchmarks/attribution.py                 # lexical, semantic, and the policy judge with an oracle
    python benchmarks/attribution.py --policy http://127.0.0.1:30000/v1 --model NAME   # also a served policy
    python benchmarks/attribution.py --own           # the project's earlier splits (tuned, holdout, fresh)

Each case (`sets/attribution_{dev,test}.jsonl`) is a sentence citing one summary of the default corpus. A
faithful sentence should be entailed by it; a wrong one should not. Every sentence goes through the same
path as `stepresearch verify --fix`: a report with one citation per sentence, validated against the
retrieved summaries. Three judges are measured:

- `lexical`: the deterministic judge aligning by shared words only (the old default, a baseline);
- `semantic`: the deterministic judge aligning by meaning (`judge/semantic.py`), the default now;
- `policy+oracle`: the policy judge against an oracle server that answers every pair's true label
  (`oracle_server.py`), so what it loses is what the guard in front of the policy vetoed.

`dev` is studied and fixed against: its misses are printed. `test` is scored only: its figures are
printed, never its sentences.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

import structlog

from stepresearch.benchmarks.oracle_server import OracleServer
from stepresearch.benchmarks.sets import SPLITS, load
from stepresearch.core.language import has_cjk
from stepresearch.judge import Judge, LexicalJudge, PolicyJudge, SemanticJudge
from stepresearch.nodes.citation_check import validate_markdown
from stepresearch.state import Source, stable_source_id
from stepresearch.tools.wiki import load_wiki_passages, wiki_data_path, wiki_uri


def sources_for(cases: list[dict]) -> dict[str, Source]:
    """Each case's source: its own `source` text (the Chinese sets), else its summary in the default corpus."""
    summaries = (
        {p.title: p.text for p in load_wiki_passages(wiki_data_path())} if any("source" not in c for c in cases) else {}
    )
    out = {}
    for case in cases:
        title = case["title"]
        if title not in out:
            uri = wiki_uri(title) if "source" not in case else f"doc:{title}.md"
            text = case.get("source") or summaries[title]
            out[title] = Source(id=stable_source_id(uri), title=title, uri=uri, text=text, tool="wiki", origin=uri)
    return out


def kept_by_validator(sentence: str, source: Source, sources: list[Source], judge: Judge) -> bool:
    """The sentence survives `verify --fix` with its citation to its source, as a person would check it."""
    if has_cjk(sentence):
        body = sentence.rstrip("。")
        markdown = f"# 核查\n\n## 简短回答\n\n{body} [1]。\n\n## 来源\n\n[1] {source.title} — {source.uri}\n"
    else:
        body = sentence.rstrip(".")
        markdown = f"# Check\n\n## Short answer\n\n{body} [1].\n\n## Sources\n\n[1] {source.title} — {source.uri}\n"
    result = validate_markdown(markdown, sources, judge)
    return result.stats.valid == 1


def run(cases: list[dict], judge: Judge) -> tuple[Counter, list[str]]:
    sources = sources_for(cases)
    every = list(sources.values())
    kept: Counter = Counter()
    misses = []
    for case in cases:
        ok = kept_by_validator(case["sentence"], sources[case["title"]], every, judge)
        kept[(case["kind"], ok)] += 1
        if ok != (case["kind"] == "faithful"):
            misses.append(f"{'dropped' if case['kind'] == 'faithful' else 'kept'} {case['kind']}: {case['sentence']}")
    return kept, misses


def summary(counts: Counter) -> tuple[int, int, int, int]:
    """(faithful kept, faithful, wrong rejected, wrong)."""
    faithful_kept, faithful = counts[("faithful", True)], counts[("faithful", True)] + counts[("faithful", False)]
    wrong = sum(n for (kind, _), n in counts.items() if kind != "faithful")
    rejected = sum(n for (kind, ok), n in counts.items() if kind != "faithful" and not ok)
    return faithful_kept, faithful, rejected, wrong


def table(name: str, split: str, counts: Counter) -> list[str]:
    faithful_kept, faithful, rejected, wrong = summary(counts)
    rows = [f"| {name} | {split} | faithful | {faithful} | kept {faithful_kept} ({_pct(faithful_kept, faithful)}) |"]
    for kind in sorted({k for k, _ in counts} - {"faithful"}):
        r, total = counts[(kind, False)], counts[(kind, False)] + counts[(kind, True)]
        rows.append(f"| {name} | {split} | {kind} | {total} | rejected {r} ({_pct(r, total)}) |")
    rows.append(f"| {name} | {split} | **all wrong** | {wrong} | rejected {rejected} ({_pct(rejected, wrong)}) |")
    return rows


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.0f}%" if total else "—"


def make_policy(spec: str, model: str):
    from stepresearch.serving.openai_compatible import OpenAICompatibleChatModel

    return OpenAICompatibleChatModel(base_url=spec, model=model)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", help="also a served policy as judge: an OpenAI-compatible base URL")
    parser.add_argument("--model", default="", help="the served model's name, with --policy")
    parser.add_argument("--split", choices=SPLITS, action="append", help="only these splits (default: both)")
    parser.add_argument("--lang", choices=["en", "zh"], default="en", help="zh: sets/attribution_zh_{dev,test}")
    parser.add_argument(
        "--own", action="store_true", help="the earlier splits the rules were shaped on, instead of sets/ (all studied)"
    )
    args = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    if args.own:
        from stepresearch.benchmarks.attribution_cases import CASES, FRESH_CASES, HOLDOUT_CASES

        own = {"tuned": CASES, "holdout": HOLDOUT_CASES, "fresh": FRESH_CASES}
        splits = {name: [{"title": t, "kind": k, "sentence": x} for t, k, x in cases] for name, cases in own.items()}
    else:
        name = "attribution" if args.lang == "en" else "attribution_zh"
        splits = {split: load(name, split) for split in (args.split or SPLITS)}
    every = [c for cases in splits.values() for c in cases]
    truth = {c["sentence"]: c["kind"] == "faithful" for c in every}
    print(
        " + ".join(f"{len(c)} {s}" for s, c in splits.items())
        + f" sentences over {len({c['title'] for c in every})} subjects"
    )
    headline = []
    with OracleServer(truth) as oracle:
        judges: list[tuple[str, Judge]] = [
            ("lexical", LexicalJudge()),
            ("semantic", SemanticJudge()),
            ("policy+oracle", PolicyJudge(make_policy(oracle.base_url, "oracle"))),
        ]
        if args.policy:
            judges.append(("policy", PolicyJudge(make_policy(args.policy, args.model))))
        print("| judge | split | kind | sentences | result |")
        print("|---|---|---|---|---|")
        dev_misses = []
        for name, judge in judges:
            for split, cases in splits.items():
                counts, misses = run(cases, judge)
                print("\n".join(table(name, split, counts)))
                fk, f, wr, w = summary(counts)
                headline.append(
                    f"{name} {split}: faithful kept {fk}/{f} ({_pct(fk, f)}), wrong rejected {wr}/{w} ({_pct(wr, w)})"
                )
                if split != "test":
                    dev_misses += [f"{name}: {m}" for m in misses]
        if oracle.unknown:
            print(f"\nthe oracle was asked {oracle.unknown} prompt(s) it had no label for (answered neutral)")
    print()
    print("\n".join(headline))
    if dev_misses:
        print("\nmisses (every split but test):")
        print("\n".join(f"- {m}" for m in dev_misses))
    return 0


if __name__ == "__main__":
    sys.exit(main())
