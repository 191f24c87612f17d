"""One module per node. A node is `fn(state, runtime) -> update`; the policy, tools and
budgets are `runtime.context`, a `ResearchContext` (see `context.py`)."""

from .clarify import clarify
from .compact import compact
from .context import ResearchContext, research_context
from .plan import plan
from .reflect import reflect, route_after_reflect
from .search import dispatch_search, search
from .sections import dispatch_sections, draft_section
from .validate import validate
from .verify import verify
from .write import write

__all__ = [
    "ResearchContext",
    "clarify",
    "compact",
    "dispatch_search",
    "dispatch_sections",
    "draft_section",
    "plan",
    "reflect",
    "research_context",
    "route_after_reflect",
    "search",
    "validate",
    "verify",
    "write",
]
