"""Assembling the nodes into a compiled LangGraph graph, with swappable nodes.

clarify → plan ─Send→ search ×N → verify → reflect ─┬→ plan (gaps left, budget left)
                                                     └→ write → validate → END
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from stepresearch.judge import JudgeKind, make_judge
from stepresearch.nodes import (
    CONTEXT_KEY,
    ResearchContext,
    clarify,
    dispatch_search,
    plan,
    reflect,
    route_after_reflect,
    search,
    validate,
    verify,
    write,
)
from stepresearch.state import Budgets, ResearchState, SearchBranch
from stepresearch.tools import as_search_tool

from .instrument import instrumented

DEFAULT_NODES: Mapping[str, Callable[..., dict]] = {
    "clarify": clarify,
    "plan": plan,
    "search": search,
    "verify": verify,
    "reflect": reflect,
    "write": write,
    "validate": validate,
}


def build_graph(
    policy: BaseChatModel | None = None,
    tools: Iterable[Any] | None = None,
    *,
    budgets: Budgets | Mapping[str, Any] | None = None,
    nodes: Mapping[str, Callable[..., dict]] | None = None,
    checkpointer: BaseCheckpointSaver | None = None,
    interactive: bool = False,
    tool_timeout_s: float = 30.0,
    prompt_layout: str = "prefix",
    judge: JudgeKind = "auto",
) -> CompiledStateGraph:
    """A compiled research graph with the policy, tools and budgets bound into its config.

    `policy` is any langchain-core chat model (default: SmolLM2 in-process).
    `tools` are search tools: ours, LangChain tools, or callables `fn(query, k)`
    (default: the offline Wikipedia corpus). `nodes` replaces nodes by name,
    e.g. `{"search": my_search}`; a replacement has the same signature
    `fn(state, config) -> dict`. `judge` decides entailment for writing,
    validation and verification: `lexical` (deterministic anchors), `policy`
    (the policy judges, the anchors guard), or `auto` (lexical for the
    embedded model, policy for any other).
    """
    unknown = set(nodes or {}) - set(DEFAULT_NODES)
    if unknown:
        raise ValueError(f"unknown node name(s) {sorted(unknown)}; replaceable nodes are {sorted(DEFAULT_NODES)}")
    chosen = {**DEFAULT_NODES, **(nodes or {})}
    budgets = budgets if isinstance(budgets, Budgets) else Budgets(**(budgets or {}))
    policy = policy if policy is not None else _default_policy()
    context = ResearchContext(
        policy=policy,
        tools=tuple(as_search_tool(t) for t in (tools if tools is not None else _default_tools())),
        budgets=budgets,
        interactive=interactive,
        tool_timeout_s=tool_timeout_s,
        prompt_layout=prompt_layout,  # type: ignore[arg-type]
        judge=make_judge(judge, policy, max_concurrency=budgets.search_concurrency),
    )
    if not context.tools:
        raise ValueError("build_graph needs at least one search tool")

    builder = StateGraph(ResearchState)
    for name, fn in chosen.items():
        if name == "search":
            builder.add_node(name, instrumented(name, fn), input_schema=SearchBranch)
        else:
            builder.add_node(name, instrumented(name, fn))
    builder.add_edge(START, "clarify")
    builder.add_edge("clarify", "plan")
    builder.add_conditional_edges("plan", dispatch_search, ["search", "verify"])
    builder.add_edge("search", "verify")
    builder.add_edge("verify", "reflect")
    builder.add_conditional_edges("reflect", route_after_reflect, ["plan", "write"])
    builder.add_edge("write", "validate")
    builder.add_edge("validate", END)
    graph = builder.compile(checkpointer=checkpointer, name="stepresearch")
    return graph.with_config(
        configurable={CONTEXT_KEY: context}, max_concurrency=budgets.search_concurrency, recursion_limit=200
    )


def mermaid(graph: CompiledStateGraph) -> str:
    return graph.get_graph().draw_mermaid()


def _default_policy() -> BaseChatModel:
    from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel

    return LlamaCppChatModel()


def _default_tools() -> list[Any]:
    from stepresearch.tools import wiki_search_tool

    return [wiki_search_tool()]
