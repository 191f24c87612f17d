"""`run.json`: the machine-readable record of a run, built from its final state.

`RunRecord` is its one model: `run_record` builds it, `write_run_record` is the one writer, and every
reader (the viewer, `stepresearch verify`, `cache-report`, `eval`) goes through `load_run_record`, which
validates it. Its JSON schema is `docs/run.schema.json` (`RunRecord.model_json_schema()`; a test keeps the
file true). Fields a caller adds through `run_research(extra_record=...)` are kept beside the typed ones.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from stepresearch.core.atomic import write_atomically
from stepresearch.core.errors import UsageError
from stepresearch.core.json_files import read_json_object
from stepresearch.nodes.context_window import LogBudget
from stepresearch.nodes.layout import log_accounting
from stepresearch.serving.cache_report import cache_figures
from stepresearch.state import PromptRecord, ResearchState


class CitedSource(BaseModel):
    """A source the report cites, under the number `[n]` it has in report.md."""

    n: int
    id: str
    title: str
    uri: str
    tool: str


class RetrievedSource(BaseModel):
    """A source the run retrieved, cited or not; its text is in sources.json."""

    id: str
    title: str
    uri: str
    tool: str
    origin: str | None = None
    found_by: list[str] = Field(default_factory=list, description="The sub-questions whose search found it.")
    language: str | None = None


class RecordUsage(BaseModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    calls: int = 0
    unusable_calls: int = Field(default=0, description="Policy replies a node could not use (it fell back).")
    by_node: dict[str, dict[str, Any]] = Field(default_factory=dict)


class RecordTimings(BaseModel):
    total_s: float
    by_node: dict[str, float] = Field(default_factory=dict, description="Busy seconds per node.")


class RunRecord(BaseModel):
    """Everything run.json says about one run. Nested records the state defines (brief, sub-questions,
    claims, executions) are their models' JSON; extra fields given by the caller are kept."""

    model_config = ConfigDict(extra="allow")

    question: str
    thread_id: str
    brief: dict[str, Any] | None = Field(description="The research brief: the question as understood, its language.")
    clarification: dict[str, Any] | None = Field(default=None, description="The clarifying exchange, if any.")
    reviews: list[dict[str, Any]] | None = Field(
        default=None, description="Each review of a round's plan by a person: shown, replies, result, outcome."
    )
    sources: list[CitedSource] = Field(description="The cited sources, in the report's numbering.")
    retrieved_sources: list[RetrievedSource] = Field(default_factory=list)
    sub_questions: list[dict[str, Any]] = Field(default_factory=list)
    claims: list[dict[str, Any]] = Field(description="Key claims, their verdicts and sources for and against.")
    usage: RecordUsage = Field(default_factory=RecordUsage)
    citations: dict[str, Any] | None = Field(default=None, description="The citation validator's counts.")
    cache: dict[str, Any] = Field(default_factory=dict, description="Prefix-cache figures (serving.cache_report).")
    timings: RecordTimings
    executions: list[dict[str, Any]] = Field(description="Each node execution, in order: the run's timeline.")
    tool_calls: int = 0
    rounds: int = 0
    stop_reason: str = ""
    notes: list[str] = Field(default_factory=list)
    report_empty: bool = False
    generation: dict[str, Any] = Field(default_factory=dict, description="How much generated text reached the report.")
    context: dict[str, Any] = Field(default_factory=dict, description="The research log's budget and compactions.")
    judge: str | None = Field(default=None, description="The entailment judge the run used.")
    judge_decision: dict[str, Any] | None = None
    policy_server: dict[str, Any] | None = Field(default=None, description="What a served policy said about itself.")
    resume_changes: list[str] | None = Field(default=None, description="Flags a resume changed (--allow-changes).")


def write_run_record(path: Path, record: RunRecord) -> None:
    """run.json, atomically: the one place it is written. Fields the run did not set are left out, as
    before the model existed (a run with no served policy has no `policy_server`)."""
    write_atomically(
        path, json.dumps(record.model_dump(mode="json", exclude_unset=True), indent=2, ensure_ascii=False) + "\n"
    )


def load_run_record(path: Path) -> RunRecord:
    """run.json validated against `RunRecord`; a missing, corrupt or older one is one clear UsageError."""
    data = read_json_object(path, what="a run record", missing=f"no {path.name} in {path.parent}")
    try:
        return RunRecord.model_validate(data)
    except ValidationError as exc:
        missing = [str(e["loc"][0]) for e in exc.errors() if e["type"] == "missing" and len(e["loc"]) == 1]
        if missing:
            raise UsageError(
                f"{path} was written by an older stepresearch: it has no {', '.join(missing)}; "
                "run the research again to view it"
            ) from None
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"]) or "record"
        raise UsageError(
            f"{path} is not a run record of this stepresearch ({where}: {error['msg']}); "
            "it may be from an older version: run the research again"
        ) from None


