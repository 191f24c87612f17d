"""Score one report of one task: criteria, rubric, citations and fact recall, each with the judge's words.

The LLM judge grades the criteria and the rubric (`judging.py`); the citations are checked by the project's
own entailment judge against the text the run retrieved, offline and deterministic; fact recall is string
matching against what the task file lists. Every judged item goes through the task's journal first
(`journal.py`), so a resumed evaluation never asks the same thing twice. The arithmetic is `formulas.py`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from stepresearch.core.policy_calls import prompt_record
from stepresearch.serving.radix import RadixTree

from . import formulas
from .articles import Article, citations, find_page, strip_citations
from .journal import Journal, item_key, text_hash
from .judging import (
    JUDGE_NODE,
    BinaryGrade,
    CriterionVerdict,
    EvalJudge,
    JudgeInfo,
    TernaryGrade,
    article_prefix,
    criterion_item,
    rubric_item,
    with_item,
)
from .recall import RecallResult, fact_recall
from .tasks import EvalTask

CitationJudgeKind = Literal["semantic", "lexical"]
UNPARSED_TEXT_CHARS = 300  # of a reply that never parsed, kept as its reason: enough to see what went wrong


class CriterionJudgement(BaseModel):
    dimension: str
    criterion: str
    weight: float
    score: float | None = Field(description="0-10; None when no reply of the judge parsed (unscored).")
    reason: str = ""
    attempts: int = 0
    error: str | None = None


class CriteriaResult(BaseModel):
    """RACE-style: per dimension Σ wᵢsᵢ / Σ wᵢ on 0-10, the total weighted by the task's dimension weights."""

    kind: Literal["absolute", "relative to the reference"]
    dimensions: dict[str, float] = Field(description="The headline per dimension: absolute 0-10, or relative 0-1.")
    total: float | None
    absolute_dimensions: dict[str, float]
    absolute_total: float | None
    reference_dimensions: dict[str, float] | None = None
    reference_total: float | None = None
    judgements: list[CriterionJudgement]
    reference_judgements: list[CriterionJudgement] = Field(default_factory=list)
    unscored: int = 0
    article_cut: bool = Field(default=False, description="The article was cut to fit the judge's context.")


class RubricJudgement(BaseModel):
    rubric: str
    weight: float
    grade: str | None
    reason: str = ""
    attempts: int = 0
    error: str | None = None


class RubricResult(BaseModel):
    """ResearchRubrics-style: Σ wᵢsᵢ / Σ over positive wᵢ."""

    grading: formulas.Grading
    score: float | None
    judgements: list[RubricJudgement]
    unscored: int = 0


class CitationJudgement(BaseModel):
    statement: str
    ref: str | None
    number: int | None = None
    title: str = ""
    status: Literal["supported", "unsupported", "unknown"]
    reasons: list[str] = Field(default_factory=list)


class CitationResult(BaseModel):
    """FACT-style: accuracy = supported / (supported + unsupported); unknown sources are counted apart."""

    judge: str
    supported: int
    unsupported: int
    unknown: int
    accuracy: float | None
    effective: int = Field(description="Supported citations: DeepResearch Bench's effective citations.")
    judgements: list[CitationJudgement]


class TokenUse(BaseModel):
    """What the judge's calls for this task cost, and what a prefix cache saves of it.

    `replay_computed` is what an unbounded prefix cache (SGLang's radix tree) would still compute of this
    task's prompts, replayed in order; `one_call` is the prompt of a single call asking every item at once.
    """

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    unit: str = "tokens"
    prompt_units: int = 0
    replay_computed: int = 0
    one_call: int = 0

    @property
    def ratio(self) -> float | None:
        return round(self.replay_computed / self.one_call, 3) if self.one_call else None


class TaskScores(BaseModel):
    """Everything scored for one task: scores.json in the task's folder."""

    task_id: str
    system: str
    prompt: str
    language: str | None = None
    judge: JudgeInfo | None = None
    criteria: CriteriaResult | None = None
    rubric: RubricResult | None = None
    citations: CitationResult | None = None
    recall: RecallResult | None = None
    tokens: TokenUse = Field(default_factory=TokenUse)
    report_file: str = "report.md"
    origin: str = ""

    @property
    def unscored(self) -> int:
        return (self.criteria.unscored if self.criteria else 0) + (self.rubric.unscored if self.rubric else 0)


