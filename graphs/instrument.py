"""Wrapping nodes so every one logs its start and end and reports its time and policy usage, swapped-in nodes too.

Usage is counted by a callback handler added to the node's own callbacks for
the length of one execution: every chat-model call made inside the node (in
its thread, or in threads that copy its context, as `ask_many` does) is a
child run of the node, so its `on_llm_end` reaches the handler. No global and
no ContextVar of ours is involved; the node's config is set as LangChain's
current config, which is how a child call finds its parent run.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

import structlog
from langchain_core.callbacks import BaseCallbackHandler, BaseCallbackManager
from langchain_core.outputs import LLMResult
from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda
from langchain_core.runnables.config import patch_config, set_config_context
from langgraph.runtime import Runtime, get_runtime

from stepresearch.core.policy_calls import UNUSABLE_REPLY, usage_of
from stepresearch.core.steps import StepNode
from stepresearch.nodes.context import is_usable
from stepresearch.state import CallUsage, NodeExecution, Usage
from stepresearch.state.events import NodeFinished, NodeStarted, emit

log = structlog.get_logger("stepresearch.graph")

NodeFn = Callable[[Any, Runtime], Any]


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


def instrumented(name: str, fn: NodeFn, default_context: Callable[[], Any] | None = None) -> Runnable:
    """The node as a runnable with a sync and an async body, both logged, timed and accounted the same way.

    `fn` may be a step node (ours: one body, driven sync or async, see `stepresearch.core.steps`), an `async def`
    (awaited; under a sync `invoke` it runs on its own event loop), or a plain function (under `ainvoke` it
    runs on a worker thread, as LangGraph runs any sync node).
    """
    sync_body, async_body = _bodies(name, fn)

    def node(state: Any, config: RunnableConfig) -> dict:
        execution = _Execution(name, state)
        runtime = _with_context(get_runtime(), default_context)
        emit(runtime, execution.started_event())
        with set_config_context(_with_handler(config, execution.calls)) as context:
            with execution.logged():
                update = context.run(sync_body, state, runtime)
        update = execution.finish(update)
        emit(runtime, NodeFinished(node=name, seconds=execution.seconds))
        return update

    async def anode(state: Any, config: RunnableConfig) -> dict:
        execution = _Execution(name, state)
        runtime = await _awith_context(get_runtime(), default_context)
        emit(runtime, execution.started_event())
        with set_config_context(_with_handler(config, execution.calls)) as context:
            with execution.logged():
                # The body runs as a task in the node's context, so its policy calls are the node's children.
                update = await context.run(asyncio.ensure_future, async_body(state, runtime))
        update = execution.finish(update)
        emit(runtime, NodeFinished(node=name, seconds=execution.seconds))
        return update

    return RunnableLambda(node, afunc=anode, name=name)


class _Execution:
    """One execution of one node: its start and end events, its time and its policy usage."""

    def __init__(self, name: str, state: Any) -> None:
        self.name = name
        self.detail = {}
        self.round = 0
        self.branch_text: str | None = None
        self.seconds: float | None = None
        if isinstance(state, dict):
            branch = state.get("sub_question")  # a search or section branch
            if branch is not None:
                self.detail["sub_question"] = branch.id
                self.branch_text = getattr(branch, "text", None)
            self.round = int(branch.round if branch is not None else state.get("round") or 0)
        self.calls = NodeCalls()
        self.started_at = time.time()  # wall clock for the record: comparable across a resume's processes
        self.started = time.perf_counter()  # monotonic for the duration

    @contextmanager
    def logged(self) -> Iterator[None]:
        log.info("node_start", node=self.name, **self.detail)
        try:
            yield
        except Exception as exc:
            log.error("node_failed", node=self.name, error=f"{type(exc).__name__}: {exc}", **self.detail)
            raise

    def started_event(self) -> NodeStarted:
        return NodeStarted(node=self.name, sub_question=self.branch_text)

    def finish(self, update: Any) -> dict:
        update = update or {}
        seconds = self.seconds = round(time.perf_counter() - self.started, 4)
        log.info("node_end", node=self.name, seconds=seconds, **self.detail)
        if isinstance(update, dict):
            timings = dict(update.get("timings") or {})
            timings[self.name] = timings.get(self.name, 0.0) + seconds
            update = {**update, "timings": timings}
            usage = self.calls.usage
            if usage.calls or usage.unusable:
                update["usage"] = Usage.for_node(self.name, usage)
            execution = NodeExecution(
                node=self.name,
                started_at=self.started_at,
                seconds=seconds,
                round=self.round,
                sub_question=self.detail.get("sub_question"),
                usage=usage,
            )
            update["executions"] = [*(update.get("executions") or []), execution]
        return update


def _bodies(name: str, fn: NodeFn) -> tuple[Callable[[Any, Runtime], Any], Callable[[Any, Runtime], Awaitable[Any]]]:
    """A sync and an async body for any kind of node."""
    if isinstance(fn, StepNode):
        return fn, fn.acall
    if inspect.iscoroutinefunction(fn):

        def run_coroutine(state: Any, runtime: Runtime) -> Any:
            try:
                asyncio.get_running_loop()
            except RuntimeError:
                return asyncio.run(fn(state, runtime))
            raise TypeError(f"node {name!r} is async and this thread already runs an event loop: use ainvoke/astream")

        return run_coroutine, fn

    async def in_thread(state: Any, runtime: Runtime) -> Any:
        return await asyncio.to_thread(fn, state, runtime)

    return fn, in_thread


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


async def _awith_context(runtime: Runtime, default_context: Callable[[], Any] | None) -> Runtime:
    """`_with_context` off the event loop: building a default context loads a model and an index."""
    if is_usable(runtime.context) or default_context is None:
        return _with_context(runtime, default_context)
    return runtime.override(context=await asyncio.to_thread(default_context))


def _with_handler(config: RunnableConfig, handler: BaseCallbackHandler) -> RunnableConfig:
    """The node's config with `handler` added to its callbacks, inherited by every child run."""
    callbacks = config.get("callbacks")
    if isinstance(callbacks, BaseCallbackManager):
        manager = callbacks.copy()
        manager.add_handler(handler, inherit=True)
        return patch_config(config, callbacks=manager)
    return patch_config(config, callbacks=[*(callbacks or []), handler])
