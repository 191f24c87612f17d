"""One module per node. A node is `fn(state, config) -> update`; it finds the policy,
tools and budgets in `config["configurable"]["stepresearch"]` (see `context.py`)."""

from .clarify import clarify
from .context import CONTEXT_KEY, ResearchContext, get_context
from .plan import plan
from .reflect import reflect, route_after_reflect
from .search import dispatch_search, search
from .validate import validate
from .verify import verify
from .write import write

__all__ = [
    "CONTEXT_KEY",
    "ResearchContext",
    "clarify",
    "dispatch_search",
    "get_context",
    "plan",
    "reflect",
    "route_after_reflect",
    "search",
    "validate",
    "verify",
    "write",
]
