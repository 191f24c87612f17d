"""Assembling the nodes into a compiled LangGraph graph, with swappable nodes and nodes of your own.

clarify → plan ─Send→ search ×N → compact → verify → reflect ─┬→ plan (gaps left, budget left)
                                                               └─Send→ draft_section ×S → write → validate → END

A node of your own goes on one of the fixed edges (`FIXED_EDGES`, the plain arrows above) through
`NodeInsert`: `build_graph(insert=[NodeInsert(name="fact_check", fn=my_fn, after="verify", before="reflect")])`
makes verify → fact_check → reflect. The routed edges (plan's fan-out, reflect's choice) stay the graph's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

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
# The edges a node of your own can go on: every plain arrow of the graph. `search` and `draft_section` are
# Send branches; a node after them runs once, at their join.
FIXED_EDGES: tuple[tuple[str, str], ...] = (
    (START, "clarify"),
    ("clarify", "plan"),
    ("search", "compact"),
    ("compact", "verify"),
    ("verify", "reflect"),
    ("draft_section", "write"),
    ("write", "validate"),
    ("validate", END),
)
# Enough for the longest run the budgets allow (rounds x (plan, N searches, compact, verify, reflect) + the
# section drafts, write, validate): 10 rounds x 5 steps + 4, with room to spare ...
RECURSION_LIMIT = 200
# ... and each inserted node may run once a round, for at most this many rounds (Budgets.max_rounds' cap).
MAX_ROUNDS = 10
DEFAULT_MAX_CONCURRENCY = 4


@dataclass(frozen=True)
class NodeInsert:
    """A node of your own on the fixed edge `after` → `before`: `fn(state, runtime) -> dict`, like every node.

    Its update is merged into the state by the state's reducers, so it may only write fields the state
    has (`state.ResearchState`); it is timed, logged and counted in `usage.by_node` like a built-in node.
    Several inserts on one edge run in the order given.
    """

    name: str
    fn: Callable[..., dict]
    after: str
    before: str


def after_reflect(state: ResearchState, runtime) -> str | list:
    """Another round while gaps are left, else one `draft_section` branch per section."""
    step = route_after_reflect(state)
    return step if step == "plan" else dispatch_sections(state, runtime)


ResearchGraph = CompiledStateGraph[ResearchState, ResearchContext, ResearchInput, ResearchOutput]


def build_graph(
    *,
    nodes: Mapping[str, Callable[..., dict]] | None = None,
    insert: Sequence[NodeInsert] = (),
    checkpointer: BaseCheckpointSaver | None = None,
    max_concurrency: int = DEFAULT_MAX_CONCURRENCY,
    default_context: Callable[[], ResearchContext] | None = None,
) -> ResearchGraph:
    """The compiled research graph. Run it with a context: `graph.invoke(input, config, context=research_context(...))`.

    The policy, tools and budgets are not bound here: they are the graph's `context_schema`, given per
    invocation, so one compiled graph serves researches with different policies side by side.
    `nodes` replaces nodes by name, e.g. `{"search": my_search}`; a replacement has the signature
    `fn(state, runtime) -> dict`, with the policy, tools and budgets in `runtime.context`.
    `insert` adds nodes of your own on the fixed edges (`NodeInsert`).
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
    edges = _edges(insert, set(chosen))  # checked before any inserted node is added
    for added in insert:
        builder.add_node(added.name, instrumented(added.name, added.fn, default_context))
    for start, end in edges:
        builder.add_edge(start, end)
    builder.add_conditional_edges("plan", with_context(dispatch_search, default_context), ["search", "verify"])
    builder.add_conditional_edges(
        "reflect", with_context(after_reflect, default_context), ["plan", "draft_section", "write"]
    )
    graph = builder.compile(checkpointer=checkpointer, name="stepresearch")
    limit = RECURSION_LIMIT + MAX_ROUNDS * len(insert)
    return graph.with_config(max_concurrency=max_concurrency, recursion_limit=limit)  # type: ignore[return-value]


def _edges(insert: Sequence[NodeInsert], taken: set[str]) -> list[tuple[str, str]]:
    """FIXED_EDGES with each insert spliced into its edge; a bad insert is one ValueError naming it."""
    chains = {edge: [edge[0]] for edge in FIXED_EDGES}
    for added in insert:
        if added.name in taken or added.name in (START, END):
            raise ValueError(f"node name {added.name!r} is taken; give the inserted node a name of its own")
        if (added.after, added.before) not in chains:
            fixed = ", ".join(f"{a}→{b}" for a, b in FIXED_EDGES)
            raise ValueError(
                f"cannot insert {added.name!r} between {added.after!r} and {added.before!r}: a node goes on a fixed "
                f"edge ({fixed}); the routed edges after plan and reflect are the graph's"
            )
        chains[(added.after, added.before)].append(added.name)
        taken.add(added.name)
    return [(a, b) for (_, end), chain in chains.items() for a, b in zip(chain, [*chain[1:], end])]


def mermaid(graph: CompiledStateGraph) -> str:
    """The graph as Mermaid text, as LangGraph draws it."""
    return graph.get_graph().draw_mermaid()
