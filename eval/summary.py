"""One system's scores over its tasks: `summary.json`, and the table the CLI prints.

Means are over the tasks that have the score: a task whose criteria were all unscored has no criteria
score, rather than a 0. Citation accuracy and fact recall are pooled over all tasks (Σ supported / Σ
checked), effective citations are per task, as DeepResearch Bench reports them.
"""

from __future__ import annotations

from statistics import mean

from pydantic import BaseModel, Field

from . import formulas
from .judging import JudgeInfo
from .scoring import TaskScores

SUMMARY_FILE = "summary.json"


class TaskRow(BaseModel):
    task_id: str
    language: str | None = None
    criteria: float | None = None
    criteria_kind: str | None = None
    dimensions: dict[str, float] = Field(default_factory=dict)
    rubric: float | None = None
    citation_accuracy: float | None = None
    effective_citations: int = 0
    unknown_citations: int = 0
    facts: str | None = None
    unscored: int = 0


class EvalSummary(BaseModel):
    system: str
    judge: JudgeInfo | None
    grading: formulas.Grading
    tasks: int
    scored: int
    missing: list[str] = Field(default_factory=list, description="Tasks with no report to score.")
    failed: dict[str, str] = Field(default_factory=dict, description="Tasks whose research failed, and why.")
    criteria_kind: str | None = Field(default=None, description="absolute (0-10), relative (0-1), or mixed.")
    criteria: float | None = None
    dimensions: dict[str, float] = Field(default_factory=dict)
    rubric: float | None = None
    citation_accuracy: float | None = None
    effective_citations: float | None = Field(default=None, description="Supported citations per task.")
    supported: int = 0
    unsupported: int = 0
    unknown_citations: int = 0
    facts_found: int = 0
    facts: int = 0
    key_facts_found: int = 0
    key_facts: int = 0
    on_topic: int = 0
    cited: int = 0
    relevant_found: int = 0
    relevant: int = 0
    unscored: int = Field(default=0, description="Items no judge reply could be parsed for, left out of the means.")
    judge_calls: int = 0
    judge_prompt_units: int = 0
    judge_cached_tokens: int = Field(default=0, description="Prompt tokens the judge's server said it reused.")
    judge_replay_computed: int = 0
    judge_one_call: int = 0
    judge_unit: str = "tokens"
    per_task: list[TaskRow] = Field(default_factory=list)

    @property
    def prefix_ratio(self) -> float | None:
        """Computed prompt units per task with a prefix cache, against one call per task."""
        return round(self.judge_replay_computed / self.judge_one_call, 3) if self.judge_one_call else None


def summarise(
    scores: list[TaskScores],
    *,
    system: str,
    judge: JudgeInfo | None,
    grading: formulas.Grading,
    tasks: int,
    missing: list[str] | None = None,
    failed: dict[str, str] | None = None,
) -> EvalSummary:
    criteria = [s.criteria for s in scores if s.criteria is not None and s.criteria.total is not None]
    kinds = {c.kind for c in criteria}
    dimensions: dict[str, list[float]] = {}
    for c in criteria:
        for dim, value in c.dimensions.items():
            dimensions.setdefault(dim, []).append(value)
    rubrics = [s.rubric.score for s in scores if s.rubric is not None and s.rubric.score is not None]
    cites = [s.citations for s in scores if s.citations is not None]
    recalls = [s.recall for s in scores if s.recall is not None]
    supported = sum(c.supported for c in cites)
    unsupported = sum(c.unsupported for c in cites)
    return EvalSummary(
        system=system,
        judge=judge,
        grading=grading,
        tasks=tasks,
        scored=len(scores),
        missing=missing or [],
        failed=failed or {},
        criteria_kind=None if not kinds else (kinds.pop() if len(kinds) == 1 else "mixed"),
        criteria=_mean([c.total for c in criteria]),
        dimensions={d: round(mean(v), 4) for d, v in dimensions.items()},
        rubric=_mean(rubrics),
        citation_accuracy=_round(formulas.citation_accuracy(supported, unsupported)),
        effective_citations=_mean([c.effective for c in cites]),
        supported=supported,
        unsupported=unsupported,
        unknown_citations=sum(c.unknown for c in cites),
        facts_found=sum(r.facts_found for r in recalls),
        facts=sum(r.facts for r in recalls),
        key_facts_found=sum(r.key_facts_found for r in recalls),
        key_facts=sum(r.key_facts for r in recalls),
        on_topic=sum(r.on_topic for r in recalls),
        cited=sum(r.cited for r in recalls),
        relevant_found=sum(r.relevant_found for r in recalls),
        relevant=sum(r.relevant for r in recalls),
        unscored=sum(s.unscored for s in scores),
        judge_calls=sum(s.tokens.calls for s in scores),
        judge_prompt_units=sum(s.tokens.prompt_units for s in scores),
        judge_cached_tokens=sum(s.tokens.cached_tokens for s in scores),
        judge_replay_computed=sum(s.tokens.replay_computed for s in scores),
        judge_one_call=sum(s.tokens.one_call for s in scores),
        judge_unit="chars" if any(s.tokens.unit == "chars" and s.tokens.calls for s in scores) else "tokens",
        per_task=[_row(s) for s in scores],
    )