def run_record(
    state: ResearchState,
    *,
    total_s: float,
    thread_id: str,
    prompts: list[PromptRecord] | None = None,
    log_budget: LogBudget | None = None,
    extra: dict[str, Any] | None = None,
    count_tokens: Callable[[str], int] | None = None,
) -> RunRecord:
    """The record; `prompts` come from the run's PromptRecorder (they are not in the state). `count_tokens`
    is the policy's tokenizer, for the share of generated tokens that reach the report."""
    report = state.get("report")
    sources = state.get("sources", {})
    cited = report.cited_source_ids if report else []
    numbered = {source_id: n for n, source_id in enumerate(cited, start=1)}
    usage = state.get("usage")
    total = usage.total if usage else None
    record = {
        "question": state.get("question", ""),
        "thread_id": thread_id,
        "brief": state["brief"].model_dump(exclude={"clarification"}) if state.get("brief") else None,
        "clarification": _clarification(state),
        "reviews": [review.model_dump(mode="json") for review in state.get("reviews", [])] or None,
        "sources": [
            {
                "n": numbered[sid],
                "id": sid,
                "title": sources[sid].title,
                "uri": sources[sid].uri,
                "tool": sources[sid].tool,
            }
            for sid in cited
            if sid in sources
        ],
        "retrieved_sources": [
            {
                "id": s.id,
                "title": s.title,
                "uri": s.uri,
                "tool": s.tool,
                "origin": s.origin,
                "found_by": s.found_by,
                "language": s.language,
            }
            for s in sources.values()
        ],
        "sub_questions": [sq.model_dump() for sq in state.get("sub_questions", [])],
        "claims": [{**claim.model_dump(), "source_ids": claim.supporting} for claim in state.get("claims", [])],
        "usage": {
            "prompt_tokens": total.prompt_tokens if total else 0,
            "completion_tokens": total.completion_tokens if total else 0,
            "cached_tokens": total.cached_tokens if total else 0,
            "calls": total.calls if total else 0,
            "unusable_calls": total.unusable if total else 0,
            "by_node": {node: u.model_dump() for node, u in (usage.by_node.items() if usage else [])},
        },
        "citations": state["citations"].model_dump() if state.get("citations") else None,
        "cache": cache_figures(prompts or [], usage),
        "timings": {"total_s": round(total_s, 3), "by_node": state.get("timings", {})},
        "executions": [e.model_dump() for e in state.get("executions", [])],
        "tool_calls": state.get("tool_calls", 0),
        "rounds": max((sq.round for sq in state.get("sub_questions", [])), default=0),
        "stop_reason": state.get("stop_reason", ""),
        "notes": state.get("notes", []),
        "report_empty": bool(report and report.empty),
    }
    record["generation"] = generation_record(state, count_tokens)
    record["context"] = context_record(state, log_budget)
    record.update(extra or {})
    return RunRecord.model_validate(record)


def generation_record(state: ResearchState, count_tokens: Callable[[str], int] | None = None) -> dict[str, Any]:
    """How much of what the policy wrote reaches the report: its drafted sentences that survive validation
    in report.md, in tokens (by the policy's tokenizer, else words), against every token it generated.
    A weak policy should be asked only for what it can do; this says how much of its work was kept."""
    report = state.get("report")
    usage = state.get("usage")
    generated = usage.total.completion_tokens if usage else 0
    drafted = usage.by_node["draft_section"].completion_tokens if usage and "draft_section" in usage.by_node else 0
    count = count_tokens or (lambda text: len(text.split()))
    written = [s for s in (report.short_answer if report else []) if s.origin == "policy"]
    written += [s for section in (report.sections if report else []) for s in section.sentences if s.origin == "policy"]
    markdown = report.markdown if report else ""
    reached = [s for s in written if s.text.rstrip(" .!?")[:120] in markdown]
    reached_tokens = sum(count(s.text) for s in reached)
    return {
        "generated_tokens": generated,
        "section_draft_tokens": drafted,
        "policy_sentences_in_report": len(reached),
        "policy_sentences_dropped": len(written) - len(reached),
        "tokens_in_report": reached_tokens,
        "share_in_report": round(reached_tokens / generated, 4) if generated else None,
        "counted_in": "policy tokens" if count_tokens else "words",
    }


def context_record(state: ResearchState, budget: LogBudget | None) -> dict[str, Any]:
    """The research log's budget, its compactions, and where every evidence item ended up."""
    return {
        **(budget.model_dump() if budget else {}),
        "compactions": [c.model_dump() for c in state.get("compactions", [])],
        **log_accounting(state.get("sources", {}), state.get("evidence", []), state.get("digests")),
    }


def _clarification(state: ResearchState) -> dict[str, Any] | None:
    brief = state.get("brief")
    return brief.clarification.model_dump() if brief is not None and brief.clarification is not None else None