class _Meter:
    """Counts the judge's calls for one task and replays their prompts through a radix tree."""

    def __init__(self, judge: EvalJudge) -> None:
        self.judge = judge
        self.tree = RadixTree()
        self.use = TokenUse()
        self._unit_seen: str | None = None

    def prompt(self, messages) -> None:
        record = prompt_record(self.judge.model, JUDGE_NODE, messages)  # tokens when the judge can tokenize
        unit = "tokens" if record.tokens is not None else "chars"
        self.use.unit = unit if self._unit_seen in (None, unit) else "chars"
        self._unit_seen = unit
        reused = self.tree.insert(record.units)
        self.use.prompt_units += len(record.units)
        self.use.replay_computed += len(record.units) - reused

    def spent(self, call) -> None:
        self.use.calls += call.attempts
        self.use.prompt_tokens += call.prompt_tokens
        self.use.completion_tokens += call.completion_tokens
        self.use.cached_tokens += call.cached_tokens


def score_task(
    task: EvalTask,
    article: Article,
    *,
    judge: EvalJudge | None,
    journal: Journal,
    grading: formulas.Grading = "binary",
    citation_judge: CitationJudgeKind = "semantic",
) -> TaskScores:
    """Every score the task and the report allow; without an LLM judge, only citations and recall."""
    meter = _Meter(judge) if judge is not None else None
    scores = TaskScores(
        task_id=task.id,
        system=article.system,
        prompt=task.prompt,
        language=task.language,
        judge=judge.info if judge is not None else None,
        origin=article.origin,
    )
    plain = strip_citations(article.markdown)
    if judge is not None and meter is not None:
        fitted, cut = judge.fit(plain)
        prefix = article_prefix(task.prompt, fitted)
        items: list[str] = []
        if task.criteria is not None:
            scores.criteria = _criteria(task, fitted, cut, prefix, judge, journal, meter, items)
        if task.rubrics:
            scores.rubric = _rubric(task, fitted, prefix, judge, journal, meter, grading, items)
        if items:
            meter.use.one_call = _one_call_units(judge, prefix, items)
        scores.tokens = meter.use
    scores.citations = check_citations(article, citation_judge)
    if "recall" in task.checks:
        scores.recall = fact_recall(task, article)
    return scores


def check_citations(article: Article, kind: CitationJudgeKind = "semantic") -> CitationResult:
    """Each (statement, source) pair judged by the project's entailment judge against the source's text."""
    from stepresearch.judge import make_judge

    judge = make_judge(kind)
    pairs = citations(article.markdown)
    judged: list[CitationJudgement] = []
    to_judge: list[tuple[int, tuple[str, str, str]]] = []
    for citation in pairs:
        page = find_page(article.pages, citation.ref)
        status = "unknown" if page is None or not page.text.strip() else "unsupported"
        reasons = [] if status == "unsupported" else ["the cited source's text is not available"]
        judged.append(CitationJudgement(**citation.model_dump(), status=status, reasons=reasons))
        if page is not None and page.text.strip():
            to_judge.append((len(judged) - 1, (citation.statement, page.text, page.title or citation.title)))
    verdicts = judge.judge_many([item for _, item in to_judge]) if to_judge else []
    for (index, _), verdict in zip(to_judge, verdicts):
        judged[index].status = "supported" if verdict.entails else "unsupported"
        judged[index].reasons = list(verdict.reasons)
    supported = sum(j.status == "supported" for j in judged)
    unsupported = sum(j.status == "unsupported" for j in judged)
    return CitationResult(
        judge=kind,
        supported=supported,
        unsupported=unsupported,
        unknown=sum(j.status == "unknown" for j in judged),
        accuracy=formulas.citation_accuracy(supported, unsupported),
        effective=supported,
        judgements=judged,
    )


