"""`eval compare`: pairwise judging of systems, task by task, as ADR-Bench does.

For each pair of systems and each task both have a report for, the judge reads the two reports and picks A,
B or tie on information completeness, depth, fit to the request, readability and overall. Judges favour
the report they read first, so every pair is asked in both orders; a dimension is a win only when both
orders pick the same report, and a tie otherwise. Per pair: Win + 0.5·Tie; over all systems: Elo ratings
from the overall outcomes (`formulas.elo_ratings`). Each verdict is journalled like any judgement, so a
killed comparison resumes without asking again.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

from pydantic import BaseModel, Field

from . import formulas
from .articles import Article, strip_citations
from .journal import Journal, item_key, text_hash
from .judging import PAIR_DIMENSIONS, PAIR_REPLY_TOKENS, EvalJudge, JudgeInfo, PairVerdict, pair_messages
from .tasks import EvalTask

COMPARE_FILE = "compare.json"
PAIRS_DIR = "pairs"


class PairJudgement(BaseModel):
    task_id: str
    first: str
    second: str
    outcomes: dict[str, formulas.Outcome | None] = Field(description="Per dimension, from `first`'s side.")
    reasons: list[str] = Field(default_factory=list, description="The judge's words, one per order asked.")
    cut: bool = False


class PairResult(BaseModel):
    first: str
    second: str
    tasks: int
    win_rate: dict[str, float | None] = Field(description="Per dimension, Win + 0.5·Tie from `first`'s side.")
    wins: int = 0
    ties: int = 0
    losses: int = 0
    unscored: int = 0
    judgements: list[PairJudgement]


class Comparison(BaseModel):
    systems: list[str]
    judge: JudgeInfo
    pairs: list[PairResult]
    elo: dict[str, float]


def compare_systems(
    systems: dict[str, dict[str, Article]], tasks: list[EvalTask], out: Path, *, judge: EvalJudge,
    on_event=None,
) -> Comparison:  # fmt: skip
    """Judge every pair of `systems` ({name: {task id: article}}) on the tasks both have."""
    names = list(systems)
    pairs: list[PairResult] = []
    games: list[tuple[str, str, formulas.Outcome]] = []
    for a, b in combinations(names, 2):
        journal = Journal(out / PAIRS_DIR / _safe(f"{a}__vs__{b}"))
        shared = [t for t in tasks if t.id in systems[a] and t.id in systems[b]]
        judgements = []
        for task in shared:
            if on_event is not None:
                on_event(f"{a} vs {b}: task {task.id}")
            judgement = judge_pair(task, a, systems[a][task.id], b, systems[b][task.id], judge, journal)
            judgements.append(judgement)
            overall = judgement.outcomes["overall"]
            if overall is not None:
                games.append((a, b, overall))
        pairs.append(_pair_result(a, b, judgements))
    return Comparison(systems=names, judge=judge.info, pairs=pairs, elo=formulas.elo_ratings(games, names))


def judge_pair(
    task: EvalTask, a: str, first: Article, b: str, second: Article, judge: EvalJudge, journal: Journal
) -> PairJudgement:
    """Both orders asked; per dimension a win only when both orders agree, else a tie (None: unscored)."""
    text_a, cut_a = judge.fit(strip_citations(first.markdown), share=0.5)
    text_b, cut_b = judge.fit(strip_citations(second.markdown), share=0.5)
    forward = _verdict(task, text_a, text_b, judge, journal)
    backward = _verdict(task, text_b, text_a, judge, journal)
    outcomes: dict[str, formulas.Outcome | None] = {}
    for dimension in PAIR_DIMENSIONS:
        if forward is None or backward is None:
            outcomes[dimension] = None
            continue
        one = _side(forward[dimension], flipped=False)
        two = _side(backward[dimension], flipped=True)
        outcomes[dimension] = one if one == two else "tie"
    reasons = [v["reason"] for v in (forward, backward) if v is not None]
    return PairJudgement(task_id=task.id, first=a, second=b, outcomes=outcomes, reasons=reasons, cut=cut_a or cut_b)


def comparison_table(comparison: Comparison) -> str:
    lines = [f"judge: {comparison.judge.name}"]
    if comparison.judge.note:
        lines.append(f"WARNING: {comparison.judge.note}")
    header = ["A", "B", "tasks", *(f"{d} A win rate" for d in PAIR_DIMENSIONS), "W/T/L", "unscored"]
    lines += ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for pair in comparison.pairs:
        rates = " | ".join("—" if pair.win_rate[d] is None else f"{pair.win_rate[d]:.2f}" for d in PAIR_DIMENSIONS)
        lines.append(
            f"| {pair.first} | {pair.second} | {pair.tasks} | {rates} | {pair.wins}/{pair.ties}/{pair.losses} "
            f"| {pair.unscored} |"
        )
    lines += ["", "Elo (Bradley-Terry fit of the overall outcomes): "
              + ", ".join(f"{n} {r:.0f}" for n, r in sorted(comparison.elo.items(), key=lambda kv: -kv[1]))]  # fmt: skip
    return "\n".join(lines)


def _verdict(task: EvalTask, first: str, second: str, judge: EvalJudge, journal: Journal) -> dict | None:
    key = item_key("pair", judge.name, text_hash(task.prompt), text_hash(first), text_hash(second))
    recorded = journal.get(key)
    if recorded is None:
        call = judge.call(pair_messages(task.prompt, first, second), PairVerdict, max_tokens=PAIR_REPLY_TOKENS)
        recorded = {"parsed": call.parsed, "text": call.text[:500], "attempts": call.attempts, "error": call.error}
        journal.put(key, recorded)
    return recorded["parsed"]


def _side(choice: str, *, flipped: bool) -> formulas.Outcome:
    """The outcome for the first system of the pair: in the flipped order, B is the first system."""
    if choice == "tie":
        return "tie"
    mine = "B" if flipped else "A"
    return "win" if choice == mine else "loss"


def _pair_result(a: str, b: str, judgements: list[PairJudgement]) -> PairResult:
    rates = {
        d: formulas.win_rate([j.outcomes[d] for j in judgements if j.outcomes[d] is not None]) for d in PAIR_DIMENSIONS
    }
    overall = [j.outcomes["overall"] for j in judgements]
    return PairResult(
        first=a,
        second=b,
        tasks=len(judgements),
        win_rate={d: None if r is None else round(r, 4) for d, r in rates.items()},
        wins=overall.count("win"),
        ties=overall.count("tie"),
        losses=overall.count("loss"),
        unscored=overall.count(None),
        judgements=judgements,
    )


def _safe(name: str) -> str:
    import re

    return re.sub(r"[^\w.-]+", "_", name).strip("._") or "pair"
