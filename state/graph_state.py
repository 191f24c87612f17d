"""The LangGraph state of one research run, with a reducer for every field that branches write."""

from __future__ import annotations

from typing import Annotated

from typing_extensions import NotRequired, TypedDict  # pydantic builds JSON schemas from it on Python < 3.12

from .models import (
    CitationStats,
    Claim,
    Compaction,
    Digest,
    Evidence,
    FollowUp,
    NodeExecution,
    PlanReview,
    ResearchBrief,
    SectionDraft,
    Source,
    SourcesReview,
    SubQuestion,
    Usage,
)
from .reducers import (
    add_ints,
    append_compactions,
    append_executions,
    append_reviews,
    merge_evidence,
    merge_notes,
    merge_section_drafts,
    merge_sources,
    merge_sub_questions,
    merge_timings,
    merge_usage,
)
from .report import Report


class ResearchState(TypedDict, total=False):
    question: str
    brief: ResearchBrief
    round: int
    sub_questions: Annotated[list[SubQuestion], merge_sub_questions]
    sources: Annotated[dict[str, Source], merge_sources]
    evidence: Annotated[list[Evidence], merge_evidence]
    # Written only by the compact node, whole: a later compaction may fold earlier digests into one.
    digests: list[Digest]
    compactions: Annotated[list[Compaction], append_compactions]
    claims: list[Claim]
    follow_ups: list[FollowUp]
    report: Report
    citations: CitationStats
    tool_calls: Annotated[int, add_ints]
    usage: Annotated[Usage, merge_usage]
    timings: Annotated[dict[str, float], merge_timings]
    executions: Annotated[list[NodeExecution], append_executions]
    reviews: Annotated[list[PlanReview | SourcesReview], append_reviews]
    section_drafts: Annotated[list[SectionDraft], merge_section_drafts]
    notes: Annotated[list[str], merge_notes]
    stop_reason: str
    started_at: float


def is_finished(values: dict | None) -> bool:
    """Whether a run's state holds its result: the validated report and its citation figures.

    This is the fact a resume goes by, never the shape of a checkpoint: a checkpoint taken in the middle of
    a `Send` fan-out can show no next task and still have most of the research ahead of it. The final node
    (`validate`, or one swapped in for it) writes both `report` and `citations`; nothing else writes
    `citations`."""
    return bool(values) and values.get("report") is not None and values.get("citations") is not None


class ResearchInput(TypedDict, total=False):
    """What a research starts from: the question, and notes the caller wants in the report (skipped files...).

    The policy, tools and budgets are not input: they are the run's context (`ResearchContext`)."""

    question: str
    notes: list[str]


class ResearchOutput(TypedDict, total=False):
    """What a research returns; the full state (evidence, usage, timings) stays in the checkpoint."""

    report: Report
    claims: list[Claim]
    citations: CitationStats
    sources: dict[str, Source]
    stop_reason: str
    notes: list[str]


class SearchBranch(TypedDict):
    """What one `Send` hands to one search branch."""

    question: str
    sub_question: SubQuestion
    topics: list[str]
    subject: list[str]
    tool_calls_allowed: int
    # With the policy reader only: the brief and research log as this round's other prompts show them, so the
    # reader's calls share their prefix (and the prefix cache) with every other call of the run.
    context: NotRequired[str]


class SectionBrief(TypedDict):
    """What one `Send` hands to one `draft_section` branch: its sub-question, and the run's shared context
    (brief and research log) as every prompt of the run shows it."""

    sub_question: SubQuestion
    context: str
    layout: NotRequired[str]  # "prefix", or "naive" for the prefix-cache benchmark's baseline
    language: NotRequired[str]  # the question's (`ResearchBrief.language`): the paragraph is asked for in it
