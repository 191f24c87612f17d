"""Evaluation tasks: DeepResearch Bench's 100, or a JSONL file of the project's own format.

A task is a prompt and whatever a scorer can check it against. Each line of a task file is one JSON object:

- `prompt` (or `question`): what the engine is asked. Required.
- `id`: a string or number; the line number when absent.
- `language`: `en`, `zh`, ...; read from the prompt when absent.
- `criteria`: DeepResearch Bench's shape, `{"dimension_weight": {dim: w}, "criterions": {dim: [{"criterion",
  "explanation", "weight"}]}}`, for the criteria score.
- `rubrics`: `[{"rubric": text, "weight": w}]`, ResearchRubrics' shape; a negative weight is a thing the report
  must not do.
- `facts`: asked facts, one list of alternatives per asked part; one alternative must be in the short answer.
- `key_facts`: the same shape, looked for anywhere in the report.
- `on_topic`: titles of sources a report may cite; `relevant`: titles a good search retrieves.
- `reference`: a reference report (Markdown) for the criteria score's target / (target + reference).

A malformed line is refused with its line number, before anything runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator

from stepresearch.core.errors import UsageError

DRB = "drb"  # the task-set name of DeepResearch Bench's 100 tasks, shipped in stepresearch.eval.data.drb


class Criterion(BaseModel):
    criterion: str
    explanation: str = ""
    weight: float = Field(gt=0)


class Criteria(BaseModel):
    """DeepResearch Bench's criteria of one task: weighted dimensions, weighted criteria in each."""

    dimension_weight: dict[str, float]
    criterions: dict[str, list[Criterion]]

    @model_validator(mode="after")
    def _dimensions_agree(self) -> Criteria:
        missing = [d for d in self.criterions if d not in self.dimension_weight]
        if missing:
            raise ValueError(f"criteria for dimensions without a weight: {', '.join(missing)}")
        if not any(self.criterions.values()):
            raise ValueError("criteria with no criterion")
        return self

    def items(self) -> list[tuple[str, Criterion]]:
        """Every (dimension, criterion), dimensions in the file's order."""
        return [(dimension, c) for dimension, listed in self.criterions.items() for c in listed]


class RubricItem(BaseModel):
    rubric: str
    weight: float

    @field_validator("weight")
    @classmethod
    def _not_zero(cls, weight: float) -> float:
        if weight == 0:
            raise ValueError("a rubric weight of 0 counts for nothing; give it a positive or negative weight")
        return weight


class EvalTask(BaseModel):
    """One task and what its report can be scored against; every part but the prompt is optional."""

    id: str
    prompt: str = Field(min_length=1)
    language: str | None = None
    topic: str | None = None
    criteria: Criteria | None = None
    rubrics: list[RubricItem] = Field(default_factory=list)
    facts: list[list[str]] = Field(default_factory=list)
    key_facts: list[list[str]] = Field(default_factory=list)
    on_topic: list[str] = Field(default_factory=list)
    relevant: list[str] = Field(default_factory=list)
    reference: str | None = None

    @field_validator("facts", "key_facts")
    @classmethod
    def _alternatives(cls, facts: list[list[str]]) -> list[list[str]]:
        if any(not alternatives for alternatives in facts):
            raise ValueError("each fact is a non-empty list of alternatives")
        return facts

    @property
    def checks(self) -> list[str]:
        """What this task can be scored on, besides citations (which every report has)."""
        out = []
        if self.criteria is not None:
            out.append("criteria")
        if self.rubrics:
            out.append("rubrics")
        if self.facts or self.key_facts or self.on_topic or self.relevant:
            out.append("recall")
        return out


def load_tasks(spec: str | Path, *, ids: Iterable[str] | None = None, limit: int | None = None) -> list[EvalTask]:
    """The tasks of `drb` or of a JSONL file, filtered to `ids` (in the given order) and cut to `limit`."""
    tasks = drb_tasks() if str(spec) == DRB else read_task_file(Path(spec))
    if ids is not None:
        wanted = list(dict.fromkeys(str(i) for i in ids))
        by_id = {t.id: t for t in tasks}
        unknown = [i for i in wanted if i not in by_id]
        if unknown:
            raise UsageError(f"unknown task id(s) in {spec}: {', '.join(unknown)}")
        tasks = [by_id[i] for i in wanted]
    return tasks[:limit] if limit is not None else tasks


def parse_ids(text: str) -> list[str]:
    """`--ids 1,51,60-62` as ["1", "51", "60", "61", "62"]; a range only between two numbers."""
    out: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        low, dash, high = part.partition("-")
        if dash and low.strip().isdigit() and high.strip().isdigit():
            a, b = int(low), int(high)
            if a > b:
                raise UsageError(f"--ids: the range {part} runs backwards")
            out += [str(n) for n in range(a, b + 1)]
        else:
            out.append(part)
    if not out:
        raise UsageError("--ids names no task")
    return out


def drb_tasks() -> list[EvalTask]:
    """DeepResearch Bench's 100 tasks with their criteria, in id order."""
    folder = resources.files("stepresearch.eval.data").joinpath("drb")
    criteria = {str(row["id"]): row for row in _jsonl(folder.joinpath("criteria.jsonl").read_text("utf-8"), "drb")}
    tasks = []
    for row in _jsonl(folder.joinpath("query.jsonl").read_text("utf-8"), "drb"):
        found = criteria.get(str(row["id"]))
        tasks.append(
            EvalTask(
                id=str(row["id"]),
                prompt=row["prompt"],
                language=row.get("language"),
                topic=row.get("topic"),
                criteria=Criteria(dimension_weight=found["dimension_weight"], criterions=found["criterions"])
                if found
                else None,
            )
        )
    return tasks


def read_task_file(path: Path) -> list[EvalTask]:
    """A task file of the project's format; a missing file or a malformed line is one UsageError."""
    if not path.is_file():
        raise UsageError(f"task file {path} does not exist (give a JSONL file, or `drb`)")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"task file {path} cannot be read: {exc}") from None
    tasks: list[EvalTask] = []
    seen: dict[str, int] = {}
    for number, row in _numbered_rows(text, path):
        if not isinstance(row, dict):
            raise UsageError(f"{path}:{number}: a task is a JSON object, got {type(row).__name__}")
        row = dict(row)
        if "prompt" not in row and "question" in row:
            row["prompt"] = row.pop("question")
        row.setdefault("id", number)
        row["id"] = str(row["id"])
        try:
            task = EvalTask.model_validate(row)
        except ValidationError as exc:
            error = exc.errors()[0]
            where = ".".join(str(p) for p in error["loc"]) or "task"
            raise UsageError(f"{path}:{number}: {where}: {error['msg']}") from None
        if task.id in seen:
            raise UsageError(f"{path}:{number}: task id {task.id!r} is already used on line {seen[task.id]}")
        seen[task.id] = number
        tasks.append(task)
    if not tasks:
        raise UsageError(f"task file {path} holds no task")
    return tasks


def _numbered_rows(text: str, path: Path) -> list[tuple[int, object]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append((number, json.loads(line)))
        except json.JSONDecodeError as exc:
            raise UsageError(f"{path}:{number}: not JSON: {exc.msg} (column {exc.colno})") from None
    return rows


def _jsonl(text: str, name: str) -> list[dict]:
    return [row for _, row in _numbered_rows(text, Path(name))]  # type: ignore[misc]
