"""The LangGraph state of one research run, with a reducer for every field that branches write."""

from __future__ import annotations

from typing import Annotated, TypedDict

from .models import (
    CitationStats,
    Claim,
    Evidence,
    FollowUp,
    PromptRecord,
    Report,
    ResearchBrief,
    Source,
    SubQuestion,
    Usage,
)
from .reducers import (
    add_ints,
    append,
    merge_evidence,
    merge_notes,
    merge_sources,
    merge_sub_questions,
    merge_timings,
    merge_usage,
)


class ResearchState(TypedDict, total=False):
    question: str
    brief: ResearchBrief
    round: int
    sub_questions: Annotated[list[SubQuestion], merge_sub_questions]
    sources: Annotated[dict[str, Source], merge_sources]
    evidence: Annotated[list[Evidence], merge_evidence]
    claims: list[Claim]
    follow_ups: list[FollowUp]
    report: Report
    citations: CitationStats
    tool_calls: Annotated[int, add_ints]
    usage: Annotated[Usage, merge_usage]
    prompts: Annotated[list[PromptRecord], append]
    timings: Annotated[dict[str, float], merge_timings]
    notes: Annotated[list[str], merge_notes]
    stop_reason: str
    started_at: float


class SearchBranch(TypedDict):
    """What one `Send` hands to one search branch."""

    question: str
    sub_question: SubQuestion
    topics: list[str]
    subject: list[str]
    tool_calls_allowed: int
