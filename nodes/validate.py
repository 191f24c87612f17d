"""Validate: the citation validator runs after the writer, always.

The writer already attributes every sentence it keeps, so on a fresh report
this mostly confirms. It is a separate node so that it also guards a writer a
user swaps in, and so that its figures (`citations` in run.json) are measured
rather than assumed.
"""

from __future__ import annotations

from langchain_core.runnables import RunnableConfig

from stepresearch.state import ResearchState

from .citation_check import validate_markdown


def validate(state: ResearchState, config: RunnableConfig) -> dict:
    report = state.get("report")
    if report is None:
        return {}
    result = validate_markdown(report.markdown, list(state.get("sources", {}).values()))
    notes = []
    if result.stats.removed or result.stats.reattributed:
        notes.append(
            f"the citation validator re-attributed {result.stats.reattributed} and removed "
            f"{result.stats.removed} citation(s); {result.stats.unsupported_sentences} sentence(s) marked unverified"
        )
    updated = report.model_copy(update={"markdown": result.markdown, "cited_source_ids": result.cited_source_ids})
    return {"report": updated, "citations": result.stats, "notes": notes}
