"""Wrapping nodes so every one logs its start and end and reports its time and policy usage, swapped-in nodes too.

Usage is counted by a callback handler added to the node's own callbacks for
the length of one execution: every chat-model call made inside the node (in
its thread, or in threads that copy its context, as `ask_many` does) is a
child run of the node, so its `on_llm_end` reaches the handler. No global and
no ContextVar of ours is involved; the node's config is set as LangChain's
current config, which is how a child call finds its parent run.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

import structlog
from langchain_core.callbacks import BaseCallbackHandler, BaseCallbackManager
from langchain_core.outputs import LLMResult
from langchain_core.runnables import RunnableConfig
from langchain_core.runnables.config import patch_config, set_config_context
from langgraph.runtime import Runtime

from stepresearch.nodes.context import is_usable
from stepresearch.serving.calls import UNUSABLE_REPLY, usage_of
from stepresearch.state import CallUsage, Usage

log = structlog.get_logger("stepresearch.graph")

NodeFn = Callable[[Any, Runtime], dict]


class NodeCalls(BaseCallbackHandler):
    """The policy calls of one node execution: tokens, cache reports and unusable replies."""

    def __init__(self) -> None:
        self.usage = CallUsage()
        self._lock = threading.Lock()

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        for generations in response.generations:
            for generation in generations:
                message = getattr(generation, "message", None)
                if message is not None:
                    with self._lock:
                        self.usage = self.usage + usage_of(message)

    def on_custom_event(self, name: str, data: Any, *, run_id: UUID, **kwargs: Any) -> None:
        if name == UNUSABLE_REPLY:
            with self._lock:
                self.usage = self.usage + CallUsage(unusable=1)


def instrumented(name: str, fn: NodeFn, default_context: Callable[[], Any] | None = None) -> Callable[..., dict]:
    def node(state: Any, config: RunnableConfig, runtime: Runtime) -> dict:
        runtime = _with_context(runtime, default_context)
        detail = {}
        if isinstance(state, dict) and "sub_question" in state:
            detail["sub_question"] = state["sub_question"].id
        log.info("node_start", node=name, **detail)
        started = time.perf_counter()
        calls = NodeCalls()
        try:
            with set_config_context(_with_handler(config, calls)) as context:
                update = context.run(fn, state, runtime) or {}
        except Exception as exc:
            log.error("node_failed", node=name, error=f"{type(exc).__name__}: {exc}", **detail)
            raise
        seconds = round(time.perf_counter() - started, 4)
        log.info("node_end", node=name, seconds=seconds, **detail)
        if isinstance(update, dict):
            timings = dict(update.get("timings") or {})
            timings[name] = timings.get(name, 0.0) + seconds
            update = {**update, "timings": timings}
            if calls.usage.calls or calls.usage.unusable:
                update["usage"] = Usage.for_node(name, calls.usage)
        return update

    # Not functools.wraps: LangGraph reads the signature through __wrapped__ to decide what to pass,
    # and this wrapper needs `config` even when the node it wraps takes only `runtime`.
    node.__name__ = getattr(fn, "__name__", name)
    node.__doc__ = fn.__doc__
    return node


def with_context(fn: Callable[[Any, Runtime], Any], default_context: Callable[[], Any] | None) -> Callable[..., Any]:
    """An edge function that gets the default context when the invocation brought none."""

    def edge(state: Any, runtime: Runtime) -> Any:
        return fn(state, _with_context(runtime, default_context))

    edge.__name__ = getattr(fn, "__name__", "edge")
    return edge


def _with_context(runtime: Runtime, default_context: Callable[[], Any] | None) -> Runtime:
    if is_usable(runtime.context):
        return runtime
    if default_context is None:
        raise ValueError(
            "this research graph was invoked without a usable context (a policy and at least one tool): pass "
            "context=research_context(...) to invoke/stream, or build the graph with default_context="
        )
    return runtime.override(context=default_context())


def _with_handler(config: RunnableConfig, handler: BaseCallbackHandler) -> RunnableConfig:
    """The node's config with `handler` added to its callbacks, inherited by every child run."""
    callbacks = config.get("callbacks")
    if isinstance(callbacks, BaseCallbackManager):
        manager = callbacks.copy()
        manager.add_handler(handler, inherit=True)
        return patch_config(config, callbacks=manager)
    return patch_config(config, callbacks=[*(callbacks or []), handler])
