"""stepresearch: a deep-research engine whose every citation points at a source it really retrieved.

from stepresearch import build_graph
graph = build_graph()                       # SmolLM2 in-process, offline Wikipedia corpus
state = graph.invoke({"question": "..."})
print(state["report"].markdown)
"""

from stepresearch.errors import CorpusError, ModelLoadError, PolicyError, SearchError, StepResearchError, UsageError
from stepresearch.graphs import DEFAULT_NODES, build_graph
from stepresearch.runner import RunResult, run_research
from stepresearch.state import Budgets

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_NODES",
    "Budgets",
    "CorpusError",
    "ModelLoadError",
    "PolicyError",
    "RunResult",
    "SearchError",
    "StepResearchError",
    "UsageError",
    "build_graph",
    "run_research",
]
