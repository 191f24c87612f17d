"""The published scoring recipes as arithmetic, and nothing else: no judge, no I/O.

Each function takes what the judge said and returns numbers, so the tests check every formula against
values computed by hand.

- Criteria score (DeepResearch Bench's RACE): per dimension Σ wᵢsᵢ / Σ wᵢ over the criteria the judge scored;
  the total weights the dimensions by the task's `dimension_weight` (renormalised over the dimensions that
  were scored). With a reference report, each dimension and the total become target / (target + reference).
- Rubric compliance (ResearchRubrics): Σ wᵢsᵢ / Σ over positive wᵢ, sᵢ in {0, 1} (binary) or {0, 0.5, 1}
  (ternary); a negative-weight item that is satisfied lowers the score, and the score may fall below 0.
- Citation accuracy (DeepResearch Bench's FACT): supported / (supported + unsupported); effective citations
  are the supported ones. Citations whose source is unknown or unreachable are counted apart.
- Pairwise (ADR-Bench): Win + 0.5·Tie over the tasks two systems share, and Elo ratings over all systems,
  fitted as a Bradley-Terry model (order-independent, unlike Elo's online updates).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Literal

Grading = Literal["binary", "ternary"]
GRADE_VALUES: dict[Grading, dict[str, float]] = {
    "binary": {"satisfied": 1.0, "not satisfied": 0.0},
    "ternary": {"satisfied": 1.0, "partially satisfied": 0.5, "not satisfied": 0.0},
}
ELO_SCALE = 400.0  # Elo's convention: 400 points is 10:1 odds
ELO_CENTRE = 1000.0  # the mean rating; only differences mean anything
BT_ITERATIONS = 200  # minorisation-maximisation steps; the ratings of a few systems settle in far fewer
BT_PRIOR = 1.0  # one game drawn against a virtual equal, so an unbeaten system gets a finite rating


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Σ wᵢsᵢ / Σ wᵢ over (weight, score) pairs; None when there is no weight."""
    pairs = list(pairs)
    total = sum(w for w, _ in pairs)
    return sum(w * s for w, s in pairs) / total if total > 0 else None


def criteria_score(
    scores: Mapping[str, Sequence[tuple[float, float | None]]], dimension_weight: Mapping[str, float]
) -> tuple[dict[str, float], float | None]:
    """(per-dimension weighted mean, weighted total) of 0-10 criterion scores.

    `scores[dim]` holds (criterion weight, score or None when unscored). An unscored criterion drops out of
    its dimension's mean, and a dimension with none scored drops out of the total, whose weights are then
    renormalised: an unparsed reply never counts as a 0.
    """
    dims: dict[str, float] = {}
    for dim, pairs in scores.items():
        mean = weighted_mean((w, s) for w, s in pairs if s is not None)
        if mean is not None:
            dims[dim] = mean
    total = weighted_mean((dimension_weight.get(d, 0.0), s) for d, s in dims.items())
    return dims, total


def relative(target: float, reference: float) -> float:
    """target / (target + reference), 0 when both are 0 (DeepResearch Bench's normalisation)."""
    return target / (target + reference) if target + reference > 0 else 0.0


def relative_scores(
    target: tuple[dict[str, float], float | None], reference: tuple[dict[str, float], float | None]
) -> tuple[dict[str, float], float | None]:
    """Per dimension and total, target / (target + reference), over what both were scored on."""
    dims = {d: relative(s, reference[0][d]) for d, s in target[0].items() if d in reference[0]}
    total = relative(target[1], reference[1]) if target[1] is not None and reference[1] is not None else None
    return dims, total


def rubric_compliance(graded: Iterable[tuple[float, str | None]], grading: Grading) -> float | None:
    """Σ wᵢsᵢ / Σ over positive wᵢ of (weight, grade) pairs; ungraded items (None) drop out."""
    values = GRADE_VALUES[grading]
    pairs = [(w, values[g]) for w, g in graded if g is not None]
    positive = sum(w for w, _ in pairs if w > 0)
    if positive <= 0:
        return None
    return sum(w * s for w, s in pairs) / positive


def citation_accuracy(supported: int, unsupported: int) -> float | None:
    """supported / (supported + unsupported); None when no citation could be checked."""
    checked = supported + unsupported
    return supported / checked if checked else None


Outcome = Literal["win", "tie", "loss"]
OUTCOME_POINTS: dict[Outcome, float] = {"win": 1.0, "tie": 0.5, "loss": 0.0}


def win_rate(outcomes: Iterable[Outcome]) -> float | None:
    """(Win + 0.5·Tie) / games, from the first system's side."""
    points = [OUTCOME_POINTS[o] for o in outcomes]
    return sum(points) / len(points) if points else None


def elo_ratings(
    games: Iterable[tuple[str, str, Outcome]], systems: Iterable[str] = (), prior: float = BT_PRIOR
) -> dict[str, float]:
    """Elo-scale ratings from (a, b, outcome for a) games, by a Bradley-Terry fit.

    Strengths πᵢ maximise Π P(i beats j) = πᵢ / (πᵢ + πⱼ), a tie counting half a win each way, with a
    `BT_PRIOR` draw against a virtual system of strength 1 so that an unbeaten system stays finite. The
    rating is `ELO_CENTRE + ELO_SCALE·log10(πᵢ)`, shifted to a mean of `ELO_CENTRE`. Two systems where A
    scored a fraction p of the points differ by about ELO_SCALE·log10(p / (1 - p)).
    """
    names = list(dict.fromkeys([*systems, *(n for a, b, _ in games for n in (a, b))]))
    games = list(games)
    if not names:
        return {}
    wins = {n: prior / 2 for n in names}  # points scored, the prior's drawn game included
    meetings: dict[tuple[str, str], float] = {}
    for a, b, outcome in games:
        wins[a] += OUTCOME_POINTS[outcome]
        wins[b] += 1.0 - OUTCOME_POINTS[outcome]
        key = (a, b) if a < b else (b, a)
        meetings[key] = meetings.get(key, 0.0) + 1.0
    strength = dict.fromkeys(names, 1.0)
    for _ in range(BT_ITERATIONS):
        updated = {}
        for n in names:
            denominator = prior / (strength[n] + 1.0)  # the prior: games against strength 1
            for (a, b), count in meetings.items():
                if n in (a, b):
                    other = b if n == a else a
                    denominator += count / (strength[n] + strength[other])
            updated[n] = wins[n] / denominator
        strength = updated
    logs = {n: ELO_SCALE * math.log10(s) for n, s in strength.items()}
    shift = ELO_CENTRE - sum(logs.values()) / len(logs)
    return {n: round(v + shift, 1) for n, v in logs.items()}
