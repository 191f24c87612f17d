"""stepresearch: a deep-research engine whose every citation points at a source it really retrieved.

from stepresearch import build_graph, research_context
graph = build_graph()
result = graph.invoke({"question": "..."}, context=research_context())  # SmolLM2, offline Wikipedia
print(result["report"].markdown)
"""

from stepresearch.app.runner import RunResult, run_research
from stepresearch.core.errors import (
    CorpusError,
    ModelLoadError,
    PolicyError,
    SearchError,
    StepResearchError,
    UsageError,
)
from stepresearch.graphs import DEFAULT_NODES, NodeInsert, PromptRecorder, build_graph
from stepresearch.nodes import ResearchContext, research_context
from stepresearch.state import Budgets, ResearchInput, ResearchOutput, ResearchState

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_NODES",
    "Budgets",
    "CorpusError",
    "ModelLoadError",
    "NodeInsert",
    "PolicyError",
    "PromptRecorder",
    "ResearchContext",
    "ResearchInput",
    "ResearchOutput",
    "ResearchState",
    "RunResult",
    "SearchError",
    "StepResearchError",
    "UsageError",
    "build_graph",
    "research_context",
    "run_research",
]