def _criteria(task, fitted, cut, prefix, judge, journal, meter, items) -> CriteriaResult:
    judgements = _judge_criteria(task, fitted, prefix, judge, journal, meter, items)
    absolute = _criteria_numbers(task, judgements)
    result = CriteriaResult(
        kind="absolute",
        dimensions=absolute[0],
        total=absolute[1],
        absolute_dimensions=absolute[0],
        absolute_total=absolute[1],
        judgements=judgements,
        unscored=sum(j.score is None for j in judgements),
        article_cut=cut,
    )
    if task.reference:
        reference_text, _ = judge.fit(strip_citations(task.reference))
        reference_prefix = article_prefix(task.prompt, reference_text)
        reference = _judge_criteria(task, reference_text, reference_prefix, judge, journal, meter, [])
        numbers = _criteria_numbers(task, reference)
        relative = formulas.relative_scores(absolute, numbers)
        result.kind = "relative to the reference"
        result.dimensions, result.total = relative
        result.reference_dimensions, result.reference_total = numbers
        result.reference_judgements = reference
        result.unscored += sum(j.score is None for j in reference)
    return result


def _judge_criteria(task, article_text, prefix, judge, journal, meter, items) -> list[CriterionJudgement]:
    out = []
    digest = text_hash(article_text)
    for dimension, criterion in task.criteria.items():
        item = criterion_item(dimension, criterion.criterion, criterion.explanation)
        items.append(item)
        key = item_key("criterion", judge.name, digest, dimension, criterion.criterion)
        recorded = _judged(key, with_item(prefix, item), CriterionVerdict, "score", judge, journal, meter)
        out.append(
            CriterionJudgement(dimension=dimension, criterion=criterion.criterion, weight=criterion.weight, **recorded)
        )
    return out


def _criteria_numbers(task: EvalTask, judgements: list[CriterionJudgement]):
    by_dimension: dict[str, list[tuple[float, float | None]]] = {}
    for j in judgements:
        by_dimension.setdefault(j.dimension, []).append((j.weight, j.score))
    return formulas.criteria_score(by_dimension, task.criteria.dimension_weight)


def _rubric(task, fitted, prefix, judge, journal, meter, grading, items) -> RubricResult:
    schema = BinaryGrade if grading == "binary" else TernaryGrade
    digest = text_hash(fitted)
    judgements = []
    for rubric in task.rubrics:
        item = rubric_item(rubric.rubric, grading)
        items.append(item)
        key = item_key("rubric", grading, judge.name, digest, rubric.rubric)
        recorded = _judged(key, with_item(prefix, item), schema, "grade", judge, journal, meter)
        judgements.append(RubricJudgement(rubric=rubric.rubric, weight=rubric.weight, **recorded))
    score = formulas.rubric_compliance(((j.weight, j.grade) for j in judgements), grading)
    return RubricResult(
        grading=grading, score=score, judgements=judgements, unscored=sum(j.grade is None for j in judgements)
    )


def _judged(key, messages, schema, field: str, judge: EvalJudge, journal: Journal, meter: _Meter) -> dict:
    """The journalled judgement of one item, or the judge's, journalled before it is used. An item no reply
    parsed for keeps the judge's text as its reason and None as its `field`: unscored, not 0."""
    recorded = journal.get(key)
    if recorded is None:
        meter.prompt(messages)
        call = judge.call(messages, schema)
        meter.spent(call)
        recorded = {
            field: call.parsed[field] if call.parsed else None,
            "reason": call.parsed["reason"] if call.parsed else call.text[:UNPARSED_TEXT_CHARS],
            "attempts": call.attempts,
            "error": call.error,
        }
        journal.put(key, recorded)
    return recorded


def _one_call_units(judge: EvalJudge, prefix, items: list[str]) -> int:
    """The prompt of one call per task: the same prefix, then every item, each once."""
    merged = with_item(prefix, "\n\n".join(f"Item {i}. {item}" for i, item in enumerate(items, start=1)))
    return len(prompt_record(judge.model, JUDGE_NODE, merged).units)