def summary_table(summary: EvalSummary) -> str:
    """The CLI's table: one row per task and a mean row, in Markdown."""
    headers = ["task", "criteria", "rubric", "citation accuracy", "unknown citations", "asked facts", "unscored"]
    lines = [
        f"system: {summary.system} · judge: {summary.judge.name if summary.judge else 'none (citations and recall only)'}"
        + (f" · criteria: {summary.criteria_kind}" if summary.criteria_kind else ""),
    ]
    if summary.judge and summary.judge.note:
        lines.append(f"WARNING: {summary.judge.note}")
    lines += ["", "| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    for task in summary.per_task:
        lines.append(
            f"| {task.task_id} | {_fmt(task.criteria)} | {_fmt(task.rubric)} | {_fmt(task.citation_accuracy)} "
            f"| {task.unknown_citations} | {task.facts or '—'} | {task.unscored} |"
        )
    facts = f"{summary.facts_found}/{summary.facts}" if summary.facts else "—"
    lines.append(
        f"| **mean** | {_fmt(summary.criteria)} | {_fmt(summary.rubric)} | {_fmt(summary.citation_accuracy)} "
        f"({summary.supported}/{summary.supported + summary.unsupported}) | {summary.unknown_citations} | {facts} "
        f"| {summary.unscored} |"
    )
    if summary.dimensions:
        lines.append("")
        lines.append("dimensions: " + ", ".join(f"{d} {v:.3f}" for d, v in summary.dimensions.items()))
    if summary.prefix_ratio is not None:
        lines.append(
            f"judge prompt {summary.judge_unit} computed with a prefix cache: {summary.judge_replay_computed} of "
            f"{summary.judge_prompt_units} sent, {summary.prefix_ratio:.2f}x of one call per task "
            f"({summary.judge_one_call})"
            + (
                f"; the judge's server reported {summary.judge_cached_tokens} reused"
                if summary.judge_cached_tokens
                else ""
            )
        )
    if summary.missing:
        lines.append(f"no report for: {', '.join(summary.missing)}")
    for task_id, why in summary.failed.items():
        lines.append(f"failed: {task_id}: {why}")
    return "\n".join(lines)


def _row(s: TaskScores) -> TaskRow:
    return TaskRow(
        task_id=s.task_id,
        language=s.language,
        criteria=s.criteria.total if s.criteria else None,
        criteria_kind=s.criteria.kind if s.criteria else None,
        dimensions=s.criteria.dimensions if s.criteria else {},
        rubric=s.rubric.score if s.rubric else None,
        citation_accuracy=s.citations.accuracy if s.citations else None,
        effective_citations=s.citations.effective if s.citations else 0,
        unknown_citations=s.citations.unknown if s.citations else 0,
        facts=f"{s.recall.facts_found}/{s.recall.facts}" if s.recall and s.recall.facts else None,
        unscored=s.unscored,
    )


def _mean(values: list[float | int | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(mean(present), 4) if present else None


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"
