"""`run.json`: the machine-readable record of a run, built from its final state."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stepresearch.nodes.context_window import LogBudget
from stepresearch.nodes.layout import log_accounting
from stepresearch.serving.cache_report import cache_figures
from stepresearch.state import PromptRecord, ResearchState


def run_record(
    state: ResearchState,
    *,
    total_s: float,
    thread_id: str,
    prompts: list[PromptRecord] | None = None,
    log_budget: LogBudget | None = None,
    extra: dict[str, Any] | None = None,
    count_tokens: Callable[[str], int] | None = None,
) -> dict:
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
    return record


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
