"""Assembling the nodes into a compiled LangGraph graph, with swappable nodes.

clarify → plan ─Send→ search ×N → compact → verify → reflect ─┬→ plan (gaps left, budget left)
                                                               └─Send→ draft_section ×S → write → validate → END
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph

from stepresearch.nodes import (
    ResearchContext,
    clarify,
    compact,
    dispatch_search,
    dispatch_sections,
    draft_section,
    plan,
    reflect,
    route_after_reflect,
    search,
    validate,
    verify,
    write,
)
from stepresearch.state import ResearchInput, ResearchOutput, ResearchState, SearchBranch, SectionBrief

from .instrument import instrumented, with_context

DEFAULT_NODES: Mapping[str, Callable[..., dict]] = {
    "clarify": clarify,
    "plan": plan,
    "search": search,
    "compact": compact,
    "verify": verify,
    "reflect": reflect,
    "draft_section": draft_section,
    "write": write,
    "validate": validate,
}
# Enough for the longest run the budgets allow (rounds x (plan, N searches, compact, verify, reflect) + the
# section drafts, write, validate): 10 rounds x 5 steps + 4.
RECURSION_LIMIT = 200
DEFAULT_MAX_CONCURRENCY = 4


def after_reflect(state: ResearchState, runtime) -> str | list:
    """Another round while gaps are left, else one `draft_section` branch per section."""
    step = route_after_reflect(state)
    return step if step == "plan" else dispatch_sections(state, runtime)


ResearchGraph = CompiledStateGraph[ResearchState, ResearchContext, ResearchInput, ResearchOutput]


def build_graph(
    *,
    nodes: Mapping[str, Callable[..., dict]] | None = None,
    checkpointer: BaseCheckpointSaver | None = None,
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    default_context: Callable[[], ResearchContext] | None = None,
) -> ResearchGraph:
    """The compiled research graph. Run it with a context: `graph.invoke(input, config, context=research_context(...))`.

    The policy, tools and budgets are not bound here: they are the graph's `context_schema`, given per
    invocation, so one compiled graph serves researches with different policies side by side.
    `nodes` replaces nodes by name, e.g. `{"search": my_search}`; a replacement has the signature
    `fn(state, runtime) -> dict`, with the policy, tools and budgets in `runtime.context`.
    `max_concurrency` caps the search branches (and other tasks) that run at once.
    `default_context` is called for an invocation that brings no context, as LangGraph's server does
    (see `graphs/server.py`); without it such an invocation fails with a clear error.
    """
    unknown = set(nodes or {}) - set(DEFAULT_NODES)
    if unknown:
        raise ValueError(f"unknown node name(s) {sorted(unknown)}; replaceable nodes are {sorted(DEFAULT_NODES)}")
    chosen = {**DEFAULT_NODES, **(nodes or {})}
    builder = StateGraph(
        ResearchState, context_schema=ResearchContext, input_schema=ResearchInput, output_schema=ResearchOutput
    )
    for name, fn in chosen.items():
        node = instrumented(name, fn, default_context)
        if name == "search":
            builder.add_node(name, node, input_schema=SearchBranch)
        elif name == "draft_section":
            builder.add_node(name, node, input_schema=SectionBrief)
        else:
            builder.add_node(name, node)
    builder.add_edge(START, "clarify")
    builder.add_edge("clarify", "plan")
    builder.add_conditional_edges("plan", with_context(dispatch_search, default_context), ["search", "verify"])
    builder.add_edge("search", "compact")
    builder.add_edge("compact", "verify")
    builder.add_edge("verify", "reflect")
    builder.add_conditional_edges(
        "reflect", with_context(after_reflect, default_context), ["plan", "draft_section", "write"]
    )
    builder.add_edge("draft_section", "write")
    builder.add_edge("write", "validate")
    builder.add_edge("validate", END)
    graph = builder.compile(checkpointer=checkpointer, name="stepresearch")
    return graph.with_config(max_concurrency=max_concurrency, recursion_limit=RECURSION_LIMIT)  # type: ignore[return-value]


def mermaid(graph: CompiledStateGraph) -> str:
    """The graph as Mermaid text, as LangGraph draws it."""
    return graph.get_graph().draw_mermaid()
