"""The research graph as LangGraph's own server loads it (`langgraph.json`, `langgraph dev`).

The server's runs bring their input and config but no live objects, so the
policy and the tools come from the environment, built once per server
process on the first run and shared by all of them:

- `STEPRESEARCH_BASE_URL` (and `STEPRESEARCH_MODEL`, `STEPRESEARCH_API_KEY_ENV`): a served policy;
  unset, the embedded SmolLM2 in the server's process;
- `STEPRESEARCH_CORPUS`: a folder of documents; unset, the offline Wikipedia corpus;
  `TAVILY_API_KEY` adds web search;
- `STEPRESEARCH_JUDGE` (`auto`, `lexical`, `policy`), `STEPRESEARCH_POLICY_CAPABLE` (`1`: `auto` trusts the
  policy without the probe), `STEPRESEARCH_MAX_ROUNDS`, and every other field of
  `stepresearch.nodes.config.ResearchConfig` as `STEPRESEARCH_<FIELD>` (`ResearchConfig.from_environment`).

Scaling past one machine: LangGraph's server with a Postgres checkpointer runs
many graph workers, each building its context from this same environment and
pointing `STEPRESEARCH_BASE_URL` at the SGLang router.
"""

from __future__ import annotations

import os
import threading

from stepresearch.graphs import ResearchGraph, build_graph
from stepresearch.nodes import ResearchContext
from stepresearch.nodes.config import ResearchConfig


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
    """The context of `ResearchConfig.from_environment(env)`: the same tool factory and budgets as the CLI's."""
    return ResearchConfig.from_environment(env).context()


graph: ResearchGraph = build_graph(default_context=EnvironmentContext())
