"""Contradiction benchmark: are disagreements found across wording, and none invented?

    python benchmarks/contradictions.py          # the own pairs (tuned, holdout) and sets/contradictions_{dev,test}

The Chinese pairs (`sets/contradictions_zh_{dev,test}`) are scored beside the English ones, as `zh-dev`
and `zh-test`.

Each pair (`contradiction_cases.py`) is two passages: a disagreement told in different words, an
agreement told in different words, or two different facts with different numbers. Each pair is put
through verification as it runs in a report: two sources in a folder, the first passage as the key
claim, judged against both (`nodes.verify.ClaimChecker` with the deterministic judge). A pair is flagged
when the claim comes out `contradicted`. Prints precision and recall over the `disagree` pairs, per split,
and how often an `agree` pair counts its second source as an independent witness (corroboration). Misses
are printed for every split but `test`, which is scored only.
"""

from __future__ import annotations

import sys

import structlog

from stepresearch.benchmarks.contradiction_cases import CASES, HOLDOUT_CASES
from stepresearch.benchmarks.oracle_server import OracleServer, same_text, within
from stepresearch.benchmarks.sets import load
from stepresearch.judge import Judge, PolicyJudge
from stepresearch.nodes.verify import ClaimChecker
from stepresearch.serving.openai_compatible import OpenAICompatibleChatModel
from stepresearch.state import Source, stable_source_id


def _claim(first: str, second: str, judge: Judge | None = None):
    sources = {}
    for name, text in (("first", first), ("second", second)):
        uri = f"doc:{name}.md"
        sources[stable_source_id(uri)] = Source(
            id=stable_source_id(uri), title=name, uri=uri, text=text, tool="folder", origin=uri
        )
    return ClaimChecker(sources, judge).check(first)


def flagged(first: str, second: str, judge: Judge | None = None) -> bool:
    return _claim(first, second, judge).verdict == "contradicted"


def corroborated(first: str, second: str, judge: Judge | None = None) -> bool:
    """Both sources support the claim: the second, in its own words, is a witness."""
    return len(_claim(first, second, judge).supporting) >= 2


def oracle_for(cases: list[tuple[str, str, str]]) -> OracleServer:
    """An ORACLE policy for these pairs: it entails a claim from its own passage, and from the other only when
    the pair agrees; it confirms a disagreement only for a `disagree` pair."""

    def entails(statement: str, passage: str) -> bool | None:
        for kind, first, second in cases:
            if same_text(statement, first):
                return within(first, passage) or (kind == "agree" and within(second, passage))
        return None

    def disagree(a: str, b: str) -> bool | None:
        for kind, first, second in cases:
            if same_text(a, first) and within(b, second):
                return kind == "disagree"
        return None

    return OracleServer(entails, disagree)


def scores(cases: list[tuple[str, str, str]], judge: Judge | None = None) -> tuple[int, int, int, list[str]]:
    """(true positives, false positives, false negatives, misses described)."""
    tp = fp = fn = 0
    misses = []
    for kind, first, second in cases:
        hit = flagged(first, second, judge)
        if kind == "disagree" and hit:
            tp += 1
        elif kind == "disagree":
            fn += 1
            misses.append(f"missed disagreement: {first!r} / {second!r}")
        elif hit:
            fp += 1
            misses.append(f"invented disagreement ({kind}): {first!r} / {second!r}")
    return tp, fp, fn, misses


def main(argv: list[str] | None = None) -> int:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    print("| judge | split | pairs | disagree | agree | different | precision | recall | agree pairs corroborated |")
    print("|---|---|---|---|---|---|---|---|---|")
    all_misses = []
    sets = {
        f"{prefix}{split}": [(r["kind"], r["first"], r["second"]) for r in load(name, split)]
        for prefix, name in (("", "contradictions"), ("zh-", "contradictions_zh"))
        for split in ("dev", "test")
    }
    splits = (("tuned", CASES), ("holdout", HOLDOUT_CASES), *sets.items())
    every = [case for _, cases in splits for case in cases]
    with oracle_for(every) as oracle:
        judges = (
            ("semantic", None),
            ("policy+oracle", PolicyJudge(OpenAICompatibleChatModel(base_url=oracle.base_url, model="oracle"))),
        )
        for name, judge in judges:
            for split, cases in splits:
                tp, fp, fn, misses = scores(cases, judge)
                counts = {k: sum(1 for c in cases if c[0] == k) for k in ("disagree", "agree", "different")}
                precision = tp / (tp + fp) if tp + fp else 1.0
                recall = tp / (tp + fn) if tp + fn else 1.0
                agreeing = [(a, b) for kind, a, b in cases if kind == "agree"]
                witnessed = sum(corroborated(a, b, judge) for a, b in agreeing)
                print(
                    f"| {name} | {split} | {len(cases)} | {counts['disagree']} | {counts['agree']} | "
                    f"{counts['different']} | {precision:.2f} | {recall:.2f} | {witnessed}/{len(agreeing)} |"
                )
                if not split.endswith("test"):
                    all_misses += [f"{name} {split}: {m}" for m in misses]
        if oracle.unknown:
            print(f"\nthe oracle was asked {oracle.unknown} prompt(s) it had no label for (answered no)")
    for miss in all_misses:
        print("-", miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
