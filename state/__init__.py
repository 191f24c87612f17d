"""Pydantic models and LangGraph state for a research run."""

from .graph_state import ResearchState, SearchBranch
from .models import (
    Budgets,
    CallUsage,
    CitationStats,
    CitedSentence,
    Claim,
    Evidence,
    FollowUp,
    PromptRecord,
    Report,
    ReportSection,
    ResearchBrief,
    Source,
    SubQuestion,
    Usage,
    Verdict,
    stable_source_id,
)

__all__ = [
    "Budgets",
    "CallUsage",
    "CitationStats",
    "CitedSentence",
    "Claim",
    "Evidence",
    "PromptRecord",
    "FollowUp",
    "Report",
    "ReportSection",
    "ResearchBrief",
    "ResearchState",
    "SearchBranch",
    "Source",
    "SubQuestion",
    "Usage",
    "Verdict",
    "stable_source_id",
]
