"""What a node needs besides state: the policy, the tools and the budgets.

They are the graph's `context_schema`: LangGraph hands them to every node as
`runtime.context`, per invocation, never through a global. One compiled graph
can therefore serve many researches at once, each with its own policy, tools
and budgets: `graph.invoke(input, config, context=research_context(...))`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel

from stepresearch.core.errors import UsageError
from stepresearch.judge import Judge, JudgeDecision, JudgeKind, SemanticJudge, choose_judge
from stepresearch.serving.any_model import AnyChatModel
from stepresearch.state import Budgets
from stepresearch.tools import SearchTool, as_search_tool

from .context_window import log_budget

# What a person may review: the first round's plan, each follow-up round's (`nodes/plan_review.py`), and the
# sources before the report is written (`nodes/sources_review.py`).
REVIEW_KINDS = ("plan", "rounds", "sources")


@dataclass(frozen=True)
class ResearchContext:
    """The run-scoped dependencies of every node (LangGraph's `context_schema`).

    Every field has a default because LangGraph's server builds the context from a run's JSON, which
    cannot carry a model: an empty context (no policy or no tools) is filled in by the graph's
    `default_context` (see `graphs/server.py`). Make a usable one with `research_context(...)`."""

    policy: BaseChatModel | None = None
    tools: tuple[SearchTool, ...] = ()
    budgets: Budgets = field(default_factory=Budgets)
    interactive: bool = False
    review: frozenset[str] = frozenset()  # of REVIEW_KINDS: where the run pauses for a person's review
    tool_timeout_s: float = 30.0
    prompt_layout: Literal["prefix", "naive"] = "prefix"
    judge: Judge = field(default_factory=SemanticJudge)
    reader: Literal["lexical", "policy"] = "lexical"
    judge_decision: JudgeDecision | None = None


def capable_tier(context: ResearchContext) -> bool:
    """The policy is the capable tier: the run's judge is the policy (declared capable, asked for, or shown
    so by the start-up probe). The weak tier (the embedded model, a policy that failed the probe) is asked
    only for what it does well: reading the question, proposing sub-questions, naming claims. It is not
    asked to write prose that the judge would mostly drop (`nodes/sections.py`)."""
    decision = context.judge_decision
    if decision is None:
        return False
    return decision.settled(context.judge).judge == "policy"


def is_usable(context: ResearchContext | None) -> bool:
    """A context a node can run with: it has a policy and at least one tool."""
    return context is not None and context.policy is not None and bool(context.tools)


def research_context(
    policy: BaseChatModel | None = None,
    tools: Iterable[Any] | None = None,
    *,
    budgets: Budgets | Mapping[str, Any] | None = None,
    judge: JudgeKind = "auto",
    interactive: bool = False,
    review: Iterable[str] = (),
    tool_timeout_s: float = 30.0,
    prompt_layout: Literal["prefix", "naive"] = "prefix",
    reader: Literal["lexical", "policy"] = "lexical",
    policy_capable: bool = False,
) -> ResearchContext:
    """A context with defaults filled in.

    `policy` is any langchain-core chat model (default: SmolLM2 in-process); one that is not ours is
    wrapped in `AnyChatModel`, which uses its own structured output and token-cap field.
    `tools` are search tools: ours, LangChain tools, or callables `fn(query, k)`
    (default: the offline Wikipedia corpus). `judge` decides entailment for writing,
    validation and verification: `lexical` (deterministic anchors), `policy` (the
    policy judges, the anchors guard), or `auto`: the policy judges only when it is known capable, declared
    so by `policy_capable=True` or shown so by a short probe at start-up (`judge/capability.py`); the
    embedded model is never probed. `review` pauses the run for a person: `{"plan"}` after the first round's
    plan, `{"rounds"}` after each follow-up round's (`nodes/plan_review.py`), `{"sources"}` before the report is
    written, to strike sources (`nodes/sources_review.py`). `context.judge_decision` says which judge was chosen and why. `reader` picks each search branch's passages: `lexical` (deterministic, the
    default) or `policy` (the policy reads each document; for a capable served policy, see `nodes/reader.py`).
    """
    budgets = budgets if isinstance(budgets, Budgets) else Budgets(**(budgets or {}))
    review = frozenset([review] if isinstance(review, str) else review)
    unknown = sorted(review - set(REVIEW_KINDS))
    if unknown:
        raise UsageError(f"unknown review {', '.join(unknown)}; choose from {', '.join(REVIEW_KINDS)}")
    policy = policy if policy is not None else _default_policy()
    if not hasattr(policy, "structured_output_kwargs"):  # a third-party model: its own structured output
        policy = AnyChatModel(inner=policy)
    chosen = tuple(as_search_tool(t) for t in (tools if tools is not None else _default_tools()))
    if not chosen:
        raise ValueError("a research context needs at least one search tool")
    try:
        log_budget(policy, budgets.max_context_tokens)  # a window too small for any log is refused now, not mid-run
    except ValueError as exc:
        raise UsageError(f"max_context_tokens: {exc}") from exc
    chosen_judge, decision = choose_judge(
        judge, policy, capable=policy_capable, max_concurrency=budgets.search_concurrency
    )
    return ResearchContext(
        policy=policy,
        tools=chosen,
        budgets=budgets,
        interactive=interactive,
        review=review,
        tool_timeout_s=tool_timeout_s,
        prompt_layout=prompt_layout,
        judge=chosen_judge,
        reader=reader,
        judge_decision=decision,
    )


def _default_policy() -> BaseChatModel:
    from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel

    return LlamaCppChatModel()


def _default_tools() -> list[Any]:
    from stepresearch.tools import wiki_search_tool

    return [wiki_search_tool()]
