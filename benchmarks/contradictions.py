"""Contradiction benchmark: are disagreements found across wording, and none invented?

    python benchmarks/contradictions.py          # the own pairs (tuned, holdout) and sets/contradictions_{dev,test}

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
from stepresearch.benchmarks.sets import load
from stepresearch.nodes.verify import ClaimChecker
from stepresearch.state import Source, stable_source_id


def _claim(first: str, second: str):
    sources = {}
    for name, text in (("first", first), ("second", second)):
        uri = f"doc:{name}.md"
        sources[stable_source_id(uri)] = Source(
            id=stable_source_id(uri), title=name, uri=uri, text=text, tool="folder", origin=uri
        )
    return ClaimChecker(sources).check(first)


def flagged(first: str, second: str) -> bool:
    return _claim(first, second).verdict == "contradicted"


def corroborated(first: str, second: str) -> bool:
    """Both sources support the claim: the second, in its own words, is a witness."""
    return len(_claim(first, second).supporting) >= 2


def scores(cases: list[tuple[str, str, str]]) -> tuple[int, int, int, list[str]]:
    """(true positives, false positives, false negatives, misses described)."""
    tp = fp = fn = 0
    misses = []
    for kind, first, second in cases:
        hit = flagged(first, second)
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
    print("| split | pairs | disagree | agree | different | precision | recall | agree pairs corroborated |")
    print("|---|---|---|---|---|---|---|---|")
    all_misses = []
    sets = {
        split: [(r["kind"], r["first"], r["second"]) for r in load("contradictions", split)]
        for split in ("dev", "test")
    }
    for split, cases in (("tuned", CASES), ("holdout", HOLDOUT_CASES), ("dev", sets["dev"]), ("test", sets["test"])):
        tp, fp, fn, misses = scores(cases)
        counts = {k: sum(1 for c in cases if c[0] == k) for k in ("disagree", "agree", "different")}
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        agreeing = [(a, b) for kind, a, b in cases if kind == "agree"]
        witnessed = sum(corroborated(a, b) for a, b in agreeing)
        print(
            f"| {split} | {len(cases)} | {counts['disagree']} | {counts['agree']} | {counts['different']} | "
            f"{precision:.2f} | {recall:.2f} | {witnessed}/{len(agreeing)} |"
        )
        if split != "test":
            all_misses += [f"{split}: {m}" for m in misses]
    for miss in all_misses:
        print("-", miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
