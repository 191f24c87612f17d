"""The research graph as LangGraph's own server loads it (`langgraph.json`, `langgraph dev`).

The server's runs bring their input and config but no live objects, so the
policy and the tools come from the environment, built once per server
process on the first run and shared by all of them:

- `STEPRESEARCH_BASE_URL` (and `STEPRESEARCH_MODEL`, `STEPRESEARCH_API_KEY_ENV`): a served policy;
  unset, the embedded SmolLM2 in the server's process;
- `STEPRESEARCH_CORPUS`: a folder of documents; unset, the offline Wikipedia corpus;
  `TAVILY_API_KEY` adds web search;
- `STEPRESEARCH_JUDGE` (`auto`, `lexical`, `policy`), `STEPRESEARCH_POLICY_CAPABLE` (`1`: `auto` trusts the
  policy without the probe) and `STEPRESEARCH_MAX_ROUNDS`.

Scaling past one machine: LangGraph's server with a Postgres checkpointer runs
many graph workers, each building its context from this same environment and
pointing `STEPRESEARCH_BASE_URL` at the SGLang router.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from stepresearch.graphs import ResearchGraph, build_graph
from stepresearch.nodes import ResearchContext, research_context
from stepresearch.serving.server_probe import DEFAULT_WAIT_S


class EnvironmentContext:
    """Builds the context from the environment on first use, once, and hands out the same one after."""

    def __init__(self) -> None:
        self._context: ResearchContext | None = None
        self._lock = threading.Lock()

    def __call__(self) -> ResearchContext:
        with self._lock:
            if self._context is None:
                self._context = context_from_environment(os.environ)
            return self._context


def context_from_environment(env: os._Environ[str] | dict[str, str]) -> ResearchContext:
    from stepresearch.tools import TavilySearchTool, folder_search_tool, wiki_search_tool

    policy = None
    if env.get("STEPRESEARCH_BASE_URL"):
        from stepresearch.serving.openai_compatible import OpenAICompatibleChatModel

        policy = OpenAICompatibleChatModel.from_env(
            env["STEPRESEARCH_BASE_URL"], env.get("STEPRESEARCH_MODEL", ""), env.get("STEPRESEARCH_API_KEY_ENV")
        )
        policy.check_health(wait_s=DEFAULT_WAIT_S)
    corpus = env.get("STEPRESEARCH_CORPUS")
    tools: list = [folder_search_tool(Path(corpus))] if corpus else [wiki_search_tool()]
    if env.get("TAVILY_API_KEY"):
        web = TavilySearchTool.from_env()
        if web is not None:
            tools.append(web)
    budgets = {"max_rounds": int(env.get("STEPRESEARCH_MAX_ROUNDS", "2"))}
    judge = env.get("STEPRESEARCH_JUDGE", "auto")
    capable = env.get("STEPRESEARCH_POLICY_CAPABLE", "").strip().lower() in ("1", "true", "yes")
    return research_context(policy, tools, budgets=budgets, judge=judge, policy_capable=capable)  # type: ignore[arg-type]


graph: ResearchGraph = build_graph(default_context=EnvironmentContext())
