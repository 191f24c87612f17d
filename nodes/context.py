"""What a node needs besides state: the policy, the tools and the budgets.

They travel in the LangGraph config under one key, never in a global, so two
graphs with different policies can run side by side in one process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.runnables import RunnableConfig

from stepresearch.judge import Judge, LexicalJudge
from stepresearch.state import Budgets
from stepresearch.tools import SearchTool

CONTEXT_KEY = "stepresearch"


@dataclass(frozen=True)
class ResearchContext:
    policy: BaseChatModel
    tools: tuple[SearchTool, ...]
    budgets: Budgets = field(default_factory=Budgets)
    interactive: bool = False
    tool_timeout_s: float = 30.0
    prompt_layout: Literal["prefix", "naive"] = "prefix"
    judge: Judge = field(default_factory=LexicalJudge)


def get_context(config: RunnableConfig | None) -> ResearchContext:
    configurable: dict[str, Any] = (config or {}).get("configurable", {})
    context = configurable.get(CONTEXT_KEY)
    if not isinstance(context, ResearchContext):
        raise RuntimeError(
            f"no ResearchContext under config['configurable'][{CONTEXT_KEY!r}]; "
            "build the graph with stepresearch.build_graph(...) or pass one in the config"
        )
    return context
